//! `warden.toml`: the raw serde shape, validated into plain [`Settings`].
//!
//! Unknown keys are errors, not silently ignored settings: a typo in an ignore list would otherwise
//! un-ignore a finding (or worse, look like it ignored one). Every error names the file, line and
//! column, and suggests the key that was probably meant. Policy files share the same machinery
//! ([`from_toml`]).

use crate::date::Date;
use crate::error::{line_col, one_line, Error, Result};
use crate::policy::ClockKind;
use crate::report::{FailOn, Severity};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name looked for at the workspace root.
pub const FILE_NAME: &str = "warden.toml";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The file the settings came from, when there was one.
    pub file: Option<PathBuf>,
    pub ignores: Vec<IgnoreRule>,
    /// `[policy] preset` or `file`.
    pub policy: Option<PolicyChoice>,
    /// `[policy] clock`.
    pub clock: Option<ClockKind>,
    /// `[policy] baseline`, resolved against the config file's directory.
    pub baseline: Option<PathBuf>,
    /// `[gate] fail-on`.
    pub fail_on: Option<Vec<FailOn>>,
    /// `[advisories]`.
    pub advisories: AdvisorySettings,
    /// `[secrets]`.
    pub secrets: SecretSettings,
    /// `[code]`.
    pub code: CodeSettings,
}

/// `[code]`: where the code check looks and how its rules are tuned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSettings {
    /// Globs over paths relative to the scan root that the code check skips.
    pub exclude: Vec<String>,
    /// The severity of findings in test code; `None` lowers them to low.
    pub test_severity: Option<TestSeverity>,
    /// `[code.rules.<id>]`, by rule id (validated against the embedded rules).
    pub rules: std::collections::BTreeMap<String, CodeRuleSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRuleSettings {
    pub enabled: bool,
    /// Replaces the rule's own severity.
    pub severity: Option<Severity>,
}

/// `[secrets]`: what the secrets check reads and what it accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSettings {
    /// Files larger than this many bytes are skipped (and reported).
    pub max_file_size: Option<u64>,
    /// The severity of secrets in test code; `None` keeps the rule's own.
    pub test_severity: Option<TestSeverity>,
    pub allow: Vec<SecretAllow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestSeverity {
    /// The rule's severity, as outside tests.
    Same,
    Lowered(Severity),
}

impl TestSeverity {
    /// Findings in test code are real but do not ship: without a setting they drop to low.
    pub const DEFAULT: Severity = Severity::Low;

    /// The severity a finding gets: `rule` outside tests, the setting (or low) inside.
    pub fn apply(
        setting: Option<TestSeverity>,
        rule: Option<Severity>,
        in_test: bool,
    ) -> Option<Severity> {
        if !in_test {
            return rule;
        }
        match setting {
            Some(TestSeverity::Same) => rule,
            Some(TestSeverity::Lowered(severity)) => Some(severity),
            None => Some(TestSeverity::DEFAULT),
        }
    }
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
    /// Where it is declared.
    pub line: usize,
}

/// `[advisories]`: where advisory data comes from and how old it may be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisorySettings {
    /// A RustSec checkout, resolved against the config file's directory.
    pub db: Option<PathBuf>,
    /// OSV sources, resolved likewise.
    pub osv: Vec<PathBuf>,
    pub max_age_days: Option<u32>,
    /// Where the default database is fetched from (a mirror).
    pub url: Option<String>,
    /// `stale = "deny"`: a database older than `max-age` is an error, not a warning.
    pub deny_stale: Option<bool>,
}

/// Which policy to apply: an embedded preset by name, or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChoice {
    Preset(String),
    File(PathBuf),
}

/// An accepted finding: matched by advisory id or any of its aliases (CVE, GHSA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub id: String,
    pub reason: String,
    /// Where it is declared, so warnings about it can point there.
    pub line: usize,
    /// The last day the exception holds; after it the finding is active again.
    pub until: Option<Date>,
    /// Only this package (`name`, or `name@version`).
    pub package: Option<PackageScope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageScope {
    pub name: String,
    pub version: Option<String>,
}

impl PackageScope {
    pub fn matches(&self, name: &str, version: &str) -> bool {
        self.name == name && self.version.as_deref().is_none_or(|v| v == version)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    policy: Option<RawPolicySection>,
    gate: Option<RawGate>,
    advisories: Option<RawAdvisories>,
    secrets: Option<RawSecrets>,
    code: Option<RawCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCode {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    test_severity: Option<Spanned<String>>,
    #[serde(default)]
    rules: std::collections::BTreeMap<Spanned<String>, RawCodeRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodeRule {
    enabled: Option<bool>,
    severity: Option<Spanned<String>>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAdvisories {
    db: Option<String>,
    #[serde(default)]
    osv: Vec<String>,
    max_age: Option<u32>,
    url: Option<String>,
    stale: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Spanned<String>,
    reason: Spanned<String>,
    /// A TOML date (`until = 2026-12-31`) or a string.
    until: Option<Spanned<toml::Value>>,
    package: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicySection {
    preset: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    clock: Option<Spanned<String>>,
    baseline: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    #[serde(rename = "fail-on")]
    fail_on: Spanned<Vec<String>>,
}

pub fn load(path: &Path) -> Result<Settings> {
    let text = read(path)?;
    parse(&text, path)
}

pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Deserializes TOML, turning serde's errors into `file:line:column: message` with a "did you
/// mean" for unknown keys.
pub(crate) fn from_toml<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        error_at(text, path, offset, explain(err.message()))
    })
}

pub(crate) fn error_at(text: &str, path: &Path, offset: usize, message: String) -> Error {
    let (line, column) = line_col(text, offset);
    Error::Config {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

pub fn parse(text: &str, path: &Path) -> Result<Settings> {
    let raw: RawConfig = from_toml(text, path)?;
    validate(raw, text, path)
}

/// The parts of a Cargo.toml that can hold settings, as cargo tools commonly allow:
/// `[workspace.metadata.warden]` or `[package.metadata.warden]`. Everything else in the manifest
/// is cargo's and is not read.
#[derive(Deserialize)]
struct RawManifest {
    workspace: Option<RawMetadataHolder>,
    package: Option<RawMetadataHolder>,
}

#[derive(Deserialize)]
struct RawMetadataHolder {
    metadata: Option<RawMetadata>,
}

#[derive(Deserialize)]
struct RawMetadata {
    warden: Option<Spanned<RawConfig>>,
}

/// Settings from a Cargo.toml's `[workspace.metadata.warden]` or `[package.metadata.warden]`, or
/// `None` when it has neither. Errors point into the Cargo.toml, with the same line numbers and
/// hints as for warden.toml.
pub fn load_manifest_metadata(path: &Path) -> Result<Option<Settings>> {
    let text = read(path)?;
    let manifest: RawManifest = from_toml(&text, path)?;
    let table = |holder: Option<RawMetadataHolder>| {
        holder
            .and_then(|holder| holder.metadata)
            .and_then(|metadata| metadata.warden)
    };
    match (table(manifest.workspace), table(manifest.package)) {
        (Some(_), Some(package)) => Err(error_at(
            &text,
            path,
            package.span().start,
            "settings in both `[workspace.metadata.warden]` and `[package.metadata.warden]`; keep one"
                .into(),
        )),
        (Some(raw), None) | (None, Some(raw)) => validate(raw.into_inner(), &text, path).map(Some),
        (None, None) => Ok(None),
    }
}

/// The settings for a scan root: warden.toml there, else `[workspace.metadata.warden]` or
/// `[package.metadata.warden]` in its Cargo.toml, else the defaults. Settings in both places are
/// an error: which one wins would be a guess.
pub fn for_root(root: &Path) -> Result<Settings> {
    let file = root.join(FILE_NAME);
    let manifest = root.join("Cargo.toml");
    let in_manifest = if manifest.is_file() {
        load_manifest_metadata(&manifest)?
    } else {
        None
    };
    match (file.is_file(), in_manifest) {
        (true, Some(_)) => Err(Error::SettingsTwice { path: file }),
        (true, None) => load(&file),
        (false, Some(settings)) => Ok(settings),
        (false, None) => Ok(Settings::default()),
    }
}

/// Checks what serde could not (dates, names, globs, conflicting keys) and builds the settings.
/// `text` is the whole file, so spans inside a Cargo.toml table point at the right line.
fn validate(raw: RawConfig, text: &str, path: &Path) -> Result<Settings> {
    let at = |offset: usize, message: String| error_at(text, path, offset, message);
    let base_dir = path.parent().unwrap_or(Path::new(""));

    let mut ignores = Vec::with_capacity(raw.ignore.len());
    for entry in raw.ignore {
        let id = entry.id.get_ref().trim();
        if id.is_empty() {
            return Err(at(
                entry.id.span().start,
                "`id` is empty; give the advisory id to ignore, e.g. \"RUSTSEC-2019-0009\"".into(),
            ));
        }
        if entry.reason.get_ref().trim().is_empty() {
            return Err(at(
                entry.reason.span().start,
                format!("`reason` for {id} is empty; say why this finding is accepted"),
            ));
        }
        let until = match &entry.until {
            None => None,
            Some(value) => Some(parse_date_value(value.get_ref()).ok_or_else(|| {
                at(
                    value.span().start,
                    format!("`until` for {id} is not a date; write it as 2026-12-31"),
                )
            })?),
        };
        let package = match &entry.package {
            None => None,
            Some(spec) => Some(parse_package_scope(spec.get_ref()).ok_or_else(|| {
                at(
                    spec.span().start,
                    format!("`package` for {id} should be `name` or `name@version`"),
                )
            })?),
        };
        ignores.push(IgnoreRule {
            id: id.to_owned(),
            reason: entry.reason.get_ref().trim().to_owned(),
            line: line_col(text, entry.id.span().start).0,
            until,
            package,
        });
    }

    let mut settings = Settings {
        file: Some(path.to_path_buf()),
        ignores,
        ..Settings::default()
    };
    if let Some(section) = raw.policy {
        settings.policy = match (section.preset, section.file) {
            (Some(_), Some(file)) => {
                return Err(at(
                    file.span().start,
                    "`[policy]` takes `preset` or `file`, not both".into(),
                ))
            }
            (Some(preset), None) => Some(PolicyChoice::Preset(preset.into_inner())),
            (None, Some(file)) => Some(PolicyChoice::File(base_dir.join(file.into_inner()))),
            (None, None) => None,
        };
        if let Some(clock) = section.clock {
            settings.clock = Some(ClockKind::from_name(clock.get_ref()).ok_or_else(|| {
                at(
                    clock.span().start,
                    format!(
                        "unknown clock `{}`; use one of {}",
                        clock.get_ref(),
                        names(ClockKind::ALL.map(ClockKind::name))
                    ),
                )
            })?);
        }
        settings.baseline = section.baseline.map(|file| base_dir.join(file));
    }
    if let Some(advisories) = raw.advisories {
        let deny_stale = match advisories.stale {
            None => None,
            Some(stale) => Some(match stale.get_ref().as_str() {
                "warn" => false,
                "deny" => true,
                other => {
                    return Err(at(
                        stale.span().start,
                        format!("`stale` is `{other}`; use \"warn\" or \"deny\""),
                    ))
                }
            }),
        };
        settings.advisories = AdvisorySettings {
            db: advisories.db.map(|db| base_dir.join(db)),
            osv: advisories
                .osv
                .iter()
                .map(|osv| base_dir.join(osv))
                .collect(),
            max_age_days: advisories.max_age,
            url: advisories.url,
            deny_stale,
        };
    }
    if let Some(secrets) = raw.secrets {
        settings.secrets = secret_settings(secrets, &at)?;
        if let Some(first) = settings.secrets.allow.first_mut() {
            first.line = first.line.max(1);
        }
    }
    if let Some(code) = raw.code {
        settings.code = code_settings(code, &at)?;
    }
    if let Some(gate) = raw.gate {
        let mut conditions = Vec::new();
        for name in gate.fail_on.get_ref() {
            let condition = FailOn::from_name(name).ok_or_else(|| {
                let hint = closest(name, &FailOn::ALL.map(FailOn::as_str))
                    .map(|best| format!("did you mean `{best}`?"))
                    .unwrap_or_else(|| {
                        format!("use one of {}", names(FailOn::ALL.map(FailOn::as_str)))
                    });
                at(
                    gate.fail_on.span().start,
                    format!("unknown fail-on condition `{name}`; {hint}"),
                )
            })?;
            conditions.push(condition);
        }
        settings.fail_on = Some(conditions);
    }
    Ok(settings)
}

fn secret_settings(raw: RawSecrets, at: &dyn Fn(usize, String) -> Error) -> Result<SecretSettings> {
    let max_file_size = match &raw.max_file_size {
        None => None,
        Some(value) => Some(parse_size(value.get_ref()).ok_or_else(|| {
            at(
                value.span().start,
                "`max-file-size` should be a number of bytes or a size such as \"2 MiB\"".into(),
            )
        })?),
    };
    let test_severity = test_severity(raw.test_severity.as_ref(), at)?;
    let mut allow = Vec::new();
    for entry in raw.allow {
        if entry.reason.get_ref().trim().is_empty() {
            return Err(at(
                entry.reason.span().start,
                "`reason` is empty; say why these secrets are accepted".into(),
            ));
        }
        if entry.paths.is_empty() && entry.values.is_empty() && entry.rules.is_empty() {
            return Err(at(
                entry.reason.span().start,
                "this allow entry matches every secret; give `paths`, `values` or `rules`".into(),
            ));
        }
        for path in &entry.paths {
            globset::Glob::new(path.get_ref()).map_err(|err| {
                at(
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
                at(
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
        allow.push(SecretAllow {
            paths: strings(&entry.paths),
            values: strings(&entry.values),
            rules: strings(&entry.rules),
            reason: entry.reason.get_ref().trim().to_owned(),
            line: 0,
        });
    }
    Ok(SecretSettings {
        max_file_size,
        test_severity,
        allow,
    })
}

fn test_severity(
    raw: Option<&Spanned<String>>,
    at: &dyn Fn(usize, String) -> Error,
) -> Result<Option<TestSeverity>> {
    Ok(match raw {
        None => None,
        Some(name) if name.get_ref() == "same" => Some(TestSeverity::Same),
        Some(name) => Some(TestSeverity::Lowered(
            Severity::from_name(name.get_ref()).ok_or_else(|| {
                at(
                    name.span().start,
                    format!(
                        "unknown test-severity `{}`; use critical, high, medium, low or same",
                        name.get_ref()
                    ),
                )
            })?,
        )),
    })
}

fn code_settings(raw: RawCode, at: &dyn Fn(usize, String) -> Error) -> Result<CodeSettings> {
    for glob in &raw.exclude {
        globset::Glob::new(glob.get_ref()).map_err(|err| {
            at(
                glob.span().start,
                format!(
                    "invalid glob `{}`: {}",
                    glob.get_ref(),
                    one_line(&err.to_string())
                ),
            )
        })?;
    }
    let known: Vec<&str> = match crate::rules::code::CodeRules::embedded() {
        Ok(rules) => rules.docs().iter().map(|doc| doc.id.as_str()).collect(),
        Err(err) => return Err(err),
    };
    let mut rules = std::collections::BTreeMap::new();
    for (id, rule) in raw.rules {
        if !known.contains(&id.get_ref().as_str()) {
            let hint = closest(id.get_ref(), &known)
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| "run `cargo warden rules` to list them".to_owned());
            return Err(at(
                id.span().start,
                format!("unknown code rule `{}`; {hint}", id.get_ref()),
            ));
        }
        let severity = match &rule.severity {
            None => None,
            Some(name) => Some(Severity::from_name(name.get_ref()).ok_or_else(|| {
                at(
                    name.span().start,
                    format!(
                        "unknown severity `{}`; use critical, high, medium or low",
                        name.get_ref()
                    ),
                )
            })?),
        };
        rules.insert(
            id.get_ref().clone(),
            CodeRuleSettings {
                enabled: rule.enabled.unwrap_or(true),
                severity,
            },
        );
    }
    Ok(CodeSettings {
        exclude: raw.exclude.iter().map(|g| g.get_ref().clone()).collect(),
        test_severity: test_severity(raw.test_severity.as_ref(), at)?,
        rules,
    })
}

/// `1048576`, `"512 KiB"`, `"2 MiB"`, `"1MB"`.
fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(text) => {
            let text = text.trim();
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let number: u64 = text[..split].parse().ok()?;
            let unit = text[split..].trim().to_ascii_lowercase();
            let scale: u64 = match unit.as_str() {
                "" | "b" => 1,
                "k" | "kb" => 1000,
                "kib" => 1024,
                "m" | "mb" => 1000 * 1000,
                "mib" => 1024 * 1024,
                "g" | "gb" => 1000 * 1000 * 1000,
                "gib" => 1024 * 1024 * 1024,
                _ => return None,
            };
            number.checked_mul(scale)
        }
        _ => None,
    }
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

fn parse_package_scope(spec: &str) -> Option<PackageScope> {
    let spec = spec.trim();
    let (name, version) = match spec.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (spec, None),
    };
    if name.is_empty() || version.is_some_and(|v| semver::Version::parse(v).is_err()) {
        return None;
    }
    Some(PackageScope {
        name: name.to_owned(),
        version: version.map(str::to_owned),
    })
}

fn names<const N: usize>(all: [&str; N]) -> String {
    all.map(|n| format!("`{n}`")).join(", ")
}

/// Serde's messages, made lowercase-friendly and given a "did you mean" where a key is unknown.
fn explain(message: &str) -> String {
    let message = &one_line(message);
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.starts_with("unknown field") {
        if let Some((unknown, expected)) = quoted.split_first() {
            return match closest(unknown, expected) {
                Some(best) => format!("unknown key `{unknown}`; did you mean `{best}`?"),
                None => format!(
                    "unknown key `{unknown}`; expected one of {}",
                    expected
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
        }
    }
    if message.starts_with("missing field") {
        if let Some(field) = quoted.first() {
            if *field == "reason" {
                return "missing key `reason`; every [[ignore]] needs one saying why the finding is accepted".to_owned();
            }
            return format!("missing key `{field}`");
        }
    }
    // serde names our internal structs ("expected struct RawSecrets"); users wrote a table.
    if let Some((found, _)) = message.split_once(", expected struct Raw") {
        return format!("{found}, expected a table of settings (`[section]`)");
    }
    message.to_owned()
}

pub fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Settings {
        parse(text, Path::new("warden.toml")).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("warden.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_value_where_a_section_belongs_names_no_internal_type() {
        let message = parse_err("secrets = \"deny\"\n");
        assert!(
            message.starts_with("warden.toml:1:11: invalid type"),
            "{message}"
        );
        assert!(
            message.contains("expected a table of settings"),
            "{message}"
        );
        assert!(!message.contains("Raw"), "{message}");
    }

    #[test]
    fn reads_ignores_with_their_lines() {
        let settings = parse_ok(
            "# accepted risks\n[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreason = \"not reachable\"\n",
        );
        assert_eq!(
            settings.ignores,
            [IgnoreRule {
                id: "RUSTSEC-2019-0009".into(),
                reason: "not reachable".into(),
                line: 3,
                until: None,
                package: None,
            }]
        );
    }

    #[test]
    fn until_takes_a_toml_date_or_a_string_and_package_a_scope() {
        let settings = parse_ok(
            "[[ignore]]\nid = \"A\"\nreason = \"r\"\nuntil = 2026-12-31\npackage = \"smallvec@0.6.9\"\n\n\
             [[ignore]]\nid = \"B\"\nreason = \"r\"\nuntil = \"2027-01-15\"\npackage = \"time\"\n",
        );
        assert_eq!(settings.ignores[0].until, Date::parse("2026-12-31"));
        assert_eq!(
            settings.ignores[0].package,
            Some(PackageScope {
                name: "smallvec".into(),
                version: Some("0.6.9".into())
            })
        );
        assert_eq!(settings.ignores[1].until, Date::parse("2027-01-15"));
        assert!(settings.ignores[1]
            .package
            .as_ref()
            .unwrap()
            .matches("time", "0.1.43"));
    }

    #[test]
    fn bad_until_and_package_point_at_their_line() {
        let err = parse_err("[[ignore]]\nid = \"A\"\nreason = \"r\"\nuntil = \"next week\"\n");
        assert_eq!(
            err,
            "warden.toml:4:9: `until` for A is not a date; write it as 2026-12-31"
        );
        let err =
            parse_err("[[ignore]]\nid = \"A\"\nreason = \"r\"\npackage = \"smallvec@latest\"\n");
        assert!(
            err.starts_with("warden.toml:4:11: `package` for A"),
            "{err}"
        );
    }

    #[test]
    fn policy_and_gate_sections() {
        let settings = parse_ok(
            "[policy]\npreset = \"fedramp\"\nclock = \"first-seen\"\nbaseline = \"sec/baseline.json\"\n\n[gate]\nfail-on = [\"overdue\", \"critical\"]\n",
        );
        assert_eq!(
            settings.policy,
            Some(PolicyChoice::Preset("fedramp".into()))
        );
        assert_eq!(settings.clock, Some(ClockKind::FirstSeen));
        assert_eq!(settings.baseline, Some(PathBuf::from("sec/baseline.json")));
        assert_eq!(
            settings.fail_on,
            Some(vec![FailOn::Overdue, FailOn::Critical])
        );
    }

    #[test]
    fn advisories_section() {
        let settings = parse_ok(
            "[advisories]\ndb = \"db\"\nosv = [\"osv\", \"more/osv\"]\nmax-age = 3\nstale = \"deny\"\n",
        );
        assert_eq!(
            settings.advisories,
            AdvisorySettings {
                db: Some(PathBuf::from("db")),
                osv: vec![PathBuf::from("osv"), PathBuf::from("more/osv")],
                max_age_days: Some(3),
                url: None,
                deny_stale: Some(true),
            }
        );
        let err = parse_err("[advisories]\nstale = \"fail\"\n");
        assert!(
            err.starts_with("warden.toml:2:9: `stale` is `fail`"),
            "{err}"
        );
        let err = parse_err("[advisories]\nmax_age = 3\n");
        assert!(err.ends_with("did you mean `max-age`?"), "{err}");
    }

    #[test]
    fn unknown_clock_and_condition_are_errors() {
        let err = parse_err("[policy]\nclock = \"commit\"\n");
        assert!(
            err.starts_with("warden.toml:2:9: unknown clock `commit`"),
            "{err}"
        );
        let err = parse_err("[gate]\nfail-on = [\"overdu\"]\n");
        assert!(
            err.contains("unknown fail-on condition `overdu`; did you mean `overdue`?"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let err = parse_err("[[ignore]]\nid = \"X\"\nreasn = \"y\"\n");
        assert_eq!(
            err,
            "warden.toml:3:1: unknown key `reasn`; did you mean `reason`?"
        );
        let err = parse_err("[gate]\nfail_on = [\"overdue\"]\n");
        assert!(err.ends_with("did you mean `fail-on`?"), "{err}");
    }

    #[test]
    fn unknown_table_suggests_ignore() {
        let err = parse_err("[[ignores]]\nid = \"X\"\nreason = \"y\"\n");
        assert!(err.starts_with("warden.toml:1:"), "{err}");
        assert!(err.contains("did you mean `ignore`?"), "{err}");
    }

    #[test]
    fn missing_reason_is_an_error() {
        let err = parse_err("[[ignore]]\nid = \"RUSTSEC-2019-0009\"\n");
        assert!(err.contains("missing key `reason`"), "{err}");
    }

    #[test]
    fn blank_reason_is_an_error() {
        let err = parse_err("[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreason = \"  \"\n");
        assert_eq!(
            err,
            "warden.toml:3:10: `reason` for RUSTSEC-2019-0009 is empty; say why this finding is accepted"
        );
    }
}
