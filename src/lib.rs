//! cargo-warden: a supply-chain gate for Rust workspaces.
//!
//! [`scan`] is the whole library in one call: it finds the workspace's lockfiles and source
//! files, runs the checks the registry (`checks/`) holds over them, applies the policy and
//! computes the gate's verdict, and returns a [`Report`]. It never prints and never exits; the
//! binary decides what to write and which exit code that verdict means.
//!
//! The layers, top down (each imports only from below): the checks (`checks/`, each a folder,
//! known to the rest through `check`); the shared inputs (`source/` walks and parses the tree once
//! for every check that reads it, `workspace/` reads the lockfiles) and `config`; `report/`;
//! `policy/`; and at the bottom the vocabulary every layer speaks (`finding/`, `date`, `error`,
//! `toml_doc`, `paths`, `progress`).

#![forbid(unsafe_code)]

pub mod catch;
pub mod check;
pub mod checks;
pub mod config;
pub mod date;
pub mod digest;
pub mod error;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod paths;
pub mod policy;
pub mod progress;
pub mod read;
pub mod report;
pub mod source;
pub mod toml_doc;
pub mod workspace;

pub use check::Sources;
pub use checks::{advisories, code, secrets};
pub use error::{Error, Result};
pub use progress::{Progress, ProgressSink};
pub use report::Report;

use check::{Configured, Input};
use date::Date;
use finding::{Detection, FailOn, RuleDoc, Warning};
use paths::relative_display;
use policy::{
    Adoption, AdoptionSource, BaseComparison, Baseline, ClockKind, FixedFinding, Judgement, Policy,
};
use rayon::prelude::*;
use report::{PolicySummary, Role, Section, Tool, WorkspaceSummary, REPORT_VERSION};
use std::path::{Path, PathBuf};
use workspace::Workspace;

/// Everything a scan needs, already validated.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// A workspace directory, a Cargo.toml or a lockfile.
    pub path: PathBuf,
    /// Advisory data: a RustSec checkout and/or OSV records.
    pub sources: Sources,
    /// The checks to run, by name (`advisories`, `secrets`, `code`).
    pub checks: Vec<&'static str>,
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
    /// The oldest advisory data may be before the report warns (or, with `deny_stale`, the scan
    /// fails).
    pub max_age_days: u32,
    pub deny_stale: bool,
    /// The baseline file for the `first-seen` clock [default: `warden-baseline.json` at the scan
    /// root].
    pub baseline: Option<PathBuf>,
    /// `--new-since`: a git revision whose merge base with HEAD is scanned too, so findings are
    /// marked new or unchanged and the base's missing ones listed as fixed.
    pub new_since: Option<String>,
    /// OpenVEX documents whose statements can accept dependency findings.
    pub vex: Vec<PathBuf>,
    /// CISA's Known Exploited Vulnerabilities catalog (its JSON feed, downloaded by the user).
    pub kev: Option<PathBuf>,
    /// Cargo's home, where dependency sources are unpacked [default: `$CARGO_HOME`, else
    /// `~/.cargo`].
    pub cargo_home: Option<PathBuf>,
    /// Where the supply-chain audit cache lives [default: `$CARGO_HOME/warden-cache`].
    pub cache_dir: Option<PathBuf>,
}

impl ScanOptions {
    /// Defaults: every check, the RustSec checkout `db`, the default policy preset, the
    /// `introduced` clock.
    pub fn new(path: impl Into<PathBuf>, db: impl Into<PathBuf>, today: Date) -> Self {
        ScanOptions {
            path: path.into(),
            sources: Sources {
                rustsec: Some(db.into()),
                osv: Vec::new(),
            },
            checks: checks::names(),
            settings: config::Settings::default(),
            fail_on: Vec::new(),
            cargo_metadata: true,
            cargo: workspace::CargoFlags::default(),
            progress: None,
            policy: Policy::default_preset(&checks::kinds()),
            clock: ClockKind::Introduced,
            today,
            max_age_days: 7,
            deny_stale: false,
            baseline: None,
            new_since: None,
            vex: Vec::new(),
            kev: None,
            cargo_home: None,
            cache_dir: None,
        }
    }

    fn progress(&self) -> Option<&dyn Progress> {
        self.progress.as_ref().map(|sink| &*sink.0)
    }
}

/// What the checks found, before the policy judges it.
pub struct Detected {
    pub detections: Vec<Detection>,
    pub warnings: Vec<Warning>,
    pub workspaces: Vec<WorkspaceSummary>,
    /// Each check's part of the report, and the source walk's.
    pub sections: Vec<Section>,
    /// The rules of the checks that ran.
    pub rules: Vec<RuleDoc>,
}

pub fn scan(options: &ScanOptions) -> Result<Report> {
    let discovery = workspace::discover(&options.path)?;
    scan_discovered(&discovery, options)
}

/// [`scan`] for a caller that has already resolved the path (the CLI does, to find warden.toml at
/// the scan root before scanning).
pub fn scan_discovered(discovery: &workspace::Discovery, options: &ScanOptions) -> Result<Report> {
    if options.new_since.is_none() && options.fail_on.contains(&FailOn::New) {
        return Err(Error::NewWithoutBase);
    }
    // Read before the scan, so a VEX file that cannot be used stops it early.
    let (vex, mut vex_warnings) = policy::load_vex(&options.vex, &discovery.root)?;
    let kev = match &options.kev {
        Some(path) => {
            let shown = relative_display(path, &discovery.root);
            let (catalog, warned) = policy::KevCatalog::load(path, &shown)?;
            vex_warnings.extend(warned);
            Some(catalog)
        }
        None if options.policy.kev_required => {
            return Err(Error::KevRequired {
                policy: options.policy.name.clone(),
                url: policy::KEV_URL,
            })
        }
        None => None,
    };
    let Detected {
        mut detections,
        mut warnings,
        workspaces,
        sections,
        rules,
    } = detect(discovery, options)?;
    warnings.extend(vex_warnings);
    let base = match &options.new_since {
        Some(reference) => Some(scan_base(
            discovery,
            options,
            reference,
            &detections,
            &workspaces,
            &mut warnings,
        )?),
        None => None,
    };
    if let Some(base) = &base {
        policy::escalate_updates(&mut detections, &base.new, &base.versions);
    }
    let baseline = match options.clock {
        ClockKind::FirstSeen => {
            let path = baseline_path(discovery, options);
            if path.exists() {
                Some(Baseline::load(&path)?)
            } else {
                warnings.push(Warning::new(
                    "no-baseline",
                    Some(relative_display(&path, &discovery.root)),
                    "no baseline file, so every finding's clock starts today; run `cargo warden baseline` and commit the file",
                ));
                None
            }
        }
        _ => None,
    };
    let (adoption, adopted_by) = Adoption::find(
        options.settings.since,
        options.settings.file.as_deref(),
        options.today,
    );
    let dates_source_lines = options.clock == ClockKind::Introduced
        && detections
            .iter()
            .any(|d| d.class == finding::Class::Weakness && !d.is_dependency());
    if dates_source_lines && adopted_by == AdoptionSource::Today {
        warnings.push(Warning::new(
            "no-adoption-date",
            None,
            "no adoption date (`[policy] since`, or a committed settings file), so source findings' clocks start today; run `cargo warden init` and commit warden.toml to record it",
        ));
    }
    if options.clock == ClockKind::Introduced && policy::is_shallow(&discovery.root) {
        // Without `since`, the adoption date itself is read from history the clone may lack.
        let adoption_note = if adopted_by == AdoptionSource::Since {
            ""
        } else {
            "; and the adoption date is read from history it may not have, so set `[policy] since`"
        };
        warnings.push(Warning::new(
            "shallow-clone",
            None,
            format!("this is a shallow clone, so git cannot say when older lines and lockfile entries arrived: their clocks start at the adoption date (source) or the advisory's date (dependencies){adoption_note}; fetch full history (actions/checkout `fetch-depth: 0`) for exact dates"),
        ));
    }
    let starts = policy::starts(
        &detections,
        options.clock,
        &discovery.root,
        baseline.as_ref(),
        options.today,
        adoption,
    );
    let config_file = options
        .settings
        .file
        .as_ref()
        .map(|file| relative_display(file, &discovery.root));
    let (new_flags, compared) = match base {
        Some(base) => (
            Some(base.new),
            Some((base.reference, base.commit, base.fixed)),
        ),
        None => (None, None),
    };
    let judgement = Judgement {
        policy: &options.policy,
        today: options.today,
        ignores: &options.settings.ignores,
        config_file: config_file.as_deref(),
        vex: &vex,
        kev: kev.as_ref(),
        new: new_flags.as_deref(),
        fail_on: &options.fail_on,
    };
    let comparison = compared.map(|(reference, commit, fixed)| BaseComparison {
        reference,
        commit,
        fixed: fixed
            .into_iter()
            .map(|detection| FixedFinding {
                severity: judgement.severity(&detection),
                detection,
            })
            .collect(),
    });
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
            since: adoption.date,
            since_source: adopted_by,
        },
        repository_prefix: repository_prefix(&discovery.root),
        root_name: root_name(&discovery.root),
        workspaces,
        sections,
        findings,
        comparison,
        known_exploited_catalog: kev.map(|catalog| catalog.summary),
        warnings,
        gate,
        rules,
    })
}

/// The scanned directory's own name (`api` for `services/api`), empty when it has none.
fn root_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// What the `--new-since` base says about this scan's detections.
struct BaseOutcome {
    reference: String,
    commit: String,
    /// For each detection: absent from the base.
    new: Vec<bool>,
    /// The base's detections that are gone.
    fixed: Vec<Detection>,
    /// The packages whose source the base's checks read, as each base lockfile locked them:
    /// (lockfile, name) to versions. Only these vouch that an update added a finding.
    versions: std::collections::HashMap<(String, String), Vec<String>>,
}

/// Exports the merge base of HEAD and `reference`, runs the same checks over it with the same
/// settings and advisory data, and compares by fingerprint. The base's own warnings are not
/// reported: they are about a tree the user is not changing.
fn scan_base(
    discovery: &workspace::Discovery,
    options: &ScanOptions,
    reference: &str,
    head: &[Detection],
    head_workspaces: &[WorkspaceSummary],
    warnings: &mut Vec<Warning>,
) -> Result<BaseOutcome> {
    let tree = policy::BaseTree::export(&discovery.root, reference)?;
    let short: String = tree.commit.chars().take(12).collect();
    // The export is gone by the time the message is read: name the commit's files instead.
    let export = format!("{}{}", tree.scan_root.display(), std::path::MAIN_SEPARATOR);
    let base_error = |source: Error| Error::BaseScan {
        reference: reference.to_owned(),
        message: source.to_string().replace(&export, &format!("{short}:")),
    };
    let lockfiles: Vec<String> = discovery
        .lockfiles
        .iter()
        .map(|lockfile| relative_to_root(lockfile, &discovery.root))
        .collect::<Result<_>>()?;
    // A library that never commits Cargo.lock generates one in CI: the base has the same file.
    let carried = tree.carry_untracked(&discovery.root, &lockfiles);
    if !carried.is_empty() {
        warnings.push(Warning::new(
            "untracked-lockfile",
            Some(carried.join(", ")),
            format!("not committed, so the --new-since base was scanned with this checkout's copy and its dependency findings show as neither new nor fixed; commit {} to compare them", carried.join(" and ")),
        ));
    }
    let base_discovery = if std::fs::metadata(&options.path).is_ok_and(|m| m.is_dir()) {
        workspace::discover(&tree.scan_root).map_err(base_error)?
    } else {
        // A lockfile or manifest named on the command line: the same lockfiles, where the base
        // has them.
        workspace::Discovery {
            root: tree.scan_root.clone(),
            lockfiles: lockfiles
                .iter()
                .map(|relative| tree.scan_root.join(relative))
                .filter(|lockfile| lockfile.is_file())
                .collect(),
            warnings: Vec::new(),
            unusable: None,
        }
    };
    let mut base_options = options.clone();
    base_options.path = tree.scan_root.clone();
    // The base's lockfile may be older than its manifests; it is only read, never judged.
    base_options.cargo.locked = false;
    let mut versions: std::collections::HashMap<(String, String), Vec<String>> = Default::default();
    let detections = match detect(&base_discovery, &base_options) {
        Ok(detected) => {
            let read: std::collections::HashSet<&(String, String)> = detected
                .sections
                .iter()
                .flat_map(|section| &section.read_packages)
                .collect();
            let locked = detected.workspaces.iter().flat_map(|ws| {
                ws.inventory
                    .iter()
                    .map(move |package| (&ws.lockfile, package))
            });
            for (lockfile, package) in locked {
                if !read.contains(&(package.name.clone(), package.version.clone())) {
                    continue;
                }
                let known = versions
                    .entry((lockfile.clone(), package.name.clone()))
                    .or_default();
                if !known.contains(&package.version) {
                    known.push(package.version.clone());
                }
            }
            detected.detections
        }
        // No lockfile at the base: every dependency finding is new.
        Err(Error::NoLockfile { .. }) => Vec::new(),
        Err(error) => return Err(base_error(error)),
    };
    let (new, mut fixed) = policy::compare(head, detections);
    // A lockfile this change deleted (or a check it no longer runs) fixed nothing.
    fixed.retain(|d| !d.is_dependency() || head_workspaces.iter().any(|ws| ws.lockfile == d.file));
    Ok(BaseOutcome {
        reference: reference.to_owned(),
        commit: tree.commit.clone(),
        new,
        fixed,
        versions,
    })
}

/// `git rev-parse --show-prefix` of the scan root: empty outside git or at the top.
fn repository_prefix(root: &Path) -> String {
    if !policy::in_work_tree(root) {
        return String::new();
    }
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
    // Every check reads its settings (one of them may set the walk's file size limit); only the
    // selected ones run.
    let doc = options.settings.doc.as_ref();
    let configured: Vec<Box<dyn Configured>> = checks::CHECKS
        .iter()
        .map(|check| check.configure(doc))
        .collect::<Result<_>>()?;
    let selected: Vec<bool> = checks::CHECKS
        .iter()
        .map(|check| options.checks.contains(&check.name()))
        .collect();
    let chosen = || {
        checks::CHECKS
            .iter()
            .zip(&selected)
            .filter(|(_, chosen)| **chosen)
            .map(|(check, _)| *check)
    };

    // The lockfiles, for the checks that read them.
    let mut skipped: Vec<&'static str> = Vec::new();
    let workspaces = if chosen().any(|check| check.reads_lockfiles()) {
        warnings.extend(discovery.warnings.iter().cloned());
        // Lockfiles that cannot be read beside ones that can are warnings; when every one
        // found is unusable, scanning on would pass the gate on no dependency data.
        if let (true, Some((path, problem))) = (discovery.lockfiles.is_empty(), &discovery.unusable)
        {
            return Err(Error::UnusableLockfile {
                path: path.clone(),
                problem: problem.clone(),
            });
        }
        if discovery.lockfiles.is_empty() {
            // A tree without a lockfile can still be scanned for secrets; asked only for checks
            // that need one, there is nothing to do.
            if chosen().all(|check| check.reads_lockfiles()) {
                return Err(Error::NoLockfile {
                    path: options.path.clone(),
                });
            }
            skipped = chosen()
                .filter(|check| check.reads_lockfiles())
                .map(|check| check.name())
                .collect();
            warnings.push(Warning::new(
                "no-lockfile",
                None,
                format!(
                    "no Cargo.lock found, so the {} check was skipped; run `cargo generate-lockfile` in the workspace to include it",
                    skipped.join(" and ")
                ),
            ));
        }
        // The lockfiles (and cargo metadata) wait on files and processes; the checks' data
        // (the advisory database) loads beside them.
        let data = check::Data {
            sources: &options.sources,
            cargo_home: options.cargo_home.as_deref(),
            cache_dir: options.cache_dir.as_deref(),
        };
        let prepare = || {
            if discovery.lockfiles.is_empty() {
                return;
            }
            for (i, configured) in configured.iter().enumerate() {
                if selected[i] && checks::CHECKS[i].reads_lockfiles() {
                    configured.prepare(&data);
                }
            }
        };
        let (loaded, ()) = rayon::join(
            || load_workspaces(discovery, options, &mut warnings),
            prepare,
        );
        loaded?
    } else {
        Vec::new()
    };

    let progress = options.progress();
    let no_test_files = std::collections::BTreeSet::new();
    let input = |files, test_files| Input {
        root: &discovery.root,
        today: options.today,
        workspaces: &workspaces,
        sources: &options.sources,
        max_age_days: options.max_age_days,
        deny_stale: options.deny_stale,
        progress,
        files,
        test_files,
        cargo_home: options.cargo_home.as_deref(),
        cache_dir: options.cache_dir.as_deref(),
        offline: options.cargo.offline,
    };
    let mut outcomes: Vec<Option<check::Outcome>> = checks::CHECKS.iter().map(|_| None).collect();
    let runs: Vec<usize> = (0..checks::CHECKS.len())
        .filter(|&i| selected[i] && !skipped.contains(&checks::CHECKS[i].name()))
        .collect();
    // Checks without a pass over the source files first (a missing database fails fast), then
    // one walk for every pass, then the checks that had one.
    let mut passes = Vec::new();
    // Each check's run is a stage of its own (no steps unless the check counts them), so `-v`
    // can say where the time went.
    let mark = |i: usize| {
        if let Some(progress) = progress {
            progress.stage(checks::CHECKS[i].name(), 0);
        }
    };
    for &i in &runs {
        match configured[i].source_pass()? {
            Some(pass) => passes.push((i, pass)),
            None => {
                mark(i);
                outcomes[i] = Some(configured[i].run(input(Vec::new(), &no_test_files))?);
            }
        }
    }
    let mut walk_section = None;
    if !passes.is_empty() {
        let limit = configured.iter().find_map(|c| c.max_file_size());
        let walk = source::WalkOptions {
            max_file_size: limit.unwrap_or(source::DEFAULT_MAX_FILE_SIZE),
        };
        let pass_refs: Vec<&dyn source::SourcePass> = passes.iter().map(|(_, p)| &**p).collect();
        let walked = source::scan(&discovery.root, &walk, &pass_refs, progress);
        warnings.extend(walked.warnings);
        let names: Vec<&'static str> = passes
            .iter()
            .map(|(i, _)| checks::CHECKS[*i].name())
            .collect();
        walk_section = Some(walked.summary.section(&names));
        let ran: Vec<usize> = passes.iter().map(|(i, _)| *i).collect();
        drop(passes);
        for (i, files) in ran.into_iter().zip(walked.outputs) {
            mark(i);
            outcomes[i] = Some(configured[i].run(input(files, &walked.test_files))?);
        }
    }

    let mut detections = Vec::new();
    let mut sections = Vec::new();
    let mut rules = Vec::new();
    for (i, check) in checks::CHECKS.iter().enumerate() {
        if check.reads_source_files() {
            // The walk's part comes before the first check that reads source files.
            sections.extend(walk_section.take());
        }
        match outcomes[i].take() {
            Some(outcome) => {
                detections.extend(outcome.detections);
                warnings.extend(outcome.warnings);
                sections.push(outcome.section);
                rules.extend(check.rules()?);
            }
            None => {
                let mut section = check.idle_section();
                // Asked for but skipped (no lockfile): listed as asked for, with nothing read.
                section.role = Role::Check {
                    selected: selected[i],
                    reads_source_files: check.reads_source_files(),
                };
                sections.push(section);
            }
        }
    }
    detections.sort_by(|a, b| detection_key(a).cmp(&detection_key(b)));

    Ok(Detected {
        detections,
        warnings,
        workspaces: workspaces.iter().map(Workspace::summary).collect(),
        sections,
        rules,
    })
}

/// Every lockfile, read in parallel and (unless the caller turned it off) enriched by `cargo
/// metadata`, falling back to the lockfile graph with one warning per workspace.
fn load_workspaces(
    discovery: &workspace::Discovery,
    options: &ScanOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Workspace>> {
    let loaded: Vec<Result<Workspace>> = discovery
        .lockfiles
        .par_iter()
        .map(|lockfile| workspace::load(lockfile, &discovery.root))
        .collect();
    let mut workspaces = loaded.into_iter().collect::<Result<Vec<_>>>()?;
    if !options.cargo_metadata {
        return Ok(workspaces);
    }
    // Cargo's messages name files by absolute path; reports never do.
    let absolute_root = discovery
        .root
        .canonicalize()
        .map(|root| format!("{}{}", root.display(), std::path::MAIN_SEPARATOR))
        .ok();
    let progress = options.progress();
    if let Some(progress) = progress {
        progress.stage("cargo metadata", workspaces.len() as u64);
    }
    let cargo_home = options.cargo_home.clone().or_else(paths::cargo_home);
    let outcomes: Vec<std::result::Result<(), String>> = workspaces
        .par_iter_mut()
        .map(|ws| {
            let outcome =
                workspace::enrich(ws, &discovery.root, options.cargo, cargo_home.as_deref());
            if let Some(progress) = progress {
                progress.step();
            }
            outcome
        })
        .collect();
    let command = options.cargo.command_line();
    for (ws, outcome) in workspaces.iter().zip(outcomes) {
        let Err(reason) = outcome else { continue };
        let reason = match &absolute_root {
            Some(root) => reason.replace(root.as_str(), ""),
            None => reason,
        };
        // `--locked` asks cargo to refuse rather than work around a lockfile it cannot use as
        // is; so does the scan.
        if options.cargo.locked {
            return Err(Error::CargoMetadata {
                path: discovery.root.join(&ws.display_path),
                command,
                reason,
            });
        }
        warnings.push(Warning::new(
            "lockfile-graph",
            Some(ws.display_path.clone()),
            format!(
                "{command} failed ({reason}); using the lockfile graph, so dependency kinds \
                 are unknown (run `cargo fetch` to enable them)"
            ),
        ));
    }
    Ok(workspaces)
}

/// `lockfile`'s path from `root`, `/`-separated, whether the two were given relative (`.` and
/// `Cargo.lock`) or absolute.
fn relative_to_root(lockfile: &Path, root: &Path) -> Result<String> {
    let canonical = |path: &Path| {
        path.canonicalize().map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })
    };
    let (file, dir) = (canonical(lockfile)?, canonical(root)?);
    let relative = file.strip_prefix(&dir).map_err(|_| Error::Read {
        path: lockfile.to_owned(),
        source: std::io::Error::other("not under the scanned directory"),
    })?;
    Ok(relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

/// The order every report uses: by file and position, then rule and package, so output does not
/// depend on thread scheduling.
fn detection_key(d: &Detection) -> impl Ord + '_ {
    (&d.file, d.line, d.column, &d.rule, d.package(), d.kind)
}
