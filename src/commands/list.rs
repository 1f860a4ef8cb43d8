//! `incident list [--json] [--status open|resolved]`.

use serde::Serialize;

use crate::cli::{ListArgs, StatusFilter};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::Result;
use crate::format;
use crate::model::Status;
use crate::ui::{DIM, Ui, paint};
use crate::vault::MilestoneAt;

#[derive(Serialize)]
struct ListItem<'a> {
    id: &'a str,
    title: Option<&'a str>,
    severity: Option<&'a str>,
    status: Option<Status>,
    started_at: Option<Timestamp>,
    services: &'a [String],
    tags: &'a [String],
    /// The count of readable steps (as `step_count`, the key all reading commands share).
    steps: Option<usize>,
    step_count: Option<usize>,
    /// The same shape as in `status --json` and `show --json`.
    milestones: &'a [MilestoneAt],
    current: bool,
    /// Null, or why this incident could not be read: then the keys above that come from
    /// its files are null (or empty), and the entry is listed whatever `--status` asks.
    unreadable: Option<Unreadable>,
}

#[derive(Serialize)]
struct Unreadable {
    /// Relative to the vault: `incidents/<id>/incident.md`, or its `steps` folder.
    file: String,
    /// 0 when the whole file is meant.
    line: usize,
    message: String,
}

pub fn run(cfg: &Config, ui: &Ui, args: &ListArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let listing = vault.list(cfg.clock.now())?;
    for w in &listing.warnings {
        ui.warn(&w.to_string());
    }
    let incidents = &listing.incidents;
    let current = vault.current()?;
    let is_current = |slug: &str| current.as_deref() == Some(slug);
    let wanted = |s: Status| match args.status {
        None => true,
        Some(StatusFilter::Open) => s == Status::Open,
        Some(StatusFilter::Resolved) => s == Status::Resolved,
    };
    let mut items: Vec<ListItem> = incidents
        .iter()
        .filter(|i| wanted(i.status))
        .map(|i| ListItem {
            id: &i.slug,
            title: Some(&i.meta.title),
            severity: i.meta.severity.as_deref(),
            status: Some(i.status),
            started_at: Some(i.started_at),
            services: &i.meta.services,
            tags: &i.meta.tags,
            steps: Some(i.steps),
            step_count: Some(i.steps),
            milestones: &i.milestones,
            current: is_current(&i.slug),
            unreadable: None,
        })
        .collect();
    // Not hidden: a script reading the JSON must see that an incident is there, unread.
    let unreadable = listing.unreadable.iter().map(|(slug, w)| ListItem {
        id: slug,
        title: None,
        severity: None,
        status: None,
        started_at: None,
        services: &[],
        tags: &[],
        steps: None,
        step_count: None,
        milestones: &[],
        current: is_current(slug),
        unreadable: Some(Unreadable {
            file: vault.rel(&w.path).display().to_string(),
            line: w.line,
            message: w.message.clone(),
        }),
    });
    for item in unreadable {
        // Newest first as the others: before the first one of an earlier date (or, on its
        // date, an earlier name); at the end without a date.
        let key = date_key(&item);
        let at = items.iter().position(|other| date_key(other) < key).unwrap_or(items.len());
        items.insert(at, item);
    }
    if args.json {
        ui.out(&serde_json::to_string_pretty(&items).expect("list serializes"));
        return Ok(0);
    }
    if items.is_empty() && incidents.is_empty() && !listing.warnings.is_empty() {
        ui.status("no readable incidents: fix the files named above");
        return Ok(0);
    }
    if items.is_empty() && !incidents.is_empty() {
        let which = if args.status == Some(StatusFilter::Open) { "open" } else { "resolved" };
        ui.status(&format!("no {which} incidents ({} in all: incident list)", incidents.len()));
        return Ok(0);
    }
    if items.is_empty() {
        ui.status("no incidents yet: incident start \"TITLE\"");
        return Ok(0);
    }
    let width = items.iter().map(|i| i.id.len()).max().unwrap_or(2).max(2);
    let status_width = if listing.unreadable.is_empty() { 8 } else { UNREADABLE.len() };
    let mut out = paint(
        DIM,
        format!(
            "  {:<width$}  {:<16}  {:<4}  {:<status_width$}  {:>5}  TITLE",
            "ID", "STARTED", "SEV", "STATUS", "STEPS"
        ),
    );
    out.push('\n');
    for i in &items {
        let title = match &i.unreadable {
            None => i.title.unwrap_or_default().to_string(),
            Some(u) if u.line == 0 => format!("cannot read {} (the warning above says why)", u.file),
            Some(u) => format!("cannot read {}:{} (the warning above says why)", u.file, u.line),
        };
        out.push_str(&format!(
            "{} {:<width$}  {:<16}  {:<4}  {:<status_width$}  {:>5}  {}\n",
            if i.current { "*" } else { " " },
            i.id,
            i.started_at.map_or("-".to_string(), format::date_time),
            i.severity.unwrap_or("-"),
            i.status.map_or(UNREADABLE, |s| s.as_str()),
            i.steps.map_or("-".to_string(), |n| n.to_string()),
            title
        ));
    }
    ui.out(out.trim_end());
    Ok(0)
}

/// Where an incident goes in the list: its start's date, or for one that cannot be read the
/// date its folder name starts with (`start` names it so), then its name.
fn date_key<'a>(item: &ListItem<'a>) -> (Option<chrono::NaiveDate>, &'a str) {
    let date = match item.started_at {
        Some(at) => Some(at.date_naive()),
        None => item.id.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
    };
    (date, item.id)
}

/// The status column of an incident that cannot be read.
const UNREADABLE: &str = "unreadable";
