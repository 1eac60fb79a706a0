//! What surrounds a hit, where a rule asks: whether it is a weakness with a due date or
//! inventory for review. A rule's `HitContext` (rules/code.toml) names the words and calls; this
//! module keeps the state the scan needs to answer (locals just allocated, declared types) and
//! answers for `CodeScan::hit_on`.
//!
//! The signals are the ones a reviewer uses: `set_len` straight after `with_capacity` exposes
//! memory nothing wrote, after an FFI call filled the buffer it is only undocumented; a weak
//! hash over a password is a weakness, over a file is a checksum; an array of `MaybeUninit`
//! needs no initialising.

use super::rules::HitContext;
use super::syntax::{local_name, pattern_name, strip, words, FunctionInfo};
use std::collections::{BTreeSet, HashMap, HashSet};
use syn::Expr;

/// What the value an expression builds is declared to be.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Declared {
    /// A statement that is not a `let`: says nothing, look further out.
    Statement,
    /// A `let` with a type annotation: its type names.
    Type(Vec<String>),
    /// A `let` without one, a struct-literal field, a call argument: not written here.
    Unknown,
}

/// What one statement does to the locals just allocated (`Surroundings::fresh`).
#[derive(Debug)]
struct StatementEffect {
    /// `let v = Vec::with_capacity(n)` or `v.reserve(n)`: `v`.
    allocated: Option<String>,
    /// Every identifier it mentions: those locals are no longer fresh after it.
    mentioned: Vec<String>,
}

/// The local a statement allocates with one of `allocators`, if it is one.
fn allocation_target(stmt: &syn::Stmt, allocators: &BTreeSet<String>) -> Option<String> {
    let is_allocator = |name: &syn::Ident| allocators.iter().any(|a| name == a);
    match stmt {
        syn::Stmt::Local(local) => {
            let name = pattern_name(&local.pat)?;
            match strip(&local.init.as_ref()?.expr) {
                Expr::Call(call) => match &*call.func {
                    Expr::Path(p)
                        if p.path
                            .segments
                            .last()
                            .is_some_and(|s| is_allocator(&s.ident)) =>
                    {
                        Some(name)
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        syn::Stmt::Expr(Expr::MethodCall(call), _) if is_allocator(&call.method) => {
            local_name(&call.receiver)
        }
        _ => None,
    }
}

/// Every identifier in a statement, as written (not lowercased).
fn stmt_idents(stmt: &syn::Stmt) -> Vec<String> {
    let mut found = Idents(Vec::new());
    syn::visit::Visit::visit_stmt(&mut found, stmt);
    found.0
}

/// Every identifier in an expression, as written.
fn idents_as_written(expr: &Expr) -> Vec<String> {
    let mut found = Idents(Vec::new());
    syn::visit::Visit::visit_expr(&mut found, expr);
    found.0
}

/// Collects identifiers, macro bodies included.
struct Idents(Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for Idents {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.0.push(ident.to_string());
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut stack = vec![mac.tokens.clone()];
        while let Some(tokens) = stack.pop() {
            for tree in tokens {
                match tree {
                    proc_macro2::TokenTree::Group(g) => stack.push(g.stream()),
                    proc_macro2::TokenTree::Ident(ident) => self.0.push(ident.to_string()),
                    _ => {}
                }
            }
        }
    }
}

/// What the scan keeps of a hit's surroundings for `HitContext`: the code's state as it walks.
#[derive(Default)]
pub(super) struct Surroundings {
    /// Per function, innermost last: locals just allocated (`Vec::with_capacity`, `reserve`)
    /// and not used since.
    fresh: Vec<HashSet<String>>,
    /// Per open statement, what it does to those locals (applied when it ends).
    effects: Vec<Option<StatementEffect>>,
    /// What the value being built will be, innermost last (`HitContext::sound_into`).
    pub(super) declared: Vec<Declared>,
    /// The words of the patterns of the match arms the code is in (`syntax::pattern_words`).
    pub(super) arms: Vec<Vec<String>>,
    /// Per function: each local's `let` value's identifiers (`HitContext::weakness_from`).
    sources: Vec<HashMap<String, Vec<String>>>,
}

impl Surroundings {
    pub(super) fn enter_function(&mut self) {
        self.fresh.push(HashSet::new());
        self.sources.push(HashMap::new());
    }

    pub(super) fn exit_function(&mut self) {
        self.fresh.pop();
        self.sources.pop();
    }

    /// A statement begins; `allocators`: the calls any rule's `weakness-after` names;
    /// `sources`: whether a rule's `weakness-from` needs what locals are made from.
    pub(super) fn enter_statement(
        &mut self,
        stmt: &syn::Stmt,
        allocators: &BTreeSet<String>,
        sources: bool,
    ) {
        if let (true, syn::Stmt::Local(local)) = (sources, stmt) {
            if let (Some(name), Some(init), Some(known)) = (
                pattern_name(&local.pat),
                &local.init,
                self.sources.last_mut(),
            ) {
                known.insert(name, idents_as_written(&init.expr));
            }
        }
        let effect = self.allocation_effect(stmt, allocators);
        self.effects.push(effect);
        self.declared.push(match stmt {
            syn::Stmt::Local(syn::Local {
                pat: syn::Pat::Type(typed),
                ..
            }) => Declared::Type(super::syntax::type_names(&typed.ty)),
            syn::Stmt::Local(_) => Declared::Unknown,
            _ => Declared::Statement,
        });
    }

    pub(super) fn exit_statement(&mut self) {
        self.declared.pop();
        if let Some(Some(effect)) = self.effects.pop() {
            if let Some(fresh) = self.fresh.last_mut() {
                for name in &effect.mentioned {
                    fresh.remove(name);
                }
                if let Some(name) = effect.allocated {
                    fresh.insert(name);
                }
            }
        }
    }

    /// What a statement does to the locals just allocated: which it allocates, which it uses.
    /// Nothing to track (the common case) is `None`, without visiting the statement.
    fn allocation_effect(
        &self,
        stmt: &syn::Stmt,
        allocators: &BTreeSet<String>,
    ) -> Option<StatementEffect> {
        if allocators.is_empty() {
            return None;
        }
        let allocated = allocation_target(stmt, allocators);
        if allocated.is_none() && self.fresh.last().is_none_or(HashSet::is_empty) {
            return None;
        }
        Some(StatementEffect {
            allocated,
            mentioned: stmt_idents(stmt),
        })
    }

    /// `expr` ran before what follows in its statement (an `if` condition, a `match`
    /// scrutinee): the locals it mentions are no longer fresh.
    pub(super) fn used(&mut self, expr: &Expr) {
        let Some(fresh) = self.fresh.last_mut() else {
            return;
        };
        if fresh.is_empty() {
            return;
        }
        for name in idents_as_written(expr) {
            fresh.remove(&name);
        }
    }

    /// Whether `arg` comes from outside the program's own strings (`HitContext::weakness_from`):
    /// it, or a local it names, calls one of `calls`; or it is made from a parameter of an
    /// `extern` function (foreign data), or it is a parameter of a safe public function (any
    /// caller's bytes) not cut at the valid prefix (`valid_up_to`).
    pub(super) fn comes_from_outside(
        &self,
        arg: Option<&Expr>,
        calls: &[String],
        info: Option<&FunctionInfo>,
    ) -> bool {
        let Some(arg) = arg else {
            return false;
        };
        let named = idents_as_written(arg);
        let known = self.sources.last();
        let mut reached: Vec<&String> = named.iter().collect();
        for name in &named {
            if let Some(made_of) = known.and_then(|k| k.get(name)) {
                reached.extend(made_of);
            }
        }
        if reached.iter().any(|n| calls.contains(n)) {
            return true;
        }
        let Some(info) = info else {
            return false;
        };
        // Foreign data reaches through locals; a caller's bytes only when passed on as they are
        // (a local made from a parameter is usually the function's own output).
        let foreign = info.is_extern && reached.iter().any(|n| info.params.contains(n));
        let passed_on = named.iter().any(|n| info.params.contains(n));
        let checked = named.iter().any(|n| n == "valid_up_to");
        foreign || (passed_on && info.is_public && !info.is_unsafe && !checked)
    }

    /// Whether `name` was allocated by the statement before and not used since.
    pub(super) fn is_fresh(&self, name: &str) -> bool {
        self.fresh.last().is_some_and(|f| f.contains(name))
    }

    /// What the declared type says of a hit (`HitContext::sound_into`): `None` when it is not
    /// to be reported, else whether it is inventory.
    pub(super) fn declared_type(
        &self,
        context: &HitContext,
        info: Option<&FunctionInfo>,
    ) -> Option<bool> {
        if context.sound_into.is_empty() {
            return Some(false);
        }
        let names = match self
            .declared
            .iter()
            .rev()
            .find(|d| **d != Declared::Statement)
        {
            Some(Declared::Type(names)) => names,
            // An unannotated `let`, a field, an argument: its type is not written here.
            Some(_) => return Some(true),
            // The function's value: its return type, unless that is only a generic parameter.
            None => match info {
                Some(info) if !info.returns.is_empty() && !info.returns_generic => &info.returns,
                _ => return Some(true),
            },
        };
        if names.iter().any(|n| context.sound_into.contains(n)) {
            None
        } else {
            Some(false)
        }
    }

    /// Whether what surrounds a hit on `line` makes it inventory (`HitContext`); `lines`: the
    /// file's, `info`: the enclosing function's.
    pub(super) fn inventory_by_context(
        &self,
        context: &HitContext,
        line: usize,
        lines: &[&str],
        info: Option<&FunctionInfo>,
    ) -> bool {
        if context.is_empty() {
            return false;
        }
        let name_words = info.map_or(&[][..], |i| &i.name_words[..]);
        let says = |words: &[String], list: &[String]| words.iter().any(|w| list.contains(w));
        // Picked by name, as a protocol negotiates it.
        if says(name_words, &context.named_words)
            || self.arms.iter().any(|arm| says(arm, &context.named_words))
        {
            return true;
        }
        // Required by an outside specification, or the invariant stated, in the comments.
        if !context.cited_words.is_empty() {
            let start = info.map_or(line, |i| i.start_line).min(line);
            let comments = lines[start.saturating_sub(1)..line.min(lines.len())]
                .iter()
                .filter_map(|l| l.split_once("//").map(|(_, c)| c.to_lowercase()));
            let doc = info.map(|i| i.doc.clone());
            // A phrase (`required by`, `utf-8`) is looked for as text, a word among the words.
            let cites = |text: &str| {
                let text_words = words(text);
                context.cited_words.iter().any(|w| {
                    if !w.chars().all(char::is_alphanumeric) {
                        text.contains(w.as_str())
                    } else {
                        text_words.contains(w)
                    }
                })
            };
            if doc.into_iter().chain(comments).any(|text| cites(&text)) {
                return true;
            }
        }
        // Outside a security context, inventory.
        if !context.weakness_words.is_empty() {
            let line_words = lines
                .get(line.wrapping_sub(1))
                .map(|l| words(l))
                .unwrap_or_default();
            let params = info.map_or(&[][..], |i| &i.param_words[..]);
            return !(says(name_words, &context.weakness_words)
                || says(params, &context.weakness_words)
                || says(&line_words, &context.weakness_words));
        }
        false
    }
}
