//! What the lists, the feed and the search need of one incident: a small record kept in
//! memory (and in the publish cache), so pages can stream and be forgotten.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::markdown;
use super::paths;
use crate::clock::Timestamp;
use crate::model::{Incident, Milestone, Status, StepKind};

/// Characters of note text per incident in the search index, after the summary, causes,
/// decisions, lessons and actions: enough to find it by, small enough that the index of
/// thousands of incidents stays a few megabytes.
pub const SEARCH_TEXT_CHARS: usize = 600;

/// A bound on the words of the summary, causes, decisions, lessons and actions (short,
/// so always whole in practice; a pasted log in a cause must not swell the index).
pub const SEARCH_KEY_CHARS: usize = 8_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The vault folder name.
    pub slug: String,
    /// The incident page, relative to the site root.
    pub page: String,
    pub title: String,
    pub at: Timestamp,
    /// When the incident was opened: its `recorded_at`, or `at` in a file written by hand.
    /// The feed id's instant, which a later correction of `at` leaves alone.
    pub opened: Timestamp,
    pub severity: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// From impact start (or the incident's start) to resolution.
    pub duration_secs: Option<i64>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    /// The summary as plain text, for lists and the feed.
    pub summary: String,
    /// The time of the last step: the feed's `updated`.
    pub updated: Timestamp,
    pub internal: bool,
    pub has_postmortem: bool,
    /// Words from the notes, for the search index.
    pub search: String,
}

/// A tag or service as a link to its page.
#[derive(Serialize)]
pub struct Term {
    pub name: String,
    pub href: String,
}

/// What every page shows of an incident in its heading or its line in a list, with links
/// relative to the page `from`.
#[derive(Serialize)]
pub struct EntryView {
    pub title: String,
    pub date: String,
    pub date_iso: String,
    pub severity: Option<String>,
    pub status: String,
    pub duration: Option<String>,
    pub services: Vec<Term>,
    pub tags: Vec<Term>,
}

impl Entry {
    pub fn view(&self, from: &str) -> EntryView {
        let terms = |kind: &str, names: &[String]| {
            names
                .iter()
                .map(|n| Term { name: n.clone(), href: paths::link(from, &paths::term_page(kind, n, 1)) })
                .collect()
        };
        EntryView {
            title: self.title.clone(),
            date: crate::format::date_time(self.at),
            date_iso: self.at.to_rfc3339(),
            severity: self.severity.clone(),
            status: self.status.clone(),
            duration: self.duration(),
            services: terms("services", &self.services),
            tags: terms("tags", &self.tags),
        }
    }

    pub fn duration(&self) -> Option<String> {
        self.duration_secs.map(|s| crate::format::duration(Duration::seconds(s)))
    }
}

/// The `visibility:` values this tool knows.
pub const VISIBILITIES: [&str; 2] = ["public", "internal"];

/// Only an incident without `visibility:` or with `visibility: public` is public: any
/// other value (`internal`, or a `private` this tool does not know) keeps it out.
pub fn is_internal(incident: &Incident) -> bool {
    incident.meta.visibility.as_deref().is_some_and(|v| !v.trim().eq_ignore_ascii_case("public"))
}

/// `v` is one of [`VISIBILITIES`] (any other is kept out like `internal`, and reported).
pub fn known_visibility(v: &str) -> bool {
    VISIBILITIES.iter().any(|k| v.trim().eq_ignore_ascii_case(k))
}

/// From the impact start (or the incident's start) to `resolved` (or `recovered`); for a
/// resolved incident without those milestones, to its last step. `None` while open.
pub fn duration(incident: &Incident) -> Option<Duration> {
    let milestones = incident.milestones();
    let at = |m: Milestone| milestones.iter().find(|(ms, _)| *ms == m).map(|(_, s)| s.meta.at);
    let start = at(Milestone::ImpactStart).unwrap_or(incident.meta.at);
    let end = at(Milestone::Resolved).or_else(|| at(Milestone::Recovered)).or_else(|| {
        (incident.status() == Status::Resolved).then(|| incident.steps.last().map(|s| s.meta.at)).flatten()
    })?;
    Some(end - start).filter(|d| *d >= Duration::zero())
}

/// Distinct words, in order, up to a length.
#[derive(Default)]
struct Words {
    out: String,
    seen: std::collections::HashSet<String>,
}

impl Words {
    /// Adds the words of `md` while the text stays within `limit` bytes; false once full.
    fn add(&mut self, md: &str, limit: usize) -> bool {
        for word in markdown::plain_text(md).split_whitespace() {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if word.chars().count() < 3 || self.seen.contains(&word.to_lowercase()) {
                continue;
            }
            if self.out.len() + word.len() + 1 > limit {
                return false;
            }
            self.seen.insert(word.to_lowercase());
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.out.push_str(word);
        }
        true
    }
}

/// The steps that say what happened and why: their words are always searchable.
fn is_key_step(kind: StepKind) -> bool {
    matches!(kind, StepKind::Cause | StepKind::Decision | StepKind::Option | StepKind::Lesson | StepKind::Action)
}

/// Distinct words for the search index (the title, tags and services are indexed on
/// their own): the summary and every cause, decision, lesson and action whole (up to
/// [`SEARCH_KEY_CHARS`]), then the other notes up to [`SEARCH_TEXT_CHARS`] more.
pub fn search_text(incident: &Incident) -> String {
    let mut words = Words::default();
    words.add(&incident.summary, SEARCH_KEY_CHARS);
    for step in incident.steps.iter().filter(|s| is_key_step(s.meta.kind)) {
        let m = &step.meta;
        let fields = [&m.title, &m.trigger, &m.option, &m.why].into_iter().flatten().chain(&m.pros).chain(&m.cons);
        for text in fields.map(String::as_str).chain([step.body.as_str()]) {
            words.add(text, SEARCH_KEY_CHARS);
        }
    }
    let limit = words.out.len() + SEARCH_TEXT_CHARS;
    let notes = incident.steps.iter().filter(|s| !is_key_step(s.meta.kind) && s.meta.kind != StepKind::Snapshot);
    for step in notes {
        if !words.add(&step.body, limit) {
            break;
        }
    }
    words.out
}

pub fn entry(incident: &Incident, has_postmortem: bool) -> Entry {
    let meta = &incident.meta;
    let summary = super::html::xml_safe(&markdown::plain_text(&incident.summary));
    let summary = crate::format::first_line(&summary.split_whitespace().collect::<Vec<_>>().join(" "), 280);
    Entry {
        slug: incident.slug.clone(),
        page: paths::incident_page(&incident.slug),
        // Controls (ESC, \x01) would reach the search index raw; the pages drop them too.
        title: super::html::xml_safe(&meta.title),
        // Where `status` and the postmortem start it: a backdated impact-start moves it.
        at: incident.started_at(),
        opened: meta.recorded_at.unwrap_or(meta.at),
        severity: meta.severity.clone().filter(|s| !s.trim().is_empty()),
        status: incident.status().as_str().to_string(),
        duration_secs: duration(incident).map(|d| d.num_seconds()),
        services: clean_terms(&meta.services),
        tags: clean_terms(&meta.tags),
        summary,
        updated: incident.steps.iter().map(|s| s.meta.at).max().unwrap_or(meta.at).max(meta.at),
        internal: is_internal(incident),
        has_postmortem,
        search: super::html::without_controls(search_text(incident)),
    }
}

/// Trimmed, without empties and repeats (`DNS` and `dns` are one tag; `C++` and `c` two).
fn clean_terms(terms: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    terms
        .iter()
        .map(|t| super::html::xml_safe(t.trim()))
        .filter(|t| !t.is_empty() && seen.insert(paths::term_key(t)))
        .collect()
}

/// Newest first; the same start time falls back to the folder name.
pub fn sort_newest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.slug.cmp(&a.slug)));
}

/// An entry with every field set, for tests.
#[cfg(test)]
pub fn sample(slug: &str) -> Entry {
    let at = chrono::DateTime::parse_from_rfc3339("2025-10-05T08:00:00+02:00").unwrap();
    Entry {
        slug: slug.to_string(),
        page: paths::incident_page(slug),
        title: "DNS loop".to_string(),
        at,
        opened: at,
        severity: Some("SEV2".to_string()),
        status: "resolved".to_string(),
        duration_secs: Some(1320),
        services: vec!["coredns".to_string()],
        tags: vec!["k3s".to_string()],
        summary: "CoreDNS looped".to_string(),
        updated: at,
        internal: false,
        has_postmortem: true,
        search: "coredns loop".to_string(),
    }
}
