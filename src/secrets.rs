//! Secrets hits from the source walk made into findings: the redacted evidence, the fingerprint,
//! the rule's severity (lowered for test code), and the user's allowlist.

use crate::config::{SecretAllow, SecretSettings, TestSeverity};
use crate::report::{self, Detection, FindingKind, SecretEvidence, SourcePlace};
use crate::source::SecretHit;

pub(crate) fn detection(hit: &SecretHit, settings: &SecretSettings) -> Detection {
    let redacted = report::redact(&hit.secret);
    // Secrets in tests are real credentials too, but usually for throwaway test accounts.
    let rule_severity = TestSeverity::apply(settings.test_severity, hit.rule.severity, hit.in_test);
    let mut description = format!("{} `{redacted}`", hit.rule.title);
    if let Some(context) = &hit.context {
        description.push(' ');
        description.push_str(context);
    }
    if hit.in_test {
        description.push_str(" (in test code)");
    }
    let mut detection = Detection::in_source(
        FindingKind::Secret,
        hit.rule,
        SourcePlace {
            file: &hit.file,
            line: hit.line,
            column: hit.column,
            end_column: hit.end_column,
            end_line: hit.end_line,
        },
        description,
        rule_severity,
        // The same secret in the same file is the same finding wherever the line moves; the hash
        // is one-way, so the fingerprint does not reveal the value.
        report::fingerprint(&["secret", &hit.rule.id, &hit.file, &hit.secret]),
    );
    detection.secret = Some(SecretEvidence {
        redacted,
        context: hit.context.clone(),
        in_test: hit.in_test,
    });
    detection
}

/// `[[secrets.allow]]` entries, compiled.
pub(crate) struct Allowlist {
    entries: Vec<CompiledAllow>,
}

struct CompiledAllow {
    paths: Option<globset::GlobSet>,
    values: Vec<regex::Regex>,
    rules: Vec<String>,
}

impl Allowlist {
    /// Entries were validated when the config was read; an entry that fails to compile here
    /// matches nothing rather than everything.
    pub(crate) fn new(entries: &[SecretAllow]) -> Allowlist {
        let entries = entries
            .iter()
            .map(|entry| CompiledAllow {
                paths: (!entry.paths.is_empty()).then(|| {
                    let mut builder = globset::GlobSetBuilder::new();
                    for path in &entry.paths {
                        if let Ok(glob) = globset::Glob::new(path) {
                            builder.add(glob);
                        }
                    }
                    builder
                        .build()
                        .unwrap_or_else(|_| globset::GlobSet::empty())
                }),
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

    pub(crate) fn allows(&self, hit: &SecretHit) -> bool {
        self.entries.iter().any(|entry| {
            entry
                .paths
                .as_ref()
                .is_none_or(|paths| paths.is_match(&hit.file))
                && (entry.values.is_empty() || entry.values.iter().any(|v| v.is_match(&hit.secret)))
                && (entry.rules.is_empty() || entry.rules.contains(&hit.rule.id))
        })
    }
}
