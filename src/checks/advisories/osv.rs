//! Reading OSV records (the schema osv.dev and the RustSec OSV export use) for the `crates.io`
//! ecosystem into [`Advisory`]s. A directory is searched at any depth for `*.json`; a `.zip` is
//! read like osv.dev's per-ecosystem `all.zip`; records of other ecosystems are skipped; a
//! malformed record is a warning, never a failed scan.

use super::advisory::{display, Advisory, Registry, VersionRange};
use super::{NOTICE, UNMAINTAINED, UNSOUND, VULNERABILITY};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{Cvss, Warning};
use rayon::prelude::*;
use semver::Version;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ECOSYSTEM: &str = "crates.io";

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Option<Vec<Severity>>,
    #[serde(default)]
    affected: Option<Vec<Affected>>,
    #[serde(default)]
    references: Option<Vec<Reference>>,
}

#[derive(Deserialize)]
struct Severity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Reference {
    url: String,
}

#[derive(Deserialize)]
struct Affected {
    package: Option<Package>,
    #[serde(default)]
    ranges: Option<Vec<Range>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    database_specific: Option<DatabaseSpecific>,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

/// What the RustSec export writes per affected package.
#[derive(Deserialize, Default)]
struct DatabaseSpecific {
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    categories: Option<Vec<String>>,
}

/// Every OSV record under `path`: a directory (at any depth), a zip of records, or one `.json`.
pub fn load(path: &Path) -> Result<(Vec<Advisory>, Vec<Warning>)> {
    if !path.exists() {
        return Err(Error::PathNotFound {
            path: path.to_path_buf(),
        });
    }
    let parsed: Vec<Result<Vec<Advisory>, Warning>> = if path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
    {
        zip_records(path)?
            .par_iter()
            .map(|(name, text)| match text {
                Ok(text) => parse_text(name, text),
                Err(problem) => Err(malformed(name, problem.clone())),
            })
            .collect()
    } else {
        json_files(path)?
            .par_iter()
            .map(|file| {
                let name = display(file);
                match crate::read::read_text_capped(file, crate::read::caps::OSV_RECORD) {
                    Ok(text) => parse_text(&name, &text),
                    Err(err) => Err(malformed(&name, err.to_string())),
                }
            })
            .collect()
    };
    let mut advisories = Vec::new();
    let mut warnings = Vec::new();
    for result in parsed {
        match result {
            Ok(mut found) => advisories.append(&mut found),
            Err(warning) => warnings.push(warning),
        }
    }
    Ok((advisories, warnings))
}

fn json_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut bytes: u64 = 0;
    let walker = ignore::WalkBuilder::new(path)
        .standard_filters(false)
        .build();
    for entry in walker {
        let entry = entry.map_err(|err| Error::Walk {
            path: path.to_path_buf(),
            message: err.to_string(),
        })?;
        if entry.file_type().is_some_and(|t| t.is_file())
            && entry.path().extension().is_some_and(|ext| ext == "json")
        {
            // What is read of a file is capped at the record cap (past it, the file is one
            // malformed record), so that is what it counts; a file that grows after this is
            // still bounded by the cap.
            let cap = crate::read::caps::OSV_RECORD + 1;
            bytes += entry.metadata().map_or(0, |m| m.len().min(cap));
            if bytes > MAX_SOURCE_BYTES {
                return Err(too_large(path));
            }
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// The `.json` members of a zip archive, read in archive order (decompression is sequential;
/// parsing then runs in parallel).
type ZipRecord = (String, Result<String, String>);

/// What one source's OSV records may hold in all, read from a folder or inflated from a zip: the
/// whole crates.io export is about 5 MiB, and every record is held in memory until matched, so a
/// source past this (a zip bomb, a folder of huge files, both of which a scanned tree's
/// `warden.toml` can point at) is refused before it is read rather than read into all the
/// memory there is.
const MAX_SOURCE_BYTES: u64 = 256 << 20;

fn too_large(path: &Path) -> Error {
    Error::OsvSource {
        path: path.to_path_buf(),
        message: format!(
            "its records hold more than {} MiB, far more than any real advisory export (crates.io's is about 5 MiB); check where it came from",
            MAX_SOURCE_BYTES >> 20
        ),
    }
}

fn zip_records(path: &Path) -> Result<Vec<ZipRecord>> {
    use std::io::Read;
    let unreadable = |message: String| Error::OsvSource {
        path: path.to_path_buf(),
        message,
    };
    // What the archive inflates to is capped per record (one bad record is a warning) and in
    // total (a zip bomb is an error naming the archive, not all the memory there is).
    let metadata = std::fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.is_file() {
        return Err(unreadable(
            "not a regular file (a device, FIFO or socket)".to_owned(),
        ));
    }
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut inflated: u64 = 0;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|err| unreadable(format!("not a readable zip archive ({err})")))?;
    let mut records = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|err| unreadable(format!("entry {index}: {err}")))?;
        let member = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if !entry.is_file() || !member.ends_with(".json") {
            continue;
        }
        let name = format!("{}:{member}", display(path));
        // A member that does not decompress, is not UTF-8 or inflates past the record cap is
        // one bad record, not a bad source; every byte inflated counts toward the total.
        let cap = crate::read::caps::OSV_RECORD;
        let mut bytes = Vec::new();
        let read = (&mut entry).take(cap + 1).read_to_end(&mut bytes);
        inflated += bytes.len() as u64;
        if inflated > MAX_SOURCE_BYTES {
            return Err(too_large(path));
        }
        let read = match read {
            Err(err) => Err(err.to_string()),
            Ok(n) if n as u64 > cap => Err(format!("it inflates to more than {cap} bytes")),
            Ok(_) => String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned()),
        };
        records.push((name, read));
    }
    Ok(records)
}

fn malformed(name: &str, problem: String) -> Warning {
    Warning::new(
        "malformed-osv",
        Some(name.to_owned()),
        format!("skipped OSV record: {problem}"),
    )
}

pub(crate) fn parse_text(name: &str, text: &str) -> Result<Vec<Advisory>, Warning> {
    let record: Record =
        serde_json::from_str(text).map_err(|err| malformed(name, err.to_string()))?;
    convert(record).map_err(|problem| malformed(name, problem))
}

/// One advisory per `crates.io` package the record names; none for other ecosystems.
fn convert(record: Record) -> Result<Vec<Advisory>, String> {
    let cvss = record
        .severity
        .iter()
        .flatten()
        .filter(|s| s.kind == "CVSS_V3" || s.kind == "CVSS_V4")
        // The most recent CVSS version stated wins, as RustSec's own field holds one vector.
        .max_by_key(|s| s.kind.clone())
        .map(|s| {
            s.score
                .parse::<cvss::Cvss>()
                .map(|parsed| Cvss {
                    vector: s.score.clone(),
                    score: (parsed.score() * 10.0).round() / 10.0,
                })
                .map_err(|err| format!("bad CVSS vector `{}`: {err}", s.score))
        })
        .transpose()?;
    let title = record
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            record
                .details
                .as_deref()
                .and_then(|d| d.lines().next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| record.id.clone());
    let date = record
        .published
        .as_deref()
        .and_then(|p| p.get(..10))
        .and_then(Date::parse);
    let references: Vec<String> = record
        .references
        .iter()
        .flatten()
        .map(|r| r.url.clone())
        .collect();

    let mut advisories = Vec::new();
    for affected in record.affected.iter().flatten() {
        let Some(package) = affected
            .package
            .as_ref()
            .filter(|p| p.ecosystem == ECOSYSTEM)
        else {
            continue;
        };
        let specific = affected.database_specific.as_ref();
        let kind = match specific.and_then(|s| s.informational.as_deref()) {
            None => VULNERABILITY,
            Some("unmaintained") => UNMAINTAINED,
            Some("unsound") => UNSOUND,
            Some("notice") => NOTICE,
            // Free-form informational kinds are not reported (as for RustSec).
            Some(_) => continue,
        };
        let mut ranges = Vec::new();
        let mut fixed = Vec::new();
        for range in affected.ranges.iter().flatten() {
            if range.kind != "SEMVER" && range.kind != "ECOSYSTEM" {
                continue;
            }
            ranges.extend(intervals(&range.events, &mut fixed)?);
        }
        let versions = affected
            .versions
            .iter()
            .flatten()
            .map(|v| version(v))
            .collect::<Result<Vec<_>, _>>()?;
        advisories.push(Advisory {
            id: record.id.clone(),
            package: package.name.clone(),
            kind,
            title: title.clone(),
            description: record.details.clone().unwrap_or_default().trim().to_owned(),
            date,
            aliases: record.aliases.clone().unwrap_or_default(),
            references: references.clone(),
            categories: specific
                .and_then(|s| s.categories.clone())
                .unwrap_or_default(),
            cvss: cvss.clone(),
            withdrawn: record.withdrawn.is_some(),
            ranges,
            versions,
            patched: fixed.iter().map(|v| format!(">={v}")).collect(),
            unaffected: Vec::new(),
            fixed,
            registry: Registry::CratesIo,
            sources: BTreeSet::from(["osv"]),
        });
    }
    Ok(advisories)
}

fn version(text: &str) -> Result<Version, String> {
    Version::parse(text).map_err(|err| format!("bad version `{text}`: {err}"))
}

/// The affected intervals one range's events describe: each `introduced` ("0" = from the start)
/// opens one, the next `fixed`, `last_affected` or `limit` closes it.
fn intervals(
    events: &[Event],
    fixed_versions: &mut Vec<Version>,
) -> Result<Vec<VersionRange>, String> {
    let mut out = Vec::new();
    let mut open: Option<Option<Version>> = None;
    for event in events {
        if let Some(introduced) = &event.introduced {
            if let Some(start) = open.take() {
                out.push(VersionRange {
                    introduced: start,
                    fixed: None,
                    last_affected: None,
                });
            }
            open = Some(if introduced == "0" {
                None
            } else {
                Some(version(introduced)?)
            });
        } else if let Some(end) = event.fixed.as_ref().or(event.limit.as_ref()) {
            let end = version(end)?;
            if event.fixed.is_some() {
                fixed_versions.push(end.clone());
            }
            out.push(VersionRange {
                introduced: open.take().flatten(),
                fixed: Some(end),
                last_affected: None,
            });
        } else if let Some(last) = &event.last_affected {
            out.push(VersionRange {
                introduced: open.take().flatten(),
                fixed: None,
                last_affected: Some(version(last)?),
            });
        }
    }
    if let Some(start) = open {
        out.push(VersionRange {
            introduced: start,
            fixed: None,
            last_affected: None,
        });
    }
    Ok(out)
}
