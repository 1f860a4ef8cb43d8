//! The public surface: JSON shape, hints, merge, summary, streaming = whole-text.

use super::{fixture, strs};
use crate::extract::{Extractor, Facts, Hint, extract};
use crate::format::thousands;
use serde_json::json;

#[test]
fn json_keys_only_when_found() {
    assert_eq!(serde_json::to_value(Facts::default()).unwrap(), json!({}));
    let f = fixture!("hmcts_28772_oomkilled");
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        json!({
            "pods": [{
                "namespace": null,
                "name": "tax-tribunals-application-base-74464f6b98-2kj6g",
                "ready": "0/1",
                "status": "OOMKilled",
                "restarts": 4,
                "last_restart_ago": "57s ago",
                "age": "2m40s"
            }],
            "restarts_total": 4
        })
    );
}

#[test]
fn json_round_trips_and_old_data_loads() {
    for f in [
        fixture!("k3s_10627_nodes_pods_wide_redacted"),
        fixture!("calico_7958_wide_ago_no_header"),
        fixture!("flannel_1029_ip_route_and_ifconfig"),
        fixture!("coredns_2795_loop_log"),
    ] {
        let text = serde_json::to_string(&f).unwrap();
        let back: Facts = serde_json::from_str(&text).unwrap();
        assert_eq!(back, f, "{text}");
    }
    // Hand-edited frontmatter: missing fields, an unknown error kind, an unknown key.
    let old: Facts = serde_json::from_str(
        r#"{"pods":[{"name":"web","restarts":3}],"errors":[{"kind":"weird","line":2}],"extra":1}"#,
    )
    .unwrap();
    assert_eq!(old.pods[0].name, "web");
    assert_eq!(old.pods[0].ip, None);
    assert_eq!(old.errors[0].kind, "weird");
    assert!(!old.truncated);
}

#[test]
fn hint_parsing() {
    let all: Vec<Hint> = ["auto", "pods", "nodes", "ip", "route", "log"].iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(all, Hint::ALL);
    assert_eq!("PODS".parse::<Hint>().unwrap(), Hint::Pods);
    let err = "logs".parse::<Hint>().unwrap_err();
    assert_eq!(err.to_string(), "unknown kind of output `logs` (expected one of: auto, pods, nodes, ip, route, log)");
}

#[test]
fn streaming_equals_whole_text() {
    let text =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extract/k8s_27873_no_route_to_host.txt"));
    let mut x = Extractor::new(Hint::Auto);
    for line in text.lines() {
        x.feed_line(line);
    }
    assert_eq!(x.finish(), extract(text, Hint::Auto));
    // CRLF input gives the same facts.
    assert_eq!(extract(&text.replace('\n', "\r\n"), Hint::Auto), extract(text, Hint::Auto));
}

#[test]
fn merge_combines_outputs_of_one_step() {
    let mut f = fixture!("seed_pods_crashing");
    f.merge(fixture!("seed_coredns_grep"));
    f.merge(fixture!("seed_nodes"));
    f.merge(fixture!("seed_nslookup"));
    f.merge(fixture!("seed_coredns_loop"));
    f.merge(fixture!("seed_ip_addr_summary"));
    f.merge(fixture!("seed_ip_addr_summary"));
    assert_eq!(f.pods.len(), 7);
    assert_eq!(f.restarts_total, Some(9_812 + 892));
    assert!(f.cut_short, "one of the outputs was cut short");
    assert_eq!(f.nodes.len(), 1);
    assert_eq!(f.interfaces.len(), 2, "same interfaces merge by name");
    assert_eq!(f.interfaces[0].ipv4, strs(&["192.168.1.186/24"]));
    assert_eq!(f.ipv4, strs(&["10.43.0.10", "127.0.0.1", "192.168.1.186", "192.168.1.180"]));
    assert_eq!(f.errors.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["nxdomain", "coredns_loop"]);
    assert_eq!(
        f.summary(),
        "7 pods (listing cut short), 7 not ready, 10,704 restarts; convocanvas/convocanvas-7d4b9c8f6-xk2p9 CrashLoopBackOff; \
         1 node, all Ready; 2 interfaces (enp6s0 192.168.1.186/24, wlp5s0 192.168.1.180/24); \
         CoreDNS loop (127.0.0.1:53 -> :53) in zone \".\"; 2 errors: 1 nxdomain, 1 coredns_loop"
    );
    let mut empty = Facts::default();
    empty.merge(Facts::default());
    assert!(empty.is_empty());
    assert_eq!(empty.restarts_total, None);
}

#[test]
fn summary_edges() {
    assert_eq!(Facts::default().summary(), "");
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(6812), "6,812");
    assert_eq!(thousands(1_234_567), "1,234,567");
    let f = extract("only 10.1.2.3 and fe80::1 here", Hint::Auto);
    assert_eq!(f.summary(), "1 IPv4 address, 1 IPv6 address");
}
