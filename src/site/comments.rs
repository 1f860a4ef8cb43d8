//! Obsidian comments (`%%an aside%%`, inline or over several lines and blocks) are the
//! writer's own: Obsidian does not show them, and neither do the site nor its search index.

use std::collections::VecDeque;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// The events of `inner` without what comments hide. Tags stay, so the HTML stays
/// balanced (a paragraph that was all comment is an empty one); a code block is never a
/// comment's start or end (`%%` in output is output), but one inside a comment goes with it.
pub struct Comments<'a, I> {
    inner: I,
    /// Off: the events pass as they are (no `%%` pair in the text).
    on: bool,
    hidden: bool,
    in_code: bool,
    queue: VecDeque<Event<'a>>,
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
        Comments { inner, on: may_hold_comments(md), hidden: false, in_code: false, queue: VecDeque::new() }
    }

    /// Skips a code block inside a comment, up to its end.
    fn skip_code(&mut self) {
        for event in self.inner.by_ref() {
            if matches!(event, Event::End(TagEnd::CodeBlock)) {
                return;
            }
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Comments<'a, I> {
    type Item = Event<'a>;

    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        if !self.on {
            return self.inner.next();
        }
        if let Some(event) = self.queue.pop_front() {
            return Some(event);
        }
        loop {
            let event = self.inner.next()?;
            match event {
                Event::Start(Tag::CodeBlock(_)) if self.hidden => self.skip_code(),
                Event::Start(Tag::CodeBlock(_)) => {
                    self.in_code = true;
                    return Some(event);
                }
                Event::End(TagEnd::CodeBlock) => {
                    self.in_code = false;
                    return Some(event);
                }
                Event::Text(text) if !self.in_code && (self.hidden || text.contains("%%")) => {
                    for (i, part) in text.split("%%").enumerate() {
                        if i > 0 {
                            self.hidden = !self.hidden;
                        }
                        if !self.hidden && !part.is_empty() {
                            self.queue.push_back(Event::Text(CowStr::from(part.to_string())));
                        }
                    }
                    if let Some(event) = self.queue.pop_front() {
                        return Some(event);
                    }
                }
                Event::Start(_) | Event::End(_) => return Some(event),
                _ if self.hidden => {}
                other => return Some(other),
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
        // One `%%` alone is no comment: a percent sign written twice.
        let html = render("CPU at 100%% since 08:00, *still*", &MdOptions::notes());
        assert!(html.contains("100%% since 08:00, <em>still</em>"), "{html}");
    }
}
