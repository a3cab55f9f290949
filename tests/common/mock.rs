//! Helpers for the tests against httpmock: clients of a `MockServer`, and the matchers
//! every request is checked with.

use httpmock::{Mock, MockServer};
use serde_json::json;
use turso_platform::{Client, Error, StatusCode};

use super::TOKEN;

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!("turso-platform/", env!("CARGO_PKG_VERSION"));

/// A client of `server` that never retries.
pub fn client(server: &MockServer) -> Client {
    retrying_client(server, 0)
}

/// A client of `server` that retries up to `max_retries` times.
pub fn retrying_client(server: &MockServer, max_retries: u32) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .max_retries(max_retries)
        .build()
        .unwrap()
}

/// The headers every request must carry.
pub fn common_headers(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("user-agent", USER_AGENT)
        .header("accept", "application/json")
}

/// A request with no body at all: no bytes and no content type.
pub fn no_body(when: httpmock::When) -> httpmock::When {
    when.header_missing("content-type")
        .is_true(|request| request.body_ref().is_empty())
}

/// A request with no query string parameters.
pub fn no_query(when: httpmock::When) -> httpmock::When {
    when.is_true(|request| request.query_params().is_empty())
}

/// A request with this exact JSON body, sent as JSON, and no query.
pub fn json_request(when: httpmock::When, body: serde_json::Value) -> httpmock::When {
    no_query(when)
        .header("content-type", "application/json")
        .json_body(body)
}

/// The error statuses the operations are tried with: each answered with
/// [`fail_everything`]'s body.
pub const ERROR_STATUSES: [u16; 12] = [400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504];

/// Answers every request to `server` with `status` and the API's JSON error body: the
/// message `failure {status}` and the code `some_code`.
pub async fn fail_everything(server: &MockServer, status: u16) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(status).json_body(json!({
                "error": format!("failure {status}"),
                "code": "some_code"
            }));
        })
        .await
}

/// Checks that `api` (the `error` of `operation`, or its source) is the API's error that
/// [`fail_everything`] answered with `status`: its status, message and code, shown in its
/// text; and that `error` reports the status.
pub fn assert_api_failure(operation: &str, status: u16, error: &Error, api: &Error) {
    match api {
        Error::Api {
            status: s,
            message,
            code,
            ..
        } => {
            assert_eq!(s.as_u16(), status, "{operation}");
            assert_eq!(message, &format!("failure {status}"), "{operation}");
            assert_eq!(code.as_deref(), Some("some_code"), "{operation}");
        }
        other => panic!("{operation}, HTTP {status}: expected Api, got {other:?}"),
    }
    assert_eq!(
        error.status(),
        StatusCode::from_u16(status).ok(),
        "{operation}"
    );
    // The message shows where the API's error is: in the error's own text, or in its
    // source's (a `Display` never repeats its source).
    assert!(
        api.to_string().contains(&format!("failure {status}")),
        "{operation}"
    );
}
