//! GitHub Actions workflow commands (`::error file=…,line=…::…`): findings as annotations on the
//! pull request and the run, for repositories where code scanning (and so SARIF upload) is not
//! available, such as private repositories without Advanced Security.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the rest silently, in
//! the order they were printed. So the most urgent findings go first, at most
//! [`PER_LEVEL`] per level are printed, and a last notice says how many were left out and where
//! to find them, instead of letting GitHub lose them without a word. With `--new-since`, what the
//! change brings in goes first in each level, then notices of what it fixes.

use super::{deadline, plural, Emitter, Report};
use crate::finding::{Finding, Severity, Status};
use std::io::{self, Write};

/// Annotations GitHub shows per level (error, warning, notice) in one step.
pub const PER_LEVEL: usize = 10;

pub struct Github;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Findings that break the gate are errors; overdue or due-soon findings the gate lets through
/// are warnings; on-track ones are notices. Ignored findings are accepted risk and audit findings
/// are inventory (in the SARIF upload and the JSON): neither gets an annotation, so they never
/// crowd out what has a due date.
fn level(finding: &Finding) -> Option<Level> {
    let v = &finding.verdict;
    if !v.fails_gate.is_empty() {
        return Some(Level::Error);
    }
    match v.status {
        Status::Overdue | Status::DueSoon => Some(Level::Warning),
        Status::OnTrack => Some(Level::Notice),
        Status::Ignored | Status::Audit => None,
    }
}

/// Escapes a command's message, as the runner reads it back: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // Other control characters (ANSI escapes from a file name) are shown, not sent.
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`): the message escapes, plus `:` and `,`, which
/// would otherwise end the property list or the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

struct Annotation {
    level: Level,
    /// Within a level: new findings, then what the change fixed, then the rest, then warnings.
    group: u8,
    /// Sorts the most urgent first within a level: tier, then days left.
    urgency: (Severity, i64),
    /// The rule, so one rule's many findings do not take every slot of a level; `None` for a
    /// scan warning, which comes after every finding of its level.
    rule: Option<String>,
    properties: Vec<(&'static str, String)>,
    message: String,
}

fn finding_annotation(finding: &Finding, report: &Report, level: Level) -> Annotation {
    let (d, v) = (&finding.detection, &finding.verdict);
    let mut properties = vec![("file", format!("{}{}", report.repository_prefix, d.file))];
    if d.line > 0 {
        properties.push(("line", d.line.to_string()));
        if d.column > 0 {
            properties.push(("col", d.column.to_string()));
            if d.end_column > d.column {
                properties.push(("endColumn", d.end_column.to_string()));
            }
        }
    }
    let new = if v.new == Some(true) { "new: " } else { "" };
    let exploited = if v.known_exploited.as_ref().is_some_and(|k| k.listed()) {
        "known exploited: "
    } else {
        ""
    };
    properties.push((
        "title",
        format!(
            "{new}{exploited}{} ({}): {}",
            d.rule,
            v.severity.as_str(),
            d.title
        ),
    ));
    let what = if d.is_dependency() {
        d.subject()
    } else {
        d.description.clone()
    };
    let mut message = format!("{what}: {}", deadline(finding));
    if !v.fails_gate.is_empty() {
        let why: Vec<&str> = v.fails_gate.iter().map(|c| c.as_str()).collect();
        message.push_str(&format!("; breaches fail-on {}", why.join(", ")));
    }
    if let Some(step) = d.next_step() {
        message.push_str("\nfix: ");
        message.push_str(step);
    }
    if let Some(url) = d.advisory().and_then(|a| a.url.as_ref()) {
        message.push_str("\nmore: ");
        message.push_str(url);
    }
    Annotation {
        level,
        group: if v.new == Some(true) { 0 } else { 2 },
        rule: Some(d.rule.clone()),
        urgency: (v.severity, v.clock.map_or(i64::MAX, |c| c.days_left)),
        properties,
        message,
    }
}

fn write_annotation(out: &mut dyn Write, annotation: &Annotation) -> io::Result<()> {
    let properties: Vec<String> = annotation
        .properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    writeln!(
        out,
        "::{} {}::{}",
        annotation.level.command(),
        properties.join(","),
        escape_data(&annotation.message)
    )
}

impl Emitter for Github {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut annotations: Vec<Annotation> = report
            .findings
            .iter()
            .filter_map(|finding| {
                level(finding).map(|level| finding_annotation(finding, report, level))
            })
            .collect();
        // What the change fixed: one notice each, without a line (the line is the base's).
        annotations.extend(
            report
                .comparison
                .iter()
                .flat_map(|c| &c.fixed)
                .map(|fixed| {
                    let d = &fixed.detection;
                    Annotation {
                        level: Level::Notice,
                        group: 1,
                        rule: Some(d.rule.clone()),
                        urgency: (fixed.severity, i64::MAX),
                        properties: vec![
                            ("file", format!("{}{}", report.repository_prefix, d.file)),
                            (
                                "title",
                                format!("fixed here: {} ({})", d.rule, fixed.severity.as_str()),
                            ),
                        ],
                        message: format!("{}: {}", d.subject(), d.title),
                    }
                }),
        );
        // Scan warnings (a stale database, an unreadable file) are annotations too, after the
        // findings of the same level so they never push a finding out.
        annotations.extend(report.warnings.iter().map(|warning| {
            Annotation {
                level: Level::Warning,
                group: 3,
                rule: None,
                urgency: (Severity::Low, i64::MAX),
                properties: warning
                    .file
                    .iter()
                    .map(|file| ("file", format!("{}{file}", report.repository_prefix)))
                    .chain([("title", format!("cargo-warden: {}", warning.code))])
                    .collect(),
                message: warning.message.clone(),
            }
        }));
        // Within a level: the more severe tier, then the fewest days left, and one of each rule
        // before a second of any, so a rule with many findings cannot take every slot.
        annotations.sort_by_key(|a| (a.level, a.group, a.urgency));
        let mut seen: Vec<(Level, &str, usize)> = Vec::new();
        let mut ranks = Vec::with_capacity(annotations.len());
        for annotation in &annotations {
            let Some(rule) = annotation.rule.as_deref() else {
                ranks.push(usize::MAX);
                continue;
            };
            let rank = match seen
                .iter_mut()
                .find(|(level, r, _)| *level == annotation.level && *r == rule)
            {
                Some(entry) => {
                    entry.2 += 1;
                    entry.2
                }
                None => {
                    seen.push((annotation.level, rule, 0));
                    0
                }
            };
            ranks.push(rank);
        }
        let mut ranked: Vec<(usize, Annotation)> = ranks.into_iter().zip(annotations).collect();
        ranked.sort_by_key(|(rank, a)| (a.level, a.group, *rank, a.urgency));
        let annotations: Vec<Annotation> = ranked.into_iter().map(|(_, a)| a).collect();

        let mut per_level = [0usize; 3];
        for annotation in &annotations {
            per_level[annotation.level as usize] += 1;
        }
        let over_limit = per_level.iter().any(|&count| count > PER_LEVEL);
        let total = annotations.len();
        let mut shown = [0usize; 3];
        let mut left_out = 0usize;
        for annotation in &annotations {
            let slot = annotation.level as usize;
            // When anything is left out, the last notice slot says so.
            let limit = if over_limit && annotation.level == Level::Notice {
                PER_LEVEL - 1
            } else {
                PER_LEVEL
            };
            if shown[slot] < limit {
                write_annotation(out, annotation)?;
                shown[slot] += 1;
            } else {
                left_out += 1;
            }
        }
        if left_out > 0 {
            writeln!(
                out,
                "::notice title=cargo-warden::{}",
                escape_data(&format!(
                    "{} of {total} annotations shown; GitHub shows {PER_LEVEL} per level in a step, so {} left out (most urgent shown first). See the job summary, the SARIF upload or the JSON report for all of them.",
                    total - left_out,
                    if left_out == 1 { "1 was".to_owned() } else { format!("{left_out} were") },
                ))
            )?;
        }
        let conditions: Vec<&str> = report.gate.fail_on.iter().map(|c| c.as_str()).collect();
        if report.gate.passed {
            writeln!(
                out,
                "cargo-warden: gate passed (fail-on: {}), {}",
                conditions.join(", "),
                plural(report.findings.len(), "finding")
            )
        } else {
            writeln!(
                out,
                "cargo-warden: gate failed: {} breach fail-on {}",
                plural(report.gate.failing, "finding"),
                conditions.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("src/a,b:c%.rs\n"), "src/a%2Cb%3Ac%25.rs%0A");
    }

    #[test]
    fn escaping_percent_first_does_not_double_escape() {
        // `%3A` in the input must come back as the three characters `%3A`, not `:`.
        assert_eq!(escape_property("%3A"), "%253A");
    }
}
