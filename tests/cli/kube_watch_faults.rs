//! `incident watch` when parts fail: a forbidden feed, hanging lists and probes,
//! signals, and the numbers of the last step.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::kube_server::{FakeApi, Fault, WatchScript, seed_state};
use crate::kube_watch::watch_steps;
use crate::support::TestEnv;

/// Runs `incident args`, killed (and the test failed) if it outlives `limit`.
fn run_within(env: &TestEnv, args: &[&str], limit: Duration) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let mut child = env.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("incident {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

#[test]
fn kube_watch_notes_a_forbidden_feed_once_and_records_no_outage() {
    let api = FakeApi::seed();
    api.state.lock().unwrap().path_faults.push(("/api/v1/nodes".into(), Fault::Status(403)));
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let r = env.run(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "500ms", "--for", "3s"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches("nodes: the server").count(), 1, "{}", r.stderr);
    let steps = watch_steps(&env, &id);
    assert!(steps.iter().all(|s| s["error"].is_null()), "{steps:?}");
    let end = steps.last().unwrap()["body"].as_str().unwrap().to_string();
    assert!(end.contains("0 outages"), "{end}");
    assert!(end.contains("Not watched: nodes: the server 127.0.0.1:"), "{end}");
}

#[test]
fn kube_watch_records_one_outage_while_every_list_fails_and_version_answers() {
    let api = FakeApi::seed();
    for path in ["/api/v1/pods", "/api/v1/nodes", "/api/v1/events"] {
        api.state.lock().unwrap().path_faults.push((path.into(), Fault::Status(500)));
    }
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let r = env.run(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "1s", "--for", "5s"]);
    let outages: Vec<_> = watch_steps(&env, &id).into_iter().filter(|s| !s["error"].is_null()).collect();
    assert_eq!(outages.len(), 1, "{outages:?}\n{}", r.stderr);
    assert!(!r.stderr.contains("answers again"), "{}", r.stderr);
}

#[test]
fn kube_watch_stays_responsive_while_the_version_probe_hangs() {
    let api = FakeApi::seed();
    {
        let mut s = api.state.lock().unwrap();
        s.path_faults.push(("/version".into(), Fault::Hang));
        s.path_faults.push(("/api/v1/".into(), Fault::Status(500)));
    }
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let args =
        ["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "300ms", "--for", "2s", "--request-timeout", "0"];
    let (out, took) = run_within(&env, &args, Duration::from_secs(20));
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let steps = watch_steps(&env, &id);
    assert!(steps.iter().any(|s| s["error"]["kind"] == "server_error"), "{steps:?}");
}

#[test]
fn kube_watch_lists_that_never_answer_are_an_outage_after_request_timeout() {
    let api = FakeApi::seed();
    api.state.lock().unwrap().path_faults.push(("/api/v1/".into(), Fault::Hang));
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let args = [
        "watch",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--interval",
        "500ms",
        "--for",
        "3s",
        "--request-timeout",
        "1s",
    ];
    let (out, _) = run_within(&env, &args, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("warning: the server 127.0.0.1:") && stderr.contains("timed out after 1s"), "{stderr}");
    let steps = watch_steps(&env, &id);
    assert!(steps.iter().any(|s| s["error"]["kind"] == "timeout"), "{steps:?}");
}

#[test]
fn kube_watch_writes_its_last_step_on_sigterm_with_the_last_interval_in_it() {
    let mut state = seed_state();
    let restarts: Vec<serde_json::Value> = {
        let base = crate::kube_server::fixture_objects("seed_pods.json")
            .into_iter()
            .find(|o| o["metadata"]["name"] == "coredns-7b8c7b8d4-x9k2p")
            .unwrap();
        (1..=5)
            .map(|i| {
                let mut o = base.clone();
                o["metadata"]["resourceVersion"] = serde_json::json!((6000 + i).to_string());
                o["status"]["containerStatuses"][0]["restartCount"] = serde_json::json!(892 + i);
                serde_json::json!({"type": "MODIFIED", "object": o})
            })
            .collect()
    };
    state.watches.insert("pods".into(), vec![WatchScript::Events(restarts), WatchScript::Idle]);
    let api = FakeApi::start(state);
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let child = env
        .command(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "1h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while api.state.lock().unwrap().watch_calls.get("pods").copied().unwrap_or(0) < 2 {
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", api.requests());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let steps = watch_steps(&env, &id);
    assert_eq!(steps.len(), 1, "{steps:?}");
    let last = &steps[0];
    assert!(last["title"].as_str().unwrap().contains("(stopped by SIGTERM)"), "{last}");
    assert_eq!(last["watch"]["restarts"], 5, "{last}");
    assert_eq!(last["watch"]["changes"][0], "5 restarts in 1 pod: kube-system/coredns-7b8c7b8d4-x9k2p +5", "{last}");
    assert!(last["body"].as_str().unwrap().contains("0 change steps"), "{last}");
}

#[test]
fn kube_watch_ends_at_once_when_pods_or_every_feed_is_forbidden() {
    for fault_everything in [false, true] {
        let api = FakeApi::seed();
        if fault_everything {
            api.set_fault(Some(Fault::Status(403)));
        } else {
            api.state.lock().unwrap().path_faults.push(("/api/v1/pods".into(), Fault::Status(403)));
        }
        let (env, id) = TestEnv::with_incident();
        let kc = api.kubeconfig(env.root(), "k3s");
        let args = ["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "500ms"];
        let (out, took) = run_within(&env, &args, Duration::from_secs(15));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert!(!stderr.contains("watching the rest without it"), "{stderr}");
        assert!(
            stderr.contains("error: the server 127.0.0.1:")
                && stderr.contains("forbids /api/v1/")
                && stderr.contains(": 403 Forbidden"),
            "{stderr}"
        );
        let steps = watch_steps(&env, &id);
        let last = steps.last().unwrap();
        assert!(last["title"].as_str().unwrap().ends_with("(the server refuses the watch)"), "{last}");
    }
}

#[test]
fn kube_watch_notices_a_server_that_stops_answering_without_closing() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let args = ["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "500ms", "--request-timeout", "5s"];
    let child = env.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while ["pods", "nodes", "events"]
        .iter()
        .any(|r| api.state.lock().unwrap().watch_calls.get(*r).copied().unwrap_or(0) == 0)
    {
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", api.requests());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Connections stay open, nothing is answered: a stopped process, a black-holed address.
    api.set_fault(Some(Fault::Hang));
    std::thread::sleep(Duration::from_secs(4));
    api.set_fault(None);
    std::thread::sleep(Duration::from_secs(3));
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("did not answer /version within 1s, and the watches have been silent for")
            && stderr.contains("answers again"),
        "{stderr}"
    );
    let steps = watch_steps(&env, &id);
    let outages: Vec<_> = steps.iter().filter(|s| !s["error"].is_null()).collect();
    assert_eq!(outages.len(), 1, "{steps:?}");
    assert_eq!(outages[0]["error"]["kind"], "timeout", "{steps:?}");
    let title = outages[0]["title"].as_str().unwrap();
    assert!(title.starts_with("API server 127.0.0.1:"), "{steps:?}");
    // Seconds: an outage of a few seconds must not read 05:28–05:28.
    let span = title.rsplit_once('(').unwrap().1;
    assert_eq!(span.len(), "08:23:04–08:23:09)".len(), "{title}");
    assert_eq!(steps.last().unwrap()["watch"]["outages"], 1, "{steps:?}");
    // The feeds were opened again on new connections once the server answered.
    assert!(api.state.lock().unwrap().watch_calls["pods"] >= 2, "{:?}", api.requests());
}
