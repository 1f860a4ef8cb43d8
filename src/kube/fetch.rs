//! Listing the cluster page by page (`limit`/`continue`): each page is summarised and
//! its objects, scrubbed, streamed to `sink` as one JSON List, then dropped. Memory
//! holds one page and the summary, whatever the cluster's size.

use std::io::Write;

use kube::Client;
use kube::core::Request;
use kube::core::params::{GetParams, ListParams};
use serde_json::Value;

use super::build::Builder;
use super::failure::{Failure, FailureKind, classify};
use super::scrub::scrub;
use super::summary::Summary;
use crate::record::scrub::LineFilter;

/// What one snapshot fetched.
#[derive(Debug)]
pub struct Fetched {
    pub summary: Summary,
    pub objects: u64,
    pub pages: u64,
    pub redactions: u64,
}

/// What ended a fetch early.
#[derive(Debug)]
pub enum FetchError {
    Cluster(Box<Failure>),
    Write(std::io::Error),
    /// A request kube could not build (a path that is no URI): our fault, not the output's.
    Request(String),
}

impl From<std::io::Error> for FetchError {
    fn from(e: std::io::Error) -> Self {
        FetchError::Write(e)
    }
}

/// Who we ask, and how.
pub struct Fetcher<'a> {
    pub client: &'a Client,
    pub server: &'a str,
    pub context: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub page_size: u32,
    /// Named in a proxy failure.
    pub proxy: Option<&'a str>,
    /// kubectl's flags for the same cluster, for hints.
    pub kubectl: &'a str,
}

/// Writes objects as `{"apiVersion":"v1","kind":"List","items":[…]}`, one per line,
/// each line through `filter` (redaction) on its way out.
pub struct ListWriter<'f, W: Write> {
    out: W,
    filter: &'f mut dyn LineFilter,
    first: bool,
    line: String,
    filtered: String,
}

/// Lines as they are (tests, and output that is thrown away).
pub struct Verbatim;

impl LineFilter for Verbatim {
    fn line(&mut self, line: &str, out: &mut String) {
        out.push_str(line);
    }
    fn end(&mut self, _out: &mut String) {}
}

impl<'f, W: Write> ListWriter<'f, W> {
    pub fn new(mut out: W, filter: &'f mut dyn LineFilter) -> std::io::Result<Self> {
        out.write_all(b"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n")?;
        Ok(ListWriter { out, filter, first: true, line: String::new(), filtered: String::new() })
    }

    pub fn item(&mut self, item: &Value) -> std::io::Result<()> {
        self.line.clear();
        if !self.first {
            self.line.push(',');
        }
        self.first = false;
        self.line.push_str(&serde_json::to_string(item)?);
        self.line.push('\n');
        self.filtered.clear();
        self.filter.line(&self.line, &mut self.filtered);
        self.out.write_all(self.filtered.as_bytes())
    }

    /// Takes the secrets out of `item` (see [`scrub`]), each replaced by what the filter
    /// makes of it; returns how many values went.
    pub fn scrub(&mut self, item: &mut Value) -> u64 {
        scrub(item, &mut |rule, secret| self.filter.hide(rule, secret))
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.filtered.clear();
        self.filter.end(&mut self.filtered);
        self.out.write_all(self.filtered.as_bytes())?;
        self.out.write_all(b"]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl Fetcher<'_> {
    fn path(&self, resource: &str, namespaced: bool) -> String {
        match (namespaced, self.namespace) {
            (true, Some(ns)) => format!("/api/v1/namespaces/{ns}/{resource}"),
            _ => format!("/api/v1/{resource}"),
        }
    }

    fn fail(&self, e: &kube::Error, path: &str) -> Failure {
        classify(e, self.server, self.context, path).via(self.proxy).using(self.kubectl)
    }

    fn cluster(&self, (e, path): (&kube::Error, &str)) -> FetchError {
        FetchError::Cluster(Box::new(self.fail(e, path)))
    }

    /// Lists everything a snapshot holds into `builder` and `out`. Only the pods are
    /// required: nodes, events and the DNS service that fail (403, a 500, a timeout)
    /// are noted under `skipped`, and the rest is kept.
    pub async fn fetch<W: Write>(&self, now: i64, out: &mut ListWriter<'_, W>) -> Result<Fetched, FetchError> {
        let mut builder = Builder::new(now);
        let mut stats = Fetched { summary: Summary::default(), objects: 0, pages: 0, redactions: 0 };
        let mut notes = Vec::new();
        // Pods first: they are what a snapshot is for, and the first request tells
        // whether the server is there at all.
        let pods = self.path("pods", true);
        self.list(&pods, "Pod", &mut builder, out, &mut stats).await?;
        for (resource, kind) in [("nodes", "Node"), ("events", "Event")] {
            let path = self.path(resource, kind == "Event");
            match self.list(&path, kind, &mut builder, out, &mut stats).await {
                Ok(()) => {}
                Err(FetchError::Cluster(f)) => notes.push(format!("{resource}: {}", f.message)),
                Err(other) => return Err(other),
            }
        }
        for (resource, kind) in [("services", "Service"), ("endpoints", "Endpoints")] {
            let path = format!("/api/v1/namespaces/kube-system/{resource}");
            let shown = format!("{path}/kube-dns");
            let req = Request::new(&path).get("kube-dns", &GetParams::default()).map_err(build_error)?;
            let got = match self.client.request_text(req).await {
                Ok(text) => serde_json::from_str::<Value>(&text).map_err(kube::Error::SerdeError),
                Err(e) => Err(e),
            };
            match got {
                Ok(mut value) => self.emit(&mut value, kind, &mut builder, out, &mut stats)?,
                Err(e) => {
                    let f = self.fail(&e, &shown);
                    if f.kind != FailureKind::NotFound {
                        notes.push(format!("{resource}/kube-dns: {}", f.message));
                    }
                }
            }
        }
        let mut summary = builder.finish();
        summary.skipped.extend(notes);
        stats.summary = summary;
        Ok(stats)
    }

    async fn list<W: Write>(
        &self,
        path: &str,
        kind: &str,
        builder: &mut Builder,
        out: &mut ListWriter<'_, W>,
        stats: &mut Fetched,
    ) -> Result<(), FetchError> {
        let mut token: Option<String> = None;
        loop {
            let params =
                ListParams { limit: Some(self.page_size), continue_token: token.clone(), ..ListParams::default() };
            let req = Request::new(path).list(&params).map_err(build_error)?;
            let shown = format!("{path}?limit={}", self.page_size);
            let text = self.client.request_text(req).await.map_err(|e| self.cluster((&e, &shown)))?;
            let page: Value =
                serde_json::from_str(&text).map_err(|e| self.cluster((&kube::Error::SerdeError(e), &shown)))?;
            drop(text);
            stats.pages += 1;
            let Value::Object(mut page) = page else {
                let e = serde::de::Error::custom("the page is not a JSON object");
                return Err(self.cluster((&kube::Error::SerdeError(e), &shown)));
            };
            token = page
                .get("metadata")
                .and_then(|m| m.get("continue"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if let Some(Value::Array(items)) = page.remove("items") {
                for mut item in items {
                    self.emit(&mut item, kind, builder, out, stats)?;
                }
            }
            if token.is_none() {
                return Ok(());
            }
        }
    }

    fn emit<W: Write>(
        &self,
        item: &mut Value,
        kind: &str,
        builder: &mut Builder,
        out: &mut ListWriter<'_, W>,
        stats: &mut Fetched,
    ) -> Result<(), FetchError> {
        builder.add_value(item, Some(kind));
        if let Value::Object(map) = item {
            // List items carry no kind; the written List must read back on its own.
            map.entry("kind").or_insert_with(|| Value::String(kind.to_string()));
            map.entry("apiVersion").or_insert_with(|| Value::String("v1".to_string()));
        }
        stats.redactions += out.scrub(item);
        stats.objects += 1;
        out.item(item)?;
        Ok(())
    }
}

fn build_error(e: kube::core::request::Error) -> FetchError {
    FetchError::Request(format!("cannot build the request: {e}"))
}

#[cfg(test)]
mod tests {
    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::json;

    use super::*;

    /// A fetcher of all namespaces from `k:6443`, 500 to a page.
    fn fetcher(client: &Client) -> Fetcher<'_> {
        Fetcher { client, server: "k:6443", context: None, namespace: None, page_size: 500, proxy: None, kubectl: "" }
    }

    /// Serves `answers` by path prefix, in order of arrival; returns every URI asked for.
    fn mock(answers: Vec<(&'static str, u16, Value)>) -> (Client, tokio::task::JoinHandle<Vec<String>>) {
        let (svc, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let task = tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Some((req, send)) = handle.next_request().await {
                let uri = req.uri().to_string();
                seen.push(uri.clone());
                let (code, body) = answers
                    .iter()
                    .find(|(want, _, _)| uri == *want)
                    .map(|(_, c, b)| (*c, b.clone()))
                    .unwrap_or_else(|| (599, json!({"unexpected": uri})));
                let resp = Response::builder().status(code).body(Body::from(body.to_string().into_bytes())).unwrap();
                send.send_response(resp);
            }
            seen
        });
        (Client::new(svc, "default"), task)
    }

    fn page(kind: &str, names: &[&str], cont: Option<&str>) -> Value {
        let items: Vec<Value> = names.iter().map(|n| json!({"metadata": {"name": n, "namespace": "ns"}})).collect();
        let mut meta = json!({"resourceVersion": "1"});
        if let Some(c) = cont {
            meta["continue"] = json!(c);
        }
        json!({"kind": kind, "apiVersion": "v1", "metadata": meta, "items": items})
    }

    fn not_found() -> Value {
        json!({"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})
    }

    #[tokio::test]
    async fn pages_follow_continue_and_a_namespace_stays_a_namespace() {
        let (client, task) = mock(vec![
            ("/api/v1/namespaces/ns/pods?&limit=2", 200, page("PodList", &["a", "b"], Some("tok1"))),
            ("/api/v1/namespaces/ns/pods?&limit=2&continue=tok1", 200, page("PodList", &["c"], None)),
            ("/api/v1/nodes?&limit=2", 200, page("NodeList", &["n1"], None)),
            ("/api/v1/namespaces/ns/events?&limit=2", 200, page("EventList", &[], None)),
            ("/api/v1/namespaces/kube-system/services/kube-dns", 404, not_found()),
            ("/api/v1/namespaces/kube-system/endpoints/kube-dns", 404, not_found()),
        ]);
        let f = Fetcher {
            client: &client,
            server: "127.0.0.1:6443",
            context: None,
            namespace: Some("ns"),
            page_size: 2,
            proxy: None,
            kubectl: "",
        };
        let mut v = Verbatim;
        let mut out = ListWriter::new(Vec::new(), &mut v).unwrap();
        let fetched = f.fetch(0, &mut out).await.unwrap();
        drop(client);
        let seen = task.await.unwrap();
        // Exactly these requests: nothing cluster-wide for pods or events.
        assert_eq!(
            seen,
            [
                "/api/v1/namespaces/ns/pods?&limit=2",
                "/api/v1/namespaces/ns/pods?&limit=2&continue=tok1",
                "/api/v1/nodes?&limit=2",
                "/api/v1/namespaces/ns/events?&limit=2",
                "/api/v1/namespaces/kube-system/services/kube-dns",
                "/api/v1/namespaces/kube-system/endpoints/kube-dns",
            ]
        );
        assert_eq!(fetched.pages, 4);
        assert_eq!(fetched.objects, 4);
        let names: Vec<&str> = fetched.summary.pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(fetched.summary.dns.is_none());
        assert!(
            fetched.summary.skipped.is_empty(),
            "a missing kube-dns is not a failure: {:?}",
            fetched.summary.skipped
        );
        let written: Value = serde_json::from_slice(&out.finish().unwrap()).unwrap();
        assert_eq!(written["items"].as_array().unwrap().len(), 4);
        assert_eq!(written["items"][3]["kind"], "Node");
    }

    #[tokio::test]
    async fn forbidden_nodes_are_noted_and_a_failed_pod_list_stops_everything() {
        let forbidden = json!({"kind": "Status", "status": "Failure", "reason": "Forbidden", "code": 403,
            "message": "nodes is forbidden: User \"dev\" cannot list resource \"nodes\""});
        let (client, task) = mock(vec![
            ("/api/v1/pods?&limit=500", 200, page("PodList", &["a"], None)),
            ("/api/v1/nodes?&limit=500", 403, forbidden.clone()),
            ("/api/v1/events?&limit=500", 200, page("EventList", &[], None)),
            ("/api/v1/namespaces/kube-system/services/kube-dns", 404, not_found()),
            ("/api/v1/namespaces/kube-system/endpoints/kube-dns", 404, not_found()),
        ]);
        let f = Fetcher { context: Some("dev"), namespace: None, ..fetcher(&client) };
        let mut v = Verbatim;
        let mut out = ListWriter::new(std::io::sink(), &mut v).unwrap();
        let fetched = f.fetch(0, &mut out).await.unwrap();
        assert_eq!(fetched.summary.pods.len(), 1);
        assert!(
            fetched.summary.skipped[0].starts_with(
                "nodes: the server k:6443 (context \"dev\") forbids /api/v1/nodes?limit=500: 403 Forbidden"
            ),
            "{:?}",
            fetched.summary.skipped
        );
        drop(client);
        task.await.unwrap();

        let (client, task) = mock(vec![("/api/v1/pods?&limit=500", 403, forbidden)]);
        let f = fetcher(&client);
        let mut v = Verbatim;
        let mut out = ListWriter::new(std::io::sink(), &mut v).unwrap();
        match f.fetch(0, &mut out).await {
            Err(FetchError::Cluster(failure)) => assert_eq!(failure.kind, FailureKind::Forbidden),
            other => panic!("expected a failure, got {other:?}"),
        }
        drop(client);
        // After the pods list failed, nothing else was asked.
        assert_eq!(task.await.unwrap(), ["/api/v1/pods?&limit=500"]);
    }

    #[tokio::test]
    async fn a_failing_events_list_is_noted_and_the_snapshot_kept() {
        let busy = json!({"kind": "Status", "status": "Failure", "reason": "TooManyRequests", "code": 429,
            "message": "too many requests"});
        let (client, task) = mock(vec![
            ("/api/v1/pods?&limit=500", 200, page("PodList", &["a"], None)),
            ("/api/v1/nodes?&limit=500", 200, page("NodeList", &["n1"], None)),
            ("/api/v1/events?&limit=500", 429, busy),
            ("/api/v1/namespaces/kube-system/services/kube-dns", 503, json!({"code": 503, "message": "etcd"})),
            ("/api/v1/namespaces/kube-system/endpoints/kube-dns", 404, not_found()),
        ]);
        let f = fetcher(&client);
        let mut v = Verbatim;
        let mut out = ListWriter::new(std::io::sink(), &mut v).unwrap();
        let fetched = f.fetch(0, &mut out).await.unwrap();
        assert_eq!((fetched.summary.pods.len(), fetched.summary.nodes.len()), (1, 1));
        assert_eq!(
            fetched.summary.skipped,
            [
                "events: the server k:6443 answered 429 for /api/v1/events?limit=500: too many requests",
                "services/kube-dns: the server k:6443 answered 503 for /api/v1/namespaces/kube-system/services/kube-dns: etcd",
            ]
        );
        drop(client);
        task.await.unwrap();
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_is_not_a_write_error() {
        let (client, task) = mock(vec![]);
        let f = Fetcher { context: None, namespace: Some("a b"), ..fetcher(&client) };
        let mut v = Verbatim;
        let mut out = ListWriter::new(std::io::sink(), &mut v).unwrap();
        match f.fetch(0, &mut out).await {
            Err(FetchError::Request(why)) => assert!(why.starts_with("cannot build the request: "), "{why}"),
            other => panic!("expected a request error, got {other:?}"),
        }
        drop(client);
        assert!(task.await.unwrap().is_empty());
    }
}
