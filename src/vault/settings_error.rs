//! A broken `incident.toml` said in the user's words: its line, the key, and the fix, rather
//! than the TOML reader's (`expected usize`, a bare `duplicate key`).

use std::path::Path;

use crate::error::Error;

const DEFAULT_HINT: &str = "fix the setting or delete the line to use the default";

pub(super) fn explain(text: &str, file: &Path, e: &toml::de::Error) -> Error {
    let at = |line, message, hint: String| Error::File { path: file.to_path_buf(), line, message, hint: Some(hint) };
    // Marker lines are no TOML either: a hand-merged file is the likelier cause.
    if let Some(c) = crate::conflict::in_yaml(text, 1) {
        let hint = "keep the settings you want between the markers, then delete the marker lines".to_string();
        return at(c.line, c.message(), hint);
    }
    let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1).unwrap_or(1);
    let raw = e.message();
    if let Some(hint) = table_given_twice(text, line) {
        return at(line, raw.to_string(), hint);
    }
    if let Some((key, first)) = key_given_twice(text, line).filter(|_| raw == "duplicate key") {
        let hint = format!("`{key}` is already set at line {first}: delete one of the two lines");
        return at(line, format!("duplicate key `{key}`"), hint);
    }
    if let Some(field) = raw.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        let hint = format!("add `{field} = …` to the table that starts at line {line}: it has no default");
        return at(line, raw.to_string(), hint);
    }
    at(line, in_words(raw), DEFAULT_HINT.to_string())
}

/// The reader's Rust type names as a person would say them.
fn in_words(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, words) in [
        ("expected usize", "expected a whole number (0 or more)"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected u32", "expected a whole number (0 or more)"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
    ] {
        if let Some(start) = out.strip_suffix(rust).map(str::len) {
            out.replace_range(start.., words);
        }
    }
    out
}

/// When line `line` is a `[table]` header already given above (a snippet pasted
/// with its header into a file that has the table), how to merge the two.
fn table_given_twice(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.get(line.checked_sub(1)?)?.trim();
    if !header.starts_with('[') || header.starts_with("[[") {
        return None;
    }
    let first = lines[..line - 1].iter().position(|l| l.trim() == header)? + 1;
    Some(format!(
        "{header} is already at line {first} and a table may appear once: delete line {line} and move \
         the settings under it to the {header} of line {first}"
    ))
}

/// The key of line `line` and the line above it, in the same table, that set it first.
fn key_given_twice(text: &str, line: usize) -> Option<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let key_of = |l: &str| l.split_once('=').map(|(k, _)| k.trim().to_string()).filter(|k| !k.is_empty());
    let key = key_of(lines.get(line.checked_sub(1)?)?)?;
    let first = lines[..line - 1]
        .iter()
        .rposition(|l| l.trim_start().starts_with('[') || key_of(l).as_deref() == Some(&key))
        .filter(|&i| !lines[i].trim_start().starts_with('['))?;
    Some((key, first + 1))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn error_of(text: &str) -> (String, String) {
        let e = toml::from_str::<super::super::Settings>(text).unwrap_err();
        let e = super::explain(text, Path::new("v/incident.toml"), &e);
        (e.to_string(), e.hint().unwrap())
    }

    #[test]
    fn a_key_given_twice_is_named_with_its_first_line() {
        let (message, hint) = error_of("[[redact.rules]]\nname = \"a\"\npattern = \"x\"\nname = \"b\"\n");
        assert_eq!(message, "v/incident.toml:4: duplicate key `name`");
        assert_eq!(hint, "`name` is already set at line 2: delete one of the two lines");
    }

    #[test]
    fn a_required_setting_left_out_says_it_has_no_default() {
        let (message, hint) = error_of("[[redact.rules]]\npattern = \"abc\"\n");
        assert_eq!(message, "v/incident.toml:1: missing field `name`");
        assert_eq!(hint, "add `name = …` to the table that starts at line 1: it has no default");
    }

    #[test]
    fn numbers_are_asked_for_in_words() {
        let (message, hint) = error_of("[record]\ninline_limit = \"big\"\n");
        assert_eq!(message, "v/incident.toml:2: invalid type: string \"big\", expected a whole number (0 or more)");
        assert_eq!(hint, super::DEFAULT_HINT);
        let (message, _) = error_of("[record]\ninline_limit = -5\n");
        assert_eq!(message, "v/incident.toml:2: invalid value: integer `-5`, expected a whole number (0 or more)");
    }

    #[test]
    fn a_merge_conflict_is_said_as_one() {
        let text = "[record]\n<<<<<<< HEAD\ninline_limit = 1000\n=======\ninline_limit = 2000\n>>>>>>> theirs\n";
        let (message, hint) = error_of(text);
        assert!(
            message.starts_with(
                "v/incident.toml:2: unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> theirs` on line 6)"
            ),
            "{message}"
        );
        assert_eq!(hint, "keep the settings you want between the markers, then delete the marker lines");
    }
}
