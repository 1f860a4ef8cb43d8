//! Finding IPv4/IPv6 host addresses in free text without mistaking versions, timestamps,
//! MAC addresses, netmasks or network prefixes for them.

use super::facts::{Facts, MAX_IPS};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Multiplicative hash for address keys: they are not attacker-chosen hash-flooding input
/// worth SipHash's cost on every address of a 200 MB log, and the sets are capped anyway.
#[derive(Default)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

type AddrSet<T> = HashSet<T, BuildHasherDefault<AddrHasher>>;

/// Keeps the distinct-address lists of a [`Facts`] with O(1) duplicate checks.
#[derive(Debug, Default)]
pub struct IpCollector {
    v4: AddrSet<u32>,
    v6: AddrSet<u128>,
}

impl IpCollector {
    /// Scans one line and records every new address.
    pub fn scan(&mut self, line: &str, facts: &mut Facts) {
        scan_ipv4(line, |a| {
            let key = u32::from(a);
            if self.v4.contains(&key) {
                return;
            }
            if self.v4.len() >= MAX_IPS {
                facts.truncated = true;
                return;
            }
            self.v4.insert(key);
            facts.ipv4.push(a.to_string());
        });
        // Every IPv6 address has "::" or at least seven colons; most lines have neither.
        if line.contains("::") || line.bytes().filter(|&b| b == b':').count() >= 7 {
            scan_ipv6(line, |a| {
                let key = u128::from(a);
                if self.v6.contains(&key) {
                    return;
                }
                if self.v6.len() >= MAX_IPS {
                    facts.truncated = true;
                    return;
                }
                self.v6.insert(key);
                facts.ipv6.push(a.to_string());
            });
        }
    }
}

/// A byte that, right before a dotted quad, makes it part of something else
/// (`v1.2.3.4`, `go1.2.3.4`, `1.2.3.4.5`).
fn glued_before(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'_'
}

/// True for the values of a contiguous netmask that starts with 255 (`255.255.255.0`).
fn is_netmask(a: Ipv4Addr) -> bool {
    let v = u32::from(a);
    v >= 0xff00_0000 && v.leading_ones() + v.trailing_zeros() == 32
}

/// Parses `/nn` at `at`, returning the prefix length and the index after it.
fn prefix_at(b: &[u8], at: usize, max: u32) -> Option<(u32, usize)> {
    if b.get(at) != Some(&b'/') {
        return None;
    }
    let mut end = at + 1;
    while end < b.len() && end - at <= 3 && b[end].is_ascii_digit() {
        end += 1;
    }
    if end == at + 1 || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let n: u32 = std::str::from_utf8(&b[at + 1..end]).ok()?.parse().ok()?;
    (n <= max).then_some((n, end))
}

/// Whether the text right before `start` labels what follows as a broadcast address.
fn after_broadcast_label(b: &[u8], start: usize) -> bool {
    let head = &b[..start];
    [&b"brd "[..], b"Bcast:", b"broadcast "].iter().any(|l| head.ends_with(l))
}

/// Calls `f` for every IPv4 host address in `line`, in order.
pub fn scan_ipv4(line: &str, mut f: impl FnMut(Ipv4Addr)) {
    let b = line.as_bytes();
    let mut from = 0;
    while let Some(off) = line[from..].find('.') {
        let dot = from + off;
        from = dot + 1;
        let mut start = dot;
        while start > 0 && dot - start < 3 && b[start - 1].is_ascii_digit() {
            start -= 1;
        }
        if start == dot || (start > 0 && glued_before(b[start - 1])) {
            continue;
        }
        let Some((addr, end)) = quad_at(b, start) else {
            continue;
        };
        from = end;
        if addr.is_unspecified() || is_netmask(addr) || after_broadcast_label(b, start) {
            continue;
        }
        // A prefix with the host bits zero is a network (10.42.0.0/16), not an address.
        if let Some((n, _)) = prefix_at(b, end, 32) {
            let host_bits = u32::MAX.checked_shr(n).unwrap_or(0);
            if n < 32 && u32::from(addr) & host_bits == 0 {
                continue;
            }
        }
        f(addr);
    }
}

/// Parses a dotted quad starting at `start`, returning it and the index after it.
/// Octets are 0–255 without leading zeros (`010.1.1.1` is not an address).
fn quad_at(b: &[u8], start: usize) -> Option<(Ipv4Addr, usize)> {
    let mut i = start;
    let mut octets = [0u8; 4];
    for (part, octet) in octets.iter_mut().enumerate() {
        let s = i;
        let mut v: u32 = 0;
        while i < b.len() && i - s < 3 && b[i].is_ascii_digit() {
            v = v * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        if i == s || v > 255 || (i - s > 1 && b[s] == b'0') {
            return None;
        }
        *octet = v as u8;
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    // Glued after: more digits or letters, or a fifth dotted part.
    match b.get(i) {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => None,
        Some(b'.') if b.get(i + 1).is_some_and(u8::is_ascii_digit) => None,
        _ => Some((Ipv4Addr::from(octets), i)),
    }
}

fn v6_char(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':' || c == b'.'
}

/// Calls `f` for every IPv6 host address in `line`, in order.
pub fn scan_ipv6(line: &str, mut f: impl FnMut(Ipv6Addr)) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !v6_char(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && v6_char(b[i]) {
            i += 1;
        }
        let end = i;
        if let Some(a) = v6_candidate(b, start, end) {
            f(a);
        }
    }
}

fn v6_candidate(b: &[u8], start: usize, end: usize) -> Option<Ipv6Addr> {
    if start > 0 && (b[start - 1].is_ascii_alphanumeric() || matches!(b[start - 1], b'_' | b'-')) {
        return None;
    }
    if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return None;
    }
    let mut run = &b[start..end];
    // "addr:fe80::1" style glue and sentence punctuation around the address.
    if run.starts_with(b":") && !run.starts_with(b"::") {
        run = &run[1..];
    }
    while let Some((&last, rest)) = run.split_last() {
        if last == b'.' || (last == b':' && !run.ends_with(b"::")) {
            run = rest;
        } else {
            break;
        }
    }
    let colons = run.iter().filter(|&&c| c == b':').count();
    if colons < 2 || !run.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let addr: Ipv6Addr = std::str::from_utf8(run).ok()?.parse().ok()?;
    if addr.is_unspecified() {
        return None;
    }
    let run_end = start + (run.as_ptr() as usize - b[start..].as_ptr() as usize) + run.len();
    if let Some((n, _)) = prefix_at(b, run_end, 128) {
        let v = u128::from(addr);
        let host_bits = u128::MAX.checked_shr(n).unwrap_or(0);
        if n < 128 && v & host_bits == 0 {
            return None;
        }
    }
    Some(addr)
}

/// Parses `a.b.c.d` or `a.b.c.d/nn` (IPv4 only), rejecting placeholders.
pub fn parse_v4_cidr(s: &str) -> Option<(Ipv4Addr, Option<u32>)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u32>().ok().filter(|n| *n <= 32)?)),
        None => (s, None),
    };
    Some((addr.parse().ok()?, prefix))
}

/// Parses an IPv6 address with an optional `/nn` and `%zone`.
pub fn parse_v6_cidr(s: &str) -> Option<(Ipv6Addr, Option<u32>)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u32>().ok().filter(|n| *n <= 128)?)),
        None => (s, None),
    };
    let addr = addr.split('%').next().unwrap_or(addr);
    Some((addr.parse().ok()?, prefix))
}

/// Prefix length of a dotted (`255.255.255.0`) or hex (`0xffffff00`) netmask.
pub fn mask_prefix(mask: &str) -> Option<u32> {
    let v = if let Some(hex) = mask.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        u32::from(mask.parse::<Ipv4Addr>().ok()?)
    };
    (v.leading_ones() + v.trailing_zeros() == 32).then(|| v.leading_ones())
}

/// Whether a table cell holds an IP address (either family).
pub fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}
