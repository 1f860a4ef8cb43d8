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
    title: &'a str,
    severity: Option<&'a str>,
    status: Status,
    started_at: Timestamp,
    services: &'a [String],
    tags: &'a [String],
    /// The count of readable steps (as `step_count`, the key all reading commands share).
    steps: usize,
    step_count: usize,
    /// The same shape as in `status --json` and `show --json`.
    milestones: &'a [MilestoneAt],
    current: bool,
}

pub fn run(cfg: &Config, ui: &Ui, args: &ListArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let (incidents, warnings) = vault.list()?;
    for w in &warnings {
        ui.warn(&w.to_string());
    }
    let current = vault.current()?;
    let wanted = |s: Status| match args.status {
        None => true,
        Some(StatusFilter::Open) => s == Status::Open,
        Some(StatusFilter::Resolved) => s == Status::Resolved,
    };
    let items: Vec<ListItem> = incidents
        .iter()
        .filter(|i| wanted(i.status))
        .map(|i| ListItem {
            id: &i.slug,
            title: &i.meta.title,
            severity: i.meta.severity.as_deref(),
            status: i.status,
            started_at: i.started_at,
            services: &i.meta.services,
            tags: &i.meta.tags,
            steps: i.steps,
            step_count: i.steps,
            milestones: &i.milestones,
            current: current.as_deref() == Some(i.slug.as_str()),
        })
        .collect();
    if args.json {
        ui.out(&serde_json::to_string_pretty(&items).expect("list serializes"));
        return Ok(0);
    }
    if incidents.is_empty() && !warnings.is_empty() {
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
    let mut out = paint(
        DIM,
        format!("  {:<width$}  {:<16}  {:<4}  {:<8}  {:>5}  TITLE", "ID", "STARTED", "SEV", "STATUS", "STEPS"),
    );
    out.push('\n');
    for i in &items {
        out.push_str(&format!(
            "{} {:<width$}  {:<16}  {:<4}  {:<8}  {:>5}  {}\n",
            if i.current { "*" } else { " " },
            i.id,
            format::date_time(i.started_at),
            i.severity.unwrap_or("-"),
            i.status.as_str(),
            i.steps,
            i.title
        ));
    }
    ui.out(out.trim_end());
    Ok(0)
}
