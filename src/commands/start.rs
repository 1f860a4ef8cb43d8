//! `incident start TITLE`: creates the incident folder and makes it current.

use crate::cli::StartArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::IncidentMeta;
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &StartArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let title = args.title.trim();
    if title.is_empty() {
        return Err(Error::usage("the title is empty", "say what is broken: incident start \"Checkout returns 500\""));
    }
    let at = match &args.at {
        None => cfg.clock.now(),
        Some(text) => {
            cfg.clock.parse_at(text).map_err(|m| Error::usage(format!("--at: {m}"), "see `incident start --help`"))?
        }
    };
    let mut meta = IncidentMeta {
        id: String::new(),
        title: title.to_string(),
        severity: args.severity.map(|s| format!("{s:?}").to_ascii_lowercase()),
        services: clean_list(&args.services),
        services_unaffected: clean_list(&args.unaffected),
        tags: clean_list(&args.tags),
        at,
        recorded_at: Some(cfg.clock.now()),
        author: Some(cfg.author.clone()),
        host: Some(cfg.host.clone()),
        visibility: None,
        status: None,
    };
    let summary = args.summary.clone().unwrap_or_default();
    let incident = vault.create_incident(&mut meta, &summary)?;
    vault.set_current(&incident.slug)?;
    ui.out(&incident.slug);
    ui.status(&format!("started {:?}; it is now the current incident", meta.title));
    Ok(0)
}

/// Trimmed, non-empty, without duplicates, in the order given.
fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}
