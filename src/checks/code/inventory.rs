//! The unsafe inventory: unsafe code per package (test code left out), what a reviewer weighs
//! before trusting a crate. Information only: it never gates. It is the code check's section of
//! the report (the JSON `unsafe_inventory`, a line per package in the human report, a SARIF run
//! property).

use super::findings::CodeFilter;
use super::scan::UnsafeCounts;
use crate::report::{plural, Role, Section};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A package as the inventory knows it: name, manifest and crate root files (all relative).
type PackageFiles = (String, String, Vec<String>);

/// One package's unsafe code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnsafeInventory {
    /// `None` for Rust files outside any package.
    pub package: Option<String>,
    /// Its Cargo.toml, relative to the scan root.
    pub manifest: Option<String>,
    /// Rust files read, and how many of them hold unsafe code.
    pub files: usize,
    pub files_with_unsafe: usize,
    pub unsafe_blocks: usize,
    pub unsafe_fns: usize,
    pub unsafe_impls: usize,
    pub unsafe_traits: usize,
    /// The crate root declares `#![forbid(unsafe_code)]`.
    pub forbids_unsafe_code: bool,
}

/// The code check's report section: its inventory.
pub(super) fn section(inventory: Vec<UnsafeInventory>) -> Section {
    let mut section = Section::empty(
        super::NAME,
        Role::Check {
            selected: true,
            reads_source_files: true,
        },
    );
    section.inventory = inventory.iter().map(unsafe_line).collect();
    section.sarif.insert(
        "unsafe_inventory".to_owned(),
        serde_json::to_value(&inventory).unwrap_or_default(),
    );
    section.json.push(("unsafe_inventory", Box::new(inventory)));
    section
}

/// One package's unsafe inventory, for people.
fn unsafe_line(package: &UnsafeInventory) -> String {
    let name = package
        .package
        .as_deref()
        .unwrap_or("(files outside any package)");
    let counts = [
        (package.unsafe_blocks, "block"),
        (package.unsafe_fns, "fn"),
        (package.unsafe_impls, "impl"),
        (package.unsafe_traits, "trait"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| plural(*count, what))
        .collect();
    let mut line = if parts.is_empty() {
        format!("unsafe code in {name}: none")
    } else {
        format!(
            "unsafe code in {name}: {} in {} of {}",
            parts.join(", "),
            package.files_with_unsafe,
            plural(package.files, "file")
        )
    };
    if package.forbids_unsafe_code {
        line.push_str(" (#![forbid(unsafe_code)])");
    }
    line
}

/// Unsafe counts per file, summed per package (the nearest `Cargo.toml` with a `[package]`
/// above each file). Every package with Rust files is listed, including those without unsafe
/// code, so a crate's `#![forbid(unsafe_code)]` shows.
pub(super) fn inventory(
    root: &Path,
    rust_files: &[String],
    counts: &[(String, UnsafeCounts)],
    filter: &CodeFilter,
) -> Vec<UnsafeInventory> {
    let counts: HashMap<&str, &UnsafeCounts> =
        counts.iter().map(|(f, c)| (f.as_str(), c)).collect();
    let mut manifests: HashMap<PathBuf, Option<PackageFiles>> = HashMap::new();
    let mut packages: std::collections::BTreeMap<String, UnsafeInventory> = Default::default();
    for file in rust_files {
        if filter.excludes(file) {
            continue;
        }
        let package = package_of(root, file, &mut manifests);
        let key = package.as_ref().map_or_else(String::new, |p| p.1.clone());
        let entry = packages.entry(key).or_insert_with(|| UnsafeInventory {
            package: package.as_ref().map(|p| p.0.clone()),
            manifest: package.as_ref().map(|p| p.1.clone()),
            files: 0,
            files_with_unsafe: 0,
            unsafe_blocks: 0,
            unsafe_fns: 0,
            unsafe_impls: 0,
            unsafe_traits: 0,
            forbids_unsafe_code: false,
        });
        entry.files += 1;
        let Some(found) = counts.get(file.as_str()) else {
            continue;
        };
        let any = found.blocks + found.functions + found.impls + found.traits > 0;
        entry.files_with_unsafe += usize::from(any);
        entry.unsafe_blocks += found.blocks;
        entry.unsafe_fns += found.functions;
        entry.unsafe_impls += found.impls;
        entry.unsafe_traits += found.traits;
        if found.forbids_unsafe
            && package
                .as_ref()
                .is_some_and(|(_, _, roots)| roots.iter().any(|r| r == file))
        {
            entry.forbids_unsafe_code = true;
        }
    }
    packages.into_values().collect()
}

/// The package a file belongs to: its name, manifest path and crate root files (relative).
fn package_of(
    root: &Path,
    file: &str,
    manifests: &mut HashMap<PathBuf, Option<PackageFiles>>,
) -> Option<PackageFiles> {
    let mut dir = Path::new(file).parent();
    while let Some(current) = dir {
        let found = manifests
            .entry(current.to_path_buf())
            .or_insert_with(|| read_package(root, current))
            .clone();
        if found.is_some() {
            return found;
        }
        dir = current.parent();
    }
    None
}

fn read_package(root: &Path, dir: &Path) -> Option<PackageFiles> {
    let manifest = root.join(dir).join("Cargo.toml");
    let text = crate::read::read_text_capped(&manifest, crate::read::caps::MANIFEST).ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    let name = value.get("package")?.get("name")?.as_str()?.to_owned();
    let prefix = if dir.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", dir.display()).replace('\\', "/")
    };
    let lib = value
        .get("lib")
        .and_then(|lib| lib.get("path"))
        .and_then(|p| p.as_str())
        .unwrap_or("src/lib.rs");
    let roots = vec![format!("{prefix}{lib}"), format!("{prefix}src/main.rs")];
    Some((name, format!("{prefix}Cargo.toml"), roots))
}
