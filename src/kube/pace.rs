//! Back-off for a watcher. kube-runtime's `StreamBackoff` resets on every `Ok` item,
//! and the watcher yields `Ok(Event::Init)` before each re-list, so a failing list was
//! retried twice a second for ever. Here only events the server sent reset it.

use futures::StreamExt;
use futures::stream::BoxStream;
use kube::runtime::watcher::{self, Event};

use super::watch::Retry;

type Items<T> = BoxStream<'static, Result<Event<T>, watcher::Error>>;

/// `inner`, waiting `retry`'s next delay after each error before asking it again.
pub fn paced<T: Send + 'static>(inner: Items<T>, retry: Retry) -> Items<T> {
    futures::stream::unfold((inner, retry, None), |(mut inner, mut retry, wait)| async move {
        if let Some(wait) = wait {
            tokio::time::sleep(wait).await;
        }
        let item = inner.next().await?;
        let wait = match &item {
            Err(_) => retry.next(),
            // Made up by the watcher before it asks: proves nothing about the server.
            Ok(Event::Init) => None,
            Ok(_) => {
                retry.reset();
                None
            }
        };
        Some((item, (inner, retry, wait)))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn failed() -> Result<Event<String>, watcher::Error> {
        Err(watcher::Error::NoResourceVersion)
    }

    #[tokio::test]
    async fn init_events_do_not_reset_the_back_off_but_data_does() {
        let ms = Duration::from_millis;
        let items = vec![
            Ok(Event::Init),
            failed(),
            Ok(Event::Init),
            failed(),
            Ok(Event::Init),
            failed(),
            Ok(Event::Init),
            Ok(Event::InitDone),
            failed(),
            Ok(Event::Init),
        ];
        let mut stream = paced(futures::stream::iter(items).boxed(), Retry::starting(ms(40), ms(1000)));
        let started = Instant::now();
        let mut at = Vec::new();
        while let Some(item) = stream.next().await {
            if matches!(item, Ok(Event::Init)) {
                at.push(started.elapsed());
            }
        }
        let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
        // 40, 80, 160 ms after the errors; back to 40 ms after InitDone.
        assert_eq!(gaps.len(), 4, "{gaps:?}");
        assert!(gaps[0] >= ms(40) && gaps[1] >= ms(80) && gaps[2] >= ms(160), "{gaps:?}");
        assert!(gaps[3] >= ms(40) && gaps[3] < ms(160), "{gaps:?}");
    }
}
