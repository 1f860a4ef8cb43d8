//! The streaming [`Extractor`]: feeds each line to the parsers its hint enables.

use super::detect::{Hint, Parsers};
use super::facts::Pod;
use super::facts::{Facts, MAX_NODES, MAX_PODS};
use super::ips::IpCollector;
use super::logs::LogState;
use super::net::NetState;
use super::route::RouteState;
use super::sums::SumState;
use super::table::{self, Header};
use super::{cut, nodes, pods};
use std::collections::HashMap;

/// Extracts facts a line at a time; memory stays bounded whatever the input size.
#[derive(Debug)]
pub struct Extractor {
    parsers: Parsers,
    line_no: u64,
    facts: Facts,
    ips: IpCollector,
    header: Option<Header>,
    /// A pod row was the last table line: a `...` now says the listing was cut short.
    in_pod_rows: bool,
    /// Where each kept pod is in `facts.pods`, by namespace and name: `get pods -w` repeats rows.
    pod_at: HashMap<(Option<String>, String), usize>,
    net: NetState,
    routes: RouteState,
    logs: LogState,
    sums: SumState,
}

impl Extractor {
    pub fn new(hint: Hint) -> Self {
        Extractor {
            parsers: hint.parsers(),
            line_no: 0,
            facts: Facts::default(),
            ips: IpCollector::default(),
            header: None,
            in_pod_rows: false,
            pod_at: HashMap::new(),
            net: NetState::default(),
            routes: RouteState::default(),
            logs: LogState::default(),
            sums: SumState::default(),
        }
    }

    /// For the output of `command` (without its `$ command` line): when the command sums
    /// `restartCount`, a lone number it prints is a restart total (`facts.restart_sum`).
    pub fn for_command(hint: Hint, command: &str) -> Self {
        let mut x = Extractor::new(hint);
        if x.parsers.pods {
            x.sums = SumState::after(command);
        }
        x
    }

    /// Feeds one line (without its newline; a trailing `\r` is ignored).
    pub fn feed_line(&mut self, line: &str) {
        self.line_no += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        self.ips.scan(line, &mut self.facts);
        if self.parsers.pods
            && let Some(sum) = self.sums.feed(line)
        {
            self.facts.restart_sum.get_or_insert(sum);
        }
        if line.trim().is_empty() {
            // Blank lines separate tables, ifconfig blocks and route tables.
            self.header = None;
            self.in_pod_rows = false;
            self.net.end_block();
            self.routes.end_block();
            return;
        }
        if self.table_line(line) {
            return;
        }
        if self.in_pod_rows && cut::is_cut_marker(line) {
            self.facts.cut_short = true;
            return;
        }
        self.in_pod_rows = false;
        let p = self.parsers;
        if p.ifaces && self.net.feed(line, &mut self.facts) {
            return;
        }
        if p.routes && self.routes.feed(line, &mut self.facts) {
            return;
        }
        if p.logs {
            self.logs.feed(self.line_no, line, &mut self.facts);
        }
    }

    /// Headers and pod/node rows; true when the line was one.
    fn table_line(&mut self, line: &str) -> bool {
        let p = self.parsers;
        if !(p.pods || p.nodes) {
            return false;
        }
        if let Some(h) = table::header(line) {
            self.header = Some(h);
            self.in_pod_rows = false;
            return true;
        }
        let (pod_cols, node_cols) = match self.header {
            Some(Header::Pods { namespace, wide }) => (Some(pods::Columns { namespace, wide }), None),
            Some(Header::Nodes { roles, wide }) => (None, Some(nodes::Columns { roles, wide })),
            Some(Header::Other) => return false,
            None => (None, None),
        };
        let want_pods = p.pods && !matches!(self.header, Some(Header::Nodes { .. }));
        if want_pods && pods::may_be_row(line) {
            if let Some(pod) = pods::parse_row(line, pod_cols) {
                self.add_pod(pod);
                self.in_pod_rows = true;
                return true;
            }
            // A cut or garbled row inside a pods table is still table, not a log line.
            if matches!(self.header, Some(Header::Pods { .. })) {
                return true;
            }
        }
        let want_nodes = p.nodes && !matches!(self.header, Some(Header::Pods { .. }));
        if want_nodes
            && nodes::may_be_row(line)
            && let Some(node) = nodes::parse_row(line, node_cols)
        {
            self.in_pod_rows = false;
            if self.facts.nodes.len() < MAX_NODES {
                self.facts.nodes.push(node);
            } else {
                self.facts.truncated = true;
            }
            return true;
        }
        false
    }

    /// Keeps one row per pod: a repeated pod's later row replaces it, with the highest count.
    fn add_pod(&mut self, mut pod: Pod) {
        let total = self.facts.restarts_total.unwrap_or(0);
        let key = (pod.namespace.clone(), pod.name.clone());
        if let Some(&at) = self.pod_at.get(&key) {
            let kept = &mut self.facts.pods[at];
            pod.restarts = pod.restarts.max(kept.restarts);
            self.facts.restarts_total = Some(total.saturating_sub(kept.restarts).saturating_add(pod.restarts));
            *kept = pod;
            return;
        }
        self.facts.restarts_total = Some(total.saturating_add(pod.restarts));
        if self.facts.pods.len() < MAX_PODS {
            self.pod_at.insert(key, self.facts.pods.len());
            self.facts.pods.push(pod);
        } else {
            self.facts.truncated = true;
        }
    }

    /// Lines fed so far.
    pub fn lines(&self) -> u64 {
        self.line_no
    }

    /// The facts found.
    pub fn finish(mut self) -> Facts {
        if let Some(sum) = self.sums.finish() {
            self.facts.restart_sum.get_or_insert(sum);
        }
        self.facts
    }
}
