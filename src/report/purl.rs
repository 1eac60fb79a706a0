//! Package URLs for locked packages, shared by the OpenVEX and CycloneDX writers so both name a
//! package the same way. A crates.io package is `pkg:cargo/NAME@VERSION`; one from another
//! registry adds `repository_url`, one from git adds `vcs_url` (purl's qualifiers for where a
//! package came from). A path dependency or workspace member has no purl: it is no published
//! package, and calling it `pkg:cargo/NAME` would make SBOM tools match crates.io's advisories
//! for an unrelated crate of the same name.

/// `pkg:cargo/NAME@VERSION`; a crate name needs no escaping, a version's `+` does.
pub fn purl(name: &str, version: &str) -> String {
    format!("pkg:cargo/{name}@{}", encode(version))
}

/// Where a locked package comes from, read from its lockfile `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin<'s> {
    CratesIo,
    /// Another registry (remote, sparse, local or a directory), by its index URL.
    Registry(&'s str),
    /// A git repository and the commit the lockfile pins.
    Git {
        url: &'s str,
        commit: Option<&'s str>,
    },
    /// A path package, or a source kind this reader does not know.
    Local,
}

impl<'s> Origin<'s> {
    pub fn of(source: Option<&'s str>) -> Origin<'s> {
        let Some(source) = source else {
            return Origin::Local;
        };
        if let Some(rest) = source.strip_prefix("git+") {
            let (location, commit) = match rest.split_once('#') {
                Some((location, commit)) if !commit.is_empty() => (location, Some(commit)),
                Some((location, _)) => (location, None),
                None => (rest, None),
            };
            // `?branch=`, `?tag=`, `?rev=` say what was asked for; the commit says what was got.
            // Without a commit, a `rev` pins as well as one.
            let (url, query) = location.split_once('?').unwrap_or((location, ""));
            let commit = commit.or_else(|| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("rev="))
                    .filter(|rev| !rev.is_empty())
            });
            return Origin::Git { url, commit };
        }
        let index = source
            .strip_prefix("registry+")
            .or_else(|| source.strip_prefix("sparse+"))
            .map(|url| (url, source.starts_with("sparse+")));
        match index {
            Some(("https://github.com/rust-lang/crates.io-index", false))
            | Some(("https://index.crates.io/", true)) => Origin::CratesIo,
            Some((url, false)) => Origin::Registry(url),
            // Cargo names a sparse index with its prefix; keep it so the URL says how to read it.
            Some((_, true)) => Origin::Registry(source),
            None => match source.split_once('+') {
                Some(("local-registry" | "directory", _)) => Origin::Registry(source),
                _ => Origin::Local,
            },
        }
    }

    /// The name SBOM properties give this kind of source.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::CratesIo => "crates.io",
            Origin::Registry(_) => "registry",
            Origin::Git { .. } => "git",
            Origin::Local => "path",
        }
    }
}

/// The purl of a locked package, or `None` for a path package.
pub fn package_url(name: &str, version: &str, source: Option<&str>) -> Option<String> {
    let base = purl(name, version);
    match Origin::of(source) {
        Origin::CratesIo => Some(base),
        Origin::Registry(url) => Some(format!("{base}?repository_url={}", encode(url))),
        Origin::Git { url, commit } => {
            let pinned = match commit {
                Some(commit) => format!("git+{url}@{commit}"),
                None => format!("git+{url}"),
            };
            Some(format!("{base}?vcs_url={}", encode(&pinned)))
        }
        Origin::Local => None,
    }
}

/// Percent-encodes everything but unreserved characters and `:` `/`, as purl asks of versions
/// and qualifier values.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_by_source() {
        let crates_io = Some("registry+https://github.com/rust-lang/crates.io-index");
        assert_eq!(
            package_url("serde", "1.0.0", crates_io).as_deref(),
            Some("pkg:cargo/serde@1.0.0")
        );
        assert_eq!(
            package_url("serde", "1.0.0", Some("sparse+https://index.crates.io/")).as_deref(),
            Some("pkg:cargo/serde@1.0.0")
        );
        assert_eq!(
            package_url("a", "0.1.0+build.5", crates_io).as_deref(),
            Some("pkg:cargo/a@0.1.0%2Bbuild.5")
        );
        assert_eq!(
            package_url(
                "inner",
                "2.0.0",
                Some("registry+https://crates.example.com/index")
            )
            .as_deref(),
            Some("pkg:cargo/inner@2.0.0?repository_url=https://crates.example.com/index")
        );
        assert_eq!(
            package_url(
                "inner",
                "2.0.0",
                Some("sparse+https://crates.example.com/api/")
            )
            .as_deref(),
            Some("pkg:cargo/inner@2.0.0?repository_url=sparse%2Bhttps://crates.example.com/api/")
        );
        assert_eq!(
            package_url(
                "gitdep",
                "0.3.0",
                Some("git+https://github.com/o/r?branch=main#0123abcd")
            )
            .as_deref(),
            Some("pkg:cargo/gitdep@0.3.0?vcs_url=git%2Bhttps://github.com/o/r%400123abcd")
        );
        assert_eq!(
            package_url(
                "g",
                "0.1.0",
                Some("git+ssh://git@example.com/g.git?rev=abc#")
            )
            .as_deref(),
            Some("pkg:cargo/g@0.1.0?vcs_url=git%2Bssh://git%40example.com/g.git%40abc")
        );
        assert_eq!(
            package_url("g", "0.1.0", Some("git+https://example.com/g?branch=x")).as_deref(),
            Some("pkg:cargo/g@0.1.0?vcs_url=git%2Bhttps://example.com/g")
        );
        assert_eq!(package_url("member", "0.1.0", None), None);
        assert_eq!(
            package_url("member", "0.1.0", Some("path+file:///src/member")),
            None
        );
    }
}
