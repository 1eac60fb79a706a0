//! How a value is judged against the secrets rules: a known format anywhere in it, else the
//! context rule for the name it is bound to or the call it is passed to, with its length, entropy
//! and character classes, and the shapes of things that sit under secret names without being
//! secrets (names, paths, URLs, templates, stand-ins).
//!
//! Nothing here reads files or knows Rust syntax: the passes find the values and their context
//! ([`Slot`]) and ask [`SecretRules`] about them.

use super::names::{ends_with_path, words};
use super::rules::{Context, SecretRules};
use crate::finding::RuleDoc;
use std::ops::Range;

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

impl SecretRules {
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
        // `SEGMENT_WRITE_KEY`, `POSTHOG_API_KEY`: keys made to ship in clients. A secret of the
        // same service (`MIXPANEL_API_SECRET`) still counts.
        let public_service = words
            .iter()
            .any(|w| self.stand_ins.public_services.contains(w));
        if public_service
            && words
                .last()
                .is_some_and(|last| matches!(last.as_str(), "key" | "token" | "id" | "dsn"))
        {
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

    /// Whether a value is an example: an argument of documentation (`.description(…)`,
    /// `.help(…)`), or of a call named as test data (`TestValue::Single(…)`, `fake_token(…)`,
    /// `Example::new(…)`), where a credential is there to be read or matched, not used.
    pub fn is_example(&self, slot: &Slot) -> bool {
        let Slot::Argument {
            callee,
            method,
            outer,
            ..
        } = slot
        else {
            return false;
        };
        let documentation = *method
            && callee
                .last()
                .is_some_and(|name| self.stand_ins.documentation_calls.contains(name));
        let test_data = callee
            .iter()
            .flat_map(|segment| words(segment))
            .any(|word| crate::source::is_test_word(&word));
        documentation || test_data || outer.as_deref().is_some_and(|o| self.is_example(o))
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
        // A URL without a password (those with one are a format rule), a file path, a dotfile
        // (`.haxerc`), or a command-line option's name (`--address_book_password`).
        if lower.contains("://")
            || is_dotfile_name(value)
            || is_option_name(value)
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
        // A stand-in word may carry a short number (`pass567`, `secret42`, `token2`).
        let stand_in_word = |word: &String| {
            let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
            let digits = word.len() - stem.len();
            self.stand_ins.words.contains(word)
                || (digits <= 4
                    && !stem.is_empty()
                    && self.stand_ins.words.iter().any(|w| w == stem))
        };
        if !value_words.is_empty() && value_words.iter().all(stand_in_word) {
            return true;
        }
        let mut distinct: Vec<char> = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.len() <= 2 || is_repetition(value)
    }
}

/// `KxSharedSecretKxSharedSecret`, `abcabcabc`: one unit written out two or more times. Generated
/// credentials never repeat themselves; hand-made filler does.
fn is_repetition(value: &str) -> bool {
    let bytes = value.as_bytes();
    let n = bytes.len();
    (1..=n / 2).any(|period| {
        n.is_multiple_of(period) && bytes.chunks(period).all(|c| c == &bytes[..period])
    })
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
/// `.haxerc`, `.env.local`: a file's name, not a value.
fn is_dotfile_name(value: &str) -> bool {
    value.len() <= 40
        && value.strip_prefix('.').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_alphabetic())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

/// `--address-book-password`, `-p`: a command-line option's name.
fn is_option_name(value: &str) -> bool {
    value
        .strip_prefix("--")
        .or_else(|| value.strip_prefix('-'))
        .is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_alphabetic())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        })
}

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

/// Shannon entropy in bits per character: how unpredictable a string's characters are. Random
/// tokens sit above 3.5; words and repeated characters well below.
pub fn entropy(value: &str) -> f64 {
    let mut counts: std::collections::HashMap<char, u32> = std::collections::HashMap::new();
    let mut total = 0u32;
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .values()
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn values_written_out_twice_are_filler() {
        assert!(is_repetition("KxSharedSecretKxSharedSecret"));
        assert!(is_repetition("abcabcabc"));
        assert!(!is_repetition("KxSharedSecret"));
        assert!(!is_repetition("w3pKhPQ7ZAoFYMGrw3pKhPQ7ZAoFYMG"));
    }

    #[test]
    fn stand_in_words_may_carry_a_short_number() {
        let rules = SecretRules::embedded().unwrap();
        assert!(rules.is_stand_in("pass567"));
        assert!(rules.is_stand_in("pwd"));
        assert!(rules.is_stand_in("secret42"));
        assert!(!rules.is_stand_in("pass56789012"));
        assert!(!rules.is_stand_in("ddMZuuKJgL"));
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
