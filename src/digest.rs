//! Digests for the caches' keys: what a cached result was computed by, and hex for file names.
//! Shared by the advisory snapshot and the supply-chain audit cache, which retire their entries
//! the same way: by a hash of the code that computes them.

use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 8 bytes of the SHA-256 of `parts` (each followed by a NUL), in hex: a version that
/// changes whenever any part does, so a change to the code that computes a cached result (its
/// source, through `include_str!`) retires every entry without anybody bumping a number.
pub fn version_of(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize()[..8])
}
