//! What a service with a database per tenant needs from the crate, against the local
//! Turso: telling a taken name from a missing one and a rate limit, creating without
//! fear of a lost answer or a race, waiting until a new database serves, one token source
//! per tenant, and the URL to connect to.
//!
//! Everything talks to 127.0.0.1 only, and every test bounds its own time.

use crate::common;

use std::time::Duration;

use common::{Action, ScriptedServer};
use futures_util::future::join_all;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, Authorization, Client, DatabaseToken, Error, MemberRole, NewDatabase,
    NewGroup, NewInvite, StatusCode, TokenOptions, TokenSources,
};
use turso_platform_fake::{FakeTurso, Fault};
use turso_serverless::Builder;

const ORG: &str = "fake-org";
const GROUP: &str = "default";
const MINT: &str = "createDatabaseToken";

async fn bounded<F: std::future::Future>(test: F) -> F::Output {
    common::bounded(Duration::from_secs(60), test).await
}

/// A fake, and a client for it that does not retry.
async fn fake() -> (FakeTurso, Client) {
    let fake = FakeTurso::start().await.unwrap();
    let client = common::client_of(&fake);
    (fake, client)
}

async fn mint(client: &Client, database: &str) -> DatabaseToken {
    client
        .create_database_token(ORG, database, &TokenOptions::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_taken_name_is_told_from_a_missing_one_and_a_rate_limit() {
    bounded(async {
        let (fake, client) = fake().await;
        let tenant = NewDatabase::new("tenant-1", GROUP);
        client.create_database(ORG, &tenant).await.unwrap();
        // Turso answers 400 for a taken database or group name, 409 for the rest.
        let database = client.create_database(ORG, &tenant).await.unwrap_err();
        assert_eq!(database.status(), Some(StatusCode::BAD_REQUEST));
        let group = client
            .create_group(ORG, &NewGroup::new(GROUP, "aws-us-east-1"))
            .await
            .unwrap_err();
        client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
        let api_token = client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        fake.add_user("ana").unwrap();
        client
            .add_organization_member(ORG, "ana", MemberRole::Member)
            .await
            .unwrap();
        let member = client
            .add_organization_member(ORG, "ana", MemberRole::Member)
            .await
            .unwrap_err();
        let invite = client
            .invite_organization_member_v2(ORG, &NewInvite::email("ana@example.com"))
            .await
            .unwrap_err();
        for taken in [&database, &group, &api_token, &member, &invite] {
            assert!(taken.is_name_taken(), "{taken:?}");
            assert!(
                !taken.is_not_found() && !taken.is_rate_limited(),
                "{taken:?}"
            );
        }

        let missing = client.get_database(ORG, "nobody").await.unwrap_err();
        assert!(
            missing.is_not_found() && !missing.is_name_taken(),
            "{missing:?}"
        );
        // A 400 that is not about a name is not a taken name.
        let invalid = client
            .create_database(ORG, &NewDatabase::new("tenant-2", "no-such-group"))
            .await
            .unwrap_err();
        assert!(!invalid.is_name_taken(), "{invalid:?}");

        // A rate limit longer than the client waits by itself fails at once.
        let limit = Fault::RetryAfter(StatusCode::TOO_MANY_REQUESTS, Duration::from_secs(90));
        fake.fail_next("listDatabases", 1, limit).unwrap();
        let limited = client
            .list_databases(ORG, &Default::default())
            .await
            .unwrap_err();
        assert!(
            limited.is_rate_limited() && !limited.is_not_found(),
            "{limited:?}"
        );
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(90)));
    })
    .await;
}

#[tokio::test]
async fn the_questions_look_through_may_exist() {
    bounded(async {
        let (fake, client) = fake().await;
        // A 502 on a create may hide one that happened: MayExist, holding the 502.
        fake.fail_next("createDatabase", 1, Fault::Status(StatusCode::BAD_GATEWAY))
            .unwrap();
        let e = client
            .create_database(ORG, &NewDatabase::new("t", GROUP))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::MayExist { .. }), "{e:?}");
        assert_eq!(e.status(), Some(StatusCode::BAD_GATEWAY));
        fake.fail_next("createDatabase", 1, Fault::Status(StatusCode::CONFLICT))
            .unwrap();
        let e = client
            .create_database(ORG, &NewDatabase::new("t", GROUP))
            .await
            .unwrap_err();
        assert!(e.is_name_taken(), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn ensure_database_creates_finds_and_refuses_another() {
    bounded(async {
        let (fake, client) = fake().await;
        let tenant = NewDatabase::new("tenant-1", GROUP);
        let first = client.ensure_database(ORG, &tenant).await.unwrap();
        assert!(first.was_created());
        let again = client.ensure_database(ORG, &tenant).await.unwrap();
        assert!(!again.was_created());
        let (a, b) = (again.get(), first.get());
        assert_eq!(
            (&a.db_id, &a.hostname, &a.name),
            (&b.db_id, &b.hostname, &b.name)
        );

        // The name is taken in another group: an error, never the other database.
        client
            .create_group(ORG, &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        let elsewhere = client
            .ensure_database(ORG, &NewDatabase::new("tenant-1", "eu"))
            .await
            .unwrap_err();
        assert!(
            matches!(elsewhere, Error::TakenByAnother { .. }),
            "{elsewhere:?}"
        );
        assert!(elsewhere.is_name_taken());
        let said = elsewhere.to_string();
        assert!(
            said.contains("tenant-1") && said.contains("\"default\""),
            "{said}"
        );

        // A create whose answer is lost, but which happened: found.
        fake.fail_next("createDatabase", 1, Fault::LostAnswer)
            .unwrap();
        let lost = client
            .ensure_database(ORG, &NewDatabase::new("tenant-2", GROUP))
            .await
            .unwrap();
        assert!(!lost.was_created(), "the call cannot tell it created it");
        assert_eq!(lost.get().name, "tenant-2");
        assert_eq!(fake.requests("createDatabase").unwrap(), 4);

        // A create that failed ambiguously and did not happen: made again.
        fake.fail_next("createDatabase", 1, Fault::Status(StatusCode::BAD_GATEWAY))
            .unwrap();
        let retried = client
            .ensure_database(ORG, &NewDatabase::new("tenant-3", GROUP))
            .await
            .unwrap();
        assert!(retried.was_created());
        assert_eq!(fake.requests("createDatabase").unwrap(), 6);

        // A failure that says nothing was made is returned as it is.
        let invalid = client
            .ensure_database(ORG, &NewDatabase::new("tenant-4", "no-such-group"))
            .await
            .unwrap_err();
        assert!(matches!(invalid, Error::Api { .. }), "{invalid:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_ensuring_the_same_tenant_all_get_it_and_one_creates_it() {
    bounded(async {
        let (_fake, client) = fake().await;
        let tenant = NewDatabase::new("tenant-race", GROUP);
        let outcomes = join_all((0..16).map(|_| {
            let (client, tenant) = (client.clone(), tenant.clone());
            tokio::spawn(async move { client.ensure_database(ORG, &tenant).await })
        }))
        .await;
        let outcomes: Vec<_> = outcomes.into_iter().map(|o| o.unwrap().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.was_created()).count(), 1);
        let id = &outcomes[0].get().db_id;
        assert!(outcomes.iter().all(|o| &o.get().db_id == id));
    })
    .await;
}

#[tokio::test]
async fn ensure_group_creates_finds_and_refuses_another_location() {
    bounded(async {
        let (fake, client) = fake().await;
        let eu = NewGroup::new("eu", "aws-eu-west-1");
        assert!(client.ensure_group(ORG, &eu).await.unwrap().was_created());
        let found = client.ensure_group(ORG, &eu).await.unwrap();
        assert!(!found.was_created());
        assert_eq!(found.get().primary.as_deref(), Some("aws-eu-west-1"));
        let moved = client
            .ensure_group(ORG, &NewGroup::new("eu", "aws-us-east-1"))
            .await
            .unwrap_err();
        assert!(matches!(moved, Error::TakenByAnother { .. }), "{moved:?}");

        fake.fail_next("createGroup", 1, Fault::LostAnswer).unwrap();
        let lost = client
            .ensure_group(ORG, &NewGroup::new("us", "aws-us-east-1"))
            .await
            .unwrap();
        assert_eq!(lost.into_inner().name, "us");
    })
    .await;
}

#[tokio::test]
async fn a_new_database_is_waited_for_until_it_serves() {
    bounded(async {
        let (fake, client) = fake().await;
        fake.set_readiness_lag(Duration::from_millis(400));
        let created = client
            .create_database(ORG, &NewDatabase::new("slow", GROUP))
            .await
            .unwrap();
        let token = mint(&client, "slow").await;
        let jwt = token.jwt.expose_secret();
        assert!(!fake.database_allows(ORG, "slow", jwt, turso_platform_fake::DatabaseAction::Read));
        client
            .wait_for_database(&created.hostname, &token, Duration::from_secs(20))
            .await
            .unwrap();
        assert!(fake.database_allows(ORG, "slow", jwt, turso_platform_fake::DatabaseAction::Read));

        // Not ready by the deadline: a clear error, near the deadline.
        fake.set_readiness_lag(Duration::from_secs(3600));
        let later = client
            .create_database(ORG, &NewDatabase::new("later", GROUP))
            .await
            .unwrap();
        let token = mint(&client, "later").await;
        let started = tokio::time::Instant::now();
        let e = client
            .wait_for_database(&later.hostname, &token, Duration::from_millis(700))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let Error::NotReady { hostname, last, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(hostname, &later.hostname);
        assert!(last.contains("404"), "{last}");
        assert!(e.to_string().contains("did not serve"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn a_token_the_database_refuses_fails_at_once() {
    bounded(async {
        let (_fake, client) = fake().await;
        let db = client.get_database(ORG, "fake-db").await.unwrap();
        let forged = DatabaseToken::new("eyJhbGciOiJFZERTQSJ9.eyJhIjoicnciLCJpYXQiOjF9.Zm9yZ2Vk");
        let started = tokio::time::Instant::now();
        let e = client
            .wait_for_database(&db.hostname, &forged, Duration::from_secs(30))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(StatusCode::UNAUTHORIZED), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await;
}

/// The wait sends the database token to the database's host, and nothing else: not the
/// platform token, and no more than 1 KiB of a hostile host's answer is kept.
#[tokio::test]
async fn the_wait_sends_only_the_database_token_and_reads_little() {
    bounded(async {
        let host = ScriptedServer::start(|n, _| match n {
            0 => Action::json(404, "{}"),
            _ => Action::json(401, &"x".repeat(1 << 20)),
        })
        .await;
        let client = Client::builder()
            .token("platform-secret")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let hostname = host.base_url.trim_start_matches("http://");
        let token = DatabaseToken::new("db-token");
        let e = client
            .wait_for_database(hostname, &token, Duration::from_secs(20))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(StatusCode::UNAUTHORIZED));
        let Error::Api { message, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(message.len() <= 1024, "{} bytes kept", message.len());
        let received = host.received();
        assert_eq!(received.len(), 2);
        for request in received {
            assert_eq!(request.target, "/v2/pipeline");
            assert_eq!(request.header("authorization"), Some("Bearer db-token"));
            assert!(!format!("{request:?}").contains("platform-secret"));
        }

        // A host name that carries a path or credentials sends nothing.
        for hostile in ["evil.example/x?", "user@evil.example", "a b"] {
            let e = client
                .wait_for_database(hostile, &token, Duration::from_secs(1))
                .await
                .unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_libsql_url_of_a_database_is_one_the_fake_serves() {
    bounded(async {
        let (fake, client) = fake().await;
        let created = client
            .create_database(ORG, &NewDatabase::new("tenant-url", GROUP))
            .await
            .unwrap();
        let url = fake.database_url(ORG, "tenant-url").unwrap();
        assert_eq!(created.libsql_url(), url);
        let read = client.get_database(ORG, "tenant-url").await.unwrap();
        assert_eq!(read.libsql_url(), url);

        let token = mint(&client, "tenant-url").await;
        let conn = Builder::new_remote(created.libsql_url())
            .with_auth_token(token.jwt.expose_secret())
            .build()
            .await
            .unwrap()
            .connect()
            .unwrap();
        conn.execute("CREATE TABLE t (x)", ()).await.unwrap();
        conn.execute("INSERT INTO t VALUES (42)", ()).await.unwrap();
        let mut rows = conn.query("SELECT x FROM t", ()).await.unwrap();
        let row = rows.next().await.unwrap().unwrap();
        assert_eq!(
            row.get_value(0).unwrap(),
            turso_serverless::Value::Integer(42)
        );
    })
    .await;
}

/// 10,000 callers at once across 1,000 tenants: one mint per tenant, and every caller
/// gets a token of its own tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_callers_across_many_tenants_cause_one_mint_per_tenant() {
    bounded(async {
        const TENANTS: usize = 1_000;
        // A connection per tenant's mint, at both ends, and the fake's databases.
        #[cfg(unix)]
        {
            let limit = common::raise_open_files(8_192);
            assert!(
                limit >= 4_096,
                "this test needs 4,096 open files; the limit is {limit}"
            );
        }
        let fake = FakeTurso::builder()
            .max_connections(2 * TENANTS)
            .start()
            .await
            .unwrap();
        let client = common::client_of(&fake);
        for n in 0..TENANTS {
            fake.add_database(ORG, GROUP, &format!("t{n}")).unwrap();
        }
        let tokens = TokenSources::new(client, TokenOptions::new());
        let before = fake.requests(MINT).unwrap();
        let handed = join_all((0..10_000).map(|n| {
            let tokens = tokens.clone();
            tokio::spawn(async move {
                let tenant = format!("t{}", n % TENANTS);
                let token = tokens.token(ORG, &tenant).await.unwrap();
                (tenant, token)
            })
        }))
        .await;
        assert_eq!(fake.requests(MINT).unwrap() - before, TENANTS as u64);
        assert_eq!(tokens.len(), TENANTS);
        for (tenant, token) in handed.into_iter().map(Result::unwrap).step_by(97) {
            assert!(fake.database_token_is_valid(ORG, &tenant, token.jwt.expose_secret()));
            assert!(
                !fake.database_token_is_valid(ORG, "t0", token.jwt.expose_secret())
                    || tenant == "t0"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_deleted_tenant_s_source_is_removed_and_made_again() {
    bounded(async {
        let (fake, client) = fake().await;
        let tokens = TokenSources::new(
            client.clone(),
            TokenOptions::new().authorization(Authorization::ReadOnly),
        );
        client
            .create_database(ORG, &NewDatabase::new("gone", GROUP))
            .await
            .unwrap();
        let first = tokens.token(ORG, "gone").await.unwrap();
        let same = tokens.token(ORG, "gone").await.unwrap();
        assert_eq!(first.jwt.expose_secret(), same.jwt.expose_secret());
        client.delete_database(ORG, "gone").await.unwrap();
        assert!(tokens.remove(ORG, "gone"));
        // The next use makes a new source, which asks the API, which knows it is gone.
        let e = tokens.token(ORG, "gone").await.unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert_eq!(fake.requests(MINT).unwrap(), 2);
    })
    .await;
}

/// The wait asks with a Hrana `close` request, counts a 5xx or a refused connection as
/// "not yet" and tries again with a growing pause (100 ms, then 200 ms, ...); a 403 ends
/// it at once.
#[tokio::test]
async fn the_wait_tries_again_on_5xx_and_no_connection_and_stops_on_403() {
    bounded(async {
        let host = ScriptedServer::start(|n, _| match n {
            0 => Action::json(503, "{}"),
            1 => Action::json(502, "{}"),
            2 => Action::json(200, r#"{"baton":null,"results":[]}"#),
            _ => Action::json(403, r#"{"error":"no"}"#),
        })
        .await;
        let client = Client::builder()
            .token("platform-secret")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let hostname = host.base_url.trim_start_matches("http://");
        let token = DatabaseToken::new("db-token");
        let started = tokio::time::Instant::now();
        client
            .wait_for_database(hostname, &token, Duration::from_secs(20))
            .await
            .unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        let received = host.received();
        assert_eq!(received.len(), 3);
        for request in &received {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body, serde_json::json!({"requests": [{"type": "close"}]}));
        }
        let e = client
            .wait_for_database(hostname, &token, Duration::from_secs(20))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(StatusCode::FORBIDDEN), "{e:?}");
        assert_eq!(host.received().len(), 4, "a 403 is not asked again");

        // Nothing listens: not ready, until the deadline.
        let e = client
            .wait_for_database("127.0.0.1:9", &token, Duration::from_millis(500))
            .await
            .unwrap_err();
        match e {
            Error::NotReady { last, .. } => assert_eq!(last, "no connection"),
            other => panic!("{other:?}"),
        }
    })
    .await;
}
