//! `incident snapshot diff` and `incident check` against the fake API server: the node
//! address change first, the seed story's diagnosis, and what a closed port records.

use crate::kube::snapshot_files;
use crate::kube_server::{FakeApi, closed_port, kubeconfig_text};
use crate::support::{TestEnv, frontmatter};

#[test]
fn diff_puts_the_node_ip_change_first() {
    let api = FakeApi::seed();
    let (mut env, id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let kc = kc.to_str().unwrap().to_string();
    env.ok(&["snapshot", "--kubeconfig", &kc]);
    let err = env.fails(1, &["diff"]);
    assert!(err.contains("has 1 snapshot; a diff needs two"), "{err}");
    {
        // DHCP hands the node a new address; CoreDNS is recreated and comes up.
        let mut s = api.state.lock().unwrap();
        for o in s.objects.iter_mut() {
            if o["kind"] == "Node" {
                o["status"]["addresses"][0]["address"] = serde_json::json!("192.168.1.186");
            }
            if o["metadata"]["name"] == "convocanvas-7d4b9c8f6-xk2p9" {
                o["status"]["containerStatuses"][0]["restartCount"] = serde_json::json!(1849);
            }
            if o["metadata"]["name"] == "coredns-7b8c7b8d4-x9k2p" {
                o["metadata"]["uid"] = serde_json::json!("9e1f0c2d-new");
                o["status"]["containerStatuses"][0]["restartCount"] = serde_json::json!(1);
            }
        }
    }
    env.at("2025-10-05T08:40:00-05:00");
    env.ok(&["snapshot", "--kubeconfig", &kc]);
    let out = env.ok(&["diff"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "node leveling-pc IP changed from 192.168.1.79 to 192.168.1.186");
    assert_eq!(lines[1], "8 restarts since the earlier snapshot in 2 pods (RESTARTS column total 6,812 → 5,928)");
    assert_eq!(lines[2], "  +7 convocanvas/convocanvas-7d4b9c8f6-xk2p9 (convocanvas +7)");
    assert_eq!(lines[3], "  +1 kube-system/coredns-7b8c7b8d4-x9k2p (coredns +1), new pod");
    assert_eq!(lines[4], "pod kube-system/coredns-7b8c7b8d4-x9k2p was recreated (new UID), now CrashLoopBackOff");
    let json = env.json(&["diff", "--json"]);
    assert_eq!(json["restarts_increase"], 8);
    assert_eq!(json["nodes"][0]["what"], "address");
    assert_eq!(json["nodes"][0]["to"], "192.168.1.186");
    assert_eq!(snapshot_files(&env, &id).len(), 2);
}

#[test]
fn check_finds_the_seed_story() {
    let api = FakeApi::seed();
    let (mut env, id) = TestEnv::with_incident();
    env.ok(&["note", "starting"]);
    // `ip addr` captured on the node: extraction finds its interfaces.
    let ip_addr =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/k3s-resurrection/outputs/ip-addr.txt")).unwrap();
    let r = env.run_with_stdin(&["capture", "-c", "ip addr show", "--no-echo"], &ip_addr);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A later look at one interface with no address says nothing of where the host is.
    env.at("2025-10-05T08:24:00-05:00");
    let link = "3: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n";
    let r = env.run_with_stdin(&["capture", "-c", "ip link show eth1", "--no-echo"], link.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let kc = api.kubeconfig(env.root(), "k3s");
    let out = env.ok(&["check", "--kubeconfig", kc.to_str().unwrap()]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "● node leveling-pc is registered as 192.168.1.79, an address this host no longer has");
    assert_eq!(lines[1], "    node leveling-pc is registered with InternalIP 192.168.1.79");
    assert!(
        lines[2].starts_with(
            "    the host has 192.168.1.186 (enp6s0), 192.168.1.180 (wlp5s0) (from step 20251005T132300Z-capture-"
        ),
        "{}",
        lines[2]
    );
    assert!(out.contains("--node-ip=192.168.1.186 --flannel-iface=enp6s0"), "{out}");
    assert!(out.contains("● CoreDNS detected a forwarding loop"), "{out}");
    assert!(out.contains("● 5 pods crash-looping or failing, 6,812 restarts"), "{out}");
    assert!(out.contains("● cluster DNS (10.43.0.10) has no ready endpoints"), "{out}");
    let reqs = api.requests();
    assert!(
        reqs.contains(
            &"GET /api/v1/namespaces/kube-system/pods/coredns-7b8c7b8d4-x9k2p/log?container=coredns&tailLines=500"
                .to_string()
        ),
        "{reqs:?}"
    );
    assert!(reqs.contains(&"GET /api/v1/namespaces/kube-system/configmaps/coredns".to_string()), "{reqs:?}");
    let checks: Vec<serde_json::Value> = env
        .step_files(&id)
        .iter()
        .filter(|p| p.to_str().unwrap().contains("-check-"))
        .map(|p| frontmatter(&std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut kinds: Vec<&str> = checks.iter().map(|c| c["finding"]["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["coredns_loop", "crashloop", "dns_no_endpoints", "node_ip_drift"]);
    let err = env.fails(1, &["check", "--offline", "--no-record"]);
    assert!(err.contains("error: --offline: this incident has no snapshot to check"), "{err}");
    env.ok(&["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    let json = env.json(&["check", "--offline", "--json", "--no-record"]);
    assert_eq!(json[0]["kind"], "node_ip_drift");
}

#[test]
fn check_against_a_closed_port_records_the_failure() {
    let (env, id) = TestEnv::with_incident();
    let port = closed_port();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("http://127.0.0.1:{port}"), "k3s")).unwrap();
    let err = env.fails(1, &["check", "--kubeconfig", kc.to_str().unwrap()]);
    assert!(err.contains("was refused - did you specify the right host or port?"), "{err}");
    let fm = frontmatter(&env.only_step(&id, "check"));
    assert_eq!(fm["error"]["kind"], "connection_refused");
    assert_eq!(fm["title"], "Check failed: connection_refused");
}

#[test]
fn check_on_the_node_itself_reads_its_interfaces() {
    // INCIDENT_HOST is leveling-pc, the seed's node, and no `ip addr` was captured: the
    // check reads this machine's interfaces (getifaddrs), none of which is 192.168.1.79.
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let json = env.json(&["check", "--kubeconfig", kc.to_str().unwrap(), "--json", "--no-record"]);
    let drift = json.as_array().unwrap().iter().find(|f| f["kind"] == "node_ip_drift").expect("drift found");
    assert!(drift["evidence"][1].as_str().unwrap().ends_with("(from this machine's interfaces)"), "{drift}");
}

#[test]
fn diff_says_first_when_the_snapshots_differ_in_cluster_context_or_namespace() {
    let (api1, api2) = (FakeApi::seed(), FakeApi::seed());
    for o in api2.state.lock().unwrap().objects.iter_mut().filter(|o| o["kind"] == "Node") {
        o["status"]["addresses"][0]["address"] = serde_json::json!("10.9.9.9");
    }
    let (mut env, _id) = TestEnv::with_incident();
    let kc1 = api1.kubeconfig(env.root(), "one");
    let kc2 = api2.kubeconfig(env.root(), "two");
    env.ok(&["snapshot", "--kubeconfig", kc1.to_str().unwrap()]);
    env.at("2025-10-05T08:40:00-05:00");
    env.ok(&["snapshot", "--kubeconfig", kc2.to_str().unwrap()]);
    let out = env.ok(&["diff"]);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "note: not like for like: the snapshots were taken of different contexts and servers, context \"one\" ({}/) then context \"two\" ({}/); what follows may be that switch, not a change in the cluster",
            api1.url(),
            api2.url()
        )
    );
    assert_eq!(out.lines().nth(1).unwrap(), "node leveling-pc IP changed from 192.168.1.79 to 10.9.9.9");
    assert!(env.json(&["diff", "--json"])["scope"][0].as_str().unwrap().starts_with("not like for like"));

    // All namespaces, then one: compared in that one, no pod "removed".
    env.at("2025-10-05T08:41:00-05:00");
    env.ok(&["snapshot", "--kubeconfig", kc2.to_str().unwrap(), "-n", "kube-system"]);
    let out = env.ok(&["diff"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>()[..2],
        [
            "note: the earlier snapshot lists all namespaces, the later only \"kube-system\": compared in \"kube-system\" only",
            "no changes"
        ]
    );
    // Two different namespaces: nothing to compare.
    env.at("2025-10-05T08:42:00-05:00");
    env.ok(&["snapshot", "--kubeconfig", kc2.to_str().unwrap(), "-n", "default"]);
    let err = env.fails(1, &["diff"]);
    assert!(
        err.starts_with("error: cannot compare ")
            && err.contains(": the snapshots list different namespaces (\"kube-system\" then \"default\"): no pod is in both\n  hint: give two snapshots of the same namespace"),
        "{err}"
    );
}

#[test]
fn check_takes_the_node_ip_from_the_node_host_captures_only() {
    let api = FakeApi::seed();
    let kc = |env: &TestEnv| api.kubeconfig(env.root(), "k3s").to_str().unwrap().to_string();
    let ip_addr = |ip: &str| {
        format!(
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    inet {ip}/24 brd 10.0.2.255 scope global eth0\n       valid_lft forever preferred_lft forever\n"
        )
    };
    let capture = |env: &mut TestEnv, host: &str, ip: &str| {
        env.extra_env.retain(|(k, _)| k != "INCIDENT_HOST");
        env.extra_env.push(("INCIDENT_HOST".into(), host.into()));
        let r = env.run_with_stdin(&["capture", "-c", "ip addr show", "--no-echo"], ip_addr(ip).as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    // The node still has its address; a later capture on a VM beside it must not say otherwise.
    let (mut env, _id) = TestEnv::with_incident();
    capture(&mut env, "leveling-pc", "192.168.1.79");
    env.at("2025-10-05T08:24:00-05:00");
    capture(&mut env, "vm", "10.0.2.15");
    let json = env.json(&["check", "--kubeconfig", &kc(&env), "--json", "--no-record"]);
    assert!(json.as_array().unwrap().iter().all(|f| f["kind"] != "node_ip_drift"), "{json}");
    // Only the VM's capture: the finding names the host it comes from.
    let (mut env, _id) = TestEnv::with_incident();
    capture(&mut env, "vm", "10.0.2.15");
    let json = env.json(&["check", "--kubeconfig", &kc(&env), "--json", "--no-record"]);
    let drift = json.as_array().unwrap().iter().find(|f| f["kind"] == "node_ip_drift").unwrap().clone();
    assert_eq!(drift["title"], "node leveling-pc is registered as 192.168.1.79, an address host vm does not have");
}

#[test]
fn diff_after_failed_snapshots_says_they_failed() {
    let (env, _id) = TestEnv::with_incident();
    let port = closed_port();
    let kc = env.root().join("kubeconfig");
    std::fs::write(&kc, kubeconfig_text(&format!("http://127.0.0.1:{port}"), "k3s")).unwrap();
    for _ in 0..2 {
        env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap()]);
    }
    let err = env.fails(1, &["diff"]);
    assert!(
        err.starts_with(
            "error: 2025-10-05-k3s-pods-crash-looping has 0 snapshots and 2 failed (they hold an error, not the \
             cluster's state); a diff needs two\n"
        ),
        "{err}"
    );
}
