//! Command output on its way to the vault: cleaned (ANSI, `\r`, control bytes,
//! invalid UTF-8), redacted line by line, hashed, and kept inline when small or
//! spooled whole to `outputs/` with head and tail inline when large. Memory stays
//! bounded whatever the command prints.

use std::collections::VecDeque;
use std::io::{BufWriter, Write};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::lines::{LineSplitter, clean_line};
use super::scrub::LineFilter;
use crate::error::IoContext;
use crate::vault::StepWriter;

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
    /// Why the whole output could not be kept in `outputs/` (a full disk, a broken
    /// folder): the step still holds head and tail.
    pub spool_error: Option<String>,
    /// How to mend what made the spool fail (a file named `outputs`), for the terminal only:
    /// the step keeps just the error.
    pub spool_hint: Option<String>,
}

impl Captured {
    /// Facts from Kubernetes JSON (`kubectl get … -o json`), which the line extractors
    /// cannot read: the whole output is parsed when it starts like JSON and is not huge.
    pub fn kube_json_facts(&self, now_unix: i64) -> Option<crate::extract::Facts> {
        const MAX_JSON: u64 = 256 << 20;
        let first = self.inline.trim_start_matches(['\u{feff}', ' ', '\t', '\n']).chars().next()?;
        if !matches!(first, '{' | '[') || self.bytes > MAX_JSON {
            return None;
        }
        let whole = match &self.spool {
            Some(spool) => std::fs::read_to_string(spool.path()).ok()?,
            None => self.inline.clone(),
        };
        let facts = crate::kube::summarise_json_at(&whole, now_unix).ok().filter(|f| !f.is_empty())?;
        Some(facts.for_facts().into_owned())
    }
}

/// Receives raw bytes from one or more streams, in arrival order.
pub struct OutputRecorder<'w, 'f, O: FnMut(&str)> {
    writer: &'w StepWriter,
    limit: usize,
    filter: &'f mut dyn LineFilter,
    observe: O,
    pending: [LineSplitter; 2],
    /// Per stream: a line longer than MAX_LINE was begun, its next piece is no new line.
    open: [bool; 2],
    /// Everything so far while under the limit; the head once over it.
    head: String,
    tail: VecDeque<String>,
    tail_bytes: usize,
    /// Over the limit: the head is complete and lines go to the tail (and the spool).
    overflowed: bool,
    spool: Option<BufWriter<NamedTempFile>>,
    spool_error: Option<String>,
    spool_hint: Option<String>,
    hasher: Sha256,
    bytes: u64,
    lines: u64,
    scratch: String,
    finished: bool,
}

impl<'w, 'f, O: FnMut(&str)> OutputRecorder<'w, 'f, O> {
    /// `filter` turns clean lines into what is stored (redaction); `observe` sees
    /// each stored line (extraction), so facts never hold a secret.
    pub fn new(writer: &'w StepWriter, limit: usize, filter: &'f mut dyn LineFilter, observe: O) -> Self {
        OutputRecorder {
            writer,
            limit: limit.max(1024),
            filter,
            observe,
            pending: [LineSplitter::default(), LineSplitter::default()],
            open: [false; 2],
            head: String::new(),
            tail: VecDeque::new(),
            tail_bytes: 0,
            overflowed: false,
            spool: None,
            spool_error: None,
            spool_hint: None,
            hasher: Sha256::new(),
            bytes: 0,
            lines: 0,
            scratch: String::new(),
            finished: false,
        }
    }

    /// Bytes from `stream` (0 stdout, 1 stderr); complete lines go through at once.
    /// Never fails: should the spool fail, head and tail are kept (see `spool_error`).
    pub fn push(&mut self, stream: usize, bytes: &[u8]) {
        let mut splitter = std::mem::take(&mut self.pending[stream]);
        let _ = splitter.push(bytes, |line| {
            self.line(stream, line);
            Ok::<(), std::convert::Infallible>(())
        });
        self.pending[stream] = splitter;
    }

    /// One line, or a piece of one (lines longer than MAX_LINE come in pieces).
    fn line(&mut self, stream: usize, raw: &[u8]) {
        let clean = clean_line(raw);
        self.lines += u64::from(!self.open[stream]);
        self.open[stream] = !raw.ends_with(b"\n");
        self.scratch.clear();
        self.filter.line(&clean, &mut self.scratch);
        self.emit();
    }

    /// Stores what the filter let through (it may hold lines back, or release several).
    fn emit(&mut self) {
        if self.scratch.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.scratch);
        for line in text.split_inclusive('\n') {
            (self.observe)(line.trim_end_matches('\n'));
        }
        self.store(&text);
        self.scratch = text;
    }

    fn store(&mut self, text: &str) {
        self.hasher.update(text.as_bytes());
        self.bytes += text.len() as u64;
        if self.overflowed {
            if let Some(spool) = &mut self.spool
                && let Err(e) = spool.write_all(text.as_bytes()).ctx("write", self.writer.outputs_dir())
            {
                self.give_up_spool(e);
            }
            self.push_tail(text);
            return;
        }
        self.head.push_str(text);
        if self.head.len() > self.limit {
            // Over the limit: everything so far goes to the spool, the head is cut back.
            self.overflowed = true;
            let spooled = self.writer.output_spool().and_then(|file| {
                let mut spool = BufWriter::with_capacity(256 * 1024, file);
                spool.write_all(self.head.as_bytes()).ctx("write", self.writer.outputs_dir())?;
                Ok(spool)
            });
            match spooled {
                Ok(spool) => self.spool = Some(spool),
                Err(e) => self.give_up_spool(e),
            }
            let keep = line_cut(&self.head, self.limit / 2);
            let rest = self.head.split_off(keep);
            for line in rest.split_inclusive('\n') {
                self.push_tail(line);
            }
        }
    }

    fn push_tail(&mut self, text: &str) {
        let max = self.limit / 2;
        self.tail.push_back(text.to_string());
        self.tail_bytes += text.len();
        while self.tail_bytes > max && self.tail.len() > 1 {
            let old = self.tail.pop_front().unwrap_or_default();
            self.tail_bytes -= old.len();
        }
        // One line longer than the tail's share (a megabyte with no newline): its end only.
        if self.tail_bytes > max
            && let Some(front) = self.tail.front_mut()
        {
            let cut = ceil_char(front, self.tail_bytes - max);
            front.drain(..cut);
            self.tail_bytes -= cut;
        }
    }

    /// The command goes on and its step is still written, with head and tail only.
    fn give_up_spool(&mut self, error: crate::error::Error) {
        drop(self.spool.take());
        let _ = std::fs::remove_dir(self.writer.outputs_dir()); // only when left empty
        self.spool_hint = error.hint();
        self.spool_error = Some(error.to_string());
    }

    pub fn finish(mut self) -> Captured {
        let captured = self.finish_inner();
        self.finished = true;
        captured
    }

    fn finish_inner(&mut self) -> Captured {
        for stream in 0..2 {
            let mut splitter = std::mem::take(&mut self.pending[stream]);
            let _ = splitter.finish(|line| {
                self.line(stream, line);
                Ok::<(), std::convert::Infallible>(())
            });
        }
        self.scratch.clear();
        self.filter.end(&mut self.scratch);
        self.emit();
        let sha256 = hex::encode(self.hasher.finalize_reset());
        if !self.overflowed {
            return Captured {
                inline: std::mem::take(&mut self.head),
                spool: None,
                bytes: self.bytes,
                lines: self.lines,
                sha256,
                omitted_bytes: 0,
                spool_error: None,
                spool_hint: None,
            };
        }
        let spool = match self.spool.take().map(|s| s.into_inner()) {
            Some(Ok(file)) => Some(file),
            Some(Err(e)) => {
                self.give_up_spool(crate::error::Error::io("write", self.writer.outputs_dir(), e.into_error()));
                None
            }
            None => None,
        };
        let omitted = self.bytes - self.head.len() as u64 - self.tail_bytes as u64;
        let mut inline = std::mem::take(&mut self.head);
        if !inline.ends_with('\n') {
            inline.push('\n');
        }
        let whole =
            if spool.is_some() { "the whole output is in the linked file" } else { "the whole output was not kept" };
        inline.push_str(&format!("… {} omitted; {whole} …\n", human_bytes(omitted)));
        for line in &self.tail {
            inline.push_str(line);
        }
        Captured {
            inline,
            spool,
            bytes: self.bytes,
            lines: self.lines,
            sha256,
            omitted_bytes: omitted,
            spool_error: self.spool_error.take(),
            spool_hint: self.spool_hint.take(),
        }
    }
}

impl<O: FnMut(&str)> Drop for OutputRecorder<'_, '_, O> {
    /// After a failure (disk full), leave no empty `outputs/` behind; a folder
    /// still holding files is not removed.
    fn drop(&mut self) {
        if !self.finished {
            drop(self.spool.take());
            let _ = std::fs::remove_dir(self.writer.outputs_dir());
        }
    }
}

/// The end of the last whole line within `max` bytes (or a char boundary).
fn line_cut(text: &str, max: usize) -> usize {
    match text[..floor_char(text, max)].rfind('\n') {
        Some(i) => i + 1,
        None => floor_char(text, max),
    }
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
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
    fn human_sizes() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
