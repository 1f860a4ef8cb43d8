//! Notes, milestones and the reasoning steps; status and show.

use crate::support::*;

#[test]
fn a_note_is_one_file_with_frontmatter_and_body() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["note", "Every", "pod", "is", "crash-looping"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    let files = env.step_files(&id);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("20251005T132300Z-note-")
            && name.ends_with(".md")
            && name.len() == "20251005T132300Z-note-".len() + 9,
        "{name}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let fm = frontmatter(&text);
    assert_eq!(fm["id"], name.trim_end_matches(".md"));
    assert_eq!(fm["kind"], "note");
    assert_eq!(fm["at"], "2025-10-05T08:23:00-05:00");
    assert_eq!(fm["recorded_at"], "2025-10-05T08:23:00-05:00");
    assert_eq!(fm["author"], "ryan");
    assert_eq!(fm["host"], "leveling-pc");
    assert_eq!(body(&text), "Every pod is crash-looping\n");
    assert_eq!(r.stderr, format!("recorded note {} in {id}\n", fm["id"].as_str().unwrap()));
}

#[test]
fn notes_from_stdin_and_backdated() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T09:30:00-05:00");
    let r = env.run_with_stdin(&["note", "-"], b"line one\nline two\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["note", "--at", "08:45", "Root cause: the node IP changed"]);
    env.ok(&["note", "--at", "10 min ago", "ten minutes earlier"]);
    let show = env.json(&["show", "--json"]);
    let steps = show["steps"].as_array().unwrap();
    let got: Vec<(&str, &str, bool)> = steps
        .iter()
        .map(|s| (s["at"].as_str().unwrap(), s["body"].as_str().unwrap(), s["backdated"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("2025-10-05T08:45:00-05:00", "Root cause: the node IP changed\n", true),
            ("2025-10-05T09:20:00-05:00", "ten minutes earlier\n", true),
            ("2025-10-05T09:30:00-05:00", "line one\nline two\n", false),
        ]
    );
    assert_eq!(steps[0]["recorded_at"], "2025-10-05T09:30:00-05:00");
    let text = env.ok(&["show"]);
    assert!(text.contains("08:45  note      Root cause: the node IP changed ↶ recorded 09:30"), "{text}");
    // The file name carries the UTC time of `at`, so `ls` sorts like the timeline.
    assert!(env.step_files(&id)[0].to_str().unwrap().contains("20251005T134500Z-note-"));
}

#[test]
fn empty_notes_are_refused() {
    let (env, _) = TestEnv::with_incident();
    assert_eq!(
        env.fails(2, &["note", " "]),
        "error: the text is empty\n  hint: give the text as arguments, or `-` to read stdin\n"
    );
    let r = env.run_with_stdin(&["note", "-"], b"\n\n");
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "error: stdin was empty\n  hint: pipe the text in, or give it as arguments\n");
}

#[test]
fn milestones_are_steps_and_out_of_order_ones_warn() {
    let (mut env, id) = TestEnv::with_incident();
    env.ok(&["mark", "detected", "6,812 restarts"]);
    env.at("2025-10-05T08:45:00-05:00");
    env.ok(&["mark", "diagnosed"]);
    let r = env.run(&["mark", "recovered", "--at", "08:30"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.starts_with("warning: recovered at 2025-10-05 08:30 (20251005T133000Z-milestone-"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(") is out of order with diagnosed at 2025-10-05 08:45 (20251005T134500Z-milestone-"),
        "{}",
        r.stderr
    );
    let r = env.run(&["mark", "detected"]);
    assert!(
        r.stderr.starts_with("warning: detected was already marked at 2025-10-05 08:23 (20251005T132300Z-milestone-"),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.fails(2, &["mark", "fixed"]),
        "error: unknown milestone \"fixed\"; expected one of: impact-start, detected, acknowledged, diagnosed, mitigation-start, mitigated, recovered, resolved, permanent-fix-start, permanent-fix\n  hint: see `incident mark --help`\n"
    );
    let status = env.json(&["status", "--json"]);
    let ms: Vec<(&str, &str)> = status["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["milestone"].as_str().unwrap(), m["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ms,
        [
            ("detected", "2025-10-05T08:23:00-05:00"),
            ("recovered", "2025-10-05T08:30:00-05:00"),
            ("diagnosed", "2025-10-05T08:45:00-05:00")
        ]
    );
    assert_eq!(env.step_files(&id).len(), 4);
    let fm = frontmatter(&std::fs::read_to_string(&env.step_files(&id)[0]).unwrap());
    assert_eq!(fm["milestone"], "detected");
}

#[test]
fn options_decisions_causes_lessons_actions() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "option",
        "--at",
        "08:20",
        "Clean restart",
        "--pros",
        "minutes to recover",
        "--cons",
        "may recur",
        "--cons",
        "loses node password",
    ]);
    env.ok(&["option", "--at", "08:21", "Pin to interface", "--pros", "prevents recurrence"]);
    env.ok(&["decide", "clean", "--why", "fastest way back"]);
    env.ok(&["cause", "k3s cached the old node IP", "--trigger", "DHCP lease changed the IP"]);
    env.ok(&["lesson", "--kind", "sucked", "No alert on restarts"]);
    env.ok(&["action", "Alert on restarts > 10", "--owner", "ryan", "--due", "2025-10-12"]);
    let options: Vec<serde_json::Value> = env
        .step_files(&id)
        .iter()
        .filter(|p| p.to_str().unwrap().contains("-option-"))
        .map(|p| frontmatter(&std::fs::read_to_string(p).unwrap()))
        .collect();
    assert_eq!(options.len(), 2);
    let fm = options.iter().find(|o| o["title"] == "Clean restart").unwrap();
    assert_eq!(fm["title"], "Clean restart");
    assert_eq!(fm["cons"], serde_json::json!(["may recur", "loses node password"]));
    let decision = frontmatter(&env.only_step(&id, "decision"));
    assert_eq!(decision["option"], "Clean restart");
    assert!(decision["option_id"].as_str().unwrap().contains("-option-"));
    assert_eq!(decision["why"], "fastest way back");
    assert!(
        env.only_step(&id, "decision").ends_with("\nChose **Clean restart**. Fastest way back\n"),
        "a sentence of its own"
    );
    assert_eq!(frontmatter(&env.only_step(&id, "cause"))["trigger"], "DHCP lease changed the IP");
    assert_eq!(frontmatter(&env.only_step(&id, "lesson"))["lesson"], "sucked");
    let action = env.only_step(&id, "action");
    assert_eq!(frontmatter(&action)["due"], "2025-10-12");
    assert_eq!(body(&action), "- [ ] Alert on restarts > 10 — @ryan, due 2025-10-12\n");

    assert_eq!(
        env.fails(1, &["decide", "reboot"]),
        "error: no option matches \"reboot\"; the options are \"Clean restart\", \"Pin to interface\"\n  hint: give the title or a unique part of it\n"
    );
    let ids: Vec<String> = env
        .step_files(&id)
        .iter()
        .filter_map(|p| p.file_stem().unwrap().to_str().filter(|s| s.contains("-option-")).map(String::from))
        .collect();
    let ambiguous = env.fails(1, &["decide", "n"]);
    assert!(ambiguous.starts_with("error: \"n\" matches 2 options: \""), "{ambiguous}");
    for id in &ids {
        let short = id.rsplit('-').next().unwrap();
        assert!(ambiguous.contains(&format!(" ({short})")), "each option names its id: {ambiguous}");
    }
    assert!(
        ambiguous.contains("\n  hint: give more of the title, or the option's id, e.g. incident decide "),
        "{ambiguous}"
    );
    assert_eq!(
        env.fails(2, &["decide", "  "]),
        "error: the option is empty\n  hint: give its title, a unique part of it, or its step id\n"
    );
    assert_eq!(
        env.fails(2, &["action", "x", "--due", "next week"]),
        "error: --due \"next week\" is not a date\n  hint: write it as YYYY-MM-DD, e.g. --due 2025-10-12\n"
    );
}

#[test]
fn options_of_the_same_title_are_told_apart_by_id() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["option", "Restart"]);
    let first = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
    let r = env.run(&["option", "restart"]);
    let short = first.rsplit('-').next().unwrap().to_string();
    assert!(
        r.stderr.starts_with(&format!(
            "warning: an option titled \"restart\" is already recorded ({short}); `incident decide` will need an id to \
             tell them apart\n"
        )),
        "{}",
        r.stderr
    );
    let err = env.fails(1, &["decide", "Restart"]);
    assert!(err.contains("hint: give more of the title, or the option's id, e.g. incident decide "), "{err}");
    // Not any piece of the id: the digits of its time are in every id.
    let err = env.fails(1, &["decide", "2025"]);
    assert!(err.starts_with("error: no option matches \"2025\"; the options are"), "{err}");
    env.ok(&["decide", &short]);
    let decision = frontmatter(&env.only_step(&id, "decision"));
    assert_eq!(decision["option_id"], first.as_str());
    // The whole id, in brackets too; a second decision is said to be one.
    let r = env.run(&["decide", &format!("[{first}]")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "warning: \"Restart\" was already chosen at 08:23 (step {}); this decision is recorded too, and the \
             postmortem gives the reasons of both; if one of them is a mistake, delete its file from incidents/{id}/steps/",
            decision["id"].as_str().unwrap()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn decide_without_options_says_what_to_do() {
    let (env, id) = TestEnv::with_incident();
    assert_eq!(
        env.fails(1, &["decide", "x"]),
        format!(
            "error: no options recorded in {id} yet\n  hint: record them first: incident option \"TITLE\" --pros … --cons …\n"
        )
    );
}

#[test]
fn attach_masks_secrets_in_files_that_are_not_quite_utf8_and_bounds_what_it_reads() {
    let (env, id) = TestEnv::with_incident();
    let latin1 = b"# caf\xe9\nDB_PASSWORD=Pw0rdLatin1Secret\ntoken: ghp_1234567890abcdefghijABCDEFGHIJ123456\n";
    std::fs::write(env.root().join("app.env"), latin1).unwrap();
    let r = env.run(&["attach", "app.env"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!(
            "warning: {} is not UTF-8 and held 2 secrets, masked in place: password-assignment (17 bytes), github-token (40 bytes); each mask has the length of its secret, so offsets and lengths in the file stay valid, but checksums inside it may no longer match",
            env.root().join("app.env").display()
        )
    );
    let fm = frontmatter(&env.only_step(&id, "attach"));
    let stored = std::fs::read(env.incident_dir(&id).join(fm["attachment"].as_str().unwrap())).unwrap();
    // The Latin-1 byte is kept; each secret is masked by as many bytes as it had: a
    // placeholder longer than the secret is left out.
    assert_eq!(stored, b"# caf\xe9\nDB_PASSWORD=*****************\ntoken: [REDACTED:github-token-1]***************\n");
    // A binary file without secrets is kept byte for byte.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe";
    std::fs::write(env.root().join("graph.png"), png).unwrap();
    env.ok(&["attach", "graph.png"]);
    let stored = std::fs::read_dir(env.incident_dir(&id).join("attachments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("graph.png"))
        .unwrap();
    assert_eq!(std::fs::read(stored).unwrap(), png);
    // A device has no size to check beforehand: reading stops just past the limit.
    let zero = env.fails(1, &["attach", "/dev/zero"]);
    assert_eq!(
        zero,
        "error: /dev/zero is over the 64 MiB attachment limit\n  hint: keep large files elsewhere and record where with `incident note`\n"
    );
}

#[test]
fn attach_copies_the_file_into_the_incident() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("k3s.service"), "ExecStart=/usr/local/bin/k3s server\n").unwrap();
    env.ok(&["attach", "k3s.service"]);
    let step = env.only_step(&id, "attach");
    let fm = frontmatter(&step);
    let stored = fm["attachment"].as_str().unwrap();
    assert!(stored.starts_with("attachments/") && stored.ends_with("-k3s.service"), "{stored}");
    assert_eq!(
        std::fs::read_to_string(env.incident_dir(&id).join(stored)).unwrap(),
        "ExecStart=/usr/local/bin/k3s server\n"
    );
    assert_eq!(fm["attachment_sha256"].as_str().unwrap().len(), 64);
    let missing = env.fails(1, &["attach", "nope.txt"]);
    assert_eq!(
        missing,
        format!(
            "error: cannot read {}: No such file or directory (os error 2)\n  hint: give the path of an existing file\n",
            env.root().join("nope.txt").display()
        )
    );
}

#[test]
fn status_and_show_tell_the_story() {
    let (mut env, _id) = TestEnv::with_incident();
    env.ok(&["mark", "detected"]);
    env.at("2025-10-05T08:30:00-05:00");
    env.ok(&["note", "CoreDNS is crash-looping too"]);
    env.at("2025-10-05T08:45:00-05:00");
    env.ok(&["mark", "diagnosed", "DHCP changed the node IP"]);
    env.at("2025-10-05T09:30:00-05:00");
    let status = env.ok(&["status"]);
    insta::assert_snapshot!("status_text", status);
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["elapsed_seconds"], 67 * 60);
    assert_eq!(json["steps"], 3);
    assert_eq!(json["status"], "open");
    env.ok(&["resolve", "all pods healthy"]);
    assert_eq!(env.json(&["status", "--json"])["status"], "resolved");
    insta::assert_snapshot!("show_text", env.ok(&["show"]));
    // Context from days before is not the start; a backdated impact-start is.
    env.ok(&["note", "--at", "2 days ago", "the DHCP lease was renewed"]);
    assert_eq!(env.json(&["status", "--json"])["started_at"], "2025-10-05T08:23:00-05:00");
    env.ok(&["mark", "impact-start", "--at", "08:10"]);
    assert_eq!(env.json(&["status", "--json"])["started_at"], "2025-10-05T08:10:00-05:00");
}

#[test]
fn steps_from_other_time_zones_show_on_the_incident_clock() {
    let (mut env, _id) = TestEnv::with_incident();
    env.at("2025-10-05T14:25:00+01:00"); // 08:25 in the incident's -05:00
    env.ok(&["note", "from Berlin"]);
    env.at("2025-10-05T13:26:00Z");
    env.ok(&["note", "from UTC"]);
    let show = env.ok(&["show"]);
    assert!(show.contains("08:25") && show.contains("08:26"), "{show}");
    assert!(!show.contains("14:25") && !show.contains("13:26"), "{show}");
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["last_steps"][1]["at"], "2025-10-05T08:26:00-05:00", "13:26Z on the incident clock");
}

#[test]
fn init_refuses_a_vault_inside_a_vault() {
    let (env, id) = TestEnv::with_incident();
    let inner = env.incident_dir(&id);
    let err = env.fails(1, &["init", inner.to_str().unwrap()]);
    assert_eq!(
        err,
        format!(
            "error: {} is inside the incident vault {}\n  hint: record into that vault (`incident start` works anywhere inside it), or create the new one outside {}\n",
            inner.display(),
            env.root().display(),
            env.root().display()
        )
    );
    assert!(!inner.join("incident.toml").exists());
    env.ok(&["init"]); // the vault itself: left as it was
}

#[test]
fn an_empty_incident_vault_variable_means_unset() {
    let (mut env, _id) = TestEnv::with_incident();
    env.extra_env.push(("INCIDENT_VAULT".into(), String::new()));
    assert!(env.ok(&["status"]).starts_with("K3s pods crash-looping [open · sev2]"));
}

#[test]
fn a_status_filter_that_matches_nothing_says_so() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["resolve", "fixed"]);
    let r = env.run(&["list", "--status", "open"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(r.stderr, "no open incidents (1 in all: incident list)\n");
}

#[test]
fn text_piped_in_that_is_not_utf8_is_kept_with_the_bad_bytes_named() {
    let (env, id) = TestEnv::with_incident();
    let cases: [(&[&str], &[u8], &str, &str); 3] = [
        (&["note", "-"], b"caf\xe9 down\n", "1 byte replaced with U+FFFD (0xE9 on line 1)", "caf\u{fffd} down\n"),
        (
            &["cause", "-"],
            b"node IP\nchanged \xff\xfe\n",
            "2 bytes replaced with U+FFFD (0xFF on line 2, 0xFE on line 2)",
            "node IP\nchanged \u{fffd}\u{fffd}\n",
        ),
        // UTF-16 (PowerShell's `>`) is text, as `run` and `capture` read it.
        (&["lesson", "-"], b"\xff\xfeo\0k\0\n\0", "", "ok\n"),
    ];
    for (n, (args, input, replaced, body_text)) in cases.into_iter().enumerate() {
        let r = env.run_with_stdin(args, input);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let warning = match replaced {
            "" => String::new(),
            _ => format!(
                "warning: stdin is not UTF-8: {replaced}; to keep them, convert first: iconv -f LATIN1 -t UTF-8\n"
            ),
        };
        assert!(r.stderr.starts_with(&format!("{warning}recorded {} ", args[0])), "{args:?}: {}", r.stderr);
        assert_eq!(body(&env.only_step(&id, args[0])), body_text, "{args:?}");
        assert_eq!(env.step_files(&id).len(), n + 1);
    }
}

#[test]
fn starting_an_incident_while_another_is_open_says_how_to_go_back_to_it() {
    let (env, first) = TestEnv::with_incident();
    let r = env.run(&["start", "Second outage"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.ends_with(&format!(
            "{first} is still open: `incident switch {first}` goes back to it, `incident -I {first} resolve` ends it\n"
        )),
        "{}",
        r.stderr
    );
    // Resolved, it is not named.
    env.ok(&["-I", &first, "resolve", "done"]);
    env.ok(&["resolve", "done"]);
    let r = env.run(&["start", "Third outage"]);
    assert!(!r.stderr.contains("still open"), "{}", r.stderr);
}
