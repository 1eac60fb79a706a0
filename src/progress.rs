//! Progress of a long scan, reported as it goes. The library never draws anything: the CLI turns
//! these calls into a progress bar when stderr is a terminal.

/// Told about each stage and step of a scan.
pub trait Progress: Send + Sync {
    /// A stage starts: what it does, and how many steps it has.
    fn stage(&self, name: &'static str, steps: u64);
    /// One step of the current stage is done. Called from worker threads.
    fn step(&self);
}

/// A [`Progress`] receiver in the scan's options, shared with the worker threads.
#[derive(Clone)]
pub struct ProgressSink(pub std::sync::Arc<dyn Progress>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}
