//! The pages made from every incident's entry: the index with its pager, a page per tag
//! and per service, the Atom feed and the search index. They hold no incident text beyond
//! the entries, so they are cheap to rebuild.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::entry::Entry;
use super::html::{script_safe_json, xml_safe};
use super::paths;
use super::theme::Theme;
use super::{Page, SiteOptions};
use crate::error::Result;
use crate::format;
use crate::vault::slug::slugify;

#[derive(Serialize)]
struct Term {
    name: String,
    href: String,
}

#[derive(Serialize)]
struct EntryView {
    href: String,
    title: String,
    date: String,
    date_iso: String,
    severity: Option<String>,
    status: String,
    duration: Option<String>,
    services: Vec<Term>,
    tags: Vec<Term>,
}

#[derive(Serialize)]
struct PagerItem {
    label: String,
    href: Option<String>,
    current: bool,
}

#[derive(Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    items: Vec<PagerItem>,
}

fn view(from: &str, e: &Entry) -> EntryView {
    let terms = |kind: &str, names: &[String]| {
        names.iter().map(|n| Term { name: n.clone(), href: paths::link(from, &paths::term_page(kind, n, 1)) }).collect()
    };
    EntryView {
        href: paths::link(from, &e.page),
        title: e.title.clone(),
        date: format::date_time(e.at),
        date_iso: e.at.to_rfc3339(),
        severity: e.severity.clone(),
        status: e.status.clone(),
        duration: e.duration(),
        services: terms("services", &e.services),
        tags: terms("tags", &e.tags),
    }
}

/// Page numbers to show: the first, the last, and two either side of the current one.
fn pager(page: usize, pages: usize, path_of: &dyn Fn(usize) -> String, from: &str) -> Pager {
    let mut items = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(page) <= 2 {
            if last_shown + 1 < n {
                items.push(PagerItem { label: "…".to_string(), href: None, current: false });
            }
            items.push(PagerItem {
                label: n.to_string(),
                href: Some(paths::link(from, &path_of(n))),
                current: n == page,
            });
            last_shown = n;
        }
    }
    Pager {
        page,
        pages,
        prev: (page > 1).then(|| paths::link(from, &path_of(page - 1))),
        next: (page < pages).then(|| paths::link(from, &path_of(page + 1))),
        items,
    }
}

fn context(opts: &SiteOptions, page: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("root", &paths::root_of(page));
    ctx.insert("site", &serde_json::json!({ "title": opts.title }));
    ctx.insert("canonical", &opts.base_url.as_deref().map(|b| paths::absolute(b, page)));
    ctx
}

/// A paged list of entries (already newest first).
fn paged(
    theme: &Theme,
    opts: &SiteOptions,
    heading: &str,
    entries: &[&Entry],
    path_of: &dyn Fn(usize) -> String,
) -> Result<Vec<Page>> {
    let per_page = opts.per_page.max(1);
    let pages = entries.len().div_ceil(per_page).max(1);
    let mut out = Vec::with_capacity(pages);
    for n in 1..=pages {
        let path = path_of(n);
        let chunk = entries.iter().skip((n - 1) * per_page).take(per_page);
        let mut ctx = context(opts, &path);
        ctx.insert("heading", heading);
        ctx.insert("entries", &chunk.map(|e| view(&path, e)).collect::<Vec<_>>());
        ctx.insert("pager", &pager(n, pages, path_of, &path));
        out.push(Page { bytes: theme.render("site/list.html", &ctx)?.into_bytes(), path });
    }
    Ok(out)
}

/// Tags or services by slug: the display name (newest spelling) and their entries.
fn group(entries: &[Entry], names: fn(&Entry) -> &[String]) -> BTreeMap<String, (String, Vec<&Entry>)> {
    let mut groups: BTreeMap<String, (String, Vec<&Entry>)> = BTreeMap::new();
    for e in entries {
        for name in names(e) {
            groups.entry(slugify(name)).or_insert_with(|| (name.clone(), Vec::new())).1.push(e);
        }
    }
    groups
}

/// The index, tag and service pages, the feed and the search index, from entries sorted
/// newest first.
pub fn render_lists(theme: &Theme, opts: &SiteOptions, entries: &[Entry]) -> Result<Vec<Page>> {
    let all: Vec<&Entry> = entries.iter().collect();
    let mut pages = paged(theme, opts, &opts.title, &all, &paths::pager_file)?;
    for (kind, heading, names) in [
        ("tags", "Tags", (|e: &Entry| e.tags.as_slice()) as fn(&Entry) -> &[String]),
        ("services", "Services", |e: &Entry| e.services.as_slice()),
    ] {
        let groups = group(entries, names);
        let index_path = format!("{kind}/index.html");
        let mut terms: Vec<serde_json::Value> = groups
            .values()
            .map(|(name, list)| {
                serde_json::json!({
                    "name": name,
                    "href": paths::link(&index_path, &paths::term_page(kind, name, 1)),
                    "count": list.len(),
                })
            })
            .collect();
        terms.sort_by_key(|t| t["name"].as_str().unwrap_or_default().to_lowercase());
        let mut ctx = context(opts, &index_path);
        ctx.insert("heading", heading);
        ctx.insert("terms", &terms);
        pages.push(Page { bytes: theme.render("site/terms.html", &ctx)?.into_bytes(), path: index_path });
        for (name, list) in groups.values() {
            let label = if kind == "tags" { format!("Tag: {name}") } else { format!("Service: {name}") };
            let path_of = |n: usize| paths::term_page(kind, name, n);
            pages.extend(paged(theme, opts, &label, list, &path_of)?);
        }
    }
    pages.push(feed(theme, opts, entries)?);
    let (json, js) = search_index(entries);
    pages.push(Page { path: "search-index.json".to_string(), bytes: json.into_bytes() });
    pages.push(Page { path: "search-index.js".to_string(), bytes: js.into_bytes() });
    Ok(pages)
}

/// A stable `urn:uuid:` from a name, so feed ids survive a change of `--base-url`.
fn urn(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn feed(theme: &Theme, opts: &SiteOptions, entries: &[Entry]) -> Result<Page> {
    let url = |path: &str| match &opts.base_url {
        Some(base) => paths::absolute(base, path),
        None => path.to_string(),
    };
    let shown: Vec<serde_json::Value> = entries
        .iter()
        .take(opts.feed_entries)
        .map(|e| {
            let mut categories = e.tags.clone();
            categories.extend(e.services.iter().cloned());
            serde_json::json!({
                "title": xml_safe(&e.title),
                "id": urn(&format!("incident:{}", e.slug)),
                "url": url(&e.page),
                "published": e.at.to_rfc3339(),
                "updated": e.updated.to_rfc3339(),
                "summary": xml_safe(&e.summary),
                "categories": categories.iter().map(|c| xml_safe(c)).collect::<Vec<_>>(),
            })
        })
        .collect();
    // The newest change among the shown entries: the feed is the same bytes until one changes.
    let updated = entries.iter().take(opts.feed_entries).map(|e| e.updated).max();
    let mut ctx = tera::Context::new();
    ctx.insert("site", &serde_json::json!({ "title": xml_safe(&opts.title) }));
    ctx.insert(
        "feed",
        &serde_json::json!({
            "id": urn(&format!("feed:{}", opts.title)),
            "updated": updated.map(|u| u.to_rfc3339()).unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_string()),
            "self_url": url("feed.xml"),
            "site_url": url("index.html"),
        }),
    );
    ctx.insert("entries", &shown);
    Ok(Page { path: "feed.xml".to_string(), bytes: theme.render("site/feed.xml", &ctx)?.into_bytes() })
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    /// title
    t: &'a str,
    /// page, from the site root
    u: &'a str,
    /// date
    d: String,
    /// severity
    s: Option<&'a str>,
    /// status
    st: &'a str,
    /// tags
    g: &'a [String],
    /// services
    v: &'a [String],
    /// words from the notes
    x: &'a str,
}

/// The search index as JSON, and the same data as a script (`search-index.js`) that also
/// loads from `file://`, where a page may not fetch files. `<` is escaped in both.
pub fn search_index(entries: &[Entry]) -> (String, String) {
    let items: Vec<SearchEntry> = entries
        .iter()
        .map(|e| SearchEntry {
            t: &e.title,
            u: &e.page,
            d: e.at.format("%Y-%m-%d").to_string(),
            s: e.severity.as_deref(),
            st: &e.status,
            g: &e.tags,
            v: &e.services,
            x: &e.search,
        })
        .collect();
    let json = script_safe_json(&serde_json::to_string(&items).expect("search entries serialize"));
    let js = format!("window.INCIDENT_SEARCH_INDEX = {json};\n");
    (json, js)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_shows_ends_and_neighbours() {
        let p = pager(5, 10, &paths::pager_file, "index-5.html");
        let labels: Vec<&str> = p.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["1", "…", "3", "4", "5", "6", "7", "…", "10"]);
        assert_eq!(p.prev.as_deref(), Some("index-4.html"));
        assert_eq!(p.next.as_deref(), Some("index-6.html"));
        let p = pager(1, 1, &paths::pager_file, "index.html");
        assert!(p.prev.is_none() && p.next.is_none());
    }

    #[test]
    fn urns_are_stable_uuids() {
        let a = urn("incident:x");
        assert_eq!(a, urn("incident:x"));
        assert_ne!(a, urn("incident:y"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "5");
    }
}
