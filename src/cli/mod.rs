//! The `cargo-warden` binary: arguments, settings lookup, choosing emitters, writing reports and
//! the exit code. Everything that decides anything lives in the library; this layer only wires it
//! to the terminal and the file system.

mod args;
mod info;
mod output;
mod progress;
mod scan;
mod setup;

use args::{Cli, ColorArg, Command};
use clap::Parser;
use std::process::ExitCode;

/// Exit codes, the same for every output format.
const EXIT_PASSED: u8 = 0;
const EXIT_GATE_FAILED: u8 = 1;
const EXIT_ERROR: u8 = 2;

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    // Panics the library catches at a boundary with untrusted data are reported by it as
    // warnings or errors naming the input; only the others reach the default hook.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !cargo_warden::catch::catching() {
            default_hook(info);
        }
    }));
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
        Command::Scan(args) => scan::run_scan(args, ui),
        Command::Baseline(args) => scan::run_baseline(args, ui),
        Command::Fetch(args) => setup::run_fetch(args, ui),
        Command::Explain(args) => info::run_explain(&args),
        Command::Rules(args) => info::run_rules(args),
        Command::Init(args) => setup::run_init(&args, ui),
        Command::Completions(args) => setup::run_completions(args),
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
            eprintln!("error: {}", one_message(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes on one line, each cause once: library errors already include their
/// source's text (`cannot read: No such file`), which anyhow's `{:#}` would repeat.
fn one_message(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// How the binary talks on stderr: notes unless `-q`, stage details with `-v`.
#[derive(Clone, Copy)]
pub struct Ui {
    quiet: bool,
    verbose: u8,
    color: ColorArg,
}

impl Ui {
    pub fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// A scan warning, on stderr whatever the report's format (unless `-q`); the reports carry
    /// them too (JSON `warnings`, SARIF notifications, annotations).
    pub fn warning(&self, file: Option<&str>, message: &str) {
        if !self.quiet {
            let style = anstyle::AnsiColor::Yellow.on_default().bold();
            // File names and messages quote the scanned tree: no control characters reach the
            // terminal or the CI log.
            let place = file
                .map(|f| format!("{}: ", cargo_warden::report::printable(f)))
                .unwrap_or_default();
            let message = cargo_warden::report::printable(message);
            anstream::eprintln!("{style}warning:{style:#} {place}{message}");
        }
    }

    /// `-v` was given.
    pub fn verbose(&self) -> bool {
        self.verbose > 0
    }

    pub fn detail(&self, message: impl std::fmt::Display) {
        if self.verbose > 0 {
            eprintln!("{message}");
        }
    }

    /// Colour on stdout: `--color`/`CARGO_TERM_COLOR`, else a terminal without `NO_COLOR`.
    pub fn stdout_color(&self) -> bool {
        match self.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }
}
