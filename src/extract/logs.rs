//! Error lines in logs and tool output: kubelet/k3s/flannel journals, CoreDNS, curl,
//! nslookup/dig, kubectl errors.
//!
//! One Aho-Corasick pass over the line finds every keyword at once (no regex per rule);
//! only lines with a hit pay for endpoint extraction. A line gets one kind: the most
//! specific of its hits (a CoreDNS loop line also says "loop"; a DNS read that timed out
//! says "i/o timeout" but is a `dns_timeout`).

use super::coredns;
use super::facts::{ErrorKind, ErrorLine, Facts, MAX_ERROR_TEXT, MAX_ERRORS, MAX_LOOPS};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::LazyLock;

use ErrorKind as K;

/// Keyword -> kind. Matched ASCII case-insensitively.
const KEYWORDS: &[(&str, ErrorKind)] = &[
    ("connection refused", K::ConnectionRefused),
    ("econnrefused", K::ConnectionRefused),
    (" was refused", K::ConnectionRefused),
    ("i/o timeout", K::IoTimeout),
    ("context deadline exceeded", K::IoTimeout),
    ("tls handshake timeout", K::IoTimeout),
    // Go's dial, curl (28), ssh: ETIMEDOUT and friends.
    ("connection timed out", K::IoTimeout),
    ("operation timed out", K::IoTimeout),
    ("timeout was reached", K::IoTimeout),
    ("client.timeout exceeded", K::IoTimeout),
    // curl 7.8x+ says only this for a refused or unreachable connect.
    ("couldn't connect to server", K::ConnectFailed),
    ("nxdomain", K::Nxdomain),
    ("servfail", K::Servfail),
    // Go's resolver for SERVFAIL and other bad answers.
    ("server misbehaving", K::Servfail),
    // Go's resolver and getaddrinfo's EAI_NONAME: the name does not exist.
    ("no such host", K::Nxdomain),
    ("name or service not known", K::Nxdomain),
    // curl, git, getaddrinfo's EAI_AGAIN: no answer, or no word why.
    ("could not resolve host", K::DnsFailure),
    ("temporary failure in name resolution", K::DnsFailure),
    // busybox nslookup.
    ("can't resolve", K::DnsFailure),
    ("no route to host", K::NoRouteToHost),
    ("ehostunreach", K::NoRouteToHost),
    ("network is unreachable", K::NoRouteToHost),
    ("enetunreach", K::NoRouteToHost),
    ("connection reset", K::ConnectionReset),
    ("econnreset", K::ConnectionReset),
    ("no servers could be reached", K::DnsTimeout),
    ("communications error to", K::DnsTimeout),
    ("plugin/loop", K::CorednsLoop),
    ("loop detected", K::CorednsLoop),
    ("crashloopbackoff", K::CrashLoopBackOff),
    ("back-off restarting failed container", K::CrashLoopBackOff),
    ("oomkilled", K::OomKilled),
    ("out of memory", K::OomKilled),
    ("oom-kill", K::OomKilled),
    ("imagepullbackoff", K::ImagePull),
    ("errimagepull", K::ImagePull),
    ("failed to pull image", K::ImagePull),
    // containerd.
    ("failed to pull and unpack image", K::ImagePull),
    ("pull access denied", K::ImagePull),
    ("service unavailable", K::ServiceUnavailable),
    ("serviceunavailable", K::ServiceUnavailable),
    ("currently unable to handle the request", K::ServiceUnavailable),
    ("x509:", K::Tls),
    ("tls: ", K::Tls),
    ("tls handshake error", K::Tls),
    ("certificate has expired", K::Tls),
    ("certificate signed by unknown authority", K::Tls),
    ("permission denied", K::PermissionDenied),
    ("is forbidden", K::PermissionDenied),
];

/// Most specific first: when a line matches several kinds, the earliest here wins.
const PRIORITY: [ErrorKind; 16] = [
    K::CorednsLoop,
    K::DnsTimeout,
    K::OomKilled,
    K::ImagePull,
    K::CrashLoopBackOff,
    K::Nxdomain,
    K::Servfail,
    K::DnsFailure,
    K::Tls,
    K::PermissionDenied,
    K::NoRouteToHost,
    K::ConnectionRefused,
    K::ConnectionReset,
    K::IoTimeout,
    K::ConnectFailed,
    K::ServiceUnavailable,
];

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(KEYWORDS.iter().map(|(k, _)| k))
        .expect("static keyword set builds")
});

/// The kind of an error line, or `None` for a line that reports no failure.
pub fn classify(line: &str) -> Option<ErrorKind> {
    let mut best: Option<usize> = None;
    for m in MATCHER.find_iter(line) {
        let kind = KEYWORDS[m.pattern().as_usize()].1;
        let rank = PRIORITY.iter().position(|k| *k == kind).unwrap_or(usize::MAX);
        if best.is_none_or(|b| rank < b) {
            best = Some(rank);
        }
    }
    let kind = PRIORITY[best?];
    // CoreDNS answers its own loop probe with NXDOMAIN: that is the probe, not a failure.
    if kind == K::Nxdomain && line.contains("\"HINFO IN ") {
        return None;
    }
    Some(kind)
}

/// Per-output state for log lines.
#[derive(Debug, Default)]
pub struct LogState {
    /// An endpoint named by the previous line ("Failed to connect to host:port") that the
    /// next line's bare "Connection refused" refers to.
    pending: Option<(u64, String)>,
}

/// Kinds a bare next line can report about the previous line's connection.
const CONNECTION_KINDS: [ErrorKind; 5] =
    [K::ConnectionRefused, K::ConnectionReset, K::NoRouteToHost, K::IoTimeout, K::ConnectFailed];

/// At most this many words: a line that says only how the connection failed
/// (`Connection refused`, `curl: (7) Connection refused`), not a log line of its own.
const BARE_LINE_WORDS: usize = 4;

impl LogState {
    /// Feeds one line (1-based `line_no`).
    pub fn feed(&mut self, line_no: u64, line: &str, facts: &mut Facts) {
        let full = facts.errors.len() >= MAX_ERRORS && facts.coredns_loops.len() >= MAX_LOOPS;
        if full {
            // Past both caps nothing more can be stored; still note that we dropped some.
            if MATCHER.is_match(line) {
                facts.truncated = true;
            }
            return;
        }
        let Some(kind) = classify(line) else {
            // Cheap substring test first: most lines name nothing.
            if line.contains("onnect to ")
                && let Some(ep) = named_endpoint(line)
            {
                self.pending = Some((line_no, ep));
            }
            return;
        };
        let mut endpoint = endpoint(line);
        if endpoint.is_none()
            && let Some((n, ep)) = self.pending.take()
            && n + 1 == line_no
            && CONNECTION_KINDS.contains(&kind)
            && line.split_ascii_whitespace().count() <= BARE_LINE_WORDS
        {
            endpoint = Some(ep);
        }
        self.pending = None;
        let kind = match (&kind, &endpoint) {
            (K::IoTimeout, Some(ep)) if ep.ends_with(":53") => K::DnsTimeout,
            _ => kind,
        };
        if kind == K::CorednsLoop
            && let Some(l) = coredns::parse_loop(line)
        {
            if facts.coredns_loops.len() < MAX_LOOPS {
                facts.coredns_loops.push(l);
            } else {
                facts.truncated = true;
            }
        }
        if facts.errors.len() >= MAX_ERRORS {
            facts.truncated = true;
            return;
        }
        facts.errors.push(ErrorLine {
            kind: kind.as_str().to_string(),
            line: line_no,
            text: clip(line.trim(), MAX_ERROR_TEXT),
            endpoint,
        });
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary, marking the cut with `…`.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The `host:port` a line names, from the most telling context first.
pub fn endpoint(line: &str) -> Option<String> {
    for key in ["dial tcp4 ", "dial tcp6 ", "dial tcp ", "dial udp ", "->"] {
        if let Some(ep) = after(line, key).and_then(host_port) {
            return Some(ep);
        }
    }
    if let Some(ep) = named_endpoint(line) {
        return Some(ep);
    }
    // Go's resolver: `lookup NAME on 10.43.0.10:53: no such host` names the DNS server.
    if let Some(ep) = after(line, "lookup ").and_then(|rest| after(rest, " on ")).and_then(host_port) {
        return Some(ep);
    }
    for key in ["the server ", "://"] {
        if let Some(ep) = after(line, key).and_then(host_port) {
            return Some(ep);
        }
    }
    // Last resort: the first token that is literally ip:port, or dig's and nslookup's
    // ip#port (`communications error to 10.43.0.10#53: timed out`).
    line.split(|c: char| c.is_ascii_whitespace() || "()\"'[],;=".contains(c))
        .find_map(|tok| host_port(tok).filter(|ep| is_ip_host(ep)).or_else(|| ip_hash_port(tok)))
}

/// `10.43.0.10#53` (a trailing `:` allowed) as `10.43.0.10:53`.
fn ip_hash_port(tok: &str) -> Option<String> {
    let (host, port) = tok.trim_end_matches(':').split_once('#')?;
    host.parse::<std::net::IpAddr>().ok()?;
    let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    join(&host, port)
}

/// `Failed to connect to HOST:PORT` / curl's `Failed to connect to HOST port N`.
fn named_endpoint(line: &str) -> Option<String> {
    let rest = after_connect_to(line)?;
    let mut words = rest.split_ascii_whitespace();
    let host = words.next()?;
    if words.next() == Some("port") {
        let port: String = words.next()?.chars().take_while(char::is_ascii_digit).collect();
        let host = host.trim_matches(|c| c == '[' || c == ']');
        return valid_host(host).then(|| join(host, &port)).flatten();
    }
    host_port(rest)
}

fn after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.find(key).map(|p| &line[p + key.len()..])
}

/// The text after `connect to ` / `Connect to ` (curl capitalises differently by version).
fn after_connect_to(line: &str) -> Option<&str> {
    let p = line.find("onnect to ")?;
    let c = line.as_bytes().get(p.checked_sub(1)?)?;
    matches!(c, b'c' | b'C').then(|| &line[p + "onnect to ".len()..])
}

/// Reads `host:port` at the start of `s` (`10.43.0.1:443:`, `[::1]:53`, `svc.ns:11434/x`).
fn host_port(s: &str) -> Option<String> {
    let s = s.trim_start_matches(['"', '\'', '(']);
    if let Some(v6) = s.strip_prefix('[') {
        let (host, rest) = v6.split_once("]:")?;
        let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return host.parse::<std::net::Ipv6Addr>().ok().and_then(|_| join(&format!("[{host}]"), &port));
    }
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')).unwrap_or(s.len());
    let tok = s[..end].trim_end_matches(':');
    let (host, port) = tok.split_once(':')?;
    if !valid_host(host) || !port.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    join(host, port)
}

fn join(host: &str, port: &str) -> Option<String> {
    let p: u32 = port.parse().ok()?;
    (1..=65535).contains(&p).then(|| format!("{host}:{p}"))
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.as_bytes()[0].is_ascii_alphanumeric()
        && h.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
        && (h.contains('.') || h == "localhost" || h.parse::<std::net::IpAddr>().is_ok())
        && !h.contains("REDACTED")
}

fn is_ip_host(ep: &str) -> bool {
    let host = ep.rsplit_once(':').map_or(ep, |(h, _)| h);
    host.parse::<std::net::Ipv4Addr>().is_ok()
}
