//! What is recorded of an answer: its body bounded, and what it said before its body
//! was decoded (the status and `Retry-After`, which progenitor does not report when the
//! body does not decode), noted for the client's retries and errors.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use http_body_util::Limited;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

/// Sends `request` once with `http` (retries are the client's business, which knows what
/// is safe to send again), notes the status and `Retry-After` of the answer for
/// [`record_answer`], and bounds its body to `limit` bytes.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    // No clock reading unless someone listens.
    let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
    let result = http.execute(request).await;
    let elapsed_ms = started.map(|t| t.elapsed().as_millis() as u64);
    match result {
        Ok(response) => {
            // Outside `record_answer` (a call through the escape hatch) there is nothing
            // to note it for, which is fine.
            let _ = ANSWER.try_with(|cell| cell.set(Answer::of(&response)));
            tracing::debug!(
                status = response.status().as_u16(),
                elapsed_ms,
                "answer received"
            );
            Ok(bounded(response, limit))
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
    /// The HTTP status, if an answer arrived.
    pub(crate) status: Option<StatusCode>,
    /// The wait a `Retry-After` header asked for, in seconds or as an HTTP date.
    pub(crate) retry_after: Option<Duration>,
}

impl Answer {
    /// What `response` said.
    fn of(response: &reqwest::Response) -> Self {
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
