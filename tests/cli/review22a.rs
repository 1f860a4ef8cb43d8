//! Fixes from the twenty-second review (first part): a secret the postmortem copied from a
//! step, Markdown-escaped there (`sk\_live\_…`), is found by the publish gate.

use std::fs;

use crate::support::*;

const KEY: &str = "sk_live_51HzqXyZ12345abcdefGHIJ";

fn read(path: &std::path::Path) -> String {
    fs::read_to_string(path).unwrap()
}

#[test]
fn a_secret_escaped_in_the_postmortem_is_found_after_its_step_is_cleaned() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "--no-redact", &format!("old key {KEY}")]);
    env.ok(&["resolve", "done"]);
    env.ok(&["postmortem"]);
    let postmortem = env.incident_dir(&id).join("postmortem.md");
    assert!(read(&postmortem).contains(r"sk\_live\_51HzqXyZ12345abcdefGHIJ"), "{}", read(&postmortem));
    let step = env.step_files(&id).into_iter().find(|p| read(p).contains(KEY)).unwrap();
    fs::write(&step, read(&step).replace(KEY, "[removed]")).unwrap();

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let problem = format!("incidents/{id}/postmortem.md");
    assert!(
        r.stdout.lines().any(|l| l.starts_with(&problem) && l.ends_with(": still holds a secret (stripe-key 1)")),
        "{}",
        r.stdout
    );

    // Plain publish holds the incident back as it does for a step.
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("warning: {problem}")), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("still holds a secret (stripe-key 1): edit it out of the steps it came from and regenerate it (`incident postmortem {id}`), or switch the rule off")),
        "{}",
        r.stderr
    );
    // Regenerated from the clean step, it goes out.
    env.ok(&["postmortem"]);
    assert_eq!(env.run(&["publish", "-q"]).code, 0);
    for (path, bytes) in crate::redact::all_files(&env.root().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "{}", path.display());
    }
}

#[test]
fn a_secret_problem_names_the_line_of_its_first_match() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "--no-redact", &format!("old key {KEY}\n\nand again:\n{KEY}")]);
    env.ok(&["resolve", "done"]);
    env.ok(&["postmortem"]);
    let step = env.step_files(&id).into_iter().find(|p| read(p).contains(KEY)).unwrap();
    let name = step.file_name().unwrap().to_string_lossy().into_owned();
    let line_of = |path: &std::path::Path, what: &str| read(path).lines().position(|l| l.contains(what)).unwrap() + 1;
    let step_line = line_of(&step, KEY);
    let postmortem = env.incident_dir(&id).join("postmortem.md");
    let pm_line = line_of(&postmortem, r"sk\_live\_");

    let r = env.run(&["publish", "--check", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let lines: Vec<(String, serde_json::Value)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["message"].as_str().unwrap().starts_with("still holds a secret"))
        .map(|p| (p["file"].as_str().unwrap().to_string(), p["line"].clone()))
        .collect();
    assert_eq!(
        lines,
        [
            (format!("incidents/{id}/postmortem.md"), serde_json::json!(pm_line)),
            (format!("incidents/{id}/steps/{name}"), serde_json::json!(step_line)),
        ]
    );

    let r = env.run(&["publish", "--check"]);
    assert!(
        r.stdout
            .contains(&format!("incidents/{id}/steps/{name}: line {step_line}: still holds a secret (stripe-key 2)\n")),
        "{}",
        r.stdout
    );
    let r = env.run(&["publish"]);
    assert!(
        r.stderr.contains(&format!(
            "warning: incidents/{id}/steps/{name}:{step_line}: still holds a secret (stripe-key 2) (and 1 more file)"
        )),
        "{}",
        r.stderr
    );
}
