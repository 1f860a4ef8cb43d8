//! The postmortem's data: everything the template sees, built from an incident and its
//! metrics, with times already formatted (tera 2 has no date filter) and links relative
//! to the incident folder, so they work in Obsidian and on GitHub alike.
//!
//! `incident postmortem --format json` prints exactly this structure.

use std::collections::HashMap;

use crate::clock::Timestamp;
use crate::format;
use crate::metrics::{CommandRecord, Effect, Metrics, Point, Span};
use crate::model::{Incident, LessonKind, Milestone, Step, StepKind};

/// The built-in postmortem templates, embedded at build time.
pub const TEMPLATES: &[(&str, &str)] = &[(DEFAULT_TEMPLATE, include_str!("../../templates/postmortem.md.tera"))];

pub const DEFAULT_TEMPLATE: &str = "postmortem.md.tera";
/// The pictures beside the default `postmortem.md` ([`picture_names`] of it).
pub const TIMELINE_SVG: &str = "postmortem-timeline.svg";
pub const RESTARTS_SVG: &str = "postmortem-restarts.svg";

/// The timeline's and the restarts chart's file names beside the postmortem file `out`:
/// named after its stem, so two postmortems written into one folder keep their own.
pub fn picture_names(out: &std::path::Path) -> (String, String) {
    let stem = out.file_stem().map_or_else(|| "postmortem".into(), |s| s.to_string_lossy());
    (format!("{stem}-timeline.svg"), format!("{stem}-restarts.svg"))
}

mod data;

pub use data::*;

/// What the builder needs besides the incident and its metrics.
pub struct Inputs<'a> {
    pub now: Timestamp,
    /// A step id → its file, relative to the incident folder (`steps/<id>.md`).
    pub step_file: &'a dyn Fn(&str) -> String,
    /// Put before every link: empty beside the incident folder's files, `../incidents/x/`
    /// for a postmortem written elsewhere.
    pub link_prefix: String,
    pub pictures: Pictures,
    /// Warnings met while loading (unreadable files), shown with the metrics' own.
    pub load_warnings: Vec<String>,
}

struct Ctx<'a> {
    incident: &'a Incident,
    step_file: &'a dyn Fn(&str) -> String,
    prefix: String,
    by_id: HashMap<&'a str, &'a Step>,
}

impl Ctx<'_> {
    fn link(&self, id: &str) -> String {
        format!("{}{}", self.prefix, link_path(&(self.step_file)(id)))
    }

    fn output_link(&self, step: &Step) -> Option<String> {
        step.meta.output_file.as_ref().map(|f| format!("{}{}", self.prefix, link_path(f)))
    }

    /// A metric's endpoint: the time, with the date when it is not the incident's first day.
    fn endpoint(&self, t: Timestamp) -> String {
        format::endpoint(t, self.incident.started_at())
    }

    fn step(&self, id: &str) -> Option<&Step> {
        self.by_id.get(id).copied()
    }

    fn moment(&self, step: &Step) -> Moment {
        let text = match step.meta.kind {
            StepKind::Milestone => {
                let label = step.meta.milestone.map(|m| m.label()).unwrap_or("Milestone");
                let body = step.body.trim();
                if body.is_empty() || body == label { String::new() } else { body.to_string() }
            }
            _ => step.headline(),
        };
        Moment {
            time: format::clock(step.meta.at),
            date_time: format::date_time(step.meta.at),
            text,
            step: step.meta.id.clone(),
            link: self.link(&step.meta.id),
        }
    }

    fn milestone(&self, m: Milestone, now: Timestamp) -> Option<Moment> {
        self.incident.steps.iter().find(|s| s.meta.milestone == Some(m) && s.meta.at <= now).map(|s| self.moment(s))
    }

    fn point_link(&self, p: &Point) -> String {
        format!("{} [{}]({})", p.what, p.step, self.link(&p.step))
    }

    fn command_row(&self, c: &CommandRecord) -> CommandRow {
        let output_link = self.step(&c.step).and_then(|s| self.output_link(s));
        CommandRow {
            time: format::clock(c.at),
            command: c.command.clone(),
            exit: c.exit_code.map_or_else(|| "not recorded".to_string(), |e| e.to_string()),
            effect: c.effect.as_str().to_string(),
            reason: c.reason.clone(),
            link: self.link(&c.step),
            output_link,
        }
    }
}

/// A file name as a Markdown link target: `steps/a b (copy).md` would end the link early.
fn link_path(path: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'(').add(b')').add(b'<').add(b'>').add(b'[').add(b']').add(b'%');
    percent_encoding::utf8_percent_encode(path, UNSAFE).to_string()
}

/// Puts the steps' times in the incident's own offset ([`Incident::own_offset`]), so a
/// step written by a responder in another time zone lands on the right line and day; but a
/// step from the incident's own host an hour off its offset keeps its own: that is the
/// host's zone after a daylight-saving change (03:10-05:00 after 01:40-06:00 is 03:10 on
/// the wall, not 02:10), and the timeline says its offset. A responder an hour away on
/// another host (London and Berlin) is converted. The instants do not change.
pub fn use_incident_offset(incident: &mut Incident) {
    let tz = incident.own_offset();
    let home = incident.meta.host.clone();
    for step in &mut incident.steps {
        // A step without a host (written by hand) is taken to be on the incident's clock.
        let same_clock = match (&step.meta.host, &home) {
            (Some(step_host), Some(home)) => step_host == home,
            _ => true,
        };
        let shown = if same_clock { shown_at } else { |t: Timestamp, tz| t.with_timezone(&tz) };
        step.meta.at = shown(step.meta.at, tz);
        step.meta.recorded_at = step.meta.recorded_at.map(|r| shown(r, tz));
    }
}

/// `t` as shown in an incident in offset `tz` on the incident's own host: see
/// [`use_incident_offset`].
pub fn shown_at(t: Timestamp, tz: chrono::FixedOffset) -> Timestamp {
    let shift = (t.offset().local_minus_utc() - tz.local_minus_utc()).abs();
    if shift == 3600 { t } else { t.with_timezone(&tz) }
}

/// Builds the data for the template (and for `--format json`).
pub fn build(incident: &Incident, metrics: Metrics, inputs: Inputs<'_>) -> PostmortemData {
    let by_id = incident.steps.iter().map(|s| (s.meta.id.as_str(), s)).collect();
    let cx = Ctx { incident, step_file: inputs.step_file, prefix: inputs.link_prefix, by_id };
    let now = inputs.now;
    let mut warnings = inputs.load_warnings;
    warnings.extend(metrics.warnings.iter().cloned());
    let present: Vec<&Step> = incident.steps.iter().filter(|s| s.meta.at <= now).collect();

    let incident_data = incident_data(incident, &cx, now);
    let rows = metric_rows(&metrics, &cx);
    let impact = impact(&metrics, &cx, now);
    let timeline = timeline(incident, &cx);
    let detection = detection(&metrics, &cx, now);
    let diagnosis = diagnosis(&metrics, &cx, &present, now);
    let options = options(&present, &cx);
    let commands: Vec<CommandRow> = metrics.commands.iter().map(|c| cx.command_row(c)).collect();
    let changes: Vec<CommandRow> =
        metrics.commands.iter().filter(|c| c.effect == Effect::StateChanging).map(|c| cx.command_row(c)).collect();
    let snapshots = present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Snapshot)
        .map(|s| Evidence {
            time: format::clock(s.meta.at),
            headline: s.headline(),
            link: cx.link(&s.meta.id),
            output_link: cx.output_link(s),
        })
        .collect();
    let resolution = resolution(&metrics, &cx, now);
    let lessons = lessons(&present, &cx);
    let actions = present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Action)
        .map(|s| ActionData {
            text: s.meta.title.clone().unwrap_or_else(|| {
                // A hand-written action is often a task-list line: the checkbox is not the text.
                let line = format::first_line(&s.body, 200);
                let text = ["- [ ] ", "- [x] ", "- [X] ", "- "].iter().find_map(|p| line.strip_prefix(p));
                text.unwrap_or(&line).to_string()
            }),
            owner: s.meta.owner.clone(),
            due: s.meta.due.map(|d| d.to_string()),
            link: cx.link(&s.meta.id),
        })
        .collect();
    PostmortemData {
        generated_at: format::date_time(now),
        incident: incident_data,
        metrics: MetricsData { rows, raw: metrics },
        impact,
        timeline,
        detection,
        diagnosis,
        options,
        resolution,
        lessons,
        actions,
        commands,
        changes,
        snapshots,
        pictures: inputs.pictures,
        warnings,
    }
}

fn incident_data(incident: &Incident, cx: &Ctx, now: Timestamp) -> IncidentData {
    let meta = &incident.meta;
    let mut authors: Vec<String> = Vec::new();
    for a in meta.author.iter().chain(incident.steps.iter().filter_map(|s| s.meta.author.as_ref())) {
        if !a.trim().is_empty() && !authors.contains(a) {
            authors.push(a.clone());
        }
    }
    let started = incident.started_at();
    let recovered = cx.milestone(Milestone::Recovered, now).map(|m| m.date_time);
    let resolved = cx.milestone(Milestone::Resolved, now).map(|m| m.date_time);
    IncidentData {
        id: incident.slug.clone(),
        title: meta.title.clone(),
        severity: meta.severity.clone(),
        status: incident.status().as_str().to_string(),
        services: meta.services.clone(),
        services_unaffected: meta.services_unaffected.clone(),
        tags: meta.tags.clone(),
        authors,
        started: format::date_time(started),
        date: started.format("%A %Y-%m-%d").to_string(),
        recovered,
        resolved,
        summary: incident.summary.trim().to_string(),
    }
}

fn metric_rows(m: &Metrics, cx: &Ctx) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    let plain = |key: &str, name: &str, value: String, known: bool, source: String| MetricRow {
        key: key.to_string(),
        name: name.to_string(),
        value,
        known,
        from: String::new(),
        to: String::new(),
        source,
        note: None,
    };
    rows.push(match &m.discovery.point {
        Some(p) => {
            let mut row = plain(
                "discovery",
                "Discovery time",
                format!("{} ({})", format::clock(p.at), p.at.format("%A")),
                true,
                cx.point_link(p),
            );
            if m.discovery.source != "detected milestone" {
                row.note = Some("no detected milestone: the first step stands in".to_string());
            }
            row
        }
        None => plain("discovery", "Discovery time", format!("unknown ({})", m.discovery.source), false, String::new()),
    });
    for i in &m.intervals {
        let (from, to, source) = match &i.span {
            Span::Known { from, to, .. } => {
                (cx.endpoint(from.at), cx.endpoint(to.at), format!("{} → {}", cx.point_link(from), cx.point_link(to)))
            }
            Span::Unknown { .. } => (String::new(), String::new(), String::new()),
        };
        rows.push(MetricRow {
            key: i.key.to_string(),
            name: i.name.clone(),
            value: i.value_text(),
            known: i.seconds().is_some(),
            from,
            to,
            source,
            note: i.note.clone(),
        });
    }
    let r = &m.restarts;
    rows.push(match &r.peak {
        Some(p) => {
            let mut row = plain(
                "restarts_peak",
                "Total restarts (peak)",
                format::thousands(p.total),
                true,
                format!("[{}]({})", p.step, cx.link(&p.step)),
            );
            row.from = cx.endpoint(p.at);
            row
        }
        None => plain(
            "restarts_peak",
            "Total restarts (peak)",
            format!("unknown ({})", r.unknown_reason.clone().unwrap_or_default()),
            false,
            String::new(),
        ),
    });
    if let (Some(first), Some(last)) = (r.observations.first(), r.observations.last()) {
        let name = "Restarts during the incident";
        let plural = if r.observations.len() == 1 { "" } else { "s" };
        let source = format!("{} output{plural} with restart counts", r.observations.len());
        let mut row = match r.increase {
            Some(inc) => {
                let mut row = plain("restarts_increase", name, format::thousands(inc), true, source);
                row.note = Some("new restarts of pods listed in two or more outputs".to_string());
                row
            }
            None => {
                let reason = r.unknown_reason.clone().unwrap_or_default();
                plain("restarts_increase", name, format!("unknown ({reason})"), false, source)
            }
        };
        row.from = cx.endpoint(first.at);
        row.to = if r.observations.len() > 1 { cx.endpoint(last.at) } else { String::new() };
        rows.push(row);
    }
    if !m.services_affected.is_empty() {
        rows.push(plain(
            "services_affected",
            "Services affected",
            m.services_affected.join(", "),
            true,
            "incident.md".into(),
        ));
    }
    if !m.services_unaffected.is_empty() {
        rows.push(plain(
            "services_unaffected",
            "Services unaffected",
            m.services_unaffected.join(", "),
            true,
            "incident.md".into(),
        ));
    }
    rows.push(plain("commands_run", "Commands run", m.commands_run.to_string(), true, "run and capture steps".into()));
    let mut changes = m.state_changing.to_string();
    if m.unclassified > 0 {
        changes.push_str(&format!(" ({} more not classified)", m.unclassified));
    }
    rows.push(plain("state_changing", "State-changing commands", changes, true, "the ledger below".into()));
    rows
}

fn impact(m: &Metrics, cx: &Ctx, now: Timestamp) -> Impact {
    let start = cx.milestone(Milestone::ImpactStart, now);
    let downtime = m.interval("total_downtime").map(|i| i.value_text()).unwrap_or_default();
    let restarts_peak =
        m.restarts.peak.as_ref().map(|p| format!("{} at {}", format::thousands(p.total), format::clock(p.at)));
    let any = start.is_some() || !m.services_affected.is_empty() || restarts_peak.is_some();
    Impact {
        start,
        services_affected: m.services_affected.clone(),
        services_unaffected: m.services_unaffected.clone(),
        downtime,
        restarts_peak,
        any,
    }
}

fn timeline(incident: &Incident, cx: &Ctx) -> Vec<TimelineEntry> {
    let tz = incident.own_offset();
    let mut day = None;
    incident
        .steps
        .iter()
        .map(|s| {
            let d = s.meta.at.date_naive();
            let new_day = (day != Some(d)).then(|| s.meta.at.format("%A %Y-%m-%d").to_string());
            day = Some(d);
            // Not the incident's offset: a daylight-saving change, said so.
            let offset = *s.meta.at.offset();
            let time = if offset == tz {
                format::clock(s.meta.at)
            } else {
                format!("{} (UTC{offset})", format::clock(s.meta.at))
            };
            TimelineEntry {
                time,
                day: new_day,
                kind: s.meta.kind.as_str().to_string(),
                headline: s.headline(),
                milestone: s.meta.milestone.map(|m| m.as_str().to_string()),
                backdated: s.meta.is_backdated(),
                recorded: s.meta.is_backdated().then(|| format::date_time(s.meta.recorded())),
                step: s.meta.id.clone(),
                link: cx.link(&s.meta.id),
            }
        })
        .collect()
}

fn detection(m: &Metrics, cx: &Ctx, now: Timestamp) -> Option<Detection> {
    let point = m.discovery.point.as_ref()?;
    Some(Detection {
        detected: cx.milestone(Milestone::Detected, now),
        acknowledged: cx.milestone(Milestone::Acknowledged, now),
        discovered: format::date_time(point.at),
        discovered_from: m.discovery.source.clone(),
        time_to_detect: m.interval("time_to_detect").map(|i| i.value_text()).unwrap_or_default(),
    })
}

fn diagnosis(m: &Metrics, cx: &Ctx, present: &[&Step], now: Timestamp) -> Diagnosis {
    let diagnosed = cx.milestone(Milestone::Diagnosed, now);
    let causes: Vec<Cause> = present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Cause)
        .map(|s| {
            let body = s.body.split("\n\n**Trigger:**").next().unwrap_or(&s.body).trim().to_string();
            Cause {
                text: body,
                trigger: s.meta.trigger.clone(),
                time: format::clock(s.meta.at),
                link: cx.link(&s.meta.id),
            }
        })
        .collect();
    let from = m.discovery.point.as_ref().map(|p| p.at);
    let to = present.iter().find(|s| s.meta.milestone == Some(Milestone::Diagnosed)).map(|s| s.meta.at);
    let evidence: Vec<Evidence> = match (from, to) {
        (Some(from), Some(to)) => present
            .iter()
            .filter(|s| s.meta.kind.has_output() && s.meta.at >= from && s.meta.at <= to)
            .map(|s| Evidence {
                time: format::clock(s.meta.at),
                headline: s.headline(),
                link: cx.link(&s.meta.id),
                output_link: cx.output_link(s),
            })
            .collect(),
        _ => Vec::new(),
    };
    let any = diagnosed.is_some() || !causes.is_empty() || !evidence.is_empty();
    Diagnosis { diagnosed, causes, evidence, any }
}

fn options(present: &[&Step], cx: &Ctx) -> Vec<OptionData> {
    let decisions: Vec<&&Step> = present.iter().filter(|s| s.meta.kind == StepKind::Decision).collect();
    let first_choice = decisions.first().and_then(|d| d.meta.option.clone());
    present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Option)
        .map(|s| {
            let title = s.meta.title.clone().unwrap_or_else(|| format::first_line(&s.body, 100));
            let decision = decisions.iter().find(|d| {
                d.meta.option_id.as_deref() == Some(s.meta.id.as_str())
                    || (d.meta.option_id.is_none() && d.meta.option.as_deref() == Some(title.as_str()))
            });
            OptionData {
                title,
                pros: s.meta.pros.clone(),
                cons: s.meta.cons.clone(),
                chosen: decision.is_some(),
                instead: if decision.is_some() { None } else { first_choice.clone() },
                decided_at: decision.map(|d| format::clock(d.meta.at)),
                why: decision.and_then(|d| d.meta.why.clone()),
                time: format::clock(s.meta.at),
                link: cx.link(&s.meta.id),
            }
        })
        .collect()
}

fn phase(m: &Metrics, cx: &Ctx, key: &str, end: Milestone, now: Timestamp) -> Option<Phase> {
    let interval = m.interval(key)?;
    let (start, end) = match &interval.span {
        Span::Known { from, to, .. } => {
            (cx.step(&from.step).map(|s| cx.moment(s)), cx.step(&to.step).map(|s| cx.moment(s)))
        }
        Span::Unknown { .. } => (None, cx.milestone(end, now)),
    };
    if start.is_none() && end.is_none() {
        return None;
    }
    let (lo, hi) = match &interval.span {
        Span::Known { from, to, .. } => (Some(from.at), Some(to.at)),
        Span::Unknown { .. } => (None, None),
    };
    let changes = m
        .commands
        .iter()
        .filter(|c| c.effect == Effect::StateChanging && lo.is_some_and(|l| c.at >= l) && hi.is_some_and(|h| c.at <= h))
        .map(|c| cx.command_row(c))
        .collect();
    Some(Phase { start, end, duration: interval.value_text(), changes })
}

fn resolution(m: &Metrics, cx: &Ctx, now: Timestamp) -> Resolution {
    let recovery = phase(m, cx, "recovery_time", Milestone::Recovered, now);
    let permanent_fix = phase(m, cx, "permanent_fix", Milestone::PermanentFix, now);
    let any = recovery.is_some() || permanent_fix.is_some();
    Resolution { recovery, permanent_fix, any }
}

fn lessons(present: &[&Step], cx: &Ctx) -> Lessons {
    let of = |kind: LessonKind| -> Vec<Lesson> {
        present
            .iter()
            .filter(|s| s.meta.kind == StepKind::Lesson && s.meta.lesson.unwrap_or(LessonKind::Learned) == kind)
            .map(|s| Lesson { text: s.body.trim().to_string(), link: cx.link(&s.meta.id) })
            .collect()
    };
    Lessons {
        worked: of(LessonKind::Worked),
        sucked: of(LessonKind::Sucked),
        lucky: of(LessonKind::Lucky),
        learned: of(LessonKind::Learned),
    }
}

/// Collapses runs of blank lines outside fenced code blocks to one and ends the text with
/// one newline, so templates can keep their sections apart without counting newlines.
pub fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    let mut blank_run = 0;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let ch = trimmed.chars().next().unwrap_or('`');
            fence = Some(trimmed.chars().take_while(|c| *c == ch).collect());
        } else if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
            out.push('\n');
            continue;
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The relative path from folder `from` to folder `to`, ending in `/` (empty when they are
/// the same): both absolute, `..` resolved by the caller.
pub fn relative_prefix(from: &std::path::Path, to: &std::path::Path) -> String {
    use std::path::Component;
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.iter().map(|p| format!("{p}/")).collect()
}

#[cfg(test)]
mod tests {
    use super::{RESTARTS_SVG, TIMELINE_SVG, picture_names, relative_prefix, tidy_markdown};

    #[test]
    fn pictures_are_named_after_the_file() {
        let default = (TIMELINE_SVG.to_string(), RESTARTS_SVG.to_string());
        assert_eq!(picture_names(Path::new("/v/incidents/a/postmortem.md")), default);
        assert_eq!(picture_names(Path::new("rep/a.md")), ("a-timeline.svg".to_string(), "a-restarts.svg".to_string()));
    }
    use std::path::Path;

    #[test]
    fn prefixes() {
        assert_eq!(relative_prefix(Path::new("/v/incidents/a"), Path::new("/v/incidents/a")), "");
        assert_eq!(relative_prefix(Path::new("/v/reports"), Path::new("/v/incidents/a")), "../incidents/a/");
        assert_eq!(relative_prefix(Path::new("/tmp"), Path::new("/v/incidents/a")), "../v/incidents/a/");
    }

    #[test]
    fn tidy_collapses_blank_runs_outside_fences() {
        assert_eq!(tidy_markdown("\n\n# A\n\n\n\nb\n```\n\n\n\n```\n\n\n"), "# A\n\nb\n```\n\n\n\n```\n");
    }
}
