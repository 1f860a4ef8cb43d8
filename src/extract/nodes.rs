//! Rows of `kubectl get nodes` (and `-o wide`, and `node/` rows of `kubectl get all`).
//!
//! Shape: `NAME STATUS [ROLES] AGE VERSION [INTERNAL-IP EXTERNAL-IP OS-IMAGE... KERNEL RUNTIME]`
//! with STATUS one of Ready/NotReady/Unknown (optionally `,SchedulingDisabled`) and VERSION
//! like `v1.30.5+k3s1`. OS-IMAGE has spaces, so only the first two wide cells are read.

use super::facts::Node;
use super::table::{ip_cell, is_age, is_empty_cell, is_name, is_version};

/// What the header said, when there was one.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    pub roles: bool,
    pub wide: bool,
}

fn is_node_status(s: &str) -> bool {
    let base = s.strip_suffix(",SchedulingDisabled").unwrap_or(s);
    matches!(base, "Ready" | "NotReady" | "Unknown")
}

/// Cheap check on the second token, before any allocation.
pub fn may_be_row(line: &str) -> bool {
    line.split_ascii_whitespace().nth(1).is_some_and(is_node_status)
}

/// Parses one row; `cols` is `None` for a row without a header.
pub fn parse_row(line: &str, cols: Option<Columns>) -> Option<Node> {
    let t: Vec<&str> = line.split_ascii_whitespace().collect();
    if t.len() < 4 || !is_name(t[0]) || !is_node_status(t[1]) {
        return None;
    }
    let has_roles = match cols {
        Some(c) => c.roles,
        // Old kubectl printed no ROLES: then AGE follows STATUS directly.
        None => !(is_age(t[2]) && is_version(t[3])),
    };
    let i = if has_roles { 3 } else { 2 };
    let age = *t.get(i)?;
    let version = *t.get(i + 1)?;
    if !is_age(age) || !is_version(version) {
        return None;
    }
    let roles =
        if has_roles && !is_empty_cell(t[2]) { t[2].split(',').map(str::to_string).collect() } else { Vec::new() };
    let extra = &t[i + 2..];
    let wide = match cols {
        Some(c) => c.wide,
        None => extra.len() >= 2,
    };
    let (internal_ip, external_ip) =
        if wide { (Some(ip_cell(extra.first().copied())), Some(ip_cell(extra.get(1).copied()))) } else { (None, None) };
    Some(Node {
        name: t[0].to_string(),
        status: t[1].to_string(),
        roles,
        age: age.to_string(),
        version: version.to_string(),
        internal_ip,
        external_ip,
        ..Node::default()
    })
}
