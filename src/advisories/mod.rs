//! Advisory data and matching: loading a RustSec advisory-db checkout tolerantly, and deciding which
//! locked packages an advisory affects.
//!
//! The database is read file by file rather than through `rustsec::Database::open`, which fails
//! whole on one bad file: upstream once shipped a malformed advisory and every all-or-nothing tool
//! stopped working until it was fixed. A bad file here is a warning and the scan goes on.

mod fix;

pub use fix::fix_for;

use crate::error::{one_line, Error, Result};
use crate::report::{FindingKind, Warning};
use rayon::prelude::*;
use rustsec::advisory::{Advisory, Informational};
use rustsec::cargo_lock::SourceId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every usable advisory of the `crates` collection, indexed by package name.
#[derive(Debug, Default)]
pub struct Database {
    pub path: PathBuf,
    advisories: Vec<Advisory>,
    by_package: HashMap<String, Vec<usize>>,
}

impl Database {
    /// Reads `<path>/crates/*/*.md`. Files that do not parse are skipped and come back as warnings.
    pub fn load(path: &Path) -> Result<(Database, Vec<Warning>)> {
        if !path.exists() {
            return Err(Error::DatabaseNotFound {
                path: path.to_path_buf(),
            });
        }
        let crates_dir = path.join("crates");
        if !crates_dir.is_dir() {
            return Err(Error::NotADatabase {
                path: path.to_path_buf(),
            });
        }
        let files = advisory_files(&crates_dir)?;
        let parsed: Vec<Result<Advisory, Warning>> =
            files.par_iter().map(|file| parse_advisory(file)).collect();

        let mut database = Database {
            path: path.to_path_buf(),
            ..Database::default()
        };
        let mut warnings = Vec::new();
        let mut seen_ids = HashMap::new();
        for (file, result) in files.iter().zip(parsed) {
            let advisory = match result {
                Ok(advisory) => advisory,
                Err(warning) => {
                    warnings.push(warning);
                    continue;
                }
            };
            if advisory.metadata.id.is_placeholder() {
                continue;
            }
            let id = advisory.metadata.id.to_string();
            if let Some(first) = seen_ids.insert(id.clone(), file.clone()) {
                warnings.push(Warning {
                    code: "duplicate-advisory",
                    file: Some(display(file)),
                    message: format!(
                        "advisory {id} is also defined in {}; using that one",
                        display(&first)
                    ),
                });
                seen_ids.insert(id, first);
                continue;
            }
            let index = database.advisories.len();
            database
                .by_package
                .entry(advisory.metadata.package.as_str().to_owned())
                .or_default()
                .push(index);
            database.advisories.push(advisory);
        }
        Ok((database, warnings))
    }

    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Advisories that affect this exact package, with the kind of finding each one makes.
    pub fn matching<'a>(
        &'a self,
        name: &str,
        version: &semver::Version,
        source: Option<&SourceId>,
    ) -> impl Iterator<Item = (&'a Advisory, FindingKind)> + 'a {
        let candidates = self.by_package.get(name).map_or(&[][..], Vec::as_slice);
        let version = version.clone();
        let source = source.cloned();
        candidates.iter().filter_map(move |&index| {
            let advisory = &self.advisories[index];
            let kind = finding_kind(advisory)?;
            (advisory.metadata.withdrawn.is_none()
                && source_matches(advisory, source.as_ref())
                && advisory.versions.is_vulnerable(&version))
            .then_some((advisory, kind))
        })
    }
}

/// `None` for informational advisories of a kind we do not report (RustSec allows free-form
/// `informational` values; cargo-audit skips them too).
fn finding_kind(advisory: &Advisory) -> Option<FindingKind> {
    match &advisory.metadata.informational {
        None => Some(FindingKind::Vulnerability),
        Some(Informational::Unmaintained) => Some(FindingKind::Unmaintained),
        Some(Informational::Unsound) => Some(FindingKind::Unsound),
        Some(Informational::Notice) => Some(FindingKind::Notice),
        Some(_) => None,
    }
}

/// Advisories name the registry they are about (crates.io unless they say otherwise). Path and git
/// dependencies never match: a crate of the same name from elsewhere is different code.
fn source_matches(advisory: &Advisory, package_source: Option<&SourceId>) -> bool {
    let Some(package_source) = package_source else {
        return false;
    };
    match &advisory.metadata.source {
        None => package_source.is_default_registry(),
        Some(advisory_source) if advisory_source.is_default_registry() => {
            package_source.is_default_registry()
        }
        Some(advisory_source) => {
            advisory_source.kind() == package_source.kind()
                && advisory_source.url() == package_source.url()
        }
    }
}

fn advisory_files(crates_dir: &Path) -> Result<Vec<PathBuf>> {
    let read_dir = |dir: &Path| {
        std::fs::read_dir(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })
    };
    let mut files = Vec::new();
    for package_dir in read_dir(crates_dir)? {
        let package_dir = package_dir
            .map_err(|source| Error::Read {
                path: crates_dir.to_path_buf(),
                source,
            })?
            .path();
        if !package_dir.is_dir() {
            continue;
        }
        for entry in read_dir(&package_dir)? {
            let file = entry
                .map_err(|source| Error::Read {
                    path: package_dir.clone(),
                    source,
                })?
                .path();
            if file.extension().is_some_and(|ext| ext == "md") {
                files.push(file);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn parse_advisory(file: &Path) -> Result<Advisory, Warning> {
    let warn = |problem: String| Warning {
        code: "malformed-advisory",
        file: Some(display(file)),
        message: format!("skipped advisory: {problem}"),
    };
    let text = std::fs::read_to_string(file).map_err(|err| warn(err.to_string()))?;
    let mut advisory: Advisory = text
        .parse()
        .map_err(|err: rustsec::Error| warn(without_snippet(&err.to_string())))?;
    let package_dir = file
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str());
    if package_dir != Some(advisory.metadata.package.as_str()) {
        return Err(warn(format!(
            "it is about package `{}` but sits in the directory of `{}`",
            advisory.metadata.package,
            package_dir.unwrap_or("?")
        )));
    }
    advisory.metadata.collection = Some(rustsec::Collection::Crates);
    Ok(advisory)
}

/// Database files are named as the user's `--db` spells them, e.g.
/// `advisory-db/crates/smallvec/RUSTSEC-2019-0009.md`, so the path can be opened as printed.
fn display(file: &Path) -> String {
    crate::workspace::relative_display(file, Path::new(""))
}

/// TOML errors quote the offending source with a caret under it (`3 | package =`, `|   ^`); a
/// one-line warning keeps the location and the message and drops the drawing.
fn without_snippet(message: &str) -> String {
    let kept: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with('|')
                && line
                    .split_once('|')
                    .is_none_or(|(gutter, _)| gutter.trim().parse::<usize>().is_err())
        })
        .collect();
    one_line(&kept.join(": "))
}

#[cfg(test)]
mod tests {
    use super::without_snippet;

    #[test]
    fn toml_snippets_are_dropped_from_warnings() {
        let message = "parse error: TOML parse error at line 3, column 10\n  |\n3 | package = \n  |          ^\nstring values must be quoted\n";
        assert_eq!(
            without_snippet(message),
            "parse error: TOML parse error at line 3, column 10: string values must be quoted"
        );
    }
}
