//! A service with a database per tenant and a token source per database
//! (`TokenSources`): what an idle tenant costs in memory, what finding its token costs,
//! and how many mints many callers at once cause.
//!
//! ```text
//! cargo run --release -p turso-platform-benches --bin tenants -- [TENANTS]
//! ```
//!
//! TENANTS defaults to 100,000. The memory part mints one token for each tenant from a
//! loopback server that answers a fixed token (so that only the client's side is
//! measured), then reads the resident set (Linux only). The concurrency part runs
//! 10,000 callers at once across 1,000 databases of the local Turso and counts the mints
//! it received; it opens a connection per mint, so raise `ulimit -n` past 4,096.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use turso_platform::{Client, TokenOptions, TokenSources};
use turso_platform_benches::fixed_answers::serve;
use turso_platform_benches::resident::resident_kib;
use turso_platform_fake::FakeTurso;

/// Mints in flight at once while the tenants are filled.
const IN_FLIGHT: usize = 64;
const CALLERS: usize = 10_000;
const DATABASES: usize = 1_000;

#[tokio::main]
async fn main() {
    let tenants: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("TENANTS is a number"))
        .unwrap_or(100_000);
    idle_tenants(tenants).await;
    many_callers().await;
}

/// `tenants` tenants, each with a source holding a valid token, then left idle.
async fn idle_tenants(tenants: usize) {
    let addr = serve().await;
    let client = Client::builder()
        .token("benchmark-platform-token")
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let tokens = TokenSources::new(client, TokenOptions::new()).max_sources(tenants);
    // Warm the client up (its connections, the first allocations) before measuring.
    tokens.token("org", "warm-up").await.unwrap();
    tokens.remove("org", "warm-up");
    let names: Vec<String> = (0..tenants).map(|n| format!("tenant-{n}")).collect();
    let before = resident_kib();
    let started = Instant::now();
    for batch in names.chunks(IN_FLIGHT) {
        join_all(batch.iter().map(|name| tokens.token("org", name)))
            .await
            .into_iter()
            .for_each(|token| drop(token.unwrap()));
    }
    let filled = started.elapsed();
    let after = resident_kib();
    println!(
        "{tenants} tenants, a token each: filled in {:.1} s ({:.0} µs a tenant)",
        filled.as_secs_f64(),
        filled.as_secs_f64() * 1e6 / tenants as f64
    );
    // The names were allocated before the first reading: only the sources count.
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "resident set: {before} KiB before, {after} KiB after: {:.2} KiB an idle tenant",
            after.saturating_sub(before) as f64 / tenants as f64
        );
    }

    // Finding a tenant's token among them, when it is not due.
    let lookups = 1_000_000;
    let started = Instant::now();
    for n in 0..lookups {
        let token = tokens.token("org", &names[n % tenants]).await.unwrap();
        std::hint::black_box(token);
    }
    println!(
        "a token of one of {tenants} tenants, not due: {:.0} ns",
        started.elapsed().as_nanos() as f64 / lookups as f64
    );
    assert_eq!(tokens.len(), tenants);
}

/// 10,000 callers at once across 1,000 databases of the local Turso.
async fn many_callers() {
    let fake = FakeTurso::builder()
        .max_connections(2 * DATABASES)
        .start()
        .await
        .unwrap();
    for n in 0..DATABASES {
        fake.add_database("fake-org", "default", &format!("t{n}"))
            .unwrap();
    }
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let tokens = TokenSources::new(client, TokenOptions::new());
    let before = fake.requests("createDatabaseToken").unwrap();
    let started = Instant::now();
    let handed = join_all((0..CALLERS).map(|n| {
        let tokens = tokens.clone();
        tokio::spawn(async move {
            tokens
                .token("fake-org", &format!("t{}", n % DATABASES))
                .await
        })
    }))
    .await;
    let elapsed = started.elapsed();
    let failed = handed
        .into_iter()
        .filter(|outcome| !matches!(outcome, Ok(Ok(_))))
        .count();
    let mints = fake.requests("createDatabaseToken").unwrap() - before;
    println!(
        "{CALLERS} callers at once across {DATABASES} databases: {mints} mints, {failed} failed, \
         all served in {:.0} ms",
        elapsed.as_secs_f64() * 1e3
    );
}
