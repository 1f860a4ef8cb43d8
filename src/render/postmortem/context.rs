//! What the builder knows while it works: the incident, its steps by id, and how a step id
//! becomes a link relative to wherever the postmortem is written.

use std::collections::HashMap;

use crate::clock::Timestamp;
use crate::format;
use crate::metrics::{CommandRecord, Point};
use crate::model::{Incident, Milestone, Step, StepKind};

use super::{CommandRow, Moment};

pub(super) struct Ctx<'a> {
    pub incident: &'a Incident,
    pub step_file: &'a dyn Fn(&str) -> String,
    pub prefix: String,
    pub by_id: HashMap<&'a str, &'a Step>,
}

impl Ctx<'_> {
    pub fn link(&self, id: &str) -> String {
        format!("{}{}", self.prefix, link_path(&(self.step_file)(id)))
    }

    pub fn output_link(&self, step: &Step) -> Option<String> {
        step.meta.output_file.as_ref().map(|f| format!("{}{}", self.prefix, link_path(f)))
    }

    /// A metric's endpoint: the time, with the date when it is not the incident's first day.
    pub fn endpoint(&self, t: Timestamp) -> String {
        format::endpoint(t, self.incident.started_at())
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.by_id.get(id).copied()
    }

    pub fn moment(&self, step: &Step) -> Moment {
        let text = match step.meta.kind {
            StepKind::Milestone => {
                let label = step.meta.milestone.map(|m| m.label()).unwrap_or("Milestone");
                let body = step.body.trim();
                if body.is_empty() || body == label { String::new() } else { body.to_string() }
            }
            _ => step.headline(),
        };
        Moment {
            time: format::clock(step.meta.at),
            date_time: format::date_time(step.meta.at),
            text,
            step: step.meta.id.clone(),
            link: self.link(&step.meta.id),
        }
    }

    pub fn milestone(&self, m: Milestone, now: Timestamp) -> Option<Moment> {
        self.incident
            .steps
            .iter()
            .find(|s| s.meta.milestone == Some(m) && !crate::clock::is_ahead(s.meta.at, now))
            .map(|s| self.moment(s))
    }

    pub fn point_link(&self, p: &Point) -> String {
        format!("{} [{}]({})", p.what, p.step, self.link(&p.step))
    }

    pub fn command_row(&self, c: &CommandRecord) -> CommandRow {
        let output_link = self.step(&c.step).and_then(|s| self.output_link(s));
        CommandRow {
            time: format::clock(c.at),
            command: c.command.clone(),
            exit: c.exit_code.map_or_else(|| "not recorded".to_string(), |e| e.to_string()),
            effect: c.effect.as_str().to_string(),
            reason: c.reason.clone(),
            link: self.link(&c.step),
            output_link,
        }
    }
}

/// A file name as a Markdown link target: `steps/a b (copy).md` would end the link early.
pub(super) fn link_path(path: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'(').add(b')').add(b'<').add(b'>').add(b'[').add(b']').add(b'%');
    percent_encoding::utf8_percent_encode(path, UNSAFE).to_string()
}
