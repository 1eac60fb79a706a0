//! The secrets check through the real binary: what reports show (never the secret), how trees
//! without a lockfile, suppressions, allowlists, test code and large files are handled, and
//! `explain`.

mod common;

use common::{json, run};

use assert_cmd::Command;
use cargo_warden::secrets::{SecretSettings, SecretsPass};
use cargo_warden::source;
use std::path::Path;

const TODAY: &str = "2026-11-22";

fn warden(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
    cmd.env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .current_dir(common::repo());
    cmd
}

/// A project with one Rust secret, one in a test, one suppressed and one in a `.env`.
fn project(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        // warden:allow(secret): fake credentials for the scan under test.
        r#"const API_TOKEN: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn main() {
    let token = std::env::var("API_TOKEN").unwrap();
    // warden:allow(secret)
    let legacy = "ghp_Zk3v9QmR2xT7bL0pW5yN8cF1dH4jS6gA2eUo";
    println!("{token}{legacy}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn login() {
        let password = "Tr0ub4dor&3x";
        assert!(!password.is_empty());
    }
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join(".env"),
        // warden:allow(secret)
        "DATABASE_URL=postgres://app:s3cr3t-Pa55w0rd@db.internal/app\nAPI_URL=https://api.example.com\n",
    )
    .unwrap();
}

#[test]
fn a_tree_without_a_lockfile_is_scanned_for_secrets_and_findings_carry_no_secret() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let out = run(warden(home.path()).arg("scan").arg(dir.path()).args([
        "--offline",
        "--format",
        "json",
        "--fail-on",
        "high",
    ]));
    assert_eq!(
        out.code, 1,
        "a critical secret fails `--fail-on high`: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    let found: Vec<(String, u64, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                ".env".into(),
                1,
                "url-embedded-password".into(),
                "critical".into()
            ),
            (
                "src/main.rs".into(),
                1,
                "hardcoded-secret".into(),
                "critical".into()
            ),
            // In a #[test]: reported, at the default test severity.
            (
                "src/main.rs".into(),
                14,
                "hardcoded-password".into(),
                "low".into()
            ),
        ]
    );
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["code"] == "no-lockfile"),
        "{warnings:?}"
    );
    for secret in [
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "s3cr3t-Pa55w0rd",
        "Tr0ub4dor&3x",
    ] {
        assert!(
            !out.stdout.contains(secret),
            "{secret} leaked into the JSON report"
        );
    }
    let first = &report["findings"][1];
    assert_eq!(first["secret"]["redacted"], "9f8e… (32 chars)");
    assert_eq!(first["secret"]["context"], "bound to `API_TOKEN`");
    assert_eq!(first["cwe"], serde_json::json!(["CWE-798"]));

    // The advisories check alone has nothing to read.
    let only = run(warden(home.path()).arg("scan").arg(dir.path()).args([
        "--offline",
        "--checks",
        "advisories",
    ]));
    assert_eq!(only.code, 2);
    assert!(
        only.stderr.contains("no Cargo.lock found"),
        "{}",
        only.stderr
    );
}

#[test]
fn no_report_format_ever_shows_a_secret_in_full() {
    let root = common::fixture("secrets/corpus");
    let pass = SecretsPass::new(SecretSettings::default()).unwrap();
    let mut hits = Vec::new();
    for entry in ignore::WalkBuilder::new(&root)
        .hidden(false)
        .build()
        .flatten()
    {
        let path = entry.path();
        let (Some(kind), Ok(text)) = (source::classify(path), std::fs::read_to_string(path)) else {
            continue;
        };
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy();
        let (_, found) = source::read_text(kind, &text, &relative, "", |file| pass.hits(file));
        hits.extend(found);
    }
    let secrets: Vec<&str> = hits
        .iter()
        .map(|hit| hit.secret.as_str())
        .filter(|secret| secret.chars().count() >= 8)
        .collect();
    assert!(secrets.len() > 100);
    let home = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(warden(home.path())
        .arg("scan")
        .arg(&root)
        .args([
            "--checks",
            "secrets",
            "--fail-on",
            "never",
            "--format",
            "human",
        ])
        .arg("--output")
        .arg(format!("json={}", out_dir.path().join("r.json").display()))
        .arg("--output")
        .arg(format!(
            "sarif={}",
            out_dir.path().join("r.sarif").display()
        ))
        .arg("--output")
        .arg(format!("github={}", out_dir.path().join("r.gh").display()))
        .arg("--output")
        .arg(format!(
            "markdown={}",
            out_dir.path().join("r.md").display()
        )));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let outputs = [
        ("human", out.stdout.clone()),
        (
            "json",
            std::fs::read_to_string(out_dir.path().join("r.json")).unwrap(),
        ),
        (
            "sarif",
            std::fs::read_to_string(out_dir.path().join("r.sarif")).unwrap(),
        ),
        (
            "github",
            std::fs::read_to_string(out_dir.path().join("r.gh")).unwrap(),
        ),
        (
            "markdown",
            std::fs::read_to_string(out_dir.path().join("r.md")).unwrap(),
        ),
    ];
    for (format, text) in &outputs {
        // JSON escapes some characters; compare against the escaped form too.
        for secret in &secrets {
            let escaped = serde_json::to_string(secret).unwrap();
            let escaped = &escaped[1..escaped.len() - 1];
            assert!(
                !text.contains(secret) && !text.contains(escaped),
                "the {format} report shows a secret in full ({}…)",
                &secret[..4]
            );
        }
    }
}

#[test]
fn suppressions_allowlists_test_severity_and_size_limit_come_from_warden_toml() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    std::fs::write(
        dir.path().join("big.env"),
        format!("TOKEN={}\n", "a".repeat(1000)),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("warden.toml"),
        r#"[secrets]
max-file-size = "1 kB"
test-severity = "same"

[[secrets.allow]]
paths = [".env"]
reason = "local development database"
"#,
    )
    .unwrap();
    let out = run(warden(home.path())
        .arg("scan")
        .arg(dir.path())
        .args(["--checks", "secrets", "--format", "json"]));
    let report = json(&out.stdout);
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // .env is allowed; big.env is over the limit; src/main.rs keeps the test secret's own
    // severity.
    assert_eq!(
        found,
        [
            ("hardcoded-secret".to_owned(), "critical".to_owned()),
            ("hardcoded-password".to_owned(), "critical".to_owned()),
        ]
    );
    let skipped: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "skipped-large-file")
        .map(|w| w["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["big.env"]);
    assert_eq!(report["sources"]["skipped_large"], 1);

    // An allowlist by value: the database password goes, the rest stays.
    std::fs::write(
        dir.path().join("warden.toml"),
        "[[secrets.allow]]\nvalues = ['^s3cr3t-']\nreason = \"dev only\"\n",
    )
    .unwrap();
    let out = run(warden(home.path())
        .arg("scan")
        .arg(dir.path())
        .args(["--checks", "secrets", "--format", "json"]));
    let report = json(&out.stdout);
    let rules: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("hardcoded-secret", "critical"),
            ("hardcoded-password", "low")
        ]
    );
}

#[test]
fn a_bad_secrets_section_names_the_line_and_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    for (config, expected) in [
        (
            "[secrets]\nmax-files-size = 10\n",
            "warden.toml:2:1: unknown key `max-files-size`; did you mean `max-file-size`?",
        ),
        (
            "[[secrets.allow]]\npaths = [\"[\"]\nreason = \"x\"\n",
            "warden.toml:2:10: invalid glob `[`",
        ),
        (
            "[secrets]\ntest-severity = \"lowest\"\n",
            "warden.toml:2:17: unknown test-severity `lowest`",
        ),
        (
            "[[secrets.allow]]\nreason = \"everything\"\n",
            "this allow entry matches every secret",
        ),
    ] {
        std::fs::write(dir.path().join("warden.toml"), config).unwrap();
        let out = run(warden(home.path())
            .arg("scan")
            .arg(dir.path())
            .args(["--checks", "secrets"]));
        assert_eq!(out.code, 2, "{config}");
        assert!(out.stderr.contains(expected), "{config}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn explain_prints_the_rule_entry_and_suggests_near_misses() {
    let home = tempfile::tempdir().unwrap();
    let out = run(warden(home.path()).args(["explain", "github-token"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("# github-token: GitHub token"));
    assert!(out.stdout.contains("## Remediation"));
    assert!(out.stdout.contains("CWE-798"));

    let out = run(warden(home.path()).args(["explain", "github-tokn"]));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.trim(),
        "error: no rule `github-tokn`; did you mean `github-token`? run `cargo warden rules` to list them"
    );

    let out = run(warden(home.path()).arg("rules"));
    assert_eq!(out.code, 0);
    assert!(out
        .stdout
        .lines()
        .any(|l| l.starts_with("hardcoded-password") && l.contains("CWE-259")));
}
