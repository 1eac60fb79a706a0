//! Advisory data: RustSec advisory-db checkouts and OSV records, loaded tolerantly into one
//! [`Advisory`] shape, merged where they describe the same vulnerability, and looked up by package.
//!
//! Both sources are read file by file: upstream once shipped a malformed advisory and every
//! all-or-nothing tool stopped working until it was fixed. A bad file here is a warning and the
//! scan goes on.

use super::advisory::{Advisory, Registry};
use super::{osv, rustsec};
use crate::check::Sources;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::Warning;
use ::rustsec::cargo_lock::SourceId;
use semver::Version;
use std::collections::HashMap;
use std::path::PathBuf;

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
        Database::load_listed(sources, None)
    }

    /// [`Database::load`], with the RustSec checkout's advisory files already listed.
    pub(super) fn load_listed(
        sources: &Sources,
        rustsec_files: Option<Vec<PathBuf>>,
    ) -> Result<(Database, Vec<SourceCount>, Vec<Warning>)> {
        let mut warnings = Vec::new();
        let mut counts = Vec::new();
        let mut advisories = Vec::new();
        // A source with no advisories at all is a wrong path or a broken download, and a gate
        // that passes on no data fails open: it is an error, not an empty report.
        let empty = |path: &std::path::Path| Error::NoAdvisories {
            path: path.to_path_buf(),
        };
        if let Some(path) = &sources.rustsec {
            let (loaded, mut w) = rustsec::load(path, rustsec_files)?;
            if loaded.is_empty() {
                return Err(empty(path));
            }
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
            if loaded.is_empty() {
                return Err(empty(path));
            }
            counts.push(SourceCount {
                kind: "osv",
                path: path.clone(),
                advisories: loaded.len(),
                updated: last_commit(path).or_else(|| newest(&loaded)),
            });
            warnings.append(&mut w);
            merge(&mut advisories, loaded);
        }
        Ok((Database::new(advisories), counts, warnings))
    }

    /// The database of these advisories, in the order every scan reports them (by package, then
    /// id), indexed by package.
    pub(super) fn new(mut advisories: Vec<Advisory>) -> Database {
        advisories.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
        let mut by_package: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, advisory) in advisories.iter().enumerate() {
            by_package
                .entry(advisory.package.clone())
                .or_default()
                .push(index);
        }
        Database {
            advisories,
            by_package,
        }
    }

    /// Every advisory, withdrawn ones too.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
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
        // The checkout at `path`, not a repository the environment names (as in a git hook).
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
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
