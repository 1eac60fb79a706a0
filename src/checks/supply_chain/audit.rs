//! One crate's audit, from its unpacked source: the unsafe inventory of the code it ships, and
//! what its build script or (for a proc-macro crate) its macro can do. The result is what the
//! cache keeps per checksum, so it holds only facts about the crate's own files, never anything
//! about the workspace that uses it.
//!
//! The source tree may be a `vendor/` directory inside the scanned repository, so it is untrusted:
//! links, FIFOs and devices are never followed or opened (only regular files listed in the crate's
//! own directory are read, `include_bytes!` targets included), files over a size cap are not read,
//! and nothing in it runs.

use super::capabilities::{Evidence, Facts};
use super::lexer;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Rust files larger than this are generated tables, not code to lex (counted as skipped).
const MAX_RUST_FILE: u64 = 16 << 20;
/// Directories of a crate that are never compiled into the crates that depend on it.
const NOT_SHIPPED: &[&str] = &["tests", "benches", "examples"];
/// Build dependencies that compile or link native code.
const NATIVE_BUILD_CRATES: &[&str] = &[
    "cc",
    "cmake",
    "pkg-config",
    "vcpkg",
    "autotools",
    "nasm-rs",
    "cxx-build",
    "system-deps",
    "openssl-src",
];

/// What a crate's source holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateAudit {
    /// Rust files read (those the crate ships: not `tests/`, `benches/`, `examples/`).
    pub rust_files: usize,
    pub rust_bytes: u64,
    pub files_with_unsafe: usize,
    pub unsafe_blocks: usize,
    pub unsafe_fns: usize,
    pub unsafe_impls: usize,
    pub unsafe_traits: usize,
    /// `extern "C" { … }` blocks without `unsafe` (foreign functions, unsafe to call).
    pub extern_blocks: usize,
    /// The library's root declares `#![forbid(unsafe_code)]`.
    pub forbids_unsafe_code: bool,
    /// The build script, relative to the crate.
    pub build_script: Option<String>,
    pub proc_macro: bool,
    /// The native library it declares with `links`.
    pub links: Option<String>,
    /// Every capability use found, in file and line order.
    pub evidence: Vec<Evidence>,
}

/// Audits the crate unpacked at `dir`.
pub fn audit(dir: &Path) -> CrateAudit {
    let mut audit = CrateAudit::default();
    let manifest_text =
        crate::read::read_text_capped(&dir.join("Cargo.toml"), crate::read::caps::MANIFEST)
            .unwrap_or_default();
    let manifest: toml::Table = toml::from_str(&manifest_text).unwrap_or_default();
    let package = manifest.get("package").and_then(|p| p.as_table());
    audit.build_script = match package.and_then(|p| p.get("build")) {
        Some(toml::Value::String(path)) => Some(path.replace('\\', "/")),
        Some(toml::Value::Boolean(false)) => None,
        _ => dir
            .join("build.rs")
            .is_file()
            .then(|| "build.rs".to_owned()),
    };
    audit.links = package
        .and_then(|p| p.get("links"))
        .and_then(|l| l.as_str())
        .map(str::to_owned);
    let lib = manifest.get("lib").and_then(|l| l.as_table());
    audit.proc_macro = lib
        .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let lib_root = lib
        .and_then(|l| l.get("path"))
        .and_then(|p| p.as_str())
        .unwrap_or("src/lib.rs")
        .replace('\\', "/");

    let mut files = Vec::new();
    collect_files(dir, "", &mut files);
    files.sort();
    let regular: std::collections::HashSet<String> =
        files.iter().map(|(relative, _)| relative.clone()).collect();
    let sizes: std::collections::HashMap<&str, u64> = files
        .iter()
        .map(|(relative, size)| (relative.as_str(), *size))
        .collect();
    // The files build-time code is made of: followed from its root through `mod` and `include!`,
    // so a helper module is read wherever it sits, and nothing it does not compile is.
    let build_files = match &audit.build_script {
        Some(script) => reachable(dir, script, &sizes, false),
        None => Unit::default(),
    };
    let macro_files = if !audit.proc_macro {
        Unit::default()
    } else if sizes.contains_key(lib_root.as_str()) {
        reachable(dir, &lib_root, &sizes, true)
    } else {
        // A root it cannot find (a generated one): every file under `src/`.
        Unit {
            files: files
                .iter()
                .filter(|(f, _)| f.starts_with("src/") && f.ends_with(".rs"))
                .map(|(f, _)| f.clone())
                .collect(),
            ..Unit::default()
        }
    };
    let mut build_facts = Facts::default();
    let mut macro_facts = Facts::default();
    macro_facts.skip_quote = !macro_files.defines_quote;
    let mut payloads = Vec::new();
    let mut binaries = Vec::new();
    for (relative, size) in &files {
        let path = dir.join(relative);
        if !relative.ends_with(".rs") {
            if let Some(kind) = binary_kind(&path, relative) {
                binaries.push((relative.clone(), kind));
            }
            continue;
        }
        let is_build = build_files.files.contains(relative);
        let is_macro = macro_files.files.contains(relative);
        if *size > MAX_RUST_FILE {
            if is_build || is_macro {
                payloads.push(Evidence {
                    rule: "opaque-payload".to_owned(),
                    file: relative.clone(),
                    line: 1,
                    detail: format!(
                        "{} is {} MB of Rust, too large to read",
                        if is_build {
                            "build script code"
                        } else {
                            "proc macro code"
                        },
                        size / 1_000_000
                    ),
                    needs: None,
                });
            }
            continue;
        }
        // Build-time files were read while following their modules; the rest are read here.
        let kept = build_files
            .texts
            .get(relative)
            .or_else(|| macro_files.texts.get(relative));
        let read;
        let text: &[u8] = match kept {
            Some(text) => text,
            None => match crate::read::read_capped(&path, MAX_RUST_FILE) {
                Ok(bytes) => {
                    read = bytes;
                    &read
                }
                Err(_) => continue,
            },
        };
        let top = relative.split('/').next().unwrap_or("");
        let shipped = !NOT_SHIPPED.contains(&top) && !is_build;
        if shipped {
            let lexed = lexer::lex(text);
            audit.rust_files += 1;
            audit.rust_bytes += text.len() as u64;
            audit.files_with_unsafe += usize::from(lexed.any_unsafe());
            audit.unsafe_blocks += lexed.blocks;
            audit.unsafe_fns += lexed.functions;
            audit.unsafe_impls += lexed.impls;
            audit.unsafe_traits += lexed.traits;
            audit.extern_blocks += lexed.extern_blocks;
            if *relative == lib_root && lexed.forbids_unsafe_code {
                audit.forbids_unsafe_code = true;
            }
            for (included, line) in lexed.included_bytes {
                // Only a regular file of the crate itself: `include_bytes!("/dev/stdin")` or a
                // `../` path out of the crate is never opened.
                let Some(target) = resolve(relative, &included).filter(|t| regular.contains(t))
                else {
                    continue;
                };
                if let Some(kind) = binary_kind(&dir.join(&target), &included) {
                    payloads.push(Evidence {
                        rule: "opaque-payload".to_owned(),
                        file: relative.clone(),
                        line,
                        detail: format!("embeds {kind} `{included}` with `include_bytes!`"),
                        needs: None,
                    });
                }
            }
        }
        if is_build {
            build_facts.read(relative, text);
        }
        if is_macro {
            macro_facts.read(relative, text);
        }
    }
    let mut evidence = Vec::new();
    if audit.build_script.is_some() {
        evidence.extend(build_facts.capabilities("build script"));
    }
    if audit.proc_macro {
        evidence.extend(macro_facts.capabilities("proc macro"));
    }
    let links_native = build_facts.links_native_library();
    evidence.extend(native_code(&audit, &manifest, &manifest_text, links_native));
    for (file, kind) in binaries {
        evidence.push(Evidence {
            rule: "prebuilt-binary".to_owned(),
            file,
            line: 1,
            detail: format!("ships {kind}"),
            needs: None,
        });
    }
    evidence.extend(payloads);
    evidence.sort_by(|a, b| (&a.rule, &a.file, a.line).cmp(&(&b.rule, &b.file, b.line)));
    evidence.dedup();
    audit.evidence = evidence;
    audit
}

/// The files of one unit of build-time code.
#[derive(Default)]
struct Unit {
    files: std::collections::BTreeSet<String>,
    /// The text of each file read while following modules, kept so the audit does not read it
    /// again.
    texts: std::collections::HashMap<String, Vec<u8>>,
    /// One of them defines its own `quote` macro, so `quote!` bodies are not skipped.
    defines_quote: bool,
}

/// `root` and every file it reaches through outline modules (`mod x;`: `x.rs` or `x/mod.rs`,
/// or its `#[path]`) and `include!`, among the crate's regular files. `skip_tests`: modules
/// under `#[cfg(test)]` are left out (a proc macro's own tests never run inside the compiler).
fn reachable(
    dir: &Path,
    root: &str,
    sizes: &std::collections::HashMap<&str, u64>,
    skip_tests: bool,
) -> Unit {
    let mut unit = Unit::default();
    let mut queue = vec![root.to_owned()];
    while let Some(file) = queue.pop() {
        let Some(&size) = sizes.get(file.as_str()) else {
            continue;
        };
        if !unit.files.insert(file.clone()) || size > MAX_RUST_FILE {
            continue;
        }
        let Ok(text) = crate::read::read_capped(&dir.join(&file), MAX_RUST_FILE) else {
            continue;
        };
        let outline = lexer::outline(&text);
        unit.defines_quote |= outline.defines_quote;
        // A crate root or `mod.rs` keeps its modules beside it; `a/b.rs` keeps them in `a/b/`.
        let (parent, stem) = match file.rsplit_once('/') {
            Some((parent, name)) => (format!("{parent}/"), name.trim_end_matches(".rs")),
            None => (String::new(), file.trim_end_matches(".rs")),
        };
        let owns_directory = file == root || stem == "mod";
        let children_dir = if owns_directory {
            parent.clone()
        } else {
            format!("{parent}{stem}/")
        };
        for (name, path, test) in outline.modules {
            if skip_tests && test {
                continue;
            }
            match path {
                Some(path) => queue.extend(resolve(&file, &path)),
                None => {
                    queue.push(format!("{children_dir}{name}.rs"));
                    queue.push(format!("{children_dir}{name}/mod.rs"));
                }
            }
        }
        queue.extend(
            outline
                .includes
                .iter()
                .filter_map(|path| resolve(&file, path)),
        );
        unit.texts.insert(file, text);
    }
    unit
}

/// `path` as written in `file` (both relative to the crate), resolved to a path relative to the
/// crate; `None` when it is absolute or leaves the crate.
fn resolve(file: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Deeper directories are not read: no published crate nests this deep, and a vendored tree built
/// to exhaust the stack must not.
const MAX_DEPTH: usize = 32;

/// Every regular file under `dir`, relative, with its size; links, FIFOs and devices are not
/// followed or read.
fn collect_files(root: &Path, prefix: &str, out: &mut Vec<(String, u64)>) {
    if prefix.matches('/').count() >= MAX_DEPTH {
        return;
    }
    let dir = if prefix.is_empty() {
        root.to_path_buf()
    } else {
        root.join(prefix)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if kind.is_dir() {
            if name != ".git" && name != "target" {
                collect_files(root, &relative, out);
            }
        } else if kind.is_file() {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push((relative, size));
        }
    }
}

/// What kind of prebuilt binary a file is, by its first bytes (executables, shared and static
/// libraries, object files), or `None`.
fn binary_kind(path: &Path, name: &str) -> Option<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let read = std::fs::File::open(path)
        .and_then(|mut file| file.read(&mut head))
        .ok()?;
    let head = &head[..read];
    let lower = name.to_ascii_lowercase();
    if head.starts_with(b"\x7fELF") {
        Some("an ELF binary")
    } else if head.starts_with(b"MZ") && (lower.ends_with(".exe") || lower.ends_with(".dll")) {
        Some("a Windows executable")
    } else if [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
    ]
    .iter()
    .any(|magic| head.starts_with(magic))
    {
        Some("a Mach-O binary")
    } else if head.starts_with(b"!<arch>\n") {
        Some("a static library archive")
    } else {
        None
    }
}

/// Native code: a build dependency that compiles C or finds system libraries, or a `links` key
/// with a build script that tells cargo to link a library. `links` alone is not native code:
/// crates also use it to claim a name only one version may hold (prettyplease, rayon-core).
fn native_code(
    audit: &CrateAudit,
    manifest: &toml::Table,
    text: &str,
    links_native: bool,
) -> Vec<Evidence> {
    let mut found = Vec::new();
    if let (Some(links), true) = (&audit.links, links_native) {
        found.push(Evidence {
            rule: "native-code".to_owned(),
            file: "Cargo.toml".to_owned(),
            line: line_of(text, "links"),
            detail: format!("links the native library `{links}`"),
            needs: None,
        });
    }
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["build-dependencies", "build_dependencies"] {
        tables.extend(manifest.get(key).and_then(|t| t.as_table()));
    }
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values() {
            for key in ["build-dependencies", "build_dependencies"] {
                tables.extend(target.get(key).and_then(|t| t.as_table()));
            }
        }
    }
    if audit.build_script.is_none() {
        return found;
    }
    // One piece of evidence per native build crate, each naming the crate it needs: an optional
    // one (`cc` behind a feature) counts only where the lockfile shows it was built (see
    // [`Evidence::needs`]).
    let mut named: Vec<(&str, &str)> = tables
        .iter()
        .flat_map(|table| table.iter())
        .filter_map(|(key, value)| {
            let package = value.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            NATIVE_BUILD_CRATES
                .contains(&package)
                .then_some((package, key.as_str()))
        })
        .collect();
    named.sort_unstable();
    named.dedup_by_key(|(package, _)| *package);
    for (package, key) in named {
        found.push(Evidence {
            rule: "native-code".to_owned(),
            file: "Cargo.toml".to_owned(),
            line: dependency_line(text, key),
            detail: format!("build script compiles or links native code with `{package}`"),
            needs: Some(package.to_owned()),
        });
    }
    found
}

/// The line declaring the build dependency `key`: `[build-dependencies.KEY]`, or `KEY = …` under
/// a `[build-dependencies]` table (1 when neither is found).
fn dependency_line(text: &str, key: &str) -> usize {
    let mut in_build_table = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            let header = line.trim_matches(['[', ']']);
            if header.contains("build-dependencies") || header.contains("build_dependencies") {
                if header.ends_with(&format!(".{key}")) {
                    return index + 1;
                }
                in_build_table = header.ends_with("dependencies");
            } else {
                in_build_table = false;
            }
        } else if in_build_table
            && line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return index + 1;
        }
    }
    1
}

/// The first line that starts with `key` (or a table header naming it), 1 when none does.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.starts_with(key) || (line.starts_with('[') && line.contains(key))
        })
        .map_or(1, |index| index + 1)
}
