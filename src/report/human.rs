//! The terminal report: what is overdue first, then what is due soon, then the rest, each finding
//! with where it is, when it is due, how it is reached and what to run; then one summary line and
//! the gate's verdict with the findings that broke it.

use super::{deadline, plural, printable, Emitter, Report};
use crate::finding::{Finding, Severity, Status};
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

pub struct Human {
    /// Emit ANSI styles. The CLI decides (terminal, `--color`, `NO_COLOR`).
    pub color: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
    }
}

const GROUPS: [(Status, &str); 4] = [
    (Status::Overdue, "overdue"),
    (Status::DueSoon, "due soon"),
    (Status::OnTrack, "on track"),
    (Status::Ignored, "ignored"),
];

impl Human {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn finding<'r>(
        &self,
        out: &mut dyn Write,
        finding: &'r Finding,
        explained: &mut Vec<&'r str>,
    ) -> io::Result<()> {
        let (d, v) = (&finding.detection, &finding.verdict);
        if v.new == Some(true) {
            write!(
                out,
                "{} ",
                self.paint(AnsiColor::Magenta.on_default().bold(), "new")
            )?;
        }
        writeln!(
            out,
            "{} {} {} {}",
            self.paint(severity_style(v.severity), v.severity.as_str()),
            self.paint(BOLD, &d.rule),
            d.kind.as_str(),
            self.paint(BOLD, &printable(&d.subject()))
        )?;
        if d.is_dependency() {
            writeln!(out, "  {}", printable(&d.title))?;
        } else {
            // Source findings: the title plus what was found (the redacted secret and where it
            // sits, or the offending call).
            writeln!(out, "  {}", printable(&d.description))?;
        }
        let clock = v.clock.map_or_else(String::new, |c| {
            format!("clock started {} ({})", c.start, c.source.as_str())
        });
        match v.status {
            Status::Ignored => writeln!(
                out,
                "  {} {}{}; would be {}",
                self.paint(DIM, "ignored:"),
                printable(v.exception.as_ref().map_or("", |e| e.reason.as_str())),
                v.exception
                    .as_ref()
                    .map_or(String::new(), |e| format!(" ({})", printable(&e.source))),
                deadline(finding)
            )?,
            Status::Overdue => writeln!(
                out,
                "  {}, {clock}",
                self.paint(AnsiColor::Red.on_default().bold(), &deadline(finding))
            )?,
            Status::DueSoon => writeln!(
                out,
                "  {}, {clock}",
                self.paint(AnsiColor::Yellow.on_default().bold(), &deadline(finding))
            )?,
            Status::OnTrack => writeln!(out, "  {}, {clock}", deadline(finding))?,
            // Not reached from `emit` (audit findings are counted by rule, not listed); kept so
            // the match stays exhaustive.
            Status::Audit => writeln!(out, "  {}", deadline(finding))?,
        }
        writeln!(
            out,
            "  {} {}:{}:{}",
            self.paint(DIM, "-->"),
            printable(&d.file),
            d.line,
            d.column
        )?;
        let advisory = d.advisory();
        if let Some(cvss) = d.cvss() {
            writeln!(out, "  cvss:  {} ({})", cvss.score, cvss.vector)?;
        }
        if let Some(label) = v.known_exploited.as_ref().and_then(|k| k.label()) {
            writeln!(
                out,
                "  kev:   {}",
                self.paint(AnsiColor::Red.on_default().bold(), &label)
            )?;
        }
        if let Some(span) = advisory.and_then(|a| a.declared_at.as_ref()) {
            writeln!(
                out,
                "  from:  {}:{} ({})",
                printable(&span.file),
                span.line,
                printable(&span.message)
            )?;
        }
        if let Some(dependency) = advisory.and_then(|a| a.dependency.as_ref()) {
            let mut how = Vec::new();
            if dependency.direct {
                how.push("direct");
            }
            if let Some(kind) = dependency.kind {
                how.push(kind.as_str());
            }
            let how = if how.is_empty() {
                String::new()
            } else {
                format!("  ({} dependency)", how.join(", "))
            };
            writeln!(out, "  path:  {}{how}", dependency.path.join(" > "))?;
        }
        if let Some(step) = d.next_step() {
            if d.is_dependency() || !explained.contains(&d.rule.as_str()) {
                writeln!(out, "  fix:   {step}")?;
                if !d.is_dependency() {
                    explained.push(&d.rule);
                }
            } else {
                writeln!(out, "  fix:   as for the first {} finding above", d.rule)?;
            }
        }
        if !d.aliases().is_empty() {
            writeln!(out, "  also:  {}", d.aliases().join(", "))?;
        }
        if let Some(url) = advisory.and_then(|a| a.url.as_ref()) {
            writeln!(out, "  more:  {url}")?;
        }
        writeln!(out)
    }
}

/// Audit findings per rule, most first: (rule, title, count).
fn audit_counts(report: &Report) -> Vec<(&str, &str, usize)> {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for finding in report
        .findings
        .iter()
        .filter(|f| f.verdict.status == Status::Audit)
    {
        let d = &finding.detection;
        match counts.iter_mut().find(|(rule, _, _)| *rule == d.rule) {
            Some(entry) => entry.2 += 1,
            None => counts.push((&d.rule, &d.title, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    counts
}

impl Emitter for Human {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Warnings go to stderr (the CLI writes them for every format), not into the report.

        let mut counts = Vec::new();
        // Source rules whose remediation was printed: later findings of the rule point back.
        let mut explained: Vec<&str> = Vec::new();
        for (status, heading) in GROUPS {
            // Within a group: what breaks the gate first, then the more severe tier, then the
            // fewest days left.
            let mut group: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.verdict.status == status)
                .collect();
            group.sort_by_key(|f| {
                (
                    f.verdict.fails_gate.is_empty(),
                    f.verdict.severity,
                    f.verdict.clock.map(|c| c.days_left),
                )
            });
            if group.is_empty() {
                continue;
            }
            counts.push(format!("{} {heading}", group.len()));
            writeln!(
                out,
                "{}",
                self.paint(BOLD, &format!("== {heading} ({})", group.len()))
            )?;
            writeln!(out)?;
            for finding in group {
                self.finding(out, finding, &mut explained)?;
            }
        }

        let audit = audit_counts(report);
        if !audit.is_empty() {
            let total: usize = audit.iter().map(|(_, _, n)| n).sum();
            counts.push(format!("{total} audit"));
            writeln!(
                out,
                "{}",
                self.paint(
                    BOLD,
                    &format!("== audit ({total}): for review, no due date")
                )
            )?;
            writeln!(out)?;
            let width = audit
                .iter()
                .map(|(rule, _, _)| rule.len())
                .max()
                .unwrap_or(0);
            for (rule, title, n) in &audit {
                writeln!(out, "  {rule:<width$}  {n:>5}  {title}")?;
            }
            writeln!(out)?;
            let audited = || {
                report
                    .findings
                    .iter()
                    .filter(|f| f.verdict.status == Status::Audit)
            };
            let mut hint = "  every location is in the JSON and SARIF reports".to_owned();
            if audited().any(|f| f.detection.kind.check == "code") {
                hint.push_str("; to give a code rule due dates, set `class = \"weakness\"` under `[code.rules.<id>]` in warden.toml");
            }
            if audited().any(|f| f.detection.kind.gates_when_updated) {
                hint.push_str("; with --new-since, a dependency update that adds a capability gets a due date");
            }
            writeln!(out, "{hint}")?;
            writeln!(out)?;
        }

        if let Some(comparison) = &report.comparison {
            let base = comparison.commit.get(..12).unwrap_or(&comparison.commit);
            let new = report
                .findings
                .iter()
                .filter(|f| {
                    f.verdict.new == Some(true)
                        && !matches!(f.verdict.status, Status::Audit | Status::Ignored)
                })
                .count();
            if !comparison.fixed.is_empty() {
                writeln!(
                    out,
                    "{}",
                    self.paint(BOLD, &format!("== fixed here ({})", comparison.fixed.len()))
                )?;
                writeln!(out)?;
                for fixed in &comparison.fixed {
                    let d = &fixed.detection;
                    let place = if d.is_dependency() {
                        format!("{} ({})", d.subject(), d.file)
                    } else {
                        d.subject()
                    };
                    writeln!(
                        out,
                        "  {} {} {}: {}",
                        self.paint(AnsiColor::Green.on_default(), fixed.severity.as_str()),
                        self.paint(BOLD, &d.rule),
                        printable(&place),
                        printable(&d.title)
                    )?;
                }
                writeln!(out)?;
            }
            writeln!(
                out,
                "compared with {} (merge base {base}): {new} new and active, {} fixed here",
                printable(&comparison.reference),
                comparison.fixed.len()
            )?;
        }
        let breakdown = if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        };
        let scanned: Vec<&str> = report
            .sections
            .iter()
            .filter_map(|section| section.scanned.as_deref())
            .collect();
        writeln!(
            out,
            "scanned {}: {}{breakdown}",
            scanned.join(" and "),
            plural(report.findings.len(), "finding"),
        )?;
        if let Some(line) = super::known_exploited_line(report) {
            writeln!(out, "{line}")?;
        }
        let inventory = report.sections.iter().flat_map(|s| &s.inventory);
        let inputs = report.sections.iter().flat_map(|s| &s.inputs);
        for line in inventory.chain(inputs) {
            writeln!(out, "{line}")?;
        }
        for table in report.sections.iter().filter_map(|s| s.table.as_ref()) {
            write_table(out, table)?;
        }
        writeln!(
            out,
            "policy {} ({} days), clock {}{}, today {}",
            report.policy.policy.name,
            report.policy.policy.days.as_str(),
            report.policy.clock.name(),
            // Only the introduced clock reads the adoption date.
            if report.policy.clock == crate::policy::ClockKind::Introduced {
                format!(" (adopted {})", report.policy.since)
            } else {
                String::new()
            },
            report.today
        )?;
        let conditions: Vec<&str> = report.gate.fail_on.iter().map(|c| c.as_str()).collect();
        if report.gate.passed {
            return writeln!(
                out,
                "{} (fail-on: {})",
                self.paint(AnsiColor::Green.on_default().bold(), "gate passed"),
                conditions.join(", ")
            );
        }
        writeln!(
            out,
            "{}: {} breach fail-on {}:",
            self.paint(AnsiColor::Red.on_default().bold(), "gate failed"),
            plural(report.gate.failing, "finding"),
            conditions.join(", ")
        )?;
        for finding in report
            .findings
            .iter()
            .filter(|f| !f.verdict.fails_gate.is_empty())
        {
            let why: Vec<&str> = finding
                .verdict
                .fails_gate
                .iter()
                .map(|c| c.as_str())
                .collect();
            writeln!(
                out,
                "  {} {}: {}, {}; breaches {}",
                finding.detection.rule,
                finding.detection.subject(),
                finding.verdict.severity.as_str(),
                deadline(finding),
                why.join(", ")
            )?;
        }
        Ok(())
    }
}

/// A section's table with aligned columns (widths in characters), the note under it.
fn write_table(out: &mut dyn Write, table: &super::SectionTable) -> io::Result<()> {
    if table.rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}:", table.title)?;
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
    for row in &table.rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("  {}", padded.join("  ").trim_end())
    };
    writeln!(out, "{}", line(&table.header))?;
    for row in &table.rows {
        writeln!(out, "{}", super::printable(&line(row)))?;
    }
    if let Some(note) = &table.note {
        writeln!(out, "  {note}")?;
    }
    Ok(())
}
