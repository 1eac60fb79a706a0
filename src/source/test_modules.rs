//! Test code the way Cargo sees it: a file is test code when a `#[cfg(test)] mod name;` declares
//! it (`src/client/test.rs` under `#[cfg(test)] mod test;`), or when it is a module of such a
//! file, however deep. Where a file lives (`tests/`, `examples/`) is `walk::is_test_path`; this
//! covers the out-of-line test modules that live next to shipped code.
//!
//! Each Rust file's declarations are read from its own parse ([`declared_modules`]); which files
//! they name is settled once the walk has seen every file ([`test_files`]).

use super::rust::is_test_attribute;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Attribute, Item};

/// An out-of-line `mod name;` a file declares: the paths it may live at (relative to the scan
/// root), and whether the declaration is test-only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleDecl {
    pub candidates: Vec<String>,
    pub test: bool,
}

/// The out-of-line modules `file` (at `relative`) declares, with Cargo's path rules: the children
/// of `lib.rs`, `main.rs` and `mod.rs` sit beside them, those of `foo.rs` in `foo/`; an inline
/// `mod a { mod b; }` adds `a/`; `#[path = "..."]` names the file outright.
pub fn declared_modules(relative: &str, file: &syn::File) -> Vec<ModuleDecl> {
    let (dir, stem) = match relative.rsplit_once('/') {
        Some((dir, name)) => (dir, name.trim_end_matches(".rs")),
        None => ("", relative.trim_end_matches(".rs")),
    };
    // `lib.rs`, `main.rs`, `mod.rs`, `build.rs` and a binary's root (`src/bin/tool.rs`) own
    // their directory; any other `foo.rs` keeps its children in `foo/`.
    let in_bin = dir == "src/bin" || dir.ends_with("/src/bin");
    let owns_dir = matches!(stem, "lib" | "main" | "mod" | "build") || in_bin;
    let base = match (owns_dir, dir.is_empty()) {
        (true, _) => dir.to_owned(),
        (false, true) => stem.to_owned(),
        (false, false) => format!("{dir}/{stem}"),
    };
    let mut found = Vec::new();
    collect(&file.items, &base, dir, false, &mut found);
    found
}

/// `base`: where the items' out-of-line modules live; `path_dir`: what their `#[path]` is
/// relative to (the file's directory at the top level).
fn collect(items: &[Item], base: &str, path_dir: &str, in_test: bool, found: &mut Vec<ModuleDecl>) {
    for item in items {
        let Item::Mod(module) = item else { continue };
        let test = in_test || module.attrs.iter().any(is_test_attribute);
        let name = module.ident.to_string();
        let name = name.trim_start_matches("r#");
        let join = |dir: &str, rest: &str| {
            if dir.is_empty() {
                rest.to_owned()
            } else {
                format!("{dir}/{rest}")
            }
        };
        match &module.content {
            Some((_, inner)) => {
                // Inside an inline module, `#[path]` is relative to that module's directory.
                let dir = join(base, name);
                collect(inner, &dir, &dir, test, found)
            }
            None => {
                let candidates = match path_attribute(&module.attrs) {
                    // `#[path]` on a file's own items is relative to the file's directory.
                    Some(path) => normalise(&join(path_dir, &path)).into_iter().collect(),
                    None => vec![
                        join(base, &format!("{name}.rs")),
                        join(base, &format!("{name}/mod.rs")),
                    ],
                };
                found.push(ModuleDecl { candidates, test });
            }
        }
    }
}

fn path_attribute(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        if !attr.path().is_ident("path") {
            return None;
        }
        match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value().replace('\\', "/")),
            _ => None,
        }
    })
}

/// `a/b/../c.rs` as `a/c.rs`; `None` for a path that leaves the scanned tree (absolute, or
/// climbing above its root), which names no file the walk read.
fn normalise(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The files among `scanned` that are test code by declaration: named by a test-only `mod`, or a
/// module (at any depth) of such a file.
pub fn test_files(
    scanned: &BTreeSet<String>,
    declarations: &BTreeMap<String, Vec<ModuleDecl>>,
) -> BTreeSet<String> {
    let resolve = |decl: &ModuleDecl| {
        decl.candidates
            .iter()
            .find(|c| scanned.contains(*c))
            .cloned()
    };
    let mut tests: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = declarations
        .values()
        .flatten()
        .filter(|decl| decl.test)
        .filter_map(resolve)
        .collect();
    while let Some(file) = queue.pop() {
        if !tests.insert(file.clone()) {
            continue;
        }
        if let Some(children) = declarations.get(&file) {
            queue.extend(children.iter().filter_map(resolve));
        }
    }
    tests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(relative: &str, source: &str) -> Vec<ModuleDecl> {
        declared_modules(relative, &syn::parse_file(source).unwrap())
    }

    #[test]
    fn out_of_line_modules_follow_cargo_path_rules() {
        let found = decls(
            "rustls/src/client/mod.rs",
            "mod hs;\n#[cfg(test)]\nmod test;\nmod inline { #[cfg(test)] mod deep; }\n",
        );
        assert_eq!(
            found,
            [
                ModuleDecl {
                    candidates: vec![
                        "rustls/src/client/hs.rs".into(),
                        "rustls/src/client/hs/mod.rs".into()
                    ],
                    test: false
                },
                ModuleDecl {
                    candidates: vec![
                        "rustls/src/client/test.rs".into(),
                        "rustls/src/client/test/mod.rs".into()
                    ],
                    test: true
                },
                ModuleDecl {
                    candidates: vec![
                        "rustls/src/client/inline/deep.rs".into(),
                        "rustls/src/client/inline/deep/mod.rs".into()
                    ],
                    test: true
                },
            ]
        );
        // A non-mod-rs file's children live in a directory named after it.
        let found = decls("src/crypto.rs", "#[cfg(test)] mod mocks;");
        assert_eq!(found[0].candidates[0], "src/crypto/mocks.rs");
        // `#[path]` is relative to the declaring file's directory.
        let found = decls(
            "src/lib.rs",
            "#[cfg(test)]\n#[path = \"../testing/x.rs\"]\nmod x;",
        );
        assert_eq!(found[0].candidates, ["testing/x.rs"]);
        // `cfg(not(test))` is shipped code; `test` inside `any`/`all` is test-only.
        let found = decls(
            "src/lib.rs",
            "#[cfg(not(test))] mod real;\n#[cfg(all(unix, not(test)))] mod unix;\n#[cfg(any(doc, test))] pub(crate) mod test_provider;\n#[cfg(all(test, feature = \"x\"))] mod with_x;\n#[cfg(all(test, not(miri)))] mod not_miri;\n#[cfg(any(test, feature = \"testing\"))] pub mod ships_with_a_feature;",
        );
        let test: Vec<bool> = found.iter().map(|d| d.test).collect();
        assert_eq!(test, [false, false, true, true, true, false]);
    }

    #[test]
    fn modules_of_a_test_module_are_test_code_too() {
        let scanned: BTreeSet<String> = [
            "src/lib.rs",
            "src/client.rs",
            "src/client/test.rs",
            "src/client/test/helpers.rs",
            "src/client/hs.rs",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let mut declarations = BTreeMap::new();
        declarations.insert("src/lib.rs".to_owned(), decls("src/lib.rs", "mod client;"));
        declarations.insert(
            "src/client.rs".to_owned(),
            decls("src/client.rs", "mod hs;\n#[cfg(test)] mod test;"),
        );
        declarations.insert(
            "src/client/test.rs".to_owned(),
            decls("src/client/test.rs", "mod helpers;"),
        );
        let tests = test_files(&scanned, &declarations);
        let tests: Vec<&str> = tests.iter().map(String::as_str).collect();
        assert_eq!(tests, ["src/client/test.rs", "src/client/test/helpers.rs"]);
    }
}
