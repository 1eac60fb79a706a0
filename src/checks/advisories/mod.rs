//! The advisories check: locked dependencies against RustSec and OSV advisories.
//!
//! Advisory data is loaded tolerantly from a RustSec checkout and OSV records and merged
//! (`database.rs`, `rustsec.rs`, `osv.rs`); every locked package is matched against it
//! (`matching.rs`), with the command that reaches a patched release (`fix.rs`). `fetch.rs` keeps
//! the default checkout fresh; `[advisories]` in the settings file says where the data is
//! (`cfg.rs`); `snapshot.rs` keeps the parsed data between scans.

mod advisory;
mod cfg;
mod database;
mod fetch;
mod fix;
mod matching;
pub(crate) mod osv;
pub(crate) mod rustsec;
mod snapshot;

pub use crate::check::Sources;
pub use advisory::{Advisory, Registry, VersionRange};
pub use cfg::AdvisorySettings;
pub use database::{Database, SourceCount};
pub use fetch::{fetch, Fetched, DEFAULT_URL};
pub use fix::fix_for;
pub use snapshot::{load as load_cached, refresh as refresh_snapshot, Served};

use crate::check::{Check, Configured, Data, Input, Outcome};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{FindingKind, Severity, Warning};
use crate::paths::relative_display;
use crate::report::{plural, Role, Section};
use crate::toml_doc::SettingsDoc;
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

pub const NAME: &str = "advisories";

/// A vulnerability advisory about a locked package.
pub const VULNERABILITY: FindingKind = FindingKind {
    name: "vulnerability",
    check: NAME,
    rule_name: "VulnerableDependency",
    default_tier: Severity::Medium,
    categorised: true,
    gates_when_updated: false,
};
/// Undefined behaviour reachable from safe code.
pub const UNSOUND: FindingKind = FindingKind {
    name: "unsound",
    check: NAME,
    rule_name: "UnsoundDependency",
    default_tier: Severity::Medium,
    categorised: false,
    gates_when_updated: false,
};
/// No known bug yet, but nobody will fix the next one.
pub const UNMAINTAINED: FindingKind = FindingKind {
    name: "unmaintained",
    check: NAME,
    rule_name: "UnmaintainedDependency",
    default_tier: Severity::Low,
    categorised: false,
    gates_when_updated: false,
};
pub const NOTICE: FindingKind = FindingKind {
    name: "notice",
    check: NAME,
    rule_name: "DependencyNotice",
    default_tier: Severity::Low,
    categorised: false,
    gates_when_updated: false,
};

/// The registry's entry.
pub struct Advisories;

impl Check for Advisories {
    fn name(&self) -> &'static str {
        NAME
    }

    fn help(&self) -> &'static str {
        "locked dependencies against RustSec and OSV advisories"
    }

    fn kinds(&self) -> &'static [FindingKind] {
        &[VULNERABILITY, UNSOUND, UNMAINTAINED, NOTICE]
    }

    fn reads_lockfiles(&self) -> bool {
        true
    }

    fn configure(&self, settings: Option<&SettingsDoc>) -> Result<Box<dyn Configured>> {
        // Where the data is (the settings' part) is resolved by the caller into the scan's
        // sources; checking the section here still reports its mistakes with the rest.
        AdvisorySettings::read(settings)?;
        Ok(Box::new(Ready::default()))
    }

    fn idle_section(&self) -> Section {
        section(None, Vec::new(), None, None)
    }
}

/// The check configured: the advisory data, once `prepare` has loaded it.
#[derive(Default)]
struct Ready {
    prepared: Mutex<Option<Result<(snapshot::Loaded, Served)>>>,
}

fn load_data(data: &Data<'_>) -> Result<(snapshot::Loaded, Served)> {
    let cache_dir = crate::paths::cache_dir(data.cache_dir, data.cargo_home);
    snapshot::load(data.sources, cache_dir.as_deref())
}

impl Configured for Ready {
    fn prepare(&self, data: &Data<'_>) {
        let loaded = load_data(data);
        *self.prepared.lock().unwrap_or_else(|e| e.into_inner()) = Some(loaded);
    }

    fn run(&self, input: Input<'_>) -> Result<Outcome> {
        let prepared = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let loaded = match prepared {
            Some(loaded) => loaded,
            None => load_data(&Data {
                sources: input.sources,
                cargo_home: input.cargo_home,
                cache_dir: input.cache_dir,
            }),
        };
        let ((database, counts, mut warnings), _) = loaded?;
        let mut rustsec = None;
        let mut osv = Vec::new();
        for count in counts {
            let summary = data_summary(&count, input.today);
            if let (Some(age), Some(updated)) = (summary.age_days, count.updated) {
                if age > i64::from(input.max_age_days) {
                    if input.deny_stale {
                        return Err(Error::StaleDatabase {
                            path: count.path.clone(),
                            updated: updated.to_string(),
                            age,
                            max_age: input.max_age_days,
                        });
                    }
                    warnings.push(Warning::new(
                        "stale-database",
                        Some(summary.path.clone()),
                        format!(
                            "the advisory data is {age} days old (last updated {updated}); refresh it with `cargo warden fetch`, or findings published since are missed"
                        ),
                    ));
                }
            }
            match count.kind {
                "rustsec" => rustsec = Some(summary),
                _ => osv.push(summary),
            }
        }
        let detections = input
            .workspaces
            .iter()
            .flat_map(|ws| matching::advisory_findings(ws, &database))
            .collect();
        let packages: usize = input.workspaces.iter().map(|ws| ws.packages.len()).sum();
        let read = (packages, input.workspaces.len());
        Ok(Outcome {
            detections,
            warnings,
            section: section(rustsec, osv, Some(database.len()), Some(read)),
        })
    }
}

/// One advisory source as reports describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabaseSummary {
    pub path: String,
    pub advisories: usize,
    /// Its last commit, or for a plain directory its newest advisory's date.
    pub updated: Option<Date>,
    /// Days between `updated` and the report's `today`.
    pub age_days: Option<i64>,
}

fn data_summary(count: &SourceCount, today: Date) -> DatabaseSummary {
    DatabaseSummary {
        path: relative_display(&count.path, Path::new("")),
        advisories: count.advisories,
        updated: count.updated,
        // A plain directory dated by its newest advisory can hold advisories dated ahead.
        age_days: count
            .updated
            .map(|updated| today.days_since(updated).max(0)),
    }
}

/// The check's part of the report: the advisory data used and its age (`database`, `osv`,
/// `advisories` in JSON, whether the check ran or not), and what was read.
fn section(
    rustsec: Option<DatabaseSummary>,
    osv: Vec<DatabaseSummary>,
    merged: Option<usize>,
    read: Option<(usize, usize)>,
) -> Section {
    let mut section = Section::empty(
        NAME,
        Role::Check {
            selected: read.is_some(),
            reads_source_files: false,
        },
    );
    if let Some((packages, lockfiles)) = read {
        let against = rustsec
            .as_ref()
            .map(|db| {
                format!(
                    " against {}",
                    plural(db.advisories, "advisory").replace("advisorys", "advisories")
                )
            })
            .unwrap_or_default();
        section.scanned = Some(format!(
            "{} in {}{against}",
            plural(packages, "package"),
            plural(lockfiles, "lockfile")
        ));
    }
    let sources = || {
        rustsec
            .iter()
            .map(|db| ("rustsec", "RustSec", db))
            .chain(osv.iter().map(|db| ("osv", "OSV", db)))
    };
    for (_, label, source) in sources() {
        let age = match (source.updated, source.age_days) {
            (Some(updated), Some(age)) => {
                format!("updated {updated}, {} old", plural(age as usize, "day"))
            }
            _ => "age unknown".to_owned(),
        };
        section
            .inputs
            .push(format!("{label} data: {} ({age})", source.path));
    }
    // Which advisory data the run used and how old it was, so a dashboard can tell a clean run
    // from a run against a stale database.
    let advisory_data: Vec<serde_json::Value> = sources()
        .map(|(kind, _, db)| {
            serde_json::json!({
                "kind": kind,
                "path": db.path,
                "advisories": db.advisories,
                "updated": db.updated.map(|d| d.to_string()),
                "age_days": db.age_days,
            })
        })
        .collect();
    section.sarif.insert(
        "advisory_data".to_owned(),
        serde_json::Value::Array(advisory_data),
    );
    section.json.push(("database", Box::new(rustsec)));
    section.json.push(("osv", Box::new(osv)));
    section.json.push(("advisories", Box::new(merged)));
    section
}
