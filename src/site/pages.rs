//! The pages of one incident: its timeline page and its postmortem page, plus the files
//! (full outputs, attachments) copied beside them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::entry::{self, Entry, EntryView};
use super::figures::{PICTURES, PostmortemParts};
use super::markdown::{self, MdOptions, Placed};
use super::on_site::{self, OnSite};
use super::paths;
use super::theme::Theme;
use super::vault_links::{Targets, Written, step_anchor, vault_file};
use super::{Copy, Page, SiteOptions};
use crate::error::Result;
use crate::format;
use crate::model::{Incident, LessonKind, Step, StepKind};

/// The ids the templates give out: a heading of a note never takes one.
const PAGE_IDS: &[&str] = &["main", "search", "search-results", "picture-timeline", "picture-restarts"];

/// One incident as the site needs it.
pub struct IncidentSource<'a> {
    pub incident: &'a Incident,
    /// Step files renamed by hand: (name without `.md`, the step's id).
    pub renamed_steps: &'a [(String, String)],
    /// The body of `postmortem.md`, when the incident has one.
    pub postmortem: Option<&'a str>,
    /// Publishable files of the incident folder, relative to it: `outputs/…`, `attachments/…`.
    pub files: &'a [String],
    /// Its SVG attachments as `data:` URIs, by path (`attachments/graph.svg`): shown inline
    /// where a note shows them as an image.
    pub svg_images: &'a BTreeMap<String, String>,
    pub parts: &'a PostmortemParts,
    /// What changed in the steps since `postmortem.md` was generated, when it is stale.
    pub stale: Option<&'a str>,
    /// Trace the relative links of its Markdown to their vault files (`--check` only: the
    /// scan costs a pass over every page).
    pub find_links: bool,
    /// Which other incidents are on the site: a link to one that is not is dropped.
    pub on_site: OnSite<'a>,
}

/// What rendering one incident gives: its pages, the files to copy, and its index entry.
pub struct Rendered {
    pub pages: Vec<Page>,
    pub copies: Vec<Copy>,
    pub entry: Entry,
    /// Relative links written in the vault's Markdown: (page, link, the file that holds
    /// it, relative to the incident folder), so a broken one can be traced to its file.
    pub links: Vec<(String, String, String)>,
    /// Obsidian links that name nothing of the incident: (the file that holds it, relative
    /// to the incident folder; the name as written).
    pub unresolved: Vec<(String, String)>,
    /// Links dropped to their text: (the file that holds it, relative to the incident
    /// folder; the destination as written; why).
    pub dropped: Vec<(String, String, String)>,
    /// What the destinations of each file were written as (`--check` only): (the file,
    /// relative to the incident folder; (as written, placed) as [`Targets::traced`]).
    pub traced: Vec<(String, Vec<(String, String)>)>,
    /// The other incidents linked to, and whether each was on the site (see [`OnSite`]).
    pub linked: Vec<(String, Option<String>)>,
}

/// Folders of an incident whose files are published, and how.
const FILE_DIRS: &[&str] = &["outputs", "attachments"];

/// Extensions a browser shows without running anything; others are published as `.txt`
/// (an attached `.html` or `.svg` must not become a page of the site).
const INERT_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "txt", "log", "pdf", "csv", "json", "yaml", "yml", "toml", "gz", "tgz", "zip",
    "tar", "pcap", "pcapng",
];

/// The site name of an incident file (`outputs/x.out` → `outputs/x.out.txt`), or `None` when
/// it is not a publishable file.
pub fn published_name(file: &str) -> Option<String> {
    let (dir, name) = file.split_once('/')?;
    if !FILE_DIRS.contains(&dir) || !paths::safe_component(name) {
        return None;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if INERT_EXTENSIONS.contains(&ext.as_str()) {
        Some(format!("{dir}/{name}"))
    } else {
        Some(format!("{dir}/{name}.txt"))
    }
}

#[derive(Serialize)]
struct Head {
    #[serde(flatten)]
    entry: EntryView,
    summary_html: String,
    page_href: Option<String>,
    postmortem_href: Option<String>,
}

#[derive(Serialize)]
struct MilestoneView {
    label: &'static str,
    time: String,
    date_iso: String,
    anchor: String,
}

#[derive(Serialize)]
struct StepView {
    anchor: String,
    kind: &'static str,
    kind_label: &'static str,
    time: String,
    date_iso: String,
    /// Set on the first step of each day (and the first step).
    day: Option<String>,
    day_iso: Option<String>,
    backdated: bool,
    recorded: String,
    headline: Option<String>,
    author: Option<String>,
    host: Option<String>,
    failed: bool,
    output_href: Option<String>,
    attachment_href: Option<String>,
    body_html: String,
}

/// An HTML id from a step id: letters, digits, `-` and `_` only.
fn anchor(step: &Step) -> String {
    step_anchor(&step.meta.id)
}

/// The line above a step's body; notes have none (their body is the whole story). A
/// milestone marked again (`counted` holds the first of each) says it does not count.
fn headline(step: &Step, counted: &[&str]) -> Option<String> {
    let m = &step.meta;
    match m.kind {
        StepKind::Note => m.title.clone(),
        StepKind::Milestone => {
            let label = m.milestone.map(|ms| ms.label()).unwrap_or("Milestone");
            match m.milestone.is_some() && !counted.contains(&m.id.as_str()) {
                true => Some(format!("{label} (ignored: marked before; the first one counts)")),
                false => Some(label.to_string()),
            }
        }
        StepKind::Cause => Some(m.title.clone().unwrap_or_else(|| "Root cause".to_string())),
        StepKind::Action => {
            let mut line = m.title.clone().unwrap_or_else(|| "Action item".to_string());
            if let Some(owner) = &m.owner {
                line.push_str(&format!(" (owner: {owner})"));
            }
            if let Some(due) = m.due {
                line.push_str(&format!(" due {due}"));
            }
            Some(line)
        }
        // The kind is said beside it, and the body holds the lesson's text.
        StepKind::Lesson => Some(
            match m.lesson {
                Some(LessonKind::Worked) => "what worked",
                Some(LessonKind::Sucked) => "what still sucked",
                Some(LessonKind::Lucky) => "where we got lucky",
                Some(LessonKind::Learned) | None => "learned",
            }
            .to_string(),
        ),
        // The kind is said beside it: an option or attachment is its title.
        StepKind::Option | StepKind::Attach if m.title.is_some() => m.title.clone(),
        _ => Some(step.headline()).filter(|h| !h.is_empty()),
    }
}

/// The most of a step's body a page shows: a note pasted in by the megabyte would make the
/// page too heavy to open (the recorder cuts outputs long before this).
const PAGE_BODY_BYTES: usize = 1 << 20;

/// The body as HTML; a milestone body that only repeats its label is left out. `file`:
/// the step's file, relative to the incident folder.
fn body_html(step: &Step, opts: &MdOptions, file: &str) -> String {
    if let Some(m) = step.meta.milestone
        && step.body.trim() == m.label()
    {
        return String::new();
    }
    if step.body.len() > PAGE_BODY_BYTES {
        // At the end of a line, so no character or line of Markdown is split.
        let mut end = PAGE_BODY_BYTES;
        while !step.body.is_char_boundary(end) {
            end -= 1;
        }
        let end = step.body[..end].rfind('\n').map_or(end, |i| i + 1);
        let mut html = markdown::render(&step.body[..end], opts);
        html.push_str("<p class=\"cut\">Cut here: this step is ");
        html.push_str(&crate::record::output::human_bytes(step.body.len() as u64));
        html.push_str(" long; the page shows its first ");
        html.push_str(&crate::record::output::human_bytes(end as u64));
        html.push_str(". The whole of it is in the vault, in <code>");
        super::html::escape_into(&mut html, file);
        html.push_str("</code>.</p>\n");
        return html;
    }
    // The recorder opens an option's body with `### Option: <title>`, and a titled run's or
    // capture's with `### <title>`: the headline here says it already.
    if let (StepKind::Option | StepKind::Run | StepKind::Capture, Some(title)) = (step.meta.kind, &step.meta.title) {
        let body = step.body.trim_start();
        let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
        let heading = first.starts_with('#').then(|| first.trim_start_matches('#').trim());
        let heading = match step.meta.kind {
            StepKind::Option => heading.and_then(|h| h.strip_prefix("Option:")),
            _ => heading,
        };
        if heading.is_some_and(|h| h.trim() == crate::record::body::one_line(title).trim()) {
            return markdown::render(rest, opts);
        }
    }
    markdown::render(&step.body, opts)
}

fn kind_label(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Run => "ran",
        StepKind::Capture => "captured",
        StepKind::Snapshot => "snapshot",
        other => other.as_str(),
    }
}

/// The most SVG data one part of a page holds inline (the same picture shown twice counts
/// twice); past it, pictures are links to their text.
const INLINE_BUDGET: usize = 4 << 20;

fn svg_inliner<'a>(images: &'a BTreeMap<String, String>, from_steps: bool) -> impl Fn(&str) -> Option<String> + 'a {
    let left = std::cell::Cell::new(INLINE_BUDGET);
    move |dest: &str| {
        let data = images.get(vault_file(dest, from_steps)?)?;
        left.set(left.get().checked_sub(data.len())?);
        Some(data.clone())
    }
}

fn head(src: &IncidentSource, targets: &Targets, entry: &Entry, page: &str) -> Head {
    let incident = src.incident;
    let summary_rewrite = |dest: &str| targets.place(dest, Written::InSummary);
    let summary_images = svg_inliner(src.svg_images, false);
    let summary_wiki = |target: &str| targets.wiki_dest(target, Written::InSummary);
    let summary_opts = MdOptions {
        fold_output: true,
        fold_all: false,
        rewrite: &summary_rewrite,
        inline_image: &summary_images,
        picture: &|_| None,
        wiki: &summary_wiki,
        footnote_prefix: "summary-",
        heading_offset: 1, // under the incident's <h1>
        heading_ids: Some(PAGE_IDS),
    };
    let incident_page = paths::incident_page(&incident.slug);
    let postmortem_page = paths::postmortem_page(&incident.slug);
    Head {
        entry: entry.view(page),
        summary_html: if page == incident_page {
            markdown::render(&incident.summary, &summary_opts)
        } else {
            String::new()
        },
        page_href: (page != incident_page).then(|| paths::link(page, &incident_page)),
        postmortem_href: (src.postmortem.is_some() && page != postmortem_page)
            .then(|| paths::link(page, &postmortem_page)),
    }
}

fn base_context(opts: &SiteOptions, page: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("root", &paths::root_of(page));
    ctx.insert("site", &serde_json::json!({ "title": opts.title }));
    ctx.insert("canonical", &opts.base_url.as_deref().map(|b| paths::absolute(b, page)));
    ctx
}

/// Renders the pages of one incident.
pub fn render_incident(theme: &Theme, opts: &SiteOptions, src: &IncidentSource) -> Result<Rendered> {
    render_incident_as(theme, opts, src, entry::entry(src.incident, src.postmortem.is_some()))
}

/// Renders the pages of one incident whose entry is already made.
pub fn render_incident_as(theme: &Theme, opts: &SiteOptions, src: &IncidentSource, entry: Entry) -> Result<Rendered> {
    let incident = src.incident;
    let page = paths::incident_page(&incident.slug);
    let dir = paths::incident_dir(&incident.slug);

    let targets = Targets {
        files: src.files,
        steps: incident.steps.iter().map(|s| s.meta.id.as_str()).collect(),
        renamed: src.renamed_steps.iter().map(|(name, id)| (name.as_str(), id.as_str())).collect(),
        has_postmortem: src.postmortem.is_some(),
        unresolved: Default::default(),
        on_site: src.on_site,
        linked: Default::default(),
        dropped: Default::default(),
        trace: src.find_links,
        traced: Default::default(),
    };
    let mut unresolved = Vec::new();
    let mut dropped = Vec::new();
    let mut traced = Vec::new();
    let mut unresolved_in = |file: &str| {
        unresolved.extend(targets.unresolved.take().into_iter().map(|name| (file.to_string(), name)));
        for (dest, why) in targets.dropped.take() {
            // Said once a file: the same link twice is one fix.
            if !dropped.iter().any(|(f, d, _): &(String, String, String)| f == file && *d == dest) {
                dropped.push((file.to_string(), dest, why));
            }
        }
        let placed = targets.traced.take();
        if !placed.is_empty() {
            traced.push((file.to_string(), placed));
        }
    };
    let rewrite = |dest: &str| targets.place(dest, Written::InStep);
    let step_wiki = |target: &str| targets.wiki_dest(target, Written::InStep);
    let images = svg_inliner(src.svg_images, true);
    let mut links = Vec::new();
    let mut note_links = |page: &str, html: &str, file: String| {
        if !src.find_links {
            return;
        }
        for link in super::links::relative_links(html) {
            links.push((page.to_string(), link, file.clone()));
        }
    };
    let milestones = incident.milestones();
    let counted: Vec<&str> = milestones.iter().map(|(_, step)| step.meta.id.as_str()).collect();
    let mut steps = Vec::with_capacity(incident.steps.len());
    let mut last_day = None;
    for step in &incident.steps {
        let m = &step.meta;
        let day = m.at.date_naive();
        let new_day = last_day != Some(day);
        last_day = Some(day);
        let own_anchor = anchor(step);
        let footnote_prefix = format!("{own_anchor}-");
        let opts_md = MdOptions {
            fold_output: true,
            fold_all: m.kind.has_output(),
            rewrite: &rewrite,
            inline_image: &images,
            picture: &|_| None,
            wiki: &step_wiki,
            footnote_prefix: &footnote_prefix,
            heading_offset: 2, // under the timeline's <h2>
            heading_ids: None,
        };
        let step_file = crate::vault::step_file(src.renamed_steps, &m.id);
        let linked = |file: &Option<String>| {
            file.as_deref().filter(|f| src.files.iter().any(|x| x == f)).and_then(published_name)
        };
        steps.push(StepView {
            anchor: own_anchor,
            kind: m.kind.as_str(),
            kind_label: kind_label(m.kind),
            time: format::clock(m.at),
            date_iso: m.at.to_rfc3339(),
            day: new_day.then(|| m.at.format("%A %Y-%m-%d").to_string()),
            day_iso: new_day.then(|| day.to_string()),
            backdated: m.is_backdated(),
            recorded: format::date_time(m.recorded()),
            headline: headline(step, &counted),
            author: m.author.clone(),
            host: m.host.clone(),
            failed: m.spawn_error.is_some() || m.exit_code.is_some_and(|c| c != 0),
            output_href: linked(&m.output_file),
            attachment_href: linked(&m.attachment),
            body_html: body_html(step, &opts_md, &step_file),
        });
        unresolved_in(&step_file);
        if let Some(step_view) = steps.last() {
            note_links(&page, &step_view.body_html, step_file.clone());
        }
    }
    let milestones: Vec<MilestoneView> = milestones
        .into_iter()
        .map(|(m, step)| MilestoneView {
            label: m.label(),
            time: format::date_time(step.meta.at),
            date_iso: step.meta.at.to_rfc3339(),
            anchor: anchor(step),
        })
        .collect();

    let mut ctx = base_context(opts, &page);
    let incident_head = head(src, &targets, &entry, &page);
    unresolved_in(crate::vault::INCIDENT_FILE);
    note_links(&page, &incident_head.summary_html, crate::vault::INCIDENT_FILE.to_string());
    ctx.insert("incident", &incident_head);
    ctx.insert("milestones", &milestones);
    ctx.insert("steps", &steps);
    ctx.insert("postmortem", src.parts);
    let mut pages = vec![Page { path: page, bytes: theme.render("site/incident.html", &ctx)?.into_bytes() }];

    if let Some(body) = src.postmortem {
        let pm_page = paths::postmortem_page(&incident.slug);
        let pm_rewrite = |dest: &str| {
            PICTURES
                .iter()
                .find(|(_, file)| dest == *file)
                .map(|(id, _)| Placed::At(format!("#{id}")))
                .unwrap_or_else(|| targets.place(dest, Written::InPostmortem))
        };
        let pm_images = svg_inliner(src.svg_images, false);
        // A current postmortem shows its charts where it placed them; a stale one links
        // them to the current ones above it.
        let placed = std::cell::RefCell::new(Vec::new());
        let pm_picture = |dest: &str| {
            let (id, _) = PICTURES.iter().find(|(_, file)| dest == *file).filter(|_| src.stale.is_none())?;
            let picture = src.parts.pictures.iter().find(|p| p.id == *id)?;
            let first = !placed.borrow().contains(id);
            first.then(|| {
                placed.borrow_mut().push(*id);
                format!(r#"<span class="chart" id="{id}">{}</span>"#, picture.svg)
            })
        };
        let pm_wiki = |target: &str| targets.wiki_dest(target, Written::InPostmortem);
        let pm_opts = MdOptions {
            fold_output: true,
            fold_all: false,
            rewrite: &pm_rewrite,
            inline_image: &pm_images,
            picture: &pm_picture,
            wiki: &pm_wiki,
            footnote_prefix: "",
            heading_offset: 1, // under the incident's <h1>
            heading_ids: Some(PAGE_IDS),
        };
        let mut ctx = base_context(opts, &pm_page);
        ctx.insert("incident", &head(src, &targets, &entry, &pm_page));
        let body_html = markdown::render(body, &pm_opts);
        // Above the text, what it does not show: for a stale one the current figures; for
        // one that placed no chart (written by hand, or by a template of its own) the table
        // and the charts, as the incident's page has them.
        let placed = placed.take();
        let above = PostmortemParts {
            metrics_html: src.parts.metrics_html.clone().filter(|_| src.stale.is_some() || placed.is_empty()),
            pictures: src.parts.pictures.iter().filter(|p| !placed.contains(&p.id)).cloned().collect(),
        };
        ctx.insert("postmortem", &above);
        unresolved_in(crate::vault::POSTMORTEM_FILE);
        note_links(&pm_page, &body_html, crate::vault::POSTMORTEM_FILE.to_string());
        ctx.insert("body_html", &body_html);
        ctx.insert("stale", &src.stale);
        pages.push(Page { path: pm_page, bytes: theme.render("site/postmortem.html", &ctx)?.into_bytes() });
    }

    let copies = src
        .files
        .iter()
        .filter_map(|f| {
            published_name(f).map(|name| Copy { path: format!("incidents/{dir}/{name}"), source: f.clone() })
        })
        .collect();
    let linked = on_site::kept(targets.linked.take());
    Ok(Rendered { pages, copies, entry, links, unresolved, dropped, traced, linked })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_pictures_stop_at_the_budget() {
        let data = "d".repeat(INLINE_BUDGET / 2 + 1);
        let images = BTreeMap::from([("attachments/g.svg".to_string(), data.clone())]);
        let inline = svg_inliner(&images, true);
        assert_eq!(inline("../attachments/g.svg").as_deref(), Some(data.as_str()));
        assert_eq!(inline("../attachments/g.svg"), None, "twice would pass the budget");
        assert_eq!(inline("../attachments/other.svg"), None);
    }

    #[test]
    fn published_names_are_inert_and_inside() {
        assert_eq!(published_name("outputs/a.out").as_deref(), Some("outputs/a.out.txt"));
        assert_eq!(published_name("attachments/shot.png").as_deref(), Some("attachments/shot.png"));
        assert_eq!(published_name("attachments/evil.html").as_deref(), Some("attachments/evil.html.txt"));
        assert_eq!(published_name("attachments/x.SVG").as_deref(), Some("attachments/x.SVG.txt"));
        assert_eq!(published_name("attachments/app.yaml").as_deref(), Some("attachments/app.yaml"));
        assert_eq!(published_name("attachments/dump.pcap").as_deref(), Some("attachments/dump.pcap"));
        assert_eq!(published_name("attachments/page.xhtml").as_deref(), Some("attachments/page.xhtml.txt"));
        assert_eq!(published_name("steps/a.md"), None);
        assert_eq!(published_name("outputs/../../x"), None);
        assert_eq!(published_name("outputs/.hidden"), None);
    }
}
