//! Step times in the incident's own offset, for the postmortem and the site.

use crate::clock::Timestamp;
use crate::model::Incident;

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
