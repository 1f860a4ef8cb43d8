//! The vault as a static site. The core is pure: incidents in, pages (path, bytes) out;
//! `publish` does the IO (streaming, in parallel, incrementally) and `serve` rebuilds on
//! change and reloads open browser tabs.
//!
//! Site layout (every link relative, naming `index.html`, so the site works from `file://`,
//! from `/` and under any sub-path):
//!
//! ```text
//! index.html, index-2.html, …           incidents, newest first, paged
//! incidents/<dir>/index.html             an incident: header, summary, milestones, timeline
//! incidents/<dir>/postmortem.html        its postmortem.md, when it has one
//! incidents/<dir>/outputs/<id>.out.txt   full outputs (and attachments/) copied beside it
//! tags/index.html, tags/<tag>/index.html              (services/ likewise)
//! feed.xml                               Atom, the newest incidents
//! search-index.json, search-index.js     the search box's data
//! assets/site.css, highlight.css, site.js, favicon.svg
//! ```

pub mod blocks;
pub mod check;
mod comments;
pub mod entry;
pub mod figures;
pub mod highlight;
pub mod html;
pub mod incident_page;
pub mod links;
pub mod lists;
pub mod markdown;
pub mod on_site;
pub mod output;
pub mod pages;
pub mod paths;
pub mod plan;
pub mod publish;
pub mod record;
mod relink;
pub mod serve;
pub mod theme;
pub mod vault_links;
pub mod watch;

pub use entry::Entry;
pub use figures::PostmortemParts;
pub use pages::{IncidentSource, Rendered, render_incident};
pub use theme::Theme;

use crate::error::Result;

/// Site-wide settings.
#[derive(Clone, Debug)]
pub struct SiteOptions {
    /// The site's title (the vault's `name`).
    pub title: String,
    /// Absolute URL of the site, ending with `/`: only the feed and canonical links use it.
    pub base_url: Option<String>,
    /// Incidents per index page.
    pub per_page: usize,
    /// Incidents in the Atom feed.
    pub feed_entries: usize,
}

impl SiteOptions {
    /// The settings of `vault`'s site: its `name` from incident.toml is the title.
    pub fn of_vault(vault: &crate::vault::Vault, base_url: Option<String>) -> SiteOptions {
        let title =
            vault.settings.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Incidents".to_string());
        SiteOptions { title, base_url, ..SiteOptions::default() }
    }
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions { title: "Incidents".to_string(), base_url: None, per_page: 50, feed_entries: 50 }
    }
}

/// One file of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Relative to the site root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A vault file published as it is (a full output, an attachment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// Where it goes in the site.
    pub path: String,
    /// Where it is, relative to its incident's folder.
    pub source: String,
}

/// Everything the site is made from.
pub struct SiteInput<'a> {
    pub options: &'a SiteOptions,
    pub theme: &'a Theme,
    /// The incidents to publish (already filtered: open/internal ones left out as asked).
    pub incidents: Vec<IncidentSource<'a>>,
}

/// The whole site: its pages, and the files to copy from the vault (by incident slug).
pub struct Site {
    pub pages: Vec<Page>,
    pub copies: Vec<(String, Copy)>,
    pub entries: Vec<Entry>,
}

/// The static files every site has.
pub fn assets(theme: &Theme) -> Vec<Page> {
    vec![
        Page { path: "assets/site.css".to_string(), bytes: theme.asset("site/style.css").as_bytes().to_vec() },
        Page { path: "assets/highlight.css".to_string(), bytes: theme.highlight_css.as_bytes().to_vec() },
        Page { path: "assets/site.js".to_string(), bytes: theme.asset("site/site.js").as_bytes().to_vec() },
        Page { path: "assets/favicon.svg".to_string(), bytes: theme.asset("site/favicon.svg").as_bytes().to_vec() },
    ]
}

/// Builds the whole site in memory. `publish` streams the same steps instead.
pub fn build(input: &SiteInput) -> Result<Site> {
    let mut pages = assets(input.theme);
    let mut copies = Vec::new();
    let mut entries = Vec::new();
    for source in &input.incidents {
        let rendered = render_incident(input.theme, input.options, source)?;
        pages.extend(rendered.pages);
        copies.extend(rendered.copies.into_iter().map(|c| (source.incident.slug.clone(), c)));
        entries.push(rendered.entry);
    }
    entry::sort_newest_first(&mut entries);
    pages.extend(lists::render_lists(input.theme, input.options, &entries)?);
    Ok(Site { pages, copies, entries })
}

#[cfg(test)]
mod tests;
