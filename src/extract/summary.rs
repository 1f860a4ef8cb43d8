//! The one-line human summary of [`Facts`], e.g.
//! `6 pods, 6 not ready, 9,812 restarts; convocanvas/convocanvas-7d4b9c8f6-xk2p9 CrashLoopBackOff`.

use super::facts::{ErrorKind, Facts};
use super::pods::{is_bad_status, is_not_ready};
use crate::format::thousands;

/// Parts joined by `; `; empty when nothing was found.
pub fn summary(f: &Facts) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !f.pods.is_empty() {
        parts.push(pods(f));
    }
    if let Some(sum) = &f.restart_sum {
        parts.push(format!("{} (restartCount summed)", count(sum.total, "restart", "restarts")));
    }
    if !f.nodes.is_empty() {
        parts.push(nodes(f));
    }
    if !f.interfaces.is_empty() {
        parts.push(interfaces(f));
    }
    if let Some(d) = &f.default_route {
        let mut s = "default".to_string();
        if let Some(g) = &d.gateway {
            s += &format!(" via {g}");
        }
        if let Some(dev) = &d.dev {
            s += &format!(" dev {dev}");
        }
        parts.push(s);
    }
    if !f.routes.is_empty() {
        parts.push(count(f.routes.len() as u64, "route", "routes"));
    }
    if let Some(l) = f.coredns_loops.first() {
        let mut s = if f.coredns_loops.len() == 1 {
            "CoreDNS loop".to_string()
        } else {
            format!("{} CoreDNS loops", thousands(f.coredns_loops.len() as u64))
        };
        if let (Some(from), Some(to)) = (&l.from, &l.to) {
            s += &format!(" ({from} -> {to})");
        }
        if let Some(z) = &l.zone {
            s += &format!(" in zone \"{z}\"");
        }
        parts.push(s);
    }
    if !f.errors.is_empty() {
        parts.push(errors(f));
    }
    if parts.is_empty() && !(f.ipv4.is_empty() && f.ipv6.is_empty()) {
        let mut s = Vec::new();
        if !f.ipv4.is_empty() {
            s.push(count(f.ipv4.len() as u64, "IPv4 address", "IPv4 addresses"));
        }
        if !f.ipv6.is_empty() {
            s.push(count(f.ipv6.len() as u64, "IPv6 address", "IPv6 addresses"));
        }
        parts.push(s.join(", "));
    }
    let mut out = parts.join("; ");
    if f.truncated && !out.is_empty() {
        out += " (truncated)";
    }
    out
}

fn pods(f: &Facts) -> String {
    let not_ready = f.pods.iter().filter(|p| is_not_ready(p)).count() as u64;
    let restarts = f.restarts_total.unwrap_or_else(|| f.pods.iter().map(|p| p.restarts).sum());
    let cut = if f.cut_short { " (listing cut short)" } else { "" };
    let mut s = format!(
        "{}{cut}, {} not ready, {}",
        count(f.pods.len() as u64, "pod", "pods"),
        thousands(not_ready),
        count(restarts, "restart", "restarts")
    );
    // The pod most worth a look: a bad status before a merely unready one, then the most
    // restarts; the first such row on a tie.
    let worst = f.pods.iter().filter(|p| is_bad_status(&p.status) || is_not_ready(p)).fold(
        None,
        |best: Option<&super::Pod>, p| {
            let key = |x: &super::Pod| (is_bad_status(&x.status), x.restarts);
            match best {
                Some(b) if key(b) >= key(p) => Some(b),
                _ => Some(p),
            }
        },
    );
    if let Some(p) = worst {
        let name = p.name.strip_prefix("pod/").unwrap_or(&p.name);
        let name = match &p.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        s += &format!("; {name} {}", p.status);
    }
    s
}

fn nodes(f: &Facts) -> String {
    let bad: Vec<&str> = f.nodes.iter().filter(|n| !n.status.starts_with("Ready")).map(|n| n.name.as_str()).collect();
    let head = count(f.nodes.len() as u64, "node", "nodes");
    if bad.is_empty() {
        return format!("{head}, all Ready");
    }
    let mut s = format!("{head}, {} not ready ({}", thousands(bad.len() as u64), bad[0]);
    if bad.len() > 1 {
        s += ", …";
    }
    s + ")"
}

fn interfaces(f: &Facts) -> String {
    let shown: Vec<String> = f
        .interfaces
        .iter()
        .filter(|i| i.name != "lo" && !(i.ipv4.is_empty() && i.ipv6.is_empty()))
        .take(3)
        .map(|i| match i.ipv4.first().or(i.ipv6.first()) {
            Some(a) => format!("{} {a}", i.name),
            None => i.name.clone(),
        })
        .collect();
    let head = count(f.interfaces.len() as u64, "interface", "interfaces");
    if shown.is_empty() {
        return head;
    }
    let more = f.interfaces.iter().filter(|i| i.name != "lo").count() > shown.len();
    format!("{head} ({}{})", shown.join(", "), if more { ", …" } else { "" })
}

fn errors(f: &Facts) -> String {
    let mut by_kind: Vec<(u64, usize, &str)> = Vec::new();
    for e in &f.errors {
        match by_kind.iter_mut().find(|(_, _, k)| *k == e.kind) {
            Some(entry) => entry.0 += 1,
            None => {
                let order = ErrorKind::ALL.iter().position(|k| k.as_str() == e.kind);
                by_kind.push((1, order.unwrap_or(usize::MAX), &e.kind));
            }
        }
    }
    by_kind.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let kinds: Vec<String> = by_kind.iter().map(|(n, _, k)| format!("{} {k}", thousands(*n))).collect();
    format!("{}: {}", count(f.errors.len() as u64, "error", "errors"), kinds.join(", "))
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}
