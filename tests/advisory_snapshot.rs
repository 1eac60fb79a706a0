//! The advisory snapshot: whatever is in the cache directory, a scan reports exactly what a scan
//! that parses the database reports. A warm snapshot is used; one from another database, a
//! truncated, damaged or foreign file, or one made before the database changed is rebuilt.

mod common;

use cargo_warden::advisories::{load_cached, Served, Sources};
use cargo_warden::date::Date;
use cargo_warden::policy::ClockKind;
use cargo_warden::report::Format;
use cargo_warden::{advisories, scan, ScanOptions};
use std::path::{Path, PathBuf};

/// A database the test may edit: a copy of the fixture one.
fn database_copy(dir: &Path) -> PathBuf {
    let db = dir.join("advisory-db");
    common::copy_dir(&common::fixture("advisory-db"), &db);
    db
}

/// The JSON and SARIF reports of an advisory scan of the demo workspace.
fn reports(db: &Path, cache: Option<&Path>) -> (String, String) {
    reports_of(&common::fixture("demo/Cargo.lock"), db, None, cache)
}

/// The JSON and SARIF reports of an advisory scan of `lockfile` against `db` (and `osv`).
fn reports_of(
    lockfile: &Path,
    db: &Path,
    osv: Option<&Path>,
    cache: Option<&Path>,
) -> (String, String) {
    let mut options = ScanOptions::new(lockfile, db, Date::parse("2026-11-22").unwrap());
    options.sources.osv = osv.into_iter().map(Path::to_path_buf).collect();
    options.checks = vec![advisories::NAME];
    options.cargo_metadata = false;
    options.clock = ClockKind::Published;
    options.cache_dir = cache.map(Path::to_path_buf);
    let report = scan(&options).expect("the scan runs");
    let render = |format: Format| {
        let mut out = Vec::new();
        format.emitter(false).emit(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    (render(Format::Json), render(Format::Sarif))
}

/// A temporary directory with a copy of the fixture database, where its cache directory goes,
/// and the reports of a scan that parses it.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, (String, String)) {
    let dir = tempfile::tempdir().unwrap();
    let db = database_copy(dir.path());
    let cache = dir.path().join("cache");
    let parsed = reports(&db, None);
    (dir, db, cache, parsed)
}

fn served(db: &Path, cache: &Path) -> Served {
    let sources = Sources {
        rustsec: Some(db.to_path_buf()),
        osv: Vec::new(),
    };
    load_cached(&sources, Some(cache))
        .expect("the data loads")
        .1
}

/// The one snapshot file in `cache`.
fn snapshot_file(cache: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(cache.join("advisories"))
        .expect("the snapshot directory exists")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_warm_snapshot_gives_the_reports_a_parse_gives() {
    let (_dir, db, cache, parsed) = setup();
    assert!(parsed.0.contains("RUSTSEC-2019-0009"), "{}", parsed.0);
    assert_eq!(served(&db, &cache), Served::Parsed);
    assert_eq!(served(&db, &cache), Served::Snapshot);
    assert_eq!(reports(&db, Some(&cache)), parsed);
}

#[test]
fn a_foreign_truncated_or_damaged_snapshot_gives_the_same_reports_as_none() {
    let (_dir, db, cache, parsed) = setup();
    served(&db, &cache);
    let slot = snapshot_file(&cache);
    let sound = std::fs::read(&slot).unwrap();

    // A snapshot of another database (one advisory fewer), in this database's slot.
    let other_dir = tempfile::tempdir().unwrap();
    let other = database_copy(other_dir.path());
    std::fs::remove_file(other.join("crates/smallvec/RUSTSEC-2019-0009.md")).unwrap();
    let other_cache = other_dir.path().join("cache");
    served(&other, &other_cache);
    let foreign = std::fs::read(snapshot_file(&other_cache)).unwrap();

    let mut flipped = sound.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x20;
    let cases: [(&str, Vec<u8>); 5] = [
        ("another database's", foreign),
        ("truncated", sound[..sound.len() / 2].to_vec()),
        ("a flipped byte", flipped),
        ("empty", Vec::new()),
        ("not a snapshot", b"{\"advisories\": []}".to_vec()),
    ];
    for (what, bytes) in cases {
        std::fs::write(&slot, &bytes).unwrap();
        assert_eq!(reports(&db, Some(&cache)), parsed, "{what}");
        // That scan rebuilt it; the next one uses it.
        assert_eq!(served(&db, &cache), Served::Snapshot, "{what}");
    }
}

#[test]
fn an_edited_or_removed_advisory_is_seen_through_a_warm_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_copy(dir.path());
    let cache = dir.path().join("cache");
    let before = reports(&db, Some(&cache)).0;
    assert!(before.contains("RUSTSEC-2019-0009"));

    let file = db.join("crates/smallvec/RUSTSEC-2019-0009.md");
    let text = std::fs::read_to_string(&file).unwrap();
    // The same size, in place: only the modification time tells.
    let edited = text.replacen("Double-free", "Double-FREE", 1);
    assert_ne!(edited, text);
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&file, &edited).unwrap();
    assert_eq!(served(&db, &cache), Served::Parsed);
    let (json, _) = reports(&db, Some(&cache));
    assert!(json.contains("Double-FREE"), "{json}");
    assert_eq!(reports(&db, None).0, json);

    std::fs::remove_file(&file).unwrap();
    let (json, _) = reports(&db, Some(&cache));
    assert!(!json.contains("RUSTSEC-2019-0009"), "{json}");
}

#[test]
fn the_warnings_of_malformed_advisories_are_kept_in_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_copy(dir.path());
    std::fs::write(
        db.join("crates/atty/RUSTSEC-2099-9999.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-9999\"\n```\n",
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let parsed = reports(&db, None);
    assert!(parsed.0.contains("malformed-advisory"), "{}", parsed.0);
    assert_eq!(reports(&db, Some(&cache)), parsed);
    assert_eq!(served(&db, &cache), Served::Snapshot);
    assert_eq!(reports(&db, Some(&cache)), parsed);
}

#[test]
fn concurrent_scans_share_one_cache_safely() {
    let (_dir, db, cache, parsed) = setup();
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| reports(&db, Some(&cache))))
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap(), parsed);
        }
    });
    // One snapshot, no temporary file left beside it.
    snapshot_file(&cache);
    assert_eq!(served(&db, &cache), Served::Snapshot);
}

#[test]
fn old_snapshots_of_other_databases_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    for i in 0..20 {
        let db = dir.path().join(format!("db-{i}"));
        common::copy_dir(&common::fixture("advisory-db"), &db);
        served(&db, &cache);
    }
    let kept = std::fs::read_dir(cache.join("advisories")).unwrap().count();
    assert_eq!(kept, 16);
}

/// The shared RustSec database and its OSV export together: the merged data from a snapshot
/// equals the merged data parsed, on the 22 alacritty lockfiles.
#[test]
fn merged_rustsec_and_osv_data_from_a_snapshot_equals_the_parse() {
    let Some(shared) =
        common::shared("merged_rustsec_and_osv_data_from_a_snapshot_equals_the_parse")
    else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let dir = shared.join("parity/alacritty");
    let mut lockfiles: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "lock"))
        .collect();
    lockfiles.sort();
    assert_eq!(lockfiles.len(), 22);
    let db = shared.join("advisory-db");
    let osv = shared.join("osv");
    let run = |lockfile: &Path, cache: Option<&Path>| reports_of(lockfile, &db, Some(&osv), cache);
    for lockfile in &lockfiles {
        let parsed = run(lockfile, None);
        assert_eq!(
            run(lockfile, Some(cache.path())),
            parsed,
            "{}",
            lockfile.display()
        );
    }
}

/// A checkout's age is its last commit's date: a commit that changes no advisory (an empty one
/// here) still gives the next scan the new date, not the snapshot's.
#[test]
fn a_new_commit_of_a_checkout_dates_the_data_anew() {
    let (_dir, db, cache, _) = setup();
    common::git(&db, &["init", "-q", "-b", "main"], None);
    common::git(&db, &["add", "."], None);
    common::git(&db, &["commit", "-q", "-m", "data"], Some("2026-01-01"));
    let updated = |json: &str| common::json(json)["database"]["updated"].clone();
    assert_eq!(updated(&reports(&db, Some(&cache)).0), "2026-01-01");
    assert_eq!(served(&db, &cache), Served::Snapshot);
    common::git(
        &db,
        &["commit", "-q", "--allow-empty", "-m", "nothing"],
        Some("2026-02-01"),
    );
    assert_eq!(updated(&reports(&db, Some(&cache)).0), "2026-02-01");
    assert_eq!(reports(&db, Some(&cache)), reports(&db, None));
}
