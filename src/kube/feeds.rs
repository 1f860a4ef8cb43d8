//! What `incident watch` listens to: the three watchers (pods, nodes, events), each
//! paced, merged into one stream, and the `/version` probe that tells a silent cluster
//! from a hung server.

use std::time::Duration;

use futures::stream::{BoxStream, SelectAll};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Event as ApiEvent, Node as ApiNode, Pod as ApiPod};
use kube::Api;
use kube::runtime::watcher::{self, Event};

use super::failure::{Failure, FailureKind};
use super::pace::paced;
use super::watch::{Feed, Retry};

// Each item is moved once, straight from its watcher to the tracker.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    Pod(Box<Event<ApiPod>>),
    Node(Event<ApiNode>),
    Event(Event<ApiEvent>),
}

pub type Merged = SelectAll<BoxStream<'static, (Feed, std::result::Result<Item, watcher::Error>)>>;

/// What one `/version` probe found.
pub enum Probe {
    Answered,
    /// An HTTP status: the server is there, if failing.
    Status,
    /// No answer in time, or no connection.
    Failed(Option<kube::Error>),
}

/// Asks `/version`, giving up after `limit`.
pub async fn version_probe(client: kube::Client, limit: Duration) -> Probe {
    match tokio::time::timeout(limit, client.apiserver_version()).await {
        Ok(Ok(_)) => Probe::Answered,
        Ok(Err(kube::Error::Api(_))) => Probe::Status,
        Ok(Err(e)) => Probe::Failed(Some(e)),
        Err(_) => Probe::Failed(None),
    }
}

/// The three watchers, each paced, merged into one stream.
pub fn feeds(pods: &Api<ApiPod>, nodes: &Api<ApiNode>, events: &Api<ApiEvent>) -> Merged {
    let wc = watcher::Config::default().page_size(500);
    let mut merged: Merged = SelectAll::new();
    merged.push(
        paced(watcher::watcher(pods.clone(), wc.clone()).boxed(), Retry::new())
            .map_ok(|e| Item::Pod(Box::new(e)))
            .map(|r| (Feed::Pods, r))
            .boxed(),
    );
    merged.push(
        paced(watcher::watcher(nodes.clone(), wc.clone()).boxed(), Retry::new())
            .map_ok(Item::Node)
            .map(|r| (Feed::Nodes, r))
            .boxed(),
    );
    merged.push(
        paced(watcher::watcher(events.clone(), wc).boxed(), Retry::new())
            .map_ok(Item::Event)
            .map(|r| (Feed::Events, r))
            .boxed(),
    );
    merged
}

/// The outage a `/version` probe finds: no answer within `limit`, the feeds `silent` that long.
pub fn probe_timeout(server: &str, context: Option<&str>, limit: Duration, silent: Duration) -> Failure {
    let on = context.map(|c| format!(" (context {c:?})")).unwrap_or_default();
    let words = |d: Duration| crate::format::duration(chrono::Duration::from_std(d).unwrap_or_default());
    Failure {
        kind: FailureKind::Timeout,
        server: server.to_string(),
        context: context.map(str::to_string),
        path: "/version".to_string(),
        message: format!(
            "the server {server}{on} did not answer /version within {}, and the watches have been silent for {}",
            words(limit),
            words(silent)
        ),
        detail: "the /version probe timed out".to_string(),
        kubectl: None,
        next: None,
    }
}

pub fn feed_name(feed: Feed) -> &'static str {
    match feed {
        Feed::Pods => "pods",
        Feed::Nodes => "nodes",
        Feed::Events => "events",
    }
}

/// A refused connection or a bad certificate is the whole server; a 500 or a timeout may
/// be one resource, and the others still flow.
pub fn is_whole_server(kind: FailureKind) -> bool {
    !matches!(kind, FailureKind::ServerError | FailureKind::Timeout | FailureKind::BadResponse)
}
