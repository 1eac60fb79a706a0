//! The library's one error type.
//!
//! Every variant carries the file (and, where there is one, the line) it is about, so the CLI can
//! print a single line that tells the user what to fix without a backtrace or a second lookup.

use std::path::PathBuf;

/// Why a scan could not go on. Problems a scan can step over (a malformed advisory, a failed
/// `cargo metadata`) are [`crate::report::Warning`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such file or directory; pass a workspace directory, a Cargo.toml or a Cargo.lock", path.display())]
    PathNotFound { path: PathBuf },

    #[error("{}: no Cargo.lock found; run `cargo generate-lockfile` in the workspace first", path.display())]
    NoLockfile { path: PathBuf },

    #[error("{}: the sources of {count} locked crates are not on this machine ({names}) and `[supply-chain] require-sources` is set; run `cargo fetch` (or `cargo vendor`) in the workspace, or scan without --offline", lockfile.display())]
    MissingCrateSources {
        lockfile: PathBuf,
        count: usize,
        names: String,
    },

    #[error("{}: {problem}, and no other lockfile was found; fix or remove it (or regenerate it with `cargo generate-lockfile`)", path.display())]
    UnusableLockfile { path: PathBuf, problem: String },

    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: not a text file (is it binary or corrupted?); regenerate it with `cargo generate-lockfile`", path.display())]
    NotText { path: PathBuf },

    #[error("{}: unsupported Cargo.lock version {version}; cargo-warden reads versions 1 to 4, so upgrade cargo-warden", path.display())]
    UnsupportedLockfileVersion { path: PathBuf, version: String },

    #[error("{}:{line}: invalid Cargo.lock: {message}", path.display())]
    Lockfile {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("{}: advisory database not found; run `cargo warden fetch --db {}` (or `git clone https://github.com/rustsec/advisory-db {}`), or pass --db DIR", path.display(), path.display(), path.display())]
    DatabaseNotFound { path: PathBuf },

    #[error("{}: not a RustSec advisory database (it has no crates/ directory); pass --db with a checkout of rustsec/advisory-db", path.display())]
    NotADatabase { path: PathBuf },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}: {command} failed: {reason}; run `cargo update` (or `cargo fetch`) there, or drop --locked/--frozen to fall back to the lockfile graph", path.display())]
    CargoMetadata {
        path: PathBuf,
        command: String,
        reason: String,
    },

    #[error("{}: settings here and in Cargo.toml's `[workspace.metadata.warden]` or `[package.metadata.warden]`; keep one", path.display())]
    SettingsTwice { path: PathBuf },

    #[error("{}: cannot walk directory: {message}", path.display())]
    Walk { path: PathBuf, message: String },

    #[error("{}: cannot use these OSV records: {message}", path.display())]
    OsvSource { path: PathBuf, message: String },

    #[error("{}: holds no advisories (an empty or wrong directory, or every file malformed); point --db or --osv at advisory data, or run `cargo warden fetch`", path.display())]
    NoAdvisories { path: PathBuf },

    #[error("{}: cannot fetch the advisory database from {url}: {message}", path.display())]
    Fetch {
        path: PathBuf,
        url: String,
        message: String,
    },

    #[error("{}: the advisory database is {age} days old (last updated {updated}, allowed {max_age}); refresh it with `cargo warden fetch --db {}` or raise `max-age` in warden.toml", path.display(), path.display())]
    StaleDatabase {
        path: PathBuf,
        updated: String,
        age: i64,
        max_age: u32,
    },

    #[error("{}: {message}", path.display())]
    Vex { path: PathBuf, message: String },

    #[error("{}: {message}", path.display())]
    Kev { path: PathBuf, message: String },

    #[error("policy `{policy}` needs the Known Exploited Vulnerabilities catalog; download it from {url} and pass `--kev FILE` (or set `kev` in `[advisories]`)")]
    KevRequired { policy: String, url: &'static str },

    #[error("{}: --new-since {reference}: {message}", path.display())]
    NewSince {
        path: PathBuf,
        reference: String,
        message: String,
    },

    #[error("scanning the base of --new-since {reference}: {message}")]
    BaseScan { reference: String, message: String },

    #[error("the gate condition `new` needs a base to compare with: pass --new-since REF (on a pull request, its base branch), or drop `new` from --fail-on and `[gate] fail-on`")]
    NewWithoutBase,

    /// The embedded rule files are checked by the test suite; this only fires for a broken build.
    #[error("the built-in rules are invalid ({message}); this is a bug in cargo-warden, please report it")]
    Rules { message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line and column of a byte offset, for messages that point into a text file.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

/// Where each line of a text starts, for turning many byte offsets into lines: one pass over the
/// text, then a binary search per offset (a settings file with 100,000 ignores would otherwise
/// be read from the top once per entry).
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    pub(crate) fn new(text: &str) -> LineStarts {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
        LineStarts(std::iter::once(0).chain(newlines.map(|i| i + 1)).collect())
    }

    /// 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// Parser messages (TOML's, RustSec's) can span lines; ours are one line.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{line_col, LineStarts};

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\nef";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 1), (1, 2));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (3, 2));
        assert_eq!(line_col(text, 100), (3, 3));
    }

    #[test]
    fn line_starts_agree_with_line_col() {
        let text = "ab\ncd\n\nef\n";
        let starts = LineStarts::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                starts.line(offset),
                line_col(text, offset).0,
                "offset {offset}"
            );
        }
    }
}
