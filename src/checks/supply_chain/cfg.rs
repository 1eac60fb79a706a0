//! `[supply-chain]` of the settings file: whether missing sources may be downloaded with `cargo
//! fetch`, and whether a missing one stops the scan (`--offline` wins). Where the audit cache
//! lives is not a setting: the settings file belongs to the scanned tree, and a cache the tree
//! could point into its own files is one it could fill with clean audits (`--cache-dir` is the
//! user's).

use crate::error::Result;
use crate::toml_doc::SettingsDoc;
use serde::Deserialize;

/// `[supply-chain]`, validated, with the cache path resolved against the settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyChainSettings {
    /// Run `cargo fetch` when locked crates' sources are missing (and the scan is not offline).
    pub fetch: bool,
    /// A locked crate whose source cannot be found stops the scan (exit 2) instead of a warning:
    /// for a gate that must not pass on a partial audit.
    pub require_sources: bool,
}

impl Default for SupplyChainSettings {
    fn default() -> Self {
        SupplyChainSettings {
            fetch: true,
            require_sources: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSupplyChain {
    fetch: Option<bool>,
    require_sources: Option<bool>,
}

impl SupplyChainSettings {
    pub fn read(doc: Option<&SettingsDoc>) -> Result<SupplyChainSettings> {
        let Some(doc) = doc else {
            return Ok(SupplyChainSettings::default());
        };
        let Some(raw) = doc.section::<RawSupplyChain>(super::NAME)? else {
            return Ok(SupplyChainSettings::default());
        };
        Ok(SupplyChainSettings {
            fetch: raw.fetch.unwrap_or(true),
            require_sources: raw.require_sources.unwrap_or(false),
        })
    }
}
