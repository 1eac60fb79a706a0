//! Which packages an advisory matches, through the library API: withdrawn advisories, pre-release
//! boundaries, non-crates.io sources, free-form informational kinds, every lockfile format, and
//! dependency kinds from real `cargo metadata` output.

mod common;

use cargo_warden::advisories::{NOTICE, UNMAINTAINED, VULNERABILITY};
use cargo_warden::date::Date;
use cargo_warden::finding::{DependencyKind, FindingKind, Severity};
use cargo_warden::policy::ClockKind;
use cargo_warden::report::{GraphSource, Report};
use cargo_warden::{advisories, scan, workspace, ScanOptions};

fn today() -> Date {
    Date::parse("2026-11-22").unwrap()
}
use std::path::Path;

fn scan_fixture(path: &str) -> Report {
    let mut options = ScanOptions::new(
        common::fixture(path),
        common::fixture("advisory-db"),
        today(),
    );
    // Dependency matching only: the fixtures' source files are not what is tested here.
    options.checks = vec![advisories::NAME];
    options.cargo_metadata = false;
    options.clock = ClockKind::Published;
    scan(&options).unwrap()
}

fn matched(report: &Report) -> Vec<(String, String, String, FindingKind)> {
    let mut rows: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let f = &f.detection;
            let p = f.package().unwrap();
            (f.rule.clone(), p.name.clone(), p.version.clone(), f.kind)
        })
        .collect();
    rows.sort();
    rows
}

fn row(
    rule: &str,
    name: &str,
    version: &str,
    kind: FindingKind,
) -> (String, String, String, FindingKind) {
    (rule.into(), name.into(), version.into(), kind)
}

#[test]
fn edge_cases_match_exactly_the_affected_crates_io_packages() {
    let report = scan_fixture("edge-cases/Cargo.lock");
    assert_eq!(
        matched(&report),
        [
            row("RUSTSEC-2019-0009", "smallvec", "0.6.9", VULNERABILITY),
            row("RUSTSEC-2099-0002", "prerel", "0.9.5", VULNERABILITY),
            row("RUSTSEC-2099-0002", "prerel", "1.0.0-beta.2", VULNERABILITY),
            row("RUSTSEC-2099-0004", "noticed", "1.5.0", NOTICE),
            row("RUSTSEC-2099-0006", "scored-v4", "1.0.0", VULNERABILITY),
        ]
    );
    let v4 = report
        .findings
        .iter()
        .find(|f| f.detection.rule == "RUSTSEC-2099-0006")
        .unwrap();
    let cvss = v4.detection.cvss().unwrap();
    assert!(cvss.vector.starts_with("CVSS:4.0/"));
    assert_eq!(cvss.score, 9.3);
    assert_eq!(v4.verdict.severity, Severity::Critical);
    let smallvec = report
        .findings
        .iter()
        .find(|f| f.detection.rule == "RUSTSEC-2019-0009")
        .unwrap();
    assert_eq!(
        smallvec.detection.package().unwrap().source.as_deref(),
        Some("registry+https://github.com/rust-lang/crates.io-index")
    );
}

#[test]
fn every_lockfile_format_points_at_the_package_name_line() {
    for (file, line) in [
        ("v1.lock", 9),
        ("v2.lock", 11),
        ("v3.lock", 13),
        ("v4.lock", 13),
    ] {
        let report = scan_fixture(&format!("lockfile-versions/{file}"));
        assert_eq!(report.findings.len(), 1, "{file}");
        let finding = &report.findings[0].detection;
        assert_eq!(finding.rule, "RUSTSEC-2019-0009", "{file}");
        assert_eq!(
            (finding.file.as_str(), finding.line, finding.column),
            (file, line, 1)
        );
        let text =
            std::fs::read_to_string(common::fixture(&format!("lockfile-versions/{file}"))).unwrap();
        assert_eq!(
            text.lines().nth(line - 1),
            Some("name = \"smallvec\""),
            "{file}"
        );
        assert_eq!(
            finding
                .advisory()
                .unwrap()
                .dependency
                .as_ref()
                .unwrap()
                .path,
            ["app 0.1.0", "smallvec 0.6.9"],
            "{file}"
        );
    }
}

#[test]
fn demo_findings_carry_severity_fix_and_path() {
    let report = scan_fixture("demo");
    let find = |rule: &str| {
        report
            .findings
            .iter()
            .find(|f| f.detection.rule == rule)
            .unwrap()
    };
    let smallvec = find("RUSTSEC-2019-0009");
    assert_eq!(smallvec.verdict.severity, Severity::Critical);
    assert_eq!(smallvec.detection.cvss().unwrap().score, 9.8);
    let fix = smallvec.detection.advisory().unwrap().fix.as_ref().unwrap();
    assert_eq!(
        fix.command,
        "cargo update -p smallvec@0.6.9 --precise 0.6.10"
    );
    assert!(fix.semver_compatible);
    let dependency = smallvec
        .detection
        .advisory()
        .unwrap()
        .dependency
        .as_ref()
        .unwrap();
    assert_eq!(
        dependency.path,
        ["demo-cli 0.1.0", "demo-app 0.1.0", "smallvec 0.6.9"]
    );
    assert!(
        dependency.direct,
        "demo-app, a path member, depends on smallvec itself"
    );
    assert_eq!(dependency.kind, None, "no kinds without cargo metadata");

    let time = find("RUSTSEC-2020-0071");
    assert!(
        !time
            .detection
            .advisory()
            .unwrap()
            .dependency
            .as_ref()
            .unwrap()
            .direct
    );
    let fix = time.detection.advisory().unwrap().fix.as_ref().unwrap();
    assert_eq!(
        (fix.version.as_str(), fix.semver_compatible),
        ("0.2.23", false)
    );

    // Unscored: medium by default; an unmaintained crate ranks low.
    let chrono = find("RUSTSEC-2020-0159");
    assert_eq!(
        (chrono.verdict.severity, chrono.detection.cvss().is_none()),
        (Severity::Medium, true)
    );
    // Declared where the last workspace member on the path names the next step.
    let declared = smallvec
        .detection
        .advisory()
        .unwrap()
        .declared_at
        .as_ref()
        .unwrap();
    assert_eq!(
        (
            declared.file.as_str(),
            declared.line,
            declared.column,
            declared.end_column
        ),
        ("crates/app/Cargo.toml", 10, 1, 9)
    );
    let declared = time
        .detection
        .advisory()
        .unwrap()
        .declared_at
        .as_ref()
        .unwrap();
    assert_eq!(
        (declared.file.as_str(), declared.line),
        ("crates/app/Cargo.toml", 8)
    );
    assert_eq!(
        declared.message,
        "demo-app declares its dependency on chrono here"
    );
    let atty = find("RUSTSEC-2021-0145")
        .detection
        .advisory()
        .unwrap()
        .declared_at
        .as_ref()
        .unwrap();
    assert_eq!(
        (atty.file.as_str(), atty.line),
        ("crates/cli/Cargo.toml", 8)
    );

    let yaml = find("RUSTSEC-2024-0320");
    assert_eq!(
        (yaml.detection.kind, yaml.verdict.severity),
        (UNMAINTAINED, Severity::Low)
    );
    assert!(yaml.detection.advisory().unwrap().fix.is_none());
}

#[test]
fn cargo_metadata_gives_dependency_kinds_and_members() {
    let dir = common::fixture("path-only/ws");
    let mut ws = workspace::load(&dir.join("Cargo.lock"), &dir).unwrap();
    let offline = workspace::CargoFlags {
        locked: false,
        offline: true,
    };
    workspace::enrich(&mut ws, &dir, offline, None).expect("path-only workspace resolves offline");
    assert_eq!(ws.graph_source, GraphSource::CargoMetadata);
    let index = |name: &str| ws.packages.iter().position(|p| p.name == name).unwrap();
    let info = |name: &str| {
        ws.graph
            .dependency_info(index(name), |i| ws.packages[i].label())
    };

    assert_eq!(info("engine").kind, Some(DependencyKind::Normal));
    assert_eq!(info("gen").kind, Some(DependencyKind::Build));
    assert_eq!(info("testkit").kind, Some(DependencyKind::Dev));
    assert_eq!(info("testkit").path, ["tool 0.1.0", "testkit 0.1.0"]);
    assert_eq!(info("testkit").members, ["tool"]);
    assert!(info("gen").direct);
}

#[test]
fn metadata_failure_falls_back_to_the_lockfile_graph_with_one_warning() {
    // A lockfile with no Cargo.toml beside it: cargo has nothing to resolve, on any machine.
    let mut options = ScanOptions::new(
        common::fixture("edge-cases/Cargo.lock"),
        common::fixture("advisory-db"),
        today(),
    );
    // Dependency matching only: the fixtures' source files are not what is tested here.
    options.checks = vec![advisories::NAME];
    let report = scan(&options).unwrap();
    let fallbacks: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.code == "lockfile-graph")
        .collect();
    assert_eq!(fallbacks.len(), 1, "{:?}", report.warnings);
    assert_eq!(fallbacks[0].file.as_deref(), Some("Cargo.lock"));
    assert!(
        fallbacks[0].message.contains("no Cargo.toml beside it"),
        "{}",
        fallbacks[0].message
    );
    assert_eq!(report.workspaces[0].graph, GraphSource::Lockfile);
    assert_eq!(report.findings.len(), 5);
}

#[test]
fn shared_advisory_db_loads_without_warnings() {
    let Some(shared) = common::shared("shared_advisory_db_loads_without_warnings") else {
        return;
    };
    let sources = cargo_warden::advisories::Sources {
        rustsec: Some(shared.join("advisory-db")),
        osv: Vec::new(),
    };
    let (db, _, warnings) = cargo_warden::advisories::Database::load(&sources).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(db.len(), 1205);
}

#[test]
fn scanning_a_cargo_toml_uses_its_workspace_lockfile() {
    let found = workspace::discover(&common::fixture("demo/crates/app/Cargo.toml")).unwrap();
    assert_eq!(found.lockfiles, [common::fixture("demo/Cargo.lock")]);
    assert_eq!(found.root, common::fixture("demo"));
    assert!(Path::new(&found.lockfiles[0]).is_file());
}

/// A sample of the shared OSV export validates against the OSV schema, and every record loads.
#[test]
fn osv_records_match_the_osv_schema_and_all_load() {
    let Some(shared) = common::shared("osv_records_match_the_osv_schema_and_all_load") else {
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("schemas/osv-schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(shared.join("osv/crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files.iter().step_by(25) {
        let record: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&record)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    let sources = cargo_warden::advisories::Sources {
        rustsec: None,
        osv: vec![shared.join("osv")],
    };
    let (db, counts, warnings) = cargo_warden::advisories::Database::load(&sources).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(counts[0].advisories, files.len());
    assert_eq!(db.len(), files.len());
}

#[test]
fn osv_and_rustsec_records_of_one_vulnerability_merge() {
    let dir = tempfile::tempdir().unwrap();
    // An OSV record for the same smallvec advisory under a GHSA id, with an extra reference, and
    // a GHSA-only record the RustSec database does not have.
    std::fs::write(
        dir.path().join("GHSA-mm7v-vpv8-xfc3.json"),
        r#"{"id": "GHSA-mm7v-vpv8-xfc3", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2019-15551", "RUSTSEC-2019-0009"],
            "summary": "GitHub's copy", "references": [{"type": "WEB", "url": "https://example.com/ghsa"}],
            "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.6.10"}]}]}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("GHSA-only.json"),
        r#"{"id": "GHSA-xxxx-only-0001", "modified": "2024-01-01T00:00:00Z", "published": "2024-02-03T00:00:00Z",
            "summary": "Only in OSV", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
            "affected": [{"package": {"ecosystem": "crates.io", "name": "libc"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0.2.0"}, {"last_affected": "0.2.150"}]}]},
                         {"package": {"ecosystem": "PyPI", "name": "libc"}, "versions": ["1.0"]}]}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.json"), "{\"id\": ").unwrap();

    let mut options = ScanOptions::new(
        common::fixture("demo"),
        common::fixture("advisory-db"),
        today(),
    );
    // Dependency matching only: the fixtures' source files are not what is tested here.
    options.checks = vec![advisories::NAME];
    options.cargo_metadata = false;
    options.clock = ClockKind::Published;
    options.sources.osv = vec![dir.path().to_path_buf()];
    let report = scan(&options).unwrap();
    let smallvec: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.detection.package().unwrap().name == "smallvec")
        .collect();
    assert_eq!(smallvec.len(), 1, "one finding for the merged advisory");
    let d = &smallvec[0].detection;
    assert_eq!(d.rule, "RUSTSEC-2019-0009", "RustSec wins");
    assert_eq!(
        d.title,
        "Double-free and use-after-free in SmallVec::grow()"
    );
    assert_eq!(d.advisory().unwrap().advisory_sources, ["osv", "rustsec"]);
    assert!(d
        .advisory()
        .unwrap()
        .references
        .contains(&"https://example.com/ghsa".to_owned()));
    assert_eq!(d.aliases(), ["CVE-2019-15551", "GHSA-mm7v-vpv8-xfc3"]);

    let libc = report
        .findings
        .iter()
        .find(|f| f.detection.rule == "GHSA-xxxx-only-0001")
        .unwrap();
    assert_eq!(libc.detection.advisory().unwrap().advisory_sources, ["osv"]);
    assert_eq!(libc.detection.cvss().unwrap().score, 7.5);
    assert_eq!(libc.verdict.severity, Severity::High);
    let warnings: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.code == "malformed-osv")
        .collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].file.as_ref().unwrap().ends_with("broken.json"));
}

/// OSV records read from a zip (osv.dev's `all.zip` layout) give the same findings as the same
/// records in a directory; a broken member is one warning.
#[test]
fn osv_zip_reads_like_a_directory() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let record = r#"{"id": "GHSA-zzzz-zip0-0001", "modified": "2024-01-01T00:00:00Z", "published": "2024-03-01T00:00:00Z",
        "summary": "From a zip", "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]}"#;
    let zip_path = dir.path().join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("GHSA-zzzz-zip0-0001.json", deflated)
        .unwrap();
    zip.write_all(record.as_bytes()).unwrap();
    zip.start_file("broken.json", deflated).unwrap();
    zip.write_all(b"{ not json").unwrap();
    zip.start_file("README.txt", deflated).unwrap();
    zip.write_all(b"not a record").unwrap();
    zip.finish().unwrap();
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    std::fs::write(dir.path().join("plain/GHSA-zzzz-zip0-0001.json"), record).unwrap();

    let scan_with = |osv: std::path::PathBuf| {
        let mut options = ScanOptions::new(
            common::fixture("lockfile-versions/v4.lock"),
            common::fixture("advisory-db"),
            today(),
        );
        // Dependency matching only: the fixtures' source files are not what is tested here.
        options.checks = vec![advisories::NAME];
        options.cargo_metadata = false;
        options.clock = ClockKind::Published;
        options.sources.rustsec = None;
        options.sources.osv = vec![osv];
        scan(&options).unwrap()
    };
    let from_zip = scan_with(zip_path.clone());
    let from_dir = scan_with(dir.path().join("plain"));
    assert_eq!(matched(&from_zip), matched(&from_dir));
    assert_eq!(matched(&from_zip).len(), 1);
    let malformed: Vec<_> = from_zip
        .warnings
        .iter()
        .filter(|w| w.code == "malformed-osv")
        .collect();
    assert_eq!(malformed.len(), 1);
    assert!(malformed[0]
        .file
        .as_ref()
        .unwrap()
        .ends_with("all.zip:broken.json"));

    // Not a zip at all: the source is unusable, an error naming it.
    std::fs::write(dir.path().join("fake.zip"), "plain text").unwrap();
    let mut options = ScanOptions::new(
        common::fixture("lockfile-versions/v4.lock"),
        common::fixture("advisory-db"),
        today(),
    );
    // Dependency matching only: the fixtures' source files are not what is tested here.
    options.checks = vec![advisories::NAME];
    options.sources.osv = vec![dir.path().join("fake.zip")];
    let err = scan(&options).unwrap_err().to_string();
    assert!(
        err.contains("fake.zip") && err.contains("not a readable zip archive"),
        "{err}"
    );
}
