//! The one finding model every check produces, and the emitters that turn a report into bytes.
//!
//! Checks build [`Finding`]s; the policy layer fills in severity, status and the gate; emitters only
//! format. Nothing here decides whether the build fails: that is [`Gate`], computed before any
//! emitter runs, so every format agrees on the verdict.

mod human;
mod json;

use serde::Serialize;
use std::io;

pub use human::Human;
pub use json::Json;

/// Version of the JSON report layout. Fields are added, never renamed; a rename bumps this.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    Vulnerability,
    Unmaintained,
    Unsound,
    Notice,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Vulnerability => "vulnerability",
            FindingKind::Unmaintained => "unmaintained",
            FindingKind::Unsound => "unsound",
            FindingKind::Notice => "notice",
        }
    }
}

/// Ordered from most to least severe, so sorting puts the worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Counts toward the gate.
    Open,
    /// Matched an `[[ignore]]` entry: reported, never fails the gate.
    Ignored,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    /// `None` for path dependencies and workspace members.
    pub source: Option<String>,
}

/// How a dependency finding is reached from the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DependencyInfo {
    /// `name version` steps from a workspace member to the affected package, shortest first found.
    pub path: Vec<String>,
    /// `normal`, `build` or `dev`; `None` when only the lockfile graph was available.
    pub kind: Option<DependencyKind>,
    /// Whether a workspace member depends on the package itself.
    pub direct: bool,
    /// Workspace members that pull the package in.
    pub members: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyKind {
    Normal,
    Build,
    Dev,
}

impl DependencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Normal => "normal",
            DependencyKind::Build => "build",
            DependencyKind::Dev => "dev",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cvss {
    pub vector: String,
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The smallest patched version above the one in use.
    pub version: String,
    /// Whether `cargo update` alone can reach it (same semver-compatible series).
    pub semver_compatible: bool,
    /// What to run or change.
    pub command: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    /// Relative to the scanned root, `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub package: Option<PackageRef>,
    pub dependency: Option<DependencyInfo>,
    pub aliases: Vec<String>,
    pub references: Vec<String>,
    pub url: Option<String>,
    /// When the advisory was published (`YYYY-MM-DD`).
    pub date: Option<String>,
    pub categories: Vec<String>,
    pub cvss: Option<Cvss>,
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
    pub fix: Option<Fix>,
    pub status: Status,
    pub ignore_reason: Option<String>,
    pub description: String,
}

impl Finding {
    /// The order every report uses: by file and position, then rule and package, so output does
    /// not depend on thread scheduling.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.file,
            self.line,
            self.column,
            &self.rule,
            self.package.as_ref(),
            self.kind,
        )
    }
}

/// Something the scan stepped over and the user should know about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Stable, machine-readable kind, e.g. `malformed-advisory`.
    pub code: &'static str,
    /// The file it is about, when there is one.
    pub file: Option<String>,
    pub message: String,
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

/// One lockfile the scan read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceSummary {
    pub lockfile: String,
    pub packages: usize,
    /// `cargo-metadata` when the graph was enriched, `lockfile` when it fell back.
    pub graph: GraphSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphSource {
    CargoMetadata,
    Lockfile,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabaseSummary {
    pub path: String,
    pub advisories: usize,
}

/// A condition under which the gate fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any open finding of kind `vulnerability` (the default).
    Vulnerability,
    /// Any open finding at or above this severity.
    Critical,
    High,
    Medium,
    Low,
    /// Any open finding at all.
    Any,
    /// Never fail.
    Never,
}

impl FailOn {
    pub const ALL: [FailOn; 7] = [
        FailOn::Vulnerability,
        FailOn::Critical,
        FailOn::High,
        FailOn::Medium,
        FailOn::Low,
        FailOn::Any,
        FailOn::Never,
    ];

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            FailOn::Vulnerability => "any open vulnerability (not unmaintained, unsound or notice)",
            FailOn::Critical => "any open finding of critical severity",
            FailOn::High => "any open finding of high severity or worse",
            FailOn::Medium => "any open finding of medium severity or worse",
            FailOn::Low => "any open finding of low severity or worse",
            FailOn::Any => "any open finding",
            FailOn::Never => "never fail the gate (overrides the others)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Vulnerability => "vulnerability",
            FailOn::Critical => "critical",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Any => "any",
            FailOn::Never => "never",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gate {
    pub passed: bool,
    pub fail_on: Vec<FailOn>,
    /// How many open findings breach the conditions.
    pub failing: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub workspaces: Vec<WorkspaceSummary>,
    pub database: Option<DatabaseSummary>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
    pub gate: Gate,
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
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Human, Format::Json];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Format::Human => "for people at a terminal",
            Format::Json => "the stable machine-readable report",
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
        }
    }
}
