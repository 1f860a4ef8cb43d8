//! Secrets already known (earlier in the incident, or found by a rule earlier on the line)
//! found again wherever they turn up, whatever their context now.

use super::super::numbering::{KnownLengths, Placeholders};
use super::Redactor;
use super::span::Span;

impl<P: Placeholders> Redactor<'_, P> {
    /// Secrets found earlier in the incident, or by a rule earlier on this line, whatever
    /// their context now (a password given to `--from-literal`, then printed bare). A
    /// candidate starts and ends at a separator or at a `.`, `/` or `@` it is glued to
    /// (`https://u:SECRET@host`), and starts with a separator only when a known secret
    /// of its length does (`;Xy9zQ7w`); one holding such characters itself (`p@ss:word`, base64
    /// with `=`) is looked for only when a known secret of its length holds them too. Only
    /// distinctive text: a password `postgres` must not take every `postgres`.
    pub(super) fn known_secrets(&mut self, text: &str, pos: usize) {
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
        // A secret may start with a separator (`;Xy9…`): only then is a candidate tried there.
        let leads = !known.leading.is_empty() || found.iter().any(|&(_, s, e)| KnownLengths::leads(&text[s..e]));
        let look = Look { sizes, found: &found, known: &known };
        let mut at = pos;
        while let Some(c) = text[at..].chars().next() {
            let next = at + c.len_utf8();
            if separator(c) {
                let hit = if leads && !c.is_whitespace() { self.known_at(text, at, next, &look) } else { None };
                match hit {
                    Some((end, rule)) => {
                        self.spans.push(Span::new(at, end, rule, self.rules.rule_prio(rule)));
                        at = end;
                    }
                    None => at = next,
                }
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
        let lead = text[at..].starts_with(separator);
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
            let worth_hashing = if lead {
                look.known.leading.contains(&size)
            } else if spans {
                look.known.spanning.contains(&size)
            } else {
                look.known.words.contains(&size)
            };
            if !worth_hashing || !distinctive(candidate) {
                continue;
            }
            let rule = self.placeholders.known(candidate).and_then(|placeholder| {
                let name = super::super::numbering::rule_of(&placeholder);
                self.rules.names().iter().position(|n| *n == name).map(|i| i as u32)
            });
            if let Some(rule) = rule {
                return Some((end, rule));
            }
        }
        None
    }
}

/// Long and machine-like enough to be hidden wherever it turns up: 8 bytes or more, with a
/// digit, mixed case or a symbol.
/// Shorter text is never taken for a known secret (see [`distinctive`]).
const MIN_DISTINCTIVE: usize = 8;

/// Ends a word: whitespace, quotes, brackets, `=`, `:`, `,`, `;`.
pub(crate) fn separator(c: char) -> bool {
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
pub(crate) fn boundary(c: char) -> bool {
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
