//! Edge cases of the recorder found by review: absurd times, closed pipes, control
//! characters, long lines, odd environments.

use crate::support::{TestEnv, body, frontmatter};

#[test]
fn at_refuses_the_future_and_times_outside_1970_to_9999() {
    let (env, id) = TestEnv::with_incident();
    assert_eq!(
        env.fails(2, &["note", "--at", "100000000 days ago", "x"]),
        "error: --at: \"100000000 days ago\" is too long ago, outside the years 1970 to 9999; give a shorter span, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert_eq!(
        env.fails(2, &["note", "--at", "1000000000 hours ago", "x"]),
        "error: --at: \"1000000000 hours ago\" is -112054-04-21T16:23:00-05:00, outside the years 1970 to 9999; give a time in them, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert_eq!(
        env.fails(2, &["note", "--at", "2030-01-01T00:00:00Z", "x"]),
        "error: --at: \"2030-01-01T00:00:00Z\" is in the future (2030-01-01T00:00:00+00:00, now is 2025-10-05T08:23:00-05:00); --at is for what already happened: give a past time, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert!(env.fails(2, &["start", "later", "--at", "today 9:00am"]).starts_with(
        "error: --at: \"today 9:00am\" is in the future (2025-10-05T09:00:00-05:00, now is 2025-10-05T08:23:00-05:00)"
    ));
    assert!(env.step_files(&id).is_empty(), "nothing was written");
    env.ok(&["note", "--at", "today 8:00am", "x"]);
}

#[test]
fn run_stops_like_tee_when_its_reader_goes_away() {
    use std::io::BufRead;
    use std::process::Stdio;
    let (env, id) = TestEnv::with_incident();
    // `incident run -- yes | head -1`: a command that prints forever, a reader that leaves.
    let mut child = env
        .command(&["run", "--", "sh", "-c", "while :; do echo y; done"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert_eq!(first, "y\n");
    drop(reader);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("incident run went on after its reader left");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(141));
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.ends_with("(exit 141) in 2025-10-05-k3s-pods-crash-looping\n"), "{stderr}");
    let step = env.only_step(&id, "run");
    let fm = crate::support::frontmatter(&step);
    assert_eq!(fm["exit_code"], 141);
    assert_eq!(fm["signal"], "SIGPIPE");
    assert_eq!(fm["output_closed"], true);
    assert!(fm["output_bytes"].as_u64().unwrap() >= 2, "{fm}");
    let body = crate::support::body(&step);
    assert!(body.starts_with("```console\n$ sh -c 'while :; do echo y; done'\ny\n"), "{body}");
    assert!(
        body.contains(
            "\nkilled by SIGPIPE (exit 141) · stopped when the reader of its output closed it (like `| head`) · "
        ),
        "{body}"
    );
}

#[test]
fn list_starts_where_status_does() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "impact-start", "--at", "07:50", "errors began"]);
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["started_at"], "2025-10-05T07:50:00-05:00");
    let list = env.json(&["list", "--json"]);
    assert_eq!(list[0]["started_at"], status["started_at"]);
    assert_eq!(list[0]["milestones"][0]["at"], "2025-10-05T07:50:00-05:00");
    let text = env.ok(&["list"]);
    assert!(
        text.contains(&format!("* {id}  2025-10-05 07:50  sev2  open          1  K3s pods crash-looping")),
        "{text}"
    );
}

#[test]
fn list_counts_only_readable_steps_and_warns_about_the_rest() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "-q", "one"]);
    env.ok(&["note", "-q", "two"]);
    let broken = env.incident_dir(&id).join("steps/20251005T131000Z-note-zzzzzz.md");
    std::fs::write(&broken, "garbage: [\n").unwrap();
    let status = env.run(&["status", "--json"]);
    let warning = format!(
        "warning: {}:1: no frontmatter: line 1 is not `---`; add `---`, the YAML fields, and `---` at the top\n",
        broken.display()
    );
    assert_eq!(status.stderr, warning);
    let steps = serde_json::from_str::<serde_json::Value>(&status.stdout).unwrap()["steps"].clone();
    assert_eq!(steps, 2);
    let list = env.run(&["list", "--json"]);
    assert_eq!(list.stderr, warning);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&list.stdout).unwrap()[0]["steps"], steps);
    let text = env.run(&["list"]);
    assert_eq!(text.stderr, warning);
    assert!(text.stdout.contains("  open          2  K3s"), "{}", text.stdout);
}

/// The keys of a pretty-printed JSON object's top level, in order, duplicates kept
/// (`serde_json::Value` would silently keep the last of two).
fn top_level_keys(pretty: &str) -> Vec<String> {
    pretty
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split_once("\": ").map(|(k, _)| k.to_string()))
        .collect()
}

#[test]
fn show_json_has_each_key_once() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "-q", "one"]);
    // A hand-written `status:` in incident.md as well.
    let md = env.incident_dir(&id).join("incident.md");
    let text = std::fs::read_to_string(&md).unwrap().replacen("---\n", "---\nstatus: closed\n", 1);
    std::fs::write(&md, text).unwrap();
    let out = env.ok(&["show", "--json"]);
    let keys = top_level_keys(&out);
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(keys.len(), unique.len(), "{keys:?}");
    assert_eq!(keys[..3], ["id", "title", "severity"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["id"], id);
    assert_eq!(json["steps"][0]["body"], "one\n");
    assert_eq!(json["status"], "resolved", "closed, by hand");
}

#[test]
fn a_bad_at_points_at_the_help_of_the_command_given() {
    let (env, id) = TestEnv::with_incident();
    let cases: [&[&str]; 8] = [
        &["note", "--at", "soonish", "x"],
        &["mark", "detected", "--at", "soonish"],
        &["cause", "--at", "soonish", "x"],
        &["lesson", "--at", "soonish", "x"],
        &["option", "--at", "soonish", "x"],
        &["action", "--at", "soonish", "x"],
        &["run", "--at", "soonish", "--", "true"],
        &["capture", "--at", "soonish", "-c", "true"],
    ];
    for args in cases {
        assert_eq!(
            env.fails(2, args),
            format!(
                "error: --at: cannot read the time \"soonish\"; use RFC 3339 (2025-10-05T08:45:00-05:00), a clock time (08:45), \"10 min ago\" or \"yesterday 23:10\"\n  hint: see `incident {} --help`\n",
                args[0]
            )
        );
    }
    assert!(env.step_files(&id).is_empty());
}

#[test]
fn control_characters_never_reach_a_step_or_break_a_line_of_list() {
    let env = TestEnv::new();
    let id = env.ok(&["start", "-q", "a\tb\nc \x1b[31mred\x1b[0m", "--tag", "x\ty"]).trim().to_string();
    assert_eq!(id, "2025-10-05-a-b-c-red");
    let incident = std::fs::read_to_string(env.incident_dir(&id).join("incident.md")).unwrap();
    assert!(incident.contains("\ntitle: a b c red\ntags:\n- x y\n"), "{incident}");
    env.ok(&[
        "note",
        "-q",
        "x \x1b]0;pwned\x07 \x1b[2J\nline two\twith a tab\nbell\x07 c1\u{9b}\nsoh\x01 nel\u{85}end",
    ]);
    let note = env.only_step(&id, "note");
    // As in command output: escape sequences go (a C1 CSI too), other controls show.
    assert_eq!(crate::support::body(&note), "x  \nline two\twith a tab\nbell c1\nsoh\u{2401} nel\u{fffd}end\n");
    env.ok(&["option", "-q", "Pin\nk3s", "--pros", "fast\x1b[1m"]);
    let option = env.only_step(&id, "option");
    assert!(option.contains("\ntitle: Pin k3s\npros:\n- fast\n"), "{option}");
    assert!(crate::support::body(&option).starts_with("### Option: Pin k3s\n"), "{option}");
    for step in env.step_files(&id) {
        let text = std::fs::read_to_string(step).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{text:?}");
    }
    let list = env.ok(&["list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.ends_with("  a b c red\n"), "{list}");
    let status = env.ok(&["status"]);
    assert!(status.starts_with("a b c red [open]\n"), "{status}");
}

#[test]
fn a_long_line_counts_once_and_its_tail_is_capped() {
    let (env, id) = TestEnv::with_incident();
    let mut input = "y".repeat(2_000_000);
    input.push('\n');
    let r = env.run_with_stdin(&["capture", "-q", "--no-echo", "-c", "long"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let step = env.only_step(&id, "capture");
    assert!(step.contains("\n1.9 MiB, 1 line · 1.8 MiB not shown; whole output in "), "{}", &step[step.len() - 300..]);
    // Head and tail share the 64 KiB inline limit, however long the line.
    assert!(step.len() < 64 * 1024 + 2048, "{} bytes", step.len());
    let longest = step.lines().map(str::len).max().unwrap();
    assert!(longest <= 32 * 1024, "a line of {longest} bytes inline");

    let input = format!("short\n{}\nend", "y".repeat(300_000));
    let r = env.run_with_stdin(&["capture", "-q", "--no-echo", "-c", "three"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json = env.json(&["show", "--json"]);
    let steps = json["steps"].as_array().unwrap();
    let body = steps.iter().find(|s| s["command"] == "three").unwrap()["body"].as_str().unwrap();
    assert!(body.contains("\n293 KiB, 3 lines · "), "{}", &body[body.len() - 200..]);
}

#[test]
fn an_empty_incident_now_is_unset_and_a_bad_one_says_the_format() {
    let (mut env, id) = TestEnv::with_incident();
    env.extra_env.push(("INCIDENT_NOW".into(), String::new()));
    env.ok(&["note", "-q", "on the system clock"]);
    let step = crate::support::frontmatter(&env.only_step(&id, "note"));
    assert_ne!(step["at"], "2025-10-05T08:23:00-05:00", "the pinned clock was not used");
    env.extra_env = vec![("INCIDENT_NOW".into(), "2025-10-05 08:23".into())];
    assert_eq!(
        env.fails(2, &["status"]),
        "error: INCIDENT_NOW=\"2025-10-05 08:23\" is not an RFC 3339 time: write the date, T, the time with seconds and the offset, e.g. INCIDENT_NOW=2025-10-05T08:23:00-05:00 (Z for UTC)\n  hint: unset INCIDENT_NOW to use the system clock\n"
    );
}

#[test]
fn without_user_the_author_is_the_account_name() {
    let (mut env, id) = TestEnv::with_incident();
    // The environment is cleared: no USER, no LOGNAME; an empty INCIDENT_AUTHOR is unset.
    env.extra_env.push(("INCIDENT_AUTHOR".into(), String::new()));
    env.ok(&["note", "-q", "who wrote this"]);
    let account = std::process::Command::new("id").arg("-un").output().unwrap();
    let account = String::from_utf8(account.stdout).unwrap();
    let step = crate::support::frontmatter(&env.only_step(&id, "note"));
    assert_eq!(step["author"], account.trim());
    env.extra_env.push(("LOGNAME".into(), "ryan-login".into()));
    env.ok(&["note", "-q", "and this"]);
    let authors: Vec<String> = env
        .step_files(&id)
        .iter()
        .map(|p| crate::support::frontmatter(&std::fs::read_to_string(p).unwrap())["author"].to_string())
        .collect();
    assert!(authors.contains(&"\"ryan-login\"".to_string()), "{authors:?}");
}

#[test]
fn a_script_keeps_its_lines_and_typed_carriage_returns_end_lines() {
    let (env, id) = TestEnv::with_incident();
    let script = "for i in 1 2; do\n\techo \"$i\"\ndone";
    env.ok(&["run", "-q", "--", "sh", "-c", script]);
    let run = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(run["command"], format!("sh -c '{script}'"), "the command as it ran");
    // A CR in typed text is a line break, not a terminal's overwrite.
    env.ok(&["note", "-q", "line one\rline two\r\nthird\r"]);
    let note = env.only_step(&id, "note");
    assert!(body(&note).starts_with("line one\nline two\nthird\n"), "{note}");
}

#[test]
fn a_bare_time_far_ahead_today_is_read_as_yesterday_and_said_so() {
    let mut env = TestEnv::new();
    env.at("2025-10-04T08:30:00+02:00");
    let r = env.run(&["start", "Checkout 5xx", "--at", "08:23"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let r = env.run(&["note", "--at", "20:45", "last night's deploy"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "warning: --at 20:45: read as yesterday, 2025-10-03 20:45 (its last occurrence; 20:45 today is still ahead)\n"
        ),
        "{}",
        r.stderr
    );
    // Said only for a bare clock time: a day given is what was meant.
    let r = env.run(&["note", "--at", "yesterday 08:45", "meant"]);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn capture_from_a_terminal_says_it_is_reading_and_how_to_end() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("pasted.txt"), "NAME READY\ncoredns-1 0/1\n").unwrap();
    // `script` gives the command a terminal; its input is the "pasted" file, then an end.
    let out = env.shell("script -qec \"$BIN capture -c 'kubectl get pods'\" /dev/null < pasted.txt").output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(
        shown.contains(
            "reading the output of kubectl get pods from the terminal: paste it, then Ctrl-D on a line of its own \
             (or pipe it in: COMMAND | incident capture -c COMMAND)\n"
        ),
        "{shown}"
    );
    assert!(body(&env.only_step(&id, "capture")).contains("coredns-1 0/1"));
    // From a pipe, nothing is said.
    let r = env.run_with_stdin(&["capture", "-c", "kubectl get pods"], b"x\n");
    assert!(!r.stderr.contains("reading"), "{}", r.stderr);
}

#[test]
fn status_dates_its_times_when_they_span_days_and_says_when_there_are_no_steps() {
    let mut env = TestEnv::new();
    env.at("2025-10-04T08:30:00+02:00");
    let id = env.ok(&["start", "Checkout 5xx", "--at", "08:23"]).trim().to_string();
    let status = env.ok(&["status"]);
    assert!(status.ends_with("no steps yet (incident note \"what you see\")\n"), "{status}");
    env.ok(&["note", "--at", "08:25", "same day"]);
    assert!(env.ok(&["status"]).contains("\n  08:25  note      same day ↶\n"));
    env.ok(&["note", "--at", "yesterday 23:50", "the evening before"]);
    let status = env.ok(&["status"]);
    assert!(
        status.contains("\n  10-03 23:50  note      the evening before ↶\n  10-04 08:25  note      same day"),
        "{status}"
    );
    // `show --json` gives the start as `status --json` and `list --json` do.
    let show = env.json(&["show", &id, "--json"]);
    assert_eq!(show["started_at"], env.json(&["status", "--json"])["started_at"]);
    assert_eq!(show["started_at"], "2025-10-04T08:23:00+02:00");
}

#[test]
fn temp_files_a_killed_note_left_in_steps_go_when_the_steps_are_next_read() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "first"]);
    let steps = env.incident_dir(&id).join("steps");
    let (old, fresh) = (steps.join(".incident-tmp-old123"), steps.join(".incident-tmp-new456"));
    std::fs::write(&old, "---\nid: half").unwrap();
    std::fs::write(&fresh, "---\nid: being written").unwrap();
    let touched = std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&old).status().unwrap();
    assert!(touched.success());
    env.ok(&["note", "second"]);
    assert!(old.exists(), "writing a step never lists the folder (note costs the same in any incident)");
    env.ok(&["status"]);
    assert!(!old.exists(), "over an hour old: removed by the next reader");
    assert!(fresh.exists(), "perhaps another note's, being written: kept");
    assert_eq!(env.step_files(&id).len(), 3, "two notes and the fresh temp file");
}
