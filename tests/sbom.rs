//! `--format cyclonedx`: the SBOM lists every locked package once with its purl, hash and
//! dependencies, the findings as vulnerabilities with their due dates, and validates against the
//! CycloneDX 1.6 schema in strict mode.

mod common;

use common::{cyclonedx_errors, fixture, json, run, scan_in};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const KEV: &str = "kev/known_exploited_vulnerabilities.json";

/// Scans `dir` (relative to the fixtures) as `cargo-warden scan` would and returns the SBOM,
/// after checking it against the schema.
fn sbom(test: &str, dir: &str, args: &[&str]) -> Value {
    let out = scan_in(
        &fixture(dir),
        "2026-11-22",
        &[&["--format", "cyclonedx", "--clock", "published"], args].concat(),
    );
    assert!(out.code == 0 || out.code == 1, "{test}: {}", out.stderr);
    if let Some(errors) = cyclonedx_errors(test, &out.stdout) {
        assert!(errors.is_empty(), "{test}: {errors:#?}");
    }
    json(&out.stdout)
}

/// Every package component of the document: the metadata component (when it is a package) and
/// the list.
fn all_components(bom: &Value) -> Vec<&Value> {
    let mut all = vec![&bom["metadata"]["component"]];
    all.extend(bom["components"].as_array().unwrap());
    all.into_iter()
        .filter(|c| c["version"].is_string())
        .collect()
}

fn property<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

/// A lockfile's packages: (name, version) -> (source, checksum, dependency names).
type Locked = BTreeMap<(String, String), (Option<String>, Option<String>, Vec<String>)>;

fn locked(path: &Path) -> Locked {
    let lock: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |key: &str| p.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let deps = p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|d| {
                    d.iter()
                        .map(|v| v.as_str().unwrap().split(' ').next().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (
                (text("name").unwrap(), text("version").unwrap()),
                (text("source"), text("checksum"), deps),
            )
        })
        .collect()
}

#[test]
fn demo_sbom_lists_every_locked_package_once_with_purl_hash_and_dependencies() {
    let bom = sbom("demo sbom", "demo", &[]);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2026-11-22T00:00:00Z");
    let lock = locked(&fixture("demo/Cargo.lock"));
    let components = all_components(&bom);
    let listed: Vec<(String, String)> = components
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed.iter().cloned().collect::<BTreeSet<_>>().len(),
        listed.len(),
        "a package listed twice: {listed:?}"
    );
    assert_eq!(
        listed.into_iter().collect::<BTreeSet<_>>(),
        lock.keys().cloned().collect::<BTreeSet<_>>()
    );

    // bom-ref by (name, version), to check dependencies against the lockfile.
    let mut refs = BTreeMap::new();
    for c in &components {
        let name = c["name"].as_str().unwrap();
        let version = c["version"].as_str().unwrap();
        let (source, checksum, _) = &lock[&(name.to_owned(), version.to_owned())];
        match source {
            Some(_) => {
                assert_eq!(c["purl"], format!("pkg:cargo/{name}@{version}"), "{c}");
                assert_eq!(c["hashes"][0]["alg"], "SHA-256");
                assert_eq!(c["hashes"][0]["content"].as_str(), checksum.as_deref());
                assert_eq!(property(c, "cargo-warden:source"), Some("crates.io"));
            }
            // The workspace's own crates are no crates.io packages.
            None => {
                assert!(c.get("purl").is_none(), "{c}");
                assert_eq!(property(c, "cargo-warden:source"), Some("path"));
            }
        }
        refs.insert(name.to_owned(), c["bom-ref"].as_str().unwrap().to_owned());
    }
    let dependencies: BTreeMap<&str, BTreeSet<&str>> = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["ref"].as_str().unwrap(),
                d["dependsOn"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    for ((name, _), (_, _, deps)) in &lock {
        let expected: BTreeSet<&str> = deps.iter().map(|d| refs[d].as_str()).collect();
        assert_eq!(dependencies[refs[name].as_str()], expected, "{name}");
    }
    // Two members: the scanned directory is the subject and depends on them; the members are
    // top-level components (applications).
    let subject = &bom["metadata"]["component"];
    assert_eq!(subject["name"], "demo");
    assert_eq!(
        dependencies["workspace:demo"],
        BTreeSet::from(["path:demo-app@0.1.0", "path:demo-cli@0.1.0"])
    );
    assert_eq!(members(&bom), ["demo-app", "demo-cli"]);
    assert_refs_consistent(&bom);
}

/// The names of the components that are workspace members.
fn members(bom: &Value) -> Vec<&str> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "application")
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// Every bom-ref is unique, every dependency entry and target and every affected ref names a
/// component.
fn assert_refs_consistent(bom: &Value) {
    let mut refs: Vec<&str> = all_components(bom)
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    // The scanned directory, when it stands for several members, has no version.
    if bom["metadata"]["component"]["version"].is_null() {
        refs.extend(bom["metadata"]["component"]["bom-ref"].as_str());
    }
    let unique: BTreeSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "a bom-ref listed twice: {refs:?}");
    let mut entries = BTreeSet::new();
    for dependency in bom["dependencies"].as_array().unwrap() {
        let reference = dependency["ref"].as_str().unwrap();
        assert!(
            entries.insert(reference),
            "{reference}: two dependency entries"
        );
        assert!(unique.contains(reference), "{reference} is not a component");
        for target in dependency["dependsOn"].as_array().unwrap() {
            let target = target.as_str().unwrap();
            assert!(unique.contains(target), "{target} is not a component");
        }
    }
    for vulnerability in bom["vulnerabilities"].as_array().into_iter().flatten() {
        for affected in vulnerability["affects"].as_array().unwrap() {
            let target = affected["ref"].as_str().unwrap();
            assert!(unique.contains(target), "{target} is not a component");
        }
    }
}

#[test]
fn sbom_merges_one_package_spelled_two_ways_and_keeps_two_workspaces_own_crates_apart() {
    let bom = sbom("spellings sbom", "sbom/spellings", &[]);
    assert_refs_consistent(&bom);
    let refs: Vec<&str> = all_components(&bom)
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    // crates.io by registry+ and by sparse+, and one git commit pinned by branch and by rev: one
    // component each; each workspace's own xtask: two.
    assert_eq!(
        refs.iter()
            .filter(|r| r.starts_with("pkg:cargo/itoa@"))
            .count(),
        1,
        "{refs:?}"
    );
    assert_eq!(
        refs.iter()
            .filter(|r| r.starts_with("pkg:cargo/gitdep@"))
            .count(),
        1,
        "{refs:?}"
    );
    assert!(refs.contains(&"path:a/xtask@0.1.0"), "{refs:?}");
    assert!(refs.contains(&"path:b/xtask@0.1.0"), "{refs:?}");
}

#[test]
fn demo_sbom_vulnerabilities_carry_the_reports_due_dates() {
    let bom = sbom("demo vulnerabilities", "demo", &[]);
    let report = json(
        &scan_in(
            &fixture("demo"),
            "2026-11-22",
            &["--format", "json", "--clock", "published"],
        )
        .stdout,
    );
    let expected: BTreeMap<(String, String), (String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"].is_object() && f["status"] != "audit")
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    format!(
                        "pkg:cargo/{}@{}",
                        f["package"]["name"].as_str().unwrap(),
                        f["package"]["version"].as_str().unwrap()
                    ),
                ),
                (
                    f["due"].as_str().unwrap().to_owned(),
                    f["status"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect();
    let vulnerabilities = bom["vulnerabilities"].as_array().unwrap();
    let got: BTreeMap<(String, String), (String, String)> = vulnerabilities
        .iter()
        .map(|v| {
            (
                (
                    v["id"].as_str().unwrap().to_owned(),
                    v["affects"][0]["ref"].as_str().unwrap().to_owned(),
                ),
                (
                    property(v, "cargo-warden:due").unwrap().to_owned(),
                    property(v, "cargo-warden:status").unwrap().to_owned(),
                ),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(expected.len(), 6);

    let smallvec = vulnerabilities
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2019-0009")
        .unwrap();
    assert_eq!(smallvec["source"]["name"], "RustSec");
    assert_eq!(smallvec["ratings"][0]["method"], "CVSSv3");
    assert_eq!(smallvec["ratings"][0]["score"], 9.8);
    assert_eq!(smallvec["ratings"][0]["severity"], "critical");
    let aliases: Vec<&str> = smallvec["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(aliases, ["CVE-2019-15551", "GHSA-mm7v-vpv8-xfc3"]);
    assert_eq!(smallvec["analysis"]["state"], "exploitable");
    assert_eq!(smallvec["analysis"]["response"][0], "update");
    assert_eq!(
        smallvec["recommendation"],
        "cargo update -p smallvec@0.6.9 --precise 0.6.10"
    );
    assert_eq!(
        property(smallvec, "cargo-warden:policy"),
        Some("atlassian-cloud")
    );

    // Unscored: the policy's tier, said to be the policy's.
    let chrono = vulnerabilities
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2020-0159")
        .unwrap();
    assert_eq!(chrono["ratings"][0]["method"], "other");
    assert_eq!(chrono["ratings"][0]["severity"], "medium");
    assert!(chrono["ratings"][0].get("score").is_none());

    // The ignore in the demo's warden.toml accepts the risk without a VEX justification: not
    // "not affected", which dashboards would hide.
    let atty = vulnerabilities
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2024-0375")
        .unwrap();
    assert_eq!(atty["analysis"]["state"], "in_triage");
    assert_eq!(atty["analysis"]["response"][0], "will_not_fix");
    assert!(atty["analysis"]["detail"]
        .as_str()
        .unwrap()
        .starts_with("accepted: "));
}

#[test]
fn sbom_purls_for_git_registry_and_path_sources() {
    let bom = sbom("sources sbom", "sbom/sources", &[]);
    let by_name: BTreeMap<&str, &Value> = all_components(&bom)
        .into_iter()
        .map(|c| (c["name"].as_str().unwrap(), c))
        .collect();
    assert_eq!(
        by_name.keys().copied().collect::<Vec<_>>(),
        ["app", "gitdep", "helper", "internal", "itoa"]
    );
    // One member: it is the document's subject.
    assert_eq!(bom["metadata"]["component"]["name"], "app");
    assert_eq!(
        by_name["gitdep"]["purl"],
        "pkg:cargo/gitdep@0.3.0?vcs_url=git%2Bhttps://github.com/example/gitdep%400123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(
        by_name["gitdep"]["externalReferences"][0]["url"],
        "https://github.com/example/gitdep"
    );
    assert_eq!(
        by_name["internal"]["purl"],
        "pkg:cargo/internal@2.1.0%2Bbuild.7?repository_url=sparse%2Bhttps://crates.example.com/api/v1/crates/"
    );
    assert_eq!(
        property(by_name["internal"], "cargo-warden:source"),
        Some("registry")
    );
    assert_eq!(by_name["itoa"]["purl"], "pkg:cargo/itoa@1.0.11");
    // A path dependency outside the workspace: listed, never as a crates.io package.
    assert!(by_name["helper"].get("purl").is_none());
    assert_eq!(by_name["helper"]["bom-ref"], "path:helper@0.2.0");
    assert_eq!(
        property(by_name["helper"], "cargo-warden:source"),
        Some("path")
    );
    assert!(by_name["helper"].get("hashes").is_none());
    // No advisories match: no vulnerabilities key at all.
    assert!(bom.get("vulnerabilities").is_none());
}

#[test]
fn sbom_scope_follows_dependency_kinds_from_cargo_metadata() {
    let bom = sbom("path-only sbom", "path-only/ws", &[]);
    let by_name: BTreeMap<&str, &Value> = all_components(&bom)
        .into_iter()
        .map(|c| (c["name"].as_str().unwrap(), c))
        .collect();
    // engine and tool are members; gen is a build dependency, testkit a dev dependency.
    assert_eq!(members(&bom), ["engine", "tool"]);
    assert_refs_consistent(&bom);
    assert_eq!(by_name["gen"]["scope"], "excluded");
    assert_eq!(
        property(by_name["gen"], "cargo-warden:dependency-kind"),
        Some("build")
    );
    assert_eq!(by_name["testkit"]["scope"], "excluded");
    assert_eq!(
        property(by_name["testkit"], "cargo-warden:dependency-kind"),
        Some("dev")
    );
}

#[test]
fn sbom_of_many_lockfiles_lists_shared_packages_once() {
    let bom = sbom("fixtures sbom", "", &["--checks", "advisories"]);
    assert_refs_consistent(&bom);
    let refs: Vec<&str> = all_components(&bom)
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "a bom-ref listed twice");
    let lockfiles = bom["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "cargo-warden:lockfile")
        .count();
    assert!(lockfiles > 3, "{lockfiles} lockfiles");
    // Every dependency names a component of the document.
    for dependency in bom["dependencies"].as_array().unwrap() {
        for target in dependency["dependsOn"].as_array().unwrap() {
            assert!(
                unique.contains(target.as_str().unwrap()),
                "{target} is not a component"
            );
        }
    }
}

#[test]
fn sbom_marks_known_exploited_findings_and_is_deterministic() {
    let kev = fixture(KEV);
    let kev = kev.to_str().unwrap();
    let args = [
        "--format",
        "cyclonedx",
        "--clock",
        "published",
        "--kev",
        kev,
    ];
    let first = scan_in(&fixture("demo"), "2026-11-22", &args);
    let again = scan_in(&fixture("demo"), "2026-11-22", &args);
    assert_eq!(
        first.stdout, again.stdout,
        "the same scan wrote other bytes"
    );
    if let Some(errors) = cyclonedx_errors("kev sbom", &first.stdout) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let bom = json(&first.stdout);
    let time = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert_eq!(
        property(time, "cargo-warden:known-exploited"),
        Some("CVE-2020-26235, due 2020-11-25")
    );
    assert_eq!(property(time, "cargo-warden:due"), Some("2020-11-25"));
    assert_eq!(property(time, "cargo-warden:severity"), Some("critical"));
    let chrono = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2020-0159")
        .unwrap();
    assert_eq!(
        property(chrono, "cargo-warden:known-exploited"),
        Some("unknown: no CVE alias")
    );
    // Other content, another serial number.
    let plain = sbom("plain sbom", "demo", &[]);
    assert_ne!(plain["serialNumber"], bom["serialNumber"]);
    let serial = bom["serialNumber"].as_str().unwrap();
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45,
        "{serial}"
    );
}

#[test]
fn sbom_to_a_file_with_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warden.cdx.json");
    let out = run(assert_cmd::Command::cargo_bin("cargo-warden")
        .unwrap()
        .current_dir(fixture("demo"))
        .env("WARDEN_TODAY", "2026-11-22")
        .args(["scan", "--offline", "--clock", "published", "--db"])
        .arg(fixture("advisory-db"))
        .arg("--output")
        .arg(format!("cyclonedx={}", file.display())));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    if let Some(errors) = cyclonedx_errors("sbom file", &text) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let bom = json(&text);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["vulnerabilities"].as_array().unwrap().len(), 6);
}

#[test]
fn cyclonedx_without_the_advisories_check_is_an_error() {
    let out = scan_in(
        &fixture("demo"),
        "2026-11-22",
        &["--format", "cyclonedx", "--checks", "secrets"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("add `advisories` to --checks"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}
