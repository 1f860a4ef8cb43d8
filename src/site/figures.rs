//! The postmortem's figures on the site: the metrics table and the SVG charts of an
//! incident, made by our own code from its steps, every text in them escaped.

use serde::Serialize;

use super::markdown::{self, MdOptions, Placed};
use crate::model::Incident;

/// The postmortem's numbers and pictures on the incident and postmortem pages: the
/// metrics table (`crate::metrics`) and the SVG charts (`crate::render::svg`), both made
/// by our own code from the incident, every text in them escaped.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PostmortemParts {
    /// The metrics table, as HTML.
    pub metrics_html: Option<String>,
    /// SVG pictures, each a whole `<svg>` element with the id of its figure.
    pub pictures: Vec<Picture>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Picture {
    pub id: &'static str,
    pub svg: String,
}

/// Figure ids of the pictures, and the file names the generated postmortem links them by.
pub(super) const PICTURES: [(&str, &str); 2] = [
    ("picture-timeline", crate::render::postmortem::TIMELINE_SVG),
    ("picture-restarts", crate::render::postmortem::RESTARTS_SVG),
];

/// The metrics and pictures of an incident. The clock is the incident's last step, so a
/// page changes only when the incident does.
pub fn postmortem_parts(incident: &Incident) -> PostmortemParts {
    use crate::metrics;
    use crate::render::svg;
    let now = incident.steps.iter().map(|s| s.meta.at).max().unwrap_or(incident.meta.at).max(incident.meta.at);
    let observations = metrics::recorded_restart_observations(incident);
    let m = metrics::compute(incident, &observations, now);
    let table = metrics_table(incident, &m);
    let pictures = [svg::timeline(&m), svg::restarts(&m.restarts.observations)]
        .into_iter()
        .zip(PICTURES)
        .filter_map(|(svg, (id, _))| svg.map(|svg| Picture { id, svg }))
        .collect();
    PostmortemParts { metrics_html: Some(table), pictures }
}

/// The postmortem's metrics table: each figure, its endpoints and the steps it came from,
/// linked on the incident page.
fn metrics_table(incident: &Incident, m: &crate::metrics::Metrics) -> String {
    use super::html::escape_into;
    let to_anchor = |dest: &str| -> Placed {
        let id = dest.strip_prefix("steps/").and_then(|d| d.strip_suffix(".md"));
        let id = id.and_then(|id| percent_encoding::percent_decode_str(id).decode_utf8().ok());
        id.map(|id| format!("index.html#{}", super::vault_links::step_anchor(&id))).into()
    };
    let opts = MdOptions { rewrite: &to_anchor, ..MdOptions::notes() };
    let mut table = String::from(
        "<table class=\"metrics\"><thead><tr><th scope=\"col\">Metric</th><th scope=\"col\">Value</th>\
         <th scope=\"col\">From → To</th><th scope=\"col\">Source</th></tr></thead><tbody>\n",
    );
    for row in crate::render::postmortem::metric_rows_linking_ids(incident, m) {
        table.push_str("<tr><th scope=\"row\">");
        escape_into(&mut table, &row.name);
        table.push_str("</th><td>");
        escape_into(&mut table, &row.value);
        table.push_str("</td><td>");
        match (row.from.is_empty(), row.to.is_empty()) {
            (false, false) => escape_into(&mut table, &format!("{} → {}", row.from, row.to)),
            (false, true) => escape_into(&mut table, &row.from),
            _ => {}
        }
        table.push_str("</td><td>");
        // The ledger is the postmortem's; the incident page shows the commands themselves.
        let source = if row.key == "state_changing" { "run steps that change state" } else { &row.source };
        let source = [source, row.note.as_deref().unwrap_or("")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        let html = markdown::render(&source, &opts);
        table.push_str(html.trim_end().strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(&html));
        table.push_str("</td></tr>\n");
    }
    table.push_str("</tbody></table>\n");
    table
}
