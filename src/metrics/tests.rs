use chrono::DateTime;

use super::*;
use crate::model::{IncidentMeta, StepMeta};

fn t(hm: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(&format!("2025-10-05T{hm}:00-05:00")).unwrap()
}

fn step(id: &str, kind: StepKind, at: &str) -> Step {
    Step { meta: StepMeta::new(id.to_string(), kind, t(at), t(at)), body: String::new() }
}

fn mark(id: &str, m: Milestone, at: &str) -> Step {
    let mut s = step(id, StepKind::Milestone, at);
    s.meta.milestone = Some(m);
    s
}

fn run(id: &str, at: &str, command: &str, exit: i32) -> Step {
    let mut s = step(id, StepKind::Run, at);
    s.meta.command = Some(command.to_string());
    s.meta.exit_code = Some(exit);
    s
}

fn incident(mut steps: Vec<Step>) -> Incident {
    crate::model::sort_timeline(&mut steps);
    let meta: IncidentMeta = serde_json::from_value(serde_json::json!({
        "id": "2025-10-05-k3s", "title": "K3s", "at": "2025-10-05T08:23:00-05:00",
        "services": ["LibreChat", "Prometheus"], "services_unaffected": ["Ollama"],
    }))
    .unwrap();
    Incident { slug: "2025-10-05-k3s".into(), meta, summary: String::new(), steps }
}

/// The seed story: detected 08:23, diagnosed 08:45, decision 09:00, recovered 09:30,
/// permanent fix 10:00–10:30, no impact start.
fn seed() -> Vec<Step> {
    vec![
        mark("det", Milestone::Detected, "08:23"),
        run("pods", "08:23", "kubectl get pods -A", 0),
        run("nodes", "08:25", "kubectl get nodes", 0),
        mark("diag", Milestone::Diagnosed, "08:45"),
        step("opt1", StepKind::Option, "08:55"),
        step("dec1", StepKind::Decision, "09:00"),
        run("stop", "09:14", "sudo systemctl stop k3s", 0),
        run("rm", "09:15", "sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd", 0),
        run("start", "09:16", "sudo systemctl start k3s", 0),
        mark("rec", Milestone::Recovered, "09:30"),
        step("dec3", StepKind::Decision, "09:55"),
        mark("pfs", Milestone::PermanentFixStart, "10:00"),
        run("vi", "10:01", "sudo vi /etc/systemd/system/k3s.service", 0),
        mark("pf", Milestone::PermanentFix, "10:30"),
    ]
}

fn now() -> Timestamp {
    t("11:00")
}

fn row(m: &Metrics, key: &str) -> (String, String) {
    let i = m.interval(key).unwrap();
    (i.name.clone(), i.value_text())
}

fn endpoints(m: &Metrics, key: &str) -> (String, String, String, String) {
    match &m.interval(key).unwrap().span {
        Span::Known { from, to, .. } => {
            (format::clock(from.at), format::clock(to.at), from.step.clone(), to.step.clone())
        }
        Span::Unknown { reason } => panic!("{key} unknown: {reason}"),
    }
}

#[test]
fn the_seed_story_numbers() {
    let m = compute(&incident(seed()), &[], now());
    assert_eq!(m.warnings, Vec::<String>::new());
    assert_eq!(row(&m, "time_to_diagnose"), ("Time to diagnose".into(), "22 minutes".into()));
    assert_eq!(endpoints(&m, "time_to_diagnose"), ("08:23".into(), "08:45".into(), "det".into(), "diag".into()));
    assert_eq!(row(&m, "recovery_time"), ("Recovery time".into(), "30 minutes".into()));
    assert_eq!(endpoints(&m, "recovery_time"), ("09:00".into(), "09:30".into(), "dec1".into(), "rec".into()));
    assert_eq!(
        m.interval("recovery_time").unwrap().note.as_deref(),
        Some("mitigation start = the first decision after diagnosis; no mitigation-start milestone")
    );
    assert_eq!(row(&m, "permanent_fix"), ("Permanent fix".into(), "30 minutes".into()));
    assert_eq!(endpoints(&m, "permanent_fix"), ("10:00".into(), "10:30".into(), "pfs".into(), "pf".into()));
    assert_eq!(row(&m, "time_to_recover"), ("Detection to recovery".into(), "1 hour 7 minutes".into()));
    assert_eq!(
        m.interval("time_to_recover").unwrap().note.as_deref(),
        Some("impact start not recorded: measured from detection")
    );
    assert_eq!(row(&m, "total_downtime"), ("Total downtime".into(), "unknown (impact start not recorded)".into()));
    assert_eq!(row(&m, "time_to_detect"), ("Time to detect".into(), "unknown (impact start not recorded)".into()));
    assert_eq!(m.discovery.source, "detected milestone");
    assert_eq!(m.discovery.point.as_ref().map(|p| (p.at, p.step.as_str())), Some((t("08:23"), "det")));
    assert_eq!(m.services_affected, ["LibreChat", "Prometheus"]);
    assert_eq!(m.services_unaffected, ["Ollama"]);
    assert_eq!((m.commands_run, m.state_changing, m.unclassified), (6, 4, 0));
    let changes: Vec<&str> =
        m.commands.iter().filter(|c| c.effect == Effect::StateChanging).map(|c| c.step.as_str()).collect();
    assert_eq!(changes, ["stop", "rm", "start", "vi"]);
}

#[test]
fn no_bare_mttr_anywhere() {
    let m = compute(&incident(seed()), &[], now());
    let json = serde_json::to_string(&m).unwrap();
    assert!(!json.to_lowercase().contains("mttr"), "{json}");
    for i in &m.intervals {
        assert!(!i.name.is_empty() && i.name != "MTTR");
    }
}

#[test]
fn impact_start_makes_downtime_and_detection_known() {
    let mut steps = seed();
    steps.push(mark("imp", Milestone::ImpactStart, "06:00"));
    let m = compute(&incident(steps), &[], now());
    assert_eq!(row(&m, "total_downtime"), ("Total downtime".into(), "3 hours 30 minutes".into()));
    assert_eq!(row(&m, "time_to_recover"), ("Impact to recovery".into(), "3 hours 30 minutes".into()));
    assert_eq!(m.interval("time_to_recover").unwrap().note, None);
    assert_eq!(row(&m, "time_to_detect"), ("Time to detect".into(), "2 hours 23 minutes".into()));
    assert_eq!(endpoints(&m, "time_to_detect"), ("06:00".into(), "08:23".into(), "imp".into(), "det".into()));
}

#[test]
fn a_mitigation_start_milestone_wins_over_decisions() {
    let mut steps = seed();
    steps.push(mark("mit", Milestone::MitigationStart, "09:10"));
    let m = compute(&incident(steps), &[], now());
    assert_eq!(endpoints(&m, "recovery_time"), ("09:10".into(), "09:30".into(), "mit".into(), "rec".into()));
    assert_eq!(m.interval("recovery_time").unwrap().note, None);
}

#[test]
fn missing_milestones_are_unknown_with_reasons() {
    let m = compute(&incident(vec![step("n1", StepKind::Note, "08:30")]), &[], now());
    let got: Vec<(String, String)> = INTERVAL_KEYS.iter().map(|k| row(&m, k)).collect();
    assert_eq!(
        got,
        [
            ("Time to detect".into(), "unknown (impact start and detection not recorded)".into()),
            ("Time to diagnose".into(), "unknown (detection and diagnosis not recorded)".into()),
            (
                "Recovery time".into(),
                "unknown (no mitigation-start milestone and no decision after diagnosis; recovery not recorded)".into()
            ),
            ("Time to recover".into(), "unknown (impact start, detection and recovery not recorded)".into()),
            ("Permanent fix".into(), "unknown (permanent fix start and permanent fix not recorded)".into()),
            ("Total downtime".into(), "unknown (impact start and recovery not recorded)".into()),
        ]
    );
    assert_eq!(m.discovery.source, "first step; no detected milestone");
    assert_eq!(m.discovery.point.as_ref().map(|p| p.what.as_str()), Some("first step (note)"));
    assert_eq!(m.restarts.unknown_reason.as_deref(), Some("no restart counts in any captured output or snapshot"));
}

#[test]
fn an_empty_incident_is_all_unknown_without_panicking() {
    let m = compute(&incident(vec![]), &[], now());
    assert!(m.intervals.iter().all(|i| i.seconds().is_none()));
    assert_eq!(m.discovery, Discovery { point: None, source: "no steps recorded".into() });
    assert_eq!((m.commands_run, m.state_changing), (0, 0));
    assert!(m.warnings.is_empty());
}

#[test]
fn out_of_order_milestones_are_refused_naming_both_steps() {
    let steps = vec![
        mark("det", Milestone::Detected, "08:23"),
        mark("diag", Milestone::Diagnosed, "08:10"),
        mark("rec", Milestone::Recovered, "09:30"),
    ];
    let m = compute(&incident(steps), &[], now());
    assert_eq!(
        row(&m, "time_to_diagnose").1,
        "unknown (diagnosed at 2025-10-05 08:10 (diag) is before detected at 2025-10-05 08:23 (det))"
    );
    assert_eq!(
        m.warnings,
        [
            "milestones out of order: diagnosed at 2025-10-05 08:10 (steps/diag.md) is before detected at 2025-10-05 08:23 (steps/det.md); correct the `at:` in the file of the wrong one",
            "diagnosed at 2025-10-05 08:10 (steps/diag.md) is before the incident's start at 2025-10-05 08:23 (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a day off), or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`"
        ]
    );
    // The other intervals still use the milestones that are in order.
    assert_eq!(row(&m, "time_to_recover").1, "1 hour 7 minutes");
}

#[test]
fn recovered_before_impact_is_warned_about_once_and_refused_in_every_interval() {
    let steps = vec![mark("imp", Milestone::ImpactStart, "10:00"), mark("rec", Milestone::Recovered, "09:30")];
    let m = compute_named(&incident(steps), &[], now(), &|id| format!("steps/by hand {id}.md"));
    assert_eq!(
        m.warnings,
        [
            "milestones out of order: recovered at 2025-10-05 09:30 (steps/by hand rec.md) is before impact-start at 2025-10-05 10:00 (steps/by hand imp.md); correct the `at:` in the file of the wrong one",
        ]
    );
    let refused = "unknown (recovered at 2025-10-05 09:30 (rec) is before impact-start at 2025-10-05 10:00 (imp))";
    assert_eq!(row(&m, "time_to_recover").1, refused);
    assert_eq!(row(&m, "total_downtime").1, refused);
}

#[test]
fn a_pair_out_of_order_no_interval_spans_is_still_warned_about() {
    // Detected after recovery, impact start before both: every interval is positive.
    let steps = vec![
        mark("imp", Milestone::ImpactStart, "08:00"),
        mark("rec", Milestone::Recovered, "09:00"),
        mark("det", Milestone::Detected, "09:30"),
    ];
    let m = compute(&incident(steps), &[], now());
    assert_eq!(
        m.warnings,
        [
            "milestones out of order: recovered at 2025-10-05 09:00 (steps/rec.md) is before detected at 2025-10-05 09:30 (steps/det.md); correct the `at:` in the file of the wrong one",
        ]
    );
}

#[test]
fn steps_in_the_future_are_left_out_with_a_warning() {
    let mut steps = seed();
    steps.push(mark("typo", Milestone::ImpactStart, "23:59"));
    let mut future_recovery = mark("rec2", Milestone::Recovered, "12:00");
    future_recovery.meta.at = DateTime::parse_from_rfc3339("2035-10-05T09:30:00-05:00").unwrap();
    steps.push(future_recovery);
    let m = compute(&incident(steps), &[], now());
    assert_eq!(
        m.warnings,
        [
            "step typo is dated 2025-10-05 23:59, after now (2025-10-05 11:00); it is left out until then (correct its `at:` if that is wrong)",
            "step rec2 is dated 2035-10-05 09:30, after now (2025-10-05 11:00); it is left out until then (correct its `at:` if that is wrong)",
        ]
    );
    assert_eq!(row(&m, "total_downtime").1, "unknown (impact start not recorded)");
    assert_eq!(endpoints(&m, "time_to_recover").3, "rec");
}

#[test]
fn the_earliest_milestone_of_a_kind_counts() {
    let mut steps = seed();
    steps.push(mark("diag2", Milestone::Diagnosed, "08:50"));
    let m = compute(&incident(steps), &[], now());
    assert_eq!(endpoints(&m, "time_to_diagnose").3, "diag");
}

#[test]
fn a_decision_after_recovery_is_not_a_mitigation_start() {
    let steps = vec![
        mark("det", Milestone::Detected, "08:23"),
        mark("diag", Milestone::Diagnosed, "08:45"),
        mark("rec", Milestone::Recovered, "09:30"),
        step("late", StepKind::Decision, "09:55"),
    ];
    let m = compute(&incident(steps), &[], now());
    assert_eq!(
        row(&m, "recovery_time").1,
        "unknown (no mitigation-start milestone, and the first decision after diagnosis is after recovery: \
         decision at 2025-10-05 09:55 (late), recovered at 2025-10-05 09:30 (rec); decide again with --at the time \
         it was taken, or mark mitigation-start)"
    );
}

fn obs(at: &str, total: u64, step: &str) -> RestartObservation {
    RestartObservation {
        at: t(at),
        total,
        step: step.into(),
        scope: super::scope::ALL_NAMESPACES.into(),
        pods: Vec::new(),
    }
}

fn with_pods(mut o: RestartObservation, pods: &[(&str, u64)]) -> RestartObservation {
    o.pods = pods.iter().map(|(p, n)| PodCount { key: p.to_string(), uid: None, restarts: *n }).collect();
    o
}

#[test]
fn a_recreated_pod_counts_from_zero() {
    let inc = incident(seed());
    let uid = |mut o: RestartObservation, uid: &str| {
        o.pods[0].uid = Some(uid.to_string());
        o
    };
    // A StatefulSet's pod keeps its name: a new UID is a new pod, all 5 restarts are new.
    let a = uid(with_pods(obs("08:23", 14, "a"), &[("db/web-0", 14)]), "u1");
    let b = uid(with_pods(obs("08:40", 5, "b"), &[("db/web-0", 5)]), "u2");
    assert_eq!(compute(&inc, &[a.clone(), b.clone()], now()).restarts.increase, Some(5));
    // Even with a higher count: 20 restarts of the new pod, not 6 more of the old one.
    let b20 = uid(with_pods(obs("08:40", 20, "b"), &[("db/web-0", 20)]), "u2");
    assert_eq!(compute(&inc, &[a.clone(), b20], now()).restarts.increase, Some(20));
    // The same UID: the rise only.
    let same = uid(with_pods(obs("08:40", 20, "b"), &[("db/web-0", 20)]), "u1");
    assert_eq!(compute(&inc, &[a, same], now()).restarts.increase, Some(6));
    // kubectl tables have no UID: a count that went down is a new pod.
    let t1 = with_pods(obs("08:23", 14, "a"), &[("db/web-0", 14)]);
    let t2 = with_pods(obs("08:40", 5, "b"), &[("db/web-0", 5)]);
    assert_eq!(compute(&inc, &[t1, t2], now()).restarts.increase, Some(5));
}

#[test]
fn restarts_peak_and_increase() {
    let inc = incident(seed());
    let a = with_pods(obs("08:23", 6812, "pods"), &[("ollama/ollama-1", 1756), ("kube-system/coredns-x", 892)]);
    // A filtered listing: only CoreDNS, three restarts later.
    let b = with_pods(obs("08:40", 895, "b"), &[("kube-system/coredns-x", 895)]);
    // After recovery: new pods, counts from zero.
    let c = with_pods(obs("09:30", 0, "c"), &[("ollama/ollama-2", 0), ("kube-system/coredns-y", 0)]);
    let m = compute(&inc, &[a.clone(), b.clone(), c.clone()], now());
    assert_eq!(m.restarts.peak.as_ref().map(|p| (p.total, p.step.as_str())), Some((6812, "pods")));
    assert_eq!(m.restarts.increase, Some(3));
    assert_eq!(m.restarts.unknown_reason, None);

    let apart = compute(&inc, &[a.clone(), c], now());
    assert_eq!(apart.restarts.increase, None);
    assert_eq!(apart.restarts.unknown_reason.as_deref(), Some("no pod was listed in two outputs"));

    let one = compute(&inc, &[obs("08:23", 6812, "pods")], now());
    assert_eq!(one.restarts.peak, Some(obs("08:23", 6812, "pods")));
    assert_eq!(one.restarts.increase, None);
    assert_eq!(
        one.restarts.unknown_reason.as_deref(),
        Some("one restart observation: the increase needs a pod seen twice")
    );

    let future = compute(&inc, &[obs("08:23", 5, "a"), obs("23:00", 9000, "z")], now());
    assert_eq!(future.restarts.peak, Some(obs("08:23", 5, "a")));
    assert_eq!(future.restarts.observations.len(), 1);
}

#[test]
fn restart_observations_come_from_output_steps_only() {
    let mut steps = seed();
    let mut note = step("note", StepKind::Note, "08:24");
    let facts = |n: u64| Some(crate::extract::Facts { restarts_total: Some(n), ..Default::default() });
    let pod = crate::extract::Pod {
        namespace: Some("ollama".into()),
        name: "pod/ollama-1".into(),
        restarts: 1756,
        ..Default::default()
    };
    note.meta.facts = facts(1);
    steps.push(note);
    for s in steps.iter_mut().filter(|s| s.meta.id == "pods") {
        s.meta.facts = facts(6812);
        s.meta.facts.as_mut().unwrap().pods = vec![pod.clone()];
    }
    let mut snapshot = step("snap", StepKind::Snapshot, "09:31");
    snapshot.meta.facts = facts(0);
    steps.push(snapshot);
    let mut nodes_only = step("nodes2", StepKind::Capture, "09:32");
    nodes_only.meta.facts = Some(crate::extract::Facts::default());
    steps.push(nodes_only);
    let inc = incident(steps);
    assert_eq!(
        restart_observations(&inc),
        [with_pods(obs("08:23", 6812, "pods"), &[("ollama/ollama-1", 1756)]), obs("09:31", 0, "snap")]
    );
}

#[test]
fn commands_without_a_command_line_are_not_counted_and_argv_stands_in() {
    let mut no_cmd = step("cap", StepKind::Capture, "08:30");
    no_cmd.meta.exit_code = Some(0);
    let mut argv = step("argv", StepKind::Run, "08:31");
    argv.meta.argv = Some(vec!["kubectl".into(), "delete".into(), "pod".into(), "web 1".into()]);
    let m = compute(&incident(vec![no_cmd, argv]), &[], now());
    assert_eq!(m.commands_run, 1);
    assert_eq!(m.commands[0].command, "kubectl delete pod 'web 1'");
    assert_eq!(m.commands[0].reason, "kubectl delete pod web 1");
}

#[test]
fn json_shape_of_an_interval() {
    let m = compute(&incident(seed()), &[], now());
    let v = serde_json::to_value(m.interval("time_to_diagnose").unwrap()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "key": "time_to_diagnose", "name": "Time to diagnose", "state": "known", "seconds": 1320,
            "from": {"what": "detected", "at": "2025-10-05T08:23:00-05:00", "step": "det"},
            "to": {"what": "diagnosed", "at": "2025-10-05T08:45:00-05:00", "step": "diag"},
        })
    );
    let v = serde_json::to_value(m.interval("total_downtime").unwrap()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"key": "total_downtime", "name": "Total downtime", "state": "unknown", "reason": "impact start not recorded"})
    );
}

#[test]
fn the_peak_is_a_listing_of_all_namespaces_when_there_is_one() {
    let inc = incident(seed());
    let all = obs("08:23", 100, "all");
    let grep =
        RestartObservation { scope: "filtered: `kubectl get pods -A | grep db`".into(), ..obs("08:40", 150, "grep") };
    let m = compute(&inc, &[all.clone(), grep.clone()], now());
    assert_eq!(m.restarts.peak, Some(all));
    // Without one, the highest sum seen; its scope says what it covers.
    let m = compute(&inc, std::slice::from_ref(&grep), now());
    assert_eq!(m.restarts.peak, Some(grep));
}

/// `kubectl get pods -A -o json | jq '[…restartCount] | add'` printing `6812`: a total of
/// every namespace, read from the body in every mode (a publish reads no other recorded
/// output without facts), with or without the `$ command` line.
#[test]
fn a_summed_restart_count_is_an_observation_of_its_scope() {
    let jq = "kubectl get pods -A -o json | jq '[.items[].status.containerStatuses[].restartCount] | add'";
    let mut recorded = run("jq", "08:24", jq, 0);
    recorded.meta.kind = StepKind::Capture;
    recorded.body = format!("```console\n$ {jq}\n6812\n```\n\nexit 0 · 5 bytes, 1 line\n");
    let mut by_hand = run("jq-db", "08:26", &jq.replace("-A", "-n db"), 0);
    by_hand.meta.recorded_at = None;
    by_hand.body = "6812\n".into();
    let mut not_a_sum = run("count", "08:27", "kubectl get pods -A -o json | jq '.items | length'", 0);
    not_a_sum.body = "```console\n$ kubectl get pods -A -o json | jq '.items | length'\n23\n```\n".into();
    let inc = incident(vec![recorded, by_hand, not_a_sum]);
    let expected = [
        RestartObservation { scope: scope::ALL_NAMESPACES.into(), ..obs("08:24", 6812, "jq") },
        RestartObservation { scope: "namespace db".into(), ..obs("08:26", 6812, "jq-db") },
    ];
    assert_eq!(restart_observations(&inc), expected);
    assert_eq!(recorded_restart_observations(&inc), expected);
    assert_eq!(restart_observations_checked(&inc), (expected.to_vec(), Vec::new()));
    let m = compute(&inc, &restart_observations(&inc), now());
    assert_eq!(m.restarts.peak, Some(expected[0].clone()));
}

#[test]
fn counts_of_every_namespace_that_fall_with_no_change_between_disagree() {
    let warning = "restart counts disagree: steps/b.md counts 6,700 restarts in all namespaces at 2025-10-05 08:24, fewer than the 6,812 of steps/a.md at 2025-10-05 08:23 with no change made between; the peak takes the higher: correct or delete the step file of the wrong one";
    let fall = [obs("08:23", 6812, "a"), obs("08:24", 6700, "b")];
    let m = compute(&incident(vec![]), &fall, now());
    assert_eq!(m.warnings, [warning]);
    assert_eq!((m.restarts.peak.as_ref().map(|p| p.total), m.restarts.disputed), (Some(6812), true));
    // Growth, counts further apart than the window, or a change between: no disagreement.
    let m = compute(&incident(vec![]), &[obs("08:23", 6812, "a"), obs("08:24", 6820, "b")], now());
    assert!(m.warnings.is_empty() && !m.restarts.disputed, "{:?}", m.warnings);
    let m = compute(&incident(vec![]), &[obs("08:23", 6812, "a"), obs("08:29", 6700, "b")], now());
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let restart = run("restart", "08:23", "sudo systemctl restart k3s", 0);
    let m = compute(&incident(vec![restart]), &fall, now());
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    // Two counts of one instant that differ.
    let m = compute(&incident(vec![]), &[obs("08:24", 6700, "a"), obs("08:24", 6812, "b")], now());
    assert_eq!(
        m.warnings,
        [
            "restart counts disagree: steps/a.md counts 6,700 restarts in all namespaces at 2025-10-05 08:24, fewer than the 6,812 of steps/b.md at the same time; the peak takes the higher: correct or delete the step file of the wrong one"
        ]
    );
    // A namespace's count above a later count of every namespace.
    let db = RestartObservation { scope: "namespace db".into(), ..obs("08:23", 7000, "db") };
    let m = compute(&incident(vec![]), &[db.clone(), obs("08:24", 6812, "b")], now());
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    assert!(m.warnings[0].starts_with("restart counts disagree: steps/db.md counts 7,000 restarts summed over namespace db at 2025-10-05 08:23, more than the 6,812 of all namespaces in steps/b.md"));
    // … but not below it, nor one of `output of …` (another cluster, maybe).
    let other = RestartObservation { scope: "output of `cat old.txt`".into(), ..db.clone() };
    let m = compute(&incident(vec![]), &[other, obs("08:24", 6812, "b")], now());
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

/// A day without a time (`date: 2025-10-05`): a milestone is before it only on an earlier
/// day, whatever the offset midnight UTC lands on.
#[test]
fn a_milestone_before_an_incident_of_a_bare_day_is_on_an_earlier_day() {
    let meta: IncidentMeta = serde_json::from_value(serde_json::json!({"title": "K3s", "date": "2025-10-05"})).unwrap();
    assert!(meta.day_only);
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    let mut early = mark("early", Milestone::Detected, "08:00");
    early.meta.at = at("2025-10-05T00:30:00+02:00");
    let mut before = mark("before", Milestone::Diagnosed, "08:00");
    before.meta.at = at("2025-10-04T23:00:00-05:00");
    let inc = Incident { slug: "k".into(), meta, summary: String::new(), steps: vec![early, before] };
    let m = compute(&inc, &[], now());
    assert_eq!(
        m.warnings,
        [
            "diagnosed at 2025-10-04 23:00 (steps/before.md) is before the incident's day, 2025-10-05 (incident.md); correct the `at:` in the file of the wrong one (a time written without its date is easily a day off), or, if the impact began earlier, mark when: `incident mark impact-start --at TIME`"
        ]
    );
}
