//! Plain data: incidents, steps and their kinds. No IO here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::extract::Facts;

mod incident_meta;
mod kinds;
pub mod step_id;
pub use incident_meta::IncidentMeta;
pub use kinds::{LessonKind, Milestone, Purpose, StepKind};

/// The frontmatter of a step file. Kind-specific fields are optional and left out
/// when empty, so every file carries only what it means.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StepMeta {
    /// Missing in a hand-written file: the file name stands in.
    #[serde(default)]
    pub id: String,
    #[serde(default = "StepKind::other")]
    pub kind: StepKind,
    #[serde(deserialize_with = "crate::lenient::time")]
    pub at: Timestamp,
    /// The file's `at` had no UTC offset (written by hand, or by Obsidian's date property):
    /// read as UTC until [`Incident::place_local_times`] puts it in the incident's offset.
    #[serde(skip)]
    pub at_without_offset: bool,
    /// When it was written; differs from `at` when backdated with `--at`.
    #[serde(default, deserialize_with = "crate::lenient::optional_time", skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,

    // run, capture
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spawn_error: Option<String>,
    /// `run … | head -1`: the reader closed our output, so the command was stopped there
    /// (its next write got SIGPIPE) and the output is what it printed until then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub output_closed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_sha256: Option<String>,
    /// Relative to the incident folder: `outputs/<id>.out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_file: Option<String>,

    // milestone
    #[serde(default, deserialize_with = "crate::lenient::optional_milestone", skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,

    // option, decision
    #[serde(default, deserialize_with = "crate::lenient::list", skip_serializing_if = "Vec::is_empty")]
    pub pros: Vec<String>,
    #[serde(default, deserialize_with = "crate::lenient::list", skip_serializing_if = "Vec::is_empty")]
    pub cons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_id: Option<String>,
    /// A decision's `--for`: `mitigation` or `permanent-fix`; none without `--for`. A
    /// value of neither (a typo by hand) reads as none, and the reader warns.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "Purpose::lenient")]
    pub purpose: Option<Purpose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,

    // cause, lesson, action
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,

    // attach
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_sha256: Option<String>,

    /// A check's finding: kind, title, evidence, next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<crate::kube::check::Finding>,
    /// What a watch step saw over its interval (or the whole watch, for the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<crate::kube::watch::WatchStats>,
    /// A failure that is itself evidence: the cluster refused, timed out, denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StepError>,

    /// Redactions made before writing, by rule (counts, never values).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub redactions: BTreeMap<String, u64>,
    /// `off` when the step was written with `--no-redact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<String>,
    /// What extraction found in the step's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
}

impl StepMeta {
    pub fn new(id: String, kind: StepKind, at: Timestamp, recorded_at: Timestamp) -> StepMeta {
        StepMeta {
            id,
            kind,
            at,
            at_without_offset: false,
            recorded_at: Some(recorded_at),
            author: None,
            host: None,
            title: None,
            command: None,
            argv: None,
            cwd: None,
            exit_code: None,
            signal: None,
            spawn_error: None,
            output_closed: false,
            duration_ms: None,
            output_bytes: None,
            output_sha256: None,
            output_file: None,
            milestone: None,
            pros: Vec::new(),
            cons: Vec::new(),
            option: None,
            option_id: None,
            why: None,
            purpose: None,
            trigger: None,
            lesson: None,
            owner: None,
            due: None,
            attachment: None,
            attachment_sha256: None,
            finding: None,
            watch: None,
            error: None,
            redactions: BTreeMap::new(),
            redaction: None,
            facts: None,
        }
    }

    /// Recorded later than it happened (`--at`): shown as such in timelines.
    pub fn is_backdated(&self) -> bool {
        self.recorded_at.is_some_and(|r| (r - self.at).num_seconds().abs() >= 1)
    }

    pub fn recorded(&self) -> Timestamp {
        self.recorded_at.unwrap_or(self.at)
    }
}

/// Why a step's request failed: `connection_refused`, `timeout`, `tls`, `unauthorized`, …
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StepError {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub message: String,
}

/// One step: its frontmatter and the Markdown a person reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub meta: StepMeta,
    pub body: String,
}

/// An incident read from disk: its meta, summary and steps in timeline order.
#[derive(Clone, Debug)]
pub struct Incident {
    /// The folder name under `incidents/`.
    pub slug: String,
    pub meta: IncidentMeta,
    pub summary: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Resolved => "resolved",
        }
    }
}

impl Incident {
    /// The first step of each milestone kind, in timeline order; milestones of one instant
    /// in the order they happen (mitigated before recovered), whatever order they were written in.
    pub fn milestones(&self) -> Vec<(Milestone, &Step)> {
        let mut seen = Vec::new();
        for step in &self.steps {
            if let Some(m) = step.meta.milestone
                && !seen.iter().any(|(s, _): &(Milestone, &Step)| *s == m)
            {
                seen.push((m, step));
            }
        }
        seen.sort_by_key(|(m, step)| (step.meta.at, *m));
        seen
    }

    /// When the incident started: its own start, or an `impact-start` before it (marked
    /// after the fact). Any other milestone before it is mis-dated (warned about as before
    /// the incident's start), not the start; a note days before (a lease renewal) is context.
    pub fn started_at(&self) -> Timestamp {
        let own = self.own_start();
        let impact = self.milestones().into_iter().filter(|(m, _)| *m == Milestone::ImpactStart);
        impact.map(|(_, s)| s.meta.at).chain([own]).min().unwrap_or(own)
    }

    /// `meta.at`; for a day without a time, the first step on that day instead of midnight.
    fn own_start(&self) -> Timestamp {
        self.first_step_of_the_day().map_or(self.meta.at, |s| s.meta.at)
    }

    fn first_step_of_the_day(&self) -> Option<&Step> {
        let day = self.meta.at.date_naive();
        self.steps.iter().filter(|s| self.meta.day_only && s.meta.at.date_naive() == day).min_by_key(|s| s.meta.at)
    }

    /// The offset times are shown in: that of `meta.at`, unless that is a bare day's
    /// stand-in midnight (UTC), then that of the first step of the day (or of any step).
    pub fn own_offset(&self) -> chrono::FixedOffset {
        let step = if self.meta.day_only { self.first_step_of_the_day().or(self.steps.first()) } else { None };
        *step.map_or(self.meta.at, |s| s.meta.at).offset()
    }

    pub fn status(&self) -> Status {
        status_from(self.meta.status.as_deref(), self.steps.iter().filter_map(|s| s.meta.milestone))
    }

    /// Times written without an offset (by hand, or by Obsidian's date property) meant the
    /// incident's local time, not UTC: moves them there and puts the timeline back in order.
    /// A step's time takes the offset of the nearest step before it on the wall clock that
    /// has one (after a daylight-saving change, the new one); before any, `incident.md`'s,
    /// or, when it has none (or names only a day), that of the first step that has one.
    pub fn place_local_times(&mut self) {
        let own_naive = self.meta.at_without_offset && !self.meta.day_only;
        if !own_naive && !self.steps.iter().any(|s| s.meta.at_without_offset) {
            return;
        }
        let offset = if self.meta.day_only || own_naive {
            self.steps
                .iter()
                .find(|s| !s.meta.at_without_offset)
                .map_or(*self.meta.at.offset(), |s| *s.meta.at.offset())
        } else {
            *self.meta.at.offset()
        };
        if own_naive {
            self.meta.at = in_offset(self.meta.at, offset);
            self.meta.at_without_offset = false;
        }
        // Wall-clock time → offset of the steps that have one, in wall-clock order.
        let mut known: Vec<(chrono::NaiveDateTime, chrono::FixedOffset)> = self
            .steps
            .iter()
            .filter(|s| !s.meta.at_without_offset)
            .map(|s| (s.meta.at.naive_local(), *s.meta.at.offset()))
            .collect();
        known.sort_by_key(|(t, _)| *t);
        for step in self.steps.iter_mut().filter(|s| s.meta.at_without_offset) {
            let wall = step.meta.at.naive_utc();
            let before = known.partition_point(|(t, _)| *t <= wall);
            let own = before.checked_sub(1).map_or(offset, |i| known[i].1);
            step.meta.at = in_offset(step.meta.at, own);
        }
        sort_timeline(&mut self.steps);
    }
}

/// The values of a hand-written `status:` in `incident.md` (any case); the last two resolve.
pub const WRITTEN_STATUSES: [&str; 3] = ["open", "resolved", "closed"];

/// Whether `status:` holds one of [`WRITTEN_STATUSES`].
pub fn is_written_status(s: &str) -> bool {
    WRITTEN_STATUSES.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Resolved when a `resolved` milestone exists; a hand-written `status:` says the same.
pub fn status_from(written: Option<&str>, milestones: impl IntoIterator<Item = Milestone>) -> Status {
    let resolved = milestones.into_iter().any(|m| m == Milestone::Resolved)
        || matches!(written, Some(s) if WRITTEN_STATUSES[1..].iter().any(|w| s.eq_ignore_ascii_case(w)));
    if resolved { Status::Resolved } else { Status::Open }
}

/// The same wall-clock time as `at` (read as UTC), in `offset`.
pub fn in_offset(at: Timestamp, offset: chrono::FixedOffset) -> Timestamp {
    at.naive_utc().and_local_timezone(offset).single().unwrap_or(at)
}

/// Orders steps on the timeline: by when it happened, then when it was written, then in
/// the order they were written (the sequence in their ids, [`step_id`]).
pub fn sort_timeline(steps: &mut [Step]) {
    let key = |s: &Step| (s.meta.at, s.meta.recorded());
    steps.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| step_id::cmp_ties(&a.meta.id, &b.meta.id)));
    for ties in steps.chunk_by_mut(|a, b| key(a) == key(b)).filter(|g| g.len() > 1) {
        step_id::start_after_widest_gap(ties);
    }
}

impl Step {
    /// One line for timelines: what happened, without the details.
    pub fn headline(&self) -> String {
        use crate::format::first_line;
        let m = &self.meta;
        // The first line of text: a code fence's opening line (```bash) says nothing.
        let body_line = || {
            let is_fence = |l: &str| l.trim_start().starts_with("```") || l.trim_start().starts_with("~~~");
            let text: Vec<&str> = self.body.lines().filter(|l| !l.trim().is_empty() && !is_fence(l)).take(1).collect();
            // Markdown read as text before the cut: a cut inside `**x**` or `[x](y)` leaves
            // syntax no viewer renders (and escaped in the postmortem, shown raw).
            crate::format::cut_words(&crate::format::markdown_plain(text.first().copied().unwrap_or("")), 100)
        };
        match m.kind {
            StepKind::Run | StepKind::Capture => {
                let what = m
                    .title
                    .clone()
                    .or_else(|| m.command.as_ref().map(|c| format!("$ {}", first_line(c, 90))))
                    .unwrap_or_else(|| "captured output".to_string());
                match (m.exit_code, &m.spawn_error) {
                    (_, Some(_)) => format!("{what} (could not start)"),
                    (Some(code), None) if code != 0 => format!("{what} (exit {code})"),
                    _ => what,
                }
            }
            StepKind::Milestone => {
                let label = m.milestone.map(|ms| ms.label()).unwrap_or("Milestone");
                let text = body_line();
                if text.is_empty() || text == label { label.to_string() } else { format!("{label}: {text}") }
            }
            StepKind::Option => format!("option: {}", m.title.clone().unwrap_or_else(body_line)),
            StepKind::Decision => {
                let what = m.option.clone().unwrap_or_else(body_line);
                match m.purpose {
                    Some(p) => format!("decided: {what} as {}", p.label()),
                    None => format!("decided: {what}"),
                }
            }
            StepKind::Lesson => {
                format!("{}: {}", m.lesson.map(|l| l.as_str()).unwrap_or("lesson"), body_line())
            }
            StepKind::Attach => {
                let what = m.title.as_deref().map(|t| first_line(t, 100)).or_else(|| m.attachment.clone());
                format!("attached {}", what.unwrap_or_else(body_line))
            }
            _ => m.title.clone().unwrap_or_else(body_line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Incident, IncidentMeta, Milestone, Step, StepKind, StepMeta};

    #[test]
    fn milestones_of_one_instant_come_in_the_order_they_happen() {
        let at = chrono::DateTime::parse_from_rfc3339("2025-10-05T09:30:00-05:00").unwrap();
        let step = |id: &str, m: Milestone| {
            let mut meta = StepMeta::new(id.into(), StepKind::Milestone, at, at);
            meta.milestone = Some(m);
            Step { meta, body: String::new() }
        };
        let (meta, _): (IncidentMeta, &str) =
            crate::frontmatter::parse("---\ntitle: x\nat: 2025-10-05T08:23:00-05:00\n---\n").unwrap();
        // Files in timeline order: same instant, ids that put recovered first.
        let steps =
            vec![step("a", Milestone::Recovered), step("b", Milestone::Mitigated), step("c", Milestone::Recovered)];
        let incident = Incident { slug: "x".into(), meta, summary: String::new(), steps };
        let found: Vec<(Milestone, &str)> =
            incident.milestones().into_iter().map(|(m, s)| (m, s.meta.id.as_str())).collect();
        assert_eq!(found, [(Milestone::Mitigated, "b"), (Milestone::Recovered, "a")]);
    }

    #[test]
    fn incident_meta_takes_at_opened_at_or_date() {
        let both = "---\ntitle: x\ndate: 2019-01-01T03:04:00Z\nopened_at: 2019-01-01T03:05:00Z\n---\n";
        let (meta, _): (IncidentMeta, &str) = crate::frontmatter::parse(both).unwrap();
        assert_eq!(meta.at.to_rfc3339(), "2019-01-01T03:05:00+00:00");
        let date = "---\ntitle: x\ndate: 2019-01-01T03:04:00Z\n---\n";
        let (meta, _): (IncidentMeta, &str) = crate::frontmatter::parse(date).unwrap();
        assert_eq!(meta.at.to_rfc3339(), "2019-01-01T03:04:00+00:00");
        // Obsidian's date-only property: the start of that day in UTC.
        let obsidian = "---\ntitle: x\ndate: 2025-10-05\ntags:\nservices: k3s\n---\n";
        let (meta, _): (IncidentMeta, &str) = crate::frontmatter::parse(obsidian).unwrap();
        assert_eq!(meta.at.to_rfc3339(), "2025-10-05T00:00:00+00:00");
        assert!(meta.tags.is_empty());
        assert_eq!(meta.services, ["k3s"]);
        let none = "---\ntitle: x\n---\n";
        let err = crate::frontmatter::parse::<IncidentMeta>(none).unwrap_err();
        assert!(err.message.contains("missing field `at`"), "{err}");
    }
}
