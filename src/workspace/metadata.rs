//! Enriching a lockfile graph with `cargo metadata`: dependency kinds and the real list of
//! workspace members. Always run with `--locked`: the scan judges the lockfile as committed and
//! never rewrites it. `--offline` is the user's, as in cargo. When cargo cannot answer, the
//! lockfile graph stands (or, if the user asked for `--locked`, the scan stops).
//!
//! The scanned tree is untrusted, and cargo and rustup take orders from the directory they run
//! in: `.cargo/config.toml` names programs (`rustc-wrapper`, `rustc`), `rust-toolchain.toml` can
//! name a toolchain by path. So cargo runs in an empty directory of its own, with the manifest
//! given by absolute path; the toolchain is the user's default (a toolchain that rustup picked
//! from the tree's file for this process is dropped), and the variables that name programs for
//! cargo are removed. `cargo metadata` itself builds nothing and runs no build script.

use super::bounded_child::{self, Failure, Limits};
use super::graph::{EdgeKinds, Graph};
use super::lockfile::Workspace;
use super::GraphSource;
use cargo_metadata::{DependencyKind, MetadataCommand};
use std::collections::HashMap;

/// Cargo's own flags for `cargo metadata`, as the user gave them (`--frozen` is both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CargoFlags {
    /// The user asked for `--locked`: a lockfile cargo cannot use as is stops the scan.
    pub locked: bool,
    /// No network for cargo either.
    pub offline: bool,
}

impl CargoFlags {
    /// What runs, for messages: `cargo metadata --locked --offline`.
    pub fn command_line(self) -> String {
        let mut line = "cargo metadata --locked".to_owned();
        if self.offline {
            line.push_str(" --offline");
        }
        line
    }
}

/// Replaces the workspace's graph with the one cargo resolves. On failure the graph is left as it
/// was and the reason comes back, for the caller to report once.
pub fn enrich(
    workspace: &mut Workspace,
    root: &std::path::Path,
    flags: CargoFlags,
    cargo_home: Option<&std::path::Path>,
) -> Result<(), String> {
    if workspace
        .lockfile
        .file_name()
        .is_none_or(|name| name != "Cargo.lock")
    {
        return Err("not named Cargo.lock, so it belongs to no manifest".to_owned());
    }
    let manifest = workspace.lockfile.with_file_name("Cargo.toml");
    if !manifest.is_file() {
        return Err("no Cargo.toml beside it".to_owned());
    }
    if flags.offline {
        if let Some(reason) = not_downloaded(workspace, cargo_home) {
            return Err(reason);
        }
    }
    let (manifest, neutral) = prepare(&manifest)?;
    let mut command = MetadataCommand::new();
    // The cargo home the scan looked in is the one cargo uses.
    if let Some(home) = cargo_home {
        command.env("CARGO_HOME", home);
    }
    command
        // `cargo` from PATH, not `$CARGO`: that is whichever cargo started this process, which a
        // toolchain file in the tree may have chosen.
        .cargo_path("cargo")
        .current_dir(neutral.path())
        .manifest_path(&manifest)
        // Cargo's message goes into reports; `CARGO_TERM_COLOR=always` meant our output.
        .env("CARGO_TERM_COLOR", "never");
    for variable in removed_variables() {
        command.env_remove(variable);
    }
    command.other_options(
        std::iter::once("--locked")
            .chain(flags.offline.then_some("--offline"))
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    );
    let stdout =
        bounded_child::run(command.cargo_command(), Limits::CARGO_METADATA).map_err(|failure| {
            match failure {
                Failure::Spawn(err) => format!("cannot run cargo ({err})"),
                Failure::Killed(why) => format!("stopped: it {why}"),
                Failure::TooMuchOutput => {
                    "cargo metadata wrote more output than any real workspace's".to_owned()
                }
                Failure::Exited(stderr) => summarize(&stderr),
            }
        })?;
    let stdout = String::from_utf8(stdout)
        .map_err(|_| "cargo metadata wrote text that is not UTF-8".to_owned())?;
    // As cargo_metadata's own `exec`: the JSON is the line that starts with `{`; a proxy or
    // wrapper may print other lines.
    let json = stdout
        .lines()
        .find(|line| line.starts_with('{'))
        .ok_or("cargo metadata printed no JSON")?;
    let metadata = MetadataCommand::parse(json).map_err(|err| summarize(&err.to_string()))?;
    let resolve = metadata
        .resolve
        .as_ref()
        .ok_or("cargo metadata returned no dependency resolution")?;

    let mut by_key: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (index, package) in workspace.packages.iter().enumerate() {
        by_key
            .entry((package.name.as_str(), package.version.to_string()))
            .or_default()
            .push(index);
    }
    let mut index_of_id: HashMap<&cargo_metadata::PackageId, usize> = HashMap::new();
    for package in &metadata.packages {
        let candidates = by_key
            .get(&(package.name.as_str(), package.version.to_string()))
            .ok_or_else(|| {
                format!(
                    "cargo metadata lists {} {}, which Cargo.lock does not",
                    package.name, package.version
                )
            })?;
        let source = package.source.as_ref().map(|s| s.repr.as_str());
        let chosen = candidates
            .iter()
            .copied()
            .find(|&i| {
                let locked = workspace.packages[i].source.as_ref().map(|s| s.to_string());
                match (source, locked.as_deref()) {
                    (None, None) => true,
                    // Git sources carry `#commit` in metadata; compare up to it.
                    (Some(meta), Some(lock)) => meta.split('#').next() == lock.split('#').next(),
                    _ => false,
                }
            })
            .unwrap_or(candidates[0]);
        index_of_id.insert(&package.id, chosen);
    }

    let mut edges: Vec<Vec<(usize, EdgeKinds)>> = vec![Vec::new(); workspace.packages.len()];
    for node in &resolve.nodes {
        let Some(&from) = index_of_id.get(&node.id) else {
            continue;
        };
        for dep in &node.deps {
            let Some(&to) = index_of_id.get(&dep.pkg) else {
                continue;
            };
            let kinds = dep
                .dep_kinds
                .iter()
                .fold(EdgeKinds::NONE, |acc, info| acc.union(edge_kind(info.kind)));
            // Metadata from old cargo versions has no dep_kinds; treat the edge as every kind.
            let kinds = if kinds == EdgeKinds::NONE {
                EdgeKinds::UNKNOWN
            } else {
                kinds
            };
            edges[from].push((to, kinds));
        }
        edges[from].sort_unstable_by_key(|(to, _)| *to);
    }
    let members: Vec<usize> = metadata
        .workspace_members
        .iter()
        .filter_map(|id| index_of_id.get(id).copied())
        .collect();
    if members.is_empty() {
        return Err("cargo metadata named no workspace member found in Cargo.lock".to_owned());
    }
    for package in metadata.packages.iter().filter(|p| p.source.is_none()) {
        if let Some(&index) = index_of_id.get(&package.id) {
            if let Some(manifest) = super::Manifest::read(package.manifest_path.as_std_path(), root)
            {
                workspace.manifests.insert(index, manifest);
            }
        }
    }
    workspace.graph = Graph::new(edges, members.clone(), members, true);
    workspace.graph_source = GraphSource::CargoMetadata;
    Ok(())
}

/// Offline, cargo metadata answers only from crates already downloaded; when a locked registry
/// crate is neither in cargo's download cache nor unpacked, it would search, fail and say so
/// (a quarter of a second on an 800-crate workspace). The reason it would fail, said at once;
/// `None` when every registry crate is there or this cannot tell (a source replacement in the
/// cargo home's config puts crates elsewhere; git and path packages are cargo's to judge).
fn not_downloaded(workspace: &Workspace, cargo_home: Option<&std::path::Path>) -> Option<String> {
    let home = cargo_home?;
    // The configs cargo reads from its empty run directory: the cargo home's, and those of the
    // directories above the temporary one it runs in.
    let run_dir = std::env::temp_dir();
    let dirs = std::iter::once(home.to_path_buf())
        .chain(run_dir.ancestors().map(|dir| dir.join(".cargo")));
    for dir in dirs {
        for name in ["config.toml", "config"] {
            let file = dir.join(name);
            if !file.exists() {
                continue;
            }
            let replaces_sources =
                crate::read::read_text_capped(&file, crate::read::caps::MANIFEST)
                    .ok()
                    .and_then(|text| text.parse::<toml::Table>().ok())
                    .is_none_or(|table| table.contains_key("source"));
            // A source replacement (or a config this cannot read) may put crates elsewhere.
            if replaces_sources {
                return None;
            }
        }
    }
    let dirs = |kind: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(home.join("registry").join(kind))
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let (cache, unpacked) = (dirs("cache"), dirs("src"));
    let mut missing = Vec::new();
    for package in &workspace.packages {
        let Some(source) = &package.source else {
            continue;
        };
        if !source.is_remote_registry() {
            continue;
        }
        // The name becomes part of a path: only what a registry allows in one.
        if !super::is_crate_name(&package.name) {
            return None;
        }
        let stem = format!("{}-{}", package.name, package.version);
        let present = cache
            .iter()
            .any(|dir| dir.join(format!("{stem}.crate")).is_file())
            || unpacked.iter().any(|dir| dir.join(&stem).is_dir());
        if !present {
            missing.push(format!("{} {}", package.name, package.version));
        }
    }
    let first = missing.first()?;
    let more = match missing.len() - 1 {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "not run: {first}{more} locked, not downloaded, and --offline forbids fetching"
    ))
}

/// What a cargo run on the tree needs first: the manifest by absolute path, checked for files
/// cargo would hang on, and an empty directory to run in.
fn prepare(manifest: &std::path::Path) -> Result<(std::path::PathBuf, tempfile::TempDir), String> {
    let manifest = manifest
        .canonicalize()
        .map_err(|err| format!("cannot resolve its Cargo.toml: {err}"))?;
    if let Some(problem) = manifest.parent().and_then(special_manifest) {
        return Err(problem);
    }
    let neutral = tempfile::tempdir()
        .map_err(|err| format!("cannot make an empty directory to run cargo in: {err}"))?;
    Ok((manifest, neutral))
}

/// A `Cargo.toml` under `dir` that cargo could not read to its end: a FIFO (cargo would wait
/// forever) or a device or a link to one (`/dev/zero`: cargo would read until memory ran out).
/// A dangling link or a directory of that name is not one: cargo fails on it at once. Members
/// and path dependencies are usually under the workspace's directory, so this catches a tree
/// built to stall cargo before it runs; linked directories are followed (a member may be a link
/// to elsewhere in the tree), and the bounds on the run catch the rest.
fn special_manifest(dir: &std::path::Path) -> Option<String> {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && matches!(
                    entry.file_name().to_str(),
                    Some("target" | ".git" | "node_modules")
                ))
        })
        .build();
    walker.flatten().find_map(|entry| {
        if entry.file_name() != "Cargo.toml" {
            return None;
        }
        let special = std::fs::metadata(entry.path()).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let shown = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        special.then(|| {
            format!(
                "not run: {} is not a regular file (a FIFO or a device), which cargo would wait on or read forever",
                shown.display()
            )
        })
    })
}

/// Variables that make cargo run a program in place of, or around, rustc (which `cargo
/// metadata` asks for the host's target). Any of them in this process may come from the tree's
/// `.cargo/config.toml` `[env]` when `cargo warden` was started from inside it.
const PROGRAM_VARIABLES: [&str; 7] = [
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO",
];

/// What a cargo run on the untrusted tree must not inherit: the program variables and, unless the
/// user chose it, the toolchain rustup picked from the tree.
fn removed_variables() -> Vec<&'static str> {
    let mut removed = PROGRAM_VARIABLES.to_vec();
    if !toolchain_chosen_by_user() {
        removed.extend(["RUSTUP_TOOLCHAIN", "RUSTUP_TOOLCHAIN_SOURCE"]);
    }
    removed
}

/// Downloads the sources of every package a lockfile locks with `cargo fetch --locked`, under
/// the same rules as `cargo metadata` above: from an empty directory of its own, the manifest by
/// absolute path, no program variables, bounded. `cargo fetch` only downloads and unpacks; it
/// builds nothing and runs no build script.
pub fn fetch_sources(
    lockfile: &std::path::Path,
    cargo_home: Option<&std::path::Path>,
) -> Result<(), String> {
    let (manifest, neutral) = prepare(&lockfile.with_file_name("Cargo.toml"))?;
    let mut command = std::process::Command::new("cargo");
    command
        .current_dir(neutral.path())
        .args(["fetch", "--locked", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TERM_COLOR", "never");
    for variable in removed_variables() {
        command.env_remove(variable);
    }
    if let Some(home) = cargo_home {
        command.env("CARGO_HOME", home);
    }
    bounded_child::run(command, Limits::CARGO_METADATA)
        .map(|_| ())
        .map_err(|failure| match failure {
            Failure::Spawn(err) => format!("cannot run cargo ({err})"),
            Failure::Killed(why) => format!("stopped: it {why}"),
            Failure::TooMuchOutput => "cargo fetch wrote more output than expected".to_owned(),
            Failure::Exited(stderr) => summarize(&stderr),
        })
}

/// Whether `RUSTUP_TOOLCHAIN` is the user's choice (`cargo +nightly warden`, or set by hand)
/// rather than read by rustup from a `rust-toolchain.toml` in the scanned tree.
fn toolchain_chosen_by_user() -> bool {
    matches!(
        std::env::var("RUSTUP_TOOLCHAIN_SOURCE").as_deref(),
        Ok("cli" | "env")
    )
}

fn edge_kind(kind: DependencyKind) -> EdgeKinds {
    match kind {
        DependencyKind::Normal => EdgeKinds::NORMAL,
        DependencyKind::Build => EdgeKinds::BUILD,
        DependencyKind::Development => EdgeKinds::DEV,
        _ => EdgeKinds::UNKNOWN,
    }
}

/// Cargo's errors run to many lines: progress notes ("Blocking waiting for file lock ..."), the
/// error, then context. The first `error:` line is the one that matters.
fn summarize(message: &str) -> String {
    let message = message
        .trim()
        .strip_prefix("`cargo metadata` exited with an error:")
        .unwrap_or(message);
    let lines = || message.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find_map(|l| l.strip_prefix("error:"))
        .or_else(|| lines().next())
        .unwrap_or("cargo metadata failed");
    line.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::summarize;

    #[test]
    fn summary_skips_progress_notes() {
        let message = "`cargo metadata` exited with an error:     Blocking waiting for file lock on package cache\nerror: no matching package named `serde_yaml` found\nlocation searched: crates.io index";
        assert_eq!(
            summarize(message),
            "no matching package named `serde_yaml` found"
        );
    }
}
