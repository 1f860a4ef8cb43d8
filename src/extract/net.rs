//! Interfaces and their addresses from `ip addr` / `ip a` / `ip -4 addr` / `ip -o addr` /
//! `ip -br addr`,
//! `ifconfig` from net-tools 1.x (`inet addr:... Mask:...`) and 2.x (`inet ... netmask ...`),
//! and busybox (the 1.x format).
//!
//! State is the interface whose block we are in; indented `inet`/`inet6` lines belong to it.
//! A blank line or an unindented unrelated line ends the block. Broadcast addresses and
//! netmasks are never addresses; netmasks become prefixes.

use super::facts::{Facts, Interface, MAX_IFACE_ADDRS, MAX_INTERFACES};
use super::ips::{mask_prefix, parse_v4_cidr, parse_v6_cidr};

/// Block state across lines.
#[derive(Debug, Default)]
pub struct NetState {
    current: Option<usize>,
}

impl NetState {
    /// A blank line ends an interface block (ifconfig separates blocks that way).
    pub fn end_block(&mut self) {
        self.current = None;
    }

    /// Feeds one line; returns true when the line was interface output.
    pub fn feed(&mut self, line: &str, facts: &mut Facts) -> bool {
        let indented = line.starts_with([' ', '\t']);
        let t = line.trim_start();
        if t.starts_with("inet") {
            return self.inet(t, facts);
        }
        if !indented {
            if let Some((name, rest)) = iface_header(line) {
                self.current = iface_index(facts, name);
                // `ip -o addr`: header and address on one line.
                if let Some(pos) = rest.find("inet") {
                    self.inet(&rest[pos..], facts);
                }
                return true;
            }
            if let Some((name, cidrs)) = brief_form(line) {
                self.current = None;
                if let Some(i) = iface_index(facts, name) {
                    for cidr in cidrs {
                        facts.truncated |= add_addr(&mut facts.interfaces[i], cidr);
                    }
                }
                return true;
            }
            if let Some((name, cidr)) = short_form(line) {
                self.current = iface_index(facts, name);
                if let Some(i) = self.current
                    && add_addr(&mut facts.interfaces[i], cidr)
                {
                    facts.truncated = true;
                }
                return true;
            }
            self.current = None;
        }
        false
    }

    /// An `inet`/`inet6` line in any of the supported formats.
    fn inet(&mut self, t: &str, facts: &mut Facts) -> bool {
        let toks: Vec<&str> = t.split_ascii_whitespace().collect();
        let (Some(&kind), Some(&first)) = (toks.first(), toks.get(1)) else {
            return false;
        };
        if kind != "inet" && kind != "inet6" {
            return false;
        }
        let value = |key: &str| toks.iter().position(|w| *w == key).and_then(|p| toks.get(p + 1));
        let tagged = |prefix: &str| toks.iter().find_map(|w| w.strip_prefix(prefix));
        // net-tools 1.x: `inet addr:1.2.3.4` / `inet6 addr: fe80::1/64`.
        let addr = match first.strip_prefix("addr:") {
            Some("") => toks.get(2).copied().unwrap_or(""),
            Some(a) => a,
            None => first,
        };
        let target = match self.current {
            Some(i) => Some(i),
            // `ip -4 a | grep inet`: the label at the end of the line names the interface.
            None if toks.contains(&"scope") => toks
                .last()
                .filter(|l| !matches!(**l, "dynamic" | "noprefixroute" | "secondary" | "link"))
                .and_then(|l| iface_index(facts, l)),
            None => None,
        };
        let Some(i) = target else {
            return true;
        };
        let cidr = if kind == "inet" {
            let Some((a, prefix)) = parse_v4_cidr(addr) else {
                return true;
            };
            let prefix = prefix.or_else(|| value("netmask").copied().or_else(|| tagged("Mask:")).and_then(mask_prefix));
            match prefix {
                Some(p) => format!("{a}/{p}"),
                None => a.to_string(),
            }
        } else {
            let Some((a, prefix)) = parse_v6_cidr(addr) else {
                return true;
            };
            match prefix.or_else(|| value("prefixlen").and_then(|p| p.parse().ok())) {
                Some(p) => format!("{a}/{p}"),
                None => a.to_string(),
            }
        };
        if add_addr(&mut facts.interfaces[i], cidr) {
            facts.truncated = true;
        }
        true
    }
}

/// Adds an address (v4 or v6 decided by its text); returns true when a cap dropped it.
fn add_addr(iface: &mut Interface, cidr: String) -> bool {
    let list = if cidr.contains(':') { &mut iface.ipv6 } else { &mut iface.ipv4 };
    if list.contains(&cidr) {
        return false;
    }
    if list.len() >= MAX_IFACE_ADDRS {
        return true;
    }
    list.push(cidr);
    false
}

/// Index of the interface called `name`, creating it; `None` past the cap.
fn iface_index(facts: &mut Facts, name: &str) -> Option<usize> {
    if let Some(i) = facts.interfaces.iter().position(|x| x.name == name) {
        return Some(i);
    }
    if facts.interfaces.len() >= MAX_INTERFACES {
        facts.truncated = true;
        return None;
    }
    facts.interfaces.push(Interface { name: name.to_string(), ..Interface::default() });
    Some(facts.interfaces.len() - 1)
}

fn is_iface_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.as_bytes()[0].is_ascii_alphabetic()
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._@:".contains(&c))
}

/// An interface header; returns its name (without `@peer`) and the rest of the line.
///
/// - `ip`: `2: eth0: <BROADCAST,...>` and `ip -o`: `2: eth0    inet ...`
/// - net-tools 2.x: `eth0: flags=4163<UP,...>  mtu 1500`
/// - net-tools 1.x, busybox: `eth0      Link encap:Ethernet  HWaddr ...`
fn iface_header(line: &str) -> Option<(&str, &str)> {
    // Offsets below are taken from `first`, so it must start the string.
    let line = line.trim_start();
    let first = line.split_ascii_whitespace().next()?;
    if let Some(num) = first.strip_suffix(':') {
        if super::table::is_uint(num) {
            let rest = line[first.len()..].trim_start();
            let (name, rest) = rest.split_once(|c: char| c.is_ascii_whitespace())?;
            let name = name.strip_suffix(':').unwrap_or(name);
            let name = name.split('@').next()?;
            let rest = rest.trim_start();
            let ok = rest.starts_with('<') || rest.starts_with("inet") || rest.starts_with("link/");
            return (ok && is_iface_name(name)).then_some((name, rest));
        }
        let rest = line[first.len()..].trim_start();
        if rest.starts_with("flags=") && is_iface_name(num) {
            return Some((num, rest));
        }
        return None;
    }
    let rest = line[first.len()..].trim_start();
    (rest.starts_with("Link encap:") && is_iface_name(first)).then_some((first, rest))
}

/// `ip -br addr`: `eth0@if5  UP  10.42.0.7/24 fe80::1/64`: a name, an operational state,
/// then every address of the interface (at least one).
fn brief_form(line: &str) -> Option<(&str, Vec<String>)> {
    const STATES: [&str; 7] = ["UP", "DOWN", "UNKNOWN", "DORMANT", "LOWERLAYERDOWN", "NOTPRESENT", "TESTING"];
    let mut toks = line.split_ascii_whitespace();
    let name = toks.next()?;
    let name = name.split_once('@').map_or(name, |(n, _)| n);
    if !is_iface_name(name) || name.contains(':') || !STATES.contains(&toks.next()?) {
        return None;
    }
    let cidrs = toks
        .map(|cidr| match (parse_v4_cidr(cidr), parse_v6_cidr(cidr)) {
            (Some((a, Some(p))), _) => Some(format!("{a}/{p}")),
            (_, Some((a, Some(p)))) => Some(format!("{a}/{p}")),
            _ => None,
        })
        .collect::<Option<Vec<String>>>()?;
    // Without an address, `localhost UP` from a monitoring table would pass for one.
    (!cidrs.is_empty()).then_some((name, cidrs))
}

/// `enp6s0:  192.168.1.186/24 (wired)`: a hand-summarised listing (as in the seed story).
/// Only names that follow Linux interface naming are accepted, so `podCIDR: 10.42.0.0/24`
/// in a `describe` is not taken for an interface.
fn short_form(line: &str) -> Option<(&str, String)> {
    let (name, rest) = line.split_once(':')?;
    if !rest.starts_with([' ', '\t']) || !looks_like_linux_iface(name) {
        return None;
    }
    let cidr = rest.split_ascii_whitespace().next()?;
    if let Some((a, Some(p))) = parse_v4_cidr(cidr) {
        return Some((name, format!("{a}/{p}")));
    }
    if let Some((a, Some(p))) = parse_v6_cidr(cidr) {
        return Some((name, format!("{a}/{p}")));
    }
    None
}

fn looks_like_linux_iface(name: &str) -> bool {
    const PREFIXES: [&str; 20] = [
        "eth", "en", "wl", "ww", "lo", "cni", "flannel", "docker", "br-", "veth", "virbr", "tun", "tap", "bond",
        "vxlan", "cali", "tunl", "kube-", "wg", "ib",
    ];
    is_iface_name(name) && !name.contains(':') && PREFIXES.iter().any(|p| name.starts_with(p))
}
