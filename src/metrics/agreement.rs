//! Restart counts that cannot all be right. A pod's count only grows until it is recreated,
//! so with no change made between two counts taken a few minutes apart:
//!
//! - a later count of every namespace below an earlier one (or two counts of the same
//!   instant that differ) says one of them is wrong;
//! - some pods (a namespace, a filtered or cut-short listing) counted with more restarts
//!   than every pod counted at the same time or later says the same.
//!
//! Which one is wrong cannot be told from the numbers: the peak keeps its rule (the highest
//! count of every namespace) and the disagreement is a warning naming both step files, so
//! the postmortem never shows a figure a disagreeing count contradicts without saying so.

use chrono::Duration;

use super::{RestartObservation, scope};
use crate::clock::Timestamp;
use crate::format;

/// Counts further apart than this are not compared: pods may have been recreated by then.
pub const WINDOW_MINUTES: i64 = 5;

/// A pair of counts that disagree: the warning and the steps of both.
pub struct Disagreement {
    pub warning: String,
    pub steps: [String; 2],
}

/// Pairs of `observations` (in time order) that disagree; `changes` are the times of
/// state-changing commands, any of which between two counts excuses them.
pub fn disagreements(
    observations: &[RestartObservation],
    changes: &[Timestamp],
    step_file: &dyn Fn(&str) -> String,
) -> Vec<Disagreement> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let whole = |o: &RestartObservation| o.scope == scope::ALL_NAMESPACES;
    // `output of …` and `no command recorded` may be anything, another cluster too.
    let some =
        |o: &RestartObservation| !whole(o) && !o.scope.starts_with("output of ") && o.scope != "no command recorded";
    let at = |o: &RestartObservation| format::date_time(o.at);
    let mut found = Vec::new();
    for (i, a) in observations.iter().enumerate() {
        for b in &observations[i + 1..] {
            if b.at - a.at > window || changes.iter().any(|c| a.at <= *c && *c <= b.at) {
                continue;
            }
            let (fa, fb) = (step_file(&a.step), step_file(&b.step));
            let warning = if whole(a) && whole(b) && b.total < a.total {
                format!(
                    "restart counts disagree: {fb} counts {} in all namespaces at {}, fewer than the {} of {fa} at {} with no change made between; the peak takes the higher: correct or delete the step file of the wrong one",
                    format::plural(b.total, "restart"),
                    at(b),
                    format::thousands(a.total),
                    at(a),
                )
            } else if whole(a) && whole(b) && a.at == b.at && a.total < b.total {
                format!(
                    "restart counts disagree: {fa} counts {} in all namespaces at {}, fewer than the {} of {fb} at the same time; the peak takes the higher: correct or delete the step file of the wrong one",
                    format::plural(a.total, "restart"),
                    at(a),
                    format::thousands(b.total),
                )
            } else if let Some((part, all)) = match (some(a), some(b)) {
                (true, false) if whole(b) && a.total > b.total => Some((a, b)),
                (false, true) if whole(a) && a.at == b.at && b.total > a.total => Some((b, a)),
                _ => None,
            } {
                format!(
                    "restart counts disagree: {} counts {} summed over {} at {}, more than the {} of all namespaces in {} at {} with no change made between; some pods cannot have restarted more often than all of them: correct or delete the step file of the wrong one",
                    step_file(&part.step),
                    format::plural(part.total, "restart"),
                    part.scope,
                    at(part),
                    format::thousands(all.total),
                    step_file(&all.step),
                    at(all),
                )
            } else {
                continue;
            };
            found.push(Disagreement { warning, steps: [a.step.clone(), b.step.clone()] });
        }
    }
    found
}
