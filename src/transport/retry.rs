//! When a failed request is sent again, and how long the client waits before it does.
//!
//! Each operation's class is written once, in `openapi.yaml`, as the extension
//! `x-turso-retry` of the operation (the spec's description says what each class is for),
//! and reaches [`Retry`] through the table the build script (`build/operations.rs`) generates.
//!
//! | `x-turso-retry` | retried on |
//! |---|---|
//! | `repeatable`: reads, database and group token mints (nothing is stored), invalidations and other idempotent changes, updates that set absolute values | connect failures, a connection lost before the whole answer arrived (a dropped keep-alive connection, say), timeouts, 408, 429, 502, 503, 504 |
//! | `once`: what a second request would break | only when the request cannot have been processed: connect failures and 429 |
//!
//! What is sent once is what a second request would break: a second mint of an API token
//! answers 409 for a token whose secret is lost; a second create is refused for a name
//! that exists, by a database the caller cannot tell it created; a second delete,
//! transfer, location change, member addition or removal is refused for what is already
//! gone or there; a second invite sends a second email. When the outcome is unknown, the
//! error says so: `ApiTokenMayExist` for an API token, `MayExist` for a database, group,
//! member or invite (read it with `get_database`, `get_group`,
//! `get_organization_member` or `list_organization_invites_v2` before trying again), and [`Error::may_have_taken_effect`](crate::Error::may_have_taken_effect)
//! for the others. An answer whose body is larger
//! than the client reads is never retried: the next one would be too.
//!
//! The wait is the answer's `Retry-After` (seconds or an HTTP date) when it has one, and
//! exponential backoff with jitter otherwise. An answer that asks for more than 30 s is
//! not waited for: the call fails at once and [`Error::retry_after`](crate::Error::retry_after)
//! says how long the server asked to wait.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::error::is_too_large;
use crate::transport::answer::Answer;

/// The longest `Retry-After` the client honours.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);

/// Whether an operation may be sent again when its outcome is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Sending it twice is harmless: it reads, stores nothing, or is idempotent.
    Repeatable,
    /// Sent again only when it cannot have been processed.
    Once,
}

/// How many times, and after how long, a failed request is sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retries.
    pub(crate) max_retries: u32,
    /// The waits between attempts.
    pub(crate) backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            backoff: Backoff {
                first: Duration::from_millis(200),
                max: Duration::from_secs(4),
            },
        }
    }
}

/// Exponential backoff with jitter: the wait after the `n`th failure in a row is
/// `first * 2^(n-1)`, capped at `max`, then scaled by a random factor in [0.75, 1.25).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The wait after the first failure (before jitter).
    pub(crate) first: Duration,
    /// The longest wait (before jitter).
    pub(crate) max: Duration,
}

impl Backoff {
    /// The wait after the `failures`th failure in a row (counted from 1). Whatever the
    /// durations, it never panics: the products saturate.
    pub(crate) fn wait(&self, failures: u32) -> Duration {
        let exponential = self
            .first
            .saturating_mul(1 << failures.saturating_sub(1).min(16))
            .min(self.max);
        let factor = 0.75 + 0.5 * random_unit();
        // `mul_f64` panics past `Duration::MAX`; a wait that long is as good as the cap.
        Duration::try_from_secs_f64(exponential.as_secs_f64() * factor).unwrap_or(exponential)
    }
}

impl RetryPolicy {
    /// How long to wait before sending attempt `attempt + 1`, or `None` if the outcome of
    /// attempt `attempt` (counted from 1) must stand.
    pub(crate) fn wait_before_retry<T, E>(
        &self,
        retry: Retry,
        outcome: &Result<T, progenitor_client::Error<E>>,
        answer: Answer,
        attempt: u32,
    ) -> Option<Duration> {
        use progenitor_client::Error as E;
        if attempt > self.max_retries {
            return None;
        }
        let repeatable = retry == Retry::Repeatable;
        let transient = match outcome {
            Ok(_) => false,
            // Nothing reached the server.
            Err(E::CommunicationError(e)) if e.is_connect() => true,
            // Not a network failure: sending it again would fail the same way.
            Err(E::CommunicationError(e)) if e.is_builder() => false,
            // No whole answer arrived (a timeout, a connection closed or reset after the
            // request was written): the request may have been processed.
            Err(E::CommunicationError(_)) => repeatable,
            Err(E::ResponseBodyError(e)) if is_too_large(e) => false,
            Err(E::ResponseBodyError(_)) => repeatable,
            // An answer arrived; its status says whether it was processed.
            Err(_) => match answer.status {
                Some(StatusCode::TOO_MANY_REQUESTS) => true,
                Some(
                    StatusCode::REQUEST_TIMEOUT
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT,
                ) => retry == Retry::Repeatable,
                _ => false,
            },
        };
        if !transient {
            return None;
        }
        match answer.retry_after {
            // Waiting the cap and asking again would only be refused again.
            Some(asked) if asked > RETRY_AFTER_CAP => None,
            Some(asked) => Some(asked),
            None => Some(self.backoff.wait(attempt)),
        }
    }
}

/// A random number in [0, 1), from the standard library's per-process random keys:
/// jitter needs no cryptographic quality and no extra dependency.
fn random_unit() -> f64 {
    let bits = RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    type Outcome = Result<(), progenitor_client::Error<()>>;

    fn answered(status: u16, retry_after: Option<u64>) -> (Outcome, Answer) {
        let status = StatusCode::from_u16(status).unwrap();
        let answer = Answer {
            status: Some(status),
            retry_after: retry_after.map(Duration::from_secs),
        };
        (Err(progenitor_client::Error::Custom(String::new())), answer)
    }

    #[test]
    fn statuses_follow_the_table() {
        let policy = RetryPolicy::default();
        for status in [408, 429, 502, 503, 504] {
            let (outcome, answer) = answered(status, None);
            assert!(
                policy
                    .wait_before_retry(Retry::Repeatable, &outcome, answer, 1)
                    .is_some()
            );
            let once = policy.wait_before_retry(Retry::Once, &outcome, answer, 1);
            assert_eq!(once.is_some(), status == 429, "{status}");
        }
        for status in [200, 400, 401, 404, 409, 500, 501] {
            let (outcome, answer) = answered(status, None);
            assert_eq!(
                policy.wait_before_retry(Retry::Repeatable, &outcome, answer, 1),
                None
            );
        }
        let ok: Outcome = Ok(());
        assert_eq!(
            policy.wait_before_retry(Retry::Repeatable, &ok, Answer::default(), 1),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_thirty_seconds_and_longer_waits_are_not_made() {
        let policy = RetryPolicy::default();
        let (outcome, answer) = answered(429, Some(0));
        assert_eq!(
            policy.wait_before_retry(Retry::Once, &outcome, answer, 1),
            Some(Duration::ZERO)
        );
        let (outcome, answer) = answered(503, Some(7));
        let wait = policy.wait_before_retry(Retry::Repeatable, &outcome, answer, 2);
        assert_eq!(wait, Some(Duration::from_secs(7)));
        let (outcome, answer) = answered(503, Some(30));
        let wait = policy.wait_before_retry(Retry::Repeatable, &outcome, answer, 1);
        assert_eq!(wait, Some(RETRY_AFTER_CAP));
        let (outcome, answer) = answered(429, Some(31));
        let wait = policy.wait_before_retry(Retry::Repeatable, &outcome, answer, 1);
        assert_eq!(
            wait, None,
            "more than the cap: the error is returned at once"
        );
    }

    #[test]
    fn attempts_stop_after_max_retries() {
        let policy = RetryPolicy {
            max_retries: 2,
            ..RetryPolicy::default()
        };
        let (outcome, answer) = answered(503, Some(0));
        assert!(
            policy
                .wait_before_retry(Retry::Repeatable, &outcome, answer, 2)
                .is_some()
        );
        assert_eq!(
            policy.wait_before_retry(Retry::Repeatable, &outcome, answer, 3),
            None
        );
        let never = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(
            never.wait_before_retry(Retry::Repeatable, &outcome, answer, 1),
            None
        );
    }

    #[test]
    fn backoff_doubles_from_about_200ms_up_to_the_cap() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let first = policy.backoff.wait(1);
            assert!(first >= Duration::from_millis(150) && first < Duration::from_millis(250));
            let third = policy.backoff.wait(3);
            assert!(third >= Duration::from_millis(600) && third < Duration::from_millis(1000));
            let late = policy.backoff.wait(40);
            assert!(late >= Duration::from_secs(3) && late < Duration::from_secs(5));
        }
    }

    #[test]
    fn jitter_varies() {
        let waits: std::collections::HashSet<_> = (0..20)
            .map(|_| RetryPolicy::default().backoff.wait(1))
            .collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn no_backoff_setting_panics() {
        for (first, max) in [
            (Duration::MAX, Duration::MAX),
            (Duration::ZERO, Duration::MAX),
            (Duration::from_secs(u64::MAX / 2), Duration::MAX),
        ] {
            let backoff = Backoff { first, max };
            for failures in [0, 1, 2, 17, u32::MAX] {
                assert!(backoff.wait(failures) <= max);
            }
        }
    }
}
