//! The `cargo-warden` binary: arguments, config lookup, choosing emitters, writing reports and the
//! exit code. Everything that decides anything lives in the library; this layer only wires it to
//! the terminal and the file system.

use anyhow::{bail, Context};
use cargo_warden::report::{FailOn, Format, Report};
use cargo_warden::{config, workspace, Check, ScanOptions};
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
    about = "Supply-chain gate for Rust: known-vulnerable dependencies, with a verdict for CI",
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
}

#[derive(clap::Args)]
struct ScanArgs {
    /// A directory (every Cargo.lock below it), a Cargo.toml or a Cargo.lock.
    #[arg(default_value = ".")]
    path: PathBuf,

    /// RustSec advisory-db checkout [default: $CARGO_HOME/advisory-db].
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,

    /// Checks to run, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "CHECKS",
          value_parser = one_of(&Check::ALL, Check::name, Check::help))]
    checks: Vec<Check>,

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

    /// Configuration file [default: warden.toml at the scanned root, if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// When the gate fails (repeatable or comma-separated) [default: vulnerability].
    #[arg(long, value_delimiter = ',', value_name = "CONDITION",
          value_parser = one_of(&FailOn::ALL, FailOn::as_str, FailOn::help))]
    fail_on: Vec<FailOn>,
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
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run_scan(args: ScanArgs) -> anyhow::Result<u8> {
    let discovery = workspace::discover(&args.path)?;
    let settings = match &args.config {
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
    let db = match args.db {
        Some(db) => db,
        None => default_db()?,
    };
    let checks = if args.checks.is_empty() {
        Check::ALL.to_vec()
    } else {
        args.checks
    };
    let options = ScanOptions {
        path: args.path.clone(),
        db,
        checks,
        settings,
        fail_on: args.fail_on,
        cargo_metadata: true,
    };
    let report = cargo_warden::scan_discovered(&discovery, &options)?;

    for (format, file) in &args.output {
        write_atomically(file, &report, *format)?;
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

/// `cargo warden scan | head` should not turn into an error.
fn ignore_broken_pipe(err: std::io::Error) -> std::io::Result<()> {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

/// Reports are written to a temporary file beside the target and renamed into place, so a crash or
/// a full disk never leaves half a report where CI would pick it up.
fn write_atomically(path: &Path, report: &Report, format: Format) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create the report file", path.display()))?;
    format
        .emitter(false)
        .emit(report, &mut temp)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write the report", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("{}: cannot move the report into place", path.display()))?;
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
