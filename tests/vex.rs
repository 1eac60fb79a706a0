//! VEX out (`--format openvex`) and in (`--vex`, `[advisories] vex`): documents valid against
//! OpenVEX 0.2.0, a written document read back accepting the same findings, statements matched
//! by alias and by version, and malformed statements skipped with a warning.

mod common;

use serde_json::{json, Value};
use std::path::Path;

const TODAY: &str = "2026-12-05";

/// A copy of the demo workspace with `settings` as its warden.toml.
fn demo(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("demo"), dir.path());
    std::fs::write(dir.path().join("warden.toml"), settings).unwrap();
    dir
}

fn scan(dir: &Path, args: &[&str]) -> common::Outcome {
    let mut args = args.to_vec();
    args.extend(["--checks", "advisories"]);
    common::scan_in(dir, TODAY, &args)
}

fn assert_valid_openvex(document: &Value) {
    assert_eq!(document["@context"], "https://openvex.dev/ns/v0.2.0");
    if let Some(errors) = common::schema_errors("openvex-schema.json", document) {
        assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
    }
}

/// `(advisory, package)` of every ignored finding, with the exception's source.
fn ignored(report: &Value) -> Vec<(String, String, String)> {
    let mut ignored: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "ignored")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["exception"]["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ignored.sort();
    ignored
}

const IGNORES: &str = r#"
[policy]
since = 2026-11-22

[[ignore]]
id = "RUSTSEC-2019-0009"
reason = "SmallVec::grow is never called: every vector is built at its final size"
justification = "vulnerable_code_not_in_execute_path"
owner = "platform-team"
until = 2027-06-30

[[ignore]]
id = "CVE-2020-26235"
reason = "time is only used to format dates in logs"
impact = "the segfault needs a call to localtime_r from another thread while the environment changes, which this program never does"
package = "time"

[[ignore]]
id = "RUSTSEC-2024-0375"
reason = "atty is only used to pick colours"
until = 2027-03-31
"#;

#[test]
fn openvex_is_valid_and_says_affected_with_a_due_date_or_not_affected_with_why() {
    let dir = demo(IGNORES);
    let out_file = dir.path().join("warden.vex.json");
    let out = scan(
        dir.path(),
        &[
            "--format",
            "openvex",
            "--output",
            &format!("openvex={}", out_file.display()),
        ],
    );
    assert_ne!(out.code, 2, "{}", out.stderr);
    let document = common::json(&out.stdout);
    assert_valid_openvex(&document);
    // The file and stdout are the same document, and another run writes the same bytes.
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), out.stdout);
    assert_eq!(
        scan(dir.path(), &["--format", "openvex"]).stdout,
        out.stdout
    );
    assert_eq!(document["timestamp"], "2026-12-05T00:00:00Z");
    assert!(document["@id"]
        .as_str()
        .unwrap()
        .starts_with("https://openvex.dev/docs/public/vex-"));

    let statement = |name: &str| {
        document["statements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["vulnerability"]["name"] == name)
            .unwrap_or_else(|| panic!("no statement for {name}"))
            .clone()
    };
    let smallvec = statement("RUSTSEC-2019-0009");
    assert_eq!(smallvec["status"], "not_affected");
    assert_eq!(
        smallvec["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(
        smallvec["products"][0]["identifiers"]["purl"],
        "pkg:cargo/smallvec@0.6.9"
    );
    let notes = smallvec["status_notes"].as_str().unwrap();
    assert!(
        notes.contains("platform-team") && notes.contains("2027-06-30"),
        "{notes}"
    );
    let time = statement("RUSTSEC-2020-0071");
    assert_eq!(time["status"], "not_affected");
    assert!(time["impact_statement"]
        .as_str()
        .unwrap()
        .contains("localtime_r"));
    // An ignore with a reason only: the reason is the impact statement OpenVEX requires.
    let atty = statement("RUSTSEC-2024-0375");
    assert_eq!(
        atty["impact_statement"],
        "atty is only used to pick colours"
    );
    let chrono = statement("RUSTSEC-2020-0159");
    assert_eq!(chrono["status"], "affected");
    let action = chrono["action_statement"].as_str().unwrap();
    assert!(
        action.contains("due 20") || action.contains("overdue since 20"),
        "{action}"
    );
    assert!(action.contains("atlassian-cloud"), "{action}");
}

#[test]
fn a_written_vex_read_back_accepts_the_same_findings() {
    let with_ignores = demo(IGNORES);
    let written = scan(with_ignores.path(), &["--format", "openvex"]);
    let vex_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(vex_file.path(), &written.stdout).unwrap();
    let expected: Vec<(String, String)> = ignored(&common::json(
        &scan(with_ignores.path(), &["--format", "json"]).stdout,
    ))
    .into_iter()
    .map(|(rule, package, _)| (rule, package))
    .collect();
    assert_eq!(expected.len(), 3, "{expected:?}");

    // No ignores of its own: only the VEX document accepts anything.
    let without = demo("[policy]\nsince = 2026-11-22\n");
    let vex = vex_file.path().to_str().unwrap();
    let report = common::json(&scan(without.path(), &["--format", "json", "--vex", vex]).stdout);
    let read_back = ignored(&report);
    assert_eq!(
        read_back
            .iter()
            .map(|(rule, package, _)| (rule.clone(), package.clone()))
            .collect::<Vec<_>>(),
        expected
    );
    assert!(read_back
        .iter()
        .all(|(_, _, source)| source.contains("(statement ")));
    // The statement's reason is the finding's.
    let smallvec = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "RUSTSEC-2019-0009")
        .unwrap();
    assert_eq!(
        smallvec["exception"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(smallvec["exception"]["vex_status"], "not_affected");
}

fn vex_document(statements: Value) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/supplier-1",
        "author": "Supplier Security",
        "timestamp": "2026-11-30T09:00:00Z",
        "version": 1,
        "statements": statements,
    })
}

fn write_vex(dir: &Path, name: &str, document: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(document).unwrap()).unwrap();
    name.to_owned()
}

fn status_of(report: &Value, rule: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn statements_match_by_alias_and_version_and_the_latest_holds() {
    let dir = demo("[policy]\nsince = 2026-11-22\n");
    let document = vex_document(json!([
        {
            "vulnerability": {"name": "CVE-2019-15551"},
            "products": [{"@id": "pkg:cargo/smallvec@0.6.9"}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_present"
        },
        {
            // Another version: says nothing about the locked 0.4.19.
            "vulnerability": {"name": "GHSA-qgm6-9472-pwq7"},
            "products": [{"identifiers": {"purl": "pkg:cargo/chrono@0.4.20"}}],
            "status": "not_affected",
            "impact_statement": "patched build"
        },
        {
            // A GHSA alias, the product as a subcomponent of the supplier's application.
            "vulnerability": {"name": "GHSA-wcg3-cvx6-7396"},
            "products": [{
                "@id": "pkg:github/supplier/app@v2",
                "subcomponents": [{"@id": "pkg:cargo/time@0.1.43"}]
            }],
            "status": "fixed",
            "status_notes": "backported the fix to our time 0.1.43 build",
            "timestamp": "2026-11-01T00:00:00Z"
        },
        {
            // Later than the `fixed` above, so it holds: the finding stays active.
            "vulnerability": {"name": "RUSTSEC-2020-0071"},
            "products": [{"@id": "pkg:cargo/time"}],
            "status": "under_investigation",
            "timestamp": "2026-11-20T00:00:00Z"
        }
    ]));
    let vex = write_vex(dir.path(), "supplier.vex.json", &document);
    let out = scan(dir.path(), &["--format", "json", "--vex", &vex]);
    let report = common::json(&out.stdout);
    assert_eq!(status_of(&report, "RUSTSEC-2019-0009"), "ignored");
    assert_ne!(status_of(&report, "RUSTSEC-2020-0159"), "ignored");
    assert_ne!(status_of(&report, "RUSTSEC-2020-0071"), "ignored");
    let smallvec = &ignored(&report)[0];
    assert_eq!(smallvec.2, "supplier.vex.json (statement 1)");

    // Without the later statement, the `fixed` one holds.
    let mut earlier = document.clone();
    earlier["statements"].as_array_mut().unwrap().pop();
    let vex = write_vex(dir.path(), "earlier.vex.json", &earlier);
    let report = common::json(&scan(dir.path(), &["--format", "json", "--vex", &vex]).stdout);
    let time = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert_eq!(time["status"], "ignored");
    assert_eq!(time["exception"]["vex_status"], "fixed");
    assert_eq!(
        time["ignore_reason"],
        "backported the fix to our time 0.1.43 build"
    );
}

#[test]
fn a_malformed_statement_is_a_warning_and_the_others_still_count() {
    let dir = demo("[policy]\nsince = 2026-11-22\n\n[advisories]\nvex = [\"vendor.vex.json\"]\n");
    let document = vex_document(json!([
        {"vulnerability": {"name": "RUSTSEC-2019-0009"}, "products": [{"@id": "pkg:cargo/smallvec@0.6.9"}], "status": "not_affected"},
        {"vulnerability": {"name": "RUSTSEC-2019-0009"}, "products": [{"@id": "pkg:cargo/smallvec@0.6.9"}], "status": "wontfix"},
        {"vulnerability": {"name": "RUSTSEC-2020-0071"}, "products": [{"@id": "pkg:cargo/time@zero"}], "status": "fixed"},
        {"vulnerability": {"name": "RUSTSEC-2020-0159"}, "products": [{"@id": "pkg:cargo/chrono@0.4.19"}], "status": "not_affected", "justification": "component_not_present"}
    ]));
    write_vex(dir.path(), "vendor.vex.json", &document);
    let out = scan(dir.path(), &["--format", "json"]);
    let report = common::json(&out.stdout);
    let warnings: Vec<&Value> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "malformed-vex-statement")
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    for (warning, number) in warnings
        .iter()
        .zip(["statement 1", "statement 2", "statement 3"])
    {
        assert_eq!(warning["file"], "vendor.vex.json");
        assert!(
            warning["message"].as_str().unwrap().contains(number),
            "{warning}"
        );
    }
    assert_eq!(status_of(&report, "RUSTSEC-2020-0159"), "ignored");
    assert_ne!(status_of(&report, "RUSTSEC-2019-0009"), "ignored");
}

#[test]
fn a_file_that_is_not_openvex_stops_the_scan_naming_it() {
    let dir = demo("[policy]\nsince = 2026-11-22\n");
    std::fs::write(dir.path().join("bom.json"), r#"{"bomFormat": "CycloneDX"}"#).unwrap();
    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    for file in ["bom.json", "broken.json", "missing.json"] {
        let out = scan(dir.path(), &["--vex", file]);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(out.stderr.contains(file), "{}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn an_ignore_with_an_unknown_justification_is_refused_with_a_suggestion() {
    let dir = demo(
        "[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreason = \"r\"\njustification = \"vulnerable_code_not_in_execution_path\"\n",
    );
    let out = scan(dir.path(), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("warden.toml:4:")
            && out
                .stderr
                .contains("did you mean `vulnerable_code_not_in_execute_path`?"),
        "{}",
        out.stderr
    );
}
