//! The supply-chain check on the fixture crates (`fixtures/supply-chain/`): exactly the findings
//! and classes each crate should give, from a cargo home's unpacked sources and from `vendor/`;
//! the cache; a crate whose source is missing; and an update that adds network access to a build
//! script, which `--new-since` makes a new finding with a due date.

mod common;

use common::{copy_dir, fixture, git, json, run, Outcome};
use std::path::Path;

const TODAY: &str = "2026-12-06";

fn scan(dir: &Path, cargo_home: &Path, cache: &Path, args: &[&str]) -> Outcome {
    run(assert_cmd::Command::cargo_bin("cargo-warden")
        .unwrap()
        .current_dir(dir)
        .env("CARGO_HOME", cargo_home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .args(["scan", "--offline", "--checks", "supply-chain"])
        .args(if args.contains(&"--format") {
            &[][..]
        } else {
            &["--format", "json"][..]
        })
        .arg("--cache-dir")
        .arg(cache)
        .args(args))
}

/// (package, rule, kind, status) of every finding, sorted.
fn findings(report: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["kind"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn row<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["supply_chain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no supply_chain row for {name}"))
}

fn expected(list: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    list.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

#[test]
fn fixture_crates_give_exactly_the_expected_findings_and_classes() {
    let cache = tempfile::tempdir().unwrap();
    let out = scan(
        &fixture("supply-chain/app"),
        &fixture("supply-chain/cargo-home"),
        cache.path(),
        &[],
    );
    // The malicious indicators are due the day they are found.
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(
        findings(&report),
        expected(&[
            (
                "fetchy-build",
                "build-download-execute",
                "malicious-code",
                "overdue"
            ),
            ("fetchy-build", "build-file-write", "capability", "audit"),
            ("fetchy-build", "build-network", "capability", "audit"),
            ("fetchy-build", "build-process", "capability", "audit"),
            (
                "keyring-derive",
                "build-credential-read",
                "malicious-code",
                "overdue"
            ),
            ("tiny-c", "native-code", "capability", "audit"),
        ])
    );
    // Located at the crate's Cargo.lock entry, with the evidence file and line in the text.
    let download = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "build-download-execute")
        .unwrap();
    assert_eq!(download["file"], "Cargo.lock");
    assert_eq!(download["line"], 23);
    assert!(
        download["description"]
            .as_str()
            .unwrap()
            .contains("fetchy-build-0.1.0/build.rs:12:"),
        "{}",
        download["description"]
    );
    // The unsafe inventory: tests/ is not shipped, comments, strings and r#unsafe are not code.
    let counter = row(&report, "unsafe-counter");
    assert_eq!(
        [
            &counter["unsafe_blocks"],
            &counter["unsafe_fns"],
            &counter["unsafe_impls"],
            &counter["unsafe_traits"],
            &counter["files_with_unsafe"],
            &counter["rust_files"],
        ],
        [3, 2, 1, 1, 2, 3]
    );
    assert_eq!(row(&report, "tiny-c")["unsafe_blocks"], 1);
    assert_eq!(row(&report, "tiny-c")["links"], "tiny");
    assert_eq!(row(&report, "keyring-derive")["proc_macro"], true);
    assert_eq!(report["supply_chain"].as_array().unwrap().len(), 6);
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["code"] != "missing-crate-source"));
}

#[test]
fn the_per_crate_table_lists_crates_with_capabilities_first() {
    let cache = tempfile::tempdir().unwrap();
    for format in ["human", "markdown"] {
        let out = scan(
            &fixture("supply-chain/app"),
            &fixture("supply-chain/cargo-home"),
            cache.path(),
            &["--format", format],
        );
        let table: Vec<&str> = out
            .stdout
            .lines()
            .skip_while(|line| !line.contains("dependency code"))
            .collect();
        let position = |name: &str| {
            table
                .iter()
                .position(|line| line.contains(name))
                .unwrap_or_else(|| panic!("{format}: {name} missing from {table:?}"))
        };
        assert!(
            position("fetchy-build 0.1.0") < position("tiny-c 0.2.0"),
            "{format}"
        );
        assert!(
            position("keyring-derive 0.1.0") < position("unsafe-counter 0.3.1"),
            "{format}"
        );
        assert!(
            table
                .iter()
                .any(|line| line.contains("3 blocks, 2 fns, 1 impl, 1 trait in 2 of 3 files")),
            "{format}: {table:?}"
        );
    }
}

#[test]
fn the_cache_serves_a_second_scan_and_rebuilds_a_corrupt_entry() {
    let cache = tempfile::tempdir().unwrap();
    let first = scan(
        &fixture("supply-chain/app"),
        &fixture("supply-chain/cargo-home"),
        cache.path(),
        &[],
    );
    let second = scan(
        &fixture("supply-chain/app"),
        &fixture("supply-chain/cargo-home"),
        cache.path(),
        &[],
    );
    let (first, second) = (json(&first.stdout), json(&second.stdout));
    assert_eq!(first["findings"], second["findings"]);
    let cached = |report: &serde_json::Value| -> Vec<bool> {
        report["supply_chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cached"].as_bool().unwrap())
            .collect()
    };
    assert_eq!(cached(&first), [false; 6]);
    // cc, fetchy-build, keyring-derive and netty come from the registry; tiny-c and
    // unsafe-counter are vendored, and a vendor directory's own checksum cannot vouch for a cache
    // entry.
    assert_eq!(cached(&second), [true, true, true, true, false, false]);

    // An entry that was tampered with (still valid JSON, no build script) is audited again.
    let entry = cache.path().join(
        "supply-chain/55/5555555555555555555555555555555555555555555555555555555555555555.json",
    );
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains("\"build_script\":\"build.rs\""));
    std::fs::write(
        &entry,
        text.replace("\"build_script\":\"build.rs\"", "\"build_script\":null"),
    )
    .unwrap();
    let third = json(
        &scan(
            &fixture("supply-chain/app"),
            &fixture("supply-chain/cargo-home"),
            cache.path(),
            &[],
        )
        .stdout,
    );
    assert_eq!(row(&third, "netty")["cached"], false);
    assert_eq!(row(&third, "netty")["build_script"], "build.rs");
    assert_eq!(row(&third, "fetchy-build")["cached"], true);
    assert_eq!(third["findings"], first["findings"]);
}

#[test]
fn crates_whose_source_is_missing_are_named_in_one_warning() {
    let (cache, empty_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = scan(
        &fixture("supply-chain/app"),
        empty_home.path(),
        cache.path(),
        &[],
    );
    let report = json(&out.stdout);
    let missing: Vec<&serde_json::Value> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "missing-crate-source")
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    let message = missing[0]["message"].as_str().unwrap();
    assert!(
        message.contains("4 locked crates")
            && message.contains("fetchy-build 0.1.0")
            && message.contains("run `cargo fetch --locked`"),
        "{message}"
    );
    // The vendored crates are still audited.
    assert_eq!(
        findings(&report),
        expected(&[("tiny-c", "native-code", "capability", "audit")])
    );
}

#[test]
fn an_update_that_adds_network_access_is_a_new_finding_with_a_due_date() {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("app");
    copy_dir(&fixture("supply-chain/app"), &repo);
    git(&repo, &["init", "-q", "-b", "main"], None);
    git(&repo, &["add", "-A"], None);
    git(
        &repo,
        &["commit", "-q", "-m", "base"],
        Some("2026-11-01T10:00:00Z"),
    );
    git(&repo, &["checkout", "-q", "-b", "update"], None);
    let lock = repo.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap().replace(
        "name = \"netty\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"5555555555555555555555555555555555555555555555555555555555555555\"",
        "name = \"netty\"\nversion = \"1.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"6666666666666666666666666666666666666666666666666666666666666666\"",
    );
    std::fs::write(&lock, text).unwrap();
    git(
        &repo,
        &["commit", "-q", "-am", "cargo update -p netty"],
        Some("2026-12-01T10:00:00Z"),
    );

    let home = fixture("supply-chain/cargo-home");
    let cache = tempfile::tempdir().unwrap();
    let netty = |report: &serde_json::Value| -> Vec<serde_json::Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["package"]["name"] == "netty")
            .cloned()
            .collect()
    };

    // Without a base, the new capability is inventory like any other.
    let plain = json(&scan(&repo, &home, cache.path(), &[]).stdout);
    let found = netty(&plain);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule"], "build-network");
    assert_eq!(found[0]["status"], "audit");

    // Against main, it is new, a weakness with a due date, and fails `--fail-on new`.
    let out = scan(
        &repo,
        &home,
        cache.path(),
        &["--new-since", "main", "--fail-on", "new"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out.stdout);
    let found = netty(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let finding = &found[0];
    assert_eq!(finding["rule"], "build-network");
    assert_eq!(finding["new"], true);
    assert_ne!(finding["status"], "audit");
    assert!(finding["due"].is_string(), "{finding}");
    assert_eq!(
        finding["title"],
        "netty 1.0.0 -> 1.1.0: build script uses the `ureq` crate (build.rs:5)"
    );
    // Everything else was there at the base already.
    let others_new = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["name"] != "netty" && f["new"] == true)
        .count();
    assert_eq!(others_new, 0);

    // Without the old version's source the base cannot vouch that 1.0.0 lacked the capability:
    // the finding is new, but stays inventory.
    let partial_home = work.path().join("cargo-home");
    copy_dir(&home, &partial_home);
    std::fs::remove_dir_all(
        partial_home.join("registry/src/index.crates.io-1949cf8c6b5b557f/netty-1.0.0"),
    )
    .unwrap();
    let uncached = tempfile::tempdir().unwrap();
    let out = scan(
        &repo,
        &partial_home,
        uncached.path(),
        &["--new-since", "main"],
    );
    let found = netty(&json(&out.stdout));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["new"], true);
    assert_eq!(found[0]["status"], "audit");
}

#[test]
fn sarif_results_sit_at_the_lockfile_entry_with_the_evidence_in_the_message() {
    let cache = tempfile::tempdir().unwrap();
    let out = scan(
        &fixture("supply-chain/app"),
        &fixture("supply-chain/cargo-home"),
        cache.path(),
        &["--format", "sarif"],
    );
    let sarif = json(&out.stdout);
    let run = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["automationDetails"]["id"] == "cargo-warden/supply-chain/")
        .expect("a supply-chain run");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let credential = results
        .iter()
        .find(|r| r["ruleId"] == "build-credential-read")
        .unwrap();
    let location = &credential["locations"][0]["physicalLocation"];
    assert!(location["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("supply-chain/app/Cargo.lock"));
    assert_eq!(location["region"]["startLine"], 29);
    let message = credential["message"]["text"].as_str().unwrap();
    assert!(message.contains("(src/lib.rs:7)"), "{message}");
    assert_eq!(credential["level"], "error");
    // The rules' help comes from rules/supply-chain.toml.
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "build-credential-read")
        .unwrap();
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("credential file"));
    assert!(run["properties"]["supply_chain"].is_array());
    if let Some(errors) = common::schema_errors("sarif-schema-2.1.0.json", &sarif) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn require_sources_stops_the_scan_when_a_source_is_missing() {
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    copy_dir(&fixture("supply-chain/app"), &app);
    std::fs::write(
        app.join("warden.toml"),
        "[supply-chain]\nrequire-sources = true\n",
    )
    .unwrap();
    let (cache, empty_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = scan(&app, empty_home.path(), cache.path(), &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let error = out.stderr.trim();
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("Cargo.lock: the sources of 4 locked crates are not on this machine (cc 1.2.0, fetchy-build 0.1.0, keyring-derive 0.1.0, netty 1.0.0)"),
        "{error}"
    );
    // With every source present, the same setting changes nothing.
    let out = scan(&app, &fixture("supply-chain/cargo-home"), cache.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
}

#[test]
fn verbose_scans_say_how_long_each_check_took() {
    let cache = tempfile::tempdir().unwrap();
    let out = scan(
        &fixture("supply-chain/app"),
        &fixture("supply-chain/cargo-home"),
        cache.path(),
        &["-v"],
    );
    let timed: Vec<&str> = out
        .stderr
        .lines()
        .filter(|line| line.starts_with("  ") && line.ends_with(" s"))
        .collect();
    assert!(
        timed
            .iter()
            .any(|line| line.starts_with("  supply-chain: ")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("scan took "), "{}", out.stderr);
}
