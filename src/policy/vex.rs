//! VEX statements from others (`--vex FILE`, `[advisories] vex`): a supplier, or an earlier
//! `--format openvex`, saying that a locked package is not affected by an advisory or has it
//! fixed. Such a statement turns the finding `ignored`, with the statement as its reason; one
//! saying `affected` or `under_investigation` changes nothing.
//!
//! Only OpenVEX is read. A file that is not an OpenVEX document stops the scan (the user named it,
//! so silently reading nothing from it would pass the gate on a mistake); a statement inside it
//! that is malformed is a warning naming the file and the statement, and the rest are read.
//! Statements about the same advisory and package supersede each other by timestamp, as OpenVEX
//! says: the latest one is the one that holds.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{Detection, Exception, Justification, VexStatus, Warning};
use serde::Deserialize;
use std::path::Path;

/// VEX documents are small; a file past this is not one.
const MAX_VEX_BYTES: u64 = 64 << 20;

/// One usable statement.
#[derive(Debug, Clone, PartialEq)]
pub struct VexStatement {
    /// The file as the user named it (relative to the scan root when inside it).
    pub file: String,
    /// 1-based, in file order.
    pub number: usize,
    /// The vulnerability's name and aliases.
    pub ids: Vec<String>,
    pub products: Vec<CargoPurl>,
    pub status: VexStatus,
    pub justification: Option<Justification>,
    pub impact: Option<String>,
    pub notes: Option<String>,
    /// Seconds since the epoch, from the statement or else the document; ordering only.
    pub timestamp: Option<i64>,
}

/// A `pkg:cargo/NAME[@VERSION]` package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPurl {
    pub name: String,
    /// `None`: every version.
    pub version: Option<semver::Version>,
}

impl CargoPurl {
    /// `Ok(None)` for a well-formed purl of another ecosystem; `Err` for text that is no purl.
    pub fn parse(text: &str) -> std::result::Result<Option<CargoPurl>, String> {
        let rest = text
            .strip_prefix("pkg:")
            .ok_or_else(|| format!("`{text}` is not a package URL (pkg:cargo/NAME@VERSION)"))?;
        let rest = rest.trim_start_matches('/');
        // Qualifiers and subpath say where a package came from, not which one it is.
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let Some((kind, path)) = rest.split_once('/') else {
            return Err(format!("`{text}` has no package type"));
        };
        if !kind.eq_ignore_ascii_case("cargo") {
            return Ok(None);
        }
        let (name, version) = match path.rsplit_once('@') {
            Some((name, version)) => (name, Some(percent_decode(version))),
            None => (path, None),
        };
        let name = percent_decode(name);
        if name.is_empty() || name.contains('/') {
            return Err(format!("`{text}` names no crate"));
        }
        let version = match version {
            None => None,
            Some(version) => Some(
                semver::Version::parse(&version)
                    .map_err(|_| format!("`{text}`: `{version}` is not a semver version"))?,
            ),
        };
        Ok(Some(CargoPurl { name, version }))
    }

    fn matches(&self, name: &str, version: &str) -> bool {
        self.name == name
            && self.version.as_ref().is_none_or(|wanted| {
                semver::Version::parse(version).is_ok_and(|locked| locked == *wanted)
            })
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Deserialize)]
struct RawDocument {
    #[serde(rename = "@context")]
    context: Option<String>,
    timestamp: Option<String>,
    statements: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: Option<RawVulnerability>,
    #[serde(default)]
    products: Vec<RawComponent>,
    status: Option<String>,
    justification: Option<String>,
    impact_statement: Option<String>,
    status_notes: Option<String>,
    timestamp: Option<String>,
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct RawVulnerability {
    name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<RawIdentifiers>,
    #[serde(default)]
    subcomponents: Vec<RawComponent>,
}

#[derive(Deserialize)]
struct RawIdentifiers {
    purl: Option<String>,
}

/// Reads one OpenVEX document: its usable statements, and a warning for each one that is not.
/// `shown` is how reports name the file.
pub fn load(path: &Path, shown: &str) -> Result<(Vec<VexStatement>, Vec<Warning>)> {
    let problem = |message: String| Error::Vex {
        path: path.to_owned(),
        message,
    };
    let text = crate::read::read_text_capped(path, MAX_VEX_BYTES)
        .map_err(|e| problem(format!("cannot read: {e}")))?;
    let doc: RawDocument = serde_json::from_str(&text)
        .map_err(|e| problem(format!("not an OpenVEX document: {e}")))?;
    if !doc
        .context
        .as_deref()
        .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
    {
        return Err(problem(
            "not an OpenVEX document (its `@context` is not https://openvex.dev/ns/...); pass OpenVEX JSON, as `--format openvex` writes".into(),
        ));
    }
    let Some(raw_statements) = doc.statements else {
        return Err(problem("an OpenVEX document without `statements`".into()));
    };
    let document_time = doc.timestamp.as_deref().and_then(parse_timestamp);
    let mut statements = Vec::new();
    let mut warnings = Vec::new();
    for (index, value) in raw_statements.into_iter().enumerate() {
        let number = index + 1;
        match statement(value, shown, number, document_time) {
            Ok(Some(statement)) => statements.push(statement),
            Ok(None) => {}
            Err(message) => warnings.push(Warning::new(
                "malformed-vex-statement",
                Some(shown.to_owned()),
                format!("VEX statement {number} is skipped: {message}; fix it in the document or ask its author to"),
            )),
        }
    }
    Ok((statements, warnings))
}

/// `Ok(None)`: well-formed, but about no Rust crate.
fn statement(
    value: serde_json::Value,
    file: &str,
    number: usize,
    document_time: Option<i64>,
) -> std::result::Result<Option<VexStatement>, String> {
    let raw: RawStatement = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let vulnerability = raw.vulnerability.ok_or("it names no `vulnerability`")?;
    let name = vulnerability
        .name
        .filter(|name| !name.trim().is_empty())
        .ok_or("its vulnerability has no `name`")?;
    let status_text = raw.status.ok_or("it has no `status`")?;
    let status = VexStatus::from_name(&status_text).ok_or_else(|| {
        format!("`status` is `{status_text}`; OpenVEX has not_affected, affected, fixed and under_investigation")
    })?;
    let justification = match &raw.justification {
        None => None,
        Some(text) => Some(
            Justification::from_name(text)
                .ok_or_else(|| format!("`justification` `{text}` is not one of OpenVEX's five"))?,
        ),
    };
    let impact = raw.impact_statement.filter(|text| !text.trim().is_empty());
    if status == VexStatus::NotAffected && justification.is_none() && impact.is_none() {
        return Err("it says not_affected without a `justification` or `impact_statement`".into());
    }
    let mut purls = Vec::new();
    let mut components: Vec<&RawComponent> = raw.products.iter().collect();
    while let Some(component) = components.pop() {
        components.extend(&component.subcomponents);
        let ids = [
            component
                .identifiers
                .as_ref()
                .and_then(|i| i.purl.as_deref()),
            component.id.as_deref().filter(|id| id.starts_with("pkg:")),
        ];
        for purl in ids.into_iter().flatten() {
            if let Some(purl) = CargoPurl::parse(purl)? {
                purls.push(purl);
            }
        }
    }
    if raw.products.is_empty() {
        return Err("it names no `products`".into());
    }
    if purls.is_empty() {
        return Ok(None);
    }
    let mut ids = vec![name];
    ids.extend(vulnerability.aliases);
    let timestamp = raw
        .last_updated
        .as_deref()
        .and_then(parse_timestamp)
        .or_else(|| raw.timestamp.as_deref().and_then(parse_timestamp))
        .or(document_time);
    Ok(Some(VexStatement {
        file: file.to_owned(),
        number,
        ids,
        products: purls,
        status,
        justification,
        impact,
        notes: raw.status_notes.filter(|text| !text.trim().is_empty()),
        timestamp,
    }))
}

/// RFC 3339 (`2026-12-05T10:00:00Z`, `...+02:00`, fractions ignored) as seconds since the epoch;
/// `None` for anything else, out-of-range fields included (the text is someone else's).
fn parse_timestamp(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(['T', 't', ' '])?;
    let days = Date::parse(date)?.days_since(Date::from_ymd(1970, 1, 1)?);
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let field = |text: &str, max: i64| {
        let value: i64 = text.parse().ok()?;
        (text.len() == 2 && (0..=max).contains(&value)).then_some(value)
    };
    let mut parts = clock.split('.').next()?.split(':');
    let (h, m) = (field(parts.next()?, 23)?, field(parts.next()?, 59)?);
    let s = match parts.next() {
        Some(seconds) => field(seconds, 60)?,
        None => 0,
    };
    let offset = match offset.as_bytes().first() {
        None | Some(b'Z' | b'z') if offset.len() <= 1 => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = offset[1..].split_once(':')?;
            let seconds = field(oh, 23)? * 3600 + field(om, 59)? * 60;
            if *sign == b'+' {
                seconds
            } else {
                -seconds
            }
        }
        _ => return None,
    };
    Some(days * 86_400 + h * 3600 + m * 60 + s - offset)
}

/// The statement that holds for a dependency finding: among those about its advisory (id or
/// alias) and its package (name, and version when the purl has one), the latest; file order
/// breaks ties, later winning.
pub fn holding<'s>(
    statements: &'s [VexStatement],
    detection: &Detection,
) -> Option<&'s VexStatement> {
    let package = detection.package()?;
    let known = |id: &String| {
        id.eq_ignore_ascii_case(&detection.rule)
            || detection
                .aliases()
                .iter()
                .any(|a| a.eq_ignore_ascii_case(id))
    };
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.ids.iter().any(known))
        .filter(|(_, s)| {
            s.products
                .iter()
                .any(|p| p.matches(&package.name, &package.version))
        })
        .max_by_key(|(order, s)| (s.timestamp, *order))
        .map(|(_, s)| s)
}

impl VexStatement {
    /// The exception this statement grants, when it grants one.
    pub fn exception(&self) -> Option<Exception> {
        let reason = match self.status {
            VexStatus::NotAffected => self
                .impact
                .clone()
                .or_else(|| self.notes.clone())
                .unwrap_or_else(|| {
                    let words = self.justification.map_or("", Justification::as_str);
                    format!("not affected: {}", words.replace('_', " "))
                }),
            VexStatus::Fixed => self
                .notes
                .clone()
                .unwrap_or_else(|| "fixed in this build, per its supplier".to_owned()),
            VexStatus::Affected | VexStatus::UnderInvestigation => return None,
        };
        Some(Exception {
            reason,
            source: format!("{} (statement {})", self.file, self.number),
            owner: None,
            until: None,
            justification: self.justification,
            impact: self.impact.clone(),
            vex_status: Some(self.status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_of_cargo_packages_parse_with_or_without_a_version() {
        assert_eq!(
            CargoPurl::parse("pkg:cargo/smallvec@0.6.9").unwrap(),
            Some(CargoPurl {
                name: "smallvec".into(),
                version: Some(semver::Version::new(0, 6, 9))
            })
        );
        assert_eq!(
            CargoPurl::parse("pkg:cargo/time?repository_url=x").unwrap(),
            Some(CargoPurl {
                name: "time".into(),
                version: None
            })
        );
        assert_eq!(CargoPurl::parse("pkg:npm/left-pad@1.0.0").unwrap(), None);
        assert!(CargoPurl::parse("smallvec@0.6.9").is_err());
        assert!(CargoPurl::parse("pkg:cargo/smallvec@latest").is_err());
        assert_eq!(
            CargoPurl::parse("pkg:cargo/a%2Db@1.0.0")
                .unwrap()
                .unwrap()
                .name,
            "a-b"
        );
    }

    #[test]
    fn timestamps_in_other_offsets_order_by_instant() {
        let utc = parse_timestamp("2026-12-05T10:00:00Z").unwrap();
        assert_eq!(parse_timestamp("2026-12-05T12:00:00+02:00"), Some(utc));
        assert_eq!(parse_timestamp("2026-12-05T10:00:00.123456Z"), Some(utc));
        assert!(parse_timestamp("2026-12-05T09:59:00-00:30").unwrap() > utc);
        assert_eq!(parse_timestamp("yesterday"), None);
        // Someone else's text: huge or out-of-range fields are no time, never an overflow.
        assert_eq!(parse_timestamp("2026-01-01T9999999999999999:00:00Z"), None);
        assert_eq!(parse_timestamp("2026-01-01T24:00:00Z"), None);
        assert_eq!(parse_timestamp("2026-01-01T10:00:00+99999999999:00"), None);
    }
}
