//! `incident postmortem` defects a third review found: restart totals from listings cut
//! short and from `jq … | add`, milestones marked twice or dated before the incident.

use crate::support::*;

/// The story's own table as pasted: six rows, then `...`.
const STORY_TABLE: &str = "\
NAMESPACE     NAME                          READY   STATUS             RESTARTS      AGE
convocanvas   convocanvas-7d4b9c8f6-xk2p9   0/1     CrashLoopBackOff   1842          2d
convocanvas   convocanvas-7d4b9c8f6-m8k4l   0/1     CrashLoopBackOff   1839          2d
ollama        ollama-5f7c9d8b4-p2k8n        0/1     CrashLoopBackOff   1756          2d
chromadb      chromadb-0                    0/1     Error              1612          2d
monitoring    prometheus-server-0           0/1     CrashLoopBackOff   1248          2d
monitoring    grafana-5c8f7b9d4-k9m2p       0/1     CrashLoopBackOff   1515          2d
...
";

fn capture(env: &TestEnv, command: &str, output: &str) {
    let r = env.run_with_stdin(&["capture", "-q", "--no-echo", "-c", command, "--exit-code", "0"], output.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The ids of the incident's steps of `kind`, in time order.
fn ids(env: &TestEnv, id: &str, kind: &str) -> Vec<String> {
    let files = env.step_files(id);
    let stems = files.iter().map(|f| f.file_stem().unwrap().to_string_lossy().into_owned());
    stems.filter(|s| s.contains(&format!("-{kind}-"))).collect()
}

/// The table row of the metric `name`.
fn row<'a>(md: &'a str, name: &str) -> &'a str {
    let start = md.find(&format!("| **{name}** |")).unwrap_or_else(|| panic!("no {name} row in {md}"));
    md[start..].lines().next().unwrap()
}

fn scopes(json: &serde_json::Value) -> Vec<(u64, String)> {
    let observations = json["metrics"]["raw"]["restarts"]["observations"].as_array().unwrap();
    observations.iter().map(|o| (o["total"].as_u64().unwrap(), o["scope"].as_str().unwrap().to_string())).collect()
}

/// `kubectl get pods -A` pasted with its `...` line lists some pods only: its 9,812
/// restarts are labelled partial, as a `| head` would be, and are no total of the cluster,
/// also when the facts were recorded by a version that did not look for the `...`.
#[test]
fn a_listing_cut_short_is_no_total_of_the_cluster() {
    let (mut env, id) = TestEnv::with_incident();
    capture(&env, "kubectl get pods -A", STORY_TABLE);
    let step = ids(&env, &id, "capture")[0].clone();
    let partial = "partial: `kubectl get pods -A` (its listing was cut short)";
    env.at("2025-10-05T08:30:00-05:00");
    let expected = format!(
        "| **Restarts (highest count seen)** | 9,812 | 08:23 | [{step}](steps/{step}.md) — summed over {partial}; no listing of all namespaces |"
    );
    let md = env.ok(&["postmortem", "--out", "-"]);
    assert_eq!(row(&md, "Restarts (highest count seen)"), expected);
    assert_eq!(scopes(&env.json(&["postmortem", "--format", "json"])), [(9812, partial.to_string())]);

    // Recorded facts without `cut_short` (an older version's): the body still shows the `...`.
    let file = env.incident_dir(&id).join("steps").join(format!("{step}.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("  cut_short: true\n"), "{text}");
    std::fs::write(&file, text.replace("  cut_short: true\n", "")).unwrap();
    let md = env.ok(&["postmortem", "--out", "-"]);
    assert_eq!(row(&md, "Restarts (highest count seen)"), expected);
}

/// A listing whose reader closed it early (`incident run … | head`) shows some pods only.
#[test]
fn a_listing_whose_reader_closed_it_is_partial() {
    let (mut env, id) = TestEnv::with_incident();
    capture(&env, "kubectl get pods -A", &STORY_TABLE.replace("...\n", ""));
    let step = ids(&env, &id, "capture")[0].clone();
    let file = env.incident_dir(&id).join("steps").join(format!("{step}.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("exit_code: 0\n", "exit_code: 0\noutput_closed: true\n", 1)).unwrap();
    env.at("2025-10-05T08:30:00-05:00");
    assert_eq!(
        scopes(&env.json(&["postmortem", "--format", "json"])),
        [(9812, "partial: `kubectl get pods -A` (its listing was cut short)".to_string())]
    );
}

const JQ: &str = "kubectl get pods -A -o json | jq '[.items[].status.containerStatuses[].restartCount] | add'";

/// The story's own source of "6,812": the jq sum printing a bare number. `incident extract`
/// recognises it after its `$ command` line; the postmortem takes it as the total of every
/// namespace (the table pasted before it is cut short), names its step, and charts it.
#[test]
fn a_summed_restart_count_is_the_story_s_total() {
    let (mut env, id) = TestEnv::with_incident();
    let transcript = format!("$ {JQ}\n6812\n");
    let r = env.run_with_stdin(&["extract"], transcript.as_bytes());
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "6,812 restarts (restartCount summed)\n", ""));
    let r = env.run_with_stdin(&["extract", "--json"], transcript.as_bytes());
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json, serde_json::json!({"restart_sum": {"total": 6812, "command": JQ}}));
    // Without its command a number is only a number.
    let r = env.run_with_stdin(&["extract"], b"6812\n");
    assert_eq!(r.stderr, "nothing recognised: no pods, nodes, addresses, routes or known errors\n");

    capture(&env, "kubectl get pods -A", STORY_TABLE);
    env.at("2025-10-05T08:24:00-05:00");
    capture(&env, JQ, "6812\n");
    env.at("2025-10-05T09:20:00-05:00");
    capture(
        &env,
        "kubectl get pods -A",
        "NAMESPACE     NAME                          READY   STATUS    RESTARTS   AGE\n\
         convocanvas   convocanvas-7d4b9c8f6-q2w3e   1/1     Running   0          1m\n",
    );
    env.at("2025-10-05T09:30:00-05:00");
    let jq_step = ids(&env, &id, "capture")[1].clone();
    let md = env.ok(&["postmortem", "--out", "-"]);
    // Beside it the note that the cut table disagrees (see the next test).
    let peak = format!(
        "| **Restarts (highest count seen)** | 6,812 | 08:24 | [{jq_step}](steps/{jq_step}.md) — summed over all namespaces"
    );
    assert!(row(&md, "Restarts (highest count seen)").starts_with(&peak), "{md}");
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(
        scopes(&json),
        [
            (9812, "partial: `kubectl get pods -A` (its listing was cut short)".to_string()),
            (6812, "all namespaces".to_string()),
            (0, "all namespaces".to_string())
        ]
    );
    env.ok(&["postmortem"]);
    let svg = std::fs::read_to_string(env.incident_dir(&id).join("postmortem-restarts.svg")).unwrap();
    assert!(svg.contains(&format!("<title>6,812 restarts at 2025-10-05 08:24 ({jq_step})</title>")), "{svg}");
    assert!(svg.contains(">Restarts summed over the pods of all namespaces, 2 listings</text>"), "{svg}");
}

/// The story's numbers disagree: six rows of its table (cut short) sum to 9,812, more than
/// the 6,812 jq counts in every namespace a minute later. The peak stays the count of every
/// namespace, and the postmortem says, on stderr, in its notes and beside the figure, that
/// another count contradicts it, naming both step files.
#[test]
fn restart_counts_that_disagree_are_warned_about_naming_both_files() {
    let (mut env, id) = TestEnv::with_incident();
    capture(&env, "kubectl get pods -A", STORY_TABLE);
    env.at("2025-10-05T08:24:00-05:00");
    capture(&env, JQ, "6812\n");
    env.at("2025-10-05T08:30:00-05:00");
    let captures = ids(&env, &id, "capture");
    let (table, jq) = (&captures[0], &captures[1]);
    let warning = format!(
        "restart counts disagree: steps/{table}.md counts 9,812 restarts summed over partial: `kubectl get pods -A` (its listing was cut short) at 2025-10-05 08:23, more than the 6,812 of all namespaces in steps/{jq}.md at 2025-10-05 08:24 with no change made between; some pods cannot have restarted more often than all of them: correct or delete the step file of the wrong one"
    );
    let r = env.run(&["postmortem"]);
    assert_eq!(r.stderr, format!("warning: {warning}\nwrote incidents/{id}/postmortem.md\n"));
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert_eq!(
        row(&md, "Restarts (highest count seen)"),
        format!(
            "| **Restarts (highest count seen)** | 6,812 | 08:24 | [{jq}](steps/{jq}.md) — summed over all namespaces; another count of about the same time disagrees (see Notes on the record) |"
        )
    );
    let notes = &md[md.find("## Notes on the record\n").unwrap()..];
    assert_eq!(notes, format!("## Notes on the record\n\n- {warning}\n"));
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(json["warnings"], serde_json::json!([warning]));
    assert_eq!(json["metrics"]["raw"]["restarts"]["disputed"], true);

    // A change made between two counts (a restart of K3s) excuses a fall.
    env.at("2025-10-05T08:25:00-05:00");
    env.ok(&["capture", "-q", "-c", "sudo systemctl restart k3s", "--exit-code", "0"]);
    env.at("2025-10-05T08:26:00-05:00");
    capture(&env, JQ, "12\n");
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(r.stderr, format!("warning: {warning}\n"));
}

/// `mark recovered` at 09:20, then again at 09:30: the first counts; the postmortem says
/// the second is ignored (stderr, notes, JSON) with both step files and a fix, and its
/// timeline shows it as an ordinary entry marked ignored, not as a bold milestone.
#[test]
fn a_milestone_marked_twice_is_listed_as_ignored() {
    let (mut env, id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-10-05T09:20:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    env.at("2025-10-05T09:30:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    env.at("2025-10-05T09:40:00-05:00");
    let marks = ids(&env, &id, "milestone");
    let (first, second) = (&marks[1], &marks[2]);
    let warning = format!(
        "recovered is marked twice: the first, at 2025-10-05 09:20 (steps/{first}.md), counts, and the one at 2025-10-05 09:30 (steps/{second}.md) is ignored; delete the wrong step file or correct its `at:`"
    );
    let r = env.run(&["postmortem"]);
    assert_eq!(r.stderr, format!("warning: {warning}\nwrote incidents/{id}/postmortem.md\n"));
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert!(md.contains(&format!("- 09:20 **Recovered** · [milestone](steps/{first}.md)\n")), "{md}");
    assert!(
        md.contains(&format!(
            "- 09:30 Recovered *(ignored: recovered was marked first at 09:20)* · [milestone](steps/{second}.md)\n"
        )),
        "{md}"
    );
    let notes = &md[md.find("## Notes on the record\n").unwrap()..];
    assert_eq!(notes, format!("## Notes on the record\n\n- {warning}\n"));
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(json["warnings"], serde_json::json!([warning]));
    let entry = json["timeline"].as_array().unwrap().iter().find(|e| e["step"] == second.as_str()).unwrap();
    assert_eq!(
        (&entry["milestone"], &entry["ignored"]),
        (&serde_json::Value::Null, &serde_json::json!("recovered was marked first at 09:20"))
    );
    assert_eq!(json["metrics"]["raw"]["ignored_milestones"][0]["counted"]["step"], first.as_str());
}

/// Detection dated the day before the incident was started (a date slip by hand, or a bare
/// `--at 08:10` typed at 08:05 by a version that took it as yesterday's): the postmortem
/// says so, naming the step file and both times. An `impact-start` marked earlier still
/// is the start (impact often begins before anyone opens the incident), as `status` has
/// it: the detection after it is no slip, and the warning goes.
#[test]
fn a_milestone_before_the_incident_s_start_is_warned_about() {
    let mut env = TestEnv::new();
    env.at("2025-10-05T08:05:00-05:00");
    let id = env.ok(&["start", "K3s pods crash-looping"]).trim().to_string();
    env.ok(&["mark", "-q", "detected", "--at", "2025-10-04 08:10"]);
    env.at("2025-10-05T08:23:00-05:00");
    env.ok(&["mark", "-q", "diagnosed"]);
    let detected = ids(&env, &id, "milestone").into_iter().find(|s| s.starts_with("20251004T131000Z")).unwrap();
    let warning = format!(
        "detected at 2025-10-04 08:10 (steps/{detected}.md) is before the incident's start at 2025-10-05 08:05 (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a day off), or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`"
    );
    let r = env.run(&["postmortem"]);
    assert_eq!(r.stderr, format!("warning: {warning}\nwrote incidents/{id}/postmortem.md\n"));
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    let notes = &md[md.find("## Notes on the record\n").unwrap()..];
    assert_eq!(notes, format!("## Notes on the record\n\n- {warning}\n"));
    assert!(env.run(&["status"]).stderr.contains(&warning), "status says it too");

    env.ok(&["mark", "-q", "impact-start", "--at", "2025-10-03 22:00"]);
    let status = env.run(&["status"]);
    assert!(status.stdout.contains("started 2025-10-03 22:00"), "{}", status.stdout);
    assert!(!status.stderr.contains("before the incident's start"), "{}", status.stderr);
    let r = env.run(&["postmortem"]);
    assert_eq!(r.stderr, format!("wrote incidents/{id}/postmortem.md\n"));
}

/// A day and 13 minutes reads `1 day 13 minutes`: no `0 hours` between.
#[test]
fn a_zero_unit_between_days_and_minutes_is_left_out() {
    let (mut env, _id) = TestEnv::with_incident();
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-10-06T08:36:00-05:00");
    env.ok(&["mark", "-q", "diagnosed"]);
    let md = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        row(&md, "Time to diagnose").starts_with("| **Time to diagnose** | 1 day 13 minutes | 08:23 → Oct 6 08:36 |"),
        "{md}"
    );
}

/// `mark mitigated --at 09:00` written before `mark diagnosed --at 09:00`: at one instant
/// the timeline lists them in milestone order, as the timeline picture draws them.
#[test]
fn milestones_of_one_instant_are_in_milestone_order_in_the_timeline_and_its_picture() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T09:05:00-05:00");
    env.ok(&["mark", "-q", "mitigated", "--at", "09:00"]);
    env.at("2025-10-05T09:06:00-05:00");
    env.ok(&["mark", "-q", "diagnosed", "--at", "09:00", "DHCP moved the node"]);
    env.ok(&["postmortem"]);
    let dir = env.incident_dir(&id);
    let md = std::fs::read_to_string(dir.join("postmortem.md")).unwrap();
    let diagnosed = md.find("- 09:00 **Diagnosed: DHCP moved the node**").expect(&md);
    let mitigated = md.find("- 09:00 **Mitigated**").expect(&md);
    assert!(diagnosed < mitigated, "{md}");
    let svg = std::fs::read_to_string(dir.join("postmortem-timeline.svg")).unwrap();
    assert!(svg.find(">Diagnosed</text>").unwrap() < svg.find(">Mitigated</text>").unwrap(), "{svg}");
    let json = env.json(&["postmortem", "--format", "json"]);
    let order: Vec<&str> =
        json["timeline"].as_array().unwrap().iter().map(|e| e["milestone"].as_str().unwrap()).collect();
    assert_eq!(order, ["diagnosed", "mitigated"]);
}
