//! Running `cargo metadata` on an untrusted tree with bounds on how long it runs, how much it
//! writes and (on Linux) how much memory it holds.
//!
//! Cargo reads every member's and path dependency's manifest, and the tree decides what those
//! are: a `Cargo.toml` that is a FIFO blocks cargo forever, one linked to `/dev/zero` makes it
//! read until memory runs out. The scan must end either way, so the child is watched: past the
//! time limit or the memory ceiling it is killed, and the caller falls back to the lockfile's
//! graph with the reason. The watch polls (`try_wait`, and `/proc/PID/status` for the resident
//! set) because the library forbids the `unsafe` that `setrlimit` in the child would need.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bounds for one run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall time before the child is killed. `cargo metadata` may download missing crates when
    /// online, which takes minutes on a cold cache for a large workspace.
    pub time: Duration,
    /// Resident memory before the child is killed (Linux only).
    pub memory: u64,
    /// What is kept of stdout; more is an error (the JSON would be cut off).
    pub stdout: u64,
}

impl Limits {
    /// For `cargo metadata`: a large workspace's metadata is tens of MiB and cargo holds a few
    /// hundred MiB while resolving it.
    pub const CARGO_METADATA: Limits = Limits {
        time: Duration::from_secs(300),
        memory: 2 << 30,
        stdout: 512 << 20,
    };
}

/// What went wrong with a run.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// The program could not be started.
    Spawn(String),
    /// It ran out of time or memory and was killed; the text says which.
    Killed(String),
    /// Its stdout was larger than the limit.
    TooMuchOutput,
    /// It exited unsuccessfully; its stderr.
    Exited(String),
}

/// Runs `command` with stdin closed, returning its stdout when it exits successfully.
pub fn run(mut command: Command, limits: Limits) -> Result<Vec<u8>, Failure> {
    // Its own process group, so a kill reaches what it started too (rustc, git, ssh).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| Failure::Spawn(err.to_string()))?;
    // Both pipes are drained on threads while this one watches, so a child that fills a pipe
    // is never blocked by the parent.
    let (sender, drained) = std::sync::mpsc::channel();
    let pipes = [
        child
            .stdout
            .take()
            .map(|pipe| drain(pipe, limits.stdout, 0, sender.clone())),
        child
            .stderr
            .take()
            .map(|pipe| drain(pipe, 1 << 20, 1, sender)),
    ];
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(err) => break Err(format!("could not be waited for ({err})")),
        }
        if started.elapsed() > limits.time {
            break Err(timed_out(limits));
        }
        if resident_bytes(child.id()).is_some_and(|bytes| bytes > limits.memory) {
            break Err(format!(
                "used more than {} MiB of memory (a manifest that never ends?)",
                limits.memory >> 20
            ));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(25));
    };
    let status = match outcome {
        Ok(status) => status,
        Err(reason) => {
            kill_group(&mut child);
            return Err(Failure::Killed(reason));
        }
    };
    // A process it left behind may hold the pipes open: the wait for them ends at the same
    // deadline, and the group is killed then.
    let mut outputs = [Drained::default(), Drained::default()];
    for _ in pipes.iter().flatten() {
        let left = limits.time.saturating_sub(started.elapsed());
        match drained.recv_timeout(left) {
            Ok((index, output)) => outputs[index] = output,
            Err(_) => {
                kill_group(&mut child);
                return Err(Failure::Killed(timed_out(limits)));
            }
        }
    }
    let [stdout, stderr] = outputs;
    if !status.success() {
        let mut message = String::from_utf8_lossy(&stderr.bytes).into_owned();
        if status.code().is_none() && message.trim().is_empty() {
            message = format!("it was killed ({status})");
        }
        return Err(Failure::Exited(message));
    }
    if stdout.overflowed {
        return Err(Failure::TooMuchOutput);
    }
    Ok(stdout.bytes)
}

fn timed_out(limits: Limits) -> String {
    format!(
        "did not finish in {} s (a manifest that is a FIFO, or a slow network?)",
        limits.time.as_secs()
    )
}

/// Kills the child and everything in its process group, and reaps the child.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(target_os = "linux")]
    if let Some(pid) = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// What a pipe gave, up to a cap.
#[derive(Default)]
struct Drained {
    bytes: Vec<u8>,
    overflowed: bool,
}

fn drain(
    mut pipe: impl Read + Send + 'static,
    cap: u64,
    index: usize,
    done: std::sync::mpsc::Sender<(usize, Drained)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut pipe).take(cap).read_to_end(&mut bytes);
        // Past the cap the rest is read and dropped, so the child can finish writing.
        let overflowed = std::io::copy(&mut pipe, &mut std::io::sink()).is_ok_and(|n| n > 0);
        let _ = done.send((index, Drained { bytes, overflowed }));
    })
}

/// The resident set of process `pid`, from `/proc/PID/status` (`VmRSS:  123 kB`).
#[cfg(target_os = "linux")]
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(not(target_os = "linux"))]
fn resident_bytes(_pid: u32) -> Option<u64> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    #[test]
    fn output_of_a_successful_run_comes_back() {
        assert_eq!(
            run(sh("echo hello"), Limits::CARGO_METADATA),
            Ok(b"hello\n".to_vec())
        );
    }

    #[test]
    fn a_failed_run_gives_its_stderr() {
        assert_eq!(
            run(sh("echo oops >&2; exit 3"), Limits::CARGO_METADATA),
            Err(Failure::Exited("oops\n".to_owned()))
        );
    }

    #[test]
    fn a_run_past_its_time_is_killed() {
        let limits = Limits {
            time: Duration::from_millis(200),
            ..Limits::CARGO_METADATA
        };
        let started = Instant::now();
        let outcome = run(sh("exec sleep 30"), limits);
        assert!(matches!(outcome, Err(Failure::Killed(ref why)) if why.contains("did not finish")));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_process_left_holding_the_pipes_is_killed_at_the_deadline() {
        let limits = Limits {
            time: Duration::from_millis(300),
            ..Limits::CARGO_METADATA
        };
        let started = Instant::now();
        let outcome = run(sh("sleep 30 & echo hi"), limits);
        assert!(matches!(outcome, Err(Failure::Killed(_))), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_past_the_cap_is_an_error_not_a_cut() {
        let limits = Limits {
            stdout: 1000,
            ..Limits::CARGO_METADATA
        };
        assert_eq!(
            run(sh("head -c 5000 /dev/zero"), limits),
            Err(Failure::TooMuchOutput)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_run_past_its_memory_is_killed() {
        let limits = Limits {
            memory: 64 << 20,
            ..Limits::CARGO_METADATA
        };
        // `tail` keeps the last line of its input, and /dev/zero has no line ends: it holds
        // everything it reads.
        let outcome = run(sh("exec tail -n 1 /dev/zero"), limits);
        assert!(
            matches!(outcome, Err(Failure::Killed(ref why)) if why.contains("memory")),
            "{outcome:?}"
        );
    }
}
