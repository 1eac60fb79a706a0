//! Turning the user's PATH into a scan root and the list of lockfiles under it.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// What a PATH argument resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Report paths are relative to this directory.
    pub root: PathBuf,
    /// Every lockfile to scan, sorted.
    pub lockfiles: Vec<PathBuf>,
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
        let lockfiles = walk_for_lockfiles(path)?;
        return Ok(Discovery {
            root: path.to_path_buf(),
            lockfiles,
        });
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
        return Ok(Discovery {
            root,
            lockfiles: vec![lockfile],
        });
    }
    // Anything else named explicitly is read as a lockfile, whatever its name, so saved copies
    // such as `2024-03-07.lock` can be scanned too.
    Ok(Discovery {
        root: parent,
        lockfiles: vec![path.to_path_buf()],
    })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn walk_for_lockfiles(root: &Path) -> Result<Vec<PathBuf>> {
    let walker = ignore::WalkBuilder::new(root)
        // .gitignore applies even outside a git checkout (an unpacked tarball, a CI cache).
        .require_git(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name() == "target")
        })
        .build();
    let mut lockfiles = std::collections::BTreeSet::new();
    for entry in walker {
        let entry = entry.map_err(|err| Error::Walk {
            path: root.to_path_buf(),
            message: err.to_string(),
        })?;
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir {
            continue;
        }
        if entry.file_name() == "Cargo.lock" {
            lockfiles.insert(entry.into_path());
        } else if entry.file_name() == "Cargo.toml" {
            // Libraries usually git-ignore their Cargo.lock, yet the one `cargo` generated next
            // to the manifest is exactly what gets built and tested here.
            let beside = entry.path().with_file_name("Cargo.lock");
            if beside.is_file() {
                lockfiles.insert(beside);
            }
        }
    }
    Ok(lockfiles.into_iter().collect())
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

    #[test]
    fn lockfile_path_resolves_to_its_directory() {
        let found = discover(Path::new("Cargo.lock")).unwrap();
        assert_eq!(found.root, PathBuf::from("."));
        assert_eq!(found.lockfiles, vec![PathBuf::from("Cargo.lock")]);
    }
}
