//! Which milestone step counts for each milestone, and what is wrong with the others: a
//! milestone marked twice (the earliest counts, the other is ignored), milestones out of
//! order. Every warning names the step files, so the wrong one can be fixed by hand.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Point, point};
use crate::clock::Timestamp;
use crate::format;
use crate::model::{Milestone, Step};

/// A milestone step that does not count: the same milestone was marked earlier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IgnoredMilestone {
    pub step: String,
    /// `recovered`.
    pub what: String,
    pub at: Timestamp,
    /// The step that counts instead.
    pub counted: Point,
}

/// The milestones as the metrics read them.
pub(super) struct Milestones {
    /// The earliest of each milestone.
    pub first: BTreeMap<Milestone, Point>,
    pub ignored: Vec<IgnoredMilestone>,
    pub warnings: Vec<String>,
    /// Pairs of milestone steps (ids) warned about as out of order.
    pub out_of_order: Vec<(String, String)>,
}

/// Reads the milestones of `steps` (in timeline order, none in the future).
pub(super) fn read(steps: &[&Step], step_file: &dyn Fn(&str) -> String) -> Milestones {
    let mut first: BTreeMap<Milestone, Point> = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut warnings = Vec::new();
    for step in steps {
        let Some(m) = step.meta.milestone else { continue };
        match first.get(&m) {
            None => {
                first.insert(m, point(m.as_str(), step));
            }
            Some(counted) => {
                warnings.push(format!(
                    "{m} is marked twice: the first, at {} ({}), counts, and the one at {} ({}) is ignored; delete the wrong step file or correct its `at:`",
                    format::date_time(counted.at),
                    step_file(&counted.step),
                    format::date_time(step.meta.at),
                    step_file(&step.meta.id),
                ));
                ignored.push(IgnoredMilestone {
                    step: step.meta.id.clone(),
                    what: m.as_str().to_string(),
                    at: step.meta.at,
                    counted: counted.clone(),
                });
            }
        }
    }
    let mut out_of_order = Vec::new();
    // One warning per pair out of order, however many intervals the pair spans.
    for (m, earlier) in &first {
        for (later, then) in &first {
            if m.must_precede(*later) && then.at < earlier.at {
                warnings.push(format!(
                    "milestones out of order: {} at {} ({}) is before {} at {} ({}); correct the `at:` in the file of the wrong one",
                    then.what,
                    format::date_time(then.at),
                    step_file(&then.step),
                    earlier.what,
                    format::date_time(earlier.at),
                    step_file(&earlier.step),
                ));
                out_of_order.push((earlier.step.clone(), then.step.clone()));
            }
        }
    }
    Milestones { first, ignored, warnings, out_of_order }
}
