//! Markdown from notes and outputs to HTML that is safe to publish.
//!
//! Notes and outputs are untrusted. pulldown-cmark passes raw HTML through, so every HTML
//! event becomes text (escaped, still visible); link and image destinations are checked
//! against an allow-list of schemes (`javascript:`, `data:` and the rest are dropped, the
//! link text stays); images from elsewhere become links, so a page makes no outside
//! request. Code blocks are highlighted and, for command output, folded into `<details>`.

use std::collections::VecDeque;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream, html,
};

use super::blocks::{self, HeadingIds};
use super::comments::Comments;
use super::highlight;
use super::html::escape_into;

pub struct MdOptions<'a> {
    /// Command output (console blocks, and every block of an output step) folds into `<details>`.
    pub fold_output: bool,
    /// Every block folds, whatever its language (the body of a `run` or `capture` step).
    pub fold_all: bool,
    /// Maps a relative destination to its place in the site (`../outputs/x.out` →
    /// `outputs/x.out.txt`), or says to leave it or drop it. It sees protocol-relative
    /// `//host` ones and those of a refused scheme (`javascript:`) too, to say why they go:
    /// those, and paths from `/`, never stay.
    pub rewrite: &'a dyn Fn(&str) -> Placed,
    /// An image to show from the page itself instead (an SVG attachment as a `data:` URI:
    /// published as a file it could run script on the site; in an `<img>` it cannot).
    pub inline_image: &'a dyn Fn(&str) -> Option<String>,
    /// An image shown as this HTML in its place (a chart the site drew itself, so dark
    /// screens recolour it); its alt text gives way to the chart's own title.
    pub picture: &'a dyn Fn(&str) -> Option<String>,
    /// The relative destination an Obsidian link (`[[name]]`, `![[name]]`) stands for;
    /// `None`: it names nothing, and its text is shown without a link.
    pub wiki: &'a dyn Fn(&str) -> Option<String>,
    /// Starts the HTML id of each footnote, so two notes' `[^1]` on one page stay apart.
    pub footnote_prefix: &'a str,
    /// Levels added to each heading, so a note's `# Heading` ranks below the page's own
    /// headings (one `<h1>` per page, for screen readers), `<h6>` at most.
    pub heading_offset: usize,
    /// Gives each heading an id to link to (`[[postmortem#What worked]]`), never one of
    /// these (the page's own); `None`: no ids (a step's headings, many to a page).
    pub heading_ids: Option<&'a [&'a str]>,
}

impl MdOptions<'_> {
    pub fn notes() -> MdOptions<'static> {
        MdOptions {
            fold_output: true,
            fold_all: false,
            rewrite: &|_| Placed::AsWritten,
            inline_image: &|_| None,
            picture: &|_| None,
            wiki: &|_| None,
            footnote_prefix: "",
            heading_offset: 2,
            heading_ids: None,
        }
    }
}

fn lower(level: HeadingLevel, by: usize) -> HeadingLevel {
    HeadingLevel::try_from((level as usize + by).min(6)).unwrap_or(HeadingLevel::H6)
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_GFM
}

/// An Obsidian link's destination as a Markdown link's; `None` for one that names nothing
/// (its text stays, as Obsidian shows an unresolved link: no page to go to).
fn wiki<'a>(link_type: LinkType, dest: CowStr<'a>, opts: &MdOptions) -> Option<CowStr<'a>> {
    match link_type {
        LinkType::WikiLink { .. } => (opts.wiki)(&dest).map(CowStr::from),
        _ => Some(dest),
    }
}

/// The HTML id of footnote `label` under `prefix`: letters and digits as they are, any
/// other byte as `_` and its hex, so two labels never share an id (`a b`, `a-b`).
fn footnote_id<'a>(prefix: &str, label: &str) -> CowStr<'a> {
    let mut id = format!("fn-{prefix}");
    for b in label.bytes() {
        if b.is_ascii_alphanumeric() {
            id.push(b as char);
        } else {
            id.push_str(&format!("_{b:02x}"));
        }
    }
    CowStr::from(id)
}

/// Where [`MdOptions::rewrite`] puts a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// This place in the site.
    At(String),
    /// As written (`--check` finds it if it leads nowhere).
    AsWritten,
    /// Nowhere: the link's text stays, without the link.
    Dropped,
}

impl From<Option<String>> for Placed {
    fn from(placed: Option<String>) -> Placed {
        placed.map_or(Placed::AsWritten, Placed::At)
    }
}

/// A destination a browser takes to another host (`//host/x`, `\\host`) or to the root of
/// wherever the page is read (`/etc/passwd`: from `file://`, the reader's own files).
pub fn leaves_site(dest: &str) -> bool {
    let first = dest.trim_start_matches(|c: char| c <= ' ').chars().next();
    matches!(first, Some('/' | '\\'))
}

/// What a link or image destination may be.
#[derive(Debug, PartialEq, Eq)]
pub enum Dest {
    /// No scheme: a path or a `#fragment` inside the site.
    Relative,
    /// `http:`, `https:`, `mailto:` or `//host`: a place elsewhere, fine to link, never to load.
    External,
    /// Any other scheme (`javascript:`, `data:`, `vbscript:`, `file:`, …).
    Refused,
}

/// Classifies a destination the way a browser would read it: ASCII tabs and newlines
/// are ignored inside URLs and leading spaces/controls are trimmed, so `java\tscript:`
/// and ` JAVASCRIPT:` are caught too.
pub fn classify(dest: &str) -> Dest {
    let cleaned = browser_view(dest);
    if cleaned.starts_with("//") || cleaned.starts_with("\\\\") || cleaned.starts_with("/\\") {
        return Dest::External;
    }
    match scheme_of(&cleaned).as_deref() {
        None => Dest::Relative,
        Some("http" | "https" | "mailto") => Dest::External,
        Some(_) => Dest::Refused,
    }
}

/// A destination as a browser reads it (see [`classify`]).
fn browser_view(dest: &str) -> String {
    dest.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}

/// The scheme of a destination as a browser reads it, in lowercase (`javascript`);
/// `None` for a path.
pub fn scheme(dest: &str) -> Option<String> {
    scheme_of(&browser_view(dest))
}

fn scheme_of(cleaned: &str) -> Option<String> {
    let end = cleaned.find([':', '/', '?', '#']).unwrap_or(cleaned.len());
    cleaned[end..].starts_with(':').then(|| cleaned[..end].to_ascii_lowercase())
}

/// What a `Start(Link|Image)` turned into, so its `End` can follow.
#[derive(Clone, Copy)]
enum Kept {
    Link,
    Image,
    Dropped,
}

/// Renders untrusted Markdown to safe HTML.
pub fn render(md: &str, opts: &MdOptions) -> String {
    let mut out = String::with_capacity(md.len() + md.len() / 2);
    let events = Safe {
        inner: Comments::of(md, TextMergeStream::new(Parser::new_ext(md, parser_options()))),
        opts,
        stack: Vec::new(),
        pending: VecDeque::new(),
        replay: VecDeque::new(),
        ids: opts.heading_ids.map(HeadingIds::new),
        title_open: false,
        title_depth: 0,
    };
    html::push_html(&mut out, events);
    out
}

/// The parser's events made safe, one at a time (no event list is kept).
struct Safe<'a, 'o> {
    /// Text in one piece (the parser may split it), so a URL is found whole.
    inner: Comments<'a, TextMergeStream<'a, Parser<'a>>>,
    opts: &'o MdOptions<'o>,
    stack: Vec<Kept>,
    /// Events made from one the parser gave (a text with bare URLs in it), still to go.
    pending: VecDeque<Event<'a>>,
    /// The parser's events looked at ahead (a heading's text, a quote's first line), still
    /// to be made safe.
    replay: VecDeque<Event<'a>>,
    ids: Option<HeadingIds>,
    /// A callout's title is open: the end of its first line closes it.
    title_open: bool,
    /// Inline elements open in the title (`**bold` going on to the next line): the line's
    /// end does not close the title then, the paragraph's end does.
    title_depth: usize,
}

impl<'a> Safe<'a, '_> {
    fn raw_next(&mut self) -> Option<Event<'a>> {
        self.replay.pop_front().or_else(|| self.inner.next())
    }

    /// A heading's id from its text, read ahead and given back.
    fn heading_id(&mut self) -> Option<CowStr<'a>> {
        self.ids.as_ref()?;
        let mut text = String::new();
        let mut ahead = Vec::new();
        while let Some(event) = self.raw_next() {
            if let Event::Text(t) | Event::Code(t) = &event {
                text.push_str(t);
            }
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            ahead.push(event);
            if end {
                break;
            }
        }
        let id = self.ids.as_mut()?.next(&text);
        for event in ahead.into_iter().rev() {
            self.replay.push_front(event);
        }
        Some(CowStr::from(id))
    }

    /// An Obsidian embed given a size (`![[graph.png|200]]`) as an `<img>` of that size,
    /// named by its file; `None` gives back the events read ahead.
    fn sized(&mut self, src: &str, name: &str) -> Option<Event<'a>> {
        let text = self.raw_next()?;
        let size = match &text {
            Event::Text(t) => blocks::image_size(t),
            _ => None,
        };
        let end = size.and_then(|_| self.raw_next());
        let Some(((width, height), Event::End(TagEnd::Image))) = size.zip(end.clone()) else {
            end.into_iter().for_each(|e| self.replay.push_front(e));
            self.replay.push_front(text);
            return None;
        };
        let mut img = String::from("<img src=\"");
        // As pulldown-cmark writes an unsized one's: percent-encoded, `&` and `'` escaped.
        let _ = pulldown_cmark_escape::escape_href(pulldown_cmark_escape::FmtWriter(&mut img), src);
        img.push_str("\" alt=\"");
        escape_into(&mut img, name.rsplit('/').next().unwrap_or(name));
        img.push_str(&format!("\" width=\"{width}\""));
        if let Some(height) = height {
            img.push_str(&format!(" height=\"{height}\""));
        }
        img.push_str(" />");
        Some(Event::InlineHtml(CowStr::from(img)))
    }

    /// Drops an image's alt text, up to its end (an image in the alt text too).
    fn skip_image(&mut self) {
        let mut depth = 1;
        while let Some(event) = self.raw_next() {
            match event {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth == 1 => return,
                Event::End(TagEnd::Image) => depth -= 1,
                _ => {}
            }
        }
    }

    /// A quote that opens with `[!kind] Title` as a callout: its opening, with the title's
    /// text to follow. `None` gives the events read ahead back.
    fn callout(&mut self) -> Option<Event<'a>> {
        let first = self.raw_next()?;
        if !matches!(first, Event::Start(Tag::Paragraph)) {
            self.replay.push_front(first);
            return None;
        }
        let second = self.raw_next();
        let found = match &second {
            Some(Event::Text(t)) => blocks::callout_line(t).map(|(kind, title)| (kind, title.to_string())),
            _ => None,
        };
        let Some((kind, title)) = found else {
            second.into_iter().for_each(|e| self.replay.push_front(e));
            self.replay.push_front(first);
            return None;
        };
        let title = if title.trim().is_empty() { blocks::callout_label(&kind) } else { title };
        self.pending.push_back(Event::Text(CowStr::from(title)));
        self.title_open = true;
        Some(Event::Html(CowStr::from(blocks::callout_open(&kind))))
    }
}

impl<'a> Iterator for Safe<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        loop {
            let event = match self.raw_next()? {
                Event::SoftBreak | Event::HardBreak if self.title_open && self.title_depth == 0 => {
                    self.title_open = false;
                    Event::Html(CowStr::Borrowed("</p>\n<p>"))
                }
                Event::End(TagEnd::Paragraph) if self.title_open => {
                    self.title_open = false;
                    self.title_depth = 0;
                    Event::Html(CowStr::Borrowed("</p>\n"))
                }
                Event::Start(Tag::BlockQuote(None)) => match self.callout() {
                    Some(open) => open,
                    None => Event::Start(Tag::BlockQuote(None)),
                },
                // GitHub's alerts (`> [!NOTE]` alone on its line) as the callouts they are.
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let kind = format!("{kind:?}").to_ascii_lowercase();
                    let mut open = blocks::callout_open(&kind);
                    escape_into(&mut open, &blocks::callout_label(&kind));
                    open.push_str("</p>\n");
                    Event::Html(CowStr::from(open))
                }
                // A bare `https://…` in text is a link, as Obsidian and GitHub show it.
                Event::Text(text) if self.stack.is_empty() && text.contains("://") => {
                    self.pending.extend(linkified(&text));
                    match self.pending.pop_front() {
                        Some(event) => event,
                        None => continue,
                    }
                }
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let id = id.or_else(|| self.heading_id());
                    Event::Start(Tag::Heading { level: lower(level, self.opts.heading_offset), id, classes, attrs })
                }
                Event::End(TagEnd::Heading(level)) => {
                    Event::End(TagEnd::Heading(lower(level, self.opts.heading_offset)))
                }
                Event::FootnoteReference(label) => {
                    Event::FootnoteReference(footnote_id(self.opts.footnote_prefix, &label))
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    Event::Start(Tag::FootnoteDefinition(footnote_id(self.opts.footnote_prefix, &label)))
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or("").to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let mut text = String::new();
                    while let Some(inner) = self.raw_next() {
                        match inner {
                            Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    let mut block = String::with_capacity(text.len() + 256);
                    highlight::code_block(&mut block, &lang, &text, self.opts.fold_output, self.opts.fold_all);
                    Event::Html(CowStr::from(block))
                }
                Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
                Event::Start(Tag::HtmlBlock) => Event::Html(CowStr::Borrowed("<pre class=\"raw-html\">")),
                Event::End(TagEnd::HtmlBlock) => Event::Html(CowStr::Borrowed("</pre>\n")),
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let dest_url = wiki(link_type, dest_url, self.opts);
                    match dest_url.and_then(|d| safe_dest(&d, self.opts, false)) {
                        Some(dest) => {
                            self.stack.push(Kept::Link);
                            Event::Start(Tag::Link { link_type, dest_url: dest, title, id })
                        }
                        None => {
                            self.stack.push(Kept::Dropped);
                            continue;
                        }
                    }
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let name = dest_url.to_string();
                    let Some(dest_url) = wiki(link_type, dest_url, self.opts) else {
                        self.stack.push(Kept::Dropped);
                        continue;
                    };
                    if let Some(html) = (self.opts.picture)(&dest_url) {
                        self.skip_image();
                        Event::InlineHtml(CowStr::from(html))
                    } else if let Some(src) = safe_dest(&dest_url, self.opts, true) {
                        let sized = match link_type {
                            LinkType::WikiLink { .. } => self.sized(&src, &name),
                            _ => None,
                        };
                        if let Some(img) = sized {
                            img
                        } else {
                            self.stack.push(Kept::Image);
                            Event::Start(Tag::Image { link_type, dest_url: src, title, id })
                        }
                    } else if let Some(href) = safe_dest(&dest_url, self.opts, false) {
                        self.stack.push(Kept::Link);
                        let link_type = if link_type == LinkType::Autolink { LinkType::Inline } else { link_type };
                        Event::Start(Tag::Link { link_type, dest_url: href, title, id })
                    } else {
                        self.stack.push(Kept::Dropped);
                        continue;
                    }
                }
                Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => match self.stack.pop() {
                    Some(Kept::Link) => Event::End(TagEnd::Link),
                    Some(Kept::Image) => Event::End(TagEnd::Image),
                    Some(Kept::Dropped) | None => continue,
                },
                other => other,
            };
            if self.title_open {
                match event {
                    Event::Start(_) => self.title_depth += 1,
                    Event::End(_) => self.title_depth = self.title_depth.saturating_sub(1),
                    _ => {}
                }
            }
            return Some(event);
        }
    }
}

/// A text as events: its http(s) URLs as links, the rest as text.
fn linkified<'a>(text: &str) -> Vec<Event<'a>> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut events = Vec::new();
    for span in finder.spans(text) {
        let piece = span.as_str().to_string();
        if span.kind().is_some() && classify(&piece) == Dest::External {
            events.push(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::from(piece.clone()),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }));
            events.push(Event::Text(CowStr::from(piece)));
            events.push(Event::End(TagEnd::Link));
        } else {
            events.push(Event::Text(CowStr::from(piece)));
        }
    }
    events
}

/// The destination to write, or `None` to drop the link (its text stays).
/// Images load only from inside the site (a destination `rewrite` placed there).
fn safe_dest<'a>(dest: &CowStr<'a>, opts: &MdOptions, image: bool) -> Option<CowStr<'a>> {
    match classify(dest) {
        // Told to the rewrite, to say why it goes; an image's is told as its link.
        Dest::Refused => {
            if !image {
                (opts.rewrite)(dest);
            }
            None
        }
        Dest::External if image && !leaves_site(dest) => None,
        Dest::External if !leaves_site(dest) => Some(dest.clone()),
        Dest::Relative if dest.starts_with('#') => (!image).then(|| dest.clone()),
        Dest::Relative if image && let Some(data) = (opts.inline_image)(dest) => Some(CowStr::from(data)),
        // Relative, or `//host`: told to the rewrite, so it can say why one goes.
        _ => match (opts.rewrite)(dest) {
            // A picture shown elsewhere on the page: linked to, not loaded.
            Placed::At(placed) if image && placed.starts_with('#') => None,
            // Published as text (an SVG too big to go inline): a link to it, not a broken picture.
            Placed::At(placed) if image && placed.ends_with(".txt") && !dest.ends_with(".txt") => None,
            Placed::At(placed) => Some(CowStr::from(placed)),
            Placed::AsWritten if !image && !leaves_site(dest) => Some(dest.clone()),
            Placed::AsWritten | Placed::Dropped => None,
        },
    }
}

/// The prose of a note for the search index: text only, no code blocks, no markup.
pub fn plain_text(md: &str) -> String {
    // Most notes hold no comment: their events need no merging to be read.
    match super::comments::may_hold_comments(md) {
        true => plain_text_of(Comments::of(md, TextMergeStream::new(Parser::new_ext(md, parser_options())))),
        false => plain_text_of(Parser::new_ext(md, parser_options())),
    }
}

fn plain_text_of<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for event in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            // Raw HTML shows on the page as text (see `render`), so it is found as text too.
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) if !in_code => {
                out.push_str(&t);
                out.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
