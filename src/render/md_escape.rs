//! Text put into Markdown by the templates' filters: what a person typed must stay text
//! where it lands (a heading, a table cell, a list item, link text) and not become a
//! heading, a link, raw HTML or another row.

/// One line: a line break would end a heading, table row or list item early.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Markdown a person wrote (a lesson, a cause, a milestone's text) as one list item: its
/// links and code stay, but an HTML tag outside code is escaped, so `postmortem.md` holds
/// no raw HTML for whatever viewer opens it.
pub fn markdown_line(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len());
    let mut code_fence = 0; // the length of the backtick run that opened a code span
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            let mut run = 1;
            while chars.next_if_eq(&'`').is_some() {
                run += 1;
            }
            code_fence = match code_fence {
                0 => run,
                open if open == run => 0,
                open => open,
            };
            out.extend(std::iter::repeat_n('`', run));
            continue;
        }
        let opens_tag = chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        if c == '<' && code_fence == 0 && opens_tag {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Plain text on one line, every character that could start Markdown (emphasis, code, a
/// link, raw HTML, a heading's closing `#`) backslash-escaped.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '#' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code whatever the text holds: a backtick run longer than any inside it.
pub fn code(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    let longest = one_line.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// Inline code in a table cell: GFM splits cells at `|` even inside code, so it is
/// escaped there (and shows as `|`); backslashes inside code are literal, so they stay.
pub fn code_in_cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// A value inside a table cell: one line, pipes escaped.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text typed by a person inside a table cell (an action): as [`cell`], and it cannot
/// make a link or raw HTML; inline code still works.
pub fn cell_text(text: &str) -> String {
    cell(text).replace('[', "\\[").replace(']', "\\]").replace('<', "\\<")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_text() {
        assert_eq!(text("fix [the] thing](http://evil)"), "fix \\[the\\] thing\\](http://evil)");
        assert_eq!(text("DNS | broken\n# not a heading"), "DNS | broken \\# not a heading");
        assert_eq!(text("$ echo \"<b>\" `x`"), "$ echo \"\\<b>\" \\`x\\`");
        assert_eq!(cell_text("fix [the] thing](http://evil) | `now`"), "fix \\[the\\] thing\\](http://evil) \\| `now`");
    }

    #[test]
    fn code_in_a_cell_keeps_backslashes() {
        assert_eq!(code_in_cell(r#"grep -E "a\.b|c""#), r#"`grep -E "a\.b\|c"`"#);
        assert_eq!(code_in_cell("echo `a`"), "`` echo `a` ``");
    }

    #[test]
    fn a_markdown_line_keeps_links_and_code_but_no_html() {
        assert_eq!(
            markdown_line("see [runbook](https://x) <img src=x onerror=alert(1)>\n- not an item"),
            "see [runbook](https://x) \\<img src=x onerror=alert(1)> - not an item"
        );
        assert_eq!(markdown_line("use `a<b` and ``x ` <y>`` then <b>"), "use `a<b` and ``x ` <y>`` then \\<b>");
        assert_eq!(markdown_line("1 < 2"), "1 < 2");
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("fast\n- injected"), "fast - injected");
        assert_eq!(one_line("a\n\n# Heading\n"), "a # Heading");
    }
}
