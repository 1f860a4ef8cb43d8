//! Pure SVG pictures for the postmortem: the incident's phases, and restarts over time.
//! Text goes through an escaper (tera's, the one the templates use), never by hand.

use std::fmt::Write;

use crate::format;
use crate::metrics::{Metrics, Point, RestartObservation, scope};

const WIDTH: f64 = 800.0;
const MARGIN: f64 = 60.0;

/// Text safe inside an SVG element or attribute: XML-escaped, control characters dropped
/// (XML 1.0 cannot hold them even escaped).
pub fn escape(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n')).collect();
    let mut out = Vec::with_capacity(clean.len());
    tera::escape_html(&clean, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

fn open(height: f64, title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(s, r##"<rect class="ic-bg" width="100%" height="100%" fill="#ffffff"/>"##);
    s
}

/// Dark colours for a picture that stands alone as a file (the site's pages recolour theirs from
/// style.css: its policy refuses inline styles). Paper stays light.
const STANDALONE_DARK_STYLE: &str = "<style>@media screen and (prefers-color-scheme: dark) { \
.ic-bg { fill: #161b22 } .ic-ink { fill: #e6edf3 } .ic-muted { fill: #9198a1 } .ic-faint { fill: #9198a1 } \
.ic-track { stroke: #30363d } .ic-point { fill: #58a6ff } \
polyline.ic-series { stroke: #f85149 } circle.ic-series { fill: #f85149 } }</style>\n";

/// A picture as written to its own `.svg` file: with its dark colours inside.
pub fn standalone(svg: &str) -> String {
    // After the picture's title, which stays its first child for screen readers.
    match svg.find("</title>\n") {
        Some(at) => {
            let at = at + "</title>\n".len();
            format!("{}{STANDALONE_DARK_STYLE}{}", &svg[..at], &svg[at..])
        }
        None => svg.to_string(),
    }
}

/// Words for a milestone on the picture.
fn label(what: &str) -> String {
    let mut words = what.replace('-', " ");
    if let Some(first) = words.get(0..1) {
        words.replace_range(0..1, &first.to_uppercase());
    }
    words
}

/// The phases: each recorded milestone in time order (milestone order on a tie), evenly
/// spaced (a days-long impact would squash minutes-long phases on a linear scale), with
/// the time between them written on each segment. `None` without any milestone.
pub fn timeline(metrics: &Metrics) -> Option<String> {
    let mut points: Vec<&Point> = metrics.milestones.iter().collect();
    points.sort_by_key(|p| p.at); // stable: ties keep milestone order
    if points.is_empty() {
        return None;
    }
    let height = 150.0;
    let y = 80.0;
    let n = points.len();
    let step = if n > 1 { (WIDTH - 2.0 * MARGIN) / (n - 1) as f64 } else { 0.0 };
    let x_of = |i: usize| if n > 1 { MARGIN + step * i as f64 } else { WIDTH / 2.0 };
    let mut s = open(height, "Timeline of the incident's phases");
    for i in 1..n {
        let (a, b) = (&points[i - 1], &points[i]);
        let (x1, x2) = (x_of(i - 1), x_of(i));
        let _ = writeln!(
            s,
            r##"<line x1="{x1:.1}" y1="{y}" x2="{x2:.1}" y2="{y}" class="ic-track" stroke="#9aa5b1" stroke-width="4"/>"##
        );
        // Measured from the incident's start, so the segments add up to the whole.
        let text = format::duration(format::shown_span(metrics.origin, a.at, b.at));
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" class="ic-muted" fill="#52606d">{}</text>"##,
            (x1 + x2) / 2.0,
            y - 8.0,
            escape(&text)
        );
    }
    for (i, p) in points.iter().enumerate() {
        let x = x_of(i);
        let label_y = if i % 2 == 0 { 30.0 } else { 48.0 };
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y}" r="7" class="ic-point" fill="#1f6feb"><title>{}</title></circle>"##,
            escape(&p.step)
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{label_y}" text-anchor="middle" font-weight="bold" class="ic-ink" fill="#1f2933">{}</text>"##,
            escape(&label(&p.what))
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{}" text-anchor="middle" class="ic-ink" fill="#1f2933">{}</text>"##,
            y + 28.0,
            escape(&format::clock(p.at))
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{}" text-anchor="middle" class="ic-faint" fill="#7b8794" font-size="10">{}</text>"##,
            y + 44.0,
            escape(&p.at.format("%Y-%m-%d").to_string())
        );
    }
    s.push_str("</svg>\n");
    Some(s)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A 12px label and the box it covers, estimated: digits and commas are narrower than
/// 0.6 em in every sans-serif font, and the box reaches from a line above the baseline to
/// a quarter line below it.
#[derive(Clone, Copy, Debug)]
struct Label {
    x: f64,
    y: f64,
    anchor: Anchor,
    from: f64,
    to: f64,
}

impl Label {
    fn at(x: f64, y: f64, anchor: Anchor, text: &str) -> Label {
        let width = text.chars().count() as f64 * 0.6 * 12.0;
        let from = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        Label { x, y, anchor, from, to: from + width }
    }

    fn overlaps(&self, other: &Label) -> bool {
        let (top, bottom) = (self.y - 12.0, self.y + 3.0);
        let (other_top, other_bottom) = (other.y - 12.0, other.y + 3.0);
        self.from < other.to && other.from < self.to && top < other_bottom && other_top < bottom
    }
}

/// Where each point's count is written, above it: `None` where it would cover another
/// label. The first point, the last and the highest are placed first; a label near an end
/// of the x axis is aligned to its point so it stays inside the plot.
fn point_labels<F>(
    observations: &[&RestartObservation],
    taken: &mut Vec<Label>,
    position: F,
    (left, right): (f64, f64),
) -> Vec<Option<Label>>
where
    F: Fn(&RestartObservation) -> (f64, f64),
{
    let n = observations.len();
    let highest = (0..n).fold(0, |best, i| if observations[i].total > observations[best].total { i } else { best });
    let mut order = vec![0, n - 1, highest];
    order.extend(1..n);
    let mut labels = vec![None; n];
    for i in order {
        if labels[i].is_some() {
            continue;
        }
        let (x, y) = position(observations[i]);
        let text = format::thousands(observations[i].total);
        let centred = Label::at(x, y - 8.0, Anchor::Middle, &text);
        let label = if centred.from < left {
            Label::at(x, y - 8.0, Anchor::Start, &text)
        } else if centred.to > right {
            Label::at(x, y - 8.0, Anchor::End, &text)
        } else {
            centred
        };
        if !taken.iter().any(|t| t.overlaps(&label)) {
            taken.push(label);
            labels[i] = Some(label);
        }
    }
    labels
}

/// Restarts over time as a line chart of one scope's observations ([`scope::series`]):
/// each point sums over the same pods. Observations of other scopes (a filtered listing)
/// are left out and counted under the title. `None` without two of one scope.
pub fn restarts(all: &[RestartObservation]) -> Option<String> {
    let (scope, observations) = scope::series(all)?;
    let left_out = all.len() - observations.len();
    let height = 260.0;
    // Room above the highest point for its label, below the title and its note.
    let (top, bottom) = (60.0, height - 50.0);
    let (left, right) = (MARGIN + 20.0, WIDTH - MARGIN);
    let t0 = observations.iter().map(|o| o.at).min()?;
    let t1 = observations.iter().map(|o| o.at).max()?;
    let span = (t1 - t0).num_seconds().max(1) as f64;
    let max = observations.iter().map(|o| o.total).max()?.max(1) as f64;
    let x_of = |o: &RestartObservation| left + (o.at - t0).num_seconds() as f64 / span * (right - left);
    let y_of = |o: &RestartObservation| bottom - o.total as f64 / max * (bottom - top);
    let mut s = open(height, "Pod restarts over time");
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="16" class="ic-muted" fill="#52606d">Restarts summed over the pods of {}, {} listings</text>"##,
        escape(scope),
        observations.len()
    );
    if left_out > 0 {
        let what = if left_out == 1 { "listing of other pods" } else { "listings of other pods" };
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="32" class="ic-faint" fill="#7b8794" font-size="10">{left_out} {what} (filtered or another namespace) not drawn: their sums are not comparable</text>"##
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="ic-track" stroke="#9aa5b1"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="ic-track" stroke="#9aa5b1"/>"##
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="end" class="ic-muted" fill="#52606d">{}</text>"##,
        left - 6.0,
        top + 4.0,
        escape(&format::thousands(max as u64))
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="end" class="ic-muted" fill="#52606d">0</text>"##,
        left - 6.0,
        bottom + 4.0
    );
    for (t, anchor, x) in [(t0, "start", left), (t1, "end", right)] {
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{}" text-anchor="{anchor}" class="ic-muted" fill="#52606d">{}</text>"##,
            bottom + 20.0,
            escape(&format::date_time(t))
        );
    }
    let path: Vec<String> = observations.iter().map(|o| format!("{:.1},{:.1}", x_of(o), y_of(o))).collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" class="ic-series" stroke="#d64545" stroke-width="2"/>"##,
        path.join(" ")
    );
    // Texts already on the chart that a point's label must not cover: the axis labels.
    let max_text = format::thousands(max as u64);
    let mut taken = vec![
        Label::at(left - 6.0, top + 4.0, Anchor::End, &max_text),
        Label::at(left - 6.0, bottom + 4.0, Anchor::End, "0"),
    ];
    let labels = point_labels(&observations, &mut taken, |o| (x_of(o), y_of(o)), (left, right));
    for (i, o) in observations.iter().enumerate() {
        let (x, y) = (x_of(o), y_of(o));
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" class="ic-series" fill="#d64545"><title>{}</title></circle>"##,
            escape(&format!("{} restarts at {} ({})", format::thousands(o.total), format::date_time(o.at), o.step))
        );
        if let Some(l) = labels[i] {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="{}" class="ic-ink" fill="#1f2933">{}</text>"##,
                l.x,
                l.y,
                l.anchor.as_str(),
                escape(&format::thousands(o.total))
            );
        }
    }
    s.push_str("</svg>\n");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn obs(at: &str, total: u64, step: &str) -> RestartObservation {
        let at = DateTime::parse_from_rfc3339(at).unwrap();
        RestartObservation { at, total, step: step.into(), scope: scope::ALL_NAMESPACES.into(), pods: Vec::new() }
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(escape("a<b>&\"c'\u{1}d"), "a&lt;b&gt;&amp;&quot;c&#39;d");
    }

    #[test]
    fn restarts_need_two_observations_and_escape_step_ids() {
        assert_eq!(restarts(&[obs("2025-10-05T08:23:00-05:00", 6812, "a")]), None);
        let svg = restarts(&[
            obs("2025-10-05T08:23:00-05:00", 6812, "<script>alert(1)</script>"),
            obs("2025-10-05T09:31:00-05:00", 0, "b"),
        ])
        .unwrap();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("6,812 restarts at 2025-10-05 08:23 (&lt;script&gt;alert(1)&lt;/script&gt;)"), "{svg}");
        insta::assert_snapshot!(svg);
    }

    /// Every colour class a chart uses is recoloured in dark mode, in its own file and on the site.
    #[test]
    fn every_colour_class_has_a_dark_colour_in_files_and_on_the_site() {
        let svg =
            restarts(&[obs("2025-10-05T08:23:00-05:00", 6812, "a"), obs("2025-10-05T09:31:00-05:00", 0, "b")]).unwrap();
        let site_css = include_str!("../../templates/site/style.css");
        // Both pictures' classes, read from this file (a timeline needs whole metrics).
        let source = include_str!("svg.rs");
        let mut classes: Vec<&str> =
            source.split("class=\"ic-").skip(1).filter_map(|rest| rest.split('"').next()).collect();
        classes.sort_unstable();
        classes.dedup();
        assert_eq!(classes.len(), 7, "{classes:?}");
        for class in classes {
            assert!(STANDALONE_DARK_STYLE.contains(&format!(".ic-{class} ")), "{class} in a file");
            assert!(site_css.contains(&format!(".ic-{class} {{")), "{class} on the site");
        }
        let file = standalone(&svg);
        assert_eq!(file.matches("<style>").count(), 1);
        assert!(file.find("<title>") < file.find("<style>"), "{file}");
        assert!(file.find("<style>") < file.find("<rect"), "{file}");
        assert!(!svg.contains("<style>"), "the site's policy refuses inline styles");
    }

    /// The boxes of a picture's texts, estimated from their attributes: 0.6 em a
    /// character, from an em above the baseline to a quarter em below it.
    fn text_boxes(svg: &str) -> Vec<(String, [f64; 4])> {
        let text = regex::Regex::new(
            r#"<text x="([\d.]+)" y="([\d.]+)"(?: text-anchor="(\w+)")?[^>]*?(?: font-size="(\d+)")?>([^<]*)</text>"#,
        )
        .unwrap();
        text.captures_iter(svg)
            .map(|c| {
                let (x, y): (f64, f64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
                let size: f64 = c.get(4).map_or(12.0, |m| m.as_str().parse().unwrap());
                let content = c[5].replace("&amp;", "&");
                let width = content.chars().count() as f64 * 0.6 * size;
                let from = match c.get(3).map(|m| m.as_str()) {
                    Some("middle") => x - width / 2.0,
                    Some("end") => x - width,
                    _ => x,
                };
                (content, [from, y - size, from + width, y + size / 4.0])
            })
            .collect()
    }

    /// The sample vault's counts: 6,812 at 08:23 and at 08:24 (the jq sum), 0 at 09:20 and
    /// 10:25, a grep left out. No label covers another, nor an axis label; the first point's
    /// label stays right of the y axis.
    #[test]
    fn labels_of_points_and_axes_never_overlap() {
        let grep = RestartObservation {
            scope: "filtered: `kubectl get pods -A | grep coredns`".into(),
            ..obs("2025-10-05T08:30:00-05:00", 892, "grep")
        };
        let svg = restarts(&[
            obs("2025-10-05T08:23:01-05:00", 6812, "table"),
            obs("2025-10-05T08:24:01-05:00", 6812, "jq"),
            grep,
            obs("2025-10-05T09:20:00-05:00", 0, "recovered"),
            obs("2025-10-05T10:25:00-05:00", 0, "fixed"),
        ])
        .unwrap();
        let boxes = text_boxes(&svg);
        for (i, (a, [ax0, ay0, ax1, ay1])) in boxes.iter().enumerate() {
            for (b, [bx0, by0, bx1, by1]) in &boxes[i + 1..] {
                let overlap = ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1;
                assert!(!overlap, "{a:?} and {b:?} overlap in {svg}");
            }
        }
        assert_eq!(boxes.len(), 9, "{svg}");
        // Both points of 6,812 are a few pixels apart: one label says it, the first.
        assert_eq!(svg.matches(">6,812</text>").count(), 2, "the axis and one point: {svg}");
        assert!(svg.contains(r#"<text x="80.0" y="52.0" text-anchor="start" class="ic-ink""#), "{svg}");
    }

    #[test]
    fn a_filtered_listing_is_not_drawn_as_a_fall() {
        let grep = RestartObservation {
            scope: "filtered: `kubectl get pods -A | grep coredns`".into(),
            ..obs("2025-10-05T08:30:00-05:00", 892, "grep")
        };
        let all = [obs("2025-10-05T08:23:00-05:00", 6812, "a"), grep.clone(), obs("2025-10-05T09:20:00-05:00", 0, "b")];
        let svg = restarts(&all).unwrap();
        assert!(!svg.contains("892"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        assert!(svg.contains("Restarts summed over the pods of all namespaces, 2 listings</text>"), "{svg}");
        assert!(svg.contains(">1 listing of other pods (filtered or another namespace) not drawn"), "{svg}");
        // One whole listing and one filtered one: nothing comparable to draw.
        assert_eq!(restarts(&[all[0].clone(), grep.clone()]), None);
        // Two of the same filter are comparable with each other.
        let later = RestartObservation { at: all[2].at, total: 895, ..grep.clone() };
        let svg = restarts(&[all[0].clone(), grep, later]).unwrap();
        assert!(svg.contains("pods of filtered: `kubectl get pods -A | grep coredns`, 2 listings"), "{svg}");
    }
}
