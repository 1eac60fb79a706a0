//! One advisory, whichever source it came from: the package and versions it affects, what it is
//! about, and how reports and `explain` describe it.

use crate::date::Date;
use crate::finding::{Cvss, FindingKind};
use crate::policy::Policy;
use ::rustsec::cargo_lock::SourceId;
use semver::Version;
use std::collections::BTreeSet;

/// A half-open range of affected versions, as OSV and RustSec (through its OSV conversion) define
/// them: from `introduced` (inclusive; none = from the start) to `fixed` (exclusive) or up to
/// `last_affected` (inclusive); neither = no upper bound. Pre-releases order as semver says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    pub introduced: Option<Version>,
    pub fixed: Option<Version>,
    pub last_affected: Option<Version>,
}

impl VersionRange {
    pub fn contains(&self, version: &Version) -> bool {
        self.introduced
            .as_ref()
            .is_none_or(|start| version >= start)
            && self.fixed.as_ref().is_none_or(|end| version < end)
            && self
                .last_affected
                .as_ref()
                .is_none_or(|last| version <= last)
    }
}

/// Which registry an advisory is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registry {
    CratesIo,
    Other(SourceId),
}

/// One advisory, whichever source it came from.
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    pub package: String,
    pub kind: FindingKind,
    pub title: String,
    pub description: String,
    pub date: Option<Date>,
    pub aliases: Vec<String>,
    pub references: Vec<String>,
    pub categories: Vec<String>,
    pub cvss: Option<Cvss>,
    pub withdrawn: bool,
    /// Affected when any range contains the version, or it is listed in `versions`.
    pub ranges: Vec<VersionRange>,
    pub versions: Vec<Version>,
    /// For reports: the requirements as the source states them.
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
    /// Versions that fix it, for fix hints.
    pub fixed: Vec<Version>,
    pub registry: Registry,
    /// `rustsec`, `osv`, or both after a merge.
    pub sources: BTreeSet<&'static str>,
}

impl Advisory {
    pub fn affects(&self, version: &Version) -> bool {
        self.ranges.iter().any(|range| range.contains(version)) || self.versions.contains(version)
    }

    /// The RustSec page, for advisories with a RustSec id.
    pub fn url(&self) -> Option<String> {
        self.id
            .starts_with("RUSTSEC-")
            .then(|| format!("https://rustsec.org/advisories/{}.html", self.id))
    }

    /// `cargo warden explain RUSTSEC-…`: the advisory, and what the policy makes of it (tier and
    /// days to fix), so a reader knows both the problem and the deadline it carries.
    pub fn markdown(&self, policy: &Policy) -> String {
        let mut out = format!("# {}: {}\n\n", self.id, self.title);
        out.push_str(&format!("- crate: `{}`\n", self.package));
        out.push_str(&format!("- kind: {}\n", self.kind.as_str()));
        if let Some(date) = self.date {
            out.push_str(&format!("- published: {date}\n"));
        }
        if !self.aliases.is_empty() {
            out.push_str(&format!("- aliases: {}\n", self.aliases.join(", ")));
        }
        if !self.categories.is_empty() {
            out.push_str(&format!("- categories: {}\n", self.categories.join(", ")));
        }
        if let Some(cvss) = &self.cvss {
            out.push_str(&format!("- cvss: {} ({})\n", cvss.score, cvss.vector));
        }
        let severity = policy.severity(
            self.kind,
            self.cvss.as_ref().map(|c| c.score),
            &self.categories,
        );
        out.push_str(&format!(
            "- policy {}: {}, fix within {} days\n",
            policy.name,
            severity.as_str(),
            policy.tier(severity).days
        ));
        if self.withdrawn {
            out.push_str("- withdrawn: scans do not report it\n");
        }
        let versions = |list: &[String]| {
            if list.is_empty() {
                "none".to_owned()
            } else {
                list.iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        out.push_str(&format!("- patched: {}\n", versions(&self.patched)));
        if !self.unaffected.is_empty() {
            out.push_str(&format!("- unaffected: {}\n", versions(&self.unaffected)));
        }
        let description = self.description.trim();
        if !description.is_empty() {
            out.push_str(&format!("\n{description}\n"));
        }
        let links: Vec<String> = self
            .url()
            .into_iter()
            .chain(self.references.iter().cloned())
            .collect();
        if !links.is_empty() {
            out.push_str("\n## References\n\n");
            for link in links {
                out.push_str(&format!("- {link}\n"));
            }
        }
        out
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Paths are shown as the user spelled them, e.g. `advisory-db/crates/smallvec/RUSTSEC-2019-0009.md`,
/// so they can be opened as printed.
pub(super) fn display(file: &std::path::Path) -> String {
    crate::paths::relative_display(file, std::path::Path::new(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn ranges_follow_osv_semantics() {
        let range = |i: Option<&str>, f: Option<&str>, l: Option<&str>| VersionRange {
            introduced: i.map(v),
            fixed: f.map(v),
            last_affected: l.map(v),
        };
        let r = range(Some("0.6.5"), Some("0.6.10"), None);
        assert!(!r.contains(&v("0.6.4")) && r.contains(&v("0.6.5")) && r.contains(&v("0.6.9")));
        assert!(!r.contains(&v("0.6.10")));
        let last = range(None, None, Some("1.2.0"));
        assert!(
            last.contains(&v("0.1.0")) && last.contains(&v("1.2.0")) && !last.contains(&v("1.2.1"))
        );
        let pre = range(Some("0.9.0"), Some("1.0.0-beta.3"), None);
        assert!(pre.contains(&v("1.0.0-beta.2")) && !pre.contains(&v("1.0.0-beta.3")));
        assert!(!pre.contains(&v("1.0.0")));
    }
}
