//! The frontmatter's YAML errors in our words: the line to fix, quoted, and the fix.

use super::ParseError;
use crate::redact::{Numbering, Redactor, Rules};

/// The error of serde-saphyr on `yaml` (which starts on `first_line` of its file), made
/// ours: a quote left open, a line folded into the value above, a common slip.
pub(super) fn yaml_error(yaml: &str, first_line: usize, e: &serde_saphyr::Error) -> ParseError {
    let line = e.location().map(|l| l.line() as usize).unwrap_or(1).max(1);
    let message = yaml_message(e);
    // A quote left open reads on to the next quote, lines below, where the error lands.
    if (message.contains("quoted scalar") || message.contains("unclosed quote"))
        && let Some((open, quote, closed)) = open_quote(yaml, line - 1)
    {
        let text = yaml.lines().nth(open).unwrap_or("");
        let read_on = match closed {
            Some(closed) => format!(", so YAML reads on to the `{quote}` on line {}", first_line + closed),
            None => String::new(),
        };
        let message = explain(text, &format!("the `{quote}` is not closed{read_on}"));
        return ParseError { line: first_line + open, message: format!("{message}; end the value with `{quote}`") };
    }
    let text = yaml.lines().nth(line - 1).unwrap_or("");
    if let Some(next) = yaml.lines().nth(line).filter(|next| continues(text, next)) {
        return ParseError { line: first_line + line, message: indented(text, next, first_line + line - 1, e) };
    }
    ParseError { line: first_line + line - 1, message: explain(text, &message) }
}

/// The line (0-based) of a quoted value that is still open on line `upto`, with its quote
/// and the line that closes it, if one does.
fn open_quote(yaml: &str, upto: usize) -> Option<(usize, char, Option<usize>)> {
    let mut open: Option<(usize, char)> = None;
    for (i, line) in yaml.lines().enumerate().take(upto + 1) {
        match open {
            Some((at, quote)) => {
                if closing(line, quote).is_some() {
                    if i == upto {
                        return Some((at, quote, Some(i)));
                    }
                    open = None;
                }
            }
            None => {
                let item = line.trim_start().trim_start_matches("- ");
                let value = item.split_once(": ").map_or(item, |(_, v)| v).trim_start();
                let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) else { continue };
                if closing(&value[1..], quote).is_none() {
                    open = Some((i, quote));
                }
            }
        }
    }
    open.map(|(at, quote)| (at, quote, None))
}

/// Where `quote` closes in `text` (after the opening one): `\"` escapes in double quotes,
/// `''` in single ones.
fn closing(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                chars.next();
            }
            c if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

/// Whether `next` is read as more of the plain value on `line` (`at: 09:30` then
/// `  tags: [a]`): YAML folds a more indented line into it, and the error names `line`.
fn continues(line: &str, next: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let value = line.split_once(": ").map_or("", |(_, v)| v.trim());
    // A comment line is no part of any value.
    !next.trim().is_empty()
        && !next.trim_start().starts_with('#')
        && indent(next) > indent(line)
        && !line.trim_start().starts_with("- ")
        && !value.is_empty()
        && !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '#'])
}

/// The error for a line folded into the value above it: the indented line is the one to fix.
fn indented(line: &str, next: &str, line_no: usize, e: &serde_saphyr::Error) -> String {
    let key = line.trim_start().split_once(':').map_or("", |(k, _)| k.trim());
    let shown: String = next.trim_end().chars().take(100).collect();
    let out = format!(
        "`{shown}`: indented under `{key}:` (line {line_no}), so YAML reads it as more of that value ({}); \
         start it where `{key}:` starts",
        yaml_message(e)
    );
    Redactor::new(Rules::builtin(), Numbering::default()).redact(&out)
}

/// Fields whose values are times, lists or whole numbers, for the hints below.
const TIME_FIELDS: [&str; 4] = ["at", "recorded_at", "opened_at", "date"];
const LIST_FIELDS: [&str; 6] = ["pros", "cons", "tags", "services", "services_unaffected", "argv"];
const NUMBER_FIELDS: [&str; 3] = ["exit_code", "duration_ms", "output_bytes"];

/// The error path only: the offending line quoted, the library's words made ours, and a
/// hint for the kind of field or mistake.
fn explain(line: &str, message: &str) -> String {
    let line = line.trim_end();
    let key = line.trim_start().trim_start_matches("- ").split_once(':').map_or("", |(k, _)| k.trim());
    let (message, hint) = match message.strip_prefix("duplicate mapping key: ") {
        Some(dup) => {
            let dup = dup.split(',').next().unwrap_or(dup).trim();
            (format!("the key `{dup}` is given twice"), Some("remove one of the two lines".to_string()))
        }
        None => (ours(message), hint(key, line, message)),
    };
    let mut out = String::new();
    if !line.trim().is_empty() {
        // A long line is cut: the message is for finding the line, not for reading it.
        let shown: String = line.chars().take(100).collect();
        let more = if shown.len() < line.len() { "…" } else { "" };
        out.push_str(&format!("`{shown}{more}`: "));
    }
    out.push_str(&message);
    if let Some(hint) = hint {
        out.push_str("; ");
        out.push_str(&hint);
    }
    // Warnings are shown, and copied into postmortems: a pasted secret stays hidden.
    Redactor::new(Rules::builtin(), Numbering::default()).redact(&out)
}

/// The YAML library's words for the common slips, in ours.
fn ours(message: &str) -> String {
    let integer = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize"];
    if message.strip_prefix("invalid ").is_some_and(|t| integer.contains(&t.trim())) {
        return "not a whole number".to_string();
    }
    if message.starts_with("tabs disallowed") {
        return "a tab indents this line, and YAML indents with spaces only".to_string();
    }
    if message.contains("externally tagged enum") {
        return "not a single word".to_string();
    }
    message.to_string()
}

fn hint(key: &str, line: &str, message: &str) -> Option<String> {
    if message.starts_with("tabs disallowed") {
        return Some("indent it with spaces".to_string());
    }
    if key == "kind" && message.contains("externally tagged enum") {
        let kinds: Vec<&str> = crate::model::StepKind::NAMED.iter().map(|k| k.as_str()).collect();
        return Some(format!("write one of: {}", kinds.join(", ")));
    }
    if message.contains("mapping values are not allowed") {
        let value = line.split_once(':').map_or("", |(_, v)| v.trim());
        let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
        return Some(format!("a value with `: ` in it must be quoted: `{key}: \"{quoted}\"`"));
    }
    if TIME_FIELDS.contains(&key) {
        return Some(format!(
            "write the time as `{key}: 2025-10-05T08:30:00Z` (UTC) or with its offset, `2025-10-05T08:30:00-05:00`"
        ));
    }
    if LIST_FIELDS.contains(&key) {
        return Some(format!("write a list: `{key}: [a, b]`, or `{key}:` followed by one `- a` line per item"));
    }
    if NUMBER_FIELDS.contains(&key) {
        return Some(format!("write a whole number without quotes: `{key}: 1`"));
    }
    None
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
