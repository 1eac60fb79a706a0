//! Policy files: how many days each severity tier has to be fixed, how CVSS scores map to tiers,
//! and which tier unscored findings get. Presets live in `rules/policies/` and are embedded; a team
//! can pass its own file in the same format.

use crate::date::Date;
use crate::error::Result;
use crate::finding::{FindingKind, Severity};
use crate::toml_doc::{error_at, from_toml, read, unknown_key};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Embedded presets, by name, in the order `cargo warden rules --policies` lists them.
pub const PRESETS: [(&str, &str); 6] = [
    (
        "atlassian-cloud",
        include_str!("../../rules/policies/atlassian-cloud.toml"),
    ),
    (
        "atlassian-marketplace-cloud",
        include_str!("../../rules/policies/atlassian-marketplace-cloud.toml"),
    ),
    (
        "atlassian-marketplace-dc",
        include_str!("../../rules/policies/atlassian-marketplace-dc.toml"),
    ),
    (
        "pci-dss-4",
        include_str!("../../rules/policies/pci-dss-4.toml"),
    ),
    (
        "cisa-kev",
        include_str!("../../rules/policies/cisa-kev.toml"),
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

/// How a finding listed in the Known Exploited Vulnerabilities catalog gets its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KevDue {
    /// The earlier of the policy's date for the critical tier and the catalog's `dueDate`.
    Earlier,
    /// The catalog's `dueDate`, as BOD 22-01 sets it (never later than the date the finding would
    /// have without the listing).
    Catalog,
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
    /// Days by kind of finding (`[time-frames]`), replacing the tier's days for that kind.
    pub time_frames: BTreeMap<String, u32>,
    /// RustSec categories whose findings are due the day they are found (`malicious`).
    pub due_now: Vec<String>,
    pub kev_due: KevDue,
    /// The policy is defined by a Known Exploited Vulnerabilities catalog, so a scan needs one.
    pub kev_required: bool,
}

/// Tiers for findings without a CVSS score: one per kind of finding, in the order the checks
/// declare their kinds (a kind the file does not name takes the kind's own default), and RustSec
/// categories that raise unscored findings of the kinds that have them.
#[derive(Clone, Debug, PartialEq)]
pub struct Unscored {
    pub kinds: Vec<(&'static str, Severity)>,
    /// RustSec category -> tier.
    pub categories: BTreeMap<String, Severity>,
}

impl Unscored {
    /// The tier of an unscored finding of `kind`, before categories.
    pub fn of(&self, kind: FindingKind) -> Severity {
        self.kinds
            .iter()
            .find(|(name, _)| *name == kind.name)
            .map_or(kind.default_tier, |(_, severity)| *severity)
    }
}

/// As the report shows it: each kind's tier, then the categories.
impl Serialize for Unscored {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.kinds.len() + 1))?;
        for (kind, severity) in &self.kinds {
            map.serialize_entry(kind, severity)?;
        }
        map.serialize_entry("categories", &self.categories)?;
        map.end()
    }
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
    #[serde(default)]
    unscored: RawUnscored,
    #[serde(default)]
    time_frames: BTreeMap<Spanned<String>, Spanned<u32>>,
    due_now: Option<Vec<String>>,
    kev_due: Option<Spanned<String>>,
    #[serde(default)]
    kev_required: bool,
}

/// Malicious packages are due the day they are found unless a policy says otherwise.
const DEFAULT_DUE_NOW: &str = "malicious";

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

/// `[unscored]`: a tier per kind (which kinds exist depends on the checks, so the keys are checked
/// after reading), and `[unscored.categories]`.
#[derive(Default)]
struct RawUnscored {
    kinds: Vec<(Spanned<String>, Spanned<String>)>,
    categories: BTreeMap<String, Spanned<String>>,
}

impl<'de> Deserialize<'de> for RawUnscored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct RawUnscoredVisitor;
        impl<'de> Visitor<'de> for RawUnscoredVisitor {
            type Value = RawUnscored;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of tiers by kind of finding")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<RawUnscored, A::Error> {
                let mut raw = RawUnscored::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if key.get_ref() == "categories" {
                        raw.categories = map.next_value()?;
                    } else {
                        raw.kinds.push((key, map.next_value()?));
                    }
                }
                Ok(raw)
            }
        }
        deserializer.deserialize_map(RawUnscoredVisitor)
    }
}

impl Policy {
    /// An embedded preset by name, for findings of `kinds`.
    pub fn preset(name: &str, kinds: &[FindingKind]) -> Option<Policy> {
        let (_, text) = PRESETS.iter().find(|(preset, _)| *preset == name)?;
        // The presets are tested to parse (see the tests below), so this cannot fail at run time.
        Policy::parse(
            text,
            Path::new(&format!("rules/policies/{name}.toml")),
            kinds,
        )
        .ok()
    }

    pub fn default_preset(kinds: &[FindingKind]) -> Policy {
        Policy::preset(DEFAULT_PRESET, kinds).expect("the default preset is valid (tested)")
    }

    pub fn load(path: &Path, kinds: &[FindingKind]) -> Result<Policy> {
        Policy::parse(&read(path)?, path, kinds)
    }

    /// A policy file for findings of `kinds` (the kinds the checks declare): `[unscored]` may name
    /// any of them, and those it does not name take the kind's own default.
    pub fn parse(text: &str, path: &Path, kinds: &[FindingKind]) -> Result<Policy> {
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

        let mut named = BTreeMap::new();
        for (kind, tier) in &raw.unscored.kinds {
            if !kinds.iter().any(|k| k.name == kind.get_ref()) {
                let mut expected: Vec<&str> = kinds.iter().map(|k| k.name).collect();
                expected.push("categories");
                return Err(at(
                    kind.span().start,
                    unknown_key(kind.get_ref(), &expected),
                ));
            }
            named.insert(kind.get_ref().as_str(), severity(tier)?);
        }
        let mut categories = BTreeMap::new();
        for (category, tier) in &raw.unscored.categories {
            categories.insert(category.clone(), severity(tier)?);
        }
        let mut time_frames = BTreeMap::new();
        for (kind, days) in &raw.time_frames {
            if !kinds.iter().any(|k| k.name == kind.get_ref()) {
                let expected: Vec<&str> = kinds.iter().map(|k| k.name).collect();
                return Err(at(
                    kind.span().start,
                    unknown_key(kind.get_ref(), &expected),
                ));
            }
            if *days.get_ref() == 0 {
                return Err(at(
                    days.span().start,
                    format!(
                        "`{}` must be at least 1 day; for findings due the day they are found, use `due-now` with their RustSec categories",
                        kind.get_ref()
                    ),
                ));
            }
            time_frames.insert(kind.get_ref().clone(), *days.get_ref());
        }
        let kev_due = match raw
            .kev_due
            .as_ref()
            .map(|v| (v.get_ref().as_str(), v.span()))
        {
            None | Some(("earlier", _)) => KevDue::Earlier,
            Some(("catalog", _)) => KevDue::Catalog,
            Some((other, span)) => {
                return Err(at(
                    span.start,
                    format!("`kev-due` is `{other}`; use \"earlier\" or \"catalog\""),
                ))
            }
        };
        Ok(Policy {
            name: raw.name,
            title: raw.title,
            url: raw.url,
            days,
            due_soon: raw.due_soon,
            tiers,
            unscored: Unscored {
                kinds: kinds
                    .iter()
                    .map(|kind| {
                        let tier = named.get(kind.name).copied();
                        (kind.name, tier.unwrap_or(kind.default_tier))
                    })
                    .collect(),
                categories,
            },
            time_frames,
            due_now: raw
                .due_now
                .unwrap_or_else(|| vec![DEFAULT_DUE_NOW.to_owned()]),
            kev_due,
            kev_required: raw.kev_required,
        })
    }

    /// The tier of a finding: by CVSS base score when there is one, otherwise by kind (and, for
    /// kinds that have them, by RustSec category). A tier the policy does not define falls to the
    /// next less severe one it does (FedRAMP: critical counts as high).
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
        let own = self.unscored.of(kind);
        let by_kind = if kind.categorised {
            categories
                .iter()
                .filter_map(|c| self.unscored.categories.get(c).copied())
                .min()
                .unwrap_or(own)
        } else {
            own
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
        self.add_days(start, self.tier(severity).days)
    }

    /// The due date of a finding of `kind` in RustSec `categories`: the day it was found for a
    /// `due-now` category, the kind's own time frame when the policy sets one, else its tier's.
    pub fn due_for(
        &self,
        start: Date,
        severity: Severity,
        kind: FindingKind,
        categories: &[String],
    ) -> Date {
        if self.is_due_now(categories) {
            return start;
        }
        match self.time_frames.get(kind.name) {
            Some(&days) => self.add_days(start, days),
            None => self.due(start, severity),
        }
    }

    /// Whether findings in these RustSec categories are due the day they are found.
    pub fn is_due_now(&self, categories: &[String]) -> bool {
        categories.iter().any(|c| self.due_now.contains(c))
    }

    fn add_days(&self, start: Date, days: u32) -> Date {
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

    /// Kinds as a check would declare them (the policy knows none of its own).
    const fn kind(name: &'static str, default_tier: Severity, categorised: bool) -> FindingKind {
        FindingKind {
            name,
            check: "test",
            rule_name: "Test",
            default_tier,
            categorised,
            gates_when_updated: false,
        }
    }
    const VULNERABILITY: FindingKind = kind("vulnerability", Severity::Medium, true);
    const UNSOUND: FindingKind = kind("unsound", Severity::Medium, false);
    const UNMAINTAINED: FindingKind = kind("unmaintained", Severity::Low, false);
    const NOTICE: FindingKind = kind("notice", Severity::Low, false);
    const SECRET: FindingKind = kind("secret", Severity::Critical, false);
    const CODE: FindingKind = kind("code", Severity::Medium, false);
    const KINDS: [FindingKind; 6] = [VULNERABILITY, UNSOUND, UNMAINTAINED, NOTICE, SECRET, CODE];

    #[test]
    fn presets_parse() {
        for (name, _) in PRESETS {
            let policy = Policy::preset(name, &KINDS).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(policy.name, name);
        }
    }

    #[test]
    fn atlassian_tiers_and_days() {
        let policy = Policy::default_preset(&KINDS);
        let v = VULNERABILITY;
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
        let policy = Policy::default_preset(&KINDS);
        let cats = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let v = VULNERABILITY;
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
            policy.severity(UNSOUND, None, &cats(&["memory-corruption"])),
            Severity::Medium
        );
        assert_eq!(policy.severity(UNMAINTAINED, None, &[]), Severity::Low);
        assert_eq!(policy.severity(NOTICE, None, &[]), Severity::Low);
    }

    #[test]
    fn fedramp_counts_critical_as_high() {
        let policy = Policy::preset("fedramp", &KINDS).unwrap();
        let v = VULNERABILITY;
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
        let policy = Policy::parse(&text, Path::new("p.toml"), &KINDS).unwrap();
        // Friday 2026-11-27 + 10 business days = Friday 2026-12-11.
        assert_eq!(
            policy.due(d("2026-11-27"), Severity::Critical),
            d("2026-12-11")
        );
    }

    #[test]
    fn malformed_policies_name_line_and_key() {
        let err = |text: String| {
            Policy::parse(&text, Path::new("p.toml"), &KINDS)
                .unwrap_err()
                .to_string()
        };
        let base = PRESETS[0].1;
        let e = err(base.replace("min-cvss = 7.0", "min-cvs = 7.0"));
        assert!(
            e.starts_with("p.toml:24:1: unknown key `min-cvs`; did you mean `min-cvss`?"),
            "{e}"
        );
        let e = err(base.replace("severity = \"high\"", "severity = \"severe\""));
        assert!(
            e.starts_with("p.toml:23:12: unknown severity `severe`"),
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
        let e = err(base.replace("notice = \"low\"", "notices = \"low\""));
        assert!(
            e.contains("unknown key `notices`; did you mean `notice`?"),
            "{e}"
        );
    }

    #[test]
    fn a_kind_the_policy_does_not_name_takes_its_own_default() {
        let text = PRESETS[0].1.replace("unsound = \"medium\"", "");
        let new_kind = kind("new-kind", Severity::High, false);
        let kinds = [
            VULNERABILITY,
            UNSOUND,
            UNMAINTAINED,
            NOTICE,
            SECRET,
            CODE,
            new_kind,
        ];
        let policy = Policy::parse(&text, Path::new("p.toml"), &kinds).unwrap();
        assert_eq!(policy.severity(UNSOUND, None, &[]), Severity::Medium);
        assert_eq!(policy.severity(new_kind, None, &[]), Severity::High);
        let text = "name = \"n\"\ntitle = \"t\"\ndays = \"calendar\"\n[[tiers]]\nseverity = \"low\"\nmin-cvss = 0.0\ndays = 5\n";
        let policy = Policy::parse(text, Path::new("p.toml"), &kinds).unwrap();
        assert_eq!(
            policy.unscored.kinds,
            [
                ("vulnerability", Severity::Medium),
                ("unsound", Severity::Medium),
                ("unmaintained", Severity::Low),
                ("notice", Severity::Low),
                ("secret", Severity::Critical),
                ("code", Severity::Medium),
                ("new-kind", Severity::High)
            ]
        );
    }
}
