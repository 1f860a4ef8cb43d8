//! Pure: figures across incidents. Counts by severity and service; for each duration the
//! number of incidents it is known for, its median (for an even n halfway between the two
//! middle values) and its 90th percentile (nearest rank).
//! Never a mean: one days-long outage would drown every other incident in it.
//!
//! Services are counted as the site groups them ([`term_key`]: ` K3s` and `k3s` are one),
//! under the first spelling seen; severities in lower case (`SEV2` written by hand is the
//! `sev2` of `incident start`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Metrics;
use crate::site::paths::term_key;

/// What the report needs of one incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentFigures {
    pub slug: String,
    pub severity: Option<String>,
    pub services: Vec<String>,
    /// `(key, name, seconds)` of every interval, `None` when unknown.
    pub intervals: Vec<(String, String, Option<i64>)>,
}

impl IncidentFigures {
    pub fn from_metrics(slug: &str, severity: Option<&str>, m: &Metrics) -> IncidentFigures {
        IncidentFigures {
            slug: slug.to_string(),
            severity: severity.map(str::to_string),
            services: m.services_affected.clone(),
            intervals: m.intervals.iter().map(|i| (i.key.to_string(), i.name.clone(), i.seconds())).collect(),
        }
    }
}

/// One duration across incidents: one interval key ([`super::INTERVAL_KEYS`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DurationStats {
    /// The interval's key, stable to join on: `time_to_diagnose`, `time_to_recover`.
    pub key: String,
    /// Its name in every incident (`Detection to recovery`), or, where incidents measured it
    /// from different starts, the key's (`Time to recover`).
    pub name: String,
    /// Incidents where it is known.
    pub n: usize,
    /// Incidents where it is unknown (a milestone missing or out of order).
    pub unknown: usize,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub incidents: usize,
    pub by_severity: BTreeMap<String, usize>,
    pub by_service: BTreeMap<String, usize>,
    pub durations: Vec<DurationStats>,
}

/// The median: the middle value, or the mean of the two middle values (rounded down).
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2)),
    }
}

/// The nearest-rank percentile `p` (0–100): the smallest value with at least p% at or below it.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// `time_to_recover` → `Time to recover`.
fn key_name(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

pub fn summarize(figures: &[IncidentFigures]) -> Report {
    let mut by_severity = BTreeMap::new();
    // Per service key: the first spelling seen and the incidents naming it.
    let mut services: Vec<(String, String, usize)> = Vec::new();
    let mut none_recorded = 0;
    // Keys in first-seen order, so the table follows the metrics table's order; each with
    // the names it had, its known values and how often it was unknown.
    let mut order: Vec<String> = Vec::new();
    let mut values: BTreeMap<String, (Vec<String>, Vec<i64>, usize)> = BTreeMap::new();
    for f in figures {
        let severity = f.severity.as_deref().map(term_key).filter(|s| !s.is_empty());
        *by_severity.entry(severity.unwrap_or_else(|| "unknown".to_string())).or_insert(0) += 1;
        let keys: Vec<String> = f.services.iter().map(|s| term_key(s)).filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            none_recorded += 1;
        }
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].contains(key) {
                continue; // named twice in one incident.md
            }
            match services.iter_mut().find(|(k, _, _)| k == key) {
                Some((_, _, n)) => *n += 1,
                None => {
                    let shown = f.services.iter().find(|s| term_key(s) == *key).map_or(key.as_str(), |s| s.trim());
                    services.push((key.clone(), shown.to_string(), 1));
                }
            }
        }
        for (key, name, secs) in &f.intervals {
            if !order.contains(key) {
                order.push(key.clone());
            }
            let entry = values.entry(key.clone()).or_default();
            if !entry.0.contains(name) {
                entry.0.push(name.clone());
            }
            match secs {
                Some(s) => entry.1.push(*s),
                None => entry.2 += 1,
            }
        }
    }
    let durations = order
        .into_iter()
        .map(|key| {
            let (names, mut known, unknown) = values.remove(&key).unwrap_or_default();
            known.sort_unstable();
            let name = match names.as_slice() {
                [one] => one.clone(),
                _ => key_name(&key),
            };
            DurationStats {
                n: known.len(),
                unknown,
                median_seconds: median(&known),
                p90_seconds: percentile(&known, 90),
                key,
                name,
            }
        })
        .collect();
    let mut by_service: BTreeMap<String, usize> = services.into_iter().map(|(_, shown, n)| (shown, n)).collect();
    if none_recorded > 0 {
        by_service.insert("(none recorded)".to_string(), none_recorded);
    }
    Report { incidents: figures.len(), by_severity, by_service, durations }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(slug: &str, sev: Option<&str>, services: &[&str], diag: Option<i64>) -> IncidentFigures {
        IncidentFigures {
            slug: slug.into(),
            severity: sev.map(str::to_string),
            services: services.iter().map(|s| s.to_string()).collect(),
            intervals: vec![
                ("time_to_diagnose".into(), "Time to diagnose".into(), diag),
                ("total_downtime".into(), "Total downtime".into(), None),
            ],
        }
    }

    #[test]
    fn median_and_nearest_rank_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3, 10]), Some(3));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&twenty, 90), Some(18));
    }

    #[test]
    fn counts_and_durations_with_n() {
        let r = summarize(&[
            fig("a", Some("sev2"), &["k3s", "dns"], Some(1320)),
            fig("b", Some("sev2"), &["k3s"], Some(600)),
            fig("c", None, &[], None),
        ]);
        assert_eq!(r.incidents, 3);
        assert_eq!(r.by_severity, BTreeMap::from([("sev2".to_string(), 2), ("unknown".to_string(), 1)]));
        assert_eq!(
            r.by_service,
            BTreeMap::from([("(none recorded)".to_string(), 1), ("dns".to_string(), 1), ("k3s".to_string(), 2)])
        );
        assert_eq!(
            r.durations,
            [
                DurationStats {
                    key: "time_to_diagnose".into(),
                    name: "Time to diagnose".into(),
                    n: 2,
                    unknown: 1,
                    median_seconds: Some(960),
                    p90_seconds: Some(1320)
                },
                DurationStats {
                    key: "total_downtime".into(),
                    name: "Total downtime".into(),
                    n: 0,
                    unknown: 3,
                    median_seconds: None,
                    p90_seconds: None
                },
            ]
        );
    }

    /// ` K3s`, `k3s` and `K3S` are one service, shown as first spelled; `SEV2` is `sev2`.
    #[test]
    fn services_and_severities_are_grouped_as_the_site_groups_them() {
        let r = summarize(&[
            fig("a", Some("sev2"), &["K3s", "dns"], None),
            fig("b", Some("SEV2"), &[" k3s", "K3S"], None),
            fig("c", Some(" "), &["DNS "], None),
        ]);
        assert_eq!(r.by_service, BTreeMap::from([("K3s".to_string(), 2), ("dns".to_string(), 2)]));
        assert_eq!(r.by_severity, BTreeMap::from([("sev2".to_string(), 2), ("unknown".to_string(), 1)]));
    }

    /// `time_to_recover` measured from impact start in one incident and from detection in
    /// another is one figure: one row, under the key's name.
    #[test]
    fn one_figure_is_one_row_whatever_its_name_in_each_incident() {
        let recover = |name: &str, secs| IncidentFigures {
            slug: name.into(),
            severity: None,
            services: Vec::new(),
            intervals: vec![("time_to_recover".into(), name.into(), secs)],
        };
        let r = summarize(&[recover("Impact to recovery", Some(600)), recover("Detection to recovery", Some(1200))]);
        assert_eq!(
            r.durations,
            [DurationStats {
                key: "time_to_recover".into(),
                name: "Time to recover".into(),
                n: 2,
                unknown: 0,
                median_seconds: Some(900),
                p90_seconds: Some(1200)
            }]
        );
        let r = summarize(&[recover("Detection to recovery", Some(600)), recover("Detection to recovery", None)]);
        assert_eq!((r.durations.len(), r.durations[0].name.as_str()), (1, "Detection to recovery"));
    }

    #[test]
    fn no_incidents() {
        let r = summarize(&[]);
        assert_eq!((r.incidents, r.durations.len()), (0, 0));
    }
}
