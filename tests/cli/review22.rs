//! Fixes from the twenty-second review, made by the lead: a shell line quoted as one word,
//! the heading of a long output, the start a backfilled milestone is compared with.

use crate::support::*;

#[test]
fn a_shell_line_quoted_as_one_word_is_refused_before_anything_runs_with_the_form_that_works() {
    let (env, id) = TestEnv::with_incident();
    let err = env.fails(2, &["run", "echo hi | grep hi > ran.txt"]);
    assert_eq!(
        err,
        "error: `echo hi | grep hi > ran.txt` is one word, not a command: nothing was run or recorded\n  \
         hint: a shell line (pipes, `&&`, redirections) runs as `incident run -- sh -c 'echo hi | grep hi > ran.txt'`\n"
    );
    let err = env.fails(2, &["run", "kubectl get pods -A"]);
    assert!(
        err.ends_with(
            "hint: give the words apart: `incident run -- kubectl get pods -A` (or a shell line: \
             `incident run -- sh -c 'kubectl get pods -A'`)\n"
        ),
        "{err}"
    );
    assert!(env.step_files(&id).is_empty(), "nothing recorded");
    // The form it names works; a program whose path has a space still runs.
    env.ok(&["run", "--", "sh", "-c", "echo hi | grep hi > ran.txt"]);
    assert_eq!(std::fs::read_to_string(env.root().join("ran.txt")).unwrap(), "hi\n");
    let dir = env.root().join("my tools");
    std::fs::create_dir(&dir).unwrap();
    let script = dir.join("check.sh");
    std::fs::write(&script, "#!/bin/sh\necho checked\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.ok(&["run", script.to_str().unwrap()]);
    assert_eq!(env.step_files(&id).len(), 2);
}

#[test]
fn run_help_says_the_command_gets_pipes_not_a_terminal_and_how_to_run_a_shell_line() {
    let env = TestEnv::new();
    let help = env.ok(&["run", "--help"]);
    assert!(help.contains("The command's output goes through pipes, not a terminal"), "{help}");
    assert!(help.contains("incident run -- sh -c 'journalctl -u k3s | grep -i flannel'"), "{help}");
}

#[test]
fn a_stale_postmortem_of_an_incident_left_off_the_site_is_not_warned_about_by_publish() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["resolve", "fixed"]);
    env.ok(&["postmortem"]);
    let md = env.incident_dir(&id).join("incident.md");
    let text = std::fs::read_to_string(&md).unwrap().replacen("title:", "visibility: internal\ntitle:", 1);
    std::fs::write(&md, format!("{text}\nA line added since.\n")).unwrap();
    let left_out = env.run(&["publish"]);
    assert_eq!(left_out.code, 0, "{}", left_out.stderr);
    assert!(!left_out.stderr.contains("stale"), "{}", left_out.stderr);
    assert!(left_out.stderr.contains("1 internal (--include-internal)"), "{}", left_out.stderr);
    // Published after all, it is.
    let published = env.run(&["publish", "--include-internal"]);
    assert!(
        published.stderr.contains("postmortem.md: stale: since it was generated, changed: incident.md"),
        "{}",
        published.stderr
    );
}

#[test]
fn recovery_time_without_a_diagnosis_says_so_rather_than_that_no_decision_was_made() {
    let (env, _) = TestEnv::with_incident();
    env.ok(&["option", "Clean restart"]);
    env.ok(&["decide", "Clean restart", "--for", "mitigation"]);
    env.ok(&["mark", "recovered"]);
    let md = env.ok(&["postmortem", "--out", "-"]);
    let row = md.lines().find(|l| l.starts_with("| **Recovery time**")).unwrap();
    assert!(
        row.contains(
            "unknown (no mitigation-start milestone, and diagnosis not recorded: recovery starts at the first decision after it)"
        ),
        "{row}"
    );
}

#[test]
fn a_mistyped_purpose_keeps_the_decision_and_is_named_with_the_nearest() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["option", "Clean restart"]);
    env.ok(&["decide", "Clean restart", "--for", "mitigation"]);
    let file = env.step_files(&id).into_iter().find(|p| p.to_str().unwrap().contains("-decision-")).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("purpose: mitigation", "purpose: mitgation")).unwrap();
    let line = text.lines().position(|l| l.starts_with("purpose:")).unwrap() + 1;
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        r.stderr.contains(&format!(
            "steps/{name}:{line}: unknown purpose `mitgation` (did you mean `mitigation`?), so the decision is read as \
             one without a purpose (as `decide` without --for); write one of: mitigation, permanent-fix"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("### Clean restart — chosen at"), "the decision still stands:\n{}", r.stdout);
    // Case and underscores as people write them are no typo.
    std::fs::write(&file, text.replace("purpose: mitigation", "purpose: Permanent_Fix")).unwrap();
    let r = env.run(&["show"]);
    assert!(!r.stderr.contains("purpose"), "{}", r.stderr);
}
