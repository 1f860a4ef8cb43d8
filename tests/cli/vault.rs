//! Vault set-up, discovery, incidents, and reading a vault with broken files.

use crate::support::*;

#[test]
fn init_creates_the_vault_and_ignores_local_state() {
    let env = TestEnv::bare();
    let r = env.run(&["init", "v"]);
    assert_eq!(r.code, 0);
    let root = env.root().join("v");
    assert!(root.join("incident.toml").is_file());
    assert!(root.join("incidents").is_dir());
    let ignored = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    let lines: Vec<&str> = ignored.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines, [".incident/", "public/", ".incident-tmp-*"]);
    assert!(r.stderr.contains("created an incident vault in"));
    // A second init changes nothing and says so.
    let before = std::fs::read_to_string(root.join("incident.toml")).unwrap();
    let r = env.run(&["init", "v"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("is already an incident vault; left as it was"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(root.join("incident.toml")).unwrap(), before);
    assert_eq!(std::fs::read_to_string(root.join(".gitignore")).unwrap().matches(".incident/").count(), 1);
}

#[test]
fn init_appends_to_an_existing_gitignore() {
    let env = TestEnv::bare();
    std::fs::write(env.root().join(".gitignore"), "target").unwrap();
    env.ok(&["init"]);
    assert_eq!(
        std::fs::read_to_string(env.root().join(".gitignore")).unwrap(),
        "target\n# local state of the incident tool (current incident, caches) and the published site\n.incident/\npublic/\n\
         # half-written files a crash can leave (atomic::TEMP_PREFIX)\n.incident-tmp-*\n"
    );
    // A vault made by an older init gets the temp-file line, once.
    std::fs::write(env.root().join(".gitignore"), ".incident/\npublic/").unwrap();
    env.ok(&["init"]);
    env.ok(&["init"]);
    assert_eq!(
        std::fs::read_to_string(env.root().join(".gitignore")).unwrap(),
        ".incident/\npublic/\n# half-written files a crash can leave (atomic::TEMP_PREFIX)\n.incident-tmp-*\n"
    );
}

#[test]
fn no_vault_is_an_error_that_suggests_init() {
    let env = TestEnv::bare();
    let err = env.fails(1, &["note", "hello"]);
    let root = env.root().canonicalize().unwrap();
    assert_eq!(
        err,
        format!(
            "error: no incident vault in {} or any folder above it\n  hint: create one with `incident init`, or point at one with --vault DIR or INCIDENT_VAULT\n",
            root.display()
        )
    );
}

#[test]
fn vault_is_found_by_flag_env_and_walking_up() {
    let (mut env, id) = TestEnv::with_incident();
    let sub = env.root().join("incidents").join(&id);
    // Walking up from a subfolder.
    let mut cmd = env.command(&["note", "from a subfolder"]);
    assert!(cmd.current_dir(&sub).status().unwrap().success());
    // --vault from elsewhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let vault = env.root().to_str().unwrap().to_string();
    let mut cmd = env.command(&["--vault", &vault, "note", "via flag"]);
    assert!(cmd.current_dir(elsewhere.path()).status().unwrap().success());
    // INCIDENT_VAULT.
    env.extra_env.push(("INCIDENT_VAULT".into(), vault.clone()));
    let mut cmd = env.command(&["note", "via env"]);
    assert!(cmd.current_dir(elsewhere.path()).status().unwrap().success());
    assert_eq!(env.step_files(&id).len(), 3);
    // A --vault that is not a vault.
    env.extra_env.clear();
    let not_vault = elsewhere.path().to_str().unwrap();
    let err = env.fails(1, &["--vault", not_vault, "note", "x"]);
    assert_eq!(
        err,
        format!(
            "error: {not_vault} is not an incident vault (no incident.toml in it)\n  hint: create one with `incident init {not_vault}`\n"
        )
    );
}

#[test]
fn start_creates_the_incident_and_makes_it_current() {
    let env = TestEnv::new();
    let id = env.ok(&[
        "start",
        "K3s: every pod in CrashLoopBackOff",
        "--severity",
        "sev2",
        "--service",
        "k3s",
        "--tag",
        "kubernetes",
        "--tag",
        "dns",
    ]);
    assert_eq!(id, "2025-10-05-k3s-every-pod-in-crashloopbackoff\n");
    let text = std::fs::read_to_string(env.incident_dir(id.trim()).join("incident.md")).unwrap();
    insta::assert_snapshot!("incident_md", text);
    assert_eq!(std::fs::read_to_string(env.root().join(".incident/current")).unwrap(), id);
    // The same title again gets its own folder.
    let again = env.ok(&["start", "K3s: every pod in CrashLoopBackOff"]);
    assert_eq!(again, "2025-10-05-k3s-every-pod-in-crashloopbackoff-2\n");
}

#[test]
fn hostile_titles_make_safe_folders() {
    let env = TestEnv::new();
    for (title, want) in [
        ("../../etc/passwd", "2025-10-05-etc-passwd"),
        ("/absolute/path", "2025-10-05-absolute-path"),
        ("tab\tnewline\nescape\x1b[31m", "2025-10-05-tab-newline-escape"),
        ("Ünïcödé outage — 東京", "2025-10-05-unicode-outage-dong-jing"),
        ("...", "2025-10-05-incident"),
    ] {
        let id = env.ok(&["start", title]);
        assert_eq!(id.trim(), want, "{title:?}");
        assert!(env.incident_dir(want).join("incident.md").is_file());
    }
    let long = "x".repeat(5000);
    let id = env.ok(&["start", &long]);
    assert_eq!(id.trim().len(), "2025-10-05-".len() + 60);
    // Nothing was written outside incidents/.
    let mut top: Vec<String> =
        std::fs::read_dir(env.root()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    top.sort();
    assert_eq!(top, [".gitignore", ".incident", "incident.toml", "incidents"]);
}

#[test]
fn start_refuses_an_empty_title_and_a_bad_time() {
    let env = TestEnv::new();
    assert_eq!(
        env.fails(2, &["start", "  "]),
        "error: the title is empty\n  hint: say what is broken: incident start \"Checkout returns 500\"\n"
    );
    assert_eq!(
        env.fails(2, &["start", "x", "--at", "tomorrow-ish"]),
        "error: --at: cannot read the time \"tomorrow-ish\"; use RFC 3339 (2025-10-05T08:45:00-05:00), a clock time (08:45), \"10 min ago\" or \"yesterday 23:10\"\n  hint: see `incident start --help`\n"
    );
}

#[test]
fn no_current_incident_is_explained() {
    let env = TestEnv::new();
    assert_eq!(
        env.fails(1, &["note", "x"]),
        "error: no current incident\n  hint: start one with `incident start \"TITLE\"`, or pick one with `incident switch ID` (see `incident list`)\n"
    );
}

#[test]
fn in_a_fresh_clone_the_one_open_incident_is_named_as_the_one_to_switch_to() {
    let (mut env, id) = TestEnv::with_incident();
    // The current incident is kept in .incident/, which git does not carry.
    std::fs::remove_dir_all(env.root().join(".incident")).unwrap();
    assert_eq!(
        env.fails(1, &["note", "x"]),
        format!(
            "error: no current incident\n  hint: {id} is open: `incident switch {id}` makes it the current one; \
             or start one with `incident start \"TITLE\"`\n"
        )
    );
    // Two open: which is meant is not guessed.
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["start", "Another outage"]);
    std::fs::remove_dir_all(env.root().join(".incident")).unwrap();
    assert!(env.fails(1, &["note", "x"]).contains("or pick one with `incident switch ID` (see `incident list`)"));
}

#[test]
fn list_switch_and_incident_selection() {
    let mut env = TestEnv::new();
    env.at("2025-10-04T10:00:00Z");
    let first = env.ok(&["start", "Disk full on db-1", "--severity", "sev3"]).trim().to_string();
    env.ok(&["resolve", "cleaned up"]);
    env.at("2025-10-05T08:23:00-05:00");
    let second = env.ok(&["start", "K3s pods crash-looping"]).trim().to_string();
    let list = env.json(&["list", "--json"]);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[1]["status"], "resolved");
    assert_eq!(list[1]["milestones"][0]["milestone"], "resolved", "the shape of status --json");
    assert_eq!(list[1]["milestones"][0]["at"], "2025-10-04T10:00:00Z");
    let open = env.json(&["list", "--json", "--status", "open"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    let resolved = env.run(&["list", "--status", "resolved"]);
    assert!(resolved.stdout.contains(&first) && !resolved.stdout.contains(&second), "{}", resolved.stdout);
    let text = env.ok(&["list"]);
    assert!(text.contains(&format!("* {second}")), "{text}");

    // --incident with a unique part of the name; INCIDENT_ID; switch.
    env.ok(&["--incident", "disk-full", "note", "late note"]);
    assert_eq!(env.step_files(&first).len(), 2);
    env.extra_env.push(("INCIDENT_ID".into(), first.clone()));
    env.ok(&["note", "via INCIDENT_ID"]);
    assert_eq!(env.step_files(&first).len(), 3);
    env.extra_env.clear();
    assert_eq!(env.ok(&["switch", "disk"]), format!("{first}\n"));
    assert_eq!(std::fs::read_to_string(env.root().join(".incident/current")).unwrap().trim(), first);
    assert_eq!(
        env.fails(1, &["switch", "2025"]),
        format!("error: \"2025\" matches 2 incidents: {first}, {second}\n  hint: give more of the name\n")
    );
    assert_eq!(
        env.fails(1, &["switch", "nope"]),
        "error: no incident matches \"nope\"\n  hint: `incident list` shows them all\n"
    );
}

#[test]
fn a_broken_step_is_reported_and_the_rest_still_load() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T08:24:00-05:00");
    env.ok(&["note", "first"]);
    env.at("2025-10-05T08:25:00-05:00");
    env.ok(&["note", "second"]);
    let steps = env.incident_dir(&id).join("steps");
    std::fs::write(steps.join("20251005T132600Z-note-broken.md"), "---\nid: x\nat: [not a time\n---\nbody\n").unwrap();
    std::fs::write(steps.join("20251005T132700Z-note-nofront.md"), "just text\n").unwrap();
    // Not UTF-8 in the frontmatter (in the body it is only warned about: hand_edits.rs).
    std::fs::write(
        steps.join("20251005T132800Z-note-bad8.md"),
        b"---\nat: 2025-10-05T08:28:00Z\ntitle: \xff\xfe\n---\nbody\n",
    )
    .unwrap();
    // Temp files of an interrupted write are ignored.
    std::fs::write(steps.join(".incident-tmp-abc123"), "---\nid: half").unwrap();
    let r = env.run(&["show"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("first") && r.stdout.contains("second"), "{}", r.stdout);
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 3, "{}", r.stderr);
    assert!(
        warnings[0].starts_with(&format!("warning: {}:3: ", steps.join("20251005T132600Z-note-broken.md").display())),
        "{}",
        warnings[0]
    );
    assert_eq!(
        warnings[1],
        format!(
            "warning: {}:1: no frontmatter: line 1 is not `---`; add `---`, the YAML fields, and `---` at the top",
            steps.join("20251005T132700Z-note-nofront.md").display()
        )
    );
    assert_eq!(
        warnings[2],
        format!(
            "warning: {}:3: not UTF-8 (byte 0xff at offset 36); save the file as UTF-8",
            steps.join("20251005T132800Z-note-bad8.md").display()
        )
    );
}

#[test]
fn a_hand_written_step_without_id_or_kind_is_read() {
    let (mut env, id) = TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
    let steps = env.incident_dir(&id).join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    std::fs::write(
        steps.join("20251005T140000Z-note-hand01.md"),
        "\u{feff}---\r\nat: 2025-10-05T09:00:00-05:00\r\n---\r\n\r\nwritten in Obsidian\r\n",
    )
    .unwrap();
    let show = env.json(&["show", "--json"]);
    let step = &show["steps"][0];
    assert_eq!(step["id"], "20251005T140000Z-note-hand01");
    assert_eq!(step["kind"], "note");
    assert_eq!(step["body"], "written in Obsidian\n");
}

#[test]
fn a_broken_settings_file_names_the_line() {
    let env = TestEnv::new();
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = \"big\"\n").unwrap();
    let err = env.fails(1, &["list"]);
    assert_eq!(
        err,
        format!(
            "error: {}:2: invalid type: string \"big\", expected a whole number (0 or more)\n  hint: fix the setting or delete the line to use the default\n",
            env.root().join("incident.toml").display()
        )
    );
}

#[test]
fn a_hand_written_time_without_offset_is_the_incidents_local_time() {
    let mut env = TestEnv::new();
    env.at("2025-10-05T08:40:00+02:00");
    let id = env.ok(&["start", "Pods crash", "--at", "08:23"]).trim().to_string();
    env.ok(&["note", "looking"]);
    // As Obsidian's date property writes it: no offset. It means 08:28 where the incident is.
    let hand = env.incident_dir(&id).join("steps/20251005T062800Z-milestone-hand01.md");
    std::fs::write(&hand, "---\nkind: milestone\nmilestone: diagnosed\nat: 2025-10-05T08:28\n---\n\nfound it\n")
        .unwrap();
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["milestones"][0]["at"], "2025-10-05T08:28:00+02:00", "{status:#}");
    let show = env.json(&["show", "--json"]);
    let at: Vec<&str> = show["steps"].as_array().unwrap().iter().map(|s| s["at"].as_str().unwrap()).collect();
    assert_eq!(at, ["2025-10-05T08:28:00+02:00", "2025-10-05T08:40:00+02:00"], "in timeline order");
}

#[test]
fn an_incident_md_time_without_offset_takes_its_steps_offset() {
    let (mut env, id) = TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
    env.ok(&["note", "--at", "08:10", "looking"]);
    let dir = env.incident_dir(&id);
    let md = dir.join("incident.md");
    let text = std::fs::read_to_string(&md).unwrap();
    let at_line = text.lines().find(|l| l.starts_with("at: ")).unwrap().to_string();
    std::fs::write(&md, text.replace(&at_line, "at: 2025-10-05 08:00")).unwrap();
    std::fs::write(
        dir.join("steps/20251005T132800Z-milestone-hand01.md"),
        "---\nkind: milestone\nmilestone: diagnosed\nat: 2025-10-05 08:28  # by hand\n---\n\nfound it\n",
    )
    .unwrap();
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["started_at"], "2025-10-05T08:00:00-05:00", "{status:#}");
    assert_eq!(status["milestones"][0]["at"], "2025-10-05T08:28:00-05:00", "{status:#}");
    let show = env.json(&["show", "--json"]);
    let at: Vec<&str> = show["steps"].as_array().unwrap().iter().map(|s| s["at"].as_str().unwrap()).collect();
    assert_eq!(at, ["2025-10-05T08:10:00-05:00", "2025-10-05T08:28:00-05:00"]);
    // `list` says the same read afresh and from its record.
    for _ in 0..2 {
        let list = env.json(&["list", "--json"]);
        assert_eq!(list[0]["started_at"], "2025-10-05T08:00:00-05:00", "{list:#}");
    }
}

#[test]
fn hand_written_times_and_lists_are_read() {
    let (env, id) = TestEnv::with_incident();
    let dir = env.incident_dir(&id);
    // Obsidian's forms in incident.md: a date-only `date:`, an empty list, one value for a list.
    std::fs::write(
        dir.join("incident.md"),
        "--- \ntitle: Disk full\ndate: 2025-10-05\ntags:\nservices: k3s\n---  \nsummary\n",
    )
    .unwrap();
    let steps = dir.join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    let step =
        |name: &str, fields: &str| std::fs::write(steps.join(name), format!("---\n{fields}\n---\n{name}\n")).unwrap();
    step("20251005T000000Z-note-date01.md", "at: 2025-10-05");
    step("20251005T083000Z-note-space1.md", "at: 2025-10-05 08:31\nrecorded_at:");
    step("20251005T083200Z-note-tee001.md", "at: 2025-10-05T08:32");
    step("20251005T083300Z-option-one001.md", "at: 2025-10-05T08:33:00\npros: cheap\ncons:");
    let r = env.run(&["show", "--json"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    let show: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(show["at"], "2025-10-05T00:00:00Z");
    assert_eq!(show["services"], serde_json::json!(["k3s"]));
    let at: Vec<&str> = show["steps"].as_array().unwrap().iter().map(|s| s["at"].as_str().unwrap()).collect();
    assert_eq!(at, ["2025-10-05T00:00:00Z", "2025-10-05T08:31:00Z", "2025-10-05T08:32:00Z", "2025-10-05T08:33:00Z"]);
    assert_eq!(show["steps"][3]["pros"], serde_json::json!(["cheap"]));
}

#[test]
fn an_unreadable_incident_does_not_hide_the_others() {
    let mut env = TestEnv::new();
    env.at("2025-10-04T10:00:00Z");
    let first = env.ok(&["start", "Disk full on db-1"]).trim().to_string();
    env.at("2025-10-05T08:23:00-05:00");
    let second = env.ok(&["start", "K3s pods crash-looping"]).trim().to_string();
    env.ok(&["note", "a step"]);
    let steps = env.incident_dir(&second).join("steps");
    std::fs::rename(&steps, steps.with_extension("bak")).unwrap();
    std::fs::write(&steps, "").unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Listed, marked unreadable, not hidden.
    let row = |id: &str| r.stdout.lines().find(|l| l.contains(id)).unwrap_or_default().to_string();
    assert!(row(&first).ends_with("open            0  Disk full on db-1"), "{}", r.stdout);
    assert!(
        row(&second).ends_with(&format!(
            "unreadable      -  cannot read incidents/{second}/steps (the warning above says why)"
        )),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: cannot read the incident's steps (Not a directory (os error 20)); steps/ must be \
             a folder: move the file aside and create the folder\n",
            steps.display()
        )
    );
    // Nothing readable at all: both listed as unreadable, not "no incidents yet".
    std::fs::write(env.incident_dir(&first).join("incident.md"), "no frontmatter\n").unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().filter(|l| l.contains("  unreadable  ")).count(), 2, "{}", r.stdout);
    assert!(!r.stderr.contains("no incidents yet"), "{}", r.stderr);
}

#[test]
fn symlinks_and_misnamed_step_files_are_skipped_with_a_warning() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "inside"]);
    let outside = env.root().join("outside.md");
    std::fs::write(&outside, "---\nat: 2025-10-05T09:00:00Z\n---\nsecret from outside\n").unwrap();
    let steps = env.incident_dir(&id).join("steps");
    let link = steps.join("20251005T090000Z-note-link01.md");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    std::fs::write(steps.join("UPPER.MD"), "---\nat: 2025-10-05T09:00:00Z\n---\nupper\n").unwrap();
    std::fs::write(steps.join("x.markdown"), "---\nat: 2025-10-05T09:00:00Z\n---\nlong\n").unwrap();
    let r = env.run(&["show"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("inside") && !r.stdout.contains("outside") && !r.stdout.contains("upper"),
        "{}",
        r.stdout
    );
    let ends = "not read: step files must end in `.md` (lower case); rename it";
    assert_eq!(
        r.stderr.lines().collect::<Vec<_>>(),
        [
            format!(
                "warning: {}: not read: a symbolic link (it could lead out of the vault); copy the file itself into steps/",
                link.display()
            ),
            format!("warning: {}: {ends}", steps.join("UPPER.MD").display()),
            format!("warning: {}: {ends}", steps.join("x.markdown").display()),
        ]
    );
}

#[test]
fn a_misspelt_key_is_named_and_the_step_still_read() {
    let (env, id) = TestEnv::with_incident();
    std::fs::create_dir_all(env.incident_dir(&id).join("steps")).unwrap();
    let path = env.incident_dir(&id).join("steps/20251005T132200Z-milestone-typo01.md");
    std::fs::write(&path, "---\nkind: milestone\nmilstone: impact-start\nat: 2025-10-05T08:22:00-05:00\n---\n\nx\n")
        .unwrap();
    let r = env.run(&["show"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains(&format!("{}:3: unknown key `milstone`: did you mean `milestone`?", path.display())),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("08:22"), "the step is still shown: {}", r.stdout);
}

#[test]
fn a_copied_step_is_read_under_its_own_name_and_a_hand_named_milestone_counts() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected", "--at", "08:20"]);
    let original = env.step_files(&id)[0].clone();
    let stem = original.file_stem().unwrap().to_str().unwrap().to_string();
    std::fs::copy(&original, original.with_file_name(format!("{stem} 1.md"))).unwrap();
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("steps/{stem} 1.md: has the id `{stem}` of another step (a copy?); read as `{stem} 1`")),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains(&format!("(steps/{stem}.md)")), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("(steps/{stem}%201.md)")), "{}", r.stdout);

    // A milestone in a file named by hand still counts in `list`, as in `status`.
    let hand = env.incident_dir(&id).join("steps/resolved.md");
    std::fs::write(&hand, "---\nkind: milestone\nmilestone: resolved\nat: 2025-10-05T08:22:30-05:00\n---\n\nfixed\n")
        .unwrap();
    assert_eq!(env.json(&["status", "--json"])["status"], "resolved");
    assert_eq!(env.json(&["list", "--json"])[0]["status"], "resolved");
}

#[test]
fn list_reads_an_incident_again_only_when_its_files_changed() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "-q", "one"]);
    assert_eq!(env.json(&["list", "--json"])[0]["steps"], 1);
    let record = env.root().join(".incident/list-cache");
    let text = std::fs::read_to_string(&record).unwrap();
    // The record is what `list` shows while the files stay as they are…
    std::fs::write(&record, text.replace("\"steps\":1", "\"steps\":99")).unwrap();
    assert_eq!(env.json(&["list", "--json"])[0]["steps"], 99);
    // …and nothing once one of them changes: a milestone added by hand.
    let hand = env.incident_dir(&id).join("steps/20251005T132500Z-milestone-hand01.md");
    std::fs::write(&hand, "---\nkind: milestone\nmilestone: impact-start\nat: 2025-10-05T08:00:00-05:00\n---\n\nx\n")
        .unwrap();
    let list = env.json(&["list", "--json"]);
    assert_eq!(list[0]["steps"], 2);
    assert_eq!(list[0]["started_at"], "2025-10-05T08:00:00-05:00");
    // A damaged record is no record.
    std::fs::write(&record, "{").unwrap();
    assert_eq!(env.json(&["list", "--json"])[0]["steps"], 2);
}

#[test]
fn tags_and_services_written_with_commas_are_several() {
    let env = TestEnv::new();
    let id = env.ok(&["start", "X", "--tag", "dns, k8s", "--service", "coredns,flannel"]).trim().to_string();
    let md = env.incident_dir(&id).join("incident.md");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("services:\n- coredns\n- flannel\ntags:\n- dns\n- k8s\n"), "{text}");
    // By hand, as Obsidian reads a `tags:` line: two tags, not one named "dns, k8s".
    std::fs::write(&md, text.replace("tags:\n- dns\n- k8s\n", "tags: dns, k8s\n")).unwrap();
    let list = env.json(&["list", "--json"]);
    assert_eq!(list[0]["tags"], serde_json::json!(["dns", "k8s"]), "{list}");
}
