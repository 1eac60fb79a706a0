//! The command line: every subcommand and flag, and the parsers that turn flag values into the
//! library's types. Names and help lines of checks, formats, clocks and gate conditions come from
//! the library, so the CLI holds no copy of them.

use cargo_warden::checks;
use cargo_warden::date::Date;
use cargo_warden::finding::FailOn;
use cargo_warden::policy::ClockKind;
use cargo_warden::report::Format;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
pub struct Cli {
    /// Print no notes or progress on stderr (reports and errors still print)
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        display_order = 100
    )]
    pub quiet: bool,

    /// Also print what was read and how long each stage took, on stderr
    #[arg(short, long, global = true, action = clap::ArgAction::Count, display_order = 100)]
    pub verbose: u8,

    /// Coloring of the human report and notes
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CARGO_TERM_COLOR",
        default_value = "auto"
    )]
    pub color: ColorArg,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
pub struct ExplainArgs {
    /// A rule id as printed in reports (`github-token`, `undocumented-unsafe`), or an advisory id
    /// or alias (`RUSTSEC-2019-0009`, `CVE-2019-15551`, `GHSA-…`).
    #[arg(value_name = "RULE|ADVISORY")]
    pub id: String,

    /// RustSec advisory-db checkout to look advisories up in [default: $CARGO_HOME/advisory-db].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// The policy whose deadline an advisory is shown with: a preset or a policy file
    /// [default: atlassian-cloud].
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// The directory to write into (a workspace root).
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Also write .github/workflows/warden.yml, a workflow that runs the gate on every push and
    /// pull request and uploads SARIF to code scanning.
    #[arg(long)]
    pub github: bool,

    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,

    /// The adoption date written as `[policy] since` [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD", env = "WARDEN_TODAY", value_parser = parse_date)]
    pub today: Option<Date>,
}

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct FetchArgs {
    /// Where the checkout lives [default: $CARGO_HOME/advisory-db].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// Repository to clone (a mirror, say).
    #[arg(long, default_value = cargo_warden::advisories::DEFAULT_URL)]
    pub url: String,

    /// Where the parsed advisory data is kept for scans, rebuilt after the fetch [default:
    /// $WARDEN_CACHE_DIR, else $CARGO_HOME/warden-cache].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// What selects and judges findings: shared by `scan` and `baseline`.
#[derive(clap::Args)]
pub struct CommonArgs {
    /// A directory (every Cargo.lock below it), a Cargo.toml or a Cargo.lock.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// RustSec advisory-db checkout [default: $CARGO_HOME/advisory-db, unless --osv is given].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// OSV records: a directory searched at any depth for *.json (repeatable). Alone, replaces
    /// the RustSec default; with --db, both are used and merged.
    #[arg(long, value_name = "PATH")]
    pub osv: Vec<PathBuf>,

    /// Checks to run, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "CHECKS", value_parser = check_names())]
    pub checks: Vec<&'static str>,

    /// Configuration file [default: warden.toml at the scanned root, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The date due dates are measured against [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD", env = "WARDEN_TODAY", value_parser = parse_date)]
    pub today: Option<Date>,

    /// Path to Cargo.toml, as in cargo (the same as giving it as PATH).
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "path",
        help_heading = "Manifest Options"
    )]
    pub manifest_path: Option<PathBuf>,

    /// Assert that Cargo.lock is up to date: stop when `cargo metadata --locked` cannot use it,
    /// instead of falling back to the lockfile graph. (A scan never rewrites Cargo.lock.)
    #[arg(long, help_heading = "Manifest Options")]
    pub locked: bool,

    /// Run without the network: the default database is not fetched (a missing one is an
    /// error) and `cargo metadata` runs with --offline.
    #[arg(long, alias = "no-fetch", help_heading = "Manifest Options")]
    pub offline: bool,

    /// Equivalent to both --locked and --offline.
    #[arg(long, help_heading = "Manifest Options")]
    pub frozen: bool,

    /// A database older than `max-age` (warden.toml, default 7 days) is an error, not a warning.
    #[arg(long)]
    pub deny_stale: bool,

    /// Where scans keep the parsed advisory data and each crate's supply-chain audit, outside
    /// the scanned tree [default: $WARDEN_CACHE_DIR, else $CARGO_HOME/warden-cache].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Report format on stdout.
    #[arg(long, default_value = "human",
          value_parser = one_of(&Format::ALL, Format::name, Format::help))]
    pub format: Format,

    /// Also write a report to a file, e.g. `json=report.json` (repeatable).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_output)]
    pub output: Vec<(Format, PathBuf)>,

    /// Security policy: a preset (`cargo warden rules --policies` lists them) or a policy file
    /// [default: `[policy]` in warden.toml, else atlassian-cloud].
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,

    /// When each finding's remediation clock starts [default: `[policy] clock`, else introduced].
    #[arg(long, value_parser = one_of(&ClockKind::ALL, ClockKind::name, ClockKind::help))]
    pub clock: Option<ClockKind>,

    /// When the gate fails (repeatable or comma-separated) [default: `[gate] fail-on`, else overdue].
    #[arg(long, value_delimiter = ',', value_name = "CONDITION",
          value_parser = one_of(&FailOn::ALL, FailOn::as_str, FailOn::help))]
    pub fail_on: Vec<FailOn>,

    /// Compare with the merge base of HEAD and this git revision (e.g. origin/main): findings
    /// are marked new or unchanged, and those the change removed are listed as fixed.
    #[arg(long, value_name = "REF", value_parser = parse_revision)]
    pub new_since: Option<String>,

    /// An OpenVEX document whose `not_affected` and `fixed` statements accept the dependency
    /// findings they name (repeatable; added to `[advisories] vex`).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// CISA's Known Exploited Vulnerabilities catalog, as downloaded (JSON): listed findings are
    /// rated critical and due by the catalog's date at the latest [default: `[advisories] kev`].
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The baseline file [default: `[policy] baseline`, else warden-baseline.json at the root].
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Print a markdown table (id, severity, CWE, title) of one check's rules, as in the README
    #[arg(long, value_name = "CHECK", value_parser = PossibleValuesParser::new(
        checks::CHECKS.iter().filter(|check| check.rules_file().is_some()).map(|check| check.name())
    ))]
    pub markdown: Option<String>,

    /// List the policy presets instead: each tier's time frame and where the numbers come from
    #[arg(long, conflicts_with = "markdown")]
    pub policies: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ColorArg {
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

/// `--checks`: the registry's checks, by name.
fn check_names() -> impl TypedValueParser<Value = &'static str> {
    Trimmed(
        PossibleValuesParser::new(
            checks::CHECKS
                .iter()
                .map(|check| PossibleValue::new(check.name()).help(check.help())),
        )
        .try_map(|chosen: String| {
            checks::find(&chosen)
                .map(|check| check.name())
                .ok_or_else(|| format!("unknown check `{chosen}`"))
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

fn parse_revision(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.starts_with('-') {
        return Err(format!(
            "`{value}` is not a git revision; pass a branch, tag or commit, e.g. origin/main"
        ));
    }
    Ok(value.to_owned())
}

fn parse_date(value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("`{value}` is not a date; use YYYY-MM-DD"))
}
