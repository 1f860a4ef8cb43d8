//! Picking the vault and the incident: as typed, as a shell completes it, from the
//! environment, and what `start`/`switch` say when the environment overrides them.

use crate::support::TestEnv;

#[test]
fn an_incident_is_picked_by_folder_path_any_case_of_its_name_or_its_title() {
    let env = TestEnv::new();
    env.ok(&["start", "K3s pods in CrashLoopBackOff"]);
    env.ok(&["start", "Database down"]);
    // Tab completion's trailing slash, a path, another case, a piece of the title.
    for (selector, slug) in [
        ("2025-10-05-k3s-pods-in-crashloopbackoff/", "2025-10-05-k3s-pods-in-crashloopbackoff"),
        ("incidents/2025-10-05-database-down/.", "2025-10-05-database-down"),
        ("CrashLoopBackOff", "2025-10-05-k3s-pods-in-crashloopbackoff"),
        ("K3s pods", "2025-10-05-k3s-pods-in-crashloopbackoff"),
    ] {
        assert_eq!(env.ok(&["switch", selector]).trim(), slug, "{selector}");
        let current = std::fs::read_to_string(env.root().join(".incident/current")).unwrap();
        assert_eq!(current.trim(), slug, "the folder name is kept, not the selector");
    }
    let err = env.fails(1, &["switch", "2025-10-05-databse-down"]);
    assert_eq!(
        err,
        "error: no incident matches \"2025-10-05-databse-down\"\n  hint: did you mean 2025-10-05-database-down?\n"
    );
    let err = env.fails(1, &["switch", "databse-dwn"]);
    assert_eq!(err, "error: no incident matches \"databse-dwn\"\n  hint: did you mean 2025-10-05-database-down?\n");
    let err = env.fails(1, &["switch", "cache"]);
    assert_eq!(err, "error: no incident matches \"cache\"\n  hint: `incident list` shows them all\n");
}

#[test]
fn a_value_from_the_environment_is_named_in_errors_and_warned_about_when_it_overrides() {
    let mut env = TestEnv::new();
    let first = env.ok(&["start", "First"]).trim().to_string();
    env.extra_env.push(("INCIDENT_ID".into(), first.clone()));
    let r = env.run(&["start", "Second"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "started \"Second\"; it is now the current incident\n\
         2025-10-05-first is still open: `incident switch 2025-10-05-first` goes back to it, \
         `incident -I 2025-10-05-first resolve` ends it\n\
         warning: INCIDENT_ID=2025-10-05-first is set: later commands still go to that incident, not \
         2025-10-05-second; unset INCIDENT_ID\n"
    );
    env.extra_env = vec![("INCIDENT_ID".into(), "nope".into())];
    assert_eq!(
        env.fails(1, &["status"]),
        "error: INCIDENT_ID: no incident matches \"nope\"\n  \
         hint: INCIDENT_ID is set in your environment: unset it, or pass --incident ID; `incident list` shows them all\n"
    );
    for command in [&["show"][..], &["postmortem", "--out", "-"], &["note", "x"]] {
        let err = env.fails(1, command);
        assert!(err.starts_with("error: INCIDENT_ID: no incident matches \"nope\"\n"), "{command:?}: {err}");
    }
    // Given on the command line, it is not blamed on the environment.
    env.extra_env.clear();
    assert_eq!(
        env.fails(1, &["-I", "nope", "status"]),
        "error: no incident matches \"nope\"\n  hint: `incident list` shows them all\n"
    );
    env.extra_env = vec![("INCIDENT_VAULT".into(), "/nonexistent-vault".into())];
    assert_eq!(
        env.fails(1, &["status"]),
        "error: INCIDENT_VAULT: /nonexistent-vault is not an incident vault (no incident.toml in it)\n  \
         hint: INCIDENT_VAULT is set in your environment: unset it, or pass --vault DIR\n"
    );
    // Another vault named by INCIDENT_VAULT while working in this one.
    let other = tempfile::tempdir().unwrap();
    env.extra_env.clear();
    env.ok(&["init", other.path().to_str().unwrap()]);
    env.extra_env = vec![("INCIDENT_VAULT".into(), other.path().to_str().unwrap().into())];
    let r = env.run(&["start", "Third"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "warning: INCIDENT_VAULT={} is set: commands run in {} use it, not the vault there; unset INCIDENT_VAULT\n",
            other.path().display(),
            env.root().display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn color_never_reaches_usage_errors_and_help() {
    let env = TestEnv::new();
    // FORCE_COLOR would make clap colour even into a pipe; --color never still wins.
    let mut cmd = env.command(&["--color", "never", "stauts"]);
    cmd.env("CLICOLOR_FORCE", "1");
    let out = cmd.output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(err.starts_with("error: unrecognized subcommand 'stauts'"), "{err:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let mut cmd = env.command(&["--color=never", "status", "--help"]);
    cmd.env("CLICOLOR_FORCE", "1");
    let help = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert!(help.contains("Usage:") && !help.contains('\u{1b}'), "{help:?}");
}

#[test]
fn incident_given_to_a_command_of_the_whole_vault_is_refused_unless_it_comes_from_the_environment() {
    let mut env = TestEnv::new();
    let id = env.ok(&["start", "First"]).trim().to_string();
    assert_eq!(
        env.fails(2, &["publish", "-I", &id]),
        "error: `incident publish` does not work on one incident; --incident 2025-10-05-first is not used\n  \
         hint: leave it out: publish renders every incident of the vault\n"
    );
    assert_eq!(
        env.fails(2, &["--incident", "x", "list"]),
        "error: `incident list` does not work on one incident; --incident x is not used\n  \
         hint: leave it out: list shows every incident; `incident show ID` shows one\n"
    );
    assert!(!env.root().join("public").exists(), "nothing is published");
    for (command, hint) in [
        (&["report"][..], "report covers every incident (--since limits it)"),
        (&["start", "Other"][..], "start opens a new incident"),
        (&["switch", "2025-10-05-first"][..], "`incident switch ID` names the incident itself"),
    ] {
        let err = env.fails(2, &[&["-I", "nope"][..], command].concat());
        assert!(err.ends_with(&format!("--incident nope is not used\n  hint: leave it out: {hint}\n")), "{err}");
    }
    assert_eq!(env.ok(&["list", "--json"]).matches("\"title\"").count(), 1, "no incident was started");
    // INCIDENT_ID exported for the recording commands does not stop the others.
    env.extra_env.push(("INCIDENT_ID".into(), id));
    assert!(env.ok(&["list"]).contains("First"));
}
