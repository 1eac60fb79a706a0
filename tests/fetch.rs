//! Fetching and freshness of the advisory database, against bare repositories the tests create
//! (file:// URLs): real git, no network.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// An upstream advisory-db: a working repository and the bare one that is fetched from.
struct Upstream {
    dir: tempfile::TempDir,
}

impl Upstream {
    fn new(date: &str) -> Upstream {
        let upstream = Upstream {
            dir: tempfile::tempdir().unwrap(),
        };
        let work = upstream.work();
        std::fs::create_dir_all(&work).unwrap();
        common::git(&work, &["init", "-q", "-b", "main"], None);
        upstream.add("smallvec/RUSTSEC-2019-0009.md", date);
        common::git(
            upstream.dir.path(),
            &["clone", "-q", "--bare", "work", "bare.git"],
            None,
        );
        upstream
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().join("bare.git").display())
    }

    /// Copies a fixture advisory in and commits it on `date`.
    fn add(&self, advisory: &str, date: &str) {
        let target = self.work().join("crates").join(advisory);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(
            common::fixture(&format!("advisory-db/crates/{advisory}")),
            &target,
        )
        .unwrap();
        common::git(&self.work(), &["add", "."], None);
        common::git(&self.work(), &["commit", "-q", "-m", advisory], Some(date));
    }

    fn publish(&self) {
        common::git(&self.work(), &["push", "-q", "../bare.git", "main"], None);
    }
}

fn warden(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
    cmd.env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", "2026-11-22");
    cmd
}

fn fetch(home: &Path, db: &Path, url: &str) -> std::process::Output {
    warden(home)
        .args(["fetch", "--db"])
        .arg(db)
        .args(["--url", url])
        .output()
        .unwrap()
}

#[test]
fn first_fetch_update_and_failed_update() {
    let upstream = Upstream::new("2026-11-20");
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("dbs/advisory-db");

    let first = fetch(home.path(), &db, &upstream.url());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("cloned"));
    assert!(db.join("crates/smallvec/RUSTSEC-2019-0009.md").is_file());

    upstream.add("time/RUSTSEC-2020-0071.md", "2026-11-21");
    upstream.publish();
    let update = fetch(home.path(), &db, &upstream.url());
    assert!(update.status.success());
    assert!(String::from_utf8_lossy(&update.stderr).contains("updated"));
    assert!(db.join("crates/time/RUSTSEC-2020-0071.md").is_file());

    let missing = format!("file://{}", home.path().join("no-such-repo.git").display());
    let failed = fetch(home.path(), &db, &missing);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.starts_with(&format!("error: {}: cannot fetch", db.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("the previous copy is unchanged"),
        "{stderr}"
    );
    assert!(
        db.join("crates/time/RUSTSEC-2020-0071.md").is_file(),
        "old database kept"
    );
    // Nothing half-made is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("incoming"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_fetches_at_once_both_succeed() {
    let upstream = Upstream::new("2026-11-20");
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("advisory-db");
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("cargo-warden"))
            .env("CARGO_HOME", home.path())
            .env("CARGO_NET_OFFLINE", "true")
            .args(["fetch", "--db"])
            .arg(&db)
            .args(["--url", &upstream.url()])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(db.join("crates/smallvec/RUSTSEC-2019-0009.md").is_file());
    let scan = warden(home.path())
        .args(["scan", "--format", "json", "--clock", "published", "--db"])
        .arg(&db)
        .arg(common::fixture("lockfile-versions/v4.lock"))
        .output()
        .unwrap();
    assert_eq!(
        scan.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
}

#[test]
fn scan_fetches_a_missing_default_database_unless_offline() {
    let upstream = Upstream::new("2026-11-20");
    let home = tempfile::tempdir().unwrap();
    let workspace = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::fixture("lockfile-versions/v4.lock"),
        workspace.path().join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(
        workspace.path().join("warden.toml"),
        format!("[advisories]\nurl = \"{}\"\n", upstream.url()),
    )
    .unwrap();

    let offline = warden(home.path())
        .arg("scan")
        .arg(workspace.path())
        .arg("--offline")
        .output()
        .unwrap();
    assert_eq!(offline.status.code(), Some(2));
    assert!(!home.path().join("advisory-db").exists());

    let scan = warden(home.path())
        .arg("scan")
        .arg(workspace.path())
        .args(["--format", "json", "--clock", "published"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert!(
        stderr.contains("fetching the RustSec advisory database"),
        "{stderr}"
    );
    assert_eq!(scan.status.code(), Some(1), "{stderr}");
    assert!(home.path().join("advisory-db/crates/smallvec").is_dir());
}

#[test]
fn reports_state_the_database_age_and_stale_ones_warn_or_fail() {
    let upstream = Upstream::new("2026-11-01");
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("advisory-db");
    assert!(fetch(home.path(), &db, &upstream.url()).status.success());
    let lockfile = common::fixture("lockfile-versions/v4.lock");
    let scan = |extra: &[&str], config: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&lockfile, dir.path().join("Cargo.lock")).unwrap();
        if let Some(config) = config {
            std::fs::write(dir.path().join("warden.toml"), config).unwrap();
        }
        warden(home.path())
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json", "--fail-on", "never", "--db"])
            .arg(&db)
            .args(extra)
            .output()
            .unwrap()
    };

    let out = scan(&[], None);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["database"]["updated"], "2026-11-01",
        "the last commit"
    );
    assert_eq!(report["database"]["age_days"], 21);
    let stale: Vec<_> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "stale-database")
        .collect();
    assert_eq!(stale.len(), 1);
    assert!(stale[0]["message"]
        .as_str()
        .unwrap()
        .contains("21 days old"));

    let denied = scan(&["--deny-stale"], None);
    assert_eq!(denied.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(
        stderr.contains("is 21 days old") && stderr.contains("cargo warden fetch"),
        "{stderr}"
    );
    assert!(denied.stdout.is_empty());

    let denied_by_config = scan(&[], Some("[advisories]\nstale = \"deny\"\n"));
    assert_eq!(denied_by_config.status.code(), Some(2));

    let relaxed = scan(&[], Some("[advisories]\nmax-age = 30\nstale = \"deny\"\n"));
    assert_eq!(relaxed.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&relaxed.stdout).unwrap();
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["code"] != "stale-database"));
}
