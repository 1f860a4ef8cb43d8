//! The postmortem's data: everything the template sees, built from an incident and its
//! metrics, with times already formatted (tera 2 has no date filter) and links relative
//! to the incident folder, so they work in Obsidian and on GitHub alike.
//!
//! `incident postmortem --format json` prints exactly this structure.

use crate::clock::Timestamp;
use crate::format;
use crate::metrics::{Effect, Metrics};
use crate::model::{Incident, Step, StepKind};

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

mod context;
mod data;
mod offsets;
mod rows;
mod sections;
mod text;

pub use data::*;
pub use offsets::{shown_at, use_incident_offset};
pub use text::{relative_prefix, tidy_markdown};

use context::Ctx;
use rows::metric_rows;
use sections::*;

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

/// The rows of the postmortem's metrics table, linking each step as `steps/<id>.md`: the
/// site shows the same table on the incident page.
pub fn metric_rows_linking_ids(incident: &Incident, metrics: &Metrics) -> Vec<MetricRow> {
    let step_file = |id: &str| format!("steps/{id}.md");
    let by_id = incident.steps.iter().map(|s| (s.meta.id.as_str(), s)).collect();
    let cx = Ctx { incident, step_file: &step_file, prefix: String::new(), by_id };
    metric_rows(metrics, &cx)
}

/// Builds the data for the template (and for `--format json`).
pub fn build(incident: &Incident, metrics: Metrics, inputs: Inputs<'_>) -> PostmortemData {
    let by_id = incident.steps.iter().map(|s| (s.meta.id.as_str(), s)).collect();
    let cx = Ctx { incident, step_file: inputs.step_file, prefix: inputs.link_prefix, by_id };
    let now = inputs.now;
    let mut warnings = inputs.load_warnings;
    warnings.extend(metrics.warnings.iter().cloned());
    // Up to a minute ahead (another host's clock) is now, as for `--at` and `--check`.
    let present: Vec<&Step> = incident.steps.iter().filter(|s| !crate::clock::is_ahead(s.meta.at, now)).collect();

    let incident_data = incident_data(incident, &cx, now);
    let rows = metric_rows(&metrics, &cx);
    let impact = impact(&metrics, &cx, now);
    let timeline = timeline(incident, &present, &metrics, &cx);
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

#[cfg(test)]
mod tests {
    use super::{RESTARTS_SVG, TIMELINE_SVG, picture_names};
    use std::path::Path;

    #[test]
    fn pictures_are_named_after_the_file() {
        let default = (TIMELINE_SVG.to_string(), RESTARTS_SVG.to_string());
        assert_eq!(picture_names(Path::new("/v/incidents/a/postmortem.md")), default);
        assert_eq!(picture_names(Path::new("rep/a.md")), ("a-timeline.svg".to_string(), "a-restarts.svg".to_string()));
    }
}
