//! Where a spliced piece lands in SQL text. In a value's place (inside a quoted literal, after
//! `=`, `LIKE`, `LIMIT`, in a `VALUES (…)` or `IN (…)` list) a bind parameter could carry it, so
//! splicing it is an injection with a due date. In the statement's shape (a table or column name,
//! a column list, a whole `WHERE` clause) no placeholder can carry it: database tools and query
//! builders do that on purpose, and the fix is an allow-list rather than a bind. Those hits are
//! still reported, as audit findings, for review.
//!
//! The text is read backwards from the splice with a few SQL words, not parsed: a string built
//! in pieces is rarely a whole statement, and a wrong guess must err towards the value (the
//! finding keeps its due date).

/// Stands for a non-literal piece in the text kept of a built string.
pub(super) const SPLICE: char = '\u{1}';

/// Words after which a value goes.
const VALUE_WORDS: [&str; 18] = [
    "limit", "offset", "like", "ilike", "glob", "regexp", "match", "is", "not", "between", "when",
    "then", "else", "default", "interval", "escape", "top", "values",
];

/// Whether a non-literal piece spliced after `before` (the SQL text so far, earlier splices
/// marked with [`SPLICE`]) takes a value's place.
pub(super) fn is_value_slot(before: &str) -> bool {
    // Inside a quoted literal: an odd number of single quotes so far (`''` escapes pair up).
    if before.chars().filter(|&c| c == '\'').count() % 2 == 1 {
        return true;
    }
    let text = before.trim_end();
    let Some(last) = text.chars().last() else {
        // At the start: the statement, or its head, is the piece.
        return false;
    };
    match last {
        // A quoted or qualified name: `[{t}]`, `"{t}"`, `` `{t}` ``, `schema.{t}`.
        '[' | '"' | '`' | '.' => false,
        '(' => opens_value_list(&text[..text.len() - 1]),
        ',' => match unclosed_paren(text) {
            Some(open) => opens_value_list(&text[..open]),
            // A top-level list: selected columns, `SET` assignments, `ORDER BY` keys.
            None => false,
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
                Some(']' | '"' | '`') | Some(SPLICE) => false,
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
        Some(']' | '"' | '`') | Some(SPLICE) => false,
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
        is_value_slot(before)
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
            "select * from \"{}\"",
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
        assert!(!is_value_slot(&before));
    }
}
