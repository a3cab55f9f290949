//! What is recorded of an answer: its body bounded, and what it said before its body
//! was decoded (the status and `Retry-After`, which progenitor does not report when the
//! body does not decode), noted for the client's retries and errors.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use http_body_util::Limited;
use progenitor_client::ResponseValue;
use reqwest::header::RETRY_AFTER;
use reqwest::{ResponseBuilderExt as _, StatusCode};
use serde::de::DeserializeOwned;

/// Sends `request` once with `http` (retries are the client's business, which knows what
/// is safe to send again), notes the status and `Retry-After` of the answer for
/// [`record_answer`], and bounds its body to `limit` bytes. The request goes to reqwest
/// at once, not when the future is first polled, so that it is moved once.
pub(crate) fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
    limit: usize,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + use<> {
    // No clock reading unless someone listens.
    let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
    let pending = http.execute(request);
    async move {
        let result = pending.await;
        let elapsed_ms = started.map(|t| t.elapsed().as_millis() as u64);
        match result {
            Ok(response) => {
                // Outside `record_answer` (a call through the escape hatch) this notes it
                // where nobody reads it, which is fine.
                NOTED.set(Answer::of(&response));
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
}

/// The answer decoded as progenitor's `ResponseValue::from_response` does it, except that
/// its headers are moved into the value, not copied (reading the body never looks at
/// them), and its body is collected directly rather than through `Response::bytes`, whose
/// future is three times the size: it keeps every call's future small enough for the
/// allocator's fastest path. A body that fails to arrive is reqwest's error for it, with
/// the answer's URL (where `Response::bytes` would wrap it in a decoding error). The
/// build script puts this in place of progenitor's in the generated client.
pub(crate) async fn decoded<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    // As text (a third of a `Url`'s size), for the rare error that names it.
    let url = String::from(response.url().as_str());
    let body = http::Response::<reqwest::Body>::from(response).into_body();
    let body = match http_body_util::BodyExt::collect(body).await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let e = match reqwest::Url::parse(&url) {
                Ok(url) => e.with_url(url),
                Err(_) => e,
            };
            return Err(progenitor_client::Error::ResponseBodyError(e));
        }
    };
    let value = serde_json::from_slice(&body)
        .map_err(|e| progenitor_client::Error::InvalidResponsePayload(body, e))?;
    Ok(ResponseValue::new(value, status, headers))
}

/// An answer without a body, as progenitor's `ResponseValue::empty`, with its headers
/// moved, not copied.
pub(crate) fn empty(mut response: reqwest::Response) -> ResponseValue<()> {
    let status = response.status();
    ResponseValue::new((), status, std::mem::take(response.headers_mut()))
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
    // reqwest keeps the answer's URL (which its errors name) where the conversion to an
    // `http::Response` does not carry it: put it back.
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let tagged = http::Response::builder().url(url).body(());
    if let Ok(tagged) = tagged {
        parts.extensions.extend(tagged.into_parts().0.extensions);
    }
    http::Response::from_parts(parts, reqwest::Body::wrap(Limited::new(body, allowed))).into()
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
    /// Nothing: no answer arrived.
    pub(crate) const NONE: Answer = Answer {
        status: None,
        retry_after: None,
    };

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

thread_local! {
    /// What the answer to the request being polled on this thread said: [`Recorded`]
    /// puts its own in place for each poll of its request and takes it back after, so
    /// that this is a task-local value (the request's), whatever thread polls it, at the
    /// cost of two copies of an [`Answer`] per poll.
    static NOTED: Cell<Answer> = const { Cell::new(Answer::NONE) };
}

/// Runs one request of the generated client inside `span` and returns its output with
/// what the answer said (nothing if no answer arrived).
pub(crate) fn record_answer<F: Future>(request: Pin<Box<F>>, span: &tracing::Span) -> Recorded<F> {
    Recorded {
        request,
        answer: Answer::NONE,
        span: span.clone(),
    }
}

/// The future of [`record_answer`].
pub(crate) struct Recorded<F> {
    request: Pin<Box<F>>,
    answer: Answer,
    /// Entered while the request is polled (which costs nothing when no subscriber
    /// listens), so that what the hooks log is the call's.
    span: tracing::Span,
}

impl<F: Future> Future for Recorded<F> {
    type Output = (F::Output, Answer);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let _entered = this.span.enter();
        let outer = NOTED.replace(this.answer);
        // Put back what was there even if the request panics.
        let restore = Restore(outer);
        let polled = this.request.as_mut().poll(cx);
        this.answer = NOTED.replace(restore.0);
        std::mem::forget(restore);
        polled.map(|output| (output, this.answer))
    }
}

/// Puts an answer back in [`NOTED`] when dropped.
struct Restore(Answer);

impl Drop for Restore {
    fn drop(&mut self) {
        NOTED.set(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer as reqwest gives it, with its URL.
    fn answer(status: u16, body: &'static str, length: bool) -> reqwest::Response {
        let mut answer = http::Response::builder()
            .status(status)
            .url("https://api.turso.tech/v1/things".parse().unwrap())
            .header("date", "Wed, 21 Oct 2015 07:28:00 GMT")
            .header("x-request-id", "abc");
        if length {
            answer = answer.header("content-length", body.len());
        }
        answer.body(body).unwrap().into()
    }

    /// What progenitor's own decoding gives, to compare ours with.
    async fn progenitor_s<T: DeserializeOwned>(
        response: reqwest::Response,
    ) -> Result<ResponseValue<T>, progenitor_client::Error<()>> {
        ResponseValue::from_response(response).await
    }

    #[tokio::test]
    async fn answers_decode_as_progenitor_decodes_them() {
        for body in [r#"{"a":1}"#, r#"{"a":"#, "[]"] {
            let ours: Result<ResponseValue<serde_json::Value>, progenitor_client::Error<()>> =
                decoded(answer(201, body, true)).await;
            let theirs = progenitor_s::<serde_json::Value>(answer(201, body, true)).await;
            match (ours, theirs) {
                (Ok(ours), Ok(theirs)) => {
                    assert_eq!(ours.status(), theirs.status());
                    assert_eq!(ours.headers(), theirs.headers());
                    assert_eq!(ours.into_inner(), theirs.into_inner());
                }
                (
                    Err(progenitor_client::Error::InvalidResponsePayload(ours, why)),
                    Err(progenitor_client::Error::InvalidResponsePayload(theirs, their_why)),
                ) => {
                    assert_eq!(ours, theirs);
                    assert_eq!(why.to_string(), their_why.to_string());
                }
                (ours, theirs) => panic!("{body}: {ours:?} against {theirs:?}"),
            }
        }
        let ours = empty(answer(200, "", true));
        assert_eq!(ours.headers().get("x-request-id").unwrap(), "abc");
        assert_eq!(ours.status(), StatusCode::OK);
    }

    /// A request that notes `status` at its first poll, then waits for a second.
    fn noting(status: u16) -> Pin<Box<impl Future<Output = ()>>> {
        let mut polls = 0;
        Box::pin(std::future::poll_fn(move |cx| {
            polls += 1;
            if polls == 1 {
                NOTED.set(Answer {
                    status: Some(StatusCode::from_u16(status).unwrap()),
                    retry_after: None,
                });
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        }))
    }

    #[tokio::test]
    async fn each_request_reads_its_own_answer_however_they_interleave() {
        let ambient = Answer {
            status: Some(StatusCode::IM_A_TEAPOT),
            retry_after: None,
        };
        // What the escape hatch notes, outside any recorded request.
        NOTED.set(ambient);
        let span = tracing::Span::none();
        let (((), first), ((), second), ((), third)) = tokio::join!(
            record_answer(noting(503), &span),
            record_answer(noting(429), &span),
            record_answer(Box::pin(async {}), &span),
        );
        assert_eq!(first.status, Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(second.status, Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(third, Answer::NONE, "no answer arrived");
        assert_eq!(NOTED.get(), ambient, "what was there is put back");
    }

    #[tokio::test]
    async fn a_request_that_panics_puts_back_what_was_there() {
        NOTED.set(Answer::NONE);
        let span = tracing::Span::none();
        let panicking = record_answer(
            Box::pin(async {
                NOTED.set(Answer {
                    status: Some(StatusCode::BAD_GATEWAY),
                    retry_after: None,
                });
                panic!("a bug in a hook");
            }),
            &span,
        );
        let caught = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(panicking));
        assert!(caught.await.is_err());
        assert_eq!(NOTED.get(), Answer::NONE);
    }

    #[tokio::test]
    async fn a_body_that_fails_to_arrive_is_named_by_its_url() {
        let too_long = bounded(answer(200, "[1,2,3,4,5]", false), 4);
        let decoding: Result<ResponseValue<Vec<u8>>, progenitor_client::Error<()>> =
            decoded(too_long).await;
        let Err(progenitor_client::Error::ResponseBodyError(error)) = decoding else {
            panic!("{decoding:?}");
        };
        assert_eq!(
            error.url().map(reqwest::Url::as_str),
            Some("https://api.turso.tech/v1/things")
        );
        assert!(crate::error::is_too_large(&error), "{error:?}");
    }

    #[tokio::test]
    async fn a_bounded_answer_keeps_its_url() {
        for length in [false, true] {
            let bounded = bounded(answer(200, "0123456789", length), 4);
            assert_eq!(bounded.url().as_str(), "https://api.turso.tech/v1/things");
            let error = bounded.bytes().await.unwrap_err();
            assert_eq!(
                error.url().map(reqwest::Url::as_str),
                Some("https://api.turso.tech/v1/things"),
                "the body is over the limit ({length})"
            );
        }
    }

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
