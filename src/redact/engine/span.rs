//! A secret found on a line (its range, rule, and how it continues past a window), and
//! how overlapping finds are merged.

/// A found secret: `text[start..end]` is replaced by a placeholder of rule `rule`.
#[derive(Debug, Clone)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) rule: u32,
    /// Lower wins when two spans start together.
    pub(super) prio: u32,
    /// Where the match that found it begins (a key, a header name): a window must not cut
    /// between the context and the secret, or the next window would not find it.
    pub(super) ctx: usize,
    /// Found by line context (a manifest, a YAML key at line start, a `^` rule): a later
    /// window of the same line cannot find it again.
    pub(super) sticky: bool,
    /// How far the secret runs past a window's end, if it is cut there.
    pub(super) cont: Cont,
    /// What the placeholder is keyed on, when not the text itself (PEM bodies).
    pub(super) identity: Option<String>,
    /// A PEM BEGIN marker with no END yet: `start..keep` is the marker (kept), and
    /// everything after it is swallowed until the END marker.
    pub(super) open_pem: Option<usize>,
    /// Found by its own shape (`ghp_…`, `AKIA…`) and followed by an escape (`\n` in a
    /// command line): there the secret ends, whatever its key's value runs on to.
    pub(super) shaped: bool,
}

impl Span {
    pub(super) fn new(start: usize, end: usize, rule: u32, prio: u32) -> Self {
        Span {
            start,
            end,
            rule,
            prio,
            ctx: start,
            sticky: false,
            cont: Cont::Word,
            identity: None,
            open_pem: None,
            shaped: false,
        }
    }
}

/// The rest of a secret cut at a window's end, dropped as it arrives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cont {
    /// Up to the next space or quote.
    Word,
    /// Up to the end of the line (a YAML value, a header).
    Line,
    /// Up to the `}` closing a one-line Secret `data` object.
    Brace,
}

/// The next search position: past `to`, on a char boundary, and always forward.
pub(super) fn next_at(text: &str, to: usize, at: usize) -> usize {
    let mut n = to.max(at + 1);
    while n < text.len() && !text.is_char_boundary(n) {
        n += 1;
    }
    n
}

/// Sorts spans and merges overlaps (never letting a secret's tail escape because another
/// rule matched first). An open PEM block cuts the span before it short: its marker must
/// survive for the block to be swallowed.
pub(super) fn merge(spans: &mut Vec<Span>) {
    spans.sort_unstable_by_key(|s| (s.start, s.prio));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match out.last_mut() {
            // A value found by its key (`GITHUB_TOKEN=ghp_…\nfoo`, argv's literal `\n`) that
            // starts with a shaped token is that token: the same secret, one placeholder.
            Some(cur) if s.start == cur.start && s.shaped && !cur.shaped && cur.open_pem.is_none() => {
                *cur = Span { ctx: cur.ctx.min(s.ctx), ..s };
            }
            Some(cur) if s.start == cur.start && cur.shaped && !s.shaped => {
                cur.ctx = cur.ctx.min(s.ctx);
            }
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
