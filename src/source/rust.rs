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

/// Parsed macro bodies by the byte offset of the macro's `!` in the file.
type Bodies = HashMap<usize, Rc<Option<MacroArgs>>>;

/// One parsed Rust file.
pub struct RustFile {
    pub syntax: syn::File,
    /// Macro bodies parsed so far, by where the macro's `!` is in the file: one place is one
    /// macro call, and a copy of its syntax node finds the same body. Tokens with no place
    /// (built rather than parsed, or every token in a `cfg(fuzzing)` build, where proc-macro2
    /// keeps no source map) are never cached: they would all share one key, and a nested call
    /// would be handed its outer call's body and walked forever.
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
        let place = mac.bang_token.span.byte_range();
        let parse = || Rc::new(mac.parse_body_with(MacroArgs::parse_terminated).ok());
        if place.is_empty() {
            return parse();
        }
        if let Some(parsed) = self.bodies.borrow().get(&place.start) {
            return Rc::clone(parsed);
        }
        let parsed = parse();
        self.bodies
            .borrow_mut()
            .insert(place.start, Rc::clone(&parsed));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{Group, Span};

    /// Every token of `stream` moved to `Span::call_site()`: tokens with no place in the file.
    fn without_places(stream: TokenStream) -> TokenStream {
        stream
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Group(group) => {
                    let mut moved = Group::new(group.delimiter(), without_places(group.stream()));
                    moved.set_span(Span::call_site());
                    TokenTree::Group(moved)
                }
                mut other => {
                    other.set_span(Span::call_site());
                    other
                }
            })
            .collect()
    }

    #[test]
    fn nested_macros_without_places_get_their_own_bodies() {
        let tokens: TokenStream = "fn f() { outer!(inner!(1, 2), 3); }".parse().unwrap();
        let file = RustFile {
            syntax: syn::parse2(without_places(tokens)).unwrap(),
            bodies: RefCell::default(),
        };
        let syn::Item::Fn(function) = &file.syntax.items[0] else {
            panic!("a function");
        };
        let syn::Stmt::Macro(outer) = &function.block.stmts[0] else {
            panic!("a macro statement");
        };
        let outer_args = file.macro_args(&outer.mac);
        let outer_args = outer_args
            .as_ref()
            .as_ref()
            .expect("outer's body is a list");
        assert_eq!(outer_args.len(), 2);
        let Expr::Macro(inner) = &outer_args[0] else {
            panic!("inner is a macro call");
        };
        let inner_args = file.macro_args(&inner.mac);
        let inner_args = inner_args
            .as_ref()
            .as_ref()
            .expect("inner's body is a list");
        assert_eq!(inner_args.len(), 2);
        assert!(
            matches!(&inner_args[0], Expr::Lit(_)),
            "inner's own body, not outer's"
        );
    }
}
