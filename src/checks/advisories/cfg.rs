//! `[advisories]` of the settings file: where advisory data comes from and how old it may be.
//! The CLI reads it to find (and fetch) the database; flags given on the command line win.

use crate::error::Result;
use crate::toml_doc::SettingsDoc;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// `[advisories]`, validated, with paths resolved against the settings file's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisorySettings {
    /// A RustSec checkout.
    pub db: Option<PathBuf>,
    /// OSV sources.
    pub osv: Vec<PathBuf>,
    pub max_age_days: Option<u32>,
    /// Where the default database is fetched from (a mirror).
    pub url: Option<String>,
    /// `stale = "deny"`: a database older than `max-age` is an error, not a warning.
    pub deny_stale: Option<bool>,
    /// OpenVEX documents whose statements accept findings.
    pub vex: Vec<PathBuf>,
    /// CISA's Known Exploited Vulnerabilities catalog (JSON).
    pub kev: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAdvisories {
    db: Option<String>,
    #[serde(default)]
    osv: Vec<String>,
    max_age: Option<u32>,
    url: Option<String>,
    stale: Option<Spanned<String>>,
    #[serde(default)]
    vex: Vec<String>,
    kev: Option<String>,
}

impl AdvisorySettings {
    /// `[advisories]` of `doc`, or the defaults.
    pub fn read(doc: Option<&SettingsDoc>) -> Result<AdvisorySettings> {
        let Some(doc) = doc else {
            return Ok(AdvisorySettings::default());
        };
        let Some(raw) = doc.section::<RawAdvisories>(super::NAME)? else {
            return Ok(AdvisorySettings::default());
        };
        let base_dir = doc.path.parent().unwrap_or(Path::new(""));
        let deny_stale = match raw.stale {
            None => None,
            Some(stale) => Some(match stale.get_ref().as_str() {
                "warn" => false,
                "deny" => true,
                other => {
                    return Err(doc.error_at(
                        stale.span().start,
                        format!("`stale` is `{other}`; use \"warn\" or \"deny\""),
                    ))
                }
            }),
        };
        Ok(AdvisorySettings {
            db: raw.db.map(|db| base_dir.join(db)),
            osv: raw.osv.iter().map(|osv| base_dir.join(osv)).collect(),
            max_age_days: raw.max_age,
            url: raw.url,
            deny_stale,
            vex: raw.vex.iter().map(|vex| base_dir.join(vex)).collect(),
            kev: raw.kev.map(|kev| base_dir.join(kev)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<AdvisorySettings> {
        let doc = SettingsDoc {
            path: PathBuf::from("warden.toml"),
            text: text.to_owned(),
            table: &[],
        };
        AdvisorySettings::read(Some(&doc))
    }

    #[test]
    fn advisories_section() {
        let settings = read(
            "[advisories]\ndb = \"db\"\nosv = [\"osv\", \"more/osv\"]\nmax-age = 3\nstale = \"deny\"\n",
        )
        .unwrap();
        assert_eq!(
            settings,
            AdvisorySettings {
                db: Some(PathBuf::from("db")),
                osv: vec![PathBuf::from("osv"), PathBuf::from("more/osv")],
                max_age_days: Some(3),
                url: None,
                deny_stale: Some(true),
                vex: Vec::new(),
                kev: None,
            }
        );
        let err = read("[advisories]\nstale = \"fail\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("warden.toml:2:9: `stale` is `fail`"),
            "{err}"
        );
        let err = read("[advisories]\nmax_age = 3\n").unwrap_err().to_string();
        assert!(err.ends_with("did you mean `max-age`?"), "{err}");
    }
}
