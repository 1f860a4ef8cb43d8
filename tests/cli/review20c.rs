//! Fixes from the twentieth review (third part): `decide --for mitigation|permanent-fix`,
//! so the seed story's two decisions (a clean restart to recover, then pinning flannel to
//! the interface for good) both stand instead of the second replacing the first.

use crate::support::*;

/// The seed story's options and its two decisions: the mitigation at 09:00, the
/// permanent fix at 10:00. Returns the stderr of the second decision.
fn two_decisions(env: &mut TestEnv) -> String {
    env.at("2025-10-05T10:45:00-05:00");
    env.ok(&["option", "-q", "--at", "08:50", "Clean restart"]);
    env.ok(&["option", "-q", "--at", "08:53", "Pin to a specific IP"]);
    env.ok(&["option", "-q", "--at", "08:56", "Pin to interface"]);
    env.ok(&["decide", "-q", "--at", "09:00", "Clean restart", "--for", "mitigation", "--why", "fastest way back"]);
    let r = env.run(&["decide", "--at", "10:00", "Pin to interface", "--for", "permanent-fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stderr
}

#[test]
fn the_mitigation_and_the_permanent_fix_both_stand() {
    let (mut env, id) = TestEnv::with_incident();
    let stderr = two_decisions(&mut env);
    assert!(!stderr.contains("warning"), "another purpose replaces nothing: {stderr}");
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.contains("### Clean restart — chosen as the mitigation at 09:00\n"), "{out}");
    assert!(out.contains("### Pin to interface — chosen as the permanent fix at 10:00\n"), "{out}");
    assert!(
        out.contains(
            "### Pin to a specific IP — not chosen (Clean restart was the mitigation, Pin to interface the permanent \
             fix)\n"
        ),
        "{out}"
    );
    assert!(!out.contains("replaced by"), "{out}");
    let last = std::fs::read_to_string(env.step_files(&id).last().unwrap()).unwrap();
    assert!(last.contains("\npurpose: permanent-fix\n"), "{last}");
    assert!(last.ends_with("Chose **Pin to interface** as the permanent fix.\n"), "{last}");
    let shown = env.ok(&["show"]);
    assert!(shown.contains("decided: Clean restart as the mitigation"), "{shown}");
    assert!(shown.contains("decided: Pin to interface as the permanent fix"), "{shown}");
}

#[test]
fn a_second_decision_of_the_same_purpose_still_replaces_the_first() {
    let (mut env, id) = TestEnv::with_incident();
    two_decisions(&mut env);
    let mitigation = env.step_files(&id).iter().find(|f| f.to_str().unwrap().contains("T140000Z-decision")).cloned();
    let mitigation = mitigation.unwrap().file_stem().unwrap().to_str().unwrap().to_string();
    let r = env.run(&["decide", "--at", "09:40", "Pin to a specific IP", "--for", "mitigation"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "warning: a decision as the mitigation is already recorded, \"Clean restart\" at 09:00 (step \
             {mitigation}); this one is recorded too, and the postmortem shows \"Clean restart\" chosen as the \
             mitigation at 09:00, replaced by \"Pin to a specific IP\" at 09:40"
        )),
        "{}",
        r.stderr
    );
    // Without --for: it replaces only a decision without it, so both purposes still stand.
    env.ok(&["decide", "-q", "--at", "10:10", "Clean restart"]);
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        out.contains(
            "### Clean restart — chosen as the mitigation at 09:00, replaced by Pin to a specific IP at 09:40, again \
             at 10:10\n"
        ),
        "{out}"
    );
    assert!(out.contains("### Pin to a specific IP — chosen as the mitigation at 09:40\n"), "{out}");
    assert!(out.contains("### Pin to interface — chosen as the permanent fix at 10:00\n"), "{out}");
}

#[test]
fn decide_for_a_typo_is_refused_with_the_values() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["option", "-q", "Clean restart"]);
    let r = env.run(&["decide", "Clean restart", "--for", "mitigaton"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("invalid value 'mitigaton' for '--for <PURPOSE>'"), "{}", r.stderr);
    assert!(r.stderr.contains("[possible values: mitigation, permanent-fix]"), "{}", r.stderr);
}

#[test]
fn the_postmortem_json_gives_each_decision_its_purpose() {
    let (mut env, _id) = TestEnv::with_incident();
    two_decisions(&mut env);
    env.ok(&["decide", "-q", "--at", "10:10", "Clean restart"]);
    let json = env.json(&["postmortem", "--format", "json"]);
    let options = json["options"].as_array().unwrap();
    let purposes: Vec<&serde_json::Value> =
        options[0]["decisions"].as_array().unwrap().iter().map(|d| &d["purpose"]).collect();
    assert_eq!(purposes, [&serde_json::json!("mitigation"), &serde_json::Value::Null]);
    assert_eq!(options[0]["decisions"][0]["why"], "fastest way back", "the other fields stay");
    assert_eq!(options[2]["decisions"][0]["purpose"], "permanent-fix");
    assert_eq!(options[1]["chosen"], false);
    assert_eq!(options[1]["instead"], "Clean restart");
    assert_eq!(
        options[1]["instead_for"],
        serde_json::json!([
            {"title": "Clean restart", "purpose": null},
            {"title": "Clean restart", "purpose": "mitigation"},
            {"title": "Pin to interface", "purpose": "permanent-fix"}
        ])
    );
}

#[test]
fn the_sample_vault_records_both_decisions_of_the_seed_story() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vault/incidents/2025-10-05-k3s-cluster-down-every-pod-in-crashloopbackoff");
    let text = std::fs::read_to_string(dir.join("postmortem.md")).unwrap();
    assert!(text.contains("### Clean restart — chosen as the mitigation at 09:00\n"), "{text}");
    assert!(text.contains("### Pin to interface (--flannel-iface) — chosen as the permanent fix at 10:00\n"), "{text}");
    assert!(!text.contains("replaced by"), "{text}");
}

#[test]
fn a_decision_for_the_permanent_fix_does_not_start_the_recovery() {
    let (mut env, _id) = TestEnv::with_incident();
    env.at("2025-10-05T10:45:00-05:00");
    env.ok(&["mark", "-q", "diagnosed", "--at", "08:45"]);
    env.ok(&["option", "-q", "--at", "08:46", "Clean restart"]);
    env.ok(&["option", "-q", "--at", "08:47", "Pin to interface"]);
    // The fix for later is chosen first; the recovery starts with the mitigation's decision.
    env.ok(&["decide", "-q", "--at", "08:50", "Pin to interface", "--for", "permanent-fix"]);
    env.ok(&["decide", "-q", "--at", "09:00", "Clean restart", "--for", "mitigation"]);
    env.ok(&["mark", "-q", "recovered", "--at", "09:30"]);
    let json = env.json(&["postmortem", "--format", "json"]);
    let row = json["metrics"]["rows"].as_array().unwrap().iter().find(|r| r["name"] == "Recovery time").unwrap();
    assert_eq!((row["value"].as_str(), row["from"].as_str()), (Some("30 minutes"), Some("09:00")), "{row}");
}
