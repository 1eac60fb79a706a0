//! `unsafe impl Sync` over a type the same crate keeps `Send`-only.
//!
//! A hand-written `unsafe impl Send` or `Sync` is inventory: usually right, reviewed once. What
//! is rarely right is a crate contradicting itself: it declares a type `Send` and deliberately
//! not `Sync` (its methods are not thread-safe: an SQLite value handle, a raw cursor), then
//! declares `Sync` a type that holds it, so `&T` shared across threads reaches the unsynchronised
//! type (sqlx's `SqliteRow` holding `SqliteValue`'s `ValueHandle`). That is a data race the
//! compiler was told to allow, and it gets a due date.
//!
//! The claim and the type it holds usually live in different files, so each file's pass records
//! its facts (types and their field types, `Send` and `Sync` impls) and the check joins them per
//! crate. Field types are followed through owning and sharing containers (`Box`, `Arc`, `Vec`,
//! `Option`, the crate's own types), never through what synchronises or opts out by hand
//! (`Mutex`, `RwLock`, atomics, `UnsafeCell`, `PhantomData`) or through raw pointers, whose
//! `unsafe impl` is about the pointer itself.

use crate::source::is_test_attribute;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use syn::visit::{self, Visit};

/// Types whose contents are shared safely, or on purpose by hand: a field's type is not
/// followed into them.
const SYNCHRONISED: [&str; 19] = [
    "Mutex",
    "RwLock",
    "ReentrantMutex",
    "FairMutex",
    "SyncWrapper",
    "Exclusive",
    "ThreadLocal",
    "UnsafeCell",
    "SyncUnsafeCell",
    "PhantomData",
    "AtomicPtr",
    "AtomicBool",
    "AtomicUsize",
    "AtomicU64",
    "AtomicU32",
    "AtomicCell",
    "ArcSwap",
    "Sender",
    "JoinHandle",
];

/// What one file declares.
#[derive(Debug, Default)]
pub struct TypeFacts {
    /// Types defined here, outside test code: name and the names its fields' types reach.
    pub types: Vec<(String, Vec<String>)>,
    /// `unsafe impl Send for X` where the crate also says X is not `Sync`: X and the line.
    pub sends: Vec<(String, usize)>,
    /// Any `impl Sync for X` (safe or not): X.
    pub syncs: Vec<String>,
    /// `unsafe impl Sync for X`, with where it is.
    pub claims: Vec<SyncClaim>,
}

#[derive(Debug, Clone)]
pub struct SyncClaim {
    pub type_name: String,
    pub line: usize,
    /// 1-based, of the impl's self type.
    pub column: usize,
    pub end_column: usize,
}

/// A claim that reaches a `Send`-only type.
#[derive(Debug)]
pub struct Contradiction<'f> {
    /// The file holding the claim (index into the crate's files as given).
    pub file: usize,
    pub claim: &'f SyncClaim,
    /// The `Send`-only type reached, the path to it, and where its `Send` impl is.
    pub held: String,
    pub via: Vec<String>,
    pub send_file: usize,
    pub send_line: usize,
}

/// Records one file's facts; `in_test_path`: the whole file is test code (nothing recorded).
pub fn facts(file: &syn::File, lines: &[&str], in_test_path: bool) -> TypeFacts {
    let mut collector = Collector {
        facts: TypeFacts::default(),
        lines,
    };
    if !in_test_path {
        collector.visit_file(file);
    }
    collector.facts
}

struct Collector<'l> {
    facts: TypeFacts,
    lines: &'l [&'l str],
}

/// What a comment says when the type beside it must not be shared: `impl !Sync for T` written
/// out (nightly syntax, kept as a comment), or its methods are not thread-safe. Matched as whole
/// words of the comment, with punctuation as spaces (`not synchronous` is not `not sync`).
const NOT_SYNC: [&str; 8] = [
    " !sync ",
    " not sync ",
    " not thread safe ",
    " aren t thread safe ",
    " isn t thread safe ",
    " is not thread safe ",
    " unsynchronized access ",
    " unsynchronised access ",
];

impl Collector<'_> {
    /// Whether the comments attached to `unsafe impl Send` on `line` say the type is not
    /// `Sync`: only then is `Send`-only a decision the crate made and a `Sync` claim over it a
    /// contradiction (a plain `unsafe impl Send` is often just the one that was needed). The
    /// comment block directly above, and the one right after it (past one blank line), where
    /// crates write `// impl !Sync for T {}`.
    fn says_not_sync(&self, line: usize) -> bool {
        let comment = |index: usize| {
            self.lines
                .get(index)
                .and_then(|text| text.trim_start().strip_prefix("//"))
        };
        let mut text = String::new();
        // Above: lines `line - 1`, `line - 2`, … (1-based `line` is index `line - 1`).
        let mut index = line.wrapping_sub(2);
        while let Some(c) = comment(index) {
            text.push_str(c);
            text.push(' ');
            index = index.wrapping_sub(1);
        }
        // After: skip at most one blank line, then the block.
        let mut index = line;
        if self.lines.get(index).is_some_and(|l| l.trim().is_empty()) {
            index += 1;
        }
        while let Some(c) = comment(index) {
            text.push_str(c);
            text.push(' ');
            index += 1;
        }
        let normal: String = text
            .to_lowercase()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '!' {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        let normal = format!(
            " {} ",
            normal.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        NOT_SYNC.iter().any(|phrase| normal.contains(phrase))
    }
}

impl Collector<'_> {
    fn record_type<'f>(
        &mut self,
        name: &syn::Ident,
        fields: impl IntoIterator<Item = &'f syn::Field>,
    ) {
        let mut reached = BTreeSet::new();
        for field in fields {
            // A field documented with its own access rule ("# Safety: only accessed from the
            // owning thread") is guarded by that rule, not shared blindly.
            if !documents_its_access(&field.attrs) {
                held_type_names(&field.ty, &mut reached);
            }
        }
        self.facts
            .types
            .push((name.to_string(), reached.into_iter().collect()));
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    // Types and impls are items: function bodies and expressions are not read (an item
    // declared inside a function body is rare and local to it).
    fn visit_block(&mut self, _: &'ast syn::Block) {}
    fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    fn visit_type(&mut self, _: &'ast syn::Type) {}
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Union(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Fn(f) => &f.attrs,
            _ => &[],
        };
        // Test code does not ship.
        if attrs.iter().any(is_test_attribute) {
            return;
        }
        match item {
            syn::Item::Struct(s) => self.record_type(&s.ident, s.fields.iter()),
            syn::Item::Enum(e) => {
                self.record_type(&e.ident, e.variants.iter().flat_map(|v| v.fields.iter()));
            }
            syn::Item::Union(u) => self.record_type(&u.ident, u.fields.named.iter()),
            syn::Item::Impl(imp) => self.record_impl(imp),
            _ => {}
        }
        visit::visit_item(self, item);
    }
}

impl Collector<'_> {
    fn record_impl(&mut self, imp: &syn::ItemImpl) {
        let Some((trait_path, _)) = &imp.trait_ else {
            return;
        };
        // `impl !Sync for T` (nightly): a statement that T is not `Sync`, not an impl of it.
        if imp.modifiers.polarity.is_some() {
            return;
        }
        let Some(trait_name) = trait_path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            return;
        };
        let Some(segment) = self_ty.path.segments.last() else {
            return;
        };
        let name = segment.ident.to_string();
        let line = segment.ident.span().start().line;
        match trait_name.as_str() {
            "Send" if imp.unsafety.is_some() && self.says_not_sync(line) => {
                self.facts.sends.push((name, line));
            }
            "Sync" => {
                if imp.unsafety.is_some() {
                    let span = segment.ident.span();
                    self.facts.claims.push(SyncClaim {
                        type_name: name.clone(),
                        line,
                        column: span.start().column + 1,
                        end_column: span.end().column + 1,
                    });
                }
                self.facts.syncs.push(name);
            }
            _ => {}
        }
    }
}

/// A doc comment that states how the field may be accessed (a `# Safety` section, "must only be
/// accessed from …"), not one that merely mentions thread safety.
fn documents_its_access(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .any(|attr| {
            let syn::Meta::NameValue(nv) = &attr.meta else {
                return false;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
            else {
                return false;
            };
            let text = text.value().to_lowercase();
            text.contains("safety")
                || text.contains("only be accessed")
                || text.contains("must only")
        })
}

/// The type names a field's type holds, not looking into synchronised or pointed-to contents.
fn held_type_names(ty: &syn::Type, into: &mut BTreeSet<String>) {
    match ty {
        syn::Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return;
            };
            let name = last.ident.to_string();
            if SYNCHRONISED.contains(&name.as_str()) || name.starts_with("Atomic") {
                return;
            }
            into.insert(name);
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                for arg in &args.args {
                    if let syn::GenericArgument::Type(inner) = arg {
                        held_type_names(inner, into);
                    }
                }
            }
        }
        syn::Type::Reference(r) => held_type_names(&r.elem, into),
        syn::Type::Array(a) => held_type_names(&a.elem, into),
        syn::Type::Slice(s) => held_type_names(&s.elem, into),
        syn::Type::Paren(p) => held_type_names(&p.elem, into),
        syn::Type::Group(g) => held_type_names(&g.elem, into),
        syn::Type::Tuple(t) => t.elems.iter().for_each(|e| held_type_names(e, into)),
        // Raw pointers, function pointers, trait objects, `impl Trait`, macros: not followed.
        _ => {}
    }
}

/// A type: the file it is defined in (index into the crate's files) and its name.
type Node<'a> = (usize, &'a str);

/// The crate's types, with names resolved as the files use them: a name defined once in the
/// crate is that type; a name defined in several modules is the one in the same file, or else
/// unknown (not followed: a wrong guess would join unrelated types).
struct Types<'a> {
    defined: HashMap<&'a str, Vec<(usize, &'a [String])>>,
}

impl<'a> Types<'a> {
    fn new(files: &[&'a TypeFacts]) -> Self {
        let mut defined: HashMap<&str, Vec<(usize, &[String])>> = HashMap::new();
        for (index, facts) in files.iter().enumerate() {
            for (name, reached) in &facts.types {
                defined.entry(name).or_default().push((index, reached));
            }
        }
        Types { defined }
    }

    /// `name` as used in file `from`.
    fn resolve(&self, from: usize, name: &'a str) -> Option<(Node<'a>, &'a [String])> {
        let definitions = self.defined.get(name)?;
        let (file, fields) = match definitions.as_slice() {
            [only] => *only,
            several => *several.iter().find(|(file, _)| *file == from)?,
        };
        Some(((file, name), fields))
    }
}

/// The claims in one crate's files that reach a type the crate keeps `Send`-only.
pub fn contradictions<'f>(files: &[&'f TypeFacts]) -> Vec<Contradiction<'f>> {
    let types = Types::new(files);
    let mut synced: BTreeSet<Node> = BTreeSet::new();
    for (index, facts) in files.iter().enumerate() {
        for name in &facts.syncs {
            if let Some((node, _)) = types.resolve(index, name) {
                synced.insert(node);
            }
        }
    }
    // Declared `Send` by hand and never `Sync`: deliberately not shareable.
    let mut send_only: BTreeMap<Node, usize> = BTreeMap::new();
    for (index, facts) in files.iter().enumerate() {
        for (name, line) in &facts.sends {
            match types.resolve(index, name) {
                Some((node, _)) if !synced.contains(&node) => {
                    send_only.entry(node).or_insert(*line);
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    if send_only.is_empty() {
        return found;
    }
    for (index, facts) in files.iter().enumerate() {
        for claim in &facts.claims {
            let Some((start, _)) = types.resolve(index, &claim.type_name) else {
                continue;
            };
            if let Some((held, via)) = reach(start, &types, &send_only) {
                found.push(Contradiction {
                    file: index,
                    claim,
                    held: held.1.to_owned(),
                    via,
                    send_file: held.0,
                    send_line: send_only[&held],
                });
            }
        }
    }
    found
}

/// Breadth-first from `start` through the crate's types: the first `Send`-only type reached,
/// and the types on the way.
fn reach<'a>(
    start: Node<'a>,
    types: &Types<'a>,
    send_only: &BTreeMap<Node<'a>, usize>,
) -> Option<(Node<'a>, Vec<String>)> {
    let mut came_from: HashMap<Node, Node> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    came_from.insert(start, start);
    while let Some(node) = queue.pop_front() {
        let Some((_, fields)) = types.resolve(node.0, node.1) else {
            continue;
        };
        for name in fields {
            let Some((next, _)) = types.resolve(node.0, name) else {
                continue;
            };
            if came_from.contains_key(&next) {
                continue;
            }
            came_from.insert(next, node);
            if send_only.contains_key(&next) {
                let mut via = Vec::new();
                let mut at = node;
                while at != start {
                    via.push(at.1.to_owned());
                    at = came_from[&at];
                }
                via.reverse();
                return Some((next, via));
            }
            queue.push_back(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TypeFacts {
        let lines: Vec<&str> = text.lines().collect();
        facts(&syn::parse_file(text).unwrap(), &lines, false)
    }

    #[test]
    fn a_sync_claim_over_a_send_only_field_across_files_is_found() {
        let value = parse(
            "pub struct Handle { ptr: std::ptr::NonNull<u8> }\nunsafe impl Send for Handle {}\n// impl !Sync for Handle {}\npub struct Value(Handle);",
        );
        let row = parse(
            "pub struct Row { values: Box<[Value]> }\nunsafe impl Send for Row {}\nunsafe impl Sync for Row {}",
        );
        let found = contradictions(&[&value, &row]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].held, "Handle");
        assert_eq!(found[0].via, ["Value"]);
        assert_eq!((found[0].file, found[0].claim.line), (1, 3));
        assert_eq!((found[0].send_file, found[0].send_line), (0, 2));
    }

    #[test]
    fn locks_sync_impls_and_silence_end_the_search() {
        let locked = parse(
            "struct Handle(*mut u8);\n// not thread-safe\nunsafe impl Send for Handle {}\nstruct Pool { h: std::sync::Mutex<Handle> }\nunsafe impl Sync for Pool {}",
        );
        assert!(contradictions(&[&locked]).is_empty());
        let synced = parse(
            "struct Handle(*mut u8);\n// not thread-safe\nunsafe impl Send for Handle {}\nunsafe impl Sync for Handle {}\nstruct Pool { h: Handle }\nunsafe impl Sync for Pool {}",
        );
        assert!(contradictions(&[&synced]).is_empty());
        let silent = parse(
            "struct Handle(*mut u8);\nunsafe impl Send for Handle {}\nstruct Pool { h: Handle }\nunsafe impl Sync for Pool {}",
        );
        // `Send` alone is not a statement that the type must not be shared.
        assert!(contradictions(&[&silent]).is_empty());
    }

    #[test]
    fn test_code_declares_nothing() {
        let facts = parse(
            "#[cfg(test)]\nmod tests {\n    struct H(*mut u8);\n    unsafe impl Send for H {}\n    struct R(H);\n    unsafe impl Sync for R {}\n}",
        );
        assert!(facts.types.is_empty() && facts.claims.is_empty());
    }
}
