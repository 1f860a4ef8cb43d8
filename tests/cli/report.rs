//! `incident report`: figures across incidents, grouped as the site groups them.

use crate::support::*;

/// `--service k3s` in one incident and `--service K3s` in another are one service, shown as
/// first spelled; a `severity: SEV2` written by hand is the `sev2` of `incident start`.
#[test]
fn services_and_severities_differing_in_case_are_one_row() {
    let mut env = TestEnv::new();
    let first = env.ok(&["start", "-q", "K3s down", "--severity", "sev2", "--service", "k3s"]).trim().to_string();
    env.at("2025-10-06T08:23:00-05:00");
    let second = env.ok(&["start", "-q", "K3s down again", "--service", "K3s", "--service", "DNS"]).trim().to_string();
    let md = env.incident_dir(&second).join("incident.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replacen("title:", "severity: SEV2\ntitle:", 1)).unwrap();
    assert_ne!(first, second);
    let json = env.json(&["report", "--json"]);
    assert_eq!(json["by_service"], serde_json::json!({"k3s": 2, "DNS": 1}));
    assert_eq!(json["by_severity"], serde_json::json!({"sev2": 2}));
    let text = env.ok(&["report"]);
    assert!(text.contains("\nby severity: sev2 2\nby service:  DNS 1 · k3s 2\n"), "{text}");
}

/// Time to recover from impact start in one incident and from detection in another is one
/// figure: one row, and one JSON entry with a stable `key` to join on.
#[test]
fn one_figure_is_one_row_with_a_stable_key() {
    let mut env = TestEnv::new();
    env.ok(&["start", "-q", "With impact start"]);
    env.ok(&["mark", "-q", "impact-start", "--at", "08:00"]);
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-10-06T09:00:00-05:00");
    env.ok(&["start", "-q", "Without", "--at", "08:30"]);
    env.ok(&["mark", "-q", "detected", "--at", "08:30"]);
    env.ok(&["mark", "-q", "recovered"]);
    env.at("2025-10-06T10:00:00-05:00");
    env.ok(&["switch", "-q", "with-impact-start"]);
    env.ok(&["mark", "-q", "recovered", "--at", "2025-10-05 08:40"]);
    let json = env.json(&["report", "--json"]);
    let durations = json["durations"].as_array().unwrap();
    let keys: Vec<&str> = durations.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["time_to_detect", "time_to_diagnose", "recovery_time", "time_to_recover", "permanent_fix", "total_downtime"]
    );
    // 40 minutes from impact start, 30 from detection: halfway, 35.
    assert_eq!(
        durations[3],
        serde_json::json!({"key": "time_to_recover", "name": "Time to recover", "n": 2, "unknown": 0, "median_seconds": 2100, "p90_seconds": 2400})
    );
    let text = env.ok(&["report"]);
    assert!(text.contains("\nTime to recover     2        35m        40m  0\n"), "{text}");
    assert!(!text.contains("to recovery"), "{text}");
}
