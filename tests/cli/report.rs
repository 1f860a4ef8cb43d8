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
