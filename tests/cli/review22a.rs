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
    assert!(r.stderr.contains("still holds a secret (stripe-key 1)"), "{}", r.stderr);
    for (path, bytes) in crate::redact::all_files(&env.root().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "{}", path.display());
    }
}
