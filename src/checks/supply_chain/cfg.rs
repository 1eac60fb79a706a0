//! `[supply-chain]` of the settings file: where the audit cache lives and whether missing
//! sources may be downloaded with `cargo fetch`. `--cache-dir` and `--offline` win.

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
}

impl Default for SupplyChainSettings {
    fn default() -> Self {
        SupplyChainSettings {
            cache_dir: None,
            fetch: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSupplyChain {
    cache_dir: Option<String>,
    fetch: Option<bool>,
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
        })
    }
}
