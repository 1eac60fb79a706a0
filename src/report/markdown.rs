//! A markdown report for GitHub's job summary (`$GITHUB_STEP_SUMMARY`) and for pull-request
//! comments: the verdict, counts, then one table per urgency (overdue, due soon, on track) with
//! what to fix by when, and the policy that set the dates. With `--new-since`, what the change
//! brings in comes first, then what it fixes, then what was already there.
//!
//! GitHub caps a step summary at 1 MiB and renders large tables slowly, so each table shows at
//! most [`ROWS_PER_TABLE`] rows, most urgent first, and says how many more the full reports hold.

use super::{plural, Emitter, Report};
use crate::finding::{Detection, Finding, Status, Verdict};
use crate::policy::BaseComparison;
use std::io::{self, Write};

/// Rows per table before the rest is summarised in one line.
pub const ROWS_PER_TABLE: usize = 100;

pub struct Markdown;

const TABLES: [(Status, &str); 3] = [
    (Status::Overdue, "Overdue"),
    (Status::DueSoon, "Due soon"),
    (Status::OnTrack, "On track"),
];

/// Text safe inside a table cell: no line breaks, no cell separators, and no raw HTML outside
/// the text's own code spans (inside them `<` is literal already, and an entity would show).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '\r' => {}
            c if c.is_control() && c != '\n' => out.push_str(&c.escape_unicode().to_string()),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Inline code that survives backticks in the text (CommonMark: a longer fence, padded). Inside
/// code `<` is literal already; only the table's `|` and line breaks need care.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\r', '\n'], " ");
    let text = super::printable(&text).into_owned();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

fn rule_cell(d: &Detection) -> String {
    match d.advisory().and_then(|a| a.url.as_ref()) {
        Some(url) => format!("[{}]({}) {}", cell(&d.rule), url, cell(&d.title)),
        None => format!("{} {}", code(&d.rule), cell(&d.title)),
    }
}

fn subject_cell(d: &Detection, report: &Report) -> String {
    if d.is_dependency() {
        format!(
            "{} ({})",
            code(&d.subject()),
            cell(&format!("{}{}", report.repository_prefix, d.file))
        )
    } else {
        code(&format!(
            "{}{}:{}",
            report.repository_prefix, d.file, d.line
        ))
    }
}

/// The tier, in bold when the finding fails the gate.
fn severity_cell(v: &Verdict) -> String {
    let severity = if v.fails_gate.is_empty() {
        v.severity.as_str().to_owned()
    } else {
        format!("**{}**", v.severity.as_str())
    };
    if v.known_exploited.as_ref().is_some_and(|k| k.listed()) {
        format!("{severity} (known exploited)")
    } else {
        severity
    }
}

fn fix_cell(finding: &Finding) -> String {
    let d = &finding.detection;
    match (d.advisory().and_then(|a| a.fix.as_ref()), d.next_step()) {
        (Some(fix), _) => code(&fix.command),
        (None, Some(step)) => cell(first_sentence(step)),
        (None, None) => String::new(),
    }
}

/// A remediation's first sentence (outside code spans): the action, without the explanation,
/// which the SARIF help and `cargo warden explain` carry in full.
fn first_sentence(text: &str) -> &str {
    let mut in_code = false;
    for (at, c) in text.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code && text[at + 1..].starts_with(' ') => {
                return &text[..at + 1];
            }
            _ => {}
        }
    }
    text
}

/// New findings (most urgent first), then what the change fixed; the status tables after them
/// hold what was already at the base.
fn write_comparison(
    out: &mut dyn Write,
    report: &Report,
    comparison: &BaseComparison,
) -> io::Result<()> {
    let mut new: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.verdict.new == Some(true) && f.verdict.status != Status::Audit)
        .collect();
    let active = new
        .iter()
        .filter(|f| f.verdict.status != Status::Ignored)
        .count();
    new.sort_by_key(|f| {
        (
            f.verdict.fails_gate.is_empty(),
            f.verdict.status,
            f.verdict.severity,
        )
    });
    let base = comparison.commit.get(..12).unwrap_or(&comparison.commit);
    writeln!(
        out,
        "Compared with {} (merge base {}): {active} new and active, {} fixed here.",
        code(&comparison.reference),
        code(base),
        comparison.fixed.len()
    )?;
    writeln!(out)?;
    if !new.is_empty() {
        writeln!(out, "### New in this change ({})", new.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| Package or file | Rule | Severity | Status | Due | Fix |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for finding in new.iter().take(ROWS_PER_TABLE) {
            let v = &finding.verdict;
            let severity = severity_cell(v);
            let due = v.clock.map_or("none".to_owned(), |c| c.due.to_string());
            writeln!(
                out,
                "| {} | {} | {severity} | {} | {due} | {} |",
                subject_cell(&finding.detection, report),
                rule_cell(&finding.detection),
                v.status.as_str(),
                fix_cell(finding)
            )?;
        }
        if new.len() > ROWS_PER_TABLE {
            writeln!(out)?;
            writeln!(
                out,
                "{} more not shown here; the SARIF and JSON reports list every finding.",
                new.len() - ROWS_PER_TABLE
            )?;
        }
        writeln!(out)?;
    }
    if !comparison.fixed.is_empty() {
        writeln!(out, "### Fixed here ({})", comparison.fixed.len())?;
        writeln!(out)?;
        writeln!(out, "| Package or file | Rule | Severity |")?;
        writeln!(out, "|---|---|---|")?;
        for fixed in comparison.fixed.iter().take(ROWS_PER_TABLE) {
            writeln!(
                out,
                "| {} | {} | {} |",
                subject_cell(&fixed.detection, report),
                rule_cell(&fixed.detection),
                fixed.severity.as_str()
            )?;
        }
        if comparison.fixed.len() > ROWS_PER_TABLE {
            writeln!(out)?;
            writeln!(
                out,
                "{} more not shown here; the JSON report lists every one.",
                comparison.fixed.len() - ROWS_PER_TABLE
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

impl Emitter for Markdown {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let conditions: Vec<&str> = report.gate.fail_on.iter().map(|c| c.as_str()).collect();
        if report.gate.passed {
            writeln!(out, "## cargo-warden: gate passed")?;
            writeln!(out)?;
            writeln!(
                out,
                "No finding breaches fail-on {}.",
                code(&conditions.join(", "))
            )?;
        } else {
            writeln!(out, "## cargo-warden: gate failed")?;
            writeln!(out)?;
            writeln!(
                out,
                "**{} breach fail-on {}.**",
                plural(report.gate.failing, "finding"),
                code(&conditions.join(", "))
            )?;
        }
        writeln!(out)?;

        let count = |status: Status| {
            report
                .findings
                .iter()
                .filter(|f| f.verdict.status == status)
                .count()
        };
        writeln!(out, "| Overdue | Due soon | On track | Ignored | Total |")?;
        writeln!(out, "|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            count(Status::Overdue),
            count(Status::DueSoon),
            count(Status::OnTrack),
            count(Status::Ignored),
            report.findings.len()
        )?;
        writeln!(out)?;
        let audit = count(Status::Audit);
        if audit > 0 {
            let mut rules: Vec<(&str, usize)> = Vec::new();
            for finding in report
                .findings
                .iter()
                .filter(|f| f.verdict.status == Status::Audit)
            {
                let rule = finding.detection.rule.as_str();
                match rules.iter_mut().find(|(r, _)| *r == rule) {
                    Some(entry) => entry.1 += 1,
                    None => rules.push((rule, 1)),
                }
            }
            rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let by_rule: Vec<String> = rules
                .iter()
                .map(|(rule, n)| format!("{} {n}", code(rule)))
                .collect();
            writeln!(
                out,
                "Also {} for review (inventory: no due date, never fails the gate): {}.",
                plural(audit, "audit finding"),
                by_rule.join(", ")
            )?;
            writeln!(out)?;
        }

        if let Some(comparison) = &report.comparison {
            write_comparison(out, report, comparison)?;
        }
        for (status, heading) in TABLES {
            let mut group: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.verdict.status == status && f.verdict.new != Some(true))
                .collect();
            if group.is_empty() {
                continue;
            }
            group.sort_by_key(|f| {
                (
                    f.verdict.fails_gate.is_empty(),
                    f.verdict.severity,
                    f.verdict.clock.map(|c| c.days_left),
                )
            });
            writeln!(out, "### {heading} ({})", group.len())?;
            writeln!(out)?;
            writeln!(
                out,
                "| Package or file | Rule | Severity | Due | Days left | Fix |"
            )?;
            writeln!(out, "|---|---|---|---|---:|---|")?;
            for finding in group.iter().take(ROWS_PER_TABLE) {
                let v = &finding.verdict;
                let severity = severity_cell(v);
                let (due, days_left) = match v.clock {
                    Some(clock) => (clock.due.to_string(), clock.days_left.to_string()),
                    None => ("none".to_owned(), String::new()),
                };
                writeln!(
                    out,
                    "| {} | {} | {severity} | {due} | {days_left} | {} |",
                    subject_cell(&finding.detection, report),
                    rule_cell(&finding.detection),
                    fix_cell(finding)
                )?;
            }
            if group.len() > ROWS_PER_TABLE {
                writeln!(out)?;
                writeln!(
                    out,
                    "{} more not shown here; the SARIF and JSON reports list every finding.",
                    group.len() - ROWS_PER_TABLE
                )?;
            }
            writeln!(out)?;
        }

        let tables = report.sections.iter().filter_map(|s| s.table.as_ref());
        for table in tables.filter(|table| !table.rows.is_empty()) {
            writeln!(out, "### {} ({})", cell(&table.title), table.rows.len())?;
            writeln!(out)?;
            writeln!(
                out,
                "| {} |",
                table
                    .header
                    .iter()
                    .map(|h| cell(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )?;
            writeln!(out, "|{}", "---|".repeat(table.header.len()))?;
            for row in &table.rows {
                writeln!(
                    out,
                    "| {} |",
                    row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                )?;
            }
            if let Some(note) = &table.note {
                writeln!(out)?;
                writeln!(out, "{}.", cell(note))?;
            }
            writeln!(out)?;
        }

        if !report.warnings.is_empty() {
            writeln!(out, "### Warnings")?;
            writeln!(out)?;
            for warning in &report.warnings {
                match &warning.file {
                    Some(file) => writeln!(
                        out,
                        "- {}: {}",
                        code(&format!("{}{file}", report.repository_prefix)),
                        cell(&warning.message)
                    )?,
                    None => writeln!(out, "- {}", cell(&warning.message))?,
                }
            }
            writeln!(out)?;
        }

        let policy = &report.policy.policy;
        writeln!(out, "### Policy")?;
        writeln!(out)?;
        let title = match &policy.url {
            Some(url) => format!("[{}]({url})", cell(&policy.title)),
            None => cell(&policy.title),
        };
        writeln!(
            out,
            "{title} ({}): {} days, clock {}, due soon within {}, measured on {}.",
            code(&policy.name),
            policy.days.as_str(),
            code(report.policy.clock.name()),
            plural(policy.due_soon as usize, "day"),
            report.today
        )?;
        writeln!(out)?;
        writeln!(out, "| Severity | CVSS from | Fix within |")?;
        writeln!(out, "|---|---:|---:|")?;
        for tier in &policy.tiers {
            writeln!(
                out,
                "| {} | {:.1} | {} |",
                tier.severity.as_str(),
                tier.min_cvss,
                plural(tier.days as usize, "day")
            )?;
        }
        writeln!(out)?;
        let mut rules = Vec::new();
        for (kind, days) in &policy.time_frames {
            rules.push(format!(
                "{kind} findings within {}",
                plural(*days as usize, "day")
            ));
        }
        if !policy.due_now.is_empty() {
            let categories: Vec<String> = policy.due_now.iter().map(|c| code(c)).collect();
            rules.push(format!(
                "{} advisories due the day they are found",
                categories.join(", ")
            ));
        }
        if !rules.is_empty() {
            writeln!(out, "Also: {}.", rules.join("; "))?;
            writeln!(out)?;
        }
        if let Some(line) = super::known_exploited_line(report) {
            writeln!(out, "{}.", cell(&super::capitalized(&line)))?;
            writeln!(out)?;
        }
        writeln!(
            out,
            "<sub>{} {} · checks: {}</sub>",
            report.tool.name,
            report.tool.version,
            report.checks().join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_tables_intact() {
        assert_eq!(cell("a|b\r\nc <d>"), "a\\|b c &lt;d&gt;");
        assert_eq!(cell("if `i < n` <b>"), "if `i < n` &lt;b&gt;");
    }

    #[test]
    fn fix_cells_keep_the_first_sentence_only() {
        assert_eq!(
            first_sentence("Use `a.b()`; or `c`. Then more. And more."),
            "Use `a.b()`; or `c`."
        );
        assert_eq!(first_sentence("One line"), "One line");
    }

    #[test]
    fn code_spans_fence_around_backticks() {
        assert_eq!(code("cargo update"), "`cargo update`");
        assert_eq!(code("use `x`"), "`` use `x` ``");
        assert_eq!(code("a|b <c>"), "`a\\|b <c>`");
    }
}
