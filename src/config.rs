//! `warden.toml`: the raw serde shape, validated into plain [`Settings`].
//!
//! Unknown keys are errors, not silently ignored settings: a typo in an ignore list would otherwise
//! un-ignore a finding (or worse, look like it ignored one). Every error names the file, line and
//! column, and suggests the key that was probably meant.

use crate::error::{line_col, one_line, Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name looked for at the workspace root.
pub const FILE_NAME: &str = "warden.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The file the settings came from, when there was one.
    pub file: Option<PathBuf>,
    pub ignores: Vec<IgnoreRule>,
}

/// An accepted finding: matched by advisory id or any of its aliases (CVE, GHSA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub id: String,
    pub reason: String,
    /// Where it is declared, so an ignore that matches nothing can be pointed at.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Spanned<String>,
    reason: Spanned<String>,
}

pub fn load(path: &Path) -> Result<Settings> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Settings> {
    let error_at = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        Error::Config {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let raw: RawConfig = toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        error_at(offset, explain(err.message()))
    })?;

    let mut ignores = Vec::with_capacity(raw.ignore.len());
    for entry in raw.ignore {
        let entry = entry.into_inner();
        let id = entry.id.get_ref().trim();
        if id.is_empty() {
            return Err(error_at(
                entry.id.span().start,
                "`id` is empty; give the advisory id to ignore, e.g. \"RUSTSEC-2019-0009\"".into(),
            ));
        }
        if entry.reason.get_ref().trim().is_empty() {
            return Err(error_at(
                entry.reason.span().start,
                format!("`reason` for {id} is empty; say why this finding is accepted"),
            ));
        }
        ignores.push(IgnoreRule {
            id: id.to_owned(),
            reason: entry.reason.get_ref().trim().to_owned(),
            line: line_col(text, entry.id.span().start).0,
        });
    }
    Ok(Settings {
        file: Some(path.to_path_buf()),
        ignores,
    })
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
    if message.starts_with("missing field") && quoted.first() == Some(&"reason") {
        return "missing key `reason`; every [[ignore]] needs one saying why the finding is accepted"
            .to_owned();
    }
    message.to_owned()
}

fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
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

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("warden.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_ignores_with_their_lines() {
        let settings = parse(
            "# accepted risks\n[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreason = \"not reachable\"\n",
            Path::new("warden.toml"),
        )
        .unwrap();
        assert_eq!(
            settings.ignores,
            [IgnoreRule {
                id: "RUSTSEC-2019-0009".into(),
                reason: "not reachable".into(),
                line: 3
            }]
        );
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let err = parse_err("[[ignore]]\nid = \"X\"\nreasn = \"y\"\n");
        assert_eq!(
            err,
            "warden.toml:3:1: unknown key `reasn`; did you mean `reason`?"
        );
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
