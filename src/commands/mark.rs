//! `incident mark MILESTONE` and `incident resolve`.

use crate::cli::{MarkArgs, MarkTextArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format;
use crate::model::{Milestone, Step, StepKind};
use crate::record::Session;
use crate::ui::Ui;

pub fn mark(cfg: &Config, ui: &Ui, args: &MarkArgs) -> Result<u8> {
    let milestone: Milestone =
        args.milestone.parse().map_err(|m: String| Error::usage(m, "see `incident mark --help`"))?;
    record(cfg, ui, milestone, &args.text)
}

pub fn resolve(cfg: &Config, ui: &Ui, args: &MarkTextArgs) -> Result<u8> {
    record(cfg, ui, Milestone::Resolved, args)
}

fn record(cfg: &Config, ui: &Ui, milestone: Milestone, args: &MarkTextArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let at = session.at(args.step.at.as_deref(), "mark")?;
    let (earlier, warnings) = session.vault.steps_of_kind(&session.incident, StepKind::Milestone)?;
    for w in warnings {
        ui.warn(&w.to_string());
    }
    let mut out_of_order = Vec::new();
    for step in &earlier {
        if step.meta.milestone == Some(milestone) {
            ui.warn(&format!(
                "{milestone} was already marked at {} ({}); the earliest one counts",
                format::date_time(step.meta.at),
                step.meta.id
            ));
        }
    }
    // As the postmortem reads them: only the earliest of each milestone counts, so only
    // those are out of order (a second `detected` after `mitigated` is not).
    let mut firsts: std::collections::BTreeMap<Milestone, &Step> = std::collections::BTreeMap::new();
    for step in &earlier {
        if let Some(m) = step.meta.milestone {
            let first = firsts.entry(m).or_insert(step);
            if step.meta.at < first.meta.at {
                *first = step;
            }
        }
    }
    if firsts.get(&milestone).is_none_or(|first| at < first.meta.at) {
        for (other, step) in &firsts {
            let late = other.must_precede(milestone) && step.meta.at > at;
            if *other != milestone && (late || (milestone.must_precede(*other) && step.meta.at < at)) {
                out_of_order.push(*step);
            }
        }
    }
    let mut meta = session.meta(StepKind::Milestone, at);
    meta.milestone = Some(milestone);
    let text = args.text.join(" ").trim().to_string();
    let body = if text.is_empty() { milestone.label().to_string() } else { text };
    let mut step = Step { meta, body };
    session.save(&mut step, session.scrub(args.step.no_redact))?;
    // After saving, so the warning can name the new step too.
    for other in out_of_order {
        ui.warn(&format!(
            "{milestone} at {} ({}) is out of order with {} at {} ({}); check the times and correct the `at:` of the wrong one in its file",
            format::date_time(at),
            step.meta.id,
            other.meta.milestone.map_or("", |m| m.as_str()),
            format::date_time(other.meta.at),
            other.meta.id
        ));
    }
    if let Some(meta) = session.vault.incident_meta(&session.incident) {
        let mut milestones = earlier;
        milestones.push(step.clone());
        let step_file = |id: &str| crate::vault::step_file(&[], id);
        if let Some(w) = crate::metrics::marked_before_start(&meta, &milestones, &step, &step_file) {
            ui.warn(&w);
        }
    }
    session.report(&step);
    Ok(0)
}
