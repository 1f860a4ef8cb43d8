//! The streaming redactor: lines in, redacted lines out, with the state that spans lines
//! (PEM blocks, YAML block scalars, Secret manifests) and bounded memory on endless lines.

mod collect;
mod continued;
mod known;
mod list_flag;
mod span;
mod swallow;

use std::collections::{BTreeMap, VecDeque};

use super::held::Held;
use super::manifest::Manifest;
use super::numbering::{KnownLengths, Placeholders};
use super::rules::Rules;
use span::{Cont, Span};
use swallow::{Fed, Swallow};

pub(crate) use continued::continues;
pub(super) use known::{boundary, separator};

/// Limits for lines that arrive in pieces (no `\n` yet).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Process a partial line once this much of it is buffered.
    pub high: usize,
    /// Keep this much unwritten at the end of a window: a secret may continue in the next piece.
    pub tail: usize,
    /// A secret still open at the end of a window is held back whole if it is this short;
    /// a longer one is replaced now and the rest of it dropped as it arrives.
    pub hold: usize,
    /// Bytes already written that are kept in front of the next window, for context (`\b`).
    pub context: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { high: 256 * 1024, tail: 4 * 1024, hold: 64 * 1024, context: 256 }
    }
}

/// Streams text through the rules, replacing each secret by a placeholder.
pub struct Redactor<'a, P: Placeholders> {
    rules: &'a Rules,
    placeholders: P,
    counts: BTreeMap<String, u64>,
    manifest: Manifest,
    swallow: Option<Swallow>,
    /// Inside a huge secret cut at a window edge: drop bytes until it ends.
    cont: Option<Cont>,
    /// Start of a line not yet complete; its first `skip` bytes are already written.
    pending: String,
    skip: usize,
    /// `pending` does not start at the beginning of a line.
    mid_line: bool,
    flush_at: usize,
    spans: Vec<Span>,
    hits: Vec<u64>,
    /// Set while collecting: the line opens a YAML block scalar holding a secret.
    block: Option<(u32, usize)>,
    /// Set while collecting: the line opens a `data` block whose kind comes later.
    kind_later: Option<usize>,
    /// Set while collecting: the line ends with the first line of a wrapped base64 key.
    wrapped: Option<u32>,
    /// The last line was a lone flag element of a list (`- --password`): its value may be next.
    flag_item: Option<(list_flag::Item, String)>,
    /// The last line (and those it continued) ended with a line continuation: its text,
    /// without the backslash, to be read with the next line.
    carry: Option<String>,
    limits: Limits,
    /// Lengths of the secrets known so far (see `known_secrets`), until a new one is found.
    known_lengths: Option<KnownLengths>,
    /// Lines given back by a PEM block that turned out not to be a key, to run again.
    replay: VecDeque<(String, String)>,
    /// Set by `run` when it gave lines back instead of processing its text.
    gave_back: bool,
}

impl<'a, P: Placeholders> Redactor<'a, P> {
    pub fn new(rules: &'a Rules, placeholders: P) -> Self {
        let limits = Limits::default();
        Redactor {
            rules,
            placeholders,
            counts: BTreeMap::new(),
            manifest: Manifest::default(),
            swallow: None,
            cont: None,
            pending: String::new(),
            skip: 0,
            mid_line: false,
            flush_at: limits.high,
            spans: Vec::new(),
            hits: vec![0; rules.pattern_count().div_ceil(64)],
            block: None,
            kind_later: None,
            wrapped: None,
            flag_item: None,
            carry: None,
            limits,
            known_lengths: None,
            replay: VecDeque::new(),
            gave_back: false,
        }
    }

    #[cfg(test)]
    pub(crate) fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.flush_at = limits.high;
        self
    }

    #[cfg(test)]
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Redacts a whole text (line endings kept) and closes any open block at its end.
    pub fn redact(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.push_line(text, &mut out);
        self.finish(&mut out);
        out
    }

    /// Streams one line, with or without its `\n` (a piece of a longer line is fine; so is
    /// text holding several lines). Output for a line is written once the line is complete,
    /// or, for a line longer than 256 KiB, in windows as it arrives. Call [`finish`] at the
    /// end of the stream.
    ///
    /// [`finish`]: Redactor::finish
    pub fn push_line(&mut self, line: &str, out: &mut String) {
        let mut rest = line;
        while let Some(i) = rest.find('\n') {
            let (piece, tail) = rest.split_at(i + 1);
            self.complete(piece, out);
            rest = tail;
        }
        if !rest.is_empty() {
            self.pending.push_str(rest);
            if self.pending.len() >= self.flush_at {
                self.window(out);
            }
        }
    }

    /// Ends the stream: writes a last line that had no `\n`, and the placeholder of a PEM
    /// block or YAML block scalar still open (truncated input). The redactor can be reused.
    pub fn finish(&mut self, out: &mut String) {
        if !self.pending.is_empty() {
            let buf = std::mem::take(&mut self.pending);
            self.run_all(&buf, self.skip, !self.mid_line, Some(""), out);
        }
        // No kind came before the end: the held data is read as it is (its values guessed).
        while let Some(Swallow::Kind { .. }) = self.swallow {
            self.give_back();
            self.drain(out);
        }
        match self.swallow.take() {
            // Only blank lines after a marker: nothing was a key, give them back as they were.
            Some(Swallow::Pem { lines, .. }) if !lines.is_empty() && lines.iter().all(|(l, _)| l.trim().is_empty()) => {
                for (line, ending) in lines {
                    out.push_str(&line);
                    out.push_str(&ending);
                }
            }
            Some(Swallow::Pem { held, .. }) => self.close_held(held, true, out),
            Some(Swallow::Block { held, blanks, .. }) => {
                self.close_held(held, true, out);
                out.push_str(&blanks);
            }
            Some(Swallow::Wrapped { held }) => self.close_held(held, true, out),
            Some(Swallow::Kind { .. }) | None => {}
        }
        self.cont = None;
        self.skip = 0;
        self.mid_line = false;
        self.flush_at = self.limits.high;
        self.manifest.reset();
        self.flag_item = None;
        self.carry = None;
    }

    /// Redactions made so far, by rule name.
    pub fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }

    /// The placeholder source, to persist its numbering.
    pub fn into_placeholders(self) -> P {
        self.placeholders
    }

    fn complete(&mut self, piece: &str, out: &mut String) {
        let (content, ending) = split_ending(piece);
        if self.pending.is_empty() {
            self.run_all(content, 0, !self.mid_line, Some(ending), out);
        } else {
            let mut buf = std::mem::take(&mut self.pending);
            buf.push_str(content);
            // A "\r\n" split between two pieces is still one line ending.
            let ending = if ending == "\n" && buf.ends_with('\r') {
                buf.pop();
                "\r\n"
            } else {
                ending
            };
            self.run_all(&buf, self.skip, !self.mid_line, Some(ending), out);
            buf.clear();
            self.pending = buf;
        }
        self.skip = 0;
        self.mid_line = false;
        self.flush_at = self.limits.high;
    }

    /// Writes what can safely be written of a long partial line, keeping the rest.
    fn window(&mut self, out: &mut String) {
        let buf = std::mem::take(&mut self.pending);
        let done = self.run_all(&buf, self.skip, !self.mid_line, None, out);
        let keep_from = floor_boundary(&buf, done.saturating_sub(self.limits.context));
        if keep_from > 0 {
            self.mid_line = true;
        }
        self.pending = buf[keep_from..].to_owned();
        self.skip = done - keep_from;
        self.flush_at = self.pending.len() + self.limits.high;
    }

    /// [`run`](Self::run), then the lines a PEM block gave back and the text again.
    fn run_all(&mut self, text: &str, pos: usize, line_start: bool, eol: Option<&str>, out: &mut String) -> usize {
        loop {
            let done = self.run(text, pos, line_start, eol, out);
            if !self.gave_back {
                return done;
            }
            self.gave_back = false;
            self.drain(out);
        }
    }

    /// Runs the lines given back. Iterative, not recursive: a line given back may open (and
    /// give back) a block too; the lines it gives back go before it.
    fn drain(&mut self, out: &mut String) {
        while let Some((line, ending)) = self.replay.pop_front() {
            let queued = self.replay.len();
            self.run(&line, 0, true, Some(&ending), out);
            if self.gave_back {
                self.gave_back = false;
                let given = self.replay.len() - queued;
                self.replay.insert(given, (line, ending));
            }
        }
    }

    /// Processes `text[pos..]`. `eol` is the line ending when the line is complete; then
    /// everything is written and `text.len()` returned. Without it (a window of a long
    /// line), returns how far output was written.
    fn run(&mut self, text: &str, mut pos: usize, line_start: bool, eol: Option<&str>, out: &mut String) -> usize {
        let len = text.len();
        let mut line_start = line_start && pos == 0;
        loop {
            if let Some(cont) = self.cont {
                let stop = match cont {
                    Cont::Word => text[pos..].find(|c: char| c.is_whitespace() || c == '"' || c == '\''),
                    Cont::Line => None,
                    Cont::Brace => text[pos..].find('}'),
                };
                match stop {
                    Some(i) => pos += i,
                    None if eol.is_some() => pos = len,
                    None => return len,
                }
                self.cont = None;
            }
            if self.swallow.is_some() {
                match self.swallowed(text, pos, line_start, eol, out) {
                    Fed::At(p) => {
                        line_start = line_start && p == pos;
                        pos = p;
                    }
                    Fed::All => return len,
                    Fed::GiveBack => {
                        self.gave_back = true;
                        return pos;
                    }
                }
                if pos == len && eol.is_none() {
                    return len;
                }
                // A PEM swallow keeps a short tail in a window: the END may be split.
                if self.swallow.is_some() {
                    return pos;
                }
            }
            self.collect(text, pos, line_start, eol.is_some());
            let mut cut = match eol {
                Some(_) => len,
                None => floor_boundary(text, len.saturating_sub(self.limits.tail)).max(pos),
            };
            // Move the cut off any secret (or its context) it would split.
            let mut giant = None;
            let mut pem_at = None;
            for (i, s) in self.spans.iter().enumerate() {
                if s.open_pem.is_some() {
                    if s.start < cut {
                        pem_at = Some(i);
                        cut = s.start;
                    }
                    break;
                }
                if s.ctx < cut && s.end > cut {
                    // Spans found from one context (the values of a one-line data object)
                    // go out together: the next window would not see their context.
                    let group = self.spans.iter().filter(|g| g.ctx == s.ctx);
                    let end = group.map(|g| g.end).max().unwrap_or(s.end);
                    if end < len {
                        cut = end;
                    } else if !s.sticky && s.ctx + self.limits.hold >= len {
                        cut = s.ctx;
                    } else {
                        let last = self.spans.iter().rev().find(|g| g.ctx == s.ctx).unwrap_or(s);
                        giant = Some(last.cont);
                        cut = len;
                    }
                    break;
                }
            }
            let spans = std::mem::take(&mut self.spans);
            let mut last = pos;
            for s in spans.iter().take_while(|s| s.start < cut) {
                if s.open_pem.is_some() {
                    break;
                }
                out.push_str(&text[last..s.start]);
                let end = s.end.min(cut);
                let label = match &s.identity {
                    Some(id) => self.label(s.rule, id),
                    None => self.label(s.rule, &text[s.start..end]),
                };
                out.push_str(&label);
                last = end;
            }
            out.push_str(&text[last..cut]);
            self.cont = giant;
            if let Some(i) = pem_at {
                let s = &spans[i];
                let keep = s.open_pem.unwrap_or(s.start);
                out.push_str(&text[s.start..keep]);
                let prefixed = eol.is_some() && !text[..s.start].trim().is_empty();
                self.swallow = Some(Swallow::Pem {
                    held: Held::new(s.rule, eol.filter(|e| !e.is_empty()).unwrap_or("\n")),
                    fresh: eol.is_some(),
                    prefix: if prefixed { text[..s.start].to_owned() } else { String::new() },
                    lines: Vec::new(),
                    size: 0,
                });
                self.spans = spans;
                pos = keep;
                line_start = false;
                continue;
            }
            self.spans = spans;
            return match eol {
                Some(ending) => {
                    out.push_str(ending);
                    if let Some((rule, col)) = self.block.take() {
                        self.swallow =
                            Some(Swallow::Block { held: Held::new(rule, ending), col, blanks: String::new() });
                    }
                    if let Some(col) = self.kind_later.take() {
                        self.swallow = Some(Swallow::Kind { col, lines: Vec::new(), size: 0 });
                    }
                    if let Some(rule) = self.wrapped.take() {
                        self.swallow = Some(Swallow::Wrapped { held: Held::new(rule, ending) });
                    }
                    len
                }
                None => cut,
            };
        }
    }

    fn label(&mut self, rule: u32, identity: &str) -> String {
        self.hide(self.rules.name(rule), identity)
    }

    /// The placeholder of a secret `rule` found outside the text (a value taken out of an
    /// API object before it is written), numbered and counted as if found here: the same
    /// secret met later in the text gets the same placeholder.
    pub fn hide(&mut self, rule: &str, secret: &str) -> String {
        self.known_lengths = None;
        match self.counts.get_mut(rule) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(rule.to_owned(), 1);
            }
        }
        self.placeholders.placeholder(rule, secret)
    }
}

fn split_ending(piece: &str) -> (&str, &str) {
    if let Some(c) = piece.strip_suffix("\r\n") {
        (c, "\r\n")
    } else if let Some(c) = piece.strip_suffix('\n') {
        (c, "\n")
    } else {
        (piece, "")
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
