//! SARIF output: a snapshot of the demo, the SARIF 2.1.0 schema over every fixture's SARIF, and
//! the properties GitHub code scanning relies on.

mod common;

use assert_cmd::Command;
use serde_json::Value;

const TODAY: &str = "2026-11-22";

/// The SARIF 2.1.0 schema from `../shared`, when it is there.
fn schema_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: std::sync::OnceLock<Option<jsonschema::Validator>> =
        std::sync::OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let shared = common::shared("SARIF schema validation")?;
            // The published schema's `language` pattern has a stray `]`, which fails the
            // meta-schema's regex check; mend that one pattern in memory (we never emit
            // `language`).
            let text = std::fs::read_to_string(shared.join("schemas/sarif-schema-2.1.0.json"))
                .unwrap()
                .replace(
                    r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
                    r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
                );
            let schema: Value = serde_json::from_str(&text).unwrap();
            Some(jsonschema::validator_for(&schema).unwrap())
        })
        .as_ref()
}

/// Every SARIF this suite produces goes through here: it must be valid against the schema.
fn assert_valid(text: &str, what: &str) {
    let Some(validator) = schema_validator() else {
        return;
    };
    let log: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// SARIF of `path` (relative to the repository) with the bundled database, `published` clock.
fn sarif(path: &str, extra: &[&str]) -> (i32, String) {
    sarif_with_env(path, extra, &[])
}

/// [`sarif`] with extra environment variables.
fn sarif_with_env(path: &str, extra: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("cargo-warden")
        .unwrap()
        .current_dir(common::repo())
        .env("CARGO_HOME", home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .envs(env.iter().copied())
        .args([
            "scan",
            path,
            "--db",
            "fixtures/advisory-db",
            "--clock",
            "published",
        ])
        .args(["--format", "sarif"])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_valid(&text, &format!("{path} {extra:?}"));
    (output.status.code().unwrap(), text)
}

const FIXTURES: [&str; 5] = [
    "fixtures/demo",
    "fixtures/edge-cases/Cargo.lock",
    "fixtures/path-only/ws",
    "fixtures/lockfile-versions/v1.lock",
    "fixtures",
];

#[test]
fn demo_sarif() {
    let (code, text) = sarif("fixtures/demo", &[]);
    assert_eq!(code, 1);
    insta::with_settings!({filters => vec![
        (r"cargo metadata --locked(?: --offline)? failed \([^)]*\)", "cargo metadata --locked failed ([reason])"),
    ]}, {
        insta::assert_snapshot!("demo_sarif", text);
    });
}

#[test]
fn every_fixture_sarif_is_valid_against_the_sarif_schema() {
    let Some(validator) = schema_validator() else {
        return;
    };
    // The validator does reject what the schema forbids.
    let (_, text) = sarif("fixtures/demo", &[]);
    let mut broken: Value = serde_json::from_str(&text).unwrap();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(
        !validator.is_valid(&broken),
        "a zero startLine must fail the schema"
    );
    // `sarif` validates each output.
    for fixture in FIXTURES {
        for extra in [
            &[][..],
            &["--policy", "fedramp"][..],
            &["--today", "2019-06-10"][..],
        ] {
            sarif(fixture, extra);
        }
    }
}

#[test]
fn sarif_has_what_github_needs() {
    for fixture in FIXTURES {
        let (_, text) = sarif(fixture, &[]);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().unwrap();
        let categories: Vec<&str> = runs
            .iter()
            .map(|run| run["automationDetails"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            categories,
            [
                "cargo-warden/advisories/",
                "cargo-warden/secrets/",
                "cargo-warden/code/",
                "cargo-warden/supply-chain/"
            ],
            "one run per check, each with its own category"
        );
        for run in runs {
            check_run(fixture, run);
        }
    }
}

fn check_run(fixture: &str, run: &Value) {
    {
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "cargo-warden");
        assert!(driver["semanticVersion"].is_string() && driver["informationUri"].is_string());
        let rules = driver["rules"].as_array().unwrap();
        let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let count = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), count, "{fixture}: rule ids are unique");
        for rule in rules {
            assert!(rule["shortDescription"]["text"].is_string());
            assert!(rule["fullDescription"]["text"].is_string());
            assert!(rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("Policy atlassian-cloud"));
            assert!(rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("| Critical | >= 9.0 | 10 days |"));
            let tags = rule["properties"]["tags"].as_array().unwrap();
            assert!(tags.contains(&Value::from("security")));
            // Audit rules carry no security severity: code scanning shows them as notes.
            if tags.contains(&Value::from("audit")) {
                assert!(rule["properties"]["security-severity"].is_null());
            } else {
                let severity: f64 = rule["properties"]["security-severity"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((0.0..=10.0).contains(&severity));
            }
        }
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[index]["id"], result["ruleId"],
                "{fixture}: ruleIndex points at its rule"
            );
            assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(location["region"][key].as_u64().unwrap() >= 1, "{key}");
            }
            assert!(result["partialFingerprints"]["cargoWarden/v1"].is_string());
            if result["properties"]["status"] == "audit" {
                assert_eq!(result["level"], "note");
                assert!(result["properties"]["due"].is_null());
                assert!(result["provenance"].is_null());
            } else {
                assert!(result["provenance"]["firstDetectionTimeUtc"]
                    .as_str()
                    .unwrap()
                    .ends_with("T00:00:00Z"));
            }
            for key in [
                "severity",
                "clock_start",
                "clock_source",
                "due",
                "days_left",
                "status",
                "policy",
            ] {
                let audit_without_clock = result["properties"]["status"] == "audit"
                    && ["clock_start", "clock_source", "due", "days_left"].contains(&key);
                assert_eq!(
                    result["properties"][key].is_null(),
                    audit_without_clock,
                    "{key}"
                );
            }
            assert_ne!(result["properties"]["status"], "ignored");
        }
    }
}

#[test]
fn titles_carry_the_due_date_and_levels_follow_urgency() {
    let (_, text) = sarif("fixtures/demo", &[]);
    let log: Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let smallvec = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2019-0009")
        .unwrap();
    assert!(smallvec["message"]["text"].as_str().unwrap().starts_with(
        "smallvec 0.6.9: RUSTSEC-2019-0009 (Critical, CVSS 9.8) - OVERDUE since 2019-06-16 (10 days, policy atlassian-cloud)."
    ));
    assert_eq!(smallvec["level"], "error");
    // The demo ignores RUSTSEC-2024-0375: GitHub would show a suppression as an open alert.
    assert!(results.iter().all(|r| r["ruleId"] != "RUSTSEC-2024-0375"));

    // Not yet due: a medium finding is a warning and its title says when to fix by.
    let (_, text) = sarif("fixtures/demo", &["--today", "2020-11-20"]);
    let log: Value = serde_json::from_str(&text).unwrap();
    let time = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert!(time["message"]["text"].as_str().unwrap().starts_with(
        "time 0.1.43: RUSTSEC-2020-0071 (Medium, CVSS 6.2) - fix by 2021-02-10 (84 days, policy atlassian-cloud)."
    ), "{}", time["message"]["text"]);
    assert_eq!(time["level"], "warning");
}

#[test]
fn unscored_findings_get_a_security_severity_in_their_tier() {
    let (_, text) = sarif("fixtures/demo", &[]);
    let log: Value = serde_json::from_str(&text).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let severity = |id: &str| {
        rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        severity("RUSTSEC-2019-0009"),
        "9.8",
        "scored: the CVSS base score"
    );
    assert_eq!(severity("RUSTSEC-2020-0159"), "5.5", "unscored medium");
    assert_eq!(severity("RUSTSEC-2024-0320"), "2.0", "unmaintained: low");
}

#[test]
fn sarif_is_byte_identical_across_runs_and_thread_counts() {
    let (_, first) = sarif("fixtures", &[]);
    let (_, again) = sarif("fixtures", &[]);
    let (_, one_thread) = sarif_with_env("fixtures", &[], &[("RAYON_NUM_THREADS", "1")]);
    assert!(again == first && one_thread == first);
    assert!(
        !first.contains(&*common::repo().to_string_lossy()),
        "no absolute paths"
    );
}

#[test]
fn sarif_file_output_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warden.sarif");
    let (_, stdout) = sarif(
        "fixtures/demo",
        &[&format!("--output=sarif={}", file.display())],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout);
}

#[test]
fn uris_are_relative_to_the_repository_root() {
    let repo = tempfile::tempdir().unwrap();
    let sub = repo.path().join("services/api");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        common::fixture("lockfile-versions/v4.lock"),
        sub.join("Cargo.lock"),
    )
    .unwrap();
    let uri = |dir: &std::path::Path| {
        let home = tempfile::tempdir().unwrap();
        let output = Command::cargo_bin("cargo-warden")
            .unwrap()
            .env("CARGO_HOME", home.path())
            .env("CARGO_NET_OFFLINE", "true")
            .env("WARDEN_TODAY", TODAY)
            .arg("scan")
            .arg(dir)
            .arg("--db")
            .arg(common::fixture("advisory-db"))
            .args(["--format", "sarif"])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert_valid(&text, &dir.display().to_string());
        let log: Value = serde_json::from_str(&text).unwrap();
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        uri(&sub),
        "Cargo.lock",
        "outside git: relative to the scanned directory"
    );
    let status = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(uri(&sub), "services/api/Cargo.lock");
}

/// Every result's `partialFingerprints` in every run of `dir`'s SARIF, by rule and line.
fn fingerprints_of(dir: &std::path::Path) -> Vec<(String, u64, String)> {
    let home = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("cargo-warden")
        .unwrap()
        .env("CARGO_HOME", home.path())
        .env("WARDEN_TODAY", TODAY)
        .args(["scan", "--checks", "secrets,code", "--format", "sarif"])
        .arg(dir)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found = Vec::new();
    for run in log["runs"].as_array().unwrap() {
        for result in run["results"].as_array().unwrap() {
            found.push((
                result["ruleId"].as_str().unwrap().to_owned(),
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                result["partialFingerprints"]["cargoWarden/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ));
        }
    }
    found
}

#[test]
fn sarif_fingerprints_identify_one_finding_and_survive_unrelated_lines_moving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    // The same flagged line twice, two unsafe blocks in one file, and one secret twice.
    let lib = "pub fn a(v: &[u8]) -> &str {\n    unsafe { std::str::from_utf8_unchecked(v) }\n}\npub fn b(v: &[u8]) -> &str {\n    unsafe { std::str::from_utf8_unchecked(v) }\n}\n";
    std::fs::write(dir.path().join("src/lib.rs"), lib).unwrap();
    let env = "API_TOKEN=Zq8vR2mX7kLp4Tn9Wc3Yb6Hd\nBACKUP_TOKEN=Zq8vR2mX7kLp4Tn9Wc3Yb6Hd\n";
    std::fs::write(dir.path().join(".env"), env).unwrap();
    let before = fingerprints_of(dir.path());
    assert_eq!(before.len(), 6, "{before:?}");
    let mut unique: Vec<&String> = before.iter().map(|(_, _, fp)| fp).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        before.len(),
        "one fingerprint per finding: {before:?}"
    );

    // Lines added above move every finding; none changes identity.
    std::fs::write(dir.path().join("src/lib.rs"), format!("//! docs\n\n{lib}")).unwrap();
    std::fs::write(dir.path().join(".env"), format!("# settings\n{env}")).unwrap();
    let after = fingerprints_of(dir.path());
    let ids = |found: &[(String, u64, String)]| {
        let mut ids: Vec<(String, String)> = found
            .iter()
            .map(|(rule, _, fp)| (rule.clone(), fp.clone()))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&before), ids(&after));
    assert!(
        after.iter().zip(&before).any(|(a, b)| a.1 != b.1),
        "lines moved"
    );
}
