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

/// For each of `head`, whether the base lacks it; and the base detections `head` lacks. The same
/// fingerprint twice (two lockfiles with the same path cannot happen, but a rule may repeat) is
/// counted: two at the base and three now make one new.
pub fn compare(head: &[Detection], base: Vec<Detection>) -> (Vec<bool>, Vec<Detection>) {
    let mut remaining: HashMap<&str, usize> = HashMap::new();
    for detection in &base {
        *remaining.entry(detection.fingerprint.as_str()).or_default() += 1;
    }
    let new: Vec<bool> = head
        .iter()
        .map(|d| match remaining.get_mut(d.fingerprint.as_str()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .collect();
    let mut still: HashMap<&str, usize> = HashMap::new();
    for detection in head {
        *still.entry(detection.fingerprint.as_str()).or_default() += 1;
    }
    let fixed_indices: Vec<usize> = base
        .iter()
        .enumerate()
        .filter(|(_, d)| match still.get_mut(d.fingerprint.as_str()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .filter(|(_, d)| d.class == Class::Weakness)
        .map(|(i, _)| i)
        .collect();
    let fixed = base
        .into_iter()
        .enumerate()
        .filter(|(i, _)| fixed_indices.binary_search(i).is_ok())
        .map(|(_, d)| d)
        .collect();
    (new, fixed)
}
