//! The report a scan returns, and the emitters that turn it into bytes.
//!
//! A report carries everything its formats show: the findings with their verdicts, the gate, the
//! policy, the rules' documentation, and one [`Section`] per check saying what it read (and, for a
//! check that did not run, what its absence looks like). Emitters only format what is here: they
//! never decide, filter by policy, call back into the checks or read settings, so every format and
//! the exit code agree.

mod cyclonedx;
mod github;
mod human;
mod json;
mod markdown;
mod openvex;
mod purl;
mod sarif;

use crate::date::Date;
use crate::finding::{Finding, Gate, RuleDoc, Warning};
use crate::policy::{AdoptionSource, BaseComparison, ClockKind, KevSummary, Policy};
pub use crate::workspace::{GraphSource, WorkspaceSummary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;

pub use cyclonedx::CycloneDx;
pub use github::Github;
pub use human::Human;
pub use json::Json;
pub use markdown::Markdown;
pub use openvex::OpenVex;
pub use purl::purl;
pub use sarif::Sarif;

/// Version of the JSON report layout. Fields are added, never renamed; a rename bumps this.
pub const REPORT_VERSION: u32 = 1;

pub struct Report {
    pub version: u32,
    pub tool: Tool,
    /// The date due dates are measured against (`--today`, or the system clock).
    pub today: Date,
    pub policy: PolicySummary,
    /// Where the scanned root sits in its git repository (`services/api/`, or empty at the top or
    /// outside git). SARIF locations are relative to the repository root, as GitHub reads them.
    pub repository_prefix: String,
    /// The scanned directory's name, which names the workspace in an SBOM with several members.
    pub root_name: String,
    /// The lockfiles read (for the checks that read them).
    pub workspaces: Vec<WorkspaceSummary>,
    /// One per registered check, in the registry's order, with the walk over source files just
    /// before the first check that reads them.
    pub sections: Vec<Section>,
    pub findings: Vec<Finding>,
    /// With `--new-since`: the base compared with and what this change fixed.
    pub comparison: Option<BaseComparison>,
    /// The Known Exploited Vulnerabilities catalog the findings were looked up in (`--kev`).
    pub known_exploited_catalog: Option<KevSummary>,
    pub warnings: Vec<Warning>,
    pub gate: Gate,
    /// The documentation of the rules of the checks that ran: SARIF rule help comes from here.
    pub rules: Vec<RuleDoc>,
}

impl Report {
    /// The checks that were asked for, in the registry's order: `advisories`, `secrets`, `code`.
    pub fn checks(&self) -> Vec<&'static str> {
        self.sections
            .iter()
            .filter(|section| section.role.selected())
            .filter_map(|section| section.check_name())
            .collect()
    }

    /// The section of a check or of the source walk, by name.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|section| section.name == name)
    }
}

/// A value a section adds to the JSON report, typed by the check that made it.
pub type JsonValue = Box<dyn erased_serde::Serialize + Send + Sync>;

/// What one check (or the shared walk over source files) adds to the report besides findings.
pub struct Section {
    /// The check's name, or [`SOURCE_WALK`].
    pub name: &'static str,
    pub role: Role,
    /// Fields of the JSON report's top level, in order (present whether the check ran or not, so
    /// the JSON layout does not depend on `--checks`).
    pub json: Vec<(&'static str, JsonValue)>,
    /// What was read, for the human report's summary line ("815 packages in 1 lockfile").
    pub scanned: Option<String>,
    /// Lines after the summary about what was found besides findings (an unsafe inventory).
    pub inventory: Vec<String>,
    /// Lines about the data the check used (advisory databases and their age).
    pub inputs: Vec<String>,
    /// A table for the human and markdown reports (the supply-chain check's crates).
    pub table: Option<SectionTable>,
    /// Locked packages (name, version) whose own source the check read. A `--new-since` base
    /// vouches that an update added a finding only for a package version it read.
    pub read_packages: Vec<(String, String)>,
    /// Properties of the check's SARIF run (for the source walk: of every source check's run).
    pub sarif: BTreeMap<String, serde_json::Value>,
}

/// Rows a section shows as a table in the human and markdown reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionTable {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// What the table leaves out, in one line.
    pub note: Option<String>,
}

/// The name of the shared walk's section.
pub const SOURCE_WALK: &str = "sources";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A registered check, and whether the scan was asked to run it.
    Check {
        selected: bool,
        /// It reads the workspace's own files (its SARIF run carries the walk's figures and the
        /// walk's warnings).
        reads_source_files: bool,
    },
    /// The walk over source files that the source checks share.
    SourceWalk,
}

impl Role {
    pub fn selected(self) -> bool {
        match self {
            Role::Check { selected, .. } => selected,
            Role::SourceWalk => true,
        }
    }
}

impl Section {
    /// A check's section with nothing to add.
    pub fn empty(name: &'static str, role: Role) -> Section {
        Section {
            name,
            role,
            json: Vec::new(),
            scanned: None,
            inventory: Vec::new(),
            inputs: Vec::new(),
            table: None,
            read_packages: Vec::new(),
            sarif: BTreeMap::new(),
        }
    }

    pub fn check_name(&self) -> Option<&'static str> {
        matches!(self.role, Role::Check { .. }).then_some(self.name)
    }

    fn reads_source_files(&self) -> bool {
        matches!(
            self.role,
            Role::Check {
                reads_source_files: true,
                ..
            }
        )
    }
}

impl std::fmt::Debug for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("role", &self.role)
            .field(
                "json",
                &self.json.iter().map(|(key, _)| *key).collect::<Vec<_>>(),
            )
            .field("scanned", &self.scanned)
            .field("inventory", &self.inventory)
            .field("inputs", &self.inputs)
            .field("sarif", &self.sarif)
            .finish()
    }
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("today", &self.today)
            .field("sections", &self.sections)
            .field("findings", &self.findings.len())
            .field("warnings", &self.warnings)
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn current() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The policy applied, with the clock that was asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicySummary {
    #[serde(flatten)]
    pub policy: Policy,
    pub clock: ClockKind,
    /// The adoption date: no source finding's clock starts before it.
    pub since: Date,
    /// Where it came from: `since` (the settings), `settings-committed`, or `today` (none
    /// recorded).
    pub since_source: AdoptionSource,
}

/// `1 day`, `3 days`: counts in messages.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "OVERDUE by 12 days (due 2026-11-10)", "due in 5 days (2026-11-27)", "due today (...)"; for
/// audit findings, "audit: no due date".
pub(crate) fn deadline(finding: &Finding) -> String {
    let Some(clock) = finding.verdict.clock else {
        return "audit: no due date".to_owned();
    };
    match clock.days_left {
        d if d < 0 => format!(
            "OVERDUE by {} (due {})",
            plural(d.unsigned_abs() as usize, "day"),
            clock.due
        ),
        0 => format!("due today ({})", clock.due),
        d => format!("due in {} ({})", plural(d as usize, "day"), clock.due),
    }
}

/// "known exploited: 1 finding listed in CISA's KEV catalog (kev.json, version 2026.11.20); 3
/// advisories have no CVE alias, so the catalog cannot say": for the human and markdown summaries,
/// when a catalog was given. Only active dependency findings count.
pub(crate) fn known_exploited_line(report: &Report) -> Option<String> {
    let catalog = report.known_exploited_catalog.as_ref()?;
    let mut listed = 0;
    let mut no_cve = 0;
    for finding in report
        .findings
        .iter()
        .filter(|f| f.verdict.exception.is_none())
    {
        match &finding.verdict.known_exploited {
            Some(k) if k.listed() => listed += 1,
            Some(crate::finding::KnownExploited::NoCveAlias) => no_cve += 1,
            _ => {}
        }
    }
    let version = catalog
        .catalog_version
        .as_deref()
        .map_or(String::new(), |v| format!(", version {v}"));
    let unknown = match no_cve {
        0 => String::new(),
        n => format!(
            "; {} no CVE alias, so the catalog cannot say whether {} exploited",
            if n == 1 {
                "1 advisory has".to_owned()
            } else {
                format!("{n} advisories have")
            },
            if n == 1 { "it is" } else { "they are" }
        ),
    };
    Some(format!(
        "known exploited: {} listed in CISA's KEV catalog ({}{version}){unknown}",
        plural(listed, "finding"),
        printable(&catalog.file)
    ))
}

/// The text with its first letter upper-case, for a message line that starts a sentence.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Turns a finished report into bytes. Emitters format; they never filter, decide or exit.
pub trait Emitter {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The report formats the CLI can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
    OpenVex,
    CycloneDx,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::OpenVex,
        Format::CycloneDx,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::OpenVex => "openvex",
            Format::CycloneDx => "cyclonedx",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Format::Human => "for people at a terminal",
            Format::Json => "the stable machine-readable report",
            Format::Sarif => "SARIF 2.1.0 for GitHub code scanning and other dashboards",
            Format::Github => "GitHub Actions annotations (workflow commands) on the pull request",
            Format::Markdown => "a summary for $GITHUB_STEP_SUMMARY or a pull-request comment",
            Format::OpenVex => "OpenVEX 0.2.0 statements for the dependency findings (affected with due dates, not_affected for accepted ones)",
            Format::CycloneDx => "a CycloneDX 1.6 SBOM: every locked package, the dependency graph, and the dependency findings with their due dates",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `color` only matters for formats meant for a terminal.
    pub fn emitter(self, color: bool) -> Box<dyn Emitter> {
        match self {
            Format::Human => Box::new(Human { color }),
            Format::Json => Box::new(Json),
            Format::Sarif => Box::new(Sarif),
            Format::Github => Box::new(Github),
            Format::Markdown => Box::new(Markdown),
            Format::OpenVex => Box::new(OpenVex),
            Format::CycloneDx => Box::new(CycloneDx),
        }
    }
}

/// Text from the scanned tree (file names, matched lines) made safe to print on a terminal or in
/// a CI log: control characters, which could carry ANSI escapes or start a `::error` workflow
/// command on a new line, are shown as `\u{1b}`-style escapes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("src/a.rs"), "src/a.rs");
        assert_eq!(
            printable("x\n::error file=a::pwned\u{1b}[31m.rs"),
            "x\\u{a}::error file=a::pwned\\u{1b}[31m.rs"
        );
    }
}
