//! The failures production code must survive, staged: an answer with `Retry-After`, a
//! slow answer, a lost answer, a hang whose request is carried out once whatever the
//! client does, and new databases that are not ready at once.

use std::time::{Duration, Instant};

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Client, Error, NewDatabase, StatusCode, TokenOptions};
use turso_platform_fake::{DatabaseAction, FakeTurso, Fault};

use crate::common::{admin, bounded, start};

const LIMIT: Duration = Duration::from_secs(20);

/// A client for the fake that gives up on a request after `timeout`, and never retries.
fn impatient(fake: &FakeTurso, timeout: Duration) -> Client {
    Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap()
}

/// Waits until `condition` holds, checking every few milliseconds (the caller bounds the
/// time).
async fn until<F: std::future::Future<Output = bool>>(mut condition: impl FnMut() -> F) {
    while !condition().await {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// How many `db-create` entries of `name` the audit log of `fake-org` has.
fn creations(fake: &FakeTurso, name: &str) -> usize {
    fake.audit_log("fake-org")
        .unwrap()
        .iter()
        .filter(|entry| {
            entry.code.as_deref() == Some("db-create")
                && entry.data.get("name").and_then(|v| v.as_str()) == Some(name)
        })
        .count()
}

#[tokio::test]
async fn retry_after_answers_the_status_with_the_header_and_carries_nothing_out() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.fail_next(
            "createDatabase",
            1,
            Fault::RetryAfter(StatusCode::TOO_MANY_REQUESTS, Duration::from_millis(1500)),
        )
        .unwrap();
        let err = admin(&fake)
            .create_database("fake-org", &NewDatabase::new("throttled", "default"))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS), "{err:?}");
        // Whole seconds, rounded up.
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)), "{err:?}");
        assert_eq!(creations(&fake, "throttled"), 0);

        // The client's retries follow it: the next attempt goes through.
        fake.fail_next(
            "getCurrentUser",
            1,
            Fault::RetryAfter(StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO),
        )
        .unwrap();
        let retrying = Client::builder()
            .token(fake.token())
            .base_url(fake.base_url())
            .max_retries(1)
            .build()
            .unwrap();
        assert_eq!(retrying.current_user().await.unwrap().username, "fake-user");
        assert_eq!(fake.requests("getCurrentUser").unwrap(), 2);
    })
    .await
}

#[tokio::test]
async fn a_delay_holds_the_request_then_carries_it_out_even_for_a_client_that_gave_up() {
    bounded(LIMIT, async {
        let fake = start().await;
        let delay = Duration::from_millis(400);
        fake.fail_next("createDatabase", 1, Fault::Delay(delay))
            .unwrap();
        let started = Instant::now();
        let err = impatient(&fake, Duration::from_millis(100))
            .create_database("fake-org", &NewDatabase::new("slow", "default"))
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(err.may_have_taken_effect(), "{err:?}");
        // It is carried out when the delay ends, though nobody waits for the answer.
        let client = admin(&fake);
        until(|| async { client.get_database("fake-org", "slow").await.is_ok() }).await;
        assert!(started.elapsed() >= delay);
        assert_eq!(creations(&fake, "slow"), 1);

        // A patient client gets the answer after the delay.
        fake.fail_next("getCurrentUser", 1, Fault::Delay(delay))
            .unwrap();
        let started = Instant::now();
        client.current_user().await.unwrap();
        assert!(started.elapsed() >= delay);
    })
    .await
}

#[tokio::test]
async fn a_hung_request_is_carried_out_once_when_healed_whenever_its_client_gave_up() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.fail_next("createDatabase", 1, Fault::Hang).unwrap();
        let err = impatient(&fake, Duration::from_millis(100))
            .create_database("fake-org", &NewDatabase::new("hung", "default"))
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        let client = admin(&fake);
        // Long after the client gave up, nothing is done until the fake is healed...
        client.current_user().await.unwrap();
        assert!(client.get_database("fake-org", "hung").await.is_err());
        fake.heal();
        // ...and then it is done, once.
        until(|| async { client.get_database("fake-org", "hung").await.is_ok() }).await;
        assert_eq!(creations(&fake, "hung"), 1);

        // A client that waits gets its answer once healed.
        fake.fail_next("getCurrentUser", 1, Fault::Hang).unwrap();
        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.current_user().await }
        });
        until(|| async { fake.requests("getCurrentUser").unwrap() >= 2 }).await;
        fake.heal();
        assert_eq!(waiting.await.unwrap().unwrap().username, "fake-user");
    })
    .await
}

#[tokio::test]
async fn a_lost_answer_takes_effect_and_the_client_says_it_may_exist() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        fake.fail_next("createDatabase", 1, Fault::LostAnswer)
            .unwrap();
        let err = client
            .create_database("fake-org", &NewDatabase::new("lost", "default"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::MayExist { kind: "database", name, .. } if name == "lost"),
            "{err:?}"
        );
        assert!(err.may_have_taken_effect());
        assert_eq!(err.status(), None, "no answer arrived: {err:?}");
        // It took effect.
        client.get_database("fake-org", "lost").await.unwrap();
        assert_eq!(creations(&fake, "lost"), 1);

        // The case ApiTokenMayExist is for: the token exists, its secret is lost.
        fake.fail_next("createAPIToken", 1, Fault::LostAnswer)
            .unwrap();
        let err = client
            .create_api_token("lost-token", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::ApiTokenMayExist { name, .. } if name == "lost-token"),
            "{err:?}"
        );
        let tokens = client.list_api_tokens().await.unwrap();
        assert!(tokens.iter().any(|token| token.name == "lost-token"));

        // Only the planned request lost its answer: the connection's next ones, and
        // every other connection's, are answered.
        client.current_user().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_new_database_is_listed_at_once_but_ready_only_after_the_lag() {
    bounded(LIMIT, async {
        let fake = start().await;
        let lag = Duration::from_millis(300);
        fake.set_readiness_lag(lag);
        let client = admin(&fake);
        let created = Instant::now();
        client
            .create_database("fake-org", &NewDatabase::new("fresh", "default"))
            .await
            .unwrap();
        // Listed and answered at once...
        client.get_database("fake-org", "fresh").await.unwrap();
        let token = client
            .create_database_token("fake-org", "fresh", &TokenOptions::new())
            .await
            .unwrap();
        let jwt = token.jwt.expose_secret();
        // ...but no connection is allowed until it is ready.
        assert!(
            !fake.database_allows("fake-org", "fresh", jwt, DatabaseAction::Read),
            "ready before its lag"
        );
        // The route Turso's CLI waits on answers once it is ready.
        let http = turso_platform::reqwest::Client::new();
        let waited = http
            .get(format!(
                "{}/v1/organizations/fake-org/databases/fresh/instances/aws-us-east-1/wait",
                fake.base_url()
            ))
            .bearer_auth(fake.token())
            .send()
            .await
            .unwrap();
        assert_eq!(waited.status(), StatusCode::OK);
        assert!(created.elapsed() >= lag, "{:?}", created.elapsed());
        assert!(fake.database_allows("fake-org", "fresh", jwt, DatabaseAction::Read));

        // A new location of a group waits the same way.
        let added = Instant::now();
        client
            .add_location_to_group("fake-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        let waited = http
            .get(format!(
                "{}/v1/organizations/fake-org/groups/default/locations/aws-eu-west-1/wait",
                fake.base_url()
            ))
            .bearer_auth(fake.token())
            .send()
            .await
            .unwrap();
        assert_eq!(waited.status(), StatusCode::OK);
        assert!(added.elapsed() >= lag, "{:?}", added.elapsed());

        // What existed before the lag was set is ready.
        let seeded = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        assert!(fake.database_allows(
            "fake-org",
            "fake-db",
            seeded.jwt.expose_secret(),
            DatabaseAction::Read
        ));
    })
    .await
}

#[tokio::test]
async fn held_requests_are_bounded_and_heal_lets_delays_go_too() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.fail_next("getCurrentUser", usize::MAX, Fault::Hang)
            .unwrap();
        // Clients that send and go away: each request stays held.
        let http = turso_platform::reqwest::Client::builder()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let url = format!("{}/v1/user", fake.base_url());
        for _ in 0..1024 / 64 {
            let batch = (0..64).map(|_| http.get(&url).bearer_auth(fake.token()).send());
            for sent in futures_util::future::join_all(batch).await {
                assert!(sent.unwrap_err().is_timeout());
            }
        }
        until(|| async { fake.requests("getCurrentUser").unwrap() == 1024 }).await;
        let refused = turso_platform::reqwest::Client::new()
            .get(&url)
            .bearer_auth(fake.token())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("holds 1024 requests")
        );
        fake.heal();

        // A delay ends when the fake is healed, too.
        fake.fail_next("getCurrentUser", 1, Fault::Delay(Duration::from_secs(3600)))
            .unwrap();
        let client = admin(&fake);
        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.current_user().await }
        });
        until(|| async { fake.requests("getCurrentUser").unwrap() == 1026 }).await;
        fake.heal();
        assert_eq!(waiting.await.unwrap().unwrap().username, "fake-user");

        // A held request's body is read first, up to 16 MiB: a longer one is refused,
        // answered while the client still sends.
        fake.fail_next("createDatabase", 1, Fault::Hang).unwrap();
        {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let host = fake.base_url().trim_start_matches("http://").to_owned();
            let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            let (mut read, mut write) = stream.into_split();
            let head = format!(
                "POST /v1/organizations/fake-org/databases HTTP/1.1\r\nhost: {host}\r\n\
                 authorization: Bearer {}\r\ncontent-length: {}\r\n\r\n",
                fake.token(),
                32 * 1024 * 1024
            );
            let sending = tokio::spawn(async move {
                write.write_all(head.as_bytes()).await.ok()?;
                let chunk = vec![b' '; 1024 * 1024];
                for _ in 0..32 {
                    write.write_all(&chunk).await.ok()?;
                }
                Some(write)
            });
            let mut answer = [0u8; 12];
            read.read_exact(&mut answer).await.unwrap();
            assert_eq!(&answer, b"HTTP/1.1 413");
            sending.abort();
        }
        // When the fake stops, it is healed: a held request is let go and answered, not
        // left waiting (what it does after the stop may fail: here the data plane, where
        // the database would be served, is gone).
        fake.fail_next("createDatabase", 1, Fault::Hang).unwrap();
        let creating = tokio::spawn(async move {
            client
                .create_database("fake-org", &NewDatabase::new("held", "default"))
                .await
        });
        until(|| async { fake.requests("createDatabase").unwrap() == 2 }).await;
        drop(fake);
        match creating.await.unwrap() {
            Ok(created) => assert_eq!(created.name, "held"),
            Err(e) => assert!(e.may_have_taken_effect(), "{e:?}"),
        }
    })
    .await
}
