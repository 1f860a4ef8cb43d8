//! `incident show [ID] [--json]`: the whole timeline in `at` order.

use serde::Serialize;

use super::status::{MilestoneJson, milestones_json};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::Result;
use crate::format;
use crate::model::{IncidentMeta, StepMeta};
use crate::ui::{BOLD, DIM, Ui, paint};

#[derive(Serialize)]
struct ShowJson<'a> {
    id: &'a str,
    /// The frontmatter of `incident.md`, its `id` and `status` left out: one key of each.
    #[serde(flatten)]
    meta: IncidentMeta,
    /// When impact began: the earliest of `at` and a backdated impact-start, as in `status`.
    started_at: crate::clock::Timestamp,
    status: &'a str,
    summary: &'a str,
    milestones: Vec<MilestoneJson<'a>>,
    /// Every step, whole (`status` and `list` give only their count, as `step_count`).
    steps: Vec<StepJson<'a>>,
    step_count: usize,
    /// What was said on stderr: steps skipped or read with doubts.
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct StepJson<'a> {
    #[serde(flatten)]
    meta: &'a StepMeta,
    backdated: bool,
    headline: String,
    body: &'a str,
}

pub fn run(cfg: &Config, ui: &Ui, args: &ShowArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let incident = cfg.pick_incident(&vault, args.id.as_deref())?;
    let mut loaded = vault.load(&incident)?;
    // One clock for everyone: steps from responders in other zones in the incident's offset.
    crate::render::postmortem::use_incident_offset(&mut loaded.incident);
    loaded.leave_out_ahead(cfg.clock.now());
    for w in &loaded.warnings {
        ui.warn(&w.to_string());
    }
    let inc = &loaded.incident;
    if args.json {
        let json = ShowJson {
            id: &inc.slug,
            // A hand-written `status:` is read into the derived status below, not repeated.
            meta: IncidentMeta { id: String::new(), status: None, ..inc.meta.clone() },
            started_at: inc.started_at(),
            status: inc.status().as_str(),
            summary: inc.summary.trim(),
            milestones: milestones_json(inc),
            steps: inc
                .steps
                .iter()
                .map(|s| StepJson {
                    meta: &s.meta,
                    backdated: s.meta.is_backdated(),
                    headline: s.headline(),
                    body: &s.body,
                })
                .collect(),
            step_count: inc.steps.len(),
            warnings: loaded.warnings.iter().map(|w| w.to_string()).collect(),
        };
        ui.out(&serde_json::to_string_pretty(&json).expect("show serializes"));
        return Ok(0);
    }
    // The header as `status` gives it: status, then severity if any.
    let sev = inc.meta.severity.as_deref().map(|s| format!(" · {s}")).unwrap_or_default();
    let mut out = format!("{} [{}{sev}]\n", paint(BOLD, &inc.meta.title), inc.status().as_str());
    out.push_str(&paint(DIM, format!("{} · started {}", inc.slug, format::date_time(inc.started_at()))));
    out.push('\n');
    let mut day = None;
    for step in &inc.steps {
        let d = step.meta.at.date_naive();
        if day != Some(d) {
            out.push_str(&format!("\n{}\n", paint(BOLD, d.format("%A %Y-%m-%d"))));
            day = Some(d);
        }
        let mark = if step.meta.is_backdated() {
            format!(" {}", paint(DIM, format!("↶ recorded {}", format::clock(step.meta.recorded()))))
        } else {
            String::new()
        };
        out.push_str(&format!("  {}  {:<9} {}{mark}\n", format::clock(step.meta.at), step.meta.kind, step.headline()));
    }
    if inc.steps.is_empty() {
        out.push_str("\nno steps yet: incident note \"what you see\"\n");
    }
    ui.out(out.trim_end());
    Ok(0)
}
