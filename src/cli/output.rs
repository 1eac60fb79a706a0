//! Writing reports and baselines: to a temporary file renamed into place, so a failed run never
//! leaves half a file; and stdout, where a reader leaving early is not an error.
//!
//! The output path is often inside the scanned tree (`--output sarif=warden.sarif` in a CI
//! checkout), and that tree is untrusted: a committed `warden.sarif` that links to
//! `~/.bashrc` must not be written through, nor silently replaced. A link is refused; a device
//! or pipe (`/dev/stdout`, a FIFO a log collector reads) is written to directly, since it cannot
//! be replaced; a regular file is replaced atomically and keeps its permissions.

use anyhow::{bail, Context};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `cargo warden scan | head` should not turn into an error.
pub fn ignore_broken_pipe(err: std::io::Error) -> std::io::Result<()> {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

/// What is at an output path now.
enum Target {
    /// Nothing: a new file, with the usual permissions (0666 less the umask).
    New,
    /// A regular file, replaced with one of the same permissions.
    File(std::fs::Permissions),
    /// A character device or FIFO, written in place.
    Stream,
}

/// Checks an output path before a long scan, so a refused target fails at once.
pub fn check_target(path: &Path) -> anyhow::Result<()> {
    target(path).map(|_| ())
}

fn target(path: &Path) -> anyhow::Result<Target> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Target::New),
        Err(err) => return Err(err).with_context(|| format!("{}: cannot check", path.display())),
    };
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(Target::File(metadata.permissions()));
    }
    if kind.is_symlink() {
        // `/dev/stdout` is a link to the process's own descriptor: the one kind of link users
        // name on purpose, and one the scanned tree cannot plant.
        let is_stream = std::fs::metadata(path).is_ok_and(|m| is_stream(&m.file_type()));
        if is_stream && path.starts_with("/dev") {
            return Ok(Target::Stream);
        }
        bail!(
            "{}: is a symbolic link; reports are not written through links (one in a scanned tree could point anywhere); remove it or name the real file",
            path.display()
        );
    }
    if is_stream(&kind) {
        return Ok(Target::Stream);
    }
    bail!(
        "{}: is not a regular file (a directory or device); name a file for the report",
        path.display()
    )
}

#[cfg(unix)]
fn is_stream(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_: &std::fs::FileType) -> bool {
    false
}

/// Reports and baselines are written to a temporary file beside the target and renamed into
/// place, so a crash or a full disk never leaves half a report where CI would pick it up.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let permissions = match target(path)? {
        Target::Stream => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            return write_buffered(&mut file, write)
                .or_else(ignore_broken_pipe)
                .with_context(|| format!("{}: cannot write", path.display()));
        }
        Target::File(permissions) => Some(permissions),
        Target::New => None,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = Temp::create(dir)
        .with_context(|| format!("{}: cannot create the report file", path.display()))?;
    let written = write_buffered(&mut temp.file, write)
        .and_then(|()| match &permissions {
            Some(permissions) => temp.file.set_permissions(permissions.clone()),
            None => Ok(()),
        })
        .and_then(|()| temp.file.sync_all());
    written.with_context(|| format!("{}: cannot write", path.display()))?;
    temp.persist(dir, path)
        .with_context(|| format!("{}: cannot move the file into place", path.display()))
}

fn write_buffered(
    file: &mut File,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Emitters write in small pieces (serde_json writes each token); unbuffered, a report of
    // 200,000 findings cost over a minute in write syscalls.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut buffered).and_then(|()| buffered.flush())
}

/// The file a report is written to before it takes the target's place. On Linux it has no name
/// while it is written (`O_TMPFILE`), so a run killed with SIGKILL leaves nothing behind; it
/// gets a name only for the instant between linking and renaming. Elsewhere, and on file
/// systems without unnamed files, it is a hidden file beside the target, removed on failure.
struct Temp {
    file: File,
    /// The name it has, if any.
    named: Option<PathBuf>,
}

impl Temp {
    fn create(dir: &Path) -> std::io::Result<Temp> {
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed(dir) {
            return Ok(Temp { file, named: None });
        }
        let (file, name) = create_named(dir)?;
        Ok(Temp {
            file,
            named: Some(name),
        })
    }

    fn persist(mut self, dir: &Path, path: &Path) -> std::io::Result<()> {
        let name = match self.named.take() {
            Some(name) => name,
            None => link_unnamed(&self.file, dir)?,
        };
        std::fs::rename(&name, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&name);
        })
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(name) = &self.named {
            let _ = std::fs::remove_file(name);
        }
    }
}

/// A fresh hidden name beside the target: the process id and a counter keep concurrent runs and
/// several outputs of one run apart.
fn fresh_name(dir: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".warden-{}-{count}.tmp", std::process::id()))
}

fn create_named(dir: &Path) -> std::io::Result<(File, PathBuf)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    loop {
        let name = fresh_name(dir);
        match options.open(&name) {
            Ok(file) => return Ok((file, name)),
            // A leftover of an earlier run with the same process id.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
}

#[cfg(target_os = "linux")]
fn unnamed(dir: &Path) -> Option<File> {
    use rustix::fs::{openat, Mode, OFlags, CWD};
    let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
    let fd = openat(CWD, dir, flags, Mode::from_raw_mode(0o666)).ok()?;
    Some(File::from(fd))
}

/// Gives an unnamed file a name in `dir`, through its `/proc/self/fd` entry (which needs no
/// privilege, unlike linking the descriptor itself).
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, dir: &Path) -> std::io::Result<PathBuf> {
    use rustix::fs::{linkat, AtFlags, CWD};
    use std::os::unix::io::AsRawFd;
    let from = format!("/proc/self/fd/{}", file.as_raw_fd());
    loop {
        let name = fresh_name(dir);
        match linkat(CWD, from.as_str(), CWD, &name, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => return Ok(name),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(err) => return Err(err.into()),
        }
    }
}

/// Files are created unnamed only on Linux; elsewhere every temporary file has a name.
#[cfg(not(target_os = "linux"))]
fn link_unnamed(_: &File, _: &Path) -> std::io::Result<PathBuf> {
    Err(std::io::Error::other("unnamed files are a Linux feature"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A SIGKILL during the write left `.tmp*` files beside the target in half the runs; the
    /// file being written has no name now, so there is nothing to leave.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_report_being_written_has_no_name_to_leave_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut temp = Temp::create(dir.path()).unwrap();
        temp.file.write_all(b"{}").unwrap();
        if temp.named.is_some() {
            eprintln!("skipped: this file system has no unnamed files (O_TMPFILE)");
            return;
        }
        assert_eq!(names(dir.path()), Vec::<String>::new());
        temp.persist(dir.path(), &dir.path().join("report.json"))
            .unwrap();
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_report_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, |out| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = dir.path().join("warden.sarif");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write_atomically(&link, |out| out.write_all(b"report")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_failed_write_leaves_the_old_report_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomically(&path, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    #[test]
    fn named_temporary_files_are_removed_when_not_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let (file, name) = create_named(dir.path()).unwrap();
        drop(Temp {
            file,
            named: Some(name),
        });
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }
}
