//! `incident watch`: kube-runtime watchers on pods, nodes and events, coalesced into at
//! most one `watch` step per interval. The watcher re-lists after 410 Gone; a lost
//! server is retried with back-off and the outage recorded; feeds silent for an interval
//! make it ask `/version`, so a hung server is an outage too; a feed the server refuses
//! (403) is noted once, and refused pods end the watch. Ctrl-C, SIGHUP, SIGTERM or --for
//! end it with a final step.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Event as ApiEvent, Node as ApiNode, Pod as ApiPod};
use kube::Api;
use kube::runtime::watcher::{self, Event};

use crate::cli::WatchArgs;
use crate::clock::Timestamp;
use crate::commands::snapshot::{failure_error, record_failure};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format;
use crate::kube::connect::{self, parse_duration};
use crate::kube::failure::{Failure, FailureKind, classify};
use crate::kube::feeds::{Item, Probe, feed_name, feeds, is_whole_server, probe_timeout, version_probe};
use crate::kube::watch::{Changes, Feed, Tracker, WatchStats};
use crate::model::{Milestone, Step, StepError, StepKind};
use crate::record::Session;
use crate::ui::Ui;
use tokio::signal::unix::SignalKind;

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
    let interval = parse_duration("--interval", &args.interval)?.max(Duration::from_millis(100));
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
            format::duration(chrono::Duration::from_std(interval).unwrap_or_default())
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

impl Watch<'_> {
    /// The command's clock moved on by the time watched, to the millisecond.
    fn now(&self) -> Timestamp {
        let ms = self.start.elapsed().as_millis() as i64;
        self.started_at + chrono::Duration::milliseconds(ms)
    }

    fn handle(&mut self, feed: Feed, result: std::result::Result<Item, watcher::Error>) -> Result<()> {
        let item = match result {
            Ok(item) => item,
            Err(e) => {
                self.error(feed, &e);
                return Ok(());
            }
        };
        // `Init` comes before the list is even asked for: only what the server sent
        // proves it is back.
        let from_server = !matches!(&item, Item::Node(Event::Init) | Item::Event(Event::Init))
            && !matches!(&item, Item::Pod(e) if matches!(**e, Event::Init));
        if from_server {
            self.last_heard = Instant::now();
            if feed == Feed::Pods && !self.pods_heard {
                self.pods_heard = true;
                let mut refused: Vec<(&Feed, &Failure)> = self.refused.iter().collect();
                refused.sort_by_key(|(f, _)| feed_name(**f));
                for (f, failure) in refused {
                    self.ui.warn(&format!("{}: {}; watching the rest without it", feed_name(*f), failure.message));
                }
            }
            if let Some(outage) = self.outage.take() {
                self.record_outage(&outage, Some(self.now()))?;
            }
            if self.down.remove(&feed).is_some() || self.refused.remove(&feed).is_some() {
                self.ui.status(&format!("{} flow again", feed_name(feed)));
            }
            self.updates += 1;
        }
        let now = self.now().timestamp();
        let t = &mut self.tracker;
        match item {
            Item::Pod(e) => match *e {
                Event::Apply(p) | Event::InitApply(p) => t.apply_pod(&p, now),
                Event::Delete(p) => t.delete_pod(&p),
                Event::Init => t.init(feed),
                Event::InitDone => t.init_done(feed),
            },
            Item::Node(Event::Apply(n) | Event::InitApply(n)) => t.apply_node(&n, now),
            Item::Node(Event::Delete(n)) => t.delete_node(&n),
            Item::Event(Event::Apply(e) | Event::InitApply(e)) => t.apply_event(&e),
            Item::Event(Event::Delete(e)) => t.delete_event(&e),
            Item::Node(Event::Init) | Item::Event(Event::Init) => t.init(feed),
            Item::Node(Event::InitDone) | Item::Event(Event::InitDone) => t.init_done(feed),
        }
        Ok(())
    }

    fn error(&mut self, feed: Feed, e: &watcher::Error) {
        // The request that failed: pods and events in the namespace watched, if one.
        let path = match (feed, &self.namespace) {
            (Feed::Nodes, _) => "/api/v1/nodes?watch=true".to_string(),
            (_, Some(ns)) => format!("/api/v1/namespaces/{ns}/{}?watch=true", feed_name(feed)),
            (_, None) => format!("/api/v1/{}?watch=true", feed_name(feed)),
        };
        let classified = |e: &kube::Error| classify(e, &self.server, self.context.as_deref(), &path);
        let inner = match e {
            watcher::Error::WatchError(status) if status.code == 410 => {
                // Too old a resourceVersion: the watcher lists again; nothing is lost.
                self.relists += 1;
                return;
            }
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => classified(e),
            watcher::Error::WatchError(status) => classified(&kube::Error::Api(status.clone())),
            watcher::Error::NoResourceVersion => classified(&kube::Error::SerdeError(serde::de::Error::custom(
                "no metadata.resourceVersion in the list",
            ))),
        };
        let inner = inner.via(self.proxy.as_deref()).using(&self.kubectl);
        if matches!(inner.kind, FailureKind::Forbidden | FailureKind::NotFound) {
            self.down.remove(&feed);
            // Without pods there is nothing to watch for, and with no feed at all nothing
            // to watch: ended at once, as `kubectl get -w` ends.
            if feed == Feed::Pods || self.refused.len() + usize::from(!self.refused.contains_key(&feed)) >= 3 {
                self.refused.insert(feed, inner.clone());
                self.fatal = Some(inner);
                return;
            }
            // As a snapshot notes it: this user may not see this; the rest is watched.
            if !self.refused.contains_key(&feed) {
                if self.pods_heard {
                    self.ui.warn(&format!("{}: {}; watching the rest without it", feed_name(feed), inner.message));
                }
                self.refused.insert(feed, inner);
            }
            return;
        }
        let first = self.down.insert(feed, inner.clone()).is_none();
        let whole_server = is_whole_server(inner.kind);
        let all_down = self.down.len() + self.refused.len() >= 3;
        match &mut self.outage {
            Some(o) => {
                o.errors += 1;
                if o.failure.kind != inner.kind {
                    self.ui.warn(&format!("{}; still retrying", inner.message));
                    o.failure = inner;
                }
            }
            None if whole_server || all_down => {
                self.ui.warn(&format!("{}; retrying with back-off", inner.message));
                self.outage = Some(Outage { since: self.now(), failure: inner, errors: 1, by_probe: false });
            }
            None if first => self.ui.warn(&format!(
                "{}: {}; retrying with back-off while the rest flows",
                feed_name(feed),
                inner.message
            )),
            None => {}
        }
    }

    /// Returns whether the feeds should be opened again (a hang the probe found is over).
    fn probe_answered(&mut self, found: Probe) -> Result<bool> {
        let failed = match found {
            Probe::Answered => None,
            Probe::Status => return Ok(false),
            Probe::Failed(e) => Some(e),
        };
        let Some(e) = failed else {
            // `/version` answering ends a refused connection, not 500s on every list (etcd down):
            // that outage ends when a feed delivers again.
            let ended = self.outage.as_ref().is_some_and(|o| o.by_probe || is_whole_server(o.failure.kind));
            if ended && let Some(outage) = self.outage.take() {
                self.record_outage(&outage, Some(self.now()))?;
                self.down.clear();
                self.ui.status(&format!("the API server {} answers again", self.server));
                self.last_heard = Instant::now();
                return Ok(outage.by_probe);
            }
            return Ok(false);
        };
        if let Some(o) = &mut self.outage {
            o.errors += 1;
            return Ok(false);
        }
        let failure = match e {
            Some(e) => classify(&e, &self.server, self.context.as_deref(), "/version")
                .via(self.proxy.as_deref())
                .using(&self.kubectl),
            None => probe_timeout(&self.server, self.context.as_deref(), self.probe_limit, self.last_heard.elapsed())
                .using(&self.kubectl),
        };
        self.ui.warn(&format!("{}; probing it again every interval", failure.message));
        self.outage = Some(Outage { since: self.now(), failure, errors: 1, by_probe: true });
        Ok(false)
    }

    fn record_outage(&mut self, o: &Outage, until: Option<Timestamp>) -> Result<()> {
        self.outages += 1;
        let mut meta = self.session.meta(StepKind::Watch, o.since);
        let span = match until {
            Some(t) => {
                format!("for {} ({}–{})", format::duration(t - o.since), clock_s(o.since), clock_s(t))
            }
            None => format!("since {}, still when the watch ended", clock_s(o.since)),
        };
        meta.title = Some(format!("API server {} unreachable {span}", o.failure.server));
        meta.error = Some(StepError {
            kind: o.failure.kind.as_str().to_string(),
            server: Some(o.failure.server.clone()),
            context: o.failure.context.clone(),
            message: o.failure.message.clone(),
        });
        let body = format!(
            "The watch lost the API server {span}: {} ({} failed attempts, retried with back-off).\n\n{}\n",
            o.failure.kind.as_str(),
            o.errors,
            o.failure.message
        );
        self.save(meta, body)
    }

    fn save(&mut self, meta: crate::model::StepMeta, body: String) -> Result<()> {
        let mut step = Step { meta, body };
        self.session.save(&mut step, self.session.scrub(false))?;
        self.session.report(&step);
        Ok(())
    }

    fn record_changes(&mut self, c: &Changes, extra: &[String]) -> Result<()> {
        let mut meta = self.session.meta(StepKind::Watch, self.now());
        meta.title = Some(format!("Watch: {}", c.title));
        meta.watch = Some(WatchStats {
            updates: c.updates,
            restarts: c.restarts,
            changes: c.lines.clone(),
            ..WatchStats::default()
        });
        let mut body = String::new();
        for line in c.lines.iter().chain(extra) {
            body.push_str(&format!("- {line}\n"));
        }
        self.change_steps += 1;
        self.restarts += c.restarts;
        self.save(meta, body)
    }

    fn tick(&mut self, auto_mark: bool, ready_for: Duration) -> Result<()> {
        let mut extra = Vec::new();
        if self.tracker.all_ready() && self.outage.is_none() {
            let since = *self.ready_since.get_or_insert_with(Instant::now);
            if !self.suggested && since.elapsed() >= ready_for {
                self.suggested = true;
                let held = format::duration(chrono::Duration::from_std(since.elapsed()).unwrap_or_default());
                if auto_mark && !self.has_milestone(Milestone::Recovered)? {
                    let mut meta = self.session.meta(StepKind::Milestone, self.now());
                    meta.milestone = Some(Milestone::Recovered);
                    self.save(meta, format!("All pods Ready for {held} (recorded by incident watch --auto-mark)"))?;
                } else if !auto_mark {
                    let line = format!("all pods Ready for {held} — `incident mark recovered`?");
                    self.ui.status(&line);
                    extra.push(line);
                }
            }
        } else {
            self.ready_since = None;
            self.suggested = false;
        }
        match self.tracker.take_changes() {
            Some(c) => self.record_changes(&c, &extra),
            None if !extra.is_empty() => {
                let mut meta = self.session.meta(StepKind::Watch, self.now());
                meta.title = Some(format!("Watch: {}", extra[0]));
                self.save(meta, format!("- {}\n", extra[0]))
            }
            None => Ok(()),
        }
    }

    fn has_milestone(&self, m: Milestone) -> Result<bool> {
        let (steps, _) = self.session.vault.steps_of_kind(&self.session.incident, StepKind::Milestone)?;
        Ok(steps.iter().any(|s| s.meta.milestone == Some(m)))
    }

    fn finish(mut self, why: &str) -> Result<u8> {
        // Never reached at all: that is the finding, as for snapshot and check.
        let never = self.fatal.clone().or_else(|| {
            (self.updates == 0)
                .then(|| {
                    self.outage.as_ref().map(|o| o.failure.clone()).or_else(|| self.refused.get(&Feed::Pods).cloned())
                })
                .flatten()
        });
        if let Some(o) = self.outage.take() {
            self.record_outage(&o, None)?;
        }
        let pending = self.tracker.take_changes();
        self.restarts += pending.as_ref().map_or(0, |c| c.restarts);
        let elapsed = chrono::Duration::from_std(self.start.elapsed()).unwrap_or_default();
        let mut meta = self.session.meta(StepKind::Watch, self.now());
        meta.title = Some(format!("Watch ended after {} ({why})", format::duration(elapsed)));
        let pods: Vec<_> = self.tracker.pods().collect();
        let healthy = pods.iter().filter(|p| crate::kube::summary::pod_is_healthy(p)).count();
        let mut body = format!(
            "Watched {} from {} to {}: {} updates, {} restarts, {} change steps, {} outages, {} re-lists after 410 Gone.\n\nAt the end: {} of {} pods healthy, {} of {} nodes Ready.\n",
            self.server,
            format::clock(self.started_at),
            format::clock(self.now()),
            format::thousands(self.updates),
            format::thousands(self.restarts),
            self.change_steps,
            self.outages,
            self.relists,
            healthy,
            pods.len(),
            self.tracker.nodes().filter(|n| n.is_ready()).count(),
            self.tracker.nodes().count()
        );
        let mut refused: Vec<(&Feed, &Failure)> = self.refused.iter().collect();
        refused.sort_by_key(|(f, _)| feed_name(**f));
        for (feed, f) in refused {
            body.push_str(&format!("\nNot watched: {}: {}\n", feed_name(*feed), f.message));
        }
        if let Some(c) = &pending {
            body.push_str("\nSince the last step:\n\n");
            for line in &c.lines {
                body.push_str(&format!("- {line}\n"));
            }
        }
        meta.watch = Some(WatchStats {
            updates: self.updates,
            // The last interval's changes belong to the last step's numbers too.
            restarts: pending.as_ref().map_or(0, |c| c.restarts),
            changes: pending.map(|c| c.lines).unwrap_or_default(),
            outages: Some(self.outages),
            relists: Some(self.relists),
            pods: Some(pods.len() as u64),
            pods_healthy: Some(healthy as u64),
            restarts_total: Some(self.restarts),
        });
        self.save(meta, body)?;
        if let Some(f) = never {
            return Err(crate::commands::snapshot::failure_error(&f));
        }
        Ok(0)
    }
}

/// `05:28:07`: an outage of seconds reads `05:28–05:28` in minutes.
fn clock_s(t: Timestamp) -> String {
    use chrono::Timelike;
    format!("{}:{:02}", format::clock(t), t.second())
}
