//! `incident watch` against the fake API server: coalesced steps, re-list after 410
//! Gone, an outage recorded and recovered from, recovery suggested and auto-marked.

use crate::kube_server::{FakeApi, Fault};
use crate::support::{TestEnv, body, frontmatter};

/// The watch steps of an incident, frontmatter with the body under `body`.
pub(crate) fn watch_steps(env: &TestEnv, id: &str) -> Vec<serde_json::Value> {
    env.step_files(id)
        .iter()
        .filter(|p| p.to_str().unwrap().contains("-watch-"))
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let mut fm = frontmatter(&text);
            fm["body"] = serde_json::json!(body(&text));
            fm
        })
        .collect()
}

/// `n` restarts of the seed's CoreDNS pod as MODIFIED watch events.
fn coredns_restarts(from: i64, n: i64) -> Vec<serde_json::Value> {
    let base = crate::kube_server::fixture_objects("seed_pods.json")
        .into_iter()
        .find(|o| o["metadata"]["name"] == "coredns-7b8c7b8d4-x9k2p")
        .unwrap();
    (1..=n)
        .map(|i| {
            let mut o = base.clone();
            o["metadata"]["resourceVersion"] = serde_json::json!((6000 + i).to_string());
            o["status"]["containerStatuses"][0]["restartCount"] = serde_json::json!(from + i);
            serde_json::json!({"type": "MODIFIED", "object": o})
        })
        .collect()
}

#[test]
fn watch_coalesces_a_crash_loop_and_relists_after_410() {
    use crate::kube_server::{WatchScript, seed_state};
    let mut state = seed_state();
    state.watches.insert(
        "pods".into(),
        vec![WatchScript::Events(coredns_restarts(892, 300)), WatchScript::Gone, WatchScript::Idle],
    );
    let api = FakeApi::start(state);
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    env.ok(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "1s", "--for", "3s"]);
    let steps = watch_steps(&env, &id);
    let titles: Vec<&str> = steps.iter().map(|s| s["title"].as_str().unwrap()).collect();
    // 300 restarts: a step per interval at most (one, unless the burst straddles a tick
    // on a loaded machine), never a step per restart.
    let changes: Vec<&serde_json::Value> = steps.iter().filter(|s| s["title"] != titles[titles.len() - 1]).collect();
    assert!((1..=2).contains(&changes.len()), "{titles:?}");
    let restarts: u64 = changes.iter().map(|s| s["watch"]["restarts"].as_u64().unwrap()).sum();
    assert_eq!(restarts, 300, "{titles:?}");
    if changes.len() == 1 {
        assert_eq!(titles[0], "Watch: 300 restarts");
        assert_eq!(steps[0]["body"], "- 300 restarts in 1 pod: kube-system/coredns-7b8c7b8d4-x9k2p +300\n");
    }
    let last = titles[titles.len() - 1];
    assert!(last.starts_with("Watch ended after 3s (--for elapsed)"), "{titles:?}");
    let end = steps[steps.len() - 1]["body"].as_str().unwrap();
    assert!(end.contains("300 restarts,") && end.contains("0 outages, 1 re-lists after 410 Gone"), "{end}");
    // The last step holds the whole watch's restarts, not only its own interval's.
    assert_eq!(steps[steps.len() - 1]["watch"]["restarts_total"], 300, "{steps:?}");
    // The watcher listed pods again after the 410.
    let lists =
        api.requests().iter().filter(|r| r.starts_with("GET /api/v1/pods?") && !r.contains("watch=true")).count();
    assert_eq!(lists, 2, "{:?}", api.requests());
}

#[test]
fn watch_records_an_outage_and_reconnects() {
    use crate::kube_server::{WatchScript, seed_state};
    let mut state = seed_state();
    state.watches.insert("pods".into(), vec![WatchScript::Idle]);
    let api = FakeApi::start(state);
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let shared = api.state.clone();
    let flipper = std::thread::spawn(move || {
        // Once the watch is listed and watching (however slow the machine), the server goes away.
        let watching =
            || shared.lock().unwrap().requests.iter().any(|r| r.contains("/pods?") && r.contains("watch=true"));
        let started = std::time::Instant::now();
        while !watching() && started.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        shared.lock().unwrap().fault = Some(Fault::Refuse);
        std::thread::sleep(std::time::Duration::from_millis(1500));
        shared.lock().unwrap().fault = None;
    });
    let r = env.run(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "1s", "--for", "6s"]);
    flipper.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let port = api.port;
    assert!(
        r.stderr
            .contains(&format!("warning: The connection to the server 127.0.0.1:{port} (context \"k3s\") was refused")),
        "{}",
        r.stderr
    );
    let steps = watch_steps(&env, &id);
    let outage = steps.iter().find(|s| s["error"]["kind"] == "connection_refused").expect("an outage step");
    assert!(
        outage["title"].as_str().unwrap().starts_with(&format!("API server 127.0.0.1:{port} unreachable for ")),
        "{outage}"
    );
    let end = steps.last().unwrap();
    assert!(end["body"].as_str().unwrap().contains("1 outages"), "{end}");
}

#[test]
fn watch_suggests_and_auto_marks_recovery() {
    use crate::kube_server::{State, fixture_objects};
    let healthy: Vec<serde_json::Value> = fixture_objects("seed_pods.json")
        .into_iter()
        .filter(|o| o["metadata"]["name"].as_str().unwrap().starts_with("local-path"))
        .chain(fixture_objects("seed_nodes.json"))
        .collect();
    let api = FakeApi::start(State { objects: healthy, ..State::default() });
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let kc = kc.to_str().unwrap();
    let r = env.run(&["watch", "--kubeconfig", kc, "--interval", "300ms", "--ready-for", "500ms", "--for", "3s"]);
    assert!(r.stderr.contains(" — `incident mark recovered`?"), "{}", r.stderr);
    assert!(env.step_files(&id).iter().all(|p| !p.to_str().unwrap().contains("-milestone-")));
    env.ok(&["watch", "--kubeconfig", kc, "--interval", "300ms", "--ready-for", "500ms", "--for", "3s", "--auto-mark"]);
    let m = frontmatter(&env.only_step(&id, "milestone"));
    assert_eq!(m["milestone"], "recovered");
}

#[test]
fn a_watch_that_never_reaches_the_server_records_it_and_exits_1() {
    use crate::kube_server::{closed_port, kubeconfig_text};
    let (env, id) = TestEnv::with_incident();
    let port = closed_port();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("http://127.0.0.1:{port}"), "k3s")).unwrap();
    let err = env.fails(1, &["watch", "--kubeconfig", kc.to_str().unwrap(), "--for", "1500ms"]);
    assert!(
        err.contains(&format!("error: The connection to the server 127.0.0.1:{port} (context \"k3s\") was refused")),
        "{err}"
    );
    let steps = watch_steps(&env, &id);
    assert!(steps.iter().any(|s| s["error"]["kind"] == "connection_refused"), "{steps:?}");
    assert!(steps.iter().any(|s| s["title"].as_str().unwrap().starts_with("Watch ended after 1s")), "{steps:?}");
}

/// The Kubernetes code stays in small files, each saying at its top what it owns.
#[test]
fn kube_modules_stay_small_and_say_what_they_own() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> =
        ["snapshot", "watch", "check", "diff"].iter().map(|c| root.join(format!("src/commands/{c}.rs"))).collect();
    for dir in ["src/kube", "src/commands/watch"] {
        let mut more: Vec<_> = std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        more.sort();
        files.extend(more.into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")));
    }
    assert!(files.iter().any(|f| f.ends_with("src/commands/watch/steps.rs")), "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.lines().count() < 500, "{} has {} lines: split it", file.display(), text.lines().count());
        assert!(text.starts_with("//! "), "{} does not start with a //! line", file.display());
    }
}

#[test]
fn kube_watch_says_its_interval_as_given() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    for (interval, said) in [("500ms", "500ms"), ("1m30s", "1m 30s")] {
        let r = env.run(&["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", interval, "--for", "1s"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let line = format!(
            "watching context \"k3s\" ({}/) (a step at most every {said}; Ctrl-C to stop)\n",
            api.url().trim_end_matches('/')
        );
        assert!(r.stderr.starts_with(&line), "{}", r.stderr);
    }
}
