//! `incident check`: asks the cluster (or reads the last snapshot with --offline),
//! looks for the usual suspects and records each finding as a `check` step.

use serde_json::Value;

use super::diff::snapshots;
use super::snapshot::{failure_error, record_failure};
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::kube::check::{Evidence, Finding, HostAddr, findings};
use crate::kube::fetch::{FetchError, Fetcher, ListWriter, Verbatim};
use crate::kube::{self, Summary, connect};
use crate::model::{Step, StepKind};
use crate::record::Session;
use crate::ui::{BOLD, CYAN, DIM, Ui, YELLOW, paint};

pub fn run(cfg: &Config, ui: &Ui, args: &CheckArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let at = cfg.clock.now();
    let now = at.timestamp();
    let gathered = if args.offline {
        let all = snapshots(&session.vault, &session.incident, ui)?;
        let (step, summary) = all.into_iter().last().ok_or_else(|| {
            Error::user_hint("--offline: this incident has no snapshot to check", "take one with `incident snapshot`")
        })?;
        ui.status(&format!("checking snapshot {}", step.meta.id));
        Gathered { summary, logs: Vec::new(), corefile: None, source: format!("snapshot {}", step.meta.id) }
    } else {
        match gather(cfg, ui, args, now)? {
            Ok(g) => g,
            Err(f) => {
                if !args.no_record {
                    record_failure(&session, StepKind::Check, at, &f)?;
                }
                return Err(failure_error(&f));
            }
        }
    };
    let mut ev = Evidence::new(&gathered.summary, now);
    ev.host_addrs = host_addrs(cfg, &session, ui, &gathered.summary)?;
    ev.coredns_logs = gathered.logs.clone();
    ev.corefile = gathered.corefile.clone();
    let found = findings(&ev);
    if args.json {
        ui.out(&serde_json::to_string_pretty(&found).expect("findings serialize"));
    } else {
        ui.out(&human(&found, &gathered.source));
    }
    if !args.no_record {
        record(&session, at, &found, &gathered.source)?;
    }
    Ok(0)
}

struct Gathered {
    summary: Summary,
    logs: Vec<(String, String)>,
    corefile: Option<String>,
    source: String,
}

fn gather(cfg: &Config, ui: &Ui, args: &CheckArgs, now: i64) -> Result<Result<Gathered, Box<kube::Failure>>> {
    kube::block_on(async {
        let target = connect::resolve(&cfg.kube, &args.cluster, &cfg.cwd).await?;
        let client = match target.client()? {
            Ok(client) => client,
            Err(f) => return Ok(Err(f)),
        };
        let proxy = target.proxy();
        ui.status(&format!("checking {}", target.describe()));
        let fetcher = Fetcher {
            client: &client,
            server: &target.server,
            context: target.context.as_deref(),
            namespace: target.namespace.as_deref(),
            page_size: 500,
            proxy: proxy.as_deref(),
            kubectl: &target.kubectl,
        };
        let mut verbatim = Verbatim;
        let mut sink =
            ListWriter::new(std::io::sink(), &mut verbatim).map_err(|e| Error::io("write", "/dev/null", e))?;
        let summary = match fetcher.fetch(now, &mut sink).await {
            Ok(f) => f.summary,
            Err(FetchError::Cluster(f)) => return Ok(Err(f)),
            Err(FetchError::Write(e)) => return Err(Error::io("write", "/dev/null", e)),
            Err(FetchError::Request(why)) => return Err(Error::Internal(why)),
        };
        let mut logs = Vec::new();
        for pod in summary.pods.iter().filter(|p| is_coredns(p)) {
            let ns = pod.namespace.as_deref().unwrap_or("kube-system");
            let base = format!("/api/v1/namespaces/{ns}/pods/{}/log?container=coredns&tailLines=500", pod.name);
            let mut text = get_text(&client, &base).await.unwrap_or_default();
            // A crash-looping CoreDNS said why in the run before this one.
            if !text.contains("plugin/loop") && pod.restarts > 0 {
                text.push_str(&get_text(&client, &format!("{base}&previous=true")).await.unwrap_or_default());
            }
            logs.push((format!("{ns}/{}", pod.name), text));
        }
        let corefile = get_text(&client, "/api/v1/namespaces/kube-system/configmaps/coredns")
            .await
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.pointer("/data/Corefile").and_then(Value::as_str).map(str::to_string));
        Ok(Ok(Gathered { summary, logs, corefile, source: target.describe() }))
    })?
}

fn is_coredns(p: &kube::Pod) -> bool {
    p.namespace.as_deref() == Some("kube-system") && p.name.starts_with("coredns")
}

/// A GET whose failure only means one piece of evidence is missing.
async fn get_text(client: &::kube::Client, path: &str) -> Option<String> {
    let req = http::Request::get(path).body(Vec::new()).ok()?;
    client.request_text(req).await.ok()
}

/// Host addresses: for each host, the newest step in the incident whose facts list
/// interfaces (an `ip addr` capture), and this machine's own interfaces when it is one
/// of the nodes and nothing was captured.
fn host_addrs(cfg: &Config, session: &Session, ui: &Ui, summary: &Summary) -> Result<Vec<HostAddr>> {
    let loaded = session.vault.load(&session.incident)?;
    for w in &loaded.warnings {
        ui.warn(&w.to_string());
    }
    let mut out: Vec<HostAddr> = Vec::new();
    let mut hosts_seen: Vec<String> = Vec::new();
    for step in loaded.incident.steps.iter().rev() {
        // A capture of interfaces without addresses (`ip -br link`, one interface down)
        // says nothing of where the host is: look further back.
        let has_addrs =
            |f: &&crate::extract::Facts| f.interfaces.iter().any(|i| !i.ipv4.is_empty() || !i.ipv6.is_empty());
        let Some(facts) = step.meta.facts.as_ref().filter(has_addrs) else { continue };
        let host = step.meta.host.clone().unwrap_or_else(|| cfg.host.clone());
        if hosts_seen.contains(&host) {
            continue;
        }
        hosts_seen.push(host.clone());
        for iface in &facts.interfaces {
            let name = iface.name.as_str();
            for a in iface.ipv4.iter().chain(&iface.ipv6) {
                let addr = a.split('/').next().unwrap_or(a).to_string();
                out.push(HostAddr {
                    host: host.clone(),
                    iface: name.to_string(),
                    addr,
                    source: format!("step {}", step.meta.id),
                });
            }
        }
    }
    if out.is_empty() && summary.nodes.iter().any(|n| n.name == cfg.host) {
        match if_addrs::get_if_addrs() {
            Ok(ifaces) => {
                for i in ifaces {
                    out.push(HostAddr {
                        host: cfg.host.clone(),
                        iface: i.name.clone(),
                        addr: i.ip().to_string(),
                        source: "this machine's interfaces".to_string(),
                    });
                }
            }
            Err(e) => ui.warn(&format!("cannot read this machine's interfaces: {e}")),
        }
    }
    Ok(out)
}

fn human(found: &[Finding], source: &str) -> String {
    if found.is_empty() {
        return format!("no known problems found in {source}");
    }
    let mut out = String::new();
    for f in found {
        out.push_str(&format!("{} {}\n", paint(YELLOW, "●"), paint(BOLD, &f.title)));
        for e in &f.evidence {
            out.push_str(&format!("    {e}\n"));
        }
        out.push_str(&format!("    {} {}\n\n", paint(CYAN, "next:"), f.next));
    }
    out.push_str(&paint(DIM, format!("checked {source}")));
    out
}

fn record(session: &Session, at: crate::clock::Timestamp, found: &[Finding], source: &str) -> Result<()> {
    if found.is_empty() {
        let mut meta = session.meta(StepKind::Check, at);
        meta.title = Some("Check: no known problems found".to_string());
        let mut step = Step { meta, body: format!("Checked {source}: no known problems found.\n") };
        session.save(&mut step, session.scrub(false))?;
        session.report(&step);
        return Ok(());
    }
    for f in found {
        let mut meta = session.meta(StepKind::Check, at);
        meta.title = Some(format!("Check: {}", f.title));
        meta.finding = Some(f.clone());
        let mut body = format!("{}\n\n", f.title);
        for e in &f.evidence {
            body.push_str(&format!("- {}\n", e.trim()));
        }
        body.push_str(&format!("\nNext: {}\n\nChecked {source}.\n", f.next));
        let mut step = Step { meta, body };
        session.save(&mut step, session.scrub(false))?;
        session.report(&step);
    }
    Ok(())
}
