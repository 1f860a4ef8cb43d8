//! Fixes from the nineteenth review (second half): a token's placeholder, durations rounded
//! one way, Markdown in the timeline, recording into a resolved incident, a step that
//! cannot be read.

use crate::support::*;

const GH: &str = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";

#[test]
fn a_token_ends_where_its_charset_ends_and_keeps_one_placeholder_in_the_incident() {
    let (env, id) = TestEnv::with_incident();
    // A literal backslash-n after the token (printf's argument): only the token goes.
    let r = env.run_with_stdin(&["redact"], format!("GITHUB_TOKEN={GH}\\nfoo = bar\n").as_bytes());
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "GITHUB_TOKEN=[REDACTED:github-token-1]\\nfoo = bar\n"),
        "{}",
        r.stderr
    );
    // Any other text glued to the token may be the rest of the secret its key names: all of
    // it goes.
    for (line, tail) in [
        (format!("password: {GH}.Hunter2Secret\n"), ".Hunter2Secret"),
        ("DATABASE_PASSWORD='sk-proj-abcdefghijklmnopqrstuvwx!!Tail-Of-Password'\n".to_string(), "Tail-Of"),
        ("mysql --password=glpat-abcdefghij1234567890.more\n".to_string(), ".more"),
        ("TOKEN=xoxb-1234567890-abcdef/extra+secret\n".to_string(), "extra+secret"),
    ] {
        let r = env.run_with_stdin(&["redact"], line.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("[REDACTED:") && !r.stdout.contains(tail), "{line} gave {}", r.stdout);
    }
    // The argv holds `\n` literally, the output a newline: the same token, one placeholder.
    let script = format!("export GITHUB_TOKEN={GH}\\naws_access_key_id = AKIAIOSFODNN7EXAMPLQ\\n");
    env.ok(&["run", "--", "printf", &script]);
    env.ok(&["note", &format!("rotated {GH} at 08:30")]);
    let run = env.only_step(&id, "run");
    let fm = frontmatter(&run);
    assert_eq!(
        fm["command"],
        "printf 'export GITHUB_TOKEN=[REDACTED:github-token-1]\\naws_access_key_id = [REDACTED:aws-key-1]\\n'"
    );
    assert_eq!(
        fm["argv"][1],
        "export GITHUB_TOKEN=[REDACTED:github-token-1]\\naws_access_key_id = [REDACTED:aws-key-1]\\n"
    );
    assert_eq!(fm["redactions"], serde_json::json!({"aws-key": 1, "github-token": 1}));
    assert!(
        body(&run)
            .contains("\nexport GITHUB_TOKEN=[REDACTED:github-token-1]\naws_access_key_id = [REDACTED:aws-key-1]\n"),
        "{run}"
    );
    assert!(body(&env.only_step(&id, "note")).contains("rotated [REDACTED:github-token-1] at 08:30"));
    assert!(
        !std::fs::read_dir(env.incident_dir(&id).join("steps"))
            .unwrap()
            .any(|f| { std::fs::read_to_string(f.unwrap().path()).unwrap().contains("github-token-2") })
    );
}

#[test]
fn durations_are_rounded_one_way_in_the_metrics_the_chart_and_status() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T10:00:00-05:00");
    env.ok(&["mark", "detected", "--at", "2025-10-05T08:23:30-05:00"]);
    env.ok(&["mark", "diagnosed", "--at", "2025-10-05T08:46:00-05:00"]);
    env.ok(&["mark", "recovered", "--at", "2025-10-05T09:16:00-05:00"]);
    let status = env.ok(&["status"]);
    assert!(status.contains("detected 08:23 → diagnosed 08:46 (+23m) → recovered 09:16 (+30m)"), "{status}");
    env.ok(&["postmortem", "-q"]);
    let dir = env.incident_dir(&id);
    let md = std::fs::read_to_string(dir.join("postmortem.md")).unwrap();
    assert!(md.contains("| **Time to diagnose** | 23 minutes | 08:23 → 08:46 |"), "{md}");
    assert!(md.contains("| **Detection to recovery** | 53 minutes | 08:23 → 09:16 |"), "{md}");
    let svg = std::fs::read_to_string(dir.join("postmortem-timeline.svg")).unwrap();
    let segments: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("ic-muted") && l.ends_with("m</text>"))
        .map(|l| &l[l.find('>').unwrap() + 1..l.len() - 7])
        .collect();
    assert_eq!(segments, ["23m", "30m"], "{svg}");
}

#[test]
fn the_timeline_reads_a_notes_markdown_as_text_and_cuts_it_between_words() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "note",
        "DHCP gave the node **192.168.1.79** once the lease ran out, so every pod on it resolved through the \
         [CoreDNS loop](https://coredns.io/plugins/loop/) plugin's own check",
    ]);
    env.ok(&["postmortem", "-q"]);
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    let line = md.lines().find(|l| l.starts_with("- 08:23 DHCP")).unwrap_or_else(|| panic!("{md}"));
    assert_eq!(
        line.split(" · ").next().unwrap(),
        "- 08:23 DHCP gave the node 192.168.1.79 once the lease ran out, so every pod on it resolved through the…"
    );
    let status = env.ok(&["status"]);
    assert!(status.contains("note      DHCP gave the node 192.168.1.79 once the lease ran out, so every pod on it resolved through the…\n"), "{status}");
}

#[test]
fn a_step_that_cannot_be_read_makes_the_postmortem_fail_naming_the_indented_line() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "first"]);
    env.ok(&["note", "--at", "2025-10-05T08:20:00-05:00", "second"]);
    let file = env.step_files(&id).into_iter().find(|f| f.to_string_lossy().contains("T132000Z")).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replace("at: \"2025-10-05T08:20:00-05:00\"\n", "at: 2025-10-05T08:20:00-05:00\n  tags: [a, b\n");
    assert_eq!(text.lines().nth(4), Some("  tags: [a, b"), "{text}");
    std::fs::write(&file, text).unwrap();
    let rel = file.strip_prefix(env.root()).unwrap().display().to_string();
    let stderr = env.fails(1, &["postmortem"]);
    let problem = format!(
        "{rel}:5: `  tags: [a, b`: indented under `at:` (line 4), so YAML reads it as more of that value \
         (\"2025-10-05T08:20:00-05:00 tags\" is not a time); start it where `at:` starts"
    );
    assert_eq!(
        stderr,
        format!(
            "error: {problem}: incidents/{id}/postmortem.md not written, it would lack this step\n  hint: fix the \
             line named, then `incident postmortem {id}` again (publish holds the incident back until then); `--out \
             -` shows it without the step\n"
        )
    );
    // Nothing written (review 21); the draft on stdout says what it lacks.
    assert!(!env.incident_dir(&id).join("postmortem.md").exists());
    let md = env.run(&["postmortem", "--out", "-"]).stdout;
    assert!(md.contains(&format!("## Notes on the record\n\n- {problem}")), "{md}");
    // Two such files: each is named, the first as the error, the other as a warning.
    let other = env.step_files(&id).into_iter().find(|f| !f.to_string_lossy().contains("T132000Z")).unwrap();
    std::fs::write(&other, "---\nkind: note\n").unwrap();
    let stderr = env.fails(1, &["postmortem"]);
    let other_rel = other.strip_prefix(env.root()).unwrap().display().to_string();
    assert!(stderr.contains(&format!("warning: {other_rel}:")), "{stderr}");
    assert!(stderr.contains("(and 1 more step file, named above): incidents/"), "{stderr}");
}
