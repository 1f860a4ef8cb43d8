//! Git merge conflict markers left in a hand-merged file (`<<<<<<< HEAD`, `=======`,
//! `>>>>>>> theirs`): said as such, rather than as a cryptic YAML error or not at all.

use crate::frontmatter::ParseError;
use crate::redact::{Numbering, Redactor, Rules};

/// An unresolved conflict: where it opens and, when found, where it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Line of the file of its first marker.
    pub line: usize,
    pub opening: String,
    pub closing: Option<(usize, String)>,
}

impl Conflict {
    pub fn message(&self) -> String {
        let quote = |s: &str| s.chars().take(60).collect::<String>();
        let text = match &self.closing {
            Some((line, closing)) => format!(
                "unresolved merge conflict (`{}` to `{}` on line {line}); resolve it and remove the markers",
                quote(&self.opening),
                quote(closing)
            ),
            None => {
                format!("unresolved merge conflict (`{}`); resolve it and remove the markers", quote(&self.opening))
            }
        };
        // A branch name or commit subject can end up in a postmortem, as the file's words do.
        Redactor::new(Rules::builtin(), Numbering::default()).redact(&text)
    }

    pub fn error(&self) -> ParseError {
        ParseError { line: self.line, message: self.message() }
    }
}

/// `<<<<<<<`, `|||||||` (diff3's base), `=======`, `>>>>>>>` at the start of a line.
fn marker(line: &str) -> Option<char> {
    let line = line.trim_end();
    ['<', '|', '=', '>'].into_iter().find(|&c| {
        let run = line.chars().take_while(|&x| x == c).count();
        run == 7 && (line.len() == 7 || (c != '=' && line[7..].starts_with(' ')))
    })
}

/// In YAML (frontmatter) any marker line is one: no YAML line starts so.
pub fn in_yaml(text: &str, first_line: usize) -> Option<Conflict> {
    // Every frontmatter read passes here: one substring search each rules most out.
    if !["<<<<<<<", "|||||||", "=======", ">>>>>>>"].iter().any(|m| text.contains(m)) {
        return None;
    }
    let mut lines = text.lines().enumerate().filter(|(_, l)| marker(l).is_some());
    let (i, opening) = lines.next()?;
    let closing = lines.find(|(_, l)| marker(l) == Some('>')).map(|(j, l)| (first_line + j, l.trim_end().to_string()));
    Some(Conflict { line: first_line + i, opening: opening.trim_end().to_string(), closing })
}

/// In Markdown, `=======` alone underlines a heading and a fenced block may quote a
/// conflict (`git diff` output): only `<<<<<<<` outside a fence, with `=======` and
/// `>>>>>>>` after it, is one.
pub fn in_markdown(text: &str, first_line: usize) -> Option<Conflict> {
    // Every body read passes here (outputs of megabytes too): no opening marker, no conflict.
    if !text.contains("<<<<<<<") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let opens = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (fence, opens) {
            (None, Some(f)) => fence = Some(f),
            (Some(f), Some(g)) if f == g => fence = None,
            _ => {}
        }
        if fence.is_some() || marker(line) != Some('<') {
            continue;
        }
        let rest = &lines[i + 1..];
        let Some(middle) = rest.iter().position(|l| marker(l) == Some('=')) else { continue };
        let Some(end) = rest[middle..].iter().position(|l| marker(l) == Some('>')) else { continue };
        let j = i + 1 + middle + end;
        return Some(Conflict {
            line: first_line + i,
            opening: line.trim_end().to_string(),
            closing: Some((first_line + j, lines[j].trim_end().to_string())),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_in_yaml_and_only_whole_conflicts_outside_fences_in_markdown() {
        let yaml = "id: a\n<<<<<<< HEAD\ntitle: x\n=======\ntitle: y\n>>>>>>> other\n";
        let c = in_yaml(yaml, 2).unwrap();
        assert_eq!((c.line, c.closing.as_ref().map(|c| c.0)), (3, Some(7)));
        assert_eq!(
            c.message(),
            "unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> other` on line 7); resolve it and remove the markers"
        );
        assert_eq!(in_yaml("=======\ntitle: y\n", 2).map(|c| c.line), Some(2));
        assert_eq!(in_yaml("title: \"<<<<<<< HEAD\"\nx: ========\n", 2), None);

        let body = "Title\n=======\n\n```\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n```\n";
        assert_eq!(in_markdown(body, 5), None, "a heading underline and a quoted diff are no conflict");
        let body = "ok\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> 1a2b3c (fix)\n";
        let c = in_markdown(body, 10).unwrap();
        assert_eq!((c.line, c.closing), (11, Some((15, ">>>>>>> 1a2b3c (fix)".to_string()))));
        assert_eq!(in_markdown("<<<<<<< HEAD\nno middle or end\n", 1), None);
    }
}
