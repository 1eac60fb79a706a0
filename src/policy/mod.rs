//! What findings mean for the build. The policy gives every detection a severity tier, a clock
//! start, a due date and a status; ignores accept findings until they lapse; the gate's verdict is
//! computed here, once, before any report is written, so every output format and the exit code
//! agree.

mod adoption;
mod base_tree;
pub mod cfg;
mod clock;
mod compare;
mod git;
mod ignore;
mod kev;
mod spec;
mod vex;

pub use adoption::{is_shallow, Adoption, AdoptionSource};
pub use base_tree::BaseTree;
pub use cfg::{PolicyChoice, PolicySection};
pub use clock::{starts, Baseline, BaselineEntry, ClockKind, LineDates, BASELINE_FILE};
pub use compare::{compare, escalate_updates, BaseComparison, FixedFinding};
pub use git::in_work_tree;
pub use ignore::{IgnoreRule, PackageScope};
pub use kev::{KevCatalog, KevSummary, KEV_URL};
pub use spec::{DayCount, KevDue, Policy, Tier, Unscored, DEFAULT_PRESET, PRESETS};
pub use vex::{CargoPurl, VexStatement};

use crate::date::Date;
use crate::finding::{
    Class, Clock, ClockSource, Detection, Exception, FailOn, Finding, Gate, KnownExploited,
    Severity, Status, Verdict, Warning,
};

/// What the policy needs besides the detections.
pub struct Judgement<'a> {
    pub policy: &'a Policy,
    pub today: Date,
    pub ignores: &'a [IgnoreRule],
    /// The config file the ignores came from, for warnings.
    pub config_file: Option<&'a str>,
    /// VEX statements read with `--vex` (after the ignores, which win).
    pub vex: &'a [VexStatement],
    /// The Known Exploited Vulnerabilities catalog, when one was given.
    pub kev: Option<&'a KevCatalog>,
    /// For each detection, whether the `--new-since` base lacks it; `None` without a base.
    pub new: Option<&'a [bool]>,
    pub fail_on: &'a [FailOn],
}

/// OpenVEX statements read from `--vex` files and `[advisories] vex`, with the warnings about
/// statements that could not be used.
pub fn load_vex(
    files: &[std::path::PathBuf],
    root: &std::path::Path,
) -> crate::error::Result<(Vec<VexStatement>, Vec<Warning>)> {
    let mut statements = Vec::new();
    let mut warnings = Vec::new();
    for file in files {
        let shown = crate::paths::relative_display(file, root);
        let (read, warned) = vex::load(file, &shown)?;
        statements.extend(read);
        warnings.extend(warned);
    }
    Ok((statements, warnings))
}

impl Judgement<'_> {
    /// Judges every detection whose clock started at the paired date (`None`: an audit finding,
    /// which has no clock).
    pub fn apply(
        &self,
        detections: Vec<Detection>,
        starts: Vec<Option<(Date, ClockSource)>>,
    ) -> (Vec<Finding>, Vec<Warning>, Gate) {
        let mut ignore_state = vec![IgnoreUse::Unused; self.ignores.len()];
        let mut findings: Vec<Finding> = detections
            .into_iter()
            .zip(starts)
            .enumerate()
            .map(|(index, (detection, start))| {
                let known_exploited = self.kev.and_then(|kev| kev.lookup(&detection));
                let kev_due = match &known_exploited {
                    Some(KnownExploited::Listed { due, .. }) => Some(*due),
                    _ => None,
                };
                let severity = match kev_due {
                    // Exploited in the wild: the policy's most severe tier, whatever the score.
                    Some(_) => self.policy.tier(Severity::Critical).severity,
                    None => self.severity(&detection),
                };
                let due_now = self.policy.is_due_now(detection.categories());
                let clock = match (detection.class, start) {
                    (Class::Weakness, Some((start, source))) => {
                        // What the finding would be due on were it not listed: a listing can
                        // only bring the date forward.
                        let unlisted = self.policy.due_for(
                            start,
                            self.severity(&detection),
                            detection.kind,
                            detection.categories(),
                        );
                        let due = match (kev_due, self.policy.kev_due) {
                            (Some(catalog), KevDue::Catalog) => catalog.min(unlisted),
                            (Some(catalog), KevDue::Earlier) => {
                                self.policy.due(start, severity).min(catalog).min(unlisted)
                            }
                            (None, _) => unlisted,
                        };
                        Some(Clock {
                            start,
                            source,
                            due,
                            days_left: due.days_since(self.today),
                        })
                    }
                    _ => None,
                };
                let mut status = match clock {
                    None => Status::Audit,
                    Some(clock) if clock.days_left < 0 => Status::Overdue,
                    // Due the day it is found (a malicious crate): there is no window to be in.
                    Some(clock) if due_now && clock.days_left <= 0 => Status::Overdue,
                    Some(clock) if clock.days_left <= i64::from(self.policy.due_soon) => {
                        Status::DueSoon
                    }
                    Some(_) => Status::OnTrack,
                };
                let mut exception = None;
                if let Some(rule_index) = self.matching_ignore(&detection) {
                    let rule = &self.ignores[rule_index];
                    if rule.until.is_some_and(|until| self.today > until) {
                        ignore_state[rule_index] = IgnoreUse::Expired;
                    } else {
                        ignore_state[rule_index] = IgnoreUse::Applied;
                        exception = Some(Exception {
                            reason: rule.reason.clone(),
                            source: format!(
                                "{}:{}",
                                self.config_file.unwrap_or("warden.toml"),
                                rule.line
                            ),
                            owner: rule.owner.clone(),
                            until: rule.until,
                            justification: rule.justification,
                            impact: rule.impact.clone(),
                            vex_status: None,
                        });
                    }
                }
                // A statement saying `affected` holds too: it keeps the finding active.
                if exception.is_none() {
                    exception = vex::holding(self.vex, &detection).and_then(|s| s.exception());
                }
                if exception.is_some() {
                    status = Status::Ignored;
                }
                Finding {
                    detection,
                    verdict: Verdict {
                        severity,
                        clock,
                        status,
                        exception,
                        new: self.new.map(|new| new[index]),
                        known_exploited,
                        fails_gate: Vec::new(),
                    },
                }
            })
            .collect();
        let warnings = self.ignore_warnings(&ignore_state);
        let gate = evaluate_gate(&mut findings, self.fail_on);
        (findings, warnings, gate)
    }

    /// A detection's tier. A rule's own severity (a secret in test code is low) still goes
    /// through the policy's tiers, so a policy without a critical tier rates it high.
    pub fn severity(&self, detection: &Detection) -> Severity {
        match detection.rule_severity {
            Some(declared) => self.policy.tier(declared).severity,
            None => self.policy.severity(
                detection.kind,
                detection.cvss().map(|c| c.score),
                detection.categories(),
            ),
        }
    }

    fn matching_ignore(&self, detection: &Detection) -> Option<usize> {
        self.ignores.iter().position(|rule| {
            // A fingerprint accepts one finding (a secret in one file) rather than a whole rule.
            let id_matches = rule.id == detection.rule
                || detection.aliases().contains(&rule.id)
                || rule.id == detection.fingerprint;
            let package_matches = match (&rule.package, detection.package()) {
                (None, _) => true,
                (Some(scope), Some(package)) => scope.matches(&package.name, &package.version),
                (Some(_), None) => false,
            };
            id_matches && package_matches
        })
    }

    fn ignore_warnings(&self, state: &[IgnoreUse]) -> Vec<Warning> {
        let warning = |code, message: String| {
            Warning::new(code, self.config_file.map(str::to_owned), message)
        };
        let mut warnings = Vec::new();
        for (rule, state) in self.ignores.iter().zip(state) {
            let id = &rule.id;
            let line = rule.line;
            match (state, rule.until) {
                (IgnoreUse::Unused, _) => warnings.push(warning(
                    "unused-ignore",
                    format!("ignore for {id} (line {line}) matched no finding; remove it if the advisory no longer applies"),
                )),
                (IgnoreUse::Expired, Some(until)) => warnings.push(warning(
                    "expired-ignore",
                    format!("the exception for {id} (line {line}) expired on {until}; the finding is active again: fix it, or renew the exception with a later `until`"),
                )),
                (IgnoreUse::Applied, None) => warnings.push(warning(
                    "permanent-ignore",
                    format!("ignore for {id} (line {line}) has no `until`, so it is a permanent exception; add `until = YYYY-MM-DD` to have it reviewed"),
                )),
                _ => {}
            }
        }
        warnings
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IgnoreUse {
    Unused,
    Applied,
    Expired,
}

/// Whether an active finding breaches one condition.
fn breaches(condition: FailOn, verdict: &Verdict) -> bool {
    match condition {
        FailOn::Overdue => verdict.status == Status::Overdue,
        FailOn::DueSoon => matches!(verdict.status, Status::Overdue | Status::DueSoon),
        FailOn::Critical => verdict.severity <= Severity::Critical,
        FailOn::High => verdict.severity <= Severity::High,
        FailOn::Medium => verdict.severity <= Severity::Medium,
        FailOn::Low => verdict.severity <= Severity::Low,
        FailOn::Any => true,
        FailOn::New => verdict.new == Some(true),
        FailOn::Never => false,
    }
}

/// The gate fails when an active finding breaches any condition; `never` overrides the rest.
/// Each finding records which conditions it breaches, so reports can say why.
pub fn evaluate_gate(findings: &mut [Finding], fail_on: &[FailOn]) -> Gate {
    let mut fail_on = if fail_on.is_empty() {
        vec![FailOn::Overdue]
    } else {
        fail_on.to_vec()
    };
    fail_on.sort();
    fail_on.dedup();
    let never = fail_on.contains(&FailOn::Never);
    let mut failing = 0;
    for finding in findings.iter_mut() {
        let verdict = &mut finding.verdict;
        // Accepted and audit findings are reported, never breaches.
        verdict.fails_gate = if never || matches!(verdict.status, Status::Ignored | Status::Audit) {
            Vec::new()
        } else {
            fail_on
                .iter()
                .copied()
                .filter(|&c| breaches(c, verdict))
                .collect()
        };
        failing += usize::from(!verdict.fails_gate.is_empty());
    }
    Gate {
        passed: failing == 0,
        fail_on,
        failing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{test_package_detection, Subject};

    fn judge(policy: &Policy, detection: Detection, start: &str, today: &str) -> Finding {
        let judgement = Judgement {
            policy,
            today: Date::parse(today).unwrap(),
            ignores: &[],
            config_file: None,
            vex: &[],
            kev: None,
            new: None,
            fail_on: &[],
        };
        let start = Some((Date::parse(start).unwrap(), ClockSource::Published));
        let (mut findings, _, _) = judgement.apply(vec![detection], vec![start]);
        findings.remove(0)
    }

    fn in_category(category: &str) -> Detection {
        let mut detection = test_package_detection("evil", "1.0.0", "f");
        if let Subject::Package(details) = &mut detection.subject {
            details.categories = vec![category.to_owned()];
        }
        detection
    }

    /// A malicious crate found today fails the default gate (`overdue`) today, not tomorrow.
    #[test]
    fn a_malicious_package_fails_the_gate_the_day_it_is_found() {
        // The kinds the preset names, as checks would declare them (the policy imports no check).
        let kinds = [
            "vulnerability",
            "unsound",
            "unmaintained",
            "notice",
            "secret",
            "code",
        ]
        .map(|name| crate::finding::FindingKind {
            name,
            check: "test",
            rule_name: "Test",
            default_tier: Severity::Medium,
            categorised: name == "vulnerability",
            gates_when_updated: false,
        });
        let policy = Policy::default_preset(&kinds);
        let finding = judge(
            &policy,
            in_category("malicious"),
            "2026-12-06",
            "2026-12-06",
        );
        assert_eq!(finding.verdict.clock.unwrap().due.to_string(), "2026-12-06");
        assert_eq!(finding.verdict.status, Status::Overdue);
        assert_eq!(finding.verdict.fails_gate, [FailOn::Overdue]);
        // Another category on its day one is far from due.
        let finding = judge(
            &policy,
            in_category("denial-of-service"),
            "2026-12-06",
            "2026-12-06",
        );
        assert_eq!(finding.verdict.status, Status::OnTrack);
    }
}
