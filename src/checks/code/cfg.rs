//! `[code]` of the settings file: where the code check looks and how its rules are tuned.

use super::rules::CodeRules;
use crate::error::{one_line, Result};
use crate::finding::{Class, Severity};
use crate::source::TestSeverity;
use crate::toml_doc::{closest, SettingsDoc};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `[code]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSettings {
    /// Globs over paths relative to the scan root that the code check skips.
    pub exclude: Vec<String>,
    /// The severity of findings in test code; `None` lowers them to low.
    pub test_severity: Option<TestSeverity>,
    /// `[code.rules.<id>]`, by rule id (validated against the embedded rules).
    pub rules: BTreeMap<String, CodeRuleSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRuleSettings {
    pub enabled: bool,
    /// Replaces the rule's own severity.
    pub severity: Option<Severity>,
    /// Replaces the rule's class: `weakness` promotes an audit rule to due dates and the gate.
    pub class: Option<Class>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCode {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    test_severity: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RawCodeRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodeRule {
    enabled: Option<bool>,
    severity: Option<Spanned<String>>,
    class: Option<Spanned<String>>,
}

impl CodeSettings {
    /// `[code]` of `doc`, or the defaults.
    pub fn read(doc: Option<&SettingsDoc>) -> Result<CodeSettings> {
        let Some(doc) = doc else {
            return Ok(CodeSettings::default());
        };
        let Some(raw) = doc.section::<RawCode>(super::NAME)? else {
            return Ok(CodeSettings::default());
        };
        for glob in &raw.exclude {
            globset::Glob::new(glob.get_ref()).map_err(|err| {
                doc.error_at(
                    glob.span().start,
                    format!(
                        "invalid glob `{}`: {}",
                        glob.get_ref(),
                        one_line(&err.to_string())
                    ),
                )
            })?;
        }
        let known: Vec<&str> = CodeRules::embedded()?
            .docs()
            .iter()
            .map(|doc| doc.id.as_str())
            .collect();
        let mut rules = BTreeMap::new();
        for (id, rule) in raw.rules {
            if !known.contains(&id.get_ref().as_str()) {
                let hint = closest(id.get_ref(), &known)
                    .map(|best| format!("did you mean `{best}`?"))
                    .unwrap_or_else(|| "run `cargo warden rules` to list them".to_owned());
                return Err(doc.error_at(
                    id.span().start,
                    format!("unknown code rule `{}`; {hint}", id.get_ref()),
                ));
            }
            let severity = match &rule.severity {
                None => None,
                Some(name) => Some(Severity::from_name(name.get_ref()).ok_or_else(|| {
                    doc.error_at(
                        name.span().start,
                        format!(
                            "unknown severity `{}`; use critical, high, medium or low",
                            name.get_ref()
                        ),
                    )
                })?),
            };
            let class = match &rule.class {
                None => None,
                Some(name) => Some(Class::from_name(name.get_ref()).ok_or_else(|| {
                    doc.error_at(
                        name.span().start,
                        format!("unknown class `{}`; use weakness or audit", name.get_ref()),
                    )
                })?),
            };
            rules.insert(
                id.get_ref().clone(),
                CodeRuleSettings {
                    enabled: rule.enabled.unwrap_or(true),
                    severity,
                    class,
                },
            );
        }
        Ok(CodeSettings {
            exclude: raw.exclude.iter().map(|g| g.get_ref().clone()).collect(),
            test_severity: TestSeverity::parse(raw.test_severity.as_ref(), doc)?,
            rules,
        })
    }
}
