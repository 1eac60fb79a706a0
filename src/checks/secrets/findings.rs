//! Secrets found in one file made into findings: the redacted evidence, the fingerprint, the
//! rule's severity (lowered for test code), and the user's allowlist.

use super::cfg::{SecretAllow, SecretSettings};
use crate::finding::{
    fingerprint, Class, Detection, RuleDoc, SecretEvidence, SourcePlace, Subject,
};
use crate::paths::glob_set;
use crate::source::TestSeverity;

/// A secret found at one place of a file.
#[derive(Clone, Debug)]
pub struct SecretHit {
    pub rule: &'static RuleDoc,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// Exclusive, on `line` (for a literal spanning lines, the end of its first line).
    pub end_column: usize,
    /// The secret itself. It never leaves the process: findings carry a redacted form and a
    /// hash.
    pub secret: String,
    pub context: Option<String>,
    pub in_test: bool,
    /// An example: in documentation text (`.description("… Bearer 6436fc…")`) or passed to a
    /// call named as test data (`TestValue::Single("ghp_…")`).
    pub in_example: bool,
}

/// The redacted form of a secret: at most its first four characters (fewer for short values, so
/// a short password is never mostly shown), an ellipsis and its length.
pub fn redact(secret: &str) -> String {
    let length = secret.chars().count();
    let shown = (length / 4).min(4);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}… ({length} chars)")
}

/// `occurrence`: how many earlier hits in the file had the same rule and secret.
pub(super) fn detection(
    hit: &SecretHit,
    file: &str,
    settings: &SecretSettings,
    occurrence: usize,
) -> Detection {
    let redacted = redact(&hit.secret);
    let mut description = format!("{} `{redacted}`", hit.rule.title);
    if let Some(context) = &hit.context {
        description.push(' ');
        description.push_str(context);
    }
    let mut detection = Detection::in_source(
        super::SECRET,
        hit.rule,
        SourcePlace {
            file,
            line: hit.line,
            column: hit.column,
            end_column: hit.end_column,
            end_line: hit.end_line,
        },
        description,
        hit.rule.severity,
        // The same secret in the same file is the same finding wherever the line moves; the hash
        // is one-way, so the fingerprint does not reveal the value. Repeats add their position
        // (the first keeps the fingerprint it always had, so baselines and ignores still match).
        if occurrence == 0 {
            fingerprint(&["secret", &hit.rule.id, file, &hit.secret])
        } else {
            fingerprint(&[
                "secret",
                &hit.rule.id,
                file,
                &hit.secret,
                &occurrence.to_string(),
            ])
        },
    );
    if let Subject::Source(details) = &mut detection.subject {
        details.secret = Some(SecretEvidence {
            redacted,
            context: hit.context.clone(),
            in_test: false,
        });
    }
    // Secrets in tests are usually for throwaway test accounts or test fixtures.
    if hit.in_test {
        TestSeverity::mark(settings.test_severity, &mut detection);
    } else if hit.in_example {
        detection.class = Class::Audit;
        detection.description.push_str(" (an example value)");
    }
    detection
}

/// `[[secrets.allow]]` entries, compiled.
pub(super) struct Allowlist {
    entries: Vec<CompiledAllow>,
}

struct CompiledAllow {
    paths: Option<globset::GlobSet>,
    values: Vec<regex::Regex>,
    rules: Vec<String>,
}

impl Allowlist {
    /// Entries were validated when the settings were read; an entry that fails to compile here
    /// matches nothing rather than everything.
    pub(super) fn new(entries: &[SecretAllow]) -> Allowlist {
        let entries = entries
            .iter()
            .map(|entry| CompiledAllow {
                paths: glob_set(&entry.paths),
                values: entry
                    .values
                    .iter()
                    .filter_map(|v| regex::Regex::new(v).ok())
                    .collect(),
                rules: entry.rules.clone(),
            })
            .collect();
        Allowlist { entries }
    }

    pub(super) fn allows(&self, hit: &SecretHit, file: &str) -> bool {
        self.entries.iter().any(|entry| {
            entry
                .paths
                .as_ref()
                .is_none_or(|paths| paths.is_match(file))
                && (entry.values.is_empty() || entry.values.iter().any(|v| v.is_match(&hit.secret)))
                && (entry.rules.is_empty() || entry.rules.contains(&hit.rule.id))
        })
    }
}
