//! A fake Kubernetes API server on 127.0.0.1 for the real binary to talk to: a tokio
//! TcpListener on a runtime the test owns, a small HTTP/1.1 responder, recorded JSON.
//! Lists paginate (`limit`/`continue`), `…/log` serves text, `?watch=true` streams
//! newline-delimited events (or a 410 Gone), and faults can be switched on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does instead of answering.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Accept, read the request, never answer.
    Hang,
    /// Answer every request with this status and a `Status` body.
    Status(u16),
    /// Answer lists with a body that is not JSON.
    Malformed,
    /// Close the listening socket (connection refused) and every open watch, until cleared.
    Refuse,
    /// Answer an empty list, a byte at a time, this long apart.
    Dribble(std::time::Duration),
}

/// What one `?watch=true` request gets, in order (the last one repeats).
#[derive(Clone, Debug)]
pub enum WatchScript {
    /// These events, then the stream ends.
    Events(Vec<Value>),
    /// An ERROR event with a 410 Gone status (a too-old resourceVersion).
    Gone,
    /// Keep the stream open without sending anything.
    Idle,
}

#[derive(Default)]
pub struct State {
    /// Every object served, each with `kind`, `metadata.name`, and `metadata.namespace` when namespaced.
    pub objects: Vec<Value>,
    /// `namespace/pod/container` -> log text.
    pub logs: HashMap<String, String>,
    pub fault: Option<Fault>,
    /// Faults for requests whose path starts with the prefix (watches excepted).
    pub path_faults: Vec<(String, Fault)>,
    /// Per resource (`pods`, `nodes`, `events`): what successive watches get.
    pub watches: HashMap<String, Vec<WatchScript>>,
    pub watch_calls: HashMap<String, usize>,
    /// Every request line, `GET /api/v1/pods?limit=500`.
    pub requests: Vec<String>,
    /// Every `Authorization` header received.
    pub authorizations: Vec<String>,
}

pub struct FakeApi {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
    /// `https` when started with TLS.
    pub scheme: &'static str,
    _rt: tokio::runtime::Runtime,
}

fn kind_of(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "pods" => "Pod",
        "nodes" => "Node",
        "events" => "Event",
        "services" => "Service",
        "endpoints" => "Endpoints",
        "configmaps" => "ConfigMap",
        _ => return None,
    })
}

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube")
}

/// The items of a fixture file (a List or one object), each given its kind.
pub fn fixture_objects(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture_dir().join(name)).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let list_kind = value["kind"].as_str().and_then(|k| k.strip_suffix("List")).map(str::to_string);
    match value.get("items").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .map(|i| {
                let mut i = i.clone();
                if i.get("kind").is_none() {
                    i["kind"] = json!(list_kind.clone().unwrap_or_default());
                }
                i
            })
            .collect(),
        None => vec![value],
    }
}

impl FakeApi {
    pub fn start(state: State) -> FakeApi {
        FakeApi::start_with(state, None)
    }

    /// Served over TLS with `config` (its certificate, and client certificates if it asks).
    pub fn start_tls(state: State, config: rustls::ServerConfig) -> FakeApi {
        FakeApi::start_with(state, Some(Arc::new(config)))
    }

    fn start_with(state: State, tls: Option<Arc<rustls::ServerConfig>>) -> FakeApi {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let state = Arc::new(Mutex::new(state));
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = state.clone();
        rt.spawn(async move {
            let mut listener = Some(listener);
            loop {
                let refusing = shared.lock().unwrap().fault == Some(Fault::Refuse);
                match (&listener, refusing) {
                    (Some(_), true) => listener = None,
                    (None, false) => listener = TcpListener::bind(("127.0.0.1", port)).await.ok(),
                    _ => {}
                }
                let Some(l) = &listener else {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                tokio::select! {
                    accepted = l.accept() => {
                        let Ok((sock, _)) = accepted else { continue };
                        let state = shared.clone();
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            match acceptor {
                                None => {
                                    let _ = serve(sock, state).await;
                                }
                                Some(acceptor) => {
                                    // A handshake the client aborts (an untrusted certificate) ends here.
                                    if let Ok(tls) = acceptor.accept(sock).await {
                                        let _ = serve(tls, state).await;
                                    }
                                }
                            }
                        });
                    }
                    _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
                }
            }
        });
        FakeApi { port, state, scheme, _rt: rt }
    }

    /// The seed story's cluster: leveling-pc, 6 pods, 6,812 restarts, CoreDNS in a loop.
    pub fn seed() -> FakeApi {
        FakeApi::start(seed_state())
    }

    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    /// A kubeconfig for this server (a dummy bearer token) written into `dir`.
    pub fn kubeconfig(&self, dir: &Path, context: &str) -> PathBuf {
        let path = dir.join(format!("kubeconfig-{context}.yaml"));
        std::fs::write(&path, kubeconfig_text(&self.url(), context)).unwrap();
        path
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.state.lock().unwrap().fault = fault;
    }
}

pub fn kubeconfig_text(server: &str, context: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: {context}\n  cluster:\n    server: {server}\ncontexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}-admin\nusers:\n- name: {context}-admin\n  user:\n    token: sekret-bearer-token-{context}\n"
    )
}

pub fn seed_state() -> State {
    let mut objects = Vec::new();
    for f in [
        "seed_pods.json",
        "seed_nodes.json",
        "seed_events.json",
        "seed_kube_dns_service.json",
        "seed_kube_dns_endpoints.json",
        "seed_coredns_configmap.json",
    ] {
        objects.extend(fixture_objects(f));
    }
    let mut logs = HashMap::new();
    let log = std::fs::read_to_string(fixture_dir().join("seed_coredns.log")).unwrap();
    logs.insert("kube-system/coredns-7b8c7b8d4-x9k2p/coredns".to_string(), log);
    State { objects, logs, ..State::default() }
}

/// A `Status` object as the API server sends it.
pub fn status_json(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code})
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut sock: S, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let line = head.lines().next().unwrap_or_default().to_string();
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let params: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2F", "/").replace("%3D", "=")))
        .collect();
    let fault = {
        let mut s = state.lock().unwrap();
        s.requests.push(line.trim_end_matches(" HTTP/1.1").to_string());
        if let Some(auth) = head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.trim().to_string())
        }) {
            s.authorizations.push(auth);
        }
        let watching = matches!(params.get("watch").map(String::as_str), Some("true" | "1"));
        let by_path = s.path_faults.iter().find(|(prefix, _)| path.starts_with(prefix.as_str()) && !watching);
        s.fault.clone().or_else(|| by_path.map(|(_, f)| f.clone()))
    };
    match fault {
        Some(Fault::Hang) => {
            tokio::time::sleep(std::time::Duration::from_secs(120)).await;
            return Ok(());
        }
        Some(Fault::Status(code)) => {
            let (reason, msg) = match code {
                401 => ("Unauthorized", "Unauthorized".to_string()),
                403 => (
                    "Forbidden",
                    format!(
                        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" at the cluster scope ({path})"
                    ),
                ),
                _ => ("InternalError", "boom".to_string()),
            };
            return respond(&mut sock, code, "application/json", &status_json(code, reason, &msg).to_string()).await;
        }
        Some(Fault::Dribble(gap)) => {
            let body = format!(
                "{{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{{\"resourceVersion\":\"1\"}},\"items\":[]}}{}",
                " ".repeat(200)
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            sock.write_all(head.as_bytes()).await?;
            for b in body.as_bytes() {
                sock.write_all(&[*b]).await?;
                sock.flush().await?;
                tokio::time::sleep(gap).await;
            }
            return sock.shutdown().await;
        }
        Some(Fault::Malformed) if path.starts_with("/api/v1/") => {
            return respond(&mut sock, 200, "application/json", "{\"kind\": \"PodList\", \"items\": [{\"metadata\": ")
                .await;
        }
        _ => {}
    }
    if path == "/version" {
        let v = json!({"major": "1", "minor": "30", "gitVersion": "v1.30.5+k3s1", "platform": "linux/amd64"});
        return respond(&mut sock, 200, "application/json", &v.to_string()).await;
    }
    if path == "/api" {
        let v = json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []});
        return respond(&mut sock, 200, "application/json", &v.to_string()).await;
    }
    let parts: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
    let (namespace, resource, name, sub) = match parts.as_slice() {
        ["namespaces", ns, res] => (Some(*ns), *res, None, None),
        ["namespaces", ns, res, name] => (Some(*ns), *res, Some(*name), None),
        ["namespaces", ns, res, name, sub] => (Some(*ns), *res, Some(*name), Some(*sub)),
        [res] => (None, *res, None, None),
        [res, name] => (None, *res, Some(*name), None),
        _ => (None, "", None, None),
    };
    let Some(kind) = kind_of(resource).filter(|_| path.starts_with("/api/v1/")) else {
        let body = status_json(404, "NotFound", "the server could not find the requested resource").to_string();
        return respond(&mut sock, 404, "application/json", &body).await;
    };
    if sub == Some("log") {
        let key = format!(
            "{}/{}/{}",
            namespace.unwrap_or(""),
            name.unwrap_or(""),
            params.get("container").cloned().unwrap_or_default()
        );
        let log = state.lock().unwrap().logs.get(&key).cloned();
        return match log {
            Some(text) => {
                let tail: usize = params.get("tailLines").and_then(|t| t.parse().ok()).unwrap_or(usize::MAX);
                let lines: Vec<&str> = text.lines().collect();
                let start = lines.len().saturating_sub(tail);
                respond(&mut sock, 200, "text/plain", &(lines[start..].join("\n") + "\n")).await
            }
            None => {
                let body =
                    status_json(404, "NotFound", &format!("pods \"{}\" not found", name.unwrap_or(""))).to_string();
                respond(&mut sock, 404, "application/json", &body).await
            }
        };
    }
    let wanted = |o: &&Value| {
        o["kind"] == kind
            && (namespace.is_none() || o["metadata"]["namespace"].as_str() == namespace)
            && (name.is_none() || o["metadata"]["name"].as_str() == name)
    };
    if let Some(name) = name {
        let found = state.lock().unwrap().objects.iter().find(wanted).cloned();
        return match found {
            Some(o) => respond(&mut sock, 200, "application/json", &o.to_string()).await,
            None => {
                let body = status_json(404, "NotFound", &format!("{resource} \"{name}\" not found")).to_string();
                respond(&mut sock, 404, "application/json", &body).await
            }
        };
    }
    if params.get("watch").map(String::as_str) == Some("true") || params.get("watch").map(String::as_str) == Some("1") {
        let script = {
            let mut s = state.lock().unwrap();
            let n = *s.watch_calls.entry(resource.to_string()).or_default();
            s.watch_calls.insert(resource.to_string(), n + 1);
            s.watches.get(resource).and_then(|w| w.get(n).or(w.last()).cloned()).unwrap_or(WatchScript::Idle)
        };
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
        sock.write_all(head.as_bytes()).await?;
        match script {
            WatchScript::Events(events) => {
                for e in events {
                    apply_watch_event(&state, &e);
                    sock.write_all(format!("{e}\n").as_bytes()).await?;
                }
                sock.flush().await?;
            }
            WatchScript::Gone => {
                let e = json!({"type": "ERROR", "object": status_json(410, "Expired", "too old resource version: 1 (5120)")});
                sock.write_all(format!("{e}\n").as_bytes()).await?;
            }
            WatchScript::Idle => {
                let secs: u64 = params.get("timeoutSeconds").and_then(|t| t.parse().ok()).unwrap_or(290).min(5);
                let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
                while std::time::Instant::now() < until {
                    if state.lock().unwrap().fault == Some(Fault::Refuse) {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }
        return sock.shutdown().await;
    }
    let limit: usize = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX).max(1);
    let start: usize = params.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
    // Only the page is cloned: a 10,000-pod list must not cost the server 10,000 clones a page.
    let (total, page): (usize, Vec<Value>) = {
        let s = state.lock().unwrap();
        let total = s.objects.iter().filter(wanted).count();
        (total, s.objects.iter().filter(wanted).skip(start).take(limit).cloned().collect())
    };
    let end = (start + page.len()).min(total);
    let mut meta = json!({"resourceVersion": "5120"});
    if end < total {
        meta["continue"] = json!(end.to_string());
        meta["remainingItemCount"] = json!(total - end);
    }
    let items: Vec<Value> = page
        .into_iter()
        .map(|mut o| {
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            o
        })
        .collect();
    let body = json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": meta, "items": items});
    respond(&mut sock, 200, "application/json", &body.to_string()).await
}

/// A served watch event changes the stored objects too, so a re-list sees the same world.
fn apply_watch_event(state: &Arc<Mutex<State>>, e: &Value) {
    let obj = &e["object"];
    let same = |o: &Value| {
        o["kind"] == obj["kind"]
            && o["metadata"]["name"] == obj["metadata"]["name"]
            && o["metadata"]["namespace"] == obj["metadata"]["namespace"]
    };
    let mut s = state.lock().unwrap();
    match e["type"].as_str() {
        Some("ADDED") | Some("MODIFIED") => match s.objects.iter_mut().find(|o| same(o)) {
            Some(o) => *o = obj.clone(),
            None => s.objects.push(obj.clone()),
        },
        Some("DELETED") => s.objects.retain(|o| !same(o)),
        _ => {}
    }
}

async fn respond<S: AsyncWrite + Unpin>(sock: &mut S, code: u16, ctype: &str, body: &str) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body.as_bytes()).await?;
    sock.flush().await?;
    sock.shutdown().await
}

/// A 127.0.0.1 port nobody listens on: bound, then closed.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}
