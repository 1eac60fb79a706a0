//! The terminal report: findings grouped worst first within each file, each with where it is, how
//! it is reached and what to run, then one summary line and the gate's verdict.

use super::{Emitter, Finding, Report, Severity, Status};
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
        Severity::Info => DIM,
    }
}

impl Human {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn finding(&self, out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
        let label = match finding.status {
            Status::Ignored => self.paint(DIM, "ignored"),
            Status::Open => self.paint(severity_style(finding.severity), finding.severity.as_str()),
        };
        let subject = finding
            .package
            .as_ref()
            .map(|p| format!("{} {}", p.name, p.version))
            .unwrap_or_default();
        writeln!(
            out,
            "{label} {} {} {}",
            self.paint(BOLD, &finding.rule),
            finding.kind.as_str(),
            self.paint(BOLD, &subject)
        )?;
        writeln!(out, "  {}", finding.title)?;
        writeln!(
            out,
            "  {} {}:{}:{}",
            self.paint(DIM, "-->"),
            finding.file,
            finding.line,
            finding.column
        )?;
        if let Some(cvss) = &finding.cvss {
            writeln!(out, "  cvss:  {} ({})", cvss.score, cvss.vector)?;
        }
        if let Some(dependency) = &finding.dependency {
            let mut how = Vec::new();
            if dependency.direct {
                how.push("direct".to_owned());
            }
            if let Some(kind) = dependency.kind {
                how.push(kind.as_str().to_owned());
            }
            let how = if how.is_empty() {
                String::new()
            } else {
                format!("  ({} dependency)", how.join(", "))
            };
            writeln!(out, "  path:  {}{how}", dependency.path.join(" > "))?;
        }
        match &finding.fix {
            Some(fix) => writeln!(out, "  fix:   {}", fix.command)?,
            None if finding.patched.is_empty() => writeln!(
                out,
                "  fix:   no patched release; consider replacing the crate"
            )?,
            None => {}
        }
        if let Some(reason) = &finding.ignore_reason {
            writeln!(out, "  ignored: {reason}")?;
        }
        if !finding.aliases.is_empty() {
            writeln!(out, "  also:  {}", finding.aliases.join(", "))?;
        }
        if let Some(url) = &finding.url {
            writeln!(out, "  more:  {url}")?;
        }
        writeln!(out)
    }
}

impl Emitter for Human {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for warning in &report.warnings {
            let place = warning
                .file
                .as_ref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            writeln!(
                out,
                "{} {place}{}",
                self.paint(AnsiColor::Yellow.on_default().bold(), "warning:"),
                warning.message
            )?;
        }
        if !report.warnings.is_empty() {
            writeln!(out)?;
        }
        for finding in &report.findings {
            self.finding(out, finding)?;
        }

        let open: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .collect();
        let ignored = report.findings.len() - open.len();
        let packages: usize = report.workspaces.iter().map(|w| w.packages).sum();
        let lockfiles = report.workspaces.len();
        let mut counts = Vec::new();
        for severity in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ] {
            let n = open.iter().filter(|f| f.severity == severity).count();
            if n > 0 {
                counts.push(format!("{n} {}", severity.as_str()));
            }
        }
        let breakdown = if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        };
        let ignored = if ignored > 0 {
            format!(", {ignored} ignored")
        } else {
            String::new()
        };
        writeln!(
            out,
            "scanned {packages} packages in {lockfiles} lockfile{}{}: {} open finding{}{breakdown}{ignored}",
            if lockfiles == 1 { "" } else { "s" },
            report
                .database
                .as_ref()
                .map(|db| format!(" against {} advisories", db.advisories))
                .unwrap_or_default(),
            open.len(),
            if open.len() == 1 { "" } else { "s" },
        )?;
        let conditions: Vec<&str> = report.gate.fail_on.iter().map(|c| c.as_str()).collect();
        if report.gate.passed {
            writeln!(
                out,
                "{} (fail-on: {})",
                self.paint(AnsiColor::Green.on_default().bold(), "gate passed"),
                conditions.join(", ")
            )
        } else {
            writeln!(
                out,
                "{}: {} finding{} breach fail-on: {}",
                self.paint(AnsiColor::Red.on_default().bold(), "gate failed"),
                report.gate.failing,
                if report.gate.failing == 1 { "" } else { "s" },
                conditions.join(", ")
            )
        }
    }
}
