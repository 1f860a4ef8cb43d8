//! Fixes from the eighteenth review: the redact filter and a broken incident.toml, CRLF
//! clones and postmortem freshness, decisions taken twice, a clock a little ahead.

use crate::support::*;

const TOKEN: &str = "itk_abcdefghijklmnopqrstuvwxyz012345";

/// incident.toml as `init` wrote it, with the `incident redact --help` snippet of old
/// pasted under it: a second `[redact]` table, so the file is not valid TOML.
fn paste_a_second_redact_table(env: &TestEnv) {
    let file = env.root().join("incident.toml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("[redact]\n[[redact.rules]]\nname = \"internal-token\"\npattern = 'itk_[A-Za-z0-9]{32}'\n");
    std::fs::write(&file, text).unwrap();
}

#[test]
fn redact_in_a_vault_whose_settings_are_broken_fails_and_passes_nothing_through() {
    let env = TestEnv::new();
    paste_a_second_redact_table(&env);
    let line = std::fs::read_to_string(env.root().join("incident.toml")).unwrap().lines().count() - 3;
    let r = env.run_with_stdin(&["redact"], format!("token {TOKEN}\n").as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!("error: {}:{line}: duplicate key\n", env.root().join("incident.toml").display())),
        "{}",
        r.stderr
    );
    // Named with --vault, a folder that is no vault is an error too, not the built-ins.
    let elsewhere = TestEnv::bare();
    let r = elsewhere.run_with_stdin(&["redact", "--vault", "nope"], b"x\n");
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(r.stderr.contains("is not an incident vault (no incident.toml in it)"), "{}", r.stderr);
    // Outside any vault the built-in rules still apply.
    let r = elsewhere.run_with_stdin(&["redact"], b"AKIAZLXXFOFBKFJKUPHB\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, "[REDACTED:aws-key-1]\n"));
}

/// The indented TOML of `incident redact --help`, as someone would copy it.
fn help_snippet(env: &TestEnv) -> Vec<String> {
    let help = env.ok(&["redact", "--help"]);
    let paragraph = help.split("\n\n").find(|p| p.contains("incident.toml") && p.contains("\n  ")).unwrap();
    paragraph.lines().filter_map(|l| l.strip_prefix("  ")).map(str::to_string).collect()
}

#[test]
fn the_redact_help_snippet_pasted_into_an_initialised_vault_works_and_matches_init() {
    let env = TestEnv::new();
    let snippet = help_snippet(&env);
    assert!(snippet.iter().any(|l| l.starts_with("disable")) && snippet.contains(&"[[redact.rules]]".to_string()));
    // init's commented example is the same lines.
    let file = env.root().join("incident.toml");
    let settings = std::fs::read_to_string(&file).unwrap();
    for line in &snippet {
        assert!(settings.lines().any(|l| l == format!("# {line}")), "incident.toml lacks `# {line}`:\n{settings}");
    }
    std::fs::write(&file, format!("{settings}{}\n", snippet.join("\n"))).unwrap();
    let r = env.run_with_stdin(&["redact"], format!("token {TOKEN} password=hunter2hunter2\n").as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "token [REDACTED:internal-token-1] password=hunter2hunter2\n");
}

#[test]
fn a_crlf_checkout_of_the_vault_keeps_its_postmortem_up_to_date() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "DNS fails"]);
    env.ok(&["mark", "detected"]);
    env.ok(&["postmortem", "-q"]);
    // What git with core.autocrlf=true checks out, a BOM from a Windows editor on one.
    let dir = env.incident_dir(&id);
    let mut files = env.step_files(&id);
    files.push(dir.join("incident.md"));
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap().replace('\n', "\r\n");
        std::fs::write(file, if i == 0 { format!("\u{feff}{text}") } else { text }).unwrap();
    }
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, format!("incidents/{id}/postmortem.md is up to date ({} sources)\n", files.len()));
    env.ok(&["publish", "--check"]);
}

#[test]
fn a_decision_taken_again_shows_every_reason_and_what_replaced_what() {
    let (mut env, id) = TestEnv::with_incident();
    env.ok(&["option", "Clean restart"]);
    env.ok(&["option", "Restore from backup"]);
    env.at("2025-10-05T09:10:00-05:00").ok(&["decide", "Clean restart", "--why", "fastest way back"]);
    let first = env.step_files(&id).last().unwrap().file_stem().unwrap().to_str().unwrap().to_string();
    let r = env.at("2025-10-05T09:25:00-05:00").run(&["decide", "restart", "--why", "still the fastest"]);
    let again = env.step_files(&id).last().unwrap().file_stem().unwrap().to_str().unwrap().to_string();
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!(
            "warning: \"Clean restart\" was already chosen at 09:10 (step {first}); this decision is recorded too, and \
             the postmortem gives the reasons of both; if one of them is a mistake, delete its file from \
             incidents/{id}/steps/: {first}.md or {again}.md"
        )
    );
    let r = env.at("2025-10-05T09:40:00-05:00").run(&["decide", "Restore", "--why", "the restart did not hold"]);
    let last = env.step_files(&id).last().unwrap().file_stem().unwrap().to_str().unwrap().to_string();
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!(
            "warning: a decision is already recorded, \"Clean restart\" at 09:25 (step {again}); this one is recorded \
             too, and the postmortem shows \"Clean restart\" chosen at 09:25, replaced by \"Restore from backup\" at \
             09:40; if one of them is a mistake, delete its file from incidents/{id}/steps/: {again}.md or {last}.md"
        )
    );
    let out = env.at("2025-10-05T10:00:00-05:00").ok(&["postmortem", "--out", "-"]);
    assert!(
        out.contains(
            "### Clean restart — chosen at 09:10, again at 09:25, replaced by Restore from backup at 09:40\n\n\
             Why:\n- 09:10: fastest way back\n- 09:25: still the fastest\n\n"
        ),
        "{out}"
    );
    assert!(out.contains("### Restore from backup — chosen at 09:40\n\nWhy: the restart did not hold\n\n"), "{out}");
    let json = env.json(&["postmortem", "--format", "json"]);
    let chosen: Vec<(&str, bool)> = json["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["title"].as_str().unwrap(), o["chosen"].as_bool().unwrap()))
        .collect();
    assert!(chosen.contains(&("Clean restart", false)) && chosen.contains(&("Restore from backup", true)));
}

/// A note as another host writes it, `secs` seconds after the pinned now (08:23:00).
fn note_from_a_host_ahead(env: &TestEnv, id: &str, name: &str, secs: u32) {
    let at = format!("2025-10-05T08:{:02}:{:02}-05:00", 23 + secs / 60, secs % 60);
    let text = format!(
        "---\nid: {name}\nkind: note\nat: {at}\nrecorded_at: {at}\nauthor: bob\nhost: other\n---\n\nfrom the other host\n"
    );
    std::fs::write(env.incident_dir(id).join("steps").join(format!("{name}.md")), text).unwrap();
}

#[test]
fn a_step_a_little_ahead_counts_for_check_as_for_the_postmortem() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "DNS fails"]);
    env.ok(&["postmortem", "-q"]);
    // Pulled from a host whose clock is 30 s ahead: now, as for --at.
    note_from_a_host_ahead(&env, &id, "20251005T132330Z-note-ahead1", 30);
    let r = env.run(&["postmortem", "--out", "-"]);
    assert!(r.stdout.contains("from the other host"), "{}", r.stdout);
    assert!(!r.stderr.contains("after now"), "{}", r.stderr);
    assert_eq!(
        env.fails(1, &["postmortem", "--check"]),
        format!(
            "error: incidents/{id}/postmortem.md is stale; since it was generated, added: 20251005T132330Z-note-ahead1\n  \
             hint: regenerate it with `incident postmortem {id}`\n"
        )
    );
    env.ok(&["postmortem", "-q"]);
    env.ok(&["postmortem", "-q", "--check"]);
    // Over a minute ahead is the future: left out of both, with a warning.
    note_from_a_host_ahead(&env, &id, "20251005T132430Z-note-ahead2", 90);
    let r = env.run(&["postmortem", "--out", "-"]);
    assert!(
        r.stderr.contains(
            "step 20251005T132430Z-note-ahead2 is dated 2025-10-05 08:24, after now (2025-10-05 08:23); it is left \
             out until then (correct its `at:` if that is wrong)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("steps/20251005T132430Z-note-ahead2.md"), "{}", r.stdout);
    env.ok(&["postmortem", "-q", "--check"]);
}

/// The description of `--at` in a command's help, on one line.
fn at_help(env: &TestEnv, command: &str) -> String {
    let help = env.ok(&[command, "-h"]);
    let mut lines = help.lines().skip_while(|l| !l.trim_start().starts_with("--at <TIME>"));
    let first = lines.next().unwrap().trim_start().trim_start_matches("--at <TIME>");
    let more = lines.take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with('-'));
    std::iter::once(first).chain(more).flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

#[test]
fn start_help_lists_the_times_at_takes_and_switch_names_what_start_makes() {
    let env = TestEnv::new();
    let (start, note) = (at_help(&env, "start"), at_help(&env, "note"));
    assert!(start.starts_with("When it began, if not now: RFC 3339, 08:45"), "{start}");
    assert_eq!(start.split_once(": ").unwrap().1, note.split_once(": ").unwrap().1);
    // The id the start example makes is the one the switch example switches to.
    let help = env.ok(&["start", "--help"]);
    let example = help.lines().find(|l| l.trim_start().starts_with("incident start \"")).unwrap();
    let title = example.split('"').nth(1).unwrap();
    let id = env.ok(&["start", title]);
    let switch = env.ok(&["switch", "--help"]);
    assert!(switch.contains(&format!("incident switch {}\n", id.trim())), "{switch}");
}

#[test]
fn start_takes_sev_for_severity() {
    let env = TestEnv::new();
    let id = env.ok(&["start", "Checkout 5xx", "--sev", "sev2"]);
    let json = env.json(&["show", id.trim(), "--json"]);
    assert_eq!(json["severity"], "sev2");
    assert!(env.ok(&["start", "--help"]).contains("[alias: --sev]"));
}

#[test]
fn postmortem_out_a_folder_suggests_a_file_in_it() {
    let (env, _) = TestEnv::with_incident();
    std::fs::create_dir(env.root().join("reports")).unwrap();
    let err = env.fails(1, &["postmortem", "--out", "reports", "--format", "json"]);
    assert!(
        err.contains("  hint: to write it into the folder, name the file: --out reports/postmortem.json; or print"),
        "{err}"
    );
    let err = env.fails(1, &["postmortem", "--out", "reports"]);
    assert!(err.contains("name the file: --out reports/postmortem.md;"), "{err}");
    env.ok(&["postmortem", "-q", "--out", "reports/postmortem.md"]);
    assert!(env.root().join("reports/postmortem.md").is_file());
}
