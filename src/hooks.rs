//! What happens around every request the generated client sends: dropping empty
//! optional bodies, retries, tracing, and keeping the status of the answer.

use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tracing::Instrument;

use crate::generated::{self, OPTIONAL_BODY_OPERATIONS};
use crate::retry::RetryPolicy;

/// The settings the generated client's hooks read: its `inner` value.
///
/// [`crate::Client`] builds one from its [`ClientBuilder`](crate::ClientBuilder); you only
/// meet it when you construct a [`generated::Client`] yourself.
///
/// ```
/// use turso_platform::generated::{Client, Hooks};
///
/// let http = reqwest::Client::new();
/// let client = Client::new_with_client("http://127.0.0.1:8080", http, Hooks::default());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Hooks {
    pub(crate) retry: RetryPolicy,
}

impl Hooks {
    /// Hooks that retry at most `max_retries` times (3 by default; 0 disables retries).
    ///
    /// ```
    /// use turso_platform::generated::Hooks;
    ///
    /// let no_retries = Hooks::with_max_retries(0);
    /// ```
    pub fn with_max_retries(max_retries: u32) -> Self {
        Self {
            retry: RetryPolicy {
                max_retries,
                ..RetryPolicy::default()
            },
        }
    }
}

impl ClientHooks<Hooks> for generated::Client {
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

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "turso_platform",
            operation = info.operation_id,
            method = %request.method(),
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .inner()
            .retry
            .execute(self.client(), request, info.operation_id)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
            // Outside `record_status` (a call through the escape hatch) there is no
            // record to keep, which is fine.
            let _ = ANSWER_STATUS.try_with(|status| status.set(Some(response.status())));
        }
        result
    }
}

tokio::task_local! {
    /// The status of the answer to the request being made in this task, for the errors
    /// progenitor reports without one (a body that does not decode).
    static ANSWER_STATUS: Cell<Option<StatusCode>>;
}

/// Runs one call of the generated client and returns its output with the status of the
/// answer it received, if any.
pub(crate) async fn record_status<F: Future>(call: F) -> (F::Output, Option<StatusCode>) {
    ANSWER_STATUS
        .scope(Cell::new(None), async {
            let output = call.await;
            (output, ANSWER_STATUS.with(Cell::get))
        })
        .await
}
