//! `TokenSource` against the fake, with tokens that live a few seconds: every token handed
//! out is valid when handed out, many callers cause one mint, refreshes happen ahead and
//! in the background, outages are ridden out while a token is valid, rotation replaces
//! the token, and dropping the source stops what it runs.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::Captured;
use futures_util::future::join_all;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    Client, DatabaseToken, Error, Expiration, StatusCode, TokenAccess, TokenOptions, TokenSource,
};
use turso_platform_fake::{FakeTurso, Fault};

const MINT: &str = "createDatabaseToken";

async fn bounded<F: std::future::Future>(limit: Duration, test: F) -> F::Output {
    common::bounded(limit, test).await
}

/// A client of the fake that does not retry: each failed attempt of a source is one
/// request.
fn client(fake: &FakeTurso) -> Client {
    common::client_of(fake)
}

fn lasting(seconds: u64) -> TokenOptions {
    TokenOptions::new().expiration(Expiration::after(Duration::from_secs(seconds)).unwrap())
}

fn source(fake: &FakeTurso, options: TokenOptions) -> TokenSource {
    TokenSource::database(client(fake), "fake-org", "fake-db", options)
        .unwrap()
        .retry_backoff(Duration::from_millis(100), Duration::from_millis(400))
}

/// A source whose 3 s tokens are due for a refresh as soon as they arrive (less than 95%
/// of their lifetime is left once the second of margin is taken): they are handed out for
/// 2 s, and any call in between starts a refresh.
fn due_at_once(fake: &FakeTurso) -> TokenSource {
    source(fake, lasting(3)).refresh_when_remaining(0.95)
}

/// The first token of `tokens` (fresh, and due at once), with `fault` planned for the
/// `count` mints after it. Handing out that token starts a refresh at once, so the fault
/// must be in place before the first mint ends: it is planned while the fake holds the
/// first mint (for a second, as the test thread may be descheduled meanwhile).
async fn first_token_then(
    fake: &FakeTurso,
    tokens: &TokenSource,
    count: usize,
    fault: Fault,
) -> DatabaseToken {
    let before = fake.requests(MINT).unwrap();
    fake.fail_next(MINT, 1, Fault::Delay(Duration::from_secs(1)))
        .unwrap();
    let first = tokio::spawn({
        let tokens = tokens.clone();
        async move { tokens.token().await }
    });
    mints_reach(fake, before + 1).await;
    fake.fail_next(MINT, count, fault).unwrap();
    first.await.unwrap().unwrap()
}

/// Waits until the fake received `count` mints.
async fn mints_reach(fake: &FakeTurso, count: u64) {
    requests_reach(fake, MINT, count).await;
}

/// Waits until the fake received `count` requests of `operation`.
async fn requests_reach(fake: &FakeTurso, operation: &str, count: u64) {
    while fake.requests(operation).unwrap() < count {
        tokio::task::yield_now().await;
    }
}

/// How long the source said it waits before its next attempt; the error must be
/// `TokenUnavailable`, and its message must say it.
fn retry_in(error: &Error) -> Duration {
    let Error::TokenUnavailable { retry_in, .. } = error else {
        panic!("not TokenUnavailable: {error:?}");
    };
    let said = format!("tries again in {} ms", retry_in.as_millis());
    assert!(error.to_string().contains(&said), "{error}");
    assert_eq!(
        error.retry_after(),
        Some(*retry_in),
        "retry_after is the source's wait"
    );
    *retry_in
}

fn valid(fake: &FakeTurso, jwt: &str) -> bool {
    fake.database_token_is_valid("fake-org", "fake-db", jwt)
}

/// Over several lifetimes of a 3 s token, every token handed out is valid at that
/// moment, the token changes, each change is one mint, and no call waits for one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_token_handed_out_is_valid_and_it_changes_over_several_lifetimes() {
    bounded(Duration::from_secs(30), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(3));
        let first = tokens.token().await.unwrap();
        let mut seen = HashSet::from([first.jwt.expose_secret().to_owned()]);
        let mut slowest = Duration::ZERO;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(7) {
            let asked = Instant::now();
            let token = tokens.token().await.unwrap();
            slowest = slowest.max(asked.elapsed());
            let jwt = token.jwt.expose_secret();
            assert!(valid(&fake, jwt), "an invalid token was handed out");
            seen.insert(jwt.to_owned());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            seen.len() >= 4,
            "the token changed {} times",
            seen.len() - 1
        );
        let mints = fake.requests(MINT).unwrap();
        assert!(
            mints <= seen.len() as u64 + 1,
            "{mints} mints for {} tokens",
            seen.len()
        );
        assert!(
            slowest < Duration::from_millis(500),
            "a call waited {slowest:?}"
        );
    })
    .await;
}

/// 1,000 concurrent calls on a fresh source mint once and all get the same token; 1,000
/// calls on a due token start one refresh, and all get the current token at once while
/// it runs (here, it hangs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_cause_one_mint_and_one_refresh() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(3600));
        let first: Vec<_> = join_all((0..1000).map(|_| tokens.token())).await;
        assert_eq!(fake.requests(MINT).unwrap(), 1);
        let jwt = first[0].as_ref().unwrap().jwt.expose_secret().to_owned();
        assert!(
            first
                .iter()
                .all(|t| t.as_ref().unwrap().jwt.expose_secret() == jwt)
        );

        let fake = FakeTurso::start().await.unwrap();
        let tokens = due_at_once(&fake);
        let first = first_token_then(&fake, &tokens, usize::MAX, Fault::Hang).await;
        let jwt = first.jwt.expose_secret().to_owned();
        let calls = join_all(
            (0..1000).map(|_| tokio::time::timeout(Duration::from_secs(5), tokens.token())),
        )
        .await;
        for call in calls {
            let token = call.expect("a caller waited for the refresh").unwrap();
            assert_eq!(token.jwt.expose_secret(), jwt);
        }
        mints_reach(&fake, 2).await;
        for _ in 0..100 {
            tokens.token().await.unwrap();
        }
        assert_eq!(fake.requests(MINT).unwrap(), 2, "one refresh");
        fake.heal();
        let started = Instant::now();
        while tokens.token().await.unwrap().jwt.expose_secret() == jwt {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the refresh never landed"
            );
            tokio::task::yield_now().await;
        }
    })
    .await;
}

/// A rotation makes every earlier token invalid, and `token` returns the new one.
#[tokio::test]
async fn rotation_invalidates_the_previous_token() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(3600));
        let before = tokens.token().await.unwrap();
        let rotated = tokens.rotate().await.unwrap();
        assert!(!valid(&fake, before.jwt.expose_secret()));
        assert!(valid(&fake, rotated.jwt.expose_secret()));
        let after = tokens.clone().token().await.unwrap();
        assert_eq!(after.jwt.expose_secret(), rotated.jwt.expose_secret());
        assert_eq!(fake.requests("invalidateDatabaseTokens").unwrap(), 1);
    })
    .await;
}

/// Callers during a rotation wait for its token rather than get the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_during_a_rotation_wait_for_the_new_token() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(3600));
        let old = tokens.token().await.unwrap();
        fake.fail_next("invalidateDatabaseTokens", 1, Fault::Hang)
            .unwrap();
        let rotating = tokio::spawn({
            let tokens = tokens.clone();
            async move { tokens.rotate().await }
        });
        while fake.requests("invalidateDatabaseTokens").unwrap() == 0 {
            tokio::task::yield_now().await;
        }
        let waiting = tokio::spawn({
            let tokens = tokens.clone();
            async move { tokens.token().await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiting.is_finished(),
            "a caller got a token during the rotation"
        );
        fake.heal();
        let new = rotating.await.unwrap().unwrap();
        let got = waiting.await.unwrap().unwrap();
        assert_eq!(got.jwt.expose_secret(), new.jwt.expose_secret());
        assert_ne!(got.jwt.expose_secret(), old.jwt.expose_secret());
    })
    .await;
}

/// During an outage the current token is handed out until it expires, then the error
/// comes back (its status included, and when the next attempt is) to every caller;
/// attempts are spaced by the backoff, not made once per caller; once the API is back, a
/// token is minted again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_ridden_out_while_the_token_is_valid() {
    bounded(Duration::from_secs(30), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = due_at_once(&fake);
        let unavailable = Fault::Status(StatusCode::SERVICE_UNAVAILABLE);
        let token = first_token_then(&fake, &tokens, usize::MAX, unavailable).await;
        let jwt = token.jwt.expose_secret().to_owned();
        let minted = Instant::now();
        let (mut served, mut refused, mut calls) = (0, 0, 0);
        let mut last_error = None;
        while minted.elapsed() < Duration::from_secs(4) {
            calls += 1;
            match tokens.token().await {
                Ok(token) => {
                    assert_eq!(token.jwt.expose_secret(), jwt, "the same token throughout");
                    assert!(valid(&fake, &jwt), "an expired token was handed out");
                    assert_eq!(refused, 0, "a token after an error: it had expired");
                    served += 1;
                }
                Err(error) => {
                    assert!(minted.elapsed() >= Duration::from_millis(1500), "{error}");
                    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
                    // When the next attempt is: at most 400 ms and its jitter away.
                    let wait = retry_in(&error);
                    assert!(wait <= Duration::from_millis(500), "{wait:?}");
                    refused += 1;
                    last_error = Some(error);
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            served > 50 && refused > 50,
            "{served} served, {refused} refused"
        );
        let attempts = fake.requests(MINT).unwrap() - 1;
        // 4 s of backoff from 100 ms doubling to 400 ms, with jitter: about 12 at most.
        assert!(
            (3..=16).contains(&attempts),
            "{attempts} attempts for {calls} calls"
        );
        let last_error = last_error.unwrap();
        let cause = std::error::Error::source(&last_error).unwrap().to_string();
        assert!(
            cause.contains("503") && cause.contains("injected"),
            "{cause}"
        );

        fake.heal();
        let started = Instant::now();
        let recovered = loop {
            if let Ok(token) = tokens.token().await {
                break token;
            }
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "never recovered"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(valid(&fake, recovered.jwt.expose_secret()));
    })
    .await;
}

/// A failure that waiting will not mend (here 404) is not tried again in the
/// background: the next caller gets it, later ones the current token while it is valid,
/// and no request is made meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_failures_go_to_the_next_caller_and_are_not_retried() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = due_at_once(&fake);
        let not_found = Fault::Status(StatusCode::NOT_FOUND);
        // Handing out the first token starts the refresh, which fails for good: the next
        // caller gets the failure (those before it, the token).
        let token = first_token_then(&fake, &tokens, usize::MAX, not_found).await;
        let error = loop {
            match tokens.token().await {
                Ok(_) => tokio::task::yield_now().await,
                Err(error) => break error,
            }
        };
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
        for _ in 0..20 {
            let again = tokens.token().await.unwrap();
            assert_eq!(again.jwt.expose_secret(), token.jwt.expose_secret());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(fake.requests(MINT).unwrap(), 2, "no retry after a 404");
    })
    .await;
}

/// `TokenUnavailable` says when the next attempt is: the caller that made the attempt
/// gets the failure and the wait, in `retry_in` and in its message; callers before then
/// get it at once, without a request; a caller after that wait tries again, and once the
/// API is back, gets a token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_unavailable_says_when_the_next_attempt_is() {
    bounded(Duration::from_secs(10), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(60))
            .retry_backoff(Duration::from_millis(400), Duration::from_millis(400));
        fake.fail_next(
            MINT,
            usize::MAX,
            Fault::Status(StatusCode::SERVICE_UNAVAILABLE),
        )
        .unwrap();
        let error = tokens.token().await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        let wait = retry_in(&error);
        // 400 ms ±25%, less the moment between the failure and the error.
        assert!(
            (Duration::from_millis(250)..=Duration::from_millis(500)).contains(&wait),
            "{wait:?}"
        );
        assert_eq!(fake.requests(MINT).unwrap(), 1);

        let before = tokens.token().await.unwrap_err();
        assert!(retry_in(&before) <= wait, "{before}");
        assert_eq!(before.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(fake.requests(MINT).unwrap(), 1, "a request before the wait");

        tokio::time::sleep(wait).await;
        let after = tokens.token().await.unwrap_err();
        assert_eq!(fake.requests(MINT).unwrap(), 2, "no attempt after the wait");
        fake.heal();
        tokio::time::sleep(retry_in(&after)).await;
        let token = tokens.token().await.unwrap();
        assert!(valid(&fake, token.jwt.expose_secret()));
        assert_eq!(fake.requests(MINT).unwrap(), 3);
    })
    .await;
}

/// With the default backoff (1 s doubling to 30 s, ±25% jitter), the first failure of a
/// source is tried again 0.75 to 1.25 s later, the second 1.5 to 2.5 s later. (That it
/// stops doubling at 30 s is checked by a unit test in `src/token_source.rs` rather than
/// waited for.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_backoff_starts_at_about_a_second_and_doubles() {
    bounded(Duration::from_secs(10), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens =
            TokenSource::database(client(&fake), "fake-org", "fake-db", lasting(60)).unwrap();
        fake.fail_next(MINT, 2, Fault::Status(StatusCode::SERVICE_UNAVAILABLE))
            .unwrap();
        let first = retry_in(&tokens.token().await.unwrap_err());
        assert!(
            (Duration::from_millis(700)..=Duration::from_millis(1250)).contains(&first),
            "{first:?}"
        );
        tokio::time::sleep(first).await;
        let second = retry_in(&tokens.token().await.unwrap_err());
        assert_eq!(fake.requests(MINT).unwrap(), 2);
        assert!(
            (Duration::from_millis(1450)..=Duration::from_millis(2500)).contains(&second),
            "{second:?}"
        );
    })
    .await;
}

/// With the default share, a token is refreshed once less than a quarter of its lifetime
/// is left before the second of margin the source keeps (`exp - 1 s`): a call when 30% is
/// left starts nothing, one when 20% is left starts one refresh, and still gets the
/// current token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_a_refresh_starts_once_a_quarter_of_the_lifetime_is_left() {
    bounded(Duration::from_secs(10), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens =
            TokenSource::database(client(&fake), "fake-org", "fake-db", lasting(2)).unwrap();
        let asked = Instant::now();
        let token = tokens.token().await.unwrap();
        let received = Instant::now();
        let jwt = token.jwt.expose_secret().to_owned();
        // 2 or 3 s: `iat` is rounded down and `exp` up to the second.
        let lifetime = token.claims().unwrap().lifetime().unwrap();
        // When `left` of the lifetime is left before the margin, counted from the mint's
        // request (sent between `asked` and `received`).
        let left = |share: f64| lifetime.mul_f64(1.0 - share) - Duration::from_secs(1);
        let sleep_until = |at: Instant| tokio::time::sleep_until(at.into());

        sleep_until(asked + left(0.30)).await;
        let called = asked.elapsed();
        assert_eq!(tokens.token().await.unwrap().jwt.expose_secret(), jwt);
        let shown = format!("{tokens:?}");
        assert!(
            shown.contains("minting: false") && fake.requests(MINT).unwrap() == 1,
            "a refresh with 30% of {lifetime:?} left (called after {called:?}): {shown}"
        );

        sleep_until(received + left(0.20)).await;
        assert_eq!(tokens.token().await.unwrap().jwt.expose_secret(), jwt);
        mints_reach(&fake, 2).await;
        let refreshed = loop {
            let token = tokens.token().await.unwrap();
            if token.jwt.expose_secret() != jwt {
                break token;
            }
            tokio::task::yield_now().await;
        };
        assert!(valid(&fake, refreshed.jwt.expose_secret()));
        assert_eq!(fake.requests(MINT).unwrap(), 2);
    })
    .await;
}

/// A failure that waiting will not mend (401, 403, 404) goes to the next caller, is not
/// tried again in the background while the token is valid, and once it expired, is
/// tried only as callers ask: one attempt for the caller that comes after the wait, none
/// for the callers before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_that_waiting_will_not_mend_are_tried_only_when_a_caller_asks() {
    async fn check(status: StatusCode) {
        let fake = FakeTurso::start().await.unwrap();
        // With the default share, a 2 s token (3 s by its claims, which are rounded to the
        // second) is due for a refresh 1.25 s after it was minted and handed out for 2 s:
        // nothing is in flight when the fault is planned.
        let tokens = source(&fake, lasting(2)).refresh_when_remaining(0.25);
        let jwt = tokens.token().await.unwrap().jwt.expose_secret().to_owned();
        fake.fail_next(MINT, usize::MAX, Fault::Status(status))
            .unwrap();
        // The current token until the refresh, which a caller starts, fails; the next
        // caller gets the failure.
        let error = loop {
            match tokens.token().await {
                Ok(token) => {
                    assert_eq!(token.jwt.expose_secret(), jwt, "{status}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(error) => break error,
            }
        };
        let failed = Instant::now();
        assert_eq!(error.status(), Some(status), "{error}");
        assert_eq!(fake.requests(MINT).unwrap(), 2, "{status}");

        // Then the current token until it expires, without a request, well past the
        // backoff (100 ms ±25%).
        let mut served_for = Duration::ZERO;
        let expired = loop {
            match tokens.token().await {
                Ok(token) => {
                    assert_eq!(token.jwt.expose_secret(), jwt, "{status}");
                    assert_eq!(fake.requests(MINT).unwrap(), 2, "{status}: a retry");
                    served_for = failed.elapsed();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(error) => break error,
            }
        };
        assert!(
            served_for > Duration::from_millis(300),
            "{status}: served {served_for:?}"
        );
        // The caller after expiry made one attempt, and got its failure.
        assert_eq!(expired.status(), Some(status), "{expired}");
        assert_eq!(fake.requests(MINT).unwrap(), 3, "{status}");
        // The next one gets it at once, with the wait; after the wait, one attempt.
        let wait = retry_in(&tokens.token().await.unwrap_err());
        assert_eq!(fake.requests(MINT).unwrap(), 3, "{status}");
        tokio::time::sleep(wait).await;
        let again = tokens.token().await.unwrap_err();
        assert_eq!(again.status(), Some(status), "{again}");
        assert_eq!(fake.requests(MINT).unwrap(), 4, "{status}");
    }

    bounded(Duration::from_secs(15), async {
        join_all(
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
            ]
            .map(check),
        )
        .await;
    })
    .await;
}

/// A token the API mints already expired (`exp == iat`) is an `InvalidArgument`, which
/// waiting will not mend either: the next caller gets it, and no request is made in the
/// background while the current token is valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_argument_is_not_tried_again_in_the_background() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use common::{Action, ScriptedServer};

    bounded(Duration::from_secs(10), async {
        let server = ScriptedServer::start(|index, _| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let lifetime = if index == 0 { 3 } else { 0 };
            let claims = format!(r#"{{"a":"rw","iat":{now},"exp":{}}}"#, now + lifetime);
            let jwt = format!(
                "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
                URL_SAFE_NO_PAD.encode(claims)
            );
            Action::json(200, &format!(r#"{{"jwt":"{jwt}"}}"#))
        })
        .await;
        let tokens = TokenSource::database(common::client(&server, 0), "o", "d", lasting(3))
            .unwrap()
            .refresh_when_remaining(0.95)
            .retry_backoff(Duration::from_millis(100), Duration::from_millis(400));
        // Due at once: the call that gets the first token starts a refresh.
        let jwt = tokens.token().await.unwrap().jwt.expose_secret().to_owned();
        let error = loop {
            match tokens.token().await {
                Ok(token) => {
                    assert_eq!(token.jwt.expose_secret(), jwt);
                    tokio::task::yield_now().await;
                }
                Err(error) => break error,
            }
        };
        let Error::TokenUnavailable { last_failure, .. } = &error else {
            panic!("{error:?}");
        };
        assert!(
            matches!(**last_failure, Error::InvalidArgument(_)),
            "{last_failure:?}"
        );
        // Past the backoff (100 ms ±25%).
        let failed = Instant::now();
        while failed.elapsed() < Duration::from_millis(300) {
            assert_eq!(tokens.token().await.unwrap().jwt.expose_secret(), jwt);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(server.received_count(), 2, "a retry in the background");
    })
    .await;
}

/// A group source mints group tokens, which open every database of the group and no
/// other, refreshes them, and its rotation invalidates them all (through the group's
/// rotation, not a database's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_source_mints_refreshes_and_rotates_group_tokens() {
    bounded(Duration::from_secs(10), async {
        let fake = FakeTurso::start().await.unwrap();
        fake.add_database("fake-org", "default", "second-db")
            .unwrap();
        fake.add_group("fake-org", "other").unwrap();
        fake.add_database("fake-org", "other", "elsewhere").unwrap();
        let opens_the_group = |jwt: &str| {
            fake.database_token_is_valid("fake-org", "fake-db", jwt)
                && fake.database_token_is_valid("fake-org", "second-db", jwt)
        };
        let opens_any = |jwt: &str| {
            ["fake-db", "second-db", "elsewhere"]
                .iter()
                .any(|db| fake.database_token_is_valid("fake-org", db, jwt))
        };
        let tokens = TokenSource::group(client(&fake), "fake-org", "default", lasting(3))
            .unwrap()
            .refresh_when_remaining(0.95)
            .retry_backoff(Duration::from_millis(100), Duration::from_millis(400));

        let token = tokens.token().await.unwrap();
        let claims = token.claims().unwrap();
        assert!(claims.group_id.is_some() && claims.database_id.is_none());
        let first = token.jwt.expose_secret().to_owned();
        assert!(opens_the_group(&first));
        assert!(!fake.database_token_is_valid("fake-org", "elsewhere", &first));
        assert_eq!(
            fake.requests(MINT).unwrap(),
            0,
            "a database token was minted"
        );

        // Due at once: the call that got it started a refresh.
        requests_reach(&fake, "createGroupToken", 2).await;
        let refreshed = loop {
            let token = tokens.token().await.unwrap();
            if token.jwt.expose_secret() != first {
                break token.jwt.expose_secret().to_owned();
            }
            tokio::task::yield_now().await;
        };
        assert!(opens_the_group(&refreshed));

        let rotated = tokens.rotate().await.unwrap();
        let rotated = rotated.jwt.expose_secret();
        for old in [&first, &refreshed] {
            assert!(!opens_any(old), "a group token survived the rotation");
        }
        assert!(opens_the_group(rotated));
        assert_eq!(tokens.token().await.unwrap().jwt.expose_secret(), rotated);
        assert_eq!(fake.requests("invalidateGroupTokens").unwrap(), 1);
        assert_eq!(fake.requests("invalidateDatabaseTokens").unwrap(), 0);
    })
    .await;
}

/// A token that never expires is minted once and reused until `rotate`.
#[tokio::test]
async fn a_token_that_never_expires_is_minted_once() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, TokenOptions::new());
        for _ in 0..100 {
            tokens.token().await.unwrap();
        }
        assert_eq!(fake.requests(MINT).unwrap(), 1);
        tokens.rotate().await.unwrap();
        tokens.token().await.unwrap();
        assert_eq!(fake.requests(MINT).unwrap(), 2);
    })
    .await;
}

/// Dropping every clone stops the mint in flight: the task that runs it ends, while it
/// would go on hanging if a clone were kept.
#[tokio::test]
async fn dropping_every_clone_stops_the_mint_in_flight() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let alive = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        let settle = || async {
            for _ in 0..50 {
                tokio::task::yield_now().await;
            }
        };
        let tokens = due_at_once(&fake);
        first_token_then(&fake, &tokens, usize::MAX, Fault::Hang).await;
        tokens.token().await.unwrap(); // starts a refresh, which hangs
        mints_reach(&fake, 2).await;
        settle().await;
        let hanging = alive();
        let kept = tokens.clone();
        drop(tokens);
        settle().await;
        assert_eq!(alive(), hanging, "a clone is kept: the mint goes on");
        drop(kept);
        settle().await;
        assert!(alive() < hanging, "the mint in flight was not stopped");
    })
    .await;
}

/// Names and options are checked when the source is made.
#[test]
fn names_and_options_are_checked_at_once() {
    let client = Client::new("token").unwrap();
    for (org, db, options) in [
        ("", "db", TokenOptions::new()),
        ("org", "..", TokenOptions::new()),
        ("org", "db", TokenOptions::new().read_attach([" "])),
        ("org", "db", lasting(1)),
    ] {
        let error = TokenSource::database(client.clone(), org, db, options).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument(_)), "{error}");
    }
    assert!(TokenSource::group(client, "org", "a/b", TokenOptions::new()).is_err());
}

/// `Debug` shows no token, and neither do the logs of refreshes and failures; the
/// claims of what was handed out say what it is.
#[test]
fn no_token_is_shown_or_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _default = tracing::subscriber::set_default(subscriber);
    runtime.block_on(bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = due_at_once(&fake);
        let bad_gateway = Fault::Status(StatusCode::BAD_GATEWAY);
        let token = first_token_then(&fake, &tokens, 1, bad_gateway).await;
        tokens.token().await.unwrap();
        mints_reach(&fake, 2).await;
        tokens.rotate().await.unwrap();
        let shown = format!("{tokens:?}");
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("rotated the tokens"), "{logs}");
        let jwt = token.jwt.expose_secret();
        let signature = jwt.rsplit('.').next().unwrap();
        for text in [&shown, &logs] {
            assert!(!text.contains(signature), "a token leaked: {text}");
        }
        let claims = token.claims().unwrap();
        assert_eq!(claims.access, TokenAccess::FullAccess);
        assert!(claims.database_id.is_some() && claims.group_id.is_none());
        let lifetime = claims.lifetime().unwrap().as_secs();
        assert!((3..=4).contains(&lifetime), "{lifetime}");
    }));
}

/// What applications need to share a source: `Clone`, `Send`, `Sync`, `'static`.
#[test]
fn a_source_can_be_shared() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    shared::<TokenSource>();
}

/// The lifetime is read from the token (`exp - iat`) and counted in this machine's
/// monotonic time: a server whose clock is an hour behind this one mints tokens whose
/// `exp` is already past here, and they are handed out all the same, for their lifetime.
#[tokio::test]
async fn a_server_clock_an_hour_off_does_not_matter() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use common::{Action, ScriptedServer};

    bounded(Duration::from_secs(20), async {
        let server_now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 3600;
        let claims = format!(
            r#"{{"a":"rw","iat":{server_now},"exp":{}}}"#,
            server_now + 60
        );
        let jwt = format!(
            "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        );
        let answer = format!(r#"{{"jwt":"{jwt}"}}"#);
        let server = ScriptedServer::start(move |_, _| Action::json(200, &answer)).await;
        let tokens =
            TokenSource::database(common::client(&server, 0), "o", "d", lasting(60)).unwrap();
        for _ in 0..10 {
            assert_eq!(tokens.token().await.unwrap().jwt.expose_secret(), jwt);
        }
        assert_eq!(
            server.received_count(),
            1,
            "one mint: the token is fresh here"
        );
    })
    .await;
}

/// A JWT with these claims (unsigned: a scripted server's).
fn jwt_with(claims: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
        URL_SAFE_NO_PAD.encode(claims)
    )
}

/// A scripted server that mints, numbered, tokens with the claims `claims(n)` gives for
/// the `n`th request, and answers every other request (invalidations) with `other`.
async fn minting(
    claims: impl Fn(usize) -> String + Send + Sync + 'static,
    other: common::Action,
) -> common::ScriptedServer {
    common::ScriptedServer::start(move |n, request| {
        if request.target.ends_with("/auth/tokens") || request.target.contains("/auth/tokens?") {
            common::Action::json(200, &format!(r#"{{"jwt":"{}"}}"#, jwt_with(&claims(n))))
        } else {
            other.clone()
        }
    })
    .await
}

/// How many mints a scripted server received.
fn mints_of(server: &common::ScriptedServer) -> usize {
    server
        .received()
        .iter()
        .filter(|r| r.target.contains("/auth/tokens"))
        .count()
}

/// Waits until a scripted server received `count` mints.
async fn server_mints_reach(server: &common::ScriptedServer, count: usize) {
    while mints_of(server) < count {
        tokio::task::yield_now().await;
    }
}

/// A rotation whose invalidation may have taken effect although the call failed (a
/// gateway's 504 after the API carried it out) leaves no dead token behind: the next
/// caller gets a new one, not the one just invalidated, even for tokens that never
/// expire.
#[tokio::test]
async fn a_rotation_that_fails_after_the_invalidation_hands_out_no_dead_token() {
    bounded(Duration::from_secs(20), async {
        let server = minting(
            |n| format!(r#"{{"a":"rw","iat":1,"n":{n}}}"#),
            common::Action::json(504, r#"{"error":"gateway timeout"}"#),
        )
        .await;
        let tokens =
            TokenSource::database(common::client(&server, 0), "o", "d", TokenOptions::new())
                .unwrap();
        let before = tokens.token().await.unwrap();
        let error = tokens.rotate().await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
        assert!(error.may_have_taken_effect());
        let after = tokens.token().await.unwrap();
        assert_ne!(
            after.jwt.expose_secret(),
            before.jwt.expose_secret(),
            "the token the API may have invalidated is still handed out"
        );
        assert_eq!(mints_of(&server), 2);
    })
    .await;
}

/// A rotation cancelled while its invalidation is in flight (a caller's timeout) leaves
/// no dead token either; one refused before it could take effect leaves the current token
/// in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_rotation_hands_out_no_dead_token_and_a_refused_one_changes_nothing() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        let tokens = source(&fake, lasting(3600));
        let before = tokens.token().await.unwrap();
        fake.fail_next("invalidateDatabaseTokens", 1, Fault::Hang)
            .unwrap();
        let rotating = tokio::spawn({
            let tokens = tokens.clone();
            async move { tokens.rotate().await }
        });
        requests_reach(&fake, "invalidateDatabaseTokens", 1).await;
        rotating.abort();
        assert!(rotating.await.unwrap_err().is_cancelled());
        let after = tokens.token().await.unwrap();
        assert_ne!(after.jwt.expose_secret(), before.jwt.expose_secret());
        assert!(valid(&fake, after.jwt.expose_secret()));
        assert_eq!(fake.requests(MINT).unwrap(), 2);

        fake.fail_next(
            "invalidateDatabaseTokens",
            1,
            Fault::Status(StatusCode::FORBIDDEN),
        )
        .unwrap();
        let refused = tokens.rotate().await.unwrap_err();
        assert!(!refused.may_have_taken_effect(), "{refused}");
        let kept = tokens.token().await.unwrap();
        assert_eq!(kept.jwt.expose_secret(), after.jwt.expose_secret());
        assert_eq!(fake.requests(MINT).unwrap(), 2, "no mint after a refusal");
    })
    .await;
}

/// Whatever a server writes in a token's times (the largest integers, a float past any
/// clock, an expiry before the issue, one in 1969), no caller waits forever and nothing
/// panics: `token` and `rotate` answer, each in bounded time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_token_times_neither_panic_nor_hang() {
    bounded(Duration::from_secs(20), async {
        for claims in [
            r#"{"iat":0,"exp":9223372036854775807}"#,
            r#"{"iat":0,"exp":18446744073709551615}"#,
            r#"{"iat":-9223372036854775808,"exp":9223372036854775807}"#,
            r#"{"iat":1,"exp":1e300}"#,
            r#"{"iat":2000000000,"exp":1000000000}"#,
            r#"{"iat":1,"exp":-5}"#,
        ] {
            let server = minting(move |_| claims.to_owned(), common::Action::json(200, "")).await;
            let tokens =
                TokenSource::database(common::client(&server, 0), "o", "d", lasting(60)).unwrap();
            for _ in 0..3 {
                let _ = tokens.token().await;
            }
            let _ = tokens.rotate().await;
            let _ = tokens.token().await;
        }
    })
    .await;
}

/// Claims that RFC 7519 allows (a fractional `exp`) or that cannot be read at all are
/// never taken as "never expires" when a lifetime was asked for: a source asked for 3 s
/// tokens refreshes them as such. Only a source asked for tokens that never expire reuses
/// a token without a readable expiry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_whose_expiry_cannot_be_read_lives_what_was_asked() {
    bounded(Duration::from_secs(20), async {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        for claims in [
            format!(r#"{{"iat":{now},"exp":{}}}"#, now + 3.0),
            format!(
                r#"{{"iat":{now},"exp":{},"p":{{"roa":{{"ns":null}}}}}}"#,
                now + 3.0
            ),
            r#"{"exp":"soon"}"#.to_owned(),
            r#"{"a":"rw"}"#.to_owned(),
            "not json".to_owned(),
        ] {
            let server = minting(move |_| claims.clone(), common::Action::json(200, "")).await;
            let tokens = TokenSource::database(common::client(&server, 0), "o", "d", lasting(3))
                .unwrap()
                .refresh_when_remaining(0.95);
            tokens.token().await.unwrap();
            // Due for a refresh at once, as a 3 s token: the next call starts one.
            tokens.token().await.unwrap();
            server_mints_reach(&server, 2).await;
        }
        let server = minting(
            |_| r#"{"a":"rw"}"#.to_owned(),
            common::Action::json(200, ""),
        )
        .await;
        let never =
            TokenSource::database(common::client(&server, 0), "o", "d", TokenOptions::new())
                .unwrap();
        for _ in 0..5 {
            never.token().await.unwrap();
        }
        assert_eq!(mints_of(&server), 1, "asked never to expire: minted once");
    })
    .await;
}

/// No backoff setting can make a source panic or hang: the longest ones are kept to a
/// day, and a failed mint then answers `TokenUnavailable` at once.
#[tokio::test]
async fn no_backoff_setting_panics_or_hangs() {
    bounded(Duration::from_secs(20), async {
        let fake = FakeTurso::start().await.unwrap();
        for (first, max) in [
            (Duration::MAX, Duration::MAX),
            (Duration::ZERO, Duration::MAX),
            (Duration::MAX, Duration::ZERO),
        ] {
            let tokens = TokenSource::database(client(&fake), "fake-org", "fake-db", lasting(60))
                .unwrap()
                .retry_backoff(first, max)
                .refresh_when_remaining(f64::NAN);
            fake.fail_next(MINT, 1, Fault::Status(StatusCode::SERVICE_UNAVAILABLE))
                .unwrap();
            let error = tokens.token().await.unwrap_err();
            let wait = retry_in(&tokens.token().await.unwrap_err());
            assert!(wait <= Duration::from_secs(86_400) * 5 / 4, "{wait:?}");
            assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        }
        // The client's own settings, at their extremes, work too.
        let client = Client::builder()
            .token(fake.token())
            .base_url(fake.base_url())
            .timeout(Duration::MAX)
            .connect_timeout(Duration::MAX)
            .max_retries(u32::MAX)
            .max_response_size(usize::MAX)
            .build()
            .unwrap();
        assert_eq!(client.current_user().await.unwrap().username, "fake-user");
    })
    .await;
}
