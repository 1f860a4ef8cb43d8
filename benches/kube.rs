//! `incident snapshot` of a 10,000-pod, 100-node cluster served by the fake API server
//! (tests/cli/kube_server.rs) on 127.0.0.1, and `incident watch` under a stream of pod
//! updates. Whole-process wall time and peak RSS of the real binary.
//!
//! Run: `cargo bench --bench kube` (release build; needs /usr/bin/time). Env: PODS [10000]
//! NODES [100] UPDATES [20000,100000].

#[path = "../tests/cli/kube_server.rs"]
#[allow(dead_code)]
mod kube_server;

use std::process::Command;
use std::time::{Duration, Instant};

use kube_server::{FakeApi, State, WatchScript, fixture_objects};
use serde_json::{Value, json};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cluster(pods: usize, nodes: usize) -> Vec<Value> {
    let seed_pods = fixture_objects("seed_pods.json");
    let node = fixture_objects("seed_nodes.json").remove(0);
    let mut objects = Vec::with_capacity(pods + nodes + 200);
    for n in 0..nodes {
        let mut o = node.clone();
        o["metadata"]["name"] = json!(format!("node-{n:03}"));
        o["metadata"]["uid"] = json!(format!("node-uid-{n}"));
        o["status"]["addresses"][0]["address"] = json!(format!("10.0.{}.{}", n / 250, n % 250 + 1));
        objects.push(o);
    }
    for i in 0..pods {
        let mut o = seed_pods[i % seed_pods.len()].clone();
        o["metadata"]["name"] = json!(format!("app-{i:05}"));
        o["metadata"]["namespace"] = json!(format!("ns-{:02}", i % 40));
        o["metadata"]["uid"] = json!(format!("uid-{i}"));
        o["spec"]["nodeName"] = json!(format!("node-{:03}", i % nodes.max(1)));
        objects.push(o);
    }
    objects.extend(fixture_objects("seed_events.json"));
    objects
}

/// Runs the binary under `/usr/bin/time -f %M`; returns wall time, its peak RSS (KiB)
/// and stdout. Not wait4 on our own child: a forked child's maxrss starts at this
/// process's RSS (which holds the whole fake cluster) before exec.
fn incident(dir: &std::path::Path, args: &[&str]) -> (Duration, i64, String) {
    let out_file = dir.join(".bench-stdout");
    let err_file = dir.join(".bench-stderr");
    let rss_file = dir.join(".bench-rss");
    let started = Instant::now();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M", "-o"]).arg(&rss_file).arg(env!("CARGO_BIN_EXE_incident"));
    // Reaped by wait4 below.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .args(args)
        .current_dir(dir)
        .env("INCIDENT_NOW", "2025-10-05T08:23:00-05:00")
        .env("INCIDENT_AUTHOR", "bench")
        .env_remove("KUBECONFIG")
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(std::fs::File::create(&err_file).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = started.elapsed();
    assert_eq!(waited, pid);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    assert!(ok, "incident {args:?}: {}", std::fs::read_to_string(&err_file).unwrap_or_default());
    let rss = std::fs::read_to_string(&rss_file).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(-1);
    (took, rss, std::fs::read_to_string(&out_file).unwrap_or_default())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let pods = env_num("PODS", 10_000);
    let nodes = env_num("NODES", 100);
    let dir = tempfile::tempdir().unwrap();
    incident(dir.path(), &["init"]);
    incident(dir.path(), &["start", "bench"]);

    let api = FakeApi::start(State { objects: cluster(pods, nodes), ..State::default() });
    let kc = api.kubeconfig(dir.path(), "bench");
    let kc = kc.to_str().unwrap();
    let (took, rss, out) = incident(dir.path(), &["snapshot", "--kubeconfig", kc, "--quiet"]);
    let tail = out.lines().last().unwrap_or_default().to_string();
    println!(
        "snapshot: {pods} pods, {nodes} nodes: {:.2} s whole process, peak RSS {} MiB ({tail})",
        took.as_secs_f64(),
        rss / 1024
    );
    let steps = dir.path().join("incidents");
    let mut step_bytes = 0;
    let mut json_bytes = 0;
    for inc in std::fs::read_dir(&steps).unwrap() {
        let inc = inc.unwrap().path();
        for f in std::fs::read_dir(inc.join("steps")).unwrap() {
            step_bytes += f.unwrap().metadata().unwrap().len();
        }
        for f in std::fs::read_dir(inc.join("outputs")).unwrap() {
            json_bytes += f.unwrap().metadata().unwrap().len();
        }
    }
    println!("  step file {} KiB, API JSON {} MiB", step_bytes / 1024, json_bytes >> 20);
    println!(
        "  limits: 3 s, 300 MiB: {}",
        if took.as_secs_f64() < 3.0 && rss < 300 * 1024 { "met" } else { "NOT met" }
    );
    drop(api);

    // Watch: every update restarts one of 1,000 pods; the stream is sent as fast as the
    // socket takes it. The watch must take them all within --for, with memory flat.
    let updates: Vec<usize> = std::env::var("UPDATES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![20_000, 100_000]);
    for n in updates {
        let objects = cluster(1000, 10);
        let pods: Vec<Value> = objects.iter().filter(|o| o["kind"] == "Pod").cloned().collect();
        let events: Vec<Value> = (0..n)
            .map(|i| {
                let mut o = pods[i % pods.len()].clone();
                o["metadata"]["resourceVersion"] = json!((10_000 + i).to_string());
                o["status"]["containerStatuses"][0]["restartCount"] = json!(2000 + i / pods.len());
                json!({"type": "MODIFIED", "object": o})
            })
            .collect();
        let mut state = State { objects, ..State::default() };
        state.watches.insert("pods".into(), vec![WatchScript::Events(events), WatchScript::Idle]);
        let api = FakeApi::start(state);
        let wdir = tempfile::tempdir().unwrap();
        incident(wdir.path(), &["init"]);
        incident(wdir.path(), &["start", "bench"]);
        let kc = api.kubeconfig(wdir.path(), "bench");
        let secs = (n / 1000).max(5) as u64;
        let window = format!("{secs}s");
        let (took, rss, _) = incident(
            wdir.path(),
            &["watch", "--kubeconfig", kc.to_str().unwrap(), "--interval", "1s", "--for", &window, "--quiet"],
        );
        let (mut seen, mut steps, mut busiest) = (0u64, 0, 0u64);
        let inc = std::fs::read_dir(wdir.path().join("incidents")).unwrap().next().unwrap().unwrap().path();
        for f in std::fs::read_dir(inc.join("steps")).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            if text.contains("kind: watch") {
                steps += 1;
            }
            if let Some(line) = text.lines().find(|l| l.trim_start().starts_with("updates:")) {
                let n: u64 = line.split(':').nth(1).unwrap().trim().parse().unwrap_or(0);
                if text.contains("title: 'Watch ended") || text.contains("title: Watch ended") {
                    seen = seen.max(n);
                } else {
                    // A change step counts the pod updates of its own 1 s interval.
                    busiest = busiest.max(n);
                }
            }
        }
        println!(
            "watch: {n} pod updates sent at once, --for {window}: {seen} updates taken in {:.1} s ({} steps), busiest 1 s interval {busiest} pod updates, peak RSS {} MiB",
            took.as_secs_f64(),
            steps,
            rss / 1024
        );
    }
}
