//! Summaries of recorded API JSON (tests/fixtures/kube, sources in SOURCES.md) and of
//! the pod states kubectl's printer distinguishes.

use serde_json::json;

use super::build::{Builder, summarise_json_at};
use super::summary::Summary;

/// 2025-10-05T13:23:00Z, the seed story's 08:23 CDT.
pub const SEED_NOW: i64 = 1_759_670_580;

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/kube/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn seed() -> Summary {
    let mut b = Builder::new(SEED_NOW);
    for name in [
        "seed_pods.json",
        "seed_nodes.json",
        "seed_events.json",
        "seed_kube_dns_service.json",
        "seed_kube_dns_endpoints.json",
    ] {
        let text = fixture(name);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (item, kind) in super::build::items(&value).unwrap() {
            b.add_value(item, kind.as_deref());
        }
    }
    b.finish()
}

#[test]
fn the_seed_cluster_reads_like_kubectl_prints_it() {
    let s = seed();
    assert_eq!(s.restarts_total, Some(6812));
    assert_eq!(s.nodes.len(), 1);
    let n = &s.nodes[0];
    assert_eq!(n.name, "leveling-pc");
    assert_eq!(n.status, "Ready");
    assert_eq!(n.roles, ["control-plane", "master"]);
    assert_eq!(n.version, "v1.30.5+k3s1");
    assert_eq!(n.internal_ip, Some(Some("192.168.1.79".to_string())));
    assert_eq!(n.external_ip, Some(None));
    assert_eq!(n.age, "3d5h");
    let table = super::table::pods_table(&s.pods);
    let expected = "\
NAMESPACE     NAME                                      READY   STATUS             RESTARTS         AGE    IP           NODE
chromadb      chromadb-0                                0/1     Error              483 (12m ago)    2d5h   10.42.0.13   leveling-pc
convocanvas   convocanvas-7d4b9c8f6-m8k4l               0/1     CrashLoopBackOff   1839 (12m ago)   2d5h   10.42.0.11   leveling-pc
convocanvas   convocanvas-7d4b9c8f6-xk2p9               0/1     CrashLoopBackOff   1842 (12m ago)   2d5h   10.42.0.10   leveling-pc
kube-system   coredns-7b8c7b8d4-x9k2p                   0/1     CrashLoopBackOff   892 (12m ago)    2d5h   10.42.0.14   leveling-pc
kube-system   local-path-provisioner-6795b5f9d8-4xq2r   1/1     Running            0                2d5h   10.42.0.15   leveling-pc
ollama        ollama-5f7c9d8b4-p2k8n                    0/1     CrashLoopBackOff   1756 (12m ago)   2d5h   10.42.0.12   leveling-pc
";
    assert_eq!(table, expected);
    let coredns = s.pods.iter().find(|p| p.name.starts_with("coredns")).unwrap();
    assert_eq!(coredns.status, "CrashLoopBackOff");
    assert_eq!(coredns.ready, "0/1");
    assert_eq!(coredns.restarts, 892);
    assert_eq!(coredns.last_restart_ago.as_deref(), Some("12m ago"));
    assert_eq!(coredns.uid.as_deref(), Some("0b5a6d0e-6c1f-4d5e-9a57-1c2b3d4e5f05"));
    assert_eq!(coredns.containers[0].restarts, 892);
    let ollama = s.pods.iter().find(|p| p.name.starts_with("ollama")).unwrap();
    assert_eq!(ollama.containers[0].last_reason.as_deref(), Some("OOMKilled"));
    assert_eq!(ollama.containers[0].last_exit_code, Some(137));
    let healthy = s.pods.iter().find(|p| p.name.starts_with("local-path")).unwrap();
    assert_eq!((healthy.status.as_str(), healthy.ready.as_str()), ("Running", "1/1"));
    assert!(healthy.containers.is_empty());
    let dns = s.dns.as_ref().unwrap();
    assert_eq!(dns.service, "kube-system/kube-dns");
    assert_eq!(dns.cluster_ip.as_deref(), Some("10.43.0.10"));
    assert!(dns.ready.is_empty());
    assert_eq!(dns.not_ready, ["10.42.0.14:53"]);
    assert_eq!(s.events[0].reason, "Unhealthy");
    assert_eq!(s.events[0].count, 1480);
    assert_eq!(s.warnings.len(), 4);
    assert_eq!(s.headline(), "1 node, 6 pods (5 not healthy), 6,812 restarts, 2,283 Warning events");
}

#[test]
fn a_2016_node_list_with_legacy_host_ips_loads() {
    let s = summarise_json_at(&fixture("legacy_nodes.json"), SEED_NOW).unwrap();
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    assert_eq!(s.nodes.len(), 3);
    let deis = &s.nodes[2];
    assert_eq!((deis.name.as_str(), deis.version.as_str()), ("172.17.8.100", "v1.1.7"));
    assert_eq!(deis.internal_ip, Some(Some("172.17.8.100".to_string())));
    assert_eq!(deis.age, "9y");
    let old = &s.nodes[0];
    assert_eq!(old.status, "Unknown");
    assert_eq!(old.internal_ip, Some(None));
    assert_eq!(old.primary_ip(), Some("127.0.0.1"));
    assert_eq!(s.nodes[1].addresses, ["LegacyHostIP=127.0.0.2", "another=127.0.0.3"]);
    assert_eq!(old.age, "<unknown>");
}

#[test]
fn events_without_count_count_once_and_series_gives_the_time() {
    let s = summarise_json_at(&fixture("events_without_count.json"), SEED_NOW).unwrap();
    assert_eq!(s.events.len(), 2);
    assert_eq!((s.events[0].reason.as_str(), s.events[0].count), ("FailedScheduling", 4));
    assert_eq!(s.warnings[0].last_seen.as_deref(), Some("2025-10-05T13:10:12Z"));
    assert_eq!(s.warnings[0].object, "Pod/web-0");
}

#[test]
fn json_shapes_a_list_an_array_and_one_object() {
    let pod = json!({"kind": "Pod", "metadata": {"name": "a", "namespace": "ns"}, "status": {"phase": "Pending"}});
    let one = summarise_json_at(&pod.to_string(), 0).unwrap();
    assert_eq!(one.pods[0].status, "Pending");
    let array = summarise_json_at(&json!([pod, pod]).to_string(), 0).unwrap();
    assert_eq!(array.pods.len(), 2);
    let list = json!({"kind": "PodList", "items": [{"metadata": {"name": "b"}, "unknownField": {"x": 1}}]});
    assert_eq!(summarise_json_at(&list.to_string(), 0).unwrap().pods[0].name, "b");
    let err = summarise_json_at("{\"kind\": \"Pod\",", 0).unwrap_err();
    assert_eq!(err.line, 1);
    let err = summarise_json_at("[1, 2]", 0).unwrap();
    assert!(err.pods.is_empty());
    assert_eq!(
        summarise_json_at("\"text\"", 0).unwrap_err().message,
        "a JSON string; expected a Kubernetes object, a List or an array of objects"
    );
    let bad = json!({"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": "not a list"}});
    let s = summarise_json_at(&bad.to_string(), 0).unwrap();
    assert!(s.pods.is_empty());
    assert!(s.skipped[0].starts_with("Pod/x: "), "{:?}", s.skipped);
}

fn status_of(pod: serde_json::Value) -> (String, String, u64) {
    let s = summarise_json_at(&pod.to_string(), 1000).unwrap();
    let p = &s.pods[0];
    (p.status.clone(), p.ready.clone(), p.restarts)
}

fn pod(spec: serde_json::Value, status: serde_json::Value) -> serde_json::Value {
    json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "n", "creationTimestamp": "1970-01-01T00:00:00Z"},
        "spec": spec, "status": status})
}

#[test]
fn statuses_are_computed_like_kubectl() {
    let one = json!({"containers": [{"name": "app"}]});
    let waiting = |r: &str| json!({"waiting": {"reason": r}});
    let cs = |state: serde_json::Value, restarts: i32, ready: bool| json!({"name": "app", "state": state, "restartCount": restarts, "ready": ready, "image": "i", "imageID": ""});
    assert_eq!(
        status_of(pod(
            one.clone(),
            json!({"phase": "Running", "containerStatuses": [cs(waiting("CrashLoopBackOff"), 7, false)]})
        )),
        ("CrashLoopBackOff".into(), "0/1".into(), 7)
    );
    let oom = json!({"terminated": {"reason": "OOMKilled", "exitCode": 137}});
    assert_eq!(
        status_of(pod(one.clone(), json!({"phase": "Running", "containerStatuses": [cs(oom, 1, false)]}))).0,
        "OOMKilled"
    );
    let signal = json!({"terminated": {"exitCode": 0, "signal": 9}});
    assert_eq!(
        status_of(pod(one.clone(), json!({"phase": "Failed", "containerStatuses": [cs(signal, 0, false)]}))).0,
        "Signal:9"
    );
    let exit = json!({"terminated": {"exitCode": 2}});
    assert_eq!(
        status_of(pod(one.clone(), json!({"phase": "Failed", "containerStatuses": [cs(exit, 0, false)]}))).0,
        "ExitCode:2"
    );
    let done = json!({"terminated": {"reason": "Completed", "exitCode": 0}});
    assert_eq!(
        status_of(pod(one.clone(), json!({"phase": "Succeeded", "containerStatuses": [cs(done, 0, false)]}))).0,
        "Completed"
    );
    let running = json!({"running": {}});
    assert_eq!(
        status_of(pod(one.clone(), json!({"phase": "Running", "containerStatuses": [cs(running.clone(), 0, true)]}))),
        ("Running".into(), "1/1".into(), 0)
    );
    // Init containers: the second of two is running.
    let init = json!({"initContainers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "app"}]});
    let init_status = json!({"phase": "Pending",
        "initContainerStatuses": [
            {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "restartCount": 0, "ready": true},
            {"name": "b", "state": {"running": {}}, "restartCount": 0, "ready": false}],
        "containerStatuses": [cs(waiting("PodInitializing"), 0, false)]});
    assert_eq!(status_of(pod(init.clone(), init_status)), ("Init:1/2".into(), "0/1".into(), 0));
    let init_crash = json!({"phase": "Pending",
        "initContainerStatuses": [
            {"name": "a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "restartCount": 4, "ready": false}]});
    assert_eq!(status_of(pod(init.clone(), init_crash)), ("Init:CrashLoopBackOff".into(), "0/1".into(), 4));
    let init_failed = json!({"phase": "Pending",
        "initContainerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 3}}, "restartCount": 0}]});
    assert_eq!(status_of(pod(init, init_failed)).0, "Init:ExitCode:3");
    // Deletion: Terminating, unless finished.
    let mut deleting = pod(one.clone(), json!({"phase": "Running", "containerStatuses": [cs(running, 0, true)]}));
    deleting["metadata"]["deletionTimestamp"] = json!("1970-01-01T00:10:00Z");
    assert_eq!(status_of(deleting.clone()).0, "Terminating");
    deleting["status"]["reason"] = json!("NodeLost");
    assert_eq!(status_of(deleting).0, "Unknown");
    // Evicted: the pod's reason wins over its phase.
    assert_eq!(status_of(pod(one, json!({"phase": "Failed", "reason": "Evicted"}))).0, "Evicted");
}

#[test]
fn a_native_sidecar_is_passed_over_only_once_started() {
    // 2025-10-05T13:10:00Z; the sidecar last died at 13:00, the app at 12:30.
    let now = 1_759_669_800;
    let spec =
        json!({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}], "containers": [{"name": "web"}]});
    let died = |at: &str| json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": at}});
    let sidecar = |state: serde_json::Value, started: bool, ready: bool| {
        json!({"name": "proxy", "restartCount": 7, "ready": ready, "started": started, "image": "x", "imageID": "",
            "state": state, "lastState": died("2025-10-05T13:00:00Z")})
    };
    let web = |state: serde_json::Value, ready: bool| {
        json!({"name": "web", "restartCount": 2, "ready": ready, "image": "y", "imageID": "",
            "state": state, "lastState": died("2025-10-05T12:30:00Z")})
    };
    let summarise = |status: serde_json::Value| {
        let s = summarise_json_at(&pod(spec.clone(), status).to_string(), now).unwrap();
        let p = s.pods[0].clone();
        (p.status, p.ready, p.restarts, p.last_restart_ago)
    };
    // Crash-looping, never started: kubectl prints Init:CrashLoopBackOff, not PodInitializing.
    let crashing = json!({"phase": "Pending", "conditions": [{"type": "Initialized", "status": "False"}],
        "initContainerStatuses": [sidecar(json!({"waiting": {"reason": "CrashLoopBackOff"}}), false, false)],
        "containerStatuses": [web(json!({"waiting": {"reason": "PodInitializing"}}), false)]});
    assert_eq!(summarise(crashing), ("Init:CrashLoopBackOff".into(), "0/2".into(), 7, Some("10m ago".to_string())));
    // Started and ready: the pod is the app's; the restarts and their date too, plus the sidecar's.
    let running = json!({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
        "initContainerStatuses": [sidecar(json!({"running": {}}), true, true)],
        "containerStatuses": [web(json!({"running": {}}), true)]});
    assert_eq!(summarise(running), ("Running".into(), "2/2".into(), 9, Some("10m ago".to_string())));
    // Initialized: a finished init container's restarts (and their later date) no longer count.
    let mut with_setup = pod(
        spec.clone(),
        json!({"phase": "Running",
        "conditions": [{"type": "Initialized", "status": "True"}],
        "initContainerStatuses": [
            {"name": "setup", "restartCount": 3, "ready": true, "image": "s", "imageID": "",
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "lastState": died("2025-10-05T13:05:00Z")},
            sidecar(json!({"running": {}}), true, true)],
        "containerStatuses": [web(json!({"running": {}}), true)]}),
    );
    with_setup["spec"]["initContainers"] = json!([{"name": "setup"}, {"name": "proxy", "restartPolicy": "Always"}]);
    let s = summarise_json_at(&with_setup.to_string(), now).unwrap();
    let p = &s.pods[0];
    assert_eq!((p.status.as_str(), p.ready.as_str(), p.restarts), ("Running", "2/2", 9));
    assert_eq!(p.last_restart_ago.as_deref(), Some("10m ago"));
}
