//! Parity with cargo-audit: on the same lockfile and database, the set of
//! (kind, advisory id, package, version) must be exactly what cargo-audit 0.22 reports with
//! `--no-yanked`. The expected sets were recorded from cargo-audit over 22 real lockfiles from
//! alacritty's history (lockfile formats 1 to 4) and live in `../shared/parity/`.

mod common;

use cargo_warden::date::Date;
use cargo_warden::policy::ClockKind;
use cargo_warden::{advisories, scan, ScanOptions};
use std::collections::{BTreeMap, BTreeSet};

type Row = (String, String, String, String);

#[test]
fn findings_equal_cargo_audit_on_every_alacritty_lockfile() {
    let Some(shared) = common::shared("findings_equal_cargo_audit_on_every_alacritty_lockfile")
    else {
        return;
    };
    assert_parity(&shared, |options| {
        options.sources.rustsec = Some(shared.join("advisory-db"));
    });
}

/// The RustSec OSV export alone gives the same findings, kinds included.
#[test]
fn osv_export_alone_gives_the_same_findings() {
    let Some(shared) = common::shared("osv_export_alone_gives_the_same_findings") else {
        return;
    };
    assert_parity(&shared, |options| {
        options.sources.rustsec = None;
        options.sources.osv = vec![shared.join("osv")];
    });
}

/// Both sources together merge into the same findings: no duplicates from the OSV copies.
#[test]
fn rustsec_and_osv_together_give_the_same_findings() {
    let Some(shared) = common::shared("rustsec_and_osv_together_give_the_same_findings") else {
        return;
    };
    assert_parity(&shared, |options| {
        options.sources.rustsec = Some(shared.join("advisory-db"));
        options.sources.osv = vec![shared.join("osv")];
    });
}

fn assert_parity(shared: &std::path::Path, sources: impl Fn(&mut ScanOptions)) {
    let dir = shared.join("parity/alacritty");
    let expected: BTreeMap<String, Vec<Vec<String>>> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert_eq!(expected.len(), 22, "the parity set has 22 lockfiles");

    let mut mismatches = Vec::new();
    let mut total = 0;
    for (file, rows) in &expected {
        let want: BTreeSet<Row> = rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
            .collect();
        let mut options = ScanOptions::new(
            dir.join(file),
            shared.join("advisory-db"),
            Date::parse("2026-11-22").unwrap(),
        );
        // Dependency matching only: the fixtures' source files are not what is tested here.
        options.checks = vec![advisories::NAME];
        options.cargo_metadata = false;
        options.clock = ClockKind::Published;
        sources(&mut options);
        let report = scan(&options).unwrap_or_else(|err| panic!("{file}: {err}"));
        assert!(
            report
                .warnings
                .iter()
                .all(|w| w.code != "malformed-advisory"),
            "{file}: {:?}",
            report.warnings
        );
        let got: BTreeSet<Row> = report
            .findings
            .iter()
            .map(|f| {
                let f = &f.detection;
                let package = f.package().unwrap();
                (
                    f.kind.as_str().to_owned(),
                    f.rule.clone(),
                    package.name.clone(),
                    package.version.clone(),
                )
            })
            .collect();
        total += got.len();
        if got != want {
            mismatches.push(format!(
                "{file}:\n  missing: {:?}\n  extra: {:?}",
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(total > 100, "only {total} findings over 22 lockfiles");
}
