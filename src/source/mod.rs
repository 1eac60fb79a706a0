//! The walk over the workspace's own files that every source check shares: decide what each file
//! is, read it once, parse each Rust file once, and run each check's [`SourcePass`] over it.
//!
//! Files are processed in parallel with rayon and each pass's results come back in path order, so
//! the output does not depend on scheduling. Binary files, files over the size limit (reported,
//! so nothing is missed silently) and unreadable files are skipped here, once, for every pass. A
//! pass that trips over a file costs that file, not the scan.
//!
//! Nothing here decides severity or knows a rule: passes turn what they find into findings.

mod decode;
mod depth;
mod rust;
mod suppress;
mod test_code;
mod test_modules;
mod walk;

pub use decode::decode as decode_text;
pub use depth::WORKER_STACK;

pub use rust::{
    has_string_literal, is_name_macro, is_test_attribute, macro_name, MacroArgs, RustFile,
    NAME_MACROS,
};
pub use suppress::suppressed;
pub use test_code::TestSeverity;
pub use test_modules::{declared_modules, test_files, ModuleDecl};
pub use walk::{classify, is_test_path, is_test_word, FileKind, DEFAULT_MAX_FILE_SIZE};

use crate::finding::Warning;
use crate::paths::relative_display;
use crate::progress::Progress;
use crate::report::{plural, Role, Section, SOURCE_WALK};
use rayon::prelude::*;
use serde::Serialize;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One file as the passes see it.
pub struct SourceFile<'a> {
    /// Relative to the scan root, `/` separators.
    pub relative: &'a str,
    pub kind: FileKind,
    pub text: &'a str,
    pub lines: &'a [&'a str],
    /// Test code by where it lives (`tests/`, `benches/`, `examples/`, ...).
    pub in_test_path: bool,
    /// A Rust file's syntax tree, or why syn could not parse it; `None` for other files.
    pub rust: Option<Result<&'a RustFile, &'a syn::Error>>,
}

/// What a source check does with each file the walk reads. Called from worker threads, once per
/// file, with nothing shared between files.
pub trait SourcePass: Sync {
    /// What it looks for, for messages about skipped files: "not scanned for {purpose}".
    fn purpose(&self) -> &'static str;
    /// What became of a Rust file syn cannot parse, for its warning: "it was scanned line by line
    /// for known credential formats".
    fn when_unparsable(&self) -> &'static str;
    /// Whether it reads files of this kind.
    fn reads(&self, kind: FileKind) -> bool;
    /// Its findings in one file, in whatever form its check gathers them afterwards.
    fn scan(&self, file: &SourceFile<'_>) -> Box<dyn Any + Send>;
}

/// What one pass returned for each file it read, in path order.
pub type PassOutput = Vec<(String, Box<dyn Any + Send>)>;

/// A pass's per-file results, as the type the pass made them.
pub fn outputs<T: 'static>(output: PassOutput) -> Vec<(String, T)> {
    output
        .into_iter()
        .filter_map(|(file, result)| result.downcast::<T>().ok().map(|r| (file, *r)))
        .collect()
}

/// How much of the tree the source checks read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// Files read (Rust and other text).
    pub files: usize,
    pub rust_files: usize,
    pub bytes: u64,
    /// Files over the size limit, each also reported as a warning.
    pub skipped_large: usize,
    /// Files that are not UTF-8 text.
    pub skipped_binary: usize,
    /// Rust files syn could not parse.
    pub unparsable: usize,
}

impl SourceSummary {
    /// The walk's part of the report, for the checks (`checks`) whose passes ran.
    pub fn section(&self, checks: &[&'static str]) -> Section {
        let size = if self.bytes >= 1_000_000 {
            format!("{:.1} MB", self.bytes as f64 / 1e6)
        } else {
            format!("{:.1} kB", self.bytes as f64 / 1e3)
        };
        let mut section = Section::empty(SOURCE_WALK, Role::SourceWalk);
        section.json.push(("sources", Box::new(self.clone())));
        section.scanned = Some(format!(
            "{} ({size}) for {}",
            plural(self.files, "file"),
            checks.join(" and ")
        ));
        section.sarif.insert(
            "files_scanned".to_owned(),
            serde_json::to_value(self).unwrap_or_default(),
        );
        section
    }
}

/// Options for the walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    pub max_file_size: u64,
}

/// What the walk read, and each pass's results.
pub struct Walked {
    pub summary: SourceSummary,
    pub warnings: Vec<Warning>,
    /// One per pass, in the order the passes were given.
    pub outputs: Vec<PassOutput>,
    /// Files that are test code because a `#[cfg(test)] mod` declares them (or a module of one):
    /// passes see each file alone, so their checks apply this afterwards.
    pub test_files: BTreeSet<String>,
}

/// Walks `root` and runs every pass over every file it reads, telling `progress` about each file.
pub fn scan(
    root: &Path,
    options: &WalkOptions,
    passes: &[&dyn SourcePass],
    progress: Option<&dyn Progress>,
) -> Walked {
    let (mut files, mut warnings) = walk::walk(root);
    files.retain(|(_, kind, _)| passes.iter().any(|pass| pass.reads(*kind)));
    if let Some(progress) = progress {
        progress.stage("source files", files.len() as u64);
    }
    let scan_one = |(path, kind, size): &(PathBuf, FileKind, u64)| {
        let outcome = scan_file(root, path, *kind, *size, options, passes);
        if let Some(progress) = progress {
            progress.step();
        }
        outcome
    };
    // Parsing and walking recurse as deep as a file nests: the workers get a stack that fits
    // the deepest file `depth` lets through (rayon's default is 2 MiB). Should the pool not
    // start, one thread with that stack does the work.
    let results: Vec<FileOutcome> = match rayon::ThreadPoolBuilder::new()
        .stack_size(depth::WORKER_STACK)
        .thread_name(|i| format!("warden-source-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| files.par_iter().map(scan_one).collect()),
        Err(_) => std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(depth::WORKER_STACK)
                .spawn_scoped(scope, || files.iter().map(scan_one).collect())
                .ok()
                .and_then(|handle| handle.join().ok())
                .unwrap_or_default()
        }),
    };

    let mut summary = SourceSummary::default();
    let mut outputs: Vec<PassOutput> = passes.iter().map(|_| Vec::new()).collect();
    let mut scanned = BTreeSet::new();
    let mut declarations = BTreeMap::new();
    for outcome in results {
        match outcome {
            FileOutcome::Scanned {
                file,
                bytes,
                kind,
                unparsable,
                results,
                modules,
            } => {
                scanned.insert(file.clone());
                if !modules.is_empty() {
                    declarations.insert(file.clone(), modules);
                }
                summary.files += 1;
                summary.bytes += bytes;
                summary.rust_files += usize::from(kind == FileKind::Rust);
                if let Some(warning) = unparsable {
                    summary.unparsable += 1;
                    warnings.push(warning);
                }
                for (index, result) in results {
                    outputs[index].push((file.clone(), result));
                }
            }
            FileOutcome::Large(warning) => {
                summary.skipped_large += 1;
                warnings.push(warning);
            }
            FileOutcome::Binary => summary.skipped_binary += 1,
            FileOutcome::Unreadable(warning) => warnings.push(warning),
        }
    }
    Walked {
        summary,
        warnings,
        outputs,
        test_files: test_files(&scanned, &declarations),
    }
}

enum FileOutcome {
    Scanned {
        file: String,
        bytes: u64,
        kind: FileKind,
        unparsable: Option<Warning>,
        /// Each reading pass's result, by the pass's index.
        results: Vec<(usize, Box<dyn Any + Send>)>,
        /// The out-of-line modules a Rust file declares.
        modules: Vec<ModuleDecl>,
    },
    Large(Warning),
    Binary,
    Unreadable(Warning),
}

/// "secrets or code patterns": what was not done to a skipped file.
fn purposes(passes: &[&dyn SourcePass]) -> String {
    let purposes: Vec<&str> = passes.iter().map(|pass| pass.purpose()).collect();
    purposes.join(" or ")
}

fn scan_file(
    root: &Path,
    path: &Path,
    kind: FileKind,
    size: u64,
    options: &WalkOptions,
    passes: &[&dyn SourcePass],
) -> FileOutcome {
    let relative = relative_display(path, root);
    if size > options.max_file_size {
        return FileOutcome::Large(Warning::source_walk(
            "skipped-large-file",
            Some(relative),
            format!(
                "not scanned for {}: {size} bytes is over the {} byte limit; raise `[secrets] max-file-size` in warden.toml to include it",
                purposes(passes),
                options.max_file_size
            ),
        ));
    }
    // A regular file only: a FIFO in the tree would block the read forever.
    let bytes = match crate::read::read_capped(path, options.max_file_size) {
        Ok(bytes) => bytes,
        Err(err) => {
            return FileOutcome::Unreadable(Warning::source_walk(
                "unreadable-file",
                Some(relative),
                format!(
                    "cannot read ({err}); it was not scanned for {}",
                    purposes(passes)
                ),
            ))
        }
    };
    let Some(text) = decode::decode(bytes) else {
        return FileOutcome::Binary;
    };
    // One file the passes trip over must not end the whole scan: it becomes a warning.
    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut modules = Vec::new();
        let (unparsable, results) = run_passes(kind, &text, &relative, passes, &mut modules);
        (unparsable, results, modules)
    }));
    // Spans of this file are no longer needed; without this the thread's source map keeps every
    // file ever parsed.
    proc_macro2::extra::invalidate_current_thread_spans();
    let Ok((unparsable, results, modules)) = scanned else {
        return FileOutcome::Unreadable(Warning::source_walk(
            "scan-failed",
            Some(relative),
            "the source checks failed on this file (an internal error; please report it with the file); the rest of the scan went on",
        ));
    };
    FileOutcome::Scanned {
        file: relative,
        bytes: text.len() as u64,
        kind,
        unparsable,
        results,
        modules,
    }
}

/// The passes over one file's text as if the walk had read it (rule examples, tests): the
/// unparsable warning, if any, and each reading pass's result by the pass's index.
#[allow(clippy::type_complexity)]
pub fn scan_text(
    kind: FileKind,
    text: &str,
    relative: &str,
    passes: &[&dyn SourcePass],
) -> (Option<Warning>, Vec<(usize, Box<dyn Any + Send>)>) {
    let scanned = run_passes(kind, text, relative, passes, &mut Vec::new());
    proc_macro2::extra::invalidate_current_thread_spans();
    scanned
}

/// Every pass that reads this kind of file, over one file: one parse for a Rust file, whose
/// out-of-line module declarations go to `modules`.
#[allow(clippy::type_complexity)]
fn run_passes(
    kind: FileKind,
    text: &str,
    relative: &str,
    passes: &[&dyn SourcePass],
    modules: &mut Vec<ModuleDecl>,
) -> (Option<Warning>, Vec<(usize, Box<dyn Any + Send>)>) {
    let readers: Vec<(usize, &dyn SourcePass)> = passes
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, pass)| pass.reads(kind))
        .collect();
    let fallback = readers
        .first()
        .map_or("", |(_, pass)| pass.when_unparsable());
    read_text(kind, text, relative, fallback, |file| {
        if let Some(Ok(rust)) = file.rust {
            *modules = declared_modules(relative, &rust.syntax);
        }
        readers
            .iter()
            .map(|(index, pass)| (*index, pass.scan(file)))
            .collect()
    })
}

/// One file's text as the passes see it, given to `read`: parsed once if it is Rust, with the
/// warning for a Rust file syn cannot parse (ending in `fallback`, what became of it).
pub fn read_text<T>(
    kind: FileKind,
    text: &str,
    relative: &str,
    fallback: &str,
    read: impl FnOnce(&SourceFile<'_>) -> T,
) -> (Option<Warning>, T) {
    let lines: Vec<&str> = text.lines().collect();
    // Measured before parsing: a file nested past the bounds would overflow the stack.
    let too_deep = match kind {
        FileKind::Rust => Some(depth::measure(text)).filter(|n| !n.within_bounds()),
        FileKind::Text(_) => None,
    };
    let parsed = match kind {
        FileKind::Rust if too_deep.is_none() => Some(RustFile::parse(text)),
        _ => None,
    };
    let unparsable = match (&parsed, too_deep) {
        (_, Some(nesting)) => Some(Warning::source_walk(
            "too-deep-source",
            Some(relative.to_owned()),
            format!("not parsed: {}; {fallback}", nesting.describe()),
        )),
        (Some(Err(err)), _) => Some(Warning::source_walk(
            "unparsable-source",
            Some(relative.to_owned()),
            format!(
                "syn cannot parse this file at line {} ({err}); {fallback}",
                err.span().start().line
            ),
        )),
        _ => None,
    };
    let file = SourceFile {
        relative,
        kind,
        text,
        lines: &lines,
        in_test_path: is_test_path(relative),
        rust: parsed.as_ref().map(|parsed| parsed.as_ref()),
    };
    (unparsable, read(&file))
}
