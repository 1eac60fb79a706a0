//! The policy presets against the numbers of the texts they come from, the rules every preset
//! shares (malicious packages are due the day they are found), and time frames per kind of
//! finding.

use cargo_warden::checks;
use cargo_warden::date::Date;
use cargo_warden::finding::{FindingKind, Severity};
use cargo_warden::policy::{KevDue, Policy, PRESETS};
use std::path::Path;

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn preset(name: &str) -> Policy {
    Policy::preset(name, &checks::kinds()).unwrap_or_else(|| panic!("no preset {name}"))
}

fn kind(name: &str) -> FindingKind {
    checks::kinds()
        .into_iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no kind {name}"))
}

/// Each tier's CVSS floor and days, as (severity, floor, days), and the score just below each
/// floor landing in the next tier.
fn assert_tiers(name: &str, expected: [(Severity, f64, u32); 4]) {
    let policy = preset(name);
    let vulnerability = kind("vulnerability");
    let start = d("2027-01-01");
    for (severity, floor, days) in expected {
        assert_eq!(
            policy.severity(vulnerability, Some(floor), &[]),
            severity,
            "{name}: CVSS {floor}"
        );
        assert_eq!(
            policy.due(start, severity),
            start.add_days(i64::from(days)),
            "{name}: {severity:?} within {days} days"
        );
    }
    for pair in expected.windows(2) {
        let below = pair[0].1 - 0.1;
        assert_eq!(
            policy.severity(vulnerability, Some(below), &[]),
            pair[1].0,
            "{name}: CVSS {below}"
        );
    }
}

/// Atlassian's Security Bug Fix Policy for cloud products: 10, 28, 84, 175 days.
#[test]
fn atlassian_cloud_preset_matches_its_source() {
    assert_tiers(
        "atlassian-cloud",
        [
            (Severity::Critical, 9.0, 10),
            (Severity::High, 7.0, 28),
            (Severity::Medium, 4.0, 84),
            (Severity::Low, 0.0, 175),
        ],
    );
}

/// Marketplace cloud apps: 4, 6, 8 and 25 weeks.
#[test]
fn atlassian_marketplace_cloud_preset_matches_its_source() {
    assert_tiers(
        "atlassian-marketplace-cloud",
        [
            (Severity::Critical, 9.0, 4 * 7),
            (Severity::High, 7.0, 6 * 7),
            (Severity::Medium, 4.0, 8 * 7),
            (Severity::Low, 0.0, 25 * 7),
        ],
    );
}

/// Marketplace Data Center and server apps: 12 weeks for critical to medium, 25 for low.
#[test]
fn atlassian_marketplace_dc_preset_matches_its_source() {
    assert_tiers(
        "atlassian-marketplace-dc",
        [
            (Severity::Critical, 9.0, 12 * 7),
            (Severity::High, 7.0, 12 * 7),
            (Severity::Medium, 4.0, 12 * 7),
            (Severity::Low, 0.0, 25 * 7),
        ],
    );
}

/// PCI DSS 4.0 6.3.3: critical within one month of release; the rest as the file states.
#[test]
fn pci_dss_4_preset_matches_its_source() {
    assert_tiers(
        "pci-dss-4",
        [
            (Severity::Critical, 9.0, 30),
            (Severity::High, 7.0, 90),
            (Severity::Medium, 4.0, 90),
            (Severity::Low, 0.0, 180),
        ],
    );
}

/// BOD 19-02 for what the catalog does not list (critical 15, high 30), the catalog's own date for
/// what it does, and no scan without the catalog.
#[test]
fn cisa_kev_preset_matches_its_source() {
    assert_tiers(
        "cisa-kev",
        [
            (Severity::Critical, 9.0, 15),
            (Severity::High, 7.0, 30),
            (Severity::Medium, 4.0, 90),
            (Severity::Low, 0.0, 180),
        ],
    );
    let policy = preset("cisa-kev");
    assert_eq!(policy.kev_due, KevDue::Catalog);
    assert!(policy.kev_required);
}

/// FedRAMP: high 30, moderate 90, low 180; no critical tier, so critical counts as high.
#[test]
fn fedramp_preset_matches_its_source() {
    let policy = preset("fedramp");
    let vulnerability = kind("vulnerability");
    assert_eq!(
        policy.severity(vulnerability, Some(9.8), &[]),
        Severity::High
    );
    let start = d("2027-01-01");
    assert_eq!(policy.due(start, Severity::Critical), d("2027-01-31"));
    assert_eq!(policy.due(start, Severity::High), d("2027-01-31"));
    assert_eq!(policy.due(start, Severity::Medium), d("2027-04-01"));
    assert_eq!(policy.due(start, Severity::Low), d("2027-06-30"));
}

#[test]
fn every_preset_names_its_source_and_date() {
    for (name, text) in PRESETS {
        assert!(
            text.contains("(read 2026-") || text.contains("Last updated"),
            "{name}: no date for its source"
        );
        assert!(preset(name).url.is_some(), "{name}: no url");
    }
}

#[test]
fn malicious_advisories_are_due_the_day_they_are_found_under_every_preset() {
    let vulnerability = kind("vulnerability");
    let malicious = ["malicious".to_owned()];
    let start = d("2027-03-10");
    for (name, _) in PRESETS {
        let policy = preset(name);
        let severity = policy.severity(vulnerability, None, &malicious);
        assert_eq!(
            policy.due_for(start, severity, vulnerability, &malicious),
            start,
            "{name}"
        );
        // Other categories keep their tier's days.
        let other = ["denial-of-service".to_owned()];
        assert!(policy.due_for(start, Severity::Medium, vulnerability, &other) > start);
    }
}

#[test]
fn time_frames_per_kind_replace_the_tiers_days() {
    let text = format!(
        "{}\n[time-frames]\nunmaintained = 365\nsecret = 1\n",
        PRESETS[0].1
    );
    let policy = Policy::parse(&text, Path::new("team.toml"), &checks::kinds()).unwrap();
    let start = d("2027-01-01");
    assert_eq!(
        policy.due_for(start, Severity::Low, kind("unmaintained"), &[]),
        d("2028-01-01")
    );
    assert_eq!(
        policy.due_for(start, Severity::Critical, kind("secret"), &[]),
        d("2027-01-02")
    );
    // Kinds the table does not name keep the tiers.
    assert_eq!(
        policy.due_for(start, Severity::High, kind("vulnerability"), &[]),
        d("2027-01-29")
    );
}

#[test]
fn time_frames_name_real_kinds_and_at_least_one_day() {
    let parse = |extra: &str| {
        Policy::parse(
            &format!("{}\n[time-frames]\n{extra}\n", PRESETS[0].1),
            Path::new("team.toml"),
            &checks::kinds(),
        )
        .unwrap_err()
        .to_string()
    };
    let err = parse("unmaintaned = 365");
    assert!(
        err.contains("unknown key `unmaintaned`; did you mean `unmaintained`?"),
        "{err}"
    );
    assert!(err.starts_with("team.toml:"), "{err}");
    let err = parse("secret = 0");
    assert!(err.contains("`secret` must be at least 1 day"), "{err}");
    let err = Policy::parse(
        &PRESETS[0]
            .1
            .replace("kev-due = \"earlier\"", "kev-due = \"later\""),
        Path::new("team.toml"),
        &checks::kinds(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`kev-due` is `later`"), "{err}");
}
