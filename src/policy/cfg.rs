//! The policy's sections of the settings file: `[policy]` (which policy and clock), `[gate]` (when
//! the build fails) and `[[ignore]]` (accepted findings). Each is read from the one settings file
//! with its own positions in errors; `config` puts them together with the checks' sections.

use super::clock::ClockKind;
use super::ignore::{IgnoreRule, PackageScope};
use crate::date::Date;
use crate::error::{LineStarts, Result};
use crate::finding::{FailOn, Justification};
use crate::toml_doc::{closest, quoted, SettingsDoc};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The sections this module reads, in the order they are documented.
pub const SECTIONS: [&str; 3] = ["ignore", "policy", "gate"];

/// Which policy to apply: an embedded preset by name, or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChoice {
    Preset(String),
    File(PathBuf),
}

/// `[policy]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySection {
    /// `preset` or `file`.
    pub choice: Option<PolicyChoice>,
    pub clock: Option<ClockKind>,
    /// `baseline`, resolved against the settings file's directory.
    pub baseline: Option<PathBuf>,
    /// `since`: when the repository adopted the policy.
    pub since: Option<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Spanned<String>,
    reason: Spanned<String>,
    /// A TOML date (`until = 2026-12-31`) or a string.
    until: Option<Spanned<toml::Value>>,
    package: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    justification: Option<Spanned<String>>,
    impact: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicySection {
    preset: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    clock: Option<Spanned<String>>,
    baseline: Option<String>,
    /// A TOML date (`since = 2026-06-01`) or a string.
    since: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    #[serde(rename = "fail-on")]
    fail_on: Spanned<Vec<String>>,
}

/// `[[ignore]]`: every entry needs an id and a reason; `until` is a date, `package` a name or
/// `name@version`, `justification` one of VEX's five, `owner` and `impact` free text.
pub fn ignores(doc: &SettingsDoc) -> Result<Vec<IgnoreRule>> {
    let raw: Vec<RawIgnore> = doc.section("ignore")?.unwrap_or_default();
    let mut ignores = Vec::with_capacity(raw.len());
    let lines = LineStarts::new(&doc.text);
    for entry in raw {
        let id = entry.id.get_ref().trim();
        if id.is_empty() {
            return Err(doc.error_at(
                entry.id.span().start,
                "`id` is empty; give the advisory id to ignore, e.g. \"RUSTSEC-2019-0009\"".into(),
            ));
        }
        if entry.reason.get_ref().trim().is_empty() {
            return Err(doc.error_at(
                entry.reason.span().start,
                format!("`reason` for {id} is empty; say why this finding is accepted"),
            ));
        }
        let until = match &entry.until {
            None => None,
            Some(value) => Some(parse_date_value(value.get_ref()).ok_or_else(|| {
                doc.error_at(
                    value.span().start,
                    format!("`until` for {id} is not a date; write it as 2026-12-31"),
                )
            })?),
        };
        let package = match &entry.package {
            None => None,
            Some(spec) => Some(PackageScope::parse(spec.get_ref()).ok_or_else(|| {
                doc.error_at(
                    spec.span().start,
                    format!("`package` for {id} should be `name` or `name@version`"),
                )
            })?),
        };
        let justification = match &entry.justification {
            None => None,
            Some(name) => Some(Justification::from_name(name.get_ref().trim()).ok_or_else(
                || {
                    let all = Justification::ALL.map(Justification::as_str);
                    let hint = closest(name.get_ref(), &all)
                        .map(|best| format!("did you mean `{best}`?"))
                        .unwrap_or_else(|| format!("use one of {}", quoted(&all)));
                    doc.error_at(
                        name.span().start,
                        format!(
                            "`justification` for {id} is `{}`, not a VEX justification; {hint}",
                            name.get_ref()
                        ),
                    )
                },
            )?),
        };
        let text = |field: &Option<Spanned<String>>, name: &str| -> Result<Option<String>> {
            match field {
                None => Ok(None),
                Some(value) if value.get_ref().trim().is_empty() => Err(doc.error_at(
                    value.span().start,
                    format!("`{name}` for {id} is empty; fill it in or remove the line"),
                )),
                Some(value) => Ok(Some(value.get_ref().trim().to_owned())),
            }
        };
        ignores.push(IgnoreRule {
            id: id.to_owned(),
            reason: entry.reason.get_ref().trim().to_owned(),
            line: lines.line(entry.id.span().start),
            until,
            package,
            owner: text(&entry.owner, "owner")?,
            justification,
            impact: text(&entry.impact, "impact")?,
        });
    }
    Ok(ignores)
}

/// `[policy]`: `preset` or `file` (not both), `clock`, `baseline`, `since`.
pub fn policy(doc: &SettingsDoc) -> Result<PolicySection> {
    let Some(section) = doc.section::<RawPolicySection>("policy")? else {
        return Ok(PolicySection::default());
    };
    let base_dir = doc.path.parent().unwrap_or(Path::new(""));
    let choice = match (section.preset, section.file) {
        (Some(_), Some(file)) => {
            return Err(doc.error_at(
                file.span().start,
                "`[policy]` takes `preset` or `file`, not both".into(),
            ))
        }
        (Some(preset), None) => Some(PolicyChoice::Preset(preset.into_inner())),
        (None, Some(file)) => Some(PolicyChoice::File(base_dir.join(file.into_inner()))),
        (None, None) => None,
    };
    let clock = match section.clock {
        None => None,
        Some(clock) => Some(ClockKind::from_name(clock.get_ref()).ok_or_else(|| {
            doc.error_at(
                clock.span().start,
                format!(
                    "unknown clock `{}`; use one of {}",
                    clock.get_ref(),
                    quoted(&ClockKind::ALL.map(ClockKind::name))
                ),
            )
        })?),
    };
    let since = match &section.since {
        None => None,
        Some(value) => Some(parse_date_value(value.get_ref()).ok_or_else(|| {
            doc.error_at(
                value.span().start,
                "`since` is not a date; write the day the repository adopted the policy, e.g. since = 2026-06-01".into(),
            )
        })?),
    };
    Ok(PolicySection {
        choice,
        clock,
        baseline: section.baseline.map(|file| base_dir.join(file)),
        since,
    })
}

/// `[gate] fail-on`.
pub fn gate(doc: &SettingsDoc) -> Result<Option<Vec<FailOn>>> {
    let Some(gate) = doc.section::<RawGate>("gate")? else {
        return Ok(None);
    };
    let mut conditions = Vec::new();
    for name in gate.fail_on.get_ref() {
        let condition = FailOn::from_name(name).ok_or_else(|| {
            let all = FailOn::ALL.map(FailOn::as_str);
            let hint = closest(name, &all)
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| format!("use one of {}", quoted(&all)));
            doc.error_at(
                gate.fail_on.span().start,
                format!("unknown fail-on condition `{name}`; {hint}"),
            )
        })?;
        conditions.push(condition);
    }
    Ok(Some(conditions))
}

fn parse_date_value(value: &toml::Value) -> Option<Date> {
    match value {
        toml::Value::String(text) => Date::parse(text.trim()),
        toml::Value::Datetime(datetime) if datetime.time.is_none() => {
            let date = datetime.date?;
            Date::from_ymd(
                i64::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        }
        _ => None,
    }
}
