//! Cargo.lock as cargo writes it, read line by line: the fast path of the lockfile reader.
//!
//! Cargo writes every lockfile in one shape: `version = N`, then `[[package]]` tables of
//! `key = "string"` lines with a `dependencies` array one string a line, and in old formats a
//! `[root]` table and a `[metadata]` table of checksums. Reading that shape directly takes a tenth
//! of a general TOML parse, and a scan of many lockfiles is mostly this read.
//!
//! The reader accepts only lines it fully understands, each of which is valid TOML meaning what it
//! reads here: bare keys, strings without escapes, no key twice. Anything else (a hand-edited
//! file, an escape, an inline table, a damaged line) returns `None`, and the caller reads the file
//! with the TOML parser, which gives the same entries for every file this accepts and the errors
//! for the files that are not lockfiles. `tests` and the fuzz target `lockfile` hold the two paths
//! to the same answer.

use std::borrow::Cow;
use std::collections::HashSet;

/// One field's text as written and the byte offset where its value starts (for error lines).
pub(super) struct Field<'a> {
    pub value: Cow<'a, str>,
    pub offset: usize,
}

/// One package's fields as the lockfile writes them, before they are checked.
#[derive(Default)]
pub(super) struct WrittenPackage<'a> {
    pub name: Option<Field<'a>>,
    pub version: Option<Field<'a>>,
    pub source: Option<Field<'a>>,
    pub checksum: Option<Field<'a>>,
    pub dependencies: Option<Vec<Field<'a>>>,
}

/// Which table the lines belong to.
enum Table {
    /// Before the first header: only `version = N` is expected.
    Top,
    /// `[[package]]` or `[root]`: the last entry of the list.
    Package,
    /// `[metadata]` (format 1's checksums) or `[[patch.unused]]`: read for validity, not kept.
    Skipped,
}

/// The `[root]` entry (format 1) first, then the `[[package]]` entries in file order; `None` when
/// the text is not in the shape cargo writes.
pub(super) fn read(text: &str) -> Option<Vec<WrittenPackage<'_>>> {
    let mut root: Option<WrittenPackage> = None;
    let mut packages = Vec::new();
    let mut table = Table::Top;
    let mut in_root = false;
    let mut seen_tables: HashSet<&str> = HashSet::new();
    let mut keys: HashSet<&str> = HashSet::new();
    let mut top_version = false;
    let mut lines = LineIter { text, offset: 0 };
    while let Some((offset, line)) = lines.next() {
        if line.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return None;
        }
        let trimmed = line.trim_matches([' ', '\t']);
        if trimmed.is_empty() || is_comment(trimmed) {
            continue;
        }
        if trimmed.starts_with('[') {
            keys.clear();
            match trimmed {
                "[[package]]" => {
                    packages.push(WrittenPackage::default());
                    table = Table::Package;
                    in_root = false;
                }
                "[root]" | "[metadata]" => {
                    if !seen_tables.insert(trimmed) {
                        return None;
                    }
                    in_root = trimmed == "[root]";
                    if in_root {
                        root = Some(WrittenPackage::default());
                        table = Table::Package;
                    } else {
                        table = Table::Skipped;
                    }
                }
                "[[patch.unused]]" => table = Table::Skipped,
                _ => return None,
            }
            continue;
        }
        // A quoted key (format 1's checksums) may hold `=` (`?rev=...` in a git source).
        let (key, value) = match trimmed.strip_prefix('"') {
            Some(quoted) => {
                let (key, rest) = simple_string(quoted)?;
                let value = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
                (&trimmed[..key.len() + 2], value)
            }
            None => trimmed.split_once('=')?,
        };
        let key = key.trim_matches([' ', '\t']);
        let value = value.trim_start_matches([' ', '\t']);
        let value_offset = offset + (line.len() - value.len());
        match table {
            Table::Top => {
                if key != "version" || top_version {
                    return None;
                }
                top_version = true;
                // A decimal integer as TOML writes one: no sign, no `_`, no leading zero, and
                // within a 64-bit integer (TOML's range; past it, the TOML parser judges).
                let digits = without_comment(value)?;
                if digits.is_empty()
                    || digits.len() > 18
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                    || (digits.len() > 1 && digits.starts_with('0'))
                {
                    return None;
                }
            }
            Table::Skipped => {
                // `"checksum NAME VERSION (SOURCE)" = "..."` or `key = "..."`.
                let key = match key.strip_prefix('"') {
                    Some(quoted) => simple_string(quoted).filter(|(_, rest)| rest.is_empty())?.0,
                    None if is_bare_key(key) => key,
                    None => return None,
                };
                if !keys.insert(key) {
                    return None;
                }
                let (_, rest) = simple_string(value.strip_prefix('"')?)?;
                without_comment(rest).filter(|rest| rest.is_empty())?;
            }
            Table::Package => {
                if !is_bare_key(key) || !keys.insert(key) {
                    return None;
                }
                let package = if in_root {
                    root.as_mut()?
                } else {
                    packages.last_mut()?
                };
                if key == "dependencies" {
                    package.dependencies = Some(array(value, &mut lines)?);
                    continue;
                }
                let (string, rest) = simple_string(value.strip_prefix('"')?)?;
                without_comment(rest).filter(|rest| rest.is_empty())?;
                let field = Some(Field {
                    value: string.into(),
                    offset: value_offset,
                });
                match key {
                    "name" => package.name = field,
                    "version" => package.version = field,
                    "source" => package.source = field,
                    "checksum" => package.checksum = field,
                    // Keys cargo added over time (`replace`), or will: ignored, as the TOML path
                    // ignores them.
                    _ => {}
                }
            }
        }
    }
    let packages: Vec<WrittenPackage> = root.into_iter().chain(packages).collect();
    // A package without a name or version is an error the TOML path words.
    packages
        .iter()
        .all(|p| p.name.is_some() && p.version.is_some())
        .then_some(packages)
}

/// A `dependencies` value: `[]`, or `[` then one string a line (each but perhaps the last with a
/// comma) and `]` on a line of its own, as cargo writes it.
fn array<'a>(value: &'a str, lines: &mut LineIter<'a>) -> Option<Vec<Field<'a>>> {
    let opened = without_comment(value.strip_prefix('[')?)?;
    if opened == "]" {
        return Some(Vec::new());
    }
    if !opened.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    let mut comma_missing = false;
    loop {
        let (offset, line) = lines.next()?;
        if line.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return None;
        }
        let trimmed = line.trim_matches([' ', '\t']);
        if trimmed == "]" {
            return Some(items);
        }
        // A string after one without a comma is not TOML.
        if comma_missing {
            return None;
        }
        let quoted = trimmed.strip_prefix('"')?;
        let (string, rest) = simple_string(quoted)?;
        match rest {
            "," => {}
            "" => comma_missing = true,
            _ => return None,
        }
        let start = offset + (line.len() - line.trim_start_matches([' ', '\t']).len());
        items.push(Field {
            value: string.into(),
            offset: start,
        });
    }
}

/// The contents of a basic string whose opening quote is already taken, and what follows its
/// closing quote; `None` for escapes (the TOML path decodes those) or no closing quote.
fn simple_string(after_quote: &str) -> Option<(&str, &str)> {
    let end = after_quote.find(['"', '\\'])?;
    if after_quote.as_bytes()[end] != b'"' {
        return None;
    }
    Some((&after_quote[..end], &after_quote[end + 1..]))
}

/// What precedes a trailing comment, trimmed.
fn without_comment(rest: &str) -> Option<&str> {
    let rest = rest.trim_matches([' ', '\t']);
    match rest.find('#') {
        Some(hash) => Some(rest[..hash].trim_end_matches([' ', '\t'])),
        None => Some(rest),
    }
}

fn is_comment(line: &str) -> bool {
    line.starts_with('#')
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Lines with the byte offset each starts at; a `\r` before the `\n` is not part of the line.
struct LineIter<'a> {
    text: &'a str,
    offset: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.offset >= self.text.len() {
            return None;
        }
        let start = self.offset;
        let rest = &self.text[start..];
        // A `\r` ends a line only before `\n`; anywhere else (the last byte too) it stays, and
        // the control-character check sends the file to the TOML parser.
        let (line, advance) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(end) => {
                let line = &rest[..end];
                (line.strip_suffix('\r').unwrap_or(line), end + 1)
            }
            None => (rest, rest.len()),
        };
        self.offset += advance;
        Some((start, line))
    }
}
