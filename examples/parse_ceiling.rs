//! The ceiling for any syn-based scan: read and `syn::parse_file` every `.rs` file under a
//! directory, in parallel, and nothing else. `.ci/bench-source` runs it beside the secrets
//! check on the same files, so the check's cost above bare parsing is visible.
//!
//! Files over 1 MiB are skipped, as the secrets check's default `max-file-size` does, so both
//! read the same Rust.
//!
//! Usage: `cargo run --release --example parse_ceiling -- DIR`

use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_ceiling DIR");
        std::process::exit(2);
    };
    let started = Instant::now();
    let files: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(&root)
        .require_git(false)
        .hidden(false)
        .build()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.len() <= cargo_warden::source::DEFAULT_MAX_FILE_SIZE)
        })
        .map(ignore::DirEntry::into_path)
        .collect();
    let (bytes, failed): (u64, usize) = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 1);
            };
            let parsed = syn::parse_file(&text).is_ok();
            proc_macro2::extra::invalidate_current_thread_spans();
            (text.len() as u64, usize::from(!parsed))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB parsed in {seconds:.2} s: {:.1} MB/s ({failed} failed to parse)",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds
    );
}
