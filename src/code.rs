//! Code hits from the source walk made into findings: the rule's severity (as configured, and
//! lowered for test code), a fingerprint that survives lines moving, the user's exclusions and
//! disabled rules; and the unsafe inventory grouped by package.

use crate::config::{CodeSettings, TestSeverity};
use crate::report::{self, Detection, FindingKind, SourcePlace, UnsafeInventory};
use crate::source::{CodeHit, UnsafeCounts};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A package as the inventory knows it: name, manifest and crate root files (all relative).
type PackageFiles = (String, String, Vec<String>);

/// `[code] exclude` and disabled rules, compiled.
pub(crate) struct CodeFilter<'s> {
    exclude: Option<globset::GlobSet>,
    settings: &'s CodeSettings,
}

impl<'s> CodeFilter<'s> {
    /// Globs were validated when the config was read; one that fails here excludes nothing.
    pub(crate) fn new(settings: &'s CodeSettings) -> Self {
        let exclude = (!settings.exclude.is_empty()).then(|| {
            let mut builder = globset::GlobSetBuilder::new();
            for glob in &settings.exclude {
                if let Ok(glob) = globset::Glob::new(glob) {
                    builder.add(glob);
                }
            }
            builder
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty())
        });
        CodeFilter { exclude, settings }
    }

    pub(crate) fn excludes(&self, file: &str) -> bool {
        self.exclude.as_ref().is_some_and(|set| set.is_match(file))
    }

    pub(crate) fn keeps(&self, hit: &CodeHit) -> bool {
        !self.excludes(&hit.file)
            && self
                .settings
                .rules
                .get(&hit.rule.id)
                .is_none_or(|rule| rule.enabled)
    }
}

pub(crate) fn detection(hit: &CodeHit, settings: &CodeSettings) -> Detection {
    let configured = settings
        .rules
        .get(&hit.rule.id)
        .and_then(|rule| rule.severity)
        .or(hit.rule.severity);
    // Code in tests does not ship; its findings still show, at the lowest tier by default.
    let rule_severity = TestSeverity::apply(settings.test_severity, configured, hit.in_test);
    let mut description = format!("{}: {}", hit.rule.title, hit.what);
    if hit.in_test {
        description.push_str(" (in test code)");
    }
    Detection::in_source(
        FindingKind::Code,
        hit.rule,
        SourcePlace {
            file: &hit.file,
            line: hit.line,
            column: hit.column,
            end_column: hit.end_column,
            end_line: hit.line,
        },
        description,
        rule_severity,
        // The line's text, not its number: a finding keeps its identity (and its clock) when
        // code above it moves. Repeats of the same line in a file are told apart by position.
        report::fingerprint(&[
            "code",
            &hit.rule.id,
            &hit.file,
            &hit.snippet,
            &hit.occurrence.to_string(),
        ]),
    )
}

/// Unsafe counts per file, summed per package (the nearest `Cargo.toml` with a `[package]`
/// above each file). Every package with Rust files is listed, including those without unsafe
/// code, so a crate's `#![forbid(unsafe_code)]` shows.
pub(crate) fn inventory(
    root: &Path,
    rust_files: &[String],
    counts: &[(String, UnsafeCounts)],
    filter: &CodeFilter<'_>,
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
    let text = std::fs::read_to_string(&manifest).ok()?;
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
