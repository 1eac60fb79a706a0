//! Where a locked crate's source is on this machine: a `vendor/` directory beside the lockfile
//! (`cargo vendor` layout: `vendor/NAME` or `vendor/NAME-VERSION`, with `.cargo-checksum.json`),
//! or the sources cargo already unpacked (`$CARGO_HOME/registry/src/*/NAME-VERSION`, complete
//! once cargo has written `.cargo-ok`). Nothing is downloaded here; the check asks cargo to fetch
//! when it may.

use std::path::{Path, PathBuf};

/// A crate's unpacked source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateSource {
    pub dir: PathBuf,
    /// The `.crate` file's SHA-256 that keys the cache: the lockfile's checksum, or the vendor
    /// directory's `package` checksum.
    pub checksum: Option<String>,
    pub vendored: bool,
}

/// The places sources are looked for.
#[derive(Clone, Debug, Default)]
pub struct SourceDirs {
    /// `registry/src/<registry>/` directories of the cargo home.
    registries: Vec<PathBuf>,
}

impl SourceDirs {
    pub fn new(cargo_home: Option<&Path>) -> SourceDirs {
        let mut registries = Vec::new();
        if let Some(home) = cargo_home {
            if let Ok(entries) = std::fs::read_dir(home.join("registry").join("src")) {
                registries.extend(
                    entries
                        .flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
        }
        registries.sort();
        SourceDirs { registries }
    }

    /// The source of `name` `version`, looked for in `vendor` (a workspace's vendor directory)
    /// first, then in the cargo home. `checksum` is the lockfile's.
    pub fn find(
        &self,
        vendor: Option<&Path>,
        name: &str,
        version: &str,
        checksum: Option<&str>,
    ) -> Option<CrateSource> {
        // The name becomes a path: only what crates.io allows in a name, so a lockfile cannot
        // send the audit to `../../elsewhere` (the version is a parsed semver, which has no `/`).
        if !crate::workspace::is_crate_name(name) {
            return None;
        }
        if let Some(vendor) = vendor.filter(|dir| is_real_dir(dir)) {
            for dir in [vendor.join(format!("{name}-{version}")), vendor.join(name)] {
                if !is_real_dir(&dir) {
                    continue;
                }
                if let Some(vendored) = vendored(&dir, version) {
                    return Some(CrateSource {
                        dir,
                        checksum: vendored.or_else(|| checksum.map(str::to_owned)),
                        vendored: true,
                    });
                }
            }
        }
        self.registries.iter().find_map(|registry| {
            let dir = registry.join(format!("{name}-{version}"));
            (is_real_dir(&dir) && dir.join(".cargo-ok").is_file()).then(|| CrateSource {
                dir,
                checksum: checksum.map(str::to_owned),
                vendored: false,
            })
        })
    }
}

/// A directory itself, not a link to one: a vendored tree cannot point the audit elsewhere.
fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// A vendored crate at `dir` with this version: `Some(its package checksum, if recorded)`.
fn vendored(dir: &Path, version: &str) -> Option<Option<String>> {
    let manifest =
        crate::read::read_text_capped(&dir.join("Cargo.toml"), crate::read::caps::MANIFEST).ok()?;
    let table: toml::Table = toml::from_str(&manifest).ok()?;
    let found = table.get("package")?.get("version")?.as_str()?;
    if found != version {
        return None;
    }
    let checksum = crate::read::read_text_capped(
        &dir.join(".cargo-checksum.json"),
        crate::read::caps::MANIFEST,
    )
    .ok()
    .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    .and_then(|json| json.get("package")?.as_str().map(str::to_owned))
    .filter(|sum| sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()));
    Some(checksum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_names_cannot_leave_the_source_directories() {
        let home = tempfile::tempdir().unwrap();
        let registry = home.path().join("registry/src/index.example");
        std::fs::create_dir_all(registry.join("ok-1.0.0")).unwrap();
        std::fs::write(registry.join("ok-1.0.0/.cargo-ok"), "").unwrap();
        // A directory beside the registry that a `../` name would reach.
        std::fs::create_dir_all(home.path().join("registry/src/outside-1.0.0")).unwrap();
        std::fs::write(home.path().join("registry/src/outside-1.0.0/.cargo-ok"), "").unwrap();
        let dirs = SourceDirs::new(Some(home.path()));
        assert!(dirs.find(None, "ok", "1.0.0", None).is_some());
        assert!(dirs.find(None, "../outside", "1.0.0", None).is_none());
        assert!(dirs.find(None, "/tmp/x", "1.0.0", None).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_vendored_crate_that_is_a_link_is_not_followed() {
        let work = tempfile::tempdir().unwrap();
        let elsewhere = work.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(
            elsewhere.join("Cargo.toml"),
            "[package]\nname = \"x\"\nversion = \"1.0.0\"\n",
        )
        .unwrap();
        let vendor = work.path().join("vendor");
        std::fs::create_dir_all(&vendor).unwrap();
        std::os::unix::fs::symlink(&elsewhere, vendor.join("x")).unwrap();
        let dirs = SourceDirs::new(None);
        assert!(dirs.find(Some(&vendor), "x", "1.0.0", None).is_none());
    }
}
