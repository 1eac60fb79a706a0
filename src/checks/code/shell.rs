//! Shells started by `Command`: `Command::new("sh").arg("-c").arg(script)`, read along the call
//! chain and through a local that holds the command, so a script that is not a literal is found
//! wherever the `-c` and the script are added.

use super::flow::{is_literal, literal_text};
use super::rules::{CodeRules, Matcher, Shell};
use super::scope::Scopes;
use super::syntax::{identifiers_in, list_elements, local_name, path_span, strip, words};
use crate::source::RustFile;
use proc_macro2::LineColumn;
use std::collections::{HashMap, HashSet};
use syn::{Expr, ExprMethodCall};

/// The shell commands the scan knows of.
pub(super) struct Shells {
    /// Locals holding a shell `Command`, per function being read (the file level first).
    commands: Vec<HashMap<String, ShellCommand>>,
    /// Method calls already read as part of a longer `Command` chain.
    seen_chains: HashSet<*const ExprMethodCall>,
}

#[derive(Clone, Copy, Debug)]
struct ShellCommand {
    shell: usize,
    matcher: usize,
    at: (LineColumn, LineColumn),
    script_flag_seen: bool,
}

/// What the shell matchers need from the rest of the scan.
pub(super) struct Context<'a> {
    pub(super) rules: &'static CodeRules,
    pub(super) scopes: &'a Scopes,
    pub(super) file: &'a RustFile,
}

/// A non-literal script: the matcher that reports it, where, and what.
pub(super) struct ShellHit {
    pub(super) matcher: usize,
    pub(super) at: (LineColumn, LineColumn),
    pub(super) what: String,
    /// The "script" is a file to run (`cmd /c {script_path}`), not text built from input:
    /// reported for review.
    pub(super) runs_a_file: bool,
}

/// Words in the name of a value that is a file to run rather than a script's text. (`script`,
/// `cmd` and `program` are not among them: after `-c` they are usually the text itself.)
const FILE_WORDS: [&str; 7] = [
    "path",
    "file",
    "filename",
    "exe",
    "executable",
    "bin",
    "binary",
];

impl Default for Shells {
    fn default() -> Self {
        Shells {
            commands: vec![HashMap::new()],
            seen_chains: HashSet::new(),
        }
    }
}

impl Shells {
    pub(super) fn enter_function(&mut self) {
        self.commands.push(HashMap::new());
    }

    pub(super) fn exit_function(&mut self) {
        self.commands.pop();
    }

    /// `let name = …`: whether `name` now holds a shell command (its chain read on the way).
    pub(super) fn local(&mut self, name: String, init: &Expr, cx: &Context<'_>) -> Vec<ShellHit> {
        let mut hits = Vec::new();
        let mut calls: Vec<&ExprMethodCall> = Vec::new();
        let mut current = strip(init);
        while let Expr::MethodCall(call) = current {
            calls.push(call);
            current = strip(&call.receiver);
        }
        let command = self.read_chain(&calls, current, cx, &mut hits);
        if let Some(commands) = self.commands.last_mut() {
            match command {
                Some(command) => commands.insert(name, command),
                None => commands.remove(&name),
            };
        }
        hits
    }

    /// An `.arg(…)`/`.args(…)` call not yet read as part of a longer chain.
    pub(super) fn chain(&mut self, call: &ExprMethodCall, cx: &Context<'_>) -> Vec<ShellHit> {
        let mut hits = Vec::new();
        if self.seen_chains.contains(&(call as *const _)) {
            return hits;
        }
        let mut calls = vec![call];
        let mut current = strip(&call.receiver);
        while let Expr::MethodCall(inner) = current {
            calls.push(inner);
            current = strip(&inner.receiver);
        }
        self.read_chain(&calls, current, cx, &mut hits);
        hits
    }

    /// `calls` run from the outermost to the one on `root`: reads the command's arguments in
    /// order and reports a non-literal script after the `-c` flag.
    fn read_chain(
        &mut self,
        calls: &[&ExprMethodCall],
        root: &Expr,
        cx: &Context<'_>,
        hits: &mut Vec<ShellHit>,
    ) -> Option<ShellCommand> {
        let variable = local_name(root);
        let mut command = match &variable {
            Some(name) => *self.commands.last()?.get(name)?,
            None => shell_root(root, cx)?,
        };
        for call in calls.iter().rev() {
            self.seen_chains.insert(*call as *const _);
            let method = call.method.to_string();
            let arguments: Vec<Expr> = match (method.as_str(), call.args.first()) {
                ("arg", Some(arg)) => vec![arg.clone()],
                ("args", Some(list)) => list_elements(list, cx.file),
                _ => continue,
            };
            for argument in &arguments {
                hits.extend(command_argument(&mut command, argument, cx));
            }
        }
        if let (Some(name), Some(commands)) = (variable, self.commands.last_mut()) {
            commands.insert(name, command);
        }
        Some(command)
    }
}

/// `Command::new("sh")` with a shell program: the matcher and shell it is.
fn shell_root(expr: &Expr, cx: &Context<'_>) -> Option<ShellCommand> {
    let Expr::Call(call) = strip(expr) else {
        return None;
    };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    let last = func.path.segments.last()?.ident.to_string();
    let program = literal_text(call.args.first()?)?;
    let program = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&program)
        .to_ascii_lowercase();
    let program = program.strip_suffix(".exe").unwrap_or(&program);
    for &index in cx.rules.for_function(&last) {
        if let Matcher::Shell { paths, shells } = &cx.rules.matcher(index).matcher {
            if !cx.scopes.path_matches(&func.path, paths) {
                continue;
            }
            if let Some(shell) = shells
                .iter()
                .position(|s| s.programs.iter().any(|p| p == program))
            {
                return Some(ShellCommand {
                    shell,
                    matcher: index,
                    at: path_span(&func.path),
                    script_flag_seen: false,
                });
            }
        }
    }
    None
}

fn command_argument(
    command: &mut ShellCommand,
    argument: &Expr,
    cx: &Context<'_>,
) -> Option<ShellHit> {
    let Matcher::Shell { shells, .. } = &cx.rules.matcher(command.matcher).matcher else {
        return None;
    };
    let shell: &Shell = &shells[command.shell];
    if command.script_flag_seen {
        if !is_literal(argument, cx.file) {
            let program = shell.programs.first().cloned().unwrap_or_default();
            // A name like `runnable_path`, passed as it is: the shell runs that file. Text built
            // with `format!` or `+` is a script whatever it is called.
            // The value alone (`runnable_path`), or formatted alone, maybe quoted
            // (`format!("{exe}")`, `format!("\"{}\"", path)`): its name says whether it is a
            // file. Text built around it is a script whatever it is called.
            let alone: Option<Vec<String>> = match strip(argument) {
                Expr::Macro(m) => cx
                    .file
                    .macro_args(&m.mac)
                    .as_ref()
                    .as_ref()
                    .and_then(|args| {
                        let format = literal_text(args.first()?)?;
                        let inner = format.trim().trim_matches('"');
                        let capture = inner.strip_prefix('{')?.strip_suffix('}')?;
                        if capture.contains(['{', '}']) {
                            return None;
                        }
                        let mut names = vec![capture.split(':').next().unwrap_or("").to_owned()];
                        for arg in args.iter().skip(1) {
                            names.extend(identifiers_in(arg));
                        }
                        Some(names)
                    }),
                Expr::Binary(_) => None,
                other => Some(identifiers_in(other)),
            };
            let runs_a_file = alone.is_some_and(|names| {
                names
                    .iter()
                    .flat_map(|name| words(name))
                    .any(|word| FILE_WORDS.contains(&word.as_str()))
            });
            let what = if runs_a_file {
                format!("a file run through `{program}`'s script flag")
            } else {
                format!("a non-literal script run by `{program}`")
            };
            return Some(ShellHit {
                matcher: command.matcher,
                at: command.at,
                what,
                runs_a_file,
            });
        }
    } else if literal_text(argument).is_some_and(|flag| shell.is_script_flag(&flag)) {
        command.script_flag_seen = true;
    }
    None
}
