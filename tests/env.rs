//! `Client::from_env` reads the token and base URL as the Turso CLI does.
//!
//! Alone in its test binary, as one test, because it changes the process environment.

mod common;

use std::time::Duration;

use common::bounded;
use httpmock::prelude::*;
use turso_platform::{Client, ClientBuilder, Error};

#[tokio::test]
async fn from_env_reads_the_token_and_the_base_url() {
    bounded(Duration::from_secs(20), async {
        // SAFETY: this binary runs this one test, and nothing else reads the environment
        // while it changes it.
        unsafe {
            std::env::remove_var("TURSO_API_TOKEN");
            std::env::remove_var("TURSO_API_BASEURL");
        }
        match Client::from_env() {
            Err(Error::InvalidArgument(message)) => {
                assert!(message.contains("TURSO_API_TOKEN is not set"), "{message}");
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }

        unsafe { std::env::set_var("TURSO_API_TOKEN", "env-token") };
        assert_eq!(
            Client::from_env().unwrap().base_url(),
            "https://api.turso.tech"
        );
        unsafe { std::env::set_var("TURSO_API_BASEURL", "  ") };
        assert_eq!(
            Client::from_env().unwrap().base_url(),
            "https://api.turso.tech",
            "a blank base URL is as good as none"
        );

        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/user")
                    .header("authorization", "Bearer env-token");
                then.status(200)
                    .json_body(serde_json::json!({"user": {"username": "iku"}}));
            })
            .await;
        unsafe { std::env::set_var("TURSO_API_BASEURL", format!("{}/", server.base_url())) };
        let client = ClientBuilder::from_env()
            .unwrap()
            .max_retries(0)
            .build()
            .unwrap();
        assert_eq!(client.base_url(), server.base_url());
        assert_eq!(client.current_user().await.unwrap().username, "iku");
        mock.assert_async().await;

        unsafe { std::env::set_var("TURSO_API_BASEURL", "http://example.com") };
        assert!(matches!(Client::from_env(), Err(Error::InvalidArgument(_))));
    })
    .await;
}
