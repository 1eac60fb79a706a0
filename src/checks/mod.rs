//! The registry: every check cargo-warden runs, in the order reports list them. A check is a
//! folder here and one entry in [`CHECKS`]; nothing else names it.

pub mod advisories;
pub mod code;
pub mod secrets;
pub mod supply_chain;

use crate::check::Check;
use crate::error::Result;
use crate::finding::{FindingKind, RuleDoc};

/// Every check, in report order.
pub static CHECKS: [&dyn Check; 4] = [
    &advisories::Advisories,
    &secrets::Secrets,
    &code::Code,
    &supply_chain::SupplyChain,
];

/// The check named `name` (`advisories`, `secrets`, `code`, `supply-chain`).
pub fn find(name: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|check| check.name() == name)
}

/// Every check's name, in report order.
pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|check| check.name()).collect()
}

/// Every kind of finding the checks report, in the order they declare them.
pub fn kinds() -> Vec<FindingKind> {
    CHECKS
        .iter()
        .flat_map(|check| check.kinds().iter().copied())
        .collect()
}

/// Every rule of every check, in id order.
pub fn rules() -> Result<Vec<RuleDoc>> {
    let mut docs = Vec::new();
    for check in CHECKS {
        docs.extend(check.rules()?);
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}
