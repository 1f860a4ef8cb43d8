//! Where the recovery and the permanent fix start when no milestone says so: the decision
//! that chose what to do, as the seed story counts them (decided 09:00, recovered 09:30;
//! permanent fix decided 10:00, in place 10:30: 30 minutes each).

use super::{Builder, Point, point, when};
use crate::model::{Milestone, Purpose, Step, StepKind};

/// A span's start and the note saying where it came from, or why it is unknown.
pub(super) type Start = (Result<Point, String>, Option<String>);

impl Builder<'_> {
    fn decisions(&self) -> impl Iterator<Item = &Step> + Clone {
        self.steps.iter().copied().filter(|s| s.meta.kind == StepKind::Decision)
    }

    /// The `mitigation-start` milestone, else the first decision after diagnosis and not
    /// after recovery, not taken `--for permanent-fix`: one that chose the fix for later
    /// did not start the recovery, nor did one taken once it was over.
    pub(super) fn mitigation_start(&self) -> Start {
        if let Some(p) = self.milestones.get(&Milestone::MitigationStart) {
            return (Ok(p.clone()), None);
        }
        let none = "no mitigation-start milestone and no decision after diagnosis";
        let Some(diagnosed) = self.milestones.get(&Milestone::Diagnosed) else {
            // Decisions there are; which of them came after the diagnosis nobody can say.
            let reason = match self.decisions().next() {
                Some(_) => {
                    "no mitigation-start milestone, and diagnosis not recorded: recovery starts at the first decision after it"
                }
                None => none,
            };
            return (Err(reason.to_string()), None);
        };
        let recovered = self.milestones.get(&Milestone::Recovered);
        let after = self.decisions().filter(|s| s.meta.at >= diagnosed.at);
        let mut mitigation = after.clone().filter(|s| s.meta.purpose != Some(Purpose::PermanentFix));
        if let Some(step) = mitigation.clone().find(|s| recovered.is_none_or(|r| s.meta.at <= r.at)) {
            let note = "mitigation start = the first decision after diagnosis; no mitigation-start milestone";
            return (Ok(point("decision", step)), Some(note.into()));
        }
        // Say what there is instead: a decision recorded after the recovery (perhaps without
        // the --at it was taken at), or only decisions for the permanent fix.
        let reason = match (mitigation.next(), recovered) {
            (Some(late), Some(r)) => format!(
                "no mitigation-start milestone, and the first decision after diagnosis is after recovery: {}, {}; \
                 decide again with --at the time it was taken, or mark mitigation-start",
                when(&point("decision", late)),
                when(r)
            ),
            _ if after.clone().next().is_some() => {
                "no mitigation-start milestone, and the decisions after diagnosis are all for the permanent fix".into()
            }
            _ => none.into(),
        };
        (Err(reason), None)
    }

    /// The `permanent-fix-start` milestone, else the first decision `--for permanent-fix`
    /// not after the fix was in place: choosing it started the work (the seed story's
    /// 10:00, as a decision to mitigate starts the recovery).
    pub(super) fn permanent_fix_start(&self) -> Start {
        if let Some(p) = self.milestones.get(&Milestone::PermanentFixStart) {
            return (Ok(p.clone()), None);
        }
        let done = self.milestones.get(&Milestone::PermanentFix);
        let mut chosen = self.decisions().filter(|s| s.meta.purpose == Some(Purpose::PermanentFix));
        if let Some(step) = chosen.clone().find(|s| done.is_none_or(|d| s.meta.at <= d.at)) {
            let note = "permanent fix start = the first decision --for permanent-fix; no permanent-fix-start milestone";
            return (Ok(point("decision", step)), Some(note.into()));
        }
        let reason = match (chosen.next(), done) {
            (Some(late), Some(d)) => format!(
                "no permanent-fix-start milestone, and the decision for the permanent fix is after it was in place: \
                 {}, {}; decide again with --at the time it was taken, or mark permanent-fix-start",
                when(&point("decision", late)),
                when(d)
            ),
            _ => "permanent fix start not recorded".into(),
        };
        (Err(reason), None)
    }
}
