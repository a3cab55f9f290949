//! Every operation against httpmock: what is sent (method, path, query, headers, body),
//! how each documented answer is decoded, and how each error status is mapped.

use crate::common;

use std::time::{Duration, UNIX_EPOCH};

use common::mock::{self, common_headers, no_body};
use common::{TOKEN, bounded};
use httpmock::prelude::*;
use serde_json::json;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, Authorization, Client, Error, Expiration, Scope, StatusCode, TokenOptions,
};

const LIMIT: Duration = Duration::from_secs(20);
const JWT: &str = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJhIjoicm8iLCJleHAiOjE3NjcyMjU2MDAsImlhdCI6MTcxNjI0OTYwMH0.c2lnbmF0dXJl";

#[tokio::test]
async fn list_api_tokens_sends_a_get_and_decodes_the_tokens() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(when.method(GET).path("/v1/auth/api-tokens")));
                then.status(200).json_body(json!({"tokens": [
                    {"id": "SYzcpe3jEe2We-rqOx4wmQ", "name": "token1"},
                    {"id": "clGFZ4STEe6fljpFzIum8A", "name": "ci-bot", "organization": "my-org",
                     "group": "default", "scopes": ["read"], "created_at": "2026-05-21",
                     "some_new_field": true}
                ]}));
            })
            .await;
        let tokens = mock::client(&server).list_api_tokens().await.unwrap();
        mock.assert_async().await;
        assert_eq!(tokens.len(), 2);
        assert_eq!(
            (tokens[0].id.as_str(), tokens[0].name.as_str()),
            ("SYzcpe3jEe2We-rqOx4wmQ", "token1")
        );
        assert_eq!(tokens[0].organization, None);
        assert_eq!(tokens[1].organization.as_deref(), Some("my-org"));
        assert_eq!(tokens[1].group.as_deref(), Some("default"));
        assert_eq!(tokens[1].scopes, ["read"]);
        assert_eq!(tokens[1].created_at.as_deref(), Some("2026-05-21"));
    })
    .await;
}

#[tokio::test]
async fn an_unrestricted_mint_sends_no_body() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST).path("/v1/auth/api-tokens/ci-bot"),
                ));
                then.status(200).json_body(json!({
                    "id": "clGFZ4STEe6fljpFzIum8A", "name": "ci-bot", "token": "secret-api-token"
                }));
            })
            .await;
        let created = mock::client(&server)
            .create_api_token("ci-bot", &ApiTokenOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(created.id, "clGFZ4STEe6fljpFzIum8A");
        assert_eq!(created.name, "ci-bot");
        assert_eq!(created.token.expose_secret(), "secret-api-token");
        assert!(!format!("{created:?}").contains("secret-api-token"));
    })
    .await;
}

#[tokio::test]
async fn scoped_mints_send_exactly_the_options() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let org = server
            .mock_async(|when, then| {
                common_headers(when.method(POST).path("/v1/auth/api-tokens/org-token"))
                    .header("content-type", "application/json")
                    .json_body(json!({"organization": "my-org"}));
                then.status(200)
                    .json_body(json!({"id": "1", "name": "org-token", "token": "t1"}));
            })
            .await;
        let group = server
            .mock_async(|when, then| {
                common_headers(when.method(POST).path("/v1/auth/api-tokens/group-token"))
                    .json_body(json!({
                        "organization": "my-org", "group": "default",
                        "scopes": ["db:create", "db:mint-token", "read-only"]
                    }));
                then.status(200)
                    .json_body(json!({"id": "2", "name": "group-token", "token": "t2"}));
            })
            .await;
        let client = mock::client(&server);
        let created = client
            .create_api_token("org-token", &ApiTokenOptions::new().organization("my-org"))
            .await
            .unwrap();
        assert_eq!(created.token.expose_secret(), "t1");
        let options = ApiTokenOptions::new()
            .organization("my-org")
            .group("default")
            .scopes([Scope::DbCreate, Scope::DbMintToken, Scope::ReadOnly]);
        let created = client
            .create_api_token("group-token", &options)
            .await
            .unwrap();
        assert_eq!(created.token.expose_secret(), "t2");
        org.assert_async().await;
        group.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn revoke_api_token_sends_a_delete_and_returns_the_name() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(DELETE).path("/v1/auth/api-tokens/ci-bot"),
                ));
                then.status(200).json_body(json!({"token": "ci-bot"}));
            })
            .await;
        assert_eq!(
            mock::client(&server)
                .revoke_api_token("ci-bot")
                .await
                .unwrap(),
            "ci-bot"
        );
        mock.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn validate_reads_minus_one_as_never_and_other_values_as_times() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let never = server
            .mock_async(|when, then| {
                common_headers(no_body(when.method(GET).path("/v1/auth/validate")))
                    .header("authorization", format!("Bearer {TOKEN}"));
                then.status(200).json_body(json!({"exp": -1}));
            })
            .await;
        let validity = mock::client(&server).validate_api_token().await.unwrap();
        assert_eq!(validity.expires_at, None);
        never.assert_async().await;
        never.delete_async().await;

        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/auth/validate");
                then.status(200).json_body(json!({"exp": 1_767_225_600}));
            })
            .await;
        let validity = mock::client(&server).validate_api_token().await.unwrap();
        assert_eq!(
            validity.expires_at,
            Some(UNIX_EPOCH + Duration::from_secs(1_767_225_600))
        );
    })
    .await;
}

#[tokio::test]
async fn current_user_decodes_every_documented_field() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(when.method(GET).path("/v1/user")));
                then.status(200).json_body(json!({"user": {
                    "username": "iku", "name": "Iku Turso", "email": "iku@turso.tech",
                    "avatarUrl": "https://avatars.githubusercontent.com/u/12345",
                    "plan": "scaler", "mfa": true, "has_pending_invites": false
                }}));
            })
            .await;
        let user = mock::client(&server).current_user().await.unwrap();
        mock.assert_async().await;
        assert_eq!(user.username, "iku");
        assert_eq!(user.name.as_deref(), Some("Iku Turso"));
        assert_eq!(user.email.as_deref(), Some("iku@turso.tech"));
        assert_eq!(
            user.avatar_url.as_deref(),
            Some("https://avatars.githubusercontent.com/u/12345")
        );
        assert_eq!(user.plan.as_deref(), Some("scaler"));
        assert_eq!(
            (user.mfa, user.has_pending_invites),
            (Some(true), Some(false))
        );
    })
    .await;
}

#[tokio::test]
async fn organization_tokens_are_listed_and_revoked_by_id() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let list = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(GET).path("/v1/organizations/my-org/api-tokens"),
                ));
                then.status(200).json_body(json!({"tokens": [{
                    "id": "clGFZ4STEe6fljpFzIum8A", "name": "ci-bot", "organization": "my-org",
                    "group": "default", "scopes": ["db:create"],
                    "owner": {"username": "alice", "email": "alice@example.com"},
                    "created_at": "2026-05-21"
                }]}));
            })
            .await;
        let revoke = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(DELETE)
                        .path("/v1/organizations/my-org/api-tokens/clGFZ4STEe6fljpFzIum8A"),
                ));
                then.status(200)
                    .json_body(json!({"token": "clGFZ4STEe6fljpFzIum8A"}));
            })
            .await;
        let client = mock::client(&server);
        let tokens = client.list_organization_api_tokens("my-org").await.unwrap();
        assert_eq!(tokens.len(), 1);
        let owner = tokens[0].owner.as_ref().unwrap();
        assert_eq!(owner.username.as_deref(), Some("alice"));
        assert_eq!(tokens[0].scopes, ["db:create"]);
        let id = client
            .revoke_organization_api_token("my-org", &tokens[0].id)
            .await
            .unwrap();
        assert_eq!(id, "clGFZ4STEe6fljpFzIum8A");
        list.assert_async().await;
        revoke.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn a_database_token_with_default_options_sends_no_query_and_no_body() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/databases/my-db/auth/tokens")
                        .query_param_missing("expiration")
                        .query_param_missing("authorization"),
                ));
                then.status(200).json_body(json!({"jwt": JWT}));
            })
            .await;
        let token = mock::client(&server)
            .create_database_token("my-org", "my-db", &TokenOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(token.jwt.expose_secret(), JWT);
        assert_eq!(
            token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_767_225_600))
        );
        assert!(!format!("{token:?}").contains(JWT));
    })
    .await;
}

#[tokio::test]
async fn the_generated_client_sends_no_body_for_default_mint_options_either() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/default/auth/tokens")
                        .query_param("expiration", "1d")
                        .query_param_missing("authorization"),
                ));
                then.status(200).json_body(json!({"jwt": JWT}));
            })
            .await;
        let expiration = "1d".parse::<Expiration>().unwrap();
        let body = Default::default();
        let answer = mock::client(&server)
            .generated()
            .create_group_token("my-org", "default", None, Some(&expiration), &body)
            .await
            .unwrap();
        mock.assert_async().await;
        let jwt = answer.into_inner().jwt.into_secret();
        assert_eq!(jwt.expose_secret(), JWT);
    })
    .await;
}

#[tokio::test]
async fn a_database_token_with_options_sends_them_in_the_query_and_body() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(
                    when.method(POST)
                        .path("/v1/organizations/my-org/databases/my-db/auth/tokens")
                        .query_param("expiration", "2w1d30m")
                        .query_param("authorization", "read-only")
                        .header("content-type", "application/json")
                        .json_body(
                            json!({"permissions": {"read_attach": {"databases": ["ref-data"]}}}),
                        ),
                );
                then.status(200).json_body(json!({"jwt": "a.b.c"}));
            })
            .await;
        let options = TokenOptions::new()
            .expiration("2w1d30m".parse::<Expiration>().unwrap())
            .authorization(Authorization::ReadOnly)
            .read_attach(["ref-data"]);
        let token = mock::client(&server)
            .create_database_token("my-org", "my-db", &options)
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(token.jwt.expose_secret(), "a.b.c");
        assert_eq!(token.expires_at(), None);
    })
    .await;
}

#[tokio::test]
async fn never_and_full_access_are_sent_when_asked_for() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                no_body(
                    when.method(POST)
                        .path("/v1/organizations/o/groups/g/auth/tokens")
                        .query_param("expiration", "never")
                        .query_param("authorization", "full-access"),
                );
                then.status(200).json_body(json!({"jwt": "a.b.c"}));
            })
            .await;
        let options = TokenOptions::new()
            .expiration(Expiration::Never)
            .authorization(Authorization::FullAccess);
        mock::client(&server)
            .create_group_token("o", "g", &options)
            .await
            .unwrap();
        mock.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn group_tokens_are_minted_and_invalidated() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mint = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/default/auth/tokens")
                        .query_param("expiration", "1h30m"),
                ));
                then.status(200).json_body(json!({"jwt": JWT}));
            })
            .await;
        let rotate = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/default/auth/rotate"),
                ));
                then.status(200);
            })
            .await;
        let client = mock::client(&server);
        let options =
            TokenOptions::new().expiration(Expiration::after(Duration::from_secs(5400)).unwrap());
        let token = client
            .create_group_token("my-org", "default", &options)
            .await
            .unwrap();
        assert_eq!(token.jwt.expose_secret(), JWT);
        client
            .invalidate_group_tokens("my-org", "default")
            .await
            .unwrap();
        mint.assert_async().await;
        rotate.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn invalidate_database_tokens_accepts_an_empty_200() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/databases/my-db/auth/rotate"),
                ));
                then.status(200);
            })
            .await;
        mock::client(&server)
            .invalidate_database_tokens("my-org", "my-db")
            .await
            .unwrap();
        mock.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn names_are_percent_encoded_into_one_path_segment() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST).path(
                    "/v1/organizations/a%20b%3Bc%3D/databases/d%3Fe%23f%25%C3%A9/auth/rotate",
                );
                then.status(200);
            })
            .await;
        mock::client(&server)
            .invalidate_database_tokens("a b;c=", "d?e#f%é")
            .await
            .unwrap();
        mock.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_gives_the_same_paths() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/user");
                then.status(200)
                    .json_body(json!({"user": {"username": "iku"}}));
            })
            .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(format!("{}/", server.base_url()))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), server.base_url());
        assert_eq!(client.current_user().await.unwrap().username, "iku");
        mock.assert_async().await;
    })
    .await;
}

/// Answers every request with `status` and `body` and returns what `call` made of it.
async fn answer_with(status: u16, content_type: &str, body: &str) -> Error {
    let server = MockServer::start_async().await;
    let (content_type, body) = (content_type.to_owned(), body.to_owned());
    server
        .mock_async(move |when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
    mock::client(&server).current_user().await.unwrap_err()
}

#[tokio::test]
async fn every_documented_error_status_maps_to_api_with_message_and_code() {
    bounded(LIMIT, async {
        for status in [400, 401, 402, 403, 404, 409, 429, 500, 502, 503, 504] {
            let server = MockServer::start_async().await;
            mock::fail_everything(&server, status).await;
            let client = mock::client(&server);
            let errors = [
                ("listAPITokens", client.list_api_tokens().await.unwrap_err()),
                (
                    "validateAPIToken",
                    client.validate_api_token().await.unwrap_err(),
                ),
                (
                    "invalidateGroupTokens",
                    client.invalidate_group_tokens("o", "g").await.unwrap_err(),
                ),
                (
                    "createDatabaseToken",
                    client
                        .create_database_token("o", "d", &TokenOptions::new())
                        .await
                        .unwrap_err(),
                ),
            ];
            for (operation, error) in &errors {
                mock::assert_api_failure(operation, status, error, error);
                assert!(!error.is_timeout());
            }
        }
    })
    .await;
}

#[tokio::test]
async fn an_error_body_without_code_maps_to_none() {
    bounded(LIMIT, async {
        let error = answer_with(
            404,
            "application/json",
            r#"{"error":"could not find database with name x: record not found"}"#,
        )
        .await;
        assert!(matches!(
            error,
            Error::Api { status: StatusCode::NOT_FOUND, ref message, code: None, .. }
                if message == "could not find database with name x: record not found"
        ));
    })
    .await;
}

#[tokio::test]
async fn a_non_json_error_body_keeps_its_status() {
    bounded(LIMIT, async {
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        match answer_with(502, "text/html", html).await {
            Error::UnexpectedResponse { status, body, .. } => {
                assert_eq!(status, StatusCode::BAD_GATEWAY);
                assert_eq!(body, html);
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
        for (status, body) in [(401, "Unauthorized"), (500, ""), (429, "{\"error\": 5}")] {
            let error = answer_with(status, "text/plain", body).await;
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{body}");
            assert!(matches!(error, Error::UnexpectedResponse { .. }), "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_malformed_success_body_is_an_unexpected_200() {
    bounded(LIMIT, async {
        for body in [
            "",
            "null",
            "{\"user\": {}}",
            "{\"user\": {\"username\": 5}}",
            "<html>",
        ] {
            match answer_with(200, "application/json", body).await {
                Error::UnexpectedResponse {
                    status,
                    body: kept,
                    reason,
                    ..
                } => {
                    assert_eq!(status, StatusCode::OK);
                    assert_eq!(kept, body);
                    assert!(reason.contains("JSON"), "{reason}");
                }
                other => panic!("{body:?}: expected UnexpectedResponse, got {other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn undocumented_statuses_and_redirects_are_unexpected_responses() {
    bounded(LIMIT, async {
        let error = answer_with(418, "text/plain", "teapot").await;
        assert!(matches!(
            error,
            Error::UnexpectedResponse { status: StatusCode::IM_A_TEAPOT, ref body, .. } if body == "teapot"
        ));

        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.any_request();
                then.status(302).header("location", "https://example.com/elsewhere");
            })
            .await;
        match mock::client(&server).list_api_tokens().await.unwrap_err() {
            Error::UnexpectedResponse { status, reason, .. } => {
                assert_eq!(status, StatusCode::FOUND);
                assert!(reason.contains("redirect"), "{reason}");
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn unexpected_bodies_are_cut_to_one_kib() {
    bounded(LIMIT, async {
        let long = "x".repeat(100_000);
        for status in [200, 418, 502] {
            match answer_with(status, "text/plain", &long).await {
                Error::UnexpectedResponse { body, .. } => assert_eq!(body.len(), 1024),
                other => panic!("expected UnexpectedResponse, got {other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_malformed_successful_mint_is_never_quoted() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200)
                    .header("content-type", "application/json")
                    .body(r#"{"jwt": "eyJ-secret-jwt", "extra": "#);
            })
            .await;
        let error = mock::client(&server)
            .create_database_token("o", "d", &TokenOptions::new())
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::OK));
        for shown in [format!("{error}"), format!("{error:?}")] {
            assert!(!shown.contains("eyJ-secret-jwt"), "{shown}");
        }
    })
    .await;
}

#[tokio::test]
async fn blank_names_are_refused_and_nothing_is_sent() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).json_body(json!({}));
            })
            .await;
        let client = mock::client(&server);
        let none = TokenOptions::new();
        let results = [
            client
                .create_api_token("", &ApiTokenOptions::new())
                .await
                .map(drop),
            client
                .create_api_token("  ", &ApiTokenOptions::new())
                .await
                .map(drop),
            client.revoke_api_token("").await.map(drop),
            client.list_organization_api_tokens(" ").await.map(drop),
            client
                .revoke_organization_api_token("", "id")
                .await
                .map(drop),
            client
                .revoke_organization_api_token("org", "\t")
                .await
                .map(drop),
            client
                .create_database_token("", "db", &none)
                .await
                .map(drop),
            client
                .create_database_token("org", "", &none)
                .await
                .map(drop),
            client
                .invalidate_database_tokens("org", " ")
                .await
                .map(drop),
            client.create_group_token("org", "", &none).await.map(drop),
            client.invalidate_group_tokens("", "g").await.map(drop),
            client
                .create_api_token(
                    "t",
                    &ApiTokenOptions::new().group("g").scopes([Scope::Read]),
                )
                .await
                .map(drop),
            client
                .create_api_token("t", &ApiTokenOptions::new().organization("o").group("g"))
                .await
                .map(drop),
            client
                .create_database_token(
                    "org",
                    "db",
                    &TokenOptions::new().expiration(Expiration::After(Duration::ZERO)),
                )
                .await
                .map(drop),
            client
                .create_group_token(
                    "org",
                    "g",
                    &TokenOptions::new().expiration(Expiration::After(Duration::MAX)),
                )
                .await
                .map(drop),
        ];
        for (i, result) in results.into_iter().enumerate() {
            assert!(
                matches!(result, Err(Error::InvalidArgument(_))),
                "case {i}: {result:?}"
            );
        }
        assert_eq!(any.calls_async().await, 0);
    })
    .await;
}

#[test]
fn tokens_that_cannot_be_sent_are_refused() {
    for token in [
        "",
        "   ",
        "zq\nzq",
        "zq\rzq",
        "zqzq\n",
        " zqzq",
        "zq\0zq",
        "zq\u{7f}zq",
    ] {
        match Client::new(token) {
            Err(Error::InvalidArgument(message)) => assert!(!message.contains("zq"), "{message}"),
            other => panic!("{token:?}: expected InvalidArgument, got {other:?}"),
        }
    }
    let missing = Client::builder().build().unwrap_err();
    assert!(missing.to_string().contains(".token("), "{missing}");
}

#[test]
fn debug_never_shows_the_token() {
    let builder = Client::builder().token("super-secret-token");
    assert!(!format!("{builder:?}").contains("super-secret-token"));
    let client = builder.build().unwrap();
    let shown = format!("{client:?} {:?}", client.generated());
    assert!(!shown.contains("super-secret-token"), "{shown}");
    assert!(shown.contains("api.turso.tech"));
}

#[test]
fn a_timeout_of_zero_is_refused() {
    let result = Client::builder().token("t").timeout(Duration::ZERO).build();
    assert!(matches!(result, Err(Error::InvalidArgument(_))));
}

#[tokio::test]
async fn the_escape_hatch_sends_through_the_same_client() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(when.method(GET).path("/v1/auth/validate"));
                then.status(200).json_body(json!({"exp": -1}));
            })
            .await;
        let answer = mock::client(&server)
            .generated()
            .validate_api_token()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.exp, -1);
        mock.assert_async().await;
    })
    .await;
}

/// What applications need to spawn calls and to box errors: `Send` futures, a `Send +
/// Sync` client and a `Send + Sync + 'static` error.
#[test]
fn clients_futures_and_errors_cross_threads() {
    fn send<T: Send>(_: T) {}
    fn shared<T: Send + Sync + Clone + 'static>() {}
    fn boxable<T: std::error::Error + Send + Sync + 'static>() {}
    shared::<Client>();
    boxable::<Error>();
    boxable::<turso_platform::ExpirationError>();
    boxable::<turso_platform::UnknownValueError>();

    let client = Client::new(TOKEN).unwrap();
    let (none, api) = (TokenOptions::new(), ApiTokenOptions::new());
    send(client.list_api_tokens());
    send(client.create_api_token("t", &api));
    send(client.revoke_api_token("t"));
    send(client.validate_api_token());
    send(client.current_user());
    send(client.list_organization_api_tokens("o"));
    send(client.revoke_organization_api_token("o", "i"));
    send(client.create_database_token("o", "d", &none));
    send(client.invalidate_database_tokens("o", "d"));
    send(client.create_group_token("o", "g", &none));
    send(client.invalidate_group_tokens("o", "g"));
}

/// A call's future is small (the generated future, a few KiB, is boxed as soon as it is
/// made), so that applications can hold and move many: under 1 KiB for every kind of
/// call, reads, mints and creates.
#[test]
fn a_call_s_future_is_small() {
    let client = Client::new(TOKEN).unwrap();
    let (none, api) = (TokenOptions::new(), ApiTokenOptions::new());
    let new_database = turso_platform::NewDatabase::new("d", "default");
    let sizes = [
        std::mem::size_of_val(&client.list_api_tokens()),
        std::mem::size_of_val(&client.create_api_token("t", &api)),
        std::mem::size_of_val(&client.create_database_token("o", "d", &none)),
        std::mem::size_of_val(&client.create_database("o", &new_database)),
        std::mem::size_of_val(&client.list_organization_members("o")),
    ];
    for size in sizes {
        assert!(size <= 1024, "{sizes:?} bytes");
    }
}
