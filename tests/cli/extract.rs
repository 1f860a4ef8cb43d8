//! `incident extract` and facts recorded into steps.

use crate::support::*;

const PODS: &str = include_str!("../../examples/k3s-resurrection/outputs/pods-crashloop.txt");
const IP_ADDR: &str = include_str!("../../examples/k3s-resurrection/outputs/ip-addr.txt");

#[test]
fn extract_summarises_and_prints_json() {
    let env = TestEnv::bare();
    let r = env.run_with_stdin(&["extract"], PODS.as_bytes());
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "28 pods, 21 not ready, 6,812 restarts; kube-system/coredns-7b8c7b8d4-x9k2p CrashLoopBackOff\n"
    );
    let r = env.run_with_stdin(&["extract", "--json", "-"], IP_ADDR.as_bytes());
    let facts: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let v4: Vec<(&str, &str)> = facts["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| {
            i["ipv4"].as_array().unwrap().iter().map(move |a| (i["name"].as_str().unwrap(), a.as_str().unwrap()))
        })
        .collect();
    assert_eq!(
        v4,
        [
            ("lo", "127.0.0.1/8"),
            ("enp6s0", "192.168.1.186/24"),
            ("wlp5s0", "192.168.1.180/24"),
            ("flannel.1", "10.42.0.0/32"),
            ("cni0", "10.42.0.1/24")
        ]
    );
}

#[test]
fn extract_errors_are_clear() {
    let env = TestEnv::bare();
    assert_eq!(
        env.fails(2, &["extract", "--as", "yaml"]),
        "error: unknown kind of output `yaml` (expected one of: auto, pods, nodes, ip, route, log)\n  hint: see `incident extract --help`\n"
    );
    assert_eq!(
        env.fails(1, &["extract", "missing.txt"]),
        format!(
            "error: cannot read {}: No such file or directory (os error 2)\n  hint: give an existing file, or pipe the text in\n",
            env.root().join("missing.txt").display()
        )
    );
    let r = env.run_with_stdin(&["extract"], b"\x00\x01\xff\xfe binary");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(r.stderr, "nothing recognised: no pods, nodes, addresses, routes or known errors\n");
    let r = env.run_with_stdin(&["extract", "--json"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, "{}\n"));
}

#[test]
fn captured_output_carries_its_facts() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run_with_stdin(&["capture", "-c", "kubectl get pods -A", "--no-echo"], PODS.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fm = frontmatter(&env.only_step(&id, "capture"));
    assert_eq!(fm["facts"]["restarts_total"], 6812);
    assert_eq!(fm["facts"]["pods"].as_array().unwrap().len(), 28);
    let coredns =
        fm["facts"]["pods"].as_array().unwrap().iter().find(|p| p["name"] == "coredns-7b8c7b8d4-x9k2p").unwrap();
    assert_eq!(coredns["namespace"], "kube-system");
    assert_eq!(coredns["status"], "CrashLoopBackOff");
    assert_eq!(coredns["restarts"], 892);
    assert_eq!(coredns["last_restart_ago"], "2m ago");
    // and `run` extracts too
    let r = env.run(&["run", "--", "printf", "Error: dial tcp 10.43.0.1:443: connect: connection refused\\n"]);
    assert_eq!(r.code, 0);
    let fm = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(fm["facts"]["errors"][0]["kind"], "connection_refused");
    assert_eq!(fm["facts"]["errors"][0]["endpoint"], "10.43.0.1:443");
}

#[test]
fn kubernetes_json_is_recognised_by_extract_and_capture() {
    let (env, id) = TestEnv::with_incident();
    let pods =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube/seed_pods.json"))
            .unwrap();
    let r = env.run_with_stdin(&["extract"], &pods);
    assert_eq!(
        r.stdout,
        "6 pods, 5 not ready, 6,812 restarts; convocanvas/convocanvas-7d4b9c8f6-xk2p9 CrashLoopBackOff\n"
    );
    let r = env.run_with_stdin(&["capture", "--no-echo", "-c", "kubectl get pods -A -o json"], &pods);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fm = frontmatter(&env.only_step(&id, "capture"));
    assert_eq!(fm["facts"]["restarts_total"], 6812);
    assert!(fm["facts"]["pods"][0]["uid"].is_string(), "API fields kept: {}", fm["facts"]["pods"][0]);
    // JSON that is not Kubernetes falls back to reading it as text.
    let r = env
        .run_with_stdin(&["extract", "--json"], br#"{"msg": "dial tcp 10.43.0.1:443: connect: connection refused"}"#);
    let facts: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(facts["errors"][0]["kind"], "connection_refused");
}
