//! Markdown files with YAML frontmatter: split, parse (with line numbers), render.
//!
//! serde-saphyr does both directions: it reports line and column, limits alias
//! expansion (billion laughs) and refuses duplicate keys, which gray_matter does not.

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

/// Splits `---\n yaml \n---\n body`. The text must already be LF-only without BOM
/// (see [`normalize`]).
pub fn split(text: &str) -> Result<Parts<'_>, ParseError> {
    let rest = text.strip_prefix("---\n").or_else(|| (text == "---").then_some("")).ok_or_else(|| ParseError {
        line: 1,
        message: format!(
            "no frontmatter: the file starts with {:?}, not a line `---`; \
                 add `---`, the YAML fields, and `---` at the top",
            first_line(text)
        ),
    })?;
    let mut offset = 0;
    let mut line = 2;
    for piece in rest.split_inclusive('\n') {
        let content = piece.trim_end_matches('\n');
        if content == "---" || content == "..." {
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

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    line.chars().take(40).collect()
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

/// Parses the frontmatter into `T` and returns it with the body.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<(T, &str), ParseError> {
    let parts = split(text)?;
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
    serde_saphyr::from_str_with_options(yaml, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).unwrap_or(1);
        ParseError { line: first_line + line.saturating_sub(1), message: yaml_message(&e) }
    })
}

fn yaml_message(e: &serde_saphyr::Error) -> String {
    // saphyr's Display draws a snippet; the first line is the message itself.
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.trim_start_matches("error: ");
    // saphyr prefixes its own YAML-relative position; ours counts lines in the file.
    match first.strip_prefix("line ").and_then(|rest| rest.split_once(": ")) {
        Some((position, message)) if position.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok()) => {
            message.to_string()
        }
        _ => first.to_string(),
    }
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
            "line 1: no frontmatter: the file starts with \"# just markdown\", not a line `---`; add `---`, the YAML fields, and `---` at the top"
        );
        let err = parse::<Map>("---\nid: a\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: the frontmatter opened on line 1 is never closed; add a line `---` after the YAML fields"
        );
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
