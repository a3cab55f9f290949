//! Minting in the fake as API tokens accumulate: a mint must cost the same with 100,000
//! tokens as with none (every request finds its caller by ID and every mint checks its
//! name, so both are indexed). Each iteration mints a token and revokes it (a user holds
//! at most 1,000), and the 100,000 are held by 100 users.
//!
//! ```text
//! cargo bench -p turso-platform-benches --bench fake
//! ```
//!
//! Each group mints tokens through the client, against a fake that already holds 0 or
//! 100,000 API tokens; the ratio of the two times is what matters (1.00 when nothing is
//! scanned).

use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future::join_all;
use turso_platform::ApiTokenOptions;
use turso_platform::secrecy::ExposeSecret;
use turso_platform_fake::FakeTurso;

const IN_FLIGHT: usize = 64;

/// How many tokens each holder holds (the most a user may, with the one `add_user` mints).
const PER_USER: usize = 1_000;

/// A fake holding `tokens` API tokens besides the seeded one, `PER_USER` a user.
async fn fake_with(tokens: usize) -> FakeTurso {
    let fake = FakeTurso::start().await.unwrap();
    let options = ApiTokenOptions::new();
    for holder in 0..tokens / PER_USER {
        let token = fake.add_user(&format!("holder-{holder}")).unwrap();
        let client = turso_platform::Client::builder()
            .token(token.expose_secret())
            .base_url(fake.base_url())
            .build()
            .unwrap();
        let names: Vec<String> = (1..PER_USER).map(|i| format!("seed-{i}")).collect();
        for batch in names.chunks(IN_FLIGHT) {
            join_all(
                batch
                    .iter()
                    .map(|name| client.create_api_token(name, &options)),
            )
            .await
            .into_iter()
            .for_each(|created| drop(created.unwrap()));
        }
    }
    fake
}

fn mint_as_tokens_accumulate(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("create_api_token in the fake");
    for tokens in [0, 100_000] {
        let fake = runtime.block_on(fake_with(tokens));
        let client = fake.client();
        let options = ApiTokenOptions::new();
        let next = AtomicUsize::new(0);
        group.bench_function(format!("holding {tokens} tokens"), |b| {
            b.to_async(&runtime).iter(|| async {
                let name = format!("bench-{}", next.fetch_add(1, Ordering::Relaxed));
                client.create_api_token(&name, &options).await.unwrap();
                client.revoke_api_token(&name).await.unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, mint_as_tokens_accumulate);
criterion_main!(benches);
