//! The postmortem's sections besides the metrics table: header, impact, timeline,
//! detection, diagnosis, options, resolution and lessons.

use crate::clock::Timestamp;
use crate::format;
use crate::metrics::{Effect, Metrics, Span};
use crate::model::{Incident, LessonKind, Milestone, Purpose, Step, StepKind};

use super::context::Ctx;
use super::*;

pub(super) fn incident_data(incident: &Incident, cx: &Ctx, now: Timestamp) -> IncidentData {
    let meta = &incident.meta;
    let mut authors: Vec<String> = Vec::new();
    let present = incident.steps.iter().filter(|s| !crate::clock::is_ahead(s.meta.at, now));
    for a in meta.author.iter().chain(present.filter_map(|s| s.meta.author.as_ref())) {
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

pub(super) fn impact(m: &Metrics, cx: &Ctx, now: Timestamp) -> Impact {
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

/// The steps in timeline order, but milestones of one instant in milestone order (diagnosed
/// before mitigated), as the timeline picture draws them: their files sort in the order
/// they were written, which says nothing about which came first.
fn in_milestone_order<'a>(steps: &[&'a Step]) -> Vec<&'a Step> {
    let mut out: Vec<&Step> = steps.to_vec();
    let mut i = 0;
    while i < out.len() {
        let end = out[i..].iter().position(|s| s.meta.at != out[i].meta.at).map_or(out.len(), |n| i + n);
        let slots: Vec<usize> = (i..end).filter(|&k| out[k].meta.milestone.is_some()).collect();
        let mut milestones: Vec<&Step> = slots.iter().map(|&k| out[k]).collect();
        milestones.sort_by_key(|s| s.meta.milestone); // stable: a milestone marked twice keeps its order
        for (slot, step) in slots.into_iter().zip(milestones) {
            out[slot] = step;
        }
        i = end;
    }
    out
}

/// The steps not in the future: one dated ahead would be in the postmortem but not in the
/// sources `--check` compares, so its coming would go unnoticed.
pub(super) fn timeline(incident: &Incident, present: &[&Step], m: &Metrics, cx: &Ctx) -> Vec<TimelineEntry> {
    let tz = incident.own_offset();
    let mut day = None;
    in_milestone_order(present)
        .into_iter()
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
            let ignored = m
                .ignored_milestones
                .iter()
                .find(|i| i.step == s.meta.id)
                .map(|i| format!("{} was marked first at {}", i.what, format::endpoint(i.counted.at, s.meta.at)));
            TimelineEntry {
                time,
                day: new_day,
                kind: s.meta.kind.as_str().to_string(),
                headline: s.headline(),
                milestone: s.meta.milestone.filter(|_| ignored.is_none()).map(|m| m.as_str().to_string()),
                ignored,
                backdated: s.meta.is_backdated(),
                recorded: s.meta.is_backdated().then(|| format::date_time(s.meta.recorded())),
                step: s.meta.id.clone(),
                link: cx.link(&s.meta.id),
            }
        })
        .collect()
}

pub(super) fn detection(m: &Metrics, cx: &Ctx, now: Timestamp) -> Option<Detection> {
    let point = m.discovery.point.as_ref()?;
    Some(Detection {
        detected: cx.milestone(Milestone::Detected, now),
        acknowledged: cx.milestone(Milestone::Acknowledged, now),
        discovered: format::date_time(point.at),
        discovered_from: m.discovery.source.clone(),
        time_to_detect: m.interval("time_to_detect").map(|i| i.value_text()).unwrap_or_default(),
    })
}

pub(super) fn diagnosis(m: &Metrics, cx: &Ctx, present: &[&Step], now: Timestamp) -> Diagnosis {
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

pub(super) fn options(present: &[&Step], cx: &Ctx) -> Vec<OptionData> {
    let options: Vec<(&Step, String)> = present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Option)
        .map(|s| (*s, s.meta.title.clone().unwrap_or_else(|| format::first_line(&s.body, 100))))
        .collect();
    // Each decision with the option it picked (by id, or by title in older steps).
    let decisions: Vec<(&Step, Option<usize>)> = present
        .iter()
        .filter(|s| s.meta.kind == StepKind::Decision)
        .map(|d| {
            let picked = options.iter().position(|(o, title)| match d.meta.option_id.as_deref() {
                Some(id) => id == o.meta.id,
                None => d.meta.option.as_deref() == Some(title.as_str()),
            });
            (*d, picked)
        })
        .collect();
    let title_of = |(d, picked): &(&Step, Option<usize>)| match picked {
        Some(i) => Some(options[*i].1.clone()),
        None => d.meta.option.clone(),
    };
    // The choice that stands for each purpose (none first): its latest decision's. A
    // decision replaces only one of the same purpose, so a mitigation and a fix both stand.
    let mut standing: std::collections::BTreeMap<Option<Purpose>, &(&Step, Option<usize>)> = Default::default();
    for d in &decisions {
        standing.insert(d.0.meta.purpose, d);
    }
    options
        .iter()
        .enumerate()
        .map(|(i, (s, title))| {
            let mine: Vec<DecisionData> = decisions
                .iter()
                .enumerate()
                .filter(|(_, (_, picked))| *picked == Some(i))
                .map(|(n, (d, _))| {
                    // The next decision of its purpose, when it picked another option, replaced it.
                    let next = decisions[n + 1..]
                        .iter()
                        .find(|(later, _)| later.meta.purpose == d.meta.purpose)
                        .filter(|(_, picked)| *picked != Some(i));
                    DecisionData {
                        time: format::clock(d.meta.at),
                        why: d.meta.why.clone(),
                        purpose: d.meta.purpose,
                        replaced_by: next.and_then(title_of),
                        replaced_at: next.map(|(d, _)| format::clock(d.meta.at)),
                        link: cx.link(&d.meta.id),
                    }
                })
                .collect();
            let chosen = standing.values().any(|(_, picked)| *picked == Some(i));
            let instead_for: Vec<Choice> = if chosen {
                Vec::new()
            } else {
                standing
                    .iter()
                    .filter_map(|(purpose, d)| title_of(d).map(|title| Choice { title, purpose: *purpose }))
                    .collect()
            };
            OptionData {
                title: title.clone(),
                pros: s.meta.pros.clone(),
                cons: s.meta.cons.clone(),
                detail: option_detail(s),
                chosen,
                instead: instead_for.first().map(|c| c.title.clone()),
                instead_for,
                decided_at: mine.first().map(|d| d.time.clone()),
                why: mine.first().and_then(|d| d.why.clone()),
                decisions: mine,
                time: format::clock(s.meta.at),
                link: cx.link(&s.meta.id),
            }
        })
        .collect()
}

/// An option's body past what the recorder writes from its frontmatter (the
/// `### Option: <title>` heading, the **Pros** and **Cons** lists): the `--detail` given,
/// or what a hand edit added. A step without `title:` took its title from its first line.
fn option_detail(step: &Step) -> Option<String> {
    let lines: Vec<&str> = step.body.split_inclusive('\n').collect();
    let blank = |i: usize| lines.get(i).is_some_and(|l| l.trim().is_empty());
    let mut i = 0;
    while blank(i) {
        i += 1;
    }
    let heading = |l: &str| l.starts_with('#') && l.trim_start_matches('#').trim().starts_with("Option:");
    if lines.get(i).is_some_and(|l| heading(l) || step.meta.title.is_none()) {
        i += 1;
    }
    loop {
        while blank(i) {
            i += 1;
        }
        if !lines.get(i).is_some_and(|l| matches!(l.trim(), "**Pros**" | "**Cons**")) {
            break;
        }
        i += 1;
        while blank(i) {
            i += 1;
        }
        while lines.get(i).is_some_and(|l| l.starts_with("- ")) {
            i += 1;
        }
    }
    let rest = lines[i.min(lines.len())..].concat();
    Some(rest.trim().to_string()).filter(|d| !d.is_empty())
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

pub(super) fn resolution(m: &Metrics, cx: &Ctx, now: Timestamp) -> Resolution {
    let recovery = phase(m, cx, "recovery_time", Milestone::Recovered, now);
    let permanent_fix = phase(m, cx, "permanent_fix", Milestone::PermanentFix, now);
    let any = recovery.is_some() || permanent_fix.is_some();
    Resolution { recovery, permanent_fix, any }
}

pub(super) fn lessons(present: &[&Step], cx: &Ctx) -> Lessons {
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
