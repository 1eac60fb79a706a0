//! The secrets rules, compiled once from `rules/secrets.toml`.
//!
//! Two kinds of rule live there. Format rules know a credential by its shape (`ghp_` and 36
//! characters): a keyword prefilter (one Aho-Corasick pass over the text) decides which regexes
//! are worth running at all, since almost every literal in real code contains none of the
//! keywords. Context rules know a credential by where it sits: bound to a secret-named binding,
//! field or key, or passed to a call that takes a credential. Their values have no fixed shape,
//! so they are judged by length, entropy and a list of stand-ins (`changeme`, `${VAR}`) that the
//! file keeps as data too. How a value is judged against them is `judge.rs`.

use super::names::{ends_with_path, words};
use crate::error::Result;
use crate::finding::{Class, RuleDoc, Severity};
use crate::toml_doc::{error_at, from_toml};
use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

/// Where the embedded file says it comes from, for error messages and docs.
pub const RULES_FILE: &str = "rules/secrets.toml";
const SOURCE: &str = include_str!("../../../rules/secrets.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFile {
    stand_ins: RawStandIns,
    flow: Flow,
    #[serde(default)]
    context: Vec<RawContext>,
    #[serde(default)]
    sink: Vec<RawSink>,
    #[serde(default)]
    format: Vec<RawFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawStandIns {
    exact: Vec<String>,
    contains: Vec<String>,
    words: Vec<String>,
    password_hash_prefixes: Vec<String>,
    not_secret_qualifiers: Vec<String>,
    authorization_names: Vec<String>,
    authorization_schemes: Vec<String>,
    file_extensions: Vec<String>,
    public_services: Vec<String>,
    documentation_calls: Vec<String>,
}

/// How a literal's value travels to the name or call that gives it meaning in Rust code.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Flow {
    /// Methods whose result is their receiver's value (`"…".to_string()`), or their argument's
    /// (`env::var(…).unwrap_or("…")`).
    pub transparent_methods: Vec<String>,
    /// Functions whose result is their argument's value (`Some("…")`, `String::from("…")`).
    pub transparent_functions: Vec<String>,
    /// The same, split into path segments once when the rules load.
    #[serde(skip)]
    transparent_paths: Vec<Vec<String>>,
    /// Functions that read an environment variable named by their argument.
    pub env_lookups: Vec<String>,
    /// Calls whose first argument names what the others are (`map.insert("api_key", "…")`,
    /// `.header("X-Api-Key", "…")`, `env::set_var("TOKEN", "…")`).
    pub keyed_calls: Vec<String>,
    /// Macros whose arguments are the value itself (`vec![…]`, `concat!(…)`).
    pub value_macros: Vec<String>,
    /// Macros whose first argument is a format string rather than a key.
    pub format_macros: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFormat {
    id: toml::Spanned<String>,
    title: String,
    description: String,
    keywords: Vec<String>,
    regex: toml::Spanned<String>,
    min_entropy: Option<f64>,
    severity: Option<toml::Spanned<String>>,
    cwe: Vec<String>,
    remediation: String,
    must_match: Vec<String>,
    #[serde(default)]
    must_not_match: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawContext {
    id: toml::Spanned<String>,
    title: String,
    description: String,
    /// Name endings (words, `api key`) that make a binding, field or key hold this rule's kind of
    /// secret. Empty for rules reached only through sinks.
    #[serde(default)]
    names: Vec<String>,
    min_length: usize,
    min_entropy: f64,
    /// Words joined by hyphens (`correct-horse-battery-staple`) count as values, not names.
    #[serde(default)]
    passphrases: bool,
    /// How many kinds of character (lower case, upper case, digit, other) a value needs: tokens
    /// and keys mix them, a setting's value (`secret = "critical"`) does not.
    #[serde(default = "one")]
    min_classes: usize,
    severity: Option<toml::Spanned<String>>,
    cwe: Vec<String>,
    remediation: String,
    must_match: Vec<String>,
    #[serde(default)]
    must_not_match: Vec<String>,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSink {
    /// A method name (`bearer_auth`), matched on any receiver.
    method: Option<String>,
    /// A path (`EncodingKey::from_secret`), matched against the end of the called path with
    /// generic arguments dropped; a single segment matches any `Type::segment`.
    function: Option<String>,
    /// Which argument (0-based) holds the credential.
    arg: usize,
    /// The context rule whose thresholds and id a hit takes.
    rule: toml::Spanned<String>,
    /// The value must start with an authorization scheme (`Bearer `), which is stripped first.
    #[serde(default)]
    scheme: bool,
}

/// A credential format.
pub(super) struct Format {
    pub(super) rule: usize,
    pub(super) regex: Regex,
    pub(super) min_entropy: f64,
}

/// A context rule's thresholds.
pub(super) struct Context {
    pub(super) rule: usize,
    pub(super) names: Vec<Vec<String>>,
    pub(super) min_length: usize,
    pub(super) min_entropy: f64,
    pub(super) passphrases: bool,
    pub(super) min_classes: usize,
}

/// A call that takes a credential.
#[derive(Debug)]
pub(super) struct Sink {
    pub(super) method: Option<String>,
    pub(super) function: Option<Vec<String>>,
    pub(super) arg: usize,
    pub(super) context: usize,
    pub(super) scheme: bool,
}

pub struct SecretRules {
    pub(super) docs: Vec<RuleDoc>,
    pub(super) formats: Vec<Format>,
    pub(super) prefilter: AhoCorasick,
    /// Prefilter pattern index -> format index.
    pub(super) keyword_format: Vec<usize>,
    pub(super) contexts: Vec<Context>,
    pub(super) sinks: Vec<Sink>,
    pub(super) stand_ins: StandIns,
    /// Context rule for `Authorization` header values.
    pub(super) authorization: Option<usize>,
    pub(super) flow: Flow,
}

pub(super) struct StandIns {
    pub(super) exact: Vec<String>,
    pub(super) contains: Vec<String>,
    pub(super) words: Vec<String>,
    pub(super) password_hash_prefixes: Vec<String>,
    pub(super) not_secret_qualifiers: Vec<String>,
    pub(super) authorization_names: Vec<Vec<String>>,
    pub(super) authorization_schemes: Vec<String>,
    pub(super) file_extensions: Vec<String>,
    /// Services whose keys are public by design (`SEGMENT_WRITE_KEY`): a name with one of these
    /// and ending in a key or token word is not a secret's name.
    pub(super) public_services: Vec<String>,
    /// Methods whose argument is documentation (`.description("…")`): a credential in it is an
    /// example.
    pub(super) documentation_calls: Vec<String>,
}

impl SecretRules {
    /// The rules shipped in the binary, compiled on first use.
    pub fn embedded() -> Result<&'static SecretRules> {
        static RULES: OnceLock<std::result::Result<SecretRules, String>> = OnceLock::new();
        RULES
            .get_or_init(|| {
                SecretRules::parse(SOURCE, Path::new(RULES_FILE)).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| crate::error::Error::Rules {
                message: message.clone(),
            })
    }

    pub fn parse(text: &str, path: &Path) -> Result<SecretRules> {
        let raw: RawFile = from_toml(text, path)?;
        let at = |offset: usize, message: String| error_at(text, path, offset, message);
        let severity = |value: &Option<toml::Spanned<String>>| -> Result<Option<Severity>> {
            match value {
                None => Ok(None),
                Some(name) => Severity::from_name(name.get_ref())
                    .map(Some)
                    .ok_or_else(|| {
                        at(
                            name.span().start,
                            format!(
                                "unknown severity `{}`; use critical, high, medium or low",
                                name.get_ref()
                            ),
                        )
                    }),
            }
        };

        let mut docs: Vec<RuleDoc> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut check_id = |id: &toml::Spanned<String>| -> Result<()> {
            let valid = !id.get_ref().is_empty()
                && id
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(at(
                    id.span().start,
                    format!("rule id `{}` must be kebab-case", id.get_ref()),
                ));
            }
            if seen.insert(id.get_ref().clone(), ()).is_some() {
                return Err(at(
                    id.span().start,
                    format!("rule id `{}` is defined twice", id.get_ref()),
                ));
            }
            Ok(())
        };

        let mut contexts = Vec::new();
        for entry in &raw.context {
            check_id(&entry.id)?;
            let names = entry.names.iter().map(|name| words(name)).collect();
            contexts.push(Context {
                rule: docs.len(),
                names,
                min_length: entry.min_length,
                min_entropy: entry.min_entropy,
                passphrases: entry.passphrases,
                min_classes: entry.min_classes,
            });
            let mut notes = Vec::new();
            if !entry.names.is_empty() {
                notes.push(format!(
                    "names ending in: {}",
                    entry
                        .names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let sinks: Vec<String> = raw
                .sink
                .iter()
                .filter(|sink| sink.rule.get_ref() == entry.id.get_ref())
                .map(|sink| match (&sink.method, &sink.function) {
                    (Some(method), _) => format!("`.{method}(…)` argument {}", sink.arg + 1),
                    (None, Some(function)) => format!("`{function}(…)` argument {}", sink.arg + 1),
                    (None, None) => String::new(),
                })
                .collect();
            if !sinks.is_empty() {
                notes.push(format!("calls: {}", sinks.join(", ")));
            }
            notes.push(format!(
                "values need at least {} characters and {:.1} bits of entropy per character, and must not be a stand-in such as `changeme` or `${{VAR}}`",
                entry.min_length, entry.min_entropy
            ));
            docs.push(RuleDoc {
                id: entry.id.get_ref().clone(),
                check: super::NAME,
                title: entry.title.clone(),
                description: entry.description.clone(),
                cwe: entry.cwe.clone(),
                severity: severity(&entry.severity)?,
                // A credential is a weakness (in test code, `TestSeverity::mark` makes it audit).
                class: Class::Weakness,
                remediation: entry.remediation.clone(),
                example_language: "rust",
                must_match: entry.must_match.clone(),
                must_not_match: entry.must_not_match.clone(),
                notes,
            });
        }

        let context_index = |id: &toml::Spanned<String>| -> Result<usize> {
            raw.context
                .iter()
                .position(|c| c.id.get_ref() == id.get_ref())
                .ok_or_else(|| {
                    at(
                        id.span().start,
                        format!(
                            "no context rule `{}`; sinks name a `[[context]]` id",
                            id.get_ref()
                        ),
                    )
                })
        };
        let mut sinks = Vec::new();
        for entry in &raw.sink {
            let context = context_index(&entry.rule)?;
            if entry.method.is_some() == entry.function.is_some() {
                return Err(at(
                    entry.rule.span().start,
                    "a sink names exactly one of `method` or `function`".into(),
                ));
            }
            sinks.push(Sink {
                method: entry.method.clone(),
                function: entry
                    .function
                    .as_ref()
                    .map(|f| f.split("::").map(str::to_owned).collect()),
                arg: entry.arg,
                context,
                scheme: entry.scheme,
            });
        }

        let mut formats = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_format = Vec::new();
        for entry in &raw.format {
            check_id(&entry.id)?;
            let regex = Regex::new(entry.regex.get_ref()).map_err(|err| {
                at(
                    entry.regex.span().start,
                    format!(
                        "rule `{}`: invalid regex: {}",
                        entry.id.get_ref(),
                        crate::error::one_line(&err.to_string())
                    ),
                )
            })?;
            if entry.keywords.iter().any(|k| k.len() < 3) || entry.keywords.is_empty() {
                return Err(at(
                    entry.id.span().start,
                    format!(
                        "rule `{}`: give keywords of 3 or more characters; every match must contain one",
                        entry.id.get_ref()
                    ),
                ));
            }
            for keyword in &entry.keywords {
                keywords.push(keyword.clone());
                keyword_format.push(formats.len());
            }
            formats.push(Format {
                rule: docs.len(),
                regex,
                min_entropy: entry.min_entropy.unwrap_or(0.0),
            });
            let mut notes = vec![format!("keywords: {}", entry.keywords.join(", "))];
            if let Some(min) = entry.min_entropy {
                notes.push(format!(
                    "the secret needs {min:.1} bits of entropy per character"
                ));
            }
            docs.push(RuleDoc {
                id: entry.id.get_ref().clone(),
                check: super::NAME,
                title: entry.title.clone(),
                description: entry.description.clone(),
                cwe: entry.cwe.clone(),
                severity: severity(&entry.severity)?,
                // A credential is a weakness (in test code, `TestSeverity::mark` makes it audit).
                class: Class::Weakness,
                remediation: entry.remediation.clone(),
                example_language: "text",
                must_match: entry.must_match.clone(),
                must_not_match: entry.must_not_match.clone(),
                notes,
            });
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .map_err(|err| at(0, format!("cannot build the keyword prefilter: {err}")))?;

        let lower =
            |items: &[String]| -> Vec<String> { items.iter().map(|s| s.to_lowercase()).collect() };
        let stand_ins = StandIns {
            exact: lower(&raw.stand_ins.exact),
            contains: lower(&raw.stand_ins.contains),
            words: lower(&raw.stand_ins.words),
            password_hash_prefixes: raw.stand_ins.password_hash_prefixes.clone(),
            not_secret_qualifiers: lower(&raw.stand_ins.not_secret_qualifiers),
            authorization_names: raw
                .stand_ins
                .authorization_names
                .iter()
                .map(|n| words(n))
                .collect(),
            authorization_schemes: raw.stand_ins.authorization_schemes.clone(),
            file_extensions: lower(&raw.stand_ins.file_extensions),
            public_services: lower(&raw.stand_ins.public_services),
            documentation_calls: raw.stand_ins.documentation_calls.clone(),
        };
        let authorization = raw
            .sink
            .iter()
            .zip(&sinks)
            .find(|(_, sink)| sink.scheme)
            .map(|(_, sink)| sink.context);

        Ok(SecretRules {
            docs,
            formats,
            prefilter,
            keyword_format,
            contexts,
            sinks,
            stand_ins,
            authorization,
            flow: Flow {
                transparent_paths: raw
                    .flow
                    .transparent_functions
                    .iter()
                    .map(|f| f.split("::").map(str::to_owned).collect())
                    .collect(),
                ..raw.flow
            },
        })
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn docs(&self) -> &[RuleDoc] {
        &self.docs
    }

    pub fn doc(&self, id: &str) -> Option<&RuleDoc> {
        self.docs.iter().find(|doc| doc.id == id)
    }
}

impl Flow {
    /// Whether a called path (`std::string::String::from`) ends with a transparent function.
    pub fn is_transparent_function(&self, callee: &[String]) -> bool {
        self.transparent_paths
            .iter()
            .any(|path| ends_with_path(callee, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_compile() {
        let rules = SecretRules::embedded().expect("embedded rules");
        assert!(rules.docs().len() > 10);
    }
}
