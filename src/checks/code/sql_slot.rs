//! Where a spliced piece lands in SQL text. In a value's place (inside a quoted literal, after
//! `=`, `LIKE`, `LIMIT`, in a `VALUES (…)` or `IN (…)` list) a bind parameter could carry it, so
//! splicing it is an injection with a due date. In the statement's shape (a table or column name,
//! a column list, a whole `WHERE` clause) no bind marker can carry it: database tools and query
//! builders do that on purpose, and the fix is an allow-list rather than a bind. Those hits are
//! still reported, as audit findings, for review.
//!
//! The text is read backwards from the splice with a few SQL words, not parsed: a string built
//! in pieces is rarely a whole statement, and a wrong guess must err towards the value (the
//! finding keeps its due date).

/// Stands for a non-literal piece in the text kept of a built string.
pub(super) const SPLICE: char = '\u{1}';

/// Words after which a value goes.
const VALUE_WORDS: [&str; 19] = [
    "limit", "offset", "like", "ilike", "glob", "regexp", "match", "is", "not", "between", "when",
    "then", "else", "default", "interval", "escape", "top", "values", "in",
];

/// How much of the text before a splice is read: a clause's worth. Reading all of it at every
/// splice would make a long built string quadratic.
const LOOK_BACK: usize = 4096;

/// Whether a non-literal piece spliced after `before` (the SQL text so far, earlier splices
/// marked with [`SPLICE`]) takes a value's place; `quote_open`: an odd number of `'` so far
/// (`''` escapes pair up), so the piece is inside a quoted literal.
pub(super) fn is_value_slot(before: &str, quote_open: bool) -> bool {
    if quote_open {
        return true;
    }
    let mut cut = before.len().saturating_sub(LOOK_BACK);
    while !before.is_char_boundary(cut) {
        cut += 1;
    }
    let text = before[cut..].trim_end();
    let Some(last) = text.chars().last() else {
        // At the start: the statement, or its head, is the piece.
        return false;
    };
    match last {
        // A quoted or qualified name: `[{t}]`, `` `{t}` ``, `schema.{t}`. (`"{t}"` is a name in
        // standard SQL but a string in MySQL: taken as the value.)
        '[' | '`' | '.' => false,
        '(' => opens_value_list(&text[..text.len() - 1]),
        ',' => match unclosed_paren(text) {
            Some(open) => opens_value_list(&text[..open]),
            // `LIMIT 10, {}` is a row count; other top-level lists are selected columns, `SET`
            // assignments, `ORDER BY` keys.
            None => last_words(text, 3)
                .iter()
                .any(|w| w.eq_ignore_ascii_case("limit")),
        },
        c if is_word_char(c) => {
            let words = last_words(text, 3);
            let word = words.first().copied().unwrap_or_default();
            if word.eq_ignore_ascii_case("and") {
                // `BETWEEN 1 AND {}` is a value; `WHERE a = 1 AND {}` a clause.
                return words[1..].iter().any(|w| w.eq_ignore_ascii_case("between"));
            }
            VALUE_WORDS.iter().any(|v| word.eq_ignore_ascii_case(v))
        }
        // An operator: `=`, `<`, `+`, `||`.
        _ => true,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == SPLICE
}

/// Whether the `(` that follows `head` opens a list of values: a function's arguments
/// (`lower(`, `pragma_table_info(`), `VALUES (`, `IN (`, or a nested expression; not a table's
/// column list (`INSERT INTO t (`, `CREATE TABLE [t] (`).
fn opens_value_list(head: &str) -> bool {
    match head.chars().last() {
        // No space before it: a function call.
        Some(c) if is_word_char(c) && c != SPLICE => true,
        Some(c) if c.is_whitespace() => {
            let trimmed = head.trim_end();
            match trimmed.chars().last() {
                Some(']' | '`') | Some(SPLICE) => false,
                Some(c) if is_word_char(c) => {
                    let word = last_words(trimmed, 1);
                    let word = word.first().copied().unwrap_or_default();
                    word.eq_ignore_ascii_case("values")
                        || word.eq_ignore_ascii_case("in")
                        || VALUE_WORDS.iter().any(|v| word.eq_ignore_ascii_case(v))
                }
                _ => true,
            }
        }
        Some(']' | '`') | Some(SPLICE) => false,
        _ => true,
    }
}

/// The byte offset of the innermost `(` not yet closed in `text`, outside quoted literals.
fn unclosed_paren(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => open.push(at),
            ')' if !quoted => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Up to `n` words at the end of `text`, last first.
fn last_words(text: &str, n: usize) -> Vec<&str> {
    text.split(|c: char| !is_word_char(c))
        .rev()
        .filter(|w| !w.is_empty())
        .take(n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(format: &str) -> bool {
        let before = format.split("{}").next().unwrap();
        let quote_open = before.matches('\'').count() % 2 == 1;
        is_value_slot(before, quote_open)
    }

    #[test]
    fn values_take_bind_parameters() {
        for format in [
            "SELECT * FROM users WHERE name = '{}'",
            "DELETE FROM jobs WHERE id = {}",
            "SELECT * FROM t LIMIT {}",
            "SELECT * FROM t WHERE name LIKE {}",
            "INSERT INTO t (a, b) VALUES ({}",
            "INSERT INTO t (a, b) VALUES (1, {}",
            "SELECT * FROM t WHERE id IN ({}",
            "SELECT * FROM pragma_table_info({})",
            "SELECT * FROM t WHERE n BETWEEN 1 AND {}",
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='{}'",
            "SELECT * FROM users WHERE name = \"{}\"",
            "SELECT * FROM t WHERE id IN {}",
            "SELECT * FROM t LIMIT 10, {}",
        ] {
            assert!(slot(format), "{format}");
        }
    }

    #[test]
    fn names_and_clauses_shape_the_statement() {
        for format in [
            "{}",
            "DROP TABLE {}",
            "SELECT COUNT(*) FROM [{}]",
            "INSERT INTO {} (",
            "CREATE TABLE [t] ({}",
            "SELECT COUNT(*) FROM t WHERE {}",
            "UPDATE t SET {}",
            "SELECT a, {}",
            "SELECT * FROM t ORDER BY {}",
            "SELECT * FROM t WHERE a = 1 AND {}",
            "SELECT * FROM main.{}",
        ] {
            assert!(!slot(format), "{format}");
        }
    }

    #[test]
    fn a_column_list_after_a_spliced_table_name_is_shape() {
        let before = format!("INSERT INTO {SPLICE} (a, ");
        assert!(!is_value_slot(&before, false));
    }
}
