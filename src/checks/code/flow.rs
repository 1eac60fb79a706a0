//! Strings built by formatting or concatenation (`format!`, `+`, `push_str`, `write!`) and
//! whether their text reads as SQL, followed through the locals of a function: what the
//! injection rules need to tell a query built from input from a constant one.

use super::sql_slot::{is_value_slot, SPLICE};
use super::syntax::{local_name, strip, words};
use crate::source::RustFile;
use std::collections::HashMap;
use syn::{Expr, Lit};

/// A local string built from pieces.
#[derive(Clone, Debug, Default)]
pub(super) struct BuiltString {
    /// Something not literal was spliced in.
    pub(super) spliced: bool,
    /// Its literal text reads as SQL.
    pub(super) sql: bool,
    /// Something not literal was spliced where a SQL value goes (`sql_slot`).
    pub(super) value: bool,
    /// The text so far, each non-literal piece marked with `SPLICE`: where the next piece lands.
    text: String,
    /// Made by an escaping function (`escape_identifier(name)`): splicing it is safe.
    escaped: bool,
}

/// Text kept of a built string, enough for any query; past it, pieces count but add no text.
const MAX_TEXT: usize = 64 * 1024;

impl BuiltString {
    fn literal(text: &str) -> BuiltString {
        let mut built = BuiltString::default();
        built.push_text(text);
        built
    }

    fn push_text(&mut self, text: &str) {
        self.sql |= reads_as_sql(text);
        if self.text.len() + text.len() <= MAX_TEXT {
            self.text.push_str(text);
        }
    }

    /// A non-literal piece at the end of the text so far.
    fn push_splice(&mut self) {
        self.spliced = true;
        self.value |= is_value_slot(&self.text);
        if self.text.len() < MAX_TEXT {
            self.text.push(SPLICE);
        }
    }

    /// A value an escaping function made: safe to splice anywhere.
    pub(super) fn escaped() -> BuiltString {
        BuiltString {
            escaped: true,
            ..BuiltString::default()
        }
    }

    /// Another built string appended: its own splices keep their places, and a local (even one
    /// holding a literal here) is a piece whose place counts too.
    pub(super) fn push_built(&mut self, other: &BuiltString, is_local: bool) {
        if other.escaped {
            self.push_text("x");
            return;
        }
        if is_local {
            self.spliced = true;
            self.value |= is_value_slot(&self.text);
        }
        self.spliced |= other.spliced;
        self.sql |= other.sql;
        self.value |= other.value;
        if self.text.len() + other.text.len() <= MAX_TEXT {
            self.text.push_str(&other.text);
        }
    }

    /// `piece` appended (`push_str`, `+=`, `+`): a built string, a literal, or something else.
    pub(super) fn push_expr(
        &mut self,
        piece: &Expr,
        strings: &HashMap<String, BuiltString>,
        bodies: &RustFile,
    ) {
        if let Some(inner) = built(piece, strings, bodies) {
            self.push_built(&inner, local_name(piece).is_some());
        } else if let Some(text) = literal_text(piece) {
            self.push_text(&text);
        } else if is_literal(piece, bodies) {
            self.push_text("x");
        } else if is_escaping_call(piece) {
            // `escape_identifier(name)`, `quote_literal(v)`: the function made it safe to splice.
            self.push_text("x");
        } else if is_placeholder_list(piece) {
            // `placeholders.join(", ")`, `vec!["?"; n].join(",")`: bind parameters, not values.
            self.push_text("?");
        } else {
            self.push_splice();
        }
    }
}

/// A call to a function that escapes or quotes its argument for SQL (`escape_identifier`,
/// `quote_ident`, `sanitize`): its result is made to be spliced.
pub(super) fn is_escaping_call(expr: &Expr) -> bool {
    let name = match strip(expr) {
        Expr::Call(call) => match &*call.func {
            Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        Expr::MethodCall(call) => Some(call.method.to_string()),
        _ => None,
    };
    name.is_some_and(|name| {
        words(&name).iter().any(|w| {
            matches!(
                w.as_str(),
                "escape" | "escaped" | "quote" | "quoted" | "sanitize" | "sanitise" | "sanitized"
            )
        })
    })
}

/// A list of bind placeholders made at run time, for a number of values only known then: named
/// so (`placeholders`), or built from placeholder text alone (`"?"`, `"$"`, `", "`).
fn is_placeholder_list(expr: &Expr) -> bool {
    struct Finder {
        named: bool,
        placeholder_text: bool,
    }
    fn is_placeholder_text(text: &str) -> bool {
        text.contains(['?', '$'])
            && text
                .chars()
                .all(|c| matches!(c, '?' | '$' | ',' | ' ') || c.is_ascii_digit())
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.named |= ident
                .to_string()
                .to_ascii_lowercase()
                .contains("placeholder");
        }
        fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
            self.placeholder_text |= is_placeholder_text(&lit.value());
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            let mut stack = vec![mac.tokens.clone()];
            while let Some(tokens) = stack.pop() {
                for tree in tokens {
                    match tree {
                        proc_macro2::TokenTree::Group(g) => stack.push(g.stream()),
                        proc_macro2::TokenTree::Literal(lit) => {
                            let text = lit.to_string();
                            if let Some(inner) =
                                text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
                            {
                                self.placeholder_text |= is_placeholder_text(inner);
                            }
                        }
                        proc_macro2::TokenTree::Ident(ident) => self.visit_ident(&ident),
                        proc_macro2::TokenTree::Punct(_) => {}
                    }
                }
            }
        }
    }
    let mut finder = Finder {
        named: false,
        placeholder_text: false,
    };
    syn::visit::Visit::visit_expr(&mut finder, expr);
    finder.named || finder.placeholder_text
}

/// A string literal's text (through `&`, `.to_string()`, `String::from`).
pub(super) fn literal_text(expr: &Expr) -> Option<String> {
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
pub(super) fn is_literal(expr: &Expr, bodies: &RustFile) -> bool {
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
                Some("format") => bodies
                    .macro_args(&m.mac)
                    .as_ref()
                    .as_ref()
                    .is_some_and(|args| {
                        let args: Vec<&Expr> = args.iter().collect();
                        !format_built(&args, &HashMap::new(), bodies).spliced
                    }),
                _ => false,
            }
        }
        Expr::MethodCall(m) if m.method == "to_string" || m.method == "to_owned" => {
            is_literal(&m.receiver, bodies)
        }
        _ => false,
    }
}

pub(super) fn reads_as_sql(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "select", "insert", "update", "delete", "where", "from", "into", "values", "set", "drop",
        "create", "alter",
    ];
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|word| WORDS.iter().any(|w| word.eq_ignore_ascii_case(w)))
}

/// The arguments of `format!`-like macros (format string first), appended to `into`: whether
/// anything not literal is spliced in, where, and whether the text reads as SQL.
pub(super) fn format_into(
    into: &mut BuiltString,
    args: &[&Expr],
    strings: &HashMap<String, BuiltString>,
    bodies: &RustFile,
) {
    let Some(Expr::Lit(syn::ExprLit {
        lit: Lit::Str(format),
        ..
    })) = args.first().copied()
    else {
        if !args.is_empty() {
            into.push_splice();
        }
        return;
    };
    let format = format.value();
    let rest = &args[1..];
    let named = |name: &str| {
        rest.iter().find_map(|arg| match arg {
            Expr::Assign(a) if local_name(&a.left).as_deref() == Some(name) => Some(&*a.right),
            _ => None,
        })
    };
    let mut next = 0;
    let mut text = format.as_str();
    while let Some(open) = text.find(['{', '}']) {
        let (literal, after) = text.split_at(open);
        into.push_text(literal);
        if after.starts_with("{{") || after.starts_with("}}") {
            into.push_text(&after[..1]);
            text = &after[2..];
            continue;
        }
        if let Some(rest) = after.strip_prefix('}') {
            text = rest;
            continue;
        }
        let end = after.find('}').unwrap_or(after.len());
        let spec = after[1..end].split(':').next().unwrap_or("").trim();
        text = after.get(end + 1..).unwrap_or("");
        // Which argument fills it: the next positional one, a numbered one, a named one, or a
        // variable captured by name.
        let arg = if spec.is_empty() {
            next += 1;
            rest.get(next - 1).copied()
        } else if let Ok(index) = spec.parse::<usize>() {
            rest.get(index).copied()
        } else if let Some(value) = named(spec) {
            Some(value)
        } else {
            // A variable captured by name: a built local keeps its own splices.
            if let Some(inner) = strings.get(spec) {
                into.push_built(inner, true);
            } else if is_constant_name(spec) {
                into.push_text("x");
            } else if spec.to_ascii_lowercase().contains("placeholder") {
                into.push_text("?");
            } else {
                into.push_splice();
            }
            continue;
        };
        match arg {
            Some(value) => {
                let value = match value {
                    Expr::Assign(a) => &*a.right,
                    other => other,
                };
                into.push_expr(value, strings, bodies);
            }
            None => into.push_splice(),
        }
    }
    into.push_text(text);
}

/// `format!`'s arguments as a new built string.
pub(super) fn format_built(
    args: &[&Expr],
    strings: &HashMap<String, BuiltString>,
    bodies: &RustFile,
) -> BuiltString {
    let mut result = BuiltString::default();
    format_into(&mut result, args, strings, bodies);
    result
}

/// An `UPPER_CASE` name: a constant, fixed text.
fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A string built by formatting or concatenation: `format!(…)`, `a + &b`, or a local that was.
pub(super) fn built(
    expr: &Expr,
    strings: &HashMap<String, BuiltString>,
    bodies: &RustFile,
) -> Option<BuiltString> {
    match strip(expr) {
        Expr::Macro(m) => {
            let name = m.mac.path.segments.last()?.ident.to_string();
            if name != "format" && name != "format_args" {
                return None;
            }
            let parsed = bodies.macro_args(&m.mac);
            let args: Vec<&Expr> = parsed.as_ref().as_ref()?.iter().collect();
            Some(format_built(&args, strings, bodies))
        }
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            let mut result = BuiltString::default();
            for side in [&*b.left, &*b.right] {
                result.push_expr(side, strings, bodies);
            }
            Some(result)
        }
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "as_str" | "as_ref" | "to_string" | "to_owned" | "clone" | "into" | "as_bytes"
            ) =>
        {
            built(&m.receiver, strings, bodies)
        }
        Expr::Path(_) => {
            let name = local_name(expr)?;
            strings.get(&name).cloned()
        }
        other => literal_text(other).map(|text| BuiltString::literal(&text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_names_are_constants() {
        assert!(is_constant_name("TABLE"));
        assert!(is_constant_name("T2_NAME"));
        assert!(!is_constant_name("id"));
        assert!(!is_constant_name("_"));
    }

    #[test]
    fn sql_words_are_whole_words() {
        assert!(reads_as_sql("select id from t"));
        assert!(!reads_as_sql("{base}/selection/settings"));
    }
}
