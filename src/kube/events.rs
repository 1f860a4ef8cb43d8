//! Events (core/v1): counted by type and reason; the newest Warnings kept whole.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Event as ApiEvent;

use super::age::rfc3339;
use super::summary::{EventCount, MAX_WARNINGS, WarningEvent};

#[derive(Default, Debug)]
pub struct EventTally {
    counts: BTreeMap<(String, String), u64>,
    /// (last seen, unix seconds; event), trimmed to the newest as it grows.
    warnings: Vec<(i64, WarningEvent)>,
}

impl EventTally {
    pub fn add(&mut self, e: &ApiEvent) {
        let type_ = e.type_.clone().unwrap_or_else(|| "Normal".to_string());
        let reason = e.reason.clone().unwrap_or_default();
        // Events written through events.k8s.io carry no count; their series does.
        let count =
            e.count.or_else(|| e.series.as_ref().and_then(|s| s.count)).filter(|c| *c > 0).map_or(1, |c| c as u64);
        *self.counts.entry((type_.clone(), reason.clone())).or_default() += count;
        if type_ != "Warning" {
            return;
        }
        let last = last_seen(e);
        let obj = &e.involved_object;
        let object = format!("{}/{}", obj.kind.as_deref().unwrap_or("?"), obj.name.as_deref().unwrap_or("?"));
        let warning = WarningEvent {
            namespace: e.metadata.namespace.clone().or_else(|| obj.namespace.clone()),
            object,
            reason,
            message: e.message.clone().unwrap_or_default().trim().to_string(),
            count,
            last_seen: last.map(rfc3339),
        };
        self.warnings.push((last.map_or(0, |t| t.as_second()), warning));
        if self.warnings.len() >= MAX_WARNINGS * 4 {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.warnings.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.object.cmp(&b.1.object)));
        self.warnings.truncate(MAX_WARNINGS);
    }

    pub fn finish(mut self) -> (Vec<EventCount>, Vec<WarningEvent>) {
        self.trim();
        let mut counts: Vec<EventCount> =
            self.counts.into_iter().map(|((type_, reason), count)| EventCount { type_, reason, count }).collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.type_, &a.reason).cmp(&(&b.type_, &b.reason))));
        (counts, self.warnings.into_iter().map(|(_, w)| w).collect())
    }
}

/// When the event last happened: lastTimestamp, series, eventTime, firstTimestamp, creation.
pub fn last_seen(e: &ApiEvent) -> Option<k8s_openapi::jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.series.as_ref().and_then(|s| s.last_observed_time.as_ref()).map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}
