//! Rows of `kubectl get pods` (any flags) and the `pod/` rows of `kubectl get all`.
//!
//! A row is recognised by shape: `[NAMESPACE] NAME READY STATUS RESTARTS [(x ago)] AGE
//! [IP NODE [NOMINATED-NODE READINESS-GATES]]`, where READY is `n/m`, RESTARTS an integer and
//! AGE a kubectl duration. That is strict enough that log lines are not taken for pods, and
//! loose enough for rows without their header (`| grep`) or with a misaligned one.

use super::facts::Pod;
use super::table::{cells, ip_cell, is_age, is_empty_cell, is_name, is_ready, is_status, is_uint};

/// What the header said, when there was one.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    pub namespace: bool,
    pub wide: bool,
}

/// Cheap check on the first three tokens, before any allocation.
pub fn may_be_row(line: &str) -> bool {
    let mut t = line.split_ascii_whitespace();
    let (_, b, c) = (t.next(), t.next(), t.next());
    b.is_some_and(is_ready) || c.is_some_and(is_ready)
}

/// Parses one row; `cols` is `None` for a row without a header.
pub fn parse_row(line: &str, cols: Option<Columns>) -> Option<Pod> {
    let t = cells(line);
    let r = if t.len() > 1 && is_ready(t[1]) {
        1
    } else if t.len() > 2 && is_ready(t[2]) {
        2
    } else {
        return None;
    };
    // With a header we know whether NAMESPACE is there; a row that disagrees is not ours.
    if let Some(c) = cols
        && c.namespace != (r == 2)
    {
        return None;
    }
    let namespace = (r == 2).then(|| t[0]);
    let name = t[r - 1];
    if !is_name(name) || namespace.is_some_and(|n| !is_name(n) || n.contains('/')) {
        return None;
    }
    let status = *t.get(r + 1)?;
    let restarts = *t.get(r + 2)?;
    if !is_status(status) || !is_uint(restarts) {
        return None;
    }
    let mut i = r + 3;
    let mut ago = None;
    if let Some(p) = t.get(i).filter(|c| c.starts_with('(')) {
        let inner = p.trim_start_matches('(').trim_end_matches(')').trim();
        if !inner.ends_with("ago") {
            return None;
        }
        ago = Some(inner.split_whitespace().collect::<Vec<_>>().join(" "));
        i += 1;
    }
    let age = *t.get(i)?;
    if !is_age(age) {
        return None;
    }
    let extra = &t[i + 1..];
    // Without a header, IP/NODE are there when the next cell is an address or <none>.
    let wide = match cols {
        Some(c) => c.wide,
        None => extra.first().is_some_and(|c| is_empty_cell(c) || super::ips::is_ip(c) || c.contains('.')),
    };
    let (ip, node) = if wide {
        let node = extra.get(1).filter(|n| !is_empty_cell(n)).map(|n| n.to_string());
        (Some(ip_cell(extra.first().copied())), Some(node))
    } else {
        (None, None)
    };
    Some(Pod {
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        ready: t[r].to_string(),
        status: status.to_string(),
        restarts: restarts.parse().ok()?,
        last_restart_ago: ago,
        age: age.to_string(),
        ip,
        node,
        ..Pod::default()
    })
}

/// Not ready in the sense an operator cares about: fewer containers ready than expected,
/// excluding pods that finished (`Completed`, `Succeeded`).
pub fn is_not_ready(p: &Pod) -> bool {
    if matches!(p.status.as_str(), "Completed" | "Succeeded") {
        return false;
    }
    match p.ready.split_once('/') {
        Some((a, b)) => a != b,
        None => false,
    }
}

/// A status that is not a healthy steady state.
pub fn is_bad_status(status: &str) -> bool {
    !matches!(status, "Running" | "Completed" | "Succeeded")
}
