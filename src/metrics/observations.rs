//! Restart counts read from an incident's outputs and snapshots, for the metrics.

use super::{PodCount, RestartObservation, pod_keys, scope};
use crate::format;
use crate::model::{Incident, StepKind};

/// Restart counts (`facts.restarts_total`) in the incident's outputs and snapshots, in
/// timeline order. A run or capture step without `facts` has them read from its body.
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
    let mut observations: Vec<RestartObservation> = incident
        .steps
        .iter()
        .filter(|s| s.meta.kind.has_output())
        .filter_map(|s| {
            let extracted;
            let output_in_body = matches!(s.meta.kind, StepKind::Capture | StepKind::Run);
            let facts = match &s.meta.facts {
                Some(facts) if bodies == Bodies::CompareWithFacts && output_in_body && s.meta.output_file.is_none() => {
                    extracted = crate::extract::extract(&s.body, crate::extract::Hint::Auto);
                    // A body without a count (the output cut away, facts written by
                    // hand) leaves the recorded facts in force.
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
                        &extracted
                    }
                }
                Some(facts) => facts,
                // Written by hand (in Obsidian, say): the output in its body is read as
                // `incident capture` reads it.
                None if output_in_body && (bodies != Bodies::ReadHandWritten || s.meta.recorded_at.is_none()) => {
                    extracted = crate::extract::extract(&s.body, crate::extract::Hint::Auto);
                    &extracted
                }
                None => return None,
            };
            let total = facts.restarts_total?;
            let command = s.meta.command.clone().or_else(|| s.meta.argv.as_ref().map(shell_words::join));
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
            let scope = scope::of(command.as_deref(), snapshot_namespace);
            Some(RestartObservation { at: s.meta.at, total, step: s.meta.id.clone(), scope, pods })
        })
        .collect();
    pod_keys::qualify_bare_names(&mut observations);
    (observations, warnings)
}
