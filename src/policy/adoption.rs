//! The adoption date: when the repository took up the policy. The team could not have known of
//! a finding in its own code before a scan could report it, so no source finding's clock starts
//! before this date. It is `[policy] since`, else the day the settings were first committed, else
//! today; this module also says which files changed since (the only ones worth a `git blame`) and
//! whether history is cut short (a shallow clone).

use super::git::git;
use crate::date::Date;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// When the repository took up the policy: no source finding's clock starts before it, since the
/// team could not have known of a finding before a scan could report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adoption {
    pub date: Date,
    /// Set by `[policy] since`: then advisories' clocks do not start before it either.
    pub explicit: bool,
}

impl Adoption {
    /// The adoption date of a repository: `[policy] since` when set, else the date the settings
    /// were first committed (for settings in Cargo.toml, the commit that added the
    /// `metadata.warden` table), else `today`. The second value says which, for a note.
    /// Never later than `today`: a date ahead of the run (a pinned `--today`) would stretch every
    /// time frame past the policy's.
    pub fn find(
        since: Option<Date>,
        settings: Option<&Path>,
        today: Date,
    ) -> (Adoption, AdoptionSource) {
        if let Some(date) = since {
            return (
                Adoption {
                    date: date.min(today),
                    explicit: true,
                },
                AdoptionSource::Since,
            );
        }
        let committed = settings.and_then(first_committed);
        match committed {
            Some(date) => (
                Adoption {
                    date: date.min(today),
                    explicit: false,
                },
                AdoptionSource::SettingsCommitted,
            ),
            None => (
                Adoption {
                    date: today,
                    explicit: false,
                },
                AdoptionSource::Today,
            ),
        }
    }
}

/// Where the adoption date came from (the JSON report's `policy.since_source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdoptionSource {
    Since,
    SettingsCommitted,
    Today,
}

/// The date `file` (warden.toml, or the warden table of a Cargo.toml) was first committed.
fn first_committed(file: &Path) -> Option<Date> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file.file_name()?.to_str()?;
    let args: Vec<&str> = if name == "Cargo.toml" {
        // The manifest is older than its warden settings: find the commit that added them.
        vec![
            "log",
            "--format=%ct",
            "--reverse",
            "-G",
            r"metadata\.warden",
            "--",
            name,
        ]
    } else {
        vec![
            "log",
            "--format=%ct",
            "--reverse",
            "--diff-filter=A",
            "--",
            name,
        ]
    };
    let out = git(dir, &args)?;
    let text = String::from_utf8_lossy(&out);
    let seconds: i64 = text.lines().next()?.trim().parse().ok()?;
    Some(Date::from_unix_seconds(seconds))
}

/// Whether `root` is in a shallow clone, whose history stops at a cut: dates before it are
/// unknown.
pub fn is_shallow(root: &Path) -> bool {
    super::git::in_work_tree(root)
        && git(root, &["rev-parse", "--is-shallow-repository"])
            .is_some_and(|out| out.starts_with(b"true"))
}

/// Files (relative to `root`, `/` separators) changed in a commit since `date` or not committed:
/// the only ones whose lines can be newer than `date`. `None` when git cannot say.
pub(super) fn changed_since(root: &Path, date: Date) -> Option<HashSet<String>> {
    // A day early, at midnight UTC: git reads a bare date as that day at the current time of
    // day, and a day's margin costs a few extra blames, never a missed change.
    let since = format!("--since={}T00:00:00Z", date.add_days(-1));
    // NUL-separated, unquoted paths: names with spaces, quotes or non-ASCII bytes come back as
    // they are.
    let log = git(
        root,
        &[
            "-c",
            "core.quotePath=false",
            "log",
            &since,
            "--format=",
            "--name-only",
            "-z",
            "--relative",
            "--",
            ".",
        ],
    )?;
    let status = git(
        root,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ],
    )?;
    let prefix = String::from_utf8(git(root, &["rev-parse", "--show-prefix"])?).ok()?;
    let prefix = prefix.trim();
    let mut files: HashSet<String> = log
        .split(|&b| b == 0 || b == b'\n')
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    // `XY path\0`, and for a rename or copy `XY new\0old\0`; paths from the repository's top.
    let mut entries = status.split(|&b| b == 0);
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        if matches!(entry[0], b'R' | b'C') {
            entries.next();
        }
        let path = String::from_utf8_lossy(&entry[3..]);
        if let Some(relative) = path.strip_prefix(prefix) {
            files.insert(relative.to_owned());
        }
    }
    Some(files)
}
