//! The real binary, end to end: reports, exit codes, output files and every kind of bad input.
//!
//! Each test runs with an empty CARGO_HOME so `cargo metadata --offline` behaves the same on every
//! machine (the demo's crates are never downloaded there) and the default database is absent, and
//! with "today" pinned to 2026-11-22 through WARDEN_TODAY.

mod common;

use common::{json, run};

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-22";

struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn warden(&self) -> Command {
        let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
        cmd.env("CARGO_HOME", self.home.path())
            .env("CARGO_NET_OFFLINE", "true")
            .env("WARDEN_TODAY", TODAY)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .current_dir(common::repo());
        cmd
    }

    /// `scan` of a fixture with the bundled database and the `published` clock, whose dates do
    /// not depend on this checkout's git history.
    fn scan(&self, path: impl AsRef<Path>) -> Command {
        let mut cmd = self.warden();
        // Relative to the repository (the working directory), so reports read the same wherever
        // the checkout is.
        cmd.arg("scan").arg(path.as_ref()).args([
            "--db",
            "fixtures/advisory-db",
            "--clock",
            "published",
        ]);
        cmd
    }
}

/// Cargo's own wording of why `cargo metadata` failed varies between cargo versions, and where
/// the demo's adoption date comes from depends on whether the checkout has git history; the rest
/// of the report must not vary.
fn assert_stable_snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![
        (r"cargo metadata --locked(?: --offline)? failed \([^)]*\)", "cargo metadata --locked failed ([reason])"),
        (r#""since_source": "[a-z-]+""#, r#""since_source": "[source]""#),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

// --- reports -------------------------------------------------------------------------------

#[test]
fn demo_human_report() {
    let env = Env::new();
    let out = run(env.scan("fixtures/demo").args(["--color", "never"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Warnings go to stderr, in every format; the report on stdout is findings only.
    assert!(
        out.stderr.lines().all(|l| l.starts_with("warning: ")),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("warning:"), "{}", out.stdout);
    assert_stable_snapshot("demo_human", &out.stdout);
}

#[test]
fn demo_json_report() {
    let env = Env::new();
    let out = run(env.scan("fixtures/demo").args(["--format", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_stable_snapshot("demo_json", &out.stdout);
}

#[test]
fn json_report_keeps_the_contract_field_names() {
    let env = Env::new();
    let out = run(env.scan("fixtures/demo").args(["--format", "json"]));
    let report = json(&out.stdout);
    assert_eq!(report["version"], 1);
    assert_eq!(report["today"], TODAY);
    assert_eq!(report["policy"]["name"], "atlassian-cloud");
    assert_eq!(report["policy"]["clock"], "published");
    assert_eq!(report["policy"]["tiers"][0]["days"], 10);
    assert_eq!(report["tool"]["name"], "cargo-warden");
    assert!(report["tool"]["version"].is_string());
    assert_eq!(report["gate"]["passed"], false);
    assert!(report["warnings"].is_array());
    let findings = report["findings"].as_array().unwrap();
    // Six advisory findings, the demo's two hard-coded secrets and its four code findings, all
    // with the same fields.
    assert_eq!(findings.len(), 12);
    assert_eq!(
        report["checks"],
        serde_json::json!(["advisories", "secrets", "code", "supply-chain"])
    );
    let inventory = report["unsafe_inventory"].as_array().unwrap();
    assert_eq!(inventory.len(), 2, "{inventory:?}");
    assert_eq!(inventory[0]["package"], "demo-app");
    assert_eq!(inventory[0]["unsafe_blocks"], 1);
    assert_eq!(inventory[1]["forbids_unsafe_code"], true);
    for finding in findings {
        for key in [
            "kind",
            "rule",
            "title",
            "severity",
            "file",
            "line",
            "column",
            "package",
            "aliases",
            "status",
            "cvss",
            "clock_start",
            "clock_source",
            "due",
            "days_left",
            "fingerprint",
        ] {
            assert!(
                finding.get(key).is_some(),
                "finding lacks `{key}`: {finding}"
            );
        }
        assert!(finding["line"].as_u64().unwrap() >= 1);
        assert!(finding["column"].as_u64().unwrap() >= 1);
    }
    let smallvec = findings
        .iter()
        .find(|f| f["rule"] == "RUSTSEC-2019-0009")
        .unwrap();
    assert_eq!(smallvec["kind"], "vulnerability");
    assert_eq!(smallvec["severity"], "critical");
    assert_eq!(smallvec["file"], "Cargo.lock");
    assert_eq!(smallvec["package"]["name"], "smallvec");
    assert_eq!(smallvec["package"]["version"], "0.6.9");
    // Published 2019-06-06, critical: 10 days, so due 2019-06-16 and long overdue.
    assert_eq!(smallvec["status"], "overdue");
    assert_eq!(smallvec["clock_start"], "2019-06-06");
    assert_eq!(smallvec["clock_source"], "published");
    assert_eq!(smallvec["due"], "2019-06-16");
    assert_eq!(smallvec["days_left"], -2716);
    assert_eq!(smallvec["fails_gate"], serde_json::json!(["overdue"]));
    assert_eq!(smallvec["cvss"]["score"], 9.8);
    assert_eq!(smallvec["fingerprint"].as_str().unwrap().len(), 32);
    assert_eq!(
        smallvec["aliases"],
        serde_json::json!(["CVE-2019-15551", "GHSA-mm7v-vpv8-xfc3"])
    );
    let atty = findings
        .iter()
        .find(|f| f["rule"] == "RUSTSEC-2024-0375")
        .unwrap();
    assert_eq!(atty["status"], "ignored");
}

#[test]
fn works_as_a_cargo_subcommand() {
    let env = Env::new();
    let direct = run(env.scan("fixtures/demo").args(["--format", "json"]));
    // What cargo passes on: the subcommand name first.
    let as_cargo_would = run(env
        .warden()
        .args(["warden", "scan", "fixtures/demo", "--format", "json"])
        .args(["--db", "fixtures/advisory-db", "--clock", "published"]));
    assert_eq!(as_cargo_would.code, 1);
    assert!(as_cargo_would.stdout == direct.stdout);

    // And through cargo itself, which finds `cargo-warden` on PATH.
    let binary = assert_cmd::cargo::cargo_bin("cargo-warden");
    let mut path = vec![binary.parent().unwrap().to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.env("PATH", std::env::join_paths(path).unwrap())
        .env("CARGO_HOME", env.home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", TODAY)
        .current_dir(common::repo())
        .args(["warden", "scan", "fixtures/demo", "--format", "json"])
        .args(["--db", "fixtures/advisory-db", "--clock", "published"]);
    let via_cargo = run(&mut cmd);
    assert_eq!(via_cargo.code, 1, "{}", via_cargo.stderr);
    let a = json(&via_cargo.stdout);
    let b = json(&direct.stdout);
    assert_eq!(a["findings"], b["findings"]);
    assert_eq!(a["gate"], b["gate"]);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let env = Env::new();
    let one = run(env
        .scan("fixtures")
        .args(["--format", "json"])
        .env("RAYON_NUM_THREADS", "1"));
    let many = run(env
        .scan("fixtures")
        .args(["--format", "json"])
        .env("RAYON_NUM_THREADS", "8"));
    assert_eq!(one.code, many.code);
    assert!(
        one.stdout == many.stdout,
        "reports differ between 1 and 8 threads"
    );
    // Every fixture workspace was found: demo, edge cases, the secrets corpora's; the four
    // formats are not named Cargo.lock and so are not picked up by a directory walk.
    let lockfiles: Vec<String> = json(&one.stdout)["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["lockfile"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        lockfiles,
        [
            "code/clippy-agreement/Cargo.lock",
            "demo/Cargo.lock",
            "edge-cases/Cargo.lock",
            "new-since/Cargo.lock",
            "path-only/ws/Cargo.lock",
            "sbom/sources/Cargo.lock",
            "sbom/spellings/a/Cargo.lock",
            "sbom/spellings/b/Cargo.lock",
            "secrets/corpus/Cargo.lock",
            "secrets/holdout/shipyard/Cargo.lock",
            "supply-chain/app/Cargo.lock"
        ]
    );
}

#[test]
fn output_files_match_stdout_and_carry_no_colour() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let json_file = dir.path().join("report.json");
    let human_file = dir.path().join("report.txt");
    let out = run(env
        .scan("fixtures/demo")
        .args(["--format", "json", "--color", "always"])
        .arg(format!("--output=json={}", json_file.display()))
        .arg("--output")
        .arg(format!("human={}", human_file.display())));
    assert_eq!(out.code, 1);
    assert_eq!(std::fs::read_to_string(&json_file).unwrap(), out.stdout);
    let human = std::fs::read_to_string(&human_file).unwrap();
    assert!(human.contains("RUSTSEC-2019-0009"));
    assert!(!human.contains('\u{1b}'), "files never get colour");
    // Nothing but the two reports was left behind (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let env = Env::new();
    let always = run(env.scan("fixtures/demo").args(["--color", "always"]));
    assert!(always.stdout.contains('\u{1b}'));
    let never = run(env.scan("fixtures/demo").args(["--color", "never"]));
    assert!(!never.stdout.contains('\u{1b}'));
    let no_color = run(env
        .scan("fixtures/demo")
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1"));
    assert!(!no_color.stdout.contains('\u{1b}'));
    assert_eq!(no_color.stdout, never.stdout);
}

// --- the gate -------------------------------------------------------------------------------

#[test]
fn fail_on_chooses_the_gate() {
    let env = Env::new();
    let code = |args: &[&str]| run(env.scan("fixtures/demo").args(args)).code;
    assert_eq!(code(&[]), 1, "default: overdue findings");
    assert_eq!(code(&["--fail-on", "never"]), 0);
    assert_eq!(code(&["--fail-on", "critical"]), 1);
    assert_eq!(code(&["--fail-on", "never,any"]), 0, "never overrides");
    // The edge cases hold only a notice and medium unscored vulnerabilities plus one critical.
    let edge = |args: &[&str]| run(env.scan("fixtures/edge-cases/Cargo.lock").args(args)).code;
    assert_eq!(edge(&["--fail-on", "high"]), 1);
    let no_vulns = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("path-only"), no_vulns.path());
    let clean = run(env
        .scan(no_vulns.path().join("ws"))
        .args(["--fail-on", "any"]));
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("gate passed"), "{}", clean.stdout);
}

#[test]
fn ignores_accept_findings_until_they_lapse() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("accepted.toml");
    std::fs::write(
        &config,
        r#"
[[ignore]]
id = "RUSTSEC-2019-0009"
reason = "grow() is never called with a spilled vector"
until = 2026-12-31
package = "smallvec@0.6.9"

[[ignore]]
id = "CVE-2020-26235"   # an alias works too
reason = "no threads modify the environment"
until = "2026-11-01"

[[ignore]]
id = "RUSTSEC-2020-0159"
reason = "same as above"

[[ignore]]
id = "RUSTSEC-2000-0001"
reason = "stale"
until = 2027-01-01

[[ignore]]
id = "RUSTSEC-2024-0320"
reason = "wrong package"
package = "serde_yaml"
"#,
    )
    .unwrap();
    let out = run(env
        .scan("fixtures/demo")
        .args(["--checks", "advisories"])
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "--fail-on", "high"]));
    let report = json(&out.stdout);
    let finding = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap()
            .clone()
    };
    let smallvec = finding("RUSTSEC-2019-0009");
    assert_eq!(smallvec["status"], "ignored");
    assert_eq!(
        smallvec["ignore_reason"],
        "grow() is never called with a spilled vector"
    );
    assert_eq!(smallvec["fails_gate"], serde_json::json!([]));
    // Lapsed on 2026-11-01: active again, and time's medium tier does not breach `high`.
    assert_eq!(finding("RUSTSEC-2020-0071")["status"], "overdue");
    assert_eq!(finding("RUSTSEC-2020-0159")["status"], "ignored");
    // Scoped to another package: does not apply.
    assert_eq!(finding("RUSTSEC-2024-0320")["status"], "overdue");
    assert_eq!(out.code, 0, "nothing high is active: {}", out.stderr);
    assert_eq!(report["gate"]["passed"], true);

    let warnings: Vec<(String, String)> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] != "lockfile-graph")
        .map(|w| {
            (
                w["code"].as_str().unwrap().to_owned(),
                w["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let codes: Vec<&str> = warnings.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "expired-ignore",
            "permanent-ignore",
            "unused-ignore",
            "unused-ignore"
        ],
        "{warnings:?}"
    );
    assert!(
        warnings[0]
            .1
            .contains("CVE-2020-26235 (line 9) expired on 2026-11-01"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].1.contains("RUSTSEC-2020-0159 (line 14)"),
        "{warnings:?}"
    );

    // Without the `high` override the default gate (overdue) fails on the lapsed exception.
    let strict = run(env.scan("fixtures/demo").arg("--config").arg(&config));
    assert_eq!(strict.code, 1);
    assert!(strict.stdout.contains("gate failed"), "{}", strict.stdout);
    assert!(
        strict.stdout.contains("RUSTSEC-2020-0071 time 0.1.43: medium, OVERDUE by 2111 days (due 2021-02-10); breaches overdue"),
        "{}",
        strict.stdout
    );
}

// --- discovery ------------------------------------------------------------------------------

#[test]
fn directory_scan_finds_every_lockfile_but_target_and_gitignored_ones() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["a", "nested/b", "target/debug", "vendored"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
        std::fs::copy(
            common::fixture("lockfile-versions/v4.lock"),
            root.join(sub).join("Cargo.lock"),
        )
        .unwrap();
    }
    std::fs::write(root.join(".gitignore"), "vendored/\n").unwrap();
    let out = run(env.scan(root).args(["--format", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out.stdout);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a/Cargo.lock", "nested/b/Cargo.lock"]);
}

// --- bad input ------------------------------------------------------------------------------

/// Runs a scan that must fail with exit 2 and one line on stderr that names `names`, and must
/// leave no report file behind.
fn assert_error(mut cmd: Command, names: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = run(cmd.arg(format!("--output=json={}", report.display())));
    assert_eq!(
        out.code, 2,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    assert_eq!(out.stdout, "");
    let line = out.stderr.trim_end();
    assert!(!line.contains('\n'), "one line, got: {line}");
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(names), "`{line}` should name {names}");
    assert!(!line.contains("panicked"), "{line}");
    assert!(!report.exists(), "no report on error");
    line.to_owned()
}

fn workspace_with_lockfile(contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let lockfile = dir.path().join("Cargo.lock");
    std::fs::write(&lockfile, contents).unwrap();
    (dir, lockfile)
}

#[test]
fn truncated_lockfile_is_an_error_naming_it() {
    let env = Env::new();
    let full = std::fs::read(common::fixture("demo/Cargo.lock")).unwrap();
    let (_dir, lockfile) = workspace_with_lockfile(&full[..full.len() / 2]);
    let line = assert_error(env.scan(&lockfile), &lockfile.display().to_string());
    assert!(line.contains("invalid Cargo.lock"), "{line}");
}

#[test]
fn binary_lockfile_is_an_error_naming_it() {
    let env = Env::new();
    let (_dir, lockfile) = workspace_with_lockfile(b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe");
    let line = assert_error(env.scan(&lockfile), &lockfile.display().to_string());
    assert!(line.contains("not a text file"), "{line}");
}

#[test]
fn unknown_lockfile_version_is_an_error_naming_it() {
    let env = Env::new();
    let (_dir, lockfile) =
        workspace_with_lockfile(b"version = 5\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n");
    let line = assert_error(env.scan(&lockfile), &lockfile.display().to_string());
    assert!(line.contains("unsupported Cargo.lock version 5"), "{line}");
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let env = Env::new();
    let line = assert_error(
        env.scan("fixtures/no-such-workspace"),
        "fixtures/no-such-workspace",
    );
    assert!(line.contains("no such file or directory"), "{line}");
}

#[cfg(unix)]
#[test]
fn unreadable_lockfile_is_an_error_naming_it() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let lockfile = dir.path().join("Cargo.lock");
    std::os::unix::fs::symlink(dir.path().join("gone.lock"), &lockfile).unwrap();
    let line = assert_error(env.scan(dir.path()), &lockfile.display().to_string());
    assert!(
        line.contains("a symbolic link to a file that does not exist"),
        "{line}"
    );
}

#[test]
fn missing_database_is_an_error_saying_how_to_get_one() {
    let env = Env::new();
    let mut cmd = env.warden();
    cmd.args(["scan", "fixtures/demo", "--offline"]);
    let default_db = env.home.path().join("advisory-db");
    let line = assert_error(cmd, &default_db.display().to_string());
    assert!(line.contains("run `cargo warden fetch --db"), "{line}");
}

#[test]
fn bad_config_is_an_error_with_line_and_hint() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("warden.toml");
    std::fs::write(
        &config,
        "[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreson = \"typo\"\n",
    )
    .unwrap();
    let mut cmd = env.scan("fixtures/demo");
    cmd.arg("--config").arg(&config);
    let line = assert_error(cmd, &format!("{}:3:1", config.display()));
    assert!(
        line.ends_with("unknown key `reson`; did you mean `reason`?"),
        "{line}"
    );
}

#[test]
fn malformed_advisory_is_a_warning_and_the_scan_goes_on() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    common::copy_dir(&common::fixture("advisory-db"), &db);
    let broken = db.join("crates/smallvec/RUSTSEC-2099-0005.md");
    std::fs::write(
        &broken,
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0005\"\npackage = \n```\n# x\n",
    )
    .unwrap();
    let out = run(env
        .warden()
        .args([
            "scan",
            "fixtures/demo",
            "--checks",
            "advisories",
            "--clock",
            "published",
            "--format",
            "json",
            "--db",
        ])
        .arg(&db));
    assert_eq!(
        out.code, 1,
        "the gate still fails on the real findings: {}",
        out.stderr
    );
    let report = json(&out.stdout);
    let warnings = report["warnings"].as_array().unwrap();
    let malformed: Vec<_> = warnings
        .iter()
        .filter(|w| w["code"] == "malformed-advisory")
        .collect();
    assert_eq!(malformed.len(), 1, "{warnings:?}");
    assert_eq!(malformed[0]["file"], broken.display().to_string());
    assert!(malformed[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("skipped advisory: "));
    assert_eq!(report["findings"].as_array().unwrap().len(), 6);

    let human = run(env
        .warden()
        .args([
            "scan",
            "fixtures/demo",
            "--clock",
            "published",
            "--color",
            "never",
            "--db",
        ])
        .arg(&db));
    assert!(human
        .stderr
        .lines()
        .any(|l| l.starts_with("warning: ") && l.contains("RUSTSEC-2099-0005.md")));
}

#[test]
fn unknown_check_or_format_is_a_usage_error() {
    let env = Env::new();
    assert_eq!(
        run(env.scan("fixtures/demo").args(["--checks", "secretz"])).code,
        2
    );
    let out = run(env.scan("fixtures/demo").args(["--output", "yaml=x.yaml"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown format `yaml`"),
        "{}",
        out.stderr
    );
    assert!(!common::repo().join("x.yaml").exists());
    assert_eq!(run(env.warden().arg("--help")).code, 0);
}

#[test]
fn unwritable_output_is_an_error_and_leaves_nothing() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("missing-dir/report.json");
    let out = run(env
        .scan("fixtures/demo")
        .arg(format!("--output=json={}", report.display())));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("error: ") && l.contains("report.json")),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stdout, "",
        "no report on stdout when a requested file failed"
    );
}

/// With `--offline` and locked registry crates missing from the cargo home, `cargo metadata` could
/// only fail: it is not run at all, and the warning names a missing crate. Without `--offline`,
/// or offline with every crate downloaded, it still runs.
#[test]
fn offline_scan_does_not_wait_for_cargo_metadata_when_crates_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let marker = dir.path().join("cargo-ran");
    let fake = bin.join("cargo");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.path().join("cargo-home");
    std::fs::create_dir(&home).unwrap();
    let scan = |offline: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("cargo-warden").unwrap();
        cmd.env("PATH", &path)
            .env("CARGO_HOME", &home)
            .env("WARDEN_TODAY", "2026-11-22")
            .args(["scan", "--checks", "advisories", "--format", "json", "--db"])
            .arg(common::fixture("advisory-db"))
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .arg(common::fixture("demo"));
        if offline {
            cmd.arg("--offline");
        }
        common::run(&mut cmd)
    };
    let out = scan(true);
    assert!(!marker.exists(), "cargo ran offline with crates missing");
    let report = common::json(&out.stdout);
    let warning = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "lockfile-graph")
        .expect("a lockfile-graph warning");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("not downloaded") && message.contains("atty 0.2.14"),
        "{message}"
    );
    // A source replacement in the cargo home's config, written with dotted keys: crates may be
    // elsewhere, so cargo is asked.
    std::fs::write(
        home.join("config.toml"),
        "source.crates-io.replace-with = \"vendored\"\n",
    )
    .unwrap();
    scan(true);
    assert!(
        marker.exists(),
        "cargo metadata runs offline under a source replacement"
    );
    std::fs::remove_file(home.join("config.toml")).unwrap();
    std::fs::remove_file(&marker).unwrap();

    scan(false);
    assert!(marker.exists(), "cargo metadata runs when it may fetch");

    // Every registry crate downloaded: offline, cargo can answer, so it is asked.
    std::fs::remove_file(&marker).unwrap();
    let cache = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&cache).unwrap();
    let lock = std::fs::read_to_string(common::fixture("demo/Cargo.lock")).unwrap();
    let lock: toml::Table = toml::from_str(&lock).unwrap();
    for package in lock["package"].as_array().unwrap() {
        if package.get("source").is_some() {
            let name = format!(
                "{}-{}.crate",
                package["name"].as_str().unwrap(),
                package["version"].as_str().unwrap()
            );
            std::fs::write(cache.join(name), b"").unwrap();
        }
    }
    scan(true);
    assert!(
        marker.exists(),
        "cargo metadata runs offline when every crate is there"
    );
}
