//! Markdown files with YAML frontmatter: split, parse (with line numbers), render.
//!
//! serde-saphyr does both directions: it reports line and column, limits alias
//! expansion (billion laughs) and refuses duplicate keys, which gray_matter does not.

mod explain;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Frontmatter larger than this is refused before parsing.
pub const MAX_FRONTMATTER_BYTES: usize = 8 << 20;

/// What is wrong with a file, and on which line (1-based, counted in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    /// The error of a command that cannot go on without this file.
    pub fn in_file(self, path: &std::path::Path, hint: Option<String>) -> crate::error::Error {
        crate::error::Error::File { path: path.to_path_buf(), line: self.line, message: self.message, hint }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A file split at its frontmatter delimiters.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    pub yaml: &'a str,
    /// Line of the file on which `yaml` starts.
    pub yaml_line: usize,
    pub body: &'a str,
}

/// A delimiter line: `---` (or `...` to close), trailing blanks allowed as editors leave them.
fn is_delimiter(line: &str, closing: bool) -> bool {
    let line = line.trim_end_matches([' ', '\t']);
    line == "---" || (closing && line == "...")
}

/// Splits `---\n yaml \n---\n body`. The text must already be LF-only without BOM
/// (see [`normalize`]).
pub fn split(text: &str) -> Result<Parts<'_>, ParseError> {
    if text.trim().is_empty() {
        // An editor's or a sync's accident, not a format slip: what was there is in git.
        let message = "the file is empty; restore it (with git, or from a backup) or delete it";
        return Err(ParseError { line: 1, message: message.to_string() });
    }
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !is_delimiter(first, false) {
        // The file's words are not quoted: this warning can end up in a postmortem.
        return Err(ParseError {
            line: 1,
            message: "no frontmatter: line 1 is not `---`; add `---`, the YAML fields, and `---` at the top"
                .to_string(),
        });
    }
    let mut offset = 0;
    let mut line = 2;
    for piece in rest.split_inclusive('\n') {
        if is_delimiter(piece.trim_end_matches('\n'), true) {
            let yaml = &rest[..offset];
            if yaml.len() > MAX_FRONTMATTER_BYTES {
                return Err(ParseError {
                    line: 2,
                    message: format!(
                        "frontmatter is {} bytes, over the limit of {} bytes; move the data into the body",
                        yaml.len(),
                        MAX_FRONTMATTER_BYTES
                    ),
                });
            }
            let body = &rest[offset + piece.len()..];
            let body = body.strip_prefix('\n').unwrap_or(body);
            return Ok(Parts { yaml, yaml_line: 2, body });
        }
        offset += piece.len();
        line += 1;
    }
    let _ = line;
    Err(ParseError {
        line: 1,
        message: "the frontmatter opened on line 1 is never closed; add a line `---` after the YAML fields".to_string(),
    })
}

/// Bytes to text the splitter accepts: UTF-8 required (the error names the line),
/// a BOM dropped, CRLF turned into LF.
pub fn normalize(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        ParseError {
            line,
            message: format!(
                "not UTF-8 (byte 0x{:02x} at offset {}); save the file as UTF-8",
                bytes[e.valid_up_to()],
                e.valid_up_to()
            ),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        Ok(std::borrow::Cow::Owned(text.replace("\r\n", "\n")))
    } else {
        Ok(std::borrow::Cow::Borrowed(text))
    }
}

/// Bytes not UTF-8 after the frontmatter (a stray byte pasted into a note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBody {
    /// Line of the file of the first bad byte.
    pub line: usize,
    pub byte: u8,
    /// Further lines with bad bytes.
    pub more_lines: usize,
}

/// [`normalize`], except that the body need not be UTF-8: once the frontmatter is closed,
/// bad bytes are shown as U+FFFD and said. The frontmatter must be UTF-8: its values are
/// ids, times and milestones, which a replaced byte would change without a word.
pub fn normalize_lossy_body(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, Option<BadBody>), ParseError> {
    let refused = match normalize(bytes) {
        Ok(text) => return Ok((text, None)),
        Err(e) => e,
    };
    let Err(e) = std::str::from_utf8(bytes) else { return Err(refused) };
    let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
    let good = good.strip_prefix('\u{feff}').unwrap_or(good).replace("\r\n", "\n");
    // The closing `---` must end its line before the first bad byte.
    let closed = split(&good).is_ok_and(|p| !p.body.is_empty() || good.ends_with('\n'));
    if !closed {
        return Err(refused);
    }
    let mut bad = bytes.split(|&b| b == b'\n').enumerate().filter(|(_, l)| std::str::from_utf8(l).is_err());
    let line = bad.next().map_or(refused.line, |(i, _)| i + 1);
    let more_lines = bad.count();
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).replace("\r\n", "\n");
    Ok((std::borrow::Cow::Owned(text), Some(BadBody { line, byte: bytes[e.valid_up_to()], more_lines })))
}

/// Parses the frontmatter into `T` and returns it with the body.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<(T, &str), ParseError> {
    // A merge conflict is the likelier cause of a broken split, and must be resolved anyway.
    let parts = split(text).map_err(|e| crate::conflict::in_markdown(text, 1).map_or(e, |c| c.error()))?;
    if let Some(c) = crate::conflict::in_yaml(parts.yaml, parts.yaml_line) {
        return Err(c.error());
    }
    let meta = parse_yaml(parts.yaml, parts.yaml_line)?;
    Ok((meta, parts.body))
}

/// Parses YAML that starts on `first_line` of its file; errors carry the file's line.
pub fn parse_yaml<T: DeserializeOwned>(yaml: &str, first_line: usize) -> Result<T, ParseError> {
    if yaml.trim().is_empty() {
        return Err(ParseError { line: first_line, message: "the frontmatter is empty".to_string() });
    }
    // Frontmatter has no business with deep aliasing: a tight replay budget keeps a
    // "billion laughs" file to milliseconds (the default allows a million events).
    let options = serde_saphyr::options! {
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 16,
        },
    };
    serde_saphyr::from_str_with_options(yaml, options).map_err(|e| explain::yaml_error(yaml, first_line, &e))
}

/// Renders `---\nYAML---\n\nbody`, ending with one newline.
pub fn render<T: Serialize>(meta: &T, body: &str) -> String {
    let yaml = serde_saphyr::to_string(meta).expect("frontmatter types always serialize");
    let mut out = String::with_capacity(yaml.len() + body.len() + 16);
    out.push_str("---\n");
    out.push_str(&yaml);
    if !yaml.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("---\n");
    let body = body.trim_end_matches('\n');
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Map = BTreeMap<String, serde_json::Value>;

    #[test]
    fn round_trips_tricky_scalars() {
        let mut m = Map::new();
        for (k, v) in [
            ("a", "no"),
            ("b", "on"),
            ("c", "~"),
            ("d", "2026-11-24"),
            ("e", "12:30"),
            ("f", "---"),
            ("g", "x: y"),
            ("h", "# hi"),
            ("i", "naïve ✓"),
            ("j", "line1\nline2"),
        ] {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        let text = render(&m, "body\n");
        let (back, body): (Map, &str) = parse(&text).unwrap();
        assert_eq!(back, m);
        assert_eq!(body, "body\n");
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse::<Map>("---\nid: a\nkind: [unclosed\n---\n").unwrap_err();
        assert!(err.line >= 3, "{err:?}");
        let err = parse::<Map>("---\nid: a\nid: b\n---\n").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
        let err = parse::<Map>("# just markdown\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: no frontmatter: line 1 is not `---`; add `---`, the YAML fields, and `---` at the top"
        );
        // Trailing blanks on the delimiters, as editors leave them, are fine.
        let (m, body): (Map, &str) = parse("---  \nid: a\n--- \t\nbody\n").unwrap();
        assert_eq!((m["id"].as_str(), body), (Some("a"), "body\n"));
        let err = parse::<Map>("---\nid: a\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: the frontmatter opened on line 1 is never closed; add a line `---` after the YAML fields"
        );
    }

    /// Each class of mistake: the line quoted, the field's value, and the fix.
    #[test]
    fn errors_quote_the_line_and_suggest_the_fix() {
        let err = |field: &str| {
            let text = format!("---\nid: a\nkind: note\nat: 2025-10-05T08:30:00Z\n{field}\n---\n");
            parse::<crate::model::StepMeta>(&text).unwrap_err().to_string()
        };
        assert_eq!(
            err("exit_code: \"abc\""),
            "line 5: `exit_code: \"abc\"`: not a whole number; write a whole number without quotes: `exit_code: 1`"
        );
        assert_eq!(
            err("recorded_at: yesterday morning"),
            "line 5: `recorded_at: yesterday morning`: \"yesterday morning\" is not a time; write the time as \
             `recorded_at: 2025-10-05T08:30:00Z` (UTC) or with its offset, `2025-10-05T08:30:00-05:00`"
        );
        // An indented line folded into the plain value above it: that line is the one to fix.
        assert_eq!(
            err("  tags: [a, b"),
            "line 5: `  tags: [a, b`: indented under `at:` (line 4), so YAML reads it as more of that value \
             (\"2025-10-05T08:30:00Z tags\" is not a time); start it where `at:` starts"
        );
        // An indented comment is no part of the value: the value's own line is named.
        let text = "---\nid: a\nkind: note\nat: yesterday morning\n  # written later\n---\n";
        let comment = parse::<crate::model::StepMeta>(text).unwrap_err().to_string();
        assert!(
            comment.starts_with("line 4: `at: yesterday morning`: \"yesterday morning\" is not a time"),
            "{comment}"
        );
        assert_eq!(
            err("pros: {a: b}"),
            "line 5: `pros: {a: b}`: invalid type: map, expected a list of words; write a list: `pros: [a, b]`, or `pros:` followed by \
             one `- a` line per item"
        );
        assert_eq!(
            err("title: K3s down: every pod"),
            "line 5: `title: K3s down: every pod`: mapping values are not allowed in this context; a value with `: ` \
             in it must be quoted: `title: \"K3s down: every pod\"`"
        );
        assert_eq!(
            err("kind: note"),
            "line 5: `kind: note`: the key `kind` is given twice; remove one of the two lines"
        );
        // A quote left open: the line that opens it, not the one where YAML gave up.
        let text = "---\nid: a\ntitle: \"unterminated\nkind: note\nat: \"2025-10-05T08:30:00Z\"\n---\n";
        assert_eq!(
            parse::<crate::model::StepMeta>(text).unwrap_err().to_string(),
            "line 3: `title: \"unterminated`: the `\"` is not closed, so YAML reads on to the `\"` on line 5; \
             end the value with `\"`"
        );
        let text = "---\nid: a\nkind: note\nat: 2025-10-05T08:30:00Z\ntitle: 'it''s open\nhost: pc\n---\n";
        let open = parse::<crate::model::StepMeta>(text).unwrap_err();
        assert_eq!(open.line, 5, "{open}");
        assert!(
            open.message.starts_with("`title: 'it''s open`: the `'` is not closed; end the value with `'`"),
            "{open}"
        );
        // The quote can end up in a postmortem: a secret pasted on that line stays hidden.
        let quoted = err("exit_code: ghp_1234567890abcdefghijABCDEFGHIJ123456");
        assert!(quoted.starts_with("line 5: `exit_code: [REDACTED:github-token-1]`: "), "{quoted}");
    }

    #[test]
    fn normalizes_bom_crlf_and_rejects_invalid_utf8() {
        let text = normalize(b"\xef\xbb\xbf---\r\nid: a\r\n---\r\nhi\r\n").unwrap();
        let (m, body): (Map, &str) = parse(&text).unwrap();
        assert_eq!(m["id"], "a");
        assert_eq!(body, "hi\n");
        let err = normalize(b"---\nid: a\nx: \xff\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.starts_with("not UTF-8 (byte 0xff at offset 13)"));
    }

    #[test]
    fn a_bad_byte_in_the_body_is_replaced_and_said_but_not_in_the_frontmatter() {
        let (text, bad) = normalize_lossy_body(b"---\r\nid: a\r\n---\r\nok\r\nbad \xe9 here\r\nand \xff\r\n").unwrap();
        assert_eq!(text, "---\nid: a\n---\nok\nbad \u{fffd} here\nand \u{fffd}\n");
        assert_eq!(bad, Some(BadBody { line: 5, byte: 0xe9, more_lines: 1 }));
        assert_eq!(normalize_lossy_body(b"---\nid: a\n---\nfine\n").unwrap(), ("---\nid: a\n---\nfine\n".into(), None));
        // In the frontmatter, or on its closing line: refused as before, with the line.
        let err = normalize_lossy_body(b"---\nid: \xe9\n---\nbody\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(normalize_lossy_body(b"---\nid: a\n---\xe9\nbody\n").is_err());
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let mut yaml = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..9u8 {
            let (p, n) = ((b'a' + i) as char, (b'b' + i) as char);
            yaml.push_str(&format!("{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
        }
        let text = format!("---\n{yaml}---\n");
        let started = std::time::Instant::now();
        let err = parse::<Map>(&text).unwrap_err();
        assert!(started.elapsed().as_millis() < 500, "{:?}", started.elapsed());
        assert!(
            err.message.contains("alias") || err.message.contains("budget") || err.message.contains("limit"),
            "{err:?}"
        );
    }
}
