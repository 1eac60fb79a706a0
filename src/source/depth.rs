//! How deep a Rust file nests, measured on its text before syn parses it.
//!
//! syn's parser and every visitor over its tree recurse: one level per nested generic, block,
//! parenthesis, and per link of an operator, method-call, cast or `else if` chain (`a + b + c`
//! is a left-leaning tree). A hostile file can nest deeper than any stack, and a stack overflow
//! aborts the whole process; `catch_unwind` cannot catch it. So a file is measured first, with a
//! lexer-light pass that costs one read, and one deeper than the bounds is not parsed: it is a
//! warning naming it, read line by line for secrets, and the scan goes on. The bounds are far
//! beyond hand-written code (its nesting is in the tens, its chains in the hundreds) and the
//! source scan's threads get a stack that fits them (`WORKER_STACK`).

/// Deepest nesting of brackets and generic angle brackets parsed.
pub const MAX_DEPTH: usize = 1_000;
/// Longest chain of operators, `.` calls, casts and `else` branches at one level parsed.
pub const MAX_CHAIN: usize = 10_000;
/// The stack of the threads that parse and walk source files: room for a file at both bounds
/// (measured: 1,000 nested generics or blocks, or a 10,000-link chain, use under 32 MiB).
pub const WORKER_STACK: usize = 64 << 20;

/// What the pre-pass found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nesting {
    /// Brackets (`(`, `[`, `{`) and generic `<` open at once, at most.
    pub depth: usize,
    /// Links of the longest chain at one level.
    pub chain: usize,
    /// The 1-based line where either maximum was reached first.
    pub line: usize,
}

impl Nesting {
    /// Whether syn may parse the file: both within bounds.
    pub fn within_bounds(&self) -> bool {
        self.depth <= MAX_DEPTH && self.chain <= MAX_CHAIN
    }

    /// For the warning: what is too deep, and where.
    pub fn describe(&self) -> String {
        if self.depth > MAX_DEPTH {
            format!(
                "it nests {} levels deep at line {} (the limit is {MAX_DEPTH})",
                self.depth, self.line
            )
        } else {
            format!(
                "it chains {} operators or calls in one expression at line {} (the limit is {MAX_CHAIN})",
                self.chain, self.line
            )
        }
    }
}

/// Measures `text`. Comments, strings and character literals are skipped; a lifetime (`'a`) is
/// not a character literal. Stops early once a bound is passed.
pub fn measure(text: &str) -> Nesting {
    let bytes = text.as_bytes();
    let mut found = Nesting::default();
    // Per open bracket: generic `<` open inside it, and the chain so far at its level.
    let mut levels: Vec<(usize, usize)> = vec![(0, 0)];
    let mut angles_total = 0usize;
    let mut line = 1usize;
    let mut i = 0usize;
    let mut previous = b' ';
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut open = 1usize;
                i += 2;
                while i < bytes.len() && open > 0 {
                    match (bytes[i], bytes.get(i + 1)) {
                        (b'/', Some(b'*')) => {
                            open += 1;
                            i += 2;
                        }
                        (b'*', Some(b'/')) => {
                            open -= 1;
                            i += 2;
                        }
                        (b'\n', _) => {
                            line += 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'"' => {
                // A raw string's hashes were seen as the bytes before: `r#"…"#`.
                let mut hashes = 0;
                while i > hashes && bytes[i - hashes - 1] == b'#' {
                    hashes += 1;
                }
                let raw = i > hashes && matches!(bytes[i - hashes - 1], b'r');
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if !raw => i += 2,
                        b'"' => {
                            let closing = (1..=hashes).all(|h| bytes.get(i + h) == Some(&b'#'));
                            i += 1;
                            if closing {
                                i += hashes;
                                break;
                            }
                        }
                        b'\n' => {
                            line += 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                previous = b'"';
                continue;
            }
            b'\'' => {
                // `'x'`, `'\n'`, `'\u{1F600}'` are characters; `'a` is a lifetime.
                let close = match bytes.get(i + 1) {
                    // The escaped character is skipped: `'\''`.
                    Some(b'\\') => bytes
                        .get(i + 3..)
                        .and_then(|rest| rest.iter().take(12).position(|&b| b == b'\''))
                        .map(|p| i + 3 + p),
                    Some(_) => {
                        let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                        (bytes.get(i + 1 + width) == Some(&b'\'')).then_some(i + 1 + width)
                    }
                    None => None,
                };
                i = close.map_or(i + 1, |end| end + 1);
                previous = b'\'';
                continue;
            }
            b'(' | b'[' | b'{' => {
                levels.push((0, 0));
                let depth = levels.len() - 1 + angles_total;
                if depth > found.depth {
                    found.depth = depth;
                    found.line = line;
                }
            }
            b')' | b']' | b'}' if levels.len() > 1 => {
                let (angles, _) = levels.pop().unwrap_or_default();
                angles_total -= angles;
            }
            b',' | b';' => {
                if let Some(level) = levels.last_mut() {
                    level.1 = 0;
                }
            }
            b'<' if previous.is_ascii_alphanumeric() || previous == b'_' || previous == b':' => {
                // `Vec<`, `::<`: a generic opens (a comparison is spaced or followed by `=`).
                if bytes.get(i + 1) != Some(&b'=') && bytes.get(i + 1) != Some(&b'<') {
                    if let Some(level) = levels.last_mut() {
                        level.0 += 1;
                        angles_total += 1;
                    }
                    let depth = levels.len() - 1 + angles_total;
                    if depth > found.depth {
                        found.depth = depth;
                        found.line = line;
                    }
                } else {
                    link(&mut levels, &mut found, line);
                }
            }
            b'>' if previous != b'-' && previous != b'=' => match levels.last_mut() {
                Some(level) if level.0 > 0 => {
                    level.0 -= 1;
                    angles_total -= 1;
                }
                _ => link(&mut levels, &mut found, line),
            },
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'!' | b'&' | b'|' | b'?' | b'=' => {
                link(&mut levels, &mut found, line);
            }
            b'.' if !previous.is_ascii_digit() => link(&mut levels, &mut found, line),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if matches!(&bytes[start..i], b"as" | b"else") {
                    link(&mut levels, &mut found, line);
                }
                previous = bytes[i - 1];
                continue;
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            previous = c;
        }
        if !found.within_bounds() {
            break;
        }
        i += 1;
    }
    found
}

/// One more link in the current level's chain.
fn link(levels: &mut [(usize, usize)], found: &mut Nesting, line: usize) {
    if let Some(level) = levels.last_mut() {
        level.1 += 1;
        if level.1 > found.chain {
            found.chain = level.1;
            if found.depth <= MAX_DEPTH {
                found.line = line;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_shallow() {
        let found = measure(
            "fn f<T: Into<Vec<u8>>>(x: T) -> Option<u8> {\n    // a < b > c (((\n    let s = \"{{[[\";\n    let c = '{';\n    if a < b { x.into().first().copied() } else { None }\n}\n",
        );
        assert!(found.depth <= 4, "{found:?}");
        assert!(found.chain <= 6, "{found:?}");
        assert!(found.within_bounds());
    }

    #[test]
    fn deep_generics_blocks_and_chains_are_measured() {
        let generics = format!("type T = {}u8{};", "A<".repeat(2_000), ">".repeat(2_000));
        assert!(measure(&generics).depth > MAX_DEPTH);
        let blocks = format!("fn f() {}{}", "{".repeat(1_500), "}".repeat(1_500));
        assert!(measure(&blocks).depth > MAX_DEPTH);
        let chain = format!("fn f() {{ let x = 1{}; }}", " + 1".repeat(20_000));
        let found = measure(&chain);
        assert!(found.chain > MAX_CHAIN && found.line == 1, "{found:?}");
        let calls = format!("fn f() {{ x{}; }}", ".f()".repeat(20_000));
        assert!(measure(&calls).chain > MAX_CHAIN);
    }

    #[test]
    fn strings_comments_and_lifetimes_do_not_count() {
        let text = format!(
            "// {}\n/* {} */\nconst S: &str = r#\"{}\"#;\nfn f<'a>(x: &'a str) -> &'a str {{ x }}\n",
            "(".repeat(5_000),
            "[".repeat(5_000),
            "{".repeat(5_000)
        );
        let found = measure(&text);
        assert!(found.within_bounds(), "{found:?}");
    }
}
