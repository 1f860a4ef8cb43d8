//! The usual suspects, as a senior responder checks them: the node's registered IP
//! against the host's addresses, CoreDNS's loop detector, crash-looping pods by
//! reason, NotReady nodes, kube-dns without endpoints, and Warning events about to
//! expire. Pure: evidence in, findings out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::summary::{Summary, pod_is_healthy};
use crate::format::thousands;

/// The API server keeps core events this long unless `--event-ttl` says otherwise.
pub const EVENT_TTL_SECS: i64 = 3600;
/// Events this close to expiry are worth keeping now.
pub const EXPIRY_WARNING_SECS: i64 = 15 * 60;

/// An address on one of the host's interfaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostAddr {
    /// The host the address was seen on (a step's `host`, or this machine).
    pub host: String,
    pub iface: String,
    /// Without the prefix length.
    pub addr: String,
    /// Where it was seen: `local interfaces` or a step id.
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    pub summary: &'a Summary,
    pub host_addrs: Vec<HostAddr>,
    /// (pod, log text) of CoreDNS pods.
    pub coredns_logs: Vec<(String, String)>,
    /// The coredns ConfigMap's Corefile.
    pub corefile: Option<String>,
    /// Unix seconds.
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `node_ip_drift`, `coredns_loop`, `crashloop`, `node_not_ready`, `dns_no_endpoints`, `events_expiring`.
    pub kind: String,
    pub title: String,
    pub evidence: Vec<String>,
    /// What to run or change next.
    pub next: String,
}

impl<'a> Evidence<'a> {
    pub fn new(summary: &'a Summary, now: i64) -> Evidence<'a> {
        Evidence { summary, host_addrs: Vec::new(), coredns_logs: Vec::new(), corefile: None, now }
    }
}

pub fn findings(ev: &Evidence) -> Vec<Finding> {
    let mut out = Vec::new();
    node_ip_drift(ev, &mut out);
    coredns_loop(ev, &mut out);
    not_ready(ev, &mut out);
    crashloops(ev, &mut out);
    dns_endpoints(ev, &mut out);
    flannel_subnet(ev, &mut out);
    expiring_events(ev, &mut out);
    out
}

fn node_ip_drift(ev: &Evidence, out: &mut Vec<Finding>) {
    let nodes = &ev.summary.nodes;
    for node in nodes {
        let Some(registered) = node.primary_ip() else { continue };
        // The host's addresses: seen on a host of the node's name; on a single-node
        // cluster, else the newest capture's host, named, as it may not be the node.
        let mut mine: Vec<&HostAddr> = ev.host_addrs.iter().filter(|a| a.host == node.name).collect();
        let mut other_host = None;
        if mine.is_empty()
            && nodes.len() == 1
            && let Some(first) = ev.host_addrs.first()
        {
            mine = ev.host_addrs.iter().filter(|a| a.host == first.host).collect();
            other_host = Some(first.host.as_str());
        }
        if mine.is_empty() || mine.iter().any(|a| a.addr == registered) {
            continue;
        }
        // IPv4 on a real interface: the addresses a node could register with (not
        // loopback, link-local, or the CNI's and container runtime's own bridges).
        let candidates: Vec<&&HostAddr> = mine
            .iter()
            .filter(|a| !a.addr.contains(':') && !a.addr.starts_with("127.") && !a.addr.starts_with("169.254."))
            .filter(|a| !VIRTUAL_IFACES.iter().any(|p| a.iface.starts_with(p)))
            .collect();
        let listed: Vec<String> = candidates.iter().map(|a| format!("{} ({})", a.addr, a.iface)).collect();
        let has = if listed.is_empty() { "no IPv4 address on a real interface".to_string() } else { listed.join(", ") };
        let mut evidence = vec![
            format!("node {} is registered with InternalIP {registered}", node.name),
            match other_host {
                Some(h) => format!("host {h} has {has} (from {})", mine[0].source),
                None => format!("the host has {has} (from {})", mine[0].source),
            },
        ];
        if let Some(h) = other_host {
            evidence.push(format!(
                "the addresses are from host {h}, not from a host named {}: if {h} is not the node, this does not apply",
                node.name
            ));
        }
        if let Some(same_net) = candidates.iter().find(|a| same_subnet24(&a.addr, registered)) {
            evidence.push(format!(
                "{} is on the same /24 as {registered}: DHCP probably gave the host a new lease",
                same_net.addr
            ));
        }
        let pick = candidates.iter().find(|a| same_subnet24(&a.addr, registered)).or(candidates.first());
        let next = match pick {
            Some(a) => format!(
                "pin the node's address so a new lease cannot move it: add `--node-ip={} --flannel-iface={}` to k3s (systemctl edit k3s), then `sudo systemctl restart k3s`",
                a.addr, a.iface
            ),
            None => "pin the node's address with --node-ip and --flannel-iface, then restart k3s".to_string(),
        };
        out.push(Finding {
            kind: "node_ip_drift".into(),
            title: match other_host {
                Some(h) => {
                    format!("node {} is registered as {registered}, an address host {h} does not have", node.name)
                }
                None => format!("node {} is registered as {registered}, an address this host no longer has", node.name),
            },
            evidence,
            next,
        });
    }
}

/// Interfaces that Kubernetes networking and container runtimes make on a node.
const VIRTUAL_IFACES: [&str; 14] = [
    "lo", "flannel", "cni", "veth", "cali", "docker", "br-", "virbr", "tunl", "vxlan", "kube-", "cilium", "weave",
    "genev",
];

fn same_subnet24(a: &str, b: &str) -> bool {
    let net = |s: &str| s.rsplit_once('.').map(|(n, _)| n.to_string());
    net(a).is_some() && net(a) == net(b)
}

fn coredns_loop(ev: &Evidence, out: &mut Vec<Finding>) {
    let mut evidence = Vec::new();
    for (pod, log) in &ev.coredns_logs {
        if let Some(line) = log.lines().find(|l| l.contains("plugin/loop") && l.contains("Loop")) {
            evidence.push(format!("{pod}: {}", line.trim()));
        }
    }
    let upstream = ev.corefile.as_deref().and_then(loopback_upstream);
    if let Some(up) = &upstream {
        evidence.push(format!("the Corefile forwards to {up}, an address on the node itself"));
    }
    if evidence.is_empty() {
        return;
    }
    out.push(Finding {
        kind: "coredns_loop".into(),
        title: "CoreDNS detected a forwarding loop: DNS queries come back to CoreDNS".into(),
        evidence,
        next: "check the node's /etc/resolv.conf (a 127.0.0.53 stub sends CoreDNS back to itself): point k3s at a real resolver with `--resolv-conf /run/systemd/resolve/resolv.conf`, or set `forward . 1.1.1.1` in the coredns ConfigMap; then `kubectl -n kube-system rollout restart deploy/coredns`".into(),
    });
}

/// A `forward` (or `proxy`) to 127.0.0.0/8 in a Corefile.
pub fn loopback_upstream(corefile: &str) -> Option<String> {
    for line in corefile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["forward" | "proxy", _zone, upstreams @ ..] = words.as_slice() {
            for up in upstreams {
                let host = up.trim_start_matches("dns://");
                if host.starts_with("127.") {
                    return Some(host.trim_end_matches('{').to_string());
                }
            }
        }
    }
    None
}

fn not_ready(ev: &Evidence, out: &mut Vec<Finding>) {
    for n in ev.summary.nodes.iter().filter(|n| !n.is_ready()) {
        let mut evidence = vec![format!("{} {} (kubelet {})", n.name, n.status, n.version)];
        evidence.extend(n.conditions.iter().map(|c| format!("condition {c}")));
        out.push(Finding {
            kind: "node_not_ready".into(),
            title: format!("node {} is {}", n.name, n.status),
            evidence,
            next: format!("kubectl describe node {}; on the node: journalctl -u k3s --since '30 min ago'", n.name),
        });
    }
}

fn crashloops(ev: &Evidence, out: &mut Vec<Finding>) {
    let mut by_reason: BTreeMap<&str, Vec<&super::summary::Pod>> = BTreeMap::new();
    for p in ev.summary.pods.iter().filter(|p| !pod_is_healthy(p) && (p.restarts > 0 || is_failure(&p.status))) {
        by_reason.entry(p.status.as_str()).or_default().push(p);
    }
    if by_reason.is_empty() {
        return;
    }
    let pods: usize = by_reason.values().map(Vec::len).sum();
    let restarts: u64 = by_reason.values().flatten().map(|p| p.restarts).sum();
    let mut evidence = Vec::new();
    let mut worst: Option<&super::summary::Pod> = None;
    for (reason, list) in &by_reason {
        let mut list = list.clone();
        list.sort_by_key(|p| std::cmp::Reverse(p.restarts));
        let names: Vec<String> = list
            .iter()
            .take(5)
            .map(|p| format!("{}/{} ({})", p.namespace.as_deref().unwrap_or("-"), p.name, thousands(p.restarts)))
            .collect();
        let more = if list.len() > 5 { format!(", … {} more", list.len() - 5) } else { String::new() };
        evidence.push(format!("{reason} ×{}: {}{more}", list.len(), names.join(", ")));
        let last: Vec<String> = list
            .iter()
            .flat_map(|p| p.containers.iter().filter_map(|c| c.last_reason.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !last.is_empty() {
            evidence.push(format!("  their containers last ended with: {}", last.join(", ")));
        }
        if worst.is_none_or(|w| list[0].restarts > w.restarts) {
            worst = Some(list[0]);
        }
    }
    let next = match worst {
        Some(p) => format!(
            "kubectl logs -n {} {} --previous (the crash before the current one); many pods failing at once points at the cluster (DNS, network), not the apps",
            p.namespace.as_deref().unwrap_or("default"),
            p.name
        ),
        None => "kubectl get pods -A".to_string(),
    };
    out.push(Finding {
        kind: "crashloop".into(),
        title: format!(
            "{} crash-looping or failing, {} restarts",
            super::summary::plural(pods, "pod"),
            thousands(restarts)
        ),
        evidence,
        next,
    });
}

fn is_failure(status: &str) -> bool {
    matches!(status, "Error" | "CrashLoopBackOff" | "OOMKilled" | "ImagePullBackOff" | "ErrImagePull")
        || status.starts_with("Init:")
        || status.starts_with("ExitCode:")
        || status.starts_with("Signal:")
}

fn dns_endpoints(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some(dns) = &ev.summary.dns else { return };
    if !dns.ready.is_empty() {
        return;
    }
    let mut evidence = vec![format!("{} has no ready endpoints", dns.service)];
    if !dns.not_ready.is_empty() {
        evidence.push(format!("not ready: {}", dns.not_ready.join(", ")));
    }
    out.push(Finding {
        kind: "dns_no_endpoints".into(),
        title: format!(
            "cluster DNS ({}) has no ready endpoints: every name lookup in the cluster fails",
            dns.cluster_ip.as_deref().unwrap_or("kube-dns")
        ),
        evidence,
        next: "kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50".into(),
    });
}

/// Pod sandboxes that cannot get a network because flannel never wrote its lease.
fn flannel_subnet(ev: &Evidence, out: &mut Vec<Finding>) {
    let hits: Vec<&super::summary::WarningEvent> =
        ev.summary.warnings.iter().filter(|w| w.message.contains("subnet.env")).collect();
    if hits.is_empty() {
        return;
    }
    let evidence = hits
        .iter()
        .take(5)
        .map(|w| {
            format!(
                "{} ×{} on {}{}: {}",
                w.reason,
                w.count,
                w.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default(),
                w.object,
                crate::format::first_line(&w.message, 160)
            )
        })
        .collect();
    out.push(Finding {
        kind: "flannel_subnet_env".into(),
        title: "flannel's /run/flannel/subnet.env is missing: new pods get no network".into(),
        evidence,
        next: "on the node: ls -l /run/flannel/subnet.env; journalctl -u k3s | grep -i flannel (flannel could not start: a changed node IP or interface is the usual cause)".into(),
    });
}

fn expiring_events(ev: &Evidence, out: &mut Vec<Finding>) {
    let mut soon = Vec::new();
    for w in &ev.summary.warnings {
        let Some(last) = w.last_seen.as_deref().and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok()) else {
            continue;
        };
        let left = last.as_second() + EVENT_TTL_SECS - ev.now;
        if (0..=EXPIRY_WARNING_SECS).contains(&left) {
            soon.push((left, w));
        }
    }
    if soon.is_empty() {
        return;
    }
    soon.sort_by_key(|(left, _)| *left);
    let evidence = soon
        .iter()
        .take(10)
        .map(|(left, w)| {
            format!(
                "{} on {}{} expires in {} min",
                w.reason,
                w.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default(),
                w.object,
                left / 60
            )
        })
        .collect();
    out.push(Finding {
        kind: "events_expiring".into(),
        title: format!(
            "{} expire within {} min (the API server keeps events one hour)",
            super::summary::plural(soon.len(), "Warning event"),
            EXPIRY_WARNING_SECS / 60
        ),
        evidence,
        next: "incident snapshot (keeps them in the vault)".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::tests::{SEED_NOW, fixture, seed};

    fn addr(host: &str, iface: &str, addr: &str) -> HostAddr {
        HostAddr { host: host.into(), iface: iface.into(), addr: addr.into(), source: "ip addr".into() }
    }

    #[test]
    fn the_seed_story_in_findings() {
        let s = seed();
        let ev = Evidence {
            summary: &s,
            host_addrs: vec![
                addr("leveling-pc", "lo", "127.0.0.1"),
                addr("leveling-pc", "enp6s0", "192.168.1.186"),
                addr("leveling-pc", "wlp5s0", "192.168.1.180"),
                addr("leveling-pc", "cni0", "10.42.0.1"),
            ],
            coredns_logs: vec![("kube-system/coredns-7b8c7b8d4-x9k2p".into(), fixture("seed_coredns.log"))],
            corefile: None,
            now: SEED_NOW,
        };
        let f = findings(&ev);
        let kinds: Vec<&str> = f.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["node_ip_drift", "coredns_loop", "crashloop", "dns_no_endpoints"]);
        assert_eq!(f[0].title, "node leveling-pc is registered as 192.168.1.79, an address this host no longer has");
        assert_eq!(f[0].evidence[1], "the host has 192.168.1.186 (enp6s0), 192.168.1.180 (wlp5s0) (from ip addr)");
        assert!(f[0].next.contains("--node-ip=192.168.1.186 --flannel-iface=enp6s0"), "{}", f[0].next);
        assert!(f[1].evidence[0].starts_with(
            "kube-system/coredns-7b8c7b8d4-x9k2p: [FATAL] plugin/loop: Loop (127.0.0.1:53 -> :53) detected"
        ));
        assert_eq!(f[2].title, "5 pods crash-looping or failing, 6,812 restarts");
        assert_eq!(
            f[2].evidence[0],
            "CrashLoopBackOff ×4: convocanvas/convocanvas-7d4b9c8f6-xk2p9 (1,842), convocanvas/convocanvas-7d4b9c8f6-m8k4l (1,839), ollama/ollama-5f7c9d8b4-p2k8n (1,756), kube-system/coredns-7b8c7b8d4-x9k2p (892)"
        );
        assert_eq!(f[2].evidence[1], "  their containers last ended with: Error, OOMKilled");
        assert!(f[2].next.starts_with("kubectl logs -n convocanvas convocanvas-7d4b9c8f6-xk2p9 --previous"));
        // A capture from another host of a single-node cluster: named, never taken for the node's.
        let vm = Evidence {
            host_addrs: vec![addr("vm", "eth0", "10.0.2.15"), addr("leveling-pc", "enp6s0", "192.168.1.79")],
            ..ev.clone()
        };
        assert!(findings(&vm).iter().all(|f| f.kind != "node_ip_drift"));
        let vm = Evidence { host_addrs: vec![addr("vm", "eth0", "10.0.2.15")], ..ev.clone() };
        let drift = findings(&vm).into_iter().find(|f| f.kind == "node_ip_drift").unwrap();
        assert_eq!(drift.title, "node leveling-pc is registered as 192.168.1.79, an address host vm does not have");
        assert_eq!(
            drift.evidence[2],
            "the addresses are from host vm, not from a host named leveling-pc: if vm is not the node, this does not apply"
        );
        // The registered address still on the host: no drift.
        let ok = Evidence { host_addrs: vec![addr("leveling-pc", "enp6s0", "192.168.1.79")], ..ev };
        assert!(findings(&ok).iter().all(|f| f.kind != "node_ip_drift"));
    }

    #[test]
    fn events_close_to_their_hour_are_flagged() {
        let s = seed();
        // The seed's warnings were last seen at 13:15:09Z; at 14:05 they have 10 min left.
        let ev = Evidence::new(&s, SEED_NOW + 42 * 60);
        let f = findings(&ev);
        let e = f.iter().find(|f| f.kind == "events_expiring").unwrap();
        assert_eq!(e.title, "4 Warning events expire within 15 min (the API server keeps events one hour)");
        assert!(e.evidence[0].ends_with("expires in 10 min"), "{:?}", e.evidence);
        let early = Evidence::new(&s, SEED_NOW);
        assert!(findings(&early).iter().all(|f| f.kind != "events_expiring"));
    }

    #[test]
    fn a_missing_flannel_lease_is_named() {
        let mut s = seed();
        s.warnings.push(crate::kube::WarningEvent {
            namespace: Some("default".into()),
            object: "Pod/web-0".into(),
            reason: "FailedCreatePodSandBox".into(),
            message: "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"4f1c\": plugin type=\"flannel\" failed (add): failed to load flannel 'subnet.env' file: open /run/flannel/subnet.env: no such file or directory".into(),
            count: 12,
            last_seen: None,
        });
        let f = findings(&Evidence::new(&s, SEED_NOW));
        let hit = f.iter().find(|f| f.kind == "flannel_subnet_env").unwrap();
        assert!(
            hit.evidence[0]
                .starts_with("FailedCreatePodSandBox ×12 on default/Pod/web-0: Failed to create pod sandbox")
        );
    }

    #[test]
    fn loopback_upstreams_in_a_corefile() {
        assert_eq!(loopback_upstream(".:53 {\n    forward . 127.0.0.53\n}\n").as_deref(), Some("127.0.0.53"));
        assert_eq!(loopback_upstream("    proxy . 127.0.1.1:53").as_deref(), Some("127.0.1.1:53"));
        assert_eq!(loopback_upstream("    forward . /etc/resolv.conf"), None);
        assert_eq!(loopback_upstream("    forward . 8.8.8.8 dns://127.0.0.1"), Some("127.0.0.1".into()));
    }
}
