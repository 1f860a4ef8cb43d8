//! Review fixes to the reading commands and the vault: one `--json` shape across `status`,
//! `list` and `show`; a folder inside a vault; stable file stamps; `lesson` without `--kind`.

use crate::support::TestEnv;

#[test]
fn status_list_and_show_json_share_step_count_milestone_steps_and_unaffected_services() {
    let env = TestEnv::new();
    let id = env.ok(&["start", "DNS down", "--severity", "sev1", "--service", "dns", "--unaffected", "db,web"]);
    let id = id.trim();
    env.ok(&["mark", "detected", "pages firing"]);
    env.ok(&["note", "coredns looping"]);
    let status = env.json(&["status", "--json"]);
    let list = env.json(&["list", "--json"]);
    let show = env.json(&["show", "--json"]);
    let listed = &list[0];
    let steps = show["steps"].as_array().unwrap();
    let mark = steps.iter().find(|s| s["milestone"] == "detected").expect("the detected step");
    let marked = mark["id"].as_str().unwrap();
    // The old keys stay as they were: `steps` is a count in status and list, the steps in show.
    assert_eq!(status["steps"], 2);
    assert_eq!(listed["steps"], 2);
    assert_eq!(show["steps"].as_array().unwrap().len(), 2);
    for (name, json) in [("status", &status), ("list", listed), ("show", &show)] {
        assert_eq!(json["id"], id, "{name}");
        assert_eq!(json["severity"], "sev1", "{name}");
        assert_eq!(json["step_count"], 2, "{name}");
        assert_eq!(json["milestones"][0]["milestone"], "detected", "{name}");
        assert_eq!(json["milestones"][0]["step"], marked, "{name}");
        assert_eq!(json["milestones"][0]["at"], mark["at"], "{name}");
    }
    assert_eq!(status["services_unaffected"], serde_json::json!(["db", "web"]));
    assert_eq!(show["services_unaffected"], serde_json::json!(["db", "web"]));
    // The text header of show gives the severity, as status does.
    let show_text = env.ok(&["show"]);
    assert_eq!(show_text.lines().next().unwrap(), "DNS down [open · sev1]");
    assert_eq!(env.ok(&["status"]).lines().next().unwrap(), "DNS down [open · sev1]");
}

#[test]
fn a_folder_inside_a_vault_names_the_vault_instead_of_suggesting_init() {
    let env = TestEnv::new();
    let inside = env.root().join("incidents");
    let err = env.fails(1, &["--vault", inside.to_str().unwrap(), "status"]);
    assert_eq!(
        err,
        format!(
            "error: {} is inside the incident vault {}, not a vault of its own\n  hint: point at the vault's root: --vault {}\n",
            inside.display(),
            env.root().display(),
            env.root().display()
        )
    );
    // Relative, and a folder that does not exist (yet) under it: the same.
    let err = env.fails(1, &["--vault", "incidents/nope", "list"]);
    assert_eq!(
        err,
        format!(
            "error: {} is inside the incident vault {}, not a vault of its own\n  hint: point at the vault's root: --vault {}\n",
            env.root().join("incidents/nope").display(),
            env.root().display(),
            env.root().display()
        )
    );
    // Outside any vault, init is still the advice.
    let elsewhere = tempfile::tempdir().unwrap();
    let not_vault = elsewhere.path().to_str().unwrap();
    assert_eq!(
        env.fails(1, &["--vault", not_vault, "status"]),
        format!(
            "error: {not_vault} is not an incident vault (no incident.toml in it)\n  hint: create one with `incident init {not_vault}`\n"
        )
    );
}

#[test]
fn a_lesson_whose_first_word_is_a_kind_is_recorded_with_a_hint_to_use_kind() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["lesson", "sucked", "no alert for 6,812 restarts"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        "warning: recorded as learned (the default kind), but the lesson starts with \"sucked\": did you mean --kind sucked?"
    );
    assert!(r.stderr.lines().nth(1).unwrap().starts_with("recorded lesson "), "{}", r.stderr);
    let step = env.only_step(&id, "lesson");
    assert_eq!(crate::support::frontmatter(&step)["lesson"], "learned");
    assert!(step.contains("sucked no alert for 6,812 restarts"), "{step}");
    // With --kind, or a first word that is no kind, nothing is said.
    let r = env.run(&["lesson", "-q", "--kind", "worked", "worked: the runbook"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let r = env.run(&["lesson", "-q", "worker nodes need static addresses"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    // -q keeps the warning: it is about what was recorded.
    let r = env.run(&["lesson", "-q", "Lucky:", "it was a weekend"]);
    assert_eq!(
        r.stderr,
        "warning: recorded as learned (the default kind), but the lesson starts with \"Lucky:\": did you mean --kind lucky?\n"
    );
}

#[test]
fn status_lists_milestones_of_one_instant_in_the_order_they_happen() {
    let (mut env, _) = TestEnv::with_incident();
    env.at("2025-10-05T09:30:00-05:00");
    // Written in the wrong order at one instant: recovered, then mitigated.
    env.ok(&["-q", "mark", "recovered"]);
    env.ok(&["-q", "mark", "mitigated"]);
    let status = env.json(&["status", "--json"]);
    let order: Vec<&str> =
        status["milestones"].as_array().unwrap().iter().map(|m| m["milestone"].as_str().unwrap()).collect();
    assert_eq!(order, ["mitigated", "recovered"], "{status}");
    let text = env.ok(&["status"]);
    assert!(text.find("mitigated").unwrap() < text.find("recovered").unwrap(), "{text}");
}
