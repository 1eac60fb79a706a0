//! The unsafe inventory of a dependency without parsing it. A full syn parse of every file of
//! every locked crate runs at about 19 MB/s on two cores; this lexer only has to know what is code
//! and what is a comment, a string or a character literal, and which identifier follows
//! `unsafe`, so it runs at memory speed.
//!
//! What it counts, outside comments and literals: `unsafe {` (blocks), `unsafe fn` and
//! `unsafe extern "abi" fn` (functions, not `unsafe fn(..)` pointer types), `unsafe impl`,
//! `unsafe trait` (also `unsafe auto trait`), `unsafe extern {` (foreign blocks, counted as
//! blocks), `extern "C" {` without `unsafe` (counted apart: the functions it declares are unsafe
//! to call, though the word is not written); `#![forbid(unsafe_code)]`.
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
    /// `extern { … }` blocks without `unsafe`: foreign functions, unsafe to call.
    pub extern_blocks: usize,
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
    /// A numeric literal as written (`0o755`, `1_000u32`).
    Number(&'a [u8]),
    /// A character literal or a lifetime: nothing the inventory reads.
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
        let mut tokens = Tokens {
            text,
            at: 0,
            line: 1,
            token_line: 1,
        };
        // As rustc: a byte order mark, then a shebang line unless `#!` starts an attribute
        // (`#![...]`, possibly after whitespace or comments, which this approximates by the next
        // non-blank byte).
        if text.starts_with(b"\xEF\xBB\xBF") {
            tokens.at = 3;
        }
        if text[tokens.at..].starts_with(b"#!") {
            let rest = &text[tokens.at + 2..];
            let next = rest.iter().find(|b| !b.is_ascii_whitespace());
            if next != Some(&b'[') {
                tokens.at = memchr::memchr(b'\n', rest).map_or(text.len(), |o| tokens.at + 2 + o);
            }
        }
        tokens
    }

    /// Where the identifier (or number) continuing at `from` ends: at the first byte that cannot
    /// continue one, or at Unicode whitespace.
    fn ident_end(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.text.len() && is_ident_continue(self.text[i]) {
            if self.text[i] >= 0x80 && unicode_whitespace_len(&self.text[i..]) > 0 {
                break;
            }
            i += 1;
        }
        i
    }

    /// The length of Unicode whitespace that rustc skips (U+0085, U+200E, U+200F, U+2028,
    /// U+2029) at the cursor, 0 if none: read as identifier bytes, it would glue `unsafe` to
    /// the brace after it.
    fn unicode_whitespace(&self) -> usize {
        unicode_whitespace_len(&self.text[self.at..])
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
                b' ' | b'\t' | b'\r' | 0x0B | 0x0C => self.at += 1,
                0xC2 | 0xE2 if self.unicode_whitespace() > 0 => {
                    // U+2028 and U+2029 are not line breaks to rustc's line numbers.
                    self.at += self.unicode_whitespace();
                }
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
                    let start = self.at;
                    let mut i = self.at + 1;
                    i = self.ident_end(i);
                    self.at = i;
                    return Some(Token::Number(&self.text[start..i]));
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
                            // A raw identifier names what it says (`r#reqwest` is `reqwest`),
                            // except that `r#unsafe` is never the keyword.
                            let mut i = start + 2;
                            i = self.ident_end(i);
                            self.at = i;
                            let name = &self.text[start + 2..i];
                            return Some(if name == b"unsafe" {
                                Token::Other
                            } else {
                                Token::Ident(name)
                            });
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
                    i = self.ident_end(i);
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

/// The byte length of the Unicode whitespace rustc skips that `text` starts with, 0 if none.
fn unicode_whitespace_len(text: &[u8]) -> usize {
    match text {
        [0xC2, 0x85, ..] => 2,
        [0xE2, 0x80, 0x8E | 0x8F | 0xA8 | 0xA9, ..] => 3,
        _ => 0,
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
        || memchr::memmem::find(text, b"extern").is_some()
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
                // `unsafe fn(u8) -> u8` is a function pointer type, not a function.
                Some(Token::Ident(b"fn"))
                    if !matches!(tokens.next_token(), Some(Token::Punct(b'('))) =>
                {
                    lexed.functions += 1;
                }
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
                        Some(Token::Ident(b"fn"))
                            if !matches!(tokens.next_token(), Some(Token::Punct(b'('))) =>
                        {
                            lexed.functions += 1;
                        }
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
            // `extern "C" { fn f(); }`: foreign functions, unsafe to call, declared without the
            // word (before the 2024 edition's `unsafe extern`).
            Token::Ident(b"extern") => {
                let mut next = tokens.next_token();
                if matches!(next, Some(Token::Str(_))) {
                    next = tokens.next_token();
                }
                if next == Some(Token::Punct(b'{')) {
                    lexed.extern_blocks += 1;
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

/// What a file says about the files it is made of: outline modules (`mod x;`, with a
/// `#[path = "…"]` and whether `#[cfg(test)]` guards it) and `include!("…")`d files. Read so the
/// audit follows a build script or a proc macro into every file it compiles, and no further.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// (name, `#[path]` value, under `#[cfg(test)]`).
    pub modules: Vec<(String, Option<String>, bool)>,
    pub includes: Vec<String>,
    /// It defines a `quote` macro of its own (`macro_rules! quote`).
    pub defines_quote: bool,
}

/// The outline of one file. Inline modules (`mod x { mod y; }`) are not followed into their own
/// directory; their outline children are looked for beside the file.
pub fn outline(text: &[u8]) -> Outline {
    let mut outline = Outline::default();
    let mut tokens = Tokens::new(text);
    let (mut path_attr, mut cfg_test) = (None, false);
    let mut previous: Option<Token<'_>> = None;
    while let Some(token) = tokens.next_token() {
        match token {
            Token::Punct(b'[') if previous == Some(Token::Punct(b'#')) => {
                // An outer attribute: `#[path = "…"]`, `#[cfg(test)]`.
                let mut inside = Vec::new();
                let mut depth = 1usize;
                while let Some(inner) = tokens.next_token() {
                    match inner {
                        Token::Punct(b'[') => depth += 1,
                        Token::Punct(b']') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inside.push(inner);
                }
                match inside.as_slice() {
                    [Token::Ident(b"path"), Token::Punct(b'='), Token::Str(value)] => {
                        path_attr = Some(String::from_utf8_lossy(value).into_owned());
                    }
                    [Token::Ident(b"cfg"), Token::Punct(b'('), Token::Ident(b"test"), Token::Punct(b')')] =>
                    {
                        cfg_test = true;
                    }
                    _ => {}
                }
                previous = Some(Token::Punct(b']'));
                continue;
            }
            Token::Ident(b"mod") => {
                if let Some(Token::Ident(name)) = tokens.next_token() {
                    if tokens.next_token() == Some(Token::Punct(b';')) {
                        outline.modules.push((
                            String::from_utf8_lossy(name).into_owned(),
                            path_attr.take(),
                            cfg_test,
                        ));
                    }
                }
                (path_attr, cfg_test) = (None, false);
            }
            Token::Ident(b"include") => {
                if tokens.next_token() == Some(Token::Punct(b'!'))
                    && matches!(tokens.next_token(), Some(Token::Punct(b'(' | b'[' | b'{')))
                {
                    if let Some(Token::Str(path)) = tokens.next_token() {
                        outline
                            .includes
                            .push(String::from_utf8_lossy(path).into_owned());
                    }
                }
            }
            Token::Ident(b"quote" | b"quote_spanned")
                if previous == Some(Token::Ident(b"macro_rules")) =>
            {
                outline.defines_quote = true;
            }
            Token::Ident(b"pub" | b"crate" | b"super" | b"in") | Token::Punct(b'(' | b')') => {}
            Token::Punct(b'#') => {}
            _ => (path_attr, cfg_test) = (None, false),
        }
        // `macro_rules! quote`: the `!` comes between; remember `macro_rules` through it.
        previous = match (previous, token) {
            (Some(Token::Ident(b"macro_rules")), Token::Punct(b'!')) => {
                Some(Token::Ident(b"macro_rules"))
            }
            _ => Some(token),
        };
    }
    outline
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
        let lexed = lex(text.as_bytes());
        assert_eq!(lexed.extern_blocks, 0, "`unsafe extern` blocks are blocks");
        let sys = lex(b"extern \"C\" { fn a(); }\nextern { fn b(); }\nextern crate core;\nextern \"C\" fn c() {}");
        assert_eq!((sys.extern_blocks, sys.blocks, sys.functions), (2, 0, 0));
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
    fn unicode_and_ascii_whitespace_separate_tokens_as_in_rustc() {
        let text = "fn f() { unsafe\u{200E}{ } unsafe\u{2029}{ } unsafe\x0B{ } unsafe\x0C{ } unsafe\u{85}fn g() {} }";
        assert_eq!(counts(text), (4, 1, 0, 0));
    }

    #[test]
    fn a_shebang_line_is_not_code_and_an_inner_attribute_is() {
        assert_eq!(
            counts("#!/usr/bin/env run-cargo-script \"\nunsafe fn f() {}"),
            (0, 1, 0, 0)
        );
        assert!(lex(b"\xEF\xBB\xBF#![forbid(unsafe_code)]").forbids_unsafe_code);
    }

    #[test]
    fn function_pointer_types_are_not_unsafe_functions() {
        let text =
            "type F = unsafe fn(u8) -> u8; type G = unsafe extern \"C\" fn(); unsafe fn h() {}";
        assert_eq!(counts(text), (0, 1, 0, 0));
    }

    #[test]
    fn outlines_name_modules_paths_test_modules_and_includes() {
        let text = br#"
            mod helper;
            #[path = "gen/tables.rs"]
            mod tables;
            #[cfg(test)]
            mod tests;
            pub(crate) mod inner { fn f() {} }
            include!("generated.rs");
            macro_rules! quote { ($($t:tt)*) => { $($t)* } }
        "#;
        let found = outline(text);
        assert_eq!(
            found.modules,
            [
                ("helper".to_owned(), None, false),
                ("tables".to_owned(), Some("gen/tables.rs".to_owned()), false),
                ("tests".to_owned(), None, true),
            ]
        );
        assert_eq!(found.includes, ["generated.rs"]);
        assert!(found.defines_quote);
        assert!(!outline(b"fn f() { quote! { x } }").defines_quote);
    }

    #[test]
    fn cut_utf8_ends_without_panicking() {
        for text in [
            &b"\xC2"[..],
            b"\xE2\x80",
            b"\xEF\xBB",
            b"unsafe\xE2",
            b"'\xF0",
        ] {
            let _ = lex(text);
        }
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
            "#!",
            "r#",
            "unsafe fn",
        ] {
            let _ = lex(text.as_bytes());
        }
    }
}
