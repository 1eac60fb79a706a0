//! Helpers shared by the integration tests: where the fixtures and `../shared` are.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(relative: &str) -> PathBuf {
    repo().join("fixtures").join(relative)
}

/// `../shared` (or `$WARDEN_SHARED`), the read-only data that CI puts beside the checkout.
///
/// Absent on a fresh clone: the caller's test is then skipped with a message saying so, unless
/// `WARDEN_REQUIRE_SHARED` is set (as `.ci/run` does), where a missing folder is a failure rather
/// than a silent pass.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("WARDEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if dir.join("advisory-db").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("WARDEN_REQUIRE_SHARED").is_some() {
        panic!(
            "{test}: {} is missing and WARDEN_REQUIRE_SHARED is set",
            dir.display()
        );
    }
    // Written to the real stderr, not through eprintln!, which the test harness captures and
    // hides for passing tests: a skip must be visible.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test}: {} not found (it holds the shared advisory data; .ci/run requires it)",
        dir.display()
    );
    None
}

/// Runs git in `dir` as a fixed test identity; with `date`, the commit is backdated to noon UTC
/// of that day (author and committer).
pub fn git(dir: &Path, args: &[&str], date: Option<&str>) {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir)
        .args([
            "-c",
            "user.name=Warden Test",
            "-c",
            "user.email=test@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    if let Some(date) = date {
        let stamp = format!("{date}T12:00:00Z");
        cmd.env("GIT_AUTHOR_DATE", &stamp)
            .env("GIT_COMMITTER_DATE", &stamp);
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

/// What a run of the real binary produced.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut assert_cmd::Command) -> Outcome {
    let output = cmd.output().unwrap();
    Outcome {
        code: output
            .status
            .code()
            .expect("exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

/// Copies a fixture tree, so a test can change it (or add git history) without touching the
/// checkout.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What one source check's pass found under `root`, walked as a scan walks it: its findings, what
/// the walk read, and its warnings.
pub fn pass_findings(
    root: &Path,
    pass: &dyn cargo_warden::source::SourcePass,
) -> (
    Vec<cargo_warden::finding::Detection>,
    cargo_warden::source::SourceSummary,
    Vec<cargo_warden::finding::Warning>,
) {
    use cargo_warden::code::CodeFile;
    use cargo_warden::finding::Detection;
    use cargo_warden::source;
    let options = source::WalkOptions {
        max_file_size: source::DEFAULT_MAX_FILE_SIZE,
    };
    let mut walked = source::scan(root, &options, &[pass], None);
    let output = walked.outputs.remove(0);
    let mut detections = Vec::new();
    for (_, result) in output {
        match result.downcast::<Vec<Detection>>() {
            Ok(found) => detections.extend(*found),
            Err(other) => {
                if let Ok(file) = other.downcast::<CodeFile>() {
                    detections.extend(file.detections);
                }
            }
        }
    }
    (detections, walked.summary, walked.warnings)
}

/// Errors of `value` against a schema of `../shared/schemas` (formats checked too); `None` when
/// `../shared` is absent, which [`shared`] reports.
pub fn schema_errors(schema: &str, value: &serde_json::Value) -> Option<Vec<String>> {
    let shared = shared(&format!("{schema} validation"))?;
    // The published SARIF schema's `language` pattern has a stray `]`, which fails the
    // meta-schema's regex check; that one pattern is mended in memory (we never emit `language`).
    let text = std::fs::read_to_string(shared.join("schemas").join(schema))
        .unwrap()
        .replace(
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
            r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
        );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    Some(
        validator
            .iter_errors(value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect(),
    )
}

/// `cargo-warden scan --offline --db fixtures/advisory-db ARGS` run in `dir` on `today`, with an
/// empty CARGO_HOME (so `cargo metadata` and the default database behave the same everywhere).
pub fn scan_in(dir: &Path, today: &str, args: &[&str]) -> Outcome {
    let home = tempfile::tempdir().unwrap();
    run(assert_cmd::Command::cargo_bin("cargo-warden")
        .unwrap()
        .current_dir(dir)
        .env("CARGO_HOME", home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", today)
        .args(["scan", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .args(args))
}

/// Errors of a CycloneDX document under the CycloneDX 1.6 JSON schema in strict mode, from
/// cyclonedx-python-lib run by `$WARDEN_CYCLONEDX_PYTHON` (a Python with that library, which
/// `.ci/run` installs into a venv). `None` when that Python is not set: the validation is skipped
/// with a message, unless `WARDEN_REQUIRE_CYCLONEDX` is set (as `.ci/run` does).
pub fn cyclonedx_errors(test: &str, document: &str) -> Option<Vec<String>> {
    let Some(python) = std::env::var_os("WARDEN_CYCLONEDX_PYTHON") else {
        if std::env::var_os("WARDEN_REQUIRE_CYCLONEDX").is_some() {
            panic!("{test}: WARDEN_CYCLONEDX_PYTHON is not set and WARDEN_REQUIRE_CYCLONEDX is");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED CycloneDX schema validation in {test}: set WARDEN_CYCLONEDX_PYTHON to a Python with cyclonedx-python-lib[json-validation] (.ci/run does)"
        );
        return None;
    };
    let mut child = std::process::Command::new(python)
        .arg(repo().join(".ci/validate-cyclonedx.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs the CycloneDX validator");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(document.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let errors: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        output.status.success(),
        errors.is_empty(),
        "{test}: the validator failed without saying why"
    );
    Some(errors)
}
