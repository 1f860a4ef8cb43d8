//! `incident serve`: the site on 127.0.0.1 (hyper), rebuilt when the vault changes
//! (notify, debounced; [`super::watch::classify`] decides what to rebuild), and open tabs
//! reloaded through server-sent events. The reload script is added to pages as they are
//! served; the files on disk are those `publish` would write.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use notify_debouncer_full::notify::RecursiveMode;
use tokio::sync::broadcast;

use super::SiteOptions;
use super::publish::{self, PublishOptions, Report};
use super::theme::Theme;
use super::watch;
use crate::error::{Error, IoContext, Result};
use crate::ui::Ui;
use crate::vault::Vault;

/// How long the watcher waits for a burst of writes to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Where the served site's own files live (never a published site).
pub const EVENTS_PATH: &str = "/__incident/events";
pub const LIVE_JS_PATH: &str = "/__incident/live.js";
pub const LIVE_WORKER_PATH: &str = "/__incident/live-worker.js";

type Body = BoxBody<Bytes, Infallible>;

struct LiveScripts {
    page: String,
    worker: String,
}

impl LiveScripts {
    fn of(theme: &Theme) -> LiveScripts {
        LiveScripts {
            page: theme.asset("site/live.js").to_string(),
            worker: theme.asset("site/live-worker.js").to_string(),
        }
    }
}

struct Shared {
    out: PathBuf,
    /// The Host headers this server answers to (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`).
    hosts: [String; 3],
    /// The live-reload scripts, read again with the templates (they may be overridden).
    live: std::sync::RwLock<LiveScripts>,
    /// What each rebuild changed, as the `data` of a reload event ([`changed_pages`]).
    reload: broadcast::Sender<Arc<str>>,
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/atom+xml; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("pdf") => "application/pdf",
        Some("csv") => "text/csv; charset=utf-8",
        Some("gz" | "tgz") => "application/gzip",
        Some("zip") => "application/zip",
        Some("tar") => "application/x-tar",
        Some("pcap" | "pcapng") => "application/vnd.tcpdump.pcap",
        _ => "text/plain; charset=utf-8",
    }
}

/// What a request path names inside `out`.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    File(PathBuf),
    /// A folder named without its trailing `/`: relative links on its page would miss.
    AddSlash,
}

/// What a request path names inside `out`, if anything: percent-decoded, no `..`,
/// folders mean their `index.html`.
pub fn file_for(out: &Path, request_path: &str) -> Option<Target> {
    let decoded = percent_encoding::percent_decode_str(request_path).decode_utf8().ok()?;
    let mut path = out.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." || part.starts_with('.') || part.contains(['\\', '\0']) {
            return None;
        }
        path.push(part);
    }
    if decoded.ends_with('/') || decoded.is_empty() {
        path.push("index.html");
    } else if path.is_dir() {
        return Some(Target::AddSlash);
    }
    Some(Target::File(path))
}

/// The Host headers a server on `port` answers to: a page of another name (DNS
/// rebinding) must not read the incidents.
pub fn local_hosts(port: u16) -> [String; 3] {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")]
}

/// The request names this server (its Host header, and the authority of an absolute URI).
fn host_allowed(hosts: &[String], req: &Request<Incoming>) -> bool {
    let ok = |h: &str| hosts.iter().any(|a| a.eq_ignore_ascii_case(h.trim()));
    let header = req.headers().get(hyper::header::HOST).and_then(|h| h.to_str().ok());
    header.is_some_and(ok) && req.uri().authority().is_none_or(|a| ok(a.as_str()))
}

/// Adds the reload script to a page (before `</body>`, or at the end).
pub fn inject_live_script(html: &str) -> String {
    let tag = format!("<script src=\"{LIVE_JS_PATH}\"></script>\n");
    match html.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}"),
    }
}

fn response(status: StatusCode, kind: &str, body: Body) -> Response<Body> {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(kind).unwrap_or(HeaderValue::from_static("text/plain")));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    res
}

fn events(shared: &Shared) -> Response<Body> {
    let (mut tx, body) = http_body_util::channel::Channel::<Bytes, Infallible>::new(4);
    let mut rx = shared.reload.subscribe();
    tokio::spawn(async move {
        if tx.send_data(Bytes::from_static(b": connected\n\n")).await.is_err() {
            return;
        }
        loop {
            let message = tokio::select! {
                got = rx.recv() => match got {
                    Ok(pages) => format!("event: reload\ndata: {pages}\n\n"),
                    Err(broadcast::error::RecvError::Lagged(_)) => format!("event: reload\ndata: {EVERY_PAGE}\n\n"),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = tokio::time::sleep(Duration::from_secs(15)) => ": keep-alive\n\n".to_string(),
            };
            if tx.send_data(Bytes::from(message)).await.is_err() {
                return;
            }
        }
    });
    response(StatusCode::OK, "text/event-stream", body.boxed())
}

fn live_script(shared: &Shared, which: impl Fn(&LiveScripts) -> &String) -> String {
    shared.live.read().map(|l| which(&l).clone()).unwrap_or_default()
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> std::result::Result<Response<Body>, Infallible> {
    if !host_allowed(&shared.hosts, &req) {
        let text = format!("forbidden: open this site as http://{}/\n", shared.hosts[0]);
        return Ok(response(StatusCode::FORBIDDEN, "text/plain; charset=utf-8", full(text)));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(response(StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", full("GET only\n")));
    }
    let path = req.uri().path();
    if path == EVENTS_PATH {
        return Ok(events(&shared));
    }
    if path == LIVE_JS_PATH {
        return Ok(response(StatusCode::OK, "text/javascript; charset=utf-8", full(live_script(&shared, |l| &l.page))));
    }
    if path == LIVE_WORKER_PATH {
        return Ok(response(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            full(live_script(&shared, |l| &l.worker)),
        ));
    }
    // A page that went away (an incident renamed) keeps following the site: the tab that
    // shows it reloads with the next change.
    let not_found = || {
        let page = "<!doctype html>\n<meta charset=\"utf-8\"><title>Not found</title>\n\
                    <link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\">\n<p>Not found: this page is not on the site (any more). \
                    This tab reloads when the page is published again; <a href=\"/\">the index</a>.</p>\n</body>\n";
        response(StatusCode::NOT_FOUND, "text/html; charset=utf-8", full(inject_live_script(page)))
    };
    let file = match file_for(&shared.out, path) {
        Some(Target::File(file)) => file,
        Some(Target::AddSlash) => {
            let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
            let mut res = response(StatusCode::MOVED_PERMANENTLY, "text/plain; charset=utf-8", full(""));
            match HeaderValue::from_str(&with_slash(path, &query)) {
                Ok(to) => res.headers_mut().insert(hyper::header::LOCATION, to),
                Err(_) => return Ok(not_found()),
            };
            return Ok(res);
        }
        None => return Ok(not_found()),
    };
    // A link inside the site (planted by hand) could lead anywhere: only files whose real
    // path is in the site are served.
    if !inside_site(&shared.out, &file).await {
        return Ok(not_found());
    }
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(_) => return Ok(not_found()),
    };
    let kind = content_type(&file);
    let body = if kind.starts_with("text/html") {
        full(inject_live_script(&String::from_utf8_lossy(&bytes)))
    } else {
        full(bytes)
    };
    Ok(response(StatusCode::OK, kind, body))
}

async fn inside_site(out: &Path, file: &Path) -> bool {
    match (tokio::fs::canonicalize(out).await, tokio::fs::canonicalize(file).await) {
        (Ok(root), Ok(real)) => real.starts_with(root),
        _ => false,
    }
}

/// Where a folder's path without its slash is sent: the path with repeated slashes made
/// one, so `//incidents` goes to `/incidents/`, not to `//incidents/` (another host).
fn with_slash(path: &str, query: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.is_empty() {
        true => format!("/{query}"),
        false => format!("/{}/{query}", parts.join("/")),
    }
}

/// What `serve` needs to know.
pub struct ServeOptions {
    pub port: u16,
    pub publish: PublishOptions,
    /// Called with the address once the server listens (prints it, opens a browser).
    pub on_listen: Box<dyn FnOnce(SocketAddr) + Send>,
}

/// A reload event's data that every tab takes as its own.
const EVERY_PAGE: &str = "*";

/// The site paths a rebuild wrote or removed, as one line of JSON: a tab reloads only when
/// its page is among them (or an asset), so a reader's open `<details>` on another incident
/// stay open. A rebuild of many files says "every page" in one character instead.
fn changed_pages(report: &Report) -> String {
    const MAX_LISTED: usize = 1000;
    if report.written.len() + report.removed.len() > MAX_LISTED {
        return EVERY_PAGE.to_string();
    }
    let paths: Vec<&String> = report.written.iter().chain(&report.removed).collect();
    serde_json::to_string(&paths).unwrap_or_else(|_| EVERY_PAGE.to_string())
}

fn report_line(report: &Report, why: &str) -> String {
    format!(
        "rebuilt ({why}) in {:.2} s: {} rendered, {} written, {} removed",
        report.seconds,
        crate::format::plural(report.rendered as u64, "incident"),
        crate::format::plural(report.written.len() as u64, "file"),
        report.removed.len()
    )
}

/// Serves until the process is stopped.
pub fn serve(vault: &Vault, ui: &Ui, opts: ServeOptions) -> Result<u8> {
    let templates_dir = vault.root.join("templates");
    let mut theme = Theme::load(Some(&templates_dir))?;
    // The port first: when it is taken, say so before a whole build.
    let (reload, _) = broadcast::channel(16);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server runtime: {e}")))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], opts.port));
    let listener = runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(|e| {
        Error::user_hint(
            format!("cannot listen on {addr}: {e}"),
            "another program uses that port; pick another with --port N (0: any free port)",
        )
    })?;
    // The watcher before the first build: a change made while it builds, or right after
    // the address is printed, is seen. Batches of paths, rebuilt one batch at a time.
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| Error::user(format!("cannot watch {}: {e}", vault.root.display())))?;
    debouncer.watch(&vault.root, RecursiveMode::Recursive).map_err(|e| {
        Error::user_hint(
            format!("cannot watch {}: {e}", vault.root.display()),
            "raise fs.inotify.max_user_watches (sysctl) if the vault is large",
        )
    })?;
    let first = publish::publish(vault, &theme, &opts.publish)?;
    for w in &first.warnings {
        ui.warn(&w.to_string());
    }
    for f in publish::failure_lines(&first.failed) {
        ui.warn(&f);
    }
    ui.status(&format!(
        "site of {} built in {:.2} s",
        crate::format::plural(first.published as u64, "incident"),
        first.seconds
    ));

    let bound = listener.local_addr().ctx("read the address of", Path::new("the server socket"))?;
    let shared = Arc::new(Shared {
        out: opts.publish.out.clone(),
        hosts: local_hosts(bound.port()),
        live: std::sync::RwLock::new(LiveScripts::of(&theme)),
        reload: reload.clone(),
    });
    let server_shared = shared.clone();
    let accept_ui = ui.clone();
    runtime.spawn(async move {
        let mut warned = false;
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of file descriptors (EMFILE) and the like: retrying at once would spin a
                // core until a connection closes, so wait a little, and say so once.
                Err(e) => {
                    if !std::mem::replace(&mut warned, true) {
                        accept_ui.warn(&format!(
                            "cannot accept a connection: {e}; retrying every 100 ms (too many open tabs or files? see `ulimit -n`)"
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let shared = server_shared.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (opts.on_listen)(bound);

    let ignored = [opts.publish.out.clone(), vault.root.join("public"), vault.state_dir()];
    for batch in rx {
        let paths: Vec<PathBuf> = match batch {
            Ok(events) => events
                .into_iter()
                .filter(|e| watch::changes_content(&e.event.kind))
                .flat_map(|e| e.event.paths)
                .collect(),
            Err(errors) => {
                for e in errors {
                    ui.warn(&format!("watching the vault: {e}"));
                }
                continue;
            }
        };
        let decision = watch::classify(&vault.root, &ignored, &paths);
        if decision.is_empty() {
            continue;
        }
        let started = Instant::now();
        let mut publish_opts = opts.publish.clone();
        let why = if decision.everything {
            match Theme::load(Some(&templates_dir)) {
                Ok(t) => {
                    theme = t;
                    if let Ok(mut live) = shared.live.write() {
                        *live = LiveScripts::of(&theme);
                    }
                }
                Err(e) => {
                    ui.error(&e.to_string(), e.hint().as_deref());
                    continue;
                }
            }
            "settings or templates".to_string()
        } else {
            let names: Vec<&str> = decision.incidents.iter().map(String::as_str).collect();
            publish_opts.only = Some(decision.incidents.iter().cloned().collect::<BTreeSet<_>>());
            names.join(", ")
        };
        let vault = match Vault::open(&vault.root) {
            Ok(v) => v,
            Err(e) => {
                ui.error(&e.to_string(), e.hint().as_deref());
                continue;
            }
        };
        // incident.toml may have changed: the site's name is read again with it.
        let site = SiteOptions::of_vault(&vault, opts.publish.site.base_url.clone());
        publish_opts.site.title = site.title;
        match publish::publish(&vault, &theme, &publish_opts) {
            Ok(report) => {
                // Each says what was done with the file (skipped, published with a note).
                for w in &report.warnings {
                    ui.warn(&w.to_string());
                }
                for f in publish::failure_lines(&report.failed) {
                    ui.warn(&f);
                }
                if !report.written.is_empty() || !report.removed.is_empty() {
                    let _ = reload.send(changed_pages(&report).into());
                }
                ui.status(&format!(
                    "{} · {} ms after the change settled",
                    report_line(&report, &why),
                    started.elapsed().as_millis()
                ));
            }
            Err(e) => ui.error(&e.to_string(), e.hint().as_deref()),
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("tags")).unwrap();
        let file = |p: &str| Some(Target::File(out.join(p)));
        assert_eq!(file_for(out, "/"), file("index.html"));
        assert_eq!(file_for(out, "/tags"), Some(Target::AddSlash));
        assert_eq!(file_for(out, "/tags/"), file("tags/index.html"));
        assert_eq!(file_for(out, "/incidents/a/"), file("incidents/a/index.html"));
        assert_eq!(file_for(out, "/a%20b.html"), file("a b.html"));
        assert_eq!(file_for(out, "/../etc/passwd"), None);
        assert_eq!(file_for(out, "/%2e%2e/etc/passwd"), None);
        assert_eq!(file_for(out, "/a/..%2f..%2fx"), None);
        assert_eq!(file_for(out, "/.incident/x"), None);
    }

    #[test]
    fn a_slash_is_added_on_the_same_host() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
        assert_eq!(file_for(dir.path(), "//incidents"), Some(Target::AddSlash));
        assert_eq!(with_slash("//incidents", ""), "/incidents/");
        assert_eq!(with_slash("///evil.example//tags", "?q=1"), "/evil.example/tags/?q=1");
        assert_eq!(with_slash("/tags", ""), "/tags/");
    }

    #[test]
    fn the_reload_script_goes_before_the_body_ends() {
        assert_eq!(
            inject_live_script("<body><p>x</p></body></html>"),
            "<body><p>x</p><script src=\"/__incident/live.js\"></script>\n</body></html>"
        );
        assert!(inject_live_script("plain").ends_with("live.js\"></script>\n"));
    }
}
