//! Which milestone step counts for each milestone, and what is wrong with the others: a
//! milestone marked twice (the earliest counts, the other is ignored), milestones out of
//! order, milestones before the incident's start. Every warning names the files, so the
//! wrong one can be fixed by hand.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Point, point};
use crate::clock::Timestamp;
use crate::format;
use crate::model::{Incident, IncidentMeta, Milestone, Step};

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

/// What the postmortem warns about the milestones of `incident` (marked twice, out of
/// order, before its start), for `status` and `list` to say too. Its steps are
/// those read as of now (none in the future: [`crate::vault::Loaded::leave_out_ahead`]).
pub fn milestone_warnings(incident: &Incident, step_file: &dyn Fn(&str) -> String) -> Vec<String> {
    let steps: Vec<&Step> = incident.steps.iter().collect();
    read(&incident.meta, &steps, step_file).warnings
}

/// Reads the milestones of `steps` (in timeline order, none in the future) of the incident
/// `meta` describes.
pub(super) fn read(meta: &IncidentMeta, steps: &[&Step], step_file: &dyn Fn(&str) -> String) -> Milestones {
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
    // A backdated impact-start is the start, as `status` and the postmortem have it; a
    // milestone before that is out of order with it, said above.
    let impact = first.get(&Milestone::ImpactStart).map(|p| p.at);
    if impact.is_none_or(|at| at >= meta.at) {
        warnings.extend(first.values().filter_map(|p| before_start(meta, impact.is_none(), p, step_file)));
    }
    Milestones { first, ignored, warnings, out_of_order }
}

/// What `mark` says at once of the milestone `new` it just wrote when it is dated before
/// the incident's start, as `status` would (`milestones`: the incident's milestone steps,
/// `new` among them).
pub fn marked_before_start(
    meta: &IncidentMeta,
    milestones: &[Step],
    new: &Step,
    step_file: &dyn Fn(&str) -> String,
) -> Option<String> {
    let impact =
        milestones.iter().filter(|s| s.meta.milestone == Some(Milestone::ImpactStart)).map(|s| s.meta.at).min();
    if impact.is_some_and(|at| at < meta.at) {
        return None;
    }
    before_start(meta, impact.is_none(), &point(new.meta.milestone?.as_str(), new), step_file)
}

/// A milestone dated before the incident's start (`at:` in incident.md): a day slipped in
/// a hand edit, or a bare `--at 08:10` typed at 08:05 by a version that took it as
/// yesterday's. Impact may begin before anyone opens the incident, so `impact-start` is
/// not checked; marked earlier than incident.md's time, it is the start. Without one, the
/// fix may be to mark it (`no_impact_start`).
fn before_start(
    meta: &IncidentMeta,
    no_impact_start: bool,
    p: &Point,
    step_file: &dyn Fn(&str) -> String,
) -> Option<String> {
    if p.what == Milestone::ImpactStart.as_str() {
        return None;
    }
    let start = if meta.day_only {
        // Midnight UTC stands in for a day without a time: the day is what was written.
        let day = meta.at.date_naive();
        (p.at.date_naive() < day).then(|| format!("the incident's day, {day}"))?
    } else {
        (p.at < meta.at).then(|| format!("the incident's start at {}", format::date_time(meta.at)))?
    };
    let or_mark = match no_impact_start {
        true => ", or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`",
        false => "",
    };
    Some(format!(
        "{} at {} ({}) is before {start} (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a day off){or_mark}",
        p.what,
        format::date_time(p.at),
        step_file(&p.step),
    ))
}
