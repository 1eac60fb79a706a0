//! What findings mean for the build: their severity, whether an ignore accepts them, and the gate's
//! verdict. The verdict is computed here, once, before any report is written, so every output
//! format and the exit code agree.

use crate::config::IgnoreRule;
use crate::report::{Cvss, FailOn, Finding, FindingKind, Gate, Severity, Status, Warning};

/// RustSec categories whose unscored vulnerabilities rank high rather than medium: they usually
/// mean an attacker runs code or corrupts memory.
const HIGH_IMPACT_CATEGORIES: [&str; 3] = [
    "code-execution",
    "memory-corruption",
    "privilege-escalation",
];

/// The CVSS qualitative scale when there is a score; otherwise a default by kind and category
/// (only about a third of RustSec advisories carry CVSS).
pub fn severity(kind: FindingKind, cvss: Option<&Cvss>, categories: &[String]) -> Severity {
    if let Some(cvss) = cvss {
        return match cvss.score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Info,
        };
    }
    match kind {
        FindingKind::Vulnerability
            if categories
                .iter()
                .any(|c| HIGH_IMPACT_CATEGORIES.contains(&c.as_str())) =>
        {
            Severity::High
        }
        FindingKind::Vulnerability | FindingKind::Unsound => Severity::Medium,
        FindingKind::Unmaintained | FindingKind::Notice => Severity::Low,
    }
}

/// Marks findings accepted by `[[ignore]]` entries (by rule id or alias) and warns about entries
/// that matched nothing, which are usually stale and hide nothing.
pub fn apply_ignores(
    findings: &mut [Finding],
    ignores: &[IgnoreRule],
    config_file: Option<&str>,
) -> Vec<Warning> {
    let mut used = vec![false; ignores.len()];
    for finding in findings.iter_mut() {
        let matched = ignores
            .iter()
            .position(|rule| rule.id == finding.rule || finding.aliases.contains(&rule.id));
        if let Some(index) = matched {
            used[index] = true;
            finding.status = Status::Ignored;
            finding.ignore_reason = Some(ignores[index].reason.clone());
        }
    }
    ignores
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(rule, _)| Warning {
            code: "unused-ignore",
            file: config_file.map(str::to_owned),
            message: format!(
                "ignore for {} (line {}) matched no finding; remove it if the advisory no longer applies",
                rule.id, rule.line
            ),
        })
        .collect()
}

/// Whether an open finding breaches one condition.
fn breaches(condition: FailOn, finding: &Finding) -> bool {
    match condition {
        FailOn::Vulnerability => finding.kind == FindingKind::Vulnerability,
        FailOn::Critical => finding.severity <= Severity::Critical,
        FailOn::High => finding.severity <= Severity::High,
        FailOn::Medium => finding.severity <= Severity::Medium,
        FailOn::Low => finding.severity <= Severity::Low,
        FailOn::Any => true,
        FailOn::Never => false,
    }
}

/// The gate fails when an open finding breaches any condition; `never` overrides the rest.
pub fn evaluate_gate(findings: &[Finding], fail_on: &[FailOn]) -> Gate {
    let mut fail_on = if fail_on.is_empty() {
        vec![FailOn::Vulnerability]
    } else {
        fail_on.to_vec()
    };
    fail_on.sort();
    fail_on.dedup();
    let failing = if fail_on.contains(&FailOn::Never) {
        0
    } else {
        findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .filter(|f| fail_on.iter().any(|&c| breaches(c, f)))
            .count()
    };
    Gate {
        passed: failing == 0,
        fail_on,
        failing,
    }
}
