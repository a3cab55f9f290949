//! Helpers for the tests against httpmock: clients of a `MockServer`, and the matchers
//! every request is checked with.

use httpmock::MockServer;
use turso_platform::Client;

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
