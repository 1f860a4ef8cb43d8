//! Routes from `ip route` / `ip -6 route` and the `route -n` table.
//!
//! An `ip route` line starts with `default` or a destination and names a `dev` or a `via`;
//! a `route -n` row is only read after its `Destination Gateway Genmask` header.

use super::facts::{DefaultRoute, Facts, MAX_ROUTES, Route};
use super::ips::{is_ip, mask_prefix, parse_v4_cidr, parse_v6_cidr};

/// Route-table state across lines.
#[derive(Debug, Default)]
pub struct RouteState {
    /// Inside a `route -n` table.
    in_table: bool,
    /// Metric of the chosen default route.
    best_metric: Option<u64>,
}

/// Route types `ip route` prints before the destination.
const TYPES: [&str; 8] =
    ["unicast", "local", "broadcast", "multicast", "unreachable", "blackhole", "prohibit", "throw"];

impl RouteState {
    pub fn end_block(&mut self) {
        self.in_table = false;
    }

    /// Feeds one line; returns true when the line was route output.
    pub fn feed(&mut self, line: &str, facts: &mut Facts) -> bool {
        if !self.in_table && !may_be_route(line) {
            return false;
        }
        let t: Vec<&str> = line.split_ascii_whitespace().collect();
        let Some(&first) = t.first() else {
            return false;
        };
        if first == "Destination" && t.get(1) == Some(&"Gateway") {
            self.in_table = t.get(2) == Some(&"Genmask");
            return true;
        }
        if first == "Kernel" && t.get(1) == Some(&"IP") {
            return true;
        }
        if self.in_table {
            if let Some((route, metric)) = route_n_row(&t) {
                self.push(route, metric, facts);
                return true;
            }
            self.in_table = false;
        }
        match ip_route_line(&t) {
            Some((route, metric)) => {
                self.push(route, metric, facts);
                true
            }
            None => false,
        }
    }

    fn push(&mut self, route: Route, metric: u64, facts: &mut Facts) {
        if route.dst == "default" && self.best_metric.is_none_or(|m| metric < m) {
            self.best_metric = Some(metric);
            facts.default_route = Some(DefaultRoute { gateway: route.gateway.clone(), dev: route.dev.clone() });
        }
        if facts.routes.len() < MAX_ROUTES {
            facts.routes.push(route);
        } else {
            facts.truncated = true;
        }
    }
}

/// Cheap test before tokenising: the first word could start a route line or table.
fn may_be_route(line: &str) -> bool {
    let Some(first) = line.split_ascii_whitespace().next() else {
        return false;
    };
    match first {
        "default" | "Destination" | "Kernel" => true,
        _ if TYPES.contains(&first) => true,
        _ => {
            first.as_bytes()[0].is_ascii_hexdigit()
                && first.bytes().all(|c| c.is_ascii_hexdigit() || b".:/".contains(&c))
                && (line.contains(" dev ") || line.contains(" via "))
        }
    }
}

/// `(route, metric)` from one `ip route` line.
fn ip_route_line(t: &[&str]) -> Option<(Route, u64)> {
    let mut i = 0;
    if TYPES.contains(&t[0]) {
        i = 1;
    }
    let dst = *t.get(i)?;
    let dst = if dst == "default" || dst == "0.0.0.0/0" || dst == "::/0" {
        "default".to_string()
    } else if is_destination(dst) {
        dst.to_string()
    } else {
        return None;
    };
    let value =
        |key: &str| t[i + 1..].iter().position(|w| *w == key).and_then(|p| t.get(i + 1 + p + 1)).map(|s| s.to_string());
    let dev = value("dev");
    let gateway = value("via").filter(|g| is_ip(g));
    if dev.is_none() && gateway.is_none() {
        return None;
    }
    let metric = value("metric").and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((Route { dst, gateway, dev }, metric))
}

fn is_destination(s: &str) -> bool {
    parse_v4_cidr(s).is_some() || (s.contains(':') && parse_v6_cidr(s).is_some())
}

/// A `route -n` row: `Destination Gateway Genmask Flags Metric Ref Use Iface`.
fn route_n_row(t: &[&str]) -> Option<(Route, u64)> {
    if t.len() != 8 {
        return None;
    }
    let (dst, gw, mask) = (t[0].parse::<std::net::Ipv4Addr>().ok()?, t[1], t[2]);
    let prefix = mask_prefix(mask)?;
    let gateway = match gw.parse::<std::net::Ipv4Addr>().ok()? {
        g if g.is_unspecified() => None,
        g => Some(g.to_string()),
    };
    let dst = if prefix == 0 { "default".to_string() } else { format!("{dst}/{prefix}") };
    let metric = t[4].parse().ok()?;
    Some((Route { dst, gateway, dev: Some(t[7].to_string()) }, metric))
}
