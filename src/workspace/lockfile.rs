//! Reading one Cargo.lock (format versions 1 to 4) into packages and a dependency graph, and
//! finding the manifests of the workspace it locks.

use super::graph::{EdgeKinds, Graph};
use super::GraphSource;
use crate::error::{Error, Result};
use crate::paths::relative_display;
use crate::read::{caps, read_capped, read_text_capped};
use rustsec::cargo_lock::SourceId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One `[[package]]` entry.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: semver::Version,
    pub source: Option<SourceId>,
    /// 1-based line of the entry's `name = "..."` key, where findings point.
    pub line: usize,
    /// The SHA-256 of the `.crate` file, hex (v2 lockfiles and later, registry packages only).
    pub checksum: Option<String>,
}

impl LockedPackage {
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// A parsed lockfile and the graph over its packages.
#[derive(Debug)]
pub struct Workspace {
    pub lockfile: PathBuf,
    /// The lockfile's path relative to the scan root, as reports show it.
    pub display_path: String,
    pub packages: Vec<LockedPackage>,
    pub graph: Graph,
    pub graph_source: GraphSource,
    /// Each package's `dependencies` as the lockfile lists them (indices, sorted). Cargo metadata
    /// leaves out optional dependencies no enabled feature uses; the SBOM lists what is locked.
    pub locked_dependencies: Vec<Vec<usize>>,
    /// Manifests of the workspace's own packages that could be found, by package index: where a
    /// direct dependency is declared.
    pub manifests: HashMap<usize, Manifest>,
}

/// A workspace member's Cargo.toml, read once.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Relative to the scan root, `/` separators.
    pub display_path: String,
    pub text: String,
}

impl Manifest {
    pub fn read(path: &Path, root: &Path) -> Option<Manifest> {
        Some(Manifest {
            display_path: display_under(root, path),
            text: read_text_capped(path, caps::MANIFEST).ok()?,
        })
    }

    /// The line declaring `dependency` in any dependencies table (`name = ...`,
    /// `name.workspace = true`, `[dependencies.name]`, target-specific tables too): 1-based line,
    /// start column and exclusive end column of the key.
    pub fn dependency_line(&self, dependency: &str) -> Option<(usize, usize, usize)> {
        let same = |key: &str| {
            let key = key.trim().trim_matches('"');
            key == dependency || key.replace('_', "-") == dependency.replace('_', "-")
        };
        let mut in_dependencies = false;
        for (index, line) in self.text.lines().enumerate() {
            let trimmed = line.trim();
            let indent = line.len() - line.trim_start().len();
            if let Some(header) = trimmed.strip_prefix('[') {
                let header = header.trim_end_matches(']').trim();
                in_dependencies = header.ends_with("dependencies");
                if let Some((table, key)) = header.rsplit_once('.') {
                    if table.ends_with("dependencies") && same(key) {
                        return Some((index + 1, indent + 1, indent + 1 + trimmed.len()));
                    }
                }
                continue;
            }
            if !in_dependencies {
                continue;
            }
            let key = trimmed.split(['=', '.']).next().unwrap_or("");
            if !key.is_empty() && same(key) && trimmed.contains('=') {
                let key_len = key.trim_end().len();
                return Some((index + 1, indent + 1, indent + 1 + key_len));
            }
        }
        None
    }
}

/// `path` relative to `root` for display, also when one is absolute and the other is not.
pub(crate) fn display_under(root: &Path, path: &Path) -> String {
    if path.strip_prefix(root).is_ok() {
        return relative_display(path, root);
    }
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(path)) if path.starts_with(&root) => relative_display(&path, &root),
        _ => relative_display(path, Path::new("")),
    }
}

/// Cargo writes `version = N` at the top of v3 and later lockfiles; v1 and v2 have none.
const SUPPORTED_VERSIONS: std::ops::RangeInclusive<u32> = 1..=4;

pub fn load(path: &Path, root: &Path) -> Result<Workspace> {
    let bytes = read_capped(path, caps::LOCKFILE).map_err(|err| Error::Read {
        path: path.to_path_buf(),
        source: err.into(),
    })?;
    if bytes.contains(&0) {
        return Err(Error::NotText {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| Error::NotText {
        path: path.to_path_buf(),
    })?;
    from_text(path, root, &text)
}

/// A lockfile's text read into packages and graph; `path` names it in errors and is where the
/// workspace's manifests are looked for.
pub fn from_text(path: &Path, root: &Path, text: &str) -> Result<Workspace> {
    check_format_version(path, text)?;

    let entries = super::lock_entries::parse(path, text)?;
    let edges: Vec<Vec<(usize, EdgeKinds)>> = entries
        .iter()
        .map(|entry| {
            let kinds = entry.dependencies.iter().map(|&i| (i, EdgeKinds::UNKNOWN));
            kinds.collect()
        })
        .collect();
    let locked_dependencies: Vec<Vec<usize>> =
        entries.iter().map(|e| e.dependencies.clone()).collect();
    let packages: Vec<LockedPackage> = entries
        .into_iter()
        .map(|entry| LockedPackage {
            name: entry.name,
            version: entry.version,
            source: entry.source,
            line: entry.line,
            checksum: entry.checksum,
        })
        .collect();

    let mut depended_on = vec![false; packages.len()];
    for (target, _) in edges.iter().flatten() {
        depended_on[*target] = true;
    }
    // Path packages are the workspace's own crates (members and local path dependencies): a
    // dependency on one of them counts as direct.
    let path_packages: Vec<usize> = (0..packages.len())
        .filter(|&i| packages[i].source.is_none())
        .collect();
    let roots = lockfile_roots(&packages, &depended_on);
    let manifests = member_manifests(path, root, &packages, &path_packages);
    let graph = Graph::new(edges, roots, path_packages, false);
    Ok(Workspace {
        lockfile: path.to_path_buf(),
        display_path: relative_display(path, root),
        packages,
        graph,
        graph_source: GraphSource::Lockfile,
        locked_dependencies,
        manifests,
    })
}

/// Without cargo metadata, the manifests of the workspace's own packages: the Cargo.toml beside
/// the lockfile and those of its listed `workspace.members` (plain paths and `dir/*` globs).
fn member_manifests(
    lockfile: &Path,
    root: &Path,
    packages: &[LockedPackage],
    path_packages: &[usize],
) -> HashMap<usize, Manifest> {
    let mut found = HashMap::new();
    if lockfile.file_name().is_none_or(|name| name != "Cargo.lock") {
        return found;
    }
    let dir = lockfile.parent().unwrap_or(Path::new(""));
    let mut candidates = vec![dir.join("Cargo.toml")];
    let top: Option<toml::Table> = read_text_capped(&dir.join("Cargo.toml"), caps::MANIFEST)
        .ok()
        .and_then(|text| toml::from_str(&text).ok());
    let members = top
        .as_ref()
        .and_then(|t| t.get("workspace")?.get("members")?.as_array().cloned())
        .unwrap_or_default();
    for member in members.iter().filter_map(toml::Value::as_str) {
        match member.strip_suffix("/*") {
            Some(parent) => {
                if let Ok(entries) = std::fs::read_dir(dir.join(parent)) {
                    let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                    dirs.sort();
                    candidates.extend(dirs.into_iter().map(|d| d.join("Cargo.toml")));
                }
            }
            None => candidates.push(dir.join(member).join("Cargo.toml")),
        }
    }
    for candidate in candidates {
        let Some(manifest) = Manifest::read(&candidate, root) else {
            continue;
        };
        let name = toml::from_str::<toml::Table>(&manifest.text)
            .ok()
            .and_then(|t| Some(t.get("package")?.get("name")?.as_str()?.to_owned()));
        let Some(name) = name else {
            continue;
        };
        if let Some(&index) = path_packages.iter().find(|&&i| packages[i].name == name) {
            found.entry(index).or_insert(manifest);
        }
    }
    found
}

fn check_format_version(path: &Path, text: &str) -> Result<()> {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            break;
        }
        let Some(rest) = trimmed.strip_prefix("version") else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.split('#').next().unwrap_or("").trim();
        return match value.parse::<u32>() {
            Ok(version) if SUPPORTED_VERSIONS.contains(&version) => Ok(()),
            Ok(_) => Err(Error::UnsupportedLockfileVersion {
                path: path.to_path_buf(),
                version: value.to_owned(),
            }),
            Err(_) => Err(Error::Lockfile {
                path: path.to_path_buf(),
                line: index + 1,
                message: format!("`version = {value}` is not a lockfile format number"),
            }),
        };
    }
    Ok(())
}

/// Without cargo metadata the workspace members are not written down anywhere, so take the path
/// packages nothing else depends on (the top of the tree); failing that, any package without
/// dependents.
fn lockfile_roots(packages: &[LockedPackage], depended_on: &[bool]) -> Vec<usize> {
    let top_path: Vec<usize> = (0..packages.len())
        .filter(|&i| packages[i].source.is_none() && !depended_on[i])
        .collect();
    if !top_path.is_empty() {
        return top_path;
    }
    let path_packages: Vec<usize> = (0..packages.len())
        .filter(|&i| packages[i].source.is_none())
        .collect();
    if !path_packages.is_empty() {
        return path_packages;
    }
    (0..packages.len()).filter(|&i| !depended_on[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::Manifest;

    #[test]
    fn dependency_lines_in_every_table_form() {
        let manifest = Manifest {
            display_path: "Cargo.toml".into(),
            text: r#"[package]
name = "app"
smallvec = "not a dependency table"

[dependencies]
serde = { version = "1", features = ["derive"] }
  tokio.workspace = true
"quoted-name" = "1"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[dev-dependencies.proptest]
version = "1"

[build-dependencies]
cc_build = "1"
"#
            .into(),
        };
        assert_eq!(manifest.dependency_line("serde"), Some((6, 1, 6)));
        assert_eq!(manifest.dependency_line("tokio"), Some((7, 3, 8)));
        assert_eq!(manifest.dependency_line("quoted-name"), Some((8, 1, 14)));
        assert_eq!(manifest.dependency_line("libc"), Some((11, 1, 5)));
        assert_eq!(manifest.dependency_line("proptest"), Some((13, 1, 28)));
        assert_eq!(manifest.dependency_line("cc-build"), Some((17, 1, 9)));
        assert_eq!(
            manifest.dependency_line("smallvec"),
            None,
            "not in a dependencies table"
        );
    }
}
