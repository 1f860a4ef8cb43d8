//! `incident postmortem` written again: what it refuses, keeps and notices; where the
//! incident starts; what stays text in the Markdown.

use std::fs;

use crate::support::*;

fn capture(env: &TestEnv, at: &str, command: &str, output: &str) {
    let r = env.run_with_stdin(
        &["capture", "-q", "--no-echo", "--at", at, "-c", command, "--exit-code", "0"],
        output.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn metric(env: &TestEnv, key: &str) -> String {
    let json = env.json(&["postmortem", "--format", "json"]);
    let rows = json["metrics"]["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no {key} in {rows:?}"));
    row["value"].as_str().unwrap().to_string()
}

#[test]
fn a_watched_pod_counts_once_in_the_peak() {
    let (env, _) = TestEnv::with_incident();
    capture(
        &env,
        "08:20",
        "kubectl get pods -w",
        "NAME READY STATUS RESTARTS AGE\nweb-1 0/1 CrashLoopBackOff 5 3d\nweb-1 0/1 Running 6 3d\n\
         web-1 0/1 CrashLoopBackOff 6 3d\nweb-1 0/1 Running 7 3d\n",
    );
    assert_eq!(metric(&env, "restarts_peak"), "7");
}

#[test]
fn a_pod_listed_with_and_without_its_namespace_is_one_pod() {
    let (env, _) = TestEnv::with_incident();
    let row = |n: u32| format!("coredns-x 0/1 CrashLoopBackOff {n} 3d\n");
    capture(
        &env,
        "08:02",
        "kubectl get pods -A",
        &format!("NAMESPACE NAME READY STATUS RESTARTS AGE\nkube-system {}", row(890)),
    );
    capture(&env, "08:05", "kubectl get pods -n kube-system | grep coredns", &row(892));
    capture(&env, "08:10", "kubectl get pods -n kube-system", &format!("NAME READY STATUS RESTARTS AGE\n{}", row(895)));
    assert_eq!(metric(&env, "restarts_increase"), "5");
}

#[test]
fn a_bare_pod_name_matches_the_one_namespace_seen() {
    let (env, _) = TestEnv::with_incident();
    let row = |n: u32| format!("coredns-x 0/1 CrashLoopBackOff {n} 3d\n");
    capture(
        &env,
        "08:02",
        "kubectl get pods -A",
        &format!("NAMESPACE NAME READY STATUS RESTARTS AGE\nkube-system {}", row(890)),
    );
    capture(&env, "08:05", "kubectl get pods -A | grep coredns", &row(894));
    assert_eq!(metric(&env, "restarts_increase"), "4");
}

#[test]
fn a_backdated_context_note_does_not_move_the_start() {
    let (env, _) = TestEnv::with_incident();
    env.ok(&["note", "-q", "--at", "2025-10-04T10:00:00-05:00", "DHCP lease renewed"]);
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(json["incident"]["started"], "2025-10-05 08:23");
    let status = env.ok(&["status"]);
    assert!(!status.contains("2025-10-04 10:00"), "{status}");
}

#[test]
fn a_date_only_incident_starts_at_its_first_step_in_its_offset() {
    let env = TestEnv::new();
    let dir = env.root().join("incidents/2025-10-05-dns");
    fs::create_dir_all(dir.join("steps")).unwrap();
    fs::write(dir.join("incident.md"), "---\ntitle: DNS\ndate: 2025-10-05\n---\n").unwrap();
    fs::write(
        dir.join("steps/20251005T133000Z-note-aaaaaa.md"),
        "---\nid: 20251005T133000Z-note-aaaaaa\nkind: note\nat: 2025-10-05T08:30:00-05:00\n---\n\nresolv.conf empty\n",
    )
    .unwrap();
    let json = env.json(&["postmortem", "2025-10-05-dns", "--format", "json"]);
    assert_eq!(json["incident"]["started"], "2025-10-05 08:30");
    assert_eq!(json["timeline"][0]["time"], "08:30");
    let mut env = env;
    env.at("2025-10-05T10:30:00-05:00");
    let status = env.ok(&["status", "--incident", "2025-10-05-dns"]);
    assert!(status.contains("2h"), "{status}");
    assert!(!status.contains("15h"), "{status}");
}
