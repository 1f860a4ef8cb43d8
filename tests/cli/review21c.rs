//! Fixes from the twenty-first review (third part): one rule for a step dated in the
//! future, one start for a mis-dated milestone, no postmortem from a partial record, and
//! a folder without incident.md in `list --json`.

use std::path::{Path, PathBuf};

use crate::support::*;

/// Sets the `at:` line of a step file by hand, as a slipped edit would.
fn set_at(path: &Path, at: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.lines().any(|l| l.starts_with("at: ")), "{text}");
    let edited: String = text
        .lines()
        .map(|l| if l.starts_with("at: ") { format!("at: \"{at}\"\n") } else { format!("{l}\n") })
        .collect();
    std::fs::write(path, edited).unwrap();
}

/// The one step file of `kind`, by path.
fn step_of(env: &TestEnv, id: &str, kind: &str) -> PathBuf {
    let files: Vec<PathBuf> =
        env.step_files(id).into_iter().filter(|p| p.to_str().unwrap().contains(&format!("-{kind}-"))).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// A resolved incident with one note and a postmortem written; returns the note's id.
fn resolved_with_a_note(env: &mut TestEnv, id: &str) -> String {
    env.at("2025-10-05T08:40:00-05:00");
    env.ok(&["note", "-q", "CoreDNS loops on the old address"]);
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["mark", "-q", "resolved"]);
    env.ok(&["postmortem", "-q"]);
    step_of(env, id, "note").file_stem().unwrap().to_str().unwrap().to_string()
}

#[test]
fn a_step_dated_in_the_future_is_left_out_everywhere_with_the_postmortems_warning() {
    let (mut env, id) = TestEnv::with_incident();
    let note = resolved_with_a_note(&mut env, &id);
    set_at(&step_of(&env, &id, "note"), "2052-10-05T08:40:00-05:00");
    let warning = format!(
        "step {note} is dated 2052-10-05 08:40, after now (2025-10-05 09:00); it is left out until then (correct its \
         `at:` if that is wrong)"
    );
    let r = env.run(&["postmortem", "--out", "-"]);
    assert!(r.stderr.contains(&warning), "the rule as the postmortem says it: {}", r.stderr);
    // status, list and show: the same rule, the same words.
    for args in [&["status"][..], &["list"], &["show"]] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&warning), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("CoreDNS loops"), "{args:?}: {}", r.stdout);
    }
    assert_eq!(env.json(&["status", "--json"])["step_count"], 1, "the resolved milestone only");
    assert_eq!(env.json(&["list", "--json"])[0]["step_count"], 1);
    // --check: the postmortem that showed it is stale, the step named as dated after now, not removed.
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "incidents/{id}/postmortem.md: stale: since it was generated, dated after now, so left out until then \
             (correct its `at:` if that is wrong): {note} (2052-10-05 08:40); regenerate it"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&format!("incidents/{id}/steps/{note}.md: {warning}")), "{}", r.stdout);
    assert!(!r.stdout.contains("removed"), "the file is there: {}", r.stdout);
    let pm = env.run(&["postmortem", "--check"]);
    assert_eq!(pm.code, 1, "{}", pm.stderr);
    assert!(pm.stderr.contains("dated after now, so left out until then"), "{}", pm.stderr);
    // The site: left out, with the warning, until then.
    env.ok(&["postmortem", "-q"]);
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&warning), "{}", r.stderr);
    let page = std::fs::read_to_string(env.root().join("public/incidents").join(&id).join("index.html")).unwrap();
    assert!(!page.contains("CoreDNS loops") && !page.contains("2052"), "{page}");
    // Its time come, it is there.
    env.at("2052-10-05T09:00:00-05:00");
    env.ok(&["publish", "-q"]);
    let page = std::fs::read_to_string(env.root().join("public/incidents").join(&id).join("index.html")).unwrap();
    assert!(page.contains("CoreDNS loops"), "{page}");
}

#[test]
fn a_milestone_dated_a_day_early_moves_no_start_and_is_warned_about_where_it_shows() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T09:30:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    env.at("2025-10-05T10:30:00-05:00");
    env.ok(&["mark", "-q", "resolved"]);
    let recovered = step_of_milestone(&env, &id, "recovered");
    set_at(&recovered, "2025-10-04T09:30:00-05:00");
    let file = format!("steps/{}", recovered.file_name().unwrap().to_str().unwrap());
    let warning = format!(
        "warning: recovered at 2025-10-04 09:30 ({file}) is before the incident's start at 2025-10-05 08:23 \
         (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a \
         day off)"
    );
    // The incident's start, as the site and the postmortem's figures have it: not the mis-dated milestone.
    let r = env.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("{id} · started 2025-10-05 08:23 · resolved 10:30 after 2h 7m")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains(&warning), "{}", r.stderr);
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["started_at"], "2025-10-05T08:23:00-05:00");
    assert_eq!(json["elapsed_seconds"], 2 * 3600 + 7 * 60);
    let r = env.run(&["list"]);
    assert!(r.stdout.contains(&format!("{id}  2025-10-05 08:23")), "{}", r.stdout);
    assert!(r.stderr.contains("is before the incident's start at 2025-10-05 08:23"), "{}", r.stderr);
    assert_eq!(env.json(&["list", "--json"])[0]["started_at"], "2025-10-05T08:23:00-05:00");
    assert_eq!(env.json(&["show", "--json"])["started_at"], "2025-10-05T08:23:00-05:00");
    let pm = env.ok(&["postmortem", "--out", "-"]);
    assert!(pm.contains("- **Started:** 2025-10-05 08:23\n"), "{pm}");
    // A backdated impact-start still moves the start: impact may begin before anyone opens it.
    env.ok(&["mark", "-q", "impact-start", "--at", "2025-10-05T08:00:00-05:00"]);
    assert_eq!(env.json(&["status", "--json"])["started_at"], "2025-10-05T08:00:00-05:00");
}

/// The step file that marks `milestone`.
fn step_of_milestone(env: &TestEnv, id: &str, milestone: &str) -> PathBuf {
    let line = format!("\nmilestone: {milestone}\n");
    env.step_files(id).into_iter().find(|p| std::fs::read_to_string(p).unwrap().contains(&line)).unwrap()
}

#[test]
fn a_postmortem_is_not_written_while_a_step_file_cannot_be_read() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T09:30:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    env.ok(&["postmortem", "-q"]);
    let path = env.incident_dir(&id).join("postmortem.md");
    let whole = std::fs::read_to_string(&path).unwrap();
    let recovered = step_of_milestone(&env, &id, "recovered");
    let text = std::fs::read_to_string(&recovered).unwrap().replace("milestone: recovered", "milestone: recoverd");
    std::fs::write(&recovered, text).unwrap();
    let rel = recovered.strip_prefix(env.root()).unwrap().display().to_string();
    let stderr = env.fails(1, &["postmortem"]);
    assert!(
        stderr.starts_with(&format!("error: {rel}:")) && stderr.contains("unknown milestone \"recoverd\""),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            ": incidents/{id}/postmortem.md not written, it would lack this step\n  hint: fix the line named, then \
             `incident postmortem {id}` again (publish holds the incident back until then); `--out -` shows it \
             without the step\n"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("wrote"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), whole, "the whole one stays");
    // The draft on stdout, failed as before.
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("## Notes on the record"), "{}", r.stdout);
}

#[test]
fn a_folder_of_steps_without_incident_md_is_listed_as_unreadable() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "-q", "CoreDNS loops"]);
    let foo = env.root().join("incidents/foo");
    std::fs::create_dir_all(foo.join("steps")).unwrap();
    for f in env.step_files(&id) {
        std::fs::copy(&f, foo.join("steps").join(f.file_name().unwrap())).unwrap();
    }
    let json = env.json(&["list", "--json"]);
    let items = json.as_array().unwrap();
    let entry = items.iter().find(|i| i["id"] == "foo").unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(entry["unreadable"]["file"], "incidents/foo/incident.md", "{entry:#}");
    assert_eq!(entry["unreadable"]["line"], 0);
    let message = entry["unreadable"]["message"].as_str().unwrap();
    assert!(message.starts_with("holds 1 step file but no incident.md, so it is left out; "), "{message}");
    assert!(message.contains("title:") && message.contains("at:"), "the fix: {message}");
    assert_eq!(entry["title"], serde_json::Value::Null);
    assert_eq!(items.len(), 2, "{json:#}");
    // The text says it alike: a row marked unreadable, and the warning.
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("cannot read incidents/foo/incident.md (the warning above says why)"), "{}", r.stdout);
    assert!(r.stdout.lines().any(|l| l.contains(" foo ") && l.contains("unreadable")), "{}", r.stdout);
    assert!(r.stderr.contains("holds 1 step file but no incident.md"), "{}", r.stderr);
}

#[test]
fn a_backdated_impact_start_is_the_start_on_the_site_as_in_status() {
    let (mut env, id) = TestEnv::with_incident();
    env.ok(&["mark", "impact-start", "--at", "07:50"]);
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["resolve", "fixed"]);
    assert!(env.ok(&["status"]).contains("started 2025-10-05 07:50"), "{}", env.ok(&["status"]));
    env.ok(&["publish", "-q"]);
    let page = std::fs::read_to_string(env.root().join(format!("public/incidents/{id}/index.html"))).unwrap();
    assert!(page.contains("<dt>Started</dt><dd><time datetime=\"2025-10-05T07:50"), "{page}");
}
