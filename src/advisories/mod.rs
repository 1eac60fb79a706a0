//! Advisory data and matching: RustSec advisory-db checkouts and OSV records, loaded tolerantly
//! into one [`Advisory`] shape, merged where they describe the same vulnerability, and matched
//! against locked packages.
//!
//! Both sources are read file by file: upstream once shipped a malformed advisory and every
//! all-or-nothing tool stopped working until it was fixed. A bad file here is a warning and the
//! scan goes on.

mod fetch;
mod fix;
mod osv;
mod rustsec;

pub use fetch::{fetch, Fetched, DEFAULT_URL};
pub use fix::fix_for;

use crate::date::Date;
use crate::error::Result;
use crate::report::{Cvss, FindingKind, Warning};
use ::rustsec::cargo_lock::SourceId;
use semver::Version;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// Where advisories come from. Naming either replaces the default RustSec checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// A RustSec advisory-db checkout.
    pub rustsec: Option<PathBuf>,
    /// Directories (any depth) of OSV JSON records.
    pub osv: Vec<PathBuf>,
}

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
    pub fn markdown(&self, policy: &crate::policy::Policy) -> String {
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

    fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Every usable advisory, indexed by package name.
#[derive(Debug, Default)]
pub struct Database {
    advisories: Vec<Advisory>,
    by_package: HashMap<String, Vec<usize>>,
}

/// How many advisories one source gave, and how fresh it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCount {
    pub kind: &'static str,
    pub path: PathBuf,
    pub advisories: usize,
    /// The last commit of a git checkout, else the newest advisory's date.
    pub updated: Option<Date>,
}

/// The newest publication date among `advisories`, for sources without git history.
fn newest(advisories: &[Advisory]) -> Option<Date> {
    advisories.iter().filter_map(|a| a.date).max()
}

impl Database {
    /// The advisory with this id or alias (`RUSTSEC-2019-0009`, `CVE-2019-15551`, a GHSA id),
    /// ignoring case.
    pub fn find(&self, id: &str) -> Option<&Advisory> {
        self.advisories
            .iter()
            .find(|advisory| advisory.names().any(|name| name.eq_ignore_ascii_case(id)))
    }

    /// Loads every source; RustSec and OSV records of the same vulnerability (same id, or linked
    /// through aliases, for the same package) become one advisory with the union of aliases and
    /// references, RustSec's data winning elsewhere.
    pub fn load(sources: &Sources) -> Result<(Database, Vec<SourceCount>, Vec<Warning>)> {
        let mut warnings = Vec::new();
        let mut counts = Vec::new();
        let mut advisories = Vec::new();
        if let Some(path) = &sources.rustsec {
            let (loaded, mut w) = rustsec::load(path)?;
            counts.push(SourceCount {
                kind: "rustsec",
                path: path.clone(),
                advisories: loaded.len(),
                updated: last_commit(path).or_else(|| newest(&loaded)),
            });
            warnings.append(&mut w);
            advisories = loaded;
        }
        for path in &sources.osv {
            let (loaded, mut w) = osv::load(path)?;
            counts.push(SourceCount {
                kind: "osv",
                path: path.clone(),
                advisories: loaded.len(),
                updated: last_commit(path).or_else(|| newest(&loaded)),
            });
            warnings.append(&mut w);
            merge(&mut advisories, loaded);
        }
        advisories.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
        let mut by_package: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, advisory) in advisories.iter().enumerate() {
            by_package
                .entry(advisory.package.clone())
                .or_default()
                .push(index);
        }
        Ok((
            Database {
                advisories,
                by_package,
            },
            counts,
            warnings,
        ))
    }

    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Advisories that affect this exact package.
    pub fn matching<'a>(
        &'a self,
        name: &str,
        version: &'a Version,
        source: Option<&'a SourceId>,
    ) -> impl Iterator<Item = &'a Advisory> + 'a {
        let candidates = self.by_package.get(name).map_or(&[][..], Vec::as_slice);
        candidates.iter().filter_map(move |&index| {
            let advisory = &self.advisories[index];
            (!advisory.withdrawn
                && registry_matches(&advisory.registry, source)
                && advisory.affects(version))
            .then_some(advisory)
        })
    }
}

/// The date of the last commit when `path` is the top of a git checkout.
fn last_commit(path: &std::path::Path) -> Option<Date> {
    if !path.join(".git").exists() {
        return None;
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(path)
        .args(["log", "-1", "--format=%ct"])
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    let seconds = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .ok()?;
    Some(Date::from_unix_seconds(seconds))
}

/// Adds `incoming` to `existing`, folding records that describe the same vulnerability into the
/// one already there: the same id, or (across sources) an id or alias in common. Two different
/// RustSec ids are two advisories even when they share an alias (RustSec splits one CVE into
/// several advisories at times), and records of one source are never folded together.
fn merge(existing: &mut Vec<Advisory>, incoming: Vec<Advisory>) {
    let key = |package: &str, name: &str| (package.to_owned(), name.to_owned());
    let mut by_id: HashMap<(String, String), usize> = HashMap::new();
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let index_of = |advisory: &Advisory,
                    index: usize,
                    by_id: &mut HashMap<(String, String), usize>,
                    by_name: &mut HashMap<(String, String), Vec<usize>>| {
        by_id.insert(key(&advisory.package, &advisory.id), index);
        for name in advisory.names() {
            by_name
                .entry(key(&advisory.package, name))
                .or_default()
                .push(index);
        }
    };
    for (index, advisory) in existing.iter().enumerate() {
        index_of(advisory, index, &mut by_id, &mut by_name);
    }
    for advisory in incoming {
        let same_id = by_id.get(&key(&advisory.package, &advisory.id)).copied();
        let linked = || {
            advisory.names().find_map(|name| {
                by_name
                    .get(&key(&advisory.package, name))?
                    .iter()
                    .copied()
                    .find(|&i| {
                        let other = &existing[i];
                        other.sources.is_disjoint(&advisory.sources)
                            && !(other.id.starts_with("RUSTSEC-")
                                && advisory.id.starts_with("RUSTSEC-"))
                    })
            })
        };
        match same_id.or_else(linked) {
            Some(index) => {
                let kept = &mut existing[index];
                for alias in advisory.names() {
                    if alias != kept.id && !kept.aliases.iter().any(|a| a == alias) {
                        kept.aliases.push(alias.to_owned());
                    }
                }
                for reference in advisory.references {
                    if !kept.references.contains(&reference) {
                        kept.references.push(reference);
                    }
                }
                kept.sources.extend(advisory.sources);
            }
            None => {
                let index = existing.len();
                index_of(&advisory, index, &mut by_id, &mut by_name);
                existing.push(advisory);
            }
        }
    }
}

/// Advisories name the registry they are about (crates.io unless they say otherwise). Path and git
/// dependencies never match: a crate of the same name from elsewhere is different code.
fn registry_matches(registry: &Registry, package_source: Option<&SourceId>) -> bool {
    let Some(package_source) = package_source else {
        return false;
    };
    match registry {
        Registry::CratesIo => package_source.is_default_registry(),
        Registry::Other(source) => {
            source.kind() == package_source.kind() && source.url() == package_source.url()
        }
    }
}

/// Paths are shown as the user spelled them, e.g. `advisory-db/crates/smallvec/RUSTSEC-2019-0009.md`,
/// so they can be opened as printed.
fn display(file: &std::path::Path) -> String {
    crate::workspace::relative_display(file, std::path::Path::new(""))
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
