//! cargo-warden: a supply-chain gate for Rust workspaces.
//!
//! [`scan`] is the whole library in one call: it finds the workspace's lockfiles, matches their
//! packages against advisory data, applies the user's settings and computes the gate's verdict,
//! and returns a [`Report`]. It never prints and never exits; the binary decides what to write and
//! which exit code that verdict means.

#![forbid(unsafe_code)]

pub mod advisories;
mod code;
pub mod config;
pub mod date;
pub mod error;
pub mod policy;
pub mod report;
pub mod rules;
mod secrets;
pub mod source;
pub mod workspace;

pub use error::{Error, Result};
pub use report::Report;

use advisories::Advisory;
use advisories::Database;
use date::Date;
use policy::{Baseline, ClockKind, Judgement, Policy};
use rayon::prelude::*;
use report::{
    DatabaseSummary, Detection, FailOn, PackageRef, PolicySummary, Tool, Warning, WorkspaceSummary,
    REPORT_VERSION,
};
use std::path::PathBuf;
use workspace::Workspace;

/// What a long scan reports as it goes. The library never draws anything: the CLI turns these
/// calls into a progress bar when stderr is a terminal.
pub trait Progress: Send + Sync {
    /// A stage starts: what it does, and how many steps it has.
    fn stage(&self, name: &'static str, steps: u64);
    /// One step of the current stage is done. Called from worker threads.
    fn step(&self);
}

/// A [`Progress`] receiver in [`ScanOptions`], shared with the worker threads.
#[derive(Clone)]
pub struct ProgressSink(pub std::sync::Arc<dyn Progress>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// The checks a scan can run. Each produces [`Finding`]s into the same report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// Locked dependencies against RustSec advisories.
    Advisories,
    /// Hard-coded credentials in Rust source and configuration files.
    Secrets,
    /// Unsafe and insecure code patterns in Rust source.
    Code,
}

impl Check {
    pub const ALL: [Check; 3] = [Check::Advisories, Check::Secrets, Check::Code];

    pub fn name(self) -> &'static str {
        match self {
            Check::Advisories => "advisories",
            Check::Secrets => "secrets",
            Check::Code => "code",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Check::Advisories => "locked dependencies against RustSec and OSV advisories",
            Check::Secrets => "hard-coded credentials in Rust source and configuration files",
            Check::Code => {
                "unsafe code without SAFETY comments and insecure patterns in Rust source"
            }
        }
    }
}

/// Everything a scan needs, already validated.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// A workspace directory, a Cargo.toml or a lockfile.
    pub path: PathBuf,
    /// Advisory data: a RustSec checkout and/or OSV records.
    pub sources: advisories::Sources,
    pub checks: Vec<Check>,
    pub settings: config::Settings,
    pub fail_on: Vec<FailOn>,
    /// Ask `cargo metadata` for dependency kinds and members (the CLI always does; tests of the
    /// lockfile-only path turn it off).
    pub cargo_metadata: bool,
    /// Cargo's `--locked` and `--offline`, passed on to `cargo metadata`.
    pub cargo: workspace::CargoFlags,
    /// Told about each stage and step of a long scan, when set.
    pub progress: Option<ProgressSink>,
    pub policy: Policy,
    pub clock: ClockKind,
    /// The date due dates are measured against. The library never reads the clock itself.
    pub today: Date,
    /// The oldest a RustSec database may be before the report warns (or, with `deny_stale`, the
    /// scan fails).
    pub max_age_days: u32,
    pub deny_stale: bool,
    /// The baseline file for the `first-seen` clock [default: `warden-baseline.json` at the scan
    /// root].
    pub baseline: Option<PathBuf>,
}

impl ScanOptions {
    /// Defaults: all checks, the RustSec checkout `db`, the default policy preset, the
    /// `introduced` clock.
    pub fn new(path: impl Into<PathBuf>, db: impl Into<PathBuf>, today: Date) -> Self {
        ScanOptions {
            path: path.into(),
            sources: advisories::Sources {
                rustsec: Some(db.into()),
                osv: Vec::new(),
            },
            checks: Check::ALL.to_vec(),
            settings: config::Settings::default(),
            fail_on: Vec::new(),
            cargo_metadata: true,
            cargo: workspace::CargoFlags::default(),
            progress: None,
            policy: Policy::default_preset(),
            clock: ClockKind::Introduced,
            today,
            max_age_days: 7,
            deny_stale: false,
            baseline: None,
        }
    }
}

/// What the checks found, before the policy judges it.
pub struct Detected {
    pub detections: Vec<Detection>,
    pub warnings: Vec<Warning>,
    pub workspaces: Vec<WorkspaceSummary>,
    pub database: Option<DatabaseSummary>,
    pub osv: Vec<DatabaseSummary>,
    /// Advisories after merging the sources.
    pub advisories: Option<usize>,
    pub sources: Option<source::SourceSummary>,
    pub unsafe_inventory: Option<Vec<report::UnsafeInventory>>,
}

pub fn scan(options: &ScanOptions) -> Result<Report> {
    let discovery = workspace::discover(&options.path)?;
    scan_discovered(&discovery, options)
}

/// [`scan`] for a caller that has already resolved the path (the CLI does, to find warden.toml at
/// the scan root before scanning).
pub fn scan_discovered(discovery: &workspace::Discovery, options: &ScanOptions) -> Result<Report> {
    let Detected {
        detections,
        mut warnings,
        workspaces,
        database,
        osv,
        advisories,
        sources,
        unsafe_inventory,
    } = detect(discovery, options)?;
    let baseline = match options.clock {
        ClockKind::FirstSeen => {
            let path = baseline_path(discovery, options);
            if path.exists() {
                Some(Baseline::load(&path)?)
            } else {
                warnings.push(Warning {
                    code: "no-baseline",
                    file: Some(workspace::relative_display(&path, &discovery.root)),
                    message: "no baseline file, so every finding's clock starts today; run `cargo warden baseline` and commit the file".to_owned(),
                });
                None
            }
        }
        _ => None,
    };
    let starts = policy::starts(
        &detections,
        options.clock,
        &discovery.root,
        baseline.as_ref(),
        options.today,
    );
    let config_file = options
        .settings
        .file
        .as_ref()
        .map(|file| workspace::relative_display(file, &discovery.root));
    let judgement = Judgement {
        policy: &options.policy,
        today: options.today,
        ignores: &options.settings.ignores,
        config_file: config_file.as_deref(),
        fail_on: &options.fail_on,
    };
    let (findings, ignore_warnings, gate) = judgement.apply(detections, starts);
    warnings.extend(ignore_warnings);
    warnings.sort();

    Ok(Report {
        version: REPORT_VERSION,
        tool: Tool::current(),
        today: options.today,
        policy: PolicySummary {
            policy: options.policy.clone(),
            clock: options.clock,
        },
        checks: {
            let mut checks = options.checks.clone();
            checks.sort();
            checks.dedup();
            checks.into_iter().map(Check::name).collect()
        },
        repository_prefix: repository_prefix(&discovery.root),
        workspaces,
        database,
        osv,
        advisories,
        sources,
        unsafe_inventory,
        findings,
        warnings,
        gate,
    })
}

/// `git rev-parse --show-prefix` of the scan root: empty outside git or at the top.
fn repository_prefix(root: &std::path::Path) -> String {
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|prefix| prefix.trim().to_owned())
        .unwrap_or_default()
}

/// Where the `first-seen` clock's baseline lives for this scan.
pub fn baseline_path(discovery: &workspace::Discovery, options: &ScanOptions) -> PathBuf {
    options
        .baseline
        .clone()
        .unwrap_or_else(|| discovery.root.join(policy::BASELINE_FILE))
}

/// Runs the checks: every detection, sorted, with the warnings met on the way.
pub fn detect(discovery: &workspace::Discovery, options: &ScanOptions) -> Result<Detected> {
    let mut warnings: Vec<Warning> = Vec::new();

    // Lockfiles are only read for the advisories check.
    let lockfiles: &[std::path::PathBuf] = if options.checks.contains(&Check::Advisories) {
        &discovery.lockfiles
    } else {
        &[]
    };
    let loaded: Vec<Result<Workspace>> = lockfiles
        .par_iter()
        .map(|lockfile| workspace::load(lockfile, &discovery.root))
        .collect();
    let mut workspaces = loaded.into_iter().collect::<Result<Vec<_>>>()?;

    if options.cargo_metadata {
        // Cargo's messages name files by absolute path; reports never do.
        let absolute_root = discovery
            .root
            .canonicalize()
            .map(|root| format!("{}{}", root.display(), std::path::MAIN_SEPARATOR))
            .ok();
        let progress = options.progress.as_ref().map(|sink| &*sink.0);
        if let Some(progress) = progress {
            progress.stage("cargo metadata", workspaces.len() as u64);
        }
        let outcomes: Vec<std::result::Result<(), String>> = workspaces
            .par_iter_mut()
            .map(|ws| {
                let outcome = workspace::enrich(ws, &discovery.root, options.cargo);
                if let Some(progress) = progress {
                    progress.step();
                }
                outcome
            })
            .collect();
        let command = options.cargo.command_line();
        let mut fallbacks = Vec::new();
        for (ws, outcome) in workspaces.iter().zip(outcomes) {
            let Err(reason) = outcome else { continue };
            let reason = match &absolute_root {
                Some(root) => reason.replace(root.as_str(), ""),
                None => reason,
            };
            // `--locked` asks cargo to refuse rather than work around a lockfile it cannot use
            // as is; so does the scan.
            if options.cargo.locked {
                return Err(Error::CargoMetadata {
                    path: discovery.root.join(&ws.display_path),
                    command,
                    reason,
                });
            }
            fallbacks.push(Warning {
                code: "lockfile-graph",
                file: Some(ws.display_path.clone()),
                message: format!(
                    "{command} failed ({reason}); using the lockfile graph, so dependency kinds \
                     are unknown (run `cargo fetch` to enable them)"
                ),
            });
        }
        warnings.extend(fallbacks);
    }

    let mut detections = Vec::new();
    let mut database_summary = None;
    let mut osv_summaries = Vec::new();
    let mut merged_advisories = None;
    if discovery.lockfiles.is_empty() && options.checks.contains(&Check::Advisories) {
        // A tree without a lockfile can still be scanned for secrets; asked for advisories
        // alone, there is nothing to do.
        if options.checks.iter().all(|c| *c == Check::Advisories) {
            return Err(Error::NoLockfile {
                path: options.path.clone(),
            });
        }
        warnings.push(Warning {
            code: "no-lockfile",
            file: None,
            message: "no Cargo.lock found, so the advisories check was skipped; run `cargo generate-lockfile` in the workspace to include it".to_owned(),
        });
    } else if options.checks.contains(&Check::Advisories) {
        let (database, counts, db_warnings) = Database::load(&options.sources)?;
        warnings.extend(db_warnings);
        for count in counts {
            // A plain directory dated by its newest advisory can hold advisories dated ahead.
            let age_days = count
                .updated
                .map(|updated| options.today.days_since(updated).max(0));
            let summary = DatabaseSummary {
                path: workspace::relative_display(&count.path, std::path::Path::new("")),
                advisories: count.advisories,
                updated: count.updated,
                age_days,
            };
            if let (Some(age), Some(updated)) = (age_days, count.updated) {
                if age > i64::from(options.max_age_days) {
                    if options.deny_stale {
                        return Err(Error::StaleDatabase {
                            path: count.path.clone(),
                            updated: updated.to_string(),
                            age,
                            max_age: options.max_age_days,
                        });
                    }
                    warnings.push(Warning {
                        code: "stale-database",
                        file: Some(summary.path.clone()),
                        message: format!(
                            "the advisory data is {age} days old (last updated {updated}); refresh it with `cargo warden fetch`, or findings published since are missed"
                        ),
                    });
                }
            }
            match count.kind {
                "rustsec" => database_summary = Some(summary),
                _ => osv_summaries.push(summary),
            }
        }
        merged_advisories = Some(database.len());
        for ws in &workspaces {
            detections.extend(advisory_findings(ws, &database));
        }
    }
    let mut source_summary = None;
    let mut unsafe_inventory = None;
    let run_secrets = options.checks.contains(&Check::Secrets);
    let run_code = options.checks.contains(&Check::Code);
    if run_secrets || run_code {
        let walk = source::WalkOptions {
            max_file_size: options
                .settings
                .secrets
                .max_file_size
                .unwrap_or(source::DEFAULT_MAX_FILE_SIZE),
        };
        let checks = source::SourceChecks {
            secrets: if run_secrets {
                Some(rules::secrets::SecretRules::embedded()?)
            } else {
                None
            },
            code: if run_code {
                Some(rules::code::CodeRules::embedded()?)
            } else {
                None
            },
        };
        let scanned = source::scan_with_progress(
            &discovery.root,
            &walk,
            checks,
            options.progress.as_ref().map(|sink| &*sink.0),
        )?;
        let allow = secrets::Allowlist::new(&options.settings.secrets.allow);
        // Hits are consumed as they become detections, so a scan with many findings does not
        // hold both forms at once.
        detections.extend(
            scanned
                .secrets
                .into_iter()
                .filter(|hit| !allow.allows(hit))
                .map(|hit| secrets::detection(&hit, &options.settings.secrets)),
        );
        if run_code {
            let filter = code::CodeFilter::new(&options.settings.code);
            detections.extend(
                scanned
                    .code
                    .into_iter()
                    .filter(|hit| filter.keeps(hit))
                    .map(|hit| code::detection(&hit, &options.settings.code)),
            );
            unsafe_inventory = Some(code::inventory(
                &discovery.root,
                &scanned.rust_files,
                &scanned.unsafe_counts,
                &filter,
            ));
        }
        warnings.extend(scanned.warnings);
        source_summary = Some(scanned.summary);
    }
    detections.sort_by(|a, b| detection_key(a).cmp(&detection_key(b)));

    Ok(Detected {
        detections,
        warnings,
        workspaces: workspaces
            .iter()
            .map(|ws| WorkspaceSummary {
                lockfile: ws.display_path.clone(),
                packages: ws.packages.len(),
                graph: ws.graph_source,
            })
            .collect(),
        database: database_summary,
        osv: osv_summaries,
        advisories: merged_advisories,
        sources: source_summary,
        unsafe_inventory,
    })
}

/// The order every report uses: by file and position, then rule and package, so output does not
/// depend on thread scheduling.
fn detection_key(d: &Detection) -> impl Ord + '_ {
    (
        &d.file,
        d.line,
        d.column,
        &d.rule,
        d.package.as_ref(),
        d.kind,
    )
}

fn advisory_findings(ws: &Workspace, database: &Database) -> Vec<Detection> {
    ws.packages
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, package)| {
            let matches: Vec<_> = database
                .matching(&package.name, &package.version, package.source.as_ref())
                .collect();
            // The graph walk is per package, not per advisory: one crate often has several.
            let dependency = (!matches.is_empty())
                .then(|| ws.graph.dependency_info(index, |i| ws.packages[i].label()));
            let declared_at = if matches.is_empty() {
                None
            } else {
                declaration(ws, index)
            };
            matches.into_iter().map(move |advisory| {
                let mut detection = advisory_finding(ws, index, advisory, dependency.clone());
                detection.declared_at = declared_at.clone();
                detection
            })
        })
        .collect()
}

/// Where the direct dependency that leads to `index` is declared: in the dependency path, the
/// last workspace package whose manifest is known, and its Cargo.toml line naming the next step.
fn declaration(ws: &Workspace, index: usize) -> Option<report::Span> {
    let path = ws.graph.path(index);
    let step = path
        .windows(2)
        .rposition(|pair| ws.manifests.contains_key(&pair[0]))?;
    let (member, direct) = (path[step], path[step + 1]);
    let manifest = ws.manifests.get(&member)?;
    let dependency = &ws.packages[direct].name;
    let (line, column, end_column) = manifest.dependency_line(dependency)?;
    Some(report::Span {
        file: manifest.display_path.clone(),
        line,
        column,
        end_column,
        message: format!(
            "{} declares its dependency on {dependency} here",
            ws.packages[member].name
        ),
    })
}

fn advisory_finding(
    ws: &Workspace,
    index: usize,
    advisory: &Advisory,
    dependency: Option<report::DependencyInfo>,
) -> Detection {
    let package = &ws.packages[index];
    Detection {
        kind: advisory.kind,
        rule: advisory.id.clone(),
        title: advisory.title.clone(),
        file: ws.display_path.clone(),
        line: package.line,
        column: 1,
        // Cargo writes the entry's first line as exactly `name = "<name>"`.
        end_column: 1 + format!("name = \"{}\"", package.name).len(),
        package: Some(PackageRef {
            name: package.name.clone(),
            version: package.version.to_string(),
            source: package.source.as_ref().map(|s| s.to_string()),
        }),
        dependency,
        aliases: advisory.aliases.clone(),
        references: advisory.references.clone(),
        url: advisory.url(),
        date: advisory.date,
        categories: advisory.categories.clone(),
        cvss: advisory.cvss.clone(),
        patched: advisory.patched.clone(),
        unaffected: advisory.unaffected.clone(),
        fix: advisories::fix_for(advisory, &package.name, &package.version),
        declared_at: None,
        description: advisory.description.clone(),
        cwe: Vec::new(),
        remediation: None,
        secret: None,
        rule_severity: None,
        fingerprint: report::fingerprint(&[
            advisory.kind.as_str(),
            &advisory.id,
            &package.name,
            &ws.display_path,
        ]),
        origin: report::Origin::LockfileEntry {
            name: package.name.clone(),
            version: package.version.to_string(),
        },
        advisory_sources: advisory.sources.iter().map(|s| s.to_string()).collect(),
    }
}
