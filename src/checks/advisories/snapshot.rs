//! A snapshot of the loaded advisory data, so a scan reads one file instead of parsing 1,200
//! advisories again. Parsing the database is most of an advisory scan's time, and the database
//! changes a few times a day at most.
//!
//! The snapshot holds what [`Database::load`] returns (the merged advisories, each source's count
//! and age, and the warnings its files gave), in postcard: a compact serde format with a written
//! specification, whose decoder checks every length against the input and allocates no more than
//! the input holds. It is keyed by the content of the sources: each file's name, size and
//! modification time (what cargo's own fingerprints trust), and the commit of a git checkout,
//! whose date is the data's age. Deciding that the snapshot fits costs a walk over the database's
//! directories, no file of it is opened.
//!
//! It lives in the cache directory, never in the scanned tree, one file per set of sources:
//! `advisories/<hash of their paths>.snapshot`. A file is written beside its slot and renamed
//! into place, so a concurrent scan reads the old snapshot, the new one or none. One that is
//! short, does not start as ours, was made for other data or by another build of the loaders,
//! fails its SHA-256, does not decode, or decodes to a value no load gives is rebuilt, never
//! trusted. The digest catches damage, not forgery: the directory is the user's.

use super::advisory::{Advisory, Registry, VersionRange};
use super::database::{Database, SourceCount};
use super::{NOTICE, UNMAINTAINED, UNSOUND, VULNERABILITY};
use crate::check::Sources;
use crate::date::Date;
use crate::digest::hex;
use crate::error::Result;
use crate::finding::{Cvss, FindingKind, Warning};
use ::rustsec::cargo_lock::SourceId;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// What [`Database::load`] returns.
pub type Loaded = (Database, Vec<SourceCount>, Vec<Warning>);

/// Opens every snapshot file, so a file of another format is never decoded as this one.
const MAGIC: &[u8] = b"cargo-warden advisory snapshot\n";

/// Far above any real database's snapshot (RustSec's is a few MiB), and what an OSV source may
/// hold at most.
const MAX_SNAPSHOT: u64 = 512 << 20;

/// Snapshots of this many sets of sources are kept; past it, the least recently written go. A
/// test suite or a machine that scans with many databases does not fill the disk.
const KEPT_SNAPSHOTS: usize = 16;

/// How the data was served, for `-v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// Read from a sound snapshot.
    Snapshot,
    /// Parsed from the sources, and a snapshot written for the next scan.
    Parsed,
    /// Parsed; there is no cache directory, or the sources could not be fingerprinted.
    Uncached,
}

/// The advisory data of `sources`, from the snapshot in `cache_dir` when one fits, otherwise
/// parsed (and the snapshot written). A snapshot that cannot be written costs the next scan a
/// parse, so it is a warning, not an error.
pub fn load(sources: &Sources, cache_dir: Option<&Path>) -> Result<(Loaded, Served)> {
    let Some(slot) = cache_dir.and_then(|dir| slot(sources, dir)) else {
        return Ok((Database::load(sources)?, Served::Uncached));
    };
    // The walk that fingerprints the sources waits on the file system and the decoding on the
    // processor: the snapshot is decoded while the walk runs, and used only if the keys match.
    // Otherwise the parse reads the files the walk listed.
    let (walked, candidate) = rayon::join(|| key(sources), || read(&slot));
    let Some((key, listed)) = walked else {
        return Ok((Database::load(sources)?, Served::Uncached));
    };
    if let Some((stated, loaded)) = candidate {
        if stated == key {
            return Ok((loaded, Served::Snapshot));
        }
    }
    let parsed = (key, Database::load_listed(sources, listed)?);
    let (key, (database, counts, mut warnings)) = parsed;
    if let Err(problem) = write(&slot, &key, &database, &counts, &warnings) {
        warnings.push(Warning::new(
            "advisory-snapshot-unwritable",
            None,
            format!("the advisory snapshot cannot be written ({problem}), so every scan parses the whole database; give a writable `--cache-dir`"),
        ));
    }
    Ok(((database, counts, warnings), Served::Parsed))
}

/// Parses `sources` and writes their snapshot whatever is there (`cargo warden fetch`).
pub fn refresh(sources: &Sources, cache_dir: &Path) -> Result<std::result::Result<(), String>> {
    // The key first, then the parse of the files it listed (as `load` does): data that changes
    // between the two is then stored under the older key, which the next scan does not match.
    let (Some(slot), Some((key, listed))) = (slot(sources, cache_dir), key(sources)) else {
        Database::load(sources)?;
        return Ok(Err("the advisory sources cannot be walked".to_owned()));
    };
    let (database, counts, warnings) = Database::load_listed(sources, listed)?;
    Ok(write(&slot, &key, &database, &counts, &warnings))
}

/// The snapshot file for these sources: one per set of real paths, so two spellings of the same
/// directories share it. `None` when a source does not exist (the load that follows says so).
fn slot(sources: &Sources, cache_dir: &Path) -> Option<PathBuf> {
    let mut slot = Sha256::new();
    for (kind, path) in each_source(sources) {
        slot.update(kind.as_bytes());
        slot.update([0]);
        slot.update(path.canonicalize().ok()?.as_os_str().as_encoded_bytes());
        slot.update([0]);
    }
    let name = hex(&slot.finalize()[..12]);
    Some(
        cache_dir
            .join("advisories")
            .join(format!("{name}.snapshot")),
    )
}

fn each_source(sources: &Sources) -> impl Iterator<Item = (&'static str, &PathBuf)> {
    sources
        .rustsec
        .iter()
        .map(|path| ("rustsec", path))
        .chain(sources.osv.iter().map(|path| ("osv", path)))
}

/// What a snapshot of these sources must be keyed by: how each source was spelled (warnings and
/// counts name it so), each file's name, size and modification time, a checkout's commit, and the
/// loaders' version; with it, the RustSec checkout's advisory files. `None` when a source cannot
/// be walked.
fn key(sources: &Sources) -> Option<([u8; 32], Option<Vec<PathBuf>>)> {
    let mut listed = None;
    let mut key = Sha256::new();
    key.update(MAGIC);
    key.update(loader_version().as_bytes());
    for (kind, path) in each_source(sources) {
        key.update(kind.as_bytes());
        key.update([0]);
        key.update(path.as_os_str().as_encoded_bytes());
        key.update([0]);
        // A checkout's age is its last commit's date, which the snapshot keeps.
        key.update(head_commit(path).unwrap_or_default().as_bytes());
        key.update([0]);
        let files = match kind {
            "rustsec" => {
                let (lines, paths): (Vec<String>, Vec<PathBuf>) =
                    rustsec_files(path)?.into_iter().unzip();
                listed = Some(paths);
                lines
            }
            _ => osv_files(path)?,
        };
        for file in files {
            key.update(file.as_bytes());
        }
    }
    Some((key.finalize().into(), listed))
}

/// Changes whenever what a load returns for the same files can change: the tool's version, the
/// locked versions of the parsers it uses, and the source of the code that loads (so a change to a loader retires every snapshot without
/// anybody having to remember to bump a number).
fn loader_version() -> String {
    crate::digest::version_of(&[
        include_str!("rustsec.rs"),
        include_str!("osv.rs"),
        include_str!("database.rs"),
        include_str!("advisory.rs"),
        include_str!("snapshot.rs"),
        include_str!("fix.rs"),
        include_str!("../../date.rs"),
        include_str!("../../read.rs"),
        include_str!("../../paths.rs"),
        include_str!("../../digest.rs"),
        // The parsers' versions (the rustsec crate's, toml's, cvss's) are in the lockfile.
        include_str!("../../../Cargo.lock"),
        env!("CARGO_PKG_VERSION"),
    ])
}

/// `name size mtime` of one file, one line.
fn file_line(relative: &str, metadata: &std::fs::Metadata) -> String {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or((0, 0), |since| (since.as_secs(), since.subsec_nanos()));
    format!(
        "{relative}\0{}\0{}.{}\n",
        metadata.len(),
        modified.0,
        modified.1
    )
}

/// Every `crates/*/*.md` of a RustSec checkout (what its loader reads): its line of the key and
/// its path, sorted by package and name.
fn rustsec_files(path: &Path) -> Option<Vec<(String, PathBuf)>> {
    let crates = path.join("crates");
    let mut packages: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&crates).ok()? {
        let entry = entry.ok()?;
        // The loader follows links, so the walk does too (a plain directory costs no stat).
        let file_type = entry.file_type().ok()?;
        let is_dir = if file_type.is_symlink() {
            std::fs::metadata(entry.path()).ok()?.is_dir()
        } else {
            file_type.is_dir()
        };
        if is_dir {
            packages.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            ));
        }
    }
    packages.sort();
    let per_package: Vec<Option<Vec<(String, PathBuf)>>> = packages
        .par_iter()
        .map(|(name, dir)| {
            let mut lines = Vec::new();
            for entry in std::fs::read_dir(dir).ok()? {
                let entry = entry.ok()?;
                let file = entry.file_name();
                if Path::new(&file).extension().is_none_or(|ext| ext != "md") {
                    continue;
                }
                let metadata = if entry.file_type().ok()?.is_symlink() {
                    std::fs::metadata(entry.path()).ok()?
                } else {
                    entry.metadata().ok()?
                };
                lines.push((
                    file_line(&format!("{name}/{}", file.to_string_lossy()), &metadata),
                    entry.path(),
                ));
            }
            lines.sort();
            Some(lines)
        })
        .collect();
    let mut files = Vec::new();
    for lines in per_package {
        files.extend(lines?);
    }
    Some(files)
}

/// An OSV source: the archive or file itself, or every `*.json` under a directory, sorted.
fn osv_files(path: &Path) -> Option<Vec<String>> {
    let metadata = std::fs::metadata(path).ok()?;
    if metadata.is_file() {
        return Some(vec![file_line("", &metadata)]);
    }
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(path)
        .standard_filters(false)
        .build();
    for entry in walker {
        let entry = entry.ok()?;
        if entry.file_type().is_some_and(|t| t.is_file())
            && entry.path().extension().is_some_and(|ext| ext == "json")
        {
            let relative = entry.path().strip_prefix(path).unwrap_or(entry.path());
            files.push(file_line(
                &relative.to_string_lossy(),
                &entry.metadata().ok()?,
            ));
        }
    }
    files.sort();
    Some(files)
}

/// The commit a git checkout is at, read from `.git` (a process per scan would cost more than the
/// rest of the check); `git rev-parse` for layouts this does not read (a worktree's `.git` file).
fn head_commit(path: &Path) -> Option<String> {
    let git = path.join(".git");
    if !git.exists() {
        return None;
    }
    let read = |file: &Path| crate::read::read_text_capped(file, 1 << 20).ok();
    let from_files = || {
        let head = read(&git.join("HEAD"))?;
        let head = head.trim();
        let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
            return Some(head.to_owned());
        };
        if reference.split('/').any(|part| part == "..") {
            return None;
        }
        if let Some(commit) = read(&git.join(reference)) {
            return Some(commit.trim().to_owned());
        }
        let packed = read(&git.join("packed-refs"))?;
        packed.lines().find_map(|line| {
            let (commit, name) = line.split_once(' ')?;
            (name.trim() == reference).then(|| commit.to_owned())
        })
    };
    if git.is_dir() {
        if let Some(commit) = from_files() {
            return Some(commit);
        }
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(path)
        // The checkout at `path`, not a repository the environment names (as in a git hook).
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The snapshot in `slot` and the key it states, when it is whole and decodes to a value a load
/// could give.
fn read(slot: &Path) -> Option<([u8; 32], Loaded)> {
    let bytes = crate::read::read_capped(slot, MAX_SNAPSHOT).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (stated_key, rest) = rest.split_at_checked(32)?;
    let (digest, body) = rest.split_at_checked(32)?;
    if Sha256::digest(body)[..] != digest[..] {
        return None;
    }
    let stored: Stored = postcard::from_bytes(body).ok()?;
    Some((stated_key.try_into().ok()?, stored.into_loaded()?))
}

fn write(
    slot: &Path,
    key: &[u8; 32],
    database: &Database,
    counts: &[SourceCount],
    warnings: &[Warning],
) -> std::result::Result<(), String> {
    let dir = slot.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let body = postcard::to_stdvec(&Stored::new(database, counts, warnings))
        .map_err(|err| format!("{}: {err}", slot.display()))?;
    let mut file = tempfile::Builder::new()
        .prefix(".snapshot.")
        .tempfile_in(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?;
    file.write_all(MAGIC)
        .and_then(|()| file.write_all(key))
        .and_then(|()| file.write_all(&Sha256::digest(&body)))
        .and_then(|()| file.write_all(&body))
        .map_err(|err| format!("{}: {err}", slot.display()))?;
    file.persist(slot)
        .map_err(|err| format!("{}: {}", slot.display(), err.error))?;
    prune(dir);
    Ok(())
}

/// Keeps the most recently written snapshots, and removes temporary files a killed scan left an
/// hour or more ago; best effort (a snapshot another scan is reading stays readable through its
/// open file).
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
    for entry in &entries {
        let left_behind = entry
            .file_name()
            .to_string_lossy()
            .starts_with(".snapshot.")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < hour_ago);
        if left_behind {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let mut snapshots: Vec<(std::time::SystemTime, PathBuf)> = entries
        .iter()
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|ext| ext == "snapshot")
        })
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    if snapshots.len() <= KEPT_SNAPSHOTS {
        return;
    }
    snapshots.sort();
    for (_, path) in &snapshots[..snapshots.len() - KEPT_SNAPSHOTS] {
        let _ = std::fs::remove_file(path);
    }
}

/// The stored form: plain strings and numbers, turned back into the loader's types (and checked)
/// on the way in.
#[derive(Serialize, Deserialize)]
struct Stored {
    advisories: Vec<StoredAdvisory>,
    counts: Vec<StoredCount>,
    warnings: Vec<StoredWarning>,
}

#[derive(Serialize, Deserialize)]
struct StoredAdvisory {
    id: String,
    package: String,
    kind: String,
    title: String,
    description: String,
    date: Option<String>,
    aliases: Vec<String>,
    references: Vec<String>,
    categories: Vec<String>,
    cvss: Option<(String, f64)>,
    withdrawn: bool,
    ranges: Vec<[Option<String>; 3]>,
    versions: Vec<String>,
    patched: Vec<String>,
    unaffected: Vec<String>,
    fixed: Vec<String>,
    /// `None`: crates.io.
    registry: Option<String>,
    sources: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredCount {
    kind: String,
    path: PathBuf,
    advisories: u64,
    updated: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredWarning {
    code: String,
    file: Option<String>,
    message: String,
}

/// The kinds and sources an advisory can have, and the warnings a load can give: a stored name
/// outside these is a snapshot no load wrote.
const KINDS: [FindingKind; 4] = [VULNERABILITY, UNSOUND, UNMAINTAINED, NOTICE];
const SOURCES: [&str; 2] = ["rustsec", "osv"];
const WARNING_CODES: [&str; 3] = ["malformed-advisory", "duplicate-advisory", "malformed-osv"];

fn known<T: Copy>(names: &[T], name: &str, of: impl Fn(T) -> &'static str) -> Option<T> {
    names.iter().copied().find(|&item| of(item) == name)
}

impl Stored {
    fn new(database: &Database, counts: &[SourceCount], warnings: &[Warning]) -> Stored {
        let strings = |list: &[semver::Version]| list.iter().map(ToString::to_string).collect();
        Stored {
            advisories: database
                .advisories()
                .iter()
                .map(|a| StoredAdvisory {
                    id: a.id.clone(),
                    package: a.package.clone(),
                    kind: a.kind.name.to_owned(),
                    title: a.title.clone(),
                    description: a.description.clone(),
                    date: a.date.map(|date| date.to_string()),
                    aliases: a.aliases.clone(),
                    references: a.references.clone(),
                    categories: a.categories.clone(),
                    cvss: a.cvss.as_ref().map(|c| (c.vector.clone(), c.score)),
                    withdrawn: a.withdrawn,
                    ranges: a
                        .ranges
                        .iter()
                        .map(|r| {
                            [&r.introduced, &r.fixed, &r.last_affected]
                                .map(|v| v.as_ref().map(ToString::to_string))
                        })
                        .collect(),
                    versions: strings(&a.versions),
                    patched: a.patched.clone(),
                    unaffected: a.unaffected.clone(),
                    fixed: strings(&a.fixed),
                    registry: match &a.registry {
                        Registry::CratesIo => None,
                        Registry::Other(source) => Some(source.to_string()),
                    },
                    sources: a.sources.iter().map(|s| (*s).to_owned()).collect(),
                })
                .collect(),
            counts: counts
                .iter()
                .map(|c| StoredCount {
                    kind: c.kind.to_owned(),
                    path: c.path.clone(),
                    advisories: c.advisories as u64,
                    updated: c.updated.map(|date| date.to_string()),
                })
                .collect(),
            warnings: warnings
                .iter()
                .map(|w| StoredWarning {
                    code: w.code.to_owned(),
                    file: w.file.clone(),
                    message: w.message.clone(),
                })
                .collect(),
        }
    }

    /// `None` when any value is one no load gives.
    fn into_loaded(self) -> Option<Loaded> {
        let version = |text: &String| semver::Version::parse(text).ok();
        let versions = |list: Vec<String>| list.iter().map(version).collect::<Option<Vec<_>>>();
        let date = |text: Option<String>| match text {
            None => Some(None),
            Some(text) => Date::parse(&text).map(Some),
        };
        let mut advisories = Vec::with_capacity(self.advisories.len());
        for a in self.advisories {
            let mut ranges = Vec::with_capacity(a.ranges.len());
            for [introduced, fixed, last_affected] in a.ranges {
                let bound = |text: Option<String>| match text {
                    None => Some(None),
                    Some(text) => version(&text).map(Some),
                };
                ranges.push(VersionRange {
                    introduced: bound(introduced)?,
                    fixed: bound(fixed)?,
                    last_affected: bound(last_affected)?,
                });
            }
            let sources = a
                .sources
                .iter()
                .map(|name| known(&SOURCES, name, |s| s))
                .collect::<Option<_>>()?;
            advisories.push(Advisory {
                kind: known(&KINDS, &a.kind, |kind| kind.name)?,
                date: date(a.date)?,
                cvss: a.cvss.map(|(vector, score)| Cvss { vector, score }),
                ranges,
                versions: versions(a.versions)?,
                fixed: versions(a.fixed)?,
                registry: match a.registry {
                    None => Registry::CratesIo,
                    Some(url) => Registry::Other(SourceId::from_url(&url).ok()?),
                },
                sources,
                id: a.id,
                package: a.package,
                title: a.title,
                description: a.description,
                aliases: a.aliases,
                references: a.references,
                categories: a.categories,
                withdrawn: a.withdrawn,
                patched: a.patched,
                unaffected: a.unaffected,
            });
        }
        let mut counts = Vec::with_capacity(self.counts.len());
        for c in self.counts {
            counts.push(SourceCount {
                kind: known(&SOURCES, &c.kind, |s| s)?,
                path: c.path,
                advisories: usize::try_from(c.advisories).ok()?,
                updated: date(c.updated)?,
            });
        }
        let mut warnings = Vec::with_capacity(self.warnings.len());
        for w in self.warnings {
            warnings.push(Warning::new(
                known(&WARNING_CODES, &w.code, |code| code)?,
                w.file,
                w.message,
            ));
        }
        Some((Database::new(advisories), counts, warnings))
    }
}
