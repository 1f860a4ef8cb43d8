//! kubectl table plumbing: recognising header lines and the cell shapes rows are checked by.
//!
//! Rows are read by token shape, not by header column offsets: pasted tables often have
//! headers that do not line up with their rows (tabs, proportional fonts, hand edits), and
//! `| grep` drops the header altogether. The header only says which optional columns exist.

/// What the most recent header line announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    Pods {
        namespace: bool,
        wide: bool,
    },
    Nodes {
        roles: bool,
        wide: bool,
    },
    /// Some other kubectl table (services, deployments, events): its rows are not pods.
    Other,
}

/// Recognises a kubectl header line (`NAMESPACE NAME READY ...`, `NAME STATUS ROLES ...`).
pub fn header(line: &str) -> Option<Header> {
    let t = line.trim_start();
    if !(t.starts_with("NAME") || t.starts_with("LAST SEEN")) {
        return None;
    }
    let words = || t.split_whitespace();
    let upper = |w: &str| w.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || b"-_()/.".contains(&c));
    if !words().all(upper) {
        return None;
    }
    let has = |name: &str| words().any(|w| w == name);
    let first = words().next()?;
    if has("READY") && has("STATUS") && has("RESTARTS") {
        let wide = has("IP") || has("NODE");
        return Some(Header::Pods { namespace: first == "NAMESPACE", wide });
    }
    if first == "NAME" && has("STATUS") && has("VERSION") && !has("READY") {
        return Some(Header::Nodes { roles: has("ROLES"), wide: has("INTERNAL-IP") });
    }
    Some(Header::Other)
}

/// Whitespace tokens of a row, with `(15h ago)` kept as one token.
pub fn cells(line: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(12);
    let mut open: Option<usize> = None;
    for (start, tok) in tokens(line) {
        match open {
            Some(s) => {
                if tok.ends_with(')') {
                    out.push(&line[s..start + tok.len()]);
                    open = None;
                }
            }
            None if tok.starts_with('(') && !tok.ends_with(')') => open = Some(start),
            None => out.push(tok),
        }
    }
    if let Some(s) = open {
        out.push(line[s..].trim_end());
    }
    out
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split(|c: char| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(move |t| (t.as_ptr() as usize - line.as_ptr() as usize, t))
}

/// `1/1`, `0/3`.
pub fn is_ready(s: &str) -> bool {
    match s.split_once('/') {
        Some((a, b)) => is_uint(a) && is_uint(b),
        None => false,
    }
}

pub fn is_uint(s: &str) -> bool {
    !s.is_empty() && s.len() <= 12 && s.bytes().all(|c| c.is_ascii_digit())
}

/// kubectl ages: `3d`, `4h8m`, `2m39s`, `110s`, `<unknown>`, `<invalid>`.
pub fn is_age(s: &str) -> bool {
    if s == "<unknown>" || s == "<invalid>" {
        return true;
    }
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b"smhdy".contains(&b[b.len() - 1]) {
        return false;
    }
    let mut digits = false;
    for &c in b {
        if c.is_ascii_digit() {
            digits = true;
        } else if b"smhdy".contains(&c) && digits {
            digits = false;
        } else {
            return false;
        }
    }
    true
}

/// Object names as kubectl prints them: DNS-ish, optionally `pod/`, `node/` prefixed.
/// Underscores are allowed because people retype names by hand.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._/".contains(&c))
}

/// A pod STATUS: `Running`, `Init:0/1`, `Init:CrashLoopBackOff`, `OOMKilled`.
pub fn is_status(s: &str) -> bool {
    s.len() <= 64
        && s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || b":/-_".contains(&c))
}

/// `v1.30.5+k3s1`, `v1.13.3`, `v1.21.4+k0s`, `1.9.0`.
pub fn is_version(s: &str) -> bool {
    let v = s.strip_prefix('v').unwrap_or(s);
    let mut parts = v.splitn(3, '.');
    let major = parts.next().unwrap_or("");
    let minor = parts.next().unwrap_or("");
    let minor_digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
    is_uint(major) && !minor_digits.is_empty()
}

/// A cell that holds no value: `<none>`, `<nil>`, or a redaction placeholder.
pub fn is_empty_cell(s: &str) -> bool {
    matches!(s, "<none>" | "<nil>" | "<unknown>" | "-") || is_redacted(s)
}

/// `<REDACTED>`, `[REDACTED]`, `[REDACTED:ip-1]`.
pub fn is_redacted(s: &str) -> bool {
    s.contains("REDACTED")
}

/// An IP column: the address, or `None` for an empty, redacted or masked value.
pub fn ip_cell(s: Option<&str>) -> Option<String> {
    let s = s?;
    if is_empty_cell(s) || !super::ips::is_ip(s) {
        return None;
    }
    Some(s.to_string())
}
