//! Why a finding is accepted: the reason, who owns the exception, until when, and the VEX
//! vocabulary (a justification or an impact statement) that lets the exception travel as an
//! OpenVEX `not_affected` statement. An exception comes from an `[[ignore]]` entry or from a VEX
//! statement someone else wrote; both end up here, so reports show them the same way.

use crate::date::Date;
use serde::Serialize;

/// The five reasons OpenVEX 0.2.0 accepts for `not_affected`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    pub fn from_name(name: &str) -> Option<Justification> {
        Justification::ALL.into_iter().find(|j| j.as_str() == name)
    }
}

/// The status of an OpenVEX statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    pub const ALL: [VexStatus; 4] = [
        VexStatus::NotAffected,
        VexStatus::Affected,
        VexStatus::Fixed,
        VexStatus::UnderInvestigation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    pub fn from_name(name: &str) -> Option<VexStatus> {
        VexStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// An accepted finding's exception, as every report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exception {
    /// Why, in words: the ignore's `reason`, or what the VEX statement said.
    pub reason: String,
    /// Where it was declared: `warden.toml:12`, or `vendor.vex.json` and the statement's number.
    pub source: String,
    /// Who answers for it.
    pub owner: Option<String>,
    /// The last day it holds.
    pub until: Option<Date>,
    pub justification: Option<Justification>,
    /// Free text saying why the finding does not affect the product.
    pub impact: Option<String>,
    /// The status of the VEX statement it came from (`not_affected` or `fixed`); `None` for an
    /// `[[ignore]]` entry.
    pub vex_status: Option<VexStatus>,
}
