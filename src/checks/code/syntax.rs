//! Positions and shapes of syntax the code rules report on: where an item, statement or
//! expression starts (syn without `printing` has no `Spanned`), a path's text, and the
//! expression behind references, parentheses and `?`.

use crate::source::RustFile;
use proc_macro2::{LineColumn, Span};
use syn::{Expr, Item, Lit};

/// What the code rules know of the function they are in.
#[derive(Debug, Default)]
pub struct FunctionInfo {
    pub is_unsafe: bool,
    /// `extern "C" fn`: called from foreign code, whose data carries no Rust promises.
    pub is_extern: bool,
    /// `pub` (not `pub(crate)`): any code may call it.
    pub is_public: bool,
    /// Its first line after its attributes (`fn_start`).
    pub start_line: usize,
    pub serves_requests: bool,
    /// The words of its name (`words`).
    pub name_words: Vec<String>,
    /// The words of its parameters' names.
    pub param_words: Vec<String>,
    /// Its parameters' bindings, as written.
    pub params: Vec<String>,
    /// Its doc comment, lowercase.
    pub doc: String,
    /// The type names in its return type (`type_names`), and whether that type is only its own
    /// generic parameters (`-> T`): nothing is known of it.
    pub returns: Vec<String>,
    pub returns_generic: bool,
}

impl FunctionInfo {
    pub fn of(attrs: &[syn::Attribute], vis: &syn::Visibility, sig: &syn::Signature) -> Self {
        let mut param_words = Vec::new();
        let mut params = Vec::new();
        for input in &sig.inputs {
            if let syn::FnArg::Typed(arg) = input {
                param_words.extend(pattern_words(&arg.pat));
                params.extend(pattern_name(&arg.pat));
            }
        }
        let doc = attrs
            .iter()
            .filter(|attr| attr.path().is_ident("doc"))
            .filter_map(|attr| match &attr.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(s), ..
                    }) => Some(s.value().to_lowercase()),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let returns = match &sig.output {
            syn::ReturnType::Type(_, ty) => type_names(ty),
            syn::ReturnType::Default => Vec::new(),
        };
        let generic: Vec<String> = sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                syn::GenericParam::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        let returns_generic = !returns.is_empty() && returns.iter().all(|n| generic.contains(n));
        FunctionInfo {
            returns,
            returns_generic,
            is_unsafe: matches!(sig.safety, syn::Safety::Unsafe(_)),
            is_extern: sig.abi.is_some(),
            is_public: matches!(vis, syn::Visibility::Public(_)),
            start_line: fn_start(vis, sig),
            serves_requests: serves_requests(attrs, sig),
            name_words: words(&sig.ident.to_string()),
            param_words,
            params,
            doc,
        }
    }
}

/// The identifiers in a type, as written (`[MaybeUninit<u8>; 4]`: `MaybeUninit`, `u8`).
pub fn type_names(ty: &syn::Type) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.0.push(ident.to_string());
        }
    }
    let mut found = Names(Vec::new());
    syn::visit::Visit::visit_type(&mut found, ty);
    found.0
}

/// The words of an identifier or text, lowercase: split at anything not a letter or digit and
/// where a lowercase letter or digit meets an uppercase one (`scramble_sha1`, `HmacSha256`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split(|c: char| !c.is_alphanumeric()) {
        let mut word = String::new();
        let mut previous_lower = false;
        for c in part.chars() {
            if c.is_uppercase() && previous_lower && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            word.extend(c.to_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// The words of a pattern: its bindings, the paths it matches (`Password::Md5 { .. }`) and its
/// string literals (`"md5" =>`).
pub fn pattern_words(pat: &syn::Pat) -> Vec<String> {
    struct Words(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Words {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.0.extend(words(&ident.to_string()));
        }
        fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
            self.0.extend(words(&lit.value()));
        }
    }
    let mut found = Words(Vec::new());
    syn::visit::Visit::visit_pat(&mut found, pat);
    found.0
}

/// Whether a function answers web requests: a route attribute (`#[get("/")]`, actix-web and
/// Rocket) or a request extractor among its parameters (`Query<T>`, `Path<T>`, `Json<T>`,
/// `Form<T>`, `HttpRequest`). What it splices into a query comes from whoever sends requests.
pub fn serves_requests(attrs: &[syn::Attribute], sig: &syn::Signature) -> bool {
    const ROUTES: [&str; 8] = [
        "get", "post", "put", "delete", "patch", "head", "options", "route",
    ];
    // With type arguments only: `Path<T>` is axum's, `&Path` is std's; `Request<Body>` is
    // axum's, hyper's or tide's.
    const EXTRACTORS: [&str; 7] = [
        "Query",
        "Path",
        "Json",
        "Form",
        "Multipart",
        "RawQuery",
        "Request",
    ];
    const REQUESTS: [&str; 2] = ["HttpRequest", "ServiceRequest"];
    let routed = attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|s| ROUTES.iter().any(|r| s.ident == r))
    });
    let extracts = |ty: &syn::Type| -> bool {
        let mut ty = ty;
        while let syn::Type::Reference(r) = ty {
            ty = &r.elem;
        }
        let syn::Type::Path(path) = ty else {
            return false;
        };
        path.path.segments.iter().any(|s| {
            let generic = matches!(s.arguments, syn::PathArguments::AngleBracketed(_));
            (generic && EXTRACTORS.iter().any(|e| s.ident == e))
                || REQUESTS.iter().any(|r| s.ident == r)
        })
    };
    routed
        || sig.inputs.iter().any(|input| match input {
            syn::FnArg::Typed(arg) => extracts(&arg.ty),
            syn::FnArg::Receiver(_) => false,
        })
}

/// A function's first line after its attributes: where comments stop documenting its body.
pub fn fn_start(vis: &syn::Visibility, sig: &syn::Signature) -> usize {
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

pub(super) fn item_start_line(vis: &syn::Visibility, keyword: Span) -> usize {
    match vis {
        syn::Visibility::Public(p) => p.span.start().line,
        syn::Visibility::Restricted(r) => r.pub_token.span.start().line,
        syn::Visibility::Inherited => keyword.start().line,
    }
}

/// A statement's or item's first line, counting attributes but not doc comments (clippy's
/// `accept-comment-above-attributes`).
pub(super) fn attributed_start(attrs: &[syn::Attribute], line: usize) -> usize {
    attrs
        .iter()
        .filter(|attr| !attr.path().is_ident("doc"))
        .map(|attr| attr.pound_token.span.start().line)
        .min()
        .map_or(line, |first| first.min(line))
}

pub(super) fn item_end_line(item: &Item) -> Option<usize> {
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

pub(super) fn delimiter_close(mac: &syn::Macro) -> Span {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
}

pub(super) fn path_span(path: &syn::Path) -> (LineColumn, LineColumn) {
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

pub(super) fn ident_span(ident: &syn::Ident) -> (LineColumn, LineColumn) {
    (ident.span().start(), ident.span().end())
}

pub(super) fn path_text(path: &syn::Path) -> String {
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
pub(super) fn strip(expr: &Expr) -> &Expr {
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
pub(super) fn local_name(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => local_name(&u.expr),
        _ => None,
    }
}

pub(super) fn pattern_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
        syn::Pat::Type(typed) => pattern_name(&typed.pat),
        _ => None,
    }
}

/// A short text form of simple arguments, to compare with a rule's `first-arg` forms: `true`,
/// `SslVerifyMode::NONE`, `Some(false)`, `SslVerifyMode::empty()`.
pub(super) fn simple_form(expr: &Expr) -> Option<String> {
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

pub(super) fn first_arg_matches(arg: Option<&Expr>, patterns: &[String]) -> bool {
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
pub(super) fn list_elements(expr: &Expr, bodies: &RustFile) -> Vec<Expr> {
    match strip(expr) {
        Expr::Array(array) => array.elems.iter().cloned().collect(),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => bodies
            .macro_args(&m.mac)
            .as_ref()
            .as_ref()
            .map(|args| args.iter().cloned().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Every identifier in an expression as written, macro bodies included.
pub(super) fn identifiers_in(expr: &Expr) -> Vec<String> {
    let mut found = Identifiers(Vec::new());
    syn::visit::Visit::visit_expr(&mut found, expr);
    found.0
}

/// Every identifier in a statement as written, macro bodies included.
pub(super) fn identifiers_in_statement(stmt: &syn::Stmt) -> Vec<String> {
    let mut found = Identifiers(Vec::new());
    syn::visit::Visit::visit_stmt(&mut found, stmt);
    found.0
}

/// Collects identifiers, reading macro bodies as tokens (they are not parsed here).
struct Identifiers(Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for Identifiers {
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

/// Every identifier in an expression, in lower case: what a condition or an argument names.
pub(super) fn idents(expr: &Expr) -> Vec<String> {
    struct Idents(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Idents {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.0.push(ident.to_string().to_ascii_lowercase());
        }
    }
    let mut found = Idents(Vec::new());
    syn::visit::Visit::visit_expr(&mut found, expr);
    found.0
}
