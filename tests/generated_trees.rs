//! Property: whatever tree it is given, a scan ends with exit 0, 1 or 2 within a time bound,
//! never a panic or an abort, and `--output` leaves either a complete report or no file (and no
//! temporary file beside it).
//!
//! The trees come from a seeded generator that mixes valid inputs (manifests, lockfiles naming
//! packages the fixture advisory database knows, the fixture Rust and config files) with the
//! ways real trees go wrong: truncated and byte-flipped files, invalid UTF-8 and UTF-16 text,
//! deep nesting, dangling and looping links, links to devices, directories where files belong,
//! file names that are not UTF-8. A failure prints the case's seed; `WARDEN_PROPERTY_SEED=N`
//! replays one case and `WARDEN_PROPERTY_CASES=N` runs more than the default.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// xorshift64*: small, seedable, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Packages of the fixture advisory database, at affected and patched versions, and some it
/// does not know.
const PACKAGES: [(&str, &str); 9] = [
    ("smallvec", "0.6.9"),
    ("smallvec", "1.11.0"),
    ("time", "0.1.45"),
    ("time", "0.2.23"),
    ("chrono", "0.4.19"),
    ("atty", "0.2.14"),
    ("libc", "0.2.150"),
    ("yaml-rust", "0.4.5"),
    ("serde", "1.0.200"),
];

/// Fixture files the generator copies (and damages) into trees: Rust sources and config files.
fn sample_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["code/corpus", "secrets/corpus", "demo", "edge-cases"] {
        collect(&common::fixture(dir), &mut files);
    }
    files.retain(|f| {
        std::fs::symlink_metadata(f).is_ok_and(|m| m.is_file() && m.len() < 64 * 1024)
            && f.extension().is_none_or(|e| e != "expect")
    });
    files.sort();
    files
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect(&path, into);
        } else {
            into.push(path);
        }
    }
}

/// `bytes`, or (`percent` of the time) with the damage real files suffer: cut short, bytes
/// flipped, a piece repeated, or reencoded as UTF-16.
fn damage(rng: &mut Rng, percent: u64, mut bytes: Vec<u8>) -> Vec<u8> {
    if !rng.chance(percent) {
        return bytes;
    }
    match rng.below(4) {
        0 if !bytes.is_empty() => {
            let at = rng.below(bytes.len());
            bytes.truncate(at);
        }
        1 => {
            for _ in 0..1 + rng.below(8) {
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
            }
        }
        2 if bytes.len() > 2 => {
            let from = rng.below(bytes.len() - 1);
            let to = from + 1 + rng.below((bytes.len() - from).min(200));
            let piece = bytes[from..to].to_vec();
            for _ in 0..rng.below(50) {
                bytes.extend_from_slice(&piece);
            }
        }
        3 => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        }
        _ => {}
    }
    bytes
}

/// A `Cargo.toml`; `metadata` adds settings under `[package.metadata.warden]`.
fn manifest(rng: &mut Rng, name: &str, metadata: bool) -> Vec<u8> {
    let settings = if metadata {
        "[package.metadata.warden.policy]\nsince = \"2026-06-01\"\n"
    } else {
        ""
    };
    let text = match rng.below(6) {
        0 => "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n".to_owned(),
        1 => String::new(),
        _ => format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nsmallvec = \"0.6\"\ntime = \"0.1\"\n{settings}"
        ),
    };
    damage(rng, 10, text.into_bytes())
}

fn lockfile(rng: &mut Rng, root: &str) -> Vec<u8> {
    let version = *rng.pick(&[3, 3, 3, 4, 4, 4, 4, 4, 1, 99]);
    let mut text = format!("version = {version}\n\n[[package]]\nname = \"{root}\"\nversion = \"0.1.0\"\ndependencies = [\n");
    let chosen: Vec<_> = (0..rng.below(6)).map(|_| *rng.pick(&PACKAGES)).collect();
    for (name, version) in &chosen {
        text.push_str(&format!(" \"{name} {version}\",\n"));
    }
    text.push_str("]\n");
    for (name, version) in &chosen {
        text.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
        if rng.chance(30) {
            text.push_str(&format!("checksum = \"{:064x}\"\n", rng.next()));
        }
    }
    damage(rng, 10, text.into_bytes())
}

fn settings(rng: &mut Rng) -> Vec<u8> {
    let text = *rng.pick(&[
        "[policy]\nsince = \"2026-01-01\"\n",
        "[policy]\nsince = \"2026-13-45\"\n",
        "[policy]\nsince = \"2025-01-01\"\n[gate]\nfail-on = [\"overdue\"]\n",
        "[[ignore]]\nid = \"RUSTSEC-2019-0009\"\nreason = \"not reachable\"\nuntil = \"2027-01-01\"\n",
        "[[secrets.allow]]\npaths = [\"tests/**\"]\n[code]\nexclude = [\"src/a/**\"]\n",
        "[polcy]\n",
        "checks = 7\n",
    ]);
    damage(rng, 30, text.as_bytes().to_vec())
}

/// Rust text nested `depth` levels deep in one of the ways syn recurses.
fn deep_rust(rng: &mut Rng) -> Vec<u8> {
    let depth = 1 + rng.below(5000);
    let (open, close) = *rng.pick(&[("(", ")"), ("{", "}"), ("Vec<", ">"), ("[", "]")]);
    format!(
        "fn f() {{ let x = {}1{}; }}\n",
        open.repeat(depth),
        close.repeat(depth)
    )
    .into_bytes()
}

/// Writes what it can: two generated entries may want one path as a file and as a folder,
/// and the first one wins.
fn write(path: &Path, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(path.parent().unwrap());
    let _ = std::fs::write(path, bytes);
}

#[cfg(unix)]
fn link(target: &str, at: &Path) {
    let _ = std::fs::create_dir_all(at.parent().unwrap());
    let _ = std::os::unix::fs::symlink(target, at);
}

#[cfg(not(unix))]
fn link(_target: &str, _at: &Path) {}

/// One generated tree in `dir`.
fn generate(rng: &mut Rng, dir: &Path, samples: &[PathBuf]) {
    // Settings live in warden.toml or in the root manifest; both at once is an error of its own.
    let settings_file = rng.chance(30);
    if settings_file {
        write(&dir.join("warden.toml"), &settings(rng));
    }
    let metadata = !settings_file && rng.chance(5);
    let members: Vec<String> = (0..1 + rng.below(3)).map(|i| format!("m{i}")).collect();
    for (i, member) in members.iter().enumerate() {
        let root = if i == 0 {
            dir.to_path_buf()
        } else {
            dir.join("crates").join(member)
        };
        match rng.below(12) {
            0 => {}
            1 => link("/nonexistent/Cargo.toml", &root.join("Cargo.toml")),
            _ => write(
                &root.join("Cargo.toml"),
                &manifest(rng, member, metadata && i == 0),
            ),
        }
        match rng.below(14) {
            0 => {}
            1 => link("missing.lock", &root.join("Cargo.lock")),
            2 => link("/dev/zero", &root.join("Cargo.lock")),
            3 => {
                let _ = std::fs::create_dir_all(root.join("Cargo.lock"));
            }
            _ => write(&root.join("Cargo.lock"), &lockfile(rng, member)),
        }
        for _ in 0..rng.below(6) {
            let sample = rng.pick(samples);
            let bytes = damage(rng, 50, std::fs::read(sample).unwrap());
            let name = sample.file_name().unwrap().to_string_lossy();
            let sub = *rng.pick(&["src", "src/a/b", "tests", "config", ".", "examples"]);
            write(&root.join(sub).join(name.as_ref()), &bytes);
        }
        if rng.chance(25) {
            write(&root.join("src/deep.rs"), &deep_rust(rng));
        }
    }
    if rng.chance(15) {
        link("..", &dir.join("src/loop"));
    }
    if rng.chance(15) {
        link("/dev/zero", &dir.join("src/zero.rs"));
    }
    #[cfg(unix)]
    if rng.chance(15) {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"key-\xff\xfe.pem");
        write(
            &dir.join("config").join(name),
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n",
        );
    }
}

/// Runs one case; returns what was wrong, if anything.
fn check_case(seed: u64, samples: &[PathBuf]) -> Result<i32, String> {
    let mut rng = Rng::new(seed);
    let tree = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    generate(&mut rng, tree.path(), samples);
    let report = out_dir.path().join("report.json");
    let format = *rng.pick(&["human", "json", "sarif", "markdown"]);
    let assert = Command::cargo_bin("cargo-warden")
        .unwrap()
        .env("CARGO_HOME", home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .env("WARDEN_TODAY", "2026-11-22")
        .args(["scan", "--offline", "--format", format, "--db"])
        .arg(common::fixture("advisory-db"))
        .arg("--output")
        .arg(format!("json={}", report.display()))
        .arg(tree.path())
        .timeout(Duration::from_secs(60))
        .assert();
    let output = assert.get_output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(code) = output.status.code() else {
        return Err(format!("killed by a signal or timed out: {stderr}"));
    };
    if stderr.contains("panicked") || !matches!(code, 0..=2) {
        return Err(format!("exit {code}: {stderr}"));
    }
    let left: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    if code == 2 {
        if !left.is_empty() {
            return Err(format!(
                "exit 2 left {left:?} in the output folder: {stderr}"
            ));
        }
        if stderr.trim().is_empty() {
            return Err("exit 2 without a word on stderr".into());
        }
        return Ok(code);
    }
    if left.len() != 1 {
        return Err(format!("exit {code} left {left:?} in the output folder"));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| format!("report: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("report is not complete JSON: {e}"))?;
    if !json["findings"].is_array() || !json["gate"].is_object() {
        return Err(format!("report lacks findings or gate: {text:.300}"));
    }
    Ok(code)
}

#[test]
fn any_generated_tree_gives_a_complete_report_or_none() {
    let samples = sample_files();
    assert!(samples.len() > 50, "fixture samples: {}", samples.len());
    let seeds: Vec<u64> = match std::env::var("WARDEN_PROPERTY_SEED") {
        Ok(seed) => vec![seed.parse().expect("WARDEN_PROPERTY_SEED is a number")],
        Err(_) => {
            let cases = std::env::var("WARDEN_PROPERTY_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(40);
            (1..=cases).collect()
        }
    };
    let mut failures = Vec::new();
    let mut codes = [0usize; 3];
    for &seed in &seeds {
        match check_case(seed, &samples) {
            Ok(code) => codes[code as usize] += 1,
            Err(why) => failures.push(format!("seed {seed}: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} generated trees failed (replay one with WARDEN_PROPERTY_SEED):\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
    // The generator must reach the scan's every ending, not only the early errors.
    if seeds.len() >= 40 {
        assert!(
            codes.iter().all(|&n| n > 0),
            "exit codes 0/1/2 over {} trees: {codes:?}",
            seeds.len()
        );
    }
}
