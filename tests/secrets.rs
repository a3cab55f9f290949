//! A sweep of everything printable for leaked tokens: `Debug` and `Display` of every type
//! that holds or touched a secret, every kind of error, and every tracing line.
//!
//! Alone in its test binary because it installs the global tracing subscriber.

mod common;

use std::time::Duration;

use common::{
    Action, Captured, JWT, MINTED, Received, ScriptedServer, TOKEN, bounded, client, minted_json,
};
use turso_platform::{ApiTokenOptions, Client, EncryptionCipher, NewDatabase, TokenOptions};

const LIMIT: Duration = Duration::from_secs(30);
/// The encryption key of a new database.
const ENCRYPTION_KEY: &str = "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItYWVnaXM=";

/// Every `Debug` and `Display` of what holds or touched a secret, and every tracing line,
/// is free of the client's token, minted API tokens, database JWTs and encryption keys.
#[tokio::test]
async fn no_token_is_ever_printed_or_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    bounded(LIMIT, async {
        let mut printed = Vec::new();
        let good = ScriptedServer::start(|_, r: &Received| {
            if r.target.starts_with("/v1/auth/api-tokens/") {
                minted_json()
            } else {
                Action::json(200, &format!(r#"{{"jwt":"{JWT}"}}"#))
            }
        })
        .await;
        let client = client(&good, 1);
        printed.push(format!("{client:?}"));
        printed.push(format!("{:?}", client.generated()));
        printed.push(format!("{:?}", Client::builder().token(TOKEN)));
        let created = client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
        printed.push(format!("{created:?}"));
        let token = client
            .create_database_token("o", "d", &TokenOptions::new())
            .await
            .unwrap();
        printed.push(format!("{token:?}"));
        let raw = client
            .generated()
            .create_database_token("o", "d", None, None, &Default::default())
            .await
            .unwrap();
        printed.push(format!("{raw:?}"));

        // Failures of every kind, including answers that quote the secrets back.
        let echo = ScriptedServer::start(|i, _| match i % 6 {
            0 => Action::json(
                200,
                &format!(r#"{{"id":"1","name":"ci","token":"{MINTED}""#),
            ),
            1 => Action::json(200, &format!(r#"{{"jwt": 5, "x": "{JWT}"}}"#)),
            2 => Action::json(201, &format!(r#"{{"jwt":"{JWT}"}}"#)),
            3 => Action::json(
                401,
                r#"{"error":"token contains an invalid number of segments"}"#,
            ),
            4 => Action::Hang,
            _ => Action::RawThenClose(b"HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n{".to_vec()),
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&echo.base_url)
            .timeout(Duration::from_millis(300))
            .max_retries(0)
            .build()
            .unwrap();
        let none = TokenOptions::new();
        let errors = [
            client
                .create_api_token("ci", &ApiTokenOptions::new())
                .await
                .map(drop),
            client
                .create_database_token("o", "d", &none)
                .await
                .map(drop),
            client.create_group_token("o", "g", &none).await.map(drop),
            client.list_api_tokens().await.map(drop),
            client.validate_api_token().await.map(drop),
            client.current_user().await.map(drop),
        ];
        for error in errors {
            let error = error.unwrap_err();
            printed.push(format!("{error}"));
            printed.push(format!("{error:?}"));
            printed.push(format!("{error:#}"));
        }
        printed.push(format!(
            "{:?}",
            Client::new(format!("{TOKEN}\n")).unwrap_err()
        ));

        // The encryption key of a new database, a secret the client sends: not in the
        // builder, nor in the errors of a create that fails in each way (unknown outcome,
        // refusal, timeout), nor in the logs of its attempts.
        let refusing = ScriptedServer::start(|i, _| match i {
            0 => Action::json(502, r#"{"error":"bad gateway"}"#),
            1 => Action::json(400, r#"{"error":"invalid encryption key"}"#),
            _ => Action::Hang,
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&refusing.base_url)
            .timeout(Duration::from_millis(300))
            .max_retries(0)
            .build()
            .unwrap();
        let encrypted = NewDatabase::new("vault", "default")
            .encryption(EncryptionCipher::Aegis256, ENCRYPTION_KEY);
        printed.push(format!("{encrypted:?}"));
        for _ in 0..3 {
            let error = client.create_database("o", &encrypted).await.unwrap_err();
            printed.push(format!("{error}"));
            printed.push(format!("{error:?}"));
            printed.push(format!("{error:#}"));
        }
        assert_eq!(refusing.received_count(), 3);

        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            logs.contains("operation=\"createAPIToken\""),
            "the spans name the operation: {logs}"
        );
        printed.push(logs);
        for text in printed {
            for secret in [TOKEN, MINTED, JWT, "minted-jwt-signature", ENCRYPTION_KEY] {
                assert!(!text.contains(secret), "{secret} leaked in: {text}");
            }
        }
    })
    .await;
}
