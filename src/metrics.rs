//! Pure: milestones and facts → durations and totals, each with the endpoints and step ids
//! it came from, or "unknown" with the reason. No IO; the clock is an argument.
//!
//! Every interval is named for what it measures ("Time to diagnose", "Detection to
//! recovery"): there is no bare "MTTR" here, because nobody can check one.

mod agreement;
pub mod ledger;
mod milestones;
pub use milestones::{marked_before_start, milestone_warnings};
mod observations;
mod pod_keys;
#[cfg(test)]
mod proptests;
pub mod report;
pub mod scope;
mod starts;

pub use observations::{recorded_restart_observations, restart_observations, restart_observations_checked};
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clock::Timestamp;
use crate::format;
use crate::model::{Incident, Milestone, Step, StepKind};

pub use ledger::{Effect, Verdict, classify};
pub use milestones::IgnoredMilestone;

/// A moment an interval starts or ends at, and the step that says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Point {
    /// What marks it: a milestone (`detected`) or a step kind (`decision`, `first step`).
    pub what: String,
    pub at: Timestamp,
    pub step: String,
}

/// A measured interval, or why it cannot be measured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Span {
    Known {
        from: Point,
        to: Point,
        seconds: i64,
        /// As shown beside the other spans ([`format::shown_span`] from the first milestone).
        #[serde(skip)]
        shown: chrono::Duration,
    },
    Unknown {
        reason: String,
    },
}

/// One duration of the metrics table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// Stable key for JSON and reports: `time_to_diagnose`.
    pub key: &'static str,
    /// What it measures, in words: `Time to diagnose`, `Detection to recovery`.
    pub name: String,
    #[serde(flatten)]
    pub span: Span,
    /// Where an endpoint came from when it was not the plain milestone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Interval {
    pub fn seconds(&self) -> Option<i64> {
        match &self.span {
            Span::Known { seconds, .. } => Some(*seconds),
            Span::Unknown { .. } => None,
        }
    }

    /// `22 minutes`, or `unknown (impact start not recorded)`.
    pub fn value_text(&self) -> String {
        match &self.span {
            Span::Known { shown, .. } => format::duration_words(*shown),
            Span::Unknown { reason } => format!("unknown ({reason})"),
        }
    }
}

/// Keys of the intervals, in table order.
pub const INTERVAL_KEYS: [&str; 6] =
    ["time_to_detect", "time_to_diagnose", "recovery_time", "time_to_recover", "permanent_fix", "total_downtime"];

/// A count of restarts seen in one output or snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestartObservation {
    pub at: Timestamp,
    /// The sum over the pods that output lists (a filtered listing counts fewer pods).
    pub total: u64,
    pub step: String,
    /// Which pods it covers ([`scope::of`]): `all namespaces`, `namespace kube-system`,
    /// ``filtered: `kubectl get pods -A | grep coredns` ``. Totals of different scopes sum
    /// over different pods.
    pub scope: String,
    /// The pods the output lists by name, with their counts.
    #[serde(skip)]
    pub pods: Vec<PodCount>,
}

/// One pod's restart count in one output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodCount {
    /// `namespace/name`.
    pub key: String,
    /// Only snapshots from the API know it; a recreated pod has a new one.
    pub uid: Option<String>,
    pub restarts: u64,
}

/// Restarts across the observations: the highest count seen, and how much it grew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restarts {
    pub observations: Vec<RestartObservation>,
    /// The highest `restarts_total` seen (the first such observation) in a listing of all
    /// namespaces when there is one: a filtered listing's sum is not the cluster's total.
    pub peak: Option<RestartObservation>,
    /// New restarts between outputs: for each pod name seen in two or more outputs, the
    /// sum of the rises of its count. A recreated pod is a new pod (a StatefulSet's keeps
    /// its name): a new UID, or without UIDs a count lower than before, means every
    /// restart it shows happened since. Needs a pod seen twice.
    pub increase: Option<u64>,
    /// Why `peak` or `increase` is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_reason: Option<String>,
    /// Another count taken about when the peak was disagrees with it (a warning says which).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disputed: bool,
}

/// A command recorded in a run or capture step, with the ledger's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandRecord {
    pub step: String,
    pub kind: StepKind,
    pub at: Timestamp,
    pub command: String,
    pub exit_code: Option<i32>,
    pub effect: Effect,
    pub reason: String,
}

/// When the incident was discovered and what says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Discovery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<Point>,
    /// `detected milestone`, `first step`, or why it is unknown.
    pub source: String,
}

/// Everything the postmortem says in numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metrics {
    /// What every span shown is measured from: the first milestone (else the start).
    #[serde(skip)]
    pub origin: Timestamp,
    /// The first of each milestone (not dated in the future), in milestone order.
    pub milestones: Vec<Point>,
    /// Milestone steps that do not count: the same milestone was marked before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_milestones: Vec<IgnoredMilestone>,
    pub discovery: Discovery,
    pub intervals: Vec<Interval>,
    pub restarts: Restarts,
    pub services_affected: Vec<String>,
    pub services_unaffected: Vec<String>,
    pub commands: Vec<CommandRecord>,
    pub commands_run: usize,
    pub state_changing: usize,
    pub unclassified: usize,
    /// Milestones that were refused or ignored, steps dated in the future, ….
    pub warnings: Vec<String>,
}

impl Metrics {
    /// Says in every reason "… not recorded" that step files could not be read (`files`,
    /// relative to the incident folder): the missing milestone may be in one of them.
    pub fn note_unreadable(&mut self, files: &[String]) {
        let says = match files {
            [] => return,
            [one] => format!("the step file {one} could not be read"),
            many => format!("{} step files could not be read (see Notes on the record)", many.len()),
        };
        for i in &mut self.intervals {
            if let Span::Unknown { reason } = &mut i.span
                && reason.contains("not recorded")
            {
                reason.push_str(&format!("; {says}"));
            }
        }
    }

    pub fn interval(&self, key: &str) -> Option<&Interval> {
        self.intervals.iter().find(|i| i.key == key)
    }
}

/// Words for a milestone in "… not recorded" reasons.
fn noun(m: Milestone) -> &'static str {
    match m {
        Milestone::ImpactStart => "impact start",
        Milestone::Detected => "detection",
        Milestone::Acknowledged => "acknowledgement",
        Milestone::Diagnosed => "diagnosis",
        Milestone::MitigationStart => "mitigation start",
        Milestone::Mitigated => "mitigation",
        Milestone::Recovered => "recovery",
        Milestone::Resolved => "resolution",
        Milestone::PermanentFixStart => "permanent fix start",
        Milestone::PermanentFix => "permanent fix",
    }
}

fn point(what: impl Into<String>, step: &Step) -> Point {
    Point { what: what.into(), at: step.meta.at, step: step.meta.id.clone() }
}

fn when(p: &Point) -> String {
    format!("{} at {} ({})", p.what, format::date_time(p.at), p.step)
}

struct Builder<'a> {
    incident: &'a Incident,
    now: Timestamp,
    /// Steps not dated in the future, in timeline order.
    steps: Vec<&'a Step>,
    milestones: BTreeMap<Milestone, Point>,
    ignored: Vec<IgnoredMilestone>,
    warnings: Vec<String>,
    /// Pairs of milestone steps (ids) already warned about as out of order.
    out_of_order: Vec<(String, String)>,
    /// The first milestone (else the incident's start): spans are shown measured from it.
    origin: Timestamp,
    step_file: &'a dyn Fn(&str) -> String,
}

impl<'a> Builder<'a> {
    fn new(incident: &'a Incident, now: Timestamp, step_file: &'a dyn Fn(&str) -> String) -> Builder<'a> {
        let mut warnings = Vec::new();
        let mut steps = Vec::new();
        for step in &incident.steps {
            if crate::clock::is_ahead(step.meta.at, now) {
                warnings.push(crate::clock::left_out_until_then(&step.meta.id, step.meta.at, now));
            } else {
                steps.push(step);
            }
        }
        let read = milestones::read(&incident.meta, &steps, step_file);
        warnings.extend(read.warnings);
        let origin = read.first.values().map(|p| p.at).min().unwrap_or_else(|| incident.started_at());
        Builder {
            origin,
            incident,
            now,
            steps,
            milestones: read.first,
            ignored: read.ignored,
            warnings,
            out_of_order: read.out_of_order,
            step_file,
        }
    }

    fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }

    /// `from → to`, refused when `to` comes before `from`.
    fn span(&mut self, key: &str, from: Result<Point, String>, to: Result<Point, String>) -> Span {
        match (from, to) {
            (Ok(from), Ok(to)) if to.at < from.at => {
                let reason = format!("{} is before {}", when(&to), when(&from));
                if !self.out_of_order.contains(&(from.step.clone(), to.step.clone())) {
                    self.warn(format!("{}: {reason}; the interval is left unknown", key.replace('_', " ")));
                }
                Span::Unknown { reason }
            }
            (Ok(from), Ok(to)) => {
                let seconds = (to.at - from.at).num_seconds();
                let shown = format::shown_span(self.origin, from.at, to.at);
                Span::Known { from, to, seconds, shown }
            }
            (Err(a), Err(b)) => Span::Unknown { reason: join_missing(&a, &b) },
            (Err(reason), _) | (_, Err(reason)) => Span::Unknown { reason },
        }
    }

    fn milestone(&self, m: Milestone) -> Result<Point, String> {
        self.milestones.get(&m).cloned().ok_or_else(|| format!("{} not recorded", noun(m)))
    }

    fn interval(&mut self, key: &'static str, name: &str, from: Milestone, to: Milestone) -> Interval {
        let span = self.span(key, self.milestone(from), self.milestone(to));
        Interval { key, name: name.to_string(), span, note: None }
    }

    fn discovery(&self) -> Discovery {
        if let Some(p) = self.milestones.get(&Milestone::Detected) {
            return Discovery { point: Some(p.clone()), source: "detected milestone".to_string() };
        }
        match self.steps.first() {
            Some(step) => Discovery {
                point: Some(point(format!("first step ({})", step.meta.kind), step)),
                source: "first step; no detected milestone".to_string(),
            },
            None => Discovery { point: None, source: "no steps recorded".to_string() },
        }
    }

    fn time_to_recover(&mut self) -> Interval {
        let key = "time_to_recover";
        let recovered = self.milestone(Milestone::Recovered);
        if let Ok(impact) = self.milestone(Milestone::ImpactStart) {
            let span = self.span(key, Ok(impact), recovered);
            return Interval { key, name: "Impact to recovery".into(), span, note: None };
        }
        match self.milestone(Milestone::Detected) {
            Ok(detected) => {
                let span = self.span(key, Ok(detected), recovered);
                Interval {
                    key,
                    name: "Detection to recovery".into(),
                    span,
                    note: Some("impact start not recorded: measured from detection".into()),
                }
            }
            Err(_) => {
                let span = self.span(key, Err("impact start and detection not recorded".into()), recovered);
                Interval { key, name: "Time to recover".into(), span, note: None }
            }
        }
    }

    /// The peak, the increase, and warnings for counts that disagree ([`agreement`]);
    /// `changes`: when state-changing commands ran.
    fn restarts(&mut self, observations: &[RestartObservation], changes: &[Timestamp]) -> Restarts {
        let mut obs: Vec<RestartObservation> = Vec::new();
        for o in observations {
            if crate::clock::is_ahead(o.at, self.now) {
                continue; // already warned about with its step
            }
            obs.push(o.clone());
        }
        obs.sort_by(|a, b| (a.at, &a.step).cmp(&(b.at, &b.step)));
        let whole = obs.iter().any(|o| o.scope == scope::ALL_NAMESPACES);
        let candidates = obs.iter().filter(|o| !whole || o.scope == scope::ALL_NAMESPACES);
        let peak = candidates.fold(None::<&RestartObservation>, |best, o| match best {
            Some(b) if b.total >= o.total => Some(b),
            _ => Some(o),
        });
        let mut last: std::collections::HashMap<&str, &PodCount> = std::collections::HashMap::new();
        let mut increase = None::<u64>;
        for o in &obs {
            for pod in &o.pods {
                if let Some(before) = last.insert(&pod.key, pod) {
                    let new_uid = matches!((&before.uid, &pod.uid), (Some(a), Some(b)) if a != b);
                    let recreated = new_uid || pod.restarts < before.restarts;
                    *increase.get_or_insert(0) += if recreated { pod.restarts } else { pod.restarts - before.restarts };
                }
            }
        }
        let unknown_reason = match obs.len() {
            0 => Some("no restart counts in any captured output or snapshot".to_string()),
            1 => Some("one restart observation: the increase needs a pod seen twice".to_string()),
            _ if increase.is_none() => Some("no pod was listed in two outputs".to_string()),
            _ => None,
        };
        let mut disputed = false;
        for d in agreement::disagreements(&obs, changes, self.step_file) {
            disputed |= peak.is_some_and(|p| d.steps.contains(&p.step));
            self.warn(d.warning);
        }
        Restarts { peak: peak.cloned(), increase, unknown_reason, disputed, observations: obs }
    }

    fn commands(&self) -> Vec<CommandRecord> {
        self.incident
            .steps
            .iter()
            .filter(|s| matches!(s.meta.kind, StepKind::Run | StepKind::Capture))
            .filter_map(|s| {
                let command =
                    s.meta.command.clone().or_else(|| s.meta.argv.as_deref().map(crate::format::shell_line))?;
                let verdict = classify(&command);
                Some(CommandRecord {
                    step: s.meta.id.clone(),
                    kind: s.meta.kind,
                    at: s.meta.at,
                    command,
                    exit_code: s.meta.exit_code,
                    effect: verdict.effect,
                    reason: verdict.reason,
                })
            })
            .collect()
    }
}

fn join_missing(a: &str, b: &str) -> String {
    match (a.strip_suffix(" not recorded"), b.strip_suffix(" not recorded")) {
        (Some(a), Some(b)) => {
            let mut names: Vec<&str> = a.split(" and ").collect();
            names.push(b);
            let last = names.pop().unwrap_or_default();
            format!("{} and {last} not recorded", names.join(", "))
        }
        _ => format!("{a}; {b}"),
    }
}

/// Computes the metrics of `incident` as of `now`, with restart counts from its outputs.
/// Warnings name a step's file as `steps/<id>.md`.
pub fn compute(incident: &Incident, restarts: &[RestartObservation], now: Timestamp) -> Metrics {
    compute_named(incident, restarts, now, &|id| format!("steps/{id}.md"))
}

/// As [`compute`], with `step_file` naming a step's file (relative to the incident folder)
/// in warnings: a file written by hand may not be named after its id.
pub fn compute_named(
    incident: &Incident,
    restarts: &[RestartObservation],
    now: Timestamp,
    step_file: &dyn Fn(&str) -> String,
) -> Metrics {
    let mut b = Builder::new(incident, now, step_file);
    let time_to_detect = b.interval("time_to_detect", "Time to detect", Milestone::ImpactStart, Milestone::Detected);
    let time_to_diagnose =
        b.interval("time_to_diagnose", "Time to diagnose", Milestone::Detected, Milestone::Diagnosed);
    let (mitigation, note) = b.mitigation_start();
    let recovered = b.milestone(Milestone::Recovered);
    let recovery_span = b.span("recovery_time", mitigation, recovered);
    let recovery_time = Interval { key: "recovery_time", name: "Recovery time".into(), span: recovery_span, note };
    let time_to_recover = b.time_to_recover();
    let (fix_start, note) = b.permanent_fix_start();
    let fix_done = b.milestone(Milestone::PermanentFix);
    let fix_span = b.span("permanent_fix", fix_start, fix_done);
    let permanent_fix = Interval { key: "permanent_fix", name: "Permanent fix".into(), span: fix_span, note };
    let total_downtime = b.interval("total_downtime", "Total downtime", Milestone::ImpactStart, Milestone::Recovered);
    let discovery = b.discovery();
    let commands = b.commands();
    let changes: Vec<Timestamp> = commands.iter().filter(|c| c.effect == Effect::StateChanging).map(|c| c.at).collect();
    let restarts = b.restarts(restarts, &changes);
    let state_changing = commands.iter().filter(|c| c.effect == Effect::StateChanging).count();
    let unclassified = commands.iter().filter(|c| c.effect == Effect::Unknown).count();
    Metrics {
        origin: b.origin,
        milestones: b.milestones.values().cloned().collect(),
        ignored_milestones: b.ignored,
        discovery,
        intervals: vec![
            time_to_detect,
            time_to_diagnose,
            recovery_time,
            time_to_recover,
            permanent_fix,
            total_downtime,
        ],
        restarts,
        services_affected: incident.meta.services.clone(),
        services_unaffected: incident.meta.services_unaffected.clone(),
        commands_run: commands.len(),
        state_changing,
        unclassified,
        commands,
        warnings: b.warnings,
    }
}
