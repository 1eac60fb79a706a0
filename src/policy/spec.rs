//! Policy files: how many days each severity tier has to be fixed, how CVSS scores map to tiers,
//! and which tier unscored findings get. Presets live in `rules/policies/` and are embedded; a team
//! can pass its own file in the same format.

use crate::config::{error_at, from_toml, read};
use crate::date::Date;
use crate::error::Result;
use crate::report::{FindingKind, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Embedded presets, by name.
pub const PRESETS: [(&str, &str); 2] = [
    (
        "atlassian-cloud",
        include_str!("../../rules/policies/atlassian-cloud.toml"),
    ),
    ("fedramp", include_str!("../../rules/policies/fedramp.toml")),
];

pub const DEFAULT_PRESET: &str = "atlassian-cloud";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayCount {
    Calendar,
    Business,
}

impl DayCount {
    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar",
            DayCount::Business => "business",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tier {
    pub severity: Severity,
    pub min_cvss: f64,
    pub days: u32,
}

/// A validated policy. Serialized as-is into the report so readers see the rules applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    pub name: String,
    pub title: String,
    pub url: Option<String>,
    pub days: DayCount,
    /// A finding is due soon when this many days or fewer are left.
    pub due_soon: u32,
    /// Most severe first; the last starts at CVSS 0.0.
    pub tiers: Vec<Tier>,
    pub unscored: Unscored,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unscored {
    pub vulnerability: Severity,
    pub unsound: Severity,
    pub unmaintained: Severity,
    pub notice: Severity,
    pub secret: Severity,
    pub code: Severity,
    /// RustSec category -> tier, for unscored vulnerabilities.
    pub categories: BTreeMap<String, Severity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    name: String,
    title: String,
    url: Option<String>,
    days: Spanned<String>,
    #[serde(default = "default_due_soon")]
    due_soon: u32,
    tiers: Spanned<Vec<RawTier>>,
    unscored: RawUnscored,
}

fn default_due_soon() -> u32 {
    7
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTier {
    severity: Spanned<String>,
    min_cvss: Spanned<f64>,
    days: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawUnscored {
    vulnerability: Spanned<String>,
    unsound: Spanned<String>,
    unmaintained: Spanned<String>,
    notice: Spanned<String>,
    secret: Spanned<String>,
    code: Spanned<String>,
    #[serde(default)]
    categories: BTreeMap<String, Spanned<String>>,
}

impl Policy {
    pub fn preset(name: &str) -> Option<Policy> {
        let (_, text) = PRESETS.iter().find(|(preset, _)| *preset == name)?;
        // The presets are tested to parse (see the tests below), so this cannot fail at run time.
        Policy::parse(text, Path::new(&format!("rules/policies/{name}.toml"))).ok()
    }

    pub fn default_preset() -> Policy {
        Policy::preset(DEFAULT_PRESET).expect("the default preset is valid (tested)")
    }

    pub fn load(path: &Path) -> Result<Policy> {
        Policy::parse(&read(path)?, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Policy> {
        let raw: RawPolicy = from_toml(text, path)?;
        let at = |offset: usize, message: String| error_at(text, path, offset, message);
        let severity = |value: &Spanned<String>| {
            Severity::from_name(value.get_ref()).ok_or_else(|| {
                at(
                    value.span().start,
                    format!(
                        "unknown severity `{}`; use critical, high, medium or low",
                        value.get_ref()
                    ),
                )
            })
        };

        let days = match raw.days.get_ref().as_str() {
            "calendar" => DayCount::Calendar,
            "business" => DayCount::Business,
            other => {
                return Err(at(
                    raw.days.span().start,
                    format!("`days` is `{other}`; use \"calendar\" or \"business\""),
                ))
            }
        };

        let mut tiers: Vec<Tier> = Vec::new();
        for tier in raw.tiers.get_ref() {
            let parsed = Tier {
                severity: severity(&tier.severity)?,
                min_cvss: *tier.min_cvss.get_ref(),
                days: *tier.days.get_ref(),
            };
            if !(0.0..=10.0).contains(&parsed.min_cvss) {
                return Err(at(
                    tier.min_cvss.span().start,
                    "`min-cvss` must be between 0.0 and 10.0".into(),
                ));
            }
            if parsed.days == 0 {
                return Err(at(
                    tier.days.span().start,
                    "`days` must be at least 1".into(),
                ));
            }
            if let Some(previous) = tiers.last() {
                if parsed.severity <= previous.severity || parsed.min_cvss >= previous.min_cvss {
                    return Err(at(
                        tier.severity.span().start,
                        "tiers must go from most to least severe, each with a lower `min-cvss`"
                            .into(),
                    ));
                }
            }
            tiers.push(parsed);
        }
        match tiers.last() {
            None => {
                return Err(at(
                    raw.tiers.span().start,
                    "a policy needs at least one tier".into(),
                ))
            }
            Some(last) if last.min_cvss != 0.0 => {
                return Err(at(
                    raw.tiers.span().start,
                    "the last tier must have `min-cvss = 0.0` so every score has a tier".into(),
                ))
            }
            Some(_) => {}
        }

        let mut categories = BTreeMap::new();
        for (category, tier) in &raw.unscored.categories {
            categories.insert(category.clone(), severity(tier)?);
        }
        Ok(Policy {
            name: raw.name,
            title: raw.title,
            url: raw.url,
            days,
            due_soon: raw.due_soon,
            tiers,
            unscored: Unscored {
                vulnerability: severity(&raw.unscored.vulnerability)?,
                unsound: severity(&raw.unscored.unsound)?,
                unmaintained: severity(&raw.unscored.unmaintained)?,
                notice: severity(&raw.unscored.notice)?,
                secret: severity(&raw.unscored.secret)?,
                code: severity(&raw.unscored.code)?,
                categories,
            },
        })
    }

    /// The tier of a finding: by CVSS base score when there is one, otherwise by kind (and, for
    /// vulnerabilities, by RustSec category). A tier the policy does not define falls to the next
    /// less severe one it does (FedRAMP: critical counts as high).
    pub fn severity(
        &self,
        kind: FindingKind,
        cvss: Option<f64>,
        categories: &[String],
    ) -> Severity {
        if let Some(score) = cvss {
            return self
                .tiers
                .iter()
                .find(|tier| score >= tier.min_cvss)
                .map_or(self.lowest().severity, |tier| tier.severity);
        }
        let by_kind = match kind {
            FindingKind::Vulnerability => categories
                .iter()
                .filter_map(|c| self.unscored.categories.get(c).copied())
                .min()
                .unwrap_or(self.unscored.vulnerability),
            FindingKind::Unsound => self.unscored.unsound,
            FindingKind::Unmaintained => self.unscored.unmaintained,
            FindingKind::Notice => self.unscored.notice,
            FindingKind::Secret => self.unscored.secret,
            FindingKind::Code => self.unscored.code,
        };
        self.tier(by_kind).severity
    }

    /// The policy's tier for a severity, falling to the next less severe tier it defines.
    pub fn tier(&self, severity: Severity) -> &Tier {
        self.tiers
            .iter()
            .find(|tier| tier.severity >= severity)
            .unwrap_or_else(|| self.lowest())
    }

    fn lowest(&self) -> &Tier {
        // Validation guarantees at least one tier.
        &self.tiers[self.tiers.len() - 1]
    }

    /// The date a finding of this tier whose clock started on `start` must be fixed by.
    pub fn due(&self, start: Date, severity: Severity) -> Date {
        let days = self.tier(severity).days;
        match self.days {
            DayCount::Calendar => start.add_days(i64::from(days)),
            DayCount::Business => start.add_business_days(days),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn presets_parse() {
        for (name, _) in PRESETS {
            let policy = Policy::preset(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(policy.name, name);
        }
    }

    #[test]
    fn atlassian_tiers_and_days() {
        let policy = Policy::default_preset();
        let v = FindingKind::Vulnerability;
        assert_eq!(policy.severity(v, Some(9.8), &[]), Severity::Critical);
        assert_eq!(policy.severity(v, Some(9.0), &[]), Severity::Critical);
        assert_eq!(policy.severity(v, Some(8.9), &[]), Severity::High);
        assert_eq!(policy.severity(v, Some(4.0), &[]), Severity::Medium);
        assert_eq!(policy.severity(v, Some(3.9), &[]), Severity::Low);
        assert_eq!(policy.severity(v, Some(0.0), &[]), Severity::Low);
        let start = d("2026-11-22");
        assert_eq!(policy.due(start, Severity::Critical), d("2026-12-02"));
        assert_eq!(policy.due(start, Severity::High), d("2026-12-20"));
        assert_eq!(policy.due(start, Severity::Medium), d("2027-02-14"));
        assert_eq!(policy.due(start, Severity::Low), d("2027-05-16"));
    }

    #[test]
    fn unscored_findings_take_kind_and_category_defaults() {
        let policy = Policy::default_preset();
        let cats = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let v = FindingKind::Vulnerability;
        assert_eq!(policy.severity(v, None, &[]), Severity::Medium);
        assert_eq!(
            policy.severity(v, None, &cats(&["denial-of-service"])),
            Severity::Medium
        );
        assert_eq!(
            policy.severity(v, None, &cats(&["memory-corruption"])),
            Severity::High
        );
        assert_eq!(
            policy.severity(v, None, &cats(&["memory-corruption", "malicious"])),
            Severity::Critical
        );
        assert_eq!(
            policy.severity(FindingKind::Unsound, None, &cats(&["memory-corruption"])),
            Severity::Medium
        );
        assert_eq!(
            policy.severity(FindingKind::Unmaintained, None, &[]),
            Severity::Low
        );
        assert_eq!(
            policy.severity(FindingKind::Notice, None, &[]),
            Severity::Low
        );
    }

    #[test]
    fn fedramp_counts_critical_as_high() {
        let policy = Policy::preset("fedramp").unwrap();
        let v = FindingKind::Vulnerability;
        assert_eq!(policy.severity(v, Some(9.8), &[]), Severity::High);
        assert_eq!(
            policy.severity(v, None, &["malicious".to_string()]),
            Severity::High
        );
        assert_eq!(policy.due(d("2026-01-01"), Severity::High), d("2026-01-31"));
        assert_eq!(
            policy.due(d("2026-01-01"), Severity::Medium),
            d("2026-04-01")
        );
        assert_eq!(policy.due(d("2026-01-01"), Severity::Low), d("2026-06-30"));
    }

    #[test]
    fn business_day_policies_skip_weekends() {
        let text = PRESETS[0]
            .1
            .replace("days = \"calendar\"", "days = \"business\"");
        let policy = Policy::parse(&text, Path::new("p.toml")).unwrap();
        // Friday 2026-11-27 + 10 business days = Friday 2026-12-11.
        assert_eq!(
            policy.due(d("2026-11-27"), Severity::Critical),
            d("2026-12-11")
        );
    }

    #[test]
    fn malformed_policies_name_line_and_key() {
        let err = |text: String| {
            Policy::parse(&text, Path::new("p.toml"))
                .unwrap_err()
                .to_string()
        };
        let base = PRESETS[0].1;
        let e = err(base.replace("min-cvss = 7.0", "min-cvs = 7.0"));
        assert!(
            e.starts_with("p.toml:19:1: unknown key `min-cvs`; did you mean `min-cvss`?"),
            "{e}"
        );
        let e = err(base.replace("severity = \"high\"", "severity = \"severe\""));
        assert!(
            e.starts_with("p.toml:18:12: unknown severity `severe`"),
            "{e}"
        );
        let e = err(base.replace("days = \"calendar\"", "days = \"weekdays\""));
        assert!(e.contains("`days` is `weekdays`"), "{e}");
        let e = err(base.replace("min-cvss = 0.0", "min-cvss = 0.1"));
        assert!(
            e.contains("the last tier must have `min-cvss = 0.0`"),
            "{e}"
        );
        let e = err(base.replace("min-cvss = 7.0", "min-cvss = 9.5"));
        assert!(e.contains("tiers must go from most to least severe"), "{e}");
        let e = err(base.replace("days = 10 ", "days = 0 "));
        assert!(e.contains("`days` must be at least 1"), "{e}");
    }
}
