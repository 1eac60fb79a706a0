//! Rules as data: every source rule is an entry in a TOML file under `rules/`, embedded in the
//! binary, so a new credential format or code pattern is one entry, not new code.
//!
//! An entry carries everything said about the rule anywhere: its id, title, description, CWE,
//! severity, remediation and the examples that must and must not match. `cargo warden explain`,
//! `cargo warden rules`, the SARIF rule help and the README's rule table are all generated from
//! the entry, and a test runs every entry's examples, so the documentation cannot drift from
//! what the matcher does.

pub mod code;
pub mod secrets;

use crate::report::Severity;

/// Which check a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleCheck {
    Secrets,
    Code,
}

impl RuleCheck {
    pub fn name(self) -> &'static str {
        match self {
            RuleCheck::Secrets => "secrets",
            RuleCheck::Code => "code",
        }
    }
}

/// What a rule says about itself: the single source for docs, `explain` and SARIF help.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDoc {
    pub id: String,
    pub check: RuleCheck,
    pub title: String,
    pub description: String,
    pub cwe: Vec<String>,
    /// `None`: the policy's default for the check (`[unscored] secret`, `code`).
    pub severity: Option<Severity>,
    pub remediation: String,
    /// What the examples are written in: `text` (a literal's value or a config line) or `rust`.
    pub example_language: &'static str,
    /// Text (for format rules) or Rust source (for context rules) the rule must flag.
    pub must_match: Vec<String>,
    /// Near misses it must leave alone.
    pub must_not_match: Vec<String>,
    /// Extra facts worth showing in `explain` (names and calls a context rule watches).
    pub notes: Vec<String>,
}

impl RuleDoc {
    /// The markdown help `explain` prints and SARIF carries.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}: {}\n\n{}\n", self.id, self.title, self.description);
        out.push_str(&format!(
            "\n- check: `{}`\n- severity: {}\n",
            self.check.name(),
            self.severity
                .map_or("the policy's default for this check", Severity::as_str)
        ));
        if !self.cwe.is_empty() {
            out.push_str(&format!("- weakness: {}\n", self.cwe.join(", ")));
        }
        for note in &self.notes {
            out.push_str(&format!("- {note}\n"));
        }
        out.push_str(&format!("\n## Remediation\n\n{}\n", self.remediation));
        let language = self.example_language;
        let examples = |title: &str, items: &[String]| -> String {
            if items.is_empty() {
                return String::new();
            }
            let mut section = format!("\n## {title}\n\n");
            for item in items {
                section.push_str(&format!("```{language}\n{}\n```\n", shorten_example(item)));
            }
            section
        };
        out.push_str(&examples("Flagged", &self.must_match));
        out.push_str(&examples("Not flagged", &self.must_not_match));
        out
    }
}

/// Long examples (a PEM block, a JWT) are cut so help text stays readable.
fn shorten_example(example: &str) -> String {
    example
        .split('\n')
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            if chars.len() > 100 {
                format!("{}…", chars[..100].iter().collect::<String>())
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every rule of every source check, in id order.
pub fn all() -> crate::Result<Vec<RuleDoc>> {
    let mut docs: Vec<RuleDoc> = secrets::SecretRules::embedded()?.docs().to_vec();
    docs.extend(code::CodeRules::embedded()?.docs().iter().cloned());
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}

/// The README's table of one check's rules: id, severity, CWE and title, in id order.
pub fn markdown_table(check: RuleCheck) -> crate::Result<String> {
    let mut out = String::from("| rule | severity | CWE | what it flags |\n|---|---|---|---|\n");
    for doc in all()?.iter().filter(|doc| doc.check == check) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            doc.id,
            doc.severity.map_or("policy", Severity::as_str),
            doc.cwe.join(", "),
            doc.title
        ));
    }
    Ok(out)
}

/// Shannon entropy in bits per character: how unpredictable a string's characters are. Random
/// tokens sit above 3.5; words and repeated characters well below.
pub fn entropy(value: &str) -> f64 {
    let mut counts: std::collections::HashMap<char, u32> = std::collections::HashMap::new();
    let mut total = 0u32;
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .values()
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}
