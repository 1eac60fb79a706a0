//! CycloneDX 1.6 JSON: the software bill of materials auditors, Marketplace reviews and
//! dependency dashboards (Dependency-Track, DefectDojo) ingest, with the scan's dependency
//! findings as its `vulnerabilities` and the policy's due date on each.
//!
//! Every locked package of every lockfile read is one component (packages shared by several
//! lockfiles are listed once, their dependencies merged); workspace members are the metadata
//! component, and path dependencies are listed without a purl (they are no published package).
//! The model is typed serde structs rather than the cyclonedx-bom crate: the writer needs a
//! small, fixed part of the specification, and that crate brings an XML stack, an SPDX parser and
//! a proc-macro crate for it. Like the other formats, the document is a function of the report:
//! its timestamp is the report's day and its serial number a hash of its content.

use super::purl::{package_url, Origin};
use super::{Emitter, Report};
use crate::finding::{Class, DependencyKind, Finding, Justification, KnownExploited, VexStatus};
use crate::workspace::InventoryPackage;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io;

pub struct CycloneDx;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Clone)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

impl Component {
    /// An application with nothing but a name (the tool, or the scanned directory).
    fn application(bom_ref: Option<String>, name: String, version: Option<String>) -> Component {
        Component {
            kind: "application",
            bom_ref,
            name,
            version,
            scope: None,
            hashes: Vec::new(),
            purl: None,
            external_references: Vec::new(),
            properties: Vec::new(),
        }
    }
}

#[derive(Serialize, Clone)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize, Clone)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Property {
    name: String,
    value: String,
}

fn property(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("cargo-warden:{name}"),
        value: value.into(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

#[derive(Serialize)]
struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    ratings: Vec<Rating>,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    analysis: Analysis,
    affects: Vec<Affects>,
    properties: Vec<Property>,
}

#[derive(Serialize, Clone)]
struct Source {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct Rating {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

impl Rating {
    /// A rating that is the policy's tier, not a score, with why the tier is what it is.
    fn policy_tier(severity: crate::finding::Severity, justification: String) -> Rating {
        Rating {
            source: None,
            score: None,
            severity: severity.as_str(),
            method: "other",
            vector: None,
            justification: Some(justification),
        }
    }
}

#[derive(Serialize)]
struct Advisory {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    detail: String,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

/// The bom-ref of a package, which is also what merges packages across lockfiles: its purl when
/// it has one (so two spellings of one source, `registry+` and `sparse+` crates.io, or a git pin by
/// branch and by rev, are one component), else a `path:` reference that includes the lockfile's
/// directory (two workspaces' own `xtask 0.1.0` are different crates).
fn bom_ref(name: &str, version: &str, source: Option<&str>, lockfile: &str) -> String {
    package_url(name, version, source).unwrap_or_else(|| {
        let dir = lockfile.rsplit_once('/').map_or("", |(dir, _)| dir);
        if dir.is_empty() {
            format!("path:{name}@{version}")
        } else {
            format!("path:{dir}/{name}@{version}")
        }
    })
}

/// The packages of every lockfile, merged: components by bom-ref, with their dependencies'.
struct Inventory {
    packages: BTreeMap<String, Merged>,
}

struct Merged {
    bom_ref: String,
    package: InventoryPackage,
    dependencies: BTreeSet<String>,
    /// The strongest kind it is reached as in any lockfile (`None` when one lockfile cannot say).
    kind: Option<DependencyKind>,
    kind_unknown: bool,
}

impl Inventory {
    fn new(report: &Report) -> Inventory {
        let mut packages: BTreeMap<String, Merged> = BTreeMap::new();
        for workspace in &report.workspaces {
            let inventory = &workspace.inventory;
            let reference = |package: &InventoryPackage| {
                bom_ref(
                    &package.name,
                    &package.version,
                    package.source.as_deref(),
                    &workspace.lockfile,
                )
            };
            for package in inventory {
                let dependencies = package
                    .dependencies
                    .iter()
                    .map(|&i| reference(&inventory[i]));
                let entry = packages
                    .entry(reference(package))
                    .or_insert_with(|| Merged {
                        bom_ref: reference(package),
                        package: package.clone(),
                        dependencies: BTreeSet::new(),
                        kind: None,
                        kind_unknown: false,
                    });
                entry.dependencies.extend(dependencies);
                entry.package.member |= package.member;
                match package.kind {
                    // Normal < Build < Dev: the strongest use wins.
                    Some(kind) => entry.kind = Some(entry.kind.map_or(kind, |k| k.min(kind))),
                    None if !package.member => entry.kind_unknown = true,
                    None => {}
                }
            }
        }
        Inventory { packages }
    }
}

fn component(merged: &Merged) -> Component {
    let package = &merged.package;
    let source = package.source.as_deref();
    let origin = Origin::of(source);
    let mut properties = vec![property("source", origin.kind())];
    // A kind is only claimed when every lockfile that has the package said which.
    let kind = merged.kind.filter(|_| !merged.kind_unknown);
    if let Some(kind) = kind {
        properties.push(property("dependency-kind", kind.as_str()));
    }
    let external_references = match origin {
        Origin::Git { url, .. } => vec![ExternalReference {
            kind: "vcs",
            url: url.to_owned(),
        }],
        _ => Vec::new(),
    };
    Component {
        kind: if package.member {
            "application"
        } else {
            "library"
        },
        bom_ref: Some(merged.bom_ref.clone()),
        name: package.name.clone(),
        version: Some(package.version.clone()),
        // Build and dev dependencies are not part of what runs.
        scope: match kind {
            Some(DependencyKind::Normal) => Some("required"),
            Some(_) => Some("excluded"),
            None => None,
        },
        hashes: package
            .checksum
            .iter()
            .map(|content| Hash {
                alg: "SHA-256",
                content: content.clone(),
            })
            .collect(),
        purl: package_url(&package.name, &package.version, source),
        external_references,
        properties,
    }
}

/// The component the document describes: the one workspace member, or (several members, or none
/// found) the scanned directory, which depends on the members. Members then stay in the
/// top-level list, where every SBOM consumer reads them (Dependency-Track before 4.9 ignores
/// components nested under the metadata component).
fn subject(report: &Report, members: &mut Vec<Component>) -> Component {
    if members.len() == 1 {
        return members.pop().expect("one member");
    }
    let name = if report.root_name.is_empty() {
        "workspace".to_owned()
    } else {
        report.root_name.clone()
    };
    Component::application(Some(format!("workspace:{name}")), name, None)
}

/// CycloneDX's severities are the policy's four tiers plus ones it never gives.
fn cvss_method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3") {
        "CVSSv3"
    } else {
        "CVSSv2"
    }
}

fn cvss_severity(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    }
}

fn advisory_source(id: &str, url: Option<&str>) -> Source {
    let upper = id.to_ascii_uppercase();
    let (name, default_url) = if upper.starts_with("RUSTSEC-") {
        (
            "RustSec",
            Some(format!("https://rustsec.org/advisories/{id}.html")),
        )
    } else if upper.starts_with("GHSA-") {
        (
            "GitHub Advisory Database",
            Some(format!("https://github.com/advisories/{id}")),
        )
    } else if upper.starts_with("CVE-") {
        (
            "NVD",
            Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
        )
    } else {
        ("OSV", Some(format!("https://osv.dev/vulnerability/{id}")))
    };
    Source {
        name,
        url: url.map(str::to_owned).or(default_url),
    }
}

/// OpenVEX's justifications in CycloneDX's words.
fn justification(justification: Justification) -> &'static str {
    match justification {
        Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

/// An advisory about a bug is `exploitable` (OpenVEX's `affected`); one that is no bug yet (an
/// unmaintained or yanked crate) is still to be looked at.
fn active_state(finding: &Finding) -> &'static str {
    if matches!(finding.detection.kind.name, "vulnerability" | "unsound") {
        "exploitable"
    } else {
        "in_triage"
    }
}

fn analysis(finding: &Finding, report: &Report) -> Analysis {
    let v = &finding.verdict;
    let policy = &report.policy.policy.name;
    match &v.exception {
        Some(exception) => {
            let fixed = exception.vex_status == Some(VexStatus::Fixed);
            let mut detail = format!("accepted: {} ({})", exception.reason, exception.source);
            if let Some(impact) = &exception.impact {
                detail.push_str(&format!("; impact: {impact}"));
            }
            if let Some(until) = exception.until {
                detail.push_str(&format!("; until {until}"));
            }
            if let Some(owner) = &exception.owner {
                detail.push_str(&format!("; owner {owner}"));
            }
            // `not_affected` is a claim about the code: only with a reason in VEX terms (a
            // justification or impact statement, or a supplier's VEX saying so). A plain ignore
            // is an accepted risk, which dashboards must not hide as "not affected".
            let claims_not_affected = exception.justification.is_some()
                || exception.impact.is_some()
                || exception.vex_status == Some(VexStatus::NotAffected);
            let (state, response) = if fixed {
                ("resolved", Vec::new())
            } else if claims_not_affected {
                ("not_affected", Vec::new())
            } else {
                (active_state(finding), vec!["will_not_fix"])
            };
            Analysis {
                state,
                justification: exception.justification.map(justification),
                response,
                detail,
            }
        }
        None => {
            let detail = match v.clock {
                Some(clock) if clock.days_left < 0 => {
                    format!("overdue since {} under the {policy} policy", clock.due)
                }
                Some(clock) => format!("due {} under the {policy} policy", clock.due),
                None => format!("no due date under the {policy} policy"),
            };
            let fixable = finding
                .detection
                .advisory()
                .is_some_and(|a| a.fix.is_some());
            Analysis {
                state: active_state(finding),
                justification: None,
                response: if fixable { vec!["update"] } else { Vec::new() },
                detail,
            }
        }
    }
}

fn vulnerability(finding: &Finding, component_ref: String, report: &Report) -> Vulnerability {
    let (d, v) = (&finding.detection, &finding.verdict);
    let advisory = d.advisory().expect("only dependency findings are written");
    let source = advisory_source(&d.rule, advisory.url.as_deref());
    let mut aliases: Vec<&String> = advisory.aliases.iter().filter(|a| **a != d.rule).collect();
    aliases.sort();
    aliases.dedup();
    let mut ratings = match &advisory.cvss {
        Some(cvss) => vec![Rating {
            source: Some(source.clone()),
            score: Some(cvss.score),
            severity: cvss_severity(cvss.score),
            method: cvss_method(&cvss.vector),
            vector: Some(cvss.vector.clone()),
            justification: None,
        }],
        None => vec![Rating::policy_tier(
            v.severity,
            format!(
                "no CVSS score; the {} policy's tier for an unscored {} finding",
                report.policy.policy.name,
                d.kind.as_str()
            ),
        )],
    };
    // A known exploited finding's tier comes from the catalog, not from the score.
    if let Some(KnownExploited::Listed { cve, .. }) = &v.known_exploited {
        let unscored = advisory.cvss.is_none();
        let rating = Rating::policy_tier(
            v.severity,
            format!(
                "{cve} is in CISA's Known Exploited Vulnerabilities catalog; the {} policy rates it {}",
                report.policy.policy.name,
                v.severity.as_str()
            ),
        );
        if unscored {
            ratings = vec![rating];
        } else {
            ratings.push(rating);
        }
    }
    let mut properties = vec![
        property("policy", report.policy.policy.name.clone()),
        property("severity", v.severity.as_str()),
        property("status", v.status.as_str()),
    ];
    if let Some(clock) = v.clock {
        properties.push(property("due", clock.due.to_string()));
        properties.push(property("clock-start", clock.start.to_string()));
    }
    match &v.known_exploited {
        Some(KnownExploited::Listed { cve, due, .. }) => {
            properties.push(property("known-exploited", format!("{cve}, due {due}")));
        }
        Some(KnownExploited::UnreadableEntry { cve }) => properties.push(property(
            "known-exploited",
            format!("unknown: the catalog's entry for {cve} could not be read"),
        )),
        Some(KnownExploited::NotListed) => properties.push(property("known-exploited", "no")),
        Some(KnownExploited::NoCveAlias) => {
            properties.push(property("known-exploited", "unknown: no CVE alias"))
        }
        None => {}
    }
    if let Some(new) = v.new {
        properties.push(property("new", if new { "true" } else { "false" }));
    }
    properties.sort();
    Vulnerability {
        bom_ref: format!("{}/{component_ref}", d.rule),
        id: d.rule.clone(),
        references: aliases
            .into_iter()
            .map(|alias| Reference {
                id: alias.clone(),
                source: advisory_source(alias, None),
            })
            .collect(),
        ratings,
        description: d.title.clone(),
        detail: (!d.description.is_empty() && d.description != d.title)
            .then(|| d.description.clone()),
        recommendation: d.next_step().map(str::to_owned),
        advisories: advisory
            .url
            .iter()
            .map(|url| Advisory {
                title: d.title.clone(),
                url: url.clone(),
            })
            .collect(),
        published: advisory.date.map(|date| format!("{date}T00:00:00Z")),
        analysis: analysis(finding, report),
        affects: vec![Affects {
            reference: component_ref,
            versions: vec![AffectedVersion {
                version: advisory.package.version.clone(),
                status: "affected",
            }],
        }],
        source,
        properties,
    }
}

/// One entry per advisory and component. The same package locked by several lockfiles is one
/// component, so its findings merge: the one due first stands for them.
fn vulnerabilities(report: &Report) -> Vec<Vulnerability> {
    let mut chosen: BTreeMap<(String, String), &Finding> = BTreeMap::new();
    for finding in &report.findings {
        let d = &finding.detection;
        let Some(package) = d.package() else {
            continue;
        };
        if d.class != Class::Weakness {
            continue;
        }
        let reference = bom_ref(
            &package.name,
            &package.version,
            package.source.as_deref(),
            &d.file,
        );
        let urgency = |f: &Finding| {
            (
                f.verdict.exception.is_some(),
                f.verdict.clock.map(|c| c.due),
            )
        };
        chosen
            .entry((d.rule.clone(), reference))
            .and_modify(|kept| {
                if urgency(finding) < urgency(kept) {
                    *kept = finding;
                }
            })
            .or_insert(finding);
    }
    chosen
        .into_iter()
        .map(|((_, reference), finding)| vulnerability(finding, reference, report))
        .collect()
}

fn document(report: &Report) -> Bom {
    let inventory = Inventory::new(report);
    let mut members = Vec::new();
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    for merged in inventory.packages.values() {
        let component = component(merged);
        dependencies.push(Dependency {
            reference: component.bom_ref.clone().unwrap_or_default(),
            depends_on: merged.dependencies.iter().cloned().collect(),
        });
        if merged.package.member {
            members.push(component);
        } else {
            components.push(component);
        }
    }
    let subject = subject(report, &mut members);
    if let Some(reference) = subject
        .bom_ref
        .clone()
        .filter(|r| r.starts_with("workspace:"))
    {
        dependencies.push(Dependency {
            reference,
            depends_on: members
                .iter()
                .filter_map(|member| member.bom_ref.clone())
                .collect(),
        });
    }
    components.append(&mut members);
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    dependencies.sort_by(|a, b| a.reference.cmp(&b.reference));
    let mut metadata_properties = vec![
        property("policy", report.policy.policy.name.clone()),
        property("today", report.today.to_string()),
        property(
            "gate",
            if report.gate.passed {
                "passed"
            } else {
                "failed"
            },
        ),
    ];
    for workspace in &report.workspaces {
        metadata_properties.push(property(
            "lockfile",
            format!("{}{}", report.repository_prefix, workspace.lockfile),
        ));
    }
    Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: format!("{}T00:00:00Z", report.today),
            tools: Tools {
                components: vec![Component::application(
                    None,
                    report.tool.name.to_owned(),
                    Some(report.tool.version.to_owned()),
                )],
            },
            component: subject,
            properties: metadata_properties,
        },
        components,
        dependencies,
        vulnerabilities: vulnerabilities(report),
    }
}

/// A name-based UUID (version 5 layout) from the document's content, so the same scan writes the
/// same serial number and a different one never does.
fn serial_number(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(content);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl Emitter for CycloneDx {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut bom = document(report);
        bom.serial_number = serial_number(&serde_json::to_vec(&bom)?);
        serde_json::to_writer_pretty(&mut *out, &bom)?;
        out.write_all(b"\n")
    }
}
