//! `incident postmortem` edge cases a review found: where `--out` writes, what a person's
//! text may become in the Markdown, pictures of two postmortems in one folder.

use std::fs;
use std::os::unix::fs::FileTypeExt;

use crate::support::*;

#[test]
fn out_onto_a_fifo_is_refused_and_the_fifo_stays() {
    let (env, _id) = TestEnv::with_incident();
    let fifo = env.root().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for args in [&["postmortem", "--out", "pipe"][..], &["postmortem", "--out", "pipe", "--force"]] {
        assert_eq!(
            env.fails(1, args),
            format!(
                "error: {} is a FIFO; a postmortem is written only to a regular file\n  hint: print it with `--out -` and send that where you want it (`--out - > FILE`, `--out - | less`)\n",
                fifo.display()
            )
        );
    }
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(!env.root().join("postmortem-timeline.svg").exists());
}

#[test]
fn out_onto_a_folder_is_refused() {
    let (env, _id) = TestEnv::with_incident();
    fs::create_dir(env.root().join("reports")).unwrap();
    assert_eq!(
        env.fails(1, &["postmortem", "--out", "reports", "--force"]),
        format!(
            "error: {} is a folder; a postmortem is written only to a regular file\n  hint: to write it into the folder, name the file: --out reports/postmortem.md; or print it with `--out -` and send that where you want it (`--out - > FILE`, `--out - | less`)\n",
            env.root().join("reports").display()
        )
    );
}

#[test]
fn out_through_a_symlink_replaces_its_target_and_the_link_stays() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    fs::create_dir(env.root().join("real")).unwrap();
    let link = env.root().join("link.md");
    std::os::unix::fs::symlink("real/pm.md", &link).unwrap();
    // First through a link to nothing yet, then over the file it made.
    for _ in 0..2 {
        env.ok(&["postmortem", "--out", "link.md"]);
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_link(&link).unwrap(), std::path::Path::new("real/pm.md"));
        let text = fs::read_to_string(env.root().join("real/pm.md")).unwrap();
        assert!(text.starts_with("---\ngenerated: true\n"), "{text}");
    }
    // Links in it are relative to where the file really is.
    let text = fs::read_to_string(env.root().join("real/pm.md")).unwrap();
    assert!(text.contains("](../incidents/"), "{text}");
    assert!(env.root().join("real/pm-timeline.svg").exists());
}

#[test]
fn out_dash_prints_to_stdout() {
    let (env, _id) = TestEnv::with_incident();
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.starts_with("# Postmortem: K3s pods crash-looping\n"), "{out}");
    assert!(!env.root().join("-").exists());
}

/// Every `<tag` a person could type lands escaped: header, table cells, list items with an
/// unmatched backtick, the ledger's "What it changes" column. Real Markdown stays.
#[test]
fn a_persons_text_never_becomes_raw_html() {
    let env = TestEnv::new();
    let img = "<img src=x onerror=alert(1)>";
    env.ok(&[
        "start",
        "t",
        "--service",
        &format!("api{img}"),
        "--tag",
        &format!("t{img}"),
        "--summary",
        &format!("**Down** for an hour {img}"),
    ]);
    env.ok(&["mark", "-q", "detected"]);
    env.ok(&["lesson", "-q", "--kind", "worked", &format!("it`s {img}")]);
    env.ok(&["lesson", "-q", "--kind", "worked", "**read** `code <b>`"]);
    let r = env.run_with_stdin(
        &["capture", "-q", "--no-echo", "-c", &format!("rm -rf '/tmp/{img}'"), "--exit-code", "0"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.ok(&["postmortem", "--out", "-"]);
    let esc = "\\<img src=x onerror=alert(1)>";
    assert!(out.contains(&format!("- **Services:** api{esc}\n")), "{out}");
    assert!(out.contains(&format!("- **Tags:** t{esc}\n")), "{out}");
    assert!(out.contains(&format!("**Down** for an hour {esc}\n")), "{out}");
    assert!(out.contains(&format!("| **Services affected** | api{esc} | ")), "{out}");
    assert!(out.contains(&format!("- Services affected: api{esc}\n")), "{out}");
    assert!(out.contains(&format!("- it`s {esc} ([step]")), "{out}");
    assert!(out.contains("- **read** `code <b>` ([step]"), "{out}");
    assert!(out.contains(&format!("| 0 | rm /tmp/{esc} |\n")), "{out}");
    // Raw only inside code: the command itself.
    let unescaped = out.replace(esc, "");
    assert_eq!(unescaped.matches(img).count(), out.matches(&format!("`rm -rf '/tmp/{img}'`")).count(), "{out}");
}

#[test]
fn two_postmortems_in_one_folder_keep_their_own_pictures() {
    let env = TestEnv::new();
    fs::create_dir(env.root().join("rep")).unwrap();
    for (title, at) in [("a", "2025-10-05 08:00"), ("d", "2025-10-05 08:10")] {
        let id = env.ok(&["start", title, "--at", at]).trim().to_string();
        env.ok(&["mark", "-q", "detected", "--at", at]);
        env.ok(&["postmortem", &id, "--out", &format!("rep/{title}.md")]);
    }
    for title in ["a", "d"] {
        let text = fs::read_to_string(env.root().join(format!("rep/{title}.md"))).unwrap();
        assert!(text.contains(&format!("]({title}-timeline.svg)")), "{text}");
        let svg = fs::read_to_string(env.root().join(format!("rep/{title}-timeline.svg"))).unwrap();
        assert!(svg.contains(&format!("08:{}", if title == "a" { "00" } else { "10" })), "{svg}");
    }
    assert!(!env.root().join("rep/postmortem-timeline.svg").exists());
}

#[test]
fn an_unreadable_milestone_file_is_named_in_the_reason() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    env.ok(&["mark", "-q", "diagnosed"]);
    let diagnosed = env
        .step_files(&id)
        .into_iter()
        .find(|p| fs::read_to_string(p).unwrap().contains("milestone: diagnosed"))
        .unwrap();
    let text = fs::read_to_string(&diagnosed).unwrap().replacen("\nid: ", "\nid: [oops ", 1);
    fs::write(&diagnosed, text).unwrap();
    let name = diagnosed.file_name().unwrap().to_str().unwrap();
    // Written all the same, and failed: the step is left out.
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("steps/{name}:2: ")) && r.stderr.contains(": left out of the postmortem\n"),
        "{}",
        r.stderr
    );
    let out = r.stdout;
    assert!(
        out.contains(&format!(
            "| **Time to diagnose** | unknown (diagnosis not recorded; the step file steps/{name} could not be read) |"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("## Notes on the record\n\n- incidents/{id}/steps/{name}:")), "{out}");
}

#[test]
fn a_hand_written_capture_step_counts_its_restarts() {
    let (env, id) = TestEnv::with_incident();
    fs::create_dir_all(env.incident_dir(&id).join("steps")).unwrap();
    fs::write(
        env.incident_dir(&id).join("steps/pods by hand.md"),
        "---\nkind: capture\nat: 2025-10-05T08:20:00-05:00\ncommand: kubectl get pods -A\n---\n```\nNAMESPACE NAME READY STATUS RESTARTS AGE\nollama ollama-5f7c9d8b4-p2k8n 0/1 CrashLoopBackOff 1756 2d\nkube-system coredns-x 0/1 CrashLoopBackOff 5056 2d\n```\n",
    )
    .unwrap();
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.contains("| **Restarts (highest count seen)** | 6,812 | 08:20 | [pods by hand]("), "{out}");
    // The site's page of the incident counts it too.
    env.ok(&["publish", "--include-open"]);
    let page = fs::read_to_string(env.root().join(format!("public/incidents/{id}/index.html"))).unwrap();
    assert!(page.contains("Restarts (highest count seen)</th><td>6,812</td>"), "{page}");
}

#[test]
fn broken_yaml_in_a_generated_postmortem_names_file_line_and_problem() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    env.ok(&["postmortem"]);
    let path = env.incident_dir(&id).join("postmortem.md");
    let text = fs::read_to_string(&path).unwrap();
    let end = text[4..].find("\n---\n").unwrap() + 4;
    let line = text[..end].lines().count() + 1;
    fs::write(&path, format!("{}\nreviewed_by: [alice{}", &text[..end], &text[end..])).unwrap();
    let err = env.fails(1, &["postmortem"]);
    let hint = format!(
        "  hint: its frontmatter is not valid YAML: fix that line (a key added by hand?) and run it again; `incident postmortem {id} --force` writes it anew without the keys added by hand\n"
    );
    let rel = format!("incidents/{id}/postmortem.md");
    assert_eq!(err, format!("error: {}:{line}: `reviewed_by: [alice`: unclosed bracket '['\n{hint}", path.display()));
    assert_eq!(env.fails(1, &["postmortem", "--check"]), err);
    let r = env.run(&["postmortem", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warning =
        err.lines().next().unwrap().replace("error: ", "warning: ").replace(&path.display().to_string(), &rel);
    assert_eq!(
        r.stderr,
        format!("{warning}; written anew, the keys added by hand to its frontmatter are lost\nwrote {rel}\n")
    );
}

#[test]
fn a_deleted_kept_template_says_where_its_name_came_from() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    fs::create_dir_all(env.root().join("templates")).unwrap();
    fs::write(env.root().join("templates/t9.md.tera"), "# {{ incident.title }}\n").unwrap();
    env.ok(&["postmortem", "--template", "t9.md.tera"]);
    fs::remove_file(env.root().join("templates/t9.md.tera")).unwrap();
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!(
        (r.code, r.stderr),
        (
            1,
            format!(
                "error: incidents/{id}/postmortem.md is stale; since it was generated, the template t9.md.tera named in its frontmatter is gone\n  hint: regenerate it with the built-in template: `incident postmortem {id} --template postmortem.md.tera`; or put t9.md.tera back in templates/\n"
            )
        )
    );
    assert_eq!(
        env.fails(1, &["postmortem"]),
        format!(
            "error: no template \"t9.md.tera\" in {} nor built in; incidents/{id}/postmortem.md names it in its frontmatter (`template: t9.md.tera`)\n  hint: switch back to the built-in one with `incident postmortem {id} --template postmortem.md.tera`, or put t9.md.tera back in templates/\n",
            env.root().join("templates").display()
        )
    );
    env.ok(&["postmortem", "--template", "postmortem.md.tera"]);
    env.ok(&["postmortem", "--check"]);
}

#[test]
fn check_notices_a_renamed_step_file() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    env.ok(&["mark", "-q", "diagnosed"]);
    env.ok(&["postmortem"]);
    env.ok(&["postmortem", "--check"]);
    let diagnosed = env
        .step_files(&id)
        .into_iter()
        .find(|p| fs::read_to_string(p).unwrap().contains("milestone: diagnosed"))
        .unwrap();
    let name = diagnosed.file_name().unwrap().to_str().unwrap().to_string();
    fs::rename(&diagnosed, diagnosed.with_file_name("Diagnosed - root cause.md")).unwrap();
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!(
        (r.code, r.stderr),
        (
            1,
            format!(
                "error: incidents/{id}/postmortem.md is stale; since it was generated, it links to files that are gone (renamed or moved?): steps/{name}\n  hint: regenerate it with `incident postmortem {id}`\n"
            )
        )
    );
    env.ok(&["postmortem"]);
    env.ok(&["postmortem", "--check"]);
    let text = fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert!(text.contains("(steps/Diagnosed%20-%20root%20cause.md)"), "{text}");
}

#[test]
fn multi_day_intervals_show_dates_and_days() {
    let (mut env, _id) = TestEnv::with_incident();
    env.at("2025-10-07T10:00:00-05:00");
    env.ok(&["mark", "-q", "impact-start", "--at", "2025-09-28 08:00"]);
    env.ok(&["mark", "-q", "detected", "--at", "2025-10-05 08:23"]);
    env.ok(&["mark", "-q", "diagnosed", "--at", "2025-10-05 23:55"]);
    env.ok(&["mark", "-q", "mitigation-start", "--at", "2025-10-06 00:10"]);
    env.ok(&["mark", "-q", "recovered", "--at", "2025-10-07 09:30"]);
    let out = env.ok(&["postmortem", "--out", "-"]);
    let row = |name: &str| out.lines().find(|l| l.starts_with(&format!("| **{name}** |"))).unwrap_or("").to_string();
    assert!(
        row("Time to detect").starts_with("| **Time to detect** | 7 days 23 minutes | 08:00 → Oct 5 08:23 |"),
        "{out}"
    );
    assert!(
        row("Total downtime").starts_with("| **Total downtime** | 9 days 1 hour 30 minutes | 08:00 → Oct 7 09:30 |"),
        "{out}"
    );
    assert!(
        row("Time to diagnose")
            .starts_with("| **Time to diagnose** | 15 hours 32 minutes | Oct 5 08:23 → Oct 5 23:55 |"),
        "{out}"
    );
    assert!(
        row("Recovery time")
            .starts_with("| **Recovery time** | 1 day 9 hours 20 minutes | Oct 6 00:10 → Oct 7 09:30 |"),
        "{out}"
    );
}

#[test]
fn json_is_format_json() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    let a = env.ok(&["postmortem", "--json"]);
    assert_eq!(a, env.ok(&["postmortem", "--format", "json"]));
    let data: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(data["pictures"], serde_json::json!({"timeline": null, "restarts": null}));
    let err = env.fails(2, &["postmortem", "--json", "--format", "md"]);
    assert!(err.starts_with("error: the argument '--json' cannot be used with '--format <FORMAT>'\n"), "{err}");
}

#[test]
fn a_note_starting_with_a_code_fence_is_headed_by_its_first_line_of_code() {
    let (env, id) = TestEnv::with_incident();
    fs::create_dir_all(env.incident_dir(&id).join("steps")).unwrap();
    fs::write(
        env.incident_dir(&id).join("steps/fence.md"),
        "---\nkind: note\nat: 2025-10-05T08:20:00-05:00\n---\n```bash\n\nkubectl -n kube-system logs coredns\n```\n",
    )
    .unwrap();
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.contains("- 08:20 kubectl -n kube-system logs coredns · [note](steps/fence.md)\n"), "{out}");
}

/// Chicago springs forward on 2025-03-09 at 02:00: -06:00 before, -05:00 after.
#[test]
fn across_a_daylight_saving_change_times_are_the_wall_clocks() {
    let mut env = TestEnv::new();
    env.at("2025-03-09T01:30:00-06:00");
    let id = env.ok(&["start", "s"]).trim().to_string();
    env.at("2025-03-09T01:40:00-06:00");
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-03-09T03:10:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    fs::write(env.incident_dir(&id).join("steps/hand.md"), "---\nkind: note\nat: 2025-03-09 03:20\n---\nx\n").unwrap();
    env.at("2025-03-09T03:30:00-05:00");
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let out = r.stdout;
    assert!(out.contains("- 01:40 **Detected** · [milestone]"), "{out}");
    assert!(out.contains("- 03:10 (UTC-05:00) **Recovered** · [milestone]"), "{out}");
    assert!(out.contains("- 03:20 (UTC-05:00) x · [note](steps/hand.md)"), "{out}");
    assert!(out.contains("| **Detection to recovery** | 30 minutes | 01:40 → 03:10 |"), "{out}");
    assert!(!out.contains("02:10"), "{out}");
}

/// Falling back on 2025-11-02 at 02:00: -05:00 before, -06:00 after.
#[test]
fn a_backdated_step_after_falling_back_shows_its_own_wall_clock() {
    let mut env = TestEnv::new();
    env.at("2025-11-02T01:10:00-05:00");
    env.ok(&["start", "s"]);
    env.at("2025-11-02T01:40:00-06:00");
    env.ok(&["mark", "-q", "detected", "--at", "2025-11-02T01:30:00-06:00"]);
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.contains("- 01:30 (UTC-06:00) **Detected** *(recorded 2025-11-02 01:40)* · [milestone]"), "{out}");
}

#[test]
fn an_edited_output_body_wins_over_its_stale_facts_and_says_so() {
    let (env, id) = TestEnv::with_incident();
    let table =
        "NAMESPACE NAME READY STATUS RESTARTS AGE\nollama ollama-5f7c9d8b4-p2k8n 0/1 CrashLoopBackOff 1756 2d\n";
    let r = env.run_with_stdin(
        &["capture", "-q", "--no-echo", "-c", "kubectl get pods -A", "--exit-code", "0"],
        table.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.contains("| **Restarts (highest count seen)** | 1,756 |"), "{out}");
    let step = env.step_files(&id).into_iter().find(|p| p.to_str().unwrap().contains("-capture-")).unwrap();
    let step_id = step.file_stem().unwrap().to_str().unwrap().to_string();
    let text = fs::read_to_string(&step).unwrap();
    fs::write(&step, text.replace("CrashLoopBackOff 1756", "CrashLoopBackOff 1765")).unwrap();
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(
        r.stderr,
        format!(
            "warning: step {step_id}: its output was edited since it was recorded (1,765 restarts in its body, 1,756 restarts in its recorded facts); the body's are used\n"
        )
    );
    assert!(r.stdout.contains("| **Restarts (highest count seen)** | 1,765 |"), "{}", r.stdout);
}

#[test]
fn a_template_error_quotes_the_undefined_variable() {
    let (env, _id) = TestEnv::with_incident();
    fs::create_dir_all(env.root().join("templates")).unwrap();
    let path = env.root().join("templates/mine.md.tera");
    fs::write(&path, "# {{ incident.title }}\n{{ metrics.rows[0].bogus }}\n").unwrap();
    let err = env.fails(1, &["postmortem", "--template", "mine.md.tera", "--out", "-"]);
    assert_eq!(
        err,
        format!(
            "error: {}:2: column 20: Tried to render a variable that is undefined (`metrics.rows[0].bogus`)\n  hint: fix the template\n",
            path.display()
        )
    );
}

#[test]
fn a_responder_an_hour_away_on_another_host_is_shown_on_the_incidents_clock() {
    let mut env = TestEnv::new();
    env.at("2026-11-26T10:00:00+00:00");
    env.ok(&["start", "london"]);
    env.ok(&["mark", "detected"]);
    // Berlin's laptop, an hour ahead: not a daylight-saving change of the incident's host.
    let out = env
        .command(&["mark", "diagnosed"])
        .env("INCIDENT_NOW", "2026-11-26T11:20:00+01:00")
        .env("INCIDENT_HOST", "berlin-laptop")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    env.at("2026-11-26T10:40:00+00:00");
    env.ok(&["mark", "recovered"]);
    env.at("2026-11-26T12:00:00+00:00");
    let status = env.ok(&["status"]);
    assert!(status.contains("detected 10:00 → diagnosed 10:20 (+20m) → recovered 10:40 (+20m)"), "{status}");
    let pm = env.ok(&["postmortem", "--out", "-"]);
    assert!(pm.contains("| **Time to diagnose** | 20 minutes | 10:00 → 10:20 |"), "{pm}");
}
