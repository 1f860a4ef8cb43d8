//! `kubectl get nodes`, plain and `-o wide`.

use super::{fixture, strs};
use crate::extract::{Hint, Node, extract};

#[test]
fn seed_node() {
    let f = fixture!("seed_nodes");
    assert_eq!(
        f.nodes,
        [Node {
            name: "leveling-pc".into(),
            status: "Ready".into(),
            roles: strs(&["control-plane", "master"]),
            age: "3d".into(),
            version: "v1.30.5+k3s1".into(),
            internal_ip: None,
            external_ip: None,
            ..Node::default()
        }]
    );
    assert!(f.ipv4.is_empty(), "v1.30.5+k3s1 is not an address");
    assert_eq!(f.summary(), "1 node, all Ready");
}

#[test]
fn not_ready_node_and_kubectl_errors() {
    let f = fixture!("korvus_2_nodes_notready_and_errors");
    let st: Vec<(&str, &str)> = f.nodes.iter().map(|n| (n.name.as_str(), n.status.as_str())).collect();
    assert_eq!(st, [("node0", "NotReady"), ("node1", "Ready"), ("node2", "Ready")]);
    assert_eq!(f.nodes[0].roles, strs(&["master"]));
    assert!(f.nodes[1].roles.is_empty(), "<none> roles are an empty list");
    let kinds: Vec<(&str, u64, Option<&str>)> =
        f.errors.iter().map(|e| (e.kind.as_str(), e.line, e.endpoint.as_deref())).collect();
    assert_eq!(kinds, [("connection_refused", 8, Some("127.0.0.1:6443")), ("service_unavailable", 10, None)]);
    assert_eq!(f.summary(), "3 nodes, 1 not ready (node0); 2 errors: 1 connection_refused, 1 service_unavailable");
}

#[test]
fn k3s_roles() {
    let f = fixture!("osism_1912_nodes_k3s");
    assert_eq!(f.nodes.len(), 4);
    assert_eq!(f.nodes[3].name, "testbed-manager");
    assert_eq!(f.nodes[3].roles, strs(&["control-plane", "master"]));
    assert!(f.nodes[..3].iter().all(|n| n.roles.is_empty() && n.version == "v1.27.3+k3s1"));
}

#[test]
fn wide_with_none_external_ip() {
    let f = fixture!("danm_135_nodes_wide");
    type Cells<'a> = (Option<Option<&'a str>>, Option<Option<&'a str>>);
    let ips: Vec<Cells> = f
        .nodes
        .iter()
        .map(|n| (n.internal_ip.as_ref().map(|o| o.as_deref()), n.external_ip.as_ref().map(|o| o.as_deref())))
        .collect();
    assert_eq!(
        ips,
        [
            (Some(Some("172.16.16.10")), Some(None)),
            (Some(Some("172.16.16.11")), Some(None)),
            (Some(Some("172.16.16.12")), Some(None)),
        ]
    );
    let json = serde_json::to_value(&f.nodes[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"name":"master","status":"Ready","roles":["master"],"age":"2d",
            "version":"v1.15.2","internal_ip":"172.16.16.10","external_ip":null})
    );
    // 4.9.0-6-amd64 (kernel) and 19.3.1 (docker) are not addresses.
    assert_eq!(f.ipv4, strs(&["172.16.16.10", "172.16.16.11", "172.16.16.12"]));
}

#[test]
fn wide_k3s_with_external_ips() {
    let f = fixture!("equinix_87_nodes_wide_k3s");
    assert_eq!(f.nodes.len(), 4);
    assert_eq!(f.nodes[0].external_ip, Some(Some("139.178.70.53".into())));
    assert_eq!(f.nodes[3].internal_ip, Some(Some("10.67.34.133".into())));
    assert_eq!(f.nodes[0].roles, strs(&["control-plane", "etcd", "master"]));
    assert_eq!(f.ipv4.len(), 8);
}

#[test]
fn old_kubectl_without_roles_and_scheduling_disabled() {
    let text = "NAME      STATUS                     AGE       VERSION\n\
                node-1    Ready,SchedulingDisabled   12d       v1.8.4\n\
                node-2    Unknown                    12d       v1.8.4\n";
    let f = extract(text, Hint::Nodes);
    assert_eq!(f.nodes.len(), 2);
    assert_eq!(f.nodes[0].status, "Ready,SchedulingDisabled");
    assert!(f.nodes[0].roles.is_empty());
    assert_eq!(f.nodes[1].age, "12d");
    assert_eq!(f.summary(), "2 nodes, 1 not ready (node-2)");
}
