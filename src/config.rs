//! The settings file: `warden.toml`, or `[workspace.metadata.warden]` / `[package.metadata.warden]`
//! in a Cargo.toml. The policy's sections (`[policy]`, `[gate]`, `[[ignore]]`) are read by
//! `policy::cfg`, each check's section (`[secrets]`, `[code]`, ...) by the check itself; this module
//! finds the file and checks it as a whole, in file order, so the first mistake is the one
//! reported.
//!
//! Unknown keys are errors, not silently ignored settings: a typo in an ignore list would otherwise
//! un-ignore a finding (or worse, look like it ignored one). Every error names the file, line and
//! column, and suggests the key that was probably meant.

use crate::checks;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::FailOn;
use crate::policy::cfg::{self as policy_cfg, PolicyChoice};
use crate::policy::{ClockKind, IgnoreRule};
use crate::toml_doc::{read, unknown_key, SettingsDoc};
use std::path::{Path, PathBuf};

/// The name looked for at the workspace root.
pub const FILE_NAME: &str = "warden.toml";

/// Where the settings table sits in a Cargo.toml.
const WORKSPACE_TABLE: &[&str] = &["workspace", "metadata", "warden"];
const PACKAGE_TABLE: &[&str] = &["package", "metadata", "warden"];

/// The settings of a scan: the policy's, read here; each check reads its own section of `doc`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The file the settings came from, when there was one.
    pub file: Option<PathBuf>,
    /// The settings file itself, for the checks' sections.
    pub doc: Option<SettingsDoc>,
    pub ignores: Vec<IgnoreRule>,
    /// `[policy] preset` or `file`.
    pub policy: Option<PolicyChoice>,
    /// `[policy] clock`.
    pub clock: Option<ClockKind>,
    /// `[policy] baseline`, resolved against the settings file's directory.
    pub baseline: Option<PathBuf>,
    /// `[policy] since`: the adoption date.
    pub since: Option<Date>,
    /// `[gate] fail-on`.
    pub fail_on: Option<Vec<FailOn>>,
}

pub fn load(path: &Path) -> Result<Settings> {
    let text = read(path)?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Settings> {
    from_doc(SettingsDoc {
        path: path.to_path_buf(),
        text: text.to_owned(),
        table: &[],
    })
}

/// Reads every section of the settings table in file order: the policy's here, each check's by
/// the check (which validates it, so a mistake in any section stops the scan before it starts).
fn from_doc(doc: SettingsDoc) -> Result<Settings> {
    let keys = doc.keys()?;
    let mut known: Vec<&str> = policy_cfg::SECTIONS.to_vec();
    known.extend(checks::names());
    if let Some((key, offset)) = keys.iter().find(|(key, _)| !known.contains(&key.as_str())) {
        return Err(doc.error_at(*offset, unknown_key(key, &known)));
    }
    let mut settings = Settings {
        file: Some(doc.path.clone()),
        ..Settings::default()
    };
    for (key, _) in &keys {
        match key.as_str() {
            "ignore" => settings.ignores = policy_cfg::ignores(&doc)?,
            "policy" => {
                let section = policy_cfg::policy(&doc)?;
                settings.policy = section.choice;
                settings.clock = section.clock;
                settings.baseline = section.baseline;
                settings.since = section.since;
            }
            "gate" => settings.fail_on = policy_cfg::gate(&doc)?,
            name => {
                if let Some(check) = checks::find(name) {
                    check.configure(Some(&doc))?;
                }
            }
        }
    }
    settings.doc = Some(doc);
    Ok(settings)
}

/// Settings from a Cargo.toml's `[workspace.metadata.warden]` or `[package.metadata.warden]`, or
/// `None` when it has neither. Errors point into the Cargo.toml, with the same line numbers and
/// hints as for warden.toml.
pub fn load_manifest_metadata(path: &Path) -> Result<Option<Settings>> {
    parse_manifest_metadata(&read(path)?, path)
}

/// [`load_manifest_metadata`] of a Cargo.toml's text.
pub fn parse_manifest_metadata(text: &str, path: &Path) -> Result<Option<Settings>> {
    let doc = |table| SettingsDoc {
        path: path.to_path_buf(),
        text: text.to_owned(),
        table,
    };
    let (workspace, package) = (doc(WORKSPACE_TABLE), doc(PACKAGE_TABLE));
    match (workspace.table_offset()?, package.table_offset()?) {
        (Some(_), Some(offset)) => Err(package.error_at(
            offset,
            "settings in both `[workspace.metadata.warden]` and `[package.metadata.warden]`; keep one"
                .into(),
        )),
        (Some(_), None) => from_doc(workspace).map(Some),
        (None, Some(_)) => from_doc(package).map(Some),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::policy::PackageScope;

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
                owner: None,
                justification: None,
                impact: None,
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
