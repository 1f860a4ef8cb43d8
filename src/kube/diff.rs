//! What changed between two snapshots: node addresses (first: that is where a DHCP
//! lease shows), Ready and versions; pods added, removed, recreated, and their status;
//! restarts since; new Warning events. Pure.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::restarts::{PodRestarts, restart_increase};
use super::summary::{Pod, Summary, WarningEvent};
use crate::format::thousands;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub nodes: Vec<NodeChange>,
    pub pods_added: Vec<PodRef>,
    pub pods_removed: Vec<PodRef>,
    /// Same namespace and name, new UID.
    pub pods_recreated: Vec<Recreated>,
    pub status_changes: Vec<StatusChange>,
    pub restarts: Vec<PodRestarts>,
    pub restarts_increase: u64,
    pub restarts_total_before: Option<u64>,
    pub restarts_total_after: Option<u64>,
    pub new_warnings: Vec<WarningEvent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeChange {
    pub node: String,
    /// `address`, `ready`, `version`, `added`, `removed`.
    pub what: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodRef {
    pub namespace: Option<String>,
    pub name: String,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recreated {
    pub namespace: Option<String>,
    pub name: String,
    pub old_uid: Option<String>,
    pub new_uid: Option<String>,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub namespace: Option<String>,
    pub name: String,
    pub from: String,
    pub to: String,
    pub ready_from: String,
    pub ready_to: String,
}

type Key<'a> = (Option<&'a str>, &'a str);

fn key(p: &Pod) -> Key<'_> {
    (p.namespace.as_deref(), p.name.as_str())
}

pub fn diff(a: &Summary, b: &Summary) -> Diff {
    let mut d =
        Diff { restarts_total_before: a.restarts_total, restarts_total_after: b.restarts_total, ..Diff::default() };
    // Nodes.
    for nb in &b.nodes {
        let Some(na) = a.nodes.iter().find(|n| n.name == nb.name) else {
            d.nodes.push(NodeChange {
                node: nb.name.clone(),
                what: "added".into(),
                from: None,
                to: nb.primary_ip().map(Into::into),
            });
            continue;
        };
        let (ipa, ipb) = (na.primary_ip(), nb.primary_ip());
        if ipa != ipb {
            d.nodes.push(NodeChange {
                node: nb.name.clone(),
                what: "address".into(),
                from: ipa.map(Into::into),
                to: ipb.map(Into::into),
            });
        }
        if na.status != nb.status {
            d.nodes.push(NodeChange {
                node: nb.name.clone(),
                what: "ready".into(),
                from: Some(na.status.clone()),
                to: Some(nb.status.clone()),
            });
        }
        if na.version != nb.version {
            d.nodes.push(NodeChange {
                node: nb.name.clone(),
                what: "version".into(),
                from: Some(na.version.clone()),
                to: Some(nb.version.clone()),
            });
        }
    }
    for na in a.nodes.iter().filter(|na| !b.nodes.iter().any(|nb| nb.name == na.name)) {
        d.nodes.push(NodeChange {
            node: na.name.clone(),
            what: "removed".into(),
            from: na.primary_ip().map(Into::into),
            to: None,
        });
    }
    // Pods: same name = same pod for status; same UID = same pod for restarts.
    let before: HashMap<Key, &Pod> = a.pods.iter().map(|p| (key(p), p)).collect();
    let after: HashSet<Key> = b.pods.iter().map(key).collect();
    for pb in &b.pods {
        match before.get(&key(pb)) {
            None => d.pods_added.push(PodRef {
                namespace: pb.namespace.clone(),
                name: pb.name.clone(),
                status: pb.status.clone(),
            }),
            Some(pa) => {
                if pa.uid.is_some() && pb.uid.is_some() && pa.uid != pb.uid {
                    d.pods_recreated.push(Recreated {
                        namespace: pb.namespace.clone(),
                        name: pb.name.clone(),
                        old_uid: pa.uid.clone(),
                        new_uid: pb.uid.clone(),
                        status: pb.status.clone(),
                    });
                }
                if pa.status != pb.status || pa.ready != pb.ready {
                    d.status_changes.push(StatusChange {
                        namespace: pb.namespace.clone(),
                        name: pb.name.clone(),
                        from: pa.status.clone(),
                        to: pb.status.clone(),
                        ready_from: pa.ready.clone(),
                        ready_to: pb.ready.clone(),
                    });
                }
            }
        }
    }
    for pa in a.pods.iter().filter(|p| !after.contains(&key(p))) {
        d.pods_removed.push(PodRef {
            namespace: pa.namespace.clone(),
            name: pa.name.clone(),
            status: pa.status.clone(),
        });
    }
    d.restarts = restart_increase(a, b);
    d.restarts_increase = d.restarts.iter().map(|r| r.increase).sum();
    // Warnings new since A, or seen more often.
    let seen: HashMap<_, u64> = a.warnings.iter().map(|w| (w.key(), w.count)).collect();
    for w in &b.warnings {
        match seen.get(&w.key()) {
            None => d.new_warnings.push(w.clone()),
            Some(&was) if w.count > was => d.new_warnings.push(WarningEvent { count: w.count - was, ..w.clone() }),
            _ => {}
        }
    }
    d
}

fn pod_name(ns: &Option<String>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
            && self.pods_added.is_empty()
            && self.pods_removed.is_empty()
            && self.pods_recreated.is_empty()
            && self.status_changes.is_empty()
            && self.restarts.is_empty()
            && self.new_warnings.is_empty()
    }

    /// Lines for a person, most telling first: node addresses lead.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
        for order in ["address", "ready", "version", "added", "removed"] {
            for c in self.nodes.iter().filter(|c| c.what == order) {
                out.push(match order {
                    "address" => format!("node {} IP changed from {} to {}", c.node, none(&c.from), none(&c.to)),
                    "ready" => format!("node {} went from {} to {}", c.node, none(&c.from), none(&c.to)),
                    "version" => format!("node {} version changed from {} to {}", c.node, none(&c.from), none(&c.to)),
                    "added" => format!("node {} joined ({})", c.node, none(&c.to)),
                    _ => format!("node {} is gone (was {})", c.node, none(&c.from)),
                });
            }
        }
        if self.restarts_increase > 0 || self.restarts_total_before != self.restarts_total_after {
            let totals = match (self.restarts_total_before, self.restarts_total_after) {
                (Some(a), Some(b)) => {
                    format!(" (RESTARTS column total {} → {})", thousands(a), thousands(b))
                }
                _ => String::new(),
            };
            out.push(format!(
                "{} restarts since the earlier snapshot in {}{totals}",
                thousands(self.restarts_increase),
                super::summary::plural(self.restarts.len(), "pod")
            ));
            for r in self.restarts.iter().take(10) {
                let per: Vec<String> = r.containers.iter().map(|(c, n)| format!("{c} +{n}")).collect();
                let new = if r.new_pod { ", new pod" } else { "" };
                let per = if per.is_empty() { String::new() } else { format!(" ({})", per.join(", ")) };
                out.push(format!("  +{} {}{per}{new}", thousands(r.increase), pod_name(&r.namespace, &r.name)));
            }
        }
        for r in &self.pods_recreated {
            out.push(format!("pod {} was recreated (new UID), now {}", pod_name(&r.namespace, &r.name), r.status));
        }
        for s in &self.status_changes {
            out.push(format!(
                "pod {} {} {} → {} {}",
                pod_name(&s.namespace, &s.name),
                s.ready_from,
                s.from,
                s.ready_to,
                s.to
            ));
        }
        for p in &self.pods_added {
            out.push(format!("pod {} added ({})", pod_name(&p.namespace, &p.name), p.status));
        }
        for p in &self.pods_removed {
            out.push(format!("pod {} removed (was {})", pod_name(&p.namespace, &p.name), p.status));
        }
        for w in self.new_warnings.iter().take(20) {
            out.push(format!(
                "Warning {} ×{} on {}{}: {}",
                w.reason,
                w.count,
                w.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default(),
                w.object,
                crate::format::first_line(&w.message, 100)
            ));
        }
        if out.is_empty() {
            out.push("no changes".to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::tests::seed;

    #[test]
    fn the_node_ip_change_comes_first() {
        let a = seed();
        let mut b = seed();
        b.nodes[0].internal_ip = Some(Some("192.168.1.186".into()));
        b.nodes[0].addresses = vec!["InternalIP=192.168.1.186".into(), "Hostname=leveling-pc".into()];
        let coredns = b.pods.iter_mut().find(|p| p.name.starts_with("coredns")).unwrap();
        coredns.uid = Some("new-uid".into());
        coredns.restarts = 0;
        coredns.containers.clear();
        coredns.status = "Running".into();
        coredns.ready = "1/1".into();
        let web = b.pods.iter_mut().find(|p| p.name == "convocanvas-7d4b9c8f6-xk2p9").unwrap();
        web.restarts += 5;
        web.containers[0].restarts += 5;
        b.restarts_total = Some(b.pods.iter().map(|p| p.restarts).sum());
        let d = diff(&a, &b);
        let lines = d.lines();
        assert_eq!(lines[0], "node leveling-pc IP changed from 192.168.1.79 to 192.168.1.186");
        assert_eq!(lines[1], "5 restarts since the earlier snapshot in 1 pod (RESTARTS column total 6,812 → 5,925)");
        assert_eq!(lines[2], "  +5 convocanvas/convocanvas-7d4b9c8f6-xk2p9 (convocanvas +5)");
        assert_eq!(lines[3], "pod kube-system/coredns-7b8c7b8d4-x9k2p was recreated (new UID), now Running");
        assert_eq!(lines[4], "pod kube-system/coredns-7b8c7b8d4-x9k2p 0/1 CrashLoopBackOff → 1/1 Running");
        assert_eq!(d.restarts_increase, 5);
        assert!(diff(&a, &a).is_empty());
        assert_eq!(diff(&a, &a).lines(), ["no changes"]);
    }

    #[test]
    fn warnings_new_or_more_often() {
        let a = seed();
        let mut b = seed();
        b.warnings[0].count += 3;
        b.warnings.push(WarningEvent {
            object: "Pod/x".into(),
            reason: "Failed".into(),
            count: 1,
            ..WarningEvent::default()
        });
        let d = diff(&a, &b);
        assert_eq!(d.new_warnings.len(), 2);
        assert_eq!(d.new_warnings[0].count, 3);
    }
}
