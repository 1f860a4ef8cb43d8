//! Steps dated in the future ([`crate::clock::is_ahead`]): `status`, `list`, `show` and the
//! site leave them out until then, with the postmortem's warning, so all say one thing.

use super::{Loaded, Warning, step_file};
use crate::clock::{Timestamp, is_ahead, left_out_until_then};

impl Loaded {
    /// Takes the steps dated after `now` out of the incident, each with a warning on its
    /// file. Returns how many: a page made without them must be made again when they come.
    pub fn leave_out_ahead(&mut self, now: Timestamp) -> usize {
        // Steps are large: none is moved unless one is ahead (publish runs this for each).
        let ahead: Vec<(String, Timestamp)> = (self.incident.steps.iter())
            .filter(|s| is_ahead(s.meta.at, now))
            .map(|s| (s.meta.id.clone(), s.meta.at))
            .collect();
        if ahead.is_empty() {
            return 0;
        }
        self.incident.steps.retain(|s| !is_ahead(s.meta.at, now));
        for (id, at) in &ahead {
            self.warnings.push(Warning {
                path: self.dir.join(step_file(&self.renamed_steps, id)),
                line: 0,
                message: left_out_until_then(id, *at, now),
            });
        }
        ahead.len()
    }
}
