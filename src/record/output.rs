//! Command output on its way to the vault: cleaned (ANSI, `\r`, control bytes,
//! invalid UTF-8), redacted line by line, hashed, and kept inline when small or
//! spooled whole to `outputs/` with head and tail inline when large. Memory stays
//! bounded whatever the command prints.

use std::collections::VecDeque;
use std::io::{BufWriter, Write};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::error::{IoContext, Result};
use crate::vault::StepWriter;

/// A line longer than this is cut into pieces (a command that never ends a line).
pub const MAX_LINE: usize = 64 * 1024;

/// What was recorded of an output.
#[derive(Debug)]
pub struct Captured {
    /// The whole output when it fits the inline limit, else head, a marker line and tail.
    pub inline: String,
    /// The whole output in a temp file in `outputs/`, when over the inline limit.
    pub spool: Option<NamedTempFile>,
    pub bytes: u64,
    pub lines: u64,
    pub sha256: String,
    pub omitted_bytes: u64,
}

/// Receives raw bytes from one or more streams, in arrival order.
pub struct OutputRecorder<'w, F: FnMut(&str, &mut String), O: FnMut(&str)> {
    writer: &'w StepWriter,
    limit: usize,
    filter: F,
    observe: O,
    pending: [Vec<u8>; 2],
    /// Everything so far while under the limit; the head once over it.
    head: String,
    tail: VecDeque<String>,
    tail_bytes: usize,
    spool: Option<BufWriter<NamedTempFile>>,
    hasher: Sha256,
    bytes: u64,
    lines: u64,
    scratch: String,
    finished: bool,
}

impl<'w, F: FnMut(&str, &mut String), O: FnMut(&str)> OutputRecorder<'w, F, O> {
    /// `filter` turns a clean line into what is stored (redaction); `observe` sees
    /// each stored line (extraction).
    pub fn new(writer: &'w StepWriter, limit: usize, filter: F, observe: O) -> Self {
        OutputRecorder {
            writer,
            limit: limit.max(1024),
            filter,
            observe,
            pending: [Vec::new(), Vec::new()],
            head: String::new(),
            tail: VecDeque::new(),
            tail_bytes: 0,
            spool: None,
            hasher: Sha256::new(),
            bytes: 0,
            lines: 0,
            scratch: String::new(),
            finished: false,
        }
    }

    /// Bytes from `stream` (0 stdout, 1 stderr); complete lines go through at once.
    pub fn push(&mut self, stream: usize, mut bytes: &[u8]) -> Result<()> {
        while let Some(nl) = memchr(b'\n', bytes) {
            let mut line = std::mem::take(&mut self.pending[stream]);
            line.extend_from_slice(&bytes[..=nl]);
            self.line(&line)?;
            bytes = &bytes[nl + 1..];
        }
        self.pending[stream].extend_from_slice(bytes);
        while self.pending[stream].len() >= MAX_LINE {
            let cut = utf8_cut(&self.pending[stream], MAX_LINE);
            let piece: Vec<u8> = self.pending[stream].drain(..cut).collect();
            self.line(&piece)?;
        }
        Ok(())
    }

    fn line(&mut self, raw: &[u8]) -> Result<()> {
        let clean = clean_line(raw);
        self.scratch.clear();
        (self.filter)(&clean, &mut self.scratch);
        let text = std::mem::take(&mut self.scratch);
        (self.observe)(text.trim_end_matches('\n'));
        self.store(&text)?;
        self.scratch = text;
        Ok(())
    }

    fn store(&mut self, text: &str) -> Result<()> {
        self.hasher.update(text.as_bytes());
        self.bytes += text.len() as u64;
        self.lines += 1;
        if let Some(spool) = &mut self.spool {
            spool.write_all(text.as_bytes()).ctx("write", self.writer.outputs_dir())?;
            self.tail.push_back(text.to_string());
            self.tail_bytes += text.len();
            while self.tail_bytes > self.limit / 2 && self.tail.len() > 1 {
                let old = self.tail.pop_front().unwrap_or_default();
                self.tail_bytes -= old.len();
            }
            return Ok(());
        }
        self.head.push_str(text);
        if self.head.len() > self.limit {
            // Over the limit: everything so far goes to the spool, the head is cut back.
            let mut spool = BufWriter::with_capacity(256 * 1024, self.writer.output_spool()?);
            spool.write_all(self.head.as_bytes()).ctx("write", self.writer.outputs_dir())?;
            self.spool = Some(spool);
            let keep = line_cut(&self.head, self.limit / 2);
            let rest = self.head.split_off(keep);
            for line in rest.split_inclusive('\n') {
                self.tail.push_back(line.to_string());
                self.tail_bytes += line.len();
            }
            while self.tail_bytes > self.limit / 2 && self.tail.len() > 1 {
                let old = self.tail.pop_front().unwrap_or_default();
                self.tail_bytes -= old.len();
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Captured> {
        let captured = self.finish_inner()?;
        self.finished = true;
        Ok(captured)
    }

    fn finish_inner(&mut self) -> Result<Captured> {
        for stream in 0..2 {
            if !self.pending[stream].is_empty() {
                let rest = std::mem::take(&mut self.pending[stream]);
                self.line(&rest)?;
            }
        }
        let sha256 = hex(&self.hasher.finalize_reset());
        let Some(spool) = self.spool.take() else {
            return Ok(Captured {
                inline: std::mem::take(&mut self.head),
                spool: None,
                bytes: self.bytes,
                lines: self.lines,
                sha256,
                omitted_bytes: 0,
            });
        };
        let spool = spool.into_inner().map_err(|e| e.into_error()).ctx("write", self.writer.outputs_dir())?;
        let omitted = self.bytes - self.head.len() as u64 - self.tail_bytes as u64;
        let mut inline = std::mem::take(&mut self.head);
        if !inline.ends_with('\n') {
            inline.push('\n');
        }
        inline.push_str(&format!("… {} omitted; the whole output is in the linked file …\n", human_bytes(omitted)));
        for line in &self.tail {
            inline.push_str(line);
        }
        Ok(Captured {
            inline,
            spool: Some(spool),
            bytes: self.bytes,
            lines: self.lines,
            sha256,
            omitted_bytes: omitted,
        })
    }
}

impl<F: FnMut(&str, &mut String), O: FnMut(&str)> Drop for OutputRecorder<'_, F, O> {
    /// After a failure (disk full), leave no empty `outputs/` behind; a folder
    /// still holding files is not removed.
    fn drop(&mut self) {
        if !self.finished {
            drop(self.spool.take());
            let _ = std::fs::remove_dir(self.writer.outputs_dir());
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// A cut at or before `max` that does not split a UTF-8 character.
fn utf8_cut(bytes: &[u8], max: usize) -> usize {
    let max = max.min(bytes.len());
    // Step back over at most 3 continuation bytes; invalid UTF-8 is cut anywhere.
    (max.saturating_sub(3)..=max).rev().find(|&i| i > 0 && (i == bytes.len() || bytes[i] & 0xC0 != 0x80)).unwrap_or(max)
}

/// The end of the last whole line within `max` bytes (or a char boundary).
fn line_cut(text: &str, max: usize) -> usize {
    match text[..floor_char(text, max)].rfind('\n') {
        Some(i) => i + 1,
        None => floor_char(text, max),
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// What a terminal would show of one line: no ANSI sequences, `\r` overwrites,
/// other control bytes made visible, invalid UTF-8 replaced. Keeps the final `\n`.
pub fn clean_line(raw: &[u8]) -> String {
    let (body, newline) = match raw.strip_suffix(b"\n") {
        Some(b) => (b.strip_suffix(b"\r").unwrap_or(b), true),
        None => (raw, false),
    };
    let stripped;
    let body = if body.contains(&0x1b) || body.contains(&0x9b) {
        stripped = strip_ansi_escapes::strip(body);
        &stripped[..]
    } else {
        body
    };
    let body = match body.iter().rposition(|&b| b == b'\r') {
        Some(i) if i + 1 < body.len() => &body[i + 1..],
        Some(i) => &body[..i],
        None => body,
    };
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            c => out.push(c),
        }
    }
    if newline {
        out.push('\n');
    }
    out
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// `1.5 KiB`, `64 KiB`, `1.2 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if v >= 10.0 { format!("{v:.0} {}", UNITS[unit]) } else { format!("{v:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_what_terminals_hide() {
        assert_eq!(clean_line(b"\x1b[31mred\x1b[0m text\n"), "red text\n");
        assert_eq!(clean_line(b"10%\r50%\r100%\n"), "100%\n");
        assert_eq!(clean_line(b"crlf\r\n"), "crlf\n");
        assert_eq!(clean_line(b"bell\x07 nul\x00\n"), "bell\u{2407} nul\u{2400}\n");
        assert_eq!(clean_line(b"bad \xff\xfe utf8"), "bad \u{fffd}\u{fffd} utf8");
        assert_eq!(clean_line(b"tab\there\n"), "tab\there\n");
    }

    #[test]
    fn utf8_cuts_never_split_a_character() {
        let s = "aé€😀".repeat(10);
        for max in 1..s.len() {
            let cut = utf8_cut(s.as_bytes(), max);
            assert!(s.is_char_boundary(cut), "max {max} cut {cut}");
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
