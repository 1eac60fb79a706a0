//! `scan` and `baseline`: the path, settings, policy and advisory data resolved from flags and
//! the settings file, one scan, and what is written.

use super::args::{BaselineArgs, CommonArgs, ScanArgs};
use super::output::{check_target, ignore_broken_pipe, write_atomically};
use super::progress::with_progress;
use super::{Ui, EXIT_GATE_FAILED, EXIT_PASSED};
use anyhow::{bail, Context};
use cargo_warden::advisories::{self, AdvisorySettings};
use cargo_warden::config;
use cargo_warden::date::Date;
use cargo_warden::policy::{Baseline, Policy, PolicyChoice, PRESETS};
use cargo_warden::report::Format;
use cargo_warden::{checks, workspace, ScanOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Resolves the path, the config file and the shared options.
fn prepare(common: CommonArgs, ui: Ui) -> anyhow::Result<(workspace::Discovery, ScanOptions)> {
    let path = common.manifest_path.unwrap_or(common.path);
    let discovery = workspace::discover(&path)?;
    ui.detail(format!(
        "scan root {}: {} lockfile(s)",
        discovery.root.display(),
        discovery.lockfiles.len()
    ));
    let settings = match common.config.as_deref() {
        Some(file) => config::load(file)?,
        None => config::for_root(&discovery.root)?,
    };
    if let Some(file) = &settings.file {
        ui.detail(format!("config: {}", file.display()));
    }
    let today = common.today.unwrap_or_else(Date::today_utc);
    let mut options = ScanOptions::new(&path, PathBuf::new(), today);
    let offline = common.offline || common.frozen;
    options.cargo = workspace::CargoFlags {
        locked: common.locked || common.frozen,
        offline,
    };
    // Naming a source (flag first, then warden.toml) replaces the default: `--osv X` alone scans
    // with OSV only. Only the default checkout is ever fetched; a named one is never touched.
    let advisories = AdvisorySettings::read(settings.doc.as_ref())?;
    let db = common.db.or(advisories.db.clone());
    let osv = if common.osv.is_empty() {
        advisories.osv.clone()
    } else {
        common.osv
    };
    if !common.checks.is_empty() {
        options.checks = common.checks;
    }
    options.cache_dir = common.cache_dir;
    // The default database is only worth fetching when the advisories check has lockfiles to
    // read.
    let needs_advisories =
        options.checks.contains(&advisories::NAME) && !discovery.lockfiles.is_empty();
    options.sources.rustsec = match (db, osv.is_empty()) {
        (Some(db), _) => Some(db),
        (None, true) if !needs_advisories => None,
        (None, true) => {
            let db = default_db()?;
            if !db.exists() && !offline {
                ui.note(format!(
                    "fetching the RustSec advisory database into {} (pass --offline to never fetch)",
                    db.display()
                ));
                let url = advisories.url.as_deref().unwrap_or(advisories::DEFAULT_URL);
                advisories::fetch(&db, url).context(
                    "cannot get the default advisory database (pass --db DIR to use a local copy)",
                )?;
            }
            Some(db)
        }
        (None, false) => None,
    };
    if let Some(db) = &options.sources.rustsec {
        ui.detail(format!("advisory database: {}", db.display()));
    }
    options.sources.osv = osv;
    if let Some(max_age) = advisories.max_age_days {
        options.max_age_days = max_age;
    }
    options.deny_stale = common.deny_stale || advisories.deny_stale == Some(true);
    if let Some(choice) = &settings.policy {
        options.policy = load_policy(choice)?;
    }
    if let Some(clock) = settings.clock {
        options.clock = clock;
    }
    if let Some(fail_on) = &settings.fail_on {
        options.fail_on = fail_on.clone();
    }
    options.baseline = settings.baseline.clone();
    options.vex = advisories.vex.clone();
    options.kev = advisories.kev.clone();
    options.settings = settings;
    Ok((discovery, options))
}

pub fn load_policy(choice: &PolicyChoice) -> anyhow::Result<Policy> {
    match choice {
        PolicyChoice::Preset(name) => Policy::preset(name, &checks::kinds()).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown policy preset `{name}`; use one of {}, or `file = \"...\"` for your own",
                preset_names()
            )
        }),
        PolicyChoice::File(path) => Ok(Policy::load(path, &checks::kinds())?),
    }
}

/// `--policy NAME|FILE`: a preset by name, else a policy file.
pub fn policy_arg(policy: &str) -> anyhow::Result<Policy> {
    if PRESETS.iter().any(|(name, _)| *name == policy) {
        load_policy(&PolicyChoice::Preset(policy.to_owned()))
    } else if Path::new(policy).is_file() {
        load_policy(&PolicyChoice::File(PathBuf::from(policy)))
    } else {
        bail!(
            "--policy `{policy}` is neither a preset ({}) nor a policy file",
            preset_names()
        )
    }
}

fn preset_names() -> String {
    PRESETS.map(|(name, _)| name).join(", ")
}

pub fn run_scan(args: ScanArgs, ui: Ui) -> anyhow::Result<u8> {
    let (discovery, mut options) = prepare(args.common, ui)?;
    if let Some(policy) = &args.policy {
        options.policy = policy_arg(policy)?;
    }
    if let Some(clock) = args.clock {
        options.clock = clock;
    }
    if !args.fail_on.is_empty() {
        options.fail_on = args.fail_on;
    }
    options.new_since = args.new_since;
    options.vex.extend(args.vex);
    if args.kev.is_some() {
        options.kev = args.kev;
    }
    for (_, file) in &args.output {
        check_target(file)?;
    }
    // An SBOM lists the locked packages, which only the advisories check reads: without it the
    // document would be empty and look complete.
    let wants_sbom = args.format == Format::CycloneDx
        || args
            .output
            .iter()
            .any(|(format, _)| *format == Format::CycloneDx);
    if wants_sbom && !options.checks.contains(&advisories::NAME) {
        bail!("the cyclonedx format lists the locked packages, which only the advisories check reads; add `advisories` to --checks");
    }
    let report = with_progress(ui, &mut options, |options| {
        cargo_warden::scan_discovered(&discovery, options)
    })?;
    ui.detail(format!(
        "{} findings, gate {}",
        report.findings.len(),
        if report.gate.passed {
            "passed"
        } else {
            "failed"
        }
    ));

    for warning in &report.warnings {
        ui.warning(warning.file.as_deref(), &warning.message);
    }
    for (format, file) in &args.output {
        write_atomically(file, |out| format.emitter(false).emit(&report, out))?;
    }
    let color = ui.stdout_color();
    // Stdout is line-buffered; a pretty-printed report would be one write per line.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    args.format
        .emitter(color)
        .emit(&report, &mut stdout)
        .and_then(|()| stdout.flush())
        .or_else(ignore_broken_pipe)
        .context("cannot write the report to stdout")?;

    Ok(if report.gate.passed {
        EXIT_PASSED
    } else {
        EXIT_GATE_FAILED
    })
}

pub fn run_baseline(args: BaselineArgs, ui: Ui) -> anyhow::Result<u8> {
    let (discovery, mut options) = prepare(args.common, ui)?;
    if args.file.is_some() {
        options.baseline = args.file;
    }
    let path = cargo_warden::baseline_path(&discovery, &options);
    let previous = if path.exists() {
        Baseline::load(&path)?
    } else {
        Baseline::default()
    };
    let detected = with_progress(ui, &mut options, |options| {
        cargo_warden::detect(&discovery, options)
    })?;
    let updated = previous.updated(&detected.detections, options.today);
    let kept = updated
        .findings
        .keys()
        .filter(|fp| previous.findings.contains_key(*fp))
        .count();
    let text = serde_json::to_string_pretty(&updated).context("cannot encode the baseline")?;
    write_atomically(&path, |out| writeln!(out, "{text}"))?;
    ui.note(format!(
        "{}: {} findings recorded ({} new, {} kept, {} dropped as fixed)",
        path.display(),
        updated.findings.len(),
        updated.findings.len() - kept,
        kept,
        previous.findings.len() - kept
    ));
    Ok(EXIT_PASSED)
}

/// Where cargo-audit keeps its checkout, so both tools share one.
pub fn default_db() -> anyhow::Result<PathBuf> {
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(cargo_home).join("advisory-db"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cargo").join("advisory-db")),
        None => bail!(
            "cannot find the advisory database: neither CARGO_HOME nor HOME is set; pass --db DIR"
        ),
    }
}
