//! One side of the per-call comparison, `count` times, for an instruction counter: a
//! token list through this crate's `Client` (`ours`), through the generated client
//! alone (`generated`), or as a careful hand-written reqwest call sending the same
//! request (`plain`), against the same loopback server in the same process;
//! sequentially, or 64 in flight (`ours64`, `plain64`); and a database token mint the
//! same three ways (`mint-ours`, `mint-generated`, `mint-plain`).
//!
//! ```text
//! scripts/per-call-instructions.sh      # runs each side under callgrind, twice, and prints the ratios
//! ```
//!
//! Instruction counts are deterministic where wall time on a shared machine is not: the
//! difference between a run of `2n` calls and one of `n` is the cost of `n` calls,
//! whatever the set-up costs.

use std::hint::black_box;

use futures_util::future::join_all;
use turso_platform::{Authorization, Expiration, TokenOptions};
use turso_platform_benches::both_sides::{ours, plain_client, plain_list, plain_mint};
use turso_platform_benches::fixed_answers::serve;

const IN_FLIGHT: usize = 64;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: per_call ours|generated|plain|ours64|plain64|mint-ours|mint-generated|mint-plain|sizes COUNT";
    let side = args.next().expect(usage);
    let count: usize = args.next().and_then(|n| n.parse().ok()).expect(usage);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let base = format!("http://{}", serve().await);
        let (ours, plain) = (ours(&base), plain_client());
        let plain_list = || plain_list(&plain, &base);
        let options = TokenOptions::new()
            .expiration("1d".parse::<Expiration>().unwrap())
            .authorization(Authorization::ReadOnly);
        let expiration = "1d".parse::<Expiration>().unwrap();
        let body = Default::default();
        if side == "sizes" {
            // Each call boxes the generated future: glibc's allocator serves up to 1,032
            // bytes from its per-thread cache, larger blocks on a slower path.
            let boxed = std::mem::size_of_val(&ours.generated().list_api_tokens());
            let call = std::mem::size_of_val(&ours.list_api_tokens());
            println!(
                "  the generated future (boxed per call): {boxed} bytes; a call's: {call} bytes"
            );
            let boxed = std::mem::size_of_val(&ours.generated().create_database_token(
                "my-org",
                "my-db",
                Some(&Authorization::ReadOnly),
                Some(&expiration),
                &body,
            ));
            let call = std::mem::size_of_val(&ours.create_database_token("o", "d", &options));
            println!("  a mint's: {boxed} bytes boxed; a call's: {call} bytes");
            if boxed > 1_032 {
                println!(
                    "  past 1,032 bytes: every call takes the allocator's slower path \
                     (see build/request_builder.rs for what keeps futures small)"
                );
            }
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
                "mint-ours" => drop(black_box(
                    ours.create_database_token("my-org", "my-db", &options)
                        .await
                        .unwrap(),
                )),
                "mint-generated" => drop(black_box(
                    ours.generated()
                        .create_database_token(
                            "my-org",
                            "my-db",
                            Some(&Authorization::ReadOnly),
                            Some(&expiration),
                            &body,
                        )
                        .await
                        .unwrap(),
                )),
                "mint-plain" => drop(black_box(
                    plain_mint(&plain, &base, "my-org", "my-db", "1d").await.jwt,
                )),
                _ => panic!("{usage}"),
            }
        }
    });
}
