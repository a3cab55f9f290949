//! The two sides of the per-call comparisons (`benches/client.rs`, `benches/per_call.rs`):
//! this crate's `Client`, and what a careful hand-written reqwest client does with the
//! same requests: the same headers (bearer token, `User-Agent`, `Accept`), the client's
//! timeout, the URL formatted per call, a typed decode.

use std::time::Duration;

use serde::Deserialize;
use turso_platform::Client;
use turso_platform::reqwest;
use turso_platform::reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};

/// The token both sides send.
pub const TOKEN: &str = "benchmark-platform-token";

/// What a hand-written client would decode a token into.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainToken {
    id: String,
    name: String,
    organization: Option<String>,
    group: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    created_at: Option<String>,
}

/// A hand-written `listAPITokens` answer.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainTokenList {
    tokens: Vec<PlainToken>,
}

/// A hand-written `createDatabaseToken` answer.
#[derive(Deserialize)]
pub struct PlainJwt {
    /// The minted token.
    pub jwt: String,
}

/// This crate's client for the server at `base`.
pub fn ours(base: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .unwrap()
}

/// The hand-written side's client: the headers this crate sends, as default headers.
pub fn plain_client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    let mut bearer = HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap();
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static("turso-platform/0.1.0"));
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .unwrap()
}

/// `listAPITokens` as a careful hand-written client would write it.
pub async fn plain_list(client: &reqwest::Client, base: &str) -> PlainTokenList {
    let response = client
        .get(format!("{base}/v1/auth/api-tokens"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.json().await.unwrap()
}

/// `createDatabaseToken` as a careful hand-written client would write it.
pub async fn plain_mint(
    client: &reqwest::Client,
    base: &str,
    org: &str,
    database: &str,
    expiration: &str,
) -> PlainJwt {
    let url = format!("{base}/v1/organizations/{org}/databases/{database}/auth/tokens");
    let query = [("expiration", expiration), ("authorization", "read-only")];
    let response = client.post(url).query(&query).send().await.unwrap();
    assert!(response.status().is_success());
    response.json().await.unwrap()
}
