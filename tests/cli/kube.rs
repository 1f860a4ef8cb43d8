//! `incident snapshot` against the fake API server (tests/cli/kube_server.rs): the
//! seed story's cluster, pagination, kubeconfig merging, and every failure kind.

use crate::kube_server::{FakeApi, Fault, closed_port, kubeconfig_text};
use crate::support::{TestEnv, body, frontmatter};

pub fn snapshot_files(env: &TestEnv, id: &str) -> Vec<std::path::PathBuf> {
    env.step_files(id).into_iter().filter(|p| p.to_str().unwrap().contains("-snapshot-")).collect()
}

#[test]
fn snapshot_records_the_seed_cluster() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let out = env.ok(&["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(out.starts_with("NAME          STATUS   ROLES                  AGE    VERSION        INTERNAL-IP    EXTERNAL-IP\nleveling-pc   Ready    control-plane,master   3d5h   v1.30.5+k3s1   192.168.1.79   <none>\n"), "{out}");
    assert!(out.trim_end().ends_with("1 node, 6 pods (5 not healthy), 6,812 restarts, 2,283 Warning events"), "{out}");
    let text = env.only_step(&id, "snapshot");
    let fm = frontmatter(&text);
    assert_eq!(fm["kind"], "snapshot");
    assert_eq!(fm["title"], format!("Snapshot of context \"k3s\" ({}/)", api.url()));
    assert_eq!(fm["facts"]["restarts_total"], 6812);
    assert_eq!(fm["facts"]["nodes"][0]["internal_ip"], "192.168.1.79");
    assert_eq!(fm["facts"]["context"], "k3s");
    let coredns =
        fm["facts"]["pods"].as_array().unwrap().iter().find(|p| p["name"] == "coredns-7b8c7b8d4-x9k2p").unwrap();
    assert_eq!(coredns["status"], "CrashLoopBackOff");
    assert_eq!(coredns["uid"], "0b5a6d0e-6c1f-4d5e-9a57-1c2b3d4e5f05");
    assert_eq!(coredns["containers"][0]["restarts"], 892);
    let b = body(&text);
    assert!(
        b.contains("kube-system   coredns-7b8c7b8d4-x9k2p                   0/1     CrashLoopBackOff   892 (12m ago)"),
        "{b}"
    );
    assert!(
        b.contains("kube-system/kube-dns (cluster IP 10.43.0.10): ready endpoints none; not ready 10.42.0.14:53"),
        "{b}"
    );
    // The API objects, whole, as a List that reads back.
    let file = fm["output_file"].as_str().unwrap();
    assert!(file.ends_with(".json"), "{file}");
    let json = std::fs::read_to_string(env.incident_dir(&id).join(file)).unwrap();
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().unwrap().len(), 6 + 1 + 5 + 2);
    assert_eq!(list["items"][0]["kind"], "Pod");
    // Credentials never reach the vault.
    for path in walk(env.root()) {
        let content = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!content.contains("sekret-bearer-token"), "token leaked into {}", path.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_str().unwrap().starts_with("kubeconfig") {
            continue;
        }
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn snapshot_lists_page_by_page() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let json = env.json(&["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--page-size", "4", "--json"]);
    assert_eq!(json["restarts_total"], 6812);
    assert_eq!(json["pods"].as_array().unwrap().len(), 6);
    let pod_requests: Vec<String> = api.requests().into_iter().filter(|r| r.starts_with("GET /api/v1/pods")).collect();
    assert_eq!(pod_requests, ["GET /api/v1/pods?&limit=4", "GET /api/v1/pods?&limit=4&continue=4"]);
    let keys: Vec<&String> = json["pods"][0].as_object().unwrap().keys().collect();
    for key in ["namespace", "name", "ready", "status", "restarts", "last_restart_ago", "age", "ip", "node"] {
        assert!(keys.iter().any(|k| *k == key), "{key} missing in {keys:?}");
    }
    let node_keys: Vec<&String> = json["nodes"][0].as_object().unwrap().keys().collect();
    for key in ["name", "status", "roles", "age", "version", "internal_ip", "external_ip"] {
        assert!(node_keys.iter().any(|k| *k == key), "{key} missing in {node_keys:?}");
    }
}

#[test]
fn namespace_limits_pods_and_events_but_not_nodes() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let json =
        env.json(&["snapshot", "--kubeconfig", kc.to_str().unwrap(), "-n", "kube-system", "--json", "--no-record"]);
    assert_eq!(json["pods"].as_array().unwrap().len(), 2);
    assert_eq!(json["restarts_total"], 892);
    assert_eq!(json["namespace"], "kube-system");
    let reqs = api.requests();
    assert!(reqs.iter().any(|r| r.starts_with("GET /api/v1/namespaces/kube-system/pods?")), "{reqs:?}");
    assert!(reqs.iter().any(|r| r.starts_with("GET /api/v1/nodes?")), "{reqs:?}");
}

#[test]
fn kubeconfig_files_merge_and_context_picks() {
    let api = FakeApi::seed();
    let (mut env, _id) = TestEnv::with_incident();
    let refused = format!("http://127.0.0.1:{}", closed_port());
    let first = env.root().join("first.yaml");
    std::fs::write(&first, kubeconfig_text(&refused, "old")).unwrap();
    let second = api.kubeconfig(env.root(), "k3s");
    let missing = env.root().join("missing.yaml");
    let list = std::env::join_paths([&first, &missing, &second]).unwrap();
    env.extra_env.push(("KUBECONFIG".into(), list.to_str().unwrap().to_string()));
    // The first file's current-context wins (old, refused); --context picks the second.
    let err = env.fails(1, &["snapshot", "--no-record"]);
    assert!(err.contains("(context \"old\") was refused"), "{err}");
    let json = env.json(&["snapshot", "--context", "k3s", "--json", "--no-record"]);
    assert_eq!(json["context"], "k3s");
    let err = env.fails(1, &["snapshot", "--context", "nope", "--no-record"]);
    assert!(err.contains("error: no context \"nope\" in "), "{err}");
    assert!(err.contains("hint: known contexts: old, k3s"), "{err}");
    // Nothing recorded, nothing to date: --at with --no-record is a mistake, not ignored.
    let err = env.fails(2, &["snapshot", "--no-record", "--at", "08:00"]);
    assert!(err.starts_with("error: the argument '--no-record' cannot be used with '--at <TIME>'"), "{err}");
}

#[test]
fn a_refused_connection_is_recorded_and_exits_1() {
    let (env, id) = TestEnv::with_incident();
    let port = closed_port();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("http://127.0.0.1:{port}"), "k3s")).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    let first_error = err.lines().find(|l| l.starts_with("error:")).unwrap();
    assert_eq!(
        first_error,
        format!(
            "error: The connection to the server 127.0.0.1:{port} (context \"k3s\") was refused - did you specify the right host or port?"
        )
    );
    assert!(err.contains("  hint: is the API server running (systemctl status k3s)?"), "{err}");
    let files = snapshot_files(&env, &id);
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let fm = frontmatter(&text);
    assert_eq!(fm["title"], "Snapshot failed: connection_refused");
    assert_eq!(fm["error"]["kind"], "connection_refused");
    assert_eq!(fm["error"]["server"], format!("127.0.0.1:{port}"));
    assert_eq!(fm["error"]["context"], "k3s");
    assert!(fm.get("output_file").is_none());
    assert!(body(&text).contains("Asked for `/api/v1/pods?limit=500`."), "{text}");
    assert!(!text.contains("sekret"));
    // No half-written output is left behind.
    let outputs = env.incident_dir(&id).join("outputs");
    let left: Vec<_> = std::fs::read_dir(&outputs).map(|d| d.collect()).unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_hanging_server_times_out() {
    let api = FakeApi::seed();
    api.set_fault(Some(Fault::Hang));
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let started = std::time::Instant::now();
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--request-timeout", "1s"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
    let port = api.port;
    assert!(
        err.contains(&format!(
            "error: the server 127.0.0.1:{port} (context \"k3s\") did not answer /api/v1/pods?limit=500 in time"
        )),
        "{err}"
    );
    let fm = frontmatter(&std::fs::read_to_string(&snapshot_files(&env, &id)[0]).unwrap());
    assert_eq!(fm["error"]["kind"], "timeout");
}

#[test]
fn refused_credentials_and_permissions_are_named() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let port = api.port;
    api.set_fault(Some(Fault::Status(401)));
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "error: the server 127.0.0.1:{port} (context \"k3s\") refused the credentials: 401 Unauthorized\n"
        )),
        "{err}"
    );
    api.set_fault(Some(Fault::Status(403)));
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(err.contains(&format!("error: the server 127.0.0.1:{port} (context \"k3s\") forbids /api/v1/pods?limit=500: 403 Forbidden: pods is forbidden")), "{err}");
    let kinds: Vec<String> = snapshot_files(&env, &id)
        .iter()
        .map(|f| frontmatter(&std::fs::read_to_string(f).unwrap())["error"]["kind"].as_str().unwrap().to_string())
        .collect();
    let mut kinds = kinds;
    kinds.sort();
    assert_eq!(kinds, ["forbidden", "unauthorized"]);
}

#[test]
fn malformed_json_is_a_bad_response() {
    let api = FakeApi::seed();
    api.set_fault(Some(Fault::Malformed));
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(err.contains("answered /api/v1/pods?limit=500 with something that is not Kubernetes JSON"), "{err}");
}

#[test]
fn snapshot_from_saved_kubectl_json() {
    let (env, id) = TestEnv::with_incident();
    let dir = crate::kube_server::fixture_dir();
    let pods = dir.join("seed_pods.json");
    let out = env.ok(&["snapshot", "--from", pods.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["restarts_total"], 6812);
    let fm = frontmatter(&env.only_step(&id, "snapshot"));
    assert_eq!(fm["title"], format!("Snapshot from {}", pods.display()));
    let text = std::fs::read_to_string(dir.join("legacy_nodes.json")).unwrap();
    let r = env.run_with_stdin(&["snapshot", "--from", "-", "--json", "--no-record"], text.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["nodes"][2]["version"], "v1.1.7");
    let r = env.run_with_stdin(&["snapshot", "--from", "-", "--no-record"], b"{\"kind\": ");
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("error: stdin is not Kubernetes JSON: "), "{}", r.stderr);
}

#[test]
fn note_does_not_start_a_runtime() {
    // The binary's other commands never touch kube or tokio: a note with a broken
    // KUBECONFIG still works and is quick.
    let (mut env, _id) = TestEnv::with_incident();
    env.extra_env.push(("KUBECONFIG".into(), "/nonexistent/kubeconfig".into()));
    let started = std::time::Instant::now();
    env.ok(&["note", "still lean"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Against a real cluster, when INCIDENT_TEST_KUBECONFIG names its kubeconfig (never in CI).
#[test]
fn real_cluster_snapshot_when_asked_for() {
    let Ok(kc) = std::env::var("INCIDENT_TEST_KUBECONFIG") else {
        eprintln!("skipped: set INCIDENT_TEST_KUBECONFIG=/path/to/kubeconfig to snapshot a real cluster");
        return;
    };
    let (env, id) = TestEnv::with_incident();
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "--json"]);
    assert!(json["nodes"].as_array().is_some_and(|n| !n.is_empty()), "{json}");
    let fm = frontmatter(&env.only_step(&id, "snapshot"));
    assert!(fm["output_file"].as_str().unwrap().ends_with(".json"));
    env.ok(&["check", "--kubeconfig", &kc]);
}

#[test]
fn a_big_cluster_keeps_the_telling_pods_in_facts_and_diffs_from_the_saved_objects() {
    use crate::kube_server::{State, fixture_objects};
    let seed = fixture_objects("seed_pods.json");
    let crashing = seed.iter().find(|o| o["metadata"]["name"] == "convocanvas-7d4b9c8f6-xk2p9").unwrap();
    let healthy = seed.iter().find(|o| o["metadata"]["name"].as_str().unwrap().starts_with("local-path")).unwrap();
    let mut objects = fixture_objects("seed_nodes.json");
    for i in 0..1200 {
        let mut o = if i < 1050 { crashing.clone() } else { healthy.clone() };
        o["metadata"]["name"] = serde_json::json!(format!("app-{i:04}"));
        o["metadata"]["uid"] = serde_json::json!(format!("uid-{i}"));
        objects.push(o);
    }
    let api = FakeApi::start(State { objects, ..State::default() });
    let (mut env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let kc = kc.to_str().unwrap().to_string();
    env.ok(&["snapshot", "--kubeconfig", &kc]);
    let fm = frontmatter(&env.only_step(&id, "snapshot"));
    assert_eq!(fm["facts"]["pods"].as_array().unwrap().len(), 1000);
    assert_eq!(fm["facts"]["pods_total"], 1200);
    assert_eq!(fm["facts"]["truncated"], true);
    assert_eq!(fm["facts"]["restarts_total"], 1050 * 1842);
    {
        let mut s = api.state.lock().unwrap();
        let pod = s.objects.iter_mut().find(|o| o["metadata"]["name"] == "app-1100").unwrap();
        pod["status"]["containerStatuses"][0]["restartCount"] = serde_json::json!(3);
    }
    env.at("2025-10-05T08:30:00-05:00");
    env.ok(&["snapshot", "--kubeconfig", &kc]);
    let show = env.run(&["show"]);
    assert!(!show.stderr.contains("warning"), "{}", show.stderr);
    let out = env.ok(&["diff"]);
    assert!(out.starts_with("3 restarts since the earlier snapshot in 1 pod"), "{out}");
    assert!(out.contains("  +3 kube-system/app-1100 (local-path-provisioner +3)"), "{out}");
}

#[test]
fn https_to_something_that_does_not_speak_tls_is_a_tls_failure() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut sock in listener.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let (env, id) = TestEnv::with_incident();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("https://127.0.0.1:{port}"), "k3s")).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(
        err.ends_with(&format!(
            "error: TLS with the server 127.0.0.1:{port} (context \"k3s\") failed: http: server gave HTTP response to HTTPS client\n  \
             hint: the server speaks plain HTTP: is the port right, or should the kubeconfig's server be http://?\n"
        )),
        "{err}"
    );
    let fm = frontmatter(&env.only_step(&id, "snapshot"));
    assert_eq!(fm["error"]["kind"], "tls");
}

#[test]
fn unknown_fields_from_a_newer_server_are_ignored() {
    use crate::kube_server::seed_state;
    let mut state = seed_state();
    for o in state.objects.iter_mut() {
        o["status"]["aFieldFromKubernetes2030"] = serde_json::json!({"nested": [1, 2, 3]});
        o["metadata"]["newMetadata"] = serde_json::json!("x");
    }
    let api = FakeApi::start(state);
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let json = env.json(&["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--json"]);
    assert_eq!(json["restarts_total"], 6812);
    assert!(json.get("skipped").is_none(), "{json}");
}

#[test]
fn an_exec_plugin_supplies_the_token_and_it_stays_out_of_the_vault() {
    use std::os::unix::fs::PermissionsExt;
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let plugin = env.root().join("cred-plugin.sh");
    std::fs::write(
        &plugin,
        "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-issued-token-4711\"}}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kc = env.root().join("kubeconfig-exec.yaml");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: k3s\nclusters:\n- name: k3s\n  cluster:\n    server: {}\ncontexts:\n- name: k3s\n  context:\n    cluster: k3s\n    user: sso\nusers:\n- name: sso\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}\n      interactiveMode: Never\n",
        api.url(),
        plugin.display()
    );
    std::fs::write(&kc, text).unwrap();
    env.ok(&["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    let auths = api.state.lock().unwrap().authorizations.clone();
    assert!(!auths.is_empty() && auths.iter().all(|a| a == "Bearer exec-issued-token-4711"), "{auths:?}");
    for path in walk(env.root()) {
        if path.extension().is_some_and(|e| e == "md" || e == "json") {
            let content = std::fs::read_to_string(&path).unwrap();
            assert!(!content.contains("exec-issued-token"), "token leaked into {}", path.display());
        }
    }
}

#[test]
fn home_kube_config_is_the_fallback() {
    let api = FakeApi::seed();
    let (mut env, _id) = TestEnv::with_incident();
    let home = env.root().join("home");
    std::fs::create_dir_all(home.join(".kube")).unwrap();
    std::fs::write(home.join(".kube/config"), kubeconfig_text(&api.url(), "from-home")).unwrap();
    env.extra_env.push(("HOME".into(), home.to_str().unwrap().to_string()));
    let json = env.json(&["snapshot", "--json", "--no-record"]);
    assert_eq!(json["context"], "from-home");
    // Nothing to go on at all: a clear error.
    env.extra_env.retain(|(k, _)| k != "HOME");
    let err = env.fails(1, &["snapshot", "--no-record"]);
    assert!(
        err.contains("error: no kubeconfig: KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod"),
        "{err}"
    );
    assert!(err.contains("hint: give --kubeconfig FILE (on k3s: /etc/rancher/k3s/k3s.yaml)"), "{err}");
}

#[test]
fn a_crash_looping_native_sidecar_reads_init_crashloopbackoff() {
    let api = FakeApi::seed();
    api.state.lock().unwrap().objects.push(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-sc", "namespace": "app", "uid": "u1", "creationTimestamp": "2025-10-05T12:00:00Z"},
        "spec": {"initContainers": [{"name": "istio-proxy", "restartPolicy": "Always"}], "containers": [{"name": "web"}]},
        "status": {"phase": "Pending", "conditions": [{"type": "Initialized", "status": "False"}],
            "initContainerStatuses": [{"name": "istio-proxy", "restartCount": 7, "ready": false, "started": false,
                "image": "x", "imageID": "", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2025-10-05T13:00:00Z"}}}],
            "containerStatuses": [{"name": "web", "restartCount": 0, "ready": false, "image": "y", "imageID": "",
                "state": {"waiting": {"reason": "PodInitializing"}}}]}}));
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let json = env.json(&["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--json", "--no-record"]);
    let pod = json["pods"].as_array().unwrap().iter().find(|p| p["name"] == "web-sc").unwrap().clone();
    assert_eq!(
        (pod["ready"].as_str(), pod["status"].as_str(), pod["restarts"].as_u64()),
        (Some("0/2"), Some("Init:CrashLoopBackOff"), Some(7)),
        "{pod}"
    );
}

#[test]
fn a_server_that_never_accepts_is_a_connect_timeout_named_as_such() {
    use std::os::fd::AsRawFd;
    // A full accept queue: the kernel drops further SYNs, as for a black-holed address.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: listen(2) on a socket this test owns, only to shrink its backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let addr = listener.local_addr().unwrap();
    let _held: Vec<_> = (0..4)
        .filter_map(|_| std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(200)).ok())
        .collect();
    let (env, _id) = TestEnv::with_incident();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("http://{addr}"), "k3s")).unwrap();
    let err =
        env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--connect-timeout", "1s", "--no-record"]);
    assert!(
        err.contains(&format!(
            "error: cannot connect to the server {addr} (context \"k3s\"): no answer within --connect-timeout\n"
        )),
        "{err}"
    );
}
