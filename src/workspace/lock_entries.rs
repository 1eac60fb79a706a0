//! The `[[package]]` entries of a Cargo.lock and the packages each one depends on, read straight
//! from the TOML.
//!
//! cargo-lock's `Lockfile` resolves every short dependency (`"serde"`, `"serde 1.0.0"`) by a
//! search through all packages, which is quadratic: a 60,000-package lockfile took 18 s. Here one
//! index by name makes each lookup constant time, and the spans the TOML reader keeps give each
//! entry's line without a second pass over the text. The resolution rules are cargo's: a
//! dependency without a source is the first package of that name (and version, when given); one
//! naming a source is the package from that source.

use crate::error::{one_line, Error, LineStarts, Result};
use rustsec::cargo_lock::SourceId;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

/// One package of the lockfile.
#[derive(Debug)]
pub struct LockEntry {
    pub name: String,
    pub version: semver::Version,
    pub source: Option<SourceId>,
    pub checksum: Option<String>,
    /// 1-based line of the entry's `name` key.
    pub line: usize,
    /// Indices of the entries it depends on, sorted, without repeats.
    pub dependencies: Vec<usize>,
}

/// Unknown keys are allowed: cargo adds keys over time (`checksum`, `replace`), and a lockfile
/// newer than this reader still says what depends on what.
#[derive(Deserialize)]
struct RawLockfile {
    #[serde(default)]
    package: Vec<RawPackage>,
    /// Version 1 puts the workspace's root package in a table of its own.
    root: Option<RawPackage>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Spanned<String>,
    version: Spanned<String>,
    source: Option<Spanned<String>>,
    checksum: Option<Spanned<String>>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
}

/// The entries of the lockfile at `path` (for messages) with text `text`: the `[root]` package
/// first (version 1), then the `[[package]]` entries in file order.
pub fn parse(path: &Path, text: &str) -> Result<Vec<LockEntry>> {
    let lines = LineStarts::new(text);
    let error = |offset: usize, message: String| Error::Lockfile {
        path: path.to_path_buf(),
        line: lines.line(offset),
        message,
    };
    let raw: RawLockfile = toml::from_str(text).map_err(|err| {
        error(
            err.span().map_or(0, |span| span.start),
            one_line(err.message()),
        )
    })?;
    let raw_packages: Vec<RawPackage> = raw.root.into_iter().chain(raw.package).collect();

    let mut entries = Vec::with_capacity(raw_packages.len());
    for package in &raw_packages {
        let name = package.name.get_ref();
        if name.trim().is_empty() {
            return Err(error(
                package.name.span().start,
                "a package has an empty `name`".into(),
            ));
        }
        let version = semver::Version::parse(package.version.get_ref()).map_err(|err| {
            error(
                package.version.span().start,
                format!("the version of `{name}` is not a semantic version: {err}"),
            )
        })?;
        let source = match &package.source {
            None => None,
            Some(source) => Some(SourceId::from_url(source.get_ref()).map_err(|err| {
                error(
                    source.span().start,
                    format!("the source of `{name}` is not a package source: {err}"),
                )
            })?),
        };
        // Cargo writes a SHA-256 in hex; anything else is damage (the reader this replaced
        // panicked on a multi-byte character here).
        if let Some(checksum) = &package.checksum {
            let digest = checksum.get_ref();
            if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(error(
                    checksum.span().start,
                    format!("the checksum of `{name}` is not a SHA-256 in hex (64 hex digits); regenerate the lockfile with `cargo generate-lockfile`"),
                ));
            }
        }
        entries.push(LockEntry {
            name: name.clone(),
            version,
            source,
            checksum: package
                .checksum
                .as_ref()
                .map(|c| c.get_ref().to_ascii_lowercase()),
            line: lines.line(package.name.span().start),
            dependencies: Vec::new(),
        });
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        by_name.entry(entry.name.as_str()).or_default().push(index);
    }
    let mut all_dependencies = Vec::with_capacity(entries.len());
    for (package, entry) in raw_packages.iter().zip(&entries) {
        let mut dependencies = Vec::with_capacity(package.dependencies.len());
        for dependency in &package.dependencies {
            let wanted = Wanted::parse(dependency.get_ref());
            let candidates = by_name.get(wanted.name).map_or(&[][..], Vec::as_slice);
            match wanted.find(candidates, &entries, &raw_packages) {
                Some(index) => dependencies.push(index),
                // Cargo's rule: a bare name must resolve; a versioned one that matches nothing
                // is left out of the graph.
                None if wanted.version.is_none() => {
                    return Err(error(
                        dependency.span().start,
                        format!(
                            "`{}` depends on `{}`, which is not a package of this lockfile",
                            entry.name, wanted.name
                        ),
                    ))
                }
                None => {}
            }
        }
        dependencies.sort_unstable();
        dependencies.dedup();
        all_dependencies.push(dependencies);
    }
    for (entry, dependencies) in entries.iter_mut().zip(all_dependencies) {
        entry.dependencies = dependencies;
    }
    Ok(entries)
}

/// A dependency as written: `name`, `name version` or `name version (source)`.
struct Wanted<'a> {
    name: &'a str,
    version: Option<&'a str>,
    source: Option<&'a str>,
}

impl<'a> Wanted<'a> {
    fn parse(text: &'a str) -> Wanted<'a> {
        let mut parts = text.split_whitespace();
        Wanted {
            name: parts.next().unwrap_or(""),
            version: parts.next(),
            source: parts
                .next()
                .map(|s| s.trim_start_matches('(').trim_end_matches(')')),
        }
    }

    /// The entry this dependency names among the entries called by its name: by version, then
    /// by source when one is written (falling back to the first of that version, as cargo-lock
    /// did, when the written source matches none).
    fn find(
        &self,
        candidates: &[usize],
        entries: &[LockEntry],
        raw: &[RawPackage],
    ) -> Option<usize> {
        // A version that is not one matches nothing, like a version no package has.
        let version = match self.version {
            None => None,
            Some(version) => Some(semver::Version::parse(version).ok()?),
        };
        let same_version = |index: &&usize| {
            version
                .as_ref()
                .is_none_or(|v| *v == entries[**index].version)
        };
        let mut matching = candidates.iter().filter(same_version);
        let first = *matching.clone().next()?;
        let Some(source) = self.source else {
            return Some(first);
        };
        Some(
            matching
                .find(|&&index| {
                    raw[index]
                        .source
                        .as_ref()
                        .is_some_and(|s| s.get_ref() == source)
                })
                .copied()
                .unwrap_or(first),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::path::Path;

    fn names(text: &str) -> Vec<(String, usize, Vec<usize>)> {
        parse(Path::new("Cargo.lock"), text)
            .expect("the lockfile parses")
            .into_iter()
            .map(|e| (format!("{} {}", e.name, e.version), e.line, e.dependencies))
            .collect()
    }

    #[test]
    fn short_forms_resolve_by_name_then_version_then_source() {
        let text = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["log", "rand 0.7.0", "rand 0.8.5 (git+https://example.com/rand#abc)"]

[[package]]
name = "log"
version = "0.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.7.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "git+https://example.com/rand#abc"
"#;
        let entries = names(text);
        assert_eq!(entries[0], ("app 0.1.0".into(), 4, vec![1, 2, 4]));
        assert_eq!(entries[4].1, 24);
    }

    #[test]
    fn a_bare_name_that_matches_nothing_is_an_error_on_its_line() {
        let text =
            "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"gone\",\n]\n";
        let err = parse(Path::new("Cargo.lock"), text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Cargo.lock:5") && err.contains("`gone`"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_version_or_source_is_an_error_naming_the_package() {
        let text = "[[package]]\nname = \"app\"\nversion = \"one\"\n";
        let err = parse(Path::new("Cargo.lock"), text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Cargo.lock:3") && err.contains("`app`"),
            "{err}"
        );
        let text = "[[package]]\nname = \"app\"\nversion = \"1.0.0\"\nsource = \"ftp+x\"\n";
        let err = parse(Path::new("Cargo.lock"), text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Cargo.lock:4") && err.contains("source"),
            "{err}"
        );
    }
}
