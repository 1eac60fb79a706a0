//! Accepted findings: `[[ignore]]` entries of the settings file, matched by advisory id, alias,
//! rule id or fingerprint, optionally for one package and until a date. An entry may say why in
//! VEX's words too (a justification or an impact statement), so the exception can be written out
//! as an OpenVEX `not_affected` statement.

use crate::date::Date;
use crate::finding::Justification;

/// An accepted finding: matched by advisory id or any of its aliases (CVE, GHSA), a rule id, or
/// one finding's fingerprint.
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
    /// Who answers for the exception.
    pub owner: Option<String>,
    pub justification: Option<Justification>,
    /// Free text: why the vulnerability does not affect this product.
    pub impact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageScope {
    pub name: String,
    pub version: Option<String>,
}

impl PackageScope {
    /// `name` or `name@version`, the version a semver version.
    pub fn parse(spec: &str) -> Option<PackageScope> {
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

    pub fn matches(&self, name: &str, version: &str) -> bool {
        self.name == name && self.version.as_deref().is_none_or(|v| v == version)
    }
}
