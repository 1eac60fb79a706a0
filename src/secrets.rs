//! Secrets hits from the source walk made into findings: the redacted evidence, the fingerprint,
//! the rule's severity (lowered for test code), and the user's allowlist.

use crate::config::{SecretAllow, SecretSettings, TestSeverity};
use crate::report::{self, Detection, FindingKind, Origin, SecretEvidence, Severity};
use crate::source::SecretHit;

/// Secrets in tests are real credentials too, but usually for throwaway test accounts.
const DEFAULT_TEST_SEVERITY: Severity = Severity::Low;

pub(crate) fn detection(hit: &SecretHit, settings: &SecretSettings) -> Detection {
    let redacted = report::redact(&hit.secret);
    let rule_severity = if hit.in_test {
        match settings.test_severity {
            Some(TestSeverity::Same) => hit.rule.severity,
            Some(TestSeverity::Lowered(severity)) => Some(severity),
            None => Some(DEFAULT_TEST_SEVERITY),
        }
    } else {
        hit.rule.severity
    };
    let mut description = format!("{} `{redacted}`", hit.rule.title);
    if let Some(context) = &hit.context {
        description.push(' ');
        description.push_str(context);
    }
    if hit.in_test {
        description.push_str(" (in test code)");
    }
    Detection {
        kind: FindingKind::Secret,
        rule: hit.rule.id.clone(),
        title: hit.rule.title.clone(),
        file: hit.file.clone(),
        line: hit.line,
        column: hit.column,
        end_column: hit.end_column,
        package: None,
        dependency: None,
        aliases: Vec::new(),
        references: Vec::new(),
        url: None,
        date: None,
        categories: Vec::new(),
        cvss: None,
        patched: Vec::new(),
        unaffected: Vec::new(),
        fix: None,
        advisory_sources: Vec::new(),
        declared_at: None,
        description,
        cwe: hit.rule.cwe.clone(),
        remediation: Some(hit.rule.remediation.clone()),
        secret: Some(SecretEvidence {
            redacted,
            context: hit.context.clone(),
            in_test: hit.in_test,
        }),
        rule_severity,
        // The same secret in the same file is the same finding wherever the line moves; the hash
        // is one-way, so the fingerprint does not reveal the value.
        fingerprint: report::fingerprint(&["secret", &hit.rule.id, &hit.file, &hit.secret]),
        origin: Origin::Lines((hit.line..=hit.end_line).collect()),
    }
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
