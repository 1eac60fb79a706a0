//! The supply-chain rules as data (`rules/supply-chain.toml`): each rule's id, title, weakness
//! ids, severity, class, remediation and example crates. What finds a capability is code
//! (`capabilities.rs`, `audit.rs`); this entry is what `explain`, `rules`, the SARIF help and the
//! findings' titles say about it, and the examples the test suite audits.

use crate::error::{Error, Result};
use crate::finding::{Class, RuleDoc, Severity};
use serde::Deserialize;

pub const RULES_TOML: &str = include_str!("../../../rules/supply-chain.toml");
pub const RULES_FILE: &str = "rules/supply-chain.toml";

/// The rules that code in `capabilities.rs` and `audit.rs` can raise: the file must describe each
/// one, and nothing else.
const KNOWN: &[&str] = &[
    "build-download-execute",
    "build-credential-read",
    "build-secret-exfiltration",
    "build-network",
    "build-process",
    "build-file-write",
    "build-secret-env",
    "native-code",
    "prebuilt-binary",
    "opaque-payload",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: String,
    title: String,
    description: String,
    cwe: Vec<String>,
    severity: String,
    #[serde(default)]
    class: Option<String>,
    remediation: String,
    must_match: Vec<String>,
    #[serde(default)]
    must_not_match: Vec<String>,
}

/// The embedded rules' documentation, in file order.
pub fn docs() -> Result<Vec<RuleDoc>> {
    let problem = |message: String| Error::Rules {
        message: format!("{RULES_FILE}: {message}"),
    };
    let raw: RawFile = toml::from_str(RULES_TOML).map_err(|err| problem(err.to_string()))?;
    let mut docs = Vec::new();
    for rule in raw.rule {
        if !KNOWN.contains(&rule.id.as_str()) {
            return Err(problem(format!("no code raises the rule `{}`", rule.id)));
        }
        let severity = Severity::from_name(&rule.severity)
            .ok_or_else(|| problem(format!("{}: unknown severity `{}`", rule.id, rule.severity)))?;
        let class = match rule.class.as_deref() {
            None => Class::Weakness,
            Some(name) => Class::from_name(name)
                .ok_or_else(|| problem(format!("{}: unknown class `{name}`", rule.id)))?,
        };
        docs.push(RuleDoc {
            id: rule.id,
            check: super::NAME,
            title: rule.title,
            description: rule.description,
            cwe: rule.cwe,
            severity: Some(severity),
            class,
            remediation: rule.remediation,
            example_language: "text",
            must_match: rule.must_match,
            must_not_match: rule.must_not_match,
            notes: Vec::new(),
        });
    }
    if let Some(missing) = KNOWN.iter().find(|id| !docs.iter().any(|d| d.id == **id)) {
        return Err(problem(format!("the rule `{missing}` is not described")));
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_rules_load() {
        assert_eq!(super::docs().unwrap().len(), super::KNOWN.len());
    }
}
