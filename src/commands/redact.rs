//! `incident redact`: the vault's redaction as a pipe filter.

use std::io::{self, Write};

use crate::cli::RedactArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::record::lines::LineSplitter;
use crate::redact::{KnownLengths, Numbering, Placeholders, Redactor, Rules};
use crate::ui::Ui;
use crate::vault::{RulesRef, Vault, VaultNumbering};

pub fn run(cfg: &Config, ui: &Ui, args: &RedactArgs) -> Result<u8> {
    // Inside a vault its [redact] settings apply; outside any vault the built-in rules.
    // A vault whose incident.toml cannot be read is an error, not the built-ins: its own
    // rules and `disable` would be skipped and the secrets they name passed through.
    let vault = cfg.vault_if_any()?.ok_or_else(|| Vault::not_found(&cfg.cwd));
    let rules = match &vault {
        Ok(vault) => vault.rules()?,
        Err(_) => RulesRef::Builtin(Rules::builtin()),
    };
    // `-I ID` (or INCIDENT_ID): that incident's placeholders, read only. Without it, a
    // numbering of this run's own: the filter does not depend on the current incident.
    // An INCIDENT_ID inherited from the environment that names nothing here (another
    // vault's, a deleted incident) leaves the filter as it is without one; `-I` must match.
    let picked = match (&cfg.incident, vault) {
        (Some(_), Ok(vault)) => cfg.pick_incident(&vault, None).map(|incident| Some((vault, incident))),
        (Some(_), Err(e)) => Err(e),
        (None, _) => Ok(None),
    };
    let numbering = match picked {
        Ok(Some((vault, incident))) => Either::Incident(Box::new(VaultNumbering::read_only(&vault, &incident.slug))),
        Err(_) if cfg.incident_from_env => Either::Own(Box::default()),
        Err(e) => return Err(e),
        Ok(None) => Either::Own(Box::default()),
    };
    let mut input = super::open_input(cfg, args.file.as_deref())?;
    let source = || args.file.clone().unwrap_or_else(|| "stdin".into());
    let mut redactor = Redactor::new(&rules, numbering);
    let mut out = io::BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    let mut splitter = LineSplitter::default();
    let mut buf = vec![0u8; 256 * 1024];
    let mut text = String::new();
    let mut bytes = Vec::new();
    let mut write = |redactor: &mut Redactor<Either>, line: &[u8], text: &mut String| -> io::Result<()> {
        text.clear();
        redactor.push_line(&bytes_as_text(line), text);
        out.write_all(text_as_bytes(text, &mut bytes))
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
    let mut bytes = Vec::new();
    let flushed = out.write_all(text_as_bytes(&text, &mut bytes)).and_then(|_| out.flush());
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

/// The placeholders of the filter: its own, or an incident's (read only).
enum Either {
    Own(Box<Numbering>),
    Incident(Box<VaultNumbering>),
}

impl Placeholders for Either {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        match self {
            Either::Own(n) => n.placeholder(rule, secret),
            Either::Incident(n) => n.placeholder(rule, secret),
        }
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        match self {
            Either::Own(n) => n.known(candidate),
            Either::Incident(n) => n.known(candidate),
        }
    }

    fn known_lengths(&mut self) -> KnownLengths {
        match self {
            Either::Own(n) => n.known_lengths(),
            Either::Incident(n) => n.known_lengths(),
        }
    }
}

/// Where bytes that are not UTF-8 stand in the text the redactor reads: each one as a
/// character of the private use area (U+10FF80 for 0x80 … U+10FFFF for 0xFF), so that a
/// filter changes nothing it need not, even on a line that holds a secret. Such a
/// character in the input itself, and U+10FF00, go in behind a U+10FF00 that marks it as
/// itself.
const BYTE_STAND_IN: u32 = 0x10FF00;
const AS_ITSELF: char = '\u{10FF00}';

fn is_stand_in(c: char) -> bool {
    c == AS_ITSELF || (BYTE_STAND_IN + 0x80..=BYTE_STAND_IN + 0xff).contains(&u32::from(c))
}

/// A line of input as text, invalid bytes as their stand-ins.
fn bytes_as_text(line: &[u8]) -> std::borrow::Cow<'_, str> {
    // Every character that needs a mark is encoded F4 8F BC–BF xx.
    if !line.contains(&0xf4)
        && let Ok(text) = std::str::from_utf8(line)
    {
        return text.into();
    }
    let mut text = String::with_capacity(line.len() + 16);
    for chunk in line.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_stand_in(c) {
                text.push(AS_ITSELF);
            }
            text.push(c);
        }
        text.extend(chunk.invalid().iter().filter_map(|b| char::from_u32(BYTE_STAND_IN + u32::from(*b))));
    }
    text.into()
}

/// The text to write, stand-ins back as their bytes (`buf` holds the result when needed).
fn text_as_bytes<'a>(text: &'a str, buf: &'a mut Vec<u8>) -> &'a [u8] {
    if !text.as_bytes().contains(&0xf4) {
        return text.as_bytes();
    }
    buf.clear();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            AS_ITSELF => match chars.next() {
                Some(next) => next,
                None => break,
            },
            c if is_stand_in(c) => {
                buf.push((u32::from(c) - BYTE_STAND_IN) as u8);
                continue;
            }
            c => c,
        };
        buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    buf
}

/// A reader that went away (`| head`) is not an error.
fn broken_pipe_or(e: io::Error) -> Result<u8> {
    if e.kind() == io::ErrorKind::BrokenPipe { Ok(0) } else { Err(Error::stdout(e)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_come_back_as_they_were() {
        let line = b"caf\xe9 \xff\xfe ok \xc3\n";
        let text = bytes_as_text(line);
        assert_eq!(text.chars().filter(|c| u32::from(*c) >= BYTE_STAND_IN).count(), 4);
        assert_eq!(text_as_bytes(&text, &mut Vec::new()), line);
        assert_eq!(text_as_bytes("plain caf\u{e9} \u{1f600}", &mut Vec::new()), "plain caf\u{e9} \u{1f600}".as_bytes());
        // The stand-ins' own characters in valid input stay themselves.
        let valid = "x \u{10FFFF} \u{10FF00} \u{10FF80}\u{10FEFF} y\n".as_bytes();
        assert_eq!(text_as_bytes(&bytes_as_text(valid), &mut Vec::new()), valid);
        let mixed = b"\xf4\x8f\xbf\xbf\xff\xf4\n";
        assert_eq!(text_as_bytes(&bytes_as_text(mixed), &mut Vec::new()), mixed);
    }
}
