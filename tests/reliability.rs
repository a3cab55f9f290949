//! Faults injected by a scripted loopback server: retries that never duplicate a mint,
//! timeouts, dropped connections, bad bodies, redirects, and connection reuse.

mod common;

use std::time::{Duration, Instant};

use common::{Action, JWT, MINTED, ScriptedServer, TOKEN, bounded, client, minted_json};
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Client, Error, StatusCode, TokenOptions};

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
