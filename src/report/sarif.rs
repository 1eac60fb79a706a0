//! SARIF 2.1.0 for GitHub code scanning and other dashboards.
//!
//! Shaped by what GitHub does with it: one run per check, each with its own category
//! (`automationDetails.id`), since GitHub rejects uploads whose runs share one; rules with `help`
//! and a `security-severity`, so alerts show our policy's tier; a first message sentence that
//! carries the due date, because that sentence is the alert's title; no ignored findings, because
//! GitHub shows SARIF suppressions as open alerts; and nothing that changes between identical runs
//! (no timestamps, no absolute paths), so re-uploads do not churn alerts.

use super::{Emitter, Finding, FindingKind, Report, Severity, Status};
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

/// The checks that get a run of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunCheck {
    Advisories,
    Secrets,
    Code,
}

/// Warnings the source walk raises; the rest are about dependencies and advisory data.
const SOURCE_WARNINGS: &[&str] = &[
    "skipped-large-file",
    "unparsable-source",
    "unreadable-file",
    "unreadable-path",
    "scan-failed",
];

impl RunCheck {
    fn category(self) -> &'static str {
        match self {
            RunCheck::Advisories => "cargo-warden/advisories/",
            RunCheck::Secrets => "cargo-warden/secrets/",
            RunCheck::Code => "cargo-warden/code/",
        }
    }

    fn owns(self, finding: &Finding) -> bool {
        match self {
            RunCheck::Advisories => finding.detection.kind.is_dependency(),
            RunCheck::Secrets => finding.detection.kind == FindingKind::Secret,
            RunCheck::Code => finding.detection.kind == FindingKind::Code,
        }
    }

    /// Source-walk warnings go to the first source run (secrets, or code when it runs alone).
    fn owns_warning(self, code: &str, first_source_run: RunCheck) -> bool {
        if SOURCE_WARNINGS.contains(&code) {
            self == first_source_run
        } else {
            self == RunCheck::Advisories
        }
    }
}

/// The runs a report gets: one per check that ran (a report always has at least one run).
fn checks_run(report: &Report) -> Vec<RunCheck> {
    let mut checks = Vec::new();
    if report.checks.contains(&"advisories") || report.checks.is_empty() {
        checks.push(RunCheck::Advisories);
    }
    if report.checks.contains(&"secrets") {
        checks.push(RunCheck::Secrets);
    }
    if report.checks.contains(&"code") {
        checks.push(RunCheck::Code);
    }
    checks
}

fn first_source_run(report: &Report) -> RunCheck {
    if report.checks.contains(&"secrets") {
        RunCheck::Secrets
    } else {
        RunCheck::Code
    }
}

impl Emitter for Sarif {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let runs: Vec<Run> = checks_run(report)
            .into_iter()
            .map(|check| check_run(report, check, MAX_RESULTS_PER_RUN))
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
    match &finding.detection.cvss {
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
    if v.status == Status::Overdue || v.severity <= Severity::High {
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
        .cvss
        .as_ref()
        .map(|c| format!(", CVSS {:.1}", c.score))
        .unwrap_or_default();
    let days = report.policy.policy.tier(v.severity).days;
    let unit = match report.policy.policy.days {
        crate::policy::DayCount::Calendar => "days",
        crate::policy::DayCount::Business => "business days",
    };
    let when = if v.status == Status::Overdue {
        format!("OVERDUE since {}", v.due)
    } else {
        format!("fix by {}", v.due)
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
    let what = if d.secret.is_some() {
        &d.description
    } else {
        &d.title
    };
    text.push_str(what.trim_end_matches('.'));
    text.push('.');
    if let Some(dependency) = &d.dependency {
        text.push_str(&format!(
            " Reached through {}.",
            dependency.path.join(" > ")
        ));
    }
    match (&d.fix, &d.remediation) {
        (Some(fix), _) => text.push_str(&format!(" Fix: {}.", fix.command)),
        (None, Some(remediation)) => {
            text.push_str(&format!(" Fix: {}", remediation.trim_end_matches('.')));
            text.push('.');
        }
        (None, None) if d.patched.is_empty() => {
            text.push_str(" No patched release: replace the crate.")
        }
        (None, None) => {}
    }
    text
}

/// A source rule, described from its entry in `rules/`: the same text as `cargo warden explain`.
fn source_rule(finding: &Finding, report: &Report) -> ReportingDescriptor {
    let d = &finding.detection;
    let doc = crate::rules::all()
        .ok()
        .and_then(|docs| docs.into_iter().find(|doc| doc.id == d.rule));
    let (policy_plain, policy_markdown) = policy_table(report);
    let (description, help_markdown, help_text) = match doc {
        Some(doc) => (
            doc.description.clone(),
            format!("{}\n{policy_markdown}", doc.markdown()),
            format!(
                "{} Remediation: {} {policy_plain}.",
                doc.description, doc.remediation
            ),
        ),
        None => (
            d.title.clone(),
            format!("{}\n\n{policy_markdown}", d.title),
            format!("{}. {policy_plain}.", d.title),
        ),
    };
    let mut tags = vec!["security".to_owned(), d.kind.as_str().to_owned()];
    tags.extend(
        d.cwe
            .iter()
            .map(|cwe| format!("external/cwe/{}", cwe.to_ascii_lowercase())),
    );
    let mut values = BTreeMap::new();
    values.insert(
        "security-severity".to_owned(),
        Value::String(security_severity(finding)),
    );
    values.insert("precision".to_owned(), Value::String("high".to_owned()));
    descriptor(
        finding,
        description,
        (help_text, help_markdown),
        tags,
        values,
    )
}

/// A rule as GitHub shows it: id, name, descriptions, help and properties.
fn descriptor(
    finding: &Finding,
    full_description: String,
    (help_text, help_markdown): (String, String),
    tags: Vec<String>,
    values: BTreeMap<String, Value>,
) -> ReportingDescriptor {
    let d = &finding.detection;
    ReportingDescriptor::builder()
        .id(d.rule.clone())
        .name(rule_name(d.kind))
        .short_description(text(d.title.clone()))
        .full_description(text(full_description))
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_markdown)
                .build(),
        )
        .properties(properties(tags, values))
        .build()
}

/// The policy's time frames, for rule help.
fn policy_table(report: &Report) -> (String, String) {
    let policy = &report.policy.policy;
    let unit = policy.days.as_str();
    let mut plain = format!("Policy {} ({unit} days):", policy.name);
    let mut markdown = format!(
        "**Remediation time frames** ({}, {unit} days):\n\n| Severity | CVSS | Fix within |\n|---|---|---|\n",
        policy.title
    );
    for tier in &policy.tiers {
        plain.push_str(&format!(
            " {} (CVSS >= {:.1}) {} days;",
            tier.severity.as_str(),
            tier.min_cvss,
            tier.days
        ));
        markdown.push_str(&format!(
            "| {} | >= {:.1} | {} days |\n",
            tier_name(tier.severity),
            tier.min_cvss,
            tier.days
        ));
    }
    (plain.trim_end_matches(';').to_owned(), markdown)
}

/// One rule per advisory, described from its first (in report order) finding.
fn advisory_rule(finding: &Finding, report: &Report) -> ReportingDescriptor {
    let d = &finding.detection;
    let package = d.package.as_ref().map(|p| p.name.as_str()).unwrap_or("");
    let patched = if d.patched.is_empty() {
        "none".to_owned()
    } else {
        d.patched.join(", ")
    };
    let unaffected = if d.unaffected.is_empty() {
        "none".to_owned()
    } else {
        d.unaffected.join(", ")
    };
    let fix = match &d.fix {
        Some(fix) => fix.command.clone(),
        None if d.patched.is_empty() => "no patched release: replace the crate".to_owned(),
        None => format!("upgrade {package} to a patched version ({patched})"),
    };
    let description = d.description.trim();
    let first_paragraph = description.split("\n\n").next().unwrap_or("").trim();
    let full = if first_paragraph.is_empty() {
        d.title.clone()
    } else {
        first_paragraph.replace('\n', " ")
    };
    let (policy_plain, policy_markdown) = policy_table(report);
    let references: Vec<&String> = d.url.iter().chain(&d.references).collect();
    let help_text = format!(
        "{} ({} in `{package}`). Patched: {patched}. Unaffected: {unaffected}. Fix: {fix}. {policy_plain}. References: {}",
        d.title,
        d.kind.as_str(),
        references
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut help_markdown = format!(
        "## {}\n\n{}\n\n| | |\n|---|---|\n| Package | `{package}` |\n| Kind | {} |\n| Patched | {} |\n| Unaffected | {} |\n| Aliases | {} |\n\n**Fix:** `{fix}`\n\n{policy_markdown}",
        d.title,
        if description.is_empty() { d.title.as_str() } else { description },
        d.kind.as_str(),
        patched.replace('|', "\\|"),
        unaffected.replace('|', "\\|"),
        if d.aliases.is_empty() { "none".to_owned() } else { d.aliases.join(", ") },
    );
    if !references.is_empty() {
        help_markdown.push_str("\n**References**\n\n");
        for reference in &references {
            help_markdown.push_str(&format!("- <{reference}>\n"));
        }
    }
    let mut tags = vec!["security".to_owned(), d.kind.as_str().to_owned()];
    tags.extend(d.categories.iter().cloned());
    let mut values = BTreeMap::new();
    values.insert(
        "security-severity".to_owned(),
        Value::String(security_severity(finding)),
    );
    values.insert(
        "precision".to_owned(),
        Value::String("very-high".to_owned()),
    );
    if let Some(cvss) = &d.cvss {
        values.insert("cvss".to_owned(), Value::String(cvss.vector.clone()));
    }
    let mut rule = descriptor(finding, full, (help_text, help_markdown), tags, values);
    rule.help_uri = d.url.clone();
    rule
}

fn rule_name(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Vulnerability => "VulnerableDependency",
        FindingKind::Unmaintained => "UnmaintainedDependency",
        FindingKind::Unsound => "UnsoundDependency",
        FindingKind::Notice => "DependencyNotice",
        FindingKind::Secret => "HardcodedSecret",
        FindingKind::Code => "InsecureCode",
    }
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

/// A stable identity for GitHub to track an alert across commits: advisory, package, version and
/// lockfile, hashed; for a secret, the finding's own fingerprint (rule, file and the secret's
/// hash), which survives the line moving.
fn partial_fingerprint(finding: &Finding) -> String {
    let d = &finding.detection;
    if d.secret.is_some() {
        return d.fingerprint.clone();
    }
    let (name, version) = d
        .package
        .as_ref()
        .map_or(("", ""), |p| (p.name.as_str(), p.version.as_str()));
    super::fingerprint(&["sarif", d.kind.as_str(), &d.rule, name, version, &d.file])
}

fn advisory_result(finding: &Finding, rule_index: usize, report: &Report) -> s::Result {
    let (d, v) = (&finding.detection, &finding.verdict);
    let mut values = BTreeMap::new();
    values.insert("severity".to_owned(), json!(v.severity.as_str()));
    values.insert(
        "cvss".to_owned(),
        d.cvss.as_ref().map_or(Value::Null, |c| json!(c.vector)),
    );
    values.insert("clock_start".to_owned(), json!(v.clock_start.to_string()));
    values.insert("clock_source".to_owned(), json!(v.clock_source.as_str()));
    values.insert("due".to_owned(), json!(v.due.to_string()));
    values.insert("days_left".to_owned(), json!(v.days_left));
    values.insert("status".to_owned(), json!(v.status.as_str()));
    values.insert("policy".to_owned(), json!(report.policy.policy.name));
    if let Some(dependency) = &d.dependency {
        values.insert(
            "dependency_path".to_owned(),
            json!(dependency.path.join(" > ")),
        );
    }
    if let Some(secret) = &d.secret {
        values.insert("redacted".to_owned(), json!(secret.redacted));
        values.insert("context".to_owned(), json!(secret.context));
        values.insert("in_test".to_owned(), json!(secret.in_test));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("cargoWarden/v1".to_owned(), partial_fingerprint(finding));
    let related: Vec<Location> = d
        .declared_at
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
        .locations(vec![location(
            &format!("{}{}", report.repository_prefix, d.file),
            d.line,
            d.column,
            d.end_column,
        )])
        .partial_fingerprints(fingerprints)
        .provenance(
            ResultProvenance::builder()
                .first_detection_time_utc(format!("{}T00:00:00Z", v.clock_start))
                .build(),
        )
        .properties(properties(Vec::new(), values));
    if related.is_empty() {
        result.build()
    } else {
        result.related_locations(related).build()
    }
}

/// One check's run. Beyond `limit` results the most urgent are kept (overdue first, then by tier
/// and days left) and a notification says how many were left out.
fn check_run(report: &Report, check: RunCheck, limit: usize) -> Run {
    let mut reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.verdict.status != Status::Ignored && check.owns(f))
        .collect();
    let mut notifications: Vec<Notification> = report
        .warnings
        .iter()
        .filter(|w| check.owns_warning(w.code, first_source_run(report)))
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
        reported.sort_by_key(|f| (f.verdict.status, f.verdict.severity, f.verdict.days_left));
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

    let mut rule_ids: Vec<&str> = reported.iter().map(|f| f.detection.rule.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<ReportingDescriptor> = rule_ids
        .iter()
        .map(|id| {
            let first = reported
                .iter()
                .find(|f| f.detection.rule == *id)
                .expect("every rule id comes from a reported finding");
            match check {
                RunCheck::Advisories => advisory_rule(first, report),
                RunCheck::Secrets | RunCheck::Code => source_rule(first, report),
            }
        })
        .collect();
    let results: Vec<s::Result> = reported
        .iter()
        .map(|finding| {
            let index = rule_ids
                .binary_search(&finding.detection.rule.as_str())
                .unwrap_or_default();
            advisory_result(finding, index, report)
        })
        .collect();

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
    // Which advisory data the run used and how old it was, so a dashboard can tell a clean run
    // from a run against a stale database.
    let mut run_values = BTreeMap::new();
    let advisory_sources: Vec<Value> = report
        .database
        .iter()
        .map(|db| ("rustsec", db))
        .chain(report.osv.iter().map(|db| ("osv", db)))
        .map(|(kind, db)| {
            json!({
                "kind": kind,
                "path": db.path,
                "advisories": db.advisories,
                "updated": db.updated.map(|d| d.to_string()),
                "age_days": db.age_days,
            })
        })
        .collect();
    match check {
        RunCheck::Advisories => {
            run_values.insert("advisory_data".to_owned(), Value::Array(advisory_sources));
        }
        RunCheck::Secrets => {
            if let Some(sources) = &report.sources {
                run_values.insert("files_scanned".to_owned(), json!(sources));
            }
        }
        RunCheck::Code => {
            if let Some(sources) = &report.sources {
                run_values.insert("files_scanned".to_owned(), json!(sources));
            }
            if let Some(inventory) = &report.unsafe_inventory {
                run_values.insert("unsafe_inventory".to_owned(), json!(inventory));
            }
        }
    }
    run_values.insert("policy".to_owned(), json!(report.policy.policy.name));
    run_values.insert("today".to_owned(), json!(report.today.to_string()));
    Run::builder()
        .properties(properties(Vec::new(), run_values))
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id(check.category()).build())
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
        let run = serde_json::to_value(check_run(&report, RunCheck::Advisories, 2)).unwrap();
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
