//! Blocks that span lines: PEM bodies, YAML block scalars, wrapped base64 keys, and
//! `data:` held until its object's kind is known; what replaces them when they close.

use super::super::held::{Closing, Held};
use super::super::manifest::{Peek, peek_kind};
use super::super::numbering::Placeholders;
use super::super::pem;
use super::{Redactor, floor_boundary};

/// Lines being swallowed because they are inside a secret block.
pub(super) enum Swallow {
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

/// What an open swallow did with a text.
pub(super) enum Fed {
    /// Took all of it.
    All,
    /// The block ended: normal processing resumes here.
    At(usize),
    /// The block is no key: its lines are in `replay`, the text was not touched.
    GiveBack,
}

/// Data held waiting for its object's kind: a Secret is at most 1 MiB.
const MAX_KIND_HOLD: usize = 1024 * 1024;

impl<P: Placeholders> Redactor<'_, P> {
    /// Feeds `text[pos..]` to the open swallow: all of it, up to where the block ends, or
    /// none (a PEM block that is no key gives its lines back).
    pub(super) fn swallowed(
        &mut self,
        text: &str,
        pos: usize,
        line_start: bool,
        eol: Option<&str>,
        out: &mut String,
    ) -> Fed {
        // The line after a held block continues no command before it.
        self.carry = None;
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
    pub(super) fn close_inline(&mut self, at: usize, out: &mut String) -> Fed {
        if let Some(Swallow::Pem { held, .. }) = self.swallow.take() {
            self.close_held(held, false, out);
        }
        Fed::At(at)
    }

    /// Ends a hold: a PEM block that is no key, or data whose kind is known (or will not be).
    /// Its lines go back to be read again.
    pub(super) fn give_back(&mut self) -> Fed {
        if let Some(Swallow::Pem { lines, .. } | Swallow::Kind { lines, .. }) = self.swallow.take() {
            for line in lines.into_iter().rev() {
                self.replay.push_front(line);
            }
        }
        Fed::GiveBack
    }

    /// Writes what replaces a swallowed block: on a line of its own, or inline.
    pub(super) fn close_held(&mut self, held: Held, own_line: bool, out: &mut String) {
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
}
