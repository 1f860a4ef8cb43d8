//! A node as `kubectl get nodes -o wide` prints it, plus all its addresses and the
//! conditions that are not as they should be.

use k8s_openapi::api::core::v1::Node as ApiNode;

use super::age::age;
use super::summary::Node;

const ROLE_PREFIX: &str = "node-role.kubernetes.io/";

pub fn summarise_node(node: &ApiNode, now: i64) -> Node {
    let meta = &node.metadata;
    let status = node.status.as_ref();
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let mut state = match conditions.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        state.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = &meta.labels {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix(ROLE_PREFIX).filter(|r| !r.is_empty()) {
                roles.push(role.to_string());
            } else if k == "kubernetes.io/role" && !v.is_empty() {
                roles.push(v.clone());
            }
        }
    }
    roles.sort();
    roles.dedup();
    let addresses = status.and_then(|s| s.addresses.as_deref()).unwrap_or(&[]);
    let first = |kind: &str| addresses.iter().find(|a| a.type_ == kind).map(|a| a.address.clone());
    let bad_conditions = conditions
        .iter()
        .filter(|c| if c.type_ == "Ready" { c.status != "True" } else { c.status != "False" })
        .map(|c| match c.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => format!("{}={} ({r})", c.type_, c.status),
            None => format!("{}={}", c.type_, c.status),
        })
        .collect();
    Node {
        name: meta.name.clone().unwrap_or_default(),
        status: state,
        roles,
        age: age(meta.creation_timestamp.as_ref().map(|t| t.0), now),
        version: status.and_then(|s| s.node_info.as_ref()).map(|i| i.kubelet_version.clone()).unwrap_or_default(),
        internal_ip: Some(first("InternalIP")),
        external_ip: Some(first("ExternalIP")),
        uid: meta.uid.clone(),
        addresses: addresses.iter().map(|a| format!("{}={}", a.type_, a.address)).collect(),
        conditions: bad_conditions,
    }
}
