//! `incident run -- CMD`: run, show live, record, exit with the command's code.

use crate::cli::RunArgs;
use crate::config::Config;
use crate::error::Result;
use crate::extract::{Extractor, Hint};
use crate::model::{Step, StepKind};
use crate::record::Session;
use crate::record::body::output_body;
use crate::record::exec::{die_by, run_and_tee};
use crate::record::output::OutputRecorder;
use crate::ui::Ui;

/// After "cannot write stdout" from `run` or `capture`.
pub const STDOUT_HINT: &str = "the step holds the whole output; what went to stdout is incomplete";

pub fn run(cfg: &Config, ui: &Ui, args: &RunArgs) -> Result<u8> {
    refuse_a_quoted_shell_line(&args.command)?;
    let session = Session::open_with(cfg, args.step.no_redact)?;
    let at = session.at(args.step.at.as_deref(), "run")?;
    let mut meta = session.meta(StepKind::Run, at);
    let argv: Vec<String> = args.command.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    meta.command = Some(crate::format::shell_line(&argv));
    meta.argv = Some(argv);
    meta.cwd = Some(cfg.cwd.display().to_string());
    meta.title = args.title.clone();

    let limit = session.vault.settings.record.inline_limit;
    let mut extractor = Extractor::new(Hint::Auto);
    let mut scrub = session.scrub(args.step.no_redact);
    // Secrets of the command line are known before its output streams by: echoed, they go.
    scrub.text(meta.command.as_deref().unwrap_or_default());
    let mut recorder = OutputRecorder::new(&session.writer, limit, &mut scrub, |line: &str| extractor.feed_line(line));
    // A recording failure (disk full) never stops the command: the recorder keeps head and tail.
    let finished = run_and_tee(&args.command, true, |stream, bytes| {
        recorder.push(stream, bytes);
        Ok(())
    })?;
    let captured = recorder.finish();
    // Ages and "last restart … ago" as of the step's time, as `snapshot --at` reads them.
    let json = captured.kube_json_facts(at.timestamp());
    meta.facts = json.or_else(|| Some(extractor.finish()).filter(|f| !f.is_empty()));
    meta.exit_code = Some(finished.exit_code);
    meta.signal = finished.signal.clone();
    meta.spawn_error = finished.spawn_error.clone();
    meta.output_closed = finished.output_closed;
    meta.duration_ms = Some(finished.duration.as_millis() as u64);
    if captured.bytes > 0 {
        meta.output_bytes = Some(captured.bytes);
        meta.output_sha256 = Some(captured.sha256.clone());
    }
    let mut captured = captured;
    session.keep_output(&mut captured, &mut meta);
    let body = output_body(&meta, &captured, None);
    let mut step = Step { meta, body };
    let mut code = finished.exit_code.clamp(0, 255) as u8;
    let saved = session.save(&mut step, scrub);
    if let Some(why) = &finished.stdout_error {
        // As `tee`: the record is whole, the copy behind `>` is not; a success would lie.
        ui.error(&format!("cannot write stdout: {why}"), saved.is_ok().then_some(STDOUT_HINT));
        code = code.max(1);
    }
    if let Err(e) = saved {
        // The command has run and cannot be undone: say what was lost, keep its exit code.
        // Never "run it again": it may have deleted or restarted something.
        let cause = cause_of(&e);
        ui.error(
            &format!("the command ran (exit {}) but its step could not be written: {e}", finished.exit_code),
            Some(&format!(
                "{cause}; then record what you saw with `incident note` or `incident capture`: its output \
                 was shown, not recorded (running the command again would repeat what it did)"
            )),
        );
        return Ok(finished.stop_signal.map_or(code.max(1), die_by));
    }
    if let Some(why) = &captured.spool_error {
        let fix = captured.spool_hint.as_deref().map(|h| format!("\n  hint: {h}")).unwrap_or_default();
        ui.warn(&format!("the whole output was not kept, only its first and last lines: {why}{fix}"));
    }
    if let Some(why) = &finished.spawn_error {
        ui.error(why, Some("recorded as a step that could not start"));
    }
    ui.status(&format!("recorded run {} (exit {}) in {}", step.meta.id, finished.exit_code, session.incident.slug));
    Ok(finished.stop_signal.map_or(code, die_by))
}

/// What to do about a step that could not be written, before recording it some other way.
pub(super) fn cause_of(e: &crate::error::Error) -> String {
    match e.is_disk_full() {
        true => "the disk holding the vault is full: free some space".to_string(),
        false => e.hint().unwrap_or_else(|| "fix the cause".to_string()),
    }
}

/// `incident run "echo hi | grep hi"`: one word holding a whole shell line names no program.
/// Said before anything runs or is recorded, with the form that does what was meant.
fn refuse_a_quoted_shell_line(command: &[std::ffi::OsString]) -> Result<()> {
    let [word] = command else { return Ok(()) };
    let text = word.to_string_lossy();
    let a_path_with_spaces = text.contains('/') && std::path::Path::new(word).exists();
    if !text.trim().contains(char::is_whitespace) || a_path_with_spaces {
        return Ok(());
    }
    let line = text.trim();
    let quoted = crate::format::shell_line(std::slice::from_ref(&line.to_string()));
    let shell = format!("`incident run -- sh -c {quoted}`");
    // Pipes and the like given apart would be the outer shell's, not the command's.
    let hint = match line.contains(['|', '&', ';', '<', '>', '(', '$', '`']) {
        true => format!("a shell line (pipes, `&&`, redirections) runs as {shell}"),
        false => format!("give the words apart: `incident run -- {line}` (or a shell line: {shell})"),
    };
    Err(crate::error::Error::usage(format!("`{line}` is one word, not a command: nothing was run or recorded"), hint))
}
