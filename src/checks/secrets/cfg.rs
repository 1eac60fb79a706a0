//! `[secrets]` of the settings file: what the secrets check reads and what it accepts.

use crate::error::{one_line, Result};
use crate::source::TestSeverity;
use crate::toml_doc::{parse_size, SettingsDoc};
use serde::Deserialize;
use toml::Spanned;

/// `[secrets]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSettings {
    /// Files larger than this many bytes are skipped (and reported) by every source check.
    pub max_file_size: Option<u64>,
    /// The severity of secrets in test code; `None` lowers them to low.
    pub test_severity: Option<TestSeverity>,
    pub allow: Vec<SecretAllow>,
}

/// `[[secrets.allow]]`: findings matching every criterion given are not reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretAllow {
    /// Globs over paths relative to the scan root (`fixtures/**`); any may match.
    pub paths: Vec<String>,
    /// Regular expressions over the secret value; any may match.
    pub values: Vec<String>,
    /// Rule ids; any may match.
    pub rules: Vec<String>,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSecrets {
    /// Bytes, or a string such as "2 MiB".
    max_file_size: Option<Spanned<toml::Value>>,
    test_severity: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<RawSecretAllow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecretAllow {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    values: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    reason: Spanned<String>,
}

impl SecretSettings {
    /// `[secrets]` of `doc`, or the defaults.
    pub fn read(doc: Option<&SettingsDoc>) -> Result<SecretSettings> {
        let Some(doc) = doc else {
            return Ok(SecretSettings::default());
        };
        let Some(raw) = doc.section::<RawSecrets>(super::NAME)? else {
            return Ok(SecretSettings::default());
        };
        let max_file_size = match &raw.max_file_size {
            None => None,
            Some(value) => Some(parse_size(value.get_ref()).ok_or_else(|| {
                doc.error_at(
                    value.span().start,
                    "`max-file-size` should be a number of bytes or a size such as \"2 MiB\""
                        .into(),
                )
            })?),
        };
        let test_severity = TestSeverity::parse(raw.test_severity.as_ref(), doc)?;
        let mut allow = Vec::new();
        for entry in raw.allow {
            allow.push(allow_entry(entry, doc)?);
        }
        Ok(SecretSettings {
            max_file_size,
            test_severity,
            allow,
        })
    }
}

fn allow_entry(entry: RawSecretAllow, doc: &SettingsDoc) -> Result<SecretAllow> {
    if entry.reason.get_ref().trim().is_empty() {
        return Err(doc.error_at(
            entry.reason.span().start,
            "`reason` is empty; say why these secrets are accepted".into(),
        ));
    }
    if entry.paths.is_empty() && entry.values.is_empty() && entry.rules.is_empty() {
        return Err(doc.error_at(
            entry.reason.span().start,
            "this allow entry matches every secret; give `paths`, `values` or `rules`".into(),
        ));
    }
    for path in &entry.paths {
        globset::Glob::new(path.get_ref()).map_err(|err| {
            doc.error_at(
                path.span().start,
                format!(
                    "invalid glob `{}`: {}",
                    path.get_ref(),
                    one_line(&err.to_string())
                ),
            )
        })?;
    }
    for value in &entry.values {
        regex::Regex::new(value.get_ref()).map_err(|err| {
            doc.error_at(
                value.span().start,
                format!(
                    "invalid regular expression `{}`: {}",
                    value.get_ref(),
                    one_line(&err.to_string())
                ),
            )
        })?;
    }
    let strings = |items: &[Spanned<String>]| -> Vec<String> {
        items.iter().map(|item| item.get_ref().clone()).collect()
    };
    Ok(SecretAllow {
        paths: strings(&entry.paths),
        values: strings(&entry.values),
        rules: strings(&entry.rules),
        reason: entry.reason.get_ref().trim().to_owned(),
    })
}
