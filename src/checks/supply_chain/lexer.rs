//! The unsafe inventory of a dependency without parsing it. A full syn parse of every file of
//! every locked crate runs at about 19 MB/s on two cores; this lexer only has to know what is code
//! and what is a comment, a string or a character literal, and which identifier follows
//! `unsafe`, so it runs at memory speed.
//!
//! What it counts, outside comments and literals: `unsafe {` (blocks), `unsafe fn` and
//! `unsafe extern "abi" fn` (functions), `unsafe impl`, `unsafe trait` (also `unsafe auto
//! trait`), and `unsafe extern {` (foreign blocks, counted as blocks); `#![forbid(unsafe_code)]`.
//! What it cannot know: `unsafe` inside `macro_rules!` bodies and `#[cfg(test)]` modules is
//! counted like any other (a syn parse would see the same tokens in macro bodies), and code a
//! macro generates is not seen. The file paths `include_bytes!` names are collected, so the
//! payload check can look at what is embedded.

/// What one file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lexed {
    pub blocks: usize,
    pub functions: usize,
    pub impls: usize,
    pub traits: usize,
    /// An inner `#![forbid(unsafe_code)]` attribute.
    pub forbids_unsafe_code: bool,
    /// The string literal arguments of `include_bytes!`, with their lines.
    pub included_bytes: Vec<(String, usize)>,
}

impl Lexed {
    pub fn any_unsafe(&self) -> bool {
        self.blocks + self.functions + self.impls + self.traits > 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Ident(&'a [u8]),
    /// A string literal's body (escapes left as written), raw or not.
    Str(&'a [u8]),
    Punct(u8),
    /// A character or numeric literal, or a lifetime: nothing the inventory reads.
    Other,
}

/// Tokens of Rust source, skipping whitespace and comments.
pub(super) struct Tokens<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
    /// The line the last token returned starts on.
    token_line: usize,
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_ident_continue(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

impl<'a> Tokens<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        Tokens {
            text,
            at: 0,
            line: 1,
            token_line: 1,
        }
    }

    fn peek(&self, offset: usize) -> u8 {
        self.text.get(self.at + offset).copied().unwrap_or(0)
    }

    /// Moves to `to`, counting the newlines passed.
    fn advance_to(&mut self, to: usize) {
        let to = to.min(self.text.len());
        self.line += memchr::memchr_iter(b'\n', &self.text[self.at..to]).count();
        self.at = to;
    }

    /// Skips a block comment that starts at `self.at` (nested, as Rust's are).
    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        let mut i = self.at;
        while i < self.text.len() {
            match (self.text[i], self.text.get(i + 1).copied().unwrap_or(0)) {
                (b'/', b'*') => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                }
                _ => i += 1,
            }
        }
        self.advance_to(i);
    }

    /// A quoted string from the `"` at `start`: its body, and where it ends.
    fn quoted(&self, start: usize) -> (usize, usize) {
        let mut i = start + 1;
        while i < self.text.len() {
            match self.text[i] {
                b'\\' => i += 2,
                b'"' => return (i, i + 1),
                _ => i += 1,
            }
        }
        (self.text.len(), self.text.len())
    }

    /// A raw string from `r` at `start` (`r"..."`, `r#"..."#`): body range and end, or `None`
    /// when `r#` begins a raw identifier instead.
    fn raw(&self, start: usize) -> Option<(usize, usize, usize)> {
        let mut i = start + 1;
        let mut hashes = 0;
        while self.text.get(i) == Some(&b'#') {
            hashes += 1;
            i += 1;
        }
        if self.text.get(i) != Some(&b'"') {
            return None;
        }
        let body = i + 1;
        let mut j = body;
        while let Some(offset) = memchr::memchr(b'"', &self.text[j..]) {
            let quote = j + offset;
            let closing = &self.text[quote + 1..];
            if closing.len() >= hashes && closing[..hashes].iter().all(|&b| b == b'#') {
                return Some((body, quote, quote + 1 + hashes));
            }
            j = quote + 1;
        }
        Some((body, self.text.len(), self.text.len()))
    }

    /// The line the last token returned starts on.
    pub(super) fn token_line(&self) -> usize {
        self.token_line
    }

    pub(super) fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            let byte = *self.text.get(self.at)?;
            self.token_line = self.line;
            match byte {
                b'\n' => {
                    self.line += 1;
                    self.at += 1;
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'/' if self.peek(1) == b'/' => {
                    let end = memchr::memchr(b'\n', &self.text[self.at..])
                        .map_or(self.text.len(), |offset| self.at + offset);
                    self.at = end;
                }
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'"' => {
                    let (body_end, end) = self.quoted(self.at);
                    let body = &self.text[self.at + 1..body_end];
                    self.advance_to(end);
                    return Some(Token::Str(body));
                }
                b'\'' => {
                    // A character literal ('a', '\n', '\u{1F600}') or a lifetime ('a, 'static).
                    let next = self.peek(1);
                    let end = if next == b'\\' {
                        let from = (self.at + 3).min(self.text.len());
                        memchr::memchr(b'\'', &self.text[from..])
                            .map_or(self.text.len(), |offset| from + offset + 1)
                    } else {
                        let width = utf8_width(next);
                        if self.peek(1 + width) == b'\'' {
                            self.at + 2 + width
                        } else {
                            self.at + 1
                        }
                    };
                    self.advance_to(end);
                    return Some(Token::Other);
                }
                b'0'..=b'9' => {
                    let mut i = self.at + 1;
                    while i < self.text.len() && is_ident_continue(self.text[i]) {
                        i += 1;
                    }
                    self.at = i;
                    return Some(Token::Other);
                }
                _ if is_ident_start(byte) => {
                    // Prefixed literals: b"..", br".." , c"..", cr"..", r".." and b'x'.
                    let start = self.at;
                    let prefix_end = match (byte, self.peek(1)) {
                        (b'b' | b'c', b'r') => Some(start + 1),
                        (b'r', _) => Some(start),
                        _ => None,
                    };
                    if let Some(r) = prefix_end {
                        if let Some((body, body_end, end)) = self.raw(r) {
                            let body = &self.text[body..body_end];
                            self.advance_to(end);
                            return Some(Token::Str(body));
                        }
                        if byte == b'r' && self.peek(1) == b'#' && is_ident_start(self.peek(2)) {
                            // A raw identifier (`r#unsafe`) is never the keyword.
                            let mut i = start + 2;
                            while i < self.text.len() && is_ident_continue(self.text[i]) {
                                i += 1;
                            }
                            self.at = i;
                            return Some(Token::Other);
                        }
                    }
                    if matches!(byte, b'b' | b'c') && self.peek(1) == b'"' {
                        let (body_end, end) = self.quoted(start + 1);
                        let body = &self.text[start + 2..body_end];
                        self.advance_to(end);
                        return Some(Token::Str(body));
                    }
                    if byte == b'b' && self.peek(1) == b'\'' {
                        self.at += 1;
                        continue;
                    }
                    let mut i = start + 1;
                    while i < self.text.len() && is_ident_continue(self.text[i]) {
                        i += 1;
                    }
                    self.at = i;
                    return Some(Token::Ident(&self.text[start..i]));
                }
                _ => {
                    self.at += 1;
                    return Some(Token::Punct(byte));
                }
            }
        }
    }
}

/// The byte length of the UTF-8 character that starts with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Lexes one file's text.
pub fn lex(text: &[u8]) -> Lexed {
    let mut lexed = Lexed::default();
    // Only files that mention the words pay for tokenising.
    let wanted = memchr::memmem::find(text, b"unsafe").is_some()
        || memchr::memmem::find(text, b"include_bytes").is_some();
    if !wanted {
        return lexed;
    }
    let mut tokens = Tokens::new(text);
    // The last three tokens, for `#![forbid(`.
    let mut recent: [Option<Token<'_>>; 3] = [None; 3];
    while let Some(token) = tokens.next_token() {
        match token {
            Token::Ident(b"unsafe") => match tokens.next_token() {
                Some(Token::Punct(b'{')) => lexed.blocks += 1,
                Some(Token::Ident(b"fn")) => lexed.functions += 1,
                Some(Token::Ident(b"impl")) => lexed.impls += 1,
                Some(Token::Ident(b"trait")) => lexed.traits += 1,
                Some(Token::Ident(b"auto"))
                    if tokens.next_token() == Some(Token::Ident(b"trait")) =>
                {
                    lexed.traits += 1;
                }
                Some(Token::Ident(b"extern")) => {
                    let mut next = tokens.next_token();
                    if matches!(next, Some(Token::Str(_))) {
                        next = tokens.next_token();
                    }
                    match next {
                        Some(Token::Ident(b"fn")) => lexed.functions += 1,
                        Some(Token::Punct(b'{')) => lexed.blocks += 1,
                        _ => {}
                    }
                }
                _ => {}
            },
            Token::Ident(b"forbid")
                if recent
                    == [
                        Some(Token::Punct(b'#')),
                        Some(Token::Punct(b'!')),
                        Some(Token::Punct(b'[')),
                    ] =>
            {
                // The attribute's list, up to its closing bracket.
                while let Some(inner) = tokens.next_token() {
                    match inner {
                        Token::Ident(b"unsafe_code") => lexed.forbids_unsafe_code = true,
                        Token::Punct(b']') => break,
                        _ => {}
                    }
                }
            }
            Token::Ident(b"include_bytes") => {
                let line = tokens.token_line();
                if tokens.next_token() == Some(Token::Punct(b'!'))
                    && matches!(tokens.next_token(), Some(Token::Punct(b'(' | b'[' | b'{')))
                {
                    if let Some(Token::Str(path)) = tokens.next_token() {
                        lexed
                            .included_bytes
                            .push((String::from_utf8_lossy(path).into_owned(), line));
                    }
                }
            }
            _ => {}
        }
        recent = [recent[1], recent[2], Some(token)];
    }
    lexed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(text: &str) -> (usize, usize, usize, usize) {
        let lexed = lex(text.as_bytes());
        (lexed.blocks, lexed.functions, lexed.impls, lexed.traits)
    }

    #[test]
    fn counts_each_kind_of_unsafe_item() {
        let text = r#"
            pub unsafe fn a() { unsafe { core::hint::unreachable_unchecked() } }
            unsafe impl Send for X {}
            pub unsafe trait T {}
            unsafe auto trait U {}
            unsafe extern "C" fn b() {}
            unsafe extern "C" { fn c(); }
            unsafe extern { fn d(); }
            fn e() { let _ = unsafe { 1 }; }
        "#;
        assert_eq!(counts(text), (4, 2, 1, 2));
    }

    #[test]
    fn unsafe_in_comments_strings_and_raw_identifiers_is_not_counted() {
        let text = r####"
            // unsafe { }
            /* unsafe fn /* nested unsafe { */ still comment unsafe impl */
            /// unsafe trait in docs
            let s = "unsafe { \" unsafe fn";
            let r = r#"unsafe { "# ;
            let b = br##"unsafe impl"##;
            let c = 'u'; let q = '"'; let e = '\''; let lt: &'static str = "";
            fn r#unsafe() {}
            #[unsafe(no_mangle)] extern "C" fn f() {}
        "####;
        assert_eq!(counts(text), (0, 0, 0, 0));
    }

    #[test]
    fn a_lifetime_does_not_swallow_the_code_after_it() {
        let text = "fn f<'a>(x: &'a u8) { unsafe { } }\nimpl<'b> X<'b> { unsafe fn g() {} }";
        assert_eq!(counts(text), (1, 1, 0, 0));
    }

    #[test]
    fn forbid_unsafe_code_is_an_inner_attribute_only() {
        assert!(lex(b"#![forbid(unsafe_code)]\nfn main() {}").forbids_unsafe_code);
        assert!(lex(b"#![forbid(missing_docs, unsafe_code)]").forbids_unsafe_code);
        assert!(!lex(b"#![deny(unsafe_code)]").forbids_unsafe_code);
        assert!(!lex(b"// #![forbid(unsafe_code)]").forbids_unsafe_code);
        assert!(!lex(b"#[forbid(unsafe_code)] fn f() {}").forbids_unsafe_code);
    }

    #[test]
    fn include_bytes_paths_are_collected_with_their_lines() {
        let lexed = lex(b"\nstatic A: &[u8] = include_bytes!(\"../bin/payload.exe\");\n");
        assert_eq!(
            lexed.included_bytes,
            vec![("../bin/payload.exe".to_owned(), 2)]
        );
    }

    #[test]
    fn lines_are_counted_through_comments_and_strings() {
        let lexed = lex(b"/* a\nb */ \"x\ny\" // c\ninclude_bytes!(\"p\")");
        assert_eq!(lexed.included_bytes, vec![("p".to_owned(), 4)]);
    }

    #[test]
    fn unterminated_text_ends_without_panicking() {
        for text in [
            "\"abc",
            "r#\"abc",
            "/* abc",
            "'",
            "'\\",
            "b'",
            "unsafe",
            "unsafe extern \"",
        ] {
            let _ = lex(text.as_bytes());
        }
    }
}
