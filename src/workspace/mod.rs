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
mod lockfile;
mod metadata;

pub use discover::{discover, Discovery};
pub use graph::{EdgeKinds, Graph};
pub use lockfile::{from_text, load, LockedPackage, Manifest, Workspace};
pub use metadata::{enrich, CargoFlags};

use serde::Serialize;

/// One lockfile the scan read, as reports list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceSummary {
    pub lockfile: String,
    pub packages: usize,
    /// `cargo-metadata` when the graph was enriched, `lockfile` when it fell back.
    pub graph: GraphSource,
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
        }
    }
}
