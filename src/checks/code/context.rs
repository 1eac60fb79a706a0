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
use super::syntax::{
    identifiers_in, identifiers_in_statement, local_name, pattern_name, strip, words, FunctionInfo,
};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use syn::Expr;

/// What the value an expression builds is declared to be.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Declared {
    /// A block's last expression (or a `return`): its value is the enclosing one's; look
    /// further out, and at the function's return type past the outermost.
    Tail,
    /// A `let` with a type annotation: the names its type is made of at the top (`[T; N]` and
    /// `&[T]` are `T`'s).
    Type(Vec<String>),
    /// A `let` without one, another statement, a struct-literal field, a call argument: not
    /// written here.
    Unknown,
}

/// The names a type is at the top: a path's own name, through arrays, slices and references
/// (`[MaybeUninit<u8>; 4]`: `MaybeUninit`); a tuple or anything else is none.
fn top_level_names(ty: &syn::Type) -> Vec<String> {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| vec![s.ident.to_string()])
            .unwrap_or_default(),
        syn::Type::Array(a) => top_level_names(&a.elem),
        syn::Type::Slice(s) => top_level_names(&s.elem),
        syn::Type::Reference(r) => top_level_names(&r.elem),
        syn::Type::Paren(p) => top_level_names(&p.elem),
        _ => Vec::new(),
    }
}

/// A place a statement can allocate into and `set_len` can act on: a local (`buf`) or a field
/// path (`self.buf`), written with dots.
pub(super) fn place_name(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Field(f) => {
            let member = match &f.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            Some(format!("{}.{member}", place_name(&f.base)?))
        }
        _ => local_name(expr),
    }
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
            place_name(&call.receiver)
        }
        _ => None,
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
    /// Per function: how far its comments were read for each rule's cited words.
    citations: RefCell<Vec<Vec<(usize, Citation)>>>,
}

/// How far a function's comments were read for one rule's cited words, and the first line
/// that cites one (0: its doc comment).
#[derive(Debug)]
struct Citation {
    read_to: usize,
    first: Option<usize>,
}

/// Whether lower-case `text` cites one of `cited` by number: the word followed by a number, as
/// one word or two ("rfc 6455", "RFC6455"); a bare "rfc-notes" cites nothing.
fn mentions(text: &str, cited: &[String]) -> bool {
    let text_words = words(text);
    let is_number = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    cited.iter().any(|w| {
        text_words.iter().enumerate().any(|(i, t)| {
            t.strip_prefix(w.as_str()).is_some_and(|rest| {
                is_number(rest)
                    || (rest.is_empty() && text_words.get(i + 1).is_some_and(|n| is_number(n)))
            })
        })
    })
}

impl Surroundings {
    pub(super) fn enter_function(&mut self) {
        self.fresh.push(HashSet::new());
        self.sources.push(HashMap::new());
        self.citations.get_mut().push(Vec::new());
    }

    pub(super) fn exit_function(&mut self) {
        self.fresh.pop();
        self.sources.pop();
        self.citations.get_mut().pop();
    }

    /// A statement begins; `allocators`: the calls any rule's `weakness-after` names;
    /// `sources`: whether a rule's `weakness-from` needs what locals are made from.
    pub(super) fn enter_statement(
        &mut self,
        stmt: &syn::Stmt,
        allocators: &BTreeSet<String>,
        sources: bool,
    ) {
        if sources {
            self.note_sources(stmt);
        }
        let effect = self.allocation_effect(stmt, allocators);
        self.effects.push(effect);
        self.declared.push(match stmt {
            syn::Stmt::Local(syn::Local {
                pat: syn::Pat::Type(typed),
                ..
            }) => Declared::Type(top_level_names(&typed.ty)),
            syn::Stmt::Expr(_, None) | syn::Stmt::Expr(Expr::Return(_), _) => Declared::Tail,
            _ => Declared::Unknown,
        });
    }

    /// What a statement says of where locals' bytes come from: `let x = <value>` (its
    /// identifiers), and `r.read_to_end(&mut buf)` (`buf` holds what `read_to_end` gave).
    fn note_sources(&mut self, stmt: &syn::Stmt) {
        let Some(known) = self.sources.last_mut() else {
            return;
        };
        match stmt {
            syn::Stmt::Local(local) => {
                if let (Some(name), Some(init)) = (pattern_name(&local.pat), &local.init) {
                    known.insert(name, identifiers_in(&init.expr));
                }
            }
            syn::Stmt::Expr(expr, _) => {
                // Down the chain: `f.read_to_end(&mut buf)?`, `…(&mut buf).unwrap()`.
                let mut current = strip(expr);
                loop {
                    match current {
                        Expr::Try(t) => current = strip(&t.expr),
                        Expr::MethodCall(call) => {
                            for arg in &call.args {
                                if let Expr::Reference(r) = arg {
                                    if let Some(name) = local_name(&r.expr) {
                                        known.insert(name, vec![call.method.to_string()]);
                                    }
                                }
                            }
                            current = strip(&call.receiver);
                        }
                        _ => break,
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn exit_statement(&mut self) {
        self.declared.pop();
        if let Some(Some(effect)) = self.effects.pop() {
            if let Some(fresh) = self.fresh.last_mut() {
                // A place is used when any name on its path is (`self` for `self.buf`).
                fresh.retain(|place| {
                    !place
                        .split('.')
                        .any(|part| effect.mentioned.iter().any(|m| m == part))
                });
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
            mentioned: identifiers_in_statement(stmt),
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
        let used = identifiers_in(expr);
        fresh.retain(|place| !place.split('.').any(|part| used.iter().any(|u| u == part)));
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
        let named = identifiers_in(arg);
        // Through locals, a few steps back (`let part = from_raw_parts(..); let v = part.to_vec()`).
        let known = self.sources.last();
        let mut reached: Vec<&String> = named.iter().collect();
        let mut frontier: Vec<&String> = named.iter().collect();
        for _ in 0..3 {
            let mut next = Vec::new();
            for name in frontier {
                if let Some(made_of) = known.and_then(|k| k.get(name.as_str())) {
                    for part in made_of {
                        if !reached.contains(&part) {
                            reached.push(part);
                            next.push(part);
                        }
                    }
                }
            }
            frontier = next;
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

    /// Whether the comments of the function (its doc, and its lines up to `line`) mention one
    /// of `context.cited_words`. Read once per function and rule, however many hits it has.
    fn cites(
        &self,
        context: &HitContext,
        info: &FunctionInfo,
        line: usize,
        lines: &[&str],
    ) -> bool {
        let key = context as *const HitContext as usize;
        let mut cache = self.citations.borrow_mut();
        let Some(per_function) = cache.last_mut() else {
            return false;
        };
        let found = match per_function.iter_mut().find(|(k, _)| *k == key) {
            Some((_, found)) => found,
            None => {
                let in_doc = mentions(&info.doc, &context.cited_words);
                per_function.push((
                    key,
                    Citation {
                        read_to: info.start_line.saturating_sub(1),
                        first: in_doc.then_some(0),
                    },
                ));
                &mut per_function.last_mut().expect("just pushed").1
            }
        };
        let end = line.min(lines.len());
        while found.first.is_none() && found.read_to < end {
            let text = lines[found.read_to];
            if let Some((_, comment)) = text.split_once("//") {
                if mentions(&comment.to_lowercase(), &context.cited_words) {
                    found.first = Some(found.read_to + 1);
                }
            }
            found.read_to += 1;
        }
        found.first.is_some_and(|first| first <= line)
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
        // From the hit outwards: through block tails to the first place that says what the
        // value is; past the outermost tail, the function's return type.
        let mut names = None;
        for declared in self.declared.iter().rev() {
            match declared {
                Declared::Tail => continue,
                Declared::Type(declared) => names = Some(declared),
                // An unannotated `let`, an assignment, a field, an argument: not written here.
                Declared::Unknown => return Some(true),
            }
            break;
        }
        let names = match (names, info) {
            (Some(names), _) => names,
            // The function's value, unless its type is only a generic parameter.
            (None, Some(info)) if !info.returns.is_empty() && !info.returns_generic => {
                &info.returns
            }
            _ => return Some(true),
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
        let says = |words: &[String], list: &[String]| {
            // `api_key` in the list is a phrase: two words in a row.
            let joined = format!("_{}_", words.join("_"));
            list.iter().any(|w| joined.contains(&format!("_{w}_")))
        };
        // Picked by name, as a protocol negotiates it (`scramble_sha1`, `Password::Md5 =>`),
        // unless the function's own name says what it protects (`hash_password_md5`).
        let named = says(name_words, &context.named_words)
            || self.arms.iter().any(|arm| says(arm, &context.named_words));
        if named && !says(name_words, &context.weakness_words) {
            return true;
        }
        // Required by a specification the function's comments cite (`RFC 6455`). Only inside a
        // function: a file's top comments speak of the whole file.
        if let Some(info) = info.filter(|i| i.start_line > 0 && !context.cited_words.is_empty()) {
            if self.cites(context, info, line, lines) {
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
