//! Runs a command, shows its output live, and hands every byte to the recorder.
//! Ctrl-C reaches the command, not us, so its end is always recorded.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Result;

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
}

enum Event {
    Data(usize, Vec<u8>),
    Eof(usize),
    Exit(io::Result<ExitStatus>),
}

/// Runs `argv`, copying its stdout and stderr to ours as they arrive and to
/// `on_output(stream, bytes)` (0 stdout, 1 stderr) in the same order.
pub fn run_and_tee(
    argv: &[OsString],
    tee: bool,
    mut on_output: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<Finished> {
    let _guard = SignalGuard::install();
    let started = Instant::now();
    let mut child = match Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            let program = argv[0].to_string_lossy();
            let (code, why) = match e.kind() {
                io::ErrorKind::NotFound => (127, format!("{program}: command not found")),
                io::ErrorKind::PermissionDenied => (126, format!("{program}: permission denied")),
                _ => (126, format!("{program}: {e}")),
            };
            return Ok(Finished { exit_code: code, signal: None, duration: started.elapsed(), spawn_error: Some(why) });
        }
    };
    // A bounded channel: a command printing faster than we record waits for us.
    let (tx, rx) = mpsc::sync_channel::<Event>(16);
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    for (stream, pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        let Some(mut pipe) = pipe else {
            let _ = tx.send(Event::Eof(stream));
            continue;
        };
        thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if tx.send(Event::Data(stream, buf[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            let _ = tx.send(Event::Eof(stream));
        });
    }
    thread::spawn(move || {
        let _ = tx.send(Event::Exit(child.wait()));
    });

    let mut open = [true, true];
    let mut status = None;
    let mut duration = Duration::ZERO;
    let mut deadline: Option<Instant> = None;
    let mut tee_ok = [tee, tee];
    loop {
        let event = match deadline {
            Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                Ok(event) => event,
                Err(_) => break,
            },
            None => match rx.recv() {
                Ok(event) => event,
                Err(_) => break,
            },
        };
        match event {
            Event::Data(stream, bytes) => {
                if tee_ok[stream] {
                    tee_ok[stream] = write_through(stream, &bytes);
                }
                on_output(stream, &bytes)?;
            }
            Event::Eof(stream) => open[stream] = false,
            Event::Exit(result) => {
                duration = started.elapsed();
                status = Some(result);
                deadline = Some(Instant::now() + DRAIN_AFTER_EXIT);
            }
        }
        if status.is_some() && !open[0] && !open[1] {
            break;
        }
    }
    let (exit_code, signal) = match status {
        Some(Ok(status)) => describe(status),
        Some(Err(e)) => return Err(crate::error::Error::Internal(format!("waiting for the command failed: {e}"))),
        None => (1, None),
    };
    Ok(Finished { exit_code, signal, duration, spawn_error: None })
}

/// Copies to our stdout/stderr; false once that is closed (we keep recording).
fn write_through(stream: usize, bytes: &[u8]) -> bool {
    let ok = if stream == 0 {
        let mut out = io::stdout().lock();
        out.write_all(bytes).and_then(|_| out.flush())
    } else {
        io::stderr().lock().write_all(bytes)
    };
    ok.is_ok()
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

/// While a command runs, SIGINT/SIGQUIT (sent by the terminal to the whole
/// foreground group) set a flag instead of killing us:
/// the command gets them from the terminal and we record how it ended. A handler,
/// not SIG_IGN, so the command itself starts with default dispositions.
struct SignalGuard {
    ids: Vec<signal_hook::SigId>,
}

impl SignalGuard {
    fn install() -> SignalGuard {
        let flag = Arc::new(AtomicBool::new(false));
        let ids = [libc::SIGINT, libc::SIGQUIT]
            .into_iter()
            .filter_map(|sig| signal_hook::flag::register(sig, Arc::clone(&flag)).ok())
            .collect();
        SignalGuard { ids }
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
