//! The secrets rules, compiled once from `rules/secrets.toml`.
//!
//! Two kinds of rule live there. Format rules know a credential by its shape (`ghp_` and 36
//! characters): a keyword prefilter (one Aho-Corasick pass over the text) decides which regexes
//! are worth running at all, since almost every literal in real code contains none of the
//! keywords. Context rules know a credential by where it sits: bound to a secret-named binding,
//! field or key, or passed to a call that takes a credential. Their values have no fixed shape,
//! so they are judged by length, entropy and a list of stand-ins (`changeme`, `${VAR}`) that the
//! file keeps as data too.
//!
//! Nothing here reads files or knows Rust syntax: the `source` module finds the literals and
//! their context and asks [`SecretRules`] about them.

use super::{entropy, RuleCheck, RuleDoc};
use crate::config::{error_at, from_toml};
use crate::report::Severity;
use crate::Result;
use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

/// Where the embedded file says it comes from, for error messages and docs.
pub const RULES_FILE: &str = "rules/secrets.toml";
const SOURCE: &str = include_str!("../../rules/secrets.toml");

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
    /// Macros whose literals are names, not values (`env!("TOKEN")`).
    pub name_macros: Vec<String>,
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
struct Format {
    rule: usize,
    regex: Regex,
    min_entropy: f64,
}

/// A context rule's thresholds.
struct Context {
    rule: usize,
    names: Vec<Vec<String>>,
    min_length: usize,
    min_entropy: f64,
    passphrases: bool,
    min_classes: usize,
}

/// A call that takes a credential.
#[derive(Debug)]
struct Sink {
    method: Option<String>,
    function: Option<Vec<String>>,
    arg: usize,
    context: usize,
    scheme: bool,
}

/// Where a value sits, as far as the secrets rules care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Nothing known: only format rules apply.
    Free,
    /// Bound to a name: a const, static or `let`, a struct field, an assignment target, a map or
    /// header key, a `KEY=value` line, or a setter method named after what it sets.
    Named { name: String, how: NameKind },
    /// Argument `arg` of a method call (`method` is its name) or a function call (`path` is the
    /// called path's segments).
    Argument {
        callee: Vec<String>,
        method: bool,
        arg: usize,
        /// How many arguments the call has: a one-argument method is read as a setter named
        /// after what it sets (`.password("…")`, `.with_api_key("…")`).
        count: usize,
        /// Where the call's result goes, for a one-argument call that is not a sink itself:
        /// `api_key: ApiKey::new("…")` is the field's value.
        outer: Option<Box<Slot>>,
    },
    /// The fallback of an environment lookup (`env::var("API_KEY").unwrap_or("…")`): named by
    /// where the result goes, or else by the variable.
    EnvDefault { variable: String, then: Box<Slot> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Binding,
    Field,
    Key,
}

impl NameKind {
    fn describe(self) -> &'static str {
        match self {
            NameKind::Binding => "bound to",
            NameKind::Field => "assigned to field",
            NameKind::Key => "under key",
        }
    }
}

/// A secret found in a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit<'r> {
    pub rule: &'r RuleDoc,
    /// Byte range of the secret within the value it was found in.
    pub range: Range<usize>,
    /// Where the whole match starts (a private key's armour line, before its body).
    pub start: usize,
    /// Where it was found, for the message: "bound to `API_TOKEN`".
    pub context: Option<String>,
}

pub struct SecretRules {
    docs: Vec<RuleDoc>,
    formats: Vec<Format>,
    prefilter: AhoCorasick,
    /// Prefilter pattern index -> format index.
    keyword_format: Vec<usize>,
    contexts: Vec<Context>,
    sinks: Vec<Sink>,
    stand_ins: StandIns,
    /// Context rule for `Authorization` header values.
    authorization: Option<usize>,
    flow: Flow,
}

struct StandIns {
    exact: Vec<String>,
    contains: Vec<String>,
    words: Vec<String>,
    password_hash_prefixes: Vec<String>,
    not_secret_qualifiers: Vec<String>,
    authorization_names: Vec<Vec<String>>,
    authorization_schemes: Vec<String>,
    file_extensions: Vec<String>,
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
            .map_err(|message| crate::Error::Rules {
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
                check: RuleCheck::Secrets,
                title: entry.title.clone(),
                description: entry.description.clone(),
                cwe: entry.cwe.clone(),
                severity: severity(&entry.severity)?,
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
                check: RuleCheck::Secrets,
                title: entry.title.clone(),
                description: entry.description.clone(),
                cwe: entry.cwe.clone(),
                severity: severity(&entry.severity)?,
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

    /// Every known-format credential in `text`, in order.
    pub fn formats_in<'r>(&'r self, text: &str) -> Vec<Hit<'r>> {
        let mut candidates: Vec<usize> = self
            .prefilter
            .find_overlapping_iter(text)
            .map(|m| self.keyword_format[m.pattern().as_usize()])
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits: Vec<Hit<'r>> = Vec::new();
        for index in candidates {
            let format = &self.formats[index];
            for captures in format.regex.captures_iter(text) {
                let Some(found) = captures
                    .name("secret")
                    .or_else(|| captures.get(1))
                    .or_else(|| captures.get(0))
                else {
                    continue;
                };
                let secret = found.as_str();
                let same_as_user = captures.name("user").is_some_and(|u| u.as_str() == secret);
                if secret.is_empty()
                    || same_as_user
                    || entropy(secret) < format.min_entropy
                    || self.is_stand_in(secret)
                {
                    continue;
                }
                // Two formats can claim the same text (an Authorization header holding a JWT):
                // the first, most specific rule in file order wins.
                if hits
                    .iter()
                    .any(|hit| hit.range.start < found.end() && found.start() < hit.range.end)
                {
                    continue;
                }
                hits.push(Hit {
                    rule: &self.docs[format.rule],
                    range: found.range(),
                    start: captures.get(0).map_or(found.start(), |m| m.start()),
                    context: None,
                });
            }
        }
        hits.sort_by_key(|hit| hit.range.start);
        hits
    }

    /// The secret in a value given where it sits: a known format anywhere in it, else the
    /// context rule for its name or the call it is passed to.
    pub fn check<'r>(&'r self, value: &str, slot: &Slot) -> Vec<Hit<'r>> {
        let mut hits = self.formats_in(value);
        if hits.is_empty() {
            hits.extend(self.by_context(value, slot));
        } else if let Some(context) = describe(slot) {
            for hit in &mut hits {
                hit.context = Some(context.clone());
            }
        }
        hits
    }

    /// The context rule a name calls for: `Some(rule)` for secret-named bindings and keys. An
    /// `Authorization` key takes the rule of the sinks that expect a scheme (any value has its
    /// scheme stripped before it is judged).
    fn context_for_name(&self, name: &str) -> Option<usize> {
        let words = words(name);
        if words.is_empty() {
            return None;
        }
        if self
            .stand_ins
            .authorization_names
            .iter()
            .any(|auth| words.ends_with(auth) && words.len() <= auth.len() + 1)
        {
            return self.authorization;
        }
        for (index, context) in self.contexts.iter().enumerate() {
            for ending in &context.names {
                // `PGPASSWORD`, `clientsecret`: one word that ends in a long secret word counts.
                let glued = ending.len() == 1
                    && ending[0].len() >= 6
                    && words
                        .last()
                        .is_some_and(|last| last.ends_with(ending[0].as_str()));
                if !words.ends_with(ending) && !glued {
                    continue;
                }
                let before = words.len() - ending.len();
                let qualified_away = before > 0
                    && self
                        .stand_ins
                        .not_secret_qualifiers
                        .contains(&words[before - 1]);
                if !qualified_away {
                    return Some(index);
                }
            }
        }
        None
    }

    /// Whether a name is one the rules treat as holding a secret (for `KEY=value` lines).
    pub fn is_secret_name(&self, name: &str) -> bool {
        self.context_for_name(name).is_some()
    }

    fn by_context<'r>(&'r self, value: &str, slot: &Slot) -> Option<Hit<'r>> {
        let context = match slot {
            Slot::Free => return None,
            Slot::EnvDefault { variable, then } => {
                return self.by_context(value, then).or_else(|| {
                    self.by_context(
                        value,
                        &Slot::Named {
                            name: variable.clone(),
                            how: NameKind::Key,
                        },
                    )
                    .map(|mut hit| {
                        hit.context = Some(format!("as the default of `{variable}`"));
                        hit
                    })
                });
            }
            Slot::Named { name, .. } => self.context_for_name(name)?,
            Slot::Argument {
                callee,
                method,
                arg,
                count,
                outer,
            } => {
                let setter = (*method && *count == 1 && *arg == 0)
                    .then(|| callee.last())
                    .flatten()
                    .map(|name| {
                        name.strip_prefix("with_")
                            .or_else(|| name.strip_prefix("set_"))
                            .unwrap_or(name)
                    });
                let sink = self.sinks.iter().find(|sink| {
                    sink.arg == *arg
                        && match (&sink.method, &sink.function) {
                            (Some(name), _) => *method && callee.last() == Some(name),
                            (None, Some(path)) => !*method && ends_with_path(callee, path),
                            (None, None) => false,
                        }
                });
                match (sink, setter) {
                    // `HeaderValue::from_static` takes any header; only one with an authorization
                    // scheme is a credential by itself. Without one, where the header goes
                    // decides (`headers.insert(X_API_KEY, HeaderValue::from_static("…"))`).
                    (Some(sink), _) if sink.scheme && self.scheme_split(value).is_none() => {
                        return self.by_context(value, outer.as_deref()?);
                    }
                    (Some(sink), _) => sink.context,
                    (None, setter) => match setter.and_then(|name| self.context_for_name(name)) {
                        Some(index) => index,
                        None => return self.by_context(value, outer.as_deref()?),
                    },
                }
            }
        };
        // `token = "Bearer abc…"`: the credential is what follows the scheme, wherever it sits.
        let range = self.scheme_split(value).unwrap_or(0..value.len());
        let secret = &value[range.clone()];
        let rules = &self.contexts[context];
        if !self.plausible(secret, rules) {
            return None;
        }
        Some(Hit {
            rule: &self.docs[rules.rule],
            start: range.start,
            range,
            context: describe(slot),
        })
    }

    /// The token after an authorization scheme (`Bearer abc` -> `abc`).
    fn scheme_split(&self, value: &str) -> Option<Range<usize>> {
        self.stand_ins
            .authorization_schemes
            .iter()
            .find_map(|scheme| {
                let head = value.get(..scheme.len())?;
                let rest = &value[scheme.len()..];
                (head.eq_ignore_ascii_case(scheme) && rest.starts_with(' ')).then(|| {
                    let start = scheme.len() + (rest.len() - rest.trim_start().len());
                    start..value.len()
                })
            })
    }

    /// Whether a value under a secret name could be a real credential rather than a stand-in,
    /// a name, a path, a URL or a message.
    fn plausible(&self, value: &str, rules: &Context) -> bool {
        let value = value.trim();
        if value.chars().count() < rules.min_length
            || character_classes(value) < rules.min_classes
            || value.chars().any(char::is_whitespace)
            || self.is_stand_in(value)
            || entropy(value) < rules.min_entropy
        {
            return false;
        }
        let lower = value.to_ascii_lowercase();
        if self
            .stand_ins
            .password_hash_prefixes
            .iter()
            .any(|prefix| value.starts_with(prefix.as_str()))
        {
            return false;
        }
        // A URL without a password (those with one are a format rule), or a file path.
        if lower.contains("://")
            || is_relative_path(value)
            || value.starts_with('/')
            || value.starts_with("./")
            || value.starts_with("../")
            || value.starts_with("~/")
            || value.contains('\\')
            || self
                .stand_ins
                .file_extensions
                .iter()
                .any(|ext| lower.ends_with(ext.as_str()))
        {
            return false;
        }
        // Names, not values: `GITHUB_TOKEN` (an environment variable), `client_credentials`
        // (an OAuth grant type), `token.expired` (a message key), and, unless the rule takes
        // passphrases, `x-api-key` (a header name).
        if is_identifier_like(value)
            || is_cased_name(value)
            || (!rules.passphrases && is_kebab_words(value))
        {
            return false;
        }
        // Templates (`token={}`, `{{token}}`, `%s`), references (`$serde_json::private`), and
        // numbers with dots (an OID, a version, an address).
        !value.contains(['{', '}'])
            && !lower.contains("%s")
            && !value.starts_with('$')
            && !value.chars().all(|c| c.is_ascii_digit() || c == '.')
    }

    /// Values nobody would deploy: `changeme`, `<token>`, `****`, `${VAR}`, AWS's documented
    /// `...EXAMPLE` keys.
    pub fn is_stand_in(&self, value: &str) -> bool {
        let lower = value.trim().to_lowercase();
        if lower.is_empty() || self.stand_ins.exact.contains(&lower) {
            return true;
        }
        if value.contains("EXAMPLE") {
            return true;
        }
        if self
            .stand_ins
            .contains
            .iter()
            .any(|part| lower.contains(part.as_str()))
        {
            return true;
        }
        let value_words = words(value);
        if !value_words.is_empty()
            && value_words
                .iter()
                .all(|word| self.stand_ins.words.contains(word))
        {
            return true;
        }
        let mut distinct: Vec<char> = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.len() <= 2
    }
}

/// `ALL_CAPS_SNAKE`, `lower_snake`, `dotted.key` and `kebab-words` made only of letters:
/// identifiers and message keys, not credentials.
fn is_identifier_like(value: &str) -> bool {
    let separators = value
        .chars()
        .filter(|c| matches!(c, '_' | '.' | '-'))
        .count();
    if separators == 0 {
        return false;
    }
    let all_upper = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let lower_words = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '.'))
        && !value.starts_with(['_', '.'])
        && !value.ends_with(['_', '.']);
    (all_upper && value.contains('_') && value.starts_with(|c: char| c.is_ascii_uppercase()))
        || (lower_words && value.contains(['_', '.']))
}

/// `PrivateKey`, `challengePassword`, `TRUNCATE`, `id-smime-timeStampToken`: letters only, in
/// upper case or with camel-case humps. Random tokens have digits or no such structure; a
/// lower-case word (`supersecretvalue`) is left to the entropy test, since weak secrets are
/// still secrets.
fn is_cased_name(value: &str) -> bool {
    if !value
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.'))
    {
        return false;
    }
    let letters: Vec<char> = value.chars().filter(char::is_ascii_alphabetic).collect();
    if letters.len() < 2 {
        return false;
    }
    let all_upper = letters.iter().all(char::is_ascii_uppercase);
    let humps = value
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
        .count();
    let uppers = letters.iter().filter(|c| c.is_ascii_uppercase()).count();
    // Camel case puts one capital at each word start; random letters put capitals anywhere.
    let capitalised = uppers == 1 && letters[0].is_ascii_uppercase();
    all_upper
        || capitalised
        || ((1..=4).contains(&humps) && uppers <= humps + 1 && letters.len() >= 3 * uppers)
}

/// `tests/ui/*.rs`, `certs/server.pem`: directories and a file name with an extension.
fn is_relative_path(value: &str) -> bool {
    let Some((dirs, file)) = value.rsplit_once('/') else {
        return false;
    };
    let has_extension = file.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=4).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
    });
    !dirs.is_empty() && (has_extension || file.contains('*'))
}

/// How many of lower case, upper case, digits and other characters a value has.
fn character_classes(value: &str) -> usize {
    let has = |test: fn(&char) -> bool| usize::from(value.chars().any(|c| test(&c)));
    has(char::is_ascii_lowercase)
        + has(char::is_ascii_uppercase)
        + has(char::is_ascii_digit)
        + has(|c| !c.is_ascii_alphanumeric())
}

/// `x-api-key`, `X-Auth-Token`, `x-amz-s3session-token`: words joined by hyphens, each starting
/// with a letter and mostly letters.
fn is_kebab_words(value: &str) -> bool {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    value.contains('-')
        && digits * 5 < value.len()
        && value.split('-').all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
                && part.chars().skip(1).all(|c| !c.is_ascii_uppercase())
        })
}

impl Flow {
    /// Whether a called path (`std::string::String::from`) ends with a transparent function.
    pub fn is_transparent_function(&self, callee: &[String]) -> bool {
        self.transparent_paths
            .iter()
            .any(|path| ends_with_path(callee, path))
    }
}

fn ends_with_path(callee: &[String], path: &[String]) -> bool {
    callee.len() >= path.len() && callee[callee.len() - path.len()..] == *path
}

fn describe(slot: &Slot) -> Option<String> {
    match slot {
        Slot::Free => None,
        Slot::EnvDefault { variable, then } => {
            describe(then).or_else(|| Some(format!("as the default of `{variable}`")))
        }
        Slot::Named { name, how } => Some(format!("{} `{name}`", how.describe())),
        Slot::Argument { callee, method, .. } => Some(if *method {
            format!(
                "passed to `.{}()`",
                callee.last().map_or("", String::as_str)
            )
        } else {
            format!("passed to `{}()`", callee.join("::"))
        }),
    }
}

/// A name split into lowercase words: `DB_PASSWORD`, `dbPassword`, `db-password` and
/// `X-Api-Key` become `[db, password]` and `[x, api, key]`. `APIKey` splits before `Key`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("githubToken2"), ["github", "token2"]);
        assert_eq!(words("client.secret"), ["client", "secret"]);
    }

    #[test]
    fn embedded_rules_compile() {
        let rules = SecretRules::embedded().expect("embedded rules");
        assert!(rules.docs().len() > 10);
    }

    #[test]
    fn cased_names_are_not_secrets() {
        assert!(is_cased_name("PrivateKey"));
        assert!(is_cased_name("challengePassword"));
        assert!(is_cased_name("TRUNCATE"));
        assert!(is_cased_name("id-smime-aa-timeStampToken"));
        assert!(is_cased_name("PrivKeyVal"));
        assert!(is_cased_name("Credentials"));
        assert!(!is_cased_name("supersecretvalue"));
        assert!(!is_cased_name("qWeRtYuIoPaSdF"));
        assert!(!is_cased_name("w3pKhPQ7ZAoFYMGr"));
    }

    #[test]
    fn header_names_are_kebab_words() {
        assert!(is_kebab_words("x-api-key"));
        assert!(is_kebab_words("X-Auth-Token"));
        assert!(is_kebab_words("x-amz-s3session-token"));
        assert!(!is_kebab_words("a8F3-kd92-Lm0x"));
        assert!(!is_kebab_words("ab12-cd34-ef56"));
    }

    #[test]
    fn relative_paths_are_not_secrets() {
        assert!(is_relative_path("tests/ui/*.rs"));
        assert!(is_relative_path("certs/server.pem"));
        assert!(!is_relative_path("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEY"));
        assert!(!is_relative_path("abc"));
    }

    #[test]
    fn identifier_like_values_are_names() {
        assert!(is_identifier_like("GITHUB_TOKEN"));
        assert!(is_identifier_like("client_credentials"));
        assert!(is_identifier_like("token.expired"));
        assert!(!is_identifier_like("s3cr3t_P4ss"));
        assert!(!is_identifier_like("correct-horse-battery"));
        assert!(!is_identifier_like("9f8e7d6c5b4a3921"));
    }
}
