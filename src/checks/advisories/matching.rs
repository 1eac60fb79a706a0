//! Locked packages matched against the advisory data: one finding per affected package and
//! advisory, with how the package is reached, where its direct dependency is declared, and the
//! command that fixes it.

use super::advisory::Advisory;
use super::database::Database;
use super::fix::fix_for;
use crate::finding::{
    fingerprint, Class, DependencyInfo, Detection, Origin, PackageDetails, PackageRef, Span,
    Subject,
};
use crate::workspace::Workspace;
use rayon::prelude::*;

/// Every advisory that affects a package of `ws`, as a finding with how the package is reached
/// and where its direct dependency is declared.
pub(super) fn advisory_findings(ws: &Workspace, database: &Database) -> Vec<Detection> {
    ws.packages
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, package)| {
            let matches: Vec<_> = database
                .matching(&package.name, &package.version, package.source.as_ref())
                .collect();
            // The graph walk is per package, not per advisory: one crate often has several.
            let dependency = (!matches.is_empty())
                .then(|| ws.graph.dependency_info(index, |i| ws.packages[i].label()));
            let declared_at = if matches.is_empty() {
                None
            } else {
                declaration(ws, index)
            };
            matches.into_iter().map(move |advisory| {
                let reached = (dependency.clone(), declared_at.clone());
                advisory_finding(ws, index, advisory, reached)
            })
        })
        .collect()
}

/// Where the direct dependency that leads to `index` is declared: in the dependency path, the
/// last workspace package whose manifest is known, and its Cargo.toml line naming the next step.
fn declaration(ws: &Workspace, index: usize) -> Option<Span> {
    let path = ws.graph.path(index);
    let step = path
        .windows(2)
        .rposition(|pair| ws.manifests.contains_key(&pair[0]))?;
    let (member, direct) = (path[step], path[step + 1]);
    let manifest = ws.manifests.get(&member)?;
    let dependency = &ws.packages[direct].name;
    let (line, column, end_column) = manifest.dependency_line(dependency)?;
    Some(Span {
        file: manifest.display_path.clone(),
        line,
        column,
        end_column,
        message: format!(
            "{} declares its dependency on {dependency} here",
            ws.packages[member].name
        ),
    })
}

fn advisory_finding(
    ws: &Workspace,
    index: usize,
    advisory: &Advisory,
    (dependency, declared_at): (Option<DependencyInfo>, Option<Span>),
) -> Detection {
    let package = &ws.packages[index];
    Detection {
        kind: advisory.kind,
        rule: advisory.id.clone(),
        title: advisory.title.clone(),
        file: ws.display_path.clone(),
        line: package.line,
        column: 1,
        // Cargo writes the entry's first line as exactly `name = "<name>"`.
        end_column: 1 + format!("name = \"{}\"", package.name).len(),
        description: advisory.description.clone(),
        fingerprint: fingerprint(&[
            advisory.kind.as_str(),
            &advisory.id,
            &package.name,
            &ws.display_path,
        ]),
        rule_severity: None,
        class: Class::Weakness,
        origin: Origin::LockfileEntry {
            name: package.name.clone(),
            version: package.version.to_string(),
        },
        subject: Subject::Package(Box::new(PackageDetails {
            package: PackageRef {
                name: package.name.clone(),
                version: package.version.to_string(),
                source: package.source.as_ref().map(|s| s.to_string()),
            },
            dependency,
            aliases: advisory.aliases.clone(),
            references: advisory.references.clone(),
            url: advisory.url(),
            date: advisory.date,
            categories: advisory.categories.clone(),
            cvss: advisory.cvss.clone(),
            patched: advisory.patched.clone(),
            unaffected: advisory.unaffected.clone(),
            fix: fix_for(advisory, &package.name, &package.version),
            advisory_sources: advisory.sources.iter().map(|s| s.to_string()).collect(),
            declared_at,
            remediation: None,
        })),
    }
}
