//! The audit cache: one file per crate, named by the `.crate` file's SHA-256, so an unchanged
//! crate is read once per machine whatever workspace locks it. It lives outside the scanned tree
//! (`$CARGO_HOME/warden-cache/` or `--cache-dir`).
//!
//! Each entry is written to a temporary file in the same directory and renamed into place, so a
//! concurrent scan sees the old entry, the new one or none, never half of one. An entry starts
//! with the SHA-256 of the rest; one that does not match it, does not parse, is larger than any
//! entry could be, was made by another version of the audit or for another crate is rebuilt,
//! never trusted.
//!
//! The digest catches corruption, not forgery: anyone who can write the directory can write an
//! entry. So the directory is the user's (`--cache-dir`, or the cargo home), never one the scanned
//! tree names, and only registry crates are cached: their key is the checksum cargo verified when
//! it downloaded them, while a `vendor/` directory states its own.

use super::audit::CrateAudit;
use crate::digest::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Changes whenever the audit's output for the same crate can change: the tool version, the rules
/// file, and the source of the code that audits (so any change to the lexer or the capability
/// reading retires every entry, with nobody having to remember to bump a number).
pub fn audit_version() -> String {
    format!(
        "{}-{}",
        env!("CARGO_PKG_VERSION"),
        crate::digest::version_of(&[
            super::rules::RULES_TOML,
            include_str!("lexer.rs"),
            include_str!("capabilities.rs"),
            include_str!("signals.rs"),
            include_str!("audit.rs"),
            include_str!("cache.rs"),
        ])
    )
}

/// No entry is larger: a crate's evidence is capped well below this.
const MAX_ENTRY: u64 = 16 << 20;

#[derive(Serialize, Deserialize)]
struct Entry {
    version: String,
    name: String,
    crate_version: String,
    checksum: String,
    audit: CrateAudit,
}

/// A cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    version: String,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache {
            dir,
            version: audit_version(),
        }
    }

    fn path(&self, checksum: &str) -> PathBuf {
        self.dir
            .join("supply-chain")
            .join(&checksum[..2])
            .join(format!("{checksum}.json"))
    }

    /// The entry for this crate, when there is a sound one.
    pub fn get(&self, name: &str, version: &str, checksum: &str) -> Option<CrateAudit> {
        if !valid_checksum(checksum) {
            return None;
        }
        let bytes = crate::read::read_capped(&self.path(checksum), MAX_ENTRY).ok()?;
        let newline = memchr::memchr(b'\n', &bytes)?;
        let (stated, body) = (&bytes[..newline], &bytes[newline + 1..]);
        if stated != hex(&Sha256::digest(body)).as_bytes() {
            return None;
        }
        let entry: Entry = serde_json::from_slice(body).ok()?;
        (entry.version == self.version
            && entry.name == name
            && entry.crate_version == version
            && entry.checksum == checksum)
            .then_some(entry.audit)
    }

    /// Stores an audit. Failing to is not an error for the scan (the next one audits again), so
    /// the reason comes back for one warning.
    pub fn put(
        &self,
        name: &str,
        version: &str,
        checksum: &str,
        audit: &CrateAudit,
    ) -> Result<(), String> {
        if !valid_checksum(checksum) {
            return Ok(());
        }
        let path = self.path(checksum);
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|err| format!("{}: {err}", parent.display()))?;
        let entry = Entry {
            version: self.version.clone(),
            name: name.to_owned(),
            crate_version: version.to_owned(),
            checksum: checksum.to_owned(),
            audit: audit.clone(),
        };
        let body = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
        let mut file = tempfile::NamedTempFile::new_in(parent)
            .map_err(|err| format!("{}: {err}", parent.display()))?;
        file.write_all(hex(&Sha256::digest(&body)).as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.write_all(&body))
            .map_err(|err| format!("{}: {err}", path.display()))?;
        file.persist(&path)
            .map_err(|err| format!("{}: {}", path.display(), err.error))?;
        Ok(())
    }
}

/// A lockfile checksum: 64 hex digits (it names a file, so nothing else is accepted).
fn valid_checksum(checksum: &str) -> bool {
    checksum.len() == 64 && checksum.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn sample() -> CrateAudit {
        CrateAudit {
            rust_files: 3,
            unsafe_blocks: 2,
            ..CrateAudit::default()
        }
    }

    #[test]
    fn an_entry_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_owned());
        assert_eq!(cache.get("a", "1.0.0", SUM), None);
        cache.put("a", "1.0.0", SUM, &sample()).unwrap();
        assert_eq!(cache.get("a", "1.0.0", SUM), Some(sample()));
        // Another crate claiming the same checksum is not served this entry.
        assert_eq!(cache.get("b", "1.0.0", SUM), None);
    }

    #[test]
    fn a_corrupt_entry_is_never_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_owned());
        cache.put("a", "1.0.0", SUM, &sample()).unwrap();
        let path = cache.path(SUM);
        let text = std::fs::read_to_string(&path).unwrap();
        // Still valid JSON, but not what was written: the digest catches it.
        std::fs::write(
            &path,
            text.replace("\"unsafe_blocks\":2", "\"unsafe_blocks\":0"),
        )
        .unwrap();
        assert_eq!(cache.get("a", "1.0.0", SUM), None);
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert_eq!(cache.get("a", "1.0.0", SUM), None);
        cache.put("a", "1.0.0", SUM, &sample()).unwrap();
        assert_eq!(cache.get("a", "1.0.0", SUM), Some(sample()));
    }

    #[test]
    fn checksums_that_are_not_hex_are_not_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_owned());
        cache.put("a", "1", "../../etc/passwd", &sample()).unwrap();
        assert_eq!(cache.get("a", "1", "../../etc/passwd"), None);
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}
