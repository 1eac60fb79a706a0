//! The supply-chain check: what the locked dependencies' own code can do. Advisories cover known
//! bugs; the attacks on crates.io (a typosquat whose build script downloads and runs a payload, a
//! proc macro that reads credentials) are code nobody read. This check reads it, from the sources
//! cargo already unpacked or a `vendor/` directory (`locate.rs`), never building or running any of
//! it.
//!
//! Per crate: the unsafe inventory from a lexer fast enough for every file (`lexer.rs`), and the
//! capabilities of its build-time code (`capabilities.rs`, `audit.rs`), cached by the `.crate`
//! checksum (`cache.rs`). Ordinary capabilities are inventory; malicious indicators get a due date.
//! With `--new-since`, a capability that an update of an already locked crate adds is a weakness
//! too (the policy does that, by the kind's `gates_when_updated`).

mod audit;
mod cache;
mod capabilities;
mod cfg;
mod lexer;
mod locate;
mod rules;
mod section;
mod signals;

pub use audit::{audit, CrateAudit};
pub use capabilities::Evidence;
pub use lexer::{lex, Lexed};

use crate::check::{Check, Configured, Input, Outcome};
use crate::error::Result;
use crate::finding::{
    fingerprint, Class, Detection, FindingKind, Origin, PackageDetails, PackageRef, RuleDoc,
    Severity, Subject, Warning,
};
use crate::report::Section;
use crate::toml_doc::SettingsDoc;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const NAME: &str = "supply-chain";

/// A malicious indicator in a dependency's build-time code.
pub const MALICIOUS_CODE: FindingKind = FindingKind {
    name: "malicious-code",
    check: NAME,
    rule_name: "MaliciousDependencyCode",
    default_tier: Severity::Critical,
    categorised: true,
    gates_when_updated: false,
};
/// What a dependency's code can do: inventory, unless an update newly adds it.
pub const CAPABILITY: FindingKind = FindingKind {
    name: "capability",
    check: NAME,
    rule_name: "DependencyCapability",
    default_tier: Severity::High,
    categorised: false,
    gates_when_updated: true,
};

/// The registry's entry.
pub struct SupplyChain;

impl Check for SupplyChain {
    fn name(&self) -> &'static str {
        NAME
    }

    fn help(&self) -> &'static str {
        "the locked dependencies' own code: unsafe inventory and build-time capabilities"
    }

    fn kinds(&self) -> &'static [FindingKind] {
        &[MALICIOUS_CODE, CAPABILITY]
    }

    fn rules_file(&self) -> Option<&'static str> {
        Some(rules::RULES_FILE)
    }

    fn rules(&self) -> Result<Vec<RuleDoc>> {
        rules::docs()
    }

    fn reads_lockfiles(&self) -> bool {
        true
    }

    fn configure(&self, settings: Option<&SettingsDoc>) -> Result<Box<dyn Configured>> {
        Ok(Box::new(Auditor {
            settings: cfg::SupplyChainSettings::read(settings)?,
        }))
    }

    fn idle_section(&self) -> Section {
        section::section(&[], None, false)
    }
}

/// The check with its settings.
struct Auditor {
    settings: cfg::SupplyChainSettings,
}

/// One locked crate to audit, with where each workspace locks it.
struct Locked {
    name: String,
    version: String,
    checksum: Option<String>,
    /// (workspace index, package index) of each lockfile entry.
    entries: Vec<(usize, usize)>,
    /// The first workspace's vendor directory, if it has one.
    vendor: Option<PathBuf>,
}

impl Configured for Auditor {
    fn run(&self, input: Input<'_>) -> Result<Outcome> {
        let mut warnings = Vec::new();
        // Keyed by where the source is looked for too: two workspaces with their own `vendor/`
        // copies of one version are two audits.
        type Key = (String, String, Option<String>, Option<PathBuf>);
        let mut locked: BTreeMap<Key, Locked> = BTreeMap::new();
        // Git dependencies have no checksum and no unpacked registry source: named, not audited.
        let mut git: Vec<String> = Vec::new();
        for (w, workspace) in input.workspaces.iter().enumerate() {
            let vendor = workspace
                .lockfile
                .parent()
                .map(|dir| dir.join("vendor"))
                .filter(|dir| dir.is_dir());
            for (p, package) in workspace.packages.iter().enumerate() {
                if package.source.as_ref().is_some_and(|s| s.is_git()) {
                    git.push(format!("{} {}", package.name, package.version));
                }
                if !package.source.as_ref().is_some_and(|s| s.is_registry()) {
                    continue;
                }
                let key = (
                    package.name.clone(),
                    package.version.to_string(),
                    package.checksum.clone(),
                    vendor.clone(),
                );
                locked
                    .entry(key)
                    .or_insert_with(|| Locked {
                        name: package.name.clone(),
                        version: package.version.to_string(),
                        checksum: package.checksum.clone(),
                        entries: Vec::new(),
                        vendor: vendor.clone(),
                    })
                    .entries
                    .push((w, p));
            }
        }
        let locked: Vec<Locked> = locked.into_values().collect();
        let cargo_home = input
            .cargo_home
            .map(Path::to_path_buf)
            .or_else(crate::paths::cargo_home);
        let mut dirs = locate::SourceDirs::new(cargo_home.as_deref());
        let find = |dirs: &locate::SourceDirs, crate_: &Locked| {
            dirs.find(
                crate_.vendor.as_deref(),
                &crate_.name,
                &crate_.version,
                crate_.checksum.as_deref(),
            )
        };
        let mut sources: Vec<Option<locate::CrateSource>> =
            locked.iter().map(|c| find(&dirs, c)).collect();
        let mut fetch_failed = false;
        if sources.iter().any(Option::is_none) && !input.offline && self.settings.fetch {
            // Download only: cargo unpacks the crates into its home, builds nothing. Only the
            // workspaces that lock a missing crate: in a monorepo the rest would each cost a
            // cargo run for nothing.
            let mut lacking: Vec<usize> = locked
                .iter()
                .zip(&sources)
                .filter(|(_, source)| source.is_none())
                .flat_map(|(crate_, _)| crate_.entries.iter().map(|&(w, _)| w))
                .collect();
            lacking.sort_unstable();
            lacking.dedup();
            for workspace in lacking.iter().map(|&w| &input.workspaces[w]) {
                let fetched =
                    crate::workspace::fetch_sources(&workspace.lockfile, cargo_home.as_deref());
                if let Err(problem) = fetched {
                    fetch_failed = true;
                    // Cargo names files by absolute path; reports name them from the root.
                    let mut problem = problem;
                    if let Ok(root) = input.root.canonicalize() {
                        let prefix = format!("{}{}", root.display(), std::path::MAIN_SEPARATOR);
                        problem = problem.replace(&prefix, "");
                    }
                    warnings.push(Warning::new(
                        "source-fetch-failed",
                        Some(workspace.display_path.clone()),
                        format!("`cargo fetch --locked` could not download the locked crates' sources ({problem}); fix that and scan again, or vendor them (`cargo vendor`); a plain `cargo fetch` may update Cargo.lock, so the versions audited would not be the ones locked"),
                    ));
                }
            }
            dirs = locate::SourceDirs::new(cargo_home.as_deref());
            sources = locked.iter().map(|c| find(&dirs, c)).collect();
        }
        let missing_entries: Vec<&Locked> = locked
            .iter()
            .zip(&sources)
            .filter(|(_, source)| source.is_none())
            .map(|(c, _)| c)
            .collect();
        if self.settings.require_sources {
            if let Some(first) = missing_entries.first() {
                let names: Vec<String> = missing_entries
                    .iter()
                    .take(5)
                    .map(|c| format!("{} {}", c.name, c.version))
                    .collect();
                let (w, _) = first.entries[0];
                return Err(crate::error::Error::MissingCrateSources {
                    lockfile: input.workspaces[w].lockfile.clone(),
                    count: missing_entries.len(),
                    names: names.join(", "),
                });
            }
        }
        let missing: Vec<String> = locked
            .iter()
            .zip(&sources)
            .filter(|(_, source)| source.is_none())
            .map(|(c, _)| format!("{} {}", c.name, c.version))
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
            let more = missing.len() - shown.len();
            warnings.push(Warning::new(
                "missing-crate-source",
                None,
                format!(
                    "the sources of {} are not on this machine ({}{}), so they were not audited; {}",
                    crate::report::plural(missing.len(), "locked crate"),
                    shown.join(", "),
                    if more > 0 { format!(", and {more} more") } else { String::new() },
                    if fetch_failed {
                        "the source-fetch-failed warning says why cargo could not download them"
                    } else if input.offline {
                        "run `cargo fetch --locked` in the workspace (or `cargo vendor`), or scan without --offline"
                    } else {
                        "run `cargo fetch --locked` in the workspace (or `cargo vendor`) and scan again"
                    },
                ),
            ));
        }

        git.sort();
        git.dedup();
        if !git.is_empty() {
            warnings.push(Warning::new(
                "git-dependency-not-audited",
                None,
                format!(
                    "{} {} from git not audited by the supply-chain check ({}); only registry crates are read, so review them yourself or depend on a published release",
                    git.len(),
                    if git.len() == 1 { "dependency" } else { "dependencies" },
                    git.join(", ")
                ),
            ));
        }
        let cache_dir = crate::paths::cache_dir(input.cache_dir, cargo_home.as_deref());
        let cache = cache_dir.map(cache::Cache::new);
        if let Some(progress) = input.progress {
            progress.stage(NAME, locked.len() as u64);
        }
        let audited: Vec<Option<(CrateAudit, bool, Option<String>)>> = locked
            .par_iter()
            .zip(&sources)
            .map(|(crate_, source)| {
                if let Some(progress) = input.progress {
                    progress.step();
                }
                let source = source.as_ref()?;
                // Only a registry crate's checksum names its content (cargo verified it).
                let key = source.checksum.as_deref().filter(|_| !source.vendored);
                if let (Some(cache), Some(key)) = (&cache, key) {
                    if let Some(hit) = cache.get(&crate_.name, &crate_.version, key) {
                        return Some((hit, true, None));
                    }
                }
                let audit = audit::audit(&source.dir);
                let failed = match (&cache, key) {
                    (Some(cache), Some(key)) => {
                        cache.put(&crate_.name, &crate_.version, key, &audit).err()
                    }
                    _ => None,
                };
                Some((audit, false, failed))
            })
            .collect();
        if let Some(problem) = audited
            .iter()
            .flatten()
            .find_map(|(_, _, failed)| failed.clone())
        {
            warnings.push(Warning::new(
                "audit-cache-unwritable",
                None,
                format!("the supply-chain audit cache cannot be written ({problem}), so every scan audits every crate again; give a writable `--cache-dir`"),
            ));
        }

        let docs = rules::docs()?;
        let mut detections = Vec::new();
        let mut rows = Vec::new();
        for (crate_, result) in locked.iter().zip(&audited) {
            let Some((audit, cached, _)) = result else {
                continue;
            };
            // The row shows what holds where the crate is first locked.
            let (w, p) = crate_.entries[0];
            let built = holding(audit, &input.workspaces[w], p);
            rows.push(section::CrateRow::new(
                &crate_.name,
                &crate_.version,
                &built,
                *cached,
            ));
            for &(w, p) in &crate_.entries {
                let built = holding(audit, &input.workspaces[w], p);
                detections.extend(crate_findings(&input, w, p, &built, &docs));
            }
        }
        Ok(Outcome {
            detections,
            warnings,
            section: section::section(&rows, Some(missing.len()), true),
        })
    }
}

/// What `text` read as a crate's build script (`build.rs`) shows it can do (for fuzzing and
/// tests; a scan reads whole crates with [`audit`]).
pub fn build_script_evidence(text: &[u8]) -> Vec<Evidence> {
    let mut facts = capabilities::Facts::default();
    facts.read("build.rs", text);
    facts.capabilities("build script")
}

/// The audit with only the evidence that holds for the package at `p` of `workspace`: evidence
/// that needs a crate (an optional native build dependency) holds only when the lockfile lists
/// that crate among the package's dependencies.
fn holding(audit: &CrateAudit, workspace: &crate::workspace::Workspace, p: usize) -> CrateAudit {
    let dependencies: Vec<&str> = workspace
        .locked_dependencies
        .get(p)
        .map(|deps| {
            deps.iter()
                .map(|&i| workspace.packages[i].name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut built = audit.clone();
    built.evidence.retain(|evidence| {
        evidence
            .needs
            .as_deref()
            .is_none_or(|needed| dependencies.contains(&needed))
    });
    built
}

/// One finding per rule a crate's evidence falls under, at the crate's lockfile entry.
fn crate_findings(
    input: &Input<'_>,
    w: usize,
    p: usize,
    audit: &CrateAudit,
    docs: &[RuleDoc],
) -> Vec<Detection> {
    let workspace = &input.workspaces[w];
    let package = &workspace.packages[p];
    let mut by_rule: BTreeMap<&str, Vec<&Evidence>> = BTreeMap::new();
    for evidence in &audit.evidence {
        by_rule
            .entry(evidence.rule.as_str())
            .or_default()
            .push(evidence);
    }
    let label = format!("{}-{}", package.name, package.version);
    by_rule
        .into_iter()
        .filter_map(|(rule, evidence)| {
            let doc = docs.iter().find(|d| d.id == rule)?;
            let malicious = doc.class == Class::Weakness;
            let lines: Vec<String> = evidence
                .iter()
                .take(5)
                .map(|e| format!("{label}/{}:{}: {}", e.file, e.line, e.detail))
                .collect();
            let more = evidence.len().saturating_sub(lines.len());
            let mut description = format!(
                "{} {}: {}.\n{}",
                package.name,
                package.version,
                doc.title,
                lines.join("\n")
            );
            if more > 0 {
                description.push_str(&format!("\n(and {more} more)"));
            }
            let dependency = Some(
                workspace
                    .graph
                    .dependency_info(p, |i| workspace.packages[i].label()),
            );
            Some(Detection {
                kind: if malicious {
                    MALICIOUS_CODE
                } else {
                    CAPABILITY
                },
                rule: rule.to_owned(),
                title: format!(
                    "{}: {} ({}:{})",
                    package.name, evidence[0].detail, evidence[0].file, evidence[0].line
                ),
                file: workspace.display_path.clone(),
                line: package.line,
                column: 1,
                end_column: 1 + format!("name = \"{}\"", package.name).len(),
                description,
                // Without the version: the same capability after an update is the same finding,
                // so `--new-since` marks only what an update adds.
                fingerprint: fingerprint(&[NAME, rule, &package.name, &workspace.display_path]),
                rule_severity: doc.severity,
                class: doc.class,
                origin: Origin::LockfileEntry {
                    name: package.name.clone(),
                    version: package.version.to_string(),
                },
                subject: Subject::Package(Box::new(PackageDetails {
                    dependency,
                    categories: if malicious {
                        vec!["malicious".to_owned()]
                    } else {
                        Vec::new()
                    },
                    remediation: Some(doc.remediation.clone()),
                    ..PackageDetails::about(PackageRef {
                        name: package.name.clone(),
                        version: package.version.to_string(),
                        source: package.source.as_ref().map(|s| s.to_string()),
                    })
                })),
            })
        })
        .collect()
}
