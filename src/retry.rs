//! When a failed request is sent again, and how long the client waits before it does.
//!
//! | operations | retried on |
//! |---|---|
//! | GET operations, database and group token mints (nothing is stored), invalidations (idempotent) | connect failures, timeouts before an answer, 408, 429, 502, 503, 504 |
//! | everything else: `createAPIToken`, `revokeAPIToken`, `revokeOrganizationAPIToken` | only when the request cannot have been processed: connect failures and 429 |
//!
//! A mint of an API token that may have reached the server is never sent twice: a second
//! mint would answer 409 for a token whose secret is lost.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Request, Response, StatusCode};

/// Operations (by the names progenitor gives them) that may be sent again whenever a
/// transient failure leaves their outcome unknown: they store nothing, or doing them
/// twice is the same as once. GET operations are always in this class.
const REPEATABLE: &[&str] = &[
    "create_database_token",
    "create_group_token",
    "invalidate_database_tokens",
    "invalidate_group_tokens",
];

/// The longest `Retry-After` the client honours.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);

/// How many times, and after how long, a failed request is sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retries.
    pub(crate) max_retries: u32,
    /// The wait before the first retry (before jitter); it doubles for each retry.
    pub(crate) base_delay: Duration,
    /// The longest wait between two attempts (before jitter).
    pub(crate) max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(4),
        }
    }
}

/// Whether a request may be sent again when its outcome is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Sending it twice is harmless.
    Repeatable,
    /// Sent again only when it cannot have been processed.
    Once,
}

impl Class {
    fn of(operation: &str, method: &Method) -> Self {
        if *method == Method::GET || REPEATABLE.contains(&operation) {
            Class::Repeatable
        } else {
            Class::Once
        }
    }
}

impl RetryPolicy {
    /// Sends `request`, and sends it again while the failure is transient and the
    /// operation's class allows it, at most `max_retries` times.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let class = Class::of(operation, request.method());
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let spare = (attempt <= self.max_retries)
                .then(|| request.try_clone())
                .flatten();
            let started = Instant::now();
            let result = client.execute(request).await;
            log_attempt(attempt, &result, started);
            let (Some(next), Some(wait)) = (spare, self.wait_before_retry(class, &result, attempt))
            else {
                return result;
            };
            tracing::info!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "transient failure, sending the request again"
            );
            drop(result);
            tokio::time::sleep(wait).await;
            request = next;
        }
    }

    /// How long to wait before sending again, or `None` if the result must stand.
    fn wait_before_retry(
        &self,
        class: Class,
        result: &reqwest::Result<Response>,
        attempt: u32,
    ) -> Option<Duration> {
        let retry = match result {
            // Nothing reached the server.
            Err(e) if e.is_connect() => true,
            // No answer arrived: the request may have been processed.
            Err(e) => e.is_timeout() && class == Class::Repeatable,
            Ok(response) => match response.status() {
                StatusCode::TOO_MANY_REQUESTS => true,
                StatusCode::REQUEST_TIMEOUT
                | StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT => class == Class::Repeatable,
                _ => false,
            },
        };
        if !retry {
            return None;
        }
        let asked = result.as_ref().ok().and_then(retry_after);
        Some(asked.unwrap_or_else(|| self.backoff(attempt)))
    }

    /// Exponential backoff with jitter: `base_delay * 2^(attempt-1)`, capped at
    /// `max_delay`, then scaled by a random factor in [0.75, 1.25).
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        exponential.mul_f64(0.75 + 0.5 * random_unit())
    }
}

/// The wait a `Retry-After: <seconds>` header asks for, capped at [`RETRY_AFTER_CAP`].
/// The HTTP-date form is ignored: the client's own backoff applies then.
fn retry_after(response: &Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(RETRY_AFTER_CAP))
}

/// A random number in [0, 1), from the standard library's per-process random keys:
/// jitter needs no cryptographic quality and no extra dependency.
fn random_unit() -> f64 {
    let bits = RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// One event per attempt, inside the operation's span (which names the operation).
fn log_attempt(attempt: u32, result: &reqwest::Result<Response>, started: Instant) {
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(response) => tracing::debug!(
            attempt,
            status = response.status().as_u16(),
            elapsed_ms,
            "answer received"
        ),
        Err(e) => tracing::debug!(
            attempt,
            elapsed_ms,
            timeout = e.is_timeout(),
            connect = e.is_connect(),
            "request failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_table() {
        for op in ["list_api_tokens", "validate_api_token", "get_current_user"] {
            assert_eq!(Class::of(op, &Method::GET), Class::Repeatable, "{op}");
        }
        for op in REPEATABLE {
            assert_eq!(Class::of(op, &Method::POST), Class::Repeatable, "{op}");
        }
        assert_eq!(Class::of("create_api_token", &Method::POST), Class::Once);
        assert_eq!(Class::of("revoke_api_token", &Method::DELETE), Class::Once);
        assert_eq!(
            Class::of("revoke_organization_api_token", &Method::DELETE),
            Class::Once
        );
        assert_eq!(Class::of("some_new_operation", &Method::POST), Class::Once);
    }

    #[test]
    fn every_repeatable_operation_exists() {
        let generated = include_str!(concat!(env!("OUT_DIR"), "/turso_platform_generated.rs"));
        for op in REPEATABLE {
            assert!(
                generated.contains(&format!("operation_id: \"{op}\"")),
                "{op}"
            );
        }
    }

    #[test]
    fn backoff_doubles_from_about_200ms_up_to_the_cap() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(150) && first < Duration::from_millis(250));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(600) && third < Duration::from_millis(1000));
            let late = policy.backoff(40);
            assert!(late >= Duration::from_secs(3) && late < Duration::from_secs(5));
        }
    }

    #[test]
    fn jitter_varies() {
        let waits: std::collections::HashSet<_> =
            (0..20).map(|_| RetryPolicy::default().backoff(1)).collect();
        assert!(waits.len() > 1);
    }
}
