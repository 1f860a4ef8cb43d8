//! The shapes of the postmortem's data: what templates see and `--format json` prints.

use serde::Serialize;

use crate::metrics::Metrics;
use crate::model::Purpose;

#[derive(Debug, Serialize)]
pub struct PostmortemData {
    /// `2025-10-05 11:00`: when this was generated.
    pub generated_at: String,
    pub incident: IncidentData,
    pub metrics: MetricsData,
    pub impact: Impact,
    pub timeline: Vec<TimelineEntry>,
    pub detection: Option<Detection>,
    pub diagnosis: Diagnosis,
    pub options: Vec<OptionData>,
    pub resolution: Resolution,
    pub lessons: Lessons,
    pub actions: Vec<ActionData>,
    /// Every run/capture step with a command line.
    pub commands: Vec<CommandRow>,
    /// The mutation ledger: the state-changing commands only.
    pub changes: Vec<CommandRow>,
    /// Snapshot steps (cluster state taken by the tool), with links.
    pub snapshots: Vec<Evidence>,
    pub pictures: Pictures,
    /// Milestones refused, steps dated in the future, unreadable files.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct IncidentData {
    pub id: String,
    pub title: String,
    pub severity: Option<String>,
    pub status: String,
    pub services: Vec<String>,
    pub services_unaffected: Vec<String>,
    pub tags: Vec<String>,
    /// Who wrote incident.md and the steps, in order of first appearance.
    pub authors: Vec<String>,
    /// `2025-10-05 08:23`: the incident's start or its earliest step.
    pub started: String,
    /// `Sunday 2025-10-05`.
    pub date: String,
    /// `2025-10-05 09:30`: the first recovered milestone, if any.
    pub recovered: Option<String>,
    /// The first resolved milestone, if any.
    pub resolved: Option<String>,
    pub summary: String,
}

/// A moment on the record: a milestone or another step.
#[derive(Debug, Serialize, Clone)]
pub struct Moment {
    pub time: String,
    pub date_time: String,
    pub text: String,
    pub step: String,
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct MetricRow {
    pub key: String,
    pub name: String,
    pub value: String,
    pub known: bool,
    /// `08:23`, empty when unknown or not an interval.
    pub from: String,
    pub to: String,
    /// `[detected …](steps/….md) → [diagnosed …](steps/….md)` (Markdown).
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MetricsData {
    /// The table: discovery, the intervals, restarts, services, commands.
    pub rows: Vec<MetricRow>,
    /// The numbers as computed, for templates that want them raw.
    pub raw: Metrics,
}

#[derive(Debug, Serialize)]
pub struct Impact {
    pub start: Option<Moment>,
    pub services_affected: Vec<String>,
    pub services_unaffected: Vec<String>,
    /// `unknown (impact start not recorded)` or `3 hours 30 minutes`.
    pub downtime: String,
    /// `6,812 at 08:23`, when restarts were counted.
    pub restarts_peak: Option<String>,
    pub any: bool,
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub time: String,
    /// Set on the first entry of each day: `Sunday 2025-10-05`.
    pub day: Option<String>,
    pub kind: String,
    pub headline: String,
    /// `recovered`, when the step is a milestone that counts.
    pub milestone: Option<String>,
    /// For a milestone marked again after the one that counts: `recovered was marked first
    /// at 09:20`. Its `milestone` is empty: it is an ordinary entry.
    pub ignored: Option<String>,
    pub backdated: bool,
    /// `09:30` when backdated: when it was written down.
    pub recorded: Option<String>,
    pub step: String,
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct Detection {
    pub detected: Option<Moment>,
    pub acknowledged: Option<Moment>,
    /// `08:23`, from the detected milestone or the first step.
    pub discovered: String,
    pub discovered_from: String,
    pub time_to_detect: String,
}

#[derive(Debug, Serialize)]
pub struct Diagnosis {
    pub diagnosed: Option<Moment>,
    pub causes: Vec<Cause>,
    /// Outputs captured from discovery to diagnosis.
    pub evidence: Vec<Evidence>,
    pub any: bool,
}

#[derive(Debug, Serialize)]
pub struct Cause {
    pub text: String,
    pub trigger: Option<String>,
    pub time: String,
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct Evidence {
    pub time: String,
    pub headline: String,
    pub link: String,
    /// The whole output, when it was too big to keep inline.
    pub output_link: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OptionData {
    pub title: String,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    /// What `--detail` gave (the commands it takes…): Markdown, as written.
    pub detail: Option<String>,
    /// It is a choice that stands: the latest decision of a purpose (or of none) picked it.
    pub chosen: bool,
    /// For an option not chosen: the option that was (the first of `instead_for`).
    pub instead: Option<String>,
    /// For an option not chosen: each option that was, one per purpose (none first).
    pub instead_for: Vec<Choice>,
    /// When it was first picked, and why (every decision is in `decisions`).
    pub decided_at: Option<String>,
    pub why: Option<String>,
    /// Every decision that picked it, in order.
    pub decisions: Vec<DecisionData>,
    pub time: String,
    pub link: String,
}

/// A choice that stands: its option, and what for.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub title: String,
    pub purpose: Option<Purpose>,
}

#[derive(Debug, Serialize)]
pub struct DecisionData {
    pub time: String,
    pub why: Option<String>,
    /// `mitigation`, `permanent-fix`, or null (`decide` without `--for`).
    pub purpose: Option<Purpose>,
    /// The option the next decision of the same purpose picked instead, and when.
    pub replaced_by: Option<String>,
    pub replaced_at: Option<String>,
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct Phase {
    pub start: Option<Moment>,
    pub end: Option<Moment>,
    /// `30 minutes`, or `unknown (…)`.
    pub duration: String,
    /// State-changing commands made during the phase.
    pub changes: Vec<CommandRow>,
}

#[derive(Debug, Serialize)]
pub struct Resolution {
    pub recovery: Option<Phase>,
    pub permanent_fix: Option<Phase>,
    pub any: bool,
}

#[derive(Debug, Serialize)]
pub struct Lesson {
    pub text: String,
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct Lessons {
    pub worked: Vec<Lesson>,
    pub sucked: Vec<Lesson>,
    pub lucky: Vec<Lesson>,
    pub learned: Vec<Lesson>,
}

#[derive(Debug, Serialize)]
pub struct ActionData {
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct CommandRow {
    pub time: String,
    pub command: String,
    /// `0`, `1`, or `not recorded`.
    pub exit: String,
    pub effect: String,
    /// What the ledger saw: `systemctl stop k3s`.
    pub reason: String,
    pub link: String,
    pub output_link: Option<String>,
}

/// Pictures written beside the postmortem (file names relative to it).
#[derive(Debug, Serialize, Default)]
pub struct Pictures {
    pub timeline: Option<String>,
    pub restarts: Option<String>,
}
