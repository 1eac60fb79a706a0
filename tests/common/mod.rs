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
