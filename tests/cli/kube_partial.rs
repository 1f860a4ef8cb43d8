//! A snapshot keeps what it got when an optional list fails, and prints only what it
//! would record.

use crate::kube_server::{FakeApi, Fault};
use crate::support::{TestEnv, frontmatter};

#[test]
fn kube_a_failing_events_list_keeps_pods_and_nodes() {
    for (code, kind) in [(500, "answered 500"), (429, "answered 429")] {
        let api = FakeApi::seed();
        api.state.lock().unwrap().path_faults.push(("/api/v1/events".into(), Fault::Status(code)));
        let (env, id) = TestEnv::with_incident();
        let kc = api.kubeconfig(env.root(), "k3s");
        env.ok(&["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
        let fm = frontmatter(&env.only_step(&id, "snapshot"));
        assert_eq!(fm["facts"]["pods"].as_array().unwrap().len(), 6);
        assert_eq!(fm["facts"]["nodes"].as_array().unwrap().len(), 1);
        let skipped = fm["facts"]["skipped"].to_string();
        assert!(skipped.contains("events: the server 127.0.0.1:") && skipped.contains(kind), "{skipped}");
    }
}

#[test]
fn kube_a_failing_pods_list_is_a_server_error_with_its_hint() {
    let api = FakeApi::seed();
    api.state.lock().unwrap().path_faults.push(("/api/v1/pods".into(), Fault::Status(503)));
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(err.contains("hint: the API server is failing or overloaded"), "{err}");
    let fm = frontmatter(&env.only_step(&id, "snapshot"));
    assert_eq!(fm["error"]["kind"], "server_error");
}

#[test]
fn kube_snapshot_json_prints_event_messages_redacted() {
    let api = FakeApi::seed();
    {
        let mut s = api.state.lock().unwrap();
        let event = s.objects.iter_mut().find(|o| o["kind"] == "Event" && o["type"] == "Warning").unwrap();
        event["message"] = serde_json::json!("pull failed with token ghp_0123456789abcdefghijABCDEFGHIJ012345");
    }
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    for unrecorded in [false, true] {
        let mut args = vec!["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--json"];
        if unrecorded {
            args.push("--no-record");
        }
        let out = env.ok(&args);
        assert!(out.contains("pull failed with token [REDACTED:github-token-1]"), "{out}");
        assert!(!out.contains("ghp_0123456789"), "{out}");
    }
}
