//! `incident capture -c CMD < output`: output that was already on screen.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};

use crate::cli::CaptureArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::extract::{Extractor, Hint};
use crate::model::{Step, StepKind};
use crate::record::Session;
use crate::record::body::output_body;
use crate::record::exec::{ReadFd, SignalGuard, die_by, signal_name, wait_readable};
use crate::record::output::OutputRecorder;
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &CaptureArgs) -> Result<u8> {
    let mut input: Box<dyn ReadFd> = match &args.file {
        Some(path) => {
            let path = cfg.cwd.join(path);
            Box::new(File::open(&path).map_err(|e| {
                Error::user_hint(
                    format!("cannot read {}: {e}", path.display()),
                    "give an existing file, or pipe the output in",
                )
            })?)
        }
        None => Box::new(io::stdin().lock()),
    };
    // Before a byte is read: a vault, incident or `--at` that is wrong fails at once, and
    // the input is still there to pipe in again (read and then refused, it would be lost).
    let session = Session::open_with(cfg, args.step.no_redact)?;
    let at = session.at(args.step.at.as_deref(), "capture")?;
    if args.file.is_none() && io::stdin().is_terminal() {
        // Otherwise it would wait in silence for an end of input nobody knows to type.
        let what = args.command.as_deref().map_or("the output".to_string(), |c| format!("the output of {c}"));
        let hint = "(or pipe it in: COMMAND | incident capture -c COMMAND)";
        ui.status(&format!("reading {what} from the terminal: paste it, then Ctrl-D on a line of its own {hint}"));
    }
    let mut meta = session.meta(StepKind::Capture, at);
    meta.command = args.command.clone().filter(|c| !c.trim().is_empty());
    meta.exit_code = args.exit_code;
    meta.title = args.title.clone();

    let limit = session.vault.settings.record.inline_limit;
    let mut extractor = Extractor::new(Hint::Auto);
    let mut scrub = session.scrub(args.step.no_redact);
    let mut recorder = OutputRecorder::new(&session.writer, limit, &mut scrub, |line: &str| extractor.feed_line(line));
    let mut echo = (!args.no_echo).then(io::stdout);
    let mut echo_error = None;
    let mut buf = vec![0u8; 64 * 1024];
    // Only spaces and newlines came: as empty as nothing, unless a command is named.
    let mut blank = true;
    // Ctrl-C, SIGTERM or SIGHUP end the input, as they end `journalctl -f | incident capture`:
    // what came until then is recorded, then we die by that signal, as `tee` would.
    let guard = SignalGuard::install();
    let stopped_by = loop {
        if let Some(sig) = guard.received() {
            break Some(sig);
        }
        // Reading blocks through a signal (SA_RESTART): wait in short slices instead.
        if !wait_readable(input.as_raw_fd(), 100) {
            continue;
        }
        let n = match input.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let e = Error::io("read", args.file.clone().unwrap_or_else(|| "stdin".into()), e);
                return Err(not_recorded(e, args, echo.is_some()));
            }
        };
        if let Some(out) = &mut echo
            && let Err(e) = out.write_all(&buf[..n])
        {
            // Nobody reads on (`| head`): quiet, as before. Anything else is said at the end.
            echo_error = Some(e).filter(|e| e.kind() != io::ErrorKind::BrokenPipe);
            echo = None;
        }
        blank &= buf[..n].iter().all(u8::is_ascii_whitespace);
        recorder.push(0, &buf[..n]);
    };
    drop(guard); // its handlers stay, inert: a second Ctrl-C cannot cut the step being written
    if let Some(out) = &mut echo
        && let Err(e) = out.flush()
    {
        echo_error = Some(e).filter(|e| e.kind() != io::ErrorKind::BrokenPipe);
    }
    let mut captured = recorder.finish();
    // Ages and "last restart … ago" as of the step's time, as `snapshot --at` reads them.
    let json = captured.kube_json_facts(at.timestamp());
    meta.facts = json.or_else(|| Some(extractor.finish()).filter(|f| !f.is_empty()));
    // A command that printed nothing is still evidence (`systemctl stop k3s`); bare
    // empty input is a mistake.
    // Ctrl-C before any input came is a change of mind, with or without a command named:
    // nothing is written, and we die by it as a shell expects (exit 130).
    if blank && let Some(sig) = stopped_by {
        ui.status(&format!("stopped by {} before any input came: nothing recorded", signal_name(sig)));
        return Ok(die_by(sig));
    }
    if blank && meta.command.is_none() {
        return Err(nothing_came(args.file.as_deref(), captured.bytes));
    }
    let stopped = stopped_by.map(signal_name);
    if let Some(sig) = &stopped {
        ui.status(&format!("stopped by {sig} before the input ended: recording what was read"));
    }
    if captured.bytes > 0 {
        meta.output_bytes = Some(captured.bytes);
        meta.output_sha256 = Some(captured.sha256.clone());
    }
    session.keep_output(&mut captured, &mut meta);
    let body = output_body(&meta, &captured, stopped.as_deref());
    let mut step = Step { meta, body };
    let saved = session.save(&mut step, scrub);
    if let Some(e) = &echo_error {
        ui.error(&format!("cannot write stdout: {e}"), saved.is_ok().then_some(super::run::STDOUT_HINT));
    }
    saved.map_err(|e| not_recorded(e, args, echo.is_some() && echo_error.is_none()))?;
    if let Some(why) = &captured.spool_error {
        let fix = captured.spool_hint.as_deref().map(|h| format!("\n  hint: {h}")).unwrap_or_default();
        ui.warn(&format!("the whole output was not kept, only its first and last lines: {why}{fix}"));
    }
    session.report(&step);
    Ok(stopped_by.map_or(u8::from(echo_error.is_some()), die_by))
}

/// The input was read but its step could not be written (a full disk): says the text was
/// not recorded, and where it still is.
fn not_recorded(e: Error, args: &CaptureArgs, shown: bool) -> Error {
    let fix = super::run::cause_of(&e);
    let then = match (&args.file, shown) {
        (Some(file), _) => {
            format!("then run the same `incident capture` again: {} still holds the text", file.display())
        }
        (None, true) => "the text was shown above, not recorded: then pipe it in again, or paste it into \
                         `incident capture`"
            .to_string(),
        (None, false) => {
            "the text was neither shown (--no-echo) nor recorded: then run the command again, piped in".to_string()
        }
    };
    Error::user_hint(format!("the input could not be recorded: {e}"), format!("{fix}; {then}"))
}

/// The input was empty, or blank: nothing was written; says where the output should come from.
fn nothing_came(file: Option<&std::path::Path>, bytes: u64) -> Error {
    let what = match (file, bytes) {
        (Some(file), 0) => format!("{} is empty", file.display()),
        (Some(file), _) => format!("{} holds only blank lines", file.display()),
        (None, 0) => "nothing came on standard input".to_string(),
        (None, _) => "only blank lines came on standard input".to_string(),
    };
    Error::usage(
        format!("nothing to capture: {what} (nothing was recorded)"),
        "pipe the output in: kubectl get pods -A | incident capture -c \"kubectl get pods -A\"",
    )
}
