//! How findings in test code are rated: a setting (`test-severity`) every source check has. Test
//! code does not ship, so by default its findings are audit findings at the lowest tier: they
//! still show, with no due date.

use crate::finding::{Class, Detection, Severity, Subject};
use crate::toml_doc::SettingsDoc;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestSeverity {
    /// The rule's severity, as outside tests.
    Same,
    Lowered(Severity),
}

impl TestSeverity {
    /// Findings in test code are real but do not ship: without a setting they drop to low.
    pub const DEFAULT: Severity = Severity::Low;

    /// The severity a finding gets: `rule` outside tests, the setting (or low) inside.
    pub fn apply(
        setting: Option<TestSeverity>,
        rule: Option<Severity>,
        in_test: bool,
    ) -> Option<Severity> {
        if !in_test {
            return rule;
        }
        match setting {
            Some(TestSeverity::Same) => rule,
            Some(TestSeverity::Lowered(severity)) => Some(severity),
            None => Some(TestSeverity::DEFAULT),
        }
    }

    /// Treats a source finding as found in test code, once (a pass knows test attributes and test
    /// directories; a file a `#[cfg(test)] mod` declares is only known after the walk). Test code
    /// does not ship: without a `test-severity` setting its findings are audit findings (no due
    /// date, never failing the gate) at the lowest tier; with one, weaknesses at that tier.
    pub fn mark(setting: Option<TestSeverity>, detection: &mut Detection) {
        let Subject::Source(details) = &mut detection.subject else {
            return;
        };
        if details.in_test {
            return;
        }
        details.in_test = true;
        if let Some(secret) = &mut details.secret {
            secret.in_test = true;
        }
        detection.rule_severity = TestSeverity::apply(setting, detection.rule_severity, true);
        if setting.is_none() {
            detection.class = Class::Audit;
        }
        detection.description.push_str(" (in test code)");
    }

    /// `test-severity = "low"` (or `"same"`) from a check's section of `doc`.
    pub fn parse(
        raw: Option<&Spanned<String>>,
        doc: &SettingsDoc,
    ) -> crate::error::Result<Option<TestSeverity>> {
        Ok(match raw {
            None => None,
            Some(name) if name.get_ref() == "same" => Some(TestSeverity::Same),
            Some(name) => Some(TestSeverity::Lowered(
                Severity::from_name(name.get_ref()).ok_or_else(|| {
                    doc.error_at(
                        name.span().start,
                        format!(
                            "unknown test-severity `{}`; use critical, high, medium, low or same",
                            name.get_ref()
                        ),
                    )
                })?,
            )),
        })
    }
}
