//! Reading a RustSec advisory-db checkout (`crates/<package>/<ID>.md`) file by file through the
//! `rustsec` crate's parser, into [`Advisory`]s. Version matching uses RustSec's own conversion of
//! `patched`/`unaffected` into ranges, so results equal cargo-audit's.

use super::advisory::{display, Advisory, Registry, VersionRange};
use super::fix;
use super::{NOTICE, UNMAINTAINED, UNSOUND, VULNERABILITY};
use crate::date::Date;
use crate::error::{one_line, Error, Result};
use crate::finding::{Cvss, Warning};
use rayon::prelude::*;
use rustsec::advisory::Informational;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The id RustSec reserves for its advisory template and drafts.
const TEMPLATE_ID: &str = "RUSTSEC-0000-0000";

/// Reads `<path>/crates/*/*.md`. Files that do not parse are skipped and come back as warnings.
/// `listed`: those files, when a walk over the checkout already found them.
pub fn load(path: &Path, listed: Option<Vec<PathBuf>>) -> Result<(Vec<Advisory>, Vec<Warning>)> {
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
    let files = match listed {
        Some(mut files) => {
            // The order duplicates are judged in: the listing's.
            files.sort();
            files
        }
        None => advisory_files(&crates_dir)?,
    };
    let parsed: Vec<Result<rustsec::Advisory, Warning>> =
        files.par_iter().map(|file| parse_advisory(file)).collect();

    let mut advisories = Vec::new();
    let mut warnings = Vec::new();
    let mut seen_ids: HashMap<String, PathBuf> = HashMap::new();
    for (file, result) in files.iter().zip(parsed) {
        let advisory = match result {
            Ok(advisory) => advisory,
            Err(warning) => {
                warnings.push(warning);
                continue;
            }
        };
        let id = advisory.metadata.id.to_string();
        // The database's template advisory uses a reserved id; it describes no real crate.
        if id == TEMPLATE_ID {
            continue;
        }
        if let Some(first) = seen_ids.get(&id) {
            warnings.push(Warning::new(
                "duplicate-advisory",
                Some(display(file)),
                format!(
                    "advisory {id} is also defined in {}; using that one",
                    display(first)
                ),
            ));
            continue;
        }
        seen_ids.insert(id, file.clone());
        advisories.extend(convert(advisory));
    }
    Ok((advisories, warnings))
}

/// `None` for informational advisories of a kind we do not report (RustSec allows free-form
/// `informational` values; cargo-audit skips them too).
pub(crate) fn convert(advisory: rustsec::Advisory) -> Option<Advisory> {
    let meta = &advisory.metadata;
    let kind = match &meta.informational {
        None => VULNERABILITY,
        Some(Informational::Unmaintained) => UNMAINTAINED,
        Some(Informational::Unsound) => UNSOUND,
        Some(Informational::Notice) => NOTICE,
        Some(_) => return None,
    };
    let ranges = rustsec::osv::ranges_for_advisory(&advisory.versions)
        .into_iter()
        .map(|range| VersionRange {
            introduced: range.introduced,
            fixed: range.fixed,
            last_affected: None,
        })
        .collect();
    let mut references: Vec<String> = meta.url.iter().map(|u| u.to_string()).collect();
    references.extend(meta.references.iter().map(|u| u.to_string()));
    references.dedup();
    let registry = match &meta.source {
        Some(source) if !source.is_default_registry() => Registry::Other(source.clone()),
        _ => Registry::CratesIo,
    };
    Some(Advisory {
        id: meta.id.to_string(),
        package: meta.package.as_str().to_owned(),
        kind,
        title: meta.title.clone(),
        description: meta.description.trim().to_owned(),
        date: Date::parse(meta.date.as_str()),
        aliases: meta.aliases.iter().map(|a| a.to_string()).collect(),
        references,
        categories: meta.categories.iter().map(|c| c.to_string()).collect(),
        cvss: meta.cvss.as_ref().map(|cvss| Cvss {
            vector: cvss.to_string(),
            score: (cvss.score() * 10.0).round() / 10.0,
        }),
        withdrawn: meta.withdrawn.is_some(),
        ranges,
        versions: Vec::new(),
        patched: advisory
            .versions
            .patched()
            .iter()
            .map(|r| r.to_string())
            .collect(),
        unaffected: advisory
            .versions
            .unaffected()
            .iter()
            .map(|r| r.to_string())
            .collect(),
        fixed: advisory
            .versions
            .patched()
            .iter()
            .filter_map(fix::lowest_matching)
            .collect(),
        registry,
        sources: BTreeSet::from(["rustsec"]),
    })
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

fn parse_advisory(file: &Path) -> Result<rustsec::Advisory, Warning> {
    let warn = |problem: String| {
        Warning::new(
            "malformed-advisory",
            Some(display(file)),
            format!("skipped advisory: {problem}"),
        )
    };
    let text = crate::read::read_text_capped(file, crate::read::caps::ADVISORY)
        .map_err(|err| warn(err.to_string()))?;
    // Every advisory file sits in its package's directory (`crates/NAME/`), checked by name.
    let package_dir = file
        .parent()
        .and_then(Path::file_name)
        .map_or(String::new(), |name| name.to_string_lossy().into_owned());
    parse_text(&text, Some(&package_dir)).map_err(warn)
}

/// One advisory file's text, found in the directory named `package_dir` (`None`: not checked):
/// the advisory, or the problem with it.
pub(crate) fn parse_text(
    text: &str,
    package_dir: Option<&str>,
) -> Result<rustsec::Advisory, String> {
    // rustsec quotes the first 20 bytes of a file that does not open with the TOML block, and
    // panics when they split a character; the check is made here first.
    if !text.starts_with("```toml") {
        return Err("it does not open with a ```toml block of metadata".into());
    }
    // rustsec asserts on some malformed input (overlapping `patched` and `unaffected` ranges, a
    // character split at its header's byte 20): a panic there is this file's problem alone.
    let mut advisory: rustsec::Advisory = crate::catch::catch(|| text.parse())
        .map_err(|panic| format!("the advisory parser failed on it ({panic})"))?
        .map_err(|err: rustsec::Error| without_snippet(&err.to_string()))?;
    if package_dir.is_some_and(|dir| dir != advisory.metadata.package.as_str()) {
        return Err(format!(
            "it is about package `{}` but sits in the directory of `{}`",
            advisory.metadata.package,
            package_dir.unwrap_or_default()
        ));
    }
    advisory.metadata.collection = Some(rustsec::Collection::Crates);
    Ok(advisory)
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
