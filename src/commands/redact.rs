//! `incident redact`: the vault's redaction as a pipe filter.

use std::io::{self, Write};

use crate::cli::RedactArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::record::lines::LineSplitter;
use crate::redact::{Numbering, Redactor, Rules};
use crate::ui::Ui;
use crate::vault::RulesRef;

pub fn run(cfg: &Config, ui: &Ui, args: &RedactArgs) -> Result<u8> {
    // Inside a vault its [redact] settings apply; anywhere else the built-in rules.
    let rules = match cfg.vault() {
        Ok(vault) => vault.rules()?,
        Err(_) => RulesRef::Builtin(Rules::builtin()),
    };
    let mut input = super::open_input(cfg, args.file.as_deref())?;
    let source = || args.file.clone().unwrap_or_else(|| "stdin".into());
    let mut redactor = Redactor::new(&rules, Numbering::default());
    let mut out = io::BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    let mut splitter = LineSplitter::default();
    let mut buf = vec![0u8; 256 * 1024];
    let mut text = String::new();
    // The last line, when it has no newline and is not UTF-8: it comes out at `finish`.
    let mut last_raw: Option<Vec<u8>> = None;
    let mut write = |redactor: &mut Redactor<Numbering>, line: &[u8], text: &mut String| -> io::Result<()> {
        text.clear();
        let lossy = String::from_utf8_lossy(line);
        redactor.push_line(&lossy, text);
        // A filter changes nothing it need not: a line that is not UTF-8 and comes back
        // untouched goes out as its own bytes, not with U+FFFD in it.
        let invalid = matches!(lossy, std::borrow::Cow::Owned(_));
        if invalid && *text == lossy {
            return out.write_all(line);
        }
        last_raw = (invalid && !line.ends_with(b"\n")).then(|| line.to_vec());
        out.write_all(text.as_bytes())
    };
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", source(), e)),
        };
        if let Err(e) = splitter.push(&buf[..n], |line| write(&mut redactor, line, &mut text)) {
            return broken_pipe_or(e);
        }
    }
    let finished = splitter.finish(|line| write(&mut redactor, line, &mut text));
    if let Err(e) = finished {
        return broken_pipe_or(e);
    }
    text.clear();
    redactor.finish(&mut text);
    let tail = match &last_raw {
        Some(raw) if text == String::from_utf8_lossy(raw) => raw.as_slice(),
        _ => text.as_bytes(),
    };
    let flushed = out.write_all(tail).and_then(|_| out.flush());
    if let Err(e) = flushed {
        return broken_pipe_or(e);
    }
    let counts = redactor.counts();
    let total: u64 = counts.values().sum();
    if total == 0 {
        ui.status("no secrets found");
    } else {
        let by_rule: Vec<String> = counts.iter().map(|(rule, n)| format!("{rule} {n}")).collect();
        // Places, not distinct secrets: the same token twice is two redactions.
        let noun = if total == 1 { "redaction" } else { "redactions" };
        ui.status(&format!("{total} {noun} ({})", by_rule.join(", ")));
    }
    Ok(0)
}

/// A reader that went away (`| head`) is not an error.
fn broken_pipe_or(e: io::Error) -> Result<u8> {
    if e.kind() == io::ErrorKind::BrokenPipe { Ok(0) } else { Err(Error::io("write", "stdout", e)) }
}
