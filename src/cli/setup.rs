//! `init`, `completions` and `fetch`: getting a workspace and a machine ready to scan.

use super::args::{Cli, CompletionsArgs, FetchArgs, InitArgs};
use super::output::write_atomically;
use super::scan::default_db;
use super::{Ui, EXIT_PASSED};
use anyhow::{bail, Context};
use cargo_warden::config;
use cargo_warden::date::Date;
use std::io::Write;

/// The commented warden.toml `init` writes; a test loads it, so it always parses.
const INIT_CONFIG: &str = include_str!("../templates/warden.toml");
/// The workflow `init --github` writes, shown verbatim in the README.
const INIT_WORKFLOW: &str = include_str!("../templates/github-workflow.yml");

pub fn run_init(args: &InitArgs, ui: Ui) -> anyhow::Result<u8> {
    if !args.dir.is_dir() {
        bail!(
            "{}: not a directory; pass the workspace root to write warden.toml into",
            args.dir.display()
        );
    }
    let since = args.today.unwrap_or_else(Date::today_utc);
    let settings = INIT_CONFIG.replace("since = SINCE", &format!("since = {since}"));
    let mut files = vec![(args.dir.join(config::FILE_NAME), settings.as_str())];
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

pub fn run_completions(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "cargo-warden", &mut out);
    out.flush()?;
    Ok(EXIT_PASSED)
}

pub fn run_fetch(args: FetchArgs, ui: Ui) -> anyhow::Result<u8> {
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
    // The next scan then starts from parsed data. Not being able to is no reason to fail the
    // fetch: the scan parses the database itself.
    let sources = cargo_warden::advisories::Sources {
        rustsec: Some(db.clone()),
        osv: Vec::new(),
    };
    if let Some(cache) = cargo_warden::paths::cache_dir(args.cache_dir.as_deref(), None) {
        let problem = match cargo_warden::advisories::refresh_snapshot(&sources, &cache) {
            Ok(Ok(())) => None,
            Ok(Err(problem)) => Some(problem),
            Err(err) => Some(err.to_string()),
        };
        if let Some(problem) = problem {
            ui.warning(
                Some(&cache.display().to_string()),
                &format!("the parsed advisory data was not saved ({problem}); scans parse the database until it is"),
            );
        }
    }
    Ok(EXIT_PASSED)
}
