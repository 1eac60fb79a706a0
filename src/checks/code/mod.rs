//! The code check: unsafe code without SAFETY comments and insecure patterns in Rust source.
//!
//! Its rules are `rules/code.toml`, compiled into matchers (`rules.rs`). Its pass walks each
//! parsed Rust file once (`walk.rs`) with the state the matchers need (`scan.rs`: names in scope,
//! unsafe context and SAFETY comments, built strings, shell commands). Hits become findings
//! (`findings.rs`), and the unsafe code it counts becomes the inventory (`inventory.rs`); `[code]`
//! in the settings file tunes it (`cfg.rs`).

mod cfg;
mod context;
mod findings;
mod flow;
mod hit;
mod inventory;
mod rules;
mod safety;
mod scan;
mod scope;
mod shell;
mod sql_slot;
mod sync_claims;
mod syntax;
mod walk;

pub use cfg::{CodeRuleSettings, CodeSettings};
pub use inventory::UnsafeInventory;
pub use rules::{split_path, CodeMatcher, CodeRules, Matcher, PathPattern, Shell};
pub use safety::safety_comment_above;
pub use scan::{CodeHit, UnsafeCounts};
pub use syntax::expr_start;

use crate::check::{Check, Configured, Input, Outcome};
use crate::error::Result;
use crate::finding::{Detection, FindingKind, RuleDoc, Severity};
use crate::source::{outputs, suppressed, FileKind, SourceFile, SourcePass, TestSeverity};
use crate::toml_doc::SettingsDoc;
use findings::CodeFilter;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
pub use sync_claims::TypeFacts;

pub const NAME: &str = "code";

/// An unsafe or insecure code pattern in the scanned tree.
pub const CODE: FindingKind = FindingKind {
    name: "code",
    check: NAME,
    rule_name: "InsecureCode",
    default_tier: Severity::Medium,
    categorised: false,
    gates_when_updated: false,
};

/// What `// warden:allow(…)` calls the whole check.
const ALIASES: [&str; 1] = ["code"];

/// The registry's entry.
pub struct Code;

impl Check for Code {
    fn name(&self) -> &'static str {
        NAME
    }

    fn help(&self) -> &'static str {
        "unsafe code without SAFETY comments and insecure patterns in Rust source"
    }

    fn kinds(&self) -> &'static [FindingKind] {
        &[CODE]
    }

    fn rules_file(&self) -> Option<&'static str> {
        Some(rules::RULES_FILE)
    }

    fn rules(&self) -> Result<Vec<RuleDoc>> {
        Ok(CodeRules::embedded()?.docs().to_vec())
    }

    fn reads_source_files(&self) -> bool {
        true
    }

    fn configure(&self, settings: Option<&SettingsDoc>) -> Result<Box<dyn Configured>> {
        Ok(Box::new(CodeSettings::read(settings)?))
    }
}

/// The code pass over each Rust file, with its settings.
pub struct CodePass {
    rules: &'static CodeRules,
    filter: CodeFilter,
}

/// What the code pass found in one file.
#[derive(Debug, Default)]
pub struct CodeFile {
    pub detections: Vec<Detection>,
    /// Unsafe code outside tests, for the inventory.
    pub unsafe_counts: UnsafeCounts,
    /// Its types and `Send`/`Sync` impls, joined per crate by `crate_detections`.
    pub types: TypeFacts,
}

impl CodePass {
    pub fn new(settings: CodeSettings) -> Result<CodePass> {
        Ok(CodePass {
            rules: CodeRules::embedded()?,
            filter: CodeFilter::new(settings),
        })
    }

    /// The rules' hits in one file, suppression comments applied (not yet `[code]` settings),
    /// and its unsafe counts.
    pub fn hits(&self, file: &SourceFile<'_>) -> (Vec<CodeHit>, UnsafeCounts) {
        let Some(Ok(parsed)) = file.rust else {
            return (Vec::new(), UnsafeCounts::default());
        };
        let scan = walk::walk(
            parsed,
            scan::CodeScan::new(self.rules, parsed, file.lines),
            file.in_test_path,
        );
        let (mut hits, counts) = scan.finish();
        hits.retain(|hit| !suppressed(file.lines, hit.line, &hit.rule.id, &ALIASES));
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for hit in &mut hits {
            hit.snippet = file
                .lines
                .get(hit.line.wrapping_sub(1))
                .map_or(String::new(), |l| l.trim().to_owned());
            let count = seen
                .entry((hit.rule.id.clone(), hit.snippet.clone()))
                .or_default();
            hit.occurrence = *count;
            *count += 1;
        }
        (hits, counts)
    }
}

impl SourcePass for CodePass {
    fn purpose(&self) -> &'static str {
        "code patterns"
    }

    fn when_unparsable(&self) -> &'static str {
        "the code rules could not check it"
    }

    fn reads(&self, kind: FileKind) -> bool {
        kind == FileKind::Rust
    }

    fn scan(&self, file: &SourceFile<'_>) -> Box<dyn Any + Send> {
        let (hits, unsafe_counts) = self.hits(file);
        let settings = self.filter.settings();
        let detections = hits
            .iter()
            .filter(|hit| self.filter.keeps(hit, file.relative))
            .map(|hit| findings::detection(hit, file.relative, settings))
            .collect();
        let types = match (self.rules.sync_claim(), file.rust) {
            (Some(matcher), Some(Ok(parsed))) => {
                let id = &self.rules.doc(matcher.rule).id;
                let mut types = sync_claims::facts(&parsed.syntax, file.lines, file.in_test_path);
                types
                    .claims
                    .retain(|claim| !suppressed(file.lines, claim.line, id, &ALIASES));
                types
            }
            _ => TypeFacts::default(),
        };
        Box::new(CodeFile {
            detections,
            unsafe_counts,
            types,
        })
    }
}

impl Configured for CodeSettings {
    fn source_pass(&self) -> Result<Option<Box<dyn SourcePass + '_>>> {
        Ok(Some(Box::new(CodePass::new(self.clone())?)))
    }

    fn run(&self, input: Input<'_>) -> Result<Outcome> {
        let mut files = outputs::<CodeFile>(input.files);
        let rust_files: Vec<String> = files.iter().map(|(file, _)| file.clone()).collect();
        let mut counts = Vec::new();
        let mut detections = Vec::new();
        // Test files declare nothing that ships.
        for (file, found) in &mut files {
            if input.test_files.contains(file) {
                found.types = TypeFacts::default();
            }
        }
        let mut crates: BTreeMap<String, Vec<(&str, &TypeFacts)>> = BTreeMap::new();
        let mut manifests = HashMap::new();
        for (file, found) in &files {
            let root = crate_root(input.root, file, &mut manifests);
            crates.entry(root).or_default().push((file, &found.types));
        }
        for members in crates.values() {
            detections.extend(crate_detections(self, members)?);
        }
        for (file, mut found) in files {
            // A file a `#[cfg(test)] mod` declares is test code: its findings are marked as such
            // and its unsafe code is not shipped, so not in the inventory.
            if input.test_files.contains(&file) {
                for detection in &mut found.detections {
                    TestSeverity::mark(self.test_severity, detection);
                }
            } else if found.unsafe_counts != UnsafeCounts::default() {
                counts.push((file, found.unsafe_counts));
            }
            detections.extend(found.detections);
        }
        let filter = CodeFilter::new(self.clone());
        let inventory = inventory::inventory(input.root, &rust_files, &counts, &filter);
        Ok(Outcome {
            detections,
            warnings: Vec::new(),
            section: inventory::section(inventory),
        })
    }
}

/// The crate a file belongs to: the nearest directory above it holding a `Cargo.toml`, relative
/// to the scanned root ("" for the root itself or a file outside any crate).
fn crate_root(root: &Path, file: &str, manifests: &mut HashMap<String, bool>) -> String {
    let mut dir = Path::new(file).parent();
    while let Some(candidate) = dir {
        let key = candidate.to_string_lossy().into_owned();
        let has = *manifests
            .entry(key.clone())
            .or_insert_with(|| root.join(candidate).join("Cargo.toml").is_file());
        if has {
            return key;
        }
        dir = candidate.parent();
    }
    String::new()
}

/// The `Sync` claims over `Send`-only types among one crate's files (`sync_claims`), as
/// findings under `settings`.
pub fn crate_detections(
    settings: &CodeSettings,
    members: &[(&str, &TypeFacts)],
) -> Result<Vec<Detection>> {
    let rules = CodeRules::embedded()?;
    let Some(matcher) = rules.sync_claim() else {
        return Ok(Vec::new());
    };
    let doc = rules.doc(matcher.rule);
    let filter = CodeFilter::new(settings.clone());
    let facts: Vec<&TypeFacts> = members.iter().map(|(_, facts)| *facts).collect();
    let mut detections = Vec::new();
    for found in sync_claims::contradictions(&facts) {
        let file = members[found.file].0;
        let via = if found.via.is_empty() {
            String::new()
        } else {
            format!(" (through {})", found.via.join(" → "))
        };
        let hit = CodeHit {
            rule: doc,
            line: found.claim.line,
            column: found.claim.column,
            end_column: found.claim.end_column,
            what: format!(
                "`{}` is declared `Sync` but holds `{}`{via}, which {}:{} declares `Send` and says is not `Sync`",
                found.claim.type_name, found.held, members[found.send_file].0, found.send_line
            ),
            snippet: format!("unsafe impl Sync for {}", found.claim.type_name),
            occurrence: 0,
            in_test: false,
            inventory: false,
        };
        if filter.keeps(&hit, file) {
            detections.push(findings::detection(&hit, file, settings));
        }
    }
    Ok(detections)
}
