//! `incident status [--json]`: where the current incident stands.

use serde::Serialize;

use crate::cli::StatusArgs;
use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::Result;
use crate::format;
use crate::model::{Incident, Milestone};
use crate::ui::{BOLD, DIM, GREEN, Ui, YELLOW, paint};

const LAST_STEPS: usize = 5;

#[derive(Serialize)]
struct StatusJson<'a> {
    id: &'a str,
    title: &'a str,
    severity: Option<&'a str>,
    status: &'a str,
    services: &'a [String],
    /// Services checked and found unharmed (`--unaffected`), as in `show --json`.
    services_unaffected: &'a [String],
    tags: &'a [String],
    started_at: Timestamp,
    /// The resolved milestone's time; null while open.
    resolved_at: Option<Timestamp>,
    /// Start to resolution once resolved, start to now before.
    elapsed_seconds: i64,
    milestones: Vec<MilestoneJson<'a>>,
    /// The count of steps (as `step_count`, the key all reading commands share).
    steps: usize,
    step_count: usize,
    last_steps: Vec<StepLine<'a>>,
    /// What was said on stderr: steps skipped or read with doubts, milestones out of order.
    warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct MilestoneJson<'a> {
    pub milestone: Milestone,
    pub at: Timestamp,
    pub step: &'a str,
}

#[derive(Serialize)]
pub struct StepLine<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub at: Timestamp,
    pub backdated: bool,
    pub headline: String,
}

pub fn run(cfg: &Config, ui: &Ui, args: &StatusArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let incident = cfg.pick_incident(&vault, None)?;
    let mut loaded = vault.load(&incident)?;
    // One clock for everyone: steps from responders in other zones in the incident's offset.
    crate::render::postmortem::use_incident_offset(&mut loaded.incident);
    let now = cfg.clock.now();
    loaded.leave_out_ahead(now);
    let step_file = |id: &str| crate::vault::step_file(&loaded.renamed_steps, id);
    let mut warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    warnings.extend(crate::metrics::milestone_warnings(&loaded.incident, &step_file));
    for w in &warnings {
        ui.warn(w);
    }
    let inc = &loaded.incident;
    let started = inc.started_at();
    let last: Vec<StepLine> = inc.steps.iter().rev().take(LAST_STEPS).rev().map(step_line).collect();
    let resolved_at = inc.milestones().into_iter().find(|(m, _)| *m == Milestone::Resolved).map(|(_, s)| s.meta.at);
    // The clock stops at resolution, as in the text; an incident.md saying `status:
    // resolved` with no milestone has no end to stop at.
    let elapsed = resolved_at.unwrap_or(now) - started;
    if args.json {
        let json = StatusJson {
            id: &inc.slug,
            title: &inc.meta.title,
            severity: inc.meta.severity.as_deref(),
            status: inc.status().as_str(),
            services: &inc.meta.services,
            services_unaffected: &inc.meta.services_unaffected,
            tags: &inc.meta.tags,
            started_at: started,
            resolved_at,
            elapsed_seconds: elapsed.num_seconds(),
            milestones: milestones_json(inc),
            steps: inc.steps.len(),
            step_count: inc.steps.len(),
            last_steps: last,
            warnings,
        };
        ui.out(&serde_json::to_string_pretty(&json).expect("status serializes"));
        return Ok(0);
    }
    let mut out = String::new();
    let status = inc.status();
    let status_text = match status {
        crate::model::Status::Open => paint(YELLOW, "open"),
        crate::model::Status::Resolved => paint(GREEN, "resolved"),
    };
    let sev = inc.meta.severity.as_deref().map(|s| format!(" · {s}")).unwrap_or_default();
    out.push_str(&format!("{} [{status_text}{sev}]\n", paint(BOLD, &inc.meta.title)));
    let mut line = match resolved_at {
        // Resolved before the start is a wrong time, warned of above, not a negative span.
        Some(end) if elapsed < chrono::Duration::zero() => format!(
            "{} · started {} · resolved {}, before its start",
            inc.slug,
            format::date_time(started),
            format::clock(end)
        ),
        Some(end) => format!(
            "{} · started {} · resolved {} after {}",
            inc.slug,
            format::date_time(started),
            format::clock(end),
            format::duration(elapsed)
        ),
        None => format!("{} · started {} · {} ago", inc.slug, format::date_time(started), format::duration(elapsed)),
    };
    if !inc.meta.services.is_empty() {
        line.push_str(&format!(" · services: {}", inc.meta.services.join(", ")));
    }
    out.push_str(&paint(DIM, line));
    out.push('\n');
    let milestones = inc.milestones();
    if milestones.is_empty() {
        out.push_str("milestones: none yet (incident mark detected)\n");
    } else {
        let mut parts = Vec::new();
        let mut prev: Option<Timestamp> = None;
        let dated = spans_days(started, milestones.iter().map(|(_, s)| s.meta.at));
        for (m, step) in &milestones {
            // From the first milestone, as the metrics are: the steps add up to their total
            // (23m + 30m = 53m, not 23m + 31m).
            let origin = milestones[0].1.meta.at;
            let delta = prev
                .map(|p| format!(" (+{})", format::duration(format::shown_span(origin, p, step.meta.at))))
                .unwrap_or_default();
            parts.push(format!("{m} {}{delta}", when(step.meta.at, dated)));
            prev = Some(step.meta.at);
        }
        out.push_str(&format!("milestones: {}\n", parts.join(" → ")));
    }
    let shown = last.len().min(inc.steps.len());
    out.push_str(&match (inc.steps.len(), shown) {
        (0, _) => "no steps yet (incident note \"what you see\")\n".to_string(),
        (n, s) if n == s => format!("{}:\n", format::plural(n as u64, "step")),
        (n, s) => format!("{n} steps; the last {s}:\n"),
    });
    let dated = spans_days(started, last.iter().map(|s| s.at));
    for s in &last {
        out.push_str(&format!(
            "  {}  {:<9} {}{}\n",
            when(s.at, dated),
            s.kind,
            s.headline,
            if s.backdated { " ↶" } else { "" }
        ));
    }
    ui.out(out.trim_end());
    Ok(0)
}

/// Whether times are on another day than the incident's start: then each shows its date.
fn spans_days(started: Timestamp, times: impl Iterator<Item = Timestamp>) -> bool {
    let day = started.date_naive();
    times.into_iter().any(|t| t.date_naive() != day)
}

/// `08:45`, or `10-03 08:45` when the times shown span days.
fn when(t: Timestamp, dated: bool) -> String {
    if dated { t.format("%m-%d %H:%M").to_string() } else { format::clock(t) }
}

pub fn milestones_json(inc: &Incident) -> Vec<MilestoneJson<'_>> {
    inc.milestones().into_iter().map(|(m, s)| MilestoneJson { milestone: m, at: s.meta.at, step: &s.meta.id }).collect()
}

pub fn step_line(step: &crate::model::Step) -> StepLine<'_> {
    StepLine {
        id: &step.meta.id,
        kind: step.meta.kind.as_str(),
        at: step.meta.at,
        backdated: step.meta.is_backdated(),
        headline: step.headline(),
    }
}
