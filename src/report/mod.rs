//! The one finding model every check produces, and the emitters that turn a report into bytes.
//!
//! Checks build [`Finding`]s; the policy layer fills in severity, status and the gate; emitters only
//! format. Nothing here decides whether the build fails: that is [`Gate`], computed before any
//! emitter runs, so every format agrees on the verdict.

mod github;
mod human;
mod json;
mod markdown;
mod sarif;

use crate::date::Date;
use crate::policy::{ClockSource, Policy};
use serde::Serialize;
use std::io;

pub use github::Github;
pub use human::Human;
pub use json::Json;
pub use markdown::Markdown;
pub use sarif::Sarif;

/// Version of the JSON report layout. Fields are added, never renamed; a rename bumps this.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    Vulnerability,
    Unmaintained,
    Unsound,
    Notice,
    /// A hard-coded credential in the scanned tree.
    Secret,
    /// An unsafe or insecure code pattern in the scanned tree.
    Code,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Vulnerability => "vulnerability",
            FindingKind::Unmaintained => "unmaintained",
            FindingKind::Unsound => "unsound",
            FindingKind::Notice => "notice",
            FindingKind::Secret => "secret",
            FindingKind::Code => "code",
        }
    }

    /// Whether the finding is about a dependency (rather than the workspace's own files).
    pub fn is_dependency(self) -> bool {
        !matches!(self, FindingKind::Secret | FindingKind::Code)
    }
}

/// A policy's severity tiers, ordered from most to least severe so sorting puts the worst first.
/// (CVSS 0.0, "none", falls in the lowest tier: policies give every score a deadline.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// Where a finding stands against its due date. Ordered most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Past its due date.
    Overdue,
    /// Due within the policy's window.
    DueSoon,
    OnTrack,
    /// Accepted by an `[[ignore]]` entry: reported, never fails the gate.
    Ignored,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::DueSoon => "due-soon",
            Status::OnTrack => "on-track",
            Status::Ignored => "ignored",
        }
    }
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

/// A place in a file, for related locations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Exclusive.
    pub end_column: usize,
    pub message: String,
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

/// What a check found, before the policy has judged it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detection {
    pub kind: FindingKind,
    pub rule: String,
    pub title: String,
    /// Relative to the scanned root, `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Where the flagged text ends on `line` (exclusive, 1-based), for editors and SARIF regions.
    pub end_column: usize,
    pub package: Option<PackageRef>,
    pub dependency: Option<DependencyInfo>,
    pub aliases: Vec<String>,
    pub references: Vec<String>,
    pub url: Option<String>,
    /// When the advisory was published (`YYYY-MM-DD`).
    pub date: Option<Date>,
    pub categories: Vec<String>,
    pub cvss: Option<Cvss>,
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
    pub fix: Option<Fix>,
    /// Which advisory sources reported it (`rustsec`, `osv`).
    pub advisory_sources: Vec<String>,
    /// The Cargo.toml line declaring the direct dependency this finding comes through, when the
    /// member's manifest could be found.
    pub declared_at: Option<Span>,
    pub description: String,
    /// Weakness ids (`CWE-798`) for source findings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    /// What to do about a source finding (dependency findings have `fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// What a secrets finding found, without the secret itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretEvidence>,
    /// The severity the rule itself declares (already lowered for test code); `None` leaves it to
    /// the policy's defaults for the kind.
    #[serde(skip)]
    pub rule_severity: Option<Severity>,
    /// Stable identity across runs (survives version bumps of the package), for baselines.
    pub fingerprint: String,
    /// What in the repository's history says when the finding was introduced.
    #[serde(skip)]
    pub origin: Origin,
}

/// A hard-coded secret as reports show it: never the value itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretEvidence {
    /// The first characters, an ellipsis and the length: `ghp_… (40 chars)`.
    pub redacted: String,
    /// Where it sits, e.g. "bound to `API_TOKEN`" or "passed to `.bearer_auth()`".
    pub context: Option<String>,
    /// Found in test code (`#[cfg(test)]`, `#[test]`, `tests/`, `benches/`, `examples/`).
    pub in_test: bool,
}

/// The redacted form of a secret: at most its first four characters (fewer for short values, so
/// a short password is never mostly shown), an ellipsis and its length.
pub fn redact(secret: &str) -> String {
    let length = secret.chars().count();
    let shown = (length / 4).min(4);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}… ({length} chars)")
}

/// What the `introduced` clock looks up in git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A lockfile's `[[package]]` entry: when this name and version entered the file.
    LockfileEntry { name: String, version: String },
    /// Lines of a source file: the latest commit among them.
    Lines(Vec<usize>),
}

/// Where a source finding sits and what its rule says, for [`Detection::in_source`].
pub struct SourcePlace<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub end_line: usize,
}

impl Detection {
    /// A finding in the workspace's own files (secrets, code): no package, advisory or fix
    /// fields; the rule entry supplies title, CWE and remediation.
    pub fn in_source(
        kind: FindingKind,
        rule: &crate::rules::RuleDoc,
        place: SourcePlace<'_>,
        description: String,
        rule_severity: Option<Severity>,
        fingerprint: String,
    ) -> Detection {
        Detection {
            kind,
            rule: rule.id.clone(),
            title: rule.title.clone(),
            file: place.file.to_owned(),
            line: place.line,
            column: place.column,
            end_column: place.end_column,
            package: None,
            dependency: None,
            aliases: Vec::new(),
            references: Vec::new(),
            url: None,
            date: None,
            categories: Vec::new(),
            cvss: None,
            patched: Vec::new(),
            unaffected: Vec::new(),
            fix: None,
            advisory_sources: Vec::new(),
            declared_at: None,
            description,
            cwe: rule.cwe.clone(),
            remediation: Some(rule.remediation.clone()),
            secret: None,
            rule_severity,
            fingerprint,
            origin: Origin::Lines((place.line..=place.end_line.max(place.line)).collect()),
        }
    }

    /// The advisory's publication date, where the `published` clock starts.
    pub fn published(&self) -> Option<Date> {
        self.date
    }

    /// What to do about it, in one line: the command that reaches a patched release, the rule's
    /// remediation for source findings, or the advice to replace a crate nobody has patched.
    pub fn next_step(&self) -> Option<&str> {
        match (&self.fix, &self.remediation) {
            (Some(fix), _) => Some(&fix.command),
            (None, Some(remediation)) => Some(remediation),
            (None, None) if self.kind.is_dependency() && self.patched.is_empty() => {
                Some("no patched release; consider replacing the crate")
            }
            (None, None) => None,
        }
    }

    /// What the finding is about, for people: `smallvec 0.6.9`, or the place for source findings.
    pub fn subject(&self) -> String {
        match &self.package {
            Some(p) => format!("{} {}", p.name, p.version),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// The policy's judgement of a detection: tier, clock, due date, status and gate breaches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub severity: Severity,
    pub clock_start: Date,
    pub clock_source: ClockSource,
    pub due: Date,
    /// Negative when overdue.
    pub days_left: i64,
    pub status: Status,
    pub ignore_reason: Option<String>,
    /// The `--fail-on` conditions this finding breaches (empty when it does not fail the gate).
    pub fails_gate: Vec<FailOn>,
}

/// A detection with its verdict: what every report shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub detection: Detection,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// A stable fingerprint: the kind, rule, package name (not version: an upgrade that is still
/// affected keeps its clock) or file, hashed so it is short and reveals nothing of its inputs.
pub fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"cargo-warden/1");
    for part in parts {
        hasher.update([0]);
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    /// Its last commit, or for a plain directory its newest advisory's date.
    pub updated: Option<Date>,
    /// Days between `updated` and the report's `today`.
    pub age_days: Option<i64>,
}

/// A condition under which the gate fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any finding past its due date (the default).
    Overdue,
    /// Any finding due within the policy's window, or past it.
    DueSoon,
    /// Any active finding of this tier or above.
    Critical,
    High,
    Medium,
    Low,
    /// Any active finding at all.
    Any,
    /// Never fail.
    Never,
}

impl FailOn {
    pub const ALL: [FailOn; 8] = [
        FailOn::Overdue,
        FailOn::DueSoon,
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
            FailOn::Overdue => "any finding past its due date (the default)",
            FailOn::DueSoon => "any finding due within the policy's window, or overdue",
            FailOn::Critical => "any active finding of the critical tier",
            FailOn::High => "any active finding of the high tier or above",
            FailOn::Medium => "any active finding of the medium tier or above",
            FailOn::Low => "any active finding of the low tier or above",
            FailOn::Any => "any active finding",
            FailOn::Never => "never fail the gate (overrides the others)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Overdue => "overdue",
            FailOn::DueSoon => "due-soon",
            FailOn::Critical => "critical",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Any => "any",
            FailOn::Never => "never",
        }
    }

    pub fn from_name(name: &str) -> Option<FailOn> {
        FailOn::ALL.into_iter().find(|c| c.as_str() == name)
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
    /// The date due dates are measured against (`--today`, or the system clock).
    pub today: Date,
    pub policy: PolicySummary,
    /// The checks that ran: `advisories`, `secrets`, `code`.
    pub checks: Vec<&'static str>,
    /// Where the scanned root sits in its git repository (`services/api/`, or empty at the top or
    /// outside git). SARIF locations are relative to the repository root, as GitHub reads them.
    pub repository_prefix: String,
    pub workspaces: Vec<WorkspaceSummary>,
    /// The RustSec checkout, when one was used.
    pub database: Option<DatabaseSummary>,
    /// OSV sources, when any were used.
    pub osv: Vec<DatabaseSummary>,
    /// Advisories after merging the sources (RustSec and OSV records of one vulnerability count
    /// once).
    pub advisories: Option<usize>,
    /// What the source checks read, when one ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<crate::source::SourceSummary>,
    /// Unsafe code per package, when the code check ran. Information only: it never gates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_inventory: Option<Vec<UnsafeInventory>>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
    pub gate: Gate,
}

/// One package's unsafe code (test code left out): what a reviewer weighs before trusting it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnsafeInventory {
    /// `None` for Rust files outside any package.
    pub package: Option<String>,
    /// Its Cargo.toml, relative to the scan root.
    pub manifest: Option<String>,
    /// Rust files read, and how many of them hold unsafe code.
    pub files: usize,
    pub files_with_unsafe: usize,
    pub unsafe_blocks: usize,
    pub unsafe_fns: usize,
    pub unsafe_impls: usize,
    pub unsafe_traits: usize,
    /// The crate root declares `#![forbid(unsafe_code)]`.
    pub forbids_unsafe_code: bool,
}

/// The policy applied, with the clock that was asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicySummary {
    #[serde(flatten)]
    pub policy: Policy,
    pub clock: crate::policy::ClockKind,
}

/// `1 day`, `3 days`: counts in messages.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "OVERDUE by 12 days (due 2026-11-10)", "due in 5 days (2026-11-27)", "due today (...)".
pub(crate) fn deadline(finding: &Finding) -> String {
    let v = &finding.verdict;
    match v.days_left {
        d if d < 0 => format!(
            "OVERDUE by {} (due {})",
            plural(d.unsigned_abs() as usize, "day"),
            v.due
        ),
        0 => format!("due today ({})", v.due),
        d => format!("due in {} ({})", plural(d as usize, "day"), v.due),
    }
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
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Format::Human => "for people at a terminal",
            Format::Json => "the stable machine-readable report",
            Format::Sarif => "SARIF 2.1.0 for GitHub code scanning and other dashboards",
            Format::Github => "GitHub Actions annotations (workflow commands) on the pull request",
            Format::Markdown => "a summary for $GITHUB_STEP_SUMMARY or a pull-request comment",
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
        }
    }
}
