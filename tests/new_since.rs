//! `--new-since`: a pull request fails only on what it brings in. Each test commits
//! `fixtures/new-since` (one vulnerable dependency, one hard-coded token) as `main`, branches,
//! and scans the branch against `main`.

mod common;

use serde_json::Value;
use std::path::Path;

const TODAY: &str = "2026-12-05";

/// A pull request's gate, in JSON.
const GATE_ON_NEW: &[&str] = &[
    "--new-since",
    "main",
    "--fail-on",
    "new",
    "--format",
    "json",
];

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    write(dir, file, &text.replacen(from, to, 1));
}

/// `main` holds the fixture; HEAD is a new branch `feature` of it.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("new-since"), dir.path());
    common::git(dir.path(), &["init", "-q", "-b", "main"], None);
    common::git(dir.path(), &["add", "-A"], None);
    common::git(
        dir.path(),
        &["commit", "-q", "-m", "base"],
        Some("2026-11-01"),
    );
    common::git(dir.path(), &["checkout", "-q", "-b", "feature"], None);
    dir
}

fn commit_all(dir: &Path, message: &str) {
    common::git(dir, &["add", "-A"], None);
    common::git(dir, &["commit", "-q", "-m", message], Some("2026-12-01"));
}

/// The change the issue describes: a second vulnerable dependency (time 0.1.43), a second
/// secret (a Slack webhook), and the first secret taken out.
fn introduce_and_fix(dir: &Path) {
    edit(
        dir,
        "Cargo.toml",
        "smallvec = \"0.6.9\"\n",
        "smallvec = \"0.6.9\"\ntime = \"0.1.43\"\n",
    );
    edit(
        dir,
        "Cargo.lock",
        " \"smallvec\",\n]",
        " \"smallvec\",\n \"time\",\n]",
    );
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    write(
        dir,
        "Cargo.lock",
        &format!(
            "{lock}\n[[package]]\nname = \"time\"\nversion = \"0.1.43\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ca8a50ef2360fbd1eeb0ecd46795a87a19024eb4b53c5dc916ca1fd95fe62438\"\n"
        ),
    );
    edit(
        dir,
        "src/lib.rs",
        "const DEPLOY_TOKEN: &str = \"ghp_R8x2mQ7vLk4NtZ9wPj3sHd6YbCf1GuEa0XoV\";",
        "fn deploy_token() -> String {\n    std::env::var(\"DEPLOY_TOKEN\").unwrap_or_default()\n}",
    );
    edit(
        dir,
        "src/lib.rs",
        "format!(\"{name}:{DEPLOY_TOKEN}\")",
        "format!(\"{name}:{}\", deploy_token())",
    );
    write(
        dir,
        "src/notify.rs",
        "//! Posts to the team channel.\n\npub const WEBHOOK: &str = \"https://hooks.slack.com/services/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\";\n",
    );
    commit_all(dir, "feature");
}

/// Edits that move the flagged lines and touch others, but add or remove no finding.
fn unrelated_edits(dir: &Path) {
    edit(
        dir,
        "src/lib.rs",
        "use smallvec::SmallVec;\n",
        "use smallvec::SmallVec;\n\n/// How many targets a deploy takes at most.\npub const MAX_TARGETS: usize = 16;\n",
    );
    edit(
        dir,
        "src/lib.rs",
        "//! A client that talks to the deployment service.",
        "//! A client that talks to the deployment service, one target at a time.",
    );
    edit(
        dir,
        "Cargo.toml",
        "publish = false",
        "publish = false\ndescription = \"deploys\"",
    );
    commit_all(dir, "unrelated");
}

fn scan(dir: &Path, args: &[&str]) -> common::Outcome {
    common::scan_in(dir, TODAY, args)
}

/// `(rule, new)` of every finding, and the rules of `fixed[]`.
fn compared(report: &Value) -> (Vec<(String, bool)>, Vec<String>) {
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let new = f["new"]
                .as_bool()
                .expect("every finding says whether it is new");
            (f["rule"].as_str().unwrap().to_owned(), new)
        })
        .collect();
    let fixed = report["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    (findings, fixed)
}

#[test]
fn the_additions_are_new_and_the_removed_secret_is_fixed() {
    let repo = repository();
    introduce_and_fix(repo.path());
    let out = scan(repo.path(), &["--new-since", "main", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = common::json(&out.stdout);
    let (mut findings, fixed) = compared(&report);
    findings.sort();
    assert_eq!(
        findings,
        [
            ("RUSTSEC-2019-0009".to_owned(), false),
            ("RUSTSEC-2020-0071".to_owned(), true),
            ("slack-webhook-url".to_owned(), true),
        ]
    );
    assert_eq!(fixed, ["github-token"]);
    assert_eq!(report["fixed"][0]["file"], "src/lib.rs");
    assert_eq!(report["new_since"]["reference"], "main");
    assert_eq!(report["new_since"]["commit"].as_str().unwrap().len(), 40);

    // SARIF: the same comparison as baselineState, the fixed one `absent`.
    let out = scan(repo.path(), &["--new-since", "main", "--format", "sarif"]);
    let sarif = common::json(&out.stdout);
    let mut states: Vec<(String, String)> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().unwrap())
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["baselineState"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("RUSTSEC-2019-0009".to_owned(), "unchanged".to_owned()),
            ("RUSTSEC-2020-0071".to_owned(), "new".to_owned()),
            ("github-token".to_owned(), "absent".to_owned()),
            ("slack-webhook-url".to_owned(), "new".to_owned()),
        ]
    );
    if let Some(errors) = common::schema_errors("sarif-schema-2.1.0.json", &sarif) {
        assert!(errors.is_empty(), "{errors:#?}");
    }

    // Markdown and human: new first, then what the change fixed, then the rest.
    let out = scan(
        repo.path(),
        &["--new-since", "main", "--format", "markdown"],
    );
    let new_at = out.stdout.find("### New in this change (2)").unwrap();
    let fixed_at = out.stdout.find("### Fixed here (1)").unwrap();
    let rest_at = out.stdout.find("RUSTSEC-2019-0009").unwrap();
    assert!(new_at < fixed_at && fixed_at < rest_at, "{}", out.stdout);
    let out = scan(repo.path(), &["--new-since", "main"]);
    assert!(out.stdout.contains("== fixed here (1)"), "{}", out.stdout);
    assert!(
        out.stdout.contains("compared with main (merge base "),
        "{}",
        out.stdout
    );

    // Annotations: the new findings' before the fix notice, before the rest.
    let out = scan(repo.path(), &["--new-since", "main", "--format", "github"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let position = |needle: &str| {
        lines
            .iter()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in {}", out.stdout))
    };
    assert!(
        position("title=new%3A RUSTSEC-2020-0071") < position("title=fixed here%3A github-token")
    );
    assert!(
        position("title=new%3A slack-webhook-url") < position("title=fixed here%3A github-token")
    );
}

#[test]
fn fail_on_new_fails_on_what_the_change_brings_in() {
    let repo = repository();
    introduce_and_fix(repo.path());
    let out = scan(repo.path(), GATE_ON_NEW);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = common::json(&out.stdout);
    assert_eq!(report["gate"]["failing"], 2);
    for finding in report["findings"].as_array().unwrap() {
        let fails = !finding["fails_gate"].as_array().unwrap().is_empty();
        assert_eq!(fails, finding["new"] == true, "{finding}");
    }
}

#[test]
fn fail_on_new_passes_a_change_that_only_moves_and_edits_other_lines() {
    let repo = repository();
    unrelated_edits(repo.path());
    let out = scan(repo.path(), GATE_ON_NEW);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let report = common::json(&out.stdout);
    let (findings, fixed) = compared(&report);
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|(_, new)| !new), "{findings:?}");
    assert!(fixed.is_empty(), "{fixed:?}");
    // The token moved down three lines and is still the same finding.
    let token = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "github-token")
        .unwrap();
    assert_eq!(token["line"], 9);
    // The same scan with the usual gate still fails on the overdue advisory: `new` only
    // narrows the gate when asked for.
    let out = scan(repo.path(), &["--new-since", "main"]);
    assert_eq!(out.code, 1);
}

#[test]
fn a_shallow_clone_without_the_base_stops_with_how_to_fetch_it() {
    let repo = repository();
    introduce_and_fix(repo.path());
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    // actions/checkout's default: one commit of one branch.
    common::git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "pr",
        ],
        None,
    );
    let pr = clones.path().join("pr");
    let out = scan(&pr, &["--new-since", "origin/main"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--new-since origin/main"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    // The advice, run as printed, is enough.
    let advice = out
        .stderr
        .split('`')
        .find(|part| part.starts_with("git fetch"))
        .unwrap_or_else(|| panic!("no fetch command in {}", out.stderr));
    let words: Vec<&str> = advice.split_whitespace().skip(1).collect();
    common::git(&pr, &words, None);
    let out = scan(&pr, &["--new-since", "origin/main", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(compared(&common::json(&out.stdout)).1, ["github-token"]);

    // Both branch tips, one commit deep each: the base exists, the history joining it does not.
    common::git(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "tips",
        ],
        None,
    );
    let out = scan(&clones.path().join("tips"), &["--new-since", "origin/main"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--unshallow"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn fail_on_new_without_a_base_is_an_error() {
    let repo = repository();
    let out = scan(repo.path(), &["--fail-on", "new"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--new-since REF"), "{}", out.stderr);
}

#[test]
fn new_since_outside_git_says_so() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("new-since"), dir.path());
    let out = scan(dir.path(), &["--new-since", "main"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not in a git repository"),
        "{}",
        out.stderr
    );
    // A revision that would be read as an option is refused before git sees it.
    let repo = repository();
    let out = scan(repo.path(), &["--new-since=--output=x"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not a git revision"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_uncommitted_lockfile_is_the_same_at_the_base() {
    // A library that does not commit Cargo.lock generates it in CI: the base uses that copy, so
    // its advisories are neither new nor fixed, and a warning says why.
    let repo = repository();
    common::git(repo.path(), &["rm", "-q", "--cached", "Cargo.lock"], None);
    write(repo.path(), ".gitignore", "Cargo.lock\n");
    commit_all(repo.path(), "stop committing the lockfile");
    common::git(repo.path(), &["branch", "-f", "main"], None);
    common::git(repo.path(), &["checkout", "-q", "-b", "change"], None);
    unrelated_edits(repo.path());
    let out = scan(repo.path(), &["--new-since", "main", "--format", "json"]);
    let report = common::json(&out.stdout);
    let (findings, fixed) = compared(&report);
    assert!(findings.iter().all(|(_, new)| !new), "{findings:?}");
    assert!(fixed.is_empty());
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "untracked-lockfile"),
        "{}",
        report["warnings"]
    );
}

#[test]
fn a_lockfile_named_on_the_command_line_is_compared_and_a_deleted_one_fixes_nothing() {
    let repo = repository();
    unrelated_edits(repo.path());
    // `Cargo.lock` relative to the current directory, as the action's `path:` passes it.
    let out = scan(
        repo.path(),
        &["Cargo.lock", "--new-since", "main", "--format", "json"],
    );
    let (findings, fixed) = compared(&common::json(&out.stdout));
    assert!(findings.contains(&("RUSTSEC-2019-0009".to_owned(), false)));
    assert!(findings.iter().all(|(_, new)| !new), "{findings:?}");
    assert!(fixed.is_empty());

    common::git(repo.path(), &["rm", "-q", "Cargo.lock"], None);
    commit_all(repo.path(), "drop the lockfile");
    let out = scan(repo.path(), &["--new-since", "main", "--format", "json"]);
    let (_, fixed) = compared(&common::json(&out.stdout));
    assert!(fixed.is_empty(), "{fixed:?}");
}
