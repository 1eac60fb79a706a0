//! SARIF rule descriptors: for source rules, from the rule's documentation the report carries
//! (the same text as `cargo warden explain`); for advisories, from the advisory's data, with the
//! policy's time frames in the help either way.

use super::{properties, security_severity, text, tier_name};
use crate::finding::{Class, Finding, PackageDetails, RuleDoc, Subject};
use crate::report::Report;
use serde_json::Value;
use serde_sarif::sarif::{MultiformatMessageString, ReportingDescriptor};
use std::collections::BTreeMap;

/// The descriptor of a finding's rule, described from the first (in report order) finding of it:
/// from the rule's documentation when its check documents its rules, else (advisories, whose
/// rules are data read at scan time) from the advisory.
pub(super) fn descriptor_for(finding: &Finding, report: &Report) -> ReportingDescriptor {
    let doc = report
        .rules
        .iter()
        .find(|doc| doc.id == finding.detection.rule);
    match (&finding.detection.subject, doc) {
        (Subject::Source(details), doc) => documented_rule(finding, &details.cwe, doc, report),
        (Subject::Package(_), Some(doc)) => documented_rule(finding, &doc.cwe, Some(doc), report),
        (Subject::Package(details), None) => advisory_rule(finding, details, report),
    }
}

/// A rule described from its entry in `rules/`: the same text as `cargo warden explain`.
fn documented_rule(
    finding: &Finding,
    cwe: &[String],
    doc: Option<&RuleDoc>,
    report: &Report,
) -> ReportingDescriptor {
    let d = &finding.detection;
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
        cwe.iter()
            .map(|cwe| format!("external/cwe/{}", cwe.to_ascii_lowercase())),
    );
    let mut values = BTreeMap::new();
    // Without a security severity, code scanning shows an audit rule's alerts by their level
    // (note) instead of ranking inventory among the vulnerabilities. A rule with any weakness
    // result (a test-code finding first in report order must not decide) keeps its severity.
    let weakness = report
        .findings
        .iter()
        .find(|f| f.detection.rule == d.rule && f.detection.class == Class::Weakness);
    if let Some(weakness) = weakness {
        values.insert(
            "security-severity".to_owned(),
            Value::String(security_severity(weakness)),
        );
    } else {
        tags.push("audit".to_owned());
    }
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
        .name(d.kind.rule_name)
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
fn advisory_rule(
    finding: &Finding,
    advisory: &PackageDetails,
    report: &Report,
) -> ReportingDescriptor {
    let d = &finding.detection;
    let a = advisory;
    let package = a.package.name.as_str();
    let patched = if a.patched.is_empty() {
        "none".to_owned()
    } else {
        a.patched.join(", ")
    };
    let unaffected = if a.unaffected.is_empty() {
        "none".to_owned()
    } else {
        a.unaffected.join(", ")
    };
    let fix = match &a.fix {
        Some(fix) => fix.command.clone(),
        None if a.patched.is_empty() => "no patched release: replace the crate".to_owned(),
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
    let references: Vec<&String> = a.url.iter().chain(&a.references).collect();
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
        if a.aliases.is_empty() { "none".to_owned() } else { a.aliases.join(", ") },
    );
    if !references.is_empty() {
        help_markdown.push_str("\n**References**\n\n");
        for reference in &references {
            help_markdown.push_str(&format!("- <{reference}>\n"));
        }
    }
    let mut tags = vec!["security".to_owned(), d.kind.as_str().to_owned()];
    tags.extend(a.categories.iter().cloned());
    let mut values = BTreeMap::new();
    values.insert(
        "security-severity".to_owned(),
        Value::String(security_severity(finding)),
    );
    values.insert(
        "precision".to_owned(),
        Value::String("very-high".to_owned()),
    );
    if let Some(cvss) = &a.cvss {
        values.insert("cvss".to_owned(), Value::String(cvss.vector.clone()));
    }
    let mut rule = descriptor(finding, full, (help_text, help_markdown), tags, values);
    rule.help_uri = a.url.clone();
    rule
}
