//! A Rust file as the source passes read it: parsed once with syn, and with its macro bodies
//! parsed at most once for all passes.
//!
//! syn leaves a macro's body as tokens. Most macro calls (`format!`, `vec!`, `assert_eq!`, user
//! macros) take a comma-separated list of expressions, and several passes want those expressions;
//! [`RustFile::macro_args`] parses a body the first time any pass asks and keeps it for the file,
//! so the secrets and code passes share the work as they share the parse.

use proc_macro2::{TokenStream, TokenTree};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Macro, Token};

/// A macro body read as `expr, expr, …`.
pub type MacroArgs = Punctuated<Expr, Token![,]>;

/// Macros whose arguments are names, paths or tokens rather than values or code: `env!("TOKEN")`
/// names a variable, `stringify!(…)` and `cfg!(…)` are never run.
pub const NAME_MACROS: [&str; 15] = [
    "env",
    "option_env",
    "include_str",
    "include_bytes",
    "include",
    "concat_idents",
    "stringify",
    "module_path",
    "cfg",
    "compile_error",
    "line",
    "column",
    "file",
    "dotenv",
    "dotenvy",
];

/// Parsed macro bodies by where the macro's `!` is (line, column).
type Bodies = HashMap<(usize, usize), Rc<Option<MacroArgs>>>;

/// One parsed Rust file.
pub struct RustFile {
    pub syntax: syn::File,
    /// Macro bodies parsed so far, by where the macro's `!` is in the file: one place is one
    /// macro call, and a copy of its syntax node finds the same body.
    bodies: RefCell<Bodies>,
}

impl RustFile {
    pub fn parse(text: &str) -> syn::Result<RustFile> {
        Ok(RustFile {
            syntax: syn::parse_file(text)?,
            bodies: RefCell::default(),
        })
    }

    /// The body of `mac` as a list of expressions, or `None` when it is not one (`json!({…})`,
    /// `vec![x; n]`, `macro_rules!` bodies). `mac` must be a macro call of this file.
    pub fn macro_args(&self, mac: &Macro) -> Rc<Option<MacroArgs>> {
        let at = mac.bang_token.span.start();
        let key = (at.line, at.column);
        if let Some(parsed) = self.bodies.borrow().get(&key) {
            return Rc::clone(parsed);
        }
        let parsed = Rc::new(mac.parse_body_with(MacroArgs::parse_terminated).ok());
        self.bodies.borrow_mut().insert(key, Rc::clone(&parsed));
        parsed
    }
}

/// The last segment of a macro's path: `format` for `std::format!`.
pub fn macro_name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Whether a macro's arguments are names rather than values or code.
pub fn is_name_macro(name: &str) -> bool {
    NAME_MACROS.contains(&name)
}

/// Whether a token stream holds any string-like literal (or a bracketed list, which may be a
/// byte-array key): macro calls without one (`matches!(x, Some(_))`, `vec![0; n]`) carry no
/// string for the secrets pass and build none for the code pass.
pub fn has_string_literal(stream: &TokenStream) -> bool {
    stream.clone().into_iter().any(|tree| match tree {
        TokenTree::Literal(literal) => {
            let text = literal.to_string();
            text.starts_with(['"', 'r', 'b', 'c']) || text.starts_with("0x")
        }
        TokenTree::Group(group) => has_string_literal(&group.stream()),
        _ => false,
    })
}

/// `#[test]`, `#[tokio::test]`, `#[bench]`, and a `#[cfg(…)]` that only holds in test builds:
/// `cfg(test)`, `cfg(all(test, unix))`, `cfg(any(test, doc))` (documentation builds ship no code),
/// but not `cfg(not(test))` or `cfg(any(test, feature = "x"))`, which ships with the feature.
pub fn is_test_attribute(attr: &Attribute) -> bool {
    let path = attr.path();
    let last = path.segments.last().map(|s| s.ident.to_string());
    match last.as_deref() {
        Some("test" | "bench") => true,
        Some("cfg") => {
            let syn::Meta::List(list) = &attr.meta else {
                return false;
            };
            test_only(list.tokens.clone())
        }
        _ => false,
    }
}

/// Whether a cfg predicate can only hold when compiling tests (or docs).
fn test_only(predicate: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = predicate.into_iter().collect();
    let (name, args) = match tokens.as_slice() {
        [TokenTree::Ident(name)] => (name.to_string(), None),
        [TokenTree::Ident(name), TokenTree::Group(group)] => {
            (name.to_string(), Some(group.stream()))
        }
        _ => return false,
    };
    let parts = || {
        let mut parts: Vec<TokenStream> = Vec::new();
        let mut current = Vec::new();
        for tree in args.clone().unwrap_or_default() {
            match tree {
                TokenTree::Punct(p) if p.as_char() == ',' => {
                    parts.push(std::mem::take(&mut current).into_iter().collect())
                }
                other => current.push(other),
            }
        }
        if !current.is_empty() {
            parts.push(current.into_iter().collect());
        }
        parts
    };
    match (name.as_str(), &args) {
        ("test" | "doc", None) => true,
        ("all", Some(_)) => parts().into_iter().any(test_only),
        ("any", Some(_)) => {
            let parts = parts();
            !parts.is_empty() && parts.into_iter().all(test_only)
        }
        _ => false,
    }
}
