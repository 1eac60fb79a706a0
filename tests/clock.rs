//! Clock starts, due dates, statuses and exit codes for each clock, on real git repositories built
//! in temporary directories with backdated commits.

mod common;

use assert_cmd::Command;
use std::path::Path;

const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A v4 lockfile: an `app` root depending on the given registry packages.
fn lockfile(packages: &[(&str, &str)]) -> String {
    let mut text = String::from(
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
    );
    for (name, _) in packages {
        text.push_str(&format!(" \"{name}\",\n"));
    }
    text.push_str("]\n");
    for (name, version) in packages {
        text.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"{REGISTRY}\"\n"
        ));
    }
    text
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"], None);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str], date: Option<&str>) {
        common::git(self.path(), args, date);
    }

    /// Writes the lockfile and commits it on `date` (author and committer).
    fn commit_lockfile(&self, packages: &[(&str, &str)], date: &str) {
        std::fs::write(self.path().join("Cargo.lock"), lockfile(packages)).unwrap();
        self.git(&["add", "Cargo.lock"], None);
        self.git(
            &["commit", "-q", "-m", &format!("lockfile on {date}")],
            Some(date),
        );
    }
}

struct Scan {
    code: i32,
    report: serde_json::Value,
}

impl Scan {
    fn finding(&self, rule: &str) -> &serde_json::Value {
        self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {}", self.report))
    }

    /// (clock_start, clock_source, due, days_left, status)
    fn dates(&self, rule: &str) -> (String, String, String, i64, String) {
        let f = self.finding(rule);
        (
            f["clock_start"].as_str().unwrap().to_owned(),
            f["clock_source"].as_str().unwrap().to_owned(),
            f["due"].as_str().unwrap().to_owned(),
            f["days_left"].as_i64().unwrap(),
            f["status"].as_str().unwrap().to_owned(),
        )
    }
}

fn row(
    start: &str,
    source: &str,
    due: &str,
    days_left: i64,
    status: &str,
) -> (String, String, String, i64, String) {
    (
        start.into(),
        source.into(),
        due.into(),
        days_left,
        status.into(),
    )
}

fn warden(dir: &Path, today: &str, args: &[&str]) -> Command {
    let home = dir.join(".cargo-home-for-test");
    let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
    cmd.env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", today)
        .args(args)
        .arg("--db")
        .arg(common::fixture("advisory-db"));
    cmd
}

fn scan(dir: &Path, today: &str, args: &[&str]) -> Scan {
    let output = warden(dir, today, &["scan"])
        .arg(dir.join("Cargo.lock"))
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    Scan {
        code: output.status.code().unwrap(),
        report: serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&output.stderr))),
    }
}

#[test]
fn introduced_clock_starts_when_the_version_entered_the_lockfile() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-01-05");
    repo.commit_lockfile(&[("chrono", "0.4.19"), ("smallvec", "0.6.9")], "2026-11-20");
    let scan = scan(repo.path(), "2026-11-22", &[]);

    // smallvec entered on 2026-01-05 (after its 2019 advisory); critical: 10 days.
    assert_eq!(
        scan.dates("RUSTSEC-2019-0009"),
        row("2026-01-05", "introduced", "2026-01-15", -311, "overdue")
    );
    // chrono entered two days ago; unscored vulnerability: medium, 84 days.
    assert_eq!(
        scan.dates("RUSTSEC-2020-0159"),
        row("2026-11-20", "introduced", "2027-02-12", 82, "on-track")
    );
    assert_eq!(scan.code, 1, "smallvec is overdue");
    assert_eq!(scan.report["policy"]["clock"], "introduced");
}

#[test]
fn a_version_bump_restarts_the_clock_of_that_version() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.5")], "2026-01-05");
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-11-15");
    let scan = scan(repo.path(), "2026-11-22", &[]);
    assert_eq!(
        scan.dates("RUSTSEC-2019-0009"),
        row("2026-11-15", "introduced", "2026-11-25", 3, "due-soon")
    );
    assert_eq!(scan.code, 0, "due soon does not breach the default gate");
    let strict = self::scan(repo.path(), "2026-11-22", &["--fail-on", "due-soon"]);
    assert_eq!(strict.code, 1);
    assert_eq!(
        strict.finding("RUSTSEC-2019-0009")["fails_gate"],
        serde_json::json!(["due-soon"])
    );
}

#[test]
fn a_removed_and_readded_version_dates_from_its_return() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-01-05");
    repo.commit_lockfile(&[("smallvec", "0.6.10")], "2026-03-01");
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-11-18");
    let scan = scan(repo.path(), "2026-11-22", &[]);
    assert_eq!(
        scan.dates("RUSTSEC-2019-0009"),
        row("2026-11-18", "introduced", "2026-11-28", 6, "due-soon")
    );
}

#[test]
fn introduced_never_starts_before_the_advisory() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("time", "0.1.43")], "2019-03-01");
    let scan = scan(repo.path(), "2026-11-22", &[]);
    // The advisory came out on 2020-11-18, after the version entered.
    assert_eq!(
        scan.dates("RUSTSEC-2020-0071"),
        row("2020-11-18", "published", "2021-02-10", -2111, "overdue")
    );
}

#[test]
fn uncommitted_lines_fall_back_to_published() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-11-10");
    // yaml-rust added to the working tree only.
    std::fs::write(
        repo.path().join("Cargo.lock"),
        lockfile(&[("smallvec", "0.6.9"), ("yaml-rust", "0.4.5")]),
    )
    .unwrap();
    let scan = scan(repo.path(), "2026-11-22", &[]);
    assert_eq!(scan.dates("RUSTSEC-2019-0009").1, "introduced");
    assert_eq!(
        scan.dates("RUSTSEC-2024-0320"),
        row("2024-03-20", "published", "2024-09-11", -802, "overdue")
    );
}

#[test]
fn shallow_clones_and_plain_directories_fall_back_to_published() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-01-05");
    std::fs::write(repo.path().join("README"), "more history\n").unwrap();
    repo.git(&["add", "README"], None);
    repo.git(&["commit", "-q", "-m", "later"], Some("2026-06-01"));

    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    common::git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        None,
    );
    let shallow = scan(&clones.path().join("shallow"), "2026-11-22", &[]);
    assert_eq!(
        shallow.dates("RUSTSEC-2019-0009").1,
        "published",
        "boundary commit dates are not introduction dates"
    );

    let plain = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo.path().join("Cargo.lock"),
        plain.path().join("Cargo.lock"),
    )
    .unwrap();
    let outside = scan(plain.path(), "2026-11-22", &[]);
    assert_eq!(
        outside.dates("RUSTSEC-2019-0009"),
        row("2019-06-06", "published", "2019-06-16", -2716, "overdue")
    );

    // A full clone keeps the real dates.
    common::git(clones.path(), &["clone", "-q", &url, "full"], None);
    let full = scan(&clones.path().join("full"), "2026-11-22", &[]);
    assert_eq!(full.dates("RUSTSEC-2019-0009").0, "2026-01-05");
}

#[test]
fn published_clock_ignores_git() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-11-20");
    let scan = scan(repo.path(), "2026-11-22", &["--clock", "published"]);
    assert_eq!(
        scan.dates("RUSTSEC-2019-0009"),
        row("2019-06-06", "published", "2019-06-16", -2716, "overdue")
    );
    assert_eq!(scan.code, 1);
}

#[test]
fn first_seen_clock_reads_the_baseline() {
    let repo = Repo::new();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-01-05");
    let recorded = warden(repo.path(), "2026-11-01", &["baseline"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let baseline = repo.path().join("warden-baseline.json");
    assert!(String::from_utf8_lossy(&recorded.stderr)
        .contains("1 findings recorded (1 new, 0 kept, 0 dropped as fixed)"));

    // A finding that appears after the baseline starts today.
    std::fs::write(
        repo.path().join("Cargo.lock"),
        lockfile(&[("chrono", "0.4.19"), ("smallvec", "0.6.9")]),
    )
    .unwrap();
    let scan = scan(repo.path(), "2026-11-22", &["--clock", "first-seen"]);
    assert_eq!(
        scan.dates("RUSTSEC-2019-0009"),
        row("2026-11-01", "first-seen", "2026-11-11", -11, "overdue")
    );
    assert_eq!(
        scan.dates("RUSTSEC-2020-0159"),
        row("2026-11-22", "today", "2027-02-14", 84, "on-track")
    );
    assert_eq!(scan.code, 1);

    // Re-recording keeps the first date and adds the new finding.
    let again = warden(repo.path(), "2026-11-22", &["baseline"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr)
        .contains("2 findings recorded (1 new, 1 kept, 0 dropped as fixed)"));
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(text.contains("\"first_seen\": \"2026-11-01\""), "{text}");
    assert!(text.contains("\"first_seen\": \"2026-11-22\""), "{text}");
}

#[test]
fn first_seen_without_a_baseline_warns_and_starts_today() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.lock"),
        lockfile(&[("smallvec", "0.6.9")]),
    )
    .unwrap();
    let scan = scan(dir.path(), "2026-11-22", &["--clock", "first-seen"]);
    assert_eq!(scan.dates("RUSTSEC-2019-0009").1, "today");
    assert!(scan.report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "no-baseline"));
}

#[test]
fn policies_change_tiers_and_day_counting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.lock"),
        lockfile(&[("smallvec", "0.6.9")]),
    )
    .unwrap();
    // FedRAMP: critical counts as high, 30 days.
    let fedramp = scan(dir.path(), "2019-06-20", &["--policy", "fedramp"]);
    assert_eq!(fedramp.finding("RUSTSEC-2019-0009")["severity"], "high");
    assert_eq!(
        fedramp.dates("RUSTSEC-2019-0009"),
        row("2019-06-06", "published", "2019-07-06", 16, "on-track")
    );
    assert_eq!(fedramp.report["policy"]["name"], "fedramp");
    assert_eq!(fedramp.code, 0);

    // A team's own policy file: business days. 2019-06-06 was a Thursday; 10 business days later
    // is Thursday 2019-06-20.
    let own = dir.path().join("ours.toml");
    let preset =
        std::fs::read_to_string(common::repo().join("rules/policies/atlassian-cloud.toml"))
            .unwrap();
    std::fs::write(
        &own,
        preset
            .replace("days = \"calendar\"", "days = \"business\"")
            .replace("name = \"atlassian-cloud\"", "name = \"ours\""),
    )
    .unwrap();
    let ours = scan(
        dir.path(),
        "2019-06-18",
        &["--policy", own.to_str().unwrap()],
    );
    assert_eq!(
        ours.dates("RUSTSEC-2019-0009"),
        row("2019-06-06", "published", "2019-06-20", 2, "due-soon")
    );
    assert_eq!(ours.report["policy"]["days"], "business");
}

#[test]
fn bad_policy_or_today_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.lock"),
        lockfile(&[("smallvec", "0.6.9")]),
    )
    .unwrap();
    let run = |today: &str, args: &[&str]| {
        warden(dir.path(), today, &["scan"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run("2026-11-22", &["--policy", "soc2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "--policy `soc2` is neither a preset (atlassian-cloud, atlassian-marketplace-cloud, atlassian-marketplace-dc, pci-dss-4, cisa-kev, fedramp) nor a policy file"
    ));

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\ntitle = \"x\"\ndays = \"calendar\"\ntiers = []\n[unscored]\n",
    )
    .unwrap();
    let out = run("2026-11-22", &["--policy", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error: {}:", bad.display())),
        "{stderr}"
    );

    let out = run("2026-02-30", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`2026-02-30` is not a date"));
}

/// The README's policy file and worked example, run as written.
#[test]
fn readme_policy_example_holds() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let section = readme
        .split("### A policy file of your own")
        .nth(1)
        .expect("README has the policy section");
    let policy = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section holds a toml block");

    let repo = Repo::new();
    std::fs::write(repo.path().join("acme.toml"), policy).unwrap();
    repo.commit_lockfile(&[("smallvec", "0.6.9")], "2026-11-19");
    let acme = repo.path().join("acme.toml");
    let acme = acme.to_str().unwrap();

    let monday = scan(repo.path(), "2026-11-23", &["--policy", acme]);
    assert_eq!(monday.report["policy"]["name"], "acme");
    assert_eq!(
        monday.dates("RUSTSEC-2019-0009"),
        row("2026-11-19", "introduced", "2026-11-26", 3, "due-soon")
    );
    assert_eq!(monday.code, 0);
    assert_eq!(
        scan(
            repo.path(),
            "2026-11-23",
            &["--policy", acme, "--fail-on", "due-soon"]
        )
        .code,
        1
    );

    let friday = scan(repo.path(), "2026-11-27", &["--policy", acme]);
    assert_eq!(friday.dates("RUSTSEC-2019-0009").4, "overdue");
    assert_eq!(friday.dates("RUSTSEC-2019-0009").3, -1);
    assert_eq!(friday.code, 1);
}
