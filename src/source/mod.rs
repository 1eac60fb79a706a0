//! The source checks' side of a scan: walk the tree, decide what each file is, read it once,
//! parse each Rust file once, and hand what is found to the rules.
//!
//! The walk honours `.gitignore` (also outside git), skips `.git/`, `target/`, lockfiles and
//! vendored checksum lists, binary files and files over the size limit; the skipped large files
//! are reported, so a secret is never missed silently. Files are processed in parallel with
//! rayon and the results sorted afterwards, so the output does not depend on scheduling.
//!
//! Nothing here decides severity or due dates: the caller turns [`SecretHit`]s into findings.

mod code;
mod code_walk;
mod rust;
mod text;

pub use code::{safety_comment_above, CodeHit, UnsafeCounts};
pub use rust::{literals, Literal};

use crate::report::Warning;
use crate::rules::code::CodeRules;
use crate::rules::secrets::SecretRules;
use crate::rules::RuleDoc;
use crate::workspace::relative_display;
use crate::Result;
use rayon::prelude::*;
use serde::Serialize;
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

/// The file kind for a path, or `None` when the secrets check does not read it.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if NEVER_SCANNED.contains(&name) {
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
    match extension? {
        "env" | "toml" | "yaml" | "yml" | "sh" | "bash" | "zsh" | "ksh" | "properties"
        | "dockerfile" | "tf" | "tfvars" | "hcl" => hash,
        "ini" | "cfg" | "conf" => Some(FileKind::Text(None)),
        "json" | "pem" | "key" | "p8" => Some(FileKind::Text(None)),
        _ if matches!(
            lower.as_str(),
            "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519"
        ) =>
        {
            Some(FileKind::Text(None))
        }
        _ => None,
    }
}

/// Whether a path is test code by where it lives (`tests/`, `benches/`, `examples/`, and the
/// `test/` and `testdata/` directories other ecosystems use).
pub fn is_test_path(relative: &str) -> bool {
    relative.split('/').rev().skip(1).any(|part| {
        matches!(
            part,
            "tests" | "benches" | "examples" | "test" | "testdata" | "test-data"
        )
    })
}

/// What the secrets check found in one place.
#[derive(Clone, Debug)]
pub struct SecretHit {
    pub rule: &'static RuleDoc,
    /// Relative to the scan root, `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// Exclusive, on `line` (for a literal spanning lines, the end of its first line).
    pub end_column: usize,
    /// The secret itself. It never leaves the process: findings carry a redacted form and a
    /// hash.
    pub secret: String,
    pub context: Option<String>,
    pub in_test: bool,
}

/// How much of the tree the source checks read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// Files read (Rust and other text).
    pub files: usize,
    pub rust_files: usize,
    pub bytes: u64,
    /// Files over the size limit, each also reported as a warning.
    pub skipped_large: usize,
    /// Files that are not UTF-8 text.
    pub skipped_binary: usize,
    /// Rust files syn could not parse; they were read line by line instead.
    pub unparsable: usize,
}

#[derive(Debug, Default)]
pub struct SourceScan {
    pub secrets: Vec<SecretHit>,
    pub code: Vec<CodeHit>,
    /// Unsafe code per Rust file (files without any are left out), by relative path.
    pub unsafe_counts: Vec<(String, UnsafeCounts)>,
    /// Every Rust file read, by relative path.
    pub rust_files: Vec<String>,
    pub summary: SourceSummary,
    pub warnings: Vec<Warning>,
}

/// Options for the walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    pub max_file_size: u64,
}

/// Which source checks run, with their rules.
#[derive(Clone, Copy)]
pub struct SourceChecks {
    pub secrets: Option<&'static SecretRules>,
    pub code: Option<&'static CodeRules>,
}

impl SourceChecks {
    /// What the skip messages say was not done.
    fn purpose(&self) -> &'static str {
        match (self.secrets.is_some(), self.code.is_some()) {
            (true, true) => "scanned for secrets or code patterns",
            (false, true) => "scanned for code patterns",
            _ => "scanned for secrets",
        }
    }
}

/// What the source checks found in one file.
#[derive(Debug, Default)]
pub struct FileFindings {
    pub secrets: Vec<SecretHit>,
    pub code: Vec<CodeHit>,
    pub unsafe_counts: UnsafeCounts,
    /// Set when a Rust file could not be parsed (it was then read line by line for secrets).
    pub unparsable: Option<Warning>,
}

/// Walks `root` and runs the source checks over every file they read.
pub fn scan(root: &Path, options: &WalkOptions, checks: SourceChecks) -> Result<SourceScan> {
    scan_with_progress(root, options, checks, None)
}

/// [`scan`], telling `progress` about each file read.
pub fn scan_with_progress(
    root: &Path,
    options: &WalkOptions,
    checks: SourceChecks,
    progress: Option<&dyn crate::Progress>,
) -> Result<SourceScan> {
    let (mut files, mut warnings) = walk(root);
    if checks.secrets.is_none() {
        // The code rules only read Rust.
        files.retain(|(_, kind, _)| *kind == FileKind::Rust);
    }
    if let Some(progress) = progress {
        progress.stage("source files", files.len() as u64);
    }

    let results: Vec<FileOutcome> = files
        .par_iter()
        .map(|(path, kind, size)| {
            let outcome = scan_file(root, path, *kind, *size, options, checks);
            if let Some(progress) = progress {
                progress.step();
            }
            outcome
        })
        .collect();

    let mut scan = SourceScan::default();
    for outcome in results {
        match outcome {
            FileOutcome::Scanned {
                findings,
                file,
                bytes,
                rust,
            } => {
                scan.summary.files += 1;
                scan.summary.bytes += bytes;
                scan.summary.rust_files += usize::from(rust);
                if rust {
                    scan.rust_files.push(file.clone());
                }
                if let Some(warning) = findings.unparsable {
                    scan.summary.unparsable += 1;
                    warnings.push(warning);
                }
                scan.secrets.extend(findings.secrets);
                scan.code.extend(findings.code);
                if findings.unsafe_counts != UnsafeCounts::default() {
                    scan.unsafe_counts.push((file, findings.unsafe_counts));
                }
            }
            FileOutcome::Large(warning) => {
                scan.summary.skipped_large += 1;
                warnings.push(warning);
            }
            FileOutcome::Binary => scan.summary.skipped_binary += 1,
            FileOutcome::Unreadable(warning) => warnings.push(warning),
        }
    }
    scan.secrets.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule.id).cmp(&(&b.file, b.line, b.column, &b.rule.id))
    });
    scan.code.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule.id).cmp(&(&b.file, b.line, b.column, &b.rule.id))
    });
    scan.unsafe_counts.sort_by(|a, b| a.0.cmp(&b.0));
    scan.rust_files.sort();
    scan.warnings = warnings;
    Ok(scan)
}

/// Every file the secrets check reads, sorted, with its kind and size.
fn walk(root: &Path) -> (Vec<(PathBuf, FileKind, u64)>, Vec<Warning>) {
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
                warnings.push(Warning {
                    code: "unreadable-path",
                    file: None,
                    message: format!(
                        "cannot read part of the tree ({}); the source checks skipped it",
                        crate::error::one_line(&err.to_string())
                    ),
                });
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

enum FileOutcome {
    Scanned {
        findings: FileFindings,
        file: String,
        bytes: u64,
        rust: bool,
    },
    Large(Warning),
    Binary,
    Unreadable(Warning),
}

fn scan_file(
    root: &Path,
    path: &Path,
    kind: FileKind,
    size: u64,
    options: &WalkOptions,
    checks: SourceChecks,
) -> FileOutcome {
    let relative = relative_display(path, root);
    if size > options.max_file_size {
        return FileOutcome::Large(Warning {
            code: "skipped-large-file",
            file: Some(relative),
            message: format!(
                "not {}: {size} bytes is over the {} byte limit; raise `[secrets] max-file-size` in warden.toml to include it",
                checks.purpose(),
                options.max_file_size
            ),
        });
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            return FileOutcome::Unreadable(Warning {
                code: "unreadable-file",
                file: Some(relative),
                message: format!("cannot read ({err}); it was not {}", checks.purpose()),
            })
        }
    };
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return FileOutcome::Binary;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return FileOutcome::Binary;
    };
    // One file the rules trip over must not end the whole scan: it becomes a warning.
    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_source(kind, &text, &relative, checks)
    }));
    let Ok(findings) = scanned else {
        proc_macro2::extra::invalidate_current_thread_spans();
        return FileOutcome::Unreadable(Warning {
            code: "scan-failed",
            file: Some(relative),
            message: "the source checks failed on this file (an internal error; please report it with the file); the rest of the scan went on".to_owned(),
        });
    };
    FileOutcome::Scanned {
        findings,
        file: relative,
        bytes: text.len() as u64,
        rust: kind == FileKind::Rust,
    }
}

/// The secrets in one file's text, suppressions applied; with a warning when a Rust file could
/// not be parsed (it is then read line by line).
pub fn secrets_in(
    kind: FileKind,
    text: &str,
    relative: &str,
    rules: &'static SecretRules,
) -> (Vec<SecretHit>, Option<Warning>) {
    let checks = SourceChecks {
        secrets: Some(rules),
        code: None,
    };
    let findings = check_source(kind, text, relative, checks);
    (findings.secrets, findings.unparsable)
}

/// The code rules' findings in one Rust file, suppressions applied.
pub fn code_in(text: &str, relative: &str, rules: &'static CodeRules) -> FileFindings {
    let checks = SourceChecks {
        secrets: None,
        code: Some(rules),
    };
    check_source(FileKind::Rust, text, relative, checks)
}

/// Every source check asked for, over one file: one parse for a Rust file, one walk of its
/// tree for both the secrets and the code rules.
pub fn check_source(
    kind: FileKind,
    text: &str,
    relative: &str,
    checks: SourceChecks,
) -> FileFindings {
    let path_is_test = is_test_path(relative);
    let lines: Vec<&str> = text.lines().collect();
    let mut findings = FileFindings::default();
    let flow_rules = match checks.secrets {
        Some(rules) => Some(rules),
        // The walk reads the secrets rules' value flow even when only the code rules run.
        None => SecretRules::embedded().ok(),
    };
    match kind {
        FileKind::Rust => match syn::parse_file(text) {
            Ok(file) => {
                if let Some(rules) = checks.secrets {
                    let literals = rust::literals(&file, rules.flow(), path_is_test);
                    findings.secrets = rust_secrets(literals, rules, relative, path_is_test);
                }
                if let (Some(rules), Some(flow_rules)) = (checks.code, flow_rules) {
                    let code = code_walk::walk(
                        &file,
                        &flow_rules.flow().name_macros,
                        code::CodeScan::new(rules, &lines),
                        path_is_test,
                    );
                    let (hits, counts) = code.finish();
                    findings.code = hits;
                    findings.unsafe_counts = counts;
                }
                // Spans of this file are no longer needed; without this the thread's source map
                // keeps every file ever parsed.
                proc_macro2::extra::invalidate_current_thread_spans();
            }
            Err(err) => {
                let at = err.span().start();
                proc_macro2::extra::invalidate_current_thread_spans();
                let fallback = if checks.secrets.is_some() {
                    "it was scanned line by line for known credential formats"
                } else {
                    "the code rules could not check it"
                };
                findings.unparsable = Some(Warning {
                    code: "unparsable-source",
                    file: Some(format!("{relative}:{}", at.line)),
                    message: format!("syn cannot parse this file ({err}); {fallback}"),
                });
                if let Some(rules) = checks.secrets {
                    findings.secrets =
                        text_secrets(text, Some("//"), rules, relative, path_is_test);
                }
            }
        },
        FileKind::Text(comment) => {
            if let Some(rules) = checks.secrets {
                findings.secrets = text_secrets(text, comment, rules, relative, path_is_test);
            }
        }
    }
    findings
        .secrets
        .retain(|hit| !suppressed(&lines, hit.line, &hit.rule.id, &["secret", "secrets"]));
    findings
        .code
        .retain(|hit| !suppressed(&lines, hit.line, &hit.rule.id, &["code"]));
    let mut seen: std::collections::HashMap<(String, String), usize> = Default::default();
    for hit in &mut findings.code {
        hit.file = relative.to_owned();
        hit.snippet = lines
            .get(hit.line.wrapping_sub(1))
            .map_or(String::new(), |l| l.trim().to_owned());
        let count = seen
            .entry((hit.rule.id.clone(), hit.snippet.clone()))
            .or_default();
        hit.occurrence = *count;
        *count += 1;
    }
    findings
}

fn rust_secrets(
    literals: Vec<Literal>,
    rules: &'static SecretRules,
    relative: &str,
    path_is_test: bool,
) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    for literal in literals {
        if literal.value.is_empty() {
            continue;
        }
        for hit in rules.check(&literal.value, &literal.slot) {
            let place = literal.place(hit.start);
            let single_line = place.end_line == place.line;
            hits.push(SecretHit {
                rule: hit.rule,
                file: relative.to_owned(),
                line: place.line,
                column: place.column,
                end_line: place.end_line,
                end_column: if single_line {
                    place.end_column
                } else {
                    place.column + 1
                },
                secret: literal.value[hit.range].to_owned(),
                context: hit.context,
                in_test: literal.in_test || path_is_test,
            });
        }
    }
    hits
}

fn text_secrets(
    text: &str,
    comment: Option<&str>,
    rules: &'static SecretRules,
    relative: &str,
    path_is_test: bool,
) -> Vec<SecretHit> {
    text::scan(rules, text, comment)
        .into_iter()
        .map(|hit| SecretHit {
            rule: hit.hit.rule,
            file: relative.to_owned(),
            line: hit.line,
            column: hit.column,
            end_line: hit.line,
            end_column: hit.end_column,
            secret: hit.secret,
            context: hit.hit.context,
            in_test: path_is_test,
        })
        .collect()
}

/// `// warden:allow(secret)` or `# warden:allow(<rule-id>, …)` on the line, or alone on the
/// line above (a trailing comment on the line above is about that line). `aliases` name the
/// whole check (`secret`, `code`).
pub fn suppressed(lines: &[&str], line: usize, rule: &str, aliases: &[&str]) -> bool {
    let allows = |text: &str| {
        let mut rest = text;
        while let Some(at) = rest.find("warden:allow(") {
            let after = &rest[at + "warden:allow(".len()..];
            let Some(end) = after.find(')') else {
                return false;
            };
            if after[..end]
                .split(',')
                .map(str::trim)
                .any(|id| id == rule || aliases.contains(&id))
            {
                return true;
            }
            rest = &after[end..];
        }
        false
    };
    let current = line.checked_sub(1).and_then(|i| lines.get(i));
    let above = line.checked_sub(2).and_then(|i| lines.get(i));
    let comment_only = |l: &str| {
        let l = l.trim_start();
        l.starts_with("//") || l.starts_with('#') || l.starts_with("/*") || l.starts_with(';')
    };
    current.is_some_and(|l| allows(l)) || above.is_some_and(|l| comment_only(l) && allows(l))
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
    }

    #[test]
    fn test_paths_are_by_directory() {
        assert!(is_test_path("tests/api.rs"));
        assert!(is_test_path("crates/x/examples/demo.rs"));
        assert!(!is_test_path("src/tests.rs"));
        assert!(!is_test_path("src/main.rs"));
    }

    #[test]
    fn suppression_reads_the_line_and_the_one_above() {
        let lines = [
            "// warden:allow(secret)",
            "let a = 1;",
            "let b = 2; // warden:allow(github-token, jwt)",
            "let c = 3;",
        ];
        let secret = &["secret", "secrets"];
        assert!(suppressed(&lines, 2, "hardcoded-secret", secret));
        assert!(suppressed(&lines, 3, "jwt", secret));
        assert!(!suppressed(&lines, 3, "hardcoded-secret", secret));
        // A trailing allow on the line above belongs to that line.
        assert!(!suppressed(&lines, 4, "jwt", secret));
        assert!(!suppressed(&lines, 11, "jwt", secret));
        // A check's name allows only that check's rules.
        assert!(!suppressed(&lines, 2, "static-mut", &["code"]));
    }
}
