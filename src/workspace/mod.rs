//! Where the dependencies are: finding every Cargo.lock under the scanned path, reading each into a
//! package graph, and (when cargo can answer offline) enriching that graph with `cargo metadata`.
//!
//! The lockfile is the source of truth for *which* packages are in the build, so advisory matching
//! gives the same answer with or without metadata; metadata only adds how a package is reached
//! (dependency kind, direct or not, which members pull it in).

mod bounded_child;
mod discover;
mod graph;
mod lock_entries;
pub(crate) use lock_entries::readers_agree;
mod lock_lines;
mod lockfile;
mod metadata;

pub use discover::{discover, Discovery};
pub use graph::{EdgeKinds, Graph};
pub use lockfile::{from_text, load, LockedPackage, Manifest, Workspace};
pub use metadata::{enrich, fetch_sources, CargoFlags};

use crate::finding::DependencyKind;
use serde::Serialize;

/// One lockfile the scan read, as reports list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceSummary {
    pub lockfile: String,
    pub packages: usize,
    /// `cargo-metadata` when the graph was enriched, `lockfile` when it fell back.
    pub graph: GraphSource,
    /// Every locked package, for the SBOM (not part of the JSON report).
    #[serde(skip)]
    pub inventory: Vec<InventoryPackage>,
}

/// One locked package as an SBOM lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryPackage {
    pub name: String,
    pub version: String,
    /// The lockfile's `source` (`registry+https://...`, `git+https://...#rev`); `None` for the
    /// workspace's own packages and path dependencies.
    pub source: Option<String>,
    /// SHA-256 of the `.crate` file, lower-case hex.
    pub checksum: Option<String>,
    /// A workspace member (not a dependency).
    pub member: bool,
    /// How it is reached, when cargo metadata said.
    pub kind: Option<DependencyKind>,
    /// Indices into the same inventory, sorted.
    pub dependencies: Vec<usize>,
}

/// Where a workspace's dependency graph came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphSource {
    CargoMetadata,
    Lockfile,
}

impl Workspace {
    pub fn summary(&self) -> WorkspaceSummary {
        WorkspaceSummary {
            lockfile: self.display_path.clone(),
            packages: self.packages.len(),
            graph: self.graph_source,
            inventory: self.inventory(),
        }
    }

    /// The workspace's members: cargo metadata's when it answered; from the lockfile alone, the
    /// path packages whose manifests `workspace.members` names, and the path packages nothing
    /// depends on.
    fn members(&self) -> Vec<bool> {
        let mut member = vec![false; self.packages.len()];
        for &root in self.graph.roots() {
            member[root] = true;
        }
        if self.graph_source == GraphSource::Lockfile {
            for &index in self.manifests.keys() {
                member[index] = true;
            }
        }
        for (flag, package) in member.iter_mut().zip(&self.packages) {
            *flag &= package.source.is_none();
        }
        member
    }

    fn inventory(&self) -> Vec<InventoryPackage> {
        let members = self.members();
        self.packages
            .iter()
            .zip(&self.locked_dependencies)
            .enumerate()
            .map(|(index, (package, dependencies))| InventoryPackage {
                name: package.name.clone(),
                version: package.version.to_string(),
                source: package.source.as_ref().map(ToString::to_string),
                checksum: package.checksum.clone(),
                member: members[index],
                kind: if members[index] {
                    None
                } else {
                    self.graph.dependency_kind(index)
                },
                dependencies: dependencies.clone(),
            })
            .collect()
    }
}

/// A crate name as crates.io allows it: ASCII letters, digits, `-` and `_`, at most 64. Only such
/// a name is made part of a path under the cargo home or a vendor directory.
pub fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
