//! What `incident watch` remembers and reports: the latest row of every pod and node,
//! and what changed since the last step, coalesced (a crash loop adds to a counter, it
//! never writes a step per restart). Pure: the command feeds it watcher events and asks
//! for a summary once per interval. Memory is one row per live pod and node, one
//! count per live event.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::core::v1::{Event as ApiEvent, Node as ApiNode, Pod as ApiPod};

use super::nodes::summarise_node;
use super::pods::summarise_pod;
use super::restarts::pod_increase;
use super::summary::{Node, Pod, plural, pod_is_healthy};
use crate::format::thousands;

/// Retries after losing the server: 500 ms, doubling up to 5 s, for ever. Shorter than
/// kube's default (up to 30 s): during an outage the responder wants to see the server
/// the moment it is back. Reset only by what the server sent (see [`super::pace`]).
#[derive(Clone, Debug)]
pub struct Retry {
    next: std::time::Duration,
    first: std::time::Duration,
    max: std::time::Duration,
}

impl Retry {
    pub const FIRST: std::time::Duration = std::time::Duration::from_millis(500);
    pub const MAX: std::time::Duration = std::time::Duration::from_secs(5);

    pub fn new() -> Retry {
        Retry::starting(Retry::FIRST, Retry::MAX)
    }

    pub fn starting(first: std::time::Duration, max: std::time::Duration) -> Retry {
        Retry { next: first, first, max }
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

impl Default for Retry {
    fn default() -> Self {
        Retry::new()
    }
}

impl Iterator for Retry {
    type Item = std::time::Duration;
    fn next(&mut self) -> Option<std::time::Duration> {
        let d = self.next;
        self.next = (d * 2).min(self.max);
        Some(d)
    }
}

/// Which watcher an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feed {
    Pods,
    Nodes,
    Events,
}

#[derive(Debug, Default)]
pub struct Tracker {
    pods: HashMap<String, Pod>,
    nodes: HashMap<String, Node>,
    /// Event uid -> count seen, so a relist does not count old events again.
    events: HashMap<String, u64>,
    /// Feeds whose first list is done; before that, objects are the baseline.
    ready: HashSet<Feed>,
    /// Objects seen during a (re)list, to find those deleted meanwhile.
    listing: HashMap<Feed, HashSet<String>>,
    pending: Pending,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Pending {
    restarts: BTreeMap<String, u64>,
    status: BTreeMap<String, (String, String)>,
    added: Vec<String>,
    deleted: Vec<String>,
    nodes: Vec<String>,
    warnings: BTreeMap<String, u64>,
    updates: u64,
}

/// A watch step's numbers, in its frontmatter under `watch:`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WatchStats {
    /// Objects received (pods, nodes, events).
    pub updates: u64,
    pub restarts: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// In the last step: the whole watch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outages: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relists: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_healthy: Option<u64>,
    /// In the last step: the restarts of the whole watch (`restarts` is the last interval's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restarts_total: Option<u64>,
}

/// What changed over one interval, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub title: String,
    pub lines: Vec<String>,
    pub restarts: u64,
    pub updates: u64,
}

fn pod_key(p: &Pod) -> String {
    format!("{}/{}", p.namespace.as_deref().unwrap_or("-"), p.name)
}

fn uid_or_name(uid: Option<&String>, fallback: String) -> String {
    uid.cloned().unwrap_or(fallback)
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker::default()
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.pods.values()
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    /// How many objects are held: bounded by the cluster, not by the updates.
    pub fn held(&self) -> usize {
        self.pods.len() + self.nodes.len() + self.events.len()
    }

    /// A (re)list starts: objects not seen before it is done were deleted meanwhile.
    pub fn init(&mut self, feed: Feed) {
        self.listing.insert(feed, HashSet::new());
    }

    pub fn init_done(&mut self, feed: Feed) {
        let seen = self.listing.remove(&feed).unwrap_or_default();
        if self.ready.contains(&feed) {
            match feed {
                Feed::Pods => {
                    let gone: Vec<String> = self.pods.keys().filter(|k| !seen.contains(*k)).cloned().collect();
                    for uid in gone {
                        if let Some(p) = self.pods.remove(&uid) {
                            self.pending.deleted.push(pod_key(&p));
                        }
                    }
                }
                Feed::Nodes => {
                    let gone: Vec<String> = self.nodes.keys().filter(|k| !seen.contains(*k)).cloned().collect();
                    for name in gone {
                        self.nodes.remove(&name);
                        self.pending.nodes.push(format!("node {name} is gone"));
                    }
                }
                Feed::Events => self.events.retain(|k, _| seen.contains(k)),
            }
        }
        self.ready.insert(feed);
    }

    fn note_seen(&mut self, feed: Feed, key: &str) {
        if let Some(set) = self.listing.get_mut(&feed) {
            set.insert(key.to_string());
        }
    }

    pub fn apply_pod(&mut self, pod: &ApiPod, now: i64) {
        let row = summarise_pod(pod, now);
        let uid = uid_or_name(row.uid.as_ref(), pod_key(&row));
        self.note_seen(Feed::Pods, &uid);
        let baseline = !self.ready.contains(&Feed::Pods);
        // The first list is where the watch starts, not an update.
        if !baseline {
            self.pending.updates += 1;
        }
        match self.pods.get(&uid) {
            Some(before) if !baseline => {
                let inc = pod_increase(Some(before), &row).increase;
                if inc > 0 {
                    *self.pending.restarts.entry(pod_key(&row)).or_default() += inc;
                }
                if before.status != row.status || before.ready != row.ready {
                    let entry = self
                        .pending
                        .status
                        .entry(pod_key(&row))
                        .or_insert_with(|| (format!("{} {}", before.ready, before.status), String::new()));
                    entry.1 = format!("{} {}", row.ready, row.status);
                }
            }
            None if !baseline => {
                self.pending.added.push(pod_key(&row));
                if row.restarts > 0 {
                    *self.pending.restarts.entry(pod_key(&row)).or_default() += row.restarts;
                }
            }
            _ => {}
        }
        self.pods.insert(uid, row);
    }

    pub fn delete_pod(&mut self, pod: &ApiPod) {
        let key = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or("-"),
            pod.metadata.name.as_deref().unwrap_or("")
        );
        let uid = uid_or_name(pod.metadata.uid.as_ref(), key.clone());
        if self.pods.remove(&uid).is_some() {
            self.pending.deleted.push(key);
        }
    }

    pub fn apply_node(&mut self, node: &ApiNode, now: i64) {
        let row = summarise_node(node, now);
        self.note_seen(Feed::Nodes, &row.name);
        if self.ready.contains(&Feed::Nodes) {
            match self.nodes.get(&row.name) {
                Some(before) => {
                    if before.primary_ip() != row.primary_ip() {
                        self.pending.nodes.push(format!(
                            "node {} IP changed from {} to {}",
                            row.name,
                            before.primary_ip().unwrap_or("none"),
                            row.primary_ip().unwrap_or("none")
                        ));
                    }
                    if before.status != row.status {
                        self.pending
                            .nodes
                            .push(format!("node {} went from {} to {}", row.name, before.status, row.status));
                    }
                }
                None => self.pending.nodes.push(format!("node {} joined", row.name)),
            }
        }
        self.nodes.insert(row.name.clone(), row);
    }

    pub fn delete_node(&mut self, node: &ApiNode) {
        let name = node.metadata.name.clone().unwrap_or_default();
        if self.nodes.remove(&name).is_some() {
            self.pending.nodes.push(format!("node {name} is gone"));
        }
    }

    pub fn apply_event(&mut self, e: &ApiEvent) {
        let uid = e.metadata.uid.clone().unwrap_or_else(|| e.metadata.name.clone().unwrap_or_default());
        self.note_seen(Feed::Events, &uid);
        let count =
            e.count.or_else(|| e.series.as_ref().and_then(|s| s.count)).filter(|c| *c > 0).map_or(1, |c| c as u64);
        let before = self.events.insert(uid, count);
        if !self.ready.contains(&Feed::Events) || e.type_.as_deref() != Some("Warning") {
            return;
        }
        let new = count.saturating_sub(before.unwrap_or(0));
        if new > 0 {
            *self.pending.warnings.entry(e.reason.clone().unwrap_or_default()).or_default() += new;
        }
    }

    pub fn delete_event(&mut self, e: &ApiEvent) {
        if let Some(uid) = &e.metadata.uid {
            self.events.remove(uid);
        }
    }

    /// Everything is Ready: every node Ready, every pod Running and Ready or done.
    pub fn all_ready(&self) -> bool {
        self.ready.contains(&Feed::Pods)
            && !self.pods.is_empty()
            && self.pods.values().all(pod_is_healthy)
            && self.nodes.values().all(Node::is_ready)
    }

    /// What changed since the last call, if anything did; clears it.
    pub fn take_changes(&mut self) -> Option<Changes> {
        let p = std::mem::take(&mut self.pending);
        let restarts: u64 = p.restarts.values().sum();
        let mut lines = p.nodes.clone();
        let mut title_parts = Vec::new();
        if let Some(first) = p.nodes.first() {
            title_parts.push(first.clone());
        }
        if restarts > 0 {
            let mut worst: Vec<(&String, &u64)> = p.restarts.iter().collect();
            worst.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let shown: Vec<String> = worst.iter().take(5).map(|(k, n)| format!("{k} +{}", thousands(**n))).collect();
            let more = if worst.len() > 5 { format!(", … {} more", worst.len() - 5) } else { String::new() };
            lines.push(format!(
                "{} in {}: {}{more}",
                plural(restarts as usize, "restart"),
                plural(worst.len(), "pod"),
                shown.join(", ")
            ));
            title_parts.push(plural(restarts as usize, "restart"));
        }
        for (pod, (from, to)) in &p.status {
            if from != to {
                lines.push(format!("pod {pod}: {from} → {to}"));
            }
        }
        let changed = p.status.values().filter(|(f, t)| f != t).count();
        if changed > 0 {
            title_parts.push(format!("{} changed status", plural(changed, "pod")));
        }
        if !p.added.is_empty() {
            lines.push(format!("{} added: {}", plural(p.added.len(), "pod"), short_list(&p.added)));
            title_parts.push(format!("{} added", plural(p.added.len(), "pod")));
        }
        if !p.deleted.is_empty() {
            lines.push(format!("{} deleted: {}", plural(p.deleted.len(), "pod"), short_list(&p.deleted)));
            title_parts.push(format!("{} deleted", plural(p.deleted.len(), "pod")));
        }
        if !p.warnings.is_empty() {
            let total: u64 = p.warnings.values().sum();
            let by: Vec<String> = p.warnings.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
            lines.push(format!("Warning events: {}", by.join(", ")));
            title_parts.push(format!("{} Warning events", thousands(total as u64)));
        }
        if lines.is_empty() {
            return None;
        }
        Some(Changes { title: title_parts.join("; "), lines, restarts, updates: p.updates })
    }
}

fn short_list(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    let more = if items.len() > 5 { format!(", … {} more", items.len() - 5) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(uid: &str, restarts: i32, state: serde_json::Value, ready: bool) -> ApiPod {
        serde_json::from_value(json!({
            "metadata": {"name": "web-1", "namespace": "app", "uid": uid},
            "spec": {"containers": [{"name": "web"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "web", "restartCount": restarts, "ready": ready, "state": state}]}
        }))
        .unwrap()
    }

    fn crashing(uid: &str, restarts: i32) -> ApiPod {
        pod(uid, restarts, json!({"waiting": {"reason": "CrashLoopBackOff"}}), false)
    }

    #[test]
    fn a_crash_loop_is_one_counter_not_a_step_per_restart() {
        let mut t = Tracker::new();
        t.init(Feed::Pods);
        t.apply_pod(&crashing("u1", 100), 0);
        t.init_done(Feed::Pods);
        // The baseline and the changes in one interval: only the changes are updates.
        for n in 101..=1100 {
            t.apply_pod(&crashing("u1", n), 0);
        }
        let c = t.take_changes().unwrap();
        assert_eq!(c.title, "1,000 restarts");
        assert_eq!(c.lines, ["1,000 restarts in 1 pod: app/web-1 +1,000"]);
        assert_eq!(c.updates, 1000);
        assert_eq!(t.held(), 1);
        assert_eq!(t.take_changes(), None);
    }

    #[test]
    fn recreation_status_and_relist_deletions() {
        let mut t = Tracker::new();
        t.init(Feed::Pods);
        t.apply_pod(&crashing("u1", 7), 0);
        t.init_done(Feed::Pods);
        // Recreated: a new UID with 0 restarts, now running.
        t.delete_pod(&crashing("u1", 7));
        t.apply_pod(&pod("u2", 0, json!({"running": {}}), true), 0);
        let c = t.take_changes().unwrap();
        assert_eq!(c.lines, ["1 pod added: app/web-1", "1 pod deleted: app/web-1"]);
        assert!(t.all_ready());
        // A status change.
        t.apply_pod(&crashing("u2", 1), 0);
        let c = t.take_changes().unwrap();
        assert_eq!(c.lines, ["1 restart in 1 pod: app/web-1 +1", "pod app/web-1: 1/1 Running → 0/1 CrashLoopBackOff"]);
        assert!(!t.all_ready());
        // A relist (after 410 Gone) that no longer has the pod: it was deleted meanwhile.
        t.init(Feed::Pods);
        t.init_done(Feed::Pods);
        assert_eq!(t.take_changes().unwrap().lines, ["1 pod deleted: app/web-1"]);
    }

    #[test]
    fn old_events_are_not_new_after_a_relist() {
        let ev = |count: i32| -> ApiEvent {
            serde_json::from_value(json!({"metadata": {"uid": "e1", "name": "x"}, "involvedObject": {},
                "type": "Warning", "reason": "BackOff", "count": count}))
            .unwrap()
        };
        let mut t = Tracker::new();
        t.init(Feed::Events);
        t.apply_event(&ev(10));
        t.init_done(Feed::Events);
        t.apply_event(&ev(14));
        assert_eq!(t.take_changes().unwrap().lines, ["Warning events: BackOff ×4"]);
        t.init(Feed::Events);
        t.apply_event(&ev(14));
        t.init_done(Feed::Events);
        assert_eq!(t.take_changes(), None);
    }

    #[test]
    fn retries_double_to_a_cap_and_reset() {
        let mut r = Retry::new();
        let first: Vec<u64> = r.by_ref().take(6).map(|d| d.as_millis() as u64).collect();
        assert_eq!(first, [500, 1000, 2000, 4000, 5000, 5000]);
        r.reset();
        assert_eq!(r.next(), Some(Retry::FIRST));
    }

    #[test]
    fn node_address_changes_lead() {
        let node = |ip: &str| -> ApiNode {
            serde_json::from_value(json!({"metadata": {"name": "leveling-pc"},
                "status": {"addresses": [{"type": "InternalIP", "address": ip}],
                    "conditions": [{"type": "Ready", "status": "True"}]}}))
            .unwrap()
        };
        let mut t = Tracker::new();
        t.init(Feed::Nodes);
        t.apply_node(&node("192.168.1.79"), 0);
        t.init_done(Feed::Nodes);
        t.apply_node(&node("192.168.1.186"), 0);
        let c = t.take_changes().unwrap();
        assert_eq!(c.title, "node leveling-pc IP changed from 192.168.1.79 to 192.168.1.186");
    }
}
