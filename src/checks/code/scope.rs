//! Which names a file's `use` items bring into scope, so `transmute` after
//! `use std::mem::transmute` is the std function and a local `fn transmute` is not. Imports the
//! scan cannot see (globs, macros) make a path match by its tail only where that is safe.

use super::rules::PathPattern;
use std::collections::{HashMap, HashSet};
use syn::{Item, UseTree};

/// The scopes around the code being read, innermost last: the file, then each inline module and
/// block that declares items or imports.
#[derive(Default)]
pub(super) struct Scopes {
    scopes: Vec<Scope>,
    /// Imports of local modules by glob (`use super::*`): unresolved names then likely come
    /// from there, so they are not guessed to be library types.
    local_globs: usize,
}

#[derive(Default)]
struct Scope {
    /// Name in scope -> the full path it stands for.
    imports: HashMap<String, Vec<String>>,
    /// `use a::b::*` prefixes.
    globs: Vec<Vec<String>>,
    /// Items defined here (functions, types, modules): they shadow globs and the prelude.
    locals: HashSet<String>,
}

/// Names in scope in every module without a `use`.
const PRELUDE: [(&str, &str); 3] = [
    ("Box", "std::boxed::Box"),
    ("Vec", "std::vec::Vec"),
    ("String", "std::string::String"),
];

/// std modules a path may start with after a `use std::…` the scan cannot see (a glob, a macro).
const STD_MODULES: [&str; 10] = [
    "mem", "ptr", "slice", "str", "ffi", "process", "sync", "rc", "boxed", "string",
];

impl Scopes {
    /// A scope for `items` (a module's or a block's), innermost from now on.
    pub(super) fn push<'a>(&mut self, items: impl Iterator<Item = &'a Item>) {
        let mut scope = Scope::default();
        for item in items {
            match item {
                Item::Use(u) => collect_use(&u.tree, Vec::new(), &mut scope),
                Item::ExternCrate(e) => {
                    let name = e
                        .rename
                        .as_ref()
                        .map_or_else(|| e.ident.to_string(), |(_, r)| r.to_string());
                    scope.imports.insert(name, vec![e.ident.to_string()]);
                }
                other => {
                    if let Some(ident) = item_ident(other) {
                        scope.locals.insert(ident);
                    }
                }
            }
        }
        let local_globs = scope
            .globs
            .iter()
            .filter(|g| {
                matches!(
                    g.first().map(String::as_str),
                    Some("super" | "crate" | "self")
                )
            })
            .count();
        self.local_globs += local_globs;
        self.scopes.push(scope);
    }

    pub(super) fn pop(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            self.local_globs -= scope
                .globs
                .iter()
                .filter(|g| {
                    matches!(
                        g.first().map(String::as_str),
                        Some("super" | "crate" | "self")
                    )
                })
                .count();
        }
    }

    /// The paths a written path may stand for, and whether it may also be matched by its tail
    /// (an unimported type such as `Md5::new`, seen in code whose imports the scan cannot see).
    pub(super) fn resolve(&self, path: &syn::Path) -> (Vec<PathPattern>, bool) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(first) = segments.first() else {
            return (Vec::new(), false);
        };
        let normalise = |mut full: Vec<String>| {
            if matches!(full.first().map(String::as_str), Some("core" | "alloc")) {
                full[0] = "std".to_owned();
            }
            full
        };
        if path.leading_colon.is_some() {
            return (vec![normalise(segments)], false);
        }
        for scope in self.scopes.iter().rev() {
            if let Some(full) = scope.imports.get(first) {
                let mut full = full.clone();
                full.extend(segments[1..].iter().cloned());
                return (vec![normalise(full)], false);
            }
            if scope.locals.contains(first) {
                return (Vec::new(), false);
            }
        }
        match first.as_str() {
            "std" | "core" | "alloc" => return (vec![normalise(segments)], false),
            "crate" | "self" | "super" | "Self" => return (Vec::new(), false),
            _ => {}
        }
        if let Some((_, full)) = PRELUDE.iter().find(|(name, _)| name == first) {
            let mut full: Vec<String> = full.split("::").map(str::to_owned).collect();
            full.extend(segments[1..].iter().cloned());
            return (vec![full], false);
        }
        let mut candidates: Vec<PathPattern> = self
            .scopes
            .iter()
            .flat_map(|scope| &scope.globs)
            .map(|glob| {
                let mut full = glob.clone();
                full.extend(segments.iter().cloned());
                normalise(full)
            })
            .collect();
        if segments.len() >= 2 {
            // An extern crate named by its path (`sqlx::query`).
            candidates.push(segments.clone());
            if STD_MODULES.contains(&first.as_str()) {
                let mut full = vec!["std".to_owned()];
                full.extend(segments.iter().cloned());
                candidates.push(full);
            }
        }
        let type_tail = segments.len() >= 2
            && first.starts_with(|c: char| c.is_ascii_uppercase())
            && self.local_globs == 0;
        (candidates, type_tail)
    }

    pub(super) fn path_matches(&self, path: &syn::Path, patterns: &[PathPattern]) -> bool {
        if path.segments.is_empty() {
            return false;
        }
        let (candidates, type_tail) = self.resolve(path);
        patterns.iter().any(|pattern| {
            candidates.iter().any(|c| c == pattern)
                || (type_tail && {
                    let tail: Vec<String> =
                        path.segments.iter().map(|s| s.ident.to_string()).collect();
                    pattern.len() > tail.len() && pattern.ends_with(&tail)
                })
        })
    }

    pub(super) fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|scope| scope.locals.contains(name))
    }

    /// The full path a name was imported as (`tm` after `use std::mem::transmute as tm`).
    pub(super) fn import(&self, name: &str) -> Option<&[String]> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.imports.get(name))
            .map(Vec::as_slice)
    }
}

fn collect_use(tree: &UseTree, prefix: Vec<String>, scope: &mut Scope) {
    match tree {
        UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, scope);
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    scope.imports.insert(last.clone(), prefix.clone());
                }
            } else {
                let mut full = prefix;
                full.push(name.clone());
                scope.imports.insert(name, full);
            }
        }
        UseTree::Rename(r) => {
            let name = r.ident.to_string();
            let full = if name == "self" {
                prefix
            } else {
                let mut full = prefix;
                full.push(name);
                full
            };
            scope.imports.insert(r.rename.to_string(), full);
        }
        UseTree::Glob(_) => scope.globs.push(prefix),
        UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, prefix.clone(), scope);
            }
        }
    }
}

fn item_ident(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Fn(f) => &f.sig.ident,
        Item::Struct(s) => &s.ident,
        Item::Enum(e) => &e.ident,
        Item::Union(u) => &u.ident,
        Item::Type(t) => &t.ident,
        Item::Trait(t) => &t.ident,
        Item::Mod(m) => &m.ident,
        Item::Const(c) => &c.ident,
        Item::Static(s) => &s.ident,
        _ => return None,
    };
    Some(ident.to_string())
}
