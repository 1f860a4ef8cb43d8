//! A flag and its value on two lines of a list: `- --password` then `- S3cret` (a YAML
//! `args:` list, `kubectl get -o yaml`, Helm values) or `"--api-key",` then `"Zx9…"` (a
//! pretty-printed JSON array). The value is run through the flag rules as if it followed its
//! flag on one line, so the same checks decide and the same rule names the placeholder.
//! Only a lone flag element followed by a lone element of the same list counts; blank lines
//! and YAML comment lines between the two are skipped.

use super::super::checks::yaml_value_end;
use super::super::numbering::Placeholders;
use super::super::pattern::Check;
use super::Redactor;
use super::span::Span;

/// One list element alone on its line; `start..end` is its scalar, inside any quotes.
#[derive(Debug, PartialEq, Clone, Copy)]
pub(super) struct Item {
    indent: usize,
    /// `"x",` of a JSON array rather than `- x` of a YAML list.
    json: bool,
    quote: Quote,
    start: usize,
    end: usize,
    /// A JSON element followed by `,`: another element comes.
    more: bool,
}

#[derive(Debug, PartialEq, Clone, Copy)]
enum Quote {
    Double,
    Single,
    Bare,
}

/// The list element `line` is, if it is nothing else.
pub(super) fn item(line: &str) -> Option<Item> {
    let indent = line.bytes().take_while(|b| *b == b' ').count();
    let rest = line[indent..].trim_end();
    let (json, off) = match rest.strip_prefix("- ") {
        Some(r) => (false, indent + 2 + (r.len() - r.trim_start().len())),
        None => (true, indent),
    };
    let rest = &line[off..indent + rest.len()];
    let found = |quote, start, end, more| Some(Item { indent, json, quote, start, end, more });
    if let Some(r) = rest.strip_prefix('"') {
        let b = r.as_bytes();
        let mut i = 0;
        while *b.get(i)? != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        return match r[i + 1..].trim_start() {
            "" => found(Quote::Double, off + 1, off + 1 + i, false),
            "," if json => found(Quote::Double, off + 1, off + 1 + i, true),
            _ => None,
        };
    }
    if json {
        return None;
    }
    if let Some(r) = rest.strip_prefix('\'') {
        // `''` is a quote inside the scalar.
        let b = r.as_bytes();
        let mut i = 0;
        loop {
            match (b.get(i)?, b.get(i + 1)) {
                (b'\'', Some(b'\'')) => i += 2,
                (b'\'', _) => break,
                _ => i += 1,
            }
        }
        return r[i + 1..].trim().is_empty().then_some(Item {
            indent,
            json,
            quote: Quote::Single,
            start: off + 1,
            end: off + 1 + i,
            more: false,
        });
    }
    // A plain scalar: not a mapping (`- name: x`), a flow collection, an anchor or a block.
    let end = yaml_value_end(rest);
    let v = &rest[..end];
    if v.is_empty() || v.starts_with(['[', '{', '&', '*', '!', '|', '>', '#', '%', '@', '`']) || v.ends_with(':') {
        return None;
    }
    if v.contains(": ") {
        return None;
    }
    found(Quote::Bare, off, off + end, false)
}

/// A lone `--flag` (or `-flag`) element, with another element to follow.
fn is_flag(line: &str, it: &Item) -> bool {
    let v = &line[it.start..it.end];
    let name = v.strip_prefix("--").or_else(|| v.strip_prefix('-')).unwrap_or("");
    (it.more || !it.json)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A line a list may hold between two elements: blank, or (YAML only) a comment alone.
fn skipped(line: &str, json: bool) -> bool {
    let t = line.trim();
    t.is_empty() || !json && t.starts_with('#')
}

impl<P: Placeholders> Redactor<'_, P> {
    /// Reads a whole line: remembers a lone flag element; on the element right after one,
    /// adds its value to `self.spans` if the flag rules say it is the flag's secret.
    pub(super) fn list_flag(&mut self, text: &str) {
        // A blank line, or a comment line in YAML, between flag and value: still waiting.
        if let Some((f, _)) = &self.flag_item
            && skipped(text, f.json)
        {
            return;
        }
        let prev = self.flag_item.take();
        let Some(it) = item(text) else {
            return;
        };
        if is_flag(text, &it) {
            self.flag_item = Some((it, text[it.start..it.end].to_owned()));
            return;
        }
        let Some((_, flag)) = prev.filter(|(f, _)| f.indent == it.indent && f.json == it.json) else {
            return;
        };
        let value = &text[it.start..it.end];
        // The one-line form the flag rules know: `"--x", "v"` (JSON array), `--x 'v'`, `--x v`.
        let (joined, at) = match it.quote {
            Quote::Double => (format!("\"{flag}\", \"{value}\""), flag.len() + 5),
            Quote::Single => (format!("{flag} '{value}'"), flag.len() + 2),
            Quote::Bare => (format!("{flag} {value}"), flag.len() + 1),
        };
        let saved = std::mem::take(&mut self.spans);
        self.hits.iter_mut().for_each(|w| *w = 0);
        if self.rules.prefilter(&joined, 0, &mut self.hits) {
            for p in 0..self.rules.pattern_count() as u32 {
                let flagged = matches!(self.rules.pattern(p).check, Check::Flag | Check::SecretFlag);
                if flagged && self.hits[p as usize / 64] & (1 << (p % 64)) != 0 {
                    self.run_pattern(p, &joined, 0, true, true);
                }
            }
        }
        let found = std::mem::replace(&mut self.spans, saved);
        // The whole element is the value, spaces and all: the one-line form stops at a blank.
        if let Some(s) = found.iter().filter(|s| s.start == at).min_by_key(|s| s.prio) {
            self.spans.push(Span { sticky: true, ..Span::new(it.start, it.end, s.rule, s.prio) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_elements_only() {
        let flag = item("  - --password").unwrap();
        assert!(is_flag("  - --password", &flag));
        assert_eq!((flag.indent, flag.json, flag.start, flag.end), (2, false, 4, 14));
        let json = r#"    "--api-key","#;
        assert!(is_flag(json, &item(json).unwrap()));
        // The last element of a JSON array has no value after it.
        assert!(!is_flag(r#"    "--api-key""#, &item(r#"    "--api-key""#).unwrap()));
        let v = item("- 'it''s'  ").unwrap();
        assert_eq!(&"- 'it''s'  "[v.start..v.end], "it''s");
        assert_eq!(item("- two words # note").map(|i| (i.start, i.end)), Some((2, 11)));
        for not in ["- name: x", "- {a: b}", "args:", "\"--token\": \"x\"", "- \"x\" y", "--token", "- |"] {
            assert_eq!(item(not), None, "{not}");
        }
    }
}
