//! Objects in, a [`Summary`] out, one object at a time: the API fetcher feeds it page
//! by page, `--from` feeds it a saved `kubectl get -o json`, the watcher feeds it typed
//! objects. Pure: the caller says what time it is.

use k8s_openapi::api::core::v1::{Endpoints, Event, Node as ApiNode, Pod as ApiPod, Service};
use serde::Deserialize;
use serde_json::Value;

use super::events::EventTally;
use super::nodes::summarise_node;
use super::pods::summarise_pod;
use super::summary::{Dns, MAX_SKIPPED, Summary};

#[derive(Debug, Default)]
pub struct Builder {
    now: i64,
    summary: Summary,
    events: EventTally,
    dns_service: Option<(String, Option<String>)>,
    skipped: usize,
}

impl Builder {
    /// `now` in unix seconds: ages are computed against it.
    pub fn new(now: i64) -> Builder {
        Builder { now, ..Builder::default() }
    }

    pub fn add_pod(&mut self, pod: &ApiPod) {
        self.summary.pods.push(summarise_pod(pod, self.now));
    }

    pub fn add_node(&mut self, node: &ApiNode) {
        self.summary.nodes.push(summarise_node(node, self.now));
    }

    pub fn add_event(&mut self, event: &Event) {
        self.events.add(event);
    }

    /// The kube-dns Service (its cluster IP).
    pub fn add_service(&mut self, svc: &Service) {
        let name = format!(
            "{}/{}",
            svc.metadata.namespace.as_deref().unwrap_or("default"),
            svc.metadata.name.as_deref().unwrap_or_default()
        );
        let ip = svc.spec.as_ref().and_then(|s| s.cluster_ip.clone());
        self.dns_service = Some((name, ip));
    }

    /// The kube-dns Endpoints (ready and not-ready addresses).
    pub fn add_endpoints(&mut self, ep: &Endpoints) {
        let mut dns = Dns {
            service: format!(
                "{}/{}",
                ep.metadata.namespace.as_deref().unwrap_or("default"),
                ep.metadata.name.as_deref().unwrap_or_default()
            ),
            ..Dns::default()
        };
        for subset in ep.subsets.as_deref().unwrap_or(&[]) {
            let port = subset
                .ports
                .as_deref()
                .and_then(|ps| ps.iter().find(|p| p.protocol.as_deref() != Some("TCP")).or(ps.first()))
                .map(|p| p.port);
            let fmt = |ip: &str| match port {
                Some(p) => format!("{ip}:{p}"),
                None => ip.to_string(),
            };
            dns.ready.extend(subset.addresses.as_deref().unwrap_or(&[]).iter().map(|a| fmt(&a.ip)));
            dns.not_ready.extend(subset.not_ready_addresses.as_deref().unwrap_or(&[]).iter().map(|a| fmt(&a.ip)));
        }
        self.summary.dns = Some(dns);
    }

    /// One object of any kind we read; `default_kind` comes from the list it was in
    /// (`PodList` items carry no `kind`). Unknown kinds are ignored; unreadable objects
    /// are noted in `skipped`.
    pub fn add_value(&mut self, item: &Value, default_kind: Option<&str>) {
        let kind = item.get("kind").and_then(Value::as_str).or(default_kind).unwrap_or("");
        let result = match kind {
            "Pod" => ApiPod::deserialize(item).map(|p| self.add_pod(&p)),
            "Node" => ApiNode::deserialize(item).map(|n| self.add_node(&n)),
            "Event" => Event::deserialize(item).map(|e| self.add_event(&e)),
            "Service" if is_dns(item) => Service::deserialize(item).map(|s| self.add_service(&s)),
            "Endpoints" if is_dns(item) => Endpoints::deserialize(item).map(|e| self.add_endpoints(&e)),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.skipped += 1;
            if self.summary.skipped.len() < MAX_SKIPPED {
                let name = item.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?");
                self.summary.skipped.push(format!("{kind}/{name}: {e}"));
            }
        }
    }

    pub fn finish(mut self) -> Summary {
        let (events, warnings) = self.events.finish();
        let mut s = self.summary;
        s.events = events;
        s.warnings = warnings;
        s.pods.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        s.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        if !s.pods.is_empty() {
            s.restarts_total = Some(s.pods.iter().map(|p| p.restarts).sum());
        }
        if let Some((service, ip)) = self.dns_service.take() {
            let dns = s.dns.get_or_insert_with(|| Dns { service: service.clone(), ..Dns::default() });
            dns.service = service;
            dns.cluster_ip = ip;
        }
        if self.skipped > s.skipped.len() {
            s.skipped.push(format!("… and {} more", self.skipped - s.skipped.len()));
        }
        s
    }
}

fn is_dns(item: &Value) -> bool {
    let name = item.pointer("/metadata/name").and_then(Value::as_str);
    let ns = item.pointer("/metadata/namespace").and_then(Value::as_str);
    name == Some("kube-dns") && matches!(ns, Some("kube-system") | None)
}

/// Why a saved output could not be read as Kubernetes JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // serde_json's messages already end with "at line L column C".
        f.write_str(&self.message)
    }
}

/// The objects in a saved `kubectl get … -o json`: a List (or `PodList`, …), a bare
/// JSON array, or a single object. Yields each item with the kind its list implies.
pub fn items(value: &Value) -> Result<Vec<(&Value, Option<String>)>, JsonError> {
    let not_k8s = |what: &str| JsonError {
        line: 1,
        column: 1,
        message: format!("{what}; expected a Kubernetes object, a List or an array of objects"),
    };
    match value {
        Value::Array(items) => Ok(items.iter().map(|i| (i, None)).collect()),
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => {
                let kind = map.get("kind").and_then(Value::as_str).and_then(|k| k.strip_suffix("List"));
                let kind = kind.filter(|k| !k.is_empty()).map(str::to_string);
                Ok(items.iter().map(|i| (i, kind.clone())).collect())
            }
            Some(Value::Null) => Ok(Vec::new()),
            _ if map.contains_key("kind") || map.contains_key("metadata") => Ok(vec![(value, None)]),
            _ => Err(not_k8s("a JSON object without kind, metadata or items")),
        },
        other => Err(not_k8s(&format!("a JSON {}", json_type(other)))),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The summary of saved `kubectl get … -o json` output (pods, nodes, events, the
/// kube-dns service and endpoints, mixed), seen at `now` (unix seconds). Pure; this is
/// what `incident extract` calls for JSON input.
pub fn summarise_json_at(text: &str, now: i64) -> Result<Summary, JsonError> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| JsonError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut builder = Builder::new(now);
    for (item, kind) in items(&value)? {
        builder.add_value(item, kind.as_deref());
    }
    Ok(builder.finish())
}

/// [`summarise_json_at`] with ages against the system clock.
pub fn summarise_json(text: &str) -> Result<Summary, JsonError> {
    summarise_json_at(text, chrono::Utc::now().timestamp())
}
