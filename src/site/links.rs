//! Broken-link check over the rendered site: every relative `href`/`src` must name a file
//! the site has, and a `#fragment` into one of its pages an element of that page. Pure:
//! pages in, broken links out.
//!
//! The pages are our own output: every `<` in text is written `&lt;`, so each literal `<`
//! opens a tag, and the first `>` outside quotes closes it. Text may hold a `"` as it is
//! (`` `<a href="x">` `` in a note), which is why only tags are scanned.

use std::collections::{HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::markdown::{Dest, classify};

/// The tags of a page, each without its `<`.
fn tags(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let open = rest.find('<')?;
        rest = &rest[open + 1..];
        let (tag, after) = rest.split_at(tag_end(rest));
        rest = after;
        Some(tag)
    })
}

/// The value of attribute `name` (` href=\"`, with its space and quote) of a tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let value = &tag[tag.find(name)? + name.len()..];
    Some(unescape(&value[..value.find('"')?]))
}

/// The relative link targets of one page (`#fragment` links to the page itself too), unescaped.
pub fn relative_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in tags(html) {
        for name in [" href=\"", " src=\""] {
            let Some(value) = attribute(tag, name) else { continue };
            if classify(&value) == Dest::Relative && !value.is_empty() && value != "#" {
                out.push(value);
            }
        }
    }
    out
}

/// The ids of one page's elements: where a `#fragment` link into it may lead.
pub fn ids(html: &str) -> HashSet<String> {
    tags(html).filter_map(|tag| attribute(tag, " id=\"")).collect()
}

/// Where the tag that `s` starts (after its `<`) ends: the first `>` outside quotes (a
/// template written by hand may leave `title="a > b"` as it is).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'>') => return i,
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            _ => {}
        }
    }
    s.len()
}

fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The site path a link on `page` leads to, or `None` when it climbs out of the site or
/// starts at `/`.
pub fn resolve(page: &str, link: &str) -> Option<String> {
    let link = link.split(['#', '?']).next().unwrap_or("");
    if link.is_empty() {
        return Some(page.to_string()); // `#x`, `?q`: this very page
    }
    let decoded = percent_decode_str(link).decode_utf8_lossy();
    if decoded.starts_with('/') {
        // Works only when the site is served at `/`: not from file:// or a sub-path.
        return None;
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') || decoded.is_empty() || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

/// A link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub page: String,
    pub link: String,
    /// The page is there, but not the element its `#fragment` names.
    pub no_such_anchor: bool,
}

/// The broken links among `links` (page, link) given every file the site has and the ids
/// of its pages (a page whose ids are not known has its fragments taken on trust).
pub fn broken<'a>(
    links: impl IntoIterator<Item = (&'a str, &'a str)>,
    files: &HashSet<String>,
    ids: &HashMap<String, HashSet<String>>,
) -> Vec<Broken> {
    let mut out: Vec<Broken> = links
        .into_iter()
        .filter_map(|(page, link)| {
            let no_such_anchor = match resolve(page, link) {
                Some(target) if files.contains(&target) => {
                    let fragment = link.split_once('#').map(|(_, f)| percent_decode_str(f).decode_utf8_lossy());
                    match (fragment, ids.get(&target)) {
                        (Some(f), Some(known)) if !f.is_empty() && !known.contains(f.as_ref()) => true,
                        _ => return None,
                    }
                }
                _ => false,
            };
            Some(Broken { page: page.to_string(), link: link.to_string(), no_such_anchor })
        })
        .collect();
    out.sort_by(|a, b| (&a.page, &a.link).cmp(&(&b.page, &b.link)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_links_only() {
        let html = r##"<a href="../../index.html">x</a><img src="a.png" alt="y"><a href="https://x.test/">z</a>
            <a href="#top">t</a><p>href="not a link"</p><a href="q.html?a=1&amp;b=2">q</a><a title="x" href="mailto:a@b">m</a>
            <p>the ingress sent <code>&lt;link href="style.css"&gt;</code> and &lt;img src="x.png"&gt;</p>"##;
        assert_eq!(relative_links(html), ["../../index.html", "a.png", "#top", "q.html?a=1&b=2"]);
        // A hand-written template may leave `>` in a value.
        let html = r#"<p><a title="a > b" href="m-a.html">x</a> <img alt='1 > 0' src="m-c.png"></p>"#;
        assert_eq!(relative_links(html), ["m-a.html", "m-c.png"]);
    }

    #[test]
    fn resolves_like_a_browser() {
        assert_eq!(
            resolve("incidents/a/index.html", "../../tags/dns/index.html").as_deref(),
            Some("tags/dns/index.html")
        );
        assert_eq!(
            resolve("incidents/a/index.html", "outputs/x%20y.txt#l2").as_deref(),
            Some("incidents/a/outputs/x y.txt")
        );
        assert_eq!(resolve("index.html", "tags/").as_deref(), Some("tags/index.html"));
        assert_eq!(resolve("incidents/a/index.html", "../../").as_deref(), Some("index.html"));
        assert_eq!(resolve("index.html", "../outside.html"), None);
        assert_eq!(resolve("a/b.html", "/x.html"), None);
    }

    #[test]
    fn reports_what_is_missing() {
        let files: HashSet<String> = ["index.html", "tags/dns/index.html"].iter().map(|s| s.to_string()).collect();
        let links =
            [("index.html", "tags/dns/index.html"), ("index.html", "tags/gone/index.html"), ("index.html", "../x")];
        let bad = broken(links, &files, &HashMap::new());
        assert_eq!(bad.iter().map(|b| b.link.as_str()).collect::<Vec<_>>(), ["../x", "tags/gone/index.html"]);
    }

    #[test]
    fn a_fragment_must_name_an_element_of_its_page() {
        let html = r##"<li id="step-a"><a href="#step-a">a</a> <a href="x.html#step%20b">b</a><p id="c d">"##;
        let page_ids = ids(html);
        assert_eq!(page_ids, ["step-a", "c d"].iter().map(|s| s.to_string()).collect());
        let files: HashSet<String> = ["i/index.html", "i/x.html", "i/out.txt"].iter().map(|s| s.to_string()).collect();
        let known: HashMap<String, HashSet<String>> =
            [("i/index.html".to_string(), page_ids), ("i/x.html".to_string(), HashSet::new())].into();
        let links = [
            ("i/index.html", "#step-a"),
            ("i/index.html", "#c%20d"),
            ("i/index.html", "#gone"),
            ("i/index.html", "x.html#step%20b"),
            ("i/index.html", "out.txt#l2"),
            ("i/index.html", "index.html#"),
        ];
        let bad = broken(links, &files, &known);
        let shown: Vec<(&str, bool)> = bad.iter().map(|b| (b.link.as_str(), b.no_such_anchor)).collect();
        assert_eq!(shown, [("#gone", true), ("x.html#step%20b", true)]);
        assert_eq!(resolve("i/postmortem.html", "#x").as_deref(), Some("i/postmortem.html"));
    }
}
