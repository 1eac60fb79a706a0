//! The `cargo-warden` binary: arguments, config lookup, choosing emitters, writing reports and the
//! exit code. Everything that decides anything lives in the library; this layer only wires it to
//! the terminal and the file system.

#![forbid(unsafe_code)]

use anyhow::{bail, Context};
use cargo_warden::config::{self, PolicyChoice};
use cargo_warden::date::Date;
use cargo_warden::policy::{Baseline, ClockKind, Policy, PRESETS};
use cargo_warden::report::{FailOn, Format};
use cargo_warden::{workspace, Check, ScanOptions};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes, the same for every output format.
const EXIT_PASSED: u8 = 0;
const EXIT_GATE_FAILED: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "cargo-warden",
    bin_name = "cargo warden",
    version,
    about = "Supply-chain gate for Rust: vulnerable dependencies, remediation due dates from your security policy, and a verdict for CI",
    after_help = "Exit status: 0 gate passed, 1 gate failed, 2 error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a workspace (or every workspace under a directory) and apply the gate.
    Scan(ScanArgs),
    /// Record today as the first-seen date of every new finding (for `--clock first-seen`).
    Baseline(BaselineArgs),
    /// Clone or refresh the RustSec advisory database with git.
    Fetch(FetchArgs),
    /// Show what a rule finds, why it matters and how to fix it.
    Explain(ExplainArgs),
    /// List every source rule with its id, severity and CWE.
    Rules(RulesArgs),
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// A rule id, as printed in reports (`github-token`, `hardcoded-password`).
    rule: String,
}

#[derive(clap::Args)]
struct FetchArgs {
    /// Where the checkout lives [default: $CARGO_HOME/advisory-db].
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,

    /// Repository to clone (a mirror, say).
    #[arg(long, default_value = cargo_warden::advisories::DEFAULT_URL)]
    url: String,
}

/// What selects and judges findings: shared by `scan` and `baseline`.
#[derive(clap::Args)]
struct CommonArgs {
    /// A directory (every Cargo.lock below it), a Cargo.toml or a Cargo.lock.
    #[arg(default_value = ".")]
    path: PathBuf,

    /// RustSec advisory-db checkout [default: $CARGO_HOME/advisory-db, unless --osv is given].
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,

    /// OSV records: a directory searched at any depth for *.json (repeatable). Alone, replaces
    /// the RustSec default; with --db, both are used and merged.
    #[arg(long, value_name = "PATH")]
    osv: Vec<PathBuf>,

    /// Checks to run, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "CHECKS",
          value_parser = one_of(&Check::ALL, Check::name, Check::help))]
    checks: Vec<Check>,

    /// Configuration file [default: warden.toml at the scanned root, if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// The date due dates are measured against [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD", env = "WARDEN_TODAY", value_parser = parse_date)]
    today: Option<Date>,

    /// Never fetch: a missing default database is an error instead of being cloned.
    #[arg(long, alias = "no-fetch")]
    offline: bool,

    /// A database older than `max-age` (warden.toml, default 7 days) is an error, not a warning.
    #[arg(long)]
    deny_stale: bool,
}

#[derive(clap::Args)]
struct ScanArgs {
    #[command(flatten)]
    common: CommonArgs,

    /// Report format on stdout.
    #[arg(long, default_value = "human",
          value_parser = one_of(&Format::ALL, Format::name, Format::help))]
    format: Format,

    /// Also write a report to a file, e.g. `json=report.json` (repeatable).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_output)]
    output: Vec<(Format, PathBuf)>,

    /// When to colour the human report.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,

    /// Security policy: a preset (atlassian-cloud, fedramp) or a policy file
    /// [default: `[policy]` in warden.toml, else atlassian-cloud].
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,

    /// When each finding's remediation clock starts [default: `[policy] clock`, else introduced].
    #[arg(long, value_parser = one_of(&ClockKind::ALL, ClockKind::name, ClockKind::help))]
    clock: Option<ClockKind>,

    /// When the gate fails (repeatable or comma-separated) [default: `[gate] fail-on`, else overdue].
    #[arg(long, value_delimiter = ',', value_name = "CONDITION",
          value_parser = one_of(&FailOn::ALL, FailOn::as_str, FailOn::help))]
    fail_on: Vec<FailOn>,
}

#[derive(clap::Args)]
struct BaselineArgs {
    #[command(flatten)]
    common: CommonArgs,

    /// The baseline file [default: `[policy] baseline`, else warden-baseline.json at the root].
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// A clap parser over one of the library's enums, so the CLI needs no mirror of it: the names
/// and help lines come from the library.
fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    help: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(
        all.iter()
            .map(|&value| PossibleValue::new(name(value)).help(help(value))),
    )
    .try_map(move |chosen: String| {
        all.iter()
            .copied()
            .find(|&value| name(value) == chosen)
            .ok_or_else(|| format!("unknown value `{chosen}`"))
    })
}

fn parse_output(value: &str) -> Result<(Format, PathBuf), String> {
    let names = || {
        Format::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (format, file) = value.split_once('=').ok_or_else(|| {
        format!(
            "expected FORMAT=FILE, e.g. json=report.json (formats: {})",
            names()
        )
    })?;
    let format = Format::from_name(format)
        .ok_or_else(|| format!("unknown format `{format}`; use one of {}", names()))?;
    if file.is_empty() {
        return Err(format!("no file given after `{}=`", format.name()));
    }
    Ok((format, PathBuf::from(file)))
}

fn parse_date(value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("`{value}` is not a date; use YYYY-MM-DD"))
}

fn main() -> ExitCode {
    // As `cargo warden ...`, cargo runs us with `warden` as the first argument.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "warden") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASSED
            });
        }
    };
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Baseline(args) => run_baseline(args),
        Command::Fetch(args) => run_fetch(args),
        Command::Explain(args) => run_explain(&args.rule),
        Command::Rules(args) => run_rules(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // `cargo warden explain x | head`: the reader left; nothing is wrong.
        Err(err)
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(EXIT_PASSED)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Resolves the path, the config file and the shared options.
fn prepare(common: CommonArgs) -> anyhow::Result<(workspace::Discovery, ScanOptions)> {
    let discovery = workspace::discover(&common.path)?;
    let settings = match &common.config {
        Some(file) => config::load(file)?,
        None => {
            let default = discovery.root.join(config::FILE_NAME);
            if default.is_file() {
                config::load(&default)?
            } else {
                config::Settings::default()
            }
        }
    };
    let today = common.today.unwrap_or_else(Date::today_utc);
    let mut options = ScanOptions::new(&common.path, PathBuf::new(), today);
    // Naming a source (flag first, then warden.toml) replaces the default: `--osv X` alone scans
    // with OSV only. Only the default checkout is ever fetched; a named one is never touched.
    let db = common.db.or(settings.advisories.db.clone());
    let osv = if common.osv.is_empty() {
        settings.advisories.osv.clone()
    } else {
        common.osv
    };
    if !common.checks.is_empty() {
        options.checks = common.checks;
    }
    // The default database is only worth fetching when the advisories check has lockfiles to
    // read.
    let needs_advisories =
        options.checks.contains(&Check::Advisories) && !discovery.lockfiles.is_empty();
    options.sources.rustsec = match (db, osv.is_empty()) {
        (Some(db), _) => Some(db),
        (None, true) if !needs_advisories => None,
        (None, true) => {
            let db = default_db()?;
            if !db.exists() && !common.offline {
                eprintln!(
                    "fetching the RustSec advisory database into {} (pass --offline to never fetch)",
                    db.display()
                );
                let url = settings
                    .advisories
                    .url
                    .as_deref()
                    .unwrap_or(cargo_warden::advisories::DEFAULT_URL);
                cargo_warden::advisories::fetch(&db, url).context(
                    "cannot get the default advisory database (pass --db DIR to use a local copy)",
                )?;
            }
            Some(db)
        }
        (None, false) => None,
    };
    options.sources.osv = osv;
    if let Some(max_age) = settings.advisories.max_age_days {
        options.max_age_days = max_age;
    }
    options.deny_stale = common.deny_stale || settings.advisories.deny_stale == Some(true);
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
    options.settings = settings;
    Ok((discovery, options))
}

fn load_policy(choice: &PolicyChoice) -> anyhow::Result<Policy> {
    match choice {
        PolicyChoice::Preset(name) => Policy::preset(name).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown policy preset `{name}`; use one of {}, or `file = \"...\"` for your own",
                preset_names()
            )
        }),
        PolicyChoice::File(path) => Ok(Policy::load(path)?),
    }
}

fn preset_names() -> String {
    PRESETS.map(|(name, _)| name).join(", ")
}

fn run_scan(args: ScanArgs) -> anyhow::Result<u8> {
    let (discovery, mut options) = prepare(args.common)?;
    if let Some(policy) = &args.policy {
        options.policy = if PRESETS.iter().any(|(name, _)| name == policy) {
            load_policy(&PolicyChoice::Preset(policy.clone()))?
        } else if Path::new(policy).is_file() {
            load_policy(&PolicyChoice::File(PathBuf::from(policy)))?
        } else {
            bail!(
                "--policy `{policy}` is neither a preset ({}) nor a policy file",
                preset_names()
            )
        };
    }
    if let Some(clock) = args.clock {
        options.clock = clock;
    }
    if !args.fail_on.is_empty() {
        options.fail_on = args.fail_on;
    }
    let report = cargo_warden::scan_discovered(&discovery, &options)?;

    for (format, file) in &args.output {
        write_atomically(file, |out| format.emitter(false).emit(&report, out))?;
    }
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    };
    let mut stdout = std::io::stdout().lock();
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

fn run_baseline(args: BaselineArgs) -> anyhow::Result<u8> {
    let (discovery, mut options) = prepare(args.common)?;
    if args.file.is_some() {
        options.baseline = args.file;
    }
    let path = cargo_warden::baseline_path(&discovery, &options);
    let previous = if path.exists() {
        Baseline::load(&path)?
    } else {
        Baseline::default()
    };
    let detected = cargo_warden::detect(&discovery, &options)?;
    let updated = previous.updated(&detected.detections, options.today);
    let kept = updated
        .findings
        .keys()
        .filter(|fp| previous.findings.contains_key(*fp))
        .count();
    let text = serde_json::to_string_pretty(&updated).context("cannot encode the baseline")?;
    write_atomically(&path, |out| writeln!(out, "{text}"))?;
    eprintln!(
        "{}: {} findings recorded ({} new, {} kept, {} dropped as fixed)",
        path.display(),
        updated.findings.len(),
        updated.findings.len() - kept,
        kept,
        previous.findings.len() - kept
    );
    Ok(EXIT_PASSED)
}

fn run_explain(id: &str) -> anyhow::Result<u8> {
    let rules = cargo_warden::rules::all()?;
    let Some(doc) = rules.iter().find(|doc| doc.id == id) else {
        let closest = rules
            .iter()
            .map(|doc| (strsim::jaro_winkler(id, &doc.id), &doc.id))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.8)
            .map(|(_, best)| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        bail!("no rule `{id}`; {closest}run `cargo warden rules` to list them");
    };
    let mut out = std::io::stdout().lock();
    out.write_all(doc.markdown().as_bytes())?;
    out.flush()?;
    Ok(EXIT_PASSED)
}

#[derive(clap::Args, Debug)]
struct RulesArgs {
    /// Print a markdown table (id, severity, CWE, title) of one check's rules, as in the README
    #[arg(long, value_name = "CHECK", value_parser = ["secrets", "code"])]
    markdown: Option<String>,
}

fn run_rules(args: RulesArgs) -> anyhow::Result<u8> {
    if let Some(check) = args.markdown {
        let check = match check.as_str() {
            "secrets" => cargo_warden::rules::RuleCheck::Secrets,
            _ => cargo_warden::rules::RuleCheck::Code,
        };
        let mut out = std::io::stdout().lock();
        out.write_all(cargo_warden::rules::markdown_table(check)?.as_bytes())?;
        out.flush()?;
        return Ok(EXIT_PASSED);
    }
    let rules = cargo_warden::rules::all()?;
    let width = rules.iter().map(|doc| doc.id.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:width$}  {:8}  {:8}  {:16}  title",
        "id", "check", "severity", "cwe"
    )?;
    for doc in &rules {
        writeln!(
            out,
            "{:width$}  {:8}  {:8}  {:16}  {}",
            doc.id,
            doc.check.name(),
            doc.severity.map_or("policy", |s| s.as_str()),
            doc.cwe.join(","),
            doc.title
        )?;
    }
    out.flush()?;
    Ok(EXIT_PASSED)
}

fn run_fetch(args: FetchArgs) -> anyhow::Result<u8> {
    let db = match args.db {
        Some(db) => db,
        None => default_db()?,
    };
    let outcome = cargo_warden::advisories::fetch(&db, &args.url)?;
    let verb = match outcome {
        cargo_warden::advisories::Fetched::Cloned => "cloned",
        cargo_warden::advisories::Fetched::Updated => "updated",
    };
    eprintln!("{}: {verb} from {}", db.display(), args.url);
    Ok(EXIT_PASSED)
}

/// `cargo warden scan | head` should not turn into an error.
fn ignore_broken_pipe(err: std::io::Error) -> std::io::Result<()> {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

/// Reports and baselines are written to a temporary file beside the target and renamed into place, so a crash or
/// a full disk never leaves half a report where CI would pick it up.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create the report file", path.display()))?;
    write(&mut temp)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("{}: cannot move the file into place", path.display()))?;
    Ok(())
}

/// Where cargo-audit keeps its checkout, so both tools share one.
fn default_db() -> anyhow::Result<PathBuf> {
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
