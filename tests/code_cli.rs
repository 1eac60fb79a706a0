//! The code check through the real binary: findings and their positions, test code, suppression
//! and `[code]` settings in warden.toml, the unsafe inventory, and `explain`.

mod common;

use common::{json, run};

use assert_cmd::Command;
use std::path::Path;

const TODAY: &str = "2026-11-22";

fn warden(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
    cmd.env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .env("NO_COLOR", "1");
    cmd
}

const LIB: &str = r#"use std::mem;
use std::process::Command;

pub fn bits(f: f32) -> u32 {
    unsafe { mem::transmute(f) }
}

pub fn documented(f: f32) -> u32 {
    // SAFETY: f32 and u32 have the same size and every bit pattern is a valid u32
    unsafe { mem::transmute(f) }
}

pub fn run(script: &str) {
    let _ = Command::new("sh").arg("-c").arg(script).status();
}

// warden:allow(static-mut)
static mut ACCEPTED: u32 = 0;
static mut COUNTER: u32 = 0;

#[cfg(test)]
mod tests {
    #[test]
    fn reads() {
        let v = vec![1u8];
        assert_eq!(unsafe { *v.get_unchecked(0) }, 1);
    }
}
"#;

fn project(dir: &Path, config: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB).unwrap();
    if !config.is_empty() {
        std::fs::write(dir.join("warden.toml"), config).unwrap();
    }
}

fn findings(report: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn code_findings_point_at_the_call_and_test_code_is_low() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "");
    let out = run(warden(home.path())
        .args([
            "scan",
            "--checks",
            "code",
            "--format",
            "json",
            "--fail-on",
            "high",
        ])
        .arg(dir.path()));
    assert_eq!(
        out.code, 1,
        "a high finding fails --fail-on high: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    let got = findings(&report);
    let expected = [
        ("undocumented-unsafe", 5, 5, "low"),
        ("unsafe-transmute", 5, 14, "medium"),
        ("command-injection", 14, 13, "high"),
        ("static-mut", 19, 1, "medium"),
        ("undocumented-unsafe", 26, 20, "low"),
        ("unchecked-access", 26, 32, "low"),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort_by_key(|f| (f.1, f.2));
    let expected: Vec<(String, u64, u64, String)> = expected
        .iter()
        .map(|(r, l, c, s)| (r.to_string(), *l, *c, s.to_string()))
        .collect();
    assert_eq!(got_sorted, expected);
    // Weaknesses get a due date; inventory rules (an unsafe block without a SAFETY comment, a
    // transmute, a mutable static, unchecked indexing) are audit findings without one.
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(finding["kind"], "code");
        assert!(finding["fingerprint"].is_string());
        if finding["rule"] == "command-injection" {
            assert!(finding["due"].is_string(), "{finding}");
            assert_eq!(finding["status"], "on-track");
        } else {
            assert!(finding["due"].is_null(), "{finding}");
            assert!(finding["clock_start"].is_null(), "{finding}");
            assert_eq!(finding["status"], "audit");
            assert_eq!(finding["fails_gate"], serde_json::json!([]));
        }
    }
    let inventory = &report["unsafe_inventory"][0];
    assert_eq!(inventory["package"], "sample");
    // The test module's block is not counted: the inventory is about shipped code.
    assert_eq!(inventory["unsafe_blocks"], 2);
    assert_eq!(inventory["forbids_unsafe_code"], false);
}

#[test]
fn warden_toml_turns_rules_off_and_changes_severity() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        "[code]\ntest-severity = \"same\"\n\n[code.rules.undocumented-unsafe]\nenabled = false\n\n[code.rules.command-injection]\nseverity = \"critical\"\n",
    );
    let out = run(warden(home.path())
        .args([
            "scan",
            "--checks",
            "code",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = findings(&json(&out.stdout));
    assert!(got.iter().all(|f| f.0 != "undocumented-unsafe"), "{got:?}");
    assert!(got.contains(&("command-injection".into(), 14, 13, "critical".into())));
    assert!(got.contains(&("unchecked-access".into(), 26, 32, "medium".into())));
}

#[test]
fn an_unknown_rule_in_warden_toml_is_an_error_with_a_hint() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        "[code.rules.undocumented-unsafe-block]\nenabled = false\n",
    );
    let out = run(warden(home.path())
        .args(["scan", "--checks", "code"])
        .arg(dir.path()));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("warden.toml:1")
            && out.stderr.contains("did you mean `undocumented-unsafe`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_human_report_lists_the_unsafe_inventory_and_explain_documents_rules() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "");
    let out = run(warden(home.path())
        .args(["scan", "--checks", "code"])
        .arg(dir.path()));
    assert_eq!(out.code, 0, "nothing is overdue yet: {}", out.stderr);
    assert!(
        out.stdout
            .contains("unsafe code in sample: 2 blocks in 1 of 1 file"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("for code: 6 findings"),
        "{}",
        out.stdout
    );

    let explain = run(warden(home.path()).args(["explain", "command-injection"]));
    assert_eq!(explain.code, 0);
    for part in ["CWE-78", "## Remediation", "Command::new", "## Not flagged"] {
        assert!(explain.stdout.contains(part), "{part}: {}", explain.stdout);
    }
}

#[test]
fn audit_findings_never_fail_the_gate_unless_settings_promote_their_rule() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Only inventory: unsafe blocks without SAFETY comments.
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"inventory\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/lib.rs"),
        "pub fn first(v: &[u8]) -> u8 {\n    unsafe { *v.as_ptr() }\n}\n",
    )
    .unwrap();
    let scan = |home: &std::path::Path| {
        run(warden(home)
            .args([
                "scan",
                "--checks",
                "code",
                "--format",
                "json",
                "--fail-on",
                "any",
            ])
            .arg(dir.path()))
    };
    let out = scan(home.path());
    assert_eq!(
        out.code, 0,
        "audit findings pass even --fail-on any: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "undocumented-unsafe");
    assert_eq!(finding["status"], "audit");
    assert!(finding["due"].is_null() && finding["days_left"].is_null());

    std::fs::write(
        dir.path().join("warden.toml"),
        "[code.rules.undocumented-unsafe]\nclass = \"weakness\"\n",
    )
    .unwrap();
    let out = scan(home.path());
    assert_eq!(
        out.code, 1,
        "a promoted rule fails the gate: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    let finding = &report["findings"][0];
    assert_eq!(finding["status"], "on-track");
    assert!(finding["due"].is_string());

    std::fs::write(
        dir.path().join("warden.toml"),
        "[code.rules.undocumented-unsafe]\nclass = \"inventory\"\n",
    )
    .unwrap();
    let out = scan(home.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("warden.toml:2:9: unknown class `inventory`; use weakness or audit"),
        "{}",
        out.stderr
    );
}
