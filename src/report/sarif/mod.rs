//! SARIF 2.1.0 for GitHub code scanning and other dashboards.
//!
//! Shaped by what GitHub does with it: one run per check, each with its own category
//! (`automationDetails.id`), since GitHub rejects uploads whose runs share one; rules with `help`
//! and a `security-severity`, so alerts show our policy's tier; a first message sentence that
//! carries the due date, because that sentence is the alert's title; no ignored findings, because
//! GitHub shows SARIF suppressions as open alerts; and nothing that changes between identical runs
//! (no timestamps, no absolute paths), so re-uploads do not churn alerts. With `--new-since`,
//! results carry `baselineState` (`new`, `unchanged`) and what the change fixed is written as
//! `absent` results of kind `pass`; GitHub reads neither field, so the action drops the absent
//! ones before uploading.

mod rules;

use super::{Emitter, Report, Role, Section};
use crate::finding::{fingerprint, Detection, Finding, Severity, Status, Subject, Verdict};
use serde_json::{json, Value};
use serde_sarif::sarif::{
    self as s, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingDescriptor, ResultLevel,
    ResultProvenance, Run, RunAutomationDetails, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io;

/// GitHub keeps at most this many results per run.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;

const INFORMATION_URI: &str = "https://github.com/cargo-warden/cargo-warden";
const SRCROOT: &str = "%SRCROOT%";

pub struct Sarif;

/// The runs a report gets: one per check that ran, in the registry's order; a report always has
/// at least one run, the first check's.
fn runs(report: &Report) -> Vec<&Section> {
    let checks = report
        .sections
        .iter()
        .filter(|section| section.check_name().is_some());
    let ran: Vec<&Section> = checks.clone().filter(|s| s.role.selected()).collect();
    if ran.is_empty() {
        checks.take(1).collect()
    } else {
        ran
    }
}

/// Which warnings a run shows: the source walk's go to the first check that read source files;
/// the rest (advisory data, lockfiles, settings) to the first check of the registry.
fn owns_warning(report: &Report, run: &Section, source_walk: bool) -> bool {
    if source_walk {
        let first_source_run = report.sections.iter().find(|s| {
            s.role
                == Role::Check {
                    selected: true,
                    reads_source_files: true,
                }
        });
        first_source_run.is_some_and(|first| first.name == run.name)
    } else {
        let home = report.sections.iter().find(|s| s.check_name().is_some());
        home.is_some_and(|home| home.name == run.name)
    }
}

impl Emitter for Sarif {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let runs: Vec<Run> = runs(report)
            .into_iter()
            .map(|run| check_run(report, run, MAX_RESULTS_PER_RUN))
            .collect();
        let log = s::Sarif::builder()
            .schema(s::SCHEMA_URL)
            .version(json!("2.1.0"))
            .runs(runs)
            .build();
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

fn text(value: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(value.into())
        .build()
}

fn message(value: impl Into<String>) -> Message {
    Message::builder().text(value.into()).build()
}

fn properties(tags: Vec<String>, values: BTreeMap<String, Value>) -> PropertyBag {
    let bag = PropertyBag::builder().additional_properties(values);
    if tags.is_empty() {
        bag.build()
    } else {
        bag.tags(tags).build()
    }
}

/// Capitalised tier name for messages, as GitHub shows severities.
fn tier_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// GitHub maps `security-severity` to its own bands (9.0 and up critical, 7.0 high, 4.0 medium,
/// above 0 low). Scored findings carry their CVSS score; unscored ones a score in the middle of
/// the band of their policy tier, so GitHub shows the tier the policy gave them.
fn security_severity(finding: &Finding) -> String {
    let known_exploited = finding
        .verdict
        .known_exploited
        .as_ref()
        .is_some_and(|k| k.listed());
    match finding.detection.cvss() {
        // Exploited in the wild: GitHub's critical band, whatever the score says.
        Some(cvss) if known_exploited => format!("{:.1}", cvss.score.max(9.0)),
        Some(cvss) => format!("{:.1}", cvss.score),
        None => match finding.verdict.severity {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
        }
        .to_owned(),
    }
}

fn level(finding: &Finding) -> ResultLevel {
    let v = &finding.verdict;
    if v.status == Status::Audit {
        // Inventory for review: a note whatever the rule's tier.
        ResultLevel::Note
    } else if v.status == Status::Overdue || v.severity <= Severity::High {
        ResultLevel::Error
    } else if v.severity == Severity::Medium {
        ResultLevel::Warning
    } else {
        ResultLevel::Note
    }
}

/// `h2 0.3.1: RUSTSEC-2024-0003 (High, CVSS 7.5) - fix by 2026-12-20 (28 days, policy
/// atlassian-cloud).` GitHub titles the alert with this first sentence.
fn headline(finding: &Finding, report: &Report) -> String {
    let (d, v) = (&finding.detection, &finding.verdict);
    let score = d
        .cvss()
        .map(|c| format!(", CVSS {:.1}", c.score))
        .unwrap_or_default();
    let Some(clock) = v.clock else {
        return format!(
            "{}: {} (audit) - for review, no due date (policy {}).",
            d.subject(),
            d.rule,
            report.policy.policy.name
        );
    };
    // The window this finding got: its tier's, or fewer for a known exploited or `due-now` one, or
    // its kind's time frame. Business-day policies count their tier's business days.
    let (days, unit) = match report.policy.policy.days {
        crate::policy::DayCount::Calendar => (clock.due.days_since(clock.start).max(0), "days"),
        crate::policy::DayCount::Business => (
            i64::from(report.policy.policy.tier(v.severity).days),
            "business days",
        ),
    };
    let when = if v.status == Status::Overdue {
        format!("OVERDUE since {}", clock.due)
    } else {
        format!("fix by {}", clock.due)
    };
    format!(
        "{}: {} ({}{score}) - {when} ({days} {unit}, policy {}).",
        d.subject(),
        d.rule,
        tier_name(v.severity),
        report.policy.policy.name
    )
}

fn result_message(finding: &Finding, report: &Report) -> String {
    let d = &finding.detection;
    let mut text = headline(finding, report);
    text.push(' ');
    // A secret's description adds the redacted value and where it sits to the title.
    let what = if d.secret().is_some() {
        &d.description
    } else {
        &d.title
    };
    text.push_str(what.trim_end_matches('.'));
    text.push('.');
    if let Some(label) = finding
        .verdict
        .known_exploited
        .as_ref()
        .and_then(|k| k.label())
    {
        text.push_str(&format!(" {}.", super::capitalized(&label)));
    }
    match &d.subject {
        Subject::Package(advisory) => {
            if let Some(dependency) = &advisory.dependency {
                text.push_str(&format!(
                    " Reached through {}.",
                    dependency.path.join(" > ")
                ));
            }
            match (&advisory.fix, &advisory.remediation) {
                (Some(fix), _) => text.push_str(&format!(" Fix: {}.", fix.command)),
                (None, Some(remediation)) => {
                    text.push_str(&format!(" Fix: {}.", remediation.trim_end_matches('.')))
                }
                (None, None) if advisory.patched.is_empty() => {
                    text.push_str(" No patched release: replace the crate.")
                }
                (None, None) => {}
            }
        }
        Subject::Source(source) => {
            text.push_str(&format!(
                " Fix: {}",
                source.remediation.trim_end_matches('.')
            ));
            text.push('.');
        }
    }
    text
}

fn location(file: &str, line: usize, column: usize, end_column: usize) -> Location {
    let region = Region::builder()
        .start_line(line.max(1) as i64)
        .start_column(column.max(1) as i64)
        .end_line(line.max(1) as i64)
        .end_column(end_column.max(column + 1) as i64)
        .build();
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(file.to_owned())
                        .uri_base_id(SRCROOT)
                        .build(),
                )
                .region(region)
                .build(),
        )
        .build()
}

/// One finding's identity for code scanning, which merges alerts that share it. A source finding's
/// own fingerprint (rule, file, the matched line's text or the secret's hash, and its position
/// among repeats) survives unrelated lines moving; a package finding's adds the version and
/// source, so bumping to a fixed release closes the alert and two entries of one name never
/// merge.
fn partial_fingerprint(finding: &Finding) -> String {
    let d = &finding.detection;
    match d.package() {
        None => d.fingerprint.clone(),
        Some(p) => fingerprint(&[
            "sarif",
            d.kind.as_str(),
            &d.rule,
            &p.name,
            &p.version,
            p.source.as_deref().unwrap_or(""),
            &d.file,
        ]),
    }
}

/// Where a finding points, relative to the repository root.
fn primary_location(d: &Detection, report: &Report) -> Location {
    location(
        &format!("{}{}", report.repository_prefix, d.file),
        d.line,
        d.column,
        d.end_column,
    )
}

fn advisory_result(finding: &Finding, rule_index: usize, report: &Report) -> s::Result {
    let (d, v) = (&finding.detection, &finding.verdict);
    let mut values = BTreeMap::new();
    values.insert("severity".to_owned(), json!(v.severity.as_str()));
    values.insert(
        "cvss".to_owned(),
        d.cvss().map_or(Value::Null, |c| json!(c.vector)),
    );
    values.insert(
        "clock_start".to_owned(),
        json!(v.clock.map(|c| c.start.to_string())),
    );
    values.insert(
        "clock_source".to_owned(),
        json!(v.clock.map(|c| c.source.as_str())),
    );
    values.insert("due".to_owned(), json!(v.clock.map(|c| c.due.to_string())));
    values.insert("days_left".to_owned(), json!(v.clock.map(|c| c.days_left)));
    values.insert("status".to_owned(), json!(v.status.as_str()));
    values.insert("policy".to_owned(), json!(report.policy.policy.name));
    let mut tags = Vec::new();
    if let Some(known) = &v.known_exploited {
        values.insert("known_exploited".to_owned(), json!(known));
        if known.listed() {
            tags.push("known-exploited".to_owned());
        }
    }
    let advisory = d.advisory();
    if let Some(dependency) = advisory.and_then(|a| a.dependency.as_ref()) {
        values.insert(
            "dependency_path".to_owned(),
            json!(dependency.path.join(" > ")),
        );
    }
    if let Some(secret) = d.secret() {
        values.insert("redacted".to_owned(), json!(secret.redacted));
        values.insert("context".to_owned(), json!(secret.context));
        values.insert("in_test".to_owned(), json!(secret.in_test));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("cargoWarden/v1".to_owned(), partial_fingerprint(finding));
    let related: Vec<Location> = advisory
        .and_then(|a| a.declared_at.as_ref())
        .iter()
        .map(|span| {
            let mut related = location(
                &format!("{}{}", report.repository_prefix, span.file),
                span.line,
                span.column,
                span.end_column,
            );
            related.id = Some(1);
            related.message = Some(message(span.message.clone()));
            related
        })
        .collect();
    let result = s::Result::builder()
        .rule_id(d.rule.clone())
        .rule_index(rule_index as i64)
        .level(level(finding))
        .message(message(result_message(finding, report)))
        .locations(vec![primary_location(d, report)])
        .partial_fingerprints(fingerprints)
        .properties(properties(tags, values));
    let mut result = if related.is_empty() {
        result.build()
    } else {
        result.related_locations(related).build()
    };
    if let Some(new) = v.new {
        result.baseline_state = Some(json!(if new { "new" } else { "unchanged" }));
    }
    if let Some(clock) = v.clock {
        result.provenance = Some(
            ResultProvenance::builder()
                .first_detection_time_utc(format!("{}T00:00:00Z", clock.start))
                .build(),
        );
    }
    result
}

/// A finding of the `--new-since` base that this change removed: `absent`, and a `pass`, so a
/// viewer that reads `kind` does not show it as a problem.
fn absent_result(finding: &Finding, rule_index: usize, report: &Report) -> s::Result {
    let d = &finding.detection;
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("cargoWarden/v1".to_owned(), partial_fingerprint(finding));
    let base = report
        .comparison
        .as_ref()
        .map_or("", |c| c.commit.get(..12).unwrap_or(&c.commit));
    let mut values = BTreeMap::new();
    values.insert(
        "severity".to_owned(),
        json!(finding.verdict.severity.as_str()),
    );
    values.insert("status".to_owned(), json!("fixed"));
    let mut result = s::Result::builder()
        .rule_id(d.rule.clone())
        .rule_index(rule_index as i64)
        .level(ResultLevel::None)
        .message(message(format!(
            "Fixed here: {} ({}) was present at the base {base} and is gone now.",
            d.title,
            d.subject()
        )))
        .locations(vec![primary_location(d, report)])
        .partial_fingerprints(fingerprints)
        .properties(properties(Vec::new(), values))
        .build();
    result.kind = Some(s::ResultKind::Pass);
    result.baseline_state = Some(json!("absent"));
    result
}

/// One check's run. Beyond `limit` results the most urgent are kept (overdue first, then by tier
/// and days left) and a notification says how many were left out.
fn check_run(report: &Report, run: &Section, limit: usize) -> Run {
    let mut reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.verdict.status != Status::Ignored && f.detection.kind.check == run.name)
        .collect();
    let mut notifications: Vec<Notification> = report
        .warnings
        .iter()
        .filter(|w| owns_warning(report, run, w.source_walk))
        .map(|w| {
            let text = match &w.file {
                Some(file) => format!("{file}: {}", w.message),
                None => w.message.clone(),
            };
            Notification::builder()
                .message(message(text))
                .level(json!("warning"))
                .build()
        })
        .collect();
    if reported.len() > limit {
        let dropped = reported.len() - limit;
        reported.sort_by_key(|f| {
            (
                f.verdict.status,
                f.verdict.severity,
                f.verdict.clock.map(|c| c.days_left),
            )
        });
        reported.truncate(limit);
        reported.sort_by(|a, b| {
            (&a.detection.file, a.detection.line, &a.detection.rule).cmp(&(
                &b.detection.file,
                b.detection.line,
                &b.detection.rule,
            ))
        });
        notifications.push(
            Notification::builder()
                .message(message(format!(
                    "{dropped} less urgent results were left out: GitHub keeps at most {limit} results per run; see the JSON report for all of them"
                )))
                .level(json!("warning"))
                .build(),
        );
    }

    // What this change fixed, as `absent` results: a fixed finding has no status or clock now;
    // its rule descriptor reads only its detection and tier.
    let fixed: Vec<Finding> = report
        .comparison
        .iter()
        .flat_map(|c| &c.fixed)
        .filter(|f| f.detection.kind.check == run.name)
        .map(|f| Finding {
            detection: f.detection.clone(),
            verdict: Verdict {
                severity: f.severity,
                clock: None,
                status: Status::OnTrack,
                exception: None,
                new: None,
                known_exploited: None,
                fails_gate: Vec::new(),
            },
        })
        .collect();
    let mut rule_ids: Vec<&str> = reported
        .iter()
        .copied()
        .chain(&fixed)
        .map(|f| f.detection.rule.as_str())
        .collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<ReportingDescriptor> = rule_ids
        .iter()
        .map(|id| {
            let first = reported
                .iter()
                .copied()
                .chain(&fixed)
                .find(|f| f.detection.rule == *id)
                .expect("every rule id comes from a reported or fixed finding");
            rules::descriptor_for(first, report)
        })
        .collect();
    let rule_index = |finding: &Finding| {
        rule_ids
            .binary_search(&finding.detection.rule.as_str())
            .unwrap_or_default()
    };
    let mut results: Vec<s::Result> = reported
        .iter()
        .map(|finding| advisory_result(finding, rule_index(finding), report))
        .collect();
    results.extend(
        fixed
            .iter()
            .map(|finding| absent_result(finding, rule_index(finding), report)),
    );

    let driver = ToolComponent::builder()
        .name(report.tool.name)
        .version(report.tool.version)
        .semantic_version(report.tool.version)
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    let mut base_ids = BTreeMap::new();
    base_ids.insert(
        SRCROOT.to_owned(),
        ArtifactLocation::builder()
            .description(message("The root of the repository that was scanned."))
            .build(),
    );
    // What the check read (the advisory data and its age, the files scanned), so a dashboard
    // can tell a clean run from a run against a stale database or an empty tree.
    let mut run_values = run.sarif.clone();
    if run.reads_source_files() {
        for walk in report
            .sections
            .iter()
            .filter(|s| s.role == Role::SourceWalk)
        {
            run_values.extend(walk.sarif.clone());
        }
    }
    run_values.insert("policy".to_owned(), json!(report.policy.policy.name));
    run_values.insert("today".to_owned(), json!(report.today.to_string()));
    Run::builder()
        .properties(properties(Vec::new(), run_values))
        .tool(Tool::builder().driver(driver).build())
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("cargo-warden/{}/", run.name))
                .build(),
        )
        .original_uri_base_ids(base_ids)
        .invocations(vec![invocation])
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::policy::ClockKind;
    use std::path::Path;

    #[test]
    fn beyond_the_limit_the_most_urgent_results_stay() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut options = crate::ScanOptions::new(
            root.join("fixtures/demo"),
            root.join("fixtures/advisory-db"),
            Date::parse("2020-12-01").unwrap(),
        );
        options.cargo_metadata = false;
        options.clock = ClockKind::Published;
        let report = crate::scan(&options).unwrap();
        let advisories = report.section("advisories").unwrap();
        let run = serde_json::to_value(check_run(&report, advisories, 2)).unwrap();
        let kept: Vec<&str> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        // smallvec is overdue; chrono is the on-track finding due soonest.
        assert_eq!(kept, ["RUSTSEC-2020-0159", "RUSTSEC-2019-0009"]);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert!(notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("4 less urgent results were left out")));
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
    }
}
