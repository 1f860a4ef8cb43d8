//! Things Obsidian users write that plain Markdown does not mark: callouts
//! (`> [!note] Title`, as GitHub's `> [!NOTE]` alerts), headings to link to
//! (`[[postmortem#What worked]]`), whose ids are made here, and sized images.

use std::collections::HashSet;

use super::html::escape_into;

/// The size Obsidian reads after an embed's `|`: `![[graph.png|200]]` is 200 pixels
/// wide, `![[graph.png|200x100]]` also 100 high.
pub fn image_size(text: &str) -> Option<(u32, Option<u32>)> {
    let number =
        |s: &str| s.parse::<u32>().ok().filter(|n| (1..=10_000).contains(n) && s.bytes().all(|b| b.is_ascii_digit()));
    match text.trim().split_once('x') {
        Some((w, h)) => Some((number(w)?, Some(number(h)?))),
        None => Some((number(text.trim())?, None)),
    }
}

/// The kind and title of the callout a quote's first line opens: `[!kind]`, `[!kind]-`
/// or `[!kind]+` (foldable in Obsidian, always open here), then the title if any.
pub fn callout_line(text: &str) -> Option<(String, &str)> {
    let rest = text.trim_start().strip_prefix("[!")?;
    let (kind, title) = rest.split_once(']')?;
    let kind: String = kind.trim().to_ascii_lowercase();
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    // The end is kept: the title may go on with markup (`Title **bold**`).
    let title = title.strip_prefix(['-', '+']).unwrap_or(title).trim_start();
    Some((kind, title))
}

/// What a callout without a title is called: its kind, as Obsidian shows it.
pub fn callout_label(kind: &str) -> String {
    let mut chars = kind.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The opening of a callout's quote up to its title's text (`<p class="callout-title">`).
/// The kinds Obsidian shares a colour with are told apart by CSS.
pub fn callout_open(kind: &str) -> String {
    let mut html = String::from("<blockquote class=\"callout callout-");
    escape_into(&mut html, kind);
    html.push_str("\">\n<p class=\"callout-title\">");
    html
}

/// Heading ids of one Markdown text, GitHub's way: `What worked` is `what-worked`, the
/// second `Notes` is `notes-1`; ids the page's own template uses are never given out.
pub struct HeadingIds {
    used: HashSet<String>,
}

impl HeadingIds {
    pub fn new(reserved: &[&str]) -> HeadingIds {
        HeadingIds { used: reserved.iter().map(|id| id.to_string()).collect() }
    }

    pub fn next(&mut self, text: &str) -> String {
        let base = match slug(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        let (mut id, mut n) = (base.clone(), 0);
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used.insert(id.clone());
        id
    }
}

/// A heading's text as its id: lower case, letters, digits, `-` and `_` kept, each space a
/// `-`, any other character dropped. The same rule turns `[[postmortem#What worked]]`'s
/// fragment into the id it leads to.
pub fn slug(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            id.push(c);
        } else if c.is_whitespace() {
            id.push('-');
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callout_lines_and_their_titles() {
        assert_eq!(callout_line("[!note] DHCP lease"), Some(("note".into(), "DHCP lease")));
        assert_eq!(callout_line("[!WARNING]- Folded"), Some(("warning".into(), "Folded")));
        assert_eq!(callout_line("[!bug]"), Some(("bug".into(), "")));
        assert_eq!(callout_line("[!x\" onload=\"y] t"), None, "a kind goes into a class");
        assert_eq!(callout_line("[link](x) text"), None);
        assert_eq!(callout_line("[!] t"), None);
        assert_eq!(callout_label("warning"), "Warning");
    }

    #[test]
    fn heading_ids_are_slugs_made_unique() {
        let mut ids = HeadingIds::new(&["main"]);
        assert_eq!(ids.next("What worked"), "what-worked");
        assert_eq!(ids.next("What worked"), "what-worked-1");
        assert_eq!(ids.next("Main"), "main-1", "the template's own id stays its own");
        assert_eq!(ids.next("Main 1"), "main-1-1");
        assert_eq!(ids.next("Time to diagnose: 22 min (p50)!"), "time-to-diagnose-22-min-p50");
        assert_eq!(ids.next("Überblick"), "überblick");
        assert_eq!(ids.next("?!"), "section");
    }
}
