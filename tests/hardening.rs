//! The scanned tree is untrusted: hostile inputs end in a report or a one-line error naming the
//! file, never a crash, a hang, or a program the tree names being run. One test per way in,
//! named after what it guards.

mod common;

use common::{json, run};

use assert_cmd::Command;
use std::path::Path;

fn warden(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cargo-warden").unwrap();
    cmd.env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", "2026-11-22")
        .env_remove("NO_COLOR");
    cmd
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A one-package crate with a lockfile.
fn crate_tree(dir: &Path) {
    write(
        &dir.join("Cargo.toml"),
        "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &dir.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\n",
    );
    write(&dir.join("src/main.rs"), "fn main() {}\n");
}

/// A script that records that it ran, then fails.
#[cfg(unix)]
fn trap(path: &Path, marker: &Path) {
    use std::os::unix::fs::PermissionsExt;
    write(
        path,
        &format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
            marker.display()
        ),
    );
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `cd repo && cargo warden scan`: the tree's `.cargo/config.toml` names a rustc wrapper and a
/// rustc, its `rust-toolchain.toml` a toolchain by path, and (as when the scan was started by
/// rustup's `cargo` proxy inside the tree) `RUSTUP_TOOLCHAIN` says that toolchain came from the
/// file. None of them may run.
#[cfg(unix)]
#[test]
fn scanning_never_runs_a_program_the_tree_names() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let marker = outside.path().join("ran");
    let repo = outside.path().join("repo");
    crate_tree(&repo);
    let evil = outside.path().join("evil.sh");
    trap(&evil, &marker);
    let toolchain = outside.path().join("toolchain");
    trap(&toolchain.join("bin/cargo"), &marker);
    trap(&toolchain.join("bin/rustc"), &marker);
    write(
        &repo.join(".cargo/config.toml"),
        &format!(
            "[build]\nrustc-wrapper = '{0}'\nrustc = '{0}'\n",
            evil.display()
        ),
    );
    write(
        &repo.join("rust-toolchain.toml"),
        &format!("[toolchain]\npath = '{}'\n", toolchain.display()),
    );
    let out = run(warden(home.path())
        .current_dir(&repo)
        .env("RUSTUP_TOOLCHAIN", &toolchain)
        .env("RUSTUP_TOOLCHAIN_SOURCE", "toolchain-file")
        .args(["scan", ".", "--offline", "--format", "json", "--db"])
        .arg(common::fixture("advisory-db")));
    assert!(
        !marker.exists(),
        "the scan ran a program the tree names: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["workspaces"][0]["packages"], 1);
}

/// syn and the visitors recurse once per nesting level and per chain link; past the bounds a
/// file is a warning naming it (still read line by line for secrets), and the scan goes on.
/// Before the bounds, a 2,000-deep generic or a 20,000-link `+` chain aborted the process.
#[test]
fn a_file_nested_past_the_bounds_is_a_warning_not_an_abort() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let src = dir.path().join("src");
    write(
        &src.join("generics.rs"),
        &format!("type T = {}u8{};\n", "A<".repeat(2_000), ">".repeat(2_000)),
    );
    write(
        &src.join("blocks.rs"),
        &format!("fn f() {}{}\n", "{".repeat(3_000), "}".repeat(3_000)),
    );
    write(
        &src.join("chain.rs"),
        &format!(
            "const KEY: &str = \"ghp_8fJ2kL9mN3pQ5rS7tU1vW4xY6zA0bC2dE4fG\";\nfn f(x: u8) -> u8 {{ x{} }}\n",
            " + x".repeat(20_000)
        ),
    );
    let out = run(warden(home.path())
        .args(["scan", "--checks", "code,secrets", "--format", "json"])
        .arg(dir.path()));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    let too_deep: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "too-deep-source")
        .map(|w| w["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        too_deep,
        ["src/blocks.rs", "src/chain.rs", "src/generics.rs"]
    );
    // The rest of the file is still read for secrets.
    let secrets: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, ["src/chain.rs"]);
}

/// Just inside the bounds, a file is parsed and walked on the scan's worker stacks.
#[test]
fn a_file_just_inside_the_bounds_is_scanned() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let src = dir.path().join("src");
    write(
        &src.join("generics.rs"),
        &format!("type T = {}u8{};\n", "A<".repeat(990), ">".repeat(990)),
    );
    write(
        &src.join("unsafe.rs"),
        &format!(
            "fn f() {{ {}1;{} }}\n",
            "unsafe { ".repeat(990),
            " }".repeat(990)
        ),
    );
    write(
        &src.join("calls.rs"),
        &format!("fn f() {{ x{}; }}\n", ".f()".repeat(9_990)),
    );
    let out = run(warden(home.path())
        .args(["scan", "--checks", "code,secrets", "--format", "json"])
        .arg(dir.path()));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["warnings"], serde_json::json!([]), "{}", out.stderr);
}

/// A committed symlink from `Cargo.lock` to `/dev/zero` read until memory ran out, and a FIFO
/// named `Cargo.lock` (or a FIFO source file) blocked forever: each is now refused by name.
#[cfg(unix)]
#[test]
fn special_files_in_the_tree_are_refused_not_read() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    std::fs::remove_file(dir.path().join("Cargo.lock")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("Cargo.lock")).unwrap();
    let out = run(warden(home.path())
        .args(["scan", "--checks", "advisories", "--db"])
        .arg(common::fixture("advisory-db"))
        .arg(dir.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("Cargo.lock") && out.stderr.contains("not a regular file"),
        "{}",
        out.stderr
    );

    // A FIFO among the sources: skipped with a warning, the scan finishes.
    let fifo_tree = tempfile::tempdir().unwrap();
    crate_tree(fifo_tree.path());
    let fifo = fifo_tree.path().join("src/stuck.rs");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
    let out = run(warden(home.path())
        .args(["scan", "--checks", "secrets,code", "--format", "json"])
        .arg(fifo_tree.path())
        .timeout(std::time::Duration::from_secs(60)));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
}

/// rustsec 0.33 asserts on an advisory whose `patched` and `unaffected` ranges meet; that
/// killed scan, explain and baseline. It is one skipped advisory with a warning now.
#[test]
fn an_advisory_the_parser_panics_on_is_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("advisory-db"), db.path());
    write(
        &db.path().join("crates/victim/RUSTSEC-2099-0900.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0900\"\npackage = \"victim\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = [\">1.0.0\"]\nunaffected = [\"=1.0.0\"]\n```\n\n# Overlap\n\nBody.\n",
    );
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let out = run(warden(home.path())
        .args([
            "scan",
            "--checks",
            "advisories",
            "--offline",
            "--format",
            "json",
            "--db",
        ])
        .arg(db.path())
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let report = json(&out.stdout);
    let warned = report["warnings"].as_array().unwrap().iter().any(|w| {
        w["code"] == "malformed-advisory"
            && w["file"]
                .as_str()
                .unwrap()
                .ends_with("RUSTSEC-2099-0900.md")
    });
    assert!(warned, "{}", out.stdout);
}

/// An advisory database with no advisories (a wrong path with a `crates/` folder, a broken
/// download) used to pass the gate on no data: the gate failed open. It is an error now.
#[test]
fn an_empty_advisory_database_is_an_error_not_a_pass() {
    let home = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(db.path().join("crates")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let out = run(warden(home.path())
        .args(["scan", "--checks", "advisories", "--offline", "--db"])
        .arg(db.path())
        .arg(dir.path()));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("holds no advisories"), "{}", out.stderr);
}

/// A file name can hold a newline and a workflow command, or ANSI escapes: printed raw, it
/// wrote `::error` lines and colours into the CI log. Names are escaped in every text report.
#[cfg(target_os = "linux")]
#[test]
fn file_names_cannot_inject_workflow_commands_or_escapes() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    write(
        &dir.path()
            .join("conf/x\n::error file=a::pwned\u{1b}[31m.env"),
        "API_TOKEN=ghp_8fJ2kL9mN3pQ5rS7tU1vW4xY6zA0bC2dE4fG\n",
    );
    for format in ["human", "markdown", "github"] {
        let out = run(warden(home.path())
            .args([
                "scan", "--checks", "secrets", "--color", "never", "--format", format,
            ])
            .arg(dir.path()));
        assert!(matches!(out.code, 0 | 1), "{format}: {}", out.stderr);
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text
                    .lines()
                    .any(|l| l.trim_start().starts_with("::error file=a")),
                "{format}: {text}"
            );
            assert!(!text.contains('\u{1b}'), "{format}: {text}");
        }
    }
}
