//! `incident watch`: kube-runtime watchers on pods, nodes and events, coalesced into at
//! most one `watch` step per interval. The watcher re-lists after 410 Gone; a lost
//! server is retried with back-off and the outage recorded; feeds silent for an interval
//! make it ask `/version`, so a hung server is an outage too; a feed the server refuses
//! (403) is noted once, and refused pods end the watch. Ctrl-C, SIGHUP, SIGTERM or --for
//! end it with a final step.
//!
//! This file runs the loop; [`heard`] acts on what the feeds and the probe say, and
//! [`steps`] writes what the watch records.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Event as ApiEvent, Node as ApiNode, Pod as ApiPod};
use kube::Api;

use crate::cli::WatchArgs;
use crate::clock::Timestamp;
use crate::commands::snapshot::{failure_error, record_failure};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::kube::connect::{self, parse_duration};
use crate::kube::failure::Failure;
use crate::kube::feeds::{Probe, feeds, version_probe};
use crate::kube::watch::{Feed, Tracker};
use crate::model::StepKind;
use crate::record::Session;
use crate::ui::Ui;
use tokio::signal::unix::SignalKind;

mod heard;
mod steps;

struct Outage {
    since: Timestamp,
    /// The latest failure: a dying server resets connections, then refuses them.
    failure: Failure,
    errors: u64,
    /// Found by the `/version` probe while the feeds were silent (a hung server keeps
    /// its connections open): it ends when the probe is answered, and the feeds, maybe
    /// stuck on a dead connection, are opened again.
    by_probe: bool,
}

struct Watch<'a> {
    session: &'a Session<'a>,
    ui: &'a Ui,
    /// For probing the server during an outage: an idle watch says nothing when it is back.
    client: kube::Client,
    start: Instant,
    started_at: Timestamp,
    server: String,
    context: Option<String>,
    proxy: Option<String>,
    /// kubectl's flags for the same cluster, for hints.
    kubectl: String,
    /// The namespace watched (pods, events); `None` for all.
    namespace: Option<String>,
    tracker: Tracker,
    outage: Option<Outage>,
    /// Feeds failing now (a 500, a timeout): an outage only once every feed is.
    down: HashMap<Feed, Failure>,
    /// Feeds the server refuses (403, 404): noted once, never an outage.
    refused: HashMap<Feed, Failure>,
    outages: u64,
    relists: u64,
    change_steps: u64,
    /// Restarts recorded in every step so far.
    restarts: u64,
    updates: u64,
    ready_since: Option<Instant>,
    suggested: bool,
    /// When a feed last delivered something the server sent.
    last_heard: Instant,
    /// A refusal that ends the watch: pods (or every feed) forbidden, as `kubectl get -w` ends.
    fatal: Option<Failure>,
    /// How long the probe may take, for messages.
    probe_limit: Duration,
    /// Whether the pods feed has delivered: until then a refused feed is not announced
    /// with "watching the rest", as there may be no rest.
    pods_heard: bool,
}

pub fn run(cfg: &Config, ui: &Ui, args: &WatchArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    // Under 100 ms the steps would flood the timeline; over a day nothing would be recorded.
    let interval = connect::parse_duration_in(
        "--interval",
        &args.interval,
        Duration::from_millis(100),
        Duration::from_secs(86_400),
    )?;
    let ready_for = parse_duration("--ready-for", &args.ready_for)?;
    let limit = args.duration.as_deref().map(|d| parse_duration("--for", d)).transpose()?;
    crate::kube::block_on(async {
        let target = connect::resolve(&cfg.kube, &args.cluster, &cfg.cwd).await?;
        let client = match target.client()? {
            Ok(client) => client,
            Err(f) => {
                record_failure(&session, StepKind::Watch, cfg.clock.now(), &f)?;
                return Err(failure_error(&f));
            }
        };
        let (pods, events): (Api<ApiPod>, Api<ApiEvent>) = match &target.namespace {
            Some(ns) => (Api::namespaced(client.clone(), ns), Api::namespaced(client.clone(), ns)),
            None => (Api::all(client.clone()), Api::all(client.clone())),
        };
        let nodes: Api<ApiNode> = Api::all(client.clone());
        let mut merged = feeds(&pods, &nodes, &events);
        ui.status(&format!(
            "watching {} (a step at most every {}; Ctrl-C to stop)",
            target.describe(),
            // As --interval reads it (`500ms`, `1m 30s`): whole minutes would say `0s` or `1m`.
            k8s_openapi::jiff::SignedDuration::try_from(interval).map(|d| format!("{d:#}")).unwrap_or_default()
        ));
        let mut w = Watch {
            session: &session,
            ui,
            client,
            start: Instant::now(),
            started_at: cfg.clock.now(),
            server: target.server.clone(),
            context: target.context.clone(),
            proxy: target.proxy(),
            kubectl: target.kubectl.clone(),
            namespace: target.namespace.clone(),
            tracker: Tracker::new(),
            outage: None,
            down: HashMap::new(),
            refused: HashMap::new(),
            outages: 0,
            relists: 0,
            change_steps: 0,
            restarts: 0,
            updates: 0,
            ready_since: None,
            suggested: false,
            last_heard: Instant::now(),
            fatal: None,
            pods_heard: false,
            // A probe longer than an interval tells nothing more; it must never block the loop.
            probe_limit: interval.max(Duration::from_secs(1)).min(target.request_timeout.unwrap_or(Duration::MAX)),
        };
        let probe_limit = w.probe_limit;
        let mut probe: Option<BoxFuture<'static, Probe>> = None;
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let deadline = limit.map(|d| tokio::time::Instant::now() + d);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut hangup = unix_signal(SignalKind::hangup())?;
        let mut terminate = unix_signal(SignalKind::terminate())?;
        let ended = loop {
            tokio::select! {
                item = merged.next() => match item {
                    Some((feed, result)) => {
                        w.handle(feed, result)?;
                        if w.fatal.is_some() {
                            break "the server refuses the watch";
                        }
                    }
                    None => break "the watch streams ended",
                },
                _ = ticker.tick() => {
                    // An outage is probed until it ends; so are feeds silent for an interval:
                    // a hung server (or a black-holed address) keeps connections open and says nothing.
                    let silent = w.last_heard.elapsed() >= interval;
                    if (w.outage.is_some() || silent) && probe.is_none() {
                        probe = Some(Box::pin(version_probe(w.client.clone(), probe_limit)));
                    }
                    w.tick(args.auto_mark, ready_for)?;
                }
                found = wait_probe(&mut probe) => {
                    probe = None;
                    if w.probe_answered(found)? {
                        // The old connections may be dead: list and watch again on new ones.
                        merged = feeds(&pods, &nodes, &events);
                    }
                }
                _ = &mut ctrl_c => break "stopped with Ctrl-C",
                _ = hangup.recv() => break "stopped by SIGHUP",
                _ = terminate.recv() => break "stopped by SIGTERM",
                _ = sleep_until(deadline) => break "--for elapsed",
            }
        };
        w.finish(ended)
    })?
}

fn unix_signal(kind: SignalKind) -> Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind).map_err(|e| Error::Internal(format!("cannot listen for signals: {e}")))
}

async fn wait_probe(probe: &mut Option<BoxFuture<'static, Probe>>) -> Probe {
    match probe {
        Some(p) => p.await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
