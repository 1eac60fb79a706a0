//! Strings built by formatting or concatenation (`format!`, `+`, `push_str`, `write!`) and
//! whether their text reads as SQL, followed through the locals of a function: what the
//! injection rules need to tell a query built from input from a constant one.

use super::sql_slot::{is_value_slot, SPLICE};
use super::syntax::{local_name, strip, words};
use crate::source::{MacroArgs, RustFile};
use std::collections::HashMap;
use std::rc::Rc;
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
    /// An odd number of `'` so far: the next piece lands inside a quoted SQL literal.
    quote_open: bool,
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
        self.quote_open ^= text.bytes().filter(|&b| b == b'\'').count() % 2 == 1;
        if self.text.len() + text.len() <= MAX_TEXT {
            self.text.push_str(text);
        }
    }

    /// Where a non-literal piece lands now: a value's place or the statement's shape. Once one
    /// value is spliced the answer is known, and the text is not read again.
    fn note_slot(&mut self) {
        if !self.value {
            self.value = is_value_slot(&self.text, self.quote_open);
        }
    }

    /// A non-literal piece at the end of the text so far.
    fn push_splice(&mut self) {
        self.spliced = true;
        self.note_slot();
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

    /// A local holding a built string appended: its own splices keep their places (found when
    /// it was built), and the local itself is a piece whose place counts too, even when it holds
    /// a literal here.
    pub(super) fn push_local(&mut self, other: &BuiltString) {
        if other.escaped {
            self.push_text("x");
            return;
        }
        self.spliced = true;
        self.note_slot();
        self.spliced |= other.spliced;
        self.sql |= other.sql;
        self.value |= other.value;
        self.push_text(&other.text);
    }

    /// `piece` appended (`push_str`, `+=`, `+`, a `format!` argument): a `format!` or `+` chain
    /// is read into this text, so its splices are placed in the whole string; a local holding a
    /// built string, a literal, an escaped value or a list of bind markers, or else a splice.
    pub(super) fn push_expr(
        &mut self,
        piece: &Expr,
        strings: &HashMap<String, BuiltString>,
        bodies: &RustFile,
    ) {
        // `a + b + c` nests to the left: its operands, read without recursing on the chain.
        let mut operands = Vec::new();
        let mut current = strip(piece);
        while let Expr::Binary(b) = current {
            if !matches!(b.op, syn::BinOp::Add(_)) {
                break;
            }
            operands.push(&*b.right);
            current = strip(&b.left);
        }
        operands.push(current);
        for operand in operands.into_iter().rev() {
            self.push_operand(operand, strings, bodies);
        }
    }

    fn push_operand(
        &mut self,
        piece: &Expr,
        strings: &HashMap<String, BuiltString>,
        bodies: &RustFile,
    ) {
        let piece = through_conversions(piece);
        if let Some(parsed) = format_arguments(piece, bodies) {
            match parsed.as_ref() {
                Some(args) => {
                    let args: Vec<&Expr> = args.iter().collect();
                    format_into(self, &args, strings, bodies);
                }
                None => self.push_splice(),
            }
        } else if let Some(inner) = local_name(piece).and_then(|name| strings.get(&name)) {
            self.push_local(inner);
        } else if let Some(text) = literal_text(piece) {
            self.push_text(&text);
        } else if is_literal(piece, bodies) {
            self.push_text("x");
        } else if is_escaping_call(piece) {
            // `escape_identifier(name)`, `quote_literal(v)`: the function made it safe to splice.
            self.push_text("x");
        } else if is_bind_marker_list(piece) {
            // `markers.join(", ")`, `vec!["?"; n].join(",")`: bind parameters, not values.
            self.push_text("?");
        } else {
            self.push_splice();
        }
    }
}

/// Through `&`, `.as_str()`, `.to_string()` and the like, which do not change the text.
fn through_conversions(expr: &Expr) -> &Expr {
    let mut current = strip(expr);
    while let Expr::MethodCall(m) = current {
        if !matches!(
            m.method.to_string().as_str(),
            "as_str" | "as_ref" | "to_string" | "to_owned" | "clone" | "into" | "as_bytes"
        ) {
            break;
        }
        current = strip(&m.receiver);
    }
    current
}

/// The arguments of `format!(…)` / `format_args!(…)`, parsed once per file (`None` inside
/// when the body is not a list of expressions).
fn format_arguments(expr: &Expr, bodies: &RustFile) -> Option<Rc<Option<MacroArgs>>> {
    let Expr::Macro(m) = strip(expr) else {
        return None;
    };
    let name = m.mac.path.segments.last()?.ident.to_string();
    if name != "format" && name != "format_args" {
        return None;
    }
    Some(bodies.macro_args(&m.mac))
}

/// A local named for bind markers: SQL calls them placeholders (`value_placeholders`).
fn is_marker_name(name: &str) -> bool {
    const SQL_TERM: &str = "placeholder";
    name.to_ascii_lowercase().contains(SQL_TERM)
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

/// A list of bind markers (`?`, `$1`) made at run time, for a number of values only known
/// then: a local named for them (`is_marker_name`), or `.join(…)`/`.repeat(…)` of one,
/// `vec!["?"; n].join(",")`, `"?, ".repeat(n)`). Anything else spliced in is a value.
fn is_bind_marker_list(expr: &Expr) -> bool {
    fn is_bind_marker_text(text: &str) -> bool {
        text.contains(['?', '$'])
            && text
                .chars()
                .all(|c| matches!(c, '?' | '$' | ',' | ' ') || c.is_ascii_digit())
    }
    let named = |expr: &Expr| local_name(expr).is_some_and(|name| is_marker_name(&name));
    let expr = strip(expr);
    if named(expr) {
        return true;
    }
    let Expr::MethodCall(call) = expr else {
        return false;
    };
    if !matches!(
        call.method.to_string().as_str(),
        "join" | "repeat" | "concat"
    ) {
        return false;
    }
    let receiver = strip(&call.receiver);
    if named(receiver) || literal_text(receiver).is_some_and(|t| is_bind_marker_text(&t)) {
        return true;
    }
    // `vec!["?"; n]`: a repeat of marker text.
    let Expr::Macro(m) = receiver else {
        return false;
    };
    m.mac.path.is_ident("vec")
        && m.mac.tokens.clone().into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Literal(lit) => {
                let text = lit.to_string();
                text.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .is_some_and(is_bind_marker_text)
            }
            _ => false,
        })
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
                into.push_local(inner);
            } else if is_constant_name(spec) {
                into.push_text("x");
            } else if is_marker_name(spec) {
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
    let expr = through_conversions(expr);
    match expr {
        Expr::Macro(_) => {
            let parsed = format_arguments(expr, bodies)?;
            let args: Vec<&Expr> = parsed.as_ref().as_ref()?.iter().collect();
            Some(format_built(&args, strings, bodies))
        }
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            let mut result = BuiltString::default();
            result.push_expr(expr, strings, bodies);
            Some(result)
        }
        Expr::Path(_) => strings.get(&local_name(expr)?).cloned(),
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
