//! The one finding model every check produces and every layer above reads: what was found
//! ([`Detection`]), and what the policy made of it ([`Verdict`]). This is the bottom of the crate:
//! it imports nothing above it, so checks, the policy and the reports can all speak it.
//!
//! A detection is about one of two subjects: a locked package an advisory affects, or a place in
//! the workspace's own files a rule matched. Fields only one subject has live in that subject, so
//! neither carries the other's empty fields; the JSON report spells out its own contract
//! (`report::json`).

mod exception;
mod exploited;
mod kind;
mod rule;
mod severity;
mod warning;

pub use exception::{Exception, Justification, VexStatus};
pub use exploited::KnownExploited;
pub use kind::FindingKind;
pub use rule::{markdown_table, RuleDoc};
pub use severity::{Class, FailOn, Gate, Severity, Status};
pub use warning::Warning;

use crate::date::Date;
use serde::Serialize;

/// What a check found, before the policy has judged it.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub kind: FindingKind,
    /// The advisory id, or the source rule's id.
    pub rule: String,
    pub title: String,
    /// Relative to the scanned root, `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Where the flagged text ends on `line` (exclusive, 1-based), for editors and SARIF regions.
    pub end_column: usize,
    pub description: String,
    /// Stable identity across runs (survives version bumps of the package and lines moving), for
    /// baselines and ignores.
    pub fingerprint: String,
    /// The severity the rule itself declares (already lowered for test code); `None` leaves it to
    /// the policy: the CVSS score, else the kind's tier.
    pub rule_severity: Option<Severity>,
    /// A weakness gets a due date; an audit finding is inventory and gets none.
    pub class: Class,
    /// What in the repository's history says when the finding was introduced.
    pub origin: Origin,
    pub subject: Subject,
}

/// What a detection is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// A locked package that an advisory affects.
    Package(Box<PackageDetails>),
    /// A place in the workspace's own files that a rule matched.
    Source(SourceDetails),
}

/// An advisory finding's package, advisory data and fix.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageDetails {
    pub package: PackageRef,
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
    /// What to do, from a check whose package findings are not about an advisory (an advisory
    /// says it with `fix` and `patched`).
    pub remediation: Option<String>,
}

impl PackageDetails {
    /// A package finding that carries no advisory data (a check whose findings are about the
    /// package's own code): every advisory field empty.
    pub fn about(package: PackageRef) -> PackageDetails {
        PackageDetails {
            package,
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
            remediation: None,
        }
    }
}

/// A source finding's rule facts and evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDetails {
    /// Weakness ids (`CWE-798`).
    pub cwe: Vec<String>,
    /// What to do about it.
    pub remediation: String,
    /// What a secrets finding found, without the secret itself.
    pub secret: Option<SecretEvidence>,
    /// Found in test code (by attribute, by where the file lives, or by a `#[cfg(test)] mod`
    /// declaring the file).
    pub in_test: bool,
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

/// What the `introduced` clock looks up in git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A lockfile's `[[package]]` entry: when this name and version entered the file.
    LockfileEntry { name: String, version: String },
    /// Lines of a source file: the latest commit among them.
    Lines(Vec<usize>),
}

/// Where a source finding sits, for [`Detection::in_source`].
pub struct SourcePlace<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub end_line: usize,
}

impl Detection {
    /// A finding in the workspace's own files: the rule entry supplies title, CWE and remediation.
    pub fn in_source(
        kind: FindingKind,
        rule: &RuleDoc,
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
            description,
            fingerprint,
            rule_severity,
            class: rule.class,
            origin: Origin::Lines((place.line..=place.end_line.max(place.line)).collect()),
            subject: Subject::Source(SourceDetails {
                cwe: rule.cwe.clone(),
                remediation: rule.remediation.clone(),
                secret: None,
                in_test: false,
            }),
        }
    }

    /// The package and advisory data of a dependency finding.
    pub fn advisory(&self) -> Option<&PackageDetails> {
        match &self.subject {
            Subject::Package(details) => Some(details),
            Subject::Source(_) => None,
        }
    }

    /// The rule facts of a source finding.
    pub fn source(&self) -> Option<&SourceDetails> {
        match &self.subject {
            Subject::Source(details) => Some(details),
            Subject::Package(_) => None,
        }
    }

    /// Whether the finding is about a dependency (rather than the workspace's own files).
    pub fn is_dependency(&self) -> bool {
        matches!(self.subject, Subject::Package(_))
    }

    pub fn package(&self) -> Option<&PackageRef> {
        self.advisory().map(|details| &details.package)
    }

    pub fn cvss(&self) -> Option<&Cvss> {
        self.advisory().and_then(|details| details.cvss.as_ref())
    }

    /// Other ids of the same advisory (CVE, GHSA); none for source findings.
    pub fn aliases(&self) -> &[String] {
        self.advisory().map_or(&[], |details| &details.aliases)
    }

    /// RustSec categories of the advisory; none for source findings.
    pub fn categories(&self) -> &[String] {
        self.advisory().map_or(&[], |details| &details.categories)
    }

    /// What a secrets finding found.
    pub fn secret(&self) -> Option<&SecretEvidence> {
        self.source().and_then(|details| details.secret.as_ref())
    }

    /// The advisory's publication date, where the `published` clock starts.
    pub fn published(&self) -> Option<Date> {
        self.advisory().and_then(|details| details.date)
    }

    /// What to do about it, in one line: the command that reaches a patched release, the rule's
    /// remediation for source findings, or the advice to replace a crate nobody has patched.
    pub fn next_step(&self) -> Option<&str> {
        match &self.subject {
            Subject::Source(details) => Some(&details.remediation),
            Subject::Package(details) => match (&details.fix, &details.remediation) {
                (Some(fix), _) => Some(&fix.command),
                (None, Some(remediation)) => Some(remediation),
                (None, None) if details.patched.is_empty() => {
                    Some("no patched release; consider replacing the crate")
                }
                (None, None) => None,
            },
        }
    }

    /// What the finding is about, for people: `smallvec 0.6.9`, or the place for source findings.
    pub fn subject(&self) -> String {
        match self.package() {
            Some(p) => format!("{} {}", p.name, p.version),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// The policy's judgement of a detection: tier, clock, due date, status and gate breaches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub severity: Severity,
    /// When the remediation window opened and closes; `None` for audit findings, which have none.
    pub clock: Option<Clock>,
    pub status: Status,
    /// Why it is accepted, when it is (`status` is then `ignored`, unless the exception lapsed).
    pub exception: Option<Exception>,
    /// Whether the finding is absent from the base `--new-since` compares with; `None` when
    /// there is no base.
    pub new: Option<bool>,
    /// What the Known Exploited Vulnerabilities catalog says, for dependency findings when one was
    /// given (`--kev`).
    pub known_exploited: Option<KnownExploited>,
    /// The `--fail-on` conditions this finding breaches (empty when it does not fail the gate).
    pub fails_gate: Vec<FailOn>,
}

/// A weakness's remediation window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub start: Date,
    pub source: ClockSource,
    pub due: Date,
    /// Negative when overdue.
    pub days_left: i64,
}

/// Where a finding's clock start came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockSource {
    /// The commit that brought the affected version or line in.
    Introduced,
    /// The advisory's publication date.
    Published,
    /// The baseline's record.
    FirstSeen,
    /// Nothing earlier was known: the clock starts with this run.
    Today,
    /// The repository adopted the policy after the line was written (or the line's date is
    /// unknown): the clock starts on the adoption date.
    Adopted,
}

impl ClockSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockSource::Introduced => "introduced",
            ClockSource::Published => "published",
            ClockSource::FirstSeen => "first-seen",
            ClockSource::Today => "today",
            ClockSource::Adopted => "adopted",
        }
    }
}

/// A detection with its verdict: what every report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub detection: Detection,
    pub verdict: Verdict,
}

/// A stable fingerprint: the parts (kind, rule, package name or file, ...), hashed so it is short
/// and reveals nothing of its inputs.
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

/// A dependency finding with every optional field empty, for unit tests.
#[cfg(test)]
pub(crate) fn test_package_detection(name: &str, version: &str, fingerprint: &str) -> Detection {
    Detection {
        kind: FindingKind {
            name: "test",
            check: "test",
            rule_name: "Test",
            default_tier: Severity::Low,
            categorised: false,
            gates_when_updated: false,
        },
        rule: "TEST-1".to_owned(),
        title: "t".to_owned(),
        file: "Cargo.lock".to_owned(),
        line: 1,
        column: 1,
        end_column: 2,
        description: String::new(),
        fingerprint: fingerprint.to_owned(),
        rule_severity: None,
        class: Class::Weakness,
        origin: Origin::Lines(vec![1]),
        subject: Subject::Package(Box::new(PackageDetails::about(PackageRef {
            name: name.to_owned(),
            version: version.to_owned(),
            source: None,
        }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package_finding(fix: Option<Fix>, patched: &[&str], remediation: Option<&str>) -> Detection {
        let mut detection = test_package_detection("p", "1.0.0", "");
        if let Subject::Package(details) = &mut detection.subject {
            details.fix = fix;
            details.patched = patched.iter().map(|p| p.to_string()).collect();
            details.remediation = remediation.map(str::to_owned);
        }
        detection
    }

    #[test]
    fn a_package_finding_says_what_to_do_from_its_fix_then_its_check_then_the_advisory() {
        let fix = Fix {
            command: "cargo update -p p".to_owned(),
            version: "1.0.1".to_owned(),
            semver_compatible: true,
        };
        let with_fix = package_finding(Some(fix), &[">=1.0.1"], Some("other"));
        assert_eq!(with_fix.next_step(), Some("cargo update -p p"));
        // A check whose package findings are not advisories says its own next step.
        let from_check = package_finding(None, &[], Some("unify the versions"));
        assert_eq!(from_check.next_step(), Some("unify the versions"));
        let no_release = package_finding(None, &[], None);
        assert_eq!(
            no_release.next_step(),
            Some("no patched release; consider replacing the crate")
        );
        assert_eq!(package_finding(None, &[">=2"], None).next_step(), None);
    }
}
