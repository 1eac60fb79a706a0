//! `--kev FILE`: CISA's Known Exploited Vulnerabilities catalog raises listed findings to critical
//! and brings their due date to the catalog's, in every format; advisories without a CVE alias say
//! the catalog cannot tell; a file that is not the catalog stops the scan.

mod common;

use common::{fixture, json, scan_in};
use serde_json::Value;

const KEV: &str = "kev/known_exploited_vulnerabilities.json";

fn kev() -> String {
    fixture(KEV).to_str().unwrap().to_owned()
}

fn finding<'v>(report: &'v Value, rule: &str) -> &'v Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule}"))
}

fn report(args: &[&str]) -> Value {
    let out = scan_in(
        &fixture("demo"),
        "2026-11-22",
        &[&["--format", "json", "--clock", "published"], args].concat(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    json(&out.stdout)
}

#[test]
fn a_listed_medium_finding_becomes_critical_and_due_on_the_catalogs_date() {
    let before = report(&[]);
    let time = finding(&before, "RUSTSEC-2020-0071");
    assert_eq!(time["severity"], "medium");
    assert_eq!(time["due"], "2021-02-10");
    assert!(
        time.get("known_exploited").is_none(),
        "no catalog, no field"
    );

    let kev = kev();
    let after = report(&["--kev", &kev]);
    let time = finding(&after, "RUSTSEC-2020-0071");
    assert_eq!(time["severity"], "critical");
    // The catalog's dueDate (2020-11-25) is earlier than the critical tier's (2020-11-28).
    assert_eq!(time["due"], "2020-11-25");
    assert_eq!(
        time["known_exploited"],
        serde_json::json!({
            "status": "listed",
            "cve": "CVE-2020-26235",
            "date_added": "2020-11-20",
            "due": "2020-11-25",
            "ransomware": false
        })
    );
    assert_eq!(
        after["known_exploited_catalog"]["catalog_version"],
        "2026.11.20"
    );
    assert_eq!(after["known_exploited_catalog"]["entries"], 3);
}

#[test]
fn the_policys_date_stands_when_it_is_earlier_and_the_cisa_preset_uses_the_catalogs() {
    let kev = kev();
    let default = report(&["--kev", &kev]);
    // smallvec: critical tier 2019-06-16 is earlier than the catalog's 2019-09-13.
    assert_eq!(finding(&default, "RUSTSEC-2019-0009")["due"], "2019-06-16");
    let cisa = report(&["--kev", &kev, "--policy", "cisa-kev"]);
    // time: the catalog's 2020-11-25, though BOD 19-02's critical 15 days would give 2020-12-03.
    assert_eq!(finding(&cisa, "RUSTSEC-2020-0071")["due"], "2020-11-25");
    assert_eq!(finding(&cisa, "RUSTSEC-2020-0071")["severity"], "critical");
    // smallvec: the catalog's 2019-09-13 is later than the 2019-06-21 it has unlisted (critical
    // by its score, 15 days), and a listing never buys time.
    assert_eq!(finding(&cisa, "RUSTSEC-2019-0009")["due"], "2019-06-21");
}

#[test]
fn advisories_without_a_cve_alias_say_the_catalog_cannot_tell() {
    let kev = kev();
    let report = report(&["--kev", &kev]);
    // chrono's advisory has only a GHSA alias.
    assert_eq!(
        finding(&report, "RUSTSEC-2020-0159")["known_exploited"]["status"],
        "no-cve-alias"
    );
    // Source findings are not looked up.
    let secret = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"].is_null())
        .unwrap();
    assert!(secret["known_exploited"].is_null());
    let human = scan_in(
        &fixture("demo"),
        "2026-11-22",
        &["--clock", "published", "--color", "never", "--kev", &kev],
    );
    assert!(
        human
            .stdout
            .contains("known exploited: 2 findings listed in CISA's KEV catalog"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("no CVE alias, so the catalog cannot say whether they are exploited"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains(
            "kev:   known exploited (CISA KEV CVE-2019-15551, due 2019-09-13, used by ransomware)"
        ),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("not exploited"));
}

#[test]
fn known_exploited_shows_in_sarif_markdown_github_and_openvex() {
    let kev = kev();
    let out = |format: &str| {
        scan_in(
            &fixture("demo"),
            "2026-11-22",
            &["--clock", "published", "--format", format, "--kev", &kev],
        )
        .stdout
    };
    let sarif = json(&out("sarif"));
    let results = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().unwrap())
        .collect::<Vec<_>>();
    let time = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert_eq!(time["properties"]["tags"][0], "known-exploited");
    assert_eq!(
        time["properties"]["known_exploited"]["cve"],
        "CVE-2020-26235"
    );
    assert!(time["message"]["text"]
        .as_str()
        .unwrap()
        .contains("Known exploited (CISA KEV CVE-2020-26235"));
    let markdown = out("markdown");
    assert!(
        markdown.contains("**critical** (known exploited)"),
        "{markdown}"
    );
    let github = out("github");
    assert!(
        github.contains("title=known exploited%3A RUSTSEC-2020-0071 (critical)"),
        "{github}"
    );
    let vex = json(&out("openvex"));
    let statement = vex["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert!(statement["status_notes"]
        .as_str()
        .unwrap()
        .contains("known exploited (CISA KEV CVE-2020-26235"));
}

#[test]
fn the_cisa_preset_without_a_catalog_is_an_error_that_says_where_to_get_it() {
    let out = scan_in(&fixture("demo"), "2026-11-22", &["--policy", "cisa-kev"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("policy `cisa-kev` needs the Known Exploited Vulnerabilities catalog")
            && out.stderr.contains("--kev FILE")
            && out.stderr.contains("https://www.cisa.gov/"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_that_is_not_the_catalog_stops_the_scan_and_bad_entries_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("kev.json");
    std::fs::write(&wrong, "{\"statements\": []}").unwrap();
    let out = scan_in(
        &fixture("demo"),
        "2026-11-22",
        &["--kev", wrong.to_str().unwrap()],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("kev.json: not the Known Exploited Vulnerabilities catalog"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);

    let damaged = dir.path().join("damaged.json");
    std::fs::write(
        &damaged,
        r#"{"catalogVersion": "x", "vulnerabilities": [
            {"cveID": "CVE-2020-26235", "dateAdded": "2020-11-20", "dueDate": "soon"},
            {"cveID": "CVE-2019-15551", "dateAdded": "2019-08-30", "dueDate": "2019-09-13"}
        ]}"#,
    )
    .unwrap();
    let report = report(&["--kev", damaged.to_str().unwrap()]);
    // The entry could not be read, so the catalog's word on that CVE is unknown, not "no".
    let warning = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "malformed-kev-entry")
        .expect("a warning for the bad entry");
    assert!(warning["message"]
        .as_str()
        .unwrap()
        .contains("catalog entry 1 is skipped: CVE-2020-26235: dueDate `soon` is not a date"));
    assert_eq!(
        finding(&report, "RUSTSEC-2020-0071")["known_exploited"],
        serde_json::json!({"status": "unreadable-entry", "cve": "CVE-2020-26235"})
    );
    assert_eq!(
        finding(&report, "RUSTSEC-2019-0009")["known_exploited"]["status"],
        "listed"
    );
}

#[test]
fn kev_in_the_settings_file_is_read_relative_to_it() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("demo"), dir.path());
    std::fs::copy(fixture(KEV), dir.path().join("kev.json")).unwrap();
    let settings = dir.path().join("warden.toml");
    let text = std::fs::read_to_string(&settings).unwrap_or_default();
    let text = if text.contains("[advisories]") {
        text.replace("[advisories]", "[advisories]\nkev = \"kev.json\"")
    } else {
        format!("{text}\n[advisories]\nkev = \"kev.json\"\n")
    };
    std::fs::write(&settings, text).unwrap();
    let out = scan_in(
        dir.path(),
        "2026-11-22",
        &["--format", "json", "--clock", "published"],
    );
    let report = json(&out.stdout);
    assert_eq!(report["known_exploited_catalog"]["file"], "kev.json");
    assert_eq!(
        finding(&report, "RUSTSEC-2020-0071")["severity"],
        "critical"
    );
}

#[test]
fn a_catalog_with_no_usable_entry_or_a_directory_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"catalogVersion": "x", "vulnerabilities": []}"#).unwrap();
    let array = dir.path().join("array.json");
    std::fs::write(&array, "[]").unwrap();
    for (file, expected) in [
        (&empty, "none of its 0 entries could be read"),
        (&array, "not a JSON object"),
        (&dir.path().to_path_buf(), "is a directory"),
    ] {
        let out = scan_in(
            &fixture("demo"),
            "2026-11-22",
            &["--policy", "cisa-kev", "--kev", file.to_str().unwrap()],
        );
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(expected), "{}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn a_cve_listed_twice_keeps_the_entry_due_first_and_cve_ids_are_upper_case() {
    let dir = tempfile::tempdir().unwrap();
    for (name, order) in [("one.json", [0, 1]), ("two.json", [1, 0])] {
        let entries = [
            r#"{"cveID": "cve-2020-26235", "dateAdded": "2020-11-20", "dueDate": "2020-11-24"}"#,
            r#"{"cveID": "CVE-2020-26235", "dateAdded": "2020-11-20", "dueDate": "2020-11-26"}"#,
        ];
        let text = format!(
            r#"{{"vulnerabilities": [{}, {}]}}"#,
            entries[order[0]], entries[order[1]]
        );
        std::fs::write(dir.path().join(name), text).unwrap();
        let report = report(&["--kev", dir.path().join(name).to_str().unwrap()]);
        let time = finding(&report, "RUSTSEC-2020-0071");
        assert_eq!(time["due"], "2020-11-24", "{name}");
        assert_eq!(time["known_exploited"]["cve"], "CVE-2020-26235", "{name}");
    }
}

/// Under `cisa-kev` a listed finding is due on the catalog's date, unless it would have been due
/// earlier unlisted: being known exploited never buys time.
#[test]
fn a_listing_never_makes_a_finding_due_later() {
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("late.json");
    std::fs::write(
        &late,
        r#"{"vulnerabilities": [{"cveID": "CVE-2020-26235", "dateAdded": "2026-11-01", "dueDate": "9999-12-31"}]}"#,
    )
    .unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        r#"{"vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10", "dueDate": "2021-12-24"}]}"#,
    )
    .unwrap();
    let unlisted = report(&["--policy", "cisa-kev", "--kev", other.to_str().unwrap()]);
    let listed = report(&["--policy", "cisa-kev", "--kev", late.to_str().unwrap()]);
    // Unlisted, time (CVSS 6.2) is medium: 90 days after 2020-11-18.
    let unlisted_time = finding(&unlisted, "RUSTSEC-2020-0071");
    assert_eq!(unlisted_time["due"], "2021-02-16");
    assert_eq!(unlisted_time["known_exploited"]["status"], "not-listed");
    let listed_time = finding(&listed, "RUSTSEC-2020-0071");
    assert_eq!(listed_time["severity"], "critical");
    assert_eq!(listed_time["due"], "2021-02-16");
    assert_eq!(listed_time["status"], "overdue");
}
