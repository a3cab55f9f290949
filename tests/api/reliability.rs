//! Faults injected by a scripted loopback server: retries that never duplicate a mint,
//! timeouts, dropped connections, bad bodies, redirects, and connection reuse.

use crate::common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Action, JWT, MINTED, ScriptedServer, TOKEN, bounded, client, minted_json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::oneshot;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, Client, Error, NewDatabase, StatusCode, TokenOptions, reqwest,
};

const LIMIT: Duration = Duration::from_secs(30);

fn tokens_json() -> Action {
    Action::json(200, r#"{"tokens":[{"id":"1","name":"a"}]}"#)
}

#[tokio::test]
async fn a_read_is_retried_through_two_503s() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 | 1 => Action::json(503, r#"{"error":"unavailable"}"#),
            _ => tokens_json(),
        })
        .await;
        let tokens = client(&server, 3).list_api_tokens().await.unwrap();
        assert_eq!(tokens[0].name, "a");
        let received = server.received();
        assert_eq!(received.len(), 3);
        assert!(received.iter().all(|r| r.target == "/v1/auth/api-tokens"));
    })
    .await;
}

#[tokio::test]
async fn retries_stop_at_max_retries_and_zero_disables_them() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::json(503, r#"{"error":"down"}"#)).await;
        let error = client(&server, 2).current_user().await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(server.received().len(), 3);

        let server = ScriptedServer::start(|_, _| Action::json(503, r#"{"error":"down"}"#)).await;
        client(&server, 0).current_user().await.unwrap_err();
        assert_eq!(server.received().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_503_on_an_api_token_mint_is_not_retried_and_says_how_to_check() {
    bounded(LIMIT, async {
        let server =
            ScriptedServer::start(|_, _| Action::json(503, r#"{"error":"unavailable"}"#)).await;
        let error = client(&server, 3)
            .create_api_token("ci", &ApiTokenOptions::new().organization("o"))
            .await
            .unwrap_err();
        assert_eq!(
            server.received().len(),
            1,
            "exactly one request reached the server"
        );
        match &error {
            Error::ApiTokenMayExist { name, source, .. } => {
                assert_eq!(name, "ci");
                assert!(matches!(
                    **source,
                    Error::Api {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        ..
                    }
                ));
            }
            other => panic!("expected ApiTokenMayExist, got {other:?}"),
        }
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        let message = error.to_string();
        assert!(message.contains("may have been created"), "{message}");
        assert!(message.contains("list_api_tokens"), "{message}");
    })
    .await;
}

#[tokio::test]
async fn a_429_on_a_mint_with_retry_after_zero_is_retried_at_once() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", "0"),
            _ => minted_json(),
        })
        .await;
        let started = Instant::now();
        let created = client(&server, 3)
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
        assert_eq!(created.token.expose_secret(), MINTED);
        assert_eq!(server.received().len(), 2);
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await;
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "1"),
            _ => tokens_json(),
        })
        .await;
        let started = Instant::now();
        client(&server, 3).list_api_tokens().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(950));
        assert_eq!(server.received().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn revocations_are_retried_on_429_only() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", "0"),
            _ => Action::json(200, r#"{"token":"ci"}"#),
        })
        .await;
        assert_eq!(
            client(&server, 3).revoke_api_token("ci").await.unwrap(),
            "ci"
        );
        assert_eq!(server.received().len(), 2);

        for status in [502, 503, 504, 408] {
            let server =
                ScriptedServer::start(move |_, _| Action::json(status, r#"{"error":"gateway"}"#))
                    .await;
            let client = client(&server, 3);
            client.revoke_api_token("ci").await.unwrap_err();
            client
                .revoke_organization_api_token("o", "id")
                .await
                .unwrap_err();
            assert_eq!(server.received().len(), 2, "HTTP {status}");
        }
    })
    .await;
}

#[tokio::test]
async fn database_token_mints_and_invalidations_are_retried_on_gateway_errors() {
    bounded(LIMIT, async {
        for status in [408, 429, 502, 503, 504] {
            let server =
                ScriptedServer::start(move |i, r| match (i % 2, r.target.contains("rotate")) {
                    (0, _) => Action::json(status, r#"{"error":"transient"}"#)
                        .with_header("retry-after", "0"),
                    (_, true) => Action::Respond {
                        status: 200,
                        headers: vec![],
                        body: vec![],
                    },
                    (_, false) => Action::json(200, &format!(r#"{{"jwt":"{JWT}"}}"#)),
                })
                .await;
            let client = client(&server, 3);
            let token = client
                .create_database_token("o", "d", &TokenOptions::new())
                .await
                .unwrap();
            assert_eq!(token.jwt.expose_secret(), JWT);
            client
                .create_group_token("o", "g", &TokenOptions::new())
                .await
                .unwrap();
            client.invalidate_database_tokens("o", "d").await.unwrap();
            client.invalidate_group_tokens("o", "g").await.unwrap();
            assert_eq!(server.received().len(), 8, "HTTP {status}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_500_is_not_retried() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::json(500, r#"{"error":"boom"}"#)).await;
        let error = client(&server, 3).list_api_tokens().await.unwrap_err();
        assert!(matches!(
            error,
            Error::Api {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                ..
            }
        ));
        assert_eq!(server.received().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_without_a_status() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::Hang).await;
        let started = Instant::now();
        let error = client(&server, 0).validate_api_token().await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(error.is_timeout(), "{error:?}");
        assert!(matches!(error, Error::Timeout(_)), "{error:?}");
        assert_eq!(error.status(), None);
        assert!(
            elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(5),
            "{elapsed:?}"
        );
        assert!(
            error.to_string().contains("did not answer in time"),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_read_that_times_out_is_retried() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::Hang,
            _ => tokens_json(),
        })
        .await;
        client(&server, 3).list_api_tokens().await.unwrap();
        assert_eq!(server.received().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_mint_that_times_out_is_sent_once_and_may_exist() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::Hang).await;
        let error = client(&server, 3)
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert_eq!(server.received().len(), 1);
        assert!(error.is_timeout());
        assert_eq!(error.status(), None);
        assert!(matches!(&error, Error::ApiTokenMayExist { source, .. } if matches!(**source, Error::Timeout(_))));
    })
    .await;
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_a_transport_error_retried_only_for_reads() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| {
            Action::RawThenClose(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{\"tokens\":[".to_vec(),
            )
        })
        .await;
        let error = client(&server, 1).list_api_tokens().await.unwrap_err();
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        assert!(!error.is_timeout());
        assert_eq!(server.received().len(), 2, "a read is sent again once");

        let error = client(&server, 3)
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::ApiTokenMayExist { .. }), "{error:?}");
        assert_eq!(server.received().len(), 3, "a mint is never sent twice");
    })
    .await;
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_a_transport_error() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| Action::RawThenClose(Vec::new())).await;
        let error = client(&server, 0).list_api_tokens().await.unwrap_err();
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
    })
    .await;
}

#[tokio::test]
async fn truncated_json_keeps_its_status() {
    bounded(LIMIT, async {
        let server =
            ScriptedServer::start(|_, _| Action::json(200, r#"{"tokens":[{"id":"1","na"#)).await;
        match client(&server, 3).list_api_tokens().await.unwrap_err() {
            Error::UnexpectedResponse { status, body, .. } => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(body, r#"{"tokens":[{"id":"1","na"#);
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
        assert_eq!(server.received().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn an_html_502_from_a_proxy_keeps_its_status_after_retries() {
    bounded(LIMIT, async {
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let server = ScriptedServer::start(move |_, _| Action::Respond {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into())],
            body: html.as_bytes().to_vec(),
        })
        .await;
        match client(&server, 1).current_user().await.unwrap_err() {
            Error::UnexpectedResponse { status, body, .. } => {
                assert_eq!(status, StatusCode::BAD_GATEWAY);
                assert_eq!(body, html);
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
        assert_eq!(server.received().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_redirect_to_another_server_never_carries_the_token() {
    bounded(LIMIT, async {
        let elsewhere = ScriptedServer::start(|_, _| tokens_json()).await;
        for status in [301u16, 302, 307, 308] {
            let location = format!("{}/v1/auth/api-tokens", elsewhere.base_url);
            let server = ScriptedServer::start(move |_, _| Action::Respond {
                status,
                headers: vec![("location".into(), location.clone())],
                body: Vec::new(),
            })
            .await;
            let error = client(&server, 3).list_api_tokens().await.unwrap_err();
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            assert!(matches!(error, Error::UnexpectedResponse { .. }));
        }
        assert!(
            elsewhere.received().is_empty(),
            "the second server must see nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn a_connect_failure_is_retried_then_reported_as_nothing_sent() {
    bounded(LIMIT, async {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let client = Client::builder()
            .token(TOKEN)
            .base_url(format!("http://127.0.0.1:{port}"))
            .max_retries(2)
            .build()
            .unwrap();
        let error = client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Connect(_)), "{error:?}");
        assert!(error.to_string().contains("nothing was sent"), "{error}");
        assert_eq!(error.status(), None);
    })
    .await;
}

#[tokio::test]
async fn every_request_carries_the_token_and_the_user_agent() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| tokens_json()).await;
        client(&server, 0).list_api_tokens().await.unwrap();
        let request = &server.received()[0];
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            request.header("user-agent"),
            Some(concat!("turso-platform/", env!("CARGO_PKG_VERSION")))
        );
    })
    .await;
}

#[tokio::test]
async fn sequential_calls_and_clones_share_one_connection() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| tokens_json()).await;
        let client = client(&server, 0);
        for _ in 0..100 {
            client.list_api_tokens().await.unwrap();
        }
        assert_eq!(
            server.connections(),
            1,
            "100 sequential calls, one connection"
        );
        let clone = client.clone();
        for _ in 0..10 {
            clone.list_api_tokens().await.unwrap();
        }
        assert_eq!(server.received().len(), 110);
        assert_eq!(server.connections(), 1, "clones share the pool");
    })
    .await;
}

/// A client built with nothing but a token and a base URL retries 3 times: a read
/// answered 503 is sent 4 times.
#[tokio::test]
async fn a_default_client_sends_a_failing_read_four_times() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| {
            Action::json(503, r#"{"error":"down"}"#).with_header("retry-after", "0")
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&server.base_url)
            .build()
            .unwrap();
        let error = client.list_api_tokens().await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(server.received().len(), 4, "one attempt and 3 retries");
    })
    .await;
}

/// The defaults: a 30 s timeout per attempt, a 10 s connect timeout, 3 retries and
/// answers of up to 16 MiB, in the builder and in the client it builds.
#[tokio::test]
async fn the_default_timeouts_are_30_s_per_attempt_and_10_s_to_connect() {
    bounded(LIMIT, async {
        let builder = format!("{:?}", Client::builder());
        for shown in [
            " timeout: 30s",
            "connect_timeout: 10s",
            "max_retries: 3",
            "max_response_size: 16777216",
        ] {
            assert!(builder.contains(shown), "{shown} in {builder}");
        }
        let client = Client::builder()
            .token(TOKEN)
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        assert!(
            format!("{client:?}").contains("max_retries: 3"),
            "{client:?}"
        );
        use turso_platform::generated::ClientInfo as _;
        let policy = format!("{:?}", client.generated().inner());
        assert!(policy.contains(" timeout: 30s"), "{policy}");
        assert!(policy.contains("max_response_size: 16777216"), "{policy}");
    })
    .await;
}

/// A resolver for a user's reqwest client that counts the connections it is asked for:
/// the first one meets a port that is bound but not listening (refused at once); the
/// port starts listening when a second connection is asked for, so a call succeeds only
/// if it was sent again. No clock, and no `tracing` capture (whose per-callsite cache
/// other tests running in parallel can spoil), is involved.
struct ListenOnSecondLookup {
    lookups: AtomicUsize,
    port: u16,
    late: Mutex<Option<(TcpSocket, oneshot::Sender<TcpListener>)>>,
}

impl ListenOnSecondLookup {
    /// The resolver, its port, and the listener it hands out once it listens.
    fn new() -> (Arc<Self>, oneshot::Receiver<TcpListener>) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = socket.local_addr().unwrap().port();
        let (tx, rx) = oneshot::channel();
        let resolver = Self {
            lookups: AtomicUsize::new(0),
            port,
            late: Mutex::new(Some((socket, tx))),
        };
        (Arc::new(resolver), rx)
    }

    /// A client of `localhost` at the port, resolved by this resolver, retrying once.
    fn client(self: &Arc<Self>) -> Client {
        let http = reqwest::Client::builder()
            .dns_resolver(self.clone())
            .no_proxy()
            .build()
            .unwrap();
        Client::builder()
            .token(TOKEN)
            .base_url(format!("http://localhost:{}", self.port))
            .http_client(http)
            .max_retries(1)
            .build()
            .unwrap()
    }
}

impl reqwest::dns::Resolve for ListenOnSecondLookup {
    fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = self.lookups.fetch_add(1, Ordering::SeqCst) + 1;
        let late = if lookup >= 2 {
            self.late.lock().unwrap().take()
        } else {
            None
        };
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        Box::pin(async move {
            if let Some((socket, listening)) = late {
                let _ = listening.send(socket.listen(16)?);
            }
            let addresses: reqwest::dns::Addrs = Box::new(std::iter::once(address));
            Ok(addresses)
        })
    }
}

/// Accepts one connection once listening, reads one request from it, answers it with
/// `body` and closes; returns the request's first line.
async fn answer_one(listening: oneshot::Receiver<TcpListener>, body: String) -> String {
    let listener = listening.await.expect("the client logged a retry");
    let (mut stream, _) = listener.accept().await.unwrap();
    let mut request = Vec::new();
    let head_end = loop {
        if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed before a whole request");
        request.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while request.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed before a whole body");
        request.extend_from_slice(&chunk[..n]);
    }
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    head.lines().next().unwrap_or_default().to_owned()
}

/// Operations sent once when their outcome is unknown (an API token mint, a database
/// create) are still sent again after a connect failure, since nothing reached the
/// server: exactly two connections are asked for, and the server sees one request.
#[tokio::test]
async fn a_connect_failure_of_an_operation_sent_once_is_retried() {
    bounded(LIMIT, async {
        let (resolver, listening) = ListenOnSecondLookup::new();
        let minted = format!(r#"{{"id":"1","name":"ci","token":"{MINTED}"}}"#);
        let server = tokio::spawn(answer_one(listening, minted));
        // Fails at once, rather than at the time limit, if it is not sent again.
        let created = resolver
            .client()
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
        assert_eq!(created.token.expose_secret(), MINTED);
        assert_eq!(resolver.lookups.load(Ordering::SeqCst), 2);
        let request = server.await.unwrap();
        assert_eq!(request, "post /v1/auth/api-tokens/ci http/1.1");

        let (resolver, listening) = ListenOnSecondLookup::new();
        let answer = r#"{"database":{"DbId":"db-1","Hostname":"d-o.turso.io","Name":"d"}}"#;
        let server = tokio::spawn(answer_one(listening, answer.to_owned()));
        let created = resolver
            .client()
            .create_database("o", &NewDatabase::new("d", "default"))
            .await
            .unwrap();
        assert_eq!(created.name, "d");
        assert_eq!(resolver.lookups.load(Ordering::SeqCst), 2);
        let request = server.await.unwrap();
        assert_eq!(request, "post /v1/organizations/o/databases http/1.1");
    })
    .await;
}

/// The escape hatch sends once: a 503 that the client would retry (with `Retry-After:
/// 0`, 3 retries by default) reaches the server once.
#[tokio::test]
async fn the_escape_hatch_sends_a_503_once() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|_, _| {
            Action::json(503, r#"{"error":"down"}"#).with_header("retry-after", "0")
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&server.base_url)
            .build()
            .unwrap();
        let error = client.generated().list_api_tokens().await.unwrap_err();
        assert_eq!(
            error.status(),
            Some(StatusCode::SERVICE_UNAVAILABLE),
            "{error:?}"
        );
        assert_eq!(server.received().len(), 1);
        // The same client's own call is retried.
        client.list_api_tokens().await.unwrap_err();
        assert_eq!(server.received().len(), 5);
    })
    .await;
}

/// The escape hatch reads no more than `max_response_size`, whether the answer declares
/// a larger length or its body runs past the limit until the connection closes; it
/// fails with one of progenitor's errors and does not send the request again.
#[tokio::test]
async fn the_escape_hatch_reads_no_more_than_the_answer_limit() {
    bounded(LIMIT, async {
        for server in &common::oversized_answers().await {
            let client = Client::builder()
                .token(TOKEN)
                .base_url(&server.base_url)
                .max_response_size(1024)
                .build()
                .unwrap();
            let error = client.generated().list_api_tokens().await.unwrap_err();
            assert!(
                matches!(
                    error,
                    turso_platform::generated::Error::ResponseBodyError(_)
                ),
                "{error:?}"
            );
            assert_eq!(server.received().len(), 1);
            // The same answer within the limit decodes.
            let roomy = Client::builder()
                .token(TOKEN)
                .base_url(&server.base_url)
                .build()
                .unwrap();
            roomy.generated().list_api_tokens().await.unwrap();
            assert_eq!(server.received().len(), 2);
        }
    })
    .await;
}
