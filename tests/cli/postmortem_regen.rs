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

/// A CoreDNS row without its namespace, with `n` restarts.
fn coredns_row(n: u32) -> String {
    format!("coredns-x 0/1 CrashLoopBackOff {n} 3d\n")
}

/// An incident whose first listing, at 08:02, shows CoreDNS in kube-system at 890 restarts.
fn coredns_seen_in_kube_system() -> TestEnv {
    let (env, _) = TestEnv::with_incident();
    let table = format!("NAMESPACE NAME READY STATUS RESTARTS AGE\nkube-system {}", coredns_row(890));
    capture(&env, "08:02", "kubectl get pods -A", &table);
    env
}

#[test]
fn a_pod_listed_with_and_without_its_namespace_is_one_pod() {
    let env = coredns_seen_in_kube_system();
    let row = coredns_row;
    capture(&env, "08:05", "kubectl get pods -n kube-system | grep coredns", &row(892));
    capture(&env, "08:10", "kubectl get pods -n kube-system", &format!("NAME READY STATUS RESTARTS AGE\n{}", row(895)));
    assert_eq!(metric(&env, "restarts_increase"), "5");
}

#[test]
fn a_bare_pod_name_matches_the_one_namespace_seen() {
    let env = coredns_seen_in_kube_system();
    let row = coredns_row;
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
    let mut env = env;
    env.at("2025-10-05T10:30:00-05:00");
    let json = env.json(&["postmortem", "2025-10-05-dns", "--format", "json"]);
    assert_eq!(json["incident"]["started"], "2025-10-05 08:30");
    assert_eq!(json["timeline"][0]["time"], "08:30");
    let status = env.ok(&["status", "--incident", "2025-10-05-dns"]);
    assert!(status.contains("2h"), "{status}");
    assert!(!status.contains("15h"), "{status}");
}

fn seeded() -> (TestEnv, String) {
    let (env, id) = TestEnv::with_incident();
    capture(&env, "08:20", "kubectl get pods", "NAME READY STATUS RESTARTS AGE\nweb-1 0/1 Error 3 3d\n");
    env.ok(&["mark", "-q", "recovered", "--at", "08:22", "ok"]);
    (env, id)
}

#[test]
fn a_refused_regeneration_writes_nothing_not_even_pictures() {
    let (env, id) = seeded();
    env.ok(&["postmortem", "-q"]);
    let dir = env.incident_dir(&id);
    let svg = dir.join("postmortem-timeline.svg");
    assert!(svg.exists());
    fs::write(&svg, "mine").unwrap();
    let path = dir.join("postmortem.md");
    fs::write(&path, fs::read_to_string(&path).unwrap() + "\nmy edit\n").unwrap();
    env.fails(1, &["postmortem"]);
    assert_eq!(fs::read_to_string(&svg).unwrap(), "mine");
}

#[test]
fn json_written_to_a_file_can_be_written_again() {
    let (env, _) = seeded();
    env.ok(&["postmortem", "-q", "--format", "json", "--out", "pm.json"]);
    env.ok(&["postmortem", "-q", "--format", "json", "--out", "pm.json"]);
    fs::write(env.root().join("mine.json"), "{\"mine\": true}\n").unwrap();
    env.fails(1, &["postmortem", "-q", "--format", "json", "--out", "mine.json"]);
}

#[test]
fn regeneration_keeps_the_template_and_hand_added_keys() {
    let (env, id) = seeded();
    fs::create_dir_all(env.root().join("templates")).unwrap();
    fs::write(env.root().join("templates/short.md.tera"), "SHORT {{ incident.title }}\n").unwrap();
    env.ok(&["postmortem", "-q", "--template", "short.md.tera"]);
    let path = env.incident_dir(&id).join("postmortem.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("generated: true\n", "generated: true\nreviewed_by: alice\n", 1)).unwrap();
    env.ok(&["postmortem", "-q"]);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("\nSHORT K3s pods crash-looping\n"), "{text}");
    assert!(text.contains("template: short.md.tera\n"), "{text}");
    assert!(text.contains("reviewed_by: alice\n"), "{text}");
}

#[test]
fn check_notices_a_changed_template_and_a_step_no_longer_in_the_future() {
    let (mut env, id) = seeded();
    // Written where the clock is ahead (another host): ahead of ours, so left out.
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["note", "-q", "later"]);
    env.at(NOW);
    env.ok(&["postmortem", "-q"]);
    env.ok(&["postmortem", "-q", "--check"]);
    env.at("2025-10-05T09:30:00-05:00");
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("added: "), "{}", r.stderr);
    env.ok(&["postmortem", "-q"]);
    env.ok(&["templates", "export"]);
    env.ok(&["postmortem", "-q", "--check"]);
    let tpl = env.root().join("templates/postmortem.md.tera");
    fs::write(&tpl, fs::read_to_string(&tpl).unwrap() + "\nFooter\n").unwrap();
    let r = env.run(&["postmortem", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("the template postmortem.md.tera changed"), "{}", r.stderr);
    let _ = id;
}

#[test]
fn check_hints_at_the_recorded_template() {
    let (env, _) = seeded();
    fs::create_dir_all(env.root().join("templates")).unwrap();
    fs::write(env.root().join("templates/short.md.tera"), "SHORT\n").unwrap();
    env.ok(&["postmortem", "-q", "--template", "short.md.tera"]);
    env.ok(&["note", "-q", "more"]);
    let r = env.run(&["postmortem", "--check"]);
    assert!(r.stderr.contains("keeps the template short.md.tera"), "{}", r.stderr);
}

#[test]
fn typed_text_stays_text_in_the_markdown() {
    let env = TestEnv::new();
    env.ok(&["start", "-q", "DNS | broken\n# not a heading"]);
    capture(&env, "08:20", "grep -E \"a\\.b|c\" <x> `y` \"]\"", "");
    env.ok(&["mark", "-q", "diagnosed", "--at", "08:21"]);
    env.ok(&["mark", "-q", "mitigation-start", "--at", "08:21"]);
    capture(&env, "08:21", "sudo systemctl restart a|b", "");
    env.ok(&["mark", "-q", "recovered", "--at", "08:22"]);
    env.ok(&["lesson", "-q", "--at", "08:22", "one\n\n# Heading"]);
    env.ok(&["option", "-q", "--at", "08:22", "Restart", "--pros", "fast\n- injected"]);
    env.ok(&["action", "-q", "--at", "08:22", "fix [the] thing](http://evil)"]);
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert_eq!(out.matches("\n# ").count() + usize::from(out.starts_with("# ")), 1, "{out}");
    assert!(!out.contains("\n# Heading"), "{out}");
    assert!(!out.contains("\n- injected"), "{out}");
    assert!(out.contains("| [fix \\[the\\] thing\\](http://evil)]("), "{out}");
    assert!(out.contains("[``grep -E \"a\\.b\\|c\" <x> `y` \"]\"``]("), "{out}");
    assert!(out.contains("$ grep -E \"a\\\\.b|c\" \\<x> \\`y\\` \"\\]\""), "{out}");
    assert!(!out.contains("(, [step]"), "{out}");
}
