//! What happens around every request the generated client sends, the escape hatch's
//! included: the path check, the bearer token (only to the base URL's origin), the
//! `User-Agent` and timeout, dropping empty optional bodies, bounding the answer's body,
//! and noting what the answer said for the layer above.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use http_body_util::Limited;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{StatusCode, Url};

use crate::base_url::BaseUrl;
use crate::generated::{self, spec_operation};
use crate::path;
use crate::spec::Operation as SpecOperation;

/// What every request of a [`Client`](crate::Client) gets, and how much of an answer it
/// reads: set up by [`ClientBuilder`](crate::ClientBuilder), applied by the generated
/// client's hooks. `Debug` never shows the token.
///
/// ```
/// let client = turso_platform::Client::new("my-platform-api-token").unwrap();
/// let policy = client.generated().inner();
/// # use turso_platform::generated::ClientInfo as _;
/// assert!(!format!("{policy:?}").contains("my-platform-api-token"));
/// ```
#[derive(Clone)]
pub struct RequestPolicy(Arc<Policy>);

/// What a [`RequestPolicy`] holds, shared by the clones of a client.
struct Policy {
    /// `Bearer <token>`, marked sensitive.
    bearer: HeaderValue,
    user_agent: HeaderValue,
    timeout: Duration,
    max_response_size: usize,
    scheme: String,
    host: String,
    port: Option<u16>,
    /// The base URL's path without a trailing `/` (empty for `https://api.turso.tech`).
    base_path: String,
}

impl RequestPolicy {
    pub(crate) fn new(
        bearer: HeaderValue,
        user_agent: HeaderValue,
        base: &BaseUrl,
        timeout: Duration,
        max_response_size: usize,
    ) -> Self {
        let url = &base.parsed;
        Self(Arc::new(Policy {
            bearer,
            user_agent,
            timeout,
            max_response_size,
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default(),
            base_path: url.path().trim_end_matches('/').to_owned(),
        }))
    }

    /// The largest answer body read, in bytes.
    pub(crate) fn max_response_size(&self) -> usize {
        self.0.max_response_size
    }
}

impl Policy {
    /// Whether `url` has the base URL's origin (scheme, host and port).
    fn is_base_origin(&self, url: &Url) -> bool {
        url.scheme() == self.scheme
            && url.host_str() == Some(self.host.as_str())
            && url.port_or_known_default() == self.port
    }
}

impl fmt::Debug for RequestPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let policy = &self.0;
        f.debug_struct("RequestPolicy")
            .field("token", &"[REDACTED]")
            .field(
                "origin",
                &format_args!("{}://{}", policy.scheme, policy.host),
            )
            .field("port", &policy.port)
            .field("base_path", &policy.base_path)
            .field("timeout", &policy.timeout)
            .field("max_response_size", &policy.max_response_size)
            .finish()
    }
}

impl ClientHooks<RequestPolicy> for generated::Client {
    /// Refuses a request whose path left its template, drops an empty optional body
    /// (progenitor always sends one; an empty object means "no options", which the API
    /// wants as no body at all), and adds the token, the `User-Agent` and the timeout.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let policy = &self.inner().0;
        let operation = spec_operation(info.operation_id).ok_or_else(|| {
            progenitor_client::Error::InvalidRequest(format!(
                "{} is not an operation of openapi.yaml",
                info.operation_id
            ))
        })?;
        if !path::follows_template(&policy.base_path, operation.path, request.url().path()) {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "a path parameter of {} is empty, `.` or `..`, or climbs out of its segment; \
                 nothing was sent",
                info.operation_id
            )));
        }
        if operation.optional_body
            && request.body().and_then(reqwest::Body::as_bytes) == Some(b"{}")
        {
            *request.body_mut() = None;
            request.headers_mut().remove(CONTENT_TYPE);
        }
        // Outside `record_answer` (a call through the escape hatch) there is nothing to
        // note it for, which is fine.
        let _ = ANSWER.try_with(|cell| {
            cell.set(Answer {
                operation: Some(operation),
                ..Answer::default()
            })
        });
        if policy.is_base_origin(request.url()) {
            request
                .headers_mut()
                .insert(AUTHORIZATION, policy.bearer.clone());
        }
        request
            .headers_mut()
            .insert(USER_AGENT, policy.user_agent.clone());
        *request.timeout_mut() = Some(policy.timeout);
        Ok(())
    }

    /// Sends the request once (retries are the client's business, which knows what is
    /// safe to send again), notes the status and `Retry-After` of the answer, and bounds
    /// its body.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // No clock reading unless someone listens.
        let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        let result = self.client().execute(request).await;
        let elapsed_ms = started.map(|t| t.elapsed().as_millis() as u64);
        match result {
            Ok(response) => {
                let _ = ANSWER.try_with(|cell| cell.set(cell.get().with_answer(&response)));
                tracing::debug!(
                    status = response.status().as_u16(),
                    elapsed_ms,
                    "answer received"
                );
                Ok(bounded(response, self.inner().max_response_size()))
            }
            Err(e) => {
                tracing::debug!(
                    elapsed_ms,
                    timeout = e.is_timeout(),
                    connect = e.is_connect(),
                    "request failed"
                );
                Err(e)
            }
        }
    }
}

/// The answer with a body that fails once more than `limit` bytes arrive, at which point
/// reading stops and the connection is dropped. A body whose declared length fits is
/// left alone (hyper never reads past a declared length); one declared longer fails at
/// its first bytes.
fn bounded(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let allowed = match response.content_length() {
        Some(length) if length <= limit as u64 => return response,
        Some(_) => 0,
        None => limit,
    };
    http::Response::<reqwest::Body>::from(response)
        .map(|body| reqwest::Body::wrap(Limited::new(body, allowed)))
        .into()
}

/// What an answer said before its body was decoded: what progenitor does not report
/// when the body does not decode, and what the client needs to decide on a retry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The operation the request was made for, once the `pre` hook has seen it.
    pub(crate) operation: Option<&'static SpecOperation>,
    /// The HTTP status, if an answer arrived.
    pub(crate) status: Option<StatusCode>,
    /// The wait a `Retry-After` header asked for, in seconds or as an HTTP date.
    pub(crate) retry_after: Option<Duration>,
}

impl Answer {
    /// This with what `response` said.
    fn with_answer(self, response: &reqwest::Response) -> Self {
        let status = response.status();
        // Only a failed answer can ask for a wait; a success skips the header lookup.
        let retry_after = (!status.is_success())
            .then(|| response.headers().get(RETRY_AFTER))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry_after(value, SystemTime::now()));
        Self {
            status: Some(status),
            retry_after,
            ..self
        }
    }
}

/// A `Retry-After` value: a number of seconds, or an HTTP date (a date in the past asks
/// for no wait).
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:45 GMT", now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past"
        );
        for junk in ["", "-1", "1.5", "soon", "Wed, 99 Oct 2015"] {
            assert_eq!(retry_after(junk, now), None, "{junk}");
        }
    }
}
