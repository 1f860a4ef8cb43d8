//! Text put into Markdown by the templates' filters: what a person typed must stay text
//! where it lands (a heading, a table cell, a list item, link text) and not become a
//! heading, a link, raw HTML or another row.

/// One line: a line break would end a heading, table row or list item early.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Markdown a person wrote (a lesson, a cause, a milestone's text) as the content of one
/// list item whose marker is `indent` wide (`- ` is 2): its lines are kept, the ones after
/// the first indented so CommonMark keeps them inside the item (a blank line is a paragraph
/// break there, `- x` a nested list, fenced code a code block). Its links and code stay, but
/// an HTML tag outside code is escaped, so `postmortem.md` holds no raw HTML for whatever
/// viewer opens it; a first line that would open a block at once ([`not_a_block`]) and a
/// heading on a later line ([`not_a_heading`]) are escaped, so the text cannot add a
/// section to the postmortem. When it ends inside a block (a nested list, a quote, code),
/// it ends with a paragraph break, so what the template writes after it (the step's link)
/// is not taken into that block.
pub fn markdown_item(text: &str, indent: usize) -> String {
    let text = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(text.len() + 16);
    let mut fence: Option<String> = None;
    // The line before was paragraph text (a `---` under it would make it a heading).
    let mut after_text = false;
    // The last lines are inside a block of the text's own (a list, a quote, code).
    let mut in_block = false;
    let mut blank = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) && trimmed.trim_start_matches(f.as_bytes()[0] as char).is_empty() {
                fence = None;
            }
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
            continue;
        }
        if trimmed.is_empty() {
            // Runs of blank lines are one paragraph break.
            blank = true;
            after_text = false;
            continue;
        }
        if i > 0 {
            out.push_str(if blank { "\n\n" } else { "\n" });
            out.push_str(&pad);
        }
        let opens_fence = lead < 4 && (trimmed.starts_with("```") || trimmed.starts_with("~~~"));
        if opens_fence {
            let ch = trimmed.chars().next().unwrap_or('`');
            fence = Some(trimmed.chars().take_while(|c| *c == ch).collect());
            out.push_str(line);
            in_block = true;
            after_text = false;
            blank = false;
            continue;
        }
        let line = if i == 0 { not_a_block(line.to_string()) } else { not_a_heading(line, after_text) };
        out.push_str(&no_html(&line));
        if i > 0 && (lead >= 4 || opens_block(trimmed)) {
            in_block = true;
        } else if blank || i == 0 {
            in_block = lead > 0 && in_block;
        }
        after_text = true;
        blank = false;
    }
    if let Some(f) = fence {
        // Closed here, or the template's next words would be code.
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&f);
    }
    if in_block {
        out.push_str("\n\n");
        out.push_str(&pad);
    }
    out
}

/// Whether a line (its indentation removed) starts a list item or a quote.
fn opens_block(trimmed: &str) -> bool {
    let bytes = trimmed.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let spaced = |i: usize| bytes.get(i).is_none_or(|b| *b == b' ');
    match bytes.first() {
        Some(b'>') => true,
        Some(b'-' | b'+' | b'*') => spaced(1),
        Some(b'0'..=b'9') => digits <= 9 && matches!(bytes.get(digits), Some(b'.' | b')')) && spaced(digits + 1),
        _ => false,
    }
}

/// A later line of an item that would make a heading there (`# x`, or a `===`/`---`
/// line under paragraph text) has its first mark escaped; lists, quotes and code stay.
fn not_a_heading(line: &str, after_text: bool) -> String {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    if lead >= 4 {
        return line.to_string();
    }
    let bytes = trimmed.as_bytes();
    let hashes = bytes.iter().take_while(|b| **b == b'#').count();
    let atx = hashes > 0 && hashes <= 6 && bytes.get(hashes).is_none_or(|b| *b == b' ');
    let underline = |c: char| after_text && trimmed.chars().all(|x| x == c);
    if atx || underline('=') || underline('-') { format!("{}\\{}", &line[..lead], trimmed) } else { line.to_string() }
}

/// A line that starts as a block would (`# Heading`, `> quote`, `- item`, `1. item`) in
/// a list item would open that block inside it: its first mark is escaped.
fn not_a_block(line: String) -> String {
    let bytes = line.as_bytes();
    let spaced = |i: usize| bytes.get(i).is_none_or(|b| *b == b' ');
    let hashes = bytes.iter().take_while(|b| **b == b'#').count();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let at = match bytes.first() {
        Some(b'#') if hashes <= 6 && spaced(hashes) => 0,
        Some(b'>') => 0,
        Some(b'-' | b'+' | b'*') if spaced(1) => 0,
        Some(b'0'..=b'9') if digits <= 9 && matches!(bytes.get(digits), Some(b'.' | b')')) && spaced(digits + 1) => {
            digits
        }
        _ => return line,
    };
    format!("{}\\{}", &line[..at], &line[at..])
}

/// Markdown a person wrote over several lines (the summary): as [`markdown_item`] line by
/// line, fenced code blocks left as they are.
pub fn markdown_block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let run = |ch: char| trimmed.chars().take_while(|c| *c == ch).collect::<String>();
        match &fence {
            Some(f) if trimmed.starts_with(f.as_str()) => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => fence = Some(run('`')),
            None if trimmed.starts_with("~~~") => fence = Some(run('~')),
            None => {
                out.push_str(&no_html(line));
                out.push('\n');
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Escapes `<` that could open an HTML tag outside code spans. A backtick run opens a code
/// span only when the same run closes it later on the line (CommonMark): an unmatched one
/// is a literal backtick, and what follows it is not code. A backslash escape is kept whole.
fn no_html(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.extend(&chars[i..(i + 2).min(chars.len())]);
            i += 2;
            continue;
        }
        if c == '`' {
            let run = backtick_run(&chars, i);
            // The closing run: exactly as long, not part of a longer run.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = backtick_run(&chars, j);
                    if r == run {
                        close = Some(j);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            let end = close.map_or(i + run, |j| j + run);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        let opens_tag = chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        if c == '<' && opens_tag {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

fn backtick_run(chars: &[char], from: usize) -> usize {
    chars[from..].iter().take_while(|c| **c == '`').count()
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

/// A value inside a table cell: one line, pipes escaped, no raw HTML (the cell may hold
/// links the postmortem made, so `[` stays).
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace('<', "\\<").replace(['\n', '\r'], " ")
}

/// Text typed by a person inside a table cell (an action): as [`cell`], and it cannot
/// make a link or raw HTML; inline code still works.
pub fn cell_text(text: &str) -> String {
    cell(text).replace('[', "\\[").replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the `md_line` filter without `indent`: for an item marked `- `.
    fn markdown_line(text: &str) -> String {
        markdown_item(text, 2)
    }

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
            markdown_line("see [runbook](https://x) <img src=x onerror=alert(1)>\nthen <b>"),
            "see [runbook](https://x) \\<img src=x onerror=alert(1)>\n  then \\<b>"
        );
        assert_eq!(markdown_line("use `a<b` and ``x ` <y>`` then <b>"), "use `a<b` and ``x ` <y>`` then \\<b>");
        assert_eq!(markdown_line("1 < 2"), "1 < 2");
    }

    #[test]
    fn an_unmatched_backtick_does_not_hide_html() {
        assert_eq!(markdown_line("it`s <img src=x onerror=alert(1)>"), "it`s \\<img src=x onerror=alert(1)>");
        assert_eq!(markdown_line("``a` <b>"), "``a` \\<b>");
        assert_eq!(markdown_line("\\`x <b> `y`"), "\\`x \\<b> `y`");
        assert_eq!(markdown_line("`a` <i> `b <c>`"), "`a` \\<i> `b <c>`");
    }

    #[test]
    fn a_block_keeps_its_lines_and_fences() {
        assert_eq!(
            markdown_block("**Down** <b>x</b>\n\n```html\n<b>code</b>\n```\n- [link](u) <i>"),
            "**Down** \\<b>x\\</b>\n\n```html\n<b>code</b>\n```\n- [link](u) \\<i>"
        );
    }

    #[test]
    fn a_cell_holds_no_html() {
        assert_eq!(cell("rm -rf '/tmp/<img src=x>' | x"), "rm -rf '/tmp/\\<img src=x>' \\| x");
        assert_eq!(cell_text("<b>[x]</b>"), "\\<b>\\[x\\]\\</b>");
    }

    #[test]
    fn a_line_that_would_open_a_block_in_its_list_item_does_not() {
        assert_eq!(markdown_line("# Heading\n- item\n- item"), "\\# Heading\n  - item\n  - item\n\n  ");
        assert_eq!(markdown_line("> quoted"), "\\> quoted");
        assert_eq!(markdown_line("12. twelfth"), "12\\. twelfth");
        assert_eq!(markdown_line("2025 was fine"), "2025 was fine");
        // Not a block: emphasis, a tag, a version.
        assert_eq!(markdown_line("**bold** start"), "**bold** start");
        assert_eq!(markdown_line("#hashtag"), "#hashtag");
        assert_eq!(markdown_line("1.5 GB freed"), "1.5 GB freed");
        assert_eq!(markdown_line("-"), "\\-");
    }

    #[test]
    fn an_item_keeps_its_lines_inside_the_item() {
        let lesson = "Pin the node IP.\n\nWhy: DHCP renewed the lease.\n- item one\n- item two";
        assert_eq!(
            markdown_line(lesson),
            "Pin the node IP.\n\n  Why: DHCP renewed the lease.\n  - item one\n  - item two\n\n  "
        );
        // Runs of blank lines are one break; CRLF and CR are line ends; a plain last line
        // takes what follows it.
        assert_eq!(markdown_line("a\r\n\r\n\r\nb\rc"), "a\n\n  b\n  c");
        assert_eq!(markdown_item("a\nb", 3), "a\n   b");
        // A lazy line after a nested item still belongs to it; a plain paragraph after a
        // blank line does not.
        assert_eq!(markdown_line("a\n- b\nc"), "a\n  - b\n  c\n\n  ");
        assert_eq!(markdown_line("a\n- b\n\nc"), "a\n  - b\n\n  c");
    }

    #[test]
    fn a_later_line_cannot_make_a_heading() {
        assert_eq!(markdown_line("a\n# Heading\n  ## two"), "a\n  \\# Heading\n    \\## two");
        assert_eq!(markdown_line("a\n===\n\n---"), "a\n  \\===\n\n  ---");
        assert_eq!(markdown_line("a\nb\n---"), "a\n  b\n  \\---");
        assert_eq!(markdown_line("a\n#hashtag\n<b>x</b>"), "a\n  #hashtag\n  \\<b>x\\</b>");
    }

    #[test]
    fn code_in_an_item_stays_code_and_is_closed() {
        assert_eq!(
            markdown_line("run:\n```sh\n# not a heading <b>\n\nx\n```\nafter"),
            "run:\n  ```sh\n  # not a heading <b>\n\n  x\n  ```\n  after\n\n  "
        );
        assert_eq!(markdown_line("run:\n~~~\nx"), "run:\n  ~~~\n  x\n  ~~~\n\n  ");
        assert_eq!(markdown_line("```\nx\n```"), "```\n  x\n  ```\n\n  ");
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("fast\n- injected"), "fast - injected");
        assert_eq!(one_line("a\n\n# Heading\n"), "a # Heading");
    }
}
