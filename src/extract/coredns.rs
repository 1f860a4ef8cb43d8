//! CoreDNS `plugin/loop` reports, in the three formats CoreDNS has printed:
//!
//! - since 1.3 (coredns#2400): `Loop (127.0.0.1:53 -> :53) detected for zone ".", see
//!   https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547....3688...."`
//! - 1.2.x after coredns#2185: `Forwarding loop detected in "." zone. Exiting. See
//!   https://coredns.io/plugins/loop#troubleshooting. Probe query: "HINFO 8197....2826...."`
//! - 1.2.0–1.2.2: `Seen "HINFO IN 7087784449798295848.7359092265978106814." more than twice,
//!   loop detected`
//!
//! Pasted lines are often cut short (no closing quote): what is there is kept.

use super::facts::CorednsLoop;

/// Parses a loop report; `None` when the line is not one.
pub fn parse_loop(line: &str) -> Option<CorednsLoop> {
    if let Some(rest) = after(line, "Loop (") {
        let (inside, tail) = rest.split_once(')')?;
        let (from, to) = inside.split_once("->")?;
        return Some(CorednsLoop {
            from: non_empty(from.trim()),
            to: non_empty(to.trim()),
            zone: after(tail, "zone ").and_then(quoted),
            query: after(tail, "Query: ").and_then(quoted),
        });
    }
    if let Some(rest) = after(line, "loop detected in ") {
        return Some(CorednsLoop {
            from: None,
            to: None,
            zone: quoted(rest),
            query: after(rest, "Probe query: ").or_else(|| after(rest, "Probe ")).and_then(quoted),
        });
    }
    if let Some(rest) = after(line, "Seen ")
        && line.contains("loop detected")
    {
        return Some(CorednsLoop { from: None, to: None, zone: None, query: quoted(rest) });
    }
    None
}

fn after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.find(key).map(|p| &s[p + key.len()..])
}

/// The text inside the leading `"..."`; an unclosed quote runs to the end of the line.
fn quoted(s: &str) -> Option<String> {
    let s = s.trim_start().strip_prefix('"')?;
    let inner = s.split('"').next().unwrap_or(s).trim();
    non_empty(inner)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}
