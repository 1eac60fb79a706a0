//! `explain` and `rules`: what a rule finds or what an advisory is about, from the same entries
//! the reports' rule help comes from.

use super::args::{ExplainArgs, RulesArgs};
use super::scan::{default_db, policy_arg};
use super::EXIT_PASSED;
use anyhow::bail;
use cargo_warden::checks;
use cargo_warden::finding::markdown_table;
use cargo_warden::policy::Policy;
use std::io::Write;

pub fn run_explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let id = args.id.as_str();
    let rules = checks::rules()?;
    let text = if let Some(doc) = rules.iter().find(|doc| doc.id == id) {
        doc.markdown()
    } else if looks_like_advisory(id) {
        let db = match &args.db {
            Some(db) => db.clone(),
            None => default_db()?,
        };
        if !db.exists() {
            bail!(
                "{}: no advisory database to look `{id}` up in; run `cargo warden fetch` or pass --db DIR",
                db.display()
            );
        }
        let sources = cargo_warden::advisories::Sources {
            rustsec: Some(db.clone()),
            osv: Vec::new(),
        };
        let (database, _, _) = cargo_warden::advisories::Database::load(&sources)?;
        let Some(advisory) = database.find(id) else {
            bail!(
                "{}: no advisory `{id}`; check the id, or refresh the database with `cargo warden fetch`",
                db.display()
            );
        };
        let policy = match &args.policy {
            Some(policy) => policy_arg(policy)?,
            None => Policy::default_preset(&checks::kinds()),
        };
        advisory.markdown(&policy)
    } else {
        let closest = rules
            .iter()
            .map(|doc| (strsim::jaro_winkler(id, &doc.id), &doc.id))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.8)
            .map(|(_, best)| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        bail!("no rule `{id}`; {closest}run `cargo warden rules` to list them");
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_PASSED)
}

/// Advisory ids and the aliases they carry: `RUSTSEC-2019-0009`, `CVE-2019-15551`,
/// `GHSA-xxxx-xxxx-xxxx`.
fn looks_like_advisory(id: &str) -> bool {
    let upper = id.to_ascii_uppercase();
    ["RUSTSEC-", "CVE-", "GHSA-"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
}

pub fn run_rules(args: RulesArgs) -> anyhow::Result<u8> {
    let rules = checks::rules()?;
    if let Some(check) = args.markdown {
        let table = markdown_table(rules.iter().filter(|doc| doc.check == check));
        let mut out = std::io::stdout().lock();
        out.write_all(table.as_bytes())?;
        out.flush()?;
        return Ok(EXIT_PASSED);
    }
    let width = rules.iter().map(|doc| doc.id.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:width$}  {:8}  {:8}  {:16}  title",
        "id", "check", "severity", "cwe"
    )?;
    for doc in &rules {
        writeln!(
            out,
            "{:width$}  {:8}  {:8}  {:16}  {}",
            doc.id,
            doc.check,
            doc.severity.map_or("policy", |s| s.as_str()),
            doc.cwe.join(","),
            doc.title
        )?;
    }
    out.flush()?;
    Ok(EXIT_PASSED)
}
