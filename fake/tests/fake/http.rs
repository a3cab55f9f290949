//! The fake Turso Platform API (`turso_platform_fake`) at the HTTP level: what the
//! client never sends (no or malformed bearer tokens, bodies without a content type,
//! invalid bodies and query values, unknown paths and methods), and the standalone
//! `turso-platform-fake` binary.
//!
//! Everything here talks to 127.0.0.1 only, and every test bounds its own time.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use turso_platform::reqwest;
use turso_platform::reqwest::header::CONTENT_TYPE;
use turso_platform::reqwest::{Method, StatusCode};
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Authorization, Expiration, TokenOptions};
use turso_platform_fake::FakeTurso;

use crate::common::Running;

/// Runs a test body, failing it if it takes longer than 20 s.
async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), test)
        .await
        .expect("the test did not finish within 20 s")
}

/// A plain HTTP client for loopback.
fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Every operation of the spec, as (method, path) on the fake's seeded names.
const OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/v1/auth/api-tokens"),
    ("POST", "/v1/auth/api-tokens/new-token"),
    ("DELETE", "/v1/auth/api-tokens/fake-token"),
    ("GET", "/v1/auth/validate"),
    ("GET", "/v1/user"),
    ("GET", "/v1/organizations/fake-org/api-tokens"),
    ("DELETE", "/v1/organizations/fake-org/api-tokens/some-id"),
    (
        "POST",
        "/v1/organizations/fake-org/databases/fake-db/auth/tokens",
    ),
    (
        "POST",
        "/v1/organizations/fake-org/databases/fake-db/auth/rotate",
    ),
    (
        "POST",
        "/v1/organizations/fake-org/groups/default/auth/tokens",
    ),
    (
        "POST",
        "/v1/organizations/fake-org/groups/default/auth/rotate",
    ),
    ("GET", "/v1/locations"),
    ("GET", "/v1/organizations/fake-org/databases"),
    ("POST", "/v1/organizations/fake-org/databases"),
    ("GET", "/v1/organizations/fake-org/databases/fake-db"),
    ("DELETE", "/v1/organizations/fake-org/databases/fake-db"),
    (
        "GET",
        "/v1/organizations/fake-org/databases/fake-db/configuration",
    ),
    (
        "PATCH",
        "/v1/organizations/fake-org/databases/fake-db/configuration",
    ),
    (
        "GET",
        "/v1/organizations/fake-org/databases/fake-db/instances",
    ),
    (
        "GET",
        "/v1/organizations/fake-org/databases/fake-db/instances/aws-us-east-1",
    ),
    ("GET", "/v1/organizations/fake-org/databases/fake-db/usage"),
    ("GET", "/v1/organizations/fake-org/databases/fake-db/stats"),
    ("GET", "/v1/organizations/fake-org/groups"),
    ("POST", "/v1/organizations/fake-org/groups"),
    ("GET", "/v1/organizations/fake-org/groups/default"),
    ("DELETE", "/v1/organizations/fake-org/groups/default"),
    (
        "GET",
        "/v1/organizations/fake-org/groups/default/configuration",
    ),
    (
        "PATCH",
        "/v1/organizations/fake-org/groups/default/configuration",
    ),
    ("POST", "/v1/organizations/fake-org/groups/default/transfer"),
    (
        "POST",
        "/v1/organizations/fake-org/groups/default/unarchive",
    ),
    (
        "POST",
        "/v1/organizations/fake-org/groups/default/locations/aws-eu-west-1",
    ),
    (
        "DELETE",
        "/v1/organizations/fake-org/groups/default/locations/aws-eu-west-1",
    ),
    ("POST", "/v1/organizations/fake-org/groups/default/update"),
    ("GET", "/v1/organizations"),
    ("GET", "/v1/organizations/fake-org"),
    ("PATCH", "/v1/organizations/fake-org"),
    ("GET", "/v1/organizations/fake-org/plans"),
    ("GET", "/v1/organizations/fake-org/invoices"),
    ("GET", "/v1/organizations/fake-org/subscription"),
    ("GET", "/v1/organizations/fake-org/usage"),
    ("GET", "/v1/organizations/fake-org/members"),
    ("POST", "/v1/organizations/fake-org/members"),
    ("GET", "/v1/organizations/fake-org/members/fake-user"),
    ("PATCH", "/v1/organizations/fake-org/members/fake-user"),
    ("DELETE", "/v1/organizations/fake-org/members/fake-user"),
    ("GET", "/v2/organizations/fake-org/invites"),
    ("POST", "/v2/organizations/fake-org/invites"),
    (
        "DELETE",
        "/v2/organizations/fake-org/invites/ana@example.com",
    ),
    ("GET", "/v1/organizations/fake-org/audit-logs"),
];

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap()
}

/// Sends a request to the fake with an optional bearer token.
async fn send(
    http: &reqwest::Client,
    fake: &FakeTurso,
    method: Method,
    path: &str,
    bearer: Option<&str>,
) -> reqwest::Response {
    let mut request = http.request(method, format!("{}{path}", fake.base_url()));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The status and `error` message of an answer, checking that it is the spec's `Error`
/// body: JSON, an object with a string `error` and nothing but `error` and `code`.
async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        Some("application/json"),
        "HTTP {status}"
    );
    let body: Value = response.json().await.unwrap();
    let object = body.as_object().expect("an object");
    assert!(object.keys().all(|k| k == "error" || k == "code"), "{body}");
    (
        status,
        body["error"].as_str().expect("a string error").to_owned(),
    )
}

/// The decoded claims of a JWT.
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn every_operation_refuses_a_missing_malformed_or_foreign_token_with_401() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let other = FakeTurso::start().await.unwrap();
        let database_token = fake
            .client()
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        let database_jwt = database_token.jwt.expose_secret();
        let forged = {
            let parts: Vec<&str> = fake.token().split('.').collect();
            let claims = URL_SAFE_NO_PAD.encode(r#"{"iat":1,"jti":"x","sub":"fake-user"}"#);
            format!("{}.{claims}.{}", parts[0], parts[2])
        };

        for &(name, path) in OPERATIONS {
            let (status, _) = error_of(send(&http, &fake, method(name), path, None).await).await;
            assert_eq!(status, 401, "{name} {path} without a token");

            let (status, message) =
                error_of(send(&http, &fake, method(name), path, Some("abc")).await).await;
            assert_eq!(
                (status, message.as_str()),
                (401, "token contains an invalid number of segments"),
                "{name} {path}"
            );
            for bad in [
                "a.b.c",
                "a.b.c.d",
                other.token(),
                database_jwt,
                forged.as_str(),
            ] {
                let (status, _) =
                    error_of(send(&http, &fake, method(name), path, Some(bad)).await).await;
                assert_eq!(status, 401, "{name} {path} with {bad:.10}...");
            }
            let basic = http
                .request(method(name), format!("{}{path}", fake.base_url()))
                .header("Authorization", format!("Basic {}", fake.token()))
                .send()
                .await
                .unwrap();
            assert_eq!(error_of(basic).await.0, 401, "{name} {path} with Basic");
        }
        // Nothing was done by the refused requests.
        assert_eq!(fake.client().list_api_tokens().await.unwrap().len(), 1);
        assert!(fake.database_token_is_valid("fake-org", "fake-db", database_jwt));
    })
    .await
}

/// A valid body for the operations that need one, so that a refusal is about the caller.
fn valid_body(method: &str, path: &str) -> Option<&'static str> {
    let last = path.rsplit('/').next().unwrap_or_default();
    match (method, last) {
        ("POST", "databases") => Some(r#"{"name":"new-db","group":"default"}"#),
        ("POST", "groups") => Some(r#"{"name":"eu","location":"aws-eu-west-1"}"#),
        ("POST", "transfer") => Some(r#"{"organization":"ana"}"#),
        ("POST", "members") => Some(r#"{"username":"ana"}"#),
        ("POST", "invites") => Some(r#"{"email":"ana@example.com"}"#),
        ("PATCH", "fake-user") => Some(r#"{"role":"viewer"}"#),
        ("PATCH", _) => Some("{}"),
        _ => None,
    }
}

#[tokio::test]
async fn every_organization_operation_answers_403_to_a_user_who_is_not_a_member() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let ana = fake.add_user("ana").unwrap();
        let organization_paths = OPERATIONS
            .iter()
            .filter(|(_, path)| path.contains("/organizations/fake-org"));
        let mut checked = 0;
        for &(name, path) in organization_paths {
            let mut request = http
                .request(method(name), format!("{}{path}", fake.base_url()))
                .bearer_auth(ana.expose_secret());
            if let Some(body) = valid_body(name, path) {
                request = request.header(CONTENT_TYPE, "application/json").body(body);
            }
            let (status, message) = error_of(request.send().await.unwrap()).await;
            assert_eq!(
                (status, message.as_str()),
                (403, "you are not a member of organization fake-org: ask one of its admins to add you"),
                "{name} {path}"
            );
            checked += 1;
        }
        assert_eq!(checked, 42, "every operation on an organization");
        // Nothing was done: the log of fake-org is empty.
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_the_error_body() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let token = Some(fake.token());
        for path in [
            "/",
            "/v1",
            "/v2/user",
            "/v1/users",
            "/v1/user/",
            "/v1/auth/api-tokens/a/b",
            "/v1/organizations/fake-org/databases/fake-db/nope",
            "/v1/organizations/fake-org/databases/fake-db/auth/tokens/x",
            "/v1/organizations/fake-org/groups/default/locations",
            "/v1/locations/aws-us-east-1/x",
        ] {
            for name in ["GET", "POST", "DELETE"] {
                for bearer in [token, None] {
                    let (status, message) =
                        error_of(send(&http, &fake, method(name), path, bearer).await).await;
                    assert_eq!(status, 404, "{name} {path}: {message}");
                }
            }
        }

        for (name, path, allow) in [
            ("POST", "/v1/user", "GET,HEAD"),
            ("DELETE", "/v1/auth/validate", "GET,HEAD"),
            ("PUT", "/v1/auth/api-tokens", "GET,HEAD"),
            ("GET", "/v1/auth/api-tokens/fake-token", "POST,DELETE"),
            ("PATCH", "/v1/organizations/fake-org/api-tokens/x", "DELETE"),
            (
                "GET",
                "/v1/organizations/fake-org/databases/fake-db/auth/rotate",
                "POST",
            ),
            (
                "DELETE",
                "/v1/organizations/fake-org/groups/default/auth/tokens",
                "POST",
            ),
        ] {
            let response = send(&http, &fake, method(name), path, token).await;
            let allowed = response.headers().get("allow").cloned();
            let (status, message) = error_of(response).await;
            assert_eq!(status, 405, "{name} {path}: {message}");
            let allowed = allowed.expect("an Allow header");
            let mut got: Vec<&str> = allowed.to_str().unwrap().split(',').collect();
            let mut want: Vec<&str> = allow.split(',').collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{name} {path}");
        }
        // A path segment that is not UTF-8 names nothing.
        let (status, _) = error_of(
            send(
                &http,
                &fake,
                Method::DELETE,
                "/v1/auth/api-tokens/%FF%FE",
                token,
            )
            .await,
        )
        .await;
        assert_eq!(status, 404);
    })
    .await
}

#[tokio::test]
async fn optional_bodies_are_accepted_without_a_body_or_a_content_type() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let url = |path: &str| format!("{}{path}", fake.base_url());
        let post = |path: &str| http.post(url(path)).bearer_auth(fake.token());

        // createAPIToken: no body, an empty body with a JSON type, a body without a type,
        // a body with another type.
        for (name, request) in [
            ("none", post("/v1/auth/api-tokens/none")),
            (
                "empty",
                post("/v1/auth/api-tokens/empty").header(CONTENT_TYPE, "application/json"),
            ),
            ("braces", post("/v1/auth/api-tokens/braces").body("{}")),
            (
                "untyped",
                post("/v1/auth/api-tokens/untyped").body(r#"{"organization":"fake-org"}"#),
            ),
            (
                "text",
                post("/v1/auth/api-tokens/text")
                    .header(CONTENT_TYPE, "text/plain")
                    .body(r#"{"organization":"fake-org"}"#),
            ),
        ] {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["name"], name);
            assert!(body["token"].as_str().unwrap().split('.').count() == 3);
        }
        let listed = fake.client().list_api_tokens().await.unwrap();
        let organization = |name: &str| {
            listed
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .organization
                .clone()
        };
        assert_eq!(organization("none"), None);
        assert_eq!(organization("empty"), None);
        assert_eq!(organization("braces"), None);
        assert_eq!(organization("untyped").as_deref(), Some("fake-org"));
        assert_eq!(organization("text").as_deref(), Some("fake-org"));

        // createDatabaseToken and createGroupToken: the same.
        for path in [
            "/v1/organizations/fake-org/databases/fake-db/auth/tokens",
            "/v1/organizations/fake-org/groups/default/auth/tokens",
        ] {
            for request in [
                post(path),
                post(path).header(CONTENT_TYPE, "application/json"),
                post(path).body("{}"),
                post(path).body(" \n"),
            ] {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                let body: Value = response.json().await.unwrap();
                assert!(claims(body["jwt"].as_str().unwrap()).get("p").is_none());
            }
            let response = post(path)
                .body(r#"{"permissions":{"read_attach":{"databases":["fake-db"]}}}"#)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let body: Value = response.json().await.unwrap();
            let jwt = body["jwt"].as_str().unwrap();
            assert!(claims(jwt)["p"]["roa"]["ns"].is_array());
            assert!(fake.database_token_is_valid("fake-org", "fake-db", jwt));
        }
    })
    .await
}

#[tokio::test]
async fn invalid_bodies_are_400_with_the_error_body() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let post = |path: &str, body: &'static str| {
            http.post(format!("{}{path}", fake.base_url()))
                .bearer_auth(fake.token())
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
        };

        for (body, expected) in [
            ("{", "invalid request body"),
            ("not json", "invalid request body"),
            ("[]", "JSON object"),
            ("null", "JSON object"),
            ("\"fake-org\"", "JSON object"),
            (r#"{"organization":5}"#, "invalid request body"),
            (
                r#"{"organization":"fake-org","scopes":"read"}"#,
                "invalid request body",
            ),
            (r#"{"group":"default"}"#, "organization"),
            (r#"{"scopes":["read"]}"#, "group"),
            (r#"{"organization":"fake-org","scopes":["read"]}"#, "group"),
            (r#"{"organization":"fake-org","group":"default"}"#, "scope"),
            (
                r#"{"organization":"fake-org","group":"default","scopes":[]}"#,
                "scope",
            ),
            (
                r#"{"organization":"fake-org","group":"default","scopes":["admin"]}"#,
                "unknown scope \"admin\"",
            ),
        ] {
            let (status, message) =
                error_of(post("/v1/auth/api-tokens/t", body).await.unwrap()).await;
            assert_eq!(status, 400, "{body}: {message}");
            assert!(message.contains(expected), "{body}: {message}");
        }
        assert_eq!(
            fake.client().list_api_tokens().await.unwrap().len(),
            1,
            "nothing was minted"
        );

        for path in [
            "/v1/organizations/fake-org/databases/fake-db/auth/tokens",
            "/v1/organizations/fake-org/groups/default/auth/tokens",
        ] {
            for (body, expected) in [
                ("{", "invalid request body"),
                ("[]", "JSON object"),
                (r#"{"permissions":[]}"#, "invalid request body"),
                (r#"{"permissions":{}}"#, "permissions is empty"),
                (r#"{"permissions":{"read_attach":{}}}"#, "databases"),
                (
                    r#"{"permissions":{"read_attach":{"databases":[]}}}"#,
                    "read_attach.databases is empty",
                ),
                (
                    r#"{"permissions":{"read_attach":{"databases":"fake-db"}}}"#,
                    "invalid request body",
                ),
            ] {
                let (status, message) = error_of(post(path, body).await.unwrap()).await;
                assert_eq!(status, 400, "{path} {body}: {message}");
                assert!(message.contains(expected), "{body}: {message}");
            }
        }

        // A body larger than the fake reads is refused, not cut.
        let big = format!(r#"{{"organization":"{}"}}"#, "x".repeat(100_000));
        let response = http
            .post(format!("{}/v1/auth/api-tokens/big", fake.base_url()))
            .bearer_auth(fake.token())
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(response).await.0, 400);
    })
    .await
}

#[tokio::test]
async fn bad_query_values_are_400_with_the_parsers_message() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        let mint = |path: &str, query: &str| {
            http.post(format!("{}{path}?{query}", fake.base_url()))
                .bearer_auth(fake.token())
                .send()
        };
        for path in [
            "/v1/organizations/fake-org/databases/fake-db/auth/tokens",
            "/v1/organizations/fake-org/groups/default/auth/tokens",
        ] {
            for (query, value) in [
                ("expiration=1y", "1y"),
                ("expiration=0s", "0s"),
                ("expiration=0", "0"),
                ("expiration=-1h", "-1h"),
                ("expiration=1h%20", "1h "),
                ("expiration=1H", "1H"),
                ("expiration=Never", "Never"),
                ("expiration=15251w", "15251w"),
                ("expiration=.h", ".h"),
            ] {
                let expected = value.parse::<Expiration>().unwrap_err().to_string();
                let (status, message) = error_of(mint(path, query).await.unwrap()).await;
                assert_eq!(
                    (status, message.as_str()),
                    (400, expected.as_str()),
                    "{query}"
                );
            }
            for value in ["admin", "", "READ-ONLY", "read_only"] {
                let expected = value.parse::<Authorization>().unwrap_err().to_string();
                let query = format!("authorization={value}");
                let (status, message) = error_of(mint(path, &query).await.unwrap()).await;
                assert_eq!(
                    (status, message.as_str()),
                    (400, expected.as_str()),
                    "{query}"
                );
            }
            let (status, _) =
                error_of(mint(path, "expiration=1h&expiration=2h").await.unwrap()).await;
            assert_eq!(status, 400, "a repeated parameter");

            // Valid values, including the micro sign, `never`, a leading `+`, unknown keys.
            for (query, exp) in [
                ("expiration=1%C2%B5s", true),
                ("expiration=1%CE%BCs&authorization=read-only", true),
                ("expiration=%2B1h", true),
                ("expiration=never&authorization=full-access", false),
                ("unrelated=1", false),
            ] {
                let response = mint(path, query).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{query}");
                let body: Value = response.json().await.unwrap();
                let claims = claims(body["jwt"].as_str().unwrap());
                assert_eq!(claims.get("exp").is_some(), exp, "{query}");
                let access = if query.contains("read-only") {
                    "ro"
                } else {
                    "rw"
                };
                assert_eq!(claims["a"], access, "{query}");
            }
        }
    })
    .await
}

#[tokio::test]
async fn names_with_reserved_characters_travel_in_one_path_segment() {
    bounded(async {
        let fake = FakeTurso::start().await.unwrap();
        let client = fake.client();
        let name = "a b?c#d%e;é";
        let created = client
            .create_api_token(name, &ApiTokenOptions::new())
            .await
            .unwrap();
        assert_eq!(created.name, name);
        assert!(
            client
                .list_api_tokens()
                .await
                .unwrap()
                .iter()
                .any(|t| t.name == name)
        );
        assert_eq!(client.revoke_api_token(name).await.unwrap(), name);
    })
    .await
}

#[tokio::test]
async fn rotations_answer_200_with_an_empty_body() {
    bounded(async {
        let http = http();
        let fake = FakeTurso::start().await.unwrap();
        for path in [
            "/v1/organizations/fake-org/databases/fake-db/auth/rotate",
            "/v1/organizations/fake-org/groups/default/auth/rotate",
        ] {
            let response = send(&http, &fake, Method::POST, path, Some(fake.token())).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert!(response.headers().get(CONTENT_TYPE).is_none());
            assert!(response.bytes().await.unwrap().is_empty());
        }
    })
    .await
}

/// Runs the binary with `args` to its end: within 10 s, or it is killed and the test
/// fails (an argument it wrongly took to serve would make it run forever).
fn run_binary(args: &[&str]) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_turso-platform-fake"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(Duration::from_secs(10)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("turso-platform-fake {args:?} did not exit within 10 s");
        }
    }
}

#[test]
fn the_binary_explains_its_usage() {
    let help = run_binary(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("Usage: turso-platform-fake [--listen ADDR]"),
        "{text}"
    );
    assert!(text.contains("127.0.0.1:8080"));

    for args in [
        &["--bogus"][..],
        &["--listen"],
        &["--listen", "not-an-address"],
        &["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"],
    ] {
        let refused = run_binary(args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(refused.stdout.is_empty(), "{args:?}");
        let text = String::from_utf8(refused.stderr).unwrap();
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
}

/// Every route of the table is routed as the table says: a served route reaches its
/// handler (never the router's 404 or 405), a route not emulated answers 501.
#[tokio::test]
async fn every_listed_route_is_routed_as_listed() {
    bounded(async {
        let fake = FakeTurso::start().await.unwrap();
        let http = http();
        let mut kinds = std::collections::HashSet::new();
        for route in turso_platform_fake::routes() {
            kinds.insert(route.kind);
            let path = route
                .path
                .split('/')
                .map(|segment| match segment {
                    "{organizationSlug}" => "fake-org",
                    "{databaseName}" => "fake-db",
                    "{groupName}" => "default",
                    s if s.starts_with('{') => "x",
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let response = send(&http, &fake, method, &path, Some(fake.token())).await;
            let status = response.status();
            let body = response.text().await.unwrap();
            let what = format!("{} {path}: {status} {body}", route.method);
            assert!(!body.contains("no operation at"), "{what}");
            assert!(!body.contains("is not allowed on"), "{what}");
            match route.kind {
                turso_platform_fake::RouteKind::NotEmulated => {
                    assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{what}");
                    assert!(route.operation.is_none(), "{what}");
                }
                _ => {
                    assert_ne!(status, StatusCode::NOT_IMPLEMENTED, "{what}");
                    assert!(route.operation.is_some(), "{what}");
                }
            }
        }
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        let spec = turso_platform_fake::routes()
            .filter(|route| route.kind == turso_platform_fake::RouteKind::Spec)
            .count();
        assert_eq!(spec, turso_platform::spec::operations().len());
    })
    .await
}

#[test]
fn the_binary_prints_its_routes() {
    let output = run_binary(&["--routes"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines.len(), turso_platform_fake::routes().count());
    for (line, route) in lines.iter().zip(turso_platform_fake::routes()) {
        assert_eq!(line["method"], route.method);
        assert_eq!(line["path"], route.path);
        assert_eq!(line["operation"].as_str(), route.operation);
        assert_eq!(line["kind"], route.kind.as_str());
    }
    assert!(lines.iter().any(|line| line["kind"] == "beyond-spec"
        && line["path"] == "/v2/organizations"
        && line["operation"] == "listOrganizations"));
}

#[tokio::test]
async fn the_binary_prints_one_json_line_then_serves_until_terminated() {
    bounded(async {
        let mut running = Running(
            Command::new(env!("CARGO_BIN_EXE_turso-platform-fake"))
                .args(["--listen=127.0.0.1:0"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let stdout = running.0.stdout.take().unwrap();
        let (line, mut reader) = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            (line, reader)
        })
        .await
        .unwrap();

        let start: Value = serde_json::from_str(&line).expect("one JSON line");
        assert_eq!(start.as_object().unwrap().len(), 4, "{line}");
        let base_url = start["base_url"].as_str().unwrap();
        let token = start["token"].as_str().unwrap();
        assert_eq!(start["tokens"]["fake-user"]["fake-token"], token);
        assert_eq!(start["admin_token"].as_str().unwrap().len(), 43);
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        assert!(!base_url.ends_with(":0"));

        let client = turso_platform::Client::builder()
            .token(token)
            .base_url(base_url)
            .max_retries(0)
            .build()
            .unwrap();
        assert_eq!(client.current_user().await.unwrap().username, "fake-user");
        let minted = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        assert_eq!(minted.jwt.expose_secret().split('.').count(), 3);

        // SIGTERM stops it cleanly, and it printed nothing more.
        if cfg!(unix) {
            let pid = running.0.id().to_string();
            let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            assert!(kill.success());
            let status = loop {
                if let Some(status) = running.0.try_wait().unwrap() {
                    break status;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            assert!(status.success(), "{status:?}");
            let rest = tokio::task::spawn_blocking(move || {
                let mut rest = String::new();
                std::io::Read::read_to_string(&mut reader, &mut rest).map(|_| rest)
            })
            .await
            .unwrap()
            .unwrap();
            assert_eq!(rest, "", "exactly one line on stdout");
        }
    })
    .await
}

/// A database object carries its host name under `Hostname` (the spec's key) and under
/// `hostname` too (what one of Turso's Python SDKs reads), in reads and lists alike.
#[tokio::test]
async fn databases_carry_their_host_name_under_both_keys() {
    bounded(async {
        let fake = FakeTurso::start().await.unwrap();
        let get = |path: &'static str| {
            http()
                .get(format!("{}{path}", fake.base_url()))
                .bearer_auth(fake.token())
                .send()
        };
        let one: Value = get("/v1/organizations/fake-org/databases/fake-db")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list: Value = get("/v1/organizations/fake-org/databases")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for database in [&one["database"], &list["databases"][0]] {
            let upper = database["Hostname"].as_str().expect("Hostname");
            assert_eq!(database["hostname"].as_str(), Some(upper), "{database}");
            assert!(upper.starts_with("127.0.0.1:"), "{upper}");
        }
    })
    .await
}
