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

/// Whether the JSON report holds a warning with `code` whose `field` (`file` or `message`)
/// contains `text`.
fn has_warning(report: &serde_json::Value, code: &str, field: &str, text: &str) -> bool {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == code && w[field].as_str().is_some_and(|value| value.contains(text)))
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
    assert!(
        has_warning(
            &report,
            "malformed-advisory",
            "file",
            "RUSTSEC-2099-0900.md"
        ),
        "{}",
        out.stdout
    );
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

/// Inputs whose cost grew with the square of their size: a `.pem` of BEGIN lines without END
/// (each BEGIN read the rest of the file: 16,000 lines took 24 s), a settings file with 100,000
/// ignores (each entry's line counted from the top: 20,000 took 10 s) and a lockfile of 60,000
/// packages (each short dependency looked up by a search of all packages: 18 s). Each is linear
/// now and takes under a second; the timeout is a hang guard, far above that.
#[test]
fn inputs_that_were_quadratic_finish() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    write(&dir.path().join("keys.pem"), &"-----BEGIN\n".repeat(90_000));
    let mut settings = String::from("[secrets]\nmax-file-size = 2000000\n");
    for i in 0..100_000 {
        settings.push_str(&format!(
            "[[ignore]]\nid = \"RUSTSEC-2020-{i:05}\"\nreason = \"not reachable\"\n"
        ));
    }
    write(&dir.path().join("warden.toml"), &settings);
    let mut lock = String::from("version = 3\n\n[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\ndependencies = [\"p59999\"]\n");
    for i in 0..60_000 {
        lock.push_str(&format!(
            "\n[[package]]\nname = \"p{i}\"\nversion = \"1.0.0\"\n"
        ));
        if i > 0 {
            lock.push_str(&format!(
                "dependencies = [\"p{}\", \"p{}\"]\n",
                i - 1,
                i / 2
            ));
        }
    }
    write(&dir.path().join("Cargo.lock"), &lock);
    let out = run(warden(home.path())
        .args(["scan", "--offline", "--format", "json", "--db"])
        .arg(common::fixture("advisory-db"))
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(120)));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(
        report["workspaces"][0]["packages"], 60_001,
        "{}",
        out.stderr
    );
    assert_eq!(report["sources"]["files"], 3, "{}", out.stderr);
}

/// Text that is not UTF-8 was skipped as binary without a word, and files whose names are not
/// UTF-8 were not even listed: a UTF-16 `appsettings.json` (as Visual Studio writes it), a
/// `.env` with a Latin-1 byte and one whose name is Latin-1 each hid their secret. SSH key files
/// without an extension (`id_rsa`) were never classified either.
#[cfg(unix)]
#[test]
fn text_that_is_not_utf8_is_scanned_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let token = "ghp_8fJ2kL9mN3pQ5rS7tU1vW4xY6zA0bC2dE4fG";
    let mut utf16 = vec![0xFF, 0xFE];
    let json_text = format!("{{\r\n  \"GitHubToken\": \"{token}\"\r\n}}\r\n");
    utf16.extend(json_text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("appsettings.json"), utf16).unwrap();
    let mut latin = b"# Ren\xE9e\n".to_vec();
    latin.extend(format!("GITHUB_TOKEN={token}\n").bytes());
    std::fs::write(dir.path().join("owner.env"), latin).unwrap();
    let odd_name = std::ffi::OsStr::from_bytes(b"caf\xE9.env");
    std::fs::write(dir.path().join(odd_name), format!("GITHUB_TOKEN={token}\n")).unwrap();
    let out = run(warden(home.path())
        .args(["scan", "--checks", "secrets", "--format", "json"])
        .arg(dir.path()));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    for expected in ["appsettings.json", "owner.env", "caf\u{fffd}.env"] {
        assert!(files.contains(&expected), "{expected} in {files:?}");
    }
    let utf16_line = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "appsettings.json")
        .unwrap()["line"]
        .clone();
    assert_eq!(utf16_line, 2);
}

/// A committed `warden.sarif` that links elsewhere (`~/.bashrc`) was replaced by the report, and
/// reports written through `--output` got mode 0600 even when they replaced a 0644 file. A link
/// is refused before the scan, with the file it points to left as it was.
#[cfg(unix)]
#[test]
fn an_output_link_is_refused_and_a_replaced_report_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let victim = dir.path().join("victim");
    write(&victim, "keep me\n");
    let link = dir.path().join("warden.sarif");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = run(warden(home.path())
        .args(["scan", "--checks", "secrets", "--output"])
        .arg(format!("sarif={}", link.display()))
        .arg(dir.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    assert_eq!(out.stdout, "", "refused before the scan");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");

    let report = dir.path().join("report.json");
    write(&report, "{}");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(warden(home.path())
        .args(["scan", "--checks", "secrets", "--output"])
        .arg(format!("json={}", report.display()))
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// One workspace's Cargo.lock that links nowhere stopped the scan of every other workspace. It
/// is a warning naming it now, and the others are scanned.
#[cfg(unix)]
#[test]
fn a_dangling_lockfile_link_does_not_stop_the_other_workspaces() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(&dir.path().join("good"));
    crate_tree(&dir.path().join("broken"));
    std::fs::remove_file(dir.path().join("broken/Cargo.lock")).unwrap();
    std::os::unix::fs::symlink(
        "/nonexistent/Cargo.lock",
        dir.path().join("broken/Cargo.lock"),
    )
    .unwrap();
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
        .arg(common::fixture("advisory-db"))
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["workspaces"][0]["lockfile"], "good/Cargo.lock");
    let warned = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "unusable-lockfile" && w["file"] == "broken/Cargo.lock");
    assert!(warned, "{}", out.stdout);
}

/// Outside a git repository every file with a finding spawned `git blame` and `git rev-parse`
/// (20,000 files: 15.6 s) to learn nothing. A `git` on PATH that logs its calls shows the scan
/// asks git a fixed number of questions, however many files have findings.
#[cfg(unix)]
#[test]
fn outside_git_no_process_is_spawned_per_file() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    for i in 0..40 {
        write(
            &dir.path().join(format!("src/m{i}.rs")),
            "pub fn run(script: &str) {\n    std::process::Command::new(\"sh\").arg(\"-c\").arg(script).status().ok();\n}\n",
        );
    }
    // With an adoption date in the past, lines are dated by git (after it, by blame).
    write(
        &dir.path().join("warden.toml"),
        "[policy]\nsince = 2026-01-01\n",
    );
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls");
    let fake = bin.path().join("git");
    write(
        &fake,
        &format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 128\n", log.display()),
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = run(warden(home.path())
        .env("PATH", path)
        .args(["scan", "--checks", "code", "--format", "json"])
        .arg(dir.path()));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let findings = json(&out.stdout)["findings"].as_array().unwrap().len();
    assert!(findings >= 40, "{findings} findings");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(calls.lines().count() < 10, "{calls}");
}

/// cargo-lock panicked on a `checksum` holding a multi-byte character; the lockfile reader now
/// refuses any checksum that is not a SHA-256 in hex, naming the file and line (exit 2).
#[test]
fn a_damaged_lockfile_checksum_is_an_error_on_its_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    write(
        &dir.path().join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\n\
         checksum = \"é9a8ff2c1b3b7f6a0f0cc3e1d7f04e0b5a1b0a3a2c8d6f7e5b4a3928171605f4\"\n",
    );
    let out = run(warden(home.path())
        .args(["scan", "--checks", "advisories", "--offline", "--db"])
        .arg(common::fixture("advisory-db"))
        .arg(dir.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Cargo.lock:6") && out.stderr.contains("checksum of `victim`"),
        "{}",
        out.stderr
    );
}

/// A workspace member's `Cargo.toml` that is a FIFO (or a link to `/dev/zero`) made `cargo
/// metadata` wait (or read) forever, and the scan with it. Cargo is not run on such a tree; the
/// lockfile graph stands, with a warning naming the manifest.
#[cfg(unix)]
#[test]
fn a_member_manifest_that_never_ends_does_not_stall_the_scan() {
    let home = tempfile::tempdir().unwrap();
    for special in ["fifo", "zero"] {
        let dir = tempfile::tempdir().unwrap();
        crate_tree(dir.path());
        write(
            &dir.path().join("Cargo.toml"),
            "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nmember = { path = \"member\" }\n",
        );
        write(
            &dir.path().join("Cargo.lock"),
            "version = 3\n\n[[package]]\nname = \"member\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"victim\"\nversion = \"0.1.0\"\ndependencies = [\"member\"]\n",
        );
        let manifest = dir.path().join("member/Cargo.toml");
        std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
        if special == "fifo" {
            let made = std::process::Command::new("mkfifo")
                .arg(&manifest)
                .status()
                .is_ok_and(|s| s.success());
            if !made {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED the FIFO case of a_member_manifest_that_never_ends_does_not_stall_the_scan: mkfifo failed"
                );
                continue;
            }
        } else {
            std::os::unix::fs::symlink("/dev/zero", &manifest).unwrap();
        }
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
            .arg(common::fixture("advisory-db"))
            .arg(dir.path())
            .timeout(std::time::Duration::from_secs(120)));
        assert_eq!(out.code, 0, "{special}: {}", out.stderr);
        let report = json(&out.stdout);
        let warned = has_warning(
            &report,
            "lockfile-graph",
            "message",
            "member/Cargo.toml is not a regular file",
        );
        assert!(warned, "{special}: {}", out.stdout);
    }
}

/// An OSV zip whose records inflate to gigabytes was held in memory whole (3 GiB: 3.15 GB
/// peak). Past 256 MiB of records the archive is refused, naming it, before more is inflated.
#[test]
fn an_osv_zip_bomb_is_refused_not_inflated_into_memory() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // One member of 8,000,000 spaces (under the per-record cap, so it counts toward the total)
    // deflates to a few KiB; its compressed bytes are copied 40 times (320 MB inflated).
    let seed = data.path().join("seed.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&seed).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("RUSTSEC-0000-0000.json", deflated).unwrap();
    zip.write_all(&vec![b' '; 8_000_000]).unwrap();
    zip.finish().unwrap();
    let bomb = data.path().join("all.zip");
    let mut source = zip::ZipArchive::new(std::fs::File::open(&seed).unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    for copy in 0..40 {
        let member = source.by_index_raw(0).unwrap();
        zip.raw_copy_file_rename(member, format!("RUSTSEC-0000-{copy:04}.json"))
            .unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2 << 20);

    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    let out = run(warden(home.path())
        .args(["scan", "--checks", "advisories", "--offline", "--osv"])
        .arg(&bomb)
        .arg(dir.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("all.zip") && out.stderr.contains("more than 256 MiB"),
        "{}",
        out.stderr
    );
}

/// A FIFO among the advisories (`crates/x/RUSTSEC-….md`) blocked the database load forever; it
/// is skipped with a warning naming it, and the rest of the database is used.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_advisory_database_is_skipped_not_waited_on() {
    let home = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture("advisory-db"), db.path());
    let fifo = db.path().join("crates/smallvec/RUSTSEC-2099-0901.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
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
        .arg(common::fixture("demo"))
        .timeout(std::time::Duration::from_secs(60)));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    assert!(
        has_warning(
            &report,
            "malformed-advisory",
            "file",
            "RUSTSEC-2099-0901.md"
        ),
        "{}",
        out.stdout
    );
    assert!(!report["findings"].as_array().unwrap().is_empty());
}

/// `unparsable-source` warnings put `path:line` in the `file` field, which no consumer could
/// match to a file; the field is the path, the line is in the message.
#[test]
fn an_unparsable_source_warning_names_the_file_alone() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate_tree(dir.path());
    write(
        &dir.path().join("src/broken.rs"),
        "fn ok() {}\nfn broken( {\n",
    );
    let out = run(warden(home.path())
        .args(["scan", "--checks", "code", "--format", "json"])
        .arg(dir.path()));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    let report = json(&out.stdout);
    let warning = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "unparsable-source")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(warning["file"], "src/broken.rs");
    assert!(
        warning["message"].as_str().unwrap().contains("line 2"),
        "{warning}"
    );
}
