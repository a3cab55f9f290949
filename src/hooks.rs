//! What happens around every request the generated client sends: dropping empty
//! optional bodies, and noting what the answer said for the layer above.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

use crate::generated::{self, OPTIONAL_BODY_OPERATIONS};

impl ClientHooks for generated::Client {
    /// progenitor always sends a body when the spec declares one, even an optional one;
    /// an empty object means "no options", which the API wants as no body at all.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let empty = request.body().and_then(reqwest::Body::as_bytes) == Some(b"{}");
        if empty && OPTIONAL_BODY_OPERATIONS.contains(&info.operation_id) {
            *request.body_mut() = None;
            request.headers_mut().remove(CONTENT_TYPE);
        }
        Ok(())
    }

    /// Sends the request once (retries are the client's business, which knows what is
    /// safe to send again), and notes the status and `Retry-After` of the answer.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // No clock reading unless someone listens.
        let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        let result = self.client().execute(request).await;
        let elapsed_ms = started.map(|t| t.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                let answer = Answer::of(response);
                // Outside `record_answer` (a call through the escape hatch) there is
                // nothing to keep it for, which is fine.
                let _ = ANSWER.try_with(|cell| cell.set(answer));
                tracing::debug!(
                    status = response.status().as_u16(),
                    elapsed_ms,
                    "answer received"
                );
            }
            Err(e) => tracing::debug!(
                elapsed_ms,
                timeout = e.is_timeout(),
                connect = e.is_connect(),
                "request failed"
            ),
        }
        result
    }
}

/// What an answer said before its body was decoded: what progenitor does not report
/// when the body does not decode, and what the client needs to decide on a retry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The HTTP status, if an answer arrived.
    pub(crate) status: Option<StatusCode>,
    /// The wait a `Retry-After: <seconds>` header asked for.
    pub(crate) retry_after: Option<Duration>,
}

impl Answer {
    fn of(response: &reqwest::Response) -> Self {
        let status = response.status();
        // Only a failed answer can ask for a wait; a success skips the header lookup.
        let retry_after = (!status.is_success())
            .then(|| response.headers().get(RETRY_AFTER))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse().ok())
            .map(Duration::from_secs);
        Self {
            status: Some(status),
            retry_after,
        }
    }
}

tokio::task_local! {
    /// What the answer to the request being made in this task said.
    static ANSWER: Cell<Answer>;
}

/// Runs one request of the generated client and returns its output with what the
/// answer said (nothing if no answer arrived).
pub(crate) async fn record_answer<F: Future>(request: F) -> (F::Output, Answer) {
    ANSWER
        .scope(Cell::new(Answer::default()), async {
            let output = request.await;
            (output, ANSWER.with(Cell::get))
        })
        .await
}
