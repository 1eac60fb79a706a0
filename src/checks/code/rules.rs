//! The code check's rules, loaded from `rules/code.toml`: what each rule matches, in a form the
//! source visitor can look up by name while it walks a file once.
//!
//! A rule is one of a handful of generic matchers (a call by resolved path, a method by name and
//! literal arguments, an item by its shape, a shell or query sink), so a new pattern of a known
//! kind is a TOML entry, not new code. This module only knows the rules; walking the syntax tree
//! (`walk.rs`), resolving `use` items (`scope.rs`) and reading comments (`safety.rs`) is done
//! elsewhere in the check.

use crate::error::Result;
use crate::finding::{Class, RuleDoc, Severity};
use crate::toml_doc::{closest, error_at, from_toml};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

const SOURCE: &str = include_str!("../../../rules/code.toml");
pub const RULES_FILE: &str = "rules/code.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: toml::Spanned<String>,
    title: String,
    description: String,
    cwe: Vec<String>,
    severity: toml::Spanned<String>,
    /// `weakness` (the default) or `audit`.
    #[serde(default)]
    class: Option<toml::Spanned<String>>,
    remediation: String,
    must_match: Vec<String>,
    #[serde(default)]
    must_not_match: Vec<String>,
    #[serde(rename = "match")]
    matcher: RawMatch,
    /// More matchers reporting under the same rule.
    #[serde(default)]
    also: Vec<RawMatch>,
}

/// One flat table for every matcher kind, validated by hand: serde's tagged enums do not combine
/// with `deny_unknown_fields`, and a hand check can say which keys a kind takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMatch {
    kind: toml::Spanned<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    first_arg: Vec<String>,
    #[serde(default)]
    receiver_call: Vec<String>,
    #[serde(default)]
    followed_by: Vec<String>,
    #[serde(default)]
    unsafe_only: bool,
    #[serde(default)]
    unless_safety_comment: bool,
    #[serde(default)]
    unless_guarded_by: Vec<String>,
    #[serde(default)]
    arg_mentions: Vec<String>,
    #[serde(default)]
    weakness_context: Vec<String>,
    #[serde(default)]
    inventory_when_named: Vec<String>,
    #[serde(default)]
    inventory_when_cited: Vec<String>,
    #[serde(default)]
    weakness_after: Vec<String>,
    #[serde(default)]
    sound_into: Vec<String>,
    #[serde(default)]
    weakness_from: Vec<String>,
    #[serde(default)]
    traits: Vec<String>,
    #[serde(default)]
    shells: Vec<RawShell>,
    #[serde(default)]
    sql_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShell {
    programs: Vec<String>,
    flags: Vec<String>,
}

fn lowercase(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_ascii_lowercase()).collect()
}

/// A path split into segments, with `core::` and `alloc::` read as `std::` (the same items).
pub type PathPattern = Vec<String>;

pub fn split_path(path: &str) -> PathPattern {
    let mut segments: Vec<String> = path
        .trim_start_matches("::")
        .split("::")
        .map(str::to_owned)
        .collect();
    if matches!(segments.first().map(String::as_str), Some("core" | "alloc")) {
        segments[0] = "std".to_owned();
    }
    segments
}

/// What one matcher looks for.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A function called by one of these paths.
    Call {
        paths: Vec<PathPattern>,
        first_arg: Vec<String>,
    },
    Method {
        methods: Vec<String>,
        first_arg: Vec<String>,
        receiver_call: Vec<PathPattern>,
        followed_by: Vec<String>,
        unsafe_only: bool,
        /// With `followed_by`: the following call's first argument names one of these (a part of
        /// an identifier, any case): `with_custom_certificate_verifier(Arc::new(NoVerifier))`.
        arg_mentions: Vec<String>,
    },
    /// `unsafe` blocks and impls without a SAFETY comment.
    UndocumentedUnsafe,
    StaticMut,
    UnsafeImpl {
        traits: Vec<PathPattern>,
    },
    Shell {
        paths: Vec<PathPattern>,
        shells: Vec<Shell>,
    },
    Query {
        paths: Vec<PathPattern>,
        methods: Vec<String>,
        sql_words: Vec<String>,
    },
    /// `unsafe impl Sync` for a type holding one its crate declares `Send` but not `Sync`
    /// (`sync_claims.rs`: across the crate's files).
    SyncClaim,
}

#[derive(Debug, Clone)]
pub struct Shell {
    pub programs: Vec<String>,
    pub flags: Vec<String>,
}

impl Shell {
    /// `-c`, or a cluster of short options ending in it (`-lc`, `-ec`).
    pub fn is_script_flag(&self, arg: &str) -> bool {
        self.flags.iter().any(|flag| {
            arg == flag
                || (flag.len() == 2
                    && flag.starts_with('-')
                    && arg.len() > 2
                    && arg.starts_with('-')
                    && !arg.starts_with("--")
                    && arg.ends_with(&flag[1..])
                    && arg[1..].chars().all(|c| c.is_ascii_alphabetic()))
        })
    }
}

/// A matcher and the rule it reports under.
#[derive(Debug, Clone)]
pub struct CodeMatcher {
    /// Index into [`CodeRules::docs`].
    pub rule: usize,
    pub matcher: Matcher,
    /// Silenced inside a documented `unsafe` block or under a SAFETY comment on its statement.
    pub unless_safety_comment: bool,
    /// Silenced inside an `if` whose condition names one of these (a part of an identifier, any
    /// case): a library applying its user's opt-in (`if config.accept_invalid_certs { … }`).
    pub unless_guarded_by: Vec<String>,
    /// When a hit is inventory rather than a weakness, by what surrounds it.
    pub context: HitContext,
}

/// Words that tell a weakness from inventory around a hit (all lowercase, matched against the
/// words of identifiers, split at `_` and case changes).
#[derive(Debug, Clone, Default)]
pub struct HitContext {
    /// A weakness only where the enclosing function's name, its parameters or the hit's line
    /// say one of these (`password`, `signature`); elsewhere inventory. Empty: always.
    pub weakness_words: Vec<String>,
    /// Inventory where the enclosing function's name or match arm names one of these: the code
    /// picks this algorithm by name, as a protocol negotiates it (`scramble_sha1`,
    /// `Password::Md5 { .. } =>`).
    pub named_words: Vec<String>,
    /// Inventory where the enclosing function's comments (up to the hit) say one of these: they
    /// cite the specification that requires it (`rfc`, `protocol`), or state the very invariant
    /// the call skips checking (`utf-8`).
    pub cited_words: Vec<String>,
    /// A weakness only where the receiver's previous statement allocated it with one of these
    /// (`Vec::with_capacity(n)`, `v.reserve(n)`) and nothing used it since: `set_len` over memory
    /// nothing wrote. Elsewhere inventory. Empty: always.
    pub weakness_after: Vec<String>,
    /// Not reported where the value's declared type (the `let`'s annotation, else the
    /// function's return type) names one of these (`[MaybeUninit<u8>; N]` needs no
    /// initialising); inventory where no type is declared or it is a generic parameter.
    pub sound_into: Vec<String>,
    /// A weakness only where the first argument comes from outside the program's own strings:
    /// it (or the `let` of a local it names) calls one of these (`CStr::from_ptr`,
    /// `slice::from_raw_parts`, `read`), or it is a parameter of a safe function (any caller's
    /// bytes). Elsewhere inventory. Empty: always.
    pub weakness_from: Vec<String>,
}

impl HitContext {
    pub fn is_empty(&self) -> bool {
        self.weakness_words.is_empty()
            && self.named_words.is_empty()
            && self.cited_words.is_empty()
            && self.weakness_after.is_empty()
            && self.sound_into.is_empty()
            && self.weakness_from.is_empty()
    }

    /// For `explain`.
    fn describe(&self) -> String {
        let list = |words: &[String]| {
            words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = String::new();
        if !self.weakness_words.is_empty() {
            text.push_str(&format!(
                "; a weakness where the function, its parameters or the line mention {}, otherwise reported for review",
                list(&self.weakness_words)
            ));
        }
        if !self.named_words.is_empty() {
            text.push_str(&format!(
                "; reported for review where the function or match arm is named after {} (the algorithm picked by name, as a protocol negotiates it)",
                list(&self.named_words)
            ));
        }
        if !self.cited_words.is_empty() {
            text.push_str(&format!(
                "; reported for review where the function's comments mention {}",
                list(&self.cited_words)
            ));
        }
        if !self.sound_into.is_empty() {
            text.push_str(&format!(
                "; not reported where the declared type (the `let`'s, else the function's return type) names {}, and reported for review where no type is declared",
                list(&self.sound_into)
            ));
        }
        if !self.weakness_from.is_empty() {
            text.push_str(&format!(
                "; a weakness where the bytes come from {} (directly or through a local), from an `extern` function's parameters, or from a safe function's parameter unchecked, otherwise reported for review",
                list(&self.weakness_from)
            ));
        }
        if !self.weakness_after.is_empty() {
            text.push_str(&format!(
                "; a weakness where the statement before allocated the receiver with {} and nothing wrote to it since, otherwise reported for review",
                list(&self.weakness_after)
            ));
        }
        text
    }
}

pub struct CodeRules {
    docs: Vec<RuleDoc>,
    matchers: Vec<CodeMatcher>,
    /// Matcher indexes by the last segment of a call path they match.
    by_function: HashMap<String, Vec<usize>>,
    /// Matcher indexes by method name (including `followed-by` names, which trigger the look
    /// back along the chain).
    by_method: HashMap<String, Vec<usize>>,
    undocumented_unsafe: Option<usize>,
    static_mut: Vec<usize>,
    unsafe_impl: Vec<usize>,
    sync_claim: Option<usize>,
    /// Every matcher's `weakness-after` calls: the statements the scan must notice.
    allocators: BTreeSet<String>,
    /// Some matcher's `weakness-from` needs what each local was made from.
    tracks_sources: bool,
}

impl CodeRules {
    /// The rules shipped in the binary, compiled on first use.
    pub fn embedded() -> Result<&'static CodeRules> {
        static RULES: OnceLock<std::result::Result<CodeRules, String>> = OnceLock::new();
        RULES
            .get_or_init(|| {
                CodeRules::parse(SOURCE, Path::new(RULES_FILE)).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| crate::error::Error::Rules {
                message: message.clone(),
            })
    }

    pub fn parse(text: &str, path: &Path) -> Result<CodeRules> {
        let raw: RawFile = from_toml(text, path)?;
        let at = |offset: usize, message: String| error_at(text, path, offset, message);
        let mut rules = CodeRules {
            docs: Vec::new(),
            matchers: Vec::new(),
            by_function: HashMap::new(),
            by_method: HashMap::new(),
            undocumented_unsafe: None,
            static_mut: Vec::new(),
            unsafe_impl: Vec::new(),
            sync_claim: None,
            allocators: BTreeSet::new(),
            tracks_sources: false,
        };
        for entry in raw.rule {
            let id = entry.id.get_ref();
            let kebab = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !kebab {
                return Err(at(
                    entry.id.span().start,
                    format!("rule id `{id}` must be kebab-case"),
                ));
            }
            if rules.docs.iter().any(|doc| doc.id == *id) {
                return Err(at(
                    entry.id.span().start,
                    format!("rule id `{id}` is defined twice"),
                ));
            }
            let severity = Severity::from_name(entry.severity.get_ref()).ok_or_else(|| {
                at(
                    entry.severity.span().start,
                    format!(
                        "unknown severity `{}`; use critical, high, medium or low",
                        entry.severity.get_ref()
                    ),
                )
            })?;
            let class = match &entry.class {
                None => Class::Weakness,
                Some(name) => Class::from_name(name.get_ref()).ok_or_else(|| {
                    at(
                        name.span().start,
                        format!("unknown class `{}`; use weakness or audit", name.get_ref()),
                    )
                })?,
            };
            let rule = rules.docs.len();
            let mut notes = Vec::new();
            for raw_match in std::iter::once(&entry.matcher).chain(&entry.also) {
                let matcher = compile(raw_match, &at)?;
                let mut note = describe(&matcher, raw_match.unless_safety_comment);
                if !raw_match.unless_guarded_by.is_empty() {
                    note.push_str(&format!(
                        ", except inside an `if` whose condition names {} (the caller's opt-in)",
                        raw_match
                            .unless_guarded_by
                            .iter()
                            .map(|w| format!("`{w}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let context = HitContext {
                    weakness_words: lowercase(&raw_match.weakness_context),
                    named_words: lowercase(&raw_match.inventory_when_named),
                    cited_words: lowercase(&raw_match.inventory_when_cited),
                    weakness_after: raw_match.weakness_after.clone(),
                    sound_into: raw_match.sound_into.clone(),
                    weakness_from: raw_match.weakness_from.clone(),
                };
                rules.tracks_sources |= !raw_match.weakness_from.is_empty();
                rules
                    .allocators
                    .extend(raw_match.weakness_after.iter().cloned());
                note.push_str(&context.describe());
                notes.push(note);
                rules.add(CodeMatcher {
                    rule,
                    matcher,
                    unless_safety_comment: raw_match.unless_safety_comment,
                    unless_guarded_by: lowercase(&raw_match.unless_guarded_by),
                    context,
                });
            }
            rules.docs.push(RuleDoc {
                id: id.clone(),
                check: super::NAME,
                title: entry.title,
                description: entry.description,
                cwe: entry.cwe,
                severity: Some(severity),
                class,
                remediation: entry.remediation,
                example_language: "rust",
                must_match: entry.must_match,
                must_not_match: entry.must_not_match,
                notes,
            });
        }
        Ok(rules)
    }

    fn add(&mut self, matcher: CodeMatcher) {
        let index = self.matchers.len();
        match &matcher.matcher {
            Matcher::Call { paths, .. } | Matcher::Shell { paths, .. } => {
                for path in paths {
                    if let Some(last) = path.last() {
                        self.by_function
                            .entry(last.clone())
                            .or_default()
                            .push(index);
                    }
                }
            }
            Matcher::Method {
                methods,
                followed_by,
                ..
            } => {
                for name in methods.iter().chain(followed_by) {
                    let entry = self.by_method.entry(name.clone()).or_default();
                    if !entry.contains(&index) {
                        entry.push(index);
                    }
                }
            }
            Matcher::Query { paths, methods, .. } => {
                for path in paths {
                    if let Some(last) = path.last() {
                        self.by_function
                            .entry(last.clone())
                            .or_default()
                            .push(index);
                    }
                }
                for name in methods {
                    self.by_method.entry(name.clone()).or_default().push(index);
                }
            }
            Matcher::UndocumentedUnsafe => self.undocumented_unsafe = Some(index),
            Matcher::StaticMut => self.static_mut.push(index),
            Matcher::UnsafeImpl { .. } => self.unsafe_impl.push(index),
            Matcher::SyncClaim => self.sync_claim = Some(index),
        }
        self.matchers.push(matcher);
    }

    pub fn docs(&self) -> &[RuleDoc] {
        &self.docs
    }

    pub fn doc(&self, rule: usize) -> &RuleDoc {
        &self.docs[rule]
    }

    pub fn matcher(&self, index: usize) -> &CodeMatcher {
        &self.matchers[index]
    }

    /// Matchers for a call whose path ends in `name`.
    pub fn for_function(&self, name: &str) -> &[usize] {
        self.by_function.get(name).map_or(&[], Vec::as_slice)
    }

    /// Matchers for a method call named `name`.
    pub fn for_method(&self, name: &str) -> &[usize] {
        self.by_method.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether an identifier is one any rule or the value flow looks at: macro bodies without
    /// such a word need no parse for the code rules.
    pub fn watches(&self, ident: &str) -> bool {
        const FLOW: [&str; 6] = ["unsafe", "arg", "args", "push_str", "write", "writeln"];
        FLOW.contains(&ident)
            || self.by_function.contains_key(ident)
            || self.by_method.contains_key(ident)
    }

    pub fn undocumented_unsafe(&self) -> Option<&CodeMatcher> {
        self.undocumented_unsafe.map(|i| &self.matchers[i])
    }

    pub fn static_mut(&self) -> impl Iterator<Item = &CodeMatcher> {
        self.static_mut.iter().map(|&i| &self.matchers[i])
    }

    pub fn unsafe_impl(&self) -> impl Iterator<Item = &CodeMatcher> {
        self.unsafe_impl.iter().map(|&i| &self.matchers[i])
    }

    /// The rule for `Sync` claims over a crate's `Send`-only types, if the rules have one.
    /// Calls that allocate without writing (`with_capacity`, `reserve`), if any rule asks.
    pub fn allocators(&self) -> &BTreeSet<String> {
        &self.allocators
    }

    /// Whether the scan must remember what each local was made from (`weakness-from`).
    pub fn tracks_sources(&self) -> bool {
        self.tracks_sources
    }

    pub fn sync_claim(&self) -> Option<&CodeMatcher> {
        self.sync_claim.map(|i| &self.matchers[i])
    }
}

fn compile(raw: &RawMatch, at: &dyn Fn(usize, String) -> crate::error::Error) -> Result<Matcher> {
    const KINDS: [&str; 8] = [
        "call",
        "method",
        "unsafe",
        "static-mut",
        "unsafe-impl",
        "shell",
        "query",
        "sync-claim",
    ];
    let kind = raw.kind.get_ref().as_str();
    let offset = raw.kind.span().start;
    let paths = || raw.paths.iter().map(|p| split_path(p)).collect::<Vec<_>>();
    // Keys a kind does not read are mistakes: say so instead of ignoring them.
    let used: &[&str] = match kind {
        "call" => &["paths", "first-arg"],
        "method" => &[
            "methods",
            "first-arg",
            "receiver-call",
            "followed-by",
            "unsafe-only",
            "arg-mentions",
        ],
        "unsafe-impl" => &["traits"],
        "shell" => &["paths", "shells"],
        "query" => &["paths", "methods", "sql-words"],
        _ => &[],
    };
    let given = [
        ("paths", !raw.paths.is_empty()),
        ("methods", !raw.methods.is_empty()),
        ("first-arg", !raw.first_arg.is_empty()),
        ("receiver-call", !raw.receiver_call.is_empty()),
        ("followed-by", !raw.followed_by.is_empty()),
        ("unsafe-only", raw.unsafe_only),
        ("arg-mentions", !raw.arg_mentions.is_empty()),
        ("traits", !raw.traits.is_empty()),
        ("shells", !raw.shells.is_empty()),
        ("sql-words", !raw.sql_words.is_empty()),
    ];
    if KINDS.contains(&kind) {
        if let Some((key, _)) = given.iter().find(|(key, set)| *set && !used.contains(key)) {
            return Err(at(
                offset,
                format!("matcher kind `{kind}` does not take `{key}`"),
            ));
        }
    }
    let matcher = match kind {
        "call" => Matcher::Call {
            paths: paths(),
            first_arg: raw.first_arg.clone(),
        },
        "method" => Matcher::Method {
            methods: raw.methods.clone(),
            first_arg: raw.first_arg.clone(),
            receiver_call: raw.receiver_call.iter().map(|p| split_path(p)).collect(),
            followed_by: raw.followed_by.clone(),
            unsafe_only: raw.unsafe_only,
            arg_mentions: lowercase(&raw.arg_mentions),
        },
        "unsafe" => Matcher::UndocumentedUnsafe,
        "static-mut" => Matcher::StaticMut,
        "sync-claim" => Matcher::SyncClaim,
        "unsafe-impl" => Matcher::UnsafeImpl {
            traits: raw.traits.iter().map(|p| split_path(p)).collect(),
        },
        "shell" => Matcher::Shell {
            paths: paths(),
            shells: raw
                .shells
                .iter()
                .map(|shell| Shell {
                    programs: shell.programs.clone(),
                    flags: shell.flags.clone(),
                })
                .collect(),
        },
        "query" => Matcher::Query {
            paths: paths(),
            methods: raw.methods.clone(),
            sql_words: raw
                .sql_words
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
        },
        other => {
            let hint = closest(other, &KINDS)
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| format!("use one of {}", KINDS.join(", ")));
            return Err(at(
                offset,
                format!("unknown matcher kind `{other}`; {hint}"),
            ));
        }
    };
    let empty = match &matcher {
        Matcher::Call { paths, .. } => paths.is_empty(),
        Matcher::Method { methods, .. } => methods.is_empty(),
        Matcher::Shell { paths, shells } => paths.is_empty() || shells.is_empty(),
        Matcher::Query { paths, methods, .. } => paths.is_empty() && methods.is_empty(),
        _ => false,
    };
    if empty {
        return Err(at(
            offset,
            format!("this `{kind}` matcher matches nothing; give it paths or methods"),
        ));
    }
    Ok(matcher)
}

/// One line for `explain`: what the matcher watches.
fn describe(matcher: &Matcher, unless_safety_comment: bool) -> String {
    let code = |items: &[String], wrap: &dyn Fn(&str) -> String| {
        items
            .iter()
            .map(|item| format!("`{}`", wrap(item)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let joined = |paths: &[PathPattern]| {
        code(
            &paths.iter().map(|p| p.join("::")).collect::<Vec<_>>(),
            &|p| format!("{p}(…)"),
        )
    };
    let mut line = match matcher {
        Matcher::Call { paths, first_arg } => {
            let mut text = format!("calls: {}", joined(paths));
            if !first_arg.is_empty() {
                text.push_str(&format!(" with a first argument of {}", code(first_arg, &|a| a.to_owned())));
            }
            text
        }
        Matcher::Method {
            methods,
            first_arg,
            receiver_call,
            followed_by,
            unsafe_only,
            arg_mentions,
        } => {
            let mut text = format!("method calls: {}", code(methods, &|m| format!(".{m}(…)")));
            if !first_arg.is_empty() {
                text.push_str(&format!(" with a first argument of {}", code(first_arg, &|a| a.to_owned())));
            }
            if !receiver_call.is_empty() {
                text.push_str(&format!(" on the result of {}", joined(receiver_call)));
            }
            if !followed_by.is_empty() {
                text.push_str(&format!(" followed in the same chain by {}", code(followed_by, &|m| format!(".{m}(…)"))));
            }
            if !arg_mentions.is_empty() {
                text.push_str(&format!(
                    " given a value whose name mentions {}",
                    code(arg_mentions, &|a| a.to_owned())
                ));
            }
            if *unsafe_only {
                text.push_str(", inside `unsafe` code only");
            }
            text
        }
        Matcher::UndocumentedUnsafe => {
            "`unsafe { … }` blocks and `unsafe impl`s, unless a `// SAFETY:` comment sits on the lines directly above (or above the statement holding the block)".to_owned()
        }
        Matcher::StaticMut => "items: `static mut`".to_owned(),
        Matcher::SyncClaim => "items: `unsafe impl Sync for T` where a field of `T` (followed through `Box`, `Arc`, `Vec`, `Option` and the crate's own types, not through locks, atomics or `UnsafeCell`) is a type the same crate declares `unsafe impl Send` and says is not `Sync` (`impl !Sync` in a comment, or `not thread-safe` beside it)".to_owned(),
        Matcher::UnsafeImpl { traits } => format!(
            "items: `unsafe impl` of {}",
            code(&traits.iter().map(|p| p.join("::")).collect::<Vec<_>>(), &|t| t.to_owned())
        ),
        Matcher::Shell { paths, shells } => {
            let programs: Vec<String> = shells
                .iter()
                .map(|shell| format!("{} with {}", shell.programs.join("/"), shell.flags.join(" or ")))
                .collect();
            format!(
                "shells started by {}: {}, followed by a script that is not a literal",
                joined(paths),
                programs.join("; ")
            )
        }
        Matcher::Query { paths, methods, .. } => format!(
            "query functions {} and methods {} (when the text reads as SQL), given a string built by `format!`, `+`, `push_str` or `write!`",
            joined(paths),
            code(methods, &|m| format!(".{m}(…)"))
        ),
    };
    if unless_safety_comment {
        line.push_str("; not reported when justified by a `// SAFETY:` comment");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_compile() {
        let rules = CodeRules::embedded().expect("rules/code.toml is valid");
        assert!(rules.docs().len() >= 15);
        assert!(rules.undocumented_unsafe().is_some());
        assert!(!rules.for_function("transmute").is_empty());
        assert!(!rules.for_method("danger_accept_invalid_certs").is_empty());
    }

    #[test]
    fn core_and_alloc_paths_are_std() {
        assert_eq!(
            split_path("core::mem::transmute"),
            ["std", "mem", "transmute"]
        );
        assert_eq!(split_path("::alloc::boxed::Box"), ["std", "boxed", "Box"]);
    }

    #[test]
    fn option_clusters_end_in_the_script_flag() {
        let shell = Shell {
            programs: vec!["bash".into()],
            flags: vec!["-c".into()],
        };
        assert!(shell.is_script_flag("-c"));
        assert!(shell.is_script_flag("-lc"));
        assert!(!shell.is_script_flag("--rcfile"));
        assert!(!shell.is_script_flag("-x"));
    }

    #[test]
    fn a_key_the_kind_does_not_read_is_an_error() {
        let text = "[[rule]]\nid = \"x\"\ntitle = \"t\"\ndescription = \"d\"\ncwe = []\nseverity = \"low\"\nremediation = \"r\"\nmust-match = []\n[rule.match]\nkind = \"call\"\npaths = [\"a::b\"]\nmethods = [\"c\"]\n";
        let err = CodeRules::parse(text, Path::new("code.toml"))
            .err()
            .expect("rejected");
        assert!(err.to_string().contains("does not take `methods`"), "{err}");
    }
}
