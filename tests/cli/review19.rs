//! Fixes from the nineteenth review: blank input to capture, a step without `at:`, an
//! unreadable incident in the list, shell completions, the wording of a file diff.

use crate::support::*;

const PIPE_HINT: &str =
    "  hint: pipe the output in: kubectl get pods -A | incident capture -c \"kubectl get pods -A\"\n";

#[test]
fn capture_of_blank_input_records_nothing_and_says_how_to_pipe_output_in() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run_with_stdin(&["capture", "-t", "pods"], b"  \n\n\t\n");
    assert_eq!((r.code, r.stdout.as_str()), (2, "  \n\n\t\n"), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "error: nothing to capture: only blank lines came on standard input (nothing was recorded)\n{PIPE_HINT}"
        )
    );
    // A blank file given instead of stdin is named.
    std::fs::write(env.root().join("pods.txt"), "\n\n").unwrap();
    let r = env.run(&["capture", "--no-echo", "pods.txt"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("error: nothing to capture: pods.txt holds only blank lines (nothing was recorded)\n{PIPE_HINT}")
    );
    assert!(env.step_files(&id).is_empty());
    assert!(!env.incident_dir(&id).join("outputs").exists());
}

#[test]
fn a_step_without_at_takes_its_time_from_its_file_name_and_says_so() {
    let (env, id) = TestEnv::with_incident();
    let steps = env.incident_dir(&id).join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    let named = steps.join("20190101T032317Z-run-74720b.md");
    std::fs::write(&named, "---\nkind: run\ncommand: kubectl get pods -A\n---\n\nall pods pending\n").unwrap();
    let unnamed = steps.join("my-note.md");
    std::fs::write(&unnamed, "---\nkind: note\n---\n\nno time anywhere\n").unwrap();
    let r = env.run(&["show"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 03:23 UTC in the incident's offset, -05:00.
    assert!(r.stdout.contains("Monday 2018-12-31\n  22:23  run       $ kubectl get pods -A"), "{}", r.stdout);
    assert!(!r.stdout.contains("no time anywhere"), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: no `at:` in the frontmatter, so the time was taken from the file name; \
             add `at: 2019-01-01T03:23:17Z` to the frontmatter\n\
             warning: {}:2: no `at:` in the frontmatter and no time in the file name, so the step is left out; \
             add a line such as `at: 2025-10-05T08:30:00Z` (UTC, or with its offset) after the first `---`\n",
            named.display(),
            unnamed.display()
        )
    );
    // The step counts in the list too.
    let list = env.json(&["list", "--json"]);
    assert_eq!(list[0]["steps"], 1, "{list}");
}

#[test]
fn list_shows_an_incident_whose_incident_md_cannot_be_read() {
    let (env, id) = TestEnv::with_incident();
    let dir = env.root().join("incidents/2025-09-30-broken");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("incident.md"), "---\ntitle: broken\nat: [oops\n---\n").unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", r.stdout);
    assert!(rows[1].starts_with(&format!("* {id}")), "{}", r.stdout);
    assert_eq!(
        rows[2],
        format!(
            "  2025-09-30-broken{}  -                 -     unreadable      -  \
             cannot read incidents/2025-09-30-broken/incident.md:3 (the warning above says why)",
            " ".repeat(id.len() - "2025-09-30-broken".len())
        )
    );
    assert!(r.stderr.contains("2025-09-30-broken/incident.md:3: `at: [oops`"), "{}", r.stderr);
    // The JSON stays an array; the entry is in it, with why.
    let list = env.json(&["list", "--json"]);
    let entries = list.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["id"], id.as_str());
    assert!(entries[0]["unreadable"].is_null());
    let broken = &entries[1];
    assert_eq!((broken["id"].as_str(), broken["title"].is_null()), (Some("2025-09-30-broken"), true));
    assert_eq!(broken["unreadable"]["file"], "incidents/2025-09-30-broken/incident.md");
    assert_eq!(broken["unreadable"]["line"], 3);
    assert!(broken["unreadable"]["message"].as_str().unwrap().starts_with("`at: [oops`: "), "{broken}");
    // Whatever the status asked: its status is unknown.
    let open = env.json(&["list", "--json", "--status", "resolved"]);
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
}

/// What bash offers after `incident WORD<Tab>` with the script of `incident completions bash`.
fn bash_completes(env: &TestEnv, word: &str) -> Vec<String> {
    let script = "eval \"$($BIN completions bash)\"; COMP_WORDS=(incident \"$WORD\"); COMP_CWORD=1; \
                  _incident incident \"$WORD\" incident; printf '%s\\n' \"${COMPREPLY[@]}\"";
    let out =
        env.shell(&format!("exec bash -c '{}'", script.replace('\'', "'\\''"))).env("WORD", word).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn completions_print_a_script_for_each_shell_that_completes_the_real_subcommands() {
    let env = TestEnv::bare();
    let bash = env.ok(&["completions", "bash"]);
    for sub in ["start", "note", "run", "publish"] {
        assert!(bash.contains(&format!("incident,{sub})")), "bash script lacks {sub}");
    }
    assert_eq!(bash_completes(&env, "pu"), ["publish"]);
    assert_eq!(bash_completes(&env, "no"), ["note"]);
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(env.ok(&["completions", shell]).contains("publish"), "{shell}");
    }
    let help = env.ok(&["completions", "--help"]);
    assert!(help.contains("incident completions bash > ~/.local/share/bash-completion/completions/incident"), "{help}");
    let r = env.run(&["completions", "tcsh"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.starts_with("error: invalid value 'tcsh' for '<SHELL>'\n"), "{}", r.stderr);
}

#[test]
fn a_diff_of_two_saved_files_names_the_files_not_server_addresses() {
    let (mut env, _id) = TestEnv::with_incident();
    let pods = crate::kube_server::fixture_dir().join("seed_pods.json");
    let mut later: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&pods).unwrap()).unwrap();
    later["items"][0]["status"]["containerStatuses"][0]["restartCount"] = 1900.into();
    std::fs::copy(&pods, env.root().join("before.json")).unwrap();
    std::fs::write(env.root().join("after.json"), later.to_string()).unwrap();
    env.at("2025-10-05T13:23:00Z").ok(&["snapshot", "--from", "before.json", "-q"]);
    env.at("2025-10-05T13:30:00Z").ok(&["snapshot", "--from", "after.json", "-q"]);
    let out = env.ok(&["diff"]);
    let first = out.lines().next().unwrap();
    assert_eq!(first, "note: compared the saved files before.json (earlier) and after.json (later)", "{out}");
    assert!(!out.contains("server"), "{out}");
    let json = env.json(&["diff", "--json"]);
    assert_eq!(json["scope"], serde_json::json!([first.strip_prefix("note: ").unwrap()]));
}
