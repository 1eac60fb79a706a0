//! What a source rule says about itself: the one entry `explain`, `rules`, the SARIF rule help and
//! the README's rule tables are all made from, so the documentation cannot drift from the rule.

use super::severity::{Class, Severity};

/// A rule's documentation, as its check's rules file declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDoc {
    pub id: String,
    /// The check it belongs to.
    pub check: &'static str,
    pub title: String,
    pub description: String,
    pub cwe: Vec<String>,
    /// `None`: the policy's default for the check's kind (`[unscored] secret`, `code`).
    pub severity: Option<Severity>,
    /// A weakness (due date, gate) or inventory (`audit`: reported only).
    pub class: Class,
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
            self.check,
            self.severity
                .map_or("the policy's default for this check", Severity::as_str)
        ));
        if self.class == Class::Audit {
            out.push_str("- class: audit (reported for review: no due date, never fails the gate unless the settings promote the rule)\n");
        }
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

/// A markdown table of rules: id, severity, CWE and title, in the order given (the README's rule
/// tables).
pub fn markdown_table<'a>(rules: impl IntoIterator<Item = &'a RuleDoc>) -> String {
    let mut out = String::from("| rule | severity | CWE | what it flags |\n|---|---|---|---|\n");
    for doc in rules {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            doc.id,
            match (doc.class, doc.severity) {
                (Class::Audit, _) => "audit",
                (Class::Weakness, severity) => severity.map_or("policy", Severity::as_str),
            },
            doc.cwe.join(", "),
            doc.title
        ));
    }
    out
}
