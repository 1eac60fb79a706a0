//! The few questions the policy asks git (run as a process, never through a library, and never
//! anything the scanned tree names): its output when it succeeds, and a shallow clone's cut.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Runs git in `dir`; `None` unless it succeeds.
pub(super) fn git(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| out.stdout)
}

/// Commits a shallow clone was cut at: their content says nothing about when it was written.
pub(super) fn shallow_commits(dir: &Path) -> HashSet<String> {
    let shallow = git(dir, &["rev-parse", "--is-shallow-repository"])
        .is_some_and(|out| out.starts_with(b"true"));
    if !shallow {
        return HashSet::new();
    }
    git(dir, &["rev-parse", "--git-path", "shallow"])
        .and_then(|out| {
            let path = PathBuf::from(String::from_utf8_lossy(&out).trim());
            let path = if path.is_absolute() {
                path
            } else {
                dir.join(path)
            };
            std::fs::read_to_string(path).ok()
        })
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The git work trees the files of one scan are in, each asked once whether it is a shallow
/// clone. Whether a file is in one at all is told by a `.git` entry above it, without running
/// git: outside a repository, asking git about each file cost two processes a file (20,000
/// files: 15.6 s to learn nothing).
#[derive(Default)]
pub(super) struct WorkTrees {
    shallow: Mutex<HashMap<PathBuf, Arc<HashSet<String>>>>,
}

impl WorkTrees {
    /// The shallow-clone cut of the work tree `dir` is in (empty when the clone is complete);
    /// `None` outside git.
    pub(super) fn of(&self, dir: &Path) -> Option<Arc<HashSet<String>>> {
        let top = work_tree_of(dir)?;
        if let Some(known) = self.lock().get(&top) {
            return Some(known.clone());
        }
        let shallow = Arc::new(shallow_commits(&top));
        self.lock().insert(top, shallow.clone());
        Some(shallow)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<HashSet<String>>>> {
        // The map is only ever added to, so one left by a panicking thread is still whole.
        self.shallow
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The directory holding the `.git` entry (a directory, or a file for worktrees and submodules)
/// nearest above `dir`. `GIT_DIR` in the environment points git elsewhere; then git decides.
/// Whether `dir` is in a git work tree, told by a `.git` entry above it (or `$GIT_DIR`) without
/// running git: a scan outside git asks git nothing.
pub fn in_work_tree(dir: &Path) -> bool {
    work_tree_of(dir).is_some()
}

fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).ok()?;
    if std::env::var_os("GIT_DIR").is_some() {
        return Some(dir);
    }
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}
