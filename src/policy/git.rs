//! The few questions the policy asks git (run as a process, never through a library, and never
//! anything the scanned tree names): its output when it succeeds, and a shallow clone's cut.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

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
