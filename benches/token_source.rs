//! The cost of `TokenSource::token` when the token is not due: no network, only a lock,
//! a clock reading and a copy of the token. The target is well under a microsecond.
//!
//! ```text
//! cargo bench -p turso-platform-benches --bench token_source
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use turso_platform::{Expiration, TokenOptions, TokenSource};
use turso_platform_fake::FakeTurso;

fn cached_token(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fake = runtime.block_on(FakeTurso::start()).unwrap();
    let options =
        TokenOptions::new().expiration(Expiration::after(Duration::from_secs(3600)).unwrap());
    let tokens = TokenSource::database(fake.client(), "fake-org", "fake-db", options).unwrap();
    runtime.block_on(tokens.token()).unwrap();
    c.bench_function("TokenSource::token, not due", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(tokens.token().await.unwrap()) })
    });
}

criterion_group!(benches, cached_token);
criterion_main!(benches);
