//! What a finding is (`vulnerability`, `secret`, `code`): declared by the check that reports it, so
//! a new check brings its own kinds without a change to the policy or the reports.

use super::severity::Severity;
use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// A kind of finding. Two kinds are the same kind when their names are.
#[derive(Clone, Copy, Debug)]
pub struct FindingKind {
    /// The JSON report's `kind`, and the key of a policy file's `[unscored]` table.
    pub name: &'static str,
    /// The check that reports it: its findings go to that check's SARIF run.
    pub check: &'static str,
    /// The SARIF rule `name` of its rules (`VulnerableDependency`).
    pub rule_name: &'static str,
    /// The tier of an unscored finding when the policy file does not name this kind.
    pub default_tier: Severity,
    /// Whether the policy's `[unscored.categories]` (RustSec categories) can raise the tier of an
    /// unscored finding of this kind.
    pub categorised: bool,
    /// Inventory of this kind becomes a weakness when `--new-since` finds it new on a package the
    /// base already locked at another version: an update added it (a build script that now
    /// opens network connections).
    pub gates_when_updated: bool,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        self.name
    }
}

impl PartialEq for FindingKind {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for FindingKind {}

impl PartialOrd for FindingKind {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FindingKind {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name.cmp(other.name)
    }
}

impl Hash for FindingKind {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Serialize for FindingKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}
