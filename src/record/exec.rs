//! Runs a command, shows its output live, and hands every byte to the recorder.
//! Ctrl-C reaches the command, not us, so its end is always recorded.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long output may still arrive after the command exits (from children that
/// outlive it and hold the pipe open).
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// As a shell reports it: the exit code, 128 + N for signal N, 127 not found, 126 not executable.
    pub exit_code: i32,
    /// `SIGKILL` when a signal ended the command.
    pub signal: Option<String>,
    pub duration: Duration,
    /// Why the command could not be started.
    pub spawn_error: Option<String>,
    /// Whoever read our output closed it (`| head -1`): like `tee`, we stopped reading the
    /// command's output there, so its next write ended it (SIGPIPE).
    pub output_closed: bool,
    /// Our own stdout refused the output (a full disk behind `>`): as `tee`, we kept
    /// recording the whole of it and say so. The OS error.
    pub stdout_error: Option<String>,
    /// SIGINT, SIGQUIT, SIGHUP or SIGTERM reached us and the command died by a signal:
    /// once the step is written we die by the same, so that a shell loop around us stops.
    /// (A command that handled it and exited is followed, as a shell follows it.)
    pub stop_signal: Option<i32>,
}

/// Runs `argv`, copying its stdout and stderr to ours as they arrive and to
/// `on_output(stream, bytes)` (0 stdout, 1 stderr) in the same order.
pub fn run_and_tee(
    argv: &[OsString],
    tee: bool,
    mut on_output: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<Finished> {
    let guard = SignalGuard::install();
    let started = Instant::now();
    // When our stdout and stderr go to the same place (a terminal, one log file), the
    // command gets one pipe for both: the record keeps the exact order it printed in.
    // Otherwise two pipes keep them apart, ordered as they arrive.
    let merged = same_destination();
    let mut started_as = start(&argv[0], &argv[1..], merged)?;
    if let (Err(e), _) = &started_as
        && e.raw_os_error() == Some(libc::ENOEXEC)
        && !is_binary(&resolve(&argv[0]))
    {
        // An executable script without `#!`: run by /bin/sh, as bash, env and execvp do.
        let script = resolve(&argv[0]);
        let args: Vec<OsString> = std::iter::once(script).chain(argv[1..].iter().cloned()).collect();
        started_as = start(std::ffi::OsStr::new("/bin/sh"), &args, merged)?;
    }
    let (spawned, shared) = started_as;
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let program = argv[0].to_string_lossy();
            let (code, why) = match e.kind() {
                io::ErrorKind::NotFound => (127, format!("{program}: command not found")),
                io::ErrorKind::PermissionDenied => (126, format!("{program}: permission denied")),
                _ => (126, format!("{program}: {e}")),
            };
            return Ok(Finished {
                exit_code: code,
                signal: None,
                duration: started.elapsed(),
                spawn_error: Some(why),
                output_closed: false,
                stdout_error: None,
                stop_signal: None,
            });
        }
    };
    let mut pipes: [Option<Box<dyn ReadFd>>; 2] = match shared {
        Some(reader) => [Some(Box::new(reader)), None],
        None => [
            child.stdout.take().map(|p| Box::new(p) as Box<dyn ReadFd>),
            child.stderr.take().map(|p| Box::new(p) as Box<dyn ReadFd>),
        ],
    };
    let mut status = None;
    let mut duration = Duration::ZERO;
    let mut deadline: Option<Instant> = None;
    let mut tee_ok = [tee, tee];
    let mut output_closed = false;
    let mut stdout_error = None;
    let mut buf = vec![0u8; 64 * 1024];
    // One thread polls both pipes and reads whichever is ready, stdout first: the
    // record keeps the order in which the command wrote, as far as pipes can tell.
    while pipes.iter().any(Option::is_some) {
        let wait_ms = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).as_millis() as i32,
            None => 100,
        };
        if deadline.is_some() && wait_ms == 0 {
            break; // children that outlive the command hold the pipes open
        }
        let ready = poll_readable(&pipes, wait_ms);
        for stream in 0..2 {
            if !ready[stream] {
                continue;
            }
            let Some(pipe) = pipes[stream].as_mut() else { continue };
            match pipe.read(&mut buf) {
                Ok(0) => pipes[stream] = None,
                Ok(n) => {
                    on_output(stream, &buf[..n])?;
                    if tee_ok[stream] {
                        match write_through(stream, &buf[..n]) {
                            Ok(()) => {}
                            // Nobody reads on: close this pipe, and the command's next write
                            // ends it (SIGPIPE), as it would have without us in between.
                            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                                tee_ok[stream] = false;
                                pipes[stream] = None;
                                output_closed = true;
                            }
                            // Another failure (a full disk behind `>`): keep recording, say it
                            // once at the end. A failing stderr has nowhere to be reported.
                            Err(e) => {
                                tee_ok[stream] = false;
                                if stream == 0 {
                                    stdout_error = Some(e.to_string());
                                }
                            }
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => pipes[stream] = None,
            }
        }
        if status.is_none() {
            guard.forward(&child);
        }
        if status.is_none()
            && let Ok(Some(s)) = child.try_wait()
        {
            duration = started.elapsed();
            status = Some(s);
            deadline = Some(Instant::now() + DRAIN_AFTER_EXIT);
        }
    }
    let status = match status {
        Some(s) => s,
        None => loop {
            // Its pipes are closed but it runs on: keep passing SIGHUP/SIGTERM on.
            guard.forward(&child);
            match child.try_wait() {
                Ok(Some(s)) => {
                    duration = started.elapsed();
                    break s;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(Error::Internal(format!("waiting for the command failed: {e}"))),
            }
        },
    };
    let (exit_code, signal) = describe(status);
    let stop_signal = guard.received().filter(|_| signal.is_some());
    Ok(Finished { exit_code, signal, duration, spawn_error: None, output_closed, stdout_error, stop_signal })
}

/// Starts `program` with stdin ours and stdout/stderr on pipes: one for both when
/// `merged`, handed back as the reader.
fn start(
    program: &std::ffi::OsStr,
    args: &[OsString],
    merged: bool,
) -> Result<(io::Result<std::process::Child>, Option<io::PipeReader>)> {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::inherit());
    let mut shared = None;
    if merged {
        let (reader, writer) = io::pipe().map_err(|e| Error::Internal(format!("cannot create a pipe: {e}")))?;
        let writer2 = writer.try_clone().map_err(|e| Error::Internal(format!("cannot create a pipe: {e}")))?;
        command.stdout(writer).stderr(writer2);
        shared = Some(reader);
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let spawned = command.spawn();
    drop(command); // closes our copies of the write ends, so EOF comes when the command ends
    Ok((spawned, shared))
}

/// A file the shell would not run as a script: a NUL before the end of its first line
/// (an ELF of another machine, a truncated download), as bash's check_binary_file reads it.
fn is_binary(path: &OsString) -> bool {
    let mut head = [0u8; 80];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let first_line = head[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
    first_line.contains(&0)
}

/// Where `program` was found: as given with a `/`, else the first executable file of
/// that name in PATH (as `Command` looked it up).
fn resolve(program: &OsString) -> OsString {
    use std::os::unix::fs::PermissionsExt;
    if program.as_encoded_bytes().contains(&b'/') {
        return program.clone();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
        .map_or_else(|| program.clone(), |p| p.into_os_string())
}

pub trait ReadFd: Read + AsRawFd {}
impl<T: Read + AsRawFd> ReadFd for T {}

/// Which of the open pipes have data (or EOF) within `timeout_ms`.
fn poll_readable(pipes: &[Option<Box<dyn ReadFd>>; 2], timeout_ms: i32) -> [bool; 2] {
    let mut fds: Vec<libc::pollfd> = Vec::with_capacity(2);
    let mut which = Vec::with_capacity(2);
    for (i, pipe) in pipes.iter().enumerate() {
        if let Some(p) = pipe {
            fds.push(libc::pollfd { fd: p.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            which.push(i);
        }
    }
    // SAFETY: `fds` is a valid array of `fds.len()` pollfd structs for the whole call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    let mut ready = [false; 2];
    if n > 0 {
        for (fd, i) in fds.iter().zip(which) {
            ready[i] = fd.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0;
        }
    }
    ready
}

/// True when fds 1 and 2 are the same file, pipe or terminal.
fn same_destination() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let meta = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned().ok().and_then(|o| std::fs::File::from(o).metadata().ok())
    };
    match (meta(io::stdout().as_fd()), meta(io::stderr().as_fd())) {
        (Some(a), Some(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Copies to our stdout/stderr.
fn write_through(stream: usize, bytes: &[u8]) -> io::Result<()> {
    if stream == 0 {
        let mut out = io::stdout().lock();
        out.write_all(bytes).and_then(|_| out.flush())
    } else {
        io::stderr().lock().write_all(bytes)
    }
}

fn describe(status: ExitStatus) -> (i32, Option<String>) {
    if let Some(code) = status.code() {
        return (code, None);
    }
    match status.signal() {
        Some(sig) => (128 + sig, Some(signal_name(sig))),
        None => (1, None),
    }
}

pub fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGUSR2 => "SIGUSR2",
        _ => return format!("signal {sig}"),
    };
    name.to_string()
}

/// While a command runs (or `capture` reads), SIGINT/SIGQUIT (sent by the terminal to
/// the whole foreground group) are noted instead of killing us: the command gets them
/// from the terminal and we record how it ended. A handler, not SIG_IGN, so the command
/// itself starts with default dispositions.
/// SIGHUP and SIGTERM (a dropped SSH session, `kill PID`) may reach only us: they are
/// passed on to the command, and its end is recorded all the same.
/// Once dropped, the handlers stay in place doing nothing (signal-hook cannot restore
/// the default): a second Ctrl-C does not cut the step being written; [`die_by`] ends us.
pub struct SignalGuard {
    ids: Vec<signal_hook::SigId>,
    to_forward: Arc<AtomicUsize>,
    received: Arc<AtomicUsize>,
}

impl SignalGuard {
    pub fn install() -> SignalGuard {
        let to_forward = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(AtomicUsize::new(0));
        let mut ids = Vec::new();
        for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM] {
            ids.extend(signal_hook::flag::register_usize(sig, Arc::clone(&received), sig as usize).ok());
        }
        for sig in [libc::SIGHUP, libc::SIGTERM] {
            ids.extend(signal_hook::flag::register_usize(sig, Arc::clone(&to_forward), sig as usize).ok());
        }
        SignalGuard { ids, to_forward, received }
    }

    /// Sends the command a SIGHUP or SIGTERM we received since the last call.
    fn forward(&self, child: &std::process::Child) {
        let sig = self.to_forward.swap(0, Ordering::SeqCst);
        if sig != 0 {
            // SAFETY: kill has no memory preconditions; the pid is our own unreaped child.
            unsafe { libc::kill(child.id() as libc::pid_t, sig as libc::c_int) };
        }
    }

    /// The last of SIGINT, SIGQUIT, SIGHUP or SIGTERM that reached us, if any did.
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Ends the process by `sig` with its default action, once the record is on disk: a
/// shell running us in a loop sees death by Ctrl-C and stops, as it would without us
/// (bash takes a plain exit 130 for a command that handled SIGINT, and goes on).
/// Flushes stdout and stderr first; no core file for SIGQUIT, as `timeout` does.
/// Returns only if the signal could not end us: with the exit code a shell would show.
pub fn die_by(sig: i32) -> u8 {
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    if sig == libc::SIGQUIT {
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: setrlimit reads a valid rlimit struct.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) };
    }
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    (128 + sig).clamp(0, 255) as u8
}

/// Waits up to `timeout_ms` for `fd` to be readable (or at its end).
pub fn wait_readable(fd: std::os::fd::RawFd, timeout_ms: i32) -> bool {
    let mut pollfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd for the whole call.
    let n = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
    n > 0 && pollfd.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}
