//! Where the dependencies are: finding every Cargo.lock under the scanned path, reading each into a
//! package graph, and (when cargo can answer offline) enriching that graph with `cargo metadata`.
//!
//! The lockfile is the source of truth for *which* packages are in the build, so advisory matching
//! gives the same answer with or without metadata; metadata only adds how a package is reached
//! (dependency kind, direct or not, which members pull it in).

mod discover;
mod graph;
mod lockfile;
mod metadata;

pub(crate) use discover::relative_display;
pub use discover::{discover, Discovery};
pub use graph::{EdgeKinds, Graph};
pub use lockfile::{load, LockedPackage, Manifest, Workspace};
pub use metadata::{enrich, CargoFlags};
