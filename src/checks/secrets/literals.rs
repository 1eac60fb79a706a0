//! The secrets pass over a parsed Rust file: every string-like literal with the context that gives
//! it meaning (the binding, field or key it is bound to, the call it is passed to), and whether it
//! sits in test code.
//!
//! syn leaves macro bodies as token streams. A macro call whose body parses as a comma-separated
//! list of expressions (`format!`, `vec!`, `assert_eq!`, most user macros) is visited like any
//! other expression (the body is parsed once per file for every pass, see [`RustFile`]); one that
//! does not (`json!({ "k": "v" })`, `macro_rules!` bodies) is read token by token, taking
//! `"key": "value"`, `key = "value"` and `key => "value"` as keyed.
//!
//! Attributes are skipped: doc comments are `#[doc = "..."]` attributes, and attribute arguments
//! (`#[serde(rename = "token")]`) are names, not values.

use super::judge::{NameKind, Slot};
use super::rules::Flow;
use crate::source::{has_string_literal, is_name_macro, is_test_attribute, macro_name, RustFile};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Lit, Macro, Member, Pat};

/// A string-like literal and where it sits.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    pub value: String,
    /// 1-based, of the literal's first character.
    pub line: usize,
    pub column: usize,
    /// 1-based, inclusive: the line the literal ends on.
    pub end_line: usize,
    /// Exclusive, on `end_line`.
    pub end_column: usize,
    pub slot: Slot,
    /// Inside `#[cfg(test)]` or a `#[test]` function.
    pub in_test: bool,
    /// For a value joined from several literals (`concat!`): where each piece starts in the
    /// value, and its place in the file, so a finding points at the piece that holds it.
    pub pieces: Vec<Piece>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Literal {
    /// Where the value's bytes `start..end` sit: in a literal spanning lines whose value keeps
    /// those line breaks (a raw string, a PEM block), the line and columns of the text itself;
    /// else the piece holding `start`, or the whole literal.
    pub fn locate(&self, start: usize, end: usize) -> Piece {
        let breaks = self.value.matches('\n').count();
        if self.pieces.is_empty() && breaks > 0 && breaks == self.end_line - self.line {
            if let (Some(before), Some(found)) =
                (self.value.get(..start), self.value.get(start..end))
            {
                // On the literal's first line the literal's own start is as precise as before.
                let Some(newline) = before.rfind('\n') else {
                    return self.place(start);
                };
                let line = self.line + before.matches('\n').count();
                let column = before.len() - newline;
                let found = found.split('\n').next().unwrap_or(found);
                return Piece {
                    offset: start,
                    line,
                    column,
                    end_line: line,
                    end_column: column + found.chars().count().max(1),
                };
            }
        }
        self.place(start)
    }

    /// Where the text at byte `offset` of the value sits: the piece holding it, or the literal.
    pub fn place(&self, offset: usize) -> Piece {
        self.pieces
            .iter()
            .rev()
            .find(|piece| piece.offset <= offset)
            .copied()
            .unwrap_or(Piece {
                offset: 0,
                line: self.line,
                column: self.column,
                end_line: self.end_line,
                end_column: self.end_column,
            })
    }
}

/// Every string-like literal in a parsed file, in source order. `in_test_path`: the whole file is
/// test code by where it lives.
pub fn literals(file: &RustFile, flow: &Flow, in_test_path: bool) -> Vec<Literal> {
    let mut collector = Collector {
        file,
        flow,
        slot: Slot::Free,
        test_depth: usize::from(in_test_path),
        out: Vec::new(),
    };
    collector.visit_file(&file.syntax);
    collector.out
}

struct Collector<'f> {
    file: &'f RustFile,
    flow: &'f Flow,
    /// Where the expression about to be visited sits. Taken (reset to `Free`) by whatever
    /// consumes it, so nothing deeper inherits a context that is not its own.
    slot: Slot,
    test_depth: usize,
    out: Vec<Literal>,
}

impl Collector<'_> {
    fn visit_with(&mut self, slot: Slot, expr: &Expr) {
        self.slot = slot;
        self.visit_expr(expr);
        self.slot = Slot::Free;
    }

    fn push(&mut self, value: String, span: proc_macro2::Span, slot: Slot) {
        let (start, end) = (span.start(), span.end());
        self.out.push(Literal {
            value,
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
            slot,
            in_test: self.test_depth > 0,
            pieces: Vec::new(),
        });
    }

    fn literal(&mut self, lit: &Lit, slot: Slot) {
        let value = match lit {
            Lit::Str(s) => s.value(),
            // `b"challengePassword\0"`: a C-style terminator is not part of the value.
            Lit::ByteStr(b) => String::from_utf8_lossy(&b.value())
                .trim_end_matches('\0')
                .to_owned(),
            Lit::CStr(c) => c.value().to_string_lossy().into_owned(),
            _ => return,
        };
        self.push(value, lit.span(), slot);
    }

    fn in_test<T>(&mut self, attrs: &[Attribute], visit: impl FnOnce(&mut Self) -> T) -> T {
        let test = attrs.iter().any(is_test_attribute);
        self.test_depth += usize::from(test);
        let result = visit(self);
        self.test_depth -= usize::from(test);
        result
    }

    /// `env::var("NAME")` (possibly behind `.ok()` or `.map(…)`): the variable's name.
    fn env_variable(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Call(call) => {
                let Expr::Path(path) = &*call.func else {
                    return None;
                };
                let last = path.path.segments.last()?.ident.to_string();
                if !self.flow.env_lookups.contains(&last) {
                    return None;
                }
                match call.args.first()? {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(s), ..
                    }) => Some(s.value()),
                    _ => None,
                }
            }
            Expr::MethodCall(call) => self.env_variable(&call.receiver),
            Expr::Try(t) => self.env_variable(&t.expr),
            _ => None,
        }
    }

    /// A call's arguments: keyed by a leading name, given to a setter, or positional.
    fn call_arguments<'a>(
        &mut self,
        callee: Vec<String>,
        method: bool,
        args: impl ExactSizeIterator<Item = &'a Expr>,
        outer: Slot,
    ) {
        let args: Vec<&Expr> = args.collect();
        let count = args.len();
        let last = callee.last().cloned().unwrap_or_default();
        let key = args.first().and_then(|first| key_name(first));
        if self.flow.keyed_calls.contains(&last) && self.keyed(&args, key) {
            return;
        }
        for (index, arg) in args.into_iter().enumerate() {
            self.visit_with(
                Slot::Argument {
                    callee: callee.clone(),
                    method,
                    arg: index,
                    count,
                    // A function's result may be its argument wrapped (`ApiKey::new("…")`); a
                    // method's is rarely (`f.debug_struct("Credentials")`).
                    outer: (!method && count == 1 && outer != Slot::Free)
                        .then(|| Box::new(outer.clone())),
                },
                arg,
            );
        }
    }

    /// Arguments after a leading key are named by it; `false` (nothing visited) without a key or
    /// a second argument.
    fn keyed(&mut self, args: &[&Expr], key: Option<String>) -> bool {
        let (Some(key), [first, rest @ ..]) = (key, args) else {
            return false;
        };
        if rest.is_empty() {
            return false;
        }
        self.visit_with(Slot::Free, first);
        for arg in rest {
            self.visit_with(
                Slot::Named {
                    name: key.clone(),
                    how: NameKind::Key,
                },
                arg,
            );
        }
        true
    }

    /// The literals of a macro call, as expressions when its body parses as a list of them.
    fn macro_call(&mut self, mac: &Macro, slot: Slot) {
        let name = macro_name(mac);
        if is_name_macro(&name) || !has_string_literal(&mac.tokens) {
            return;
        }
        let inherit = self.flow.value_macros.contains(&name);
        let parsed = self.file.macro_args(mac);
        let Some(args) = parsed.as_ref() else {
            // `vec![value; n]`, `json!({...})`, macro_rules! bodies: read the tokens.
            self.tokens(mac.tokens.clone(), if inherit { slot } else { Slot::Free });
            return;
        };
        let args: Vec<&Expr> = args.iter().collect();
        if name == "concat" {
            // `concat!("-----BEGIN …-----\n", "MIIE…")` is one value, split for line length.
            if let Some((value, span, pieces)) = concatenated(&args) {
                self.push(value, span, slot);
                if let Some(last) = self.out.last_mut() {
                    last.pieces = pieces;
                }
                return;
            }
        }
        if self.flow.format_macros.contains(&name) {
            self.format_arguments(&args);
            return;
        }
        // `header_pair!("X-Api-Key", "…")`: a leading string names the rest.
        let key = args
            .first()
            .filter(|first| is_string(first))
            .and_then(|first| key_name(first));
        if !inherit && self.keyed(&args, key) {
            return;
        }
        for arg in args {
            let slot = if inherit { slot.clone() } else { Slot::Free };
            self.visit_with(slot, arg);
        }
    }

    /// `writeln!(out, "token = \"{}\"", "…")`: each positional argument is named by the text
    /// before its `{}` in the format string, when that reads `name = ` or `name: `.
    fn format_arguments(&mut self, args: &[&Expr]) {
        let Some(format_index) = args.iter().position(|arg| is_string(arg)) else {
            for arg in args {
                self.visit_with(Slot::Free, arg);
            }
            return;
        };
        let names = match args[format_index] {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => format_argument_names(&s.value()),
            _ => Vec::new(),
        };
        let mut positional = names.into_iter();
        for (index, arg) in args.iter().enumerate() {
            let slot = if index > format_index && !matches!(arg, Expr::Assign(_)) {
                positional
                    .next()
                    .flatten()
                    .map_or(Slot::Free, |name| Slot::Named {
                        name,
                        how: NameKind::Key,
                    })
            } else {
                Slot::Free
            };
            self.visit_with(slot, arg);
        }
    }

    /// Array elements; `["--api-token", "…"]` names the element after a secret-named flag.
    fn elements<'a>(&mut self, elements: impl Iterator<Item = &'a Expr>, slot: &Slot) {
        let mut flag: Option<String> = None;
        for element in elements {
            let element_slot = match flag.take() {
                Some(name) => Slot::Named {
                    name,
                    how: NameKind::Key,
                },
                None => slot.clone(),
            };
            if let Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) = element
            {
                let value = s.value();
                if value.starts_with('-') && !value.contains([' ', '=']) {
                    flag = Some(value.trim_start_matches('-').to_owned());
                }
            }
            self.visit_with(element_slot, element);
        }
    }

    fn tokens(&mut self, stream: TokenStream, slot: Slot) {
        // The last two tokens seen, to spot `key: "value"`, `key = "value"`, `key => "value"`.
        let mut key: Option<String> = None;
        let mut pending_key: Option<String> = None;
        let mut after_separator = false;
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    let inner = if group.delimiter() == Delimiter::None {
                        slot.clone()
                    } else {
                        Slot::Free
                    };
                    self.tokens(group.stream(), inner);
                    pending_key = None;
                    after_separator = false;
                }
                TokenTree::Ident(ident) => {
                    pending_key = Some(ident.to_string());
                    after_separator = false;
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    let joint = punct.spacing() == proc_macro2::Spacing::Joint;
                    if matches!(c, ':' | '=') && !joint && !after_separator {
                        key = pending_key.take();
                        after_separator = key.is_some();
                    } else if c == '=' && joint {
                        // The `=` of `=>`: the `>` that follows ends the separator.
                        after_separator = false;
                    } else if c == '>' && !after_separator && pending_key.is_some() {
                        key = pending_key.take();
                        after_separator = key.is_some();
                    } else {
                        pending_key = None;
                        after_separator = false;
                        key = None;
                    }
                }
                TokenTree::Literal(literal) => {
                    let lit = Lit::new(literal);
                    let value_slot = match (&key, after_separator) {
                        (Some(name), true) => Slot::Named {
                            name: name.clone(),
                            how: NameKind::Key,
                        },
                        _ => slot.clone(),
                    };
                    self.literal(&lit, value_slot);
                    pending_key = match &lit {
                        Lit::Str(s) => Some(s.value()),
                        _ => None,
                    };
                    key = None;
                    after_separator = false;
                }
            }
        }
    }
}

impl Collector<'_> {
    fn attribute_defaults(&mut self, stream: TokenStream, field: &str) {
        let mut key: Option<String> = None;
        let mut after_equals = false;
        for tree in stream {
            match tree {
                TokenTree::Ident(ident) => {
                    key = Some(ident.to_string());
                    after_equals = false;
                }
                TokenTree::Punct(punct) if punct.as_char() == '=' => after_equals = key.is_some(),
                TokenTree::Literal(literal)
                    if after_equals
                        && key
                            .as_deref()
                            .is_some_and(|k| k == "default_value" || k == "default") =>
                {
                    let slot = Slot::Named {
                        name: field.to_owned(),
                        how: NameKind::Field,
                    };
                    self.literal(&Lit::new(literal), slot);
                    key = None;
                    after_equals = false;
                }
                TokenTree::Group(group) => {
                    self.attribute_defaults(group.stream(), field);
                    key = None;
                    after_equals = false;
                }
                _ => {
                    key = None;
                    after_equals = false;
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_attribute(&mut self, _: &'ast Attribute) {}

    /// `#[arg(long, default_value = "…")] admin_password: String`: a default in a field's
    /// attribute is the field's value. Other attribute arguments are names, not values.
    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(ident) = &field.ident {
            for attr in &field.attrs {
                if let syn::Meta::List(list) = &attr.meta {
                    self.attribute_defaults(list.tokens.clone(), &ident.to_string());
                }
            }
        }
        visit::visit_field(self, field);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.in_test(&item.attrs, |v| visit::visit_trait_item_fn(v, item));
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.in_test(&item.attrs, |v| visit::visit_item_mod(v, item));
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.in_test(&item.attrs, |v| visit::visit_item_fn(v, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.in_test(&item.attrs, |v| visit::visit_impl_item_fn(v, item));
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.in_test(&item.attrs, |v| visit::visit_item_impl(v, item));
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.in_test(&item.attrs, |v| {
            v.visit_with(binding(&item.ident), &item.expr);
        });
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.in_test(&item.attrs, |v| {
            v.visit_with(binding(&item.ident), &item.expr);
        });
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        self.visit_with(binding(&item.ident), &item.expr);
    }

    fn visit_trait_item_const(&mut self, item: &'ast syn::TraitItemConst) {
        if let Some((_, expr)) = &item.default {
            self.visit_with(binding(&item.ident), expr);
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let slot = pattern_name(&local.pat).map_or(Slot::Free, |name| Slot::Named {
            name,
            how: NameKind::Binding,
        });
        if let Some(init) = &local.init {
            self.visit_with(slot, &init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_with(Slot::Free, diverge);
            }
        }
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        let slot = std::mem::replace(&mut self.slot, Slot::Free);
        self.macro_call(mac, slot);
    }

    fn visit_lit(&mut self, lit: &'ast Lit) {
        let slot = std::mem::replace(&mut self.slot, Slot::Free);
        self.literal(lit, slot);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        self.expression(expr);
    }
}

impl<'ast> Collector<'_> {
    fn expression(&mut self, expr: &'ast Expr) {
        let slot = std::mem::replace(&mut self.slot, Slot::Free);
        match expr {
            Expr::Lit(lit) => self.literal(&lit.lit, slot),
            Expr::Reference(r) => self.visit_with(slot, &r.expr),
            Expr::Paren(p) => self.visit_with(slot, &p.expr),
            Expr::Group(g) => self.visit_with(slot, &g.expr),
            Expr::Cast(c) => self.visit_with(slot, &c.expr),
            Expr::Array(array) => {
                if let (Slot::Named { .. }, Some(bytes)) = (&slot, byte_array(array)) {
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    self.push(hex, array.bracket_token.span.join(), slot);
                } else {
                    self.elements(array.elems.iter(), &slot);
                }
            }
            Expr::Tuple(tuple) if tuple.elems.len() == 2 => {
                let key = key_name(&tuple.elems[0]).filter(|_| is_string(&tuple.elems[0]));
                self.visit_with(Slot::Free, &tuple.elems[0]);
                let second = match key {
                    Some(name) => Slot::Named {
                        name,
                        how: NameKind::Key,
                    },
                    None => Slot::Free,
                };
                self.visit_with(second, &tuple.elems[1]);
            }
            Expr::Struct(s) => {
                self.visit_path(&s.path);
                for field in &s.fields {
                    let slot = match &field.member {
                        Member::Named(ident) => Slot::Named {
                            name: ident.to_string(),
                            how: NameKind::Field,
                        },
                        Member::Unnamed(_) => Slot::Free,
                    };
                    self.visit_with(slot, &field.expr);
                }
                if let Some(rest) = &s.rest {
                    self.visit_with(Slot::Free, rest);
                }
            }
            Expr::Assign(assign) => {
                self.visit_with(Slot::Free, &assign.left);
                let slot = assigned_name(&assign.left).map_or(Slot::Free, |name| Slot::Named {
                    name,
                    how: NameKind::Field,
                });
                self.visit_with(slot, &assign.right);
            }
            Expr::MethodCall(call) => {
                let method = call.method.to_string();
                if self.flow.transparent_methods.contains(&method) {
                    self.visit_with(slot.clone(), &call.receiver);
                    let arg_slot = match self.env_variable(&call.receiver) {
                        Some(variable) => Slot::EnvDefault {
                            variable,
                            then: Box::new(slot.clone()),
                        },
                        None => slot.clone(),
                    };
                    for arg in &call.args {
                        self.visit_with(arg_slot.clone(), arg);
                    }
                } else {
                    self.visit_with(Slot::Free, &call.receiver);
                    self.call_arguments(vec![method], true, call.args.iter(), slot);
                }
            }
            Expr::Call(call) => {
                let path = match &*call.func {
                    Expr::Path(p) => p
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect(),
                    _ => Vec::new(),
                };
                self.visit_with(Slot::Free, &call.func);
                if !path.is_empty() && self.flow.is_transparent_function(&path) {
                    for arg in &call.args {
                        self.visit_with(slot.clone(), arg);
                    }
                } else {
                    self.call_arguments(path, false, call.args.iter(), slot);
                }
            }
            Expr::Macro(mac) => self.macro_call(&mac.mac, slot),
            // `unwrap_or_else(|_| "…".to_owned())`: the closure's result is the value.
            Expr::Closure(closure) => self.visit_with(slot, &closure.body),
            _ => visit::visit_expr(self, expr),
        }
    }
}

/// The value, span and pieces of `concat!` over string literals only.
fn concatenated(args: &[&Expr]) -> Option<(String, proc_macro2::Span, Vec<Piece>)> {
    let mut value = String::new();
    let mut spans = Vec::new();
    let mut pieces = Vec::new();
    for arg in args {
        match arg {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let (start, end) = (s.span().start(), s.span().end());
                pieces.push(Piece {
                    offset: value.len(),
                    line: start.line,
                    column: start.column + 1,
                    end_line: end.line,
                    end_column: end.column + 1,
                });
                value.push_str(&s.value());
                spans.push(s.span());
            }
            _ => return None,
        }
    }
    let first = *spans.first()?;
    let last = *spans.last()?;
    Some((value, first.join(last).unwrap_or(first), pieces))
}

/// For each `{}` of a format string, in order, the name written just before it
/// (`token = "{}"`, `password: {}`), if any. Named arguments (`{token}`) take no positional
/// argument and are left out.
fn format_argument_names(format: &str) -> Vec<Option<String>> {
    let mut names = Vec::new();
    let bytes = format.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
            b'{' => {
                let close = format[i..].find('}').map_or(bytes.len(), |c| i + c);
                let inside = &format[i + 1..close];
                let argument = inside.split(':').next().unwrap_or("");
                if argument.is_empty() {
                    let before = format[..i].trim_end_matches(['"', '\'', ' ']);
                    let name = before
                        .strip_suffix('=')
                        .or_else(|| before.strip_suffix(':'))
                        .map(|rest| {
                            rest.trim_end_matches(['"', '\'', ' '])
                                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                                .next()
                                .unwrap_or("")
                                .to_owned()
                        })
                        .filter(|name| !name.is_empty());
                    names.push(name);
                }
                i = close + 1;
            }
            _ => i += 1,
        }
    }
    names
}

fn binding(ident: &syn::Ident) -> Slot {
    Slot::Named {
        name: ident.to_string(),
        how: NameKind::Binding,
    }
}

/// The name a `let` pattern binds: `token`, `mut token`, `token: &str`.
fn pattern_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) => Some(ident.ident.to_string()),
        Pat::Type(typed) => pattern_name(&typed.pat),
        _ => None,
    }
}

/// What an assignment writes to: `cfg.api_key`, `API_KEY`, `headers["authorization"]`.
fn assigned_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Field(field) => match &field.member {
            Member::Named(ident) => Some(ident.to_string()),
            Member::Unnamed(_) => None,
        },
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Index(index) => key_name(&index.index),
        _ => None,
    }
}

/// A name given as a call's first argument or a tuple's first element: a string literal, or a
/// path to a constant (`AUTHORIZATION`, `header::AUTHORIZATION`).
fn key_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        Expr::Path(path) => path.path.segments.last().and_then(|s| {
            let name = s.ident.to_string();
            // Only constants name a key; `(user, "…")` has a variable, not a key.
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                .then_some(name)
        }),
        Expr::Reference(r) => key_name(&r.expr),
        Expr::Paren(p) => key_name(&p.expr),
        // `HeaderName::from_static("x-api-key")`: a name built from one string.
        Expr::Call(call) if call.args.len() == 1 && is_string(&call.args[0]) => {
            key_name(&call.args[0])
        }
        _ => None,
    }
}

fn is_string(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(_),
            ..
        })
    )
}

/// `[0x3f, 0xa1, …]`: the bytes, when every element is an integer literal that fits a byte and
/// there are enough of them to be a key.
fn byte_array(array: &syn::ExprArray) -> Option<Vec<u8>> {
    if array.elems.len() < 8 {
        return None;
    }
    array
        .elems
        .iter()
        .map(|element| match element {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(int), ..
            }) => int.base10_parse::<u8>().ok(),
            _ => None,
        })
        .collect()
}
