//! What a snapshot keeps of the cluster: `crate::extract::Facts` (the key names of
//! `incident extract --json`: `pods`, `nodes`, `restarts_total`, …) with the fields only
//! the API fills (UIDs, phases, per-container restarts, node addresses and conditions,
//! events, kube-dns). The API-only types live here; `Facts` refers to them.

use serde::{Deserialize, Serialize};

/// A snapshot of the cluster, summarised: extraction's facts, with the API-only fields set.
pub type Summary = crate::extract::Facts;
pub use crate::extract::{Node, Pod};

pub const MAX_WARNINGS: usize = 100;
pub const MAX_SKIPPED: usize = 20;

/// Most pods kept in a step's frontmatter: the YAML reader's node budget (250,000)
/// must hold a whole step, so a big cluster keeps the pods that tell something
/// (not healthy, or restarted) and counts the rest.
pub const MAX_FACT_PODS: usize = 1000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Container {
    pub name: String,
    pub restarts: u64,
    pub ready: bool,
    /// Waiting or terminated reason now (CrashLoopBackOff, Error, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why it last ended (OOMKilled, Error, Completed) and its exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_exit_code: Option<i32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub init: bool,
}

impl Node {
    pub fn is_ready(&self) -> bool {
        self.status.split(',').any(|s| s == "Ready")
    }

    /// The address other nodes and pods use: InternalIP, else a legacy host IP.
    pub fn primary_ip(&self) -> Option<&str> {
        let internal = self.internal_ip.as_ref().and_then(|ip| ip.as_deref());
        internal.or_else(|| {
            self.addresses.iter().find_map(|a| a.strip_prefix("LegacyHostIP=")).or_else(|| {
                let external = self.external_ip.as_ref().and_then(|ip| ip.as_deref());
                self.addresses.iter().find_map(|a| a.strip_prefix("ExternalIP=")).or(external)
            })
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventCount {
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    /// Occurrences (an event's `count`, 1 when it has none).
    pub count: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarningEvent {
    pub namespace: Option<String>,
    /// `Pod/coredns-7b8c7b8d4-x9k2p`.
    pub object: String,
    pub reason: String,
    pub message: String,
    pub count: u64,
    /// RFC 3339; the newest of lastTimestamp, eventTime, firstTimestamp, creation.
    pub last_seen: Option<String>,
}

impl WarningEvent {
    /// The same event in two snapshots (its count may have grown).
    pub fn key(&self) -> (Option<&str>, &str, &str, &str) {
        (self.namespace.as_deref(), &self.object, &self.reason, &self.message)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dns {
    /// `kube-system/kube-dns`.
    pub service: String,
    pub cluster_ip: Option<String>,
    /// Ready endpoint addresses (`10.42.0.5:53`), and the not-ready ones.
    pub ready: Vec<String>,
    pub not_ready: Vec<String>,
}

impl Summary {
    /// What goes into frontmatter: at most [`MAX_FACT_PODS`] pods, the telling ones first.
    /// `restarts_total` stays exact; `pods_total` and `truncated` say what was left out.
    pub fn for_facts(&self) -> std::borrow::Cow<'_, Summary> {
        if self.pods.len() <= MAX_FACT_PODS {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut s = Summary { pods: Vec::new(), ..self.clone() };
        let telling = |p: &&Pod| !pod_is_healthy(p) || p.restarts > 0;
        s.pods = self.pods.iter().filter(telling).take(MAX_FACT_PODS).cloned().collect();
        let room = MAX_FACT_PODS - s.pods.len();
        s.pods.extend(self.pods.iter().filter(|p| !telling(p)).take(room).cloned());
        s.pods.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        s.pods_total = Some(self.pods.len() as u64);
        s.truncated = true;
        std::borrow::Cow::Owned(s)
    }

    /// `1 node (1 NotReady), 23 pods (21 not running), 6,812 restarts, 40 Warning events`.
    pub fn headline(&self) -> String {
        use crate::format::thousands;
        let mut parts = Vec::new();
        if !self.nodes.is_empty() {
            let not_ready = self.nodes.iter().filter(|n| !n.is_ready()).count();
            let mut s = plural(self.nodes.len(), "node");
            if not_ready > 0 {
                s.push_str(&format!(" ({not_ready} not Ready)"));
            }
            parts.push(s);
        }
        if !self.pods.is_empty() {
            let bad = self.pods.iter().filter(|p| !pod_is_healthy(p)).count();
            let total = self.pods_total.map_or(self.pods.len(), |t| t as usize);
            let mut s = plural(total, "pod");
            if self.truncated {
                s.push_str(&format!(" ({bad} of those kept not healthy)"));
            } else if bad > 0 {
                s.push_str(&format!(" ({bad} not healthy)"));
            }
            parts.push(s);
        }
        if let Some(total) = self.restarts_total {
            parts.push(format!("{} restarts", thousands(total)));
        }
        let warnings: u64 = self.events.iter().filter(|e| e.type_ == "Warning").map(|e| e.count).sum();
        if warnings > 0 {
            parts.push(format!("{} Warning events", thousands(warnings)));
        }
        if parts.is_empty() { "nothing found".to_string() } else { parts.join(", ") }
    }
}

/// Running with every container ready, or finished.
pub fn pod_is_healthy(p: &Pod) -> bool {
    match p.status.as_str() {
        "Completed" | "Succeeded" => true,
        "Running" => ready_counts(&p.ready).is_some_and(|(r, t)| r == t),
        _ => false,
    }
}

/// `2/3` -> (2, 3).
pub fn ready_counts(ready: &str) -> Option<(u32, u32)> {
    let (a, b) = ready.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

pub fn plural(n: usize, word: &str) -> String {
    crate::format::plural(n as u64, word)
}
