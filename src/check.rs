//! What a check is. A check is one unit: its settings, its rules, its pass over the inputs, its
//! findings and its part of the reports all live in its folder under `checks/`, and the rest of
//! the program knows it only through these two traits. The registry (`checks/mod.rs`) lists the
//! checks; a scan runs whatever it holds.

use crate::date::Date;
use crate::error::Result;
use crate::finding::{Detection, FindingKind, RuleDoc, Warning};
use crate::progress::Progress;
use crate::report::{Role, Section};
use crate::source::{PassOutput, SourcePass};
use crate::toml_doc::SettingsDoc;
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};

/// A check as the registry lists it.
pub trait Check: Sync {
    /// Its name: the `--checks` value, its settings section (`[code]`), the JSON report's
    /// `checks`, its SARIF category (`cargo-warden/<name>/`).
    fn name(&self) -> &'static str;
    /// One line for `--help`.
    fn help(&self) -> &'static str;
    /// The kinds of finding it reports, each with its tier for policies that do not name it.
    fn kinds(&self) -> &'static [FindingKind];
    /// The file its rules are kept in as data (`rules/code.toml`), when it has one.
    fn rules_file(&self) -> Option<&'static str> {
        None
    }
    /// Its rules' documentation, for `rules`, `explain` and the SARIF help: the entries of its
    /// rules file. Empty for a check whose rules are data it reads at scan time (advisories).
    fn rules(&self) -> Result<Vec<RuleDoc>> {
        Ok(Vec::new())
    }
    /// It reads the locked dependencies: the scan loads the lockfiles when such a check runs.
    fn reads_lockfiles(&self) -> bool {
        false
    }
    /// It reads the workspace's own files, with the pass its configured form gives.
    fn reads_source_files(&self) -> bool {
        false
    }
    /// Reads its section of the settings file (none without a file), validated: every error
    /// names the file, line and column.
    fn configure(&self, settings: Option<&SettingsDoc>) -> Result<Box<dyn Configured>>;
    /// Its part of the report when it did not run, so the JSON layout does not depend on which
    /// checks ran.
    fn idle_section(&self) -> Section {
        Section::empty(
            self.name(),
            Role::Check {
                selected: false,
                reads_source_files: self.reads_source_files(),
            },
        )
    }
}

/// A check with its settings, ready to run. Configuring is cheap (settings only); rules are
/// compiled when a check runs, so a check that is not asked for costs nothing.
pub trait Configured: Send + Sync {
    /// The largest source file the shared walk reads, when this check's settings say.
    fn max_file_size(&self) -> Option<u64> {
        None
    }
    /// Its pass over each source file, with its rules, for a check that reads them.
    fn source_pass(&self) -> Result<Option<Box<dyn SourcePass + '_>>> {
        Ok(None)
    }
    /// Loads what it needs besides the scanned tree (the advisory database), while the scan
    /// reads the lockfiles and asks cargo about them; `run` uses what it kept, and a failure
    /// here is reported by `run`.
    fn prepare(&self, _data: &Data<'_>) {}
    /// Runs it over what the scan read: its findings, warnings and report section.
    fn run(&self, input: Input<'_>) -> Result<Outcome>;
}

/// What [`Configured::prepare`] may read: the data the scan was given, not the tree.
pub struct Data<'a> {
    pub sources: &'a Sources,
    pub cargo_home: Option<&'a Path>,
    pub cache_dir: Option<&'a Path>,
}

/// Where advisories come from. Naming either replaces the default RustSec checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// A RustSec advisory-db checkout.
    pub rustsec: Option<PathBuf>,
    /// Directories (any depth) or zips of OSV JSON records.
    pub osv: Vec<PathBuf>,
}

/// What a check runs over.
pub struct Input<'a> {
    pub root: &'a Path,
    /// The date due dates and data ages are measured against.
    pub today: Date,
    /// The lockfiles read, for checks that read them.
    pub workspaces: &'a [Workspace],
    /// Advisory data, for checks that match against it.
    pub sources: &'a Sources,
    /// How old advisory data may be before a warning (or, with `deny_stale`, an error).
    pub max_age_days: u32,
    pub deny_stale: bool,
    pub progress: Option<&'a dyn Progress>,
    /// What the check's source pass returned for each file, in path order (empty without one).
    pub files: PassOutput,
    /// Files that are test code because a `#[cfg(test)] mod` declares them: a pass sees each file
    /// alone, so its check treats their findings as test code here.
    pub test_files: &'a std::collections::BTreeSet<String>,
    /// Cargo's home, where unpacked dependency sources are (`None`: `$CARGO_HOME`, else
    /// `~/.cargo`).
    pub cargo_home: Option<&'a Path>,
    /// Where checks keep what they computed about unchanging inputs (`--cache-dir`).
    pub cache_dir: Option<&'a Path>,
    /// No network: nothing is downloaded.
    pub offline: bool,
}

/// What a check found.
pub struct Outcome {
    pub detections: Vec<Detection>,
    pub warnings: Vec<Warning>,
    pub section: Section,
}
