//! Entry points for the fuzz targets in `fuzz/` and for `cargo test`'s replay of the inputs they
//! found (`tests/fuzz_regressions.rs`). Each takes the bytes of a hostile file and does with them
//! what a scan does with such a file, so the fuzzer and the replay exercise the same code. What
//! they check is only that each returns: errors are fine, a panic, an abort or a hang is not.
//!
//! They live in the library (not in `fuzz/`) because they reach parsers that are not part of its
//! public interface, and because the replay test must run them on stable, where `fuzz/` (nightly
//! only) does not build.

use crate::checks::advisories::{self, fix_for, Advisory};
use crate::checks::code::{CodePass, CodeSettings};
use crate::checks::secrets::{SecretSettings, SecretsPass};
use crate::date::Date;
use crate::finding::Severity;
use crate::policy::Policy;
use crate::source::{scan_text, FileKind, SourcePass};
use semver::Version;
use std::path::Path;
use std::sync::{Once, OnceLock};

/// A fuzz target's entry point: any bytes in, a panic or abort out when something is wrong.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/` and `fixtures/fuzz-regressions/` name them.
pub const TARGETS: [(&str, Target); 8] = [
    ("lockfile", lockfile),
    ("osv_record", osv_record),
    ("rustsec_advisory", rustsec_advisory),
    ("settings", settings),
    ("policy_file", policy_file),
    ("rust_source", rust_source),
    ("text_file", text_file),
    ("dependency_code", dependency_code),
];

/// A panic the scan catches and reports (see [`crate::catch`]) is not a crash; libFuzzer's hook
/// aborts on every panic, so it is wrapped to let those through, as the binary's hook does.
fn caught_panics_are_not_crashes() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !crate::catch::catching() {
                previous(info);
            }
        }));
    });
}

/// A Cargo.lock: parsed, its graph built, and each package's path and dependency kind worked
/// out as findings need them. The name is not `Cargo.lock`, so no manifest beside it is read.
pub fn lockfile(bytes: &[u8]) {
    caught_panics_are_not_crashes();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    assert!(
        crate::workspace::readers_agree(text),
        "the line reader and the TOML parser read this lockfile differently"
    );
    let Ok(workspace) = crate::workspace::from_text(Path::new("fuzz.lock"), Path::new(""), text)
    else {
        return;
    };
    for index in 0..workspace.packages.len() {
        let info = workspace
            .graph
            .dependency_info(index, |i| workspace.packages[i].label());
        std::hint::black_box(info);
    }
}

/// One OSV record: parsed and converted, then matched and fixed as a scan would.
pub fn osv_record(bytes: &[u8]) {
    caught_panics_are_not_crashes();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(found) = advisories::osv::parse_text("fuzz.json", text) {
        found.iter().for_each(exercise);
    }
}

/// One RustSec advisory file (Markdown with a TOML front block): parsed and converted, then
/// matched and fixed as a scan would.
pub fn rustsec_advisory(bytes: &[u8]) {
    caught_panics_are_not_crashes();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(parsed) = advisories::rustsec::parse_text(text, None) {
        advisories::rustsec::convert(parsed)
            .iter()
            .for_each(exercise);
    }
}

/// What a scan asks of an advisory: whether versions are affected, the fix for them, and its
/// description under the default policy.
fn exercise(advisory: &Advisory) {
    static VERSIONS: OnceLock<Vec<Version>> = OnceLock::new();
    let versions = VERSIONS.get_or_init(|| {
        [
            "0.0.0",
            "0.1.0",
            "1.0.0",
            "1.2.3-alpha.1",
            "2.0.0+build",
            "18446744073709551615.0.0",
        ]
        .iter()
        .filter_map(|v| Version::parse(v).ok())
        .collect()
    });
    for version in versions {
        std::hint::black_box(advisory.affects(version));
        std::hint::black_box(fix_for(advisory, &advisory.package, version));
    }
    std::hint::black_box(advisory.markdown(default_policy()));
}

fn default_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::default_preset(&crate::checks::kinds()))
}

/// Settings, both as a warden.toml and as a Cargo.toml's `[package.metadata.warden]`.
pub fn settings(bytes: &[u8]) {
    caught_panics_are_not_crashes();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let _ = crate::config::parse(text, Path::new("warden.toml"));
    let _ = crate::config::parse_manifest_metadata(text, Path::new("Cargo.toml"));
}

/// A policy file: parsed, then asked for due dates from the dates around the calendar's edges.
pub fn policy_file(bytes: &[u8]) {
    caught_panics_are_not_crashes();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(policy) = Policy::parse(text, Path::new("policy.toml"), &crate::checks::kinds()) else {
        return;
    };
    let starts = [(1970, 1, 1), (2026, 12, 31), (2028, 2, 29), (9999, 12, 31)];
    for (year, month, day) in starts {
        let Some(start) = Date::from_ymd(year, month, day) else {
            continue;
        };
        for severity in Severity::ALL {
            std::hint::black_box(policy.due(start, severity));
        }
    }
}

/// A Rust file, through every source pass (code and secrets), decoded as the walk decodes it.
pub fn rust_source(bytes: &[u8]) {
    scan_decoded(bytes, &[FileKind::Rust]);
}

/// A dependency's Rust file, through the supply-chain lexer (the unsafe inventory) and the
/// build-time capability reading, as a build script would be read: bytes as they are on disk,
/// never decoded first.
pub fn dependency_code(bytes: &[u8]) {
    std::hint::black_box(crate::checks::supply_chain::lex(bytes));
    std::hint::black_box(crate::checks::supply_chain::build_script_evidence(bytes));
}

/// A configuration or key file, through the secrets pass, with and without a comment prefix.
pub fn text_file(bytes: &[u8]) {
    scan_decoded(bytes, &[FileKind::Text(Some("#")), FileKind::Text(None)]);
}

fn scan_decoded(bytes: &[u8], kinds: &[FileKind]) {
    caught_panics_are_not_crashes();
    let Some(text) = crate::source::decode_text(bytes.to_vec()) else {
        return;
    };
    let passes = passes();
    let passes: Vec<&dyn SourcePass> = vec![&passes.0, &passes.1];
    // The scan runs source passes on threads with a stack sized for its depth bounds; so does
    // this, so a deep input fails here only where it would fail in a scan. A panic on the thread
    // is passed on, for the fuzzer to see.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(crate::source::WORKER_STACK)
            .spawn_scoped(scope, || {
                for &kind in kinds {
                    std::hint::black_box(scan_text(kind, &text, "src/fuzz.rs", &passes));
                }
            })
            .expect("a thread for the source passes");
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

fn passes() -> &'static (CodePass, SecretsPass) {
    static PASSES: OnceLock<(CodePass, SecretsPass)> = OnceLock::new();
    PASSES.get_or_init(|| {
        let code = CodePass::new(CodeSettings::default()).expect("the embedded code rules load");
        let secrets =
            SecretsPass::new(SecretSettings::default()).expect("the embedded secrets rules load");
        (code, secrets)
    })
}
