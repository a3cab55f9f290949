//! Serving the router over HTTP/1.1, with the limits a server on a shared machine needs:
//! a connection whose request headers do not arrive within the idle timeout (a slow or
//! silent client, or a keep-alive connection left idle) is closed, request heads are
//! bounded, and what hyper refuses by itself answers with the API's error body
//! ([`JsonRefusals`]).

use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::refusals::JsonRefusals;

/// The largest request head (request line and headers) read, in bytes: more answers 431.
const MAX_HEAD: usize = 64 * 1024;

/// Serves `router` on `listener` until `stop` fires (or its sender is dropped), then
/// finishes the requests in flight and closes every connection.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    idle_timeout: Duration,
    mut stop: oneshot::Receiver<()>,
) {
    let service = TowerToHyperService::new(router);
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .max_header_size(MAX_HEAD);
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
        let connection =
            http.serve_connection(TokioIo::new(JsonRefusals::new(stream)), service.clone());
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out is its own business.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
