//! `--request-timeout` as kubectl means it: one bound on a whole request, answer and
//! body together. hyper's read timeout restarts at every byte, so a server that
//! dribbles could hold a 3 s request for minutes. Watches stream for minutes by
//! design and are left alone.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use kube::client::Body as KubeBody;
use tokio::time::{Instant, Sleep};
use tower::{BoxError, Layer, Service};

/// The error a request past its deadline ends with.
#[derive(Debug)]
pub struct TimedOut(pub Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "timed out after {} (--request-timeout)", crate::kube::deadline::show(self.0))
    }
}

impl std::error::Error for TimedOut {}

pub fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{}s", d.as_secs()) } else { format!("{}ms", d.as_millis()) }
}

/// Bounds every request but watches by `limit` (`None`: no bound).
#[derive(Clone, Copy, Debug)]
pub struct DeadlineLayer(pub Option<Duration>);

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;
    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline { inner, limit: self.0 }
    }
}

#[derive(Clone, Debug)]
pub struct Deadline<S> {
    inner: S,
    limit: Option<Duration>,
}

fn is_watch(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"))
}

impl<S, B> Service<Request<KubeBody>> for Deadline<S>
where
    S: Service<Request<KubeBody>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<Bounded<B>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<KubeBody>) -> Self::Future {
        let limit = self.limit.filter(|_| !is_watch(req.uri()));
        let fut = self.inner.call(req);
        Box::pin(async move {
            let Some(limit) = limit else {
                return fut.await.map(|r| r.map(|b| Bounded { inner: b, sleep: None, limit })).map_err(Into::into);
            };
            let end = Instant::now() + limit;
            match tokio::time::timeout_at(end, fut).await {
                Ok(Ok(resp)) => Ok(resp.map(|b| Bounded {
                    inner: b,
                    sleep: Some(Box::pin(tokio::time::sleep_until(end))),
                    limit: Some(limit),
                })),
                Ok(Err(e)) => Err(e.into()),
                Err(_) => Err(Box::new(TimedOut(limit))),
            }
        })
    }
}

/// A response body that fails once the request's deadline has passed.
pub struct Bounded<B> {
    inner: B,
    sleep: Option<Pin<Box<Sleep>>>,
    limit: Option<Duration>,
}

impl<B> Body for Bounded<B>
where
    B: Body<Data = bytes::Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = bytes::Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<bytes::Bytes>, BoxError>>> {
        let this = &mut *self;
        if let Some(sleep) = &mut this.sleep
            && sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Some(Err(Box::new(TimedOut(this.limit.unwrap_or_default())))));
        }
        Pin::new(&mut this.inner).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
