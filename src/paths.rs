//! Paths as reports print them: relative to the scanned root, with `/` separators on every
//! machine, so the same tree gives the same report anywhere.

use std::path::Path;

/// Settings' path globs (`vendor/**`) compiled into one set; `None` for no globs. Globs are
/// validated where the settings are read, so one that fails here matches nothing rather than
/// everything.
pub fn glob_set(globs: &[String]) -> Option<globset::GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        if let Ok(glob) = globset::Glob::new(glob) {
            builder.add(glob);
        }
    }
    Some(
        builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty()),
    )
}

/// `path` relative to `root` with `/` separators, for reports that must read the same on every
/// machine.
pub fn relative_display(path: &Path, root: &Path) -> String {
    use std::path::Component;
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for component in relative.components() {
        match component {
            Component::CurDir => {}
            Component::RootDir => out.push('/'),
            Component::Prefix(prefix) => out.push_str(&prefix.as_os_str().to_string_lossy()),
            Component::ParentDir | Component::Normal(_) => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&component.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// The cargo home: `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<std::path::PathBuf> {
    std::env::var_os("CARGO_HOME")
        .filter(|home| !home.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
}

/// Where checks keep what they computed about inputs that do not change between scans (the
/// supply-chain audits, the advisory snapshot): the directory the caller gave (`--cache-dir`),
/// else `$WARDEN_CACHE_DIR`, else `warden-cache` in the cargo home. Never a directory the scanned
/// tree names: anyone who can write the cache can change what later scans believe.
pub fn cache_dir(given: Option<&Path>, cargo_home: Option<&Path>) -> Option<std::path::PathBuf> {
    if let Some(dir) = given {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("WARDEN_CACHE_DIR").filter(|dir| !dir.is_empty()) {
        return Some(dir.into());
    }
    match cargo_home {
        Some(home) => Some(home.join("warden-cache")),
        None => self::cargo_home().map(|home| home.join("warden-cache")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_display_uses_forward_slashes_and_drops_dot() {
        let root = Path::new("./ws");
        assert_eq!(
            relative_display(Path::new("./ws/a/b/Cargo.lock"), root),
            "a/b/Cargo.lock"
        );
        assert_eq!(
            relative_display(Path::new("./Cargo.lock"), Path::new(".")),
            "Cargo.lock"
        );
        assert_eq!(
            relative_display(Path::new("/db/crates/x.md"), Path::new("")),
            "/db/crates/x.md"
        );
        assert_eq!(
            relative_display(Path::new("../shared/db"), Path::new("")),
            "../shared/db"
        );
    }
}
