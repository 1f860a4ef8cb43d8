//! Steps dated in the future ([`crate::clock::is_ahead`]): `status`, `list`, `show` and the
//! site leave them out until then, with the postmortem's warning, so all say one thing.

use super::{Loaded, Warning, step_file};
use crate::clock::{Timestamp, is_ahead, left_out_until_then};

impl Loaded {
    /// Takes the steps dated after `now` out of the incident, each with a warning on its
    /// file. Returns how many: a page made without them must be made again when they come.
    pub fn leave_out_ahead(&mut self, now: Timestamp) -> usize {
        let steps = std::mem::take(&mut self.incident.steps);
        let (ahead, present): (Vec<_>, Vec<_>) = steps.into_iter().partition(|s| is_ahead(s.meta.at, now));
        self.incident.steps = present;
        for step in &ahead {
            self.warnings.push(Warning {
                path: self.dir.join(step_file(&self.renamed_steps, &step.meta.id)),
                line: 0,
                message: left_out_until_then(&step.meta.id, step.meta.at, now),
            });
        }
        ahead.len()
    }
}
