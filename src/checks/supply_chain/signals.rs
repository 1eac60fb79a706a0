//! What names and literals in build-time code mean: which programs are build tools, which are
//! shells or downloaders, which crates and types open connections, which paths are credential
//! files, which variable names hold secrets, which file modes make a file executable. Kept apart
//! from `capabilities.rs`, which reads the tokens, so the judgement can be read (and changed) as
//! a list.

/// Programs a build script runs as part of building: compilers, archivers, build systems,
/// version control for version stamps. Running them is the ordinary `build-process`.
pub(super) const TOOLCHAIN: &[&str] = &[
    "rustc",
    "cargo",
    "rustup",
    "cc",
    "c++",
    "gcc",
    "g++",
    "clang",
    "clang++",
    "cl",
    "cl.exe",
    "clang-cl",
    "ar",
    "ranlib",
    "ld",
    "lld",
    "lib.exe",
    "link.exe",
    "pkg-config",
    "pkgconf",
    "make",
    "gmake",
    "nmake",
    "cmake",
    "ninja",
    "meson",
    "nasm",
    "yasm",
    "as",
    "xcrun",
    "git",
    "llvm-config",
    "protoc",
    "flex",
    "bison",
    "windres",
    "rc.exe",
    "install_name_tool",
    "strip",
    "objcopy",
    "autoreconf",
    "autoconf",
    "glib-compile-resources",
    "xcodebuild",
];

/// Variables cargo sets to name the build tools a build script may run.
pub(super) const TOOL_VARIABLES: &[&str] = &[
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTDOC",
    "CARGO",
    "CC",
    "CXX",
    "AR",
    "HOST_CC",
    "TARGET_CC",
    "PKG_CONFIG",
    "CMAKE",
];

/// Shells and interpreters: running one is executing whatever script it is given.
pub(super) const INTERPRETERS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "cmd",
    "cmd.exe",
    "powershell",
    "powershell.exe",
    "pwsh",
    "python",
    "python3",
    "perl",
    "node",
    "ruby",
    "osascript",
    "wscript",
    "cscript",
    "/bin/sh",
    "/bin/bash",
];

/// Programs that download.
pub(super) const DOWNLOADERS: &[&str] = &["curl", "curl.exe", "wget", "bitsadmin", "certutil"];

/// Crates and types that open network connections.
pub(super) const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "ureq",
    "curl",
    "attohttpc",
    "minreq",
    "isahc",
    "http_req",
    "surf",
    "ehttp",
    "hyper",
    "ftp",
    "suppaftp",
    "ssh2",
];
pub(super) const NETWORK_TYPES: &[&str] = &["TcpStream", "UdpSocket", "TcpListener"];

/// Paths in a literal that name credential files.
pub(super) const CREDENTIAL_FILES: &[&str] = &[
    ".ssh/id_",
    "id_rsa",
    "id_dsa",
    "id_ed25519",
    "id_ecdsa",
    ".aws/credentials",
    ".aws/config",
    ".cargo/credentials",
    "credentials.toml",
    ".git-credentials",
    ".netrc",
    ".docker/config.json",
    ".kube/config",
    ".npmrc",
    ".pypirc",
];

/// Words in an environment variable's name that say it holds a secret.
pub(super) const SECRET_NAME_PARTS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
];

/// A literal at least this long made only of base64 or hex characters is an encoded blob.
pub(super) const BLOB_LENGTH: usize = 1024;

/// `/usr/bin/python3` and `python3.exe` are `python3`: the file name, lower case.
pub(super) fn program_name(program: &str) -> String {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let lowered = name.to_ascii_lowercase();
    if INTERPRETERS.contains(&lowered.as_str()) || TOOLCHAIN.contains(&lowered.as_str()) {
        return lowered;
    }
    lowered
        .strip_suffix(".exe")
        .map_or(lowered.clone(), str::to_owned)
}

/// A file mode with an execute bit, as a literal: `0o755`, `0x1ed`, `493`, or chmod's `755`.
pub(super) fn mode_is_executable(literal: &[u8]) -> bool {
    let text: String = String::from_utf8_lossy(literal)
        .chars()
        .filter(|c| *c != '_')
        .collect();
    let suffixes = [
        "usize", "isize", "u128", "i128", "u64", "i64", "u32", "i32", "u16", "i16",
    ];
    let text = suffixes
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .unwrap_or(&text);
    let mode = if let Some(octal) = text.strip_prefix("0o") {
        u32::from_str_radix(octal, 8).ok()
    } else if let Some(hex) = text.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()
    } else if (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        // chmod's `755`. As a Rust literal `755` is decimal, but modes are written `0o755`.
        u32::from_str_radix(text, 8).ok()
    } else {
        text.parse().ok()
    };
    mode.is_some_and(|mode| mode & 0o111 != 0)
}

/// `curl -s https://x | sh`, `wget -O- … | bash`, `iwr … | iex`.
pub(super) fn pipes_into_interpreter(command: &str) -> bool {
    command.split('|').skip(1).any(|stage| {
        let program = stage.split_whitespace().next().unwrap_or("");
        INTERPRETERS.contains(&program_name(program).as_str()) || program == "iex"
    })
}

pub(super) fn is_github_url(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':', '?']).next())
        .unwrap_or("");
    matches!(
        host,
        "github.com"
            | "api.github.com"
            | "objects.githubusercontent.com"
            | "raw.githubusercontent.com"
    )
}

pub(super) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    name.len() < 100 && SECRET_NAME_PARTS.iter().any(|part| upper.contains(part))
}

pub(super) fn is_blob(value: &str) -> bool {
    value.len() >= BLOB_LENGTH
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
}

pub(super) fn shorten(value: &str) -> String {
    if value.chars().count() > 60 {
        format!("{}…", value.chars().take(60).collect::<String>())
    } else {
        value.to_owned()
    }
}
