//! Every rule's own examples: what its entry says it flags, it flags; what it says it leaves
//! alone, it leaves alone. The same entries generate `explain` and the SARIF help, so this keeps
//! the documentation honest.

use cargo_warden::code::{crate_detections, CodeFile, CodePass, CodeRules, CodeSettings};
use cargo_warden::finding::{Detection, RuleDoc};
use cargo_warden::secrets::{SecretRules, SecretSettings, SecretsPass, Slot};
use cargo_warden::source::{scan_text, FileKind, SourcePass};

/// What one pass makes of one Rust file's text: the ids of the rules it raises, and the
/// unparsable warning's message if syn cannot parse it.
fn rust_rule_ids<T: 'static>(
    pass: &dyn SourcePass,
    source: &str,
    detections: impl Fn(T) -> Vec<Detection>,
) -> (Vec<String>, Option<String>) {
    let (unparsable, results) = scan_text(FileKind::Rust, source, "src/example.rs", &[pass]);
    let ids = results
        .into_iter()
        .filter_map(|(_, result)| result.downcast::<T>().ok())
        .flat_map(|found| detections(*found))
        .map(|detection| detection.rule)
        .collect();
    (ids, unparsable.map(|warning| warning.message))
}

#[test]
fn every_secrets_rule_flags_its_examples_and_only_those() {
    let rules = SecretRules::embedded().expect("the embedded rules load");
    let mut failures = Vec::new();
    let mut checked = 0;
    for doc in rules.docs() {
        assert!(
            !doc.must_match.is_empty(),
            "{}: a rule needs must-match examples",
            doc.id
        );
        for example in &doc.must_match {
            checked += 1;
            let found = found_by(rules, doc, example, &mut failures);
            if !found.contains(&doc.id) {
                failures.push(format!(
                    "{}: must match, found {found:?}: {example}",
                    doc.id
                ));
            }
        }
        for example in &doc.must_not_match {
            checked += 1;
            let mut found = found_by(rules, doc, example, &mut failures);
            // Source examples of what is not a secret must raise nothing at all; a text example
            // is a near miss for its own rule only (a JWT near miss may still be a bearer token).
            if doc.example_language != "rust" {
                found.retain(|id| *id == doc.id);
            }
            if !found.is_empty() {
                failures.push(format!(
                    "{}: must not match, found {found:?}: {example}",
                    doc.id
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} examples of {} rules hold", rules.docs().len());
}

/// The rules an example raises: as Rust source for context rules, as a literal's text for
/// format rules.
fn found_by(
    rules: &'static SecretRules,
    doc: &RuleDoc,
    example: &str,
    failures: &mut Vec<String>,
) -> Vec<String> {
    match doc.example_language {
        "rust" => rust_rules(example, failures),
        _ => rules
            .check(example, &Slot::Free)
            .iter()
            .map(|hit| hit.rule.id.clone())
            .collect(),
    }
}

fn rust_rules(source: &str, failures: &mut Vec<String>) -> Vec<String> {
    let pass = SecretsPass::new(SecretSettings::default()).expect("the embedded rules load");
    let (ids, unparsable) = rust_rule_ids(&pass, source, |found: Vec<Detection>| found);
    if let Some(message) = unparsable {
        failures.push(format!("example does not parse ({message}): {source}"));
    }
    ids
}

#[test]
fn every_rule_documents_itself() {
    for doc in cargo_warden::checks::rules().expect("rules load") {
        assert!(!doc.title.is_empty(), "{}: title", doc.id);
        assert!(doc.description.len() > 20, "{}: description", doc.id);
        assert!(doc.remediation.len() > 20, "{}: remediation", doc.id);
        assert!(
            doc.cwe.iter().all(|c| c.starts_with("CWE-")),
            "{}: cwe ids look like CWE-798",
            doc.id
        );
        let help = doc.markdown();
        assert!(help.contains(&doc.id) && help.contains("## Remediation"));
    }
}

#[test]
fn every_code_rule_flags_its_examples_and_only_those() {
    let rules = CodeRules::embedded().expect("the embedded code rules load");
    let pass = CodePass::new(CodeSettings::default()).expect("the embedded code rules load");
    let mut failures = Vec::new();
    let mut checked = 0;
    for doc in rules.docs() {
        assert!(
            !doc.must_match.is_empty() && !doc.must_not_match.is_empty(),
            "{}: a code rule needs examples of both kinds",
            doc.id
        );
        let found = |example: &str, failures: &mut Vec<String>| -> Vec<String> {
            let (ids, unparsable) = rust_rule_ids(&pass, example, |found: CodeFile| {
                // The example is a crate of one file: its cross-file rules run over it too.
                let mut detections = found.detections;
                let members = [("src/example.rs", &found.types)];
                detections.extend(
                    crate_detections(&CodeSettings::default(), &members)
                        .expect("the embedded code rules load"),
                );
                detections
            });
            if let Some(message) = unparsable {
                failures.push(format!("example does not parse ({message}): {example}"));
            }
            ids
        };
        for example in &doc.must_match {
            checked += 1;
            let ids = found(example, &mut failures);
            if !ids.contains(&doc.id) {
                failures.push(format!("{}: must match, found {ids:?}: {example}", doc.id));
            }
        }
        for example in &doc.must_not_match {
            checked += 1;
            // A near miss of one rule may still be another's hit (an undocumented block around a
            // documented-elsewhere call); only this rule must stay quiet.
            let ids = found(example, &mut failures);
            if ids.contains(&doc.id) {
                failures.push(format!(
                    "{}: must not match, found {ids:?}: {example}",
                    doc.id
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{checked} examples of {} code rules hold",
        rules.docs().len()
    );
}

#[test]
fn readme_rule_tables_are_generated_from_the_rules() {
    let readme = std::fs::read_to_string(common_repo().join("README.md")).unwrap();
    let rules = cargo_warden::checks::rules().unwrap();
    for check in ["code", "supply-chain"] {
        let start = readme
            .find(&format!("<!-- {check}-rules:begin"))
            .unwrap_or_else(|| panic!("README has the {check} rules table"));
        let body_start = start + readme[start..].find("-->\n").unwrap() + 4;
        let end = readme.find(&format!("<!-- {check}-rules:end -->")).unwrap();
        let table =
            cargo_warden::finding::markdown_table(rules.iter().filter(|doc| doc.check == check));
        assert_eq!(
            &readme[body_start..end],
            table,
            "regenerate with `cargo run -- rules --markdown {check}`"
        );
    }
}

fn common_repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rule ids the supply-chain audit raises on an example crate, written out from its
/// `--- PATH` sections.
fn supply_chain_rule_ids(example: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for section in example.split("--- ").filter(|s| !s.is_empty()) {
        let (path, content) = section.split_once('\n').unwrap_or((section, ""));
        let target = dir.path().join(path.trim());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, content).unwrap();
    }
    cargo_warden::checks::supply_chain::audit(dir.path())
        .evidence
        .into_iter()
        .map(|evidence| evidence.rule)
        .collect()
}

#[test]
fn every_supply_chain_rule_flags_its_examples_and_only_those() {
    let check = cargo_warden::checks::find("supply-chain").unwrap();
    let mut failures = Vec::new();
    for doc in check.rules().unwrap() {
        assert!(
            !doc.must_match.is_empty() && !doc.must_not_match.is_empty(),
            "{}: a rule needs both kinds of example",
            doc.id
        );
        for example in &doc.must_match {
            let found = supply_chain_rule_ids(example);
            if !found.contains(&doc.id) {
                failures.push(format!(
                    "{}: must match, found {found:?}: {example}",
                    doc.id
                ));
            }
        }
        for example in &doc.must_not_match {
            let found = supply_chain_rule_ids(example);
            if found.contains(&doc.id) {
                failures.push(format!(
                    "{}: must not match, found {found:?}: {example}",
                    doc.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
