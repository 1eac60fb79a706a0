//! Reading a file the scanned tree (or an advisory database) names: a regular file only, and no
//! more than a cap. A repository can commit a symlink named `Cargo.lock` that points at
//! `/dev/zero` (read until memory runs out) or a FIFO (a read that never returns); neither is a
//! file anyone meant to be scanned, and each must end in an error that names it.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A device, FIFO or socket (after following symlinks).
    NotAFile,
    /// A directory where a file was expected.
    Directory,
    /// Larger than the cap, in bytes.
    TooLarge {
        cap: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => write!(f, "{err}"),
            ReadError::NotAFile => {
                write!(f, "not a regular file (a device, FIFO or socket); remove it or point the scan elsewhere")
            }
            ReadError::Directory => write!(f, "is a directory; name a file"),
            ReadError::TooLarge { cap } => {
                write!(f, "larger than {cap} bytes, the limit for this file")
            }
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for std::io::Error {
    fn from(err: ReadError) -> std::io::Error {
        match err {
            ReadError::Io(err) => err,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// The contents of `path` if it is a regular file of at most `cap` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    // The type is checked before opening: opening a FIFO for reading blocks until a writer
    // comes. The size is checked again while reading: a file can grow, and some report 0.
    let metadata = std::fs::metadata(path).map_err(ReadError::Io)?;
    if metadata.is_dir() {
        return Err(ReadError::Directory);
    }
    if !metadata.is_file() {
        return Err(ReadError::NotAFile);
    }
    if metadata.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if !file.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_capped(path, cap)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

/// Caps, far above any real file of the kind.
pub mod caps {
    /// A Cargo.lock (large workspaces' are a few MiB).
    pub const LOCKFILE: u64 = 64 << 20;
    /// A Cargo.toml, warden.toml or policy file.
    pub const MANIFEST: u64 = 8 << 20;
    /// One RustSec advisory (real ones are a few KiB).
    pub const ADVISORY: u64 = 1 << 20;
    /// One OSV record.
    pub const OSV_RECORD: u64 = 8 << 20;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        assert!(matches!(
            read_capped(&big, 99),
            Err(ReadError::TooLarge { cap: 99 })
        ));
        assert_eq!(read_capped(&big, 100).unwrap().len(), 100);
        assert!(matches!(
            read_capped(dir.path(), 100),
            Err(ReadError::Directory)
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("Cargo.lock");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            assert!(matches!(
                read_capped(&link, 1 << 20),
                Err(ReadError::NotAFile)
            ));
        }
    }
}
