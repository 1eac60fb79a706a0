//! The code rules' state while the pass walks one file: which names are in scope (`scope.rs`),
//! whether the code is inside `unsafe` and whether that is justified by a SAFETY comment
//! (`safety.rs`), which local strings were built by formatting (`flow.rs`) and which locals hold
//! a shell `Command` (`shell.rs`). The pass (`walk.rs`) calls these hooks as it enters and leaves
//! items, statements and expressions; a hook that matches a rule records a hit.

use super::context::place_name;
use super::context::Surroundings;
use super::flow::{built, format_into, is_escaping_call, BuiltString};
use super::hit::HitFacts;
pub use super::hit::{CodeHit, UnsafeCounts};
use super::rules::{CodeMatcher, CodeRules, Matcher};
use super::safety::{comment_opens_block, safety_comment_above};
use super::scope::Scopes;
use super::shell::{Context as ShellContext, ShellHit, Shells};
use super::syntax::{
    attributed_start, expr_start, first_arg_matches, ident_span, idents, item_end_line,
    item_start_line, local_name, path_span, path_text, pattern_name, simple_form, strip,
    FunctionInfo,
};
use crate::finding::RuleDoc;
use crate::source::RustFile;
use proc_macro2::LineColumn;
use std::collections::HashMap;
use syn::{Expr, Item};

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

/// What the flow rules know of the function being read.
#[derive(Default)]
struct FunctionState {
    /// Locals that hold a string built by formatting.
    strings: HashMap<String, BuiltString>,
    /// What is known of the function (nothing at file level).
    info: FunctionInfo,
}

pub struct CodeScan<'s> {
    pub(super) rules: &'static CodeRules,
    /// The file, for its macro bodies (parsed once for every pass).
    pub(super) file: &'s RustFile,
    pub(super) lines: &'s [&'s str],
    scopes: Scopes,
    shells: Shells,
    frames: Vec<Frame>,
    /// Lines comments are not looked for above: the enclosing function's first line, or for
    /// items the line their predecessor ends on.
    pub(super) floors: Vec<usize>,
    /// Identifiers (lower case) in the conditions of the `if`s being visited, for matchers that
    /// a caller's opt-in silences.
    pub(super) guards: Vec<Vec<String>>,
    /// What a rule's `HitContext` asks of the code around a hit.
    pub(super) around: Surroundings,
    /// The start lines of the statements being visited, innermost last.
    pub(super) statements: Vec<usize>,
    pub(super) anchor: Anchor,
    functions: Vec<FunctionState>,
    pub in_test: bool,
    pub(super) hits: Vec<CodeHit>,
    pub(super) counts: UnsafeCounts,
}

impl<'s> CodeScan<'s> {
    pub fn new(rules: &'static CodeRules, file: &'s RustFile, lines: &'s [&'s str]) -> Self {
        CodeScan {
            rules,
            file,
            lines,
            scopes: Scopes::default(),
            shells: Shells::default(),
            frames: Vec::new(),
            floors: vec![0],
            guards: Vec::new(),
            around: Surroundings::default(),
            statements: Vec::new(),
            anchor: Anchor::None,
            functions: vec![FunctionState::default()],
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

    pub fn enter_file(&mut self, file: &syn::File) {
        self.counts.forbids_unsafe = file.attrs.iter().any(|attr| {
            attr.path().is_ident("forbid")
                && matches!(&attr.meta, syn::Meta::List(list)
                    if list.tokens.clone().into_iter().any(|t| t.to_string() == "unsafe_code"))
        });
        self.scopes.push(file.items.iter());
    }

    // ---- comments ----------------------------------------------------------------------

    pub(super) fn floor(&self) -> usize {
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
                    self.scopes.push(items.iter());
                    self.floors.push(brace.span.open().start().line);
                }
            }
            Item::Fn(f) => {
                self.enter_function(FunctionInfo::of(&f.attrs, &f.vis, &f.sig));
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
                                    self.scopes.path_matches(trait_path, traits)
                                        || trait_path.segments.len() == 1
                                            && traits.iter().any(|t| {
                                                t.last().is_some_and(|last| {
                                                    trait_path.is_ident(last.as_str())
                                                        && !self.scopes.is_local(last)
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
                self.scopes.pop();
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

    /// is inside.
    pub fn enter_function(&mut self, info: FunctionInfo) {
        if info.is_unsafe && !self.in_test {
            self.counts.functions += 1;
        }
        self.frames.push(Frame::Function {
            is_unsafe: info.is_unsafe,
        });
        self.floors.push(info.start_line);
        self.functions.push(FunctionState {
            strings: HashMap::new(),
            info,
        });
        self.around.enter_function();
        self.shells.enter_function();
    }

    pub fn exit_function(&mut self) {
        self.frames.pop();
        self.floors.pop();
        self.functions.pop();
        self.shells.exit_function();
        self.around.exit_function();
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
        self.scopes.push(items.into_iter());
        true
    }

    pub fn exit_block(&mut self, pushed: bool) {
        if pushed {
            self.scopes.pop();
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
        self.around
            .enter_statement(stmt, self.rules.allocators(), self.rules.tracks_sources());
        saved
    }

    pub fn exit_statement(&mut self, saved: Anchor) {
        self.statements.pop();
        self.anchor = saved;
        self.around.exit_statement();
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
                    match built(&assign.right, self.strings(), self.file) {
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
                .import(&last.ident.to_string())
                .and_then(|full| full.last());
            if let Some(name) = imported {
                candidates = self.rules.for_function(name);
            }
        }
        for &index in candidates {
            let matcher = self.rules.matcher(index);
            match &matcher.matcher {
                Matcher::Call { paths, first_arg }
                    if self.scopes.path_matches(&func.path, paths)
                        && first_arg_matches(call.args.first(), first_arg)
                        && !(matcher.unless_safety_comment && self.justified()) =>
                {
                    let outside = !matcher.context.weakness_from.is_empty()
                        && self.around.comes_from_outside(
                            call.args.first(),
                            &matcher.context.weakness_from,
                            self.functions.last().map(|f| &f.info),
                        );
                    self.hit_on(
                        matcher,
                        path_span(&func.path),
                        format!("`{}`", path_text(&func.path)),
                        HitFacts {
                            outside,
                            ..HitFacts::default()
                        },
                    );
                }
                Matcher::Query { paths, .. } if self.scopes.path_matches(&func.path, paths) => {
                    let query = call
                        .args
                        .first()
                        .and_then(|arg| built(arg, self.strings(), self.file));
                    if let Some(query) = query.filter(|q| q.spliced) {
                        let what =
                            format!("a formatted string passed to `{}`", path_text(&func.path));
                        self.query_hit(matcher, path_span(&func.path), what, query);
                    }
                }
                _ => {}
            }
        }
    }

    fn method_call(&mut self, call: &syn::ExprMethodCall) {
        let name = call.method.to_string();
        if name == "arg" || name == "args" {
            let cx = ShellContext {
                rules: self.rules,
                scopes: &self.scopes,
                file: self.file,
            };
            let hits = self.shells.chain(call, &cx);
            self.shell_hits(hits);
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
                    arg_mentions,
                } => {
                    if methods.contains(&name) && followed_by.is_empty() {
                        let receiver_ok = receiver_call.is_empty()
                            || matches!(strip(&call.receiver), Expr::Call(inner)
                                if matches!(&*inner.func, Expr::Path(p) if self.scopes.path_matches(&p.path, receiver_call)));
                        if receiver_ok
                            && first_arg_matches(call.args.first(), first_arg)
                            && (!unsafe_only || self.in_unsafe())
                            && !(matcher.unless_safety_comment && self.justified())
                        {
                            let what = match call.args.first().and_then(simple_form) {
                                Some(arg) if !first_arg.is_empty() => format!("`.{name}({arg})`"),
                                _ => format!("`.{name}()`"),
                            };
                            // `set_len(0)` exposes nothing, however fresh the buffer.
                            let empties =
                                call.args.first().and_then(simple_form).as_deref() == Some("0");
                            let fresh = !empties
                                && place_name(&call.receiver)
                                    .is_some_and(|n| self.around.is_fresh(&n));
                            let facts = HitFacts {
                                fresh: Some(fresh),
                                ..HitFacts::default()
                            };
                            self.hit_on(matcher, ident_span(&call.method), what, facts);
                        }
                    }
                    let mentions = |arg: Option<&Expr>| {
                        arg_mentions.is_empty()
                            || arg.is_some_and(|arg| {
                                idents(arg).iter().any(|ident| {
                                    arg_mentions.iter().any(|m| ident.contains(m.as_str()))
                                })
                            })
                    };
                    if followed_by.contains(&name) && mentions(call.args.first()) {
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
                Matcher::Query { methods, .. } if methods.contains(&name) => {
                    let query = call
                        .args
                        .first()
                        .and_then(|arg| built(arg, self.strings(), self.file));
                    if let Some(query) = query.filter(|q| q.spliced && q.sql) {
                        let what = format!("a formatted SQL string passed to `.{name}()`");
                        self.query_hit(matcher, ident_span(&call.method), what, query);
                    }
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
        match built(&init.expr, self.strings(), self.file) {
            Some(b) => {
                self.strings_mut().insert(name.clone(), b);
            }
            None if is_escaping_call(&init.expr) => {
                self.strings_mut()
                    .insert(name.clone(), BuiltString::escaped());
            }
            None => {
                self.strings_mut().remove(&name);
            }
        }
        let cx = ShellContext {
            rules: self.rules,
            scopes: &self.scopes,
            file: self.file,
        };
        let hits = self.shells.local(name, &init.expr, &cx);
        self.shell_hits(hits);
    }

    fn shell_hits(&mut self, hits: Vec<ShellHit>) {
        for hit in hits {
            let matcher = self.rules.matcher(hit.matcher);
            let before = self.hits.len();
            self.hit(matcher, hit.at, hit.what);
            if hit.runs_a_file {
                if let Some(found) = self.hits.get_mut(before) {
                    found.inventory = true;
                }
            }
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
        let parsed = self.file.macro_args(mac);
        let Some(args) = parsed.as_ref() else {
            return;
        };
        let mut args = args.iter();
        let Some(target) = args.next().and_then(local_name) else {
            return;
        };
        let rest: Vec<&Expr> = args.collect();
        let mut entry = self.strings_mut().remove(&target).unwrap_or_default();
        format_into(&mut entry, &rest, self.strings(), self.file);
        self.strings_mut().insert(target, entry);
    }

    fn append(&mut self, target: String, piece: &Expr) {
        let mut entry = self.strings_mut().remove(&target).unwrap_or_default();
        entry.push_expr(piece, self.strings(), self.file);
        self.strings_mut().insert(target, entry);
    }

    pub(super) fn strings(&self) -> &HashMap<String, BuiltString> {
        &self
            .functions
            .last()
            .expect("a file-level state is always there")
            .strings
    }

    pub(super) fn strings_mut(&mut self) -> &mut HashMap<String, BuiltString> {
        &mut self
            .functions
            .last_mut()
            .expect("a file-level state is always there")
            .strings
    }

    /// A query built from pieces: an injection when a piece takes a value's place; when every
    /// piece shapes the statement (a table name, a clause), inventory for review.
    fn query_hit(
        &mut self,
        matcher: &CodeMatcher,
        at: (LineColumn, LineColumn),
        what: String,
        query: BuiltString,
    ) {
        // A web handler's names and clauses come from whoever sends the request.
        let serves_requests = self
            .functions
            .last()
            .is_some_and(|f| f.info.serves_requests);
        let shape_only = !serves_requests && !query.value;
        let what = if shape_only {
            format!("{what}; only names or clauses are spliced in, where no bind parameter can go: check them against a fixed list")
        } else {
            what
        };
        let facts = HitFacts {
            shape_only,
            ..HitFacts::default()
        };
        self.hit_on(matcher, at, what, facts);
    }

    pub(super) fn hit(
        &mut self,
        matcher: &CodeMatcher,
        at: (LineColumn, LineColumn),
        what: String,
    ) {
        self.hit_on(matcher, at, what, HitFacts::default());
    }

    /// A hit, with what the caller found out about it for the rule's `HitContext`.
    fn hit_on(
        &mut self,
        matcher: &CodeMatcher,
        at: (LineColumn, LineColumn),
        what: String,
        facts: HitFacts,
    ) {
        // The caller's own opt-in (`if config.accept_invalid_certs { … }`, a match arm
        // `Security::Insecure => …`) is their choice.
        let names_opt_in = |text: &str| {
            matcher
                .unless_guarded_by
                .iter()
                .any(|word| text.contains(word.as_str()))
        };
        // A function named for the opt-in (`fn insecure_skip_verify`) is usually the API that
        // offers it, or a helper whose callers chose it: reported for review, without a date.
        let opt_in_function = !matcher.unless_guarded_by.is_empty()
            && self
                .functions
                .last()
                .is_some_and(|f| names_opt_in(&f.info.name_words.join("_")));
        let guarded = !matcher.unless_guarded_by.is_empty()
            && (self
                .guards
                .iter()
                .flatten()
                .any(|ident| names_opt_in(ident))
                || self
                    .around
                    .arms
                    .iter()
                    .any(|arm| names_opt_in(&arm.join("_"))));
        if guarded {
            return;
        }
        let (start, end) = at;
        let info = self.functions.last().map(|f| &f.info);
        let Some(undeclared) = self.around.declared_type(&matcher.context, info) else {
            return;
        };
        // Bytes from outside are a weakness whatever the comments say of them.
        let by_context = !facts.outside
            && self
                .around
                .inventory_by_context(&matcher.context, start.line, self.lines, info);
        let inventory = undeclared
            || opt_in_function
            || by_context
            || facts.shape_only
            || (!matcher.context.weakness_after.is_empty() && facts.fresh != Some(true))
            || (!matcher.context.weakness_from.is_empty() && !facts.outside);
        let end_column = if end.line == start.line && end.column > start.column {
            end.column + 1
        } else {
            start.column + 2
        };
        self.hits.push(CodeHit {
            rule: self.rules_doc(matcher.rule),
            line: start.line,
            column: start.column + 1,
            end_column,
            what,
            snippet: String::new(),
            occurrence: 0,
            in_test: self.in_test,
            inventory,
        });
    }

    fn rules_doc(&self, rule: usize) -> &'static RuleDoc {
        self.rules.doc(rule)
    }
}
