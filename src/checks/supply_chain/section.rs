//! The supply-chain check's part of the report: one row per audited crate (JSON
//! `supply_chain[]`, a SARIF run property) and the per-crate table of the human and markdown
//! reports, crates with capabilities first, then those with the most unsafe code.

use super::audit::CrateAudit;
use crate::report::{plural, Role, Section, SectionTable};
use serde::Serialize;

/// How many crates the table shows; the JSON report has them all.
const TABLE_ROWS: usize = 30;

/// One audited crate, as the JSON report lists it: its audit's fields, flattened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrateRow {
    pub name: String,
    pub version: String,
    /// Served from the audit cache rather than read this time.
    pub cached: bool,
    #[serde(flatten)]
    pub audit: CrateAudit,
    /// The rules its evidence falls under, sorted.
    pub capabilities: Vec<String>,
}

impl CrateRow {
    pub fn new(name: &str, version: &str, audit: &CrateAudit, cached: bool) -> CrateRow {
        let mut capabilities: Vec<String> = audit.evidence.iter().map(|e| e.rule.clone()).collect();
        capabilities.sort();
        capabilities.dedup();
        CrateRow {
            name: name.to_owned(),
            version: version.to_owned(),
            cached,
            audit: audit.clone(),
            capabilities,
        }
    }

    fn unsafe_total(&self) -> usize {
        self.audit.unsafe_blocks
            + self.audit.unsafe_fns
            + self.audit.unsafe_impls
            + self.audit.unsafe_traits
            + self.audit.extern_blocks
    }

    fn unsafe_cell(&self) -> String {
        if self.unsafe_total() == 0 {
            return if self.audit.forbids_unsafe_code {
                "none (forbidden)".to_owned()
            } else {
                "none".to_owned()
            };
        }
        let parts: Vec<String> = [
            (self.audit.unsafe_blocks, "block"),
            (self.audit.unsafe_fns, "fn"),
            (self.audit.unsafe_impls, "impl"),
            (self.audit.unsafe_traits, "trait"),
            (self.audit.extern_blocks, "extern block"),
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| plural(*count, what))
        .collect();
        format!(
            "{} in {} of {}",
            parts.join(", "),
            self.audit.files_with_unsafe,
            plural(self.audit.rust_files, "file")
        )
    }

    fn build_time_cell(&self) -> String {
        let mut parts = Vec::new();
        if let Some(script) = &self.audit.build_script {
            parts.push(format!("build script {script}"));
        }
        if self.audit.proc_macro {
            parts.push("proc macro".to_owned());
        }
        if let Some(links) = &self.audit.links {
            parts.push(format!("links {links}"));
        }
        if parts.is_empty() {
            "-".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The section; `missing`: crates whose source was not found (`None` when the check did not run).
pub fn section(rows: &[CrateRow], missing: Option<usize>, selected: bool) -> Section {
    let mut section = Section::empty(
        super::NAME,
        Role::Check {
            selected,
            reads_source_files: false,
        },
    );
    let mut json_rows = rows.to_vec();
    json_rows.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    if let Some(missing) = missing {
        let bytes: u64 = rows.iter().map(|r| r.audit.rust_bytes).sum();
        let cached = rows.iter().filter(|r| r.cached).count();
        let size = if bytes >= 100_000 {
            format!("{:.1} MB", bytes as f64 / 1e6)
        } else {
            format!("{:.1} kB", bytes as f64 / 1e3)
        };
        if !rows.is_empty() {
            section.scanned = Some(format!(
                "{} of dependency source ({size} of Rust)",
                plural(rows.len(), "crate"),
            ));
        }
        let with_unsafe = rows.iter().filter(|r| r.unsafe_total() > 0).count();
        let with_capabilities = rows.iter().filter(|r| !r.capabilities.is_empty()).count();
        section.inputs.push(format!(
            "supply chain: {} audited ({cached} from the cache), {with_unsafe} with unsafe code, {with_capabilities} with capabilities{}",
            plural(rows.len(), "crate"),
            if missing > 0 {
                format!(", {missing} without source")
            } else {
                String::new()
            }
        ));
        section.table = Some(table(&json_rows));
    }
    section.read_packages = json_rows
        .iter()
        .map(|r| (r.name.clone(), r.version.clone()))
        .collect();
    section.sarif.insert(
        "supply_chain".to_owned(),
        serde_json::to_value(&json_rows).unwrap_or_default(),
    );
    section.json.push(("supply_chain", Box::new(json_rows)));
    section
}

/// Crates with capabilities first (most first), then by unsafe code; crates with neither are left
/// to the JSON report.
fn table(rows: &[CrateRow]) -> SectionTable {
    let mut shown: Vec<&CrateRow> = rows
        .iter()
        .filter(|r| !r.capabilities.is_empty() || r.unsafe_total() > 0)
        .collect();
    shown.sort_by(|a, b| {
        (b.capabilities.len(), b.unsafe_total(), &a.name, &a.version).cmp(&(
            a.capabilities.len(),
            a.unsafe_total(),
            &b.name,
            &b.version,
        ))
    });
    let hidden = shown.len().saturating_sub(TABLE_ROWS);
    let quiet = rows.len() - shown.len();
    shown.truncate(TABLE_ROWS);
    let mut notes = Vec::new();
    if hidden > 0 {
        notes.push(format!("{} more with unsafe code or capabilities", hidden));
    }
    if quiet > 0 {
        notes.push(format!("{} with neither", plural(quiet, "crate")));
    }
    SectionTable {
        title: "dependency code".to_owned(),
        header: vec![
            "crate".to_owned(),
            "unsafe".to_owned(),
            "build-time code".to_owned(),
            "capabilities".to_owned(),
        ],
        rows: shown
            .iter()
            .map(|r| {
                vec![
                    format!("{} {}", r.name, r.version),
                    r.unsafe_cell(),
                    r.build_time_cell(),
                    if r.capabilities.is_empty() {
                        "-".to_owned()
                    } else {
                        r.capabilities.join(", ")
                    },
                ]
            })
            .collect(),
        note: (!notes.is_empty()).then(|| {
            format!(
                "{} (all in the JSON report's supply_chain)",
                notes.join("; ")
            )
        }),
    }
}
