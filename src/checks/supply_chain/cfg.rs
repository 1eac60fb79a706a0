//! `[supply-chain]` of the settings file: where the audit cache lives, whether missing sources
//! may be downloaded with `cargo fetch`, and whether a missing one stops the scan. `--cache-dir`
//! and `--offline` win.

use crate::error::Result;
use crate::toml_doc::SettingsDoc;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `[supply-chain]`, validated, with the cache path resolved against the settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyChainSettings {
    pub cache_dir: Option<PathBuf>,
    /// Run `cargo fetch` when locked crates' sources are missing (and the scan is not offline).
    pub fetch: bool,
    /// A locked crate whose source cannot be found stops the scan (exit 2) instead of a warning:
    /// for a gate that must not pass on a partial audit.
    pub require_sources: bool,
}

impl Default for SupplyChainSettings {
    fn default() -> Self {
        SupplyChainSettings {
            cache_dir: None,
            fetch: true,
            require_sources: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSupplyChain {
    cache_dir: Option<String>,
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
        let base_dir = doc.path.parent().unwrap_or(Path::new(""));
        Ok(SupplyChainSettings {
            cache_dir: raw.cache_dir.map(|dir| base_dir.join(dir)),
            fetch: raw.fetch.unwrap_or(true),
            require_sources: raw.require_sources.unwrap_or(false),
        })
    }
}
