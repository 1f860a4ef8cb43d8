//! Obsidian comments (`%%an aside%%`, inline or over several lines and blocks) are the
//! writer's own: Obsidian does not show them, and neither do the site nor its search index.

use std::collections::VecDeque;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// An element open where the filter is.
enum Open<'a> {
    Shown,
    /// Opened inside a comment: its end is dropped too. One the comment ends inside opens
    /// again where something of it shows (its tag kept for that); never a link or an image,
    /// whose address is the comment's.
    Hidden(Option<Tag<'a>>),
}

/// The events of `inner` without what comments hide: their text and every element opened
/// inside them (a link, a heading, a table), so nothing of a comment reaches the page, the
/// wiki links or the search index. Elements opened before a comment keep their end. A code
/// block is never a comment's start or end (`%%` in output is output).
pub struct Comments<'a, I> {
    inner: I,
    /// Off: the events pass as they are (no `%%` pair in the text).
    on: bool,
    /// After an opening `%%`: the text before it (of the same text event) and the events
    /// since, hidden once a closing `%%` comes, shown as written if none does (a lone `%%`
    /// is a percent sign written twice).
    held: Option<(String, Vec<Event<'a>>)>,
    in_code: bool,
    /// In a table that began inside a comment: the `%%` in it so far. The whole table is
    /// the comment's (a comment cannot cut a table's rows and cells); an odd count ends
    /// the comment with the table.
    in_hidden_table: Option<usize>,
    open: Vec<Open<'a>>,
    /// Some element of `open` is hidden and may have to open again.
    reopen: bool,
    /// Events to give, in order; a paragraph's or heading's start waits here for what
    /// follows, so one that a comment took all of is not shown empty.
    out: VecDeque<Event<'a>>,
    done: bool,
}

/// Whether `md` may hold a comment at all: most notes do not, and pass untouched.
pub fn may_hold_comments(md: &str) -> bool {
    let bytes = md.as_bytes();
    let mut pairs = 0;
    let mut from = 0;
    for at in memchr::memchr_iter(b'%', bytes) {
        if at >= from && bytes.get(at + 1) == Some(&b'%') {
            pairs += 1;
            if pairs == 2 {
                return true;
            }
            from = at + 2;
        }
    }
    false
}

impl<'a, I: Iterator<Item = Event<'a>>> Comments<'a, I> {
    /// Comments of `md`, parsed by `inner`.
    pub fn of(md: &str, inner: I) -> Self {
        Comments {
            inner,
            on: may_hold_comments(md),
            held: None,
            in_code: false,
            in_hidden_table: None,
            open: Vec::new(),
            reopen: false,
            out: VecDeque::new(),
            done: false,
        }
    }

    fn feed(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => self.in_code = true,
            Event::End(TagEnd::CodeBlock) => self.in_code = false,
            Event::Start(Tag::Table(_)) if self.held.is_some() => self.in_hidden_table = Some(0),
            Event::Text(ref text) if self.in_hidden_table.is_some() => {
                self.in_hidden_table = self.in_hidden_table.map(|n| n + text.matches("%%").count());
            }
            Event::End(TagEnd::Table) if self.in_hidden_table.is_some() => {
                let closes = self.in_hidden_table.take().is_some_and(|n| n % 2 == 1);
                if let Some((_, held)) = &mut self.held {
                    held.push(event);
                }
                if closes {
                    self.close();
                }
                return;
            }
            // Cells are split before comments (as `|` splits them): a `%%` its cell does
            // not close is no comment.
            Event::End(TagEnd::TableCell) if self.in_hidden_table.is_none() => {
                self.unhold();
                return self.show(event);
            }
            Event::Text(text) if !self.in_code && text.contains("%%") => {
                let mut shown = String::new();
                for (i, part) in text.split("%%").enumerate() {
                    if i > 0 {
                        match self.held {
                            None => self.held = Some((std::mem::take(&mut shown), Vec::new())),
                            Some(_) => self.close(),
                        }
                    }
                    match &mut self.held {
                        Some((_, held)) if !part.is_empty() => held.push(Event::Text(CowStr::from(part.to_string()))),
                        Some(_) => {}
                        None => shown.push_str(part),
                    }
                }
                if !shown.is_empty() {
                    self.show(Event::Text(CowStr::from(shown)));
                }
                return;
            }
            _ => {}
        }
        match &mut self.held {
            Some((_, held)) => held.push(event),
            None => self.show(event),
        }
    }

    /// A closing `%%`: what the comment held is hidden, the text before it shown.
    fn close(&mut self) {
        if let Some((before, held)) = self.held.take() {
            if !before.is_empty() {
                self.show(Event::Text(CowStr::from(before)));
            }
            held.into_iter().for_each(|event| self.hide(event));
            self.reopen = true;
        }
    }

    /// The end of the text (or of a table cell) with a comment still open: its `%%` was no comment.
    fn unhold(&mut self) {
        if let Some((before, held)) = self.held.take() {
            self.show(Event::Text(CowStr::from(before + "%%")));
            held.into_iter().for_each(|event| self.show(event));
        }
    }

    fn hide(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.open.push(Open::Hidden(None)),
            Event::Start(tag) => self.open.push(Open::Hidden(Some(tag))),
            Event::End(_) => self.show(event),
            _ => {}
        }
    }

    fn show(&mut self, event: Event<'a>) {
        if let Event::End(end) = event {
            if let Some(Open::Hidden(_)) = self.open.pop() {
                return;
            }
            match self.out.back() {
                Some(Event::Start(tag @ (Tag::Paragraph | Tag::Heading { .. }))) if tag.to_end() == end => {
                    self.out.pop_back();
                }
                _ => self.out.push_back(event),
            }
            return;
        }
        let event = match event {
            // After a comment: opens where something of it shows, so an element left
            // empty shows nothing; never a table's part (an empty cell keeps its column).
            Event::Start(tag) if self.reopen && !is_table_part(&tag) => {
                return self.open.push(Open::Hidden(Some(tag)));
            }
            event => event,
        };
        if std::mem::take(&mut self.reopen) {
            for open in &mut self.open {
                if let Open::Hidden(tag @ Some(_)) = open {
                    self.out.extend(tag.take().map(Event::Start));
                    *open = Open::Shown;
                }
            }
        }
        match (&event, self.out.back_mut()) {
            // One text, as the parser gave it, when a `%%` was no comment.
            (Event::Text(text), Some(Event::Text(before))) => *before = CowStr::from(format!("{before}{text}")),
            (Event::Start(_), _) => {
                self.open.push(Open::Shown);
                self.out.push_back(event);
            }
            _ => self.out.push_back(event),
        }
    }
}

fn is_table_part(tag: &Tag) -> bool {
    matches!(tag, Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Comments<'a, I> {
    type Item = Event<'a>;

    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        if !self.on {
            return self.inner.next();
        }
        loop {
            let waits = self.out.len() == 1
                && !self.done
                && matches!(self.out.front(), Some(Event::Start(Tag::Paragraph | Tag::Heading { .. })));
            if !waits && let Some(event) = self.out.pop_front() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.inner.next() {
                Some(event) => self.feed(event),
                None => {
                    self.done = true;
                    self.unhold();
                }
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::super::markdown::{MdOptions, plain_text, render};

    #[test]
    fn comments_are_not_shown_nor_found_and_code_keeps_its_percent_signs() {
        let md = "Seen %%ask Sam about the lease%% at 08:23.\n\n%%\nprivate: the VPN password is in 1Password\n\n```sh\nsecret stuff\n```\n%%\n\nAfter.\n\n```sh\nprintf '%%d%%'\n```\n";
        let html = render(md, &MdOptions::notes());
        assert!(html.contains("<p>Seen  at 08:23.</p>"), "{html}");
        for hidden in ["ask Sam", "VPN", "secret stuff"] {
            assert!(!html.contains(hidden), "{hidden}: {html}");
            assert!(!plain_text(md).contains(hidden), "{hidden}");
        }
        assert!(html.contains("<p>After.</p>") && html.contains("%%d%%"), "{html}");
        assert!(plain_text(md).contains("After."));
        // One `%%` alone is no comment (a percent sign written twice), whatever `%%` code holds.
        let md = "CPU at 100%% since 08:00, *still* `a %% b`\n\n```sh\nprintf '%%d'\n```\n\nAfter.";
        let html = render(md, &MdOptions::notes());
        assert!(html.contains("<p>CPU at 100%% since 08:00, <em>still</em> <code>a %% b</code></p>"), "{html}");
        assert!(html.contains("%%d") && html.contains("<p>After.</p>"), "{html}");
        assert!(plain_text(md).contains("100%% since 08:00") && plain_text(md).contains("After."));
    }

    #[test]
    fn a_comment_in_a_table_cell_hides_that_part_of_the_cell_only() {
        let table = |rows: &str| format!("| h1 | h2 |\n|---|---|\n{rows}");
        let body = |md: &str| {
            let html = render(md, &MdOptions::notes());
            let start = html.find("<tbody>").map_or(0, |at| at + "<tbody>\n".len());
            html[start..html.find("</tbody>").unwrap_or(html.len())].to_string()
        };
        let cases = [
            ("| a %%hidden%% | b |\n", "<tr><td>a </td><td>b</td></tr>\n"),
            ("| %%a%% | %%b%% |\n| c | d |\n", "<tr><td></td><td></td></tr>\n<tr><td>c</td><td>d</td></tr>\n"),
            ("| a %%x%% b | **c %%z%%** d |\n", "<tr><td>a  b</td><td><strong>c </strong> d</td></tr>\n"),
            // A `%%` its cell does not close is no comment: the cells stay as written.
            ("| a %%x | y%% |\n", "<tr><td>a %%x</td><td>y%%</td></tr>\n"),
            ("| a %%x | b |\n| c%% | d |\n", "<tr><td>a %%x</td><td>b</td></tr>\n<tr><td>c%%</td><td>d</td></tr>\n"),
        ];
        for (rows, want) in cases {
            assert_eq!(body(&table(rows)), want, "{rows}");
        }
        assert!(render(&table("| a %%hidden%% | b |\n"), &MdOptions::notes()).contains("<thead><tr><th>h1</th>"));
        assert!(!plain_text(&table("| a %%hidden%% | b |\n")).contains("hidden"));
        // A comment begun before a table and ended in one of its cells takes the whole table.
        for md in [
            "%%\n| h1 | h2 |\n|---|---|\n| secret %% | b |\n\nAfter.\n",
            "Seen %%x\n\n| secret | %% |\n|---|---|\n\nAfter.\n",
        ] {
            let html = render(md, &MdOptions::notes());
            assert!(!html.contains("secret") && !html.contains("<t"), "{md}: {html}");
            assert!(html.contains("<p>After.</p>") && !plain_text(md).contains("secret"), "{md}: {html}");
        }
    }
}
