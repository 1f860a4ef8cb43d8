//! `kubectl get pods` in the shapes people paste.

use super::{fixture, pod_names, strs};
use crate::extract::{Hint, Pod, extract};

#[test]
fn seed_table_sums_its_restarts_and_ignores_the_ellipsis() {
    let f = fixture!("seed_pods_crashing");
    assert_eq!(f.pods.len(), 6);
    // 1842 + 1839 + 1756 + 1612 + 1248 + 1515: the rows shown (the story's jq total of
    // 6,812 covers pods the pasted table elides with `...`).
    assert_eq!(f.restarts_total, Some(9_812));
    assert_eq!(
        f.pods[3],
        Pod {
            namespace: Some("chromadb".into()),
            name: "chromadb-0".into(),
            ready: "0/1".into(),
            status: "Error".into(),
            restarts: 1612,
            last_restart_ago: None,
            age: "2d".into(),
            ip: None,
            node: None,
            ..Pod::default()
        }
    );
    let crashing = f.pods.iter().filter(|p| p.status == "CrashLoopBackOff").count();
    assert_eq!(crashing, 5);
    // The `...` line says the table shows some pods only.
    assert!(f.cut_short);
    assert_eq!(
        f.summary(),
        "6 pods (listing cut short), 6 not ready, 9,812 restarts; convocanvas/convocanvas-7d4b9c8f6-xk2p9 CrashLoopBackOff"
    );
    assert!(f.errors.is_empty(), "table rows are not log errors: {:?}", f.errors);
}

#[test]
fn seed_recovered_table() {
    let f = fixture!("seed_pods_recovered");
    assert_eq!(
        pod_names(&f),
        strs(&["convocanvas/convocanvas-7d4b9c8f6-xk2p9", "chromadb/chromadb-0", "monitoring/prometheus-server-0"])
    );
    assert_eq!(f.restarts_total, Some(0));
    assert_eq!(f.pods.iter().map(|p| p.age.as_str()).collect::<Vec<_>>(), ["15s", "18s", "12s"]);
    assert!(f.cut_short);
    assert_eq!(f.summary(), "3 pods (listing cut short), 0 not ready, 0 restarts");
}

#[test]
fn grep_row_without_header_has_null_namespace() {
    let f = fixture!("seed_coredns_grep");
    assert_eq!(f.pods.len(), 1);
    let p = &f.pods[0];
    assert_eq!(p.namespace, None);
    assert_eq!((p.name.as_str(), p.restarts, p.age.as_str()), ("coredns-7b8c7b8d4-x9k2p", 892, "3d"));
    let json = serde_json::to_value(&f).unwrap();
    assert!(json["pods"][0]["namespace"].is_null());
    assert!(json["pods"][0].get("ip").is_none(), "no IP column, so no ip key");
}

#[test]
fn init_statuses_and_old_spacing() {
    let f = fixture!("kubeadm_674_init_crashloop");
    assert_eq!(f.pods.len(), 8);
    let init: Vec<&str> =
        f.pods.iter().filter(|p| p.status == "Init:CrashLoopBackOff").map(|p| p.name.as_str()).collect();
    assert_eq!(init, ["kube-flannel-ds-7rxbv", "kube-flannel-ds-tqhfd"]);
    assert_eq!(f.pods[3].ready, "3/3");
    assert_eq!(f.restarts_total, Some(29));
}

#[test]
fn restarts_with_last_restart_ago() {
    let f = fixture!("nixpkgs_181790_restarts_ago");
    assert_eq!(f.pods.len(), 7);
    let ago: Vec<(u64, Option<&str>)> = f.pods.iter().map(|p| (p.restarts, p.last_restart_ago.as_deref())).collect();
    assert_eq!(
        ago,
        [
            (0, None),
            (1, None),
            (28, Some("3m38s ago")),
            (23, Some("2m46s ago")),
            (26, Some("116s ago")),
            (50, Some("41s ago")),
            (34, Some("5m54s ago")),
        ]
    );
    assert_eq!(f.restarts_total, Some(162));
    // Completed pods are 0/1 but finished, not "not ready".
    assert_eq!(
        f.summary(),
        "7 pods, 4 not ready, 162 restarts; kube-system/svclb-traefik-1628ae6b-vc7j8 CrashLoopBackOff"
    );
}

#[test]
fn table_without_namespace_then_log() {
    let f = fixture!("flannel_1012_no_namespace");
    assert_eq!(f.pods.len(), 8);
    assert!(f.pods.iter().all(|p| p.namespace.is_none()));
    assert_eq!(f.restarts_total, Some(4_343));
    assert_eq!(f.ipv4, strs(&["10.80.15.6"]));
}

#[test]
fn four_digit_restarts() {
    let f = fixture!("khtw_376_four_digit_restarts");
    assert_eq!(f.pods.len(), 12);
    assert_eq!(f.restarts_total, Some(2_514));
    let coredns: Vec<u64> = f.pods.iter().filter(|p| p.name.starts_with("coredns")).map(|p| p.restarts).collect();
    assert_eq!(coredns, [1248, 1248]);
}

#[test]
fn wide_rows_from_grep_keep_ip_and_node() {
    let f = fixture!("k8s_93379_grep_wide_and_loop");
    assert_eq!(pod_names(&f), strs(&["node-local-dns-cg2nw", "node-local-dns-lcxkr"]));
    assert_eq!(f.pods[0].ip, Some(Some("192.168.0.49".into())));
    assert_eq!(f.pods[0].node, Some(Some("master".into())));
    assert_eq!(f.pods[1].ip, Some(Some("192.168.0.4".into())));
}

#[test]
fn wide_rows_with_ago_and_none_ip() {
    let f = fixture!("calico_7958_wide_ago_no_header");
    assert_eq!(f.pods.len(), 6);
    assert_eq!(f.restarts_total, Some(578 + 573 + 573 + 575 + 571));
    let last = &f.pods[5];
    assert_eq!(last.namespace.as_deref(), Some("kubernetes-dashboard"));
    assert_eq!(last.status, "ContainerCreating");
    assert_eq!(last.ip, Some(None), "<none> in a present IP column is null");
    assert_eq!(last.node, Some(Some("dcpitsgapp0005".into())));
    assert_eq!(f.pods[3].ip, Some(Some("10.77.48.36".into())));
    let json = serde_json::to_value(last).unwrap();
    assert!(json["ip"].is_null() && json.get("ip").is_some());
}

#[test]
fn get_all_keeps_prefixes_and_skips_other_tables() {
    let f = fixture!("tutor_632_get_all");
    assert_eq!(f.pods.len(), 10);
    assert_eq!(f.pods[0].name, "pod/caddy-88d6f8bd6-78jsh");
    assert_eq!(f.pods.iter().filter(|p| p.status == "Pending").count(), 6);
    assert_eq!(f.pods.iter().filter(|p| p.status == "ContainerCreating").count(), 2);
    assert_eq!(f.nodes.len(), 1);
    assert_eq!(f.nodes[0].name, "node/minikube");
    assert_eq!(f.ipv4, strs(&["10.111.24.176"]));
    assert_eq!(
        f.summary(),
        "10 pods, 8 not ready, 0 restarts; cms-db7975745-rjs2m ContainerCreating; 1 node, all Ready"
    );
}

#[test]
fn nodes_and_pods_wide_with_redaction() {
    let f = fixture!("k3s_10627_nodes_pods_wide_redacted");
    assert_eq!(f.pods.len(), 2);
    let p = &f.pods[1];
    assert_eq!(p.name, "pod/helm-install-apache-wxg2h");
    assert_eq!((p.restarts, p.last_restart_ago.as_deref()), (2, Some("27s ago")));
    assert_eq!(p.ip, Some(Some("10.42.1.16".into())));
    assert_eq!(p.node, Some(Some("ip-172-31-12-252.us-east-2".into())));
    assert_eq!(f.nodes.len(), 2);
    assert_eq!(f.nodes[1].roles, strs(&["control-plane", "etcd", "master"]));
    assert_eq!(f.nodes[0].internal_ip, Some(Some("172.31.12.252".into())));
    assert_eq!(f.nodes[0].external_ip, Some(None), "[REDACTED] yields nothing");
    assert_eq!(f.ipv4, strs(&["172.31.12.252", "172.31.3.3", "10.42.0.4", "10.42.1.16"]));
    assert!(
        f.summary()
            .starts_with("2 pods, 1 not ready, 2 restarts; kube-system/helm-install-apache-wxg2h CrashLoopBackOff")
    );
}

#[test]
fn image_pull_and_partly_ready() {
    let f = fixture!("k8s_63873_imagepull");
    assert_eq!(f.pods.len(), 14);
    let statuses: Vec<&str> = f.pods.iter().map(|p| p.status.as_str()).filter(|s| *s != "Running").collect();
    assert_eq!(statuses, ["CrashLoopBackOff", "ImagePullBackOff", "ImagePullBackOff", "ContainerCreating"]);
    assert_eq!(f.restarts_total, Some(26));
    // A bad status outranks a pod that is only partly ready, even with fewer restarts.
    assert!(f.summary().ends_with("; calico-node-ls4nf CrashLoopBackOff"), "{}", f.summary());
}

#[test]
fn oomkilled_and_errimagepull() {
    let f = fixture!("hmcts_28772_oomkilled");
    assert_eq!(f.pods[0].status, "OOMKilled");
    assert_eq!(f.pods[0].last_restart_ago.as_deref(), Some("57s ago"));
    let g = fixture!("k8s_66828_errimagepull_handtyped");
    assert_eq!(pod_names(&g), strs(&["my_pod_1", "my_pod_2"]));
    assert_eq!(g.pods[0].status, "ErrImagePull");
    assert!(g.errors.is_empty(), "`Pending` alone is not an error: {:?}", g.errors);
}

#[test]
fn a_row_cut_before_age_is_not_a_pod_nor_a_log_error() {
    let f = fixture!("k3s_3389_completed_cut_row");
    assert_eq!(f.pods.len(), 6);
    assert!(!f.pods.iter().any(|p| p.name.starts_with("metrics-server")));
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.restarts_total, Some(10));
}

#[test]
fn misaligned_header_and_markdown_noise() {
    let f = fixture!("website_12664_nodes_and_pods_markdown");
    assert_eq!(f.pods.len(), 6);
    assert_eq!(f.restarts_total, Some(19));
    assert_eq!(f.pods[5].name, "kube-flannel-ds-amd64-6w4jk");
    assert_eq!(f.nodes.len(), 3);
}

#[test]
fn tabs_and_terminating() {
    // kubectl output copied from a terminal that turned runs of spaces into tabs.
    let text = "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\nweb-5d9c\t1/1\tTerminating\t3\t10m\njob-x\t0/1\tInit:0/1\t0\t5s\n";
    let f = extract(text, Hint::Auto);
    assert_eq!(pod_names(&f), strs(&["web-5d9c", "job-x"]));
    assert_eq!(f.pods[0].status, "Terminating");
    assert_eq!(f.pods[1].status, "Init:0/1");
    assert_eq!(f.restarts_total, Some(3));
}

#[test]
fn log_lines_are_not_pods() {
    let text = "E0723 15:05:09.874629 1 reflector.go:205] 1/2 done\n\
                deployment.apps/web   1/1     1            1           35d\n\
                statefulset.apps/db   1/1   35d\n\
                Oct 23 12:44:14 host k3s[925]: 0/1 Running 3 5m\n";
    let f = extract(text, Hint::Auto);
    assert!(f.pods.is_empty(), "{:?}", f.pods);
}

#[test]
fn pods_hint_ignores_other_kinds() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extract/k3s_10627_nodes_pods_wide_redacted.txt"
    ));
    let f = extract(text, Hint::Pods);
    assert_eq!(f.pods.len(), 2);
    assert!(f.nodes.is_empty());
    let n = extract(text, Hint::Nodes);
    assert_eq!(n.nodes.len(), 2);
    assert!(n.pods.is_empty());
    assert_eq!(n.ipv4.len(), 4, "addresses are collected under every hint");
}

#[test]
fn a_watched_pod_counts_once_with_its_last_count() {
    let out = "NAME READY STATUS RESTARTS AGE\nweb-1 0/1 CrashLoopBackOff 5 3d\nweb-1 0/1 Running 6 3d\n\
               web-1 0/1 CrashLoopBackOff 6 3d\nweb-1 0/1 Running 7 3d\nweb-2 1/1 Running 1 3d\n";
    let f = extract(out, Hint::Pods);
    assert_eq!(pod_names(&f), strs(&["web-1", "web-2"]));
    assert_eq!((f.pods[0].status.as_str(), f.pods[0].restarts), ("Running", 7));
    assert_eq!(f.restarts_total, Some(8));
}

#[test]
fn a_cut_marker_counts_only_right_after_pod_rows() {
    let rows = "NAME    READY   STATUS   RESTARTS   AGE\nweb-1   0/1     Error    7          2d\n";
    let cut = |text: &str| extract(text, Hint::Auto).cut_short;
    assert!(cut(&format!("{rows}…\n")));
    assert!(cut(&format!("{rows}<snip>\nweb-9   0/1     Error    1          2d\n")));
    assert!(cut(&format!("{rows}(12 more rows)\n")));
    assert!(!cut(rows));
    assert!(!cut(&format!("{rows}\n...\n")), "after a blank line it belongs to nothing");
    assert!(!cut(&format!("{rows}waiting...\n...\n")));
    assert!(!cut("$ tutor k8s start\n...\n"));
    assert!(!fixture!("tutor_632_get_all").cut_short);
    let json = serde_json::to_value(extract(&format!("{rows}...\n"), Hint::Auto)).unwrap();
    assert_eq!(json["cut_short"], true);
    assert!(serde_json::to_value(extract(rows, Hint::Auto)).unwrap().get("cut_short").is_none());
}
