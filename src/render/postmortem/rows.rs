//! The metrics table's rows: each figure with its endpoints and the steps it came from.

use crate::format;
use crate::metrics::{Metrics, Span, scope};

use super::MetricRow;
use super::context::Ctx;

pub(super) fn metric_rows(m: &Metrics, cx: &Ctx) -> Vec<MetricRow> {
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
                "Restarts (highest count seen)",
                format::thousands(p.total),
                true,
                format!("[{}]({})", p.step, cx.link(&p.step)),
            );
            row.from = cx.endpoint(p.at);
            let mut note = if p.scope == scope::ALL_NAMESPACES {
                format!("summed over {}", p.scope)
            } else {
                format!("summed over {}; no listing of all namespaces", p.scope)
            };
            if r.disputed {
                note.push_str("; another count of about the same time disagrees (see Notes on the record)");
            }
            row.note = Some(note);
            row
        }
        None => plain(
            "restarts_peak",
            "Restarts (highest count seen)",
            format!("unknown ({})", r.unknown_reason.clone().unwrap_or_default()),
            false,
            String::new(),
        ),
    });
    if let (Some(first), Some(last)) = (r.observations.first(), r.observations.last()) {
        let name = "Restarts during the incident";
        let plural = if r.observations.len() == 1 { "" } else { "s" };
        let mut source = format!("{} output{plural} with restart counts", r.observations.len());
        // What the chart draws, when it leaves some out: listings of other pods.
        if let Some((scope, drawn)) = scope::series(&r.observations)
            && drawn.len() < r.observations.len()
        {
            source.push_str(&format!(" (the chart draws the {} of {scope})", drawn.len()));
        }
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
