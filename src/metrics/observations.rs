//! Restart counts read from an incident's outputs and snapshots, for the metrics.

use super::{PodCount, RestartObservation, pod_keys, scope};
use crate::extract::{self, Hint};
use crate::format;
use crate::model::{Incident, StepKind};

/// Restart counts in the incident's outputs and snapshots, in timeline order: each listing's
/// sum (`facts.restarts_total`) and each total a command printed by summing `restartCount`
/// (`facts.restart_sum`, scoped by that command). A run or capture step without `facts`, or
/// whose command sums `restartCount`, has them read from its body.
pub fn restart_observations(incident: &Incident) -> Vec<RestartObservation> {
    observations(incident, Bodies::ReadWithoutFacts).0
}

/// As [`restart_observations`], but an output `incident` recorded (it has `recorded_at`)
/// and found no facts in is not read again: for a publish, which must not read every
/// output of the vault (most hold no facts, so have no `facts` key). Steps written by hand
/// are read, as everywhere.
pub fn recorded_restart_observations(incident: &Incident) -> Vec<RestartObservation> {
    observations(incident, Bodies::ReadHandWritten).0
}

/// How much of the output bodies is read for restart counts.
#[derive(Clone, Copy, PartialEq)]
enum Bodies {
    ReadHandWritten,
    ReadWithoutFacts,
    CompareWithFacts,
}

/// As [`restart_observations`], and a warning for each run or capture step whose body
/// (holding the whole output: not spooled to a file) gives a restart count other than its
/// recorded `facts`: the output was edited since it was recorded, and the body's count is
/// the one used.
pub fn restart_observations_checked(incident: &Incident) -> (Vec<RestartObservation>, Vec<String>) {
    observations(incident, Bodies::CompareWithFacts)
}

fn observations(incident: &Incident, bodies: Bodies) -> (Vec<RestartObservation>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut observations: Vec<RestartObservation> = Vec::new();
    for s in incident.steps.iter().filter(|s| s.meta.kind.has_output()) {
        let output_in_body = matches!(s.meta.kind, StepKind::Capture | StepKind::Run);
        let whole_body = output_in_body && s.meta.output_file.is_none();
        let command = s.meta.command.clone().or_else(|| s.meta.argv.as_ref().map(shell_words::join));
        // `… | jq '[…restartCount] | add'` printing `6812`: recorded without facts (a lone
        // number says nothing without its command), so its body is read.
        let sums = command.as_deref().is_some_and(extract::sums_restart_counts);
        let read_body = output_in_body
            && match &s.meta.facts {
                Some(facts) => {
                    (bodies == Bodies::CompareWithFacts || (sums && facts.restart_sum.is_none())) && whole_body
                }
                // Written by hand (in Obsidian, say): the output in its body is read as
                // `incident capture` reads it.
                None => bodies != Bodies::ReadHandWritten || s.meta.recorded_at.is_none() || sums,
            };
        let extracted = read_body.then(|| extract::extract_output(&s.body, Hint::Auto, command.as_deref()));
        let facts = match (&s.meta.facts, &extracted) {
            (Some(facts), Some(extracted)) => {
                // A body without a count (the output cut away, facts written by hand)
                // leaves the recorded facts in force.
                if extracted.restarts_total.is_none() || extracted.restarts_total == facts.restarts_total {
                    facts
                } else {
                    let count = |n: Option<u64>| n.map_or("no restart count".into(), |n| format::plural(n, "restart"));
                    warnings.push(format!(
                        "step {}: its output was edited since it was recorded ({} in its body, {} in its recorded facts); the body's are used",
                        s.meta.id,
                        count(extracted.restarts_total),
                        count(facts.restarts_total)
                    ));
                    extracted
                }
            }
            (Some(facts), None) => facts,
            (None, Some(extracted)) => extracted,
            (None, None) => continue,
        };
        let sum = facts.restart_sum.as_ref().or_else(|| extracted.as_ref().and_then(|e| e.restart_sum.as_ref()));
        if let Some(sum) = sum {
            observations.push(RestartObservation {
                at: s.meta.at,
                total: sum.total,
                step: s.meta.id.clone(),
                scope: scope::of(Some(&sum.command), None),
                pods: Vec::new(),
            });
        }
        let Some(total) = facts.restarts_total else { continue };
        // Facts recorded before `cut_short` was: the body still shows its `...` line.
        let cut = facts.cut_short
            || s.meta.output_closed
            || match &extracted {
                Some(extracted) => extracted.cut_short,
                None => whole_body && extract::extract(&s.body, Hint::Pods).cut_short,
            };
        let listed_in = facts.namespace.clone().or_else(|| command.as_deref().and_then(pod_keys::namespace_of));
        let pods = facts
            .pods
            .iter()
            .map(|p| PodCount {
                key: pod_keys::key(p.namespace.as_deref(), &p.name, listed_in.as_deref()),
                uid: p.uid.clone(),
                restarts: p.restarts,
            })
            .collect();
        let snapshot_namespace = (s.meta.kind == StepKind::Snapshot).then_some(facts.namespace.as_deref());
        let scope = if cut && snapshot_namespace.is_none() {
            scope::partial(command.as_deref())
        } else {
            scope::of(command.as_deref(), snapshot_namespace)
        };
        observations.push(RestartObservation { at: s.meta.at, total, step: s.meta.id.clone(), scope, pods });
    }
    pod_keys::qualify_bare_names(&mut observations);
    (observations, warnings)
}
