//! The secrets check: hard-coded credentials in Rust source and configuration files.
//!
//! Its rules are `rules/secrets.toml` (`rules.rs` compiles them, `judge.rs` applies them to a
//! value in its context). Its pass reads every file the shared walk reads: Rust files through
//! their syntax tree (`literals.rs` finds each literal and what it is bound to or passed to),
//! other text files line by line (`text.rs`). Findings carry a redacted form and a hash, never the
//! secret (`findings.rs`); `[secrets]` in the settings file tunes it (`cfg.rs`).

mod cfg;
mod findings;
mod judge;
mod literals;
mod names;
mod rules;
mod text;

pub use cfg::{SecretAllow, SecretSettings};
pub use findings::{redact, SecretHit};
pub use judge::{entropy, Hit, NameKind, Slot};
pub use literals::{literals, Literal, Piece};
pub use names::words;
pub use rules::{Flow, SecretRules, RULES_FILE};

use crate::check::{Check, Configured, Input, Outcome};
use crate::error::Result;
use crate::finding::{Detection, FindingKind, RuleDoc, Severity};
use crate::report::{Role, Section};
use crate::source::{outputs, suppressed, FileKind, SourceFile, SourcePass, TestSeverity};
use crate::toml_doc::SettingsDoc;
use findings::Allowlist;
use std::any::Any;

pub const NAME: &str = "secrets";

/// A hard-coded credential in the scanned tree.
pub const SECRET: FindingKind = FindingKind {
    name: "secret",
    check: NAME,
    rule_name: "HardcodedSecret",
    // A leaked credential is exploitable the moment it is public.
    default_tier: Severity::Critical,
    categorised: false,
    gates_when_updated: false,
};

/// What `// warden:allow(…)` calls the whole check.
const ALIASES: [&str; 2] = ["secret", "secrets"];

/// The registry's entry.
pub struct Secrets;

impl Check for Secrets {
    fn name(&self) -> &'static str {
        NAME
    }

    fn help(&self) -> &'static str {
        "hard-coded credentials in Rust source and configuration files"
    }

    fn kinds(&self) -> &'static [FindingKind] {
        &[SECRET]
    }

    fn rules_file(&self) -> Option<&'static str> {
        Some(RULES_FILE)
    }

    fn rules(&self) -> Result<Vec<RuleDoc>> {
        Ok(SecretRules::embedded()?.docs().to_vec())
    }

    fn reads_source_files(&self) -> bool {
        true
    }

    fn configure(&self, settings: Option<&SettingsDoc>) -> Result<Box<dyn Configured>> {
        Ok(Box::new(SecretSettings::read(settings)?))
    }
}

/// The secrets pass over each source file, with its settings.
pub struct SecretsPass {
    rules: &'static SecretRules,
    settings: SecretSettings,
    allow: Allowlist,
}

impl SecretsPass {
    pub fn new(settings: SecretSettings) -> Result<SecretsPass> {
        Ok(SecretsPass {
            rules: SecretRules::embedded()?,
            allow: Allowlist::new(&settings.allow),
            settings,
        })
    }

    /// The secrets in one file, suppression comments applied (not yet the allowlist).
    pub fn hits(&self, file: &SourceFile<'_>) -> Vec<SecretHit> {
        let mut hits = match (file.kind, &file.rust) {
            (FileKind::Rust, Some(Ok(parsed))) => {
                let found = literals(parsed, self.rules.flow(), file.in_test_path);
                self.literal_hits(found, file.in_test_path)
            }
            // A Rust file syn cannot parse is still read for known formats, line by line.
            (FileKind::Rust, _) => self.text_hits(file.text, Some("//"), file.in_test_path),
            (FileKind::Text(comment), _) => self.text_hits(file.text, comment, file.in_test_path),
        };
        hits.retain(|hit| !suppressed(file.lines, hit.line, &hit.rule.id, &ALIASES));
        hits
    }

    fn literal_hits(&self, found: Vec<Literal>, path_is_test: bool) -> Vec<SecretHit> {
        let mut hits = Vec::new();
        for literal in found {
            if literal.value.is_empty() {
                continue;
            }
            for hit in self.rules.check(&literal.value, &literal.slot) {
                let place = literal.locate(hit.start, hit.range.end);
                let single_line = place.end_line == place.line;
                hits.push(SecretHit {
                    rule: hit.rule,
                    line: place.line,
                    column: place.column,
                    end_line: place.end_line,
                    end_column: if single_line {
                        place.end_column
                    } else {
                        place.column + 1
                    },
                    secret: literal.value[hit.range].to_owned(),
                    context: hit.context,
                    in_test: literal.in_test || path_is_test,
                    in_example: self.rules.is_example(&literal.slot),
                });
            }
        }
        hits
    }

    fn text_hits(&self, text: &str, comment: Option<&str>, path_is_test: bool) -> Vec<SecretHit> {
        text::scan(self.rules, text, comment)
            .into_iter()
            .map(|hit| SecretHit {
                rule: hit.hit.rule,
                line: hit.line,
                column: hit.column,
                end_line: hit.line,
                end_column: hit.end_column,
                secret: hit.secret,
                context: hit.hit.context,
                in_test: path_is_test,
                in_example: false,
            })
            .collect()
    }
}

impl SourcePass for SecretsPass {
    fn purpose(&self) -> &'static str {
        "secrets"
    }

    fn when_unparsable(&self) -> &'static str {
        "it was scanned line by line for known credential formats"
    }

    fn reads(&self, _: FileKind) -> bool {
        true
    }

    fn scan(&self, file: &SourceFile<'_>) -> Box<dyn Any + Send> {
        // The same secret twice in a file is two findings: the repeat is told apart by its
        // position among the repeats.
        let mut seen: std::collections::HashMap<(&str, String), usize> = Default::default();
        let detections: Vec<Detection> = self
            .hits(file)
            .into_iter()
            .filter(|hit| !self.allow.allows(hit, file.relative))
            .map(|hit| {
                let count = seen
                    .entry((hit.rule.id.as_str(), hit.secret.clone()))
                    .or_default();
                let occurrence = *count;
                *count += 1;
                findings::detection(&hit, file.relative, &self.settings, occurrence)
            })
            .collect();
        Box::new(detections)
    }
}

impl Configured for SecretSettings {
    fn max_file_size(&self) -> Option<u64> {
        self.max_file_size
    }

    fn source_pass(&self) -> Result<Option<Box<dyn SourcePass + '_>>> {
        Ok(Some(Box::new(SecretsPass::new(self.clone())?)))
    }

    fn run(&self, input: Input<'_>) -> Result<Outcome> {
        Ok(Outcome {
            detections: outputs::<Vec<Detection>>(input.files)
                .into_iter()
                .flat_map(|(file, mut found)| {
                    // A file a `#[cfg(test)] mod` declares is test code.
                    if input.test_files.contains(&file) {
                        for detection in &mut found {
                            TestSeverity::mark(self.test_severity, detection);
                        }
                    }
                    found
                })
                .collect(),
            warnings: Vec::new(),
            section: Section::empty(
                NAME,
                Role::Check {
                    selected: true,
                    reads_source_files: true,
                },
            ),
        })
    }
}
