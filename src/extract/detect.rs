//! What kind of output to expect: the `--as` hint, and which parsers it switches on.
//!
//! `auto` runs every parser, each behind its own cheap prefilter (a header word, `inet`,
//! a `dev`/`via`, a keyword hit), so detection happens per line, by content: one capture
//! can hold a pods table, then an `ip addr`, then log lines. A hint narrows the parsers,
//! which keeps, say, a log line shaped like a route out of a log. Addresses (`ipv4`,
//! `ipv6`) are collected under every hint.

use std::fmt;
use std::str::FromStr;

/// The kind of output, as given by `incident extract --as`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Hint {
    #[default]
    Auto,
    Pods,
    Nodes,
    Ip,
    Route,
    Log,
}

impl Hint {
    /// Every hint, in the order `--as` lists them.
    pub const ALL: [Hint; 6] = [Hint::Auto, Hint::Pods, Hint::Nodes, Hint::Ip, Hint::Route, Hint::Log];

    /// The name `--as` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Hint::Auto => "auto",
            Hint::Pods => "pods",
            Hint::Nodes => "nodes",
            Hint::Ip => "ip",
            Hint::Route => "route",
            Hint::Log => "log",
        }
    }

    pub(crate) fn parsers(self) -> Parsers {
        let all = self == Hint::Auto;
        Parsers {
            pods: all || self == Hint::Pods,
            nodes: all || self == Hint::Nodes,
            // `ip` covers `ip addr` and `ip route`: people paste both under one `ip`.
            ifaces: all || self == Hint::Ip,
            routes: all || self == Hint::Ip || self == Hint::Route,
            logs: all || self == Hint::Log,
        }
    }
}

/// Which parsers run on each line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parsers {
    pub pods: bool,
    pub nodes: bool,
    pub ifaces: bool,
    pub routes: bool,
    pub logs: bool,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown `--as` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseHintError(pub String);

impl fmt::Display for ParseHintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown kind of output `{}` (expected one of: auto, pods, nodes, ip, route, log)", self.0)
    }
}

impl std::error::Error for ParseHintError {}

impl FromStr for Hint {
    type Err = ParseHintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Hint::ALL.into_iter().find(|h| h.as_str() == lower).ok_or_else(|| ParseHintError(s.to_string()))
    }
}
