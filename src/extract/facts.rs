//! The facts extraction finds in command output, their JSON shape and how they combine.
//!
//! # How fields serialize
//!
//! - Top level: a key is present only when something was found (`pods`, `nodes`, ...);
//!   `restarts_total` is present whenever `pods` is; `truncated` and `cut_short` only when
//!   `true`.
//! - Inside a row every field of the row's own schema is always present, and is `null` when
//!   the source had no value for it: `<none>`, `<nil>`, a redaction placeholder
//!   (`<REDACTED>`, `[REDACTED:...]`) or a value that is not what the column holds (an
//!   `xxx.xxx` hand-masked address). `Pod::namespace` is `null` when the table had no
//!   `NAMESPACE` column; `Pod::last_restart_ago` is `null` when RESTARTS had no `(15h ago)`.
//! - Columns that only some variants of a table print are *omitted* when the pasted table did
//!   not have them: `Pod::ip`/`Pod::node` (only with `-o wide`) and
//!   `Node::internal_ip`/`Node::external_ip` (only with `-o wide`). Present-but-`<none>` is
//!   `null`, so "no IP yet" and "not asked for" stay distinguishable.
//! - `Node::roles` is always a list; `<none>` and a table without ROLES give `[]`.
//! - Interface addresses carry their prefix (`10.42.0.1/24`, netmasks become prefixes); an
//!   ifconfig line without any mask gives the bare address.
//! - `ErrorLine::line` is 1-based within the output it came from; `endpoint` is `host:port`
//!   or `null`.
//!
//! Every struct is `#[serde(default)]`, so hand-edited or older frontmatter still loads.
//!
//! # Memory bounds
//!
//! Lists are capped (see the `MAX_*` constants); anything past a cap is dropped and
//! `truncated` is set. `restarts_total` keeps counting past the pod cap, so the total stays
//! exact even when the list is not.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashSet;

/// Most pods kept from one output (a 100,000-pod cluster is far past any real paste).
pub const MAX_PODS: usize = 100_000;
/// Most nodes kept.
pub const MAX_NODES: usize = 10_000;
/// Most interfaces kept.
pub const MAX_INTERFACES: usize = 1_000;
/// Most addresses kept on one interface.
pub const MAX_IFACE_ADDRS: usize = 256;
/// Most routes kept.
pub const MAX_ROUTES: usize = 10_000;
/// Most error lines kept.
pub const MAX_ERRORS: usize = 1_000;
/// Most CoreDNS loop reports kept.
pub const MAX_LOOPS: usize = 1_000;
/// Most distinct addresses kept, per family.
pub const MAX_IPS: usize = 10_000;
/// Longest error text kept, in bytes; longer lines are cut at a character boundary.
pub const MAX_ERROR_TEXT: usize = 500;

/// Everything extracted from one or more outputs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<Pod>,
    /// Sum of RESTARTS over every pod seen, one count per pod (including pods past the cap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restarts_total: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<Node>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_route: Option<DefaultRoute>,
    /// Every route line in order, the default route(s) included with `dst: "default"`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coredns_loops: Vec<CorednsLoop>,
    /// Distinct IPv4 host addresses in order of first appearance (not netmasks, broadcast
    /// addresses, `0.0.0.0`, or network prefixes such as `10.42.0.0/16`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<String>,
    /// Distinct IPv6 host addresses in order of first appearance (same exclusions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<String>,
    /// Set when a cap was reached and something was dropped.
    #[serde(skip_serializing_if = "is_false")]
    pub truncated: bool,
    /// A restart total a command printed by summing `restartCount` over pods
    /// (`kubectl get pods -A -o json | jq '[…restartCount] | add'` printing `6812`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_sum: Option<super::RestartSum>,
    /// Set when a pods listing shows it was cut short: a `...`, `…`, `<snip>` or
    /// `(17 more rows)` line after its rows. `pods` and `restarts_total` are the rows shown,
    /// not every pod the command listed.
    #[serde(skip_serializing_if = "is_false")]
    pub cut_short: bool,

    // What only the Kubernetes API gives (`incident snapshot`, saved `kubectl get -o json`);
    // see `crate::kube::summary`.
    /// Events counted by type and reason, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<crate::kube::EventCount>,
    /// The newest Warning events, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::kube::WarningEvent>,
    /// The kube-dns service and its endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<crate::kube::Dns>,
    /// Where a snapshot came from: the API server URL or a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The kubeconfig context of a snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The namespace a snapshot was limited to; absent for all namespaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// API objects that could not be read or lists that were refused (`kind/name: why`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Every pod counted, when `pods` holds only some (a big cluster's snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_total: Option<u64>,
}

/// One row of `kubectl get pods` (or a `pod/` row of `kubectl get all`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pod {
    /// `null` when the table had no NAMESPACE column.
    pub namespace: Option<String>,
    /// As printed, `pod/` prefix kept.
    pub name: String,
    pub ready: String,
    pub status: String,
    pub restarts: u64,
    /// `"15h ago"` from `5 (15h ago)`, else `null`.
    pub last_restart_ago: Option<String>,
    pub age: String,
    /// Omitted without `-o wide`; `null` for `<none>`.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "column")]
    pub ip: Option<Option<String>>,
    /// Omitted without `-o wide`; `null` for `<none>`.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "column")]
    pub node: Option<Option<String>>,
    /// From the API only: the pod's UID (a recreated pod has a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// From the API only: `status.phase` (Running, Pending, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// From the API only: per-container restarts, when any container restarted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<crate::kube::Container>,
}

/// One row of `kubectl get nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Node {
    pub name: String,
    pub status: String,
    pub roles: Vec<String>,
    pub age: String,
    pub version: String,
    /// Omitted without `-o wide`; `null` for `<none>`.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "column")]
    pub internal_ip: Option<Option<String>>,
    /// Omitted without `-o wide`; `null` for `<none>` or a redacted value.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "column")]
    pub external_ip: Option<Option<String>>,
    /// From the API only: the node's UID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// From the API only: every address, `Type=address` (LegacyHostIP included).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// From the API only: conditions that are not as they should be, `Type=Status (Reason)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// A network interface and its addresses, from `ip addr` or `ifconfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Interface {
    pub name: String,
    pub ipv4: Vec<String>,
    pub ipv6: Vec<String>,
}

/// The default route; with several, the one with the lowest metric (first on a tie).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultRoute {
    pub gateway: Option<String>,
    pub dev: Option<String>,
}

/// One route from `ip route` or `route -n`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Route {
    /// `default` or a prefix such as `10.42.0.0/24`.
    pub dst: String,
    pub gateway: Option<String>,
    pub dev: Option<String>,
}

/// A line that reports a failure, with its kind (see [`ErrorKind`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorLine {
    /// One of [`ErrorKind::as_str`]; a string so unknown kinds in old data still load.
    pub kind: String,
    /// 1-based line number within the output.
    pub line: u64,
    pub text: String,
    pub endpoint: Option<String>,
}

/// A CoreDNS `plugin/loop` report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorednsLoop {
    /// `127.0.0.1:53` in `Loop (127.0.0.1:53 -> :53)`; `null` in the older formats.
    pub from: Option<String>,
    pub to: Option<String>,
    pub zone: Option<String>,
    pub query: Option<String>,
}

/// The error vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    ConnectionRefused,
    IoTimeout,
    Nxdomain,
    Servfail,
    /// A name that could not be resolved, with no word why (curl, git, getaddrinfo).
    DnsFailure,
    NoRouteToHost,
    ConnectionReset,
    /// A connection that failed with no word why (curl's `Couldn't connect to server`).
    ConnectFailed,
    DnsTimeout,
    CorednsLoop,
    CrashLoopBackOff,
    OomKilled,
    ImagePull,
    ServiceUnavailable,
    Tls,
    PermissionDenied,
}

impl ErrorKind {
    /// Every kind, in vocabulary order.
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::ConnectionRefused,
        ErrorKind::IoTimeout,
        ErrorKind::Nxdomain,
        ErrorKind::Servfail,
        ErrorKind::DnsFailure,
        ErrorKind::NoRouteToHost,
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectFailed,
        ErrorKind::DnsTimeout,
        ErrorKind::CorednsLoop,
        ErrorKind::CrashLoopBackOff,
        ErrorKind::OomKilled,
        ErrorKind::ImagePull,
        ErrorKind::ServiceUnavailable,
        ErrorKind::Tls,
        ErrorKind::PermissionDenied,
    ];

    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ConnectionRefused => "connection_refused",
            ErrorKind::IoTimeout => "io_timeout",
            ErrorKind::Nxdomain => "nxdomain",
            ErrorKind::Servfail => "servfail",
            ErrorKind::DnsFailure => "dns_failure",
            ErrorKind::NoRouteToHost => "no_route_to_host",
            ErrorKind::ConnectionReset => "connection_reset",
            ErrorKind::ConnectFailed => "connect_failed",
            ErrorKind::DnsTimeout => "dns_timeout",
            ErrorKind::CorednsLoop => "coredns_loop",
            ErrorKind::CrashLoopBackOff => "crashloopbackoff",
            ErrorKind::OomKilled => "oomkilled",
            ErrorKind::ImagePull => "image_pull",
            ErrorKind::ServiceUnavailable => "service_unavailable",
            ErrorKind::Tls => "tls",
            ErrorKind::PermissionDenied => "permission_denied",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Present-but-null becomes `Some(None)`; serde's default would fold it into `None`.
fn column<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Appends up to `cap` items; returns true when some were dropped.
fn append_capped<T>(dst: &mut Vec<T>, src: Vec<T>, cap: usize) -> bool {
    let room = cap.saturating_sub(dst.len());
    let dropped = src.len() > room;
    dst.extend(src.into_iter().take(room));
    dropped
}

/// Appends distinct strings not already present, up to `cap`.
fn union_capped(dst: &mut Vec<String>, src: Vec<String>, cap: usize) -> bool {
    let mut seen: HashSet<String> = dst.iter().cloned().collect();
    let mut dropped = false;
    for s in src {
        if seen.contains(&s) {
            continue;
        }
        if dst.len() >= cap {
            dropped = true;
            continue;
        }
        seen.insert(s.clone());
        dst.push(s);
    }
    dropped
}

impl Facts {
    /// True when nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
            && self.restarts_total.is_none()
            && self.restart_sum.is_none()
            && self.nodes.is_empty()
            && self.interfaces.is_empty()
            && self.default_route.is_none()
            && self.routes.is_empty()
            && self.errors.is_empty()
            && self.coredns_loops.is_empty()
            && self.ipv4.is_empty()
            && self.ipv6.is_empty()
            && self.events.is_empty()
            && self.warnings.is_empty()
            && self.dns.is_none()
    }

    /// A short human line, e.g. `6 pods, 6 not ready, 9,812 restarts; ns/name CrashLoopBackOff`;
    /// empty when nothing was found.
    pub fn summary(&self) -> String {
        super::summary::summary(self)
    }

    /// Combines the facts of another output into these (a step holding several outputs).
    ///
    /// Lists are appended (error line numbers stay relative to their own output), totals
    /// added, interfaces with the same name merged, address lists kept distinct, caps kept.
    /// The first default route wins, and the first restart sum.
    pub fn merge(&mut self, other: Facts) {
        let mut dropped = other.truncated;
        dropped |= append_capped(&mut self.pods, other.pods, MAX_PODS);
        self.restarts_total = match (self.restarts_total, other.restarts_total) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        dropped |= append_capped(&mut self.nodes, other.nodes, MAX_NODES);
        for iface in other.interfaces {
            match self.interfaces.iter().position(|i| i.name == iface.name) {
                Some(at) => {
                    let mine = &mut self.interfaces[at];
                    dropped |= union_capped(&mut mine.ipv4, iface.ipv4, MAX_IFACE_ADDRS);
                    dropped |= union_capped(&mut mine.ipv6, iface.ipv6, MAX_IFACE_ADDRS);
                }
                None if self.interfaces.len() < MAX_INTERFACES => self.interfaces.push(iface),
                None => dropped = true,
            }
        }
        if self.default_route.is_none() {
            self.default_route = other.default_route;
        }
        dropped |= append_capped(&mut self.routes, other.routes, MAX_ROUTES);
        dropped |= append_capped(&mut self.errors, other.errors, MAX_ERRORS);
        dropped |= append_capped(&mut self.coredns_loops, other.coredns_loops, MAX_LOOPS);
        dropped |= union_capped(&mut self.ipv4, other.ipv4, MAX_IPS);
        dropped |= union_capped(&mut self.ipv6, other.ipv6, MAX_IPS);
        self.events.extend(other.events);
        self.warnings.extend(other.warnings);
        if self.dns.is_none() {
            self.dns = other.dns;
        }
        self.skipped.extend(other.skipped);
        self.truncated |= dropped;
        self.cut_short |= other.cut_short;
        if self.restart_sum.is_none() {
            self.restart_sum = other.restart_sum;
        }
    }
}
