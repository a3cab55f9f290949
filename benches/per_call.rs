//! One side of the per-call comparison, `count` times, for an instruction counter: a
//! token list through this crate's `Client` (`ours`), through the generated client
//! alone (`generated`), or as a careful hand-written reqwest call sending the same
//! request (`plain`), against the same loopback server in the same process;
//! sequentially, or 64 in flight (`ours64`, `plain64`).
//!
//! ```text
//! scripts/per-call-instructions.sh      # runs each side under callgrind, twice, and prints the ratios
//! ```
//!
//! Instruction counts are deterministic where wall time on a shared machine is not: the
//! difference between a run of `2n` calls and one of `n` is the cost of `n` calls,
//! whatever the set-up costs.

use std::hint::black_box;
use std::time::Duration;

use futures_util::future::join_all;
use serde::Deserialize;
use turso_platform::Client;
use turso_platform::reqwest;
use turso_platform::reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use turso_platform_benches::fixed_answers::serve;

const TOKEN: &str = "benchmark-platform-token";
const IN_FLIGHT: usize = 64;

/// What a hand-written client would decode a token into.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainToken {
    id: String,
    name: String,
    organization: Option<String>,
    group: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainTokenList {
    tokens: Vec<PlainToken>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: per_call ours|generated|plain|ours64|plain64|sizes COUNT";
    let side = args.next().expect(usage);
    let count: usize = args.next().and_then(|n| n.parse().ok()).expect(usage);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let base = format!("http://{}", serve().await);
        let ours = Client::builder()
            .token(TOKEN)
            .base_url(&base)
            .build()
            .unwrap();
        let mut headers = HeaderMap::new();
        let mut bearer = HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap();
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static("turso-platform/0.1.0"));
        let plain = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()
            .unwrap();
        let plain_list = || async {
            let answer = plain
                .get(format!("{base}/v1/auth/api-tokens"))
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success());
            answer.json::<PlainTokenList>().await.unwrap()
        };
        if side == "sizes" {
            // Each call boxes the generated future: glibc's allocator serves up to 1,032
            // bytes from its per-thread cache, larger blocks on a slower path.
            let boxed = std::mem::size_of_val(&ours.generated().list_api_tokens());
            let call = std::mem::size_of_val(&ours.list_api_tokens());
            println!(
                "  the generated future (boxed per call): {boxed} bytes; a call's: {call} bytes"
            );
            return;
        }
        for _ in 0..count {
            match side.as_str() {
                "ours" => drop(black_box(ours.list_api_tokens().await.unwrap())),
                "generated" => drop(black_box(ours.generated().list_api_tokens().await.unwrap())),
                "plain" => drop(black_box(plain_list().await)),
                "ours64" => drop(black_box(
                    join_all((0..IN_FLIGHT).map(|_| ours.list_api_tokens())).await,
                )),
                "plain64" => drop(black_box(
                    join_all((0..IN_FLIGHT).map(|_| plain_list())).await,
                )),
                _ => panic!("{usage}"),
            }
        }
    });
}
