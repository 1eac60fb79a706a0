//! Turning the user's PATH into a scan root and the list of lockfiles under it.

use crate::error::{one_line, Error, Result};
use crate::finding::Warning;
use crate::paths::relative_display;
use std::path::{Path, PathBuf};

/// What a PATH argument resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Report paths are relative to this directory.
    pub root: PathBuf,
    /// Every lockfile to scan, sorted.
    pub lockfiles: Vec<PathBuf>,
    /// Lockfiles the walk found and could not use (a dangling link, a FIFO) and parts of the
    /// tree it could not read: one of them must not stop the scan of the others.
    pub warnings: Vec<Warning>,
    /// The first lockfile skipped as unusable and why, for the error when nothing else is left.
    pub unusable: Option<(PathBuf, String)>,
}

/// `path` may be a directory (every Cargo.lock below it, possibly none, honouring .gitignore,
/// except for a lockfile beside a manifest that is not ignored, and skipping `target/`), a `Cargo.toml` (the lockfile of its workspace) or a lockfile itself.
pub fn discover(path: &Path) -> Result<Discovery> {
    let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::PathNotFound {
            path: path.to_path_buf(),
        },
        _ => Error::Read {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if meta.is_dir() {
        // No lockfile is not an error here: the source checks still have a tree to read. The
        // advisories check reports it.
        return Ok(walk_for_lockfiles(path));
    }
    let parent = parent_dir(path);
    if path.file_name().is_some_and(|name| name == "Cargo.toml") {
        // A member's manifest: its workspace's lockfile sits in the nearest ancestor that has one.
        let lockfile = parent
            .ancestors()
            .map(|dir| dir.join("Cargo.lock"))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| Error::NoLockfile {
                path: path.to_path_buf(),
            })?;
        let root = parent_dir(&lockfile);
        return Ok(Discovery::one(root, lockfile));
    }
    // Anything else named explicitly is read as a lockfile, whatever its name, so saved copies
    // such as `2024-03-07.lock` can be scanned too.
    Ok(Discovery::one(parent, path.to_path_buf()))
}

impl Discovery {
    fn one(root: PathBuf, lockfile: PathBuf) -> Discovery {
        Discovery {
            root,
            lockfiles: vec![lockfile],
            warnings: Vec::new(),
            unusable: None,
        }
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn walk_for_lockfiles(root: &Path) -> Discovery {
    let walker = ignore::WalkBuilder::new(root)
        // .gitignore applies even outside a git checkout (an unpacked tarball, a CI cache).
        .require_git(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name() == "target")
        })
        .build();
    let mut lockfiles = std::collections::BTreeSet::new();
    let mut warnings = Vec::new();
    let mut unusable = None;
    let mut consider = |path: PathBuf, warnings: &mut Vec<Warning>| {
        // Followed: a link to a lockfile is fine, a dangling one or a FIFO is not one.
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let problem = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => None,
            Ok(_) => Some("not a regular file (a device, FIFO or directory)".to_owned()),
            Err(err) if is_link && err.kind() == std::io::ErrorKind::NotFound => {
                Some("a symbolic link to a file that does not exist".to_owned())
            }
            Err(err) => Some(format!("cannot read ({})", one_line(&err.to_string()))),
        };
        let Some(problem) = problem else {
            lockfiles.insert(path);
            return;
        };
        warnings.push(Warning::new(
            "unusable-lockfile",
            Some(relative_display(&path, root)),
            format!("{problem}; this workspace's dependencies were not scanned (fix or remove the file)"),
        ));
        unusable.get_or_insert((path, problem));
    };
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                warnings.push(Warning::new(
                    "unreadable-path",
                    None,
                    format!(
                        "cannot read part of the tree ({}); lockfiles there were not scanned",
                        one_line(&err.to_string())
                    ),
                ));
                continue;
            }
        };
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir {
            continue;
        }
        if entry.file_name() == "Cargo.lock" {
            consider(entry.into_path(), &mut warnings);
        } else if entry.file_name() == "Cargo.toml" {
            // Libraries usually git-ignore their Cargo.lock, yet the one `cargo` generated next
            // to the manifest is exactly what gets built and tested here.
            let beside = entry.path().with_file_name("Cargo.lock");
            if std::fs::symlink_metadata(&beside).is_ok() {
                consider(beside, &mut warnings);
            }
        }
    }
    warnings.sort();
    warnings.dedup();
    Discovery {
        root: root.to_path_buf(),
        lockfiles: lockfiles.into_iter().collect(),
        warnings,
        unusable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_git_ignored_lockfile_beside_its_manifest_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "Cargo.lock\n/ignored\n").unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"lib\"\n").unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), "version = 4\n").unwrap();
        // A whole ignored directory stays ignored.
        std::fs::create_dir(dir.path().join("ignored")).unwrap();
        std::fs::write(dir.path().join("ignored/Cargo.toml"), "").unwrap();
        std::fs::write(dir.path().join("ignored/Cargo.lock"), "").unwrap();
        let found = discover(dir.path()).unwrap();
        assert_eq!(found.lockfiles, [dir.path().join("Cargo.lock")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_lockfile_link_is_a_warning_and_the_others_are_scanned() {
        let dir = tempfile::tempdir().unwrap();
        for member in ["a", "b"] {
            std::fs::create_dir(dir.path().join(member)).unwrap();
            std::fs::write(dir.path().join(member).join("Cargo.toml"), "").unwrap();
        }
        std::fs::write(dir.path().join("a/Cargo.lock"), "version = 4\n").unwrap();
        std::os::unix::fs::symlink("/nonexistent/Cargo.lock", dir.path().join("b/Cargo.lock"))
            .unwrap();
        let found = discover(dir.path()).unwrap();
        assert_eq!(found.lockfiles, [dir.path().join("a/Cargo.lock")]);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert_eq!(found.warnings[0].file.as_deref(), Some("b/Cargo.lock"));
        assert_eq!(found.unusable.unwrap().0, dir.path().join("b/Cargo.lock"));
    }

    #[test]
    fn lockfile_path_resolves_to_its_directory() {
        let found = discover(Path::new("Cargo.lock")).unwrap();
        assert_eq!(found.root, PathBuf::from("."));
        assert_eq!(found.lockfiles, vec![PathBuf::from("Cargo.lock")]);
    }
}
