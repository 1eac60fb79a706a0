//! Configuration and other text files: `.env`, TOML, YAML, JSON, shell scripts, Dockerfiles,
//! GitHub workflows, key files. No parser per format: a line-oriented reading of known
//! credential formats and of `KEY=value`, `key: value`, `key = "value"` and `"key": "value"`
//! assignments covers all of them, and survives files that are not quite valid.

use crate::rules::secrets::{Hit, NameKind, SecretRules, Slot};
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

/// Every secret in a text file, at most one per rule and value on a line.
pub fn scan<'r>(rules: &'r SecretRules, text: &str, comment: Option<&str>) -> Vec<LineHit<'r>> {
    let mut hits: Vec<LineHit<'r>> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || comment.is_some_and(|c| trimmed.starts_with(c)) {
            continue;
        }
        let number = index + 1;
        let mut found: Vec<LineHit<'r>> = rules
            .formats_in(line)
            .into_iter()
            .map(|hit| line_hit(line, number, 0, hit))
            .collect();
        for captures in assignment()
            .captures_iter(line)
            .chain(docker_env().captures_iter(line))
        {
            let (Some(name), Some(value)) = (captures.get(1), captures.get(2)) else {
                continue;
            };
            if !rules.is_secret_name(name.as_str()) {
                continue;
            }
            let (offset, value) = unquote(value.start(), value.as_str());
            if value.starts_with('$') || value.starts_with('%') {
                // `$TOKEN`, `${TOKEN}`, `%TOKEN%`: a reference to the real value.
                continue;
            }
            let slot = Slot::Named {
                name: name.as_str().to_owned(),
                how: NameKind::Key,
            };
            for hit in rules.check(value, &slot) {
                let line_hit = line_hit(line, number, offset, hit);
                if !found.iter().any(|f| overlaps(f, &line_hit)) {
                    found.push(line_hit);
                }
            }
        }
        found.sort_by_key(|hit| hit.column);
        hits.extend(found);
    }
    hits
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
