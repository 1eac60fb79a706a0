//! Getting and refreshing a RustSec advisory-db checkout with the `git` command (no git library in
//! the build), safely: a lock file keeps two jobs on one machine from working on the same
//! checkout, and a new copy is cloned beside the old one and swapped in only once complete, so a
//! failed fetch leaves the previous database usable.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where RustSec publishes its database.
pub const DEFAULT_URL: &str = "https://github.com/rustsec/advisory-db.git";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    /// There was no database: it was cloned.
    Cloned,
    /// An existing database was replaced by a fresh copy.
    Updated,
}

/// Clones `url` into `db`, or replaces the checkout at `db` with a fresh clone.
pub fn fetch(db: &Path, url: &str) -> Result<Fetched> {
    let error = |message: String| Error::Fetch {
        path: db.to_path_buf(),
        url: url.to_owned(),
        message,
    };
    let parent = match db.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|err| error(format!("cannot create {}: {err}", parent.display())))?;
    let name = db
        .file_name()
        .ok_or_else(|| error("the database path has no directory name".into()))?
        .to_string_lossy()
        .into_owned();

    // Held until this function returns; a second fetch waits here, then finds a fresh copy.
    let lock_path = parent.join(format!(".{name}.lock"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|err| {
            error(format!(
                "cannot open the lock {}: {err}",
                lock_path.display()
            ))
        })?;
    lock.lock()
        .map_err(|err| error(format!("cannot lock {}: {err}", lock_path.display())))?;

    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.incoming."))
        .tempdir_in(&parent)
        .map_err(|err| error(format!("cannot create a staging directory: {err}")))?;
    let checkout = staging.path().join(&name);
    let output = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", "--", url])
        .arg(&checkout)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|err| error(format!("cannot run git: {err}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("git clone failed");
        let kept = if db.exists() {
            "; the previous copy is unchanged"
        } else {
            ""
        };
        return Err(error(format!("{reason}{kept}")));
    }

    if !db.exists() {
        std::fs::rename(&checkout, db)
            .map_err(|err| error(format!("cannot move the new copy into place: {err}")))?;
        return Ok(Fetched::Cloned);
    }
    // Swap: the old copy moves aside (into the staging directory, removed with it), the new one
    // takes its name. Both renames are within one directory, so neither copies data.
    let retired = staging.path().join("previous");
    std::fs::rename(db, &retired)
        .map_err(|err| error(format!("cannot move the previous copy aside: {err}")))?;
    if let Err(err) = std::fs::rename(&checkout, db) {
        // Put the old copy back rather than leave nothing.
        let _ = std::fs::rename(&retired, db);
        return Err(error(format!("cannot move the new copy into place: {err}")));
    }
    Ok(Fetched::Updated)
}
