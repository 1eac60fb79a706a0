//! The code check's side of the single walk over a parsed Rust file: the secrets collector in
//! `rust.rs` calls these hooks as it visits each item, statement and expression, so both checks
//! share one parse and one traversal.
//!
//! What the rules need beyond the node itself lives here: which names the file's `use` items
//! bring into scope (so `transmute` after `use std::mem::transmute` is the std function and a
//! local `fn transmute` is not), whether the code is inside `unsafe` and whether that block is
//! justified by a `// SAFETY:` comment (comments are not in syn's tree, so they are read from the
//! source lines), and which local strings were built by formatting or which local `Command`s
//! start a shell, for the injection rules.

use crate::rules::code::{CodeMatcher, CodeRules, Matcher, PathPattern, Shell};
use crate::rules::RuleDoc;
use proc_macro2::{LineColumn, Span};
use std::collections::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::{Expr, Item, Lit, Token, UseTree};

/// What a code rule found at one place.
#[derive(Clone, Debug)]
pub struct CodeHit {
    pub rule: &'static RuleDoc,
    /// Relative to the scan root, `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Exclusive, on `line`.
    pub end_column: usize,
    /// What was found, for the message: "`std::mem::transmute`".
    pub what: String,
    /// The flagged line's text, trimmed: what the fingerprint is made of.
    pub snippet: String,
    /// How many earlier hits of this rule in the file have the same snippet.
    pub occurrence: usize,
    pub in_test: bool,
}

/// Unsafe code in one file, outside test code: the inventory's raw counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnsafeCounts {
    pub blocks: usize,
    pub functions: usize,
    pub impls: usize,
    pub traits: usize,
    /// The file declares `#![forbid(unsafe_code)]`.
    pub forbids_unsafe: bool,
}

/// Where an unsafe block's SAFETY comment may also sit: above the statement that holds it
/// (clippy's `accept-comment-above-statement`), found by walking up through expressions only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Anchor {
    /// At a boundary (a block's statement, a match arm, a struct field): the next expression
    /// starts a new chain.
    Unset,
    /// The line the chain's statement, `let`, assignment or const starts on.
    Line(usize),
    /// No statement comment applies (the chain's top is an `if`/`match`/loop, or a macro).
    None,
}

#[derive(Clone, Copy, Debug)]
enum Frame {
    Function { is_unsafe: bool },
    Block { documented: bool },
}

#[derive(Default)]
struct Scope {
    /// Name in scope -> the full path it stands for.
    imports: HashMap<String, Vec<String>>,
    /// `use a::b::*` prefixes.
    globs: Vec<Vec<String>>,
    /// Items defined here (functions, types, modules): they shadow globs and the prelude.
    locals: HashSet<String>,
}

/// A local string built from pieces.
#[derive(Clone, Copy, Debug, Default)]
struct BuiltString {
    /// Something not literal was spliced in.
    spliced: bool,
    /// Its literal text reads as SQL.
    sql: bool,
}

#[derive(Clone, Copy, Debug)]
struct ShellCommand {
    shell: usize,
    matcher: usize,
    at: (LineColumn, LineColumn),
    script_flag_seen: bool,
}

#[derive(Default)]
struct FunctionState {
    strings: HashMap<String, BuiltString>,
    commands: HashMap<String, ShellCommand>,
}

pub struct CodeScan<'s> {
    rules: &'static CodeRules,
    lines: &'s [&'s str],
    scopes: Vec<Scope>,
    frames: Vec<Frame>,
    /// Lines comments are not looked for above: the enclosing function's first line, or for
    /// items the line their predecessor ends on.
    floors: Vec<usize>,
    /// The start lines of the statements being visited, innermost last.
    statements: Vec<usize>,
    anchor: Anchor,
    functions: Vec<FunctionState>,
    /// Method calls already read as part of a longer `Command` chain.
    seen_chains: HashSet<*const syn::ExprMethodCall>,
    /// Imports of local modules by glob (`use super::*`): unresolved names then likely come
    /// from there, so they are not guessed to be library types.
    local_globs: usize,
    pub in_test: bool,
    hits: Vec<CodeHit>,
    counts: UnsafeCounts,
}

/// Names in scope in every module without a `use`.
const PRELUDE: [(&str, &str); 3] = [
    ("Box", "std::boxed::Box"),
    ("Vec", "std::vec::Vec"),
    ("String", "std::string::String"),
];

/// std modules a path may start with after a `use std::…` the scan cannot see (a glob, a macro).
const STD_MODULES: [&str; 10] = [
    "mem", "ptr", "slice", "str", "ffi", "process", "sync", "rc", "boxed", "string",
];

impl<'s> CodeScan<'s> {
    pub fn new(rules: &'static CodeRules, lines: &'s [&'s str]) -> Self {
        CodeScan {
            rules,
            lines,
            scopes: Vec::new(),
            frames: Vec::new(),
            floors: vec![0],
            statements: Vec::new(),
            anchor: Anchor::None,
            functions: vec![FunctionState::default()],
            seen_chains: HashSet::new(),
            local_globs: 0,
            in_test: false,
            hits: Vec::new(),
            counts: UnsafeCounts::default(),
        }
    }

    /// Whether a macro body holds anything the code rules look at.
    pub fn interested_in(&self, tokens: &proc_macro2::TokenStream) -> bool {
        tokens.clone().into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => self.rules.watches(&ident.to_string()),
            proc_macro2::TokenTree::Group(group) => self.interested_in(&group.stream()),
            _ => false,
        })
    }

    pub fn finish(mut self) -> (Vec<CodeHit>, UnsafeCounts) {
        self.hits
            .sort_by(|a, b| (a.line, a.column, &a.rule.id).cmp(&(b.line, b.column, &b.rule.id)));
        self.hits
            .dedup_by(|a, b| a.line == b.line && a.column == b.column && a.rule.id == b.rule.id);
        (self.hits, self.counts)
    }

    // ---- scopes -------------------------------------------------------------------------

    pub fn enter_file(&mut self, file: &syn::File) {
        self.counts.forbids_unsafe = file.attrs.iter().any(|attr| {
            attr.path().is_ident("forbid")
                && matches!(&attr.meta, syn::Meta::List(list)
                    if list.tokens.clone().into_iter().any(|t| t.to_string() == "unsafe_code"))
        });
        self.push_scope(file.items.iter());
    }

    fn push_scope<'a>(&mut self, items: impl Iterator<Item = &'a Item>) {
        let mut scope = Scope::default();
        for item in items {
            match item {
                Item::Use(u) => collect_use(&u.tree, Vec::new(), &mut scope),
                Item::ExternCrate(e) => {
                    let name = e
                        .rename
                        .as_ref()
                        .map_or_else(|| e.ident.to_string(), |(_, r)| r.to_string());
                    scope.imports.insert(name, vec![e.ident.to_string()]);
                }
                other => {
                    if let Some(ident) = item_ident(other) {
                        scope.locals.insert(ident);
                    }
                }
            }
        }
        let local_globs = scope
            .globs
            .iter()
            .filter(|g| {
                matches!(
                    g.first().map(String::as_str),
                    Some("super" | "crate" | "self")
                )
            })
            .count();
        self.local_globs += local_globs;
        self.scopes.push(scope);
    }

    fn pop_scope(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            self.local_globs -= scope
                .globs
                .iter()
                .filter(|g| {
                    matches!(
                        g.first().map(String::as_str),
                        Some("super" | "crate" | "self")
                    )
                })
                .count();
        }
    }

    /// The paths a written path may stand for, and whether it may also be matched by its tail
    /// (an unimported type such as `Md5::new`, seen in code whose imports the scan cannot see).
    fn resolve(&self, path: &syn::Path) -> (Vec<PathPattern>, bool) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(first) = segments.first() else {
            return (Vec::new(), false);
        };
        let normalise = |mut full: Vec<String>| {
            if matches!(full.first().map(String::as_str), Some("core" | "alloc")) {
                full[0] = "std".to_owned();
            }
            full
        };
        if path.leading_colon.is_some() {
            return (vec![normalise(segments)], false);
        }
        for scope in self.scopes.iter().rev() {
            if let Some(full) = scope.imports.get(first) {
                let mut full = full.clone();
                full.extend(segments[1..].iter().cloned());
                return (vec![normalise(full)], false);
            }
            if scope.locals.contains(first) {
                return (Vec::new(), false);
            }
        }
        match first.as_str() {
            "std" | "core" | "alloc" => return (vec![normalise(segments)], false),
            "crate" | "self" | "super" | "Self" => return (Vec::new(), false),
            _ => {}
        }
        if let Some((_, full)) = PRELUDE.iter().find(|(name, _)| name == first) {
            let mut full: Vec<String> = full.split("::").map(str::to_owned).collect();
            full.extend(segments[1..].iter().cloned());
            return (vec![full], false);
        }
        let mut candidates: Vec<PathPattern> = self
            .scopes
            .iter()
            .flat_map(|scope| &scope.globs)
            .map(|glob| {
                let mut full = glob.clone();
                full.extend(segments.iter().cloned());
                normalise(full)
            })
            .collect();
        if segments.len() >= 2 {
            // An extern crate named by its path (`sqlx::query`).
            candidates.push(segments.clone());
            if STD_MODULES.contains(&first.as_str()) {
                let mut full = vec!["std".to_owned()];
                full.extend(segments.iter().cloned());
                candidates.push(full);
            }
        }
        let type_tail = segments.len() >= 2
            && first.starts_with(|c: char| c.is_ascii_uppercase())
            && self.local_globs == 0;
        (candidates, type_tail)
    }

    fn path_matches(&self, path: &syn::Path, patterns: &[PathPattern]) -> bool {
        if path.segments.is_empty() {
            return false;
        }
        let (candidates, type_tail) = self.resolve(path);
        patterns.iter().any(|pattern| {
            candidates.iter().any(|c| c == pattern)
                || (type_tail && {
                    let tail: Vec<String> =
                        path.segments.iter().map(|s| s.ident.to_string()).collect();
                    pattern.len() > tail.len() && pattern.ends_with(&tail)
                })
        })
    }

    // ---- comments ----------------------------------------------------------------------

    fn floor(&self) -> usize {
        self.floors.last().copied().unwrap_or(0)
    }

    fn in_unsafe(&self) -> bool {
        // The innermost frame decides: a function inside an unsafe block is safe code again.
        match self.frames.last() {
            Some(Frame::Block { .. }) => true,
            Some(Frame::Function { is_unsafe }) => *is_unsafe,
            None => false,
        }
    }

    /// Whether an operation on `line` is justified: its innermost unsafe block is documented,
    /// or a SAFETY comment sits directly above its statement.
    fn justified(&self) -> bool {
        let block_documented =
            matches!(self.frames.last(), Some(Frame::Block { documented: true }));
        block_documented
            || self
                .statements
                .last()
                .is_some_and(|&line| safety_comment_above(self.lines, line, self.floor()))
    }

    // ---- items -------------------------------------------------------------------------

    pub fn enter_item(&mut self, item: &Item) {
        match item {
            Item::Mod(m) => {
                if let Some((brace, items)) = &m.content {
                    self.push_scope(items.iter());
                    self.floors.push(brace.span.open().start().line);
                }
            }
            Item::Fn(f) => {
                self.enter_function(
                    matches!(f.sig.safety, syn::Safety::Unsafe(_)),
                    fn_start(&f.vis, &f.sig),
                );
            }
            Item::Impl(imp) => {
                if let Some(unsafety) = imp.unsafety {
                    if !self.in_test {
                        self.counts.impls += 1;
                    }
                    let start = unsafety.span.start();
                    let documented = safety_comment_above(self.lines, start.line, self.floor());
                    if !documented {
                        if let Some(matcher) = self.rules.undocumented_unsafe() {
                            let what = "`unsafe impl`".to_owned();
                            self.hit(matcher, (start, unsafety.span.end()), what);
                        }
                    }
                    if let Some((trait_path, _)) = &imp.trait_ {
                        let matchers: Vec<&'static CodeMatcher> = self
                            .rules
                            .unsafe_impl()
                            .filter(|m| match &m.matcher {
                                Matcher::UnsafeImpl { traits } => {
                                    self.path_matches(trait_path, traits)
                                        || trait_path.segments.len() == 1
                                            && traits.iter().any(|t| {
                                                t.last().is_some_and(|last| {
                                                    trait_path.is_ident(last.as_str())
                                                        && !self.is_local(last)
                                                })
                                            })
                                }
                                _ => false,
                            })
                            .collect();
                        for matcher in matchers {
                            let name = trait_path
                                .segments
                                .last()
                                .map(|s| s.ident.to_string())
                                .unwrap_or_default();
                            self.hit(
                                matcher,
                                path_span(trait_path),
                                format!("`unsafe impl {name}`"),
                            );
                        }
                    }
                }
            }
            Item::Trait(t) if t.unsafety.is_some() && !self.in_test => {
                self.counts.traits += 1;
            }
            Item::Static(s) => {
                if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                    let at = (s.static_token.span.start(), s.ident.span().end());
                    let matchers: Vec<&'static CodeMatcher> = self.rules.static_mut().collect();
                    for matcher in matchers {
                        self.hit(matcher, at, format!("`static mut {}`", s.ident));
                    }
                }
                self.anchor = Anchor::Line(attributed_start(
                    &s.attrs,
                    item_start_line(&s.vis, s.static_token.span),
                ));
            }
            Item::Const(c) => {
                self.anchor = Anchor::Line(attributed_start(
                    &c.attrs,
                    item_start_line(&c.vis, c.const_token.span),
                ));
            }
            _ => {}
        }
    }

    pub fn exit_item(&mut self, item: &Item) {
        match item {
            Item::Mod(m) if m.content.is_some() => {
                self.pop_scope();
                self.floors.pop();
            }
            Item::Fn(_) => self.exit_function(),
            Item::Static(_) | Item::Const(_) => self.anchor = Anchor::None,
            _ => {}
        }
        // The next item's comment cannot start above the line this one ends on.
        if let (Some(end), Some(floor)) = (item_end_line(item), self.floors.last_mut()) {
            if self.frames.is_empty() {
                *floor = end;
            }
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|scope| scope.locals.contains(name))
    }

    /// A function body (item, impl or trait method): comments above it do not document what
    /// is inside.
    pub fn enter_function(&mut self, is_unsafe: bool, start_line: usize) {
        if is_unsafe && !self.in_test {
            self.counts.functions += 1;
        }
        self.frames.push(Frame::Function { is_unsafe });
        self.floors.push(start_line);
        self.functions.push(FunctionState::default());
    }

    pub fn exit_function(&mut self) {
        self.frames.pop();
        self.floors.pop();
        self.functions.pop();
    }

    // ---- blocks and statements ---------------------------------------------------------

    /// Returns whether a scope was pushed (the block declares items or imports).
    pub fn enter_block(&mut self, block: &syn::Block) -> bool {
        let items: Vec<&Item> = block
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        if items.is_empty() {
            return false;
        }
        self.push_scope(items.into_iter());
        true
    }

    pub fn exit_block(&mut self, pushed: bool) {
        if pushed {
            self.pop_scope();
        }
    }

    /// Before a statement: where it starts, and what its expressions' anchor is.
    pub fn enter_statement(&mut self, stmt: &syn::Stmt) -> Anchor {
        let saved = self.anchor;
        let line = match stmt {
            syn::Stmt::Local(local) => {
                let line = attributed_start(&local.attrs, local.let_token.span.start().line);
                self.anchor = Anchor::Line(line);
                self.local(local);
                line
            }
            syn::Stmt::Expr(expr, _) => {
                self.anchor = Anchor::Unset;
                expr_start(expr).map_or(0, |at| at.line)
            }
            syn::Stmt::Macro(m) => {
                self.anchor = Anchor::None;
                attributed_start(&m.attrs, path_span(&m.mac.path).0.line)
            }
            syn::Stmt::Item(_) => {
                self.anchor = Anchor::None;
                0
            }
        };
        self.statements.push(line);
        saved
    }

    pub fn exit_statement(&mut self, saved: Anchor) {
        self.statements.pop();
        self.anchor = saved;
    }

    /// A match arm, struct-literal field or macro body: the anchor chain stops here.
    pub fn boundary(&mut self, unset: bool) -> Anchor {
        let saved = self.anchor;
        self.anchor = if unset { Anchor::Unset } else { Anchor::None };
        saved
    }

    pub fn restore(&mut self, saved: Anchor) {
        self.anchor = saved;
    }

    // ---- expressions -------------------------------------------------------------------

    pub fn enter_expr(&mut self, expr: &Expr) -> Anchor {
        let saved = self.anchor;
        if self.anchor == Anchor::Unset {
            self.anchor = match expr {
                Expr::If(_)
                | Expr::Match(_)
                | Expr::Loop(_)
                | Expr::While(_)
                | Expr::ForLoop(_) => Anchor::None,
                _ => expr_start(expr).map_or(Anchor::None, |at| Anchor::Line(at.line)),
            };
        }
        match expr {
            Expr::Assign(assign) => {
                if let Some(at) = expr_start(&assign.left) {
                    self.anchor = Anchor::Line(at.line);
                }
                if let Some(name) = local_name(&assign.left) {
                    match built(&assign.right, self.strings()) {
                        Some(b) => {
                            self.strings_mut().insert(name, b);
                        }
                        None => {
                            self.strings_mut().remove(&name);
                        }
                    }
                }
            }
            Expr::Binary(binary) if matches!(binary.op, syn::BinOp::AddAssign(_)) => {
                if let Some(name) = local_name(&binary.left) {
                    self.append(name, &binary.right);
                }
            }
            Expr::Unsafe(block) => self.enter_unsafe(block),
            Expr::Call(call) => self.call(call),
            Expr::MethodCall(call) => self.method_call(call),
            _ => {}
        }
        saved
    }

    pub fn exit_expr(&mut self, expr: &Expr, saved: Anchor) {
        if matches!(expr, Expr::Unsafe(_)) {
            self.frames.pop();
        }
        self.anchor = saved;
    }

    fn enter_unsafe(&mut self, block: &syn::ExprUnsafe) {
        if !self.in_test {
            self.counts.blocks += 1;
        }
        let start = block.unsafe_token.span.start();
        let floor = self.floor();
        let documented = safety_comment_above(self.lines, start.line, floor)
            || match self.anchor {
                Anchor::Line(line) if line < start.line => {
                    safety_comment_above(self.lines, line, floor)
                }
                _ => false,
            }
            || comment_opens_block(self.lines, block);
        if !documented {
            if let Some(matcher) = self.rules.undocumented_unsafe() {
                let what = "`unsafe` block".to_owned();
                self.hit(matcher, (start, block.unsafe_token.span.end()), what);
            }
        }
        self.frames.push(Frame::Block { documented });
    }

    fn call(&mut self, call: &syn::ExprCall) {
        let Expr::Path(func) = &*call.func else {
            return;
        };
        if func.qself.is_some() {
            return;
        }
        let Some(last) = func.path.segments.last() else {
            return;
        };
        let mut candidates = self.rules.for_function(&last.ident.to_string());
        if candidates.is_empty() && func.path.segments.len() == 1 {
            // `use std::mem::transmute as tm; tm(x)`: the rules know the imported name.
            let imported = self
                .scopes
                .iter()
                .rev()
                .find_map(|scope| scope.imports.get(&last.ident.to_string()))
                .and_then(|full| full.last());
            if let Some(name) = imported {
                candidates = self.rules.for_function(name);
            }
        }
        for &index in candidates {
            let matcher = self.rules.matcher(index);
            match &matcher.matcher {
                Matcher::Call { paths, first_arg }
                    if self.path_matches(&func.path, paths)
                        && first_arg_matches(call.args.first(), first_arg)
                        && !(matcher.unless_safety_comment && self.justified()) =>
                {
                    self.hit(
                        matcher,
                        path_span(&func.path),
                        format!("`{}`", path_text(&func.path)),
                    );
                }
                Matcher::Query { paths, .. }
                    if self.path_matches(&func.path, paths)
                        && call
                            .args
                            .first()
                            .and_then(|arg| built(arg, self.strings()))
                            .is_some_and(|b| b.spliced) =>
                {
                    self.hit(
                        matcher,
                        path_span(&func.path),
                        format!("a formatted string passed to `{}`", path_text(&func.path)),
                    );
                }
                _ => {}
            }
        }
    }

    fn method_call(&mut self, call: &syn::ExprMethodCall) {
        let name = call.method.to_string();
        if name == "arg" || name == "args" {
            self.shell_chain(call);
        }
        if name == "push_str" {
            if let (Some(target), Some(arg)) = (local_name(&call.receiver), call.args.first()) {
                self.append(target, arg);
            }
        }
        for &index in self.rules.for_method(&name) {
            let matcher = self.rules.matcher(index);
            match &matcher.matcher {
                Matcher::Method {
                    methods,
                    first_arg,
                    receiver_call,
                    followed_by,
                    unsafe_only,
                } => {
                    if methods.contains(&name) && followed_by.is_empty() {
                        let receiver_ok = receiver_call.is_empty()
                            || matches!(strip(&call.receiver), Expr::Call(inner)
                                if matches!(&*inner.func, Expr::Path(p) if self.path_matches(&p.path, receiver_call)));
                        if receiver_ok
                            && first_arg_matches(call.args.first(), first_arg)
                            && (!unsafe_only || self.in_unsafe())
                            && !(matcher.unless_safety_comment && self.justified())
                        {
                            let what = match call.args.first().and_then(simple_form) {
                                Some(arg) if !first_arg.is_empty() => format!("`.{name}({arg})`"),
                                _ => format!("`.{name}()`"),
                            };
                            self.hit(matcher, ident_span(&call.method), what);
                        }
                    }
                    if followed_by.contains(&name) {
                        // Look back along the chain for the call this one follows.
                        let mut receiver = strip(&call.receiver);
                        while let Expr::MethodCall(inner) = receiver {
                            let inner_name = inner.method.to_string();
                            if methods.contains(&inner_name)
                                && first_arg_matches(inner.args.first(), first_arg)
                            {
                                let what = format!("`.{inner_name}().{name}(…)`");
                                self.hit(matcher, ident_span(&inner.method), what);
                                break;
                            }
                            receiver = strip(&inner.receiver);
                        }
                    }
                }
                Matcher::Query { methods, .. }
                    if methods.contains(&name)
                        && call
                            .args
                            .first()
                            .and_then(|arg| built(arg, self.strings()))
                            .is_some_and(|b| b.spliced && b.sql) =>
                {
                    let what = format!("a formatted SQL string passed to `.{name}()`");
                    self.hit(matcher, ident_span(&call.method), what);
                }
                _ => {}
            }
        }
    }

    /// `let q = format!(…)`, `let mut cmd = Command::new("sh")`: what later statements of the
    /// function will need to know about the binding.
    fn local(&mut self, local: &syn::Local) {
        let Some(name) = pattern_name(&local.pat) else {
            return;
        };
        let Some(init) = &local.init else {
            self.strings_mut().remove(&name);
            return;
        };
        match built(&init.expr, self.strings()) {
            Some(b) => {
                self.strings_mut().insert(name.clone(), b);
            }
            None => {
                self.strings_mut().remove(&name);
            }
        }
        if let Some(command) = self.command_chain(&init.expr) {
            if let Some(state) = self.functions.last_mut() {
                state.commands.insert(name, command);
            }
        } else if let Some(state) = self.functions.last_mut() {
            state.commands.remove(&name);
        }
    }

    /// `write!(q, "… {}", x)`: `q` now holds formatted text.
    pub fn macro_call(&mut self, mac: &syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if name != "write" && name != "writeln" {
            return;
        }
        let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) else {
            return;
        };
        let mut args = args.into_iter();
        let Some(target) = args.next().and_then(|t| local_name(&t)) else {
            return;
        };
        let rest: Vec<Expr> = args.collect();
        let piece = format_built(&rest, self.strings());
        let entry = self.strings_mut().entry(target).or_default();
        entry.spliced |= piece.spliced;
        entry.sql |= piece.sql;
    }

    fn append(&mut self, target: String, piece: &Expr) {
        let strings = self.strings();
        let piece = built(piece, strings).unwrap_or_else(|| BuiltString {
            spliced: !is_literal(piece),
            sql: literal_text(piece).is_some_and(|t| reads_as_sql(&t)),
        });
        let entry = self.strings_mut().entry(target).or_default();
        entry.spliced |= piece.spliced;
        entry.sql |= piece.sql;
    }

    fn strings(&self) -> &HashMap<String, BuiltString> {
        &self
            .functions
            .last()
            .expect("a file-level state is always there")
            .strings
    }

    fn strings_mut(&mut self) -> &mut HashMap<String, BuiltString> {
        &mut self
            .functions
            .last_mut()
            .expect("a file-level state is always there")
            .strings
    }

    // ---- shells ------------------------------------------------------------------------

    /// `Command::new("sh")` with a shell program: the matcher and shell it is.
    fn shell_root(&self, expr: &Expr) -> Option<ShellCommand> {
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
        for &index in self.rules.for_function(&last) {
            if let Matcher::Shell { paths, shells } = &self.rules.matcher(index).matcher {
                if !self.path_matches(&func.path, paths) {
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

    /// A chain of calls on a shell `Command` (or a variable holding one): reads its arguments
    /// in order and reports a non-literal script after the `-c` flag.
    fn command_chain(&mut self, expr: &Expr) -> Option<ShellCommand> {
        let mut calls: Vec<&syn::ExprMethodCall> = Vec::new();
        let mut current = strip(expr);
        while let Expr::MethodCall(call) = current {
            calls.push(call);
            current = strip(&call.receiver);
        }
        self.read_chain(&calls, current)
    }

    /// `calls` run from the outermost to the one on `root`.
    fn read_chain(&mut self, calls: &[&syn::ExprMethodCall], root: &Expr) -> Option<ShellCommand> {
        let variable = local_name(root);
        let mut command = match &variable {
            Some(name) => *self.functions.last()?.commands.get(name)?,
            None => self.shell_root(root)?,
        };
        for call in calls.iter().rev() {
            self.seen_chains.insert(*call as *const _);
            let method = call.method.to_string();
            let arguments: Vec<Expr> = match (method.as_str(), call.args.first()) {
                ("arg", Some(arg)) => vec![arg.clone()],
                ("args", Some(list)) => list_elements(list),
                _ => continue,
            };
            for argument in &arguments {
                self.command_argument(&mut command, argument);
            }
        }
        if let (Some(name), Some(state)) = (variable, self.functions.last_mut()) {
            state.commands.insert(name, command);
        }
        Some(command)
    }

    fn command_argument(&mut self, command: &mut ShellCommand, argument: &Expr) {
        let Matcher::Shell { shells, .. } = &self.rules.matcher(command.matcher).matcher else {
            return;
        };
        let shell: &Shell = &shells[command.shell];
        if command.script_flag_seen {
            if !is_literal(argument) {
                let matcher = self.rules.matcher(command.matcher);
                let program = shell.programs.first().cloned().unwrap_or_default();
                self.hit(
                    matcher,
                    command.at,
                    format!("a non-literal script run by `{program}`"),
                );
            }
        } else if literal_text(argument).is_some_and(|flag| shell.is_script_flag(&flag)) {
            command.script_flag_seen = true;
        }
    }

    /// An `.arg(…)`/`.args(…)` call not yet read as part of a longer chain.
    fn shell_chain(&mut self, call: &syn::ExprMethodCall) {
        if self.seen_chains.contains(&(call as *const _)) {
            return;
        }
        let mut calls = vec![call];
        let mut current = strip(&call.receiver);
        while let Expr::MethodCall(inner) = current {
            calls.push(inner);
            current = strip(&inner.receiver);
        }
        self.read_chain(&calls, current);
    }

    fn hit(&mut self, matcher: &CodeMatcher, at: (LineColumn, LineColumn), what: String) {
        let (start, end) = at;
        let end_column = if end.line == start.line && end.column > start.column {
            end.column + 1
        } else {
            start.column + 2
        };
        self.hits.push(CodeHit {
            rule: self.rules_doc(matcher.rule),
            file: String::new(),
            line: start.line,
            column: start.column + 1,
            end_column,
            what,
            snippet: String::new(),
            occurrence: 0,
            in_test: self.in_test,
        });
    }

    fn rules_doc(&self, rule: usize) -> &'static RuleDoc {
        self.rules.doc(rule)
    }
}

// ---- comments ----------------------------------------------------------------------------

/// clippy's `undocumented_unsafe_blocks` convention: the nearest non-blank, non-attribute lines
/// above `line` (and below `floor`) are `//` comments one of which says `SAFETY:`, or a block
/// comment saying it followed only by whitespace, or the line just above ends in a comment that
/// starts with `SAFETY:`.
pub fn safety_comment_above(lines: &[&str], line: usize, floor: usize) -> bool {
    let mut above = (floor + 1..line).rev().filter_map(|number| {
        let text = lines.get(number - 1)?.trim_start();
        let attribute =
            (text.starts_with("#[") || text.starts_with("#![")) && text.trim_end().ends_with(']');
        (!text.is_empty() && !attribute).then_some((number, text))
    });
    let Some((nearest_line, nearest)) = above.next() else {
        return false;
    };
    if nearest.starts_with("//") {
        let mut in_code_block = false;
        let mut text = nearest;
        loop {
            if let Some(doc) = text
                .strip_prefix("///")
                .or_else(|| text.strip_prefix("//!"))
            {
                if doc.trim_start().starts_with("```") {
                    in_code_block = !in_code_block;
                }
            }
            if !in_code_block && text.to_ascii_uppercase().contains("SAFETY:") {
                return true;
            }
            match above.next() {
                Some((_, next)) if next.starts_with("//") => text = next,
                _ => return false,
            }
        }
    }
    // `let p = …; // SAFETY: …` on the line just above.
    let marker = [nearest.find("//"), nearest.find("/*")]
        .into_iter()
        .flatten()
        .min();
    if let Some(at) = marker {
        let after = nearest[at + 2..].trim_start();
        if after
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("SAFETY:"))
        {
            return true;
        }
    }
    // A block comment starting a line, with only whitespace after it up to `line`.
    let mut candidate = Some((nearest_line, nearest));
    while let Some((start_line, text)) = candidate {
        if text.starts_with("/*") {
            let rest: Vec<&str> = (start_line..line)
                .filter_map(|n| lines.get(n - 1).copied())
                .collect();
            let joined = rest.join("\n");
            let joined = joined.trim_start();
            let Some(end) = block_comment_end(joined) else {
                return false;
            };
            return joined[..end].to_ascii_uppercase().contains("SAFETY:")
                && joined[end..].trim().is_empty();
        }
        candidate = above.next();
    }
    false
}

/// The byte just past the block comment `text` starts with (they nest in Rust).
fn block_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// `unsafe { // SAFETY: …`: a comment opening the block.
fn comment_opens_block(lines: &[&str], block: &syn::ExprUnsafe) -> bool {
    let open = block.block.brace_token.span.open().start();
    let Some(line) = lines.get(open.line.wrapping_sub(1)) else {
        return false;
    };
    let after: String = line.chars().skip(open.column + 1).collect();
    let mut rest = after.trim_start().to_owned();
    if rest.is_empty() {
        // The comment may start the next line.
        rest = lines
            .get(open.line)
            .map_or(String::new(), |l| l.trim_start().to_owned());
    }
    rest.strip_prefix("//")
        .or_else(|| rest.strip_prefix("/*"))
        .is_some_and(|comment| {
            comment
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("SAFETY:")
        })
}

// ---- syntax helpers ----------------------------------------------------------------------

fn collect_use(tree: &UseTree, prefix: Vec<String>, scope: &mut Scope) {
    match tree {
        UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, scope);
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    scope.imports.insert(last.clone(), prefix.clone());
                }
            } else {
                let mut full = prefix;
                full.push(name.clone());
                scope.imports.insert(name, full);
            }
        }
        UseTree::Rename(r) => {
            let name = r.ident.to_string();
            let full = if name == "self" {
                prefix
            } else {
                let mut full = prefix;
                full.push(name);
                full
            };
            scope.imports.insert(r.rename.to_string(), full);
        }
        UseTree::Glob(_) => scope.globs.push(prefix),
        UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, prefix.clone(), scope);
            }
        }
    }
}

fn item_ident(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Fn(f) => &f.sig.ident,
        Item::Struct(s) => &s.ident,
        Item::Enum(e) => &e.ident,
        Item::Union(u) => &u.ident,
        Item::Type(t) => &t.ident,
        Item::Trait(t) => &t.ident,
        Item::Mod(m) => &m.ident,
        Item::Const(c) => &c.ident,
        Item::Static(s) => &s.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// A function's first line after its attributes: where comments stop documenting its body.
pub(super) fn fn_start(vis: &syn::Visibility, sig: &syn::Signature) -> usize {
    match vis {
        syn::Visibility::Public(p) => p.span.start().line,
        syn::Visibility::Restricted(r) => r.pub_token.span.start().line,
        syn::Visibility::Inherited => sig
            .constness
            .map(|t| t.span.start().line)
            .or_else(|| sig.asyncness.map(|t| t.span.start().line))
            .or_else(|| match sig.safety {
                syn::Safety::Unsafe(t) => Some(t.span.start().line),
                syn::Safety::Safe(t) => Some(t.span.start().line),
                syn::Safety::Default => None,
            })
            .or_else(|| sig.abi.as_ref().map(|a| a.extern_token.span.start().line))
            .unwrap_or_else(|| sig.fn_token.span.start().line),
    }
}

fn item_start_line(vis: &syn::Visibility, keyword: Span) -> usize {
    match vis {
        syn::Visibility::Public(p) => p.span.start().line,
        syn::Visibility::Restricted(r) => r.pub_token.span.start().line,
        syn::Visibility::Inherited => keyword.start().line,
    }
}

/// A statement's or item's first line, counting attributes but not doc comments (clippy's
/// `accept-comment-above-attributes`).
fn attributed_start(attrs: &[syn::Attribute], line: usize) -> usize {
    attrs
        .iter()
        .filter(|attr| !attr.path().is_ident("doc"))
        .map(|attr| attr.pound_token.span.start().line)
        .min()
        .map_or(line, |first| first.min(line))
}

fn item_end_line(item: &Item) -> Option<usize> {
    let span = match item {
        Item::Fn(f) => f.block.brace_token.span.close(),
        Item::Const(c) => c.semi_token.span,
        Item::Static(s) => s.semi_token.span,
        Item::Use(u) => u.semi_token.span,
        Item::Impl(i) => i.brace_token.span.close(),
        Item::Trait(t) => t.brace_token.span.close(),
        Item::Struct(s) => match &s.fields {
            syn::Fields::Named(f) => f.brace_token.span.close(),
            _ => s.semi_token?.span,
        },
        Item::Enum(e) => e.brace_token.span.close(),
        Item::Union(u) => u.fields.brace_token.span.close(),
        Item::Type(t) => t.semi_token.span,
        Item::Mod(m) => match &m.content {
            Some((brace, _)) => brace.span.close(),
            None => m.semi?.span,
        },
        Item::ExternCrate(e) => e.semi_token.span,
        Item::ForeignMod(f) => f.brace_token.span.close(),
        Item::Macro(m) => m
            .semi_token
            .map_or_else(|| delimiter_close(&m.mac), |s| s.span),
        _ => return None,
    };
    Some(span.end().line)
}

fn delimiter_close(mac: &syn::Macro) -> Span {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
}

fn path_span(path: &syn::Path) -> (LineColumn, LineColumn) {
    let start = match &path.leading_colon {
        Some(colon) => colon.spans[0].start(),
        None => path
            .segments
            .first()
            .map_or(LineColumn { line: 0, column: 0 }, |s| {
                s.ident.span().start()
            }),
    };
    let end = path.segments.last().map_or(start, |s| s.ident.span().end());
    (start, end)
}

fn ident_span(ident: &syn::Ident) -> (LineColumn, LineColumn) {
    (ident.span().start(), ident.span().end())
}

fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// Where an expression starts (syn without `printing` has no `Spanned`).
pub fn expr_start(expr: &Expr) -> Option<LineColumn> {
    let span = match expr {
        Expr::Array(e) => e.bracket_token.span.open(),
        Expr::Assign(e) => return expr_start(&e.left),
        Expr::Async(e) => e.async_token.span,
        Expr::Await(e) => return expr_start(&e.base),
        Expr::Binary(e) => return expr_start(&e.left),
        Expr::Block(e) => match &e.label {
            Some(label) => label.name.apostrophe,
            None => e.block.brace_token.span.open(),
        },
        Expr::Break(e) => e.break_token.span,
        Expr::Call(e) => return expr_start(&e.func),
        Expr::Cast(e) => return expr_start(&e.expr),
        Expr::Closure(e) => match (&e.lifetimes, &e.constness, &e.asyncness, &e.capture) {
            (Some(l), ..) => l.for_token.span,
            (_, Some(c), ..) => c.span,
            (_, _, Some(a), _) => a.span,
            (_, _, _, Some(c)) => c.span,
            _ => e.inputs_begin.span,
        },
        Expr::Const(e) => e.const_token.span,
        Expr::Continue(e) => e.continue_token.span,
        Expr::Field(e) => return expr_start(&e.base),
        Expr::ForLoop(e) => e.for_token.span,
        Expr::Group(e) => return expr_start(&e.expr),
        Expr::If(e) => e.if_token.span,
        Expr::Index(e) => return expr_start(&e.expr),
        Expr::Infer(e) => e.underscore_token.span,
        Expr::Let(e) => e.let_token.span,
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e.loop_token.span,
        Expr::Macro(e) => return Some(path_span(&e.mac.path).0),
        Expr::Match(e) => e.match_token.span,
        Expr::MethodCall(e) => return expr_start(&e.receiver),
        Expr::Paren(e) => e.paren_token.span.open(),
        Expr::Path(e) => match &e.qself {
            Some(q) => q.lt_token.span,
            None => return Some(path_span(&e.path).0),
        },
        Expr::Range(e) => match &e.start {
            Some(start) => return expr_start(start),
            None => match &e.limits {
                syn::RangeLimits::HalfOpen(t) => t.spans[0],
                syn::RangeLimits::Closed(t) => t.spans[0],
            },
        },
        Expr::Reference(e) => e.and_token.span,
        Expr::Repeat(e) => e.bracket_token.span.open(),
        Expr::Return(e) => e.return_token.span,
        Expr::Struct(e) => match &e.qself {
            Some(q) => q.lt_token.span,
            None => return Some(path_span(&e.path).0),
        },
        Expr::Try(e) => return expr_start(&e.expr),
        Expr::TryBlock(e) => e.try_token.span,
        Expr::Tuple(e) => e.paren_token.span.open(),
        Expr::Unary(e) => match &e.op {
            syn::UnOp::Deref(t) => t.span,
            syn::UnOp::Not(t) => t.span,
            syn::UnOp::Neg(t) => t.span,
            _ => return None,
        },
        Expr::Unsafe(e) => e.unsafe_token.span,
        Expr::While(e) => e.while_token.span,
        Expr::Yield(e) => e.yield_token.span,
        _ => return None,
    };
    Some(span.start())
}

/// Through references, parentheses and `?`/`.await` to the expression that matters.
fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(r) => strip(&r.expr),
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Try(t) => strip(&t.expr),
        Expr::Await(a) => strip(&a.base),
        _ => expr,
    }
}

/// `cmd`, `&mut q`, `self.q` is not local.
fn local_name(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => local_name(&u.expr),
        _ => None,
    }
}

fn pattern_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
        syn::Pat::Type(typed) => pattern_name(&typed.pat),
        _ => None,
    }
}

/// A short text form of simple arguments, to compare with a rule's `first-arg` forms: `true`,
/// `SslVerifyMode::NONE`, `Some(false)`, `SslVerifyMode::empty()`.
fn simple_form(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Bool(b) => Some(b.value.to_string()),
            Lit::Int(i) => Some(i.base10_digits().to_owned()),
            Lit::Str(s) => Some(format!("{:?}", s.value())),
            _ => None,
        },
        Expr::Path(p) if p.qself.is_none() => Some(path_text(&p.path)),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            let args: Option<Vec<String>> = call.args.iter().map(simple_form).collect();
            Some(format!("{}({})", path_text(&func.path), args?.join(", ")))
        }
        _ => None,
    }
}

fn first_arg_matches(arg: Option<&Expr>, patterns: &[String]) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let Some(form) = arg.and_then(simple_form) else {
        return false;
    };
    patterns.iter().any(|pattern| {
        form == *pattern
            || form
                .strip_suffix(pattern.as_str())
                .is_some_and(|head| head.ends_with("::"))
    })
}

/// The elements of `["-c", x]`, `&[…]`, `vec![…]`.
fn list_elements(expr: &Expr) -> Vec<Expr> {
    match strip(expr) {
        Expr::Array(array) => array.elems.iter().cloned().collect(),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => m
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map(|args| args.into_iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A string literal's text (through `&`, `.to_string()`, `String::from`).
fn literal_text(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "to_string" | "to_owned" | "into" | "as_str" | "as_ref" | "clone"
            ) =>
        {
            literal_text(&m.receiver)
        }
        Expr::Call(call) if call.args.len() == 1 => match &*call.func {
            Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "from" || s.ident == "new") =>
            {
                literal_text(&call.args[0])
            }
            _ => None,
        },
        _ => None,
    }
}

/// Fixed text: a literal, an `UPPER_CASE` constant, `concat!`/`stringify!`, or `format!` of
/// those alone.
fn is_literal(expr: &Expr) -> bool {
    if literal_text(expr).is_some() {
        return true;
    }
    match strip(expr) {
        Expr::Lit(_) => true,
        Expr::Path(p) => p.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }),
        Expr::Macro(m) => {
            let name = m.mac.path.segments.last().map(|s| s.ident.to_string());
            match name.as_deref() {
                Some("concat" | "stringify" | "include_str" | "env") => true,
                Some("format") => {
                    let args = m
                        .mac
                        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated);
                    args.is_ok_and(|args| {
                        let args: Vec<Expr> = args.into_iter().collect();
                        !format_built(&args, &HashMap::new()).spliced
                    })
                }
                _ => false,
            }
        }
        Expr::MethodCall(m) if m.method == "to_string" || m.method == "to_owned" => {
            is_literal(&m.receiver)
        }
        _ => false,
    }
}

fn reads_as_sql(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "select", "insert", "update", "delete", "where", "from", "into", "values", "set", "drop",
        "create", "alter",
    ];
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|word| WORDS.iter().any(|w| word.eq_ignore_ascii_case(w)))
}

/// The arguments of `format!`-like macros (format string first): whether anything not literal
/// is spliced in, and whether the text reads as SQL.
fn format_built(args: &[Expr], strings: &HashMap<String, BuiltString>) -> BuiltString {
    let Some(Expr::Lit(syn::ExprLit {
        lit: Lit::Str(format),
        ..
    })) = args.first()
    else {
        return BuiltString {
            spliced: !args.is_empty(),
            sql: false,
        };
    };
    let format = format.value();
    let mut result = BuiltString {
        spliced: inline_captures(&format),
        sql: reads_as_sql(&format),
    };
    for arg in &args[1..] {
        // `name = value` arguments are values too.
        let value = match arg {
            Expr::Assign(a) => &a.right,
            other => other,
        };
        if let Some(inner) = built(value, strings) {
            // A variable is spliced in even when it holds a literal here: the format string is
            // what decides the query's shape.
            result.spliced |= inner.spliced || local_name(value).is_some();
            result.sql |= inner.sql;
        } else if !is_literal(value) {
            result.spliced = true;
        }
    }
    result
}

/// `{name}` in a format string: a captured variable (not `{}`, `{0}` or a constant).
fn inline_captures(format: &str) -> bool {
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(stripped) = after.strip_prefix('{') {
            rest = stripped;
            continue;
        }
        let end = after.find('}').unwrap_or(after.len());
        let name = after[..end].split(':').next().unwrap_or("");
        if name.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && !name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return true;
        }
        rest = &after[end.min(after.len())..];
    }
    false
}

/// A string built by formatting or concatenation: `format!(…)`, `a + &b`, or a local that was.
fn built(expr: &Expr, strings: &HashMap<String, BuiltString>) -> Option<BuiltString> {
    match strip(expr) {
        Expr::Macro(m) => {
            let name = m.mac.path.segments.last()?.ident.to_string();
            if name != "format" && name != "format_args" {
                return None;
            }
            let args = m
                .mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .ok()?;
            let args: Vec<Expr> = args.into_iter().collect();
            Some(format_built(&args, strings))
        }
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            let mut result = BuiltString::default();
            for side in [&*b.left, &*b.right] {
                if let Some(inner) = built(side, strings) {
                    result.spliced |= inner.spliced;
                    result.sql |= inner.sql;
                } else if let Some(text) = literal_text(side) {
                    result.sql |= reads_as_sql(&text);
                } else if !is_literal(side) {
                    result.spliced = true;
                }
            }
            Some(result)
        }
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "as_str" | "as_ref" | "to_string" | "to_owned" | "clone" | "into" | "as_bytes"
            ) =>
        {
            built(&m.receiver, strings)
        }
        Expr::Path(_) => {
            let name = local_name(expr)?;
            strings.get(&name).copied()
        }
        other => literal_text(other).map(|text| BuiltString {
            spliced: false,
            sql: reads_as_sql(&text),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    #[test]
    fn safety_comment_runs_and_blank_lines() {
        let text = "fn f() {\n    // a note\n    // SAFETY: ok\n\n    unsafe {}\n}";
        assert!(safety_comment_above(&lines(text), 5, 1));
        let text = "fn f() {\n    // SAFETY ok without colon\n    unsafe {}\n}";
        assert!(!safety_comment_above(&lines(text), 3, 1));
    }

    #[test]
    fn block_comments_need_only_whitespace_after() {
        let text = "fn f() {\n    /* SAFETY: fine\n       still fine */\n    unsafe {}\n}";
        assert!(safety_comment_above(&lines(text), 4, 1));
        let text = "fn f() {\n    /* SAFETY: fine */\n    let x = 1;\n    unsafe {}\n}";
        assert!(!safety_comment_above(&lines(text), 4, 1));
    }

    #[test]
    fn the_floor_hides_comments_above_the_function() {
        let text = "// SAFETY: about the function\nfn f() { unsafe {} }";
        assert!(!safety_comment_above(&lines(text), 2, 2));
    }

    #[test]
    fn inline_captures_are_variables_not_constants() {
        assert!(inline_captures("SELECT * FROM t WHERE id = {id}"));
        assert!(!inline_captures("SELECT {} FROM {{t}}"));
        assert!(!inline_captures("SELECT * FROM {TABLE}"));
    }

    #[test]
    fn sql_words_are_whole_words() {
        assert!(reads_as_sql("select id from t"));
        assert!(!reads_as_sql("{base}/selection/settings"));
    }
}
