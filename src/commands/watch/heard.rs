//! What the watch hears and acts on: each item a feed delivers, each feed failure (a
//! 410 re-list, a refused feed, an outage beginning) and each `/version` probe answer.

use std::time::Instant;

use kube::runtime::watcher::{self, Event};

use super::{Outage, Watch};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::kube::failure::{Failure, FailureKind, classify};
use crate::kube::feeds::{Item, Probe, feed_name, is_whole_server, probe_timeout};
use crate::kube::watch::Feed;

impl Watch<'_> {
    /// The command's clock moved on by the time watched, to the millisecond.
    pub(super) fn now(&self) -> Timestamp {
        let ms = self.start.elapsed().as_millis() as i64;
        self.started_at + chrono::Duration::milliseconds(ms)
    }

    pub(super) fn handle(&mut self, feed: Feed, result: std::result::Result<Item, watcher::Error>) -> Result<()> {
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
    pub(super) fn probe_answered(&mut self, found: Probe) -> Result<bool> {
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
}
