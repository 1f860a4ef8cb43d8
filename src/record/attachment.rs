//! How an attached file is redacted. UTF-8 text goes through the rules like any output
//! (secrets become placeholders). Any other file (a pcap, an image, a Latin-1 log) is read
//! one byte to one char (U+0000–U+00FF), so every rule sees it as text, and each secret
//! found is then overwritten in the original bytes by a mask of its own length: headers,
//! offsets and length fields stay valid, and no other byte changes.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::redact::{KnownLengths, Placeholders, rule_of};

/// What replaces a secret in the redacted text of a binary file, to be found again: a
/// private-use char, which text read one byte to one char never holds.
const MARK: char = '\u{E000}';

/// An attachment as it is to be stored.
#[derive(Debug, PartialEq)]
pub enum Stored {
    /// UTF-8 text, redacted with placeholders (or as it was).
    Text(Vec<u8>),
    /// Not UTF-8, and nothing to hide (or redaction is off): byte for byte.
    Kept(Vec<u8>),
    /// Not UTF-8: each secret overwritten in place; `masks` are (rule, bytes) in file order.
    Masked { bytes: Vec<u8>, masks: Vec<(String, usize)> },
    /// Not UTF-8 and secrets found by these rules, but where they lie in the bytes could
    /// not be told: nothing is stored rather than a secret or a broken file.
    Unmaskable(Vec<String>),
}

/// Placeholders for a binary file's text: each secret becomes [`MARK`]; the incident's
/// own placeholder (so numbering and the step's `redactions` stay right) and the secret
/// are kept, in the order the secrets were replaced.
pub(super) struct Marking<P> {
    pub inner: P,
    found: Vec<Found>,
}

struct Found {
    placeholder: String,
    /// The replaced text as bytes; empty when the rule gave a digest (a PEM body).
    secret: Vec<u8>,
}

impl<P: Placeholders> Marking<P> {
    pub fn new(inner: P) -> Self {
        Marking { inner, found: Vec::new() }
    }
}

impl<P: Placeholders> Placeholders for Marking<P> {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        let placeholder = self.inner.placeholder(rule, secret);
        let secret = to_bytes(secret).unwrap_or_default();
        self.found.push(Found { placeholder, secret });
        MARK.to_string()
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        self.inner.known(candidate)
    }

    fn known_lengths(&mut self) -> KnownLengths {
        self.inner.known_lengths()
    }
}

/// Bytes read one to one as chars.
pub(super) fn as_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes of text holding only chars U+0000–U+00FF; `None` for any other char.
fn to_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// Masks `input` (a binary file) where `redacted` (its text redacted through a
/// [`Marking`]) has marks.
pub(super) fn mask<P>(input: Vec<u8>, redacted: &str, marking: &Marking<P>) -> Stored {
    if marking.found.is_empty() {
        return Stored::Kept(input);
    }
    let segments: Option<Vec<Vec<u8>>> = redacted.split(MARK).map(to_bytes).collect();
    let secrets: Vec<&[u8]> = marking.found.iter().map(|f| f.secret.as_slice()).collect();
    let ranges =
        segments.and_then(|s| (s.len() == secrets.len() + 1).then_some(s)).and_then(|s| align(&input, &s, &secrets));
    let Some(ranges) = ranges else {
        let mut rules: Vec<String> = marking.found.iter().map(|f| rule_of(&f.placeholder).to_string()).collect();
        rules.sort();
        rules.dedup();
        return Stored::Unmaskable(rules);
    };
    let mut bytes = input;
    let mut masks = Vec::with_capacity(ranges.len());
    for (range, found) in ranges.into_iter().zip(&marking.found) {
        masks.push((rule_of(&found.placeholder).to_string(), range.len()));
        fill(&mut bytes[range], &found.placeholder);
    }
    Stored::Masked { bytes, masks }
}

/// The placeholder when it fits, padded with `*`; only `*` when it does not.
fn fill(region: &mut [u8], placeholder: &str) {
    let label = placeholder.as_bytes();
    let label = if label.len() <= region.len() { label } else { &[] };
    region[..label.len()].copy_from_slice(label);
    region[label.len()..].fill(b'*');
}

/// Where each secret lies in `input`, given the text kept around them (`segments`, one
/// more than the secrets) and each secret's own bytes when known. A secret whose bytes are
/// there, followed by the next segment, is taken as is; otherwise (a PEM body swallowed
/// whole, a huge secret cut short) the next segment is looked for at its first place
/// after the secret's start: the leftmost fit leaves the most room for what follows, so
/// if the segments fit at all they are found. `None` when they do not.
fn align(input: &[u8], segments: &[Vec<u8>], secrets: &[&[u8]]) -> Option<Vec<Range<usize>>> {
    let first = segments.first()?;
    if !input.starts_with(first) {
        return None;
    }
    let mut pos = first.len();
    let mut ranges = Vec::with_capacity(secrets.len());
    for (i, (segment, secret)) in segments[1..].iter().zip(secrets).enumerate() {
        let last = i + 2 == segments.len();
        let fits = |at: usize| {
            input.get(at..at + segment.len()) == Some(segment.as_slice())
                && (!last || at + segment.len() == input.len())
        };
        let end = if !secret.is_empty() && input[pos..].starts_with(secret) && fits(pos + secret.len()) {
            pos + secret.len()
        } else if last {
            let at = input.len().checked_sub(segment.len())?;
            (at > pos && fits(at)).then_some(at)?
        } else {
            pos + 1 + memchr::memmem::find(input.get(pos + 1..)?, segment)?
        };
        ranges.push(pos..end);
        pos = end + segment.len();
    }
    (pos == input.len()).then_some(ranges)
}

/// `bearer (20 bytes), cookie (2 secrets, 31 bytes)`: rules in the order first met.
pub fn describe(masks: &[(String, usize)]) -> String {
    let mut by_rule: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for (order, (rule, len)) in masks.iter().enumerate() {
        let entry = by_rule.entry(rule).or_insert((order, 0, 0));
        entry.1 += 1;
        entry.2 += len;
    }
    let mut rules: Vec<_> = by_rule.into_iter().collect();
    rules.sort_by_key(|(_, (order, _, _))| *order);
    let parts: Vec<String> = rules
        .into_iter()
        .map(|(rule, (_, n, bytes))| {
            let bytes = crate::format::plural(bytes as u64, "byte");
            if n == 1 {
                format!("{rule} ({bytes})")
            } else {
                format!("{rule} ({}, {bytes})", crate::format::plural(n as u64, "secret"))
            }
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(parts: &[&[u8]]) -> Vec<Vec<u8>> {
        parts.iter().map(|p| p.to_vec()).collect()
    }

    #[test]
    fn a_secret_given_by_its_bytes_is_taken_where_it_is() {
        let input = b"a=xx b=xx\n";
        // The first `xx` is a secret; the segment after it starts at the second.
        let ranges = align(input, &segs(&[b"a=", b" b=xx\n"]), &[b"xx"]).unwrap();
        assert_eq!(ranges, vec![2..4]);
    }

    #[test]
    fn a_secret_known_by_a_digest_is_found_by_what_follows_it() {
        let input = b"-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n\xff";
        let segments = segs(&[b"-----BEGIN KEY-----\n", b"\n-----END KEY-----\n\xff"]);
        let ranges = align(input, &segments, &[b""]).unwrap();
        assert_eq!(&input[ranges[0].clone()], b"AAAA\nBBBB");
    }

    #[test]
    fn segments_that_do_not_fit_the_input_are_refused() {
        assert_eq!(align(b"abc", &segs(&[b"x", b""]), &[b""]), None);
        assert_eq!(align(b"abcdef", &segs(&[b"a", b"zz", b"f"]), &[b"", b""]), None);
        // A secret must cover at least one byte.
        assert_eq!(align(b"ab", &segs(&[b"a", b"b"]), &[b""]), None);
    }

    #[test]
    fn adjacent_secrets_cover_the_bytes_between_their_neighbours() {
        let ranges = align(b"k=AAAABBBB;", &segs(&[b"k=", b"", b";"]), &[b"AAAA", b"BBBB"]).unwrap();
        assert_eq!(ranges, vec![2..6, 6..10]);
    }

    #[test]
    fn a_mask_carries_the_placeholder_when_it_fits() {
        let mut long = [0u8; 22];
        fill(&mut long, "[REDACTED:bearer-1]");
        assert_eq!(&long, b"[REDACTED:bearer-1]***");
        let mut short = [0u8; 5];
        fill(&mut short, "[REDACTED:bearer-1]");
        assert_eq!(&short, b"*****");
    }

    #[test]
    fn masks_are_described_by_rule() {
        let masks = vec![("bearer".to_string(), 20), ("cookie".to_string(), 10), ("cookie".to_string(), 1)];
        assert_eq!(describe(&masks), "bearer (20 bytes), cookie (2 secrets, 11 bytes)");
    }

    #[test]
    fn bytes_and_text_map_one_to_one() {
        let all: Vec<u8> = (0..=255).collect();
        let text = as_text(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(to_bytes(&text).unwrap(), all);
        assert_eq!(to_bytes("é\u{E000}"), None);
    }
}
