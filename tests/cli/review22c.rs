//! Fixes from the twenty-second review (third part): steps that tie on `at` and
//! `recorded_at` keep the order they were recorded in, not the order of their kinds' names.

use crate::support::*;

/// The kinds and headlines of `show`'s timeline, in order, without "↶ recorded 08:23".
fn timeline(env: &TestEnv) -> Vec<String> {
    let shown = env.ok(&["show"]);
    shown
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(':'))
        .map(|l| l.split(" ↶").next().unwrap().split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn steps_recorded_at_the_same_instant_keep_their_recording_order() {
    let (env, id) = TestEnv::with_incident();
    // A script under the pinned clock: every step has the same `at` and `recorded_at`.
    let script = "$BIN option 'Clean restart' && $BIN option Pin && $BIN decide Clean --for mitigation \
                  && $BIN note a && $BIN note b && $BIN note c";
    let r = env.shell(script).output().unwrap();
    let mut said = String::from_utf8_lossy(&r.stderr).into_owned();
    assert!(r.status.success(), "{said}");
    // Backfilled with the same `--at`: tied too.
    let mut backfilled = String::new();
    for text in ["first backfilled", "second backfilled", "third backfilled"] {
        let r = env.run(&["note", text, "--at", "08:10"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        backfilled.push_str(&r.stderr);
    }
    said.insert_str(0, &backfilled); // at 08:10, before the rest
    // "recorded note 20251005T131000Z-note-… in …": the ids, in the order shown below.
    let ids: Vec<&str> = said.lines().filter_map(|l| l.strip_prefix("recorded ")?.split(' ').nth(1)).collect();
    assert_eq!(ids.len(), 9, "{said}");
    let shown = timeline(&env);
    let expected = [
        "note first backfilled",
        "note second backfilled",
        "note third backfilled",
        "option option: Clean restart",
        "option option: Pin",
        "decision decided: Clean restart as the mitigation",
        "note a",
        "note b",
        "note c",
    ];
    assert_eq!(shown, expected);

    // The postmortem's timeline says it in the same order.
    env.ok(&["postmortem"]);
    let pm = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    let timeline = &pm[pm.find("## Timeline").unwrap()..pm.find("## Detection").unwrap()];
    let items: Vec<&str> = timeline
        .lines()
        .filter_map(|l| l.strip_prefix("- 08:"))
        .map(|l| l[3..].split(" · ").next().unwrap().split(" *(recorded").next().unwrap())
        .collect();
    let headlines: Vec<&str> = expected.iter().map(|e| e.split_once(' ').unwrap().1).collect();
    assert_eq!(items, headlines, "{timeline}");

    // And so does the site's page of the incident.
    env.ok(&["publish", "--include-open"]);
    let page = std::fs::read_to_string(env.root().join("public/incidents").join(&id).join("index.html")).unwrap();
    let on_page: Vec<&str> = page.split("id=\"step-").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert_eq!(on_page, ids, "{said}");
}
