//! Tiers, statuses and gate conditions: the words a policy and a gate speak, shared by every layer
//! that reads or writes a verdict.

use serde::Serialize;

/// A policy's severity tiers, ordered from most to least severe so sorting puts the worst first.
/// (CVSS 0.0, "none", falls in the lowest tier: policies give every score a deadline.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// What a rule's findings are: a weakness to fix by a due date, or inventory to review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A weakness: a severity tier, a due date, and it can fail the gate.
    #[default]
    Weakness,
    /// Inventory a reviewer reads (as clippy's and cargo-geiger's unsafe counts are): reported,
    /// never given a due date, never failing the gate, unless the settings promote the rule.
    Audit,
}

impl Class {
    pub const ALL: [Class; 2] = [Class::Weakness, Class::Audit];

    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Weakness => "weakness",
            Class::Audit => "audit",
        }
    }
}

/// Where a finding stands against its due date. Ordered most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Past its due date.
    Overdue,
    /// Due within the policy's window.
    DueSoon,
    OnTrack,
    /// Accepted by an `[[ignore]]` entry: reported, never fails the gate.
    Ignored,
    /// Inventory, not a weakness (an unsafe block without a SAFETY comment): reported, with no
    /// due date, never fails the gate.
    Audit,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::DueSoon => "due-soon",
            Status::OnTrack => "on-track",
            Status::Ignored => "ignored",
            Status::Audit => "audit",
        }
    }
}

/// A condition under which the gate fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any finding past its due date (the default).
    Overdue,
    /// Any finding due within the policy's window, or past it.
    DueSoon,
    /// Any active finding of this tier or above.
    Critical,
    High,
    Medium,
    Low,
    /// Any active finding at all.
    Any,
    /// Any active finding the change introduces (absent from the `--new-since` base).
    New,
    /// Never fail.
    Never,
}

impl FailOn {
    pub const ALL: [FailOn; 9] = [
        FailOn::Overdue,
        FailOn::DueSoon,
        FailOn::Critical,
        FailOn::High,
        FailOn::Medium,
        FailOn::Low,
        FailOn::Any,
        FailOn::New,
        FailOn::Never,
    ];

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            FailOn::Overdue => "any finding past its due date (the default)",
            FailOn::DueSoon => "any finding due within the policy's window, or overdue",
            FailOn::Critical => "any active finding of the critical tier",
            FailOn::High => "any active finding of the high tier or above",
            FailOn::Medium => "any active finding of the medium tier or above",
            FailOn::Low => "any active finding of the low tier or above",
            FailOn::Any => "any active finding",
            FailOn::New => "any active finding this change introduces, whatever its due date (needs --new-since)",
            FailOn::Never => "never fail the gate (overrides the others)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Overdue => "overdue",
            FailOn::DueSoon => "due-soon",
            FailOn::Critical => "critical",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Any => "any",
            FailOn::New => "new",
            FailOn::Never => "never",
        }
    }

    pub fn from_name(name: &str) -> Option<FailOn> {
        FailOn::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// The gate's verdict, computed once before any report is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gate {
    pub passed: bool,
    pub fail_on: Vec<FailOn>,
    /// How many open findings breach the conditions.
    pub failing: usize,
}
