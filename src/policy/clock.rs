//! When each finding's remediation clock started.
//!
//! `introduced` asks git when the affected line entered the file (one `git blame --porcelain` per
//! file, not per finding); `published` takes the advisory's date; `first-seen` reads a baseline
//! file. Each falls back (introduced -> published -> today) and says which source it used, so a
//! shallow clone or an uncommitted lockfile never silently produces a wrong date.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::report::Detection;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockKind {
    Introduced,
    Published,
    FirstSeen,
}

impl ClockKind {
    pub const ALL: [ClockKind; 3] = [
        ClockKind::Introduced,
        ClockKind::Published,
        ClockKind::FirstSeen,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ClockKind::Introduced => "introduced",
            ClockKind::Published => "published",
            ClockKind::FirstSeen => "first-seen",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            ClockKind::Introduced => "when git says the affected version or line entered the branch (never before the advisory)",
            ClockKind::Published => "the advisory's date",
            ClockKind::FirstSeen => "the date the baseline file first recorded the finding",
        }
    }

    pub fn from_name(name: &str) -> Option<ClockKind> {
        ClockKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl ClockSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockSource::Introduced => "introduced",
            ClockSource::Published => "published",
            ClockSource::FirstSeen => "first-seen",
            ClockSource::Today => "today",
        }
    }
}

/// Where a finding's clock start came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockSource {
    /// The commit that brought the affected version or line in.
    Introduced,
    /// The advisory's publication date.
    Published,
    /// The baseline's record.
    FirstSeen,
    /// Nothing earlier was known: the clock starts with this run.
    Today,
}

/// Clock starts for every detection, in order.
pub fn starts(
    detections: &[Detection],
    kind: ClockKind,
    root: &Path,
    baseline: Option<&Baseline>,
    today: Date,
) -> Vec<(Date, ClockSource)> {
    let published = |d: &Detection| match d.published() {
        Some(date) => (date, ClockSource::Published),
        None => (today, ClockSource::Today),
    };
    match kind {
        ClockKind::Published => detections.iter().map(published).collect(),
        ClockKind::FirstSeen => detections
            .iter()
            .map(
                |d| match baseline.and_then(|b| b.first_seen(&d.fingerprint)) {
                    Some(date) => (date, ClockSource::FirstSeen),
                    None => (today, ClockSource::Today),
                },
            )
            .collect(),
        ClockKind::Introduced => {
            let files: HashSet<&str> = detections.iter().map(|d| d.file.as_str()).collect();
            let mut files: Vec<&str> = files.into_iter().collect();
            files.sort_unstable();
            let blames: HashMap<&str, Option<LineDates>> = files
                .par_iter()
                .map(|file| (*file, LineDates::blame(&root.join(file))))
                .collect();
            detections
                .iter()
                .map(|d| {
                    let introduced = blames
                        .get(d.file.as_str())
                        .and_then(Option::as_ref)
                        .and_then(|dates| dates.introduced(&d.clock_lines));
                    match (introduced, d.published()) {
                        // Never before the advisory: nobody can fix what is not yet known.
                        (Some(intro), Some(published)) if published > intro => {
                            (published, ClockSource::Published)
                        }
                        (Some(intro), _) => (intro, ClockSource::Introduced),
                        (None, _) => published(d),
                    }
                })
                .collect()
        }
    }
}

/// The commit date of every line of one file, from `git blame --porcelain`.
#[derive(Debug)]
pub struct LineDates {
    /// Index 0 is line 1. `None`: uncommitted, or blamed on a shallow clone's boundary commit
    /// (whose date says nothing about when the line was written).
    dates: Vec<Option<Date>>,
}

impl LineDates {
    /// `None` when git is missing, the file is not in a repository, or it is not committed.
    pub fn blame(file: &Path) -> Option<LineDates> {
        let dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = file.file_name()?;
        let git = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .output()
                .ok()
                .filter(|out| out.status.success())
        };
        // --root: the first commit's lines are its own, not an unknown boundary.
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["blame", "--porcelain", "--root", "--"])
            .arg(name)
            .output()
            .ok()
            .filter(|out| out.status.success())?;
        let shallow = git(&["rev-parse", "--is-shallow-repository"])
            .is_some_and(|out| out.stdout.starts_with(b"true"));
        let shallow_commits: HashSet<String> = if shallow {
            git(&["rev-parse", "--git-path", "shallow"])
                .and_then(|out| {
                    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
                    let path = if path.is_absolute() {
                        path
                    } else {
                        dir.join(path)
                    };
                    std::fs::read_to_string(path).ok()
                })
                .map(|text| text.lines().map(str::to_owned).collect())
                .unwrap_or_default()
        } else {
            HashSet::new()
        };
        Some(LineDates::from_porcelain(
            &String::from_utf8_lossy(&output.stdout),
            &shallow_commits,
        ))
    }

    fn from_porcelain(porcelain: &str, shallow_commits: &HashSet<String>) -> LineDates {
        // Porcelain names each commit's details only on its first line; later lines of the same
        // commit carry just the header, so dates are remembered per commit.
        let mut commit_dates: HashMap<&str, Date> = HashMap::new();
        let mut dates: Vec<Option<Date>> = Vec::new();
        let mut current: Option<(&str, usize)> = None;
        for line in porcelain.lines() {
            if line.starts_with('\t') {
                if let Some((commit, final_line)) = current.take() {
                    if dates.len() < final_line {
                        dates.resize(final_line, None);
                    }
                    dates[final_line - 1] = commit_dates.get(commit).copied();
                }
            } else if let Some(seconds) = line.strip_prefix("committer-time ") {
                let usable = current.filter(|(commit, _)| {
                    !commit.bytes().all(|b| b == b'0') && !shallow_commits.contains(*commit)
                });
                if let (Some((commit, _)), Ok(seconds)) = (usable, seconds.trim().parse::<i64>()) {
                    commit_dates.insert(commit, Date::from_unix_seconds(seconds));
                }
            } else {
                let mut fields = line.split(' ');
                let first = fields.next().unwrap_or_default();
                if first.len() == 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
                    let final_line: usize = fields.nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
                    current = (final_line > 0).then_some((first, final_line));
                }
            }
        }
        LineDates { dates }
    }

    /// The latest commit date among the lines (a package entry's name and version lines), or
    /// `None` when any of them has no usable date.
    fn introduced(&self, lines: &[usize]) -> Option<Date> {
        let mut latest = None;
        for &line in lines {
            let date = (*self.dates.get(line.checked_sub(1)?)?)?;
            latest = latest.max(Some(date));
        }
        latest
    }
}

/// `first-seen` dates by fingerprint, kept in the repository so every run agrees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: BTreeMap<String, BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub first_seen: String,
    /// What the fingerprint stands for, for people reading the file.
    pub rule: String,
    pub subject: String,
}

pub const BASELINE_FILE: &str = "warden-baseline.json";

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = crate::config::read(path)?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|err| Error::Config {
            path: path.to_path_buf(),
            line: err.line(),
            column: err.column(),
            message: format!("not a cargo-warden baseline: {err}"),
        })?;
        for (fingerprint, entry) in &baseline.findings {
            if Date::parse(&entry.first_seen).is_none() {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "`first_seen` of {fingerprint} is `{}`, not a YYYY-MM-DD date",
                        entry.first_seen
                    ),
                });
            }
        }
        Ok(baseline)
    }

    pub fn first_seen(&self, fingerprint: &str) -> Option<Date> {
        Date::parse(&self.findings.get(fingerprint)?.first_seen)
    }

    /// The baseline after this scan: known findings keep their date, new ones start `today`,
    /// findings no longer present are dropped (if one comes back, its clock starts again).
    pub fn updated(&self, detections: &[Detection], today: Date) -> Baseline {
        let findings = detections
            .iter()
            .map(|d| {
                let first_seen = self.first_seen(&d.fingerprint).unwrap_or(today).min(today);
                (
                    d.fingerprint.clone(),
                    BaselineEntry {
                        first_seen: first_seen.to_string(),
                        rule: d.rule.clone(),
                        subject: d.subject(),
                    },
                )
            })
            .collect();
        Baseline {
            version: 1,
            findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORCELAIN: &str = "\
1111111111111111111111111111111111111111 1 1 2
author A
author-time 1700000000
committer A
committer-time 1704067200
summary first
filename Cargo.lock
\tname = \"a\"
1111111111111111111111111111111111111111 2 2
\tversion = \"1.0.0\"
2222222222222222222222222222222222222222 3 3 1
author B
committer-time 1717200000
boundary
filename Cargo.lock
\tversion = \"2.0.0\"
0000000000000000000000000000000000000000 4 4 1
author Not Committed Yet
committer-time 1800000000
filename Cargo.lock
\tname = \"b\"
";

    #[test]
    fn porcelain_gives_committer_dates_per_line() {
        let dates = LineDates::from_porcelain(PORCELAIN, &HashSet::new());
        let d = |s| Date::parse(s);
        assert_eq!(
            dates.dates,
            [d("2024-01-01"), d("2024-01-01"), d("2024-06-01"), None]
        );
        assert_eq!(dates.introduced(&[1, 3]), d("2024-06-01"));
        assert_eq!(dates.introduced(&[4]), None, "uncommitted");
        assert_eq!(dates.introduced(&[9]), None, "past the end");
    }

    #[test]
    fn shallow_boundary_commits_have_no_date() {
        let shallow = HashSet::from(["2222222222222222222222222222222222222222".to_owned()]);
        let dates = LineDates::from_porcelain(PORCELAIN, &shallow);
        assert_eq!(dates.introduced(&[3]), None);
        assert_eq!(dates.introduced(&[1]), Date::parse("2024-01-01"));
    }
}
