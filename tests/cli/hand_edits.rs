//! A vault edited by hand, as Obsidian and git users do: files one folder off, bytes that
//! are not UTF-8, merge conflict markers, mistyped keys. Each is named, never dropped in silence.

use std::fs;

use crate::site::{publish_keeps_the_last_pages_of, read, two_published_incidents};

#[test]
fn an_incident_folder_moved_one_level_down_is_named_and_keeps_its_pages() {
    let (env, a) = two_published_incidents();
    let incidents = env.root().join("incidents");
    fs::create_dir(incidents.join("2025")).unwrap();
    let moved = incidents.join("2025").join(&a);
    fs::rename(env.incident_dir(&a), &moved).unwrap();
    let hint = format!(
        "incident folders go directly under incidents/: move it up with `mv {} {}/`",
        moved.display(),
        incidents.display()
    );

    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: is an incident folder inside incidents/2025/, so it is left out; {hint}\n",
            moved.display()
        )
    );
    assert!(!r.stdout.contains("First outage"), "{}", r.stdout);

    assert_eq!(
        env.fails(1, &["-I", &a, "status"]),
        format!(
            "error: the incident {a} cannot be opened: its folder is an incident folder inside incidents/2025/\n  \
             hint: {hint}\n"
        )
    );

    publish_keeps_the_last_pages_of(
        &env,
        &a,
        &format!(
            "warning: {}: is an incident folder inside incidents/2025/; {hint}; the pages last published of it stay \
             until it is fixed\n",
            moved.display()
        ),
    );

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(&format!(
            "incidents/2025/{a}: cannot be published: is an incident folder inside incidents/2025/; {hint}\n"
        )),
        "{}",
        r.stdout
    );

    fs::rename(&moved, env.incident_dir(&a)).unwrap();
    assert_eq!(env.run(&["publish"]).code, 0);
    assert!(env.run(&["list"]).stderr.is_empty());
}

#[test]
fn an_incident_folder_two_levels_down_is_named_and_keeps_its_pages() {
    let (env, a) = two_published_incidents();
    let incidents = env.root().join("incidents");
    fs::create_dir_all(incidents.join("2025/10")).unwrap();
    let moved = incidents.join("2025/10").join(&a);
    fs::rename(env.incident_dir(&a), &moved).unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "warning: {}: is an incident folder inside incidents/2025/10/, so it is left out; incident folders go \
             directly under incidents/: move it up with `mv {} {}/`\n",
            moved.display(),
            moved.display(),
            incidents.display()
        )),
        "{}",
        r.stderr
    );
    publish_keeps_the_last_pages_of(&env, &a, "is an incident folder inside incidents/2025/10/");
}

#[test]
fn an_incident_folder_whose_name_is_not_utf8_is_named_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let (env, a) = two_published_incidents();
    let incidents = env.root().join("incidents");
    let odd = incidents.join(std::ffi::OsStr::from_bytes(b"caf\xe9-outage"));
    fs::rename(env.incident_dir(&a), &odd).unwrap();
    let hint = format!("rename it to a UTF-8 name (`ls -b {}` shows its bytes)", incidents.display());
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = incidents.join("caf\u{fffd}-outage");
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: has a name that is not UTF-8 (shown with \u{fffd}), so it is left out; {hint}\n",
            shown.display()
        )
    );
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("has a name that is not UTF-8"), "{}", r.stderr);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("cannot be published: has a name that is not UTF-8"), "{}", r.stdout);
    fs::rename(&odd, env.incident_dir(&a)).unwrap();
    assert_eq!(env.run(&["publish"]).code, 0);
}

#[test]
fn a_step_file_one_folder_off_is_named_with_where_step_files_go() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    env.ok(&["resolve", "fixed"]);
    let dir = env.incident_dir(&id);
    let steps = dir.join("steps");
    let named = |kind: &str| {
        let files = env.step_files(&id);
        let file = files.iter().find(|p| p.to_string_lossy().contains(&format!("-{kind}-"))).unwrap();
        file.file_name().unwrap().to_string_lossy().into_owned()
    };
    let (note, milestone) = (named("note"), named("milestone"));
    fs::create_dir(steps.join("archive")).unwrap();
    let archived = steps.join("archive").join(&note);
    fs::rename(steps.join(&note), &archived).unwrap();
    let loose = dir.join(&milestone);
    fs::rename(steps.join(&milestone), &loose).unwrap();

    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: not read: only incident.md and postmortem.md are read here; a step file goes in steps/: \
             move it there with `mv {} {}/`\n\
             warning: {}: not read: step files go directly in steps/, not in a folder inside it; move it up with \
             `mv {} {}/`\n",
            loose.display(),
            loose.display(),
            steps.display(),
            archived.display(),
            archived.display(),
            steps.display()
        )
    );
    assert!(env.run(&["list"]).stderr.contains("not in a folder inside it"));
    let r = env.run(&["publish", "--check", "--include-open"]);
    assert!(r.stdout.contains(&format!("incidents/{id}/{milestone}: not read: only incident.md")), "{}", r.stdout);

    fs::rename(&archived, steps.join(&note)).unwrap();
    fs::rename(&loose, steps.join(&milestone)).unwrap();
    assert!(env.run(&["status"]).stderr.is_empty());

    // A scratch note without frontmatter would be a broken step in steps/: it is recorded.
    let scratch = dir.join("scratch.md");
    fs::write(&scratch, "pods restarted at 08:40?\n").unwrap();
    assert_eq!(
        env.run(&["status"]).stderr,
        format!(
            "warning: {}: not read: only incident.md and postmortem.md are read here; to keep it as a note of the \
             incident, record it with `incident -I {id} note - < {}` and remove it\n",
            scratch.display(),
            scratch.display()
        )
    );
}

#[cfg(unix)]
#[test]
fn a_step_file_whose_name_is_not_utf8_is_named_with_a_rename_hint() {
    use std::os::unix::ffi::OsStrExt;
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    let steps = env.incident_dir(&id).join("steps");
    let note = env.step_files(&id).pop().unwrap();
    let mut name = b"caf\xe9-".to_vec();
    name.extend_from_slice(note.file_name().unwrap().as_bytes());
    let renamed = steps.join(std::ffi::OsStr::from_bytes(&name));
    fs::rename(&note, &renamed).unwrap();

    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}/caf\u{fffd}-{}: not read: its name is not UTF-8 (shown with \u{fffd}); rename it to a UTF-8 name\n",
            steps.display(),
            note.file_name().unwrap().to_string_lossy()
        )
    );
}

#[test]
fn a_stray_byte_in_a_step_body_is_shown_replaced_and_the_step_still_counts() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["resolve", "fixed it"]);
    let file = env.step_files(&id).pop().unwrap();
    let mut bytes = fs::read(&file).unwrap();
    bytes.extend_from_slice(b"caf\xe9 au lait\n");
    let line = bytes.iter().filter(|&&b| b == b'\n').count();
    fs::write(&file, bytes).unwrap();

    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("K3s pods crash-looping [resolved · sev2]"),
        "the resolved milestone still counts: {}",
        r.stdout
    );
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:{line}: not UTF-8 (byte 0xe9), so it is shown with \u{fffd}; re-save the file as UTF-8\n",
            file.display()
        )
    );
    assert!(env.ok(&["show"]).contains("fixed it"));
    let r = env.run(&["publish", "--check"]);
    let rel = file.strip_prefix(env.root()).unwrap();
    assert!(r.stdout.contains(&format!("{}: line {line}: not UTF-8 (byte 0xe9)", rel.display())), "{}", r.stdout);
}

#[test]
fn merge_conflict_markers_are_named_as_such_in_frontmatter_and_body() {
    let (mut env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    env.at("2025-10-05T08:24:00-05:00");
    env.ok(&["note", "second look"]);
    let [head, body]: [std::path::PathBuf; 2] = env.step_files(&id).try_into().unwrap();
    let text =
        read(&head).replacen("kind: note\n", "<<<<<<< HEAD\nkind: note\n=======\nkind: lesson\n>>>>>>> theirs\n", 1);
    fs::write(&head, text).unwrap();
    let text = read(&body);
    let start = text.lines().count() + 1;
    fs::write(&body, format!("{text}<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> feature/x\n")).unwrap();
    let marker_line = read(&head).lines().position(|l| l == "<<<<<<< HEAD").unwrap() + 1;

    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("second look") && !r.stdout.contains("first look"), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:{marker_line}: unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> theirs` on line {}); \
             resolve it and remove the markers\n\
             warning: {}:{start}: unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> feature/x` on line {}); \
             resolve it and remove the markers\n",
            head.display(),
            marker_line + 4,
            body.display(),
            start + 4
        )
    );
    let r = env.run(&["publish", "--check", "--include-open"]);
    let rel = |p: &std::path::Path| p.strip_prefix(env.root()).unwrap().display().to_string();
    for (file, line) in [(rel(&head), marker_line), (rel(&body), start)] {
        let problem = format!("{file}: line {line}: unresolved merge conflict (`<<<<<<< HEAD` to");
        assert!(r.stdout.contains(&problem), "{}", r.stdout);
    }

    // In incident.md's frontmatter: the incident cannot be read, and says why.
    let md = env.incident_dir(&id).join("incident.md");
    fs::write(&md, read(&md).replacen("title:", "<<<<<<< HEAD\ntitle:", 1)).unwrap();
    let line = read(&md).lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    let r = env.run(&["list"]);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:{line}: unresolved merge conflict (`<<<<<<< HEAD`); resolve it and remove the markers\n",
            md.display()
        )
    );
    assert!(
        r.stdout.contains(&format!("unreadable      -  cannot read incidents/{id}/incident.md:{line}")),
        "{}",
        r.stdout
    );
}

/// A step file written by hand, with the frontmatter lines `fields` after its `at:`.
fn hand_step(env: &crate::support::TestEnv, id: &str, name: &str, fields: &str) -> std::path::PathBuf {
    let steps = env.incident_dir(id).join("steps");
    fs::create_dir_all(&steps).unwrap();
    let path = steps.join(name);
    fs::write(&path, format!("---\nat: 2025-10-05T08:40:00-05:00\n{fields}---\n\nwritten by hand\n")).unwrap();
    path
}

#[test]
fn every_unknown_key_of_a_step_is_named_not_only_the_first() {
    let (mut env, id) = crate::support::TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
    let path = hand_step(&env, &id, "20251005T134000Z-note-hand01.md", "kind: note\nautor: me\nmood: grim\n");
    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {p}:4: unknown key `autor`: did you mean `author`?\n\
             warning: {p}:5: unknown key `mood`: it is not read; remove it or fix its name\n",
            p = path.display()
        )
    );
}

#[test]
fn a_milestone_step_without_its_milestone_is_warned_about() {
    let (mut env, id) = crate::support::TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
    let path = hand_step(&env, &id, "20251005T134000Z-milestone-hand01.md", "kind: milestone\n");
    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("milestones: none yet"), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:3: a milestone step without `milestone:`, so it marks none; add a line such as \
             `milestone: resolved` (one of: impact-start, detected, acknowledged, diagnosed, mitigation-start, \
             mitigated, recovered, resolved, permanent-fix-start, permanent-fix)\n",
            path.display()
        )
    );
}

#[test]
fn a_mistyped_milestone_is_given_the_name_it_was_likely_meant_to_be() {
    let (env, id) = crate::support::TestEnv::with_incident();
    let path = hand_step(&env, &id, "20251005T134000Z-milestone-hand01.md", "kind: milestone\nmilestone: recoverd\n");
    let r = env.run(&["status"]);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:4: `milestone: recoverd`: unknown milestone \"recoverd\" (did you mean recovered?); expected \
             one of: impact-start, detected, acknowledged, diagnosed, mitigation-start, mitigated, recovered, resolved, \
             permanent-fix-start, permanent-fix\n",
            path.display()
        )
    );
}

#[test]
fn incident_md_names_unknown_keys_and_an_unknown_status() {
    let (env, id) = crate::support::TestEnv::with_incident();
    let md = env.incident_dir(&id).join("incident.md");
    let text = read(&md).replacen("title:", "severty: sev1\nsevices: [db]\nstatus: resolvd\nmood: grim\ntitle:", 1);
    fs::write(&md, &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("severty:")).unwrap() + 1;
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {p}:{}: unknown key `severty`: did you mean `severity`?\n\
             warning: {p}:{}: unknown key `sevices`: did you mean `services`?\n\
             warning: {p}:{}: unknown status `resolvd` (did you mean `resolved`?), so it is read as open; write one \
             of: open, resolved, closed\n",
            line,
            line + 1,
            line + 2,
            p = md.display()
        )
    );
    assert!(env.run(&["status"]).stderr.contains("unknown key `severty`"));
    // A property of the team's own (`mood:`, `commander:`) is no mistake: not warned about;
    // nor a status of its own process.
    assert!(!r.stderr.contains("mood"), "{}", r.stderr);
    fs::write(&md, text.replace("status: resolvd", "status: monitoring")).unwrap();
    assert!(!env.run(&["list"]).stderr.contains("status"));
    // The values it knows, in any case, are no warning.
    fs::write(
        &md,
        text.replace("severty: sev1\nsevices: [db]\n", "").replace("status: resolvd\nmood: grim\n", "status: Closed\n"),
    )
    .unwrap();
    let r = env.run(&["list"]);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(r.stdout.contains("resolved"), "{}", r.stdout);
}

#[test]
fn incident_md_summary_with_a_stray_byte_or_a_conflict_is_read_and_warned_about() {
    let (env, id) = crate::support::TestEnv::with_incident();
    let md = env.incident_dir(&id).join("incident.md");
    let mut bytes = fs::read(&md).unwrap();
    let start = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    bytes.extend_from_slice(b"<<<<<<< HEAD\nDNS broke.\n=======\nThe network broke.\n>>>>>>> theirs\ncaf\xe9\n");
    fs::write(&md, bytes).unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("K3s pods crash-looping"), "the incident is still listed: {}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {p}:{start}: unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> theirs` on line {}); \
             resolve it and remove the markers\n\
             warning: {p}:{}: not UTF-8 (byte 0xe9), so it is shown with \u{fffd}; re-save the file as UTF-8\n",
            start + 4,
            start + 5,
            p = md.display()
        )
    );
}

#[test]
fn a_postmortem_merged_with_its_conflict_markers_is_warned_about_and_fails_the_check() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    env.ok(&["resolve"]);
    let pm = env.incident_dir(&id).join("postmortem.md");
    fs::write(&pm, "# Postmortem\n\nWhat happened.\n\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> bob\n").unwrap();
    let rel = pm.strip_prefix(env.root()).unwrap().display().to_string();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{rel}:5: unresolved merge conflict (`<<<<<<< HEAD` to `>>>>>>> bob` on line 9); resolve it and remove the markers"
        )),
        "{}",
        r.stderr
    );
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains(&format!("{rel}: line 5: unresolved merge conflict")), "{}", r.stdout);
}

#[test]
fn common_hand_slips_are_named_in_our_words_with_the_fix() {
    let (mut env, id) = crate::support::TestEnv::with_incident();
    for minute in 24..=28 {
        env.at(&format!("2025-10-05T08:{minute}:00-05:00"));
        env.ok(&["note", "look"]);
    }
    let files = env.step_files(&id);
    let edit = |i: usize, from: &str, to: &str| {
        let text = read(&files[i]);
        assert!(text.contains(from), "{text}");
        fs::write(&files[i], text.replacen(from, to, 1)).unwrap();
    };
    fs::write(&files[0], "").unwrap();
    edit(1, "kind:", "kidn:");
    edit(2, "kind: note", "kind: [note");
    edit(3, "kind: note\n", "kind: note\ntags:\n\t- a\n");
    edit(4, "kind: note\n", "kind: note\nexit_code: zero\n");
    let md = env.incident_dir(&id).join("incident.md");
    fs::write(&md, read(&md).replacen("severity: sev2", "severity: SEV-1", 1)).unwrap();

    let stderr = env.run(&["status"]).stderr;
    let line = |file: &std::path::Path, key: &str| read(file).lines().position(|l| l.starts_with(key)).unwrap() + 1;
    for expected in [
        format!("{}:1: the file is empty; restore it (with git, or from a backup) or delete it", files[0].display()),
        format!("{}:{}: unknown key `kidn`: did you mean `kind`?", files[1].display(), line(&files[1], "kidn")),
        format!(
            "{}:{}: `kind: [note`: not a single word; write one of: note, run,",
            files[2].display(),
            line(&files[2], "kind")
        ),
        format!(
            "{}:{}: `\t- a`: a tab indents this line, and YAML indents with spaces only; indent it with spaces",
            files[3].display(),
            line(&files[3], "\t")
        ),
        format!(
            "{}:{}: `exit_code: zero`: not a whole number; write a whole number without quotes",
            files[4].display(),
            line(&files[4], "exit_code")
        ),
        format!(
            "{}:{}: unknown severity `SEV-1` (did you mean `sev1`?), so `report` counts it as a severity of its own; \
             write one of: sev1, sev2, sev3, sev4",
            md.display(),
            line(&md, "severity")
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\n--- in ---\n{stderr}");
    }
    // Case aside it is one of ours: nothing to say. A near miss names the nearest.
    for (written, said) in [("SEV4", None), ("sev-4", Some("`sev-4` (did you mean `sev4`?)"))] {
        let text = read(&md);
        let line = text.lines().find(|l| l.starts_with("severity:")).unwrap().to_string();
        fs::write(&md, text.replacen(&line, &format!("severity: {written}"), 1)).unwrap();
        let stderr = env.run(&["status"]).stderr;
        assert_eq!(stderr.contains("unknown severity"), said.is_some(), "{stderr}");
        assert!(said.is_none_or(|said| stderr.contains(said)), "{stderr}");
    }
}

#[test]
fn a_note_written_straight_into_incidents_is_named_by_list_publish_and_check() {
    let (env, _id) = crate::support::TestEnv::with_incident();
    env.ok(&["resolve"]);
    env.ok(&["postmortem"]);
    // Obsidian's "new note" in the incidents folder.
    let loose = env.root().join("incidents/Untitled.md");
    fs::write(&loose, "pods restarted at 08:40?\n").unwrap();
    let said = format!(
        "{}: not read: an incident is a folder holding incident.md; to keep this as a note of one, record it with \
         `incident -I ID note - < {}` and remove it",
        loose.display(),
        loose.display()
    );
    let r = env.run(&["list"]);
    assert_eq!(r.stderr, format!("warning: {said}\n"));
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("warning: {said}\n")), "{}", r.stderr);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("incidents/Untitled.md: not read: an incident is a folder"), "{}", r.stdout);
}
