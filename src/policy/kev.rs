//! CISA's Known Exploited Vulnerabilities catalog (`--kev FILE`, `[advisories] kev`): the CVEs
//! attackers are known to use. A dependency finding with a CVE alias in it is rated critical and
//! due no later than the entry's `dueDate`, under any policy (BOD 22-01 sets that date; the
//! `cisa-kev` preset uses it exactly).
//!
//! The catalog is read from a file the user downloaded; the scanner never fetches it. A file that
//! is not the catalog stops the scan (passing the gate because a download failed would be
//! wrong); an entry inside it that cannot be used is a warning naming the file and the entry.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{Detection, KnownExploited, Warning};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The real catalog is about 1.5 MB; a file past this is not it.
const MAX_KEV_BYTES: u64 = 64 << 20;

/// Where the catalog is published, for messages.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";

/// A loaded catalog.
#[derive(Debug, Clone)]
pub struct KevCatalog {
    pub summary: KevSummary,
    /// By upper-case CVE id.
    entries: HashMap<String, KevEntry>,
    /// Upper-case CVE ids of entries that could not be read.
    unreadable: std::collections::HashSet<String>,
}

/// What reports say about the catalog used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevSummary {
    /// The file as the user named it (relative to the scan root when inside it).
    pub file: String,
    pub catalog_version: Option<String>,
    pub date_released: Option<String>,
    /// Usable entries.
    pub entries: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct KevEntry {
    cve: String,
    date_added: Date,
    due: Date,
    ransomware: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: Option<String>,
    date_released: Option<String>,
    vulnerabilities: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: String,
    known_ransomware_campaign_use: Option<String>,
}

impl KevCatalog {
    pub fn load(path: &Path, shown: &str) -> Result<(KevCatalog, Vec<Warning>)> {
        let problem = |message: String| Error::Kev {
            path: path.to_owned(),
            message,
        };
        let text = crate::read::read_text_capped(path, MAX_KEV_BYTES)
            .map_err(|e| problem(format!("cannot read: {e}")))?;
        let not_catalog = |why: &str| {
            problem(format!(
                "not the Known Exploited Vulnerabilities catalog ({why}); download the JSON feed from {KEV_URL}"
            ))
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| not_catalog(&format!("not JSON: {e}")))?;
        if !value.is_object() {
            return Err(not_catalog("not a JSON object"));
        }
        let raw: RawCatalog = serde_json::from_value(value)
            .map_err(|e| not_catalog(&format!("unexpected layout: {e}")))?;
        let Some(vulnerabilities) = raw.vulnerabilities else {
            return Err(not_catalog("no `vulnerabilities` list"));
        };
        let listed = vulnerabilities.len();
        let mut entries: HashMap<String, KevEntry> = HashMap::new();
        let mut unreadable = std::collections::HashSet::new();
        let mut warnings = Vec::new();
        for (index, value) in vulnerabilities.into_iter().enumerate() {
            let cve = value
                .get("cveID")
                .and_then(|v| v.as_str())
                .map(|id| id.trim().to_ascii_uppercase());
            match entry(value) {
                Ok(entry) => {
                    // A CVE listed twice keeps the entry due first, whatever the order.
                    let key = entry.cve.clone();
                    match entries.get(&key) {
                        Some(kept) if kept.due <= entry.due => {}
                        _ => {
                            entries.insert(key, entry);
                        }
                    }
                }
                Err(message) => {
                    unreadable.extend(cve);
                    warnings.push(Warning::new(
                        "malformed-kev-entry",
                        Some(shown.to_owned()),
                        format!(
                            "catalog entry {} is skipped: {message}; download a fresh copy of the catalog",
                            index + 1
                        ),
                    ))
                }
            }
        }
        if entries.is_empty() {
            return Err(not_catalog(&format!(
                "none of its {listed} entries could be read"
            )));
        }
        Ok((
            KevCatalog {
                summary: KevSummary {
                    file: shown.to_owned(),
                    catalog_version: raw.catalog_version,
                    date_released: raw.date_released,
                    entries: entries.len(),
                },
                entries,
                unreadable,
            },
            warnings,
        ))
    }

    /// What the catalog says about a dependency finding; `None` for findings without an advisory
    /// (source findings).
    pub fn lookup(&self, detection: &Detection) -> Option<KnownExploited> {
        detection.package()?;
        if cves_of(detection).next().is_none() {
            return Some(KnownExploited::NoCveAlias);
        }
        // The entry due first, when several aliases are listed.
        let listed = cves_of(detection)
            .filter_map(|id| self.entries.get(&id))
            .min_by_key(|entry| (entry.due, entry.cve.clone()));
        Some(match listed {
            Some(entry) => KnownExploited::Listed {
                cve: entry.cve.clone(),
                date_added: entry.date_added,
                due: entry.due,
                ransomware: entry.ransomware,
            },
            None => match cves_of(detection).find(|id| self.unreadable.contains(id)) {
                Some(cve) => KnownExploited::UnreadableEntry { cve },
                None => KnownExploited::NotListed,
            },
        })
    }
}

/// The upper-case CVE ids among a finding's id and aliases.
fn cves_of(detection: &Detection) -> impl Iterator<Item = String> + '_ {
    std::iter::once(&detection.rule)
        .chain(detection.aliases())
        .map(|id| id.trim().to_ascii_uppercase())
        .filter(|id| id.starts_with("CVE-"))
}

fn entry(value: serde_json::Value) -> std::result::Result<KevEntry, String> {
    let raw: RawEntry = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let cve = raw.cve_id.trim().to_ascii_uppercase();
    if !cve.starts_with("CVE-") {
        return Err(format!("`{cve}` is not a CVE id"));
    }
    let date = |field: &str, text: &str| {
        Date::parse(text.trim())
            .ok_or_else(|| format!("{cve}: {field} `{text}` is not a date (YYYY-MM-DD)"))
    };
    Ok(KevEntry {
        date_added: date("dateAdded", &raw.date_added)?,
        due: date("dueDate", &raw.due_date)?,
        ransomware: raw
            .known_ransomware_campaign_use
            .is_some_and(|use_| use_.eq_ignore_ascii_case("known")),
        cve,
    })
}
