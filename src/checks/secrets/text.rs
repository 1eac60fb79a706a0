//! Configuration and other text files: `.env`, TOML, YAML, JSON, shell scripts, Dockerfiles,
//! GitHub workflows, key files. No parser per format: a line-oriented reading of known
//! credential formats and of `KEY=value`, `key: value`, `key = "value"` and `"key": "value"`
//! assignments covers all of them, and survives files that are not quite valid.

use super::judge::{Hit, NameKind, Slot};
use super::rules::SecretRules;
use regex::Regex;
use std::sync::OnceLock;

/// A secret found on a line.
pub struct LineHit<'r> {
    pub line: usize,
    /// 1-based byte columns of the secret on its line.
    pub column: usize,
    pub end_column: usize,
    pub secret: String,
    pub hit: Hit<'r>,
}

/// `name = value`, `name: value`, `"name": "value"`, `--name=value`, anywhere on a line.
fn assignment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:^|[\s,{;(\[])-{0,2}["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?:=|:)[ \t]*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',;}\]#]+)"#,
        )
        .expect("the assignment pattern is valid")
    })
}

/// Dockerfile `ENV NAME value` and `ARG NAME=value` (the `=` form is an assignment already).
fn docker_env() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*(?:ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_]*)\s+([^\s=]\S*)\s*$")
            .expect("the Dockerfile pattern is valid")
    })
}

/// `--password value`, `"--requirepass", "value"`: a command-line flag named as a secret and
/// the argument after it.
fn flag_argument() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:^|[\s\[,(])["']?--([A-Za-z][A-Za-z0-9-]*)["']?(?:\s*,\s*|\s+)("[^"]*"|'[^']*'|[^\s"',\]\-][^\s"',\]]*)"#,
        )
        .expect("the flag pattern is valid")
    })
}

/// `- name: JWT_SECRET` followed by `value: …` (Kubernetes and compose environment lists).
fn list_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"^\s*-?\s*name:\s*["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?:#.*)?$"#)
            .expect("the list-name pattern is valid")
    })
}

/// Every secret in a text file, at most one per rule and value on a line.
pub fn scan<'r>(rules: &'r SecretRules, text: &str, comment: Option<&str>) -> Vec<LineHit<'r>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut hits: Vec<LineHit<'r>> = Vec::new();
    // The name given by a `- name: X` line, for the `value:` line that follows it.
    let mut listed_name: Option<String> = None;
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || comment.is_some_and(|c| trimmed.starts_with(c)) {
            continue;
        }
        let number = index + 1;
        let mut found: Vec<LineHit<'r>> = formats_on_line(rules, &lines, index, number);
        let mut consider = |name: &str, start: usize, raw_value: &str| {
            let (offset, value) = unquote(start, raw_value);
            if value.starts_with('$') || value.starts_with('%') {
                // `$TOKEN`, `${TOKEN}`, `%TOKEN%`: a reference to the real value.
                return;
            }
            let slot = Slot::Named {
                name: name.to_owned(),
                how: NameKind::Key,
            };
            for hit in rules.check(value, &slot) {
                let line_hit = line_hit(line, number, offset, hit);
                if !found.iter().any(|f| overlaps(f, &line_hit)) {
                    found.push(line_hit);
                }
            }
        };
        // Assignments can nest (`"Db": "Server=x;Password=y"`): after a name that is not a
        // secret's, keep looking inside its value.
        let mut at = 0;
        while let Some(captures) = assignment().captures_at(line, at) {
            let (Some(name), Some(value)) = (captures.get(1), captures.get(2)) else {
                break;
            };
            // `${TOKEN:?TOKEN must be set}`: a shell expansion names a variable, not a value.
            let in_expansion = line[..name.start()].ends_with("${");
            if rules.is_secret_name(name.as_str()) && !in_expansion {
                consider(name.as_str(), value.start(), value.as_str());
                at = value.end();
            } else {
                at = value.start() + usize::from(value.as_str().starts_with(['"', '\'']));
                if at <= name.start() {
                    at = value.end();
                }
            }
        }
        for captures in docker_env()
            .captures_iter(line)
            .chain(flag_argument().captures_iter(line))
        {
            let (Some(name), Some(value)) = (captures.get(1), captures.get(2)) else {
                continue;
            };
            if rules.is_secret_name(name.as_str()) {
                consider(name.as_str(), value.start(), value.as_str());
            }
        }
        if let Some(name) = listed_name.take() {
            let value_line = assignment()
                .captures(line)
                .filter(|c| c.get(1).is_some_and(|n| n.as_str() == "value"));
            if let Some(value) = value_line.and_then(|c| c.get(2)) {
                consider(&name, value.start(), value.as_str());
            }
        }
        listed_name = list_name()
            .captures(line)
            .and_then(|c| c.get(1))
            .map(|name| name.as_str().to_owned())
            .filter(|name| rules.is_secret_name(name));
        found.sort_by_key(|hit| hit.column);
        hits.extend(found);
    }
    hits
}

/// The most lines a PEM block can span: a 16,384-bit RSA private key is about 12 KB of base64,
/// some 200 lines of 64 characters; four times that leaves room for headers and wide lines.
const MAX_PEM_BLOCK_LINES: usize = 1_000;

/// Known formats starting on line `index`. A PEM block's armour is judged together with the
/// lines below it, since the armour alone proves nothing; the finding points at the armour and
/// the secret is the body.
fn formats_on_line<'r>(
    rules: &'r SecretRules,
    lines: &[&str],
    index: usize,
    number: usize,
) -> Vec<LineHit<'r>> {
    let line = lines[index];
    if !line.contains("-----BEGIN") {
        return rules
            .formats_in(line)
            .into_iter()
            .map(|hit| line_hit(line, number, 0, hit))
            .collect();
    }
    // The block runs to its END line (the BEGIN line itself when the key is on one line), but
    // never past the next BEGIN (blocks do not nest) nor past the longest key a PEM file holds:
    // so the windows of a file never overlap, and a file of BEGIN lines without END costs one
    // reading, not one per BEGIN.
    let end = if line.contains("-----END") {
        index + 1
    } else {
        let mut below = lines[index + 1..].iter().take(MAX_PEM_BLOCK_LINES);
        match below.position(|l| l.contains("-----END") || l.contains("-----BEGIN")) {
            Some(offset) if lines[index + 1 + offset].contains("-----END") => index + offset + 2,
            Some(offset) => index + 1 + offset,
            None => lines.len().min(index + 1 + MAX_PEM_BLOCK_LINES),
        }
    };
    let window = lines[index..end].join("\n");
    rules
        .formats_in(&window)
        .into_iter()
        .filter(|hit| hit.start < line.len())
        .map(|hit| LineHit {
            line: number,
            column: hit.start + 1,
            end_column: line.len() + 1,
            secret: window[hit.range.clone()].to_owned(),
            hit,
        })
        .collect()
}

fn overlaps(a: &LineHit<'_>, b: &LineHit<'_>) -> bool {
    a.column < b.end_column && b.column < a.end_column
}

fn line_hit<'r>(line: &str, number: usize, offset: usize, hit: Hit<'r>) -> LineHit<'r> {
    let start = offset + hit.range.start;
    let end = offset + hit.range.end;
    LineHit {
        line: number,
        column: start + 1,
        end_column: end + 1,
        secret: line[start..end].to_owned(),
        hit,
    }
}

/// A value without its quotes, and where it starts on the line.
fn unquote(start: usize, value: &str) -> (usize, &str) {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return (start + 1, &value[1..value.len() - 1]);
        }
    }
    (start, value)
}
