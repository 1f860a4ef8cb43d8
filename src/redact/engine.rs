//! The streaming redactor: lines in, redacted lines out, with the state that spans lines
//! (PEM blocks, YAML block scalars, Secret manifests) and bounded memory on endless lines.

use std::collections::{BTreeMap, VecDeque};

use super::builtin::Check;
use super::checks::{self, is_placeholder};
use super::held::{Closing, Held};
use super::manifest::{Found, Manifest, Peek, peek_kind};
use super::numbering::{KnownLengths, Placeholders};
use super::pem;
use super::rules::Rules;
use super::verdict::{Ctx, Verdict, check};

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

/// A found secret: `text[start..end]` is replaced by a placeholder of rule `rule`.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    rule: u32,
    /// Lower wins when two spans start together.
    prio: u32,
    /// Where the match that found it begins (a key, a header name): a window must not cut
    /// between the context and the secret, or the next window would not find it.
    ctx: usize,
    /// Found by line context (a manifest, a YAML key at line start, a `^` rule): a later
    /// window of the same line cannot find it again.
    sticky: bool,
    /// How far the secret runs past a window's end, if it is cut there.
    cont: Cont,
    /// What the placeholder is keyed on, when not the text itself (PEM bodies).
    identity: Option<String>,
    /// A PEM BEGIN marker with no END yet: `start..keep` is the marker (kept), and
    /// everything after it is swallowed until the END marker.
    open_pem: Option<usize>,
}

impl Span {
    fn new(start: usize, end: usize, rule: u32, prio: u32) -> Self {
        Span { start, end, rule, prio, ctx: start, sticky: false, cont: Cont::Word, identity: None, open_pem: None }
    }
}

/// The rest of a secret cut at a window's end, dropped as it arrives.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cont {
    /// Up to the next space or quote.
    Word,
    /// Up to the end of the line (a YAML value, a header).
    Line,
    /// Up to the `}` closing a one-line Secret `data` object.
    Brace,
}

/// Lines being swallowed because they are inside a secret block.
enum Swallow {
    Pem {
        held: Held,
        /// The BEGIN marker is on the line being processed: its line ending is still written.
        fresh: bool,
        /// The log prefix before the BEGIN marker (`a.key:`, a journal line's head), which
        /// body lines repeat; empty when it stands at the line's start or after blanks.
        prefix: String,
        /// The whole lines held, with their endings: given back if the block is no key.
        lines: Vec<(String, String)>,
        size: usize,
    },
    /// The lines after a `data:` whose object's kind comes later (kubectl sorts `data` before
    /// `kind`): held until the kind is known, then given back to be read as that kind's.
    Kind {
        /// Column of the object's keys.
        col: usize,
        lines: Vec<(String, String)>,
        size: usize,
    },
    /// The lines after a wrapped base64 private key's first line, while they are base64.
    Wrapped { held: Held },
    /// A YAML block scalar (`password: |`): lines indented past `col`.
    Block {
        held: Held,
        col: usize,
        /// Blank lines after the last content line: written back after the placeholder.
        blanks: String,
    },
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
    limits: Limits,
    /// Lengths of the secrets known so far (see `known_secrets`), until a new one is found.
    known_lengths: Option<KnownLengths>,
    /// Lines given back by a PEM block that turned out not to be a key, to run again.
    replay: VecDeque<(String, String)>,
    /// Set by `run` when it gave lines back instead of processing its text.
    gave_back: bool,
}

/// What an open swallow did with a text.
enum Fed {
    /// Took all of it.
    All,
    /// The block ended: normal processing resumes here.
    At(usize),
    /// The block is no key: its lines are in `replay`, the text was not touched.
    GiveBack,
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

    /// Feeds `text[pos..]` to the open swallow: all of it, up to where the block ends, or
    /// none (a PEM block that is no key gives its lines back).
    fn swallowed(&mut self, text: &str, pos: usize, line_start: bool, eol: Option<&str>, out: &mut String) -> Fed {
        let len = text.len();
        let rest = &text[pos..];
        let Some(swallow) = self.swallow.as_mut() else {
            return Fed::At(pos);
        };
        match swallow {
            Swallow::Pem { held, fresh, prefix, lines, size } => {
                if let Some(e) = pem::find_end(rest) {
                    let before = &rest[..e];
                    // How much of `before` is written back after the placeholder.
                    let mut keep = 0;
                    if line_start {
                        keep = before.len();
                        // The END marker's own line: a log prefix or indentation before it stays
                        // (and the placeholder gets a line of its own); base64 glued to it is body.
                        if let Some(b) = pem::body_start(before, prefix).filter(|&b| !before[b..].trim().is_empty()) {
                            keep = before.len() - before[b..].trim_start().len();
                            held.part(&before[keep..]);
                        }
                    } else {
                        let n = pem::body_run(before);
                        if n < before.len() {
                            // Words before the marker: the one-line body ended at the first of them.
                            held.part(&before[..n]);
                            return self.close_inline(pos + n, out);
                        }
                        held.part(before);
                    }
                    let Some(Swallow::Pem { held, .. }) = self.swallow.take() else { unreachable!("matched above") };
                    self.close_held(held, line_start, out);
                    out.push_str(&before[..keep]);
                    return Fed::At(pos + e);
                }
                match eol {
                    Some(end) if line_start => {
                        let body = pem::body_start(rest, prefix).filter(|_| *size + rest.len() <= pem::MAX_BODY);
                        let Some(b) = body else {
                            return self.give_back();
                        };
                        held.prefixed_line(rest, b, end);
                        *size += rest.len();
                        lines.push((rest.to_owned(), end.to_owned()));
                        Fed::All
                    }
                    // A line longer than a window is no PEM body line.
                    None if line_start => self.give_back(),
                    Some(end) if *fresh => {
                        // The rest of the BEGIN line: blank, or the block would not have opened.
                        out.push_str(rest);
                        out.push_str(end);
                        *fresh = false;
                        Fed::All
                    }
                    Some(_) => {
                        // A body inside one line (a JSON string) ends with its line at the latest.
                        let n = pem::body_run(rest);
                        held.part(&rest[..n]);
                        self.close_inline(pos + n, out)
                    }
                    None => {
                        let n = pem::body_run(rest);
                        if n < rest.len() || *size + n > pem::MAX_BODY {
                            held.part(&rest[..n]);
                            return self.close_inline(pos + n, out);
                        }
                        // Keep a tail: an END marker may be split across windows.
                        let keep = floor_boundary(text, len.saturating_sub(64)).max(pos);
                        held.part(&text[pos..keep]);
                        *size += keep - pos;
                        *fresh = false;
                        Fed::At(keep)
                    }
                }
            }
            Swallow::Kind { col, lines, size } => {
                let Some(end) = eol.filter(|_| line_start) else {
                    return self.give_back();
                };
                match peek_kind(rest, *col) {
                    Peek::Hold if *size + rest.len() < MAX_KIND_HOLD => {
                        *size += rest.len();
                        lines.push((rest.to_owned(), end.to_owned()));
                        Fed::All
                    }
                    Peek::Kind(kind) => {
                        self.manifest.resolve(kind);
                        self.give_back()
                    }
                    Peek::Hold | Peek::End => self.give_back(),
                }
            }
            Swallow::Wrapped { held } => {
                let t = rest.trim();
                match eol {
                    Some(end) if line_start && t.len() >= 4 && t.bytes().all(pem::is_b64) => {
                        held.line(rest, end);
                        Fed::All
                    }
                    _ => {
                        let Some(Swallow::Wrapped { held }) = self.swallow.take() else {
                            unreachable!("matched above")
                        };
                        self.close_held(held, true, out);
                        Fed::At(pos)
                    }
                }
            }
            Swallow::Block { held, col, blanks } => {
                if !line_start {
                    held.part(rest);
                    return Fed::All;
                }
                let spaces = rest.bytes().take_while(|b| *b == b' ').count();
                if rest.trim().is_empty() {
                    blanks.push_str(rest);
                    blanks.push_str(eol.unwrap_or(""));
                    return Fed::All;
                }
                if spaces > *col {
                    blanks.clear();
                    match eol {
                        Some(end) => held.line(rest, end),
                        None => held.part(rest),
                    }
                    return Fed::All;
                }
                let Some(Swallow::Block { held, blanks, .. }) = self.swallow.take() else {
                    unreachable!("matched above")
                };
                self.close_held(held, true, out);
                out.push_str(&blanks);
                Fed::At(pos)
            }
        }
    }

    /// Ends a PEM block inside a line: its placeholder goes inline, the text resumes at `at`.
    fn close_inline(&mut self, at: usize, out: &mut String) -> Fed {
        if let Some(Swallow::Pem { held, .. }) = self.swallow.take() {
            self.close_held(held, false, out);
        }
        Fed::At(at)
    }

    /// Ends a hold: a PEM block that is no key, or data whose kind is known (or will not be).
    /// Its lines go back to be read again.
    fn give_back(&mut self) -> Fed {
        if let Some(Swallow::Pem { lines, .. } | Swallow::Kind { lines, .. }) = self.swallow.take() {
            for line in lines.into_iter().rev() {
                self.replay.push_front(line);
            }
        }
        Fed::GiveBack
    }

    /// Writes what replaces a swallowed block: on a line of its own, or inline.
    fn close_held(&mut self, held: Held, own_line: bool, out: &mut String) {
        match held.close() {
            Closing::Nothing => {}
            Closing::Verbatim(line, ending) => {
                if own_line {
                    out.push_str(&line);
                    out.push_str(&ending);
                } else {
                    out.push_str(line.trim());
                }
            }
            Closing::Secret { rule, identity, indent, ending } => {
                let label = self.label(rule, &identity);
                if own_line {
                    out.push_str(&indent);
                    out.push_str(&label);
                    out.push_str(&ending);
                } else {
                    out.push_str(&label);
                }
            }
        }
    }

    fn label(&mut self, rule: u32, identity: &str) -> String {
        self.known_lengths = None;
        let name = self.rules.name(rule);
        match self.counts.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(name.to_owned(), 1);
            }
        }
        self.placeholders.placeholder(name, identity)
    }

    /// Finds the secrets in `text[pos..]` into `self.spans`: sorted, non-overlapping.
    fn collect(&mut self, text: &str, pos: usize, line_start: bool, complete: bool) {
        self.spans.clear();
        self.block = None;
        self.kind_later = None;
        self.wrapped = None;
        let rules = self.rules;
        let (data_rule, env_rule) = rules.manifest_rules();
        if line_start && pos == 0 && (data_rule.is_some() || env_rule.is_some()) {
            let (rule, start, end, to_eol) = match self.manifest.line(text, complete) {
                Found::Value { start, end, to_eol } => (data_rule, start, end, to_eol),
                Found::EnvValue { start, end } => (env_rule, start, end, false),
                Found::BlockScalar(col) => {
                    self.block = data_rule.map(|rule| (rule, col));
                    (None, 0, 0, false)
                }
                Found::KindLater(col) => {
                    self.kind_later = data_rule.filter(|_| complete).map(|_| col);
                    (None, 0, 0, false)
                }
                Found::Nothing => (None, 0, 0, false),
            };
            if let Some(rule) = rule {
                self.spans.push(Span {
                    sticky: true,
                    cont: if to_eol { Cont::Line } else { Cont::Word },
                    ..Span::new(start, end, rule, rules.rule_prio(rule))
                });
            }
        }
        self.hits.iter_mut().for_each(|w| *w = 0);
        if rules.prefilter(text, pos, &mut self.hits) {
            for w in 0..self.hits.len() {
                let mut bits = self.hits[w];
                while bits != 0 {
                    let p = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.run_pattern(p as u32, text, pos, line_start && pos == 0, complete);
                }
            }
        }
        self.known_secrets(text, pos);
        if self.spans.len() > 1 {
            merge(&mut self.spans);
        }
    }

    /// Secrets found earlier in the incident, or by a rule earlier on this line, whatever
    /// their context now (a password given to `--from-literal`, then printed bare). A
    /// candidate starts and ends at a separator or at a `.`, `/` or `@` it is glued to
    /// (`https://u:SECRET@host`); one holding such characters itself (`p@ss:word`, base64
    /// with `=`) is looked for only when a known secret of its length holds them too. Only
    /// distinctive text: a password `postgres` must not take every `postgres`.
    fn known_secrets(&mut self, text: &str, pos: usize) {
        // Asked again only after a new secret was labelled: not once per line.
        let known = self.known_lengths.take().unwrap_or_else(|| self.placeholders.known_lengths());
        let found: Vec<(u32, usize, usize)> = self
            .spans
            .iter()
            .filter(|s| s.open_pem.is_none() && distinctive(&text[s.start..s.end]))
            .map(|s| (s.rule, s.start, s.end))
            .collect();
        if known.is_empty() && found.is_empty() {
            self.known_lengths = Some(known);
            return;
        }
        // Longest first: a secret is not cut short by a shorter one it starts with.
        let mut sizes: Vec<usize> = known.all().chain(found.iter().map(|&(_, s, e)| e - s)).collect();
        sizes.retain(|&n| n >= MIN_DISTINCTIVE);
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes.dedup();
        let look = Look { sizes, found: &found, known: &known };
        let mut at = pos;
        while let Some(c) = text[at..].chars().next() {
            let next = at + c.len_utf8();
            if separator(c) {
                at = next;
                continue;
            }
            let piece_end = text[next..].find(boundary).map_or(text.len(), |i| next + i);
            if let Some((end, rule)) = self.known_at(text, at, piece_end, &look) {
                self.spans.push(Span::new(at, end, rule, self.rules.rule_prio(rule)));
                at = end;
            } else {
                // After a `.`, `/` or `@` a secret may start too.
                at = if boundary(c) { next } else { piece_end };
            }
        }
        self.known_lengths = Some(known);
    }

    /// The end and rule of a known secret starting at `at`; `piece_end` is the next boundary.
    fn known_at(&mut self, text: &str, at: usize, piece_end: usize, look: &Look) -> Option<(usize, u32)> {
        for &size in &look.sizes {
            let end = at + size;
            let whole = end == piece_end;
            if end > text.len() || !text.is_char_boundary(end) {
                continue;
            }
            if !whole && end < text.len() && !text[end..].starts_with(boundary) {
                continue;
            }
            let candidate = &text[at..end];
            let same =
                |&&(_, s, e): &&(u32, usize, usize)| e - s == size && (at < s || at >= e) && &text[s..e] == candidate;
            if let Some(&(rule, _, _)) = look.found.iter().find(same) {
                return Some((end, rule));
            }
            // Past the piece, or starting with a `.`, `/` or `@`: it holds a boundary.
            let spans = !whole || text[at..].starts_with(boundary);
            let worth_hashing =
                if spans { look.known.spanning.contains(&size) } else { look.known.words.contains(&size) };
            if !worth_hashing || !distinctive(candidate) {
                continue;
            }
            let rule = self.placeholders.known(candidate).and_then(|placeholder| {
                let name = super::numbering::rule_of(&placeholder);
                self.rules.names().iter().position(|n| *n == name).map(|i| i as u32)
            });
            if let Some(rule) = rule {
                return Some((end, rule));
            }
        }
        None
    }

    fn run_pattern(&mut self, p: u32, text: &str, pos: usize, line_start: bool, complete: bool) {
        let pattern = self.rules.pattern(p);
        if pattern.anchored && !line_start {
            return;
        }
        let c = pattern.compiled();
        let mut locs = c.re.capture_locations();
        let mut at = pos;
        while at <= text.len() {
            let Some(m) = c.re.captures_read_at(&mut locs, text, at) else {
                break;
            };
            let secret = c.secret.iter().find_map(|g| locs.get(*g).map(|r| (*g, r)));
            let (group, (vs, ve)) = match secret {
                Some(s) => s,
                None if c.whole_fallback => (0, (m.start(), m.end())),
                None => {
                    at = next_at(text, m.start(), at);
                    continue;
                }
            };
            let key = c.key.and_then(|g| locs.get(g));
            let ctx = Ctx {
                text,
                line_start,
                group_index: c.secret.iter().position(|g| *g == group).unwrap_or(0),
                key,
                sep: c.sep.and_then(|g| locs.get(g)),
                start: m.start(),
            };
            let rule = pattern.rule;
            let prio = p + 1;
            match check(pattern.check, &ctx, vs, ve) {
                Verdict::Secret { start, end, to_eol, sticky } => {
                    // A base64 key wrapped at 64 or 76 columns: the lines after it are the key too.
                    if matches!(pattern.check, Check::B64Key)
                        && complete
                        && end - start >= 60
                        && !text[..end].ends_with('=')
                        && text[end..].trim().is_empty()
                    {
                        self.wrapped = Some(rule);
                    }
                    self.spans.push(Span {
                        ctx: m.start().min(start),
                        sticky: pattern.anchored || sticky,
                        cont: if to_eol { Cont::Line } else { Cont::Word },
                        ..Span::new(start, end, rule, prio)
                    });
                    at = next_at(text, m.end(), at);
                }
                Verdict::Reject => {
                    // Resume past the key (or the value's start), not past the whole match:
                    // the rejected value may hold a real assignment.
                    let resume = key.map(|k| k.1).unwrap_or(vs);
                    at = next_at(text, resume.max(m.start() + 1), at);
                }
                Verdict::Block(col) => {
                    self.block = Some((rule, col));
                    at = next_at(text, m.end(), at);
                }
                Verdict::Pem => {
                    let (ms, me) = (m.start(), m.end());
                    let rest = &text[me..];
                    match pem::find_end(rest) {
                        Some(e) if pem::is_inline_body(&rest[..e]) => {
                            let (s, e) = pem::trim_body(text, me, me + e);
                            if let Some(id) = pem::identity(&text[s..e]) {
                                self.spans.push(Span { ctx: ms, identity: Some(id), ..Span::new(s, e, rule, prio) });
                            }
                            at = next_at(text, e, at);
                        }
                        // Words between two markers (a sentence about keys), or a placeholder.
                        Some(_) => at = next_at(text, me, at),
                        None => {
                            // A block opens on a line that ends with its marker, or a window that
                            // holds nothing but body after it. `"-----BEGIN … KEY-----" expected`
                            // quoted in an error message opens nothing.
                            let n = pem::body_run(rest);
                            if (complete && rest.trim().is_empty()) || (!complete && n == rest.len()) {
                                self.spans.push(Span { open_pem: Some(me), ..Span::new(ms, text.len(), rule, prio) });
                                break;
                            }
                            // A one-line key cut short (a truncated JSON string): its body goes.
                            if pem::is_inline_body(&rest[..n]) {
                                let (s, e) = pem::trim_body(text, me, me + n);
                                if let Some(id) = pem::identity(&text[s..e]) {
                                    self.spans.push(Span {
                                        ctx: ms,
                                        identity: Some(id),
                                        ..Span::new(s, e, rule, prio)
                                    });
                                }
                            }
                            at = next_at(text, me + n, at);
                        }
                    }
                }
                Verdict::InlineData(s, e) => {
                    let closed = text[e..].starts_with('}');
                    if closed || complete {
                        inline_data(text, m.start(), (s, e), (rule, prio), &mut self.spans);
                    } else {
                        // The object goes past this window: hold it whole, or drop it
                        // (keys too) up to its `}`.
                        self.spans.push(Span { ctx: m.start(), cont: Cont::Brace, ..Span::new(s, e, rule, prio) });
                    }
                    at = next_at(text, m.end(), at);
                }
            }
        }
    }
}

/// Data held waiting for its object's kind: a Secret is at most 1 MiB.
const MAX_KIND_HOLD: usize = 1024 * 1024;

/// The next search position: past `to`, on a char boundary, and always forward.
fn next_at(text: &str, to: usize, at: usize) -> usize {
    let mut n = to.max(at + 1);
    while n < text.len() && !text.is_char_boundary(n) {
        n += 1;
    }
    n
}

/// Long and machine-like enough to be hidden wherever it turns up: 8 bytes or more, with a
/// digit, mixed case or a symbol.
/// Shorter text is never taken for a known secret (see [`distinctive`]).
const MIN_DISTINCTIVE: usize = 8;

/// Ends a word: whitespace, quotes, brackets, `=`, `:`, `,`, `;`.
fn separator(c: char) -> bool {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() => {
            matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
                || matches!(b, b'"' | b'\'' | b'`' | b'=' | b':' | b',' | b';' | b'(' | b')')
                || matches!(b, b'[' | b']' | b'{' | b'}' | b'<' | b'>')
        }
        _ => c.is_whitespace(),
    }
}

/// Where a known secret may start or end: a separator, or a `.`, `/` or `@` it is glued to.
pub(super) fn boundary(c: char) -> bool {
    separator(c) || matches!(c, '.' | '/' | '@')
}

/// What a line is searched for known secrets with.
struct Look<'a> {
    /// Candidate lengths, longest first.
    sizes: Vec<usize>,
    /// Secrets found by a rule on this line: (rule, start, end).
    found: &'a [(u32, usize, usize)],
    known: &'a KnownLengths,
}

fn distinctive(word: &str) -> bool {
    word.len() >= MIN_DISTINCTIVE
        && (word.bytes().any(|b| b.is_ascii_digit())
            || (word.bytes().any(|b| b.is_ascii_uppercase()) && word.bytes().any(|b| b.is_ascii_lowercase()))
            || word.bytes().any(|b| !b.is_ascii_alphanumeric()))
}

/// Sorts spans and merges overlaps (never letting a secret's tail escape because another
/// rule matched first). An open PEM block cuts the span before it short: its marker must
/// survive for the block to be swallowed.
fn merge(spans: &mut Vec<Span>) {
    spans.sort_unstable_by_key(|s| (s.start, s.prio));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match out.last_mut() {
            Some(cur) if s.start < cur.end => {
                if s.open_pem.is_some() && cur.open_pem.is_none() {
                    cur.end = s.start;
                    if cur.end <= cur.start {
                        out.pop();
                    }
                    out.push(s);
                } else {
                    cur.ctx = cur.ctx.min(s.ctx);
                    if cur.open_pem.is_none() && s.end > cur.end {
                        cur.end = s.end;
                        cur.identity = None;
                        cur.sticky |= s.sticky;
                        cur.cont = s.cont;
                    }
                }
            }
            _ => out.push(s),
        }
    }
    *spans = out;
}

/// The values of a one-line `"data":{"k":"v",…}` (plain or inside an escaped JSON string),
/// found from the match at `ctx`.
fn inline_data(text: &str, ctx: usize, (start, end): (usize, usize), (rule, prio): (u32, u32), spans: &mut Vec<Span>) {
    let string_data = text[..start].trim_end_matches(['{', ' ', ':', '"', '\\']).ends_with("stringData");
    let secret_kind = string_data || has_kind(text, "Secret");
    if !secret_kind && has_kind(text, "ConfigMap") {
        return;
    }
    let inner = &text[start..end];
    let b = inner.as_bytes();
    let mut i = 0;
    // Strings alternate with ':' (a value follows) and ',' (a key follows).
    let mut expect_value = false;
    while i < b.len() {
        let quote = match b[i] {
            b'"' => 1,
            b'\\' if b.get(i + 1) == Some(&b'"') => 2,
            c => {
                if c == b':' {
                    expect_value = true;
                } else if c == b',' {
                    expect_value = false;
                }
                i += 1;
                continue;
            }
        };
        let s = i + quote;
        let mut j = s;
        while j < b.len() {
            match (quote, b[j], b.get(j + 1)) {
                (2, b'\\', Some(b'"')) | (1, b'"', _) => break,
                (1, b'\\', _) => j += 2,
                _ => j += 1,
            }
        }
        let e = j.min(b.len());
        if expect_value {
            let v = &inner[s..e];
            let secret = if secret_kind { !is_placeholder(v) } else { checks::looks_like_secret_data(v) };
            if secret {
                spans.push(Span { ctx, ..Span::new(start + s, start + e, rule, prio) });
            }
            expect_value = false;
        }
        i = e + quote;
    }
}

/// Does the line say `"kind":"<kind>"` (maybe escaped, maybe spaced)?
fn has_kind(text: &str, kind: &str) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find("kind") {
        let after = &text[from + i + 4..];
        let after = after.trim_start_matches(['\\', '"', ' ', ':']);
        if after.starts_with(kind) && !after[kind.len()..].starts_with(|c: char| c.is_alphanumeric()) {
            return true;
        }
        from += i + 4;
    }
    false
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
