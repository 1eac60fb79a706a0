//! The JSON report: the stable contract other tools parse (see README "JSON contract").
//!
//! The contract is written out here rather than derived from the internal types, so reshaping
//! those never renames or reorders a field. Every finding has every field (`null` or `[]` where
//! it does not apply), so readers need no per-kind schema; `cwe`, `remediation` and `secret` are
//! added only where they apply.

use super::{Emitter, PolicySummary, Report, Tool, WorkspaceSummary, REPORT_VERSION};
use crate::date::Date;
use crate::finding::{
    ClockSource, Cvss, DependencyInfo, Exception, FailOn, Finding, FindingKind, Fix, Gate,
    KnownExploited, PackageRef, SecretEvidence, Severity, Span, Status, Subject, Warning,
};
use crate::policy::KevSummary;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::io;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &JsonReport::new(report))?;
        out.write_all(b"\n")
    }
}

#[derive(Serialize)]
struct JsonReport<'r> {
    version: u32,
    tool: &'r Tool,
    today: Date,
    policy: &'r PolicySummary,
    checks: Vec<&'static str>,
    repository_prefix: &'r str,
    workspaces: &'r [WorkspaceSummary],
    #[serde(flatten)]
    sections: Sections<'r>,
    findings: Vec<JsonFinding<'r>>,
    /// With `--new-since` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    new_since: Option<JsonBase<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<Vec<JsonFixed<'r>>>,
    /// With `--kev` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    known_exploited_catalog: Option<&'r KevSummary>,
    warnings: &'r [Warning],
    gate: &'r Gate,
}

/// The base `--new-since` compared with.
#[derive(Serialize)]
struct JsonBase<'r> {
    reference: &'r str,
    commit: &'r str,
}

/// A finding of the base that this change removed.
#[derive(Serialize)]
struct JsonFixed<'r> {
    kind: FindingKind,
    rule: &'r str,
    title: &'r str,
    file: &'r str,
    line: usize,
    column: usize,
    package: Option<&'r PackageRef>,
    aliases: &'r [String],
    severity: Severity,
    fingerprint: &'r str,
}

impl<'r> JsonReport<'r> {
    fn new(report: &'r Report) -> Self {
        debug_assert_eq!(report.version, REPORT_VERSION);
        JsonReport {
            version: report.version,
            tool: &report.tool,
            today: report.today,
            policy: &report.policy,
            checks: report.checks(),
            repository_prefix: &report.repository_prefix,
            workspaces: &report.workspaces,
            sections: Sections(report),
            findings: report
                .findings
                .iter()
                .map(|finding| JsonFinding::new(finding, report.known_exploited_catalog.is_some()))
                .collect(),
            new_since: report.comparison.as_ref().map(|c| JsonBase {
                reference: &c.reference,
                commit: &c.commit,
            }),
            fixed: report.comparison.as_ref().map(|c| {
                c.fixed
                    .iter()
                    .map(|fixed| {
                        let d = &fixed.detection;
                        JsonFixed {
                            kind: d.kind,
                            rule: &d.rule,
                            title: &d.title,
                            file: &d.file,
                            line: d.line,
                            column: d.column,
                            package: d.package(),
                            aliases: d.aliases(),
                            severity: fixed.severity,
                            fingerprint: &d.fingerprint,
                        }
                    })
                    .collect()
            }),
            known_exploited_catalog: report.known_exploited_catalog.as_ref(),
            warnings: &report.warnings,
            gate: &report.gate,
        }
    }
}

/// Each section's top-level fields, in section order.
struct Sections<'r>(&'r Report);

impl Serialize for Sections<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for section in &self.0.sections {
            for (key, value) in &section.json {
                map.serialize_entry(key, value.as_ref())?;
            }
        }
        map.end()
    }
}

/// One finding as the contract spells it.
#[derive(Serialize)]
struct JsonFinding<'r> {
    kind: FindingKind,
    rule: &'r str,
    title: &'r str,
    file: &'r str,
    line: usize,
    column: usize,
    end_column: usize,
    package: Option<&'r PackageRef>,
    dependency: Option<&'r DependencyInfo>,
    aliases: &'r [String],
    references: &'r [String],
    url: Option<&'r str>,
    date: Option<Date>,
    categories: &'r [String],
    cvss: Option<&'r Cvss>,
    patched: &'r [String],
    unaffected: &'r [String],
    fix: Option<&'r Fix>,
    advisory_sources: &'r [String],
    declared_at: Option<&'r Span>,
    description: &'r str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    cwe: &'r [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'r SecretEvidence>,
    fingerprint: &'r str,
    severity: Severity,
    /// `null` for audit findings, which have no remediation window.
    clock_start: Option<Date>,
    clock_source: Option<ClockSource>,
    due: Option<Date>,
    days_left: Option<i64>,
    status: Status,
    ignore_reason: Option<&'r str>,
    /// Why it is accepted: reason, source, owner, until and the VEX fields.
    exception: Option<&'r Exception>,
    /// With `--new-since` only: absent from the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<bool>,
    /// With `--kev` only: what the catalog says (`null` for source findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    known_exploited: Option<Option<&'r KnownExploited>>,
    fails_gate: &'r [FailOn],
}

impl<'r> JsonFinding<'r> {
    fn new(finding: &'r Finding, with_catalog: bool) -> Self {
        let (d, v) = (&finding.detection, &finding.verdict);
        const NONE: &[String] = &[];
        let package = d.advisory();
        let source = match &d.subject {
            Subject::Source(details) => Some(details),
            Subject::Package(_) => None,
        };
        JsonFinding {
            kind: d.kind,
            rule: &d.rule,
            title: &d.title,
            file: &d.file,
            line: d.line,
            column: d.column,
            end_column: d.end_column,
            package: package.map(|p| &p.package),
            dependency: package.and_then(|p| p.dependency.as_ref()),
            aliases: package.map_or(NONE, |p| &p.aliases),
            references: package.map_or(NONE, |p| &p.references),
            url: package.and_then(|p| p.url.as_deref()),
            date: package.and_then(|p| p.date),
            categories: package.map_or(NONE, |p| &p.categories),
            cvss: package.and_then(|p| p.cvss.as_ref()),
            patched: package.map_or(NONE, |p| &p.patched),
            unaffected: package.map_or(NONE, |p| &p.unaffected),
            fix: package.and_then(|p| p.fix.as_ref()),
            advisory_sources: package.map_or(NONE, |p| &p.advisory_sources),
            declared_at: package.and_then(|p| p.declared_at.as_ref()),
            description: &d.description,
            cwe: source.map_or(NONE, |s| &s.cwe),
            remediation: source
                .map(|s| s.remediation.as_str())
                .or_else(|| package.and_then(|p| p.remediation.as_deref())),
            secret: source.and_then(|s| s.secret.as_ref()),
            fingerprint: &d.fingerprint,
            severity: v.severity,
            clock_start: v.clock.map(|c| c.start),
            clock_source: v.clock.map(|c| c.source),
            due: v.clock.map(|c| c.due),
            days_left: v.clock.map(|c| c.days_left),
            status: v.status,
            ignore_reason: v.exception.as_ref().map(|e| e.reason.as_str()),
            exception: v.exception.as_ref(),
            new: v.new,
            known_exploited: with_catalog.then_some(v.known_exploited.as_ref()),
            fails_gate: &v.fails_gate,
        }
    }
}
