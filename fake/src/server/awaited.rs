//! A request body that counts as its client's move until it ends: a request in flight
//! whose body has not all arrived waits on its client, not on the server, and its
//! connection may be closed to make room as an idle one is (a client that announces a
//! body and never sends it holds nothing).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use hyper::body::{Body, Frame, SizeHint};

/// The body of every request the fake's servers hand to their routers.
pub(crate) type RequestBody = Awaited<hyper::body::Incoming>;

/// A body counted in `waiting` from its start until it ends, fails or is dropped.
pub(crate) struct Awaited<B> {
    inner: B,
    waiting: Option<Arc<AtomicUsize>>,
}

impl<B: Body> Awaited<B> {
    /// `inner`, counted in `waiting` unless it is already over (a request without a body).
    pub(crate) fn new(inner: B, waiting: &Arc<AtomicUsize>) -> Self {
        let waiting = (!inner.is_end_stream()).then(|| {
            waiting.fetch_add(1, Ordering::SeqCst);
            Arc::clone(waiting)
        });
        Self { inner, waiting }
    }

    fn arrived(&mut self) {
        if let Some(waiting) = self.waiting.take() {
            waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl<B> Drop for Awaited<B> {
    fn drop(&mut self) {
        if let Some(waiting) = self.waiting.take() {
            waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl<B: Body + Unpin> Body for Awaited<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
        if !matches!(frame, Some(Ok(_))) || this.inner.is_end_stream() {
            this.arrived();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;

    type Chunk = Result<&'static str, std::io::Error>;

    async fn next<B: Body + Unpin>(body: &mut B) -> Option<Result<Frame<B::Data>, B::Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
    }

    #[tokio::test]
    async fn a_body_waits_until_it_ends_fails_or_is_dropped() {
        let waiting = Arc::new(AtomicUsize::new(0));
        let count = || waiting.load(Ordering::SeqCst);
        drop(Awaited::new(axum::body::Body::empty(), &waiting));
        assert_eq!(count(), 0, "no body: nothing to wait for");

        let mut whole = Awaited::new(axum::body::Body::from("abc"), &waiting);
        assert_eq!(count(), 1);
        while next(&mut whole).await.is_some() {}
        assert_eq!(count(), 0, "ended");
        drop(whole);
        assert_eq!(count(), 0, "counted once");

        let more = futures_util::stream::once(async { Chunk::Ok("x") })
            .chain(futures_util::stream::pending());
        let mut streamed = Awaited::new(axum::body::Body::from_stream(more), &waiting);
        assert!(next(&mut streamed).await.unwrap().is_ok());
        assert_eq!(count(), 1, "more may come");
        drop(streamed);
        assert_eq!(count(), 0, "dropped");

        let failing =
            futures_util::stream::once(async { Chunk::Err(std::io::Error::other("cut")) });
        let mut failed = Awaited::new(axum::body::Body::from_stream(failing), &waiting);
        assert!(next(&mut failed).await.unwrap().is_err());
        assert_eq!(count(), 0, "failed");
    }
}
