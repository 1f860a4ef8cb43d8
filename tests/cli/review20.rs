//! Review 20: durations that add up, unreadable incidents in date order, diffs of
//! snapshots given newest first, secrets glued to other text.

use crate::support::TestEnv;

/// Detected 08:00, diagnosed 08:22:30, recovered 08:53: 22m 30s + 30m 30s = 53m.
fn phases() -> (TestEnv, String) {
    let mut env = TestEnv::new();
    env.at("2025-10-05T10:00:00Z");
    let id = env.ok(&["start", "Pods crash-looping", "--at", "2025-10-05T08:00:00Z"]).trim().to_string();
    for (m, at) in
        [("detected", "08:00:00"), ("diagnosed", "08:22:30"), ("recovered", "08:53:00"), ("resolved", "08:53:00")]
    {
        env.ok(&["mark", m, "--at", &format!("2025-10-05T{at}Z")]);
    }
    (env, id)
}

#[test]
fn chart_segments_add_up_to_the_total() {
    let (env, id) = phases();
    env.ok(&["postmortem"]);
    let svg = std::fs::read_to_string(env.incident_dir(&id).join("postmortem-timeline.svg")).unwrap();
    let segments: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("class=\"ic-muted\""))
        .filter_map(|l| l.split('>').nth(1)?.split('<').next())
        .collect();
    assert_eq!(segments, ["23m", "30m", "0s"], "23m + 30m = 53m, not 23m + 31m:\n{svg}");
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert!(md.contains("| **Time to diagnose** | 23 minutes |"), "{md}");
    assert!(md.contains("| **Detection to recovery** | 53 minutes |"), "{md}");
}

#[test]
fn the_metrics_table_reads_as_the_chart_from_the_first_milestone() {
    let mut env = TestEnv::new();
    env.at("2025-10-05T10:00:00Z");
    let id = env.ok(&["start", "Pods crash-looping", "--at", "2025-10-05T08:00:00Z"]).trim().to_string();
    for (m, at) in
        [("impact-start", "08:00:00"), ("detected", "08:00:40"), ("diagnosed", "08:23:10"), ("recovered", "08:53:00")]
    {
        env.ok(&["mark", m, "--at", &format!("2025-10-05T{at}Z")]);
    }
    env.ok(&["postmortem"]);
    let svg = std::fs::read_to_string(env.incident_dir(&id).join("postmortem-timeline.svg")).unwrap();
    assert!(svg.contains(">40s<") && svg.contains(">22m<") && svg.contains(">30m<"), "{svg}");
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    // 22m 30s alone would be 23 minutes; beside the chart's 40s + 22m + 30m it reads 22.
    assert!(md.contains("| **Time to diagnose** | 22 minutes |"), "{md}");
    assert!(md.contains("| **Total downtime** | 53 minutes |"), "{md}");
}

#[test]
fn status_steps_between_milestones_add_up_to_the_total() {
    let (env, _) = phases();
    let status = env.ok(&["status"]);
    assert!(status.contains("resolved 08:53 after 53m"), "{status}");
    assert!(
        status.contains("diagnosed 08:22 (+23m) → recovered 08:53 (+30m) → resolved 08:53 (+0s)"),
        "23m + 30m = 53m:\n{status}"
    );
}

/// Detected 29 s after the impact started, diagnosed 61 s later: that span reads 1m (1 minute)
/// in status, the chart and the metrics table, as 61 s reads everywhere, never 2m.
#[test]
fn a_61_second_span_reads_1m_wherever_it_starts() {
    let mut env = TestEnv::new();
    env.at("2025-10-05T10:00:00Z");
    let id = env.ok(&["start", "Pods crash-looping", "--at", "2025-10-05T08:00:00Z"]).trim().to_string();
    for (m, at) in [("impact-start", "08:00:00"), ("detected", "08:00:29"), ("diagnosed", "08:01:30")] {
        env.ok(&["mark", m, "--at", &format!("2025-10-05T{at}Z")]);
    }
    let status = env.ok(&["status"]);
    assert!(status.contains("detected 08:00 (+29s) → diagnosed 08:01 (+1m)"), "{status}");
    env.ok(&["postmortem"]);
    let svg = std::fs::read_to_string(env.incident_dir(&id).join("postmortem-timeline.svg")).unwrap();
    assert!(svg.contains(">29s<") && svg.contains(">1m<") && !svg.contains(">2m<"), "{svg}");
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert!(md.contains("| **Time to diagnose** | 1 minute |"), "{md}");
}

#[test]
fn an_unreadable_incident_is_listed_in_date_order_by_its_folder_name() {
    let mut env = TestEnv::new();
    let mut ids = Vec::new();
    for (day, title) in [("03", "Certificate expired"), ("04", "Disk full on db-1"), ("05", "Pods crash-looping")] {
        env.at(&format!("2025-10-{day}T10:00:00Z"));
        ids.push(env.ok(&["start", title]).trim().to_string());
    }
    // The middle one's incident.md cannot be read: its date is only in its folder name.
    std::fs::write(env.incident_dir(&ids[1]).join("incident.md"), "no frontmatter\n").unwrap();
    let newest_first = [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()];
    let list = env.ok(&["list"]);
    let rows: Vec<&str> = list.lines().skip(1).map(|l| l[2..].split_whitespace().next().unwrap()).collect();
    assert_eq!(rows, newest_first, "{list}");
    assert!(list.lines().nth(2).unwrap().contains("unreadable"), "{list}");
    let json = env.json(&["list", "--json"]);
    let order: Vec<&str> = json.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(order, newest_first);
    assert!(json[1]["unreadable"].is_object(), "{json}");
}

/// A pod list as `kubectl get pods -o json` gives it, with one container's restart count.
fn pods_json(restarts: u64) -> String {
    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "prod", "uid": "u-1"},
        "spec": {"containers": [{"name": "app"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": true, "restartCount": restarts, "state": {"running": {}}}]}
    }]})
    .to_string()
}

#[test]
fn a_diff_given_newest_first_compares_earlier_to_later_and_says_so() {
    let (mut env, id) = TestEnv::with_incident();
    for (at, restarts) in [("2025-10-05T08:30:00-05:00", 5), ("2025-10-05T09:00:00-05:00", 9)] {
        env.at(at);
        std::fs::write(env.root().join("pods.json"), pods_json(restarts)).unwrap();
        env.ok(&["snapshot", "--from", "pods.json"]);
    }
    let ids: Vec<String> =
        env.step_files(&id).iter().map(|p| p.file_stem().unwrap().to_str().unwrap().to_string()).collect();
    let (older, newer) = (ids[0].as_str(), ids[1].as_str());
    let forward = env.ok(&["diff", older, newer]);
    let backward = env.ok(&["diff", newer, older]);
    assert!(
        forward.contains("4 restarts since the earlier snapshot in 1 pod (RESTARTS column total 5 → 9)"),
        "{forward}"
    );
    assert!(!backward.contains("+5") && !backward.contains("9 → 5"), "9 → 5 is no rise:\n{backward}");
    assert_eq!(
        backward.lines().next().unwrap(),
        format!(
            "note: given newest first: compared from the earlier {older} to the later {newer} (restart counts only run forward)"
        )
    );
    assert!(
        backward.contains("4 restarts since the earlier snapshot in 1 pod (RESTARTS column total 5 → 9)"),
        "{backward}"
    );
    let json = env.json(&["diff", "--json", newer, older]);
    assert_eq!(
        (json["a"].as_str(), json["b"].as_str(), &json["restarts_increase"]),
        (Some(older), Some(newer), &serde_json::json!(4))
    );
}

#[test]
fn a_known_password_after_an_assignment_keeps_its_placeholder() {
    let (env, id) = TestEnv::with_incident();
    let r =
        env.run_with_stdin(&["capture", "-c", "cat creds", "--no-echo"], b"mysql -u root --password=Hunter2Secret\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["note", "retried with pass=Hunter2Secret; and /tmp/Hunter2Secret/ then \"Hunter2Secret\""]);
    let note = env.only_step(&id, "note");
    assert!(
        note.contains(
            "pass=[REDACTED:password-flag-1]; and /tmp/[REDACTED:password-flag-1]/ then \"[REDACTED:password-flag-1]\""
        ),
        "{note}"
    );
    for f in env.step_files(&id) {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains("Hunter2Secret") && !text.contains("password-flag-2"), "{text}");
    }
}
