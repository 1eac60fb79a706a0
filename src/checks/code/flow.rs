//! Strings built by formatting or concatenation (`format!`, `+`, `push_str`, `write!`) and
//! whether their text reads as SQL, followed through the locals of a function: what the
//! injection rules need to tell a query built from input from a constant one.

use super::syntax::{local_name, strip};
use crate::source::RustFile;
use std::collections::HashMap;
use syn::{Expr, Lit};

/// A local string built from pieces.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct BuiltString {
    /// Something not literal was spliced in.
    pub(super) spliced: bool,
    /// Its literal text reads as SQL.
    pub(super) sql: bool,
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

/// The arguments of `format!`-like macros (format string first): whether anything not literal
/// is spliced in, and whether the text reads as SQL.
pub(super) fn format_built(
    args: &[&Expr],
    strings: &HashMap<String, BuiltString>,
    bodies: &RustFile,
) -> BuiltString {
    let Some(Expr::Lit(syn::ExprLit {
        lit: Lit::Str(format),
        ..
    })) = args.first().copied()
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
    for &arg in &args[1..] {
        // `name = value` arguments are values too.
        let value = match arg {
            Expr::Assign(a) => &a.right,
            other => other,
        };
        if let Some(inner) = built(value, strings, bodies) {
            // A variable is spliced in even when it holds a literal here: the format string is
            // what decides the query's shape.
            result.spliced |= inner.spliced || local_name(value).is_some();
            result.sql |= inner.sql;
        } else if !is_literal(value, bodies) {
            result.spliced = true;
        }
    }
    result
}

/// `{name}` in a format string: a captured variable (not `{}`, `{0}` or a constant).
pub(super) fn inline_captures(format: &str) -> bool {
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
                if let Some(inner) = built(side, strings, bodies) {
                    result.spliced |= inner.spliced;
                    result.sql |= inner.sql;
                } else if let Some(text) = literal_text(side) {
                    result.sql |= reads_as_sql(&text);
                } else if !is_literal(side, bodies) {
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
            built(&m.receiver, strings, bodies)
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
