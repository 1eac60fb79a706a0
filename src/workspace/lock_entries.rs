//! The `[[package]]` entries of a Cargo.lock and the packages each one depends on: read by the
//! line reader (`lock_lines.rs`) when the file is in the shape cargo writes, else through the
//! TOML parser; checked and resolved here the same way either way.
//!
//! cargo-lock's `Lockfile` resolves every short dependency (`"serde"`, `"serde 1.0.0"`) by a
//! search through all packages, which is quadratic: a 60,000-package lockfile took 18 s. Here one
//! index by name makes each lookup constant time, and the spans the TOML reader keeps give each
//! entry's line without a second pass over the text. The resolution rules are cargo's: a
//! dependency without a source is the first package of that name (and version, when given); one
//! naming a source is the package from that source.

use super::lock_lines::{Field, WrittenPackage};
use crate::error::{one_line, Error, LineStarts, Result};
use rustsec::cargo_lock::SourceId;
use serde::Deserialize;
use std::borrow::Cow;
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

impl<'a> From<RawPackage> for WrittenPackage<'a> {
    fn from(raw: RawPackage) -> WrittenPackage<'a> {
        let field = |spanned: Spanned<String>| Field {
            offset: spanned.span().start,
            value: Cow::Owned(spanned.into_inner()),
        };
        WrittenPackage {
            name: Some(field(raw.name)),
            version: Some(field(raw.version)),
            source: raw.source.map(field),
            checksum: raw.checksum.map(field),
            dependencies: Some(raw.dependencies.into_iter().map(field).collect()),
        }
    }
}

/// The packages of the lockfile text: read line by line when it is in the shape cargo writes
/// (`lock_lines.rs`), else through the TOML parser, whose messages name what is wrong.
fn written<'a>(
    text: &'a str,
    error: impl Fn(usize, String) -> Error,
) -> Result<Vec<WrittenPackage<'a>>> {
    if let Some(packages) = super::lock_lines::read(text) {
        return Ok(packages);
    }
    from_toml(text, error)
}

fn from_toml<'a>(
    text: &'a str,
    error: impl Fn(usize, String) -> Error,
) -> Result<Vec<WrittenPackage<'a>>> {
    let raw: RawLockfile = toml::from_str(text).map_err(|err| {
        error(
            err.span().map_or(0, |span| span.start),
            one_line(err.message()),
        )
    })?;
    Ok(raw
        .root
        .into_iter()
        .chain(raw.package)
        .map(WrittenPackage::from)
        .collect())
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
    let written = written(text, error)?;
    // Every field but the name and version is optional; both paths only give packages that
    // have the two.
    let required = |field: &Option<Field<'_>>| -> Result<(String, usize)> {
        let field = field
            .as_ref()
            .ok_or_else(|| error(0, "a package has no name or version".into()))?;
        Ok((field.value.to_string(), field.offset))
    };

    // Most packages come from one or two registries: each source is parsed once.
    let mut sources: HashMap<&str, SourceId> = HashMap::new();
    let mut entries = Vec::with_capacity(written.len());
    for package in &written {
        let (name, name_offset) = required(&package.name)?;
        let (version, version_offset) = required(&package.version)?;
        if name.trim().is_empty() {
            return Err(error(name_offset, "a package has an empty `name`".into()));
        }
        let version = semver::Version::parse(&version).map_err(|err| {
            error(
                version_offset,
                format!("the version of `{name}` is not a semantic version: {err}"),
            )
        })?;
        let source = match &package.source {
            None => None,
            Some(source) => {
                let text: &str = &source.value;
                match sources.get(text) {
                    Some(known) => Some(known.clone()),
                    None => {
                        let parsed = SourceId::from_url(text).map_err(|err| {
                            error(
                                source.offset,
                                format!("the source of `{name}` is not a package source: {err}"),
                            )
                        })?;
                        sources.insert(text, parsed.clone());
                        Some(parsed)
                    }
                }
            }
        };
        // Cargo writes a SHA-256 in hex; anything else is damage (the reader this replaced
        // panicked on a multi-byte character here).
        if let Some(checksum) = &package.checksum {
            let digest = &checksum.value;
            if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(error(
                    checksum.offset,
                    format!("the checksum of `{name}` is not a SHA-256 in hex (64 hex digits); regenerate the lockfile with `cargo generate-lockfile`"),
                ));
            }
        }
        entries.push(LockEntry {
            checksum: package
                .checksum
                .as_ref()
                .map(|c| c.value.to_ascii_lowercase()),
            name,
            version,
            source,
            line: lines.line(name_offset),
            dependencies: Vec::new(),
        });
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        by_name.entry(entry.name.as_str()).or_default().push(index);
    }
    let no_dependencies = Vec::new();
    let mut all_dependencies = Vec::with_capacity(entries.len());
    for (package, entry) in written.iter().zip(&entries) {
        let listed = package.dependencies.as_ref().unwrap_or(&no_dependencies);
        let mut dependencies = Vec::with_capacity(listed.len());
        for dependency in listed {
            let wanted = Wanted::parse(&dependency.value);
            let candidates = by_name.get(wanted.name).map_or(&[][..], Vec::as_slice);
            match wanted.find(candidates, &entries, &written) {
                Some(index) => dependencies.push(index),
                // Cargo's rule: a bare name must resolve; a versioned one that matches nothing
                // is left out of the graph.
                None if wanted.version.is_none() => {
                    return Err(error(
                        dependency.offset,
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

/// Whether the line reader, when it accepts `text`, reads the same packages (every field's value
/// and line) as the TOML parser: the fuzz target `lockfile` and the tests hold it to this.
pub(crate) fn readers_agree(text: &str) -> bool {
    let Some(fast) = super::lock_lines::read(text) else {
        return true;
    };
    let no_error = |_: usize, message: String| Error::Lockfile {
        path: Path::new("").to_path_buf(),
        line: 0,
        message,
    };
    let Ok(slow) = from_toml(text, no_error) else {
        return false;
    };
    let lines = LineStarts::new(text);
    let field = |f: &Option<Field<'_>>| {
        f.as_ref()
            .map(|f| (f.value.to_string(), lines.line(f.offset)))
    };
    let fields = |p: &WrittenPackage<'_>| {
        let dependencies: Vec<(String, usize)> = p
            .dependencies
            .iter()
            .flatten()
            .map(|f| (f.value.to_string(), lines.line(f.offset)))
            .collect();
        (
            field(&p.name),
            field(&p.version),
            field(&p.source),
            field(&p.checksum),
            dependencies,
        )
    };
    fast.len() == slow.len() && fast.iter().zip(&slow).all(|(a, b)| fields(a) == fields(b))
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
        written: &[WrittenPackage<'_>],
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
                    written[index]
                        .source
                        .as_ref()
                        .is_some_and(|s| s.value == source)
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

#[cfg(test)]
mod line_reader_tests {
    use super::super::lock_lines::read;
    use super::readers_agree;
    use std::path::{Path, PathBuf};

    fn lockfiles(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                lockfiles(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "lock") {
                found.push(path);
            }
        }
    }

    /// Every lockfile in the fixtures (and the shared corpus, when it is there) that the TOML
    /// parser reads is read by the line reader too, to the same packages.
    #[test]
    fn real_lockfiles_take_the_line_reader_and_agree_with_toml() {
        let mut files = Vec::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        lockfiles(&root.join("fixtures"), &mut files);
        lockfiles(&root.join("../shared/parity"), &mut files);
        lockfiles(&root.join("../shared/bench/deps-corpus"), &mut files);
        assert!(files.len() > 10, "{} lockfiles", files.len());
        let mut fast = 0;
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            let toml_reads_it = toml::from_str::<toml::Table>(&text).is_ok();
            assert!(readers_agree(&text), "{}", file.display());
            if read(&text).is_some() {
                fast += 1;
            } else {
                assert!(
                    !toml_reads_it || !text.contains("[[package]]") || text.contains('\\'),
                    "{}: valid and cargo-shaped, yet not taken by the line reader",
                    file.display()
                );
            }
        }
        assert!(
            fast > 10,
            "only {fast} of {} took the line reader",
            files.len()
        );
    }

    const CANONICAL: &str = "# comment\nversion = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"log\",\n]\n\n[[package]]\nname = \"log\"\nversion = \"0.4.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n";

    #[test]
    fn the_shape_cargo_writes_is_read_line_by_line() {
        let packages = read(CANONICAL).expect("canonical");
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[1].name.as_ref().unwrap().value, "log");
        let crlf = CANONICAL.replace('\n', "\r\n");
        assert!(read(&crlf).is_some() && readers_agree(&crlf));
    }

    /// Each edit leaves valid TOML the line reader does not take, or TOML that is not valid: both
    /// go to the TOML parser, and where the line reader does take one the two agree.
    #[test]
    fn anything_else_goes_to_the_toml_parser() {
        let edits: [(&str, &str); 15] = [
            ("name = \"log\"", "name = \"l\\u006fg\""),
            ("name = \"log\"", "\"name\" = \"log\""),
            ("name = \"log\"", "name = 'log'"),
            ("version = 3", "version = 03"),
            ("version = 3", "version = \"3\""),
            ("dependencies = [\n \"log\",\n]", "dependencies = [\"log\"]"),
            (
                "dependencies = [\n \"log\",\n]",
                "dependencies = [\n # why\n \"log\",\n]",
            ),
            (
                "dependencies = [\n \"log\",\n]",
                "dependencies = [\n \"log\"\n \"log\",\n]",
            ),
            ("name = \"app\"", "name = \"app\"\nname = \"app2\""),
            ("[[package]]\nname = \"log\"", "[package]\nname = \"log\""),
            (
                "[[package]]\nname = \"log\"",
                "[[ package ]]\nname = \"log\"",
            ),
            ("version = \"0.1.0\"", "version = \"0.1.0\" trailing"),
            ("version = \"0.1.0\"", "version.major = \"0\""),
            ("name = \"log\"", "name = \"lo\u{1}g\""),
            // A lone carriage return (here the last byte) is not a line end in TOML.
            ("0123456789abcdef\"\n", "0123456789abcdef\"\r"),
        ];
        for (from, to) in edits {
            let text = CANONICAL.replacen(from, to, 1);
            assert_ne!(text, CANONICAL, "{from}");
            assert!(read(&text).is_none(), "taken: {to}");
            assert!(readers_agree(&text), "{to}");
        }
        // Accepted variations read the same as TOML reads them.
        for (from, to) in [
            ("name = \"log\"", "  name=\"log\"   # the logger"),
            ("version = 3", "version = 3 # format"),
            (
                "dependencies = [\n \"log\",\n]",
                "dependencies = [\n\t\"log\"\n]",
            ),
            ("dependencies = [\n \"log\",\n]", "dependencies = []"),
            ("name = \"log\"", "name = \"log\"\nreplace = \"log 0.4.1\""),
        ] {
            let text = CANONICAL.replacen(from, to, 1);
            assert!(read(&text).is_some(), "refused: {to}");
            assert!(readers_agree(&text), "{to}");
        }
    }
}
