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
    assert_eq!(finding(&cisa, "RUSTSEC-2019-0009")["due"], "2019-09-13");
    assert_eq!(finding(&cisa, "RUSTSEC-2019-0009")["severity"], "critical");
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
        finding(&report, "RUSTSEC-2020-0071")["known_exploited"]["status"],
        "not-listed"
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
