//! The adoption date: no source finding's clock starts before the repository took up the policy
//! (`[policy] since`, else the day the settings were first committed, else today), and a shallow
//! clone is never laxer than a full one. Real git repositories with backdated commits.

mod common;

use assert_cmd::Command;
use std::path::Path;

const TODAY: &str = "2026-12-02";
/// A weakness (bytes used as UTF-8 unchecked: medium, 84 days under the default policy).
const WEAKNESS: &str =
    "pub fn name(v: &[u8]) -> &str {\n    unsafe { std::str::from_utf8_unchecked(v) }\n}\n";
/// smallvec 0.6.9: RUSTSEC-2019-0009 (published 2019-06-06, CVSS 9.8: critical, 10 days).
const LOCKFILE: &str = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"smallvec\",\n]\n\n[[package]]\nname = \"smallvec\"\nversion = \"0.6.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

fn commit(dir: &Path, file: &str, text: &str, date: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    common::git(dir, &["add", file], None);
    common::git(
        dir,
        &["commit", "-q", "-m", &format!("{file} on {date}")],
        Some(date),
    );
}

/// A repository whose `src/old.rs` weakness was committed on 2025-01-10, `src/new.rs` on
/// 2026-09-01, and the lockfile on 2025-03-01.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q", "-b", "main"], None);
    commit(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        "2025-01-10",
    );
    commit(dir.path(), "src/old.rs", WEAKNESS, "2025-01-10");
    commit(dir.path(), "Cargo.lock", LOCKFILE, "2025-03-01");
    commit(dir.path(), "src/new.rs", WEAKNESS, "2026-09-01");
    dir
}

/// Commits warden.toml with `[policy] since = 2026-06-01`, on that day.
fn adopt_on_june_first(dir: &Path) {
    commit(
        dir,
        "warden.toml",
        "[policy]\nsince = 2026-06-01\n",
        "2026-06-01",
    );
}

struct Scan {
    code: i32,
    report: serde_json::Value,
}

impl Scan {
    /// (clock_start, clock_source, due, status) of the finding in `file`.
    fn clock(&self, file: &str) -> (String, String, String, String) {
        let finding = self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file && f["status"] != "audit")
            .unwrap_or_else(|| panic!("no finding in {file}: {}", self.report));
        let text = |key: &str| finding[key].as_str().unwrap().to_owned();
        (
            text("clock_start"),
            text("clock_source"),
            text("due"),
            text("status"),
        )
    }

    fn warned(&self, code: &str) -> bool {
        self.report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == code)
    }
}

fn scan(dir: &Path, checks: &str) -> Scan {
    let home = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("cargo-warden")
        .unwrap()
        .env("CARGO_HOME", home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .args(["scan", "--checks", checks, "--format", "json", "--db"])
        .arg(common::fixture("advisory-db"))
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    Scan {
        code: output.status.code().unwrap(),
        report: serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&output.stderr))),
    }
}

fn clock(start: &str, source: &str, due: &str, status: &str) -> (String, String, String, String) {
    (start.into(), source.into(), due.into(), status.into())
}

#[test]
fn since_is_the_earliest_clock_start_for_source_and_advisories() {
    let repo = repository();
    adopt_on_june_first(repo.path());
    let scan = scan(repo.path(), "advisories,code");
    // A line older than the adoption date: its clock starts on it (2026-06-01 + 84 days).
    assert_eq!(
        scan.clock("src/old.rs"),
        clock("2026-06-01", "adopted", "2026-08-24", "overdue")
    );
    // A line written after it keeps its own date.
    assert_eq!(
        scan.clock("src/new.rs"),
        clock("2026-09-01", "introduced", "2026-11-24", "overdue")
    );
    // The advisory (2019) and the version's arrival (2025-03-01) both predate `since`.
    assert_eq!(
        scan.clock("Cargo.lock"),
        clock("2026-06-01", "adopted", "2026-06-11", "overdue")
    );
    assert_eq!(scan.report["policy"]["since"], "2026-06-01");
    assert_eq!(scan.report["policy"]["since_source"], "since");
    assert!(!scan.warned("no-adoption-date"));
    assert_eq!(scan.code, 1);
}

#[test]
fn an_adoption_date_after_today_counts_as_today() {
    let repo = repository();
    commit(
        repo.path(),
        "warden.toml",
        "[policy]\nsince = \"2027-01-15\"\n",
        "2026-06-01",
    );
    let scan = scan(repo.path(), "code");
    // Never a time frame longer than the policy's (84 days from today, not from January).
    assert_eq!(
        scan.clock("src/old.rs"),
        clock(TODAY, "adopted", "2027-02-24", "on-track")
    );
    assert_eq!(scan.report["policy"]["since"], TODAY);
}

#[test]
fn without_since_the_settings_commit_is_the_adoption_date() {
    let repo = repository();
    commit(
        repo.path(),
        "warden.toml",
        "[gate]\nfail-on = [\"overdue\"]\n",
        "2026-11-20",
    );
    let scan = scan(repo.path(), "advisories,code");
    assert_eq!(
        scan.clock("src/old.rs"),
        clock("2026-11-20", "adopted", "2027-02-12", "on-track")
    );
    assert_eq!(
        scan.clock("src/new.rs"),
        clock("2026-11-20", "adopted", "2027-02-12", "on-track")
    );
    // An adoption date nobody wrote down does not move advisories' clocks.
    assert_eq!(
        scan.clock("Cargo.lock"),
        clock("2025-03-01", "introduced", "2025-03-11", "overdue")
    );
    assert_eq!(scan.report["policy"]["since"], "2026-11-20");
    assert_eq!(scan.report["policy"]["since_source"], "settings-committed");
    assert_eq!(scan.code, 1, "the advisory is overdue");
    assert_eq!(
        repository_scan_code(&repo),
        0,
        "the code findings alone pass"
    );
}

fn repository_scan_code(repo: &tempfile::TempDir) -> i32 {
    scan(repo.path(), "code").code
}

#[test]
fn without_settings_source_clocks_start_today_with_a_note() {
    let repo = repository();
    let scan = scan(repo.path(), "code");
    assert_eq!(
        scan.clock("src/old.rs"),
        clock(TODAY, "adopted", "2027-02-24", "on-track")
    );
    assert!(
        scan.warned("no-adoption-date"),
        "{}",
        scan.report["warnings"]
    );
    assert_eq!(scan.code, 0);
}

#[test]
fn a_shallow_clone_is_never_laxer_than_a_full_one() {
    let repo = repository();
    adopt_on_june_first(repo.path());
    commit(repo.path(), "README", "later history\n", "2026-11-01");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    common::git(clones.path(), &["clone", "-q", &url, "full"], None);
    common::git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        None,
    );
    let full = scan(&clones.path().join("full"), "advisories,code");
    let shallow = scan(&clones.path().join("shallow"), "advisories,code");
    assert!(shallow.warned("shallow-clone") && !full.warned("shallow-clone"));

    assert_eq!(
        full.clock("src/new.rs"),
        clock("2026-09-01", "introduced", "2026-11-24", "overdue")
    );
    // The cut hides when the line arrived: the adoption date, earlier than the real one.
    assert_eq!(
        shallow.clock("src/new.rs"),
        clock("2026-06-01", "adopted", "2026-08-24", "overdue")
    );
    for file in ["src/old.rs", "Cargo.lock"] {
        let (full_start, ..) = full.clock(file);
        let (shallow_start, ..) = shallow.clock(file);
        assert!(
            shallow_start <= full_start,
            "{file}: {shallow_start} > {full_start}"
        );
    }
    assert_eq!((full.code, shallow.code), (1, 1));
}

#[test]
fn files_with_unusual_names_are_dated_by_their_own_history() {
    let repo = repository();
    adopt_on_june_first(repo.path());
    // Non-ASCII bytes and spaces, which git quotes unless asked not to.
    commit(repo.path(), "src/café utils.rs", WEAKNESS, "2026-09-15");
    std::fs::write(repo.path().join("src/späť.rs"), WEAKNESS).unwrap();
    let scan = scan(repo.path(), "code");
    assert_eq!(
        scan.clock("src/café utils.rs"),
        clock("2026-09-15", "introduced", "2026-12-08", "due-soon")
    );
    // Not committed yet: written today.
    assert_eq!(
        scan.clock("src/späť.rs"),
        clock(TODAY, "introduced", "2027-02-24", "on-track")
    );
}
