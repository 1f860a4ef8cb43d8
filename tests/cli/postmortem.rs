//! `incident postmortem` through the real binary: the seed story, `--check`, hand edits, odd steps.

use std::fs;
use std::path::PathBuf;

use crate::support::*;

const LATER: &str = "2025-10-05T10:45:00-05:00";

fn capture(env: &TestEnv, at: &str, command: &str, output: &str) {
    let r = env.run_with_stdin(
        &["capture", "-q", "--no-echo", "--at", at, "-c", command, "--exit-code", "0"],
        output.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The seed story, recorded with the tool: detected 08:23, diagnosed 08:45, decision 09:00,
/// recovered 09:30, permanent fix 10:00–10:30; no impact start.
pub fn seed_story() -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let id = env
        .ok(&[
            "start",
            "K3s pods crash-looping",
            "--severity",
            "sev2",
            "--service",
            "LibreChat",
            "--service",
            "Prometheus",
            "--summary",
            "Every pod of the K3s cluster was crash-looping: DHCP had changed the node's address.",
        ])
        .trim()
        .to_string();
    env.ok(&["mark", "-q", "detected", "6,812 restarts"]);
    capture(
        &env,
        "08:23",
        "kubectl get pods -A",
        "NAMESPACE NAME READY STATUS RESTARTS AGE\nollama ollama-5f7c9d8b4-p2k8n 0/1 CrashLoopBackOff 1756 2d\n",
    );
    env.at(LATER);
    capture(
        &env,
        "08:25",
        "kubectl get nodes",
        "NAME STATUS ROLES AGE VERSION\nleveling-pc Ready control-plane,master 3d v1.30.5+k3s1\n",
    );
    capture(&env, "08:40", "ip addr show", "enp6s0: 192.168.1.186/24\nwlp5s0: 192.168.1.180/24\n");
    env.ok(&["mark", "-q", "diagnosed", "--at", "08:45", "The node IP changed under K3s"]);
    env.ok(&["cause", "-q", "--at", "08:45", "K3s cached the old node IP", "--trigger", "DHCP lease renewal"]);
    env.ok(&["option", "-q", "--at", "08:55", "Clean restart", "--pros", "minutes to recover", "--cons", "may recur"]);
    env.ok(&[
        "option",
        "-q",
        "--at",
        "08:56",
        "Pin to interface",
        "--pros",
        "survives IP changes",
        "--cons",
        "a service edit",
    ]);
    env.ok(&["decide", "-q", "--at", "09:00", "Clean restart", "--why", "fastest way back"]);
    capture(&env, "09:14", "sudo systemctl stop k3s", "");
    capture(&env, "09:15", "sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd", "");
    capture(&env, "09:16", "sudo systemctl start k3s", "");
    env.ok(&["mark", "-q", "recovered", "--at", "09:30", "All pods healthy"]);
    env.ok(&["mark", "-q", "permanent-fix-start", "--at", "10:00"]);
    capture(&env, "10:05", "sudo vi /etc/systemd/system/k3s.service", "");
    env.ok(&["mark", "-q", "permanent-fix", "--at", "10:30", "Pinned to wlp5s0"]);
    env.ok(&["lesson", "-q", "--at", "10:40", "--kind", "worked", "Systematic debugging"]);
    env.ok(&["lesson", "-q", "--at", "10:41", "--kind", "sucked", "6,812 restarts and no alert"]);
    env.ok(&["lesson", "-q", "--at", "10:42", "--kind", "lucky", "Found on a weekend"]);
    env.ok(&["lesson", "-q", "--at", "10:43", "DHCP is fine for laptops, not for infrastructure"]);
    env.ok(&["action", "-q", "--at", "10:44", "Alert on restarts > 10", "--owner", "ryan", "--due", "2025-10-12"]);
    (env, id)
}

/// Writes a step file by hand, as a person with an editor would.
fn hand_step(env: &TestEnv, id: &str, name: &str, yaml: &str, body: &str) -> PathBuf {
    let dir = env.incident_dir(id).join("steps");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.md"));
    fs::write(&path, format!("---\nid: {name}\n{yaml}---\n\n{body}\n")).unwrap();
    path
}

/// Restart counts as extraction writes them (`facts.restarts_total`).
pub fn add_restart_counts(env: &TestEnv, id: &str) {
    hand_step(
        env,
        id,
        "20251005T132330Z-capture-rst001",
        "kind: capture\nat: 2025-10-05T08:23:30-05:00\ncommand: kubectl get pods -A\nexit_code: 0\nfacts:\n  restarts_total: 6812\n",
        "```console\n$ kubectl get pods -A\n```",
    );
    hand_step(
        env,
        id,
        "20251005T143100Z-capture-rst002",
        "kind: capture\nat: 2025-10-05T09:31:00-05:00\ncommand: kubectl get pods -A\nexit_code: 0\nfacts:\n  restarts_total: 0\n",
        "```console\n$ kubectl get pods -A\n```",
    );
}

/// Step ids are random and hashes depend on them: name them by kind for snapshots.
fn redact(text: &str) -> String {
    let ids = regex::Regex::new(r"\d{8}T\d{6}Z-([a-z-]+?)-[0-9a-z]{6}").unwrap();
    let shas = regex::Regex::new(r"[0-9a-f]{64}").unwrap();
    shas.replace_all(&ids.replace_all(text, "[$1-id]"), "[sha256]").into_owned()
}

fn id_of(env: &TestEnv, id: &str, kind: &str, n: usize) -> String {
    let files: Vec<String> = env
        .step_files(id)
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .filter(|s| s.contains(&format!("-{kind}-")))
        .collect();
    files[n].clone()
}

fn rows(json: &serde_json::Value) -> Vec<Row> {
    json["metrics"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("name"), s("value"), s("from"), s("to"))
        })
        .collect()
}

type Row = (String, String, String, String);

fn row(name: &str, value: &str, from: &str, to: &str) -> Row {
    (name.to_string(), value.to_string(), from.to_string(), to.to_string())
}

/// The seed story's numbers: what the recorded story and the sample vault must both give.
pub fn seed_story_rows() -> Vec<Row> {
    vec![
        row("Discovery time", "08:23 (Sunday)", "", ""),
        row("Time to detect", "unknown (impact start not recorded)", "", ""),
        row("Time to diagnose", "22 minutes", "08:23", "08:45"),
        row("Recovery time", "30 minutes", "09:00", "09:30"),
        row("Detection to recovery", "1 hour 7 minutes", "08:23", "09:30"),
        row("Permanent fix", "30 minutes", "10:00", "10:30"),
        row("Total downtime", "unknown (impact start not recorded)", "", ""),
        row("Restarts (highest count seen)", "6,812", "08:23", ""),
    ]
}

#[test]
fn the_seed_story_postmortem() {
    let (mut env, id) = seed_story();
    add_restart_counts(&env, &id);
    env.at("2025-10-05T11:00:00-05:00");
    let r = env.run(&["postmortem"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, format!("wrote incidents/{id}/postmortem.md\n"));

    let json = env.json(&["postmortem", "--format", "json"]);
    let mut want = seed_story_rows();
    want.extend([
        row("Restarts during the incident", "unknown (no pod was listed in two outputs)", "08:23", "09:31"),
        row("Services affected", "LibreChat, Prometheus", "", ""),
        row("Commands run", "9", "", ""),
        row("State-changing commands", "4", "", ""),
    ]);
    assert_eq!(rows(&json), want);

    let text = fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    let (det, diag) = (id_of(&env, &id, "milestone", 0), id_of(&env, &id, "milestone", 1));
    assert!(
        text.contains(&format!(
            "| **Time to diagnose** | 22 minutes | 08:23 → 08:45 | detected [{det}](steps/{det}.md) → diagnosed [{diag}](steps/{diag}.md) |\n"
        )),
        "{text}"
    );
    assert!(text.contains("| **Total downtime** | unknown (impact start not recorded) |  |  |\n"));
    assert!(!text.to_lowercase().contains("mttr"));
    assert!(!text.contains("N/A"));
    // Every relative link points at a file that exists.
    let links = regex::Regex::new(r"\]\(([^)]+)\)").unwrap();
    for cap in links.captures_iter(&text) {
        let target = env.incident_dir(&id).join(&cap[1]);
        assert!(target.is_file(), "broken link {} in postmortem.md", &cap[1]);
    }
    let fm = frontmatter(&text);
    assert_eq!(fm["generated"], true);
    assert_eq!(fm["generated_at"], "2025-10-05T11:00:00-05:00");
    assert_eq!(fm["sources"].as_object().unwrap().len(), env.step_files(&id).len() + 1);
    assert!(env.incident_dir(&id).join("postmortem-timeline.svg").is_file());
    assert!(env.incident_dir(&id).join("postmortem-restarts.svg").is_file());
    insta::assert_snapshot!("seed_postmortem", redact(&text));
    let svg = |name: &str| redact(&fs::read_to_string(env.incident_dir(&id).join(name)).unwrap());
    insta::assert_snapshot!("seed_timeline_svg", svg("postmortem-timeline.svg"));
    insta::assert_snapshot!("seed_restarts_svg", svg("postmortem-restarts.svg"));
}

#[test]
fn stdout_gets_the_markdown_without_frontmatter_or_pictures() {
    let (env, id) = seed_story();
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(out.starts_with("# Postmortem: K3s pods crash-looping\n"), "{out}");
    assert!(!out.contains("postmortem-timeline.svg"));
    assert!(!env.incident_dir(&id).join("postmortem.md").exists());
    assert!(!env.incident_dir(&id).join("postmortem-timeline.svg").exists());
}

#[test]
fn check_names_changed_added_and_removed_steps() {
    let (env, id) = seed_story();
    env.ok(&["postmortem"]);
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let sources = env.step_files(&id).len() + 1;
    assert_eq!(r.stderr, format!("incidents/{id}/postmortem.md is up to date ({sources} sources)\n"));

    let changed = env.step_files(&id)[0].clone();
    let changed_id = changed.file_stem().unwrap().to_str().unwrap().to_string();
    let text = fs::read_to_string(&changed).unwrap();
    fs::write(&changed, format!("{text}\nA hand-written afterthought.\n")).unwrap();
    let removed = env.step_files(&id)[1].clone();
    let removed_id = removed.file_stem().unwrap().to_str().unwrap().to_string();
    fs::remove_file(&removed).unwrap();
    env.ok(&["note", "-q", "one more thing"]);
    let added_id = env
        .step_files(&id)
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .find(|s| s.contains("-note-"))
        .unwrap();
    let err = env.fails(1, &["postmortem", "--check"]);
    assert_eq!(
        err,
        format!(
            "error: incidents/{id}/postmortem.md is stale; since it was generated, changed: {changed_id}; added: {added_id}; removed: {removed_id}\n  hint: regenerate it with `incident postmortem {id}`\n"
        )
    );
    env.ok(&["postmortem", "-q"]);
    env.ok(&["postmortem", "--check"]);
}

#[test]
fn check_of_a_hand_written_postmortem() {
    let (env, id) = TestEnv::with_incident();
    fs::write(env.incident_dir(&id).join("postmortem.md"), "---\ntitle: mine\n---\n\n# Mine\n").unwrap();
    assert_eq!(
        env.fails(1, &["postmortem", "--check"]),
        format!(
            "error: incidents/{id}/postmortem.md was not generated by incident (no `generated: true`)\n  hint: there is nothing to check against\n"
        )
    );
}

#[test]
fn a_snapshot_step_is_linked_in_the_appendix() {
    let (mut env, id) = TestEnv::with_incident();
    env.at(LATER);
    hand_step(
        &env,
        &id,
        "20251005T133000Z-snapshot-snap01",
        "kind: snapshot\nat: 2025-10-05T08:30:00-05:00\ntitle: Cluster snapshot\noutput_file: outputs/20251005T133000Z-snapshot-snap01.out\n",
        "23 pods, 23 not ready",
    );
    fs::create_dir_all(env.incident_dir(&id).join("outputs")).unwrap();
    fs::write(env.incident_dir(&id).join("outputs/20251005T133000Z-snapshot-snap01.out"), "{}").unwrap();
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        out.contains("### Snapshots\n\n- 08:30 [Cluster snapshot](steps/20251005T133000Z-snapshot-snap01.md) · [full output](outputs/20251005T133000Z-snapshot-snap01.out)\n"),
        "{out}"
    );
}

#[test]
fn check_without_a_postmortem() {
    let (env, id) = TestEnv::with_incident();
    assert_eq!(
        env.fails(1, &["postmortem", "--check"]),
        format!(
            "error: incidents/{id}/postmortem.md does not exist\n  hint: write it with `incident postmortem {id}`\n"
        )
    );
}

#[test]
fn an_empty_incident_gives_honest_unknowns() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["postmortem"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, format!("wrote incidents/{id}/postmortem.md\n"));
    let text = fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    let body = body(&text);
    insta::assert_snapshot!("empty_postmortem", body);
    assert!(!body.contains("N/A"));
    assert!(!body.contains("## Options considered"));
    assert!(!env.incident_dir(&id).join("postmortem-timeline.svg").exists());
}

#[test]
fn odd_hand_edits_warn_and_never_panic() {
    let (mut env, id) = TestEnv::with_incident();
    env.at(LATER);
    env.ok(&["mark", "-q", "detected", "--at", "08:23"]);
    // Diagnosed before detected, a step dated in 2035, a broken file, a capture with no command.
    hand_step(
        &env,
        &id,
        "20251005T131000Z-milestone-odd001",
        "kind: milestone\nat: 2025-10-05T08:10:00-05:00\nmilestone: diagnosed\n",
        "Diagnosed early?",
    );
    hand_step(
        &env,
        &id,
        "20351005T143000Z-milestone-fut001",
        "kind: milestone\nat: 2035-10-05T09:30:00-05:00\nmilestone: recovered\n",
        "Typo in the year",
    );
    let broken = hand_step(&env, &id, "20251005T132400Z-note-bad001", "kind: note\nat: [not a time\n", "broken");
    hand_step(
        &env,
        &id,
        "20251005T132500Z-capture-nocmd1",
        "kind: capture\nat: 2025-10-05T08:25:00-05:00\n",
        "output only",
    );
    // Shown, and failed at the end: the broken step is left out (to a file, nothing is written).
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let detected = id_of(&env, &id, "milestone", 1);
    let broken_rel = broken.strip_prefix(env.root()).unwrap().display().to_string();
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "warning: step 20351005T143000Z-milestone-fut001 is dated 2035-10-05 09:30, after now (2025-10-05 10:45); it is left out until then (correct its `at:` if that is wrong)",
            format!("warning: milestones out of order: diagnosed at 2025-10-05 08:10 (steps/20251005T131000Z-milestone-odd001.md) is before detected at 2025-10-05 08:23 (steps/{detected}.md); correct the `at:` in the file of the wrong one").as_str(),
            "warning: diagnosed at 2025-10-05 08:10 (steps/20251005T131000Z-milestone-odd001.md) is before the incident's start at 2025-10-05 08:23 (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a day off), or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`",
            format!(
                "error: {broken_rel}:4: `at: [not a time`: expected string scalar; write the time as \
                 `at: 2025-10-05T08:30:00Z` (UTC) or with its offset, `2025-10-05T08:30:00-05:00`: left out of the postmortem"
            )
            .as_str(),
            format!(
                "  hint: fix the line named, then `incident postmortem {id}` again (publish holds the incident back until then)"
            )
            .as_str(),
        ]
    );
    let text = r.stdout;
    assert!(text.contains("| **Recovery time** | unknown (no mitigation-start milestone and no decision after diagnosis; recovery not recorded) |  |  |\n"), "{text}");
    assert!(text.contains("## Notes on the record\n"));
    assert!(text.contains("- step 20351005T143000Z-milestone-fut001 is dated 2035-10-05 09:30"));
}

#[test]
fn a_hand_written_postmortem_is_not_overwritten() {
    let (env, id) = TestEnv::with_incident();
    let path = env.incident_dir(&id).join("postmortem.md");
    fs::write(&path, "# My own words\n").unwrap();
    assert_eq!(
        env.fails(1, &["postmortem"]),
        format!(
            "error: {} was not generated by incident (no `generated: true` in its frontmatter)\n  hint: move it away, write elsewhere with --out FILE, or overwrite it with --force\n",
            path.display()
        )
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "# My own words\n");
    env.ok(&["postmortem", "--force"]);
    assert!(fs::read_to_string(&path).unwrap().starts_with("---\ngenerated: true\n"));
}

#[test]
fn a_generated_postmortem_edited_by_hand_is_not_overwritten() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["postmortem", "-q"]);
    let path = env.incident_dir(&id).join("postmortem.md");
    // Regenerating an untouched postmortem is fine.
    env.ok(&["postmortem", "-q"]);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("\n## My analysis\nIMPORTANT HUMAN TEXT\n");
    fs::write(&path, &text).unwrap();
    let check = env.run(&["postmortem", "--check"]);
    assert_eq!(check.code, 0);
    assert!(
        check.stderr.contains("is up to date (1 sources); edited by hand since it was generated"),
        "{}",
        check.stderr
    );
    assert_eq!(
        env.fails(1, &["postmortem"]),
        format!(
            "error: {} was edited by hand since it was generated; writing it again would lose the edits\n  hint: keep the edits: move the file away or write elsewhere with --out FILE; or overwrite it with --force\n",
            path.display()
        )
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text, "the edits are still there");
    env.ok(&["postmortem", "-q", "--force"]);
    assert!(!fs::read_to_string(&path).unwrap().contains("IMPORTANT HUMAN TEXT"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The sample vault's K3s incident (recorded by examples/k3s-resurrection.sh) gives the
/// seed story's numbers.
#[test]
fn the_sample_vault_matches_the_seed_story() {
    let mut env = TestEnv::bare();
    env.at("2025-10-06T12:00:00-05:00");
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vault"), &env.root().join("vault"));
    let json = env.json(&["--vault", "vault", "postmortem", "2025-10-05-k3s", "--format", "json"]);
    let got: Vec<Row> =
        rows(&json).into_iter().filter(|r| !r.0.starts_with("Services") && !r.0.contains("ommands")).collect();
    assert_eq!(got[..8], seed_story_rows());
    assert_eq!(json["warnings"], serde_json::json!([]));
    env.at("2025-10-05T10:45:16-05:00");
    let text = env.ok(&["--vault", "vault", "postmortem", "2025-10-05-k3s", "--out", "-"]);
    insta::assert_snapshot!("sample_vault_postmortem", redact(&text));
}

/// Steps people write by hand: odd but valid. The postmortem still renders, whole.
#[test]
fn odd_but_valid_steps_render() {
    let (mut env, id) = TestEnv::with_incident();
    env.at(LATER);
    let steps = [
        (
            "20251005T132300Z-decision-odd001",
            "kind: decision\nat: 2025-10-05T08:23:00-05:00\noption: An option nobody recorded\n",
            "",
        ),
        ("20251005T132300Z-option-odd002", "kind: option\nat: 2025-10-05T08:23:00-05:00\n", "An option | with a pipe"),
        ("20251005T132300Z-lesson-odd003", "kind: lesson\nat: 2025-10-05T08:23:00-05:00\n", "A lesson without a kind"),
        ("20251005T132300Z-action-odd004", "kind: action\nat: 2025-10-05T08:23:00-05:00\n", "- [ ] Fix | things `now`"),
        (
            "20251005T132300Z-run-odd005",
            "kind: run\nat: 2025-10-05T08:23:00-05:00\ncommand: \"echo '`|`' > /etc/x\"\nexit_code: -1\n",
            "",
        ),
        ("20251005T132300Z-wibble-odd006", "kind: wibble\nat: 2025-10-05T08:23:00-05:00\n", "from a newer version"),
        ("20251005T132300Z-cause-odd007", "kind: cause\nat: 2025-10-05T08:23:00+09:00\n", "Another time zone"),
    ];
    for (name, yaml, body) in steps {
        hand_step(&env, &id, name, yaml, body);
    }
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let out = r.stdout;
    assert!(out.contains("### An option | with a pipe — not chosen (An option nobody recorded was)\n"), "{out}");
    assert!(out.contains("## Lessons\n\n- A lesson without a kind ("), "{out}");
    assert!(out.contains("| [Fix \\| things `now`](steps/20251005T132300Z-action-odd004.md) |  |  |\n"), "{out}");
    assert!(
        out.contains(
            "| 08:23 | [``echo '`\\|`' > /etc/x``](steps/20251005T132300Z-run-odd005.md) | -1 | writes /etc/x |\n"
        ),
        "{out}"
    );
    assert!(out.contains("**Root cause:** Another time zone"), "{out}");
    // Shown in the incident's offset (-05:00): 08:23+09:00 is the evening before.
    assert!(out.contains("**Saturday 2025-10-04**\n\n- 18:23 Another time zone · [cause]"), "{out}");
}

#[test]
fn links_to_oddly_named_step_files_stay_links() {
    let (env, id) = TestEnv::with_incident();
    hand_step(
        &env,
        &id,
        "copy of (1) a note",
        "kind: milestone\nmilestone: detected\nat: 2025-10-05T08:22:00-05:00\n",
        "x",
    );
    let text = env.ok(&["postmortem", "--out", "-"]);
    assert!(text.contains("(steps/copy%20of%20%281%29%20a%20note.md)"), "{text}");
    env.ok(&["postmortem", "-q"]);
    env.ok(&["resolve", "-q"]);
    let check = env.run(&["publish", "--check", "--out", "site"]);
    assert!(
        !check.stdout.contains("broken link") && !check.stderr.contains("broken link"),
        "{}{}",
        check.stdout,
        check.stderr
    );
}
