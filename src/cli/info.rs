//! `explain` and `rules`: what a rule finds or what an advisory is about, from the same entries
//! the reports' rule help comes from.

use super::args::{ExplainArgs, RulesArgs};
use super::scan::{default_db, policy_arg};
use super::EXIT_PASSED;
use anyhow::bail;
use cargo_warden::checks;
use cargo_warden::finding::{markdown_table, Severity};
use cargo_warden::policy::{DayCount, KevDue, Policy, PRESETS};
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
        let cache = cargo_warden::paths::cache_dir(None, None);
        let ((database, _, _), _) =
            cargo_warden::advisories::load_cached(&sources, cache.as_deref())?;
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
    if args.policies {
        return run_policies();
    }
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

/// `rules --policies`: the presets, the days each tier gets, and the source of the numbers.
fn run_policies() -> anyhow::Result<u8> {
    let kinds = checks::kinds();
    let mut out = std::io::stdout().lock();
    let width = PRESETS
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "{:width$}  critical  high  medium  low  title and source",
        "preset"
    )?;
    for (name, _) in PRESETS {
        let policy = Policy::preset(name, &kinds)
            .ok_or_else(|| anyhow::anyhow!("the preset `{name}` does not parse"))?;
        // A tier the policy lacks takes the next one's days (FedRAMP counts critical as high).
        let days = |severity: Severity| policy.tier(severity).days;
        let mut notes = Vec::new();
        if policy.days == DayCount::Business {
            notes.push("business days".to_owned());
        }
        if policy.kev_required {
            notes.push("needs --kev".to_owned());
        }
        if policy.kev_due == KevDue::Catalog {
            notes.push("known exploited findings due on the catalog's date".to_owned());
        }
        for (kind, days) in &policy.time_frames {
            notes.push(format!("{kind}: {days} days"));
        }
        if !policy.due_now.is_empty() {
            notes.push(format!("due at once: {}", policy.due_now.join(", ")));
        }
        writeln!(
            out,
            "{name:width$}  {:>8}  {:>4}  {:>6}  {:>3}  {}",
            days(Severity::Critical),
            days(Severity::High),
            days(Severity::Medium),
            days(Severity::Low),
            policy.title
        )?;
        let indent = width + 31;
        if let Some(url) = &policy.url {
            writeln!(out, "{:indent$}{url}", "")?;
        }
        if !notes.is_empty() {
            writeln!(out, "{:indent$}{}", "", notes.join("; "))?;
        }
    }
    writeln!(
        out,
        "\ndays are calendar days from when a finding's clock starts; `--policy NAME` or `[policy] preset` picks one, `[policy] file` your own"
    )?;
    out.flush()?;
    Ok(EXIT_PASSED)
}
