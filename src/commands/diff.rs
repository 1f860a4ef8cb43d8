//! `incident diff [A] [B]`: what changed between two snapshots of the incident
//! (default: the last two). Reads only; records nothing.

use serde::Serialize;

use crate::cli::DiffArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format;
use crate::kube::Summary;
use crate::kube::diff::{Diff, diff};
use crate::kube::scope::comparable;
use crate::model::{Step, StepKind};
use crate::ui::{BOLD, DIM, Ui, paint};
use crate::vault::{IncidentRef, Vault};

/// The incident's snapshots that hold a summary (failed ones hold an error), in time order.
pub fn snapshots(vault: &Vault, incident: &IncidentRef, ui: &Ui) -> Result<Vec<(Step, Summary)>> {
    let (steps, warnings) = vault.steps_of_kind(incident, StepKind::Snapshot)?;
    for w in warnings {
        ui.warn(&w.to_string());
    }
    let mut out = Vec::new();
    for step in steps {
        // A failed snapshot holds an error, not facts.
        let Some(summary) = step.meta.facts.clone() else { continue };
        // A big cluster's facts keep only some pods; its saved API objects hold them all.
        let summary = match (&step.meta.output_file, summary.truncated) {
            (Some(file), true) => match whole(&incident.dir.join(file), &step, &summary) {
                Ok(whole) => whole,
                Err(why) => {
                    ui.warn(&format!("{}: {why}; using the pods its facts kept", step.meta.id));
                    summary
                }
            },
            _ => summary,
        };
        out.push((step, summary));
    }
    Ok(out)
}

/// The whole summary of a snapshot, from its saved API objects.
fn whole(path: &std::path::Path, step: &Step, facts: &Summary) -> std::result::Result<Summary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut s = crate::kube::summarise_json_at(&text, step.meta.at.timestamp())
        .map_err(|e| format!("{} is not Kubernetes JSON: {e}", path.display()))?;
    s.source = facts.source.clone();
    s.context = facts.context.clone();
    s.namespace = facts.namespace.clone();
    Ok(s)
}

fn pick<'a>(all: &'a [(Step, Summary)], sel: &str) -> Result<&'a (Step, Summary)> {
    let found: Vec<&(Step, Summary)> = all.iter().filter(|(s, _)| s.meta.id.contains(sel)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::user_hint(
            format!("no snapshot of this incident matches {sel:?}"),
            "`incident show` lists the steps; give part of a snapshot's id",
        )),
        many => Err(Error::user_hint(format!("{sel:?} matches {} snapshots", many.len()), "give more of the id")),
    }
}

#[derive(Serialize)]
struct DiffJson<'a> {
    a: &'a str,
    b: &'a str,
    /// Said before the changes: the files compared, snapshots of other servers or contexts, or
    /// compared in one namespace.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scope: &'a [String],
    #[serde(flatten)]
    diff: &'a Diff,
}

pub fn run(cfg: &Config, ui: &Ui, args: &DiffArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let incident = cfg.pick_incident(&vault, None)?;
    let all = snapshots(&vault, &incident, ui)?;
    let (a, b) = match (&args.a, &args.b) {
        (Some(a), Some(b)) => (pick(&all, a)?, pick(&all, b)?),
        (Some(a), None) => {
            let last = all.last().ok_or_else(no_snapshots)?;
            (pick(&all, a)?, last)
        }
        _ => match all.as_slice() {
            [.., a, b] => (a, b),
            _ => {
                // Failed snapshots are steps too: said, so "0 snapshots" does not puzzle.
                let failed = vault.steps_of_kind(&incident, StepKind::Snapshot)?.0.len().saturating_sub(all.len());
                let had = match failed {
                    0 => format::plural(all.len() as u64, "snapshot"),
                    n => format!(
                        "{} and {n} failed (they hold an error, not the cluster's state)",
                        format::plural(all.len() as u64, "snapshot"),
                    ),
                };
                return Err(Error::user_hint(
                    format!("{} has {had}; a diff needs two", incident.slug),
                    "take another with `incident snapshot`",
                ));
            }
        },
    };
    // Always earlier to later: restart counts only run forward (a lower count later is a reset,
    // all new restarts), so newest first would read 9 → 5 as "+5 restarts". Said, not silent.
    let given_newest_first = b.0.meta.at < a.0.meta.at;
    let (a, b) = if given_newest_first { (b, a) } else { (a, b) };
    let (mut sa, mut sb) = (a.1.clone(), b.1.clone());
    let mut scope = comparable(&mut sa, &mut sb).map_err(|why| {
        Error::user_hint(
            format!("cannot compare {} with {}: {why}", a.0.meta.id, b.0.meta.id),
            "give two snapshots of the same namespace: `incident diff A B` (`incident show` lists them)",
        )
    })?;
    if given_newest_first {
        let note = format!(
            "given newest first: compared from the earlier {} to the later {} (restart counts only run forward)",
            a.0.meta.id, b.0.meta.id
        );
        scope.insert(0, note);
    }
    let d = diff(&sa, &sb);
    if args.json {
        let json = DiffJson { a: &a.0.meta.id, b: &b.0.meta.id, scope: &scope, diff: &d };
        ui.out(&serde_json::to_string_pretty(&json).expect("diff serializes"));
        return Ok(0);
    }
    let mut out = String::new();
    // Before the changes: a "node IP changed" between two clusters is no finding.
    for note in &scope {
        out.push_str(&paint(BOLD, format!("note: {note}")));
        out.push('\n');
    }
    let lines = d.lines();
    out.push_str(&paint(BOLD, &lines[0]));
    out.push('\n');
    for line in &lines[1..] {
        out.push_str(line);
        out.push('\n');
    }
    let when = |s: &Step| format!("{} ({})", format::date_time(s.meta.at), s.meta.id);
    out.push_str(&paint(DIM, format!("from {} to {}", when(&a.0), when(&b.0))));
    ui.out(&out);
    Ok(0)
}

fn no_snapshots() -> Error {
    Error::user_hint("this incident has no snapshots", "take one with `incident snapshot`")
}
