//! Which files of the tree the source checks read, and what kind each is: the walk honours
//! `.gitignore` (also outside git) and skips `.git/`, `target/`, lockfiles and vendored checksum
//! lists; a file's kind comes from its name alone, so nothing is read to classify it.

use crate::error::one_line;
use crate::finding::Warning;
use std::path::{Path, PathBuf};

/// The default for `[secrets] max-file-size`: larger files are generated or data, and reading
/// them would dominate the scan.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// What kind of file a path is, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Rust,
    /// A text file read line by line; the comment prefix its lines may start with.
    Text(Option<&'static str>),
}

/// Files never read: lockfiles and vendored checksum lists are hashes by the thousand.
const NEVER_SCANNED: &[&str] = &[
    "Cargo.lock",
    ".cargo-checksum.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "Gemfile.lock",
    "composer.lock",
    "go.sum",
    "flake.lock",
    "warden-baseline.json",
];

/// The file kind for a path, or `None` when no source check reads it.
pub fn classify(path: &Path) -> Option<FileKind> {
    // A name that is not UTF-8 is still classified by its (ASCII) extension: skipping it would
    // be a silent miss, and its bytes are read by path, not by name.
    let name = path.file_name()?.to_string_lossy();
    if NEVER_SCANNED.contains(&name.as_ref()) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let extension = lower.rsplit_once('.').map(|(_, ext)| ext);
    if extension == Some("rs") {
        return Some(FileKind::Rust);
    }
    let hash = Some(FileKind::Text(Some("#")));
    if lower == ".env"
        || lower.starts_with(".env.")
        || lower.starts_with("dockerfile")
        || lower.starts_with("containerfile")
        || matches!(
            lower.as_str(),
            ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".yarnrc" | ".dockercfg"
        )
    {
        return hash;
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519"
    ) {
        return Some(FileKind::Text(None));
    }
    match extension? {
        "env" | "toml" | "yaml" | "yml" | "sh" | "bash" | "zsh" | "ksh" | "properties"
        | "dockerfile" | "tf" | "tfvars" | "hcl" => hash,
        "ini" | "cfg" | "conf" => Some(FileKind::Text(None)),
        "json" | "pem" | "key" | "p8" => Some(FileKind::Text(None)),
        _ => None,
    }
}

/// Whether a path is test code by where it lives: Cargo's `tests/`, `benches/` and `examples/`,
/// the `test/`, `testdata/` and `fixtures/` directories other ecosystems use, a test CA
/// (`test-ca/`) and BoringSSL's test runner shim (`bogo/`, used by TLS libraries).
pub fn is_test_path(relative: &str) -> bool {
    is_example_config(relative)
        || relative.split('/').rev().skip(1).any(|part| {
            matches!(
                part,
                "tests"
                    | "benches"
                    | "examples"
                    | "test"
                    | "testdata"
                    | "test-data"
                    | "test_data"
                    | "fixtures"
                    | "test-ca"
                    | "bogo"
            ) || is_test_support_crate(part)
        })
}

/// A word that names test or example data (`TestValue`, `fake_token`, `test.env`).
pub fn is_test_word(word: &str) -> bool {
    matches!(
        word,
        "test"
            | "tests"
            | "testing"
            | "example"
            | "examples"
            | "sample"
            | "samples"
            | "fixture"
            | "fixtures"
            | "mock"
            | "mocks"
            | "dummy"
            | "fake"
            | "demo"
    )
}

/// A configuration file named as a test or example one (`test.env`, `.env.example`,
/// `docker-compose.test.yml`, `config.sample.toml`): its values are for tests or to be
/// replaced. Rust files are left to their modules' `cfg(test)`.
fn is_example_config(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    !name.ends_with(".rs")
        && name
            .to_ascii_lowercase()
            .split(['.', '-', '_'])
            .any(|word| is_test_word(word) || matches!(word, "template" | "dist" | "ci"))
}

/// A directory named like a crate of test helpers (`uv-test`, `foo-test-utils`, `test_support`,
/// `bar-testing`): code only tests depend on.
fn is_test_support_crate(dir: &str) -> bool {
    let dir = dir.to_ascii_lowercase().replace('_', "-");
    [
        "-test",
        "-tests",
        "-testing",
        "-test-utils",
        "-test-util",
        "-test-support",
        "-test-helpers",
    ]
    .iter()
    .any(|end| dir.ends_with(end))
        || [
            "test-utils",
            "test-util",
            "test-support",
            "test-helpers",
            "testutils",
            "testutil",
        ]
        .iter()
        .any(|name| dir == *name || dir.starts_with(&format!("{name}-")))
}

/// Every file a source check may read, sorted, with its kind and size.
pub fn walk(root: &Path) -> (Vec<(PathBuf, FileKind, u64)>, Vec<Warning>) {
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        // `.env` files and `.github/workflows` are exactly where secrets end up.
        .hidden(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && (entry.file_name() == "target" || entry.file_name() == ".git"))
        })
        .build();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                warnings.push(Warning::source_walk(
                    "unreadable-path",
                    None,
                    format!(
                        "cannot read part of the tree ({}); the source checks skipped it",
                        one_line(&err.to_string())
                    ),
                ));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(kind) = classify(entry.path()) else {
            continue;
        };
        let size = entry.metadata().map_or(0, |m| m.len());
        files.push((entry.into_path(), kind, size));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    (files, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_classified_by_name() {
        let kind = |name: &str| classify(Path::new(name));
        assert_eq!(kind("src/main.rs"), Some(FileKind::Rust));
        assert_eq!(kind(".env"), Some(FileKind::Text(Some("#"))));
        assert_eq!(kind(".env.production"), Some(FileKind::Text(Some("#"))));
        assert_eq!(kind("deploy/Dockerfile"), Some(FileKind::Text(Some("#"))));
        assert_eq!(kind("config/app.json"), Some(FileKind::Text(None)));
        assert_eq!(kind("Cargo.lock"), None);
        assert_eq!(kind("vendor/x/.cargo-checksum.json"), None);
        assert_eq!(kind("logo.png"), None);
        assert_eq!(kind("home/.ssh/id_ed25519"), Some(FileKind::Text(None)));
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_classified_by_its_extension() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xE9.env");
        assert_eq!(classify(Path::new(name)), Some(FileKind::Text(Some("#"))));
    }

    #[test]
    fn test_paths_are_by_directory() {
        assert!(is_test_path("tests/api.rs"));
        assert!(is_test_path("crates/x/examples/demo.rs"));
        assert!(!is_test_path("src/tests.rs"));
        assert!(!is_test_path("src/main.rs"));
    }
}
