//! `--new-since REF`: the commit a change started from (the merge base of HEAD and REF), written
//! out as a plain directory so the same scan can run over it.
//!
//! The tree is written from git's objects (`ls-tree` and one `cat-file --batch`), not checked
//! out: a checkout would run the repository's filters (`.gitattributes` smudge drivers) and touch
//! its index and worktree list, and an export honours `export-ignore`. Only regular files are
//! written: symlinks (which could point anywhere) and submodules are left out, and a path that
//! could leave the directory is refused. The directory is removed when the value is dropped.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

/// The base commit, exported.
pub struct BaseTree {
    /// Held so the export is removed when the value is dropped.
    _dir: tempfile::TempDir,
    /// The scan root's place inside the export.
    pub scan_root: PathBuf,
    /// The merge base, in full.
    pub commit: String,
    /// The scan root's path from the repository's top (`services/api/`, or empty).
    prefix: String,
    top: PathBuf,
}

/// Git with the settings a scan needs: no pager, no fsmonitor hook from the repository's config.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-c")
        .arg("core.fsmonitor=false")
        .arg("-C")
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    command
}

/// Git's output, or its last line of complaint.
fn run(dir: &Path, args: &[&str]) -> std::result::Result<String, String> {
    let out = git(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}; install git"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(stderr
            .lines()
            .rfind(|line| !line.trim().is_empty())
            .unwrap_or("git failed")
            .trim()
            .to_owned())
    }
}

/// The fetch that makes `reference` resolve: a remote branch into its remote-tracking ref (a
/// single-branch clone's `git fetch origin main` only sets FETCH_HEAD), a commit by its id.
fn fetch_advice(dir: &Path, reference: &str, shallow: bool) -> String {
    let unshallow = if shallow { " --unshallow" } else { "" };
    let remotes = run(dir, &["remote"]).unwrap_or_default();
    let remote_branch = reference
        .split_once('/')
        .filter(|(remote, _)| remotes.lines().any(|known| known == *remote));
    let is_commit = reference.len() >= 7 && reference.bytes().all(|b| b.is_ascii_hexdigit());
    match remote_branch {
        Some((remote, branch)) => format!(
            "`git fetch --no-tags{unshallow} {remote} +refs/heads/{branch}:refs/remotes/{remote}/{branch}`"
        ),
        None if is_commit => format!("`git fetch --no-tags{unshallow} origin {reference}`"),
        None => format!(
            "`git fetch --no-tags{unshallow} origin +refs/heads/{reference}:refs/remotes/origin/{reference}` and pass --new-since origin/{reference}"
        ),
    }
}

impl BaseTree {
    /// Finds the merge base of HEAD and `reference` for the repository `scan_root` is in, and
    /// writes its tree to a temporary directory.
    pub fn export(scan_root: &Path, reference: &str) -> Result<BaseTree> {
        let fail = |message: String| Error::NewSince {
            path: scan_root.to_owned(),
            reference: reference.to_owned(),
            message,
        };
        if reference.starts_with('-') || reference.trim().is_empty() {
            return Err(fail(
                "not a git revision; pass a branch, tag or commit, e.g. origin/main".into(),
            ));
        }
        let top = run(scan_root, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            fail("the scanned directory is not in a git repository, so there is no base to compare with; scan a git checkout or drop --new-since".into())
        })?;
        let prefix = run(scan_root, &["rev-parse", "--show-prefix"]).map_err(fail)?;
        let shallow = run(scan_root, &["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| out == "true");
        let wanted = format!("{reference}^{{commit}}");
        let commit = run(
            scan_root,
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &wanted],
        )
        .map_err(|_| {
            let fetch = fetch_advice(scan_root, reference, shallow);
            fail(if shallow {
                format!("no such commit in this shallow clone; fetch it with its history: {fetch} (in GitHub Actions, actions/checkout with `fetch-depth: 0`)")
            } else {
                format!("no such commit here; fetch it: {fetch}, or pass a branch, tag or commit that exists")
            })
        })?;
        let base = run(scan_root, &["merge-base", "HEAD", &commit]).map_err(|_| {
            fail(if shallow {
                "HEAD and it share no commit in this shallow clone, so the base cannot be found; fetch the history between them: `git fetch --no-tags --unshallow origin` (in GitHub Actions, actions/checkout with `fetch-depth: 0`)".into()
            } else {
                "HEAD and it have no common history; pass the branch this change started from".into()
            })
        })?;
        let dir = tempfile::Builder::new()
            .prefix("cargo-warden-base-")
            .tempdir()
            .map_err(|e| fail(format!("cannot create a temporary directory: {e}")))?;
        let top = PathBuf::from(top);
        write_tree(&top, &base, dir.path()).map_err(fail)?;
        let scan_root = dir.path().join(&prefix);
        if !scan_root.is_dir() {
            std::fs::create_dir_all(&scan_root)
                .map_err(|e| fail(format!("cannot create the base's scan root: {e}")))?;
        }
        Ok(BaseTree {
            _dir: dir,
            scan_root,
            commit: base,
            prefix,
            top,
        })
    }

    /// Copies into the export the files at `paths` (relative to the scan root) that it lacks and
    /// that HEAD does not track either: a lockfile a library generates in CI but never commits
    /// is the same file at the base. Returns the paths copied.
    pub fn carry_untracked(&self, head_root: &Path, paths: &[String]) -> Vec<String> {
        let mut carried = Vec::new();
        for path in paths {
            let target = self.scan_root.join(path);
            if target.exists() {
                continue;
            }
            let in_repo = format!("HEAD:{}{path}", self.prefix);
            if run(&self.top, &["cat-file", "-e", &in_repo]).is_ok() {
                continue;
            }
            let copied = target
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::copy(head_root.join(path), &target));
            if copied.is_ok() {
                carried.push(path.clone());
            }
        }
        carried
    }
}

/// A tree entry's path, when it stays inside the export and is not git's own directory.
fn safe_path(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    let mut parts = path.components().peekable();
    parts.peek()?;
    for part in parts {
        match part {
            Component::Normal(name) if !name.eq_ignore_ascii_case(".git") => {}
            _ => return None,
        }
    }
    Some(path.to_owned())
}

/// Writes every regular file of `commit` under `into`.
fn write_tree(top: &Path, commit: &str, into: &Path) -> std::result::Result<(), String> {
    let listing = git(top)
        .args(["ls-tree", "-r", "-z", "--full-tree", commit])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !listing.status.success() {
        let stderr = String::from_utf8_lossy(&listing.stderr);
        let last = stderr.lines().rfind(|line| !line.trim().is_empty());
        return Err(format!(
            "cannot list the base tree: {}",
            last.unwrap_or("git failed").trim()
        ));
    }
    // `<mode> <type> <object>\t<path>`, NUL-terminated.
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in listing.stdout.split(|&b| b == 0) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (Some(mode), Some("blob"), Some(object)) = (meta.next(), meta.next(), meta.next())
        else {
            continue;
        };
        if !matches!(mode, "100644" | "100755") {
            continue;
        }
        if let Some(path) = safe_path(path) {
            files.push((object.to_owned(), path));
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    let mut child = git(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("cannot write to git")?;
    let objects: Vec<String> = files.iter().map(|(object, _)| object.clone()).collect();
    // Written from another thread: git answers while it reads, and both pipes would fill.
    let writer = std::thread::spawn(move || {
        for object in objects {
            if writeln!(stdin, "{object}").is_err() {
                break;
            }
        }
    });
    let mut stdout = BufReader::with_capacity(1 << 16, child.stdout.take().ok_or("no output")?);
    let outcome = (|| {
        let mut header = String::new();
        for (object, path) in &files {
            header.clear();
            stdout
                .read_line(&mut header)
                .map_err(|e| format!("cannot read the base tree: {e}"))?;
            // `<object> blob <size>`.
            let size: u64 = header
                .trim_end()
                .rsplit(' ')
                .next()
                .and_then(|size| size.parse().ok())
                .ok_or_else(|| {
                    format!(
                        "git has no object {object} for {} of the base tree (a partial or damaged clone); fetch it (`git fetch --refetch origin`) or compare with another revision",
                        path.display()
                    )
                })?;
            let target = into.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            }
            let mut file = std::fs::File::create(&target)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            let copied = std::io::copy(&mut (&mut stdout).take(size), &mut file)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            if copied != size {
                return Err("git stopped while writing the base tree".to_owned());
            }
            let mut newline = [0u8; 1];
            stdout
                .read_exact(&mut newline)
                .map_err(|e| format!("cannot read the base tree: {e}"))?;
        }
        Ok(())
    })();
    drop(stdout);
    let _ = writer.join();
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

#[cfg(test)]
mod tests {
    use super::safe_path;

    #[test]
    fn paths_that_leave_the_export_or_enter_git_are_refused() {
        assert!(safe_path("src/main.rs").is_some());
        assert!(safe_path("../outside").is_none());
        assert!(safe_path("/etc/passwd").is_none());
        assert!(safe_path("a/.GIT/config").is_none());
        assert!(safe_path("").is_none());
    }
}
