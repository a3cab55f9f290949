//! The client in its user's stack, through the public API only: the user's own reqwest
//! client (through a proxy, with the builder's timeout, following redirects), their log
//! levels, and answers that name what this version does not know.

mod common;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use common::{Action, Captured, ScriptedServer, TOKEN, bounded};
use turso_platform::{Client, Error, Scope, StatusCode, reqwest};

const LIMIT: Duration = Duration::from_secs(20);
const USER_AGENT: &str = concat!("turso-platform/", env!("CARGO_PKG_VERSION"));

/// A user's client that sends everything through a recording proxy on loopback: the
/// requests arrive there in absolute form, with the builder's token and `User-Agent`,
/// and without the `api-version` header progenitor would add.
#[tokio::test]
async fn a_user_client_with_a_proxy_carries_the_builder_s_token_and_user_agent() {
    bounded(LIMIT, async {
        let proxy = ScriptedServer::start(|_, _| Action::json(200, r#"{"tokens":[]}"#)).await;
        let http = reqwest::Client::builder()
            .proxy(reqwest::Proxy::http(&proxy.base_url).unwrap())
            .user_agent("the-user-s-agent")
            .build()
            .unwrap();
        // Nothing listens at the base URL: only the proxy can answer.
        let client = Client::builder()
            .token(TOKEN)
            .base_url("http://127.0.0.1:9")
            .http_client(http)
            .max_retries(0)
            .build()
            .unwrap();
        assert!(client.list_api_tokens().await.unwrap().is_empty());
        let received = proxy.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].target, "http://127.0.0.1:9/v1/auth/api-tokens");
        assert_eq!(
            received[0].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(received[0].header("user-agent"), Some(USER_AGENT));
        assert_eq!(received[0].header("api-version"), None);
    })
    .await;
}

/// The builder's timeout applies to a user's client that has none.
#[tokio::test]
async fn the_builder_s_timeout_applies_to_a_user_client() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::Hang).await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&server.base_url)
            .http_client(reqwest::Client::new())
            .timeout(Duration::from_millis(300))
            .max_retries(0)
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client.current_user().await.unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await;
}

/// A user's client that follows redirects follows them within the origin with the token
/// (reqwest keeps it there) and to another origin without it.
#[tokio::test]
async fn a_user_client_following_redirects_keeps_the_token_on_the_base_origin() {
    bounded(LIMIT, async {
        let elsewhere = ScriptedServer::start(|_, _| Action::json(200, r#"{"exp":-1}"#)).await;
        let away = format!("{}/v1/auth/validate", elsewhere.base_url);
        let api = ScriptedServer::start(move |i, _| match i {
            0 => Action::json(307, "{}").with_header("location", "/v1/auth/validate?again"),
            _ => Action::json(302, "{}").with_header("location", &away),
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&api.base_url)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        client.validate_api_token().await.unwrap();
        let bearer = format!("Bearer {TOKEN}");
        let at_api = api.received();
        assert_eq!(at_api.len(), 2);
        assert!(
            at_api
                .iter()
                .all(|r| r.header("authorization") == Some(&bearer))
        );
        assert_eq!(elsewhere.received()[0].header("authorization"), None);
    })
    .await;
}

/// A listed token with a scope this version does not know decodes: the list does not
/// fail, the unknown word is kept, and the known ones parse.
#[tokio::test]
async fn a_list_naming_an_unknown_scope_decodes() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| {
            Action::json(
                200,
                r#"{"tokens":[{"id":"1","name":"ci","organization":"o","group":"g",
                    "scopes":["read","db:branch","group:future"],"new_field":{"x":1}}]}"#,
            )
        })
        .await;
        let client = common::client(&server, 0);
        for tokens in [
            client
                .list_api_tokens()
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.scopes)
                .collect::<Vec<_>>(),
            client
                .list_organization_api_tokens("o")
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.scopes)
                .collect(),
        ] {
            assert_eq!(tokens[0], ["read", "db:branch", "group:future"]);
            let known: Vec<Scope> = tokens[0].iter().filter_map(|s| s.parse().ok()).collect();
            assert_eq!(known, [Scope::Read]);
        }
    })
    .await;
}

/// An application logging at INFO gets no line for a call that succeeds (the span of each
/// call is at DEBUG), and one for each retry.
#[test]
fn at_info_a_call_logs_only_its_retries() {
    LazyLock::force(&ANCHORS);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(bounded(LIMIT, async {
            let server = ScriptedServer::start(|i, _| match i {
                1 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "0"),
                _ => Action::json(200, r#"{"tokens":[]}"#),
            })
            .await;
            let client = common::client(&server, 1);
            client.list_api_tokens().await.unwrap();
            assert!(
                captured.0.lock().unwrap().is_empty(),
                "a successful call logs nothing"
            );
            client.list_api_tokens().await.unwrap();
            let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            assert_eq!(logs.lines().count(), 1, "{logs}");
            assert!(
                logs.contains("INFO") && logs.contains("sending the request again"),
                "{logs}"
            );
        }))
    });
}

/// With the user's own client, a read answered 503 is sent again.
#[tokio::test]
async fn a_user_client_retries_a_503() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "0"),
            _ => Action::json(200, r#"{"tokens":[]}"#),
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&server.base_url)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        assert!(client.list_api_tokens().await.unwrap().is_empty());
        assert_eq!(server.received().len(), 2);
    })
    .await;
}

/// With the user's own client, an answer past `max_response_size` fails with
/// `ResponseTooLarge`, whether it declares its length or runs until the connection
/// closes, and is not sent again.
#[tokio::test]
async fn a_user_client_reads_no_more_than_the_answer_limit() {
    bounded(LIMIT, async {
        for server in &common::oversized_answers().await {
            let client = Client::builder()
                .token(TOKEN)
                .base_url(&server.base_url)
                .http_client(reqwest::Client::new())
                .max_response_size(1024)
                .build()
                .unwrap();
            match client.list_api_tokens().await.unwrap_err() {
                Error::ResponseTooLarge { status, limit, .. } => {
                    assert_eq!((status, limit), (StatusCode::OK, 1024));
                }
                other => panic!("expected ResponseTooLarge, got {other:?}"),
            }
            assert_eq!(server.received().len(), 1);
        }
    })
    .await;
}

/// Two dispatchers that live as long as the process and are interested in every
/// callsite. `tracing` caches each callsite's interest for the whole process; with one
/// registered dispatcher, a callsite is registered against the default of whichever
/// thread reaches it first, and a parallel test with no subscriber caches it as never
/// enabled, so a test capturing on its thread sees nothing. With two or more, a callsite
/// is registered against every live dispatcher, these included, and stays enabled.
static ANCHORS: LazyLock<[tracing::Dispatch; 2]> = LazyLock::new(|| {
    [(), ()].map(|()| {
        tracing::Dispatch::new(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(std::io::sink)
                .finish(),
        )
    })
});

/// An application logging at DEBUG gets one span per call, which names its operationId
/// and says how many attempts it took, the last status and how long it took; no token.
#[test]
fn at_debug_each_call_has_a_span_with_its_operation_attempts_status_and_time() {
    LazyLock::force(&ANCHORS);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(bounded(LIMIT, async {
            let server = ScriptedServer::start(|i, _| match i {
                0 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "0"),
                1 => Action::json(200, r#"{"tokens":[]}"#),
                _ => Action::json(404, r#"{"error":"no such user"}"#),
            })
            .await;
            let client = common::client(&server, 1);
            client.list_api_tokens().await.unwrap();
            client.current_user().await.unwrap_err();
            let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            let closed: Vec<&str> = logs.lines().filter(|l| l.contains(" close ")).collect();
            assert_eq!(closed.len(), 2, "one span per call: {logs}");
            for (line, operation, attempts, status) in [
                (closed[0], "listAPITokens", 2, 200),
                (closed[1], "getCurrentUser", 1, 404),
            ] {
                assert!(line.contains("DEBUG"), "{line}");
                for field in [
                    format!("operation=\"{operation}\""),
                    format!("attempts={attempts}"),
                    format!("status={status}"),
                ] {
                    assert!(line.contains(&field), "{field} in {line}");
                }
                let elapsed = line
                    .split("elapsed_ms=")
                    .nth(1)
                    .unwrap_or_else(|| panic!("elapsed_ms in {line}"));
                let digits: String = elapsed.chars().take_while(char::is_ascii_digit).collect();
                assert!(digits.parse::<u64>().is_ok(), "{line}");
            }
            assert!(!logs.contains(TOKEN), "{logs}");
        }))
    });
}
