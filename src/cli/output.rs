//! Writing reports and baselines: to a temporary file renamed into place, so a failed run never
//! leaves half a file; and stdout, where a reader leaving early is not an error.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// `cargo warden scan | head` should not turn into an error.
pub fn ignore_broken_pipe(err: std::io::Error) -> std::io::Result<()> {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

/// Reports and baselines are written to a temporary file beside the target and renamed into place, so a crash or
/// a full disk never leaves half a report where CI would pick it up.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create the report file", path.display()))?;
    // Emitters write in small pieces (serde_json writes each token); unbuffered, a report of
    // 200,000 findings cost over a minute in write syscalls.
    let written = {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        write(&mut buffered).and_then(|()| buffered.flush())
    };
    written
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("{}: cannot move the file into place", path.display()))?;
    Ok(())
}
