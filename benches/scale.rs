//! One fake holding many tenant databases, as a multi-tenant service's CI provisions
//! them: how long provisioning takes, what an idle database costs in memory and file
//! descriptors, and what the first query to each costs (a new connection, a pipeline).
//!
//! ```text
//! cargo run --release -p turso-platform-benches --bin scale -- [DATABASES]
//! ```
//!
//! DATABASES defaults to 10,000. Each database is served on a loopback port of its own
//! and is a SQLite file: the process needs a file descriptor per database (and one per
//! open connection), so raise `ulimit -n` past DATABASES; the database past the limit
//! is refused with 503 and the reason, which this program reports.

use std::time::Instant;

use futures_util::future::join_all;
use serde_json::json;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{NewDatabase, TokenOptions, reqwest};
use turso_platform_benches::resident::{open_files, resident_kib};
use turso_platform_fake::FakeTurso;

/// Requests in flight at once.
const IN_FLIGHT: usize = 16;

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("DATABASES is a number"))
        .unwrap_or(10_000);
    let fake = FakeTurso::start().await.expect("the fake starts");
    let client = fake.client();
    let (rss_before, fds_before) = (resident_kib(), open_files());

    let started = Instant::now();
    let names: Vec<String> = (0..count).map(|i| format!("tenant-{i}")).collect();
    let mut refused = None;
    for batch in names.chunks(IN_FLIGHT) {
        let created = join_all(batch.iter().map(|name| {
            let client = &client;
            async move {
                let database = NewDatabase::new(name.as_str(), "default");
                client.create_database("fake-org", &database).await
            }
        }))
        .await;
        if let Some(err) = created.into_iter().find_map(Result::err) {
            refused = Some(err);
            break;
        }
    }
    let provisioned = started.elapsed();
    let made = fake
        .client()
        .list_databases("fake-org", &Default::default())
        .await
        .map(|list| list.len().saturating_sub(1))
        .unwrap_or(0);
    println!(
        "provisioned {made} databases in {:.1} s ({:.2} ms each)",
        provisioned.as_secs_f64(),
        provisioned.as_secs_f64() * 1000.0 / made.max(1) as f64
    );
    if let Some(err) = refused {
        println!("stopped at a limit, refused with: {err}");
    }
    if let (Some(before), Some(after)) = (rss_before, resident_kib()) {
        println!(
            "resident set: {:.1} MiB more, {:.1} KiB per idle database",
            (after.saturating_sub(before)) as f64 / 1024.0,
            (after.saturating_sub(before)) as f64 / made.max(1) as f64
        );
    }
    if let (Some(before), Some(after)) = (fds_before, open_files()) {
        println!(
            "file descriptors: {} more ({:.2} per database)",
            after.saturating_sub(before),
            after.saturating_sub(before) as f64 / made.max(1) as f64
        );
    }

    // The first query to each: a new connection, a one-statement pipeline.
    let token = client
        .create_group_token("fake-org", "default", &TokenOptions::new())
        .await
        .unwrap();
    let token = token.jwt.expose_secret().to_owned();
    let body = json!({"requests": [
        {"type": "execute", "stmt": {"sql": "SELECT 1"}}, {"type": "close"}]})
    .to_string();
    let urls: Vec<String> = names[..made]
        .iter()
        .map(|name| fake.database_url("fake-org", name).unwrap())
        .collect();
    let started = Instant::now();
    for batch in urls.chunks(IN_FLIGHT) {
        join_all(batch.iter().map(|url| {
            // A client per database: a new connection each.
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            let (token, body) = (&token, &body);
            async move {
                let answer = http
                    .post(format!("{url}/v2/pipeline"))
                    .bearer_auth(token)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
            }
        }))
        .await;
    }
    let queried = started.elapsed();
    println!(
        "first query to each: {:.2} ms on average ({} in flight)",
        queried.as_secs_f64() * 1000.0 / made.max(1) as f64,
        IN_FLIGHT
    );
    if let Some(after) = resident_kib() {
        println!(
            "resident set after a query to each: {:.1} MiB",
            after as f64 / 1024.0
        );
    }
}
