//! Property tests: the ledger never panics on any command line, and the metrics never
//! give a negative interval, whatever the milestones' times (out of order, in the future).

use chrono::{DateTime, Duration};
use proptest::prelude::*;

use super::*;
use crate::model::{IncidentMeta, StepMeta, sort_timeline};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Command lines built from the pieces that make shells hard.
fn command_line() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("sudo".to_string()),
        Just("kubectl".to_string()),
        Just("delete".to_string()),
        Just("get".to_string()),
        Just("systemctl".to_string()),
        Just("restart".to_string()),
        Just("sh -c".to_string()),
        Just("env X=1".to_string()),
        Just("timeout 5".to_string()),
        Just("xargs".to_string()),
        Just("|".to_string()),
        Just("&&".to_string()),
        Just(";".to_string()),
        Just("&".to_string()),
        Just(">".to_string()),
        Just("2>&1".to_string()),
        Just("<<".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("#".to_string()),
        Just("\n".to_string()),
        Just("-i".to_string()),
        Just("--".to_string()),
        Just("/etc/hosts".to_string()),
        "[a-z]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..16).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_ledger_never_panics(line in command_line()) {
        let v = classify(&line);
        prop_assert!(!v.reason.is_empty());
    }

    #[test]
    fn intervals_are_never_negative(offsets in prop::collection::vec((0usize..10, -600i64..600), 0..12), now in -60i64..700) {
        let base = DateTime::parse_from_rfc3339("2025-10-05T08:00:00-05:00").unwrap();
        let mut steps: Vec<Step> = offsets
            .iter()
            .enumerate()
            .map(|(i, (m, minutes))| {
                let at = base + Duration::minutes(*minutes);
                let mut meta = StepMeta::new(format!("s{i}"), StepKind::Milestone, at, at);
                meta.milestone = Some(Milestone::ALL[*m]);
                Step { meta, body: String::new() }
            })
            .collect();
        sort_timeline(&mut steps);
        let meta: IncidentMeta = serde_json::from_value(serde_json::json!({"title": "t", "at": base.to_rfc3339()})).unwrap();
        let incident = Incident { slug: "x".into(), meta, summary: String::new(), steps };
        let m = compute(&incident, &[], base + Duration::minutes(now));
        for i in &m.intervals {
            match &i.span {
                Span::Known { from, to, seconds, .. } => {
                    prop_assert!(*seconds >= 0);
                    // Up to a minute ahead is now (another host's clock).
                    let now = base + Duration::minutes(now + 1);
                    prop_assert!(from.at <= now && to.at <= now);
                }
                Span::Unknown { reason } => prop_assert!(!reason.is_empty()),
            }
        }
        // Refusals of a pair; a milestone before the incident's start names one step.
        for w in m.warnings.iter().filter(|w| w.contains("is before") && !w.contains("the incident's start")) {
            prop_assert_eq!(w.matches("(s").count(), 2, "a refusal names both steps: {}", w);
        }
    }
}
