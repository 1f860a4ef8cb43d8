//! Fixes from the twenty-third review, made by the lead: a milestone marked before the
//! incident's start is said at once, and `status` shows no negative span.

use crate::support::*;

#[test]
fn a_milestone_marked_before_the_start_is_warned_about_at_once_unless_impact_began_earlier() {
    let (env, _id) = TestEnv::with_incident();
    let r = env.run(&["mark", "detected", "--at", "2025-10-04T08:10:00-05:00"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let detected = r.stderr.split("recorded milestone ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    assert!(
        r.stderr.contains(&format!(
            "warning: detected at 2025-10-04 08:10 (steps/{detected}.md) is before the incident's start at \
             2025-10-05 08:23 (incident.md); correct the `at:` in the file of the wrong one (a time written without \
             its date is easily a day off), or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`"
        )),
        "{}",
        r.stderr
    );
    // Once impact is marked earlier, that is the start: no warning.
    let r = env.run(&["mark", "impact-start", "--at", "2025-10-04T08:00:00-05:00"]);
    assert!(!r.stderr.contains("before the incident's start"), "{}", r.stderr);
    let r = env.run(&["mark", "diagnosed", "--at", "2025-10-04T09:00:00-05:00"]);
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // After the start: nothing said.
    let (mut env, _id) = TestEnv::with_incident();
    env.at("2025-10-05T09:00:00-05:00");
    let r = env.run(&["mark", "detected", "--at", "2025-10-05T08:30:00-05:00"]);
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn status_shows_no_negative_span_for_a_resolution_dated_before_the_start() {
    let (env, _id) = TestEnv::with_incident();
    env.run(&["mark", "resolved", "--at", "2025-10-05T06:00:00-05:00"]);
    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("· resolved 06:00, before its start"), "{}", r.stdout);
    assert!(!r.stdout.contains("after -"), "{}", r.stdout);
    assert!(r.stderr.contains("resolved at 2025-10-05 06:00"), "{}", r.stderr);
}

#[test]
fn a_postmortem_whose_template_fails_leaves_no_pictures_behind() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "detected"]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["templates", "export"]);
    let tpl = env.root().join("templates/postmortem.md.tera");
    let good = std::fs::read_to_string(&tpl).unwrap();
    std::fs::write(&tpl, format!("{good}{{% if broken %}}\n")).unwrap();
    let err = env.fails(1, &["postmortem"]);
    assert!(err.contains("postmortem.md.tera"), "{err}");
    let dir = env.incident_dir(&id);
    assert!(!dir.join("postmortem.md").exists());
    assert!(!dir.join("postmortem-timeline.svg").exists(), "a picture of a postmortem that was not written");
    std::fs::write(&tpl, good).unwrap();
    env.ok(&["postmortem"]);
    assert!(dir.join("postmortem.md").exists() && dir.join("postmortem-timeline.svg").exists());
}

#[test]
fn status_and_show_json_carry_the_warnings_of_a_skipped_step() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "kept"]);
    env.ok(&["note", "broken later"]);
    let broken = env.step_files(&id).into_iter().max().unwrap();
    let text = std::fs::read_to_string(&broken).unwrap().replacen("at: ", "at: [unclosed ", 1);
    std::fs::write(&broken, text).unwrap();
    let name = broken.file_name().unwrap().to_string_lossy().to_string();
    for cmd in ["status", "show"] {
        let r = env.run(&[cmd, "--json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(json["step_count"], 1, "{cmd}");
        let warnings = json["warnings"].as_array().unwrap_or_else(|| panic!("{cmd}: {json}"));
        assert_eq!(warnings.len(), 1, "{cmd}: {warnings:?}");
        let w = warnings[0].as_str().unwrap();
        assert!(w.contains(&name) && r.stderr.contains(w), "{cmd}: {w}\n{}", r.stderr);
    }
}

#[test]
fn publishes_run_at_once_take_turns_and_none_takes_the_site_for_a_stranger_s() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["note", "one"]);
    env.ok(&["start", "Another"]);
    env.ok(&["note", "two"]);
    // The race is in the first publish of a folder: made by one, not yet marked as its.
    for _ in 0..6 {
        let _ = std::fs::remove_dir_all(env.root().join("public"));
        for record in ["site-cache", "site-cache.entries"] {
            let _ = std::fs::remove_file(env.root().join(".incident").join(record));
        }
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let mut publish = env.command(&["publish", "--include-open"]);
                publish.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap()
            })
            .collect();
        for child in runs {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{stderr}");
            assert!(!stderr.contains("not made by"), "{stderr}");
        }
        assert!(env.root().join("public/index.html").exists());
    }
}

#[test]
fn a_folder_or_file_where_the_other_belongs_is_named_with_the_fix() {
    let (env, id) = TestEnv::with_incident();
    let err = env.fails(1, &["attach", "incidents"]);
    assert_eq!(
        err,
        format!(
            "error: cannot attach {}: it is a folder\n  hint: attach its files one by one, or an archive of it \
             (`tar czf NAME.tar.gz FOLDER`, then `incident attach NAME.tar.gz`)\n",
            env.root().join("incidents").display()
        )
    );
    let err = env.fails(2, &["publish", "--out", "incident.toml"]);
    assert_eq!(
        err,
        format!(
            "error: cannot publish into {}: it is a file, not a folder\n  hint: --out names the folder the site is \
             written to: pick one that is not there yet, e.g. --out public\n",
            env.root().join("incident.toml").display()
        )
    );
    // A file named `outputs`: the long output's head and tail are kept, and the warning says how to mend it.
    let outputs = env.incident_dir(&id).join("outputs");
    std::fs::write(&outputs, "in the way\n").unwrap();
    let r = env.run(&["run", "--", "seq", "1", "30000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "Not a directory (os error 20)\n  hint: {} or a folder above it is a file where a folder should be: move that file away\n",
            outputs.display()
        )),
        "{}",
        r.stderr
    );
    let step = std::fs::read_to_string(env.step_files(&id).pop().unwrap()).unwrap();
    assert!(!step.contains("move that file away"), "the hint is for the terminal, not the record:\n{step}");
}

#[test]
fn publish_warns_of_a_postmortem_whose_frontmatter_is_broken_as_check_names_it() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["resolve", "fixed"]);
    env.ok(&["postmortem"]);
    let md = env.incident_dir(&id).join("postmortem.md");
    let text = std::fs::read_to_string(&md).unwrap();
    let broken: String = text
        .lines()
        .map(|l| if l.starts_with("incident: ") { "incident: [broken".to_string() } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&md, broken + "\n").unwrap();
    let check = env.run(&["publish", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let named =
        check.stdout.lines().find(|l| l.contains("postmortem.md")).unwrap_or_else(|| panic!("{}", check.stdout));
    let (file_line, what) = named.split_once(": line ").unwrap();
    let publish = env.run(&["publish"]);
    assert_eq!(publish.code, 0, "{}", publish.stderr);
    let (line, message) = what.split_once(": ").unwrap();
    assert!(
        publish.stderr.contains(&format!("warning: {file_line}:{line}: {message}\n")),
        "{}\n{}",
        check.stdout,
        publish.stderr
    );
}

#[test]
fn duration_flags_out_of_range_or_without_a_unit_are_refused_with_the_range() {
    let (env, _id) = TestEnv::with_incident();
    let cases = [
        (["watch", "--interval", "0s"], "--interval \"0s\" is out of range\n  hint: give from 100ms to 1d"),
        (
            ["watch", "--interval", "99999999999h"],
            "--interval \"99999999999h\" is out of range\n  hint: give from 100ms to 1d",
        ),
        (
            ["watch", "--interval", "30"],
            "--interval \"30\" has no unit\n  hint: write it with one, like 30s, 500ms, 1m or 1m30s",
        ),
        (
            ["snapshot", "--connect-timeout", "0s"],
            "--connect-timeout \"0s\" is out of range\n  hint: give from 1ms to 10m",
        ),
        (
            ["snapshot", "--connect-timeout", "0"],
            "--connect-timeout \"0\" has no unit\n  hint: write it with one, like 5s, 500ms, 1m or 1m30s",
        ),
    ];
    for (args, said) in cases {
        assert_eq!(env.fails(2, &args), format!("error: {said}\n"), "{args:?}");
    }
}

#[test]
fn junk_in_the_current_pointer_and_a_file_where_incidents_belongs_say_what_to_do() {
    let (env, _id) = TestEnv::with_incident();
    let current = env.root().join(".incident/current");
    std::fs::write(&current, b"\xff\xfe\x00junk").unwrap();
    let err = env.fails(1, &["status"]);
    assert_eq!(
        err,
        format!(
            "error: {} holds no incident id: stream did not contain valid UTF-8\n  hint: pick the current incident \
             again with `incident switch ID` (see `incident list`)\n",
            current.display()
        )
    );
    let env = TestEnv::new();
    let incidents = env.root().join("incidents");
    std::fs::remove_dir_all(&incidents).unwrap();
    std::fs::write(&incidents, "not a folder\n").unwrap();
    let err = env.fails(1, &["start", "x"]);
    assert_eq!(
        err,
        format!(
            "error: cannot create {0}: File exists (os error 17)\n  hint: {0} is already there but is not what was \
             expected (a file where a folder should be?): move it away\n",
            incidents.display()
        )
    );
}
