//! The pages made from every incident's entry: the index with its pager, a page per tag
//! and per service, the Atom feed and the search index. They hold no incident text beyond
//! the entries, so they are cheap to rebuild.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::entry::{Entry, EntryView};
use super::html::{script_safe_json, xml_safe};
use super::paths;
use super::theme::Theme;
use super::{Page, SiteOptions};
use crate::error::Result;

#[derive(Serialize)]
struct ListItem {
    href: String,
    #[serde(flatten)]
    entry: EntryView,
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

fn view(from: &str, e: &Entry) -> ListItem {
    ListItem { href: paths::link(from, &e.page), entry: e.view(from) }
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

/// One page made from the entries: where it goes and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub path: String,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// Page `page` of `pages` of a list: the index (`term` = None) or a tag's or service's.
    List {
        term: Option<(&'static str, String)>,
        page: usize,
        pages: usize,
        members: Vec<usize>,
    },
    /// Every tag or service with its count.
    Terms {
        kind: &'static str,
    },
    Feed,
    SearchJson,
    SearchJs,
}

const KINDS: [&str; 2] = ["tags", "services"];

fn names_of<'a>(kind: &str, e: &'a Entry) -> &'a [String] {
    if kind == "tags" { &e.tags } else { &e.services }
}

/// Tags or services by their folder ([`paths::term_slug`]): the display name (newest
/// spelling) and their entries' indices.
fn group(entries: &[Entry], kind: &str) -> BTreeMap<String, (String, Vec<usize>)> {
    let mut groups: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for name in names_of(kind, e) {
            let members = &mut groups.entry(paths::term_slug(name)).or_insert_with(|| (name.clone(), Vec::new())).1;
            // A term twice in one incident (an entry from an older record) lists it once.
            if members.last() != Some(&i) {
                members.push(i);
            }
        }
    }
    groups
}

fn paged_layout(
    out: &mut Vec<ListPage>,
    term: Option<(&'static str, String)>,
    members: Vec<usize>,
    per_page: usize,
    path_of: &dyn Fn(usize) -> String,
) {
    let per_page = per_page.max(1);
    let pages = members.len().div_ceil(per_page).max(1);
    for page in 1..=pages {
        let chunk = members.iter().skip((page - 1) * per_page).take(per_page).copied().collect();
        out.push(ListPage {
            path: path_of(page),
            what: What::List { term: term.clone(), page, pages, members: chunk },
        });
    }
}

/// Every page made from the entries (sorted newest first). Pure and cheap: nothing is rendered.
pub fn layout(opts: &SiteOptions, entries: &[Entry]) -> Vec<ListPage> {
    let mut out = Vec::new();
    paged_layout(&mut out, None, (0..entries.len()).collect(), opts.per_page, &paths::pager_file);
    for kind in KINDS {
        out.push(ListPage { path: format!("{kind}/index.html"), what: What::Terms { kind } });
        for (name, members) in group(entries, kind).into_values() {
            let path_of = |n: usize| paths::term_page(kind, &name, n);
            paged_layout(&mut out, Some((kind, name.clone())), members, opts.per_page, &path_of);
        }
    }
    out.push(ListPage { path: "feed.xml".to_string(), what: What::Feed });
    out.push(ListPage { path: "search-index.json".to_string(), what: What::SearchJson });
    out.push(ListPage { path: "search-index.js".to_string(), what: What::SearchJs });
    out
}

/// What each entry shows on list pages and in the feed (all but the search words), and
/// the whole entry, as two 64-bit digests: equal digests mean an equal entry.
pub fn entry_digests(e: &Entry) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let time = |t: &crate::clock::Timestamp| (t.timestamp(), t.timestamp_subsec_nanos(), t.offset().local_minus_utc());
    let mut h = std::hash::DefaultHasher::new();
    (&e.slug, &e.page, &e.title, time(&e.at), time(&e.opened), &e.severity, &e.status, e.duration_secs).hash(&mut h);
    (&e.services, &e.tags, &e.summary, time(&e.updated)).hash(&mut h);
    let list = h.finish();
    (&e.search, e.internal, e.has_postmortem).hash(&mut h);
    (list, h.finish())
}

/// A digest of everything a list page is made from: while it stays the same, the page
/// does too and need not be rendered or written again.
pub fn input_digest(page: &ListPage, opts: &SiteOptions, entries: &[Entry], digests: &[(u64, u64)]) -> String {
    let mut hash = Sha256::new();
    hash.update(page.path.as_bytes());
    let mut add = |x: u64| hash.update(x.to_le_bytes());
    match &page.what {
        What::List { page, pages, members, .. } => {
            add(*page as u64);
            add(*pages as u64);
            members.iter().for_each(|&i| add(digests[i].0));
        }
        What::Terms { kind } => {
            for (slug, (name, members)) in group(entries, kind) {
                hash.update(slug.as_bytes());
                hash.update([0]);
                hash.update(name.as_bytes());
                hash.update([0]);
                hash.update((members.len() as u64).to_le_bytes());
            }
        }
        What::Feed => digests.iter().take(opts.feed_entries).for_each(|d| add(d.0)),
        What::SearchJson | What::SearchJs => digests.iter().for_each(|d| add(d.1)),
    }
    hex::encode(&hash.finalize()[..16])
}

/// Renders one list page.
pub fn render(theme: &Theme, opts: &SiteOptions, page: &ListPage, entries: &[Entry]) -> Result<Page> {
    let path = page.path.clone();
    let bytes = match &page.what {
        What::List { term, page: n, pages, members } => {
            let heading = match term {
                None => opts.title.clone(),
                Some(("tags", name)) => format!("Tag: {name}"),
                Some((_, name)) => format!("Service: {name}"),
            };
            let path_of = |n: usize| match term {
                None => paths::pager_file(n),
                Some((kind, name)) => paths::term_page(kind, name, n),
            };
            let mut ctx = context(opts, &path);
            ctx.insert("heading", &heading);
            ctx.insert("entries", &members.iter().map(|&i| view(&path, &entries[i])).collect::<Vec<_>>());
            ctx.insert("pager", &pager(*n, *pages, &path_of, &path));
            theme.render("site/list.html", &ctx)?.into_bytes()
        }
        What::Terms { kind } => {
            let mut terms: Vec<serde_json::Value> = group(entries, kind)
                .values()
                .map(|(name, members)| {
                    serde_json::json!({
                        "name": name,
                        "href": paths::link(&path, &paths::term_page(kind, name, 1)),
                        "count": members.len(),
                    })
                })
                .collect();
            terms.sort_by_key(|t| t["name"].as_str().unwrap_or_default().to_lowercase());
            let mut ctx = context(opts, &path);
            ctx.insert("heading", if *kind == "tags" { "Tags" } else { "Services" });
            ctx.insert("terms", &terms);
            theme.render("site/terms.html", &ctx)?.into_bytes()
        }
        What::Feed => feed(theme, opts, entries)?,
        What::SearchJson => search_index(entries).into_bytes(),
        What::SearchJs => search_script(&search_index(entries)).into_bytes(),
    };
    Ok(Page { path, bytes })
}

/// The index, tag and service pages, the feed and the search index, from entries sorted
/// newest first.
pub fn render_lists(theme: &Theme, opts: &SiteOptions, entries: &[Entry]) -> Result<Vec<Page>> {
    layout(opts, entries).iter().map(|page| render(theme, opts, page, entries)).collect()
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

/// An incident's feed id: its folder name and the instant it was opened, so two teams'
/// `2025-10-05-dns-outage` are two entries in a reader that follows both. A correction of
/// its `at:` later leaves the id alone (Atom ids never change).
fn entry_id(e: &Entry) -> String {
    urn(&format!("incident:{}@{}", e.slug, e.opened.with_timezone(&chrono::Utc).to_rfc3339()))
}

/// The feed's id: its own address when the site has one (`--base-url https://…`), which
/// no other team's feed shares and a new site name leaves alone; else from the site's name.
fn feed_id(opts: &SiteOptions) -> String {
    match opts.base_url.as_deref().filter(|b| b.starts_with("https://") || b.starts_with("http://")) {
        Some(base) => paths::absolute(base, "feed.xml"),
        None => urn(&format!("feed:{}", opts.title)),
    }
}

fn feed(theme: &Theme, opts: &SiteOptions, entries: &[Entry]) -> Result<Vec<u8>> {
    let url = |path: &str| match &opts.base_url {
        Some(base) => paths::absolute(base, path),
        None => path.to_string(),
    };
    let shown: Vec<serde_json::Value> = entries
        .iter()
        .take(opts.feed_entries)
        .map(|e| {
            // A service also used as a tag (`k3s`) is one category.
            let mut categories = e.tags.clone();
            categories.extend(e.services.iter().filter(|s| !e.tags.contains(s)).cloned());
            serde_json::json!({
                "title": xml_safe(&e.title),
                "id": entry_id(e),
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
            "id": feed_id(opts),
            "updated": updated.map(|u| u.to_rfc3339()).unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_string()),
            "self_url": url("feed.xml"),
            "site_url": url("index.html"),
        }),
    );
    ctx.insert("entries", &shown);
    Ok(theme.render("site/feed.xml", &ctx)?.into_bytes())
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

/// The search index as JSON, for `search-index.json` and, wrapped by [`search_script`],
/// for `search-index.js`. `<` is escaped.
pub fn search_index(entries: &[Entry]) -> String {
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
    script_safe_json(&serde_json::to_string(&items).expect("search entries serialize"))
}

/// The search index as a script: it also loads from `file://`, where a page may not fetch files.
fn search_script(json: &str) -> String {
    format!("window.INCIDENT_SEARCH_INDEX = {json};\n")
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
    fn entry_digests_follow_every_field() {
        let e = crate::site::entry::sample("a");
        let (list, all) = entry_digests(&e);
        let changed: Vec<(&str, Entry)> = vec![
            ("title", Entry { title: "DNS loop, again".into(), ..e.clone() }),
            ("at", Entry { at: e.at + chrono::Duration::seconds(1), ..e.clone() }),
            ("opened", Entry { opened: e.at + chrono::Duration::seconds(1), ..e.clone() }),
            ("offset", Entry { at: e.at.with_timezone(&chrono::FixedOffset::east_opt(0).unwrap()), ..e.clone() }),
            ("status", Entry { status: "open".into(), ..e.clone() }),
            ("tags", Entry { tags: vec![], ..e.clone() }),
            ("updated", Entry { updated: e.at + chrono::Duration::minutes(5), ..e.clone() }),
        ];
        for (field, other) in &changed {
            let (l, a) = entry_digests(other);
            assert!(l != list && a != all, "{field}");
        }
        // Not on list lines: only the whole-entry digest moves.
        for other in [
            Entry { search: "more words".into(), ..e.clone() },
            Entry { has_postmortem: false, ..e.clone() },
            Entry { internal: true, ..e.clone() },
        ] {
            let (l, a) = entry_digests(&other);
            assert!(l == list && a != all, "{other:?}");
        }
        assert_eq!(entry_digests(&e.clone()), (list, all));
    }

    #[test]
    fn feed_ids_differ_for_incidents_of_one_name_opened_at_other_times() {
        let (a, b) = (crate::site::entry::sample("2025-10-05-dns"), crate::site::entry::sample("2025-10-05-dns"));
        assert_eq!(entry_id(&a), entry_id(&b));
        let later = Entry { opened: a.at + chrono::Duration::minutes(1), ..a.clone() };
        assert_ne!(entry_id(&a), entry_id(&later));
        let corrected = Entry { at: a.at - chrono::Duration::hours(1), ..a.clone() };
        assert_eq!(entry_id(&a), entry_id(&corrected), "a corrected start keeps the id");
        let same_instant_elsewhere =
            Entry { opened: a.opened.with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap()), ..a.clone() };
        assert_eq!(entry_id(&a), entry_id(&same_instant_elsewhere), "the offset it was written in does not count");
    }

    #[test]
    fn a_feed_with_an_address_is_named_by_it_whatever_the_sites_name() {
        let named = |title: &str, base: Option<&str>| {
            feed_id(&SiteOptions { title: title.into(), base_url: base.map(str::to_string), ..SiteOptions::default() })
        };
        let base = Some("https://status.example.com/incidents/");
        assert_eq!(named("A", base), "https://status.example.com/incidents/feed.xml");
        assert_eq!(named("B", base), named("A", base));
        assert_eq!(named("A", None), urn("feed:A"));
        assert_eq!(named("A", Some("/incidents/")), urn("feed:A"), "a path is no address of its own");
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
