//! Paths as reports print them: relative to the scanned root, with `/` separators on every
//! machine, so the same tree gives the same report anywhere.

use std::path::Path;

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
