//! Helpers for the tests of the fake Turso through the public `Client`.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Client, Error, Scope};
use turso_platform_fake::FakeTurso;

/// Starts a fake, failing the test if it does not start.
pub async fn start() -> FakeTurso {
    FakeTurso::start().await.expect("the fake starts")
}

/// A client for the fake with another token, and no retries.
pub fn client_with(fake: &FakeTurso, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(fake.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// A client for the fake with its seeded, unrestricted token (of `fake-user`, who owns
/// `fake-org`), and no retries.
pub fn admin(fake: &FakeTurso) -> Client {
    client_with(fake, fake.token())
}

/// A client whose token is a new platform API token of `minter`'s user, minted with
/// `options`.
pub async fn restricted_client(
    fake: &FakeTurso,
    minter: &Client,
    name: &str,
    options: &ApiTokenOptions,
) -> Client {
    let created = minter
        .create_api_token(name, options)
        .await
        .expect("an API token");
    client_with(fake, created.token.expose_secret())
}

/// The options of a token pinned to `group` of `org` with these scopes.
pub fn pinned(org: &str, group: &str, scopes: impl IntoIterator<Item = Scope>) -> ApiTokenOptions {
    ApiTokenOptions::new()
        .organization(org)
        .group(group)
        .scopes(scopes)
}

/// The names of the groups of `org` that `client` lists, sorted.
pub async fn group_names(client: &Client, org: &str) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_groups(org)
        .await
        .unwrap()
        .into_iter()
        .map(|group| group.name)
        .collect();
    names.sort();
    names
}

/// Asserts that a call failed with the API's error body, this status and a message that
/// contains `message`.
#[track_caller]
pub fn assert_api_error<T: std::fmt::Debug>(result: Result<T, Error>, status: u16, message: &str) {
    match result {
        Err(Error::Api {
            status: got,
            message: text,
            ..
        }) => {
            assert_eq!(got.as_u16(), status, "status, with message {text:?}");
            assert!(
                text.contains(message),
                "message {text:?} does not contain {message:?}"
            );
        }
        other => panic!("expected an API error {status}, got {other:?}"),
    }
}

/// Asserts that a call of the generated client failed with the API's error body, this
/// status and a message that contains `message`.
#[track_caller]
pub fn assert_raw_api_error<T: std::fmt::Debug>(
    result: Result<
        turso_platform::generated::ResponseValue<T>,
        turso_platform::generated::Error<turso_platform::generated::types::Error>,
    >,
    status: u16,
    message: &str,
) {
    match result {
        Err(turso_platform::generated::Error::ErrorResponse(answer)) => {
            assert_eq!(answer.status().as_u16(), status, "status of {answer:?}");
            assert!(
                answer.error.contains(message),
                "message {:?} does not contain {message:?}",
                answer.error
            );
        }
        other => panic!("expected an API error {status}, got {other:?}"),
    }
}

/// Runs a test body, failing it if it takes longer than `limit`.
pub async fn bounded<F: Future>(limit: Duration, test: F) -> F::Output {
    tokio::time::timeout(limit, test)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {limit:?}"))
}

/// The running binary, killed when the test ends however it ends.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Uploads `dump` to `fake-org` as Turso's CLI does (`POST …/databases/dumps`,
/// multipart), and answers the URL the fake gives it.
pub async fn upload_dump(fake: &FakeTurso, dump: &str) -> String {
    let body = format!(
        "--B0UND\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.sql\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{dump}\r\n--B0UND--\r\n"
    );
    let uploaded: serde_json::Value = turso_platform::reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "{}/v1/organizations/fake-org/databases/dumps",
            fake.base_url()
        ))
        .bearer_auth(fake.token())
        .header("content-type", "multipart/form-data; boundary=B0UND")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    uploaded["dump_url"]
        .as_str()
        .expect("a dump_url")
        .to_owned()
}
