//! Serving the router over HTTP/1.1, with the limits a server on a shared machine needs,
//! so that no number of slow, silent or hostile clients can keep a new one out:
//!
//! - a connection whose request headers do not arrive within the idle timeout (a slow or
//!   silent client, or a keep-alive connection left idle) is closed, and so is one whose
//!   answer cannot be written for that long (a client that does not read);
//! - at most `max_connections` connections are open at once: a new one past that closes
//!   the connection that has waited longest for its peer (no byte read or written for
//!   the longest time) among those the server owes nothing (no request in flight but
//!   ones whose bodies have not all arrived, [`Awaited`]), so that those who hold
//!   connections without using them are the ones who lose them; when the server owes
//!   every connection an answer (hung requests, say), a new one is answered 503, unless
//!   its request is for the admin API (`/_fake/…`, which can heal them): up to
//!   [`ADMIN_EXTRA`] of those get in past the limit;
//! - request heads are bounded, and what hyper refuses by itself answers with the API's
//!   error body ([`JsonRefusals`]), as does an HTTP/2 connection preface (505), which this
//!   HTTP/1.1 server does not speak.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use tokio::time::Sleep;

use tower::ServiceExt as _;

use self::awaited::Awaited;
pub(crate) use self::awaited::RequestBody;
use self::refusals::{JsonRefusals, refusal};
use crate::faults::LoseAnswer;

mod awaited;
mod refusals;

/// The largest request head (request line and headers) read, in bytes: more answers 431.
const MAX_HEAD: usize = 64 * 1024;

/// The first bytes of an HTTP/2 connection (RFC 9113, section 3.4).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How the server bounds what its clients hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// How long the server waits for a request's headers, its body, or a client to read
    /// what it writes.
    pub(crate) idle_timeout: Duration,
    /// How many connections may be open at once.
    pub(crate) max_connections: usize,
}

/// Serves `router` on `listener` until `stop` fires (or its sender is dropped), then
/// finishes the requests in flight and closes every connection.
pub(crate) async fn serve<S>(
    listener: TcpListener,
    router: S,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) where
    S: tower::Service<
            axum::http::Request<RequestBody>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .max_header_size(MAX_HEAD);
    let server = Arc::new(Server {
        router,
        http,
        limits,
        open: Connections::new(),
    });
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: give the connections that hold them
                    // time to close rather than spin.
                    tracing::warn!("the fake Turso server could not accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let watcher = graceful.watcher();
        match server.open.make_room(server.limits.max_connections) {
            Some(activity) => server.spawn(stream, activity, watcher),
            // The server owes every connection an answer: only the admin API, which can
            // heal what holds them, gets in (over the limit, a few at a time); others are
            // refused with an answer (never by dropping one whose request runs).
            None => {
                tokio::spawn(Arc::clone(&server).admit_admin_or_refuse(stream, watcher));
            }
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// What serves each connection.
struct Server<S> {
    router: S,
    http: http1::Builder,
    limits: Limits,
    open: Connections,
}

impl<S> Server<S>
where
    S: tower::Service<
            axum::http::Request<RequestBody>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    /// Serves `stream` in a task of its own, which [`Connections`] can abort.
    fn spawn(self: &Arc<Self>, stream: TcpStream, activity: Activity, watcher: Watcher) {
        // Each request carries its connection, for a fault that loses its answer, and
        // counts as in flight until its answer is made.
        let lose = LoseAnswer::default();
        let lost = lose.clone();
        let busy = Arc::clone(&activity.busy);
        let waiting = Arc::clone(&activity.waiting);
        let service = TowerToHyperService::new(
            self.router
                .clone()
                .map_request(move |request: axum::http::Request<hyper::body::Incoming>| {
                    let mut request = request.map(|body| Awaited::new(body, &waiting));
                    request.extensions_mut().insert(lose.clone());
                    request
                })
                .map_future(move |answer| {
                    let in_flight = InFlight::new(Arc::clone(&busy));
                    async move {
                        let answer = answer.await;
                        drop(in_flight);
                        answer
                    }
                }),
        );
        let server = Arc::clone(self);
        let id = activity.id;
        let task = tokio::spawn(async move {
            let _closed = Closed {
                server: Arc::clone(&server),
                id,
            };
            let timeout = server.limits.idle_timeout;
            let mut stream = stream;
            if starts_with_http2_preface(&mut stream, timeout).await {
                let _ = stream.write_all(&http2_refusal()).await;
                let _ = stream.shutdown().await;
                return;
            }
            let io = Bounded::new(JsonRefusals::new(stream), activity, timeout, lost);
            // A client that goes away or times out is its own business.
            let _ = watcher
                .watch(server.http.serve_connection(TokioIo::new(io), service))
                .await;
        });
        self.open.register(id, task.abort_handle());
    }

    /// Serves a connection that found every other one owed an answer if its request is
    /// for the admin API (`/_fake/…`), over the limit by at most [`ADMIN_EXTRA`];
    /// refuses it otherwise.
    async fn admit_admin_or_refuse(self: Arc<Self>, mut stream: TcpStream, watcher: Watcher) {
        let wait = self.limits.idle_timeout.min(ADMIN_PEEK);
        if requests_admin(&mut stream, wait).await
            && let Some(activity) = self
                .open
                .make_room(self.limits.max_connections.saturating_add(ADMIN_EXTRA))
        {
            self.spawn(stream, activity, watcher);
        } else {
            refuse_busy(stream, self.limits.max_connections).await;
        }
    }
}

/// How many connections the admin API may open past the limit.
const ADMIN_EXTRA: usize = 8;

/// How long a connection past the limit is given to show that it asks the admin API.
const ADMIN_PEEK: Duration = Duration::from_secs(1);

/// Whether the request the client sends first is for the admin API (its request line is
/// read, not consumed), within `wait`.
async fn requests_admin(stream: &mut TcpStream, wait: Duration) -> bool {
    let line = async {
        let mut head = [0u8; 256];
        loop {
            let n = stream.peek(&mut head).await.ok()?;
            let seen = &head[..n];
            if n == 0 {
                return None;
            }
            if let Some(target) = seen.split(|&b| b == b' ').nth(1)
                && seen.iter().filter(|&&b| b == b' ').count() >= 2
            {
                return Some(target.starts_with(b"/_fake/"));
            }
            if n == head.len() || seen.contains(&b'\n') {
                return Some(false);
            }
            // Part of the request line: wait for more (peek returns what is there).
            stream.readable().await.ok()?;
            tokio::task::yield_now().await;
        }
    };
    matches!(tokio::time::timeout(wait, line).await, Ok(Some(true)))
}

/// Whether the client opens with HTTP/2's preface (it is read, not consumed: hyper gets
/// the stream as it is otherwise). A client that sends nothing within the idle timeout
/// is handed to hyper, which closes it.
async fn starts_with_http2_preface(stream: &mut TcpStream, timeout: Duration) -> bool {
    let mut first = [0u8; HTTP2_PREFACE.len()];
    match tokio::time::timeout(timeout, stream.peek(&mut first)).await {
        // "PRI" is no HTTP/1 method anyone sends; the rest confirms it.
        Ok(Ok(n)) if n >= 3 => HTTP2_PREFACE.starts_with(&first[..n]),
        _ => false,
    }
}

/// Answers a connection that found every other one busy: 503, with the API's error
/// body and `Retry-After`, then the close.
async fn refuse_busy(mut stream: TcpStream, max: usize) {
    let mut refusal = refusal(
        "HTTP/1.1 503 Service Unavailable",
        &format!(
            "the server has {max} connections open, each with a request in flight: try \
             again shortly"
        ),
    );
    // Before the blank line that ends the head.
    if let Some(end) = refusal.windows(4).position(|w| w == b"\r\n\r\n") {
        refusal.splice(end..end, *b"\r\nretry-after: 1");
    }
    let write = async {
        let _ = stream.write_all(&refusal).await;
        let _ = stream.shutdown().await;
        // Read what the client sent (its request) before the socket closes: closing with
        // unread bytes would reset the connection, and the client could lose the answer.
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), write).await;
}

/// A request in flight on a connection, counted until it is dropped.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn new(busy: Arc<AtomicUsize>) -> Self {
        busy.fetch_add(1, Ordering::SeqCst);
        Self(busy)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The answer to an HTTP/2 preface: 505, with the API's error body, then the close.
fn http2_refusal() -> Vec<u8> {
    refusal(
        "HTTP/1.1 505 HTTP Version Not Supported",
        "this server speaks HTTP/1.1 only (HTTP/2 is not emulated): send HTTP/1.1 requests",
    )
}

/// The open connections, and when each last read or wrote a byte.
struct Connections {
    /// When the server started: activity is counted in milliseconds since.
    epoch: Instant,
    state: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    next_id: u64,
    /// By ID.
    live: HashMap<u64, Live>,
}

/// An open connection: when it was last active, how many requests it has in flight and
/// how many of those wait for their bodies, and how to close it.
struct Live {
    active: Arc<AtomicU64>,
    busy: Arc<AtomicUsize>,
    waiting: Arc<AtomicUsize>,
    abort: Option<AbortHandle>,
}

impl Live {
    /// Whether the server owes it nothing: every request it has in flight (if any) waits
    /// for its client's body.
    fn owed_nothing(&self) -> bool {
        self.busy.load(Ordering::SeqCst) <= self.waiting.load(Ordering::SeqCst)
    }
}

impl Connections {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            state: Mutex::new(Open::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for a new connection, closing the least recently active idle ones (no
    /// request in flight but ones waiting for their bodies) past `limit`, and returns
    /// the new one's activity record; `None` when the server owes every connection an
    /// answer.
    fn make_room(&self, limit: usize) -> Option<Activity> {
        let now = self.now();
        let mut open = self.lock();
        while open.live.len() >= limit.max(1) {
            let oldest = open
                .live
                .iter()
                .filter(|(_, live)| live.owed_nothing())
                .min_by_key(|(_, live)| live.active.load(Ordering::Relaxed))
                .map(|(id, _)| *id)?;
            if let Some(Live {
                abort: Some(abort), ..
            }) = open.live.remove(&oldest)
            {
                abort.abort();
            }
        }
        open.next_id += 1;
        let id = open.next_id;
        let last = Arc::new(AtomicU64::new(now));
        let busy = Arc::new(AtomicUsize::new(0));
        let waiting = Arc::new(AtomicUsize::new(0));
        open.live.insert(
            id,
            Live {
                active: Arc::clone(&last),
                busy: Arc::clone(&busy),
                waiting: Arc::clone(&waiting),
                abort: None,
            },
        );
        Some(Activity {
            id,
            last,
            busy,
            waiting,
            epoch: self.epoch,
        })
    }

    /// Notes how to close the connection `id`, unless it already ended.
    fn register(&self, id: u64, abort: AbortHandle) {
        if let Some(live) = self.lock().live.get_mut(&id) {
            live.abort = Some(abort);
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}

/// Removes a connection from [`Connections`] when its task ends, however it ends.
struct Closed<S> {
    server: Arc<Server<S>>,
    id: u64,
}

impl<S> Drop for Closed<S> {
    fn drop(&mut self) {
        self.server.open.lock().live.remove(&self.id);
    }
}

/// When a connection last read or wrote a byte, how many requests it has in flight, and
/// how many of those wait for their bodies.
struct Activity {
    id: u64,
    last: Arc<AtomicU64>,
    busy: Arc<AtomicUsize>,
    waiting: Arc<AtomicUsize>,
    epoch: Instant,
}

impl Activity {
    fn touch(&self) {
        self.last
            .store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// A connection whose reads and writes count as activity, and whose writes fail once the
/// client has read nothing for the idle timeout: an answer nobody reads does not hold
/// the connection, or the memory of the answer, for longer.
///
/// Once a request on it was told to lose its answer ([`LoseAnswer`]), every write fails:
/// hyper closes the connection without a byte of the answer.
struct Bounded<S> {
    inner: S,
    activity: Activity,
    timeout: Duration,
    /// Armed when a write could not proceed; cleared by the next that does.
    stalled: Option<Pin<Box<Sleep>>>,
    lost: LoseAnswer,
}

impl<S> Bounded<S> {
    fn new(inner: S, activity: Activity, timeout: Duration, lost: LoseAnswer) -> Self {
        Self {
            inner,
            activity,
            timeout,
            stalled: None,
            lost,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Bounded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.activity.touch();
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> Bounded<S> {
    /// Polls a write-side operation: progress clears the stall, a stall longer than the
    /// timeout fails it.
    fn poll_bounded<T>(
        &mut self,
        cx: &mut Context<'_>,
        operation: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if self.lost.is_lost() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the answer is lost, as the fault planned",
            )));
        }
        match operation(Pin::new(&mut self.inner), cx) {
            Poll::Ready(result) => {
                self.stalled = None;
                self.activity.touch();
                Poll::Ready(result)
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let stalled = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                ready!(stalled.as_mut().poll(cx));
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client read nothing within the idle timeout",
                )))
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Bounded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_bounded(cx, |inner, cx| inner.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .poll_bounded(cx, |inner, cx| inner.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A client that reads nothing: every write waits.
    struct Unread;

    impl AsyncWrite for Unread {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Pending
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Pending
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_nobody_reads_fails_after_the_idle_timeout() {
        let connections = Connections::new();
        let mut io = Bounded::new(
            Unread,
            connections.make_room(4).unwrap(),
            Duration::from_secs(10),
            LoseAnswer::default(),
        );
        let started = tokio::time::Instant::now();
        let error = io.write_all(b"an answer").await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    /// Two open connections of a limit of two, each registered with a task that runs
    /// until it is aborted.
    fn two_connections() -> (Connections, Vec<tokio::task::JoinHandle<()>>, [Activity; 2]) {
        let connections = Connections::new();
        let tasks: Vec<_> = (0..2)
            .map(|_| tokio::spawn(std::future::pending::<()>()))
            .collect();
        let activities = [0, 1].map(|n| {
            let activity = connections.make_room(2).unwrap();
            connections.register(activity.id, tasks[n].abort_handle());
            activity
        });
        (connections, tasks, activities)
    }

    #[tokio::test]
    async fn past_the_limit_the_least_recently_active_connection_is_closed() {
        let (connections, tasks, [first, second]) = two_connections();
        // The first connection was used after the second one last was.
        first.last.store(20, Ordering::Relaxed);
        second.last.store(10, Ordering::Relaxed);
        let _third = connections.make_room(2).unwrap();
        let [kept, evicted] = [&tasks[0], &tasks[1]];
        tokio::task::yield_now().await;
        assert!(
            evicted.is_finished(),
            "the least recently active was closed"
        );
        assert!(!kept.is_finished());
        assert_eq!(connections.lock().live.len(), 2);
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_flight_is_never_closed_for_room() {
        let (connections, tasks, [busy, idle]) = two_connections();
        busy.last.store(0, Ordering::Relaxed);
        idle.last.store(10, Ordering::Relaxed);
        let in_flight = InFlight::new(Arc::clone(&busy.busy));
        // The busy one is the least recently active, and is kept: the idle one goes.
        let third = connections.make_room(2).unwrap();
        tokio::task::yield_now().await;
        assert!(!tasks[0].is_finished());
        assert!(tasks[1].is_finished());
        // With every connection busy, there is no room: the caller answers 503.
        let _also_busy = InFlight::new(Arc::clone(&third.busy));
        assert!(connections.make_room(2).is_none());
        drop(in_flight);
        assert!(connections.make_room(2).is_some());
    }

    #[tokio::test]
    async fn a_connection_whose_request_waits_for_its_body_may_be_closed_for_room() {
        let (connections, tasks, [waiting, answering]) = two_connections();
        waiting.last.store(10, Ordering::Relaxed);
        answering.last.store(0, Ordering::Relaxed);
        // Both have a request in flight; the first's body has not all arrived.
        let _body = Awaited::new(axum::body::Body::from("{}"), &waiting.waiting);
        let _in_flight = InFlight::new(Arc::clone(&waiting.busy));
        let _answered = InFlight::new(Arc::clone(&answering.busy));
        assert!(connections.make_room(2).is_some());
        tokio::task::yield_now().await;
        assert!(tasks[0].is_finished(), "the one its client owes a body");
        assert!(!tasks[1].is_finished(), "the one the server owes an answer");
    }
}
