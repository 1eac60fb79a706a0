//! OpenVEX 0.2.0: the dependency findings as statements auditors and SBOM tools read. An active
//! finding is `affected`, with the fix and the date the policy sets for it as its action
//! statement; an accepted one is `not_affected` with its justification or impact statement (or
//! `fixed`, when a supplier's VEX said so). Products are `pkg:cargo/NAME@VERSION` purls.
//!
//! The document is a function of the report alone: its timestamp is the report's day and its
//! `@id` a hash of its content, so the same scan writes the same bytes. Source findings (secrets,
//! code) are about this repository's own lines, not a component's vulnerability, and are left
//! out; so are audit findings (an unmaintained crate is not a vulnerability).

use super::purl::purl;
use super::{Emitter, Report};
use crate::finding::{Class, Finding, Justification, Status, VexStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;

pub struct OpenVex;

pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

#[derive(Serialize)]
struct Document<'r> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    author: &'static str,
    timestamp: String,
    version: u32,
    tooling: String,
    statements: Vec<Statement<'r>>,
}

#[derive(Serialize, Clone)]
struct Statement<'r> {
    vulnerability: Vulnerability<'r>,
    products: Vec<Product>,
    status: VexStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<Justification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_notes: Option<String>,
}

#[derive(Serialize, Clone)]
struct Vulnerability<'r> {
    name: &'r str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<&'r str>,
}

#[derive(Serialize, Clone)]
struct Product {
    #[serde(rename = "@id")]
    id: String,
    identifiers: Identifiers,
}

#[derive(Serialize, Clone)]
struct Identifiers {
    purl: String,
}

/// What one finding says, before findings of the same advisory and package are merged.
fn statement<'r>(finding: &'r Finding, report: &Report) -> Statement<'r> {
    let (d, v) = (&finding.detection, &finding.verdict);
    let package = d.package().expect("only dependency findings are written");
    let purl = purl(&package.name, &package.version);
    let mut aliases: Vec<&str> = d.aliases().iter().map(String::as_str).collect();
    aliases.sort_unstable();
    aliases.dedup();
    aliases.retain(|alias| *alias != d.rule);
    let mut statement = Statement {
        vulnerability: Vulnerability {
            name: &d.rule,
            aliases,
        },
        products: vec![Product {
            id: purl.clone(),
            identifiers: Identifiers { purl },
        }],
        status: VexStatus::Affected,
        justification: None,
        impact_statement: None,
        action_statement: None,
        status_notes: None,
    };
    match (&v.exception, v.status) {
        (Some(exception), Status::Ignored) => {
            statement.status = exception.vex_status.unwrap_or(VexStatus::NotAffected);
            let mut notes = format!("accepted in {}", exception.source);
            if let Some(owner) = &exception.owner {
                notes.push_str(&format!(", owned by {owner}"));
            }
            if let Some(until) = exception.until {
                notes.push_str(&format!(", until {until}"));
            }
            if statement.status == VexStatus::NotAffected {
                statement.justification = exception.justification;
                // OpenVEX needs a justification or an impact statement; the reason is one.
                statement.impact_statement = match (&exception.impact, exception.justification) {
                    (Some(impact), _) => Some(impact),
                    (None, None) => Some(&exception.reason),
                    (None, Some(_)) => None,
                };
                if exception.impact.is_some() || exception.justification.is_some() {
                    notes.push_str(&format!(": {}", exception.reason));
                }
            } else {
                notes.push_str(&format!(": {}", exception.reason));
            }
            statement.status_notes = Some(notes);
        }
        _ => {
            let step = d
                .next_step()
                .unwrap_or("upgrade to a patched release (see the advisory)");
            // The days this finding was given: its tier's, or its kind's time frame, or fewer
            // when it is due at once or known exploited.
            let window = |clock: crate::finding::Clock| {
                format!(
                    "under the {} policy ({}: fix within {})",
                    report.policy.policy.name,
                    v.severity.as_str(),
                    super::plural(clock.due.days_since(clock.start).max(0) as usize, "day")
                )
            };
            let due = match v.clock {
                Some(clock) if clock.days_left < 0 => {
                    format!("overdue since {} {}", clock.due, window(clock))
                }
                Some(clock) => format!("due {} {}", clock.due, window(clock)),
                None => "no due date under the policy".to_owned(),
            };
            statement.action_statement = Some(format!("{step}; {due}"));
            let cvss = d
                .cvss()
                .map_or(String::new(), |c| format!(", CVSS {:.1}", c.score));
            let exploited = v
                .known_exploited
                .as_ref()
                .and_then(|k| k.label())
                .map_or(String::new(), |label| format!(", {label}"));
            statement.status_notes = Some(format!(
                "{}{cvss}{exploited}, locked in {}{}",
                v.severity.as_str(),
                report.repository_prefix,
                d.file
            ));
        }
    }
    statement
}

/// The dependency findings' statements: one per advisory and package version. When a package
/// is locked in several workspaces, the statement is `affected` if any of them is, with the
/// earliest due date.
fn statements<'r>(report: &'r Report) -> Vec<Statement<'r>> {
    let mut merged: BTreeMap<(&str, String), (&Finding, Statement<'r>)> = BTreeMap::new();
    for finding in &report.findings {
        let d = &finding.detection;
        let Some(package) = d.package() else { continue };
        if d.class != Class::Weakness {
            continue;
        }
        let key = (d.rule.as_str(), purl(&package.name, &package.version));
        let more_urgent = |kept: &Finding| {
            let active = |f: &Finding| f.verdict.status != Status::Ignored;
            let due = |f: &Finding| f.verdict.clock.map(|c| c.due);
            (active(finding), std::cmp::Reverse(due(finding)))
                > (active(kept), std::cmp::Reverse(due(kept)))
        };
        match merged.get(&key) {
            Some((kept, _)) if !more_urgent(kept) => {}
            _ => {
                merged.insert(key, (finding, statement(finding, report)));
            }
        }
    }
    merged.into_values().map(|(_, s)| s).collect()
}

impl Emitter for OpenVex {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let statements = statements(report);
        let timestamp = format!("{}T00:00:00Z", report.today);
        let tooling = format!("{} {}", report.tool.name, report.tool.version);
        let id = {
            use sha2::{Digest, Sha256};
            let content = serde_json::to_vec(&(&statements, &timestamp, &tooling))?;
            let digest = Sha256::digest(&content);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("https://openvex.dev/docs/public/vex-{hex}")
        };
        let document = Document {
            context: CONTEXT,
            id,
            author: "cargo-warden",
            timestamp,
            version: 1,
            tooling,
            statements,
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        out.write_all(b"\n")
    }
}
