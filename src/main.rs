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

/// Cargo's own help colours, so `cargo warden --help` reads like `cargo build --help`.
const HELP_STYLES: clap::builder::Styles = {
    use anstyle::{AnsiColor, Style};
    clap::builder::Styles::styled()
        .header(AnsiColor::BrightGreen.on_default().bold())
        .usage(AnsiColor::BrightGreen.on_default().bold())
        .literal(AnsiColor::BrightCyan.on_default().bold())
        .error(AnsiColor::BrightRed.on_default().bold())
        .valid(AnsiColor::BrightCyan.on_default().bold())
        .invalid(AnsiColor::Yellow.on_default().bold())
        .context(Style::new().dimmed())
};

#[derive(Parser)]
#[command(
    name = "cargo-warden",
    bin_name = "cargo warden",
    version,
    styles = HELP_STYLES,
    about = "Supply-chain gate for Rust: vulnerable dependencies, remediation due dates from your security policy, and a verdict for CI",
    after_help = "Exit status: 0 gate passed, 1 gate failed, 2 error."
)]
struct Cli {
    /// Print no notes or progress on stderr (reports and errors still print)
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        display_order = 100
    )]
    quiet: bool,

    /// Also print what was read and how long each stage took, on stderr
    #[arg(short, long, global = true, action = clap::ArgAction::Count, display_order = 100)]
    verbose: u8,

    /// Coloring of the human report and notes
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CARGO_TERM_COLOR",
        default_value = "auto"
    )]
    color: ColorArg,

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
    /// Show what a rule finds or what an advisory is about, and how to fix it.
    Explain(ExplainArgs),
    /// List every source rule with its id, severity and CWE.
    Rules(RulesArgs),
    /// Write a commented warden.toml (and, with --github, a workflow that runs the gate).
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// A rule id as printed in reports (`github-token`, `undocumented-unsafe`), or an advisory id
    /// or alias (`RUSTSEC-2019-0009`, `CVE-2019-15551`, `GHSA-…`).
    #[arg(value_name = "RULE|ADVISORY")]
    id: String,

    /// RustSec advisory-db checkout to look advisories up in [default: $CARGO_HOME/advisory-db].
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,

    /// The policy whose deadline an advisory is shown with: a preset or a policy file
    /// [default: atlassian-cloud].
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,
}

#[derive(clap::Args)]
struct InitArgs {
    /// The directory to write into (a workspace root).
    #[arg(default_value = ".")]
    dir: PathBuf,

    /// Also write .github/workflows/warden.yml, a workflow that runs the gate on every push and
    /// pull request and uploads SARIF to code scanning.
    #[arg(long)]
    github: bool,

    /// Replace files that already exist.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct CompletionsArgs {
    /// The shell to complete for.
    shell: clap_complete::Shell,
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

    /// Path to Cargo.toml, as in cargo (the same as giving it as PATH).
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "path",
        help_heading = "Manifest Options"
    )]
    manifest_path: Option<PathBuf>,

    /// Assert that Cargo.lock is up to date: stop when `cargo metadata --locked` cannot use it,
    /// instead of falling back to the lockfile graph. (A scan never rewrites Cargo.lock.)
    #[arg(long, help_heading = "Manifest Options")]
    locked: bool,

    /// Run without the network: the default database is not fetched (a missing one is an
    /// error) and `cargo metadata` runs with --offline.
    #[arg(long, alias = "no-fetch", help_heading = "Manifest Options")]
    offline: bool,

    /// Equivalent to both --locked and --offline.
    #[arg(long, help_heading = "Manifest Options")]
    frozen: bool,

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
/// and help lines come from the library. Spaces around a value are dropped, so a list written
/// `secrets, code` (in a workflow's `with:`, say) means what it says, as in cargo's `--features`.
fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    help: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    Trimmed(
        PossibleValuesParser::new(
            all.iter()
                .map(|&value| PossibleValue::new(name(value)).help(help(value))),
        )
        .try_map(move |chosen: String| {
            all.iter()
                .copied()
                .find(|&value| name(value) == chosen)
                .ok_or_else(|| format!("unknown value `{chosen}`"))
        }),
    )
}

#[derive(Clone)]
struct Trimmed<P>(P);

impl<P: TypedValueParser> TypedValueParser for Trimmed<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let trimmed = value
            .to_str()
            .map_or(value, |text| std::ffi::OsStr::new(text.trim()));
        self.0.parse_ref(cmd, arg, trimmed)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.0.possible_values()
    }
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
    let ui = Ui {
        quiet: cli.quiet,
        verbose: cli.verbose,
        color: cli.color,
    };
    let result = match cli.command {
        Command::Scan(args) => run_scan(args, ui),
        Command::Baseline(args) => run_baseline(args, ui),
        Command::Fetch(args) => run_fetch(args, ui),
        Command::Explain(args) => run_explain(&args),
        Command::Rules(args) => run_rules(args),
        Command::Init(args) => run_init(&args, ui),
        Command::Completions(args) => run_completions(args),
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

/// How the binary talks on stderr: notes unless `-q`, stage details with `-v`.
#[derive(Clone, Copy)]
struct Ui {
    quiet: bool,
    verbose: u8,
    color: ColorArg,
}

impl Ui {
    fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    fn detail(&self, message: impl std::fmt::Display) {
        if self.verbose > 0 {
            eprintln!("{message}");
        }
    }

    /// Colour on stdout: `--color`/`CARGO_TERM_COLOR`, else a terminal without `NO_COLOR`.
    fn stdout_color(&self) -> bool {
        match self.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }
}

/// A progress bar on stderr for people at a terminal: never with `-q`, never in CI logs (`CI`
/// set), never when stderr is piped or redirected.
struct Bar(indicatif::ProgressBar);

impl cargo_warden::Progress for Bar {
    fn stage(&self, name: &'static str, steps: u64) {
        // Empty stages (no workspace for cargo metadata) would flash a full bar.
        if steps == 0 {
            return;
        }
        self.0.reset();
        self.0.set_length(steps);
        self.0.set_message(name);
        // Shown once the first stage is set up, so no empty frame flashes first.
        if self.0.is_hidden() {
            self.0
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn step(&self) {
        self.0.inc(1);
    }
}

fn progress_bar(ui: Ui) -> Option<std::sync::Arc<Bar>> {
    use std::io::IsTerminal;
    if ui.quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        return None;
    }
    // Hidden until a stage with steps starts.
    let bar = indicatif::ProgressBar::hidden();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>14} [{bar:32}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(std::sync::Arc::new(Bar(bar)))
}

/// Runs a scan step with the progress bar up, and clears it before anything else prints.
fn with_progress<T>(ui: Ui, options: &mut ScanOptions, run: impl FnOnce(&ScanOptions) -> T) -> T {
    let bar = progress_bar(ui);
    options.progress = bar
        .clone()
        .map(|bar| cargo_warden::ProgressSink(bar as std::sync::Arc<dyn cargo_warden::Progress>));
    let started = std::time::Instant::now();
    let result = run(options);
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    ui.detail(format!(
        "scan took {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    result
}

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
            if !db.exists() && !offline {
                ui.note(format!(
                    "fetching the RustSec advisory database into {} (pass --offline to never fetch)",
                    db.display()
                ));
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
    if let Some(db) = &options.sources.rustsec {
        ui.detail(format!("advisory database: {}", db.display()));
    }
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

/// `--policy NAME|FILE`: a preset by name, else a policy file.
fn policy_arg(policy: &str) -> anyhow::Result<Policy> {
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

fn run_scan(args: ScanArgs, ui: Ui) -> anyhow::Result<u8> {
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

fn run_baseline(args: BaselineArgs, ui: Ui) -> anyhow::Result<u8> {
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

fn run_explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let id = args.id.as_str();
    let rules = cargo_warden::rules::all()?;
    let text = if let Some(doc) = rules.iter().find(|doc| doc.id == id) {
        doc.markdown()
    } else if looks_like_advisory(id) {
        let db = match &args.db {
            Some(db) => db.clone(),
            None => default_db()?,
        };
        if !db.exists() {
            bail!(
                "{}: no advisory database to look `{id}` up in; run `cargo warden fetch` or pass --db DIR",
                db.display()
            );
        }
        let sources = cargo_warden::advisories::Sources {
            rustsec: Some(db.clone()),
            osv: Vec::new(),
        };
        let (database, _, _) = cargo_warden::advisories::Database::load(&sources)?;
        let Some(advisory) = database.find(id) else {
            bail!(
                "{}: no advisory `{id}`; check the id, or refresh the database with `cargo warden fetch`",
                db.display()
            );
        };
        let policy = match &args.policy {
            Some(policy) => policy_arg(policy)?,
            None => Policy::default_preset(),
        };
        advisory.markdown(&policy)
    } else {
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
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_PASSED)
}

/// Advisory ids and the aliases they carry: `RUSTSEC-2019-0009`, `CVE-2019-15551`,
/// `GHSA-xxxx-xxxx-xxxx`.
fn looks_like_advisory(id: &str) -> bool {
    let upper = id.to_ascii_uppercase();
    ["RUSTSEC-", "CVE-", "GHSA-"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
}

/// The commented warden.toml `init` writes; a test loads it, so it always parses.
const INIT_CONFIG: &str = include_str!("templates/warden.toml");
/// The workflow `init --github` writes, shown verbatim in the README.
const INIT_WORKFLOW: &str = include_str!("templates/github-workflow.yml");

fn run_init(args: &InitArgs, ui: Ui) -> anyhow::Result<u8> {
    if !args.dir.is_dir() {
        bail!(
            "{}: not a directory; pass the workspace root to write warden.toml into",
            args.dir.display()
        );
    }
    let mut files = vec![(args.dir.join(config::FILE_NAME), INIT_CONFIG)];
    if args.github {
        files.push((
            args.dir
                .join(".github")
                .join("workflows")
                .join("warden.yml"),
            INIT_WORKFLOW,
        ));
    }
    // Check everything before writing anything, so a refusal leaves no half-done init.
    if !args.force {
        if let Some((path, _)) = files.iter().find(|(path, _)| path.exists()) {
            bail!(
                "{}: already exists; edit it, or pass --force to replace it",
                path.display()
            );
        }
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create the directory", parent.display()))?;
        }
        write_atomically(path, |out| out.write_all(text.as_bytes()))?;
        ui.note(format!("wrote {}", path.display()));
    }
    Ok(EXIT_PASSED)
}

fn run_completions(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "cargo-warden", &mut out);
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

fn run_fetch(args: FetchArgs, ui: Ui) -> anyhow::Result<u8> {
    let db = match args.db {
        Some(db) => db,
        None => default_db()?,
    };
    let outcome = cargo_warden::advisories::fetch(&db, &args.url)?;
    let verb = match outcome {
        cargo_warden::advisories::Fetched::Cloned => "cloned",
        cargo_warden::advisories::Fetched::Updated => "updated",
    };
    ui.note(format!("{}: {verb} from {}", db.display(), args.url));
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
    // Emitters write in small pieces (serde_json writes each token); unbuffered, a report of
    // 200,000 findings cost over a minute in write syscalls.
    let written = {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        write(&mut buffered).and_then(|()| buffered.flush())
    };
    written
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
