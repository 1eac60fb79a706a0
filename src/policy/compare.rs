//! What a change brings in and what it fixes: this scan's detections against the base's, by
//! fingerprint. Fingerprints name a finding by its rule and subject (the package, or the file
//! and the flagged text), never by line, so moving code or bumping an unrelated dependency
//! leaves a finding `unchanged`.

use crate::finding::{Class, Detection, Severity};
use std::collections::HashMap;

/// The base `--new-since` compared with, and what this change fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseComparison {
    /// The revision as given (`origin/main`).
    pub reference: String,
    /// The merge base scanned.
    pub commit: String,
    /// Findings of the base that are gone now (audit findings, which are inventory, left out).
    pub fixed: Vec<FixedFinding>,
}

/// A finding of the base that this change removed.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedFinding {
    pub detection: Detection,
    /// Its tier under the policy, as it would have been reported.
    pub severity: Severity,
}

/// For each of `head`, whether the base lacks it; and the base's weakness detections that `head`
/// lacks. A package's fingerprint leaves out its version (an upgrade that is still affected is
/// the same finding), so two locked versions of one crate share it: findings are paired on
/// fingerprint and version first, then on fingerprint alone.
pub fn compare(head: &[Detection], base: Vec<Detection>) -> (Vec<bool>, Vec<Detection>) {
    let mut head_matched = vec![false; head.len()];
    let mut base_matched = vec![false; base.len()];
    let exact = |d: &Detection| {
        (
            d.fingerprint.clone(),
            d.package().map(|p| p.version.clone()),
        )
    };
    let loose = |d: &Detection| (d.fingerprint.clone(), None);
    for key in [exact, loose] {
        let mut unpaired: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
        for (i, d) in base.iter().enumerate().rev() {
            if !base_matched[i] {
                unpaired.entry(key(d)).or_default().push(i);
            }
        }
        for (i, d) in head.iter().enumerate() {
            if head_matched[i] {
                continue;
            }
            if let Some(j) = unpaired.get_mut(&key(d)).and_then(Vec::pop) {
                head_matched[i] = true;
                base_matched[j] = true;
            }
        }
    }
    let new = head_matched.iter().map(|matched| !matched).collect();
    let fixed = base
        .into_iter()
        .zip(base_matched)
        .filter(|(d, matched)| !matched && d.class == Class::Weakness)
        .map(|(d, _)| d)
        .collect();
    (new, fixed)
}

/// Inventory that an update added: a new detection of a kind that `gates_when_updated`, about a
/// package the same lockfile locked at other versions only at the base (`base_versions`:
/// (lockfile, name) to versions), becomes a
/// weakness with a due date, and says which update brought it. A package the change adds is a
/// new dependency, which a reviewer chose; it stays inventory.
pub fn escalate_updates(
    detections: &mut [Detection],
    new: &[bool],
    base_versions: &HashMap<(String, String), Vec<String>>,
) {
    for (detection, _) in detections.iter_mut().zip(new).filter(|(_, new)| **new) {
        if !detection.kind.gates_when_updated || detection.class != Class::Audit {
            continue;
        }
        let Some(package) = detection.package().cloned() else {
            continue;
        };
        let key = (detection.file.clone(), package.name.clone());
        let Some(before) = base_versions.get(&key) else {
            continue;
        };
        if before.contains(&package.version) {
            continue;
        }
        let update = format!(
            "{} {} -> {}",
            package.name,
            before.join(", "),
            package.version
        );
        detection.class = Class::Weakness;
        let prefix = format!("{}: ", package.name);
        let what = detection
            .title
            .strip_prefix(&prefix)
            .unwrap_or(&detection.title)
            .to_owned();
        detection.title = format!("{update}: {what}");
        detection.description = format!(
            "The base locked {} without this capability; the update to {} adds it.\n{}",
            before.join(", "),
            package.version,
            detection.description
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{test_package_detection, SourceDetails, Subject};

    fn detection(fingerprint: &str, version: Option<&str>) -> Detection {
        let mut detection = test_package_detection("quick-xml", version.unwrap_or(""), fingerprint);
        if version.is_none() {
            detection.subject = Subject::Source(SourceDetails {
                cwe: Vec::new(),
                remediation: String::new(),
                secret: None,
                in_test: false,
            });
        }
        detection
    }

    #[test]
    fn two_locked_versions_of_one_crate_pair_by_version_first() {
        // The base locks 0.40.1 only; HEAD adds 0.39.4 below it in no particular order.
        let head = [
            detection("x", Some("0.39.4")),
            detection("x", Some("0.40.1")),
        ];
        let (new, fixed) = compare(&head, vec![detection("x", Some("0.40.1"))]);
        assert_eq!(new, [true, false]);
        assert!(fixed.is_empty());
    }

    #[test]
    fn an_upgrade_still_affected_is_unchanged_and_repeats_are_counted() {
        let (new, fixed) = compare(
            &[detection("x", Some("0.40.2"))],
            vec![detection("x", Some("0.40.1"))],
        );
        assert_eq!((new, fixed.len()), (vec![false], 0));
        let (new, fixed) = compare(
            &[detection("s", None)],
            vec![detection("s", None), detection("s", None)],
        );
        assert_eq!((new, fixed.len()), (vec![false], 1));
    }

    #[test]
    fn only_an_update_of_a_locked_package_turns_new_inventory_into_a_weakness() {
        let capability = |name: &str, version: &str| {
            let mut d = test_package_detection(name, version, name);
            d.kind.gates_when_updated = true;
            d.class = Class::Audit;
            d.title = format!("{name}: build script uses the `ureq` crate (build.rs:5)");
            d
        };
        let mut detections = vec![
            capability("netty", "1.1.0"),
            capability("brand-new", "0.1.0"),
            capability("same", "2.0.0"),
            capability("old-news", "3.1.0"),
        ];
        // The base locked netty in this lockfile; another lockfile's netty says nothing here.
        let file = detections[0].file.clone();
        let base: HashMap<(String, String), Vec<String>> = [
            (file.as_str(), "netty", "1.0.0"),
            (file.as_str(), "same", "2.0.0"),
            (file.as_str(), "old-news", "3.0.0"),
            ("fuzz/Cargo.lock", "brand-new", "0.0.1"),
        ]
        .iter()
        .map(|(f, n, v)| ((f.to_string(), n.to_string()), vec![v.to_string()]))
        .collect();
        // old-news had the capability at the base already: not new.
        escalate_updates(&mut detections, &[true, true, true, false], &base);
        let classes: Vec<Class> = detections.iter().map(|d| d.class).collect();
        assert_eq!(
            classes,
            [Class::Weakness, Class::Audit, Class::Audit, Class::Audit]
        );
        assert_eq!(
            detections[0].title,
            "netty 1.0.0 -> 1.1.0: build script uses the `ureq` crate (build.rs:5)"
        );
    }
}
