//! When each finding's remediation clock started.
//!
//! `introduced` asks git when the affected thing entered the branch, with one git process per file,
//! never one per finding: for a lockfile, when each affected `name`/`version` entry appeared
//! ([`lockfile_entry_dates`]); for source lines, `git blame --porcelain` ([`LineDates`]).
//! `published` takes the advisory's date; `first-seen` reads a baseline file. Each falls back
//! (introduced -> published -> today) and says which source it used, so a shallow clone or an
//! uncommitted lockfile never silently produces a wrong date.

use super::adoption::{changed_since, Adoption};
use super::git::{git, WorkTrees};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{Class, ClockSource, Detection, Origin};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
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

/// Clock starts for every detection, in order.
pub fn starts(
    detections: &[Detection],
    kind: ClockKind,
    root: &Path,
    baseline: Option<&Baseline>,
    today: Date,
    adoption: Adoption,
) -> Vec<Option<(Date, ClockSource)>> {
    // Audit findings have no remediation window: nothing to date, no blame to run.
    let weakness = |d: &Detection| d.class == Class::Weakness;
    let published = |d: &Detection| match d.published() {
        Some(date) => (date, ClockSource::Published),
        None => (today, ClockSource::Today),
    };
    match kind {
        ClockKind::Published => detections
            .iter()
            .map(|d| weakness(d).then(|| published(d)))
            .collect(),
        ClockKind::FirstSeen => detections
            .iter()
            .map(|d| {
                weakness(d).then(
                    || match baseline.and_then(|b| b.first_seen(&d.fingerprint)) {
                        Some(date) => (date, ClockSource::FirstSeen),
                        None => (today, ClockSource::Today),
                    },
                )
            })
            .collect(),
        ClockKind::Introduced => {
            // A source file nobody changed since the adoption date needs no blame: its lines
            // are all older, so their clocks start on that date.
            let changed = if adoption.date < today {
                changed_since(root, adoption.date)
            } else {
                Some(HashSet::new())
            };
            let unchanged = |d: &Detection| {
                matches!(d.origin, Origin::Lines(_))
                    && changed.as_ref().is_some_and(|c| !c.contains(&d.file))
            };
            let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (index, detection) in detections
                .iter()
                .enumerate()
                .filter(|(_, d)| weakness(d) && !unchanged(d))
            {
                by_file
                    .entry(detection.file.as_str())
                    .or_default()
                    .push(index);
            }
            let files: Vec<(&str, Vec<usize>)> = by_file.into_iter().collect();
            let trees = WorkTrees::default();
            let introduced: Vec<(usize, Option<Date>)> = files
                .par_iter()
                .flat_map_iter(|(file, indices)| {
                    // Source lines older than the adoption date start on it, so blame need not
                    // search further back.
                    let dates = introduced_dates(
                        &root.join(file),
                        indices,
                        detections,
                        today,
                        Some(adoption.date),
                        &trees,
                    );
                    indices.iter().copied().zip(dates).collect::<Vec<_>>()
                })
                .collect();
            let mut by_index = vec![None; detections.len()];
            for (index, date) in introduced {
                by_index[index] = date;
            }
            let adopted = (adoption.date, ClockSource::Adopted);
            detections
                .iter()
                .zip(by_index)
                .map(|(d, introduced)| {
                    if !weakness(d) {
                        return None;
                    }
                    Some(match (&d.origin, introduced) {
                        // Never before the adoption date; an unknown date (a shallow clone's
                        // cut) is taken as the adoption date, never as later.
                        (Origin::Lines(_), Some(intro)) if intro > adoption.date => {
                            (intro, ClockSource::Introduced)
                        }
                        (Origin::Lines(_), _) => adopted,
                        (Origin::LockfileEntry { .. }, introduced) => {
                            let start = match (introduced, d.published()) {
                                // Never before the advisory: nobody can fix what is not yet
                                // known.
                                (Some(intro), Some(published)) if published > intro => {
                                    (published, ClockSource::Published)
                                }
                                (Some(intro), _) => (intro, ClockSource::Introduced),
                                (None, _) => published(d),
                            };
                            // With `since` set, not before the repository took up the policy.
                            if adoption.explicit && adoption.date > start.0 {
                                adopted
                            } else {
                                start
                            }
                        }
                    })
                })
                .collect()
        }
    }
}

/// Introduction dates of the detections at `indices`, all in `file`: one git walk for the
/// lockfile entries, one blame for source lines.
/// Lines not yet committed were introduced `today`.
fn introduced_dates(
    file: &Path,
    indices: &[usize],
    detections: &[Detection],
    today: Date,
    since: Option<Date>,
    trees: &WorkTrees,
) -> Vec<Option<Date>> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(shallow) = trees.of(dir) else {
        return vec![None; indices.len()];
    };
    let entries: Vec<LockfileEntry> = indices
        .iter()
        .filter_map(|&i| match &detections[i].origin {
            Origin::LockfileEntry { name, version } => Some(LockfileEntry {
                name,
                version,
                not_before: detections[i].published(),
            }),
            Origin::Lines(_) => None,
        })
        .collect();
    let entry_dates = if entries.is_empty() {
        None
    } else {
        lockfile_entry_dates(file, &entries, &shallow)
    };
    let mut lines: Vec<usize> = indices
        .iter()
        .flat_map(|&i| match &detections[i].origin {
            Origin::Lines(lines) => lines.as_slice(),
            Origin::LockfileEntry { .. } => &[],
        })
        .copied()
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let line_dates = if lines.is_empty() {
        None
    } else {
        LineDates::blame(file, since, &lines, &shallow)
    };
    // A file git does not track yet (blame has nothing to say) was written in the working tree.
    let untracked = !lines.is_empty() && line_dates.is_none() && is_untracked(file);
    let mut entry_index = 0;
    indices
        .iter()
        .map(|&i| match &detections[i].origin {
            Origin::LockfileEntry { .. } => {
                let date = entry_dates.as_ref().and_then(|dates| dates[entry_index]);
                entry_index += 1;
                date
            }
            Origin::Lines(_) if untracked => Some(today),
            Origin::Lines(lines) => line_dates.as_ref().and_then(|d| {
                if d.uncommitted(lines) {
                    Some(today)
                } else {
                    d.introduced(lines)
                }
            }),
        })
        .collect()
}

/// Whether `file` is in a git work tree but not tracked (a new file not yet added).
fn is_untracked(file: &Path) -> bool {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    git(dir, &["rev-parse", "--is-inside-work-tree"]).is_some()
        && git(dir, &["ls-files", "--error-unmatch", "--", name]).is_none()
}

/// One `[[package]]` entry whose introduction date is wanted.
pub struct LockfileEntry<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// Dates before this do not matter (the clock never starts before the advisory), so the walk
    /// can stop for this entry once it reaches older commits.
    pub not_before: Option<Date>,
}

/// When each `(name, version)` entry entered the lockfile on the current branch: walking the
/// commits that changed the file, newest first along first parents (a merge counts as when its
/// branch arrived), the entry's date is that of the oldest commit of the unbroken run that still
/// contains it.
///
/// This reads the file's content at each commit (`git cat-file --batch`, one process) and stops as
/// soon as every entry is placed; `git blame` gives the same answer but diffs every revision, which
/// takes over a second on a lockfile with two thousand revisions.
///
/// `None` for the whole file when git cannot answer (no git, not a repository, not committed);
/// `None` for an entry that is not in the committed file (an uncommitted change) or that reaches
/// back to a shallow clone's boundary.
pub fn lockfile_entry_dates(
    file: &Path,
    entries: &[LockfileEntry],
    shallow: &HashSet<String>,
) -> Option<Vec<Option<Date>>> {
    use std::io::{BufRead, BufReader, Read, Write};

    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file.file_name()?.to_str()?;
    let prefix = String::from_utf8(git(dir, &["rev-parse", "--show-prefix"])?).ok()?;
    let path_in_repo = format!("{}{name}", prefix.trim());
    // The commit list is streamed and the walk stops early, so git never has to walk the whole
    // history when the entries are recent.
    let mut log = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "log",
            "--first-parent",
            "--format=%H %ct",
            "HEAD",
            "--",
            name,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let log_lines = BufReader::new(log.stdout.take()?).lines();
    let commits = log_lines.map_while(Result::ok).filter_map(|line| {
        let (sha, seconds) = line.split_once(' ')?;
        Some((
            sha.to_owned(),
            Date::from_unix_seconds(seconds.parse().ok()?),
        ))
    });
    // Each revision is scanned once for `name = "..."` lines (a SIMD substring search), and only
    // names of affected packages are looked at further, so the cost does not grow with the number
    // of entries asked about.
    let mut wanted: HashMap<(&[u8], &[u8]), Vec<usize>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        wanted
            .entry((entry.name.as_bytes(), entry.version.as_bytes()))
            .or_default()
            .push(i);
    }
    let wanted_names: HashSet<&[u8]> = wanted.keys().map(|(name, _)| *name).collect();
    let name_key = memchr::memmem::Finder::new(b"\nname = \"");
    let mut present = vec![false; entries.len()];
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let mut stdout = BufReader::new(child.stdout.take()?);

    // `run_start[i]`: the oldest commit so far of entry i's unbroken run from HEAD.
    let mut run_start: Vec<Option<Option<Date>>> = vec![None; entries.len()];
    let mut placed = vec![false; entries.len()];
    let mut content = Vec::new();
    let mut walked = 0;
    for (position, (sha, date)) in commits.enumerate() {
        walked += 1;
        if placed.iter().all(|&p| p) {
            break;
        }
        if writeln!(stdin, "{sha}:{path_in_repo}")
            .and_then(|()| stdin.flush())
            .is_err()
        {
            break;
        }
        let mut header = String::new();
        if stdout.read_line(&mut header).ok()? == 0 {
            break;
        }
        // `<oid> blob <size>`, or `<object> missing` when the file was deleted in this commit.
        let size = header
            .split(' ')
            .nth(2)
            .and_then(|size| size.trim().parse::<usize>().ok());
        content.clear();
        if let Some(size) = size {
            content.resize(size + 1, 0);
            stdout.read_exact(&mut content).ok()?;
        }
        let boundary = shallow.contains(&sha);
        present.fill(false);
        if size.is_some() {
            for at in name_key.find_iter(&content) {
                let rest = &content[at + 9..];
                let Some(name_end) = memchr::memchr(b'"', rest) else {
                    continue;
                };
                let name = &rest[..name_end];
                if !wanted_names.contains(name) {
                    continue;
                }
                // Cargo writes `version` on the line right after `name`.
                let Some(version) = rest[name_end..].strip_prefix(b"\"\nversion = \"") else {
                    continue;
                };
                let Some(version_end) = memchr::memchr(b'"', version) else {
                    continue;
                };
                if let Some(indices) = wanted.get(&(name, &version[..version_end])) {
                    for &i in indices {
                        present[i] = true;
                    }
                }
            }
        }
        for i in 0..entries.len() {
            if placed[i] {
                continue;
            }
            if present[i] {
                // Still present this far back; at a shallow boundary the true start is unknown.
                run_start[i] = Some((!boundary).then_some(date));
                if entries[i].not_before.is_some_and(|limit| date < limit) {
                    placed[i] = true;
                }
            } else {
                // Absent here: the run started at the newer commit (none if absent at HEAD, i.e.
                // the entry is not committed).
                placed[i] = true;
                if position == 0 {
                    run_start[i] = None;
                }
            }
        }
    }
    drop(stdin);
    let _ = child.wait();
    let _ = log.kill();
    let _ = log.wait();
    if walked == 0 {
        // Not committed at all.
        return None;
    }
    Some(run_start.into_iter().map(Option::flatten).collect())
}

/// The commit date of every line of one file, from `git blame --porcelain`.
#[derive(Debug)]
pub struct LineDates {
    /// Index 0 is line 1. `None`: uncommitted, or blamed on a shallow clone's boundary commit
    /// (whose date says nothing about when the line was written).
    dates: Vec<Option<Date>>,
    /// Lines of the working tree not committed yet: written today.
    uncommitted: Vec<bool>,
}

impl LineDates {
    /// `None` when git is missing, the file is not in a repository, or it is not committed.
    /// With `since`, history before it is not searched: lines older than it have no date (the
    /// caller dates them by the adoption date), which is what keeps blame fast on long histories.
    /// Only `lines` (1-based, sorted) are asked about: blame follows just those through history.
    pub fn blame(
        file: &Path,
        since: Option<Date>,
        lines: &[usize],
        shallow: &HashSet<String>,
    ) -> Option<LineDates> {
        let dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = file.file_name()?.to_str()?;
        // --root: the first commit's lines are its own, not an unknown boundary.
        let since = since.map(|date| format!("--since={}", date.add_days(-1)));
        // Consecutive lines as one range; past a few hundred ranges (a long command line, which
        // Windows caps) the whole file is cheaper to blame anyway.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for &line in lines {
            match spans.last_mut() {
                Some((_, end)) if *end + 1 >= line => *end = line,
                _ => spans.push((line, line)),
            }
        }
        let ranges: Vec<String> = if spans.len() > 200 {
            Vec::new()
        } else {
            spans.iter().map(|(a, b)| format!("-L{a},{b}")).collect()
        };
        let mut args = vec!["blame", "--porcelain", "--root"];
        args.extend(since.as_deref());
        args.extend(ranges.iter().map(String::as_str));
        args.extend(["--", name]);
        let output = git(dir, &args)?;
        Some(LineDates::from_porcelain(
            &String::from_utf8_lossy(&output),
            shallow,
            since.is_some(),
        ))
    }

    /// `boundary_is_cut`: blame ran with `--since`, so a `boundary` commit is where the search
    /// stopped (without it, `--root` makes boundaries real first commits).
    fn from_porcelain(
        porcelain: &str,
        shallow_commits: &HashSet<String>,
        boundary_is_cut: bool,
    ) -> LineDates {
        let mut cut: HashSet<&str> = HashSet::new();
        // Porcelain names each commit's details only on its first line; later lines of the same
        // commit carry just the header, so dates are remembered per commit.
        let mut commit_dates: HashMap<&str, Date> = HashMap::new();
        let mut dates: Vec<Option<Date>> = Vec::new();
        let mut uncommitted: Vec<bool> = Vec::new();
        let mut current: Option<(&str, usize)> = None;
        for line in porcelain.lines() {
            if line.starts_with('\t') {
                if let Some((commit, final_line)) = current.take() {
                    if dates.len() < final_line {
                        dates.resize(final_line, None);
                        uncommitted.resize(final_line, false);
                    }
                    dates[final_line - 1] = commit_dates.get(commit).copied();
                    uncommitted[final_line - 1] = commit.bytes().all(|b| b == b'0');
                }
            } else if line == "boundary" {
                // Where a `--since` or a shallow clone cut the search: not when the line arrived.
                if let Some((commit, _)) = current {
                    if !commit.bytes().all(|b| b == b'0') && boundary_is_cut {
                        commit_dates.remove(commit);
                        cut.insert(commit);
                    }
                }
            } else if let Some(seconds) = line.strip_prefix("committer-time ") {
                let usable = current.filter(|(commit, _)| {
                    !commit.bytes().all(|b| b == b'0')
                        && !shallow_commits.contains(*commit)
                        && !cut.contains(*commit)
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
        LineDates { dates, uncommitted }
    }

    /// Whether any of the lines is not committed yet (written in the working tree).
    fn uncommitted(&self, lines: &[usize]) -> bool {
        lines.iter().any(|&line| {
            line.checked_sub(1)
                .and_then(|i| self.uncommitted.get(i))
                .is_some_and(|&u| u)
        })
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
        let text = crate::toml_doc::read(path)?;
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
        let dates = LineDates::from_porcelain(PORCELAIN, &HashSet::new(), false);
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
        let dates = LineDates::from_porcelain(PORCELAIN, &shallow, false);
        assert_eq!(dates.introduced(&[3]), None);
        assert_eq!(dates.introduced(&[1]), Date::parse("2024-01-01"));
    }
}
