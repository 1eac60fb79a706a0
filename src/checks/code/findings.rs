//! Code hits made into findings: the rule's severity (as configured, and lowered for test code),
//! a fingerprint that survives lines moving, and the user's exclusions and disabled rules.

use super::cfg::CodeSettings;
use super::scan::CodeHit;
use crate::finding::{fingerprint, Class, Detection, SourcePlace};
use crate::paths::glob_set;
use crate::source::TestSeverity;

/// `[code] exclude` and disabled rules, compiled.
pub(super) struct CodeFilter {
    exclude: Option<globset::GlobSet>,
    settings: CodeSettings,
}

impl CodeFilter {
    pub(super) fn new(settings: CodeSettings) -> Self {
        let exclude = glob_set(&settings.exclude);
        CodeFilter { exclude, settings }
    }

    pub(super) fn excludes(&self, file: &str) -> bool {
        self.exclude.as_ref().is_some_and(|set| set.is_match(file))
    }

    /// Whether a hit in `file` is reported: not excluded, its rule not disabled.
    pub(super) fn keeps(&self, hit: &CodeHit, file: &str) -> bool {
        !self.excludes(file)
            && self
                .settings
                .rules
                .get(&hit.rule.id)
                .is_none_or(|rule| rule.enabled)
    }

    pub(super) fn settings(&self) -> &CodeSettings {
        &self.settings
    }
}

pub(super) fn detection(hit: &CodeHit, file: &str, settings: &CodeSettings) -> Detection {
    let configured = settings
        .rules
        .get(&hit.rule.id)
        .and_then(|rule| rule.severity)
        .or(hit.rule.severity);
    let description = format!("{}: {}", hit.rule.title, hit.what);
    let mut detection = Detection::in_source(
        super::CODE,
        hit.rule,
        SourcePlace {
            file,
            line: hit.line,
            column: hit.column,
            end_column: hit.end_column,
            end_line: hit.line,
        },
        description,
        configured,
        // The line's text, not its number: a finding keeps its identity (and its clock) when
        // code above it moves. Repeats of the same line in a file are told apart by position.
        fingerprint(&[
            "code",
            &hit.rule.id,
            file,
            &hit.snippet,
            &hit.occurrence.to_string(),
        ]),
    );
    if hit.inventory {
        detection.class = Class::Audit;
    }
    if let Some(class) = settings.rules.get(&hit.rule.id).and_then(|rule| rule.class) {
        detection.class = class;
    }
    // Code in tests does not ship; its findings still show, for review.
    if hit.in_test {
        TestSeverity::mark(settings.test_severity, &mut detection);
    }
    detection
}
