//! Fix hints: the smallest patched version above the one in use, and what to run to get it.

use super::advisory::Advisory;
use crate::finding::Fix;
use semver::{Comparator, Op, Version, VersionReq};

/// `None` when the advisory names no fixed version above `current` (unmaintained crates, or
/// vulnerabilities with no fix yet).
pub fn fix_for(advisory: &Advisory, name: &str, current: &Version) -> Option<Fix> {
    let smallest = advisory
        .fixed
        .iter()
        .filter(|candidate| *candidate > current)
        .min()?
        .clone();
    let semver_compatible = compatible(current, &smallest);
    let command = if semver_compatible {
        format!("cargo update -p {name}@{current} --precise {smallest}")
    } else {
        // Beyond the semver-compatible range cargo update cannot go: the requirement in
        // Cargo.toml (of this crate or of whichever dependency pulls it in) has to change.
        format!("raise the `{name}` requirement to \"{smallest}\" in Cargo.toml (or upgrade the dependency that pulls it in), then run `cargo update -p {name}`")
    };
    Some(Fix {
        version: smallest.to_string(),
        semver_compatible,
        command,
    })
}

/// The lowest version a requirement accepts, as far as its comparators say. `>= 1.2.3, < 2` gives
/// 1.2.3; a requirement with only upper bounds gives 0.0.0, which is never above a version in use.
pub(super) fn lowest_matching(req: &VersionReq) -> Option<Version> {
    let lowest = req
        .comparators
        .iter()
        .filter_map(lower_bound)
        .max()
        .unwrap_or_else(|| Version::new(0, 0, 0));
    req.matches(&lowest).then_some(lowest)
}

fn lower_bound(comparator: &Comparator) -> Option<Version> {
    let major = comparator.major;
    let minor = comparator.minor.unwrap_or(0);
    let patch = comparator.patch.unwrap_or(0);
    let mut version = match comparator.op {
        Op::Exact | Op::GreaterEq | Op::Tilde | Op::Caret | Op::Wildcard => {
            Version::new(major, minor, patch)
        }
        Op::Greater => match (comparator.minor, comparator.patch) {
            (Some(minor), Some(patch)) => Version::new(major, minor, patch + 1),
            (Some(minor), None) => Version::new(major, minor + 1, 0),
            _ => Version::new(major + 1, 0, 0),
        },
        _ => return None,
    };
    if matches!(
        comparator.op,
        Op::Exact | Op::GreaterEq | Op::Tilde | Op::Caret
    ) {
        version.pre = comparator.pre.clone();
    }
    Some(version)
}

/// Cargo's notion of compatible: same left-most non-zero component.
fn compatible(current: &Version, candidate: &Version) -> bool {
    if current.major != candidate.major {
        return false;
    }
    if current.major > 0 {
        return true;
    }
    if current.minor != candidate.minor {
        return false;
    }
    current.minor > 0 || current.patch == candidate.patch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn req(s: &str) -> VersionReq {
        VersionReq::parse(s).unwrap()
    }

    #[test]
    fn lowest_of_a_bounded_range_is_its_lower_bound() {
        assert_eq!(lowest_matching(&req(">= 0.6.10, < 0.7")), Some(v("0.6.10")));
        assert_eq!(lowest_matching(&req("^1.2")), Some(v("1.2.0")));
        assert_eq!(lowest_matching(&req("> 1.2.3")), Some(v("1.2.4")));
        assert_eq!(
            lowest_matching(&req(">= 1.0.0-beta.2")),
            Some(v("1.0.0-beta.2"))
        );
        assert_eq!(lowest_matching(&req("< 0.1")), Some(v("0.0.0")));
    }

    #[test]
    fn compatibility_follows_cargo() {
        assert!(compatible(&v("0.6.9"), &v("0.6.10")));
        assert!(!compatible(&v("0.6.9"), &v("1.6.1")));
        assert!(compatible(&v("1.2.0"), &v("1.9.0")));
        assert!(!compatible(&v("0.0.3"), &v("0.0.4")));
    }
}
