//! A secret block being swallowed line by line (a PEM body, a YAML block scalar): hashed as
//! it passes, never stored, and replaced by one placeholder line when the block ends.

use super::pem::BodyHash;

pub(crate) struct Held {
    pub rule: u32,
    body: BodyHash,
    /// Indentation of the first line, given to the placeholder line (keeps YAML valid).
    indent: Option<String>,
    /// Line ending of the last line, given to the placeholder line.
    ending: String,
    kept: Kept,
}

/// What the block held so far.
enum Kept {
    Nothing,
    /// Only one of our placeholders: the block was redacted before; write it back as it was.
    Placeholder(String),
    Secret,
}

/// What replaces a closed block.
pub(crate) enum Closing {
    Nothing,
    /// A line (and its ending) to write back unchanged: redacting twice changes nothing.
    Verbatim(String, String),
    Secret {
        rule: u32,
        identity: String,
        indent: String,
        ending: String,
    },
}

impl Held {
    pub fn new(rule: u32, ending: &str) -> Self {
        Held { rule, body: BodyHash::default(), indent: None, ending: ending.to_owned(), kept: Kept::Nothing }
    }

    /// A whole line inside the block (without its ending).
    pub fn line(&mut self, line: &str, ending: &str) {
        self.prefixed_line(line, 0, ending);
    }

    /// A whole line whose first `prefix` bytes are a log prefix, not the secret: kept in
    /// front of the placeholder line and left out of the fingerprint.
    pub fn prefixed_line(&mut self, line: &str, prefix: usize, ending: &str) {
        let body = &line[prefix..];
        let t = body.trim();
        if t.is_empty() {
            return;
        }
        if self.indent.is_none() {
            self.indent = Some(line[..line.len() - body.trim_start().len()].to_owned());
        }
        self.kept = match self.kept {
            Kept::Nothing if is_own_placeholder(t) => Kept::Placeholder(line.to_owned()),
            _ => Kept::Secret,
        };
        self.body.feed(body);
        ending.clone_into(&mut self.ending);
    }

    /// Part of a line: the rest of a BEGIN line, or a window of an endless line.
    pub fn part(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.kept = Kept::Secret;
        }
        self.body.feed(text);
    }

    pub fn close(self) -> Closing {
        match self.kept {
            Kept::Nothing => Closing::Nothing,
            Kept::Placeholder(line) => Closing::Verbatim(line, self.ending),
            Kept::Secret => Closing::Secret {
                rule: self.rule,
                identity: self.body.identity(),
                indent: self.indent.unwrap_or_default(),
                ending: self.ending,
            },
        }
    }
}

/// `[REDACTED:rule-1]` and nothing else.
pub(crate) fn is_own_placeholder(t: &str) -> bool {
    t.starts_with("[REDACTED:") && t.ends_with(']') && !t.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_placeholder_comes_back_verbatim() {
        let mut h = Held::new(0, "\n");
        h.line("  [REDACTED:private-key-1]", "\n");
        assert!(matches!(h.close(), Closing::Verbatim(l, e) if l == "  [REDACTED:private-key-1]" && e == "\n"));
    }

    #[test]
    fn a_held_secret_gets_indent_and_ending_of_its_lines() {
        let mut h = Held::new(3, "\n");
        h.line("", "\n");
        h.line("    MIIEpAIBAAKCAQEA1x", "\r\n");
        h.line("    [REDACTED:x-1]", "\r\n");
        match h.close() {
            Closing::Secret { rule, identity, indent, ending } => {
                assert_eq!((rule, indent.as_str(), ending.as_str()), (3, "    ", "\r\n"));
                assert!(identity.starts_with("pem:"));
            }
            _ => panic!("expected a secret"),
        }
    }

    #[test]
    fn nothing_held_nothing_written() {
        let mut h = Held::new(0, "\n");
        h.part("  ");
        assert!(matches!(h.close(), Closing::Nothing));
    }
}
