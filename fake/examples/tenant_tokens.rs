//! A service that keeps one `TokenSource` per tenant database and hands its requests
//! short-lived tokens that are always valid: they refresh themselves while requests go
//! on, an outage of the API is ridden out while they last, and one tenant's credentials
//! are rotated.
//!
//! Runs against the fake Turso platform embedded in this crate, with no account and no
//! network, in about ten seconds:
//!
//! ```sh
//! cargo run -p turso-platform-fake --example tenant_tokens
//! ```

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{Expiration, StatusCode, TokenOptions, TokenSource};
use turso_platform_fake::{FakeTurso, Fault};

const TENANTS: [&str; 3] = ["tenant-acme", "tenant-globex", "tenant-initech"];

/// What the service saw for one tenant.
#[derive(Default)]
struct Seen {
    served: u32,
    refused: u32,
    tokens: HashSet<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeTurso::start().await?;
    // The source retries failed mints itself, with its own backoff: the client need not.
    let client = turso_platform::Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .max_retries(0)
        .build()?;
    // Short-lived tokens: 4 s, refreshed in the background once less than a quarter of
    // that is left. A real service would use an hour or a day.
    let options = TokenOptions::new().expiration(Expiration::after(Duration::from_secs(4))?);
    let mut sources = BTreeMap::new();
    for tenant in TENANTS {
        fake.add_database("fake-org", "default", tenant)?;
        let source = TokenSource::database(client.clone(), "fake-org", tenant, options.clone())?
            .retry_backoff(Duration::from_millis(250), Duration::from_secs(1));
        sources.insert(tenant, source);
    }
    println!("serving {} tenants with 4 s tokens", TENANTS.len());

    let started = Instant::now();
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    let (mut outage, mut healed, mut rotated) = (false, false, false);
    while started.elapsed() < Duration::from_secs(10) {
        let at = started.elapsed();
        if !outage && at >= Duration::from_millis(2500) {
            outage = true;
            fake.fail_next(
                "createDatabaseToken",
                usize::MAX,
                Fault::Status(StatusCode::SERVICE_UNAVAILABLE),
            )?;
            println!(
                "{:>5.1} s  the API starts failing (503 on every mint)",
                at.as_secs_f64()
            );
        }
        if !healed && at >= Duration::from_secs(6) {
            healed = true;
            fake.heal();
            println!("{:>5.1} s  the API is back", at.as_secs_f64());
        }
        if !rotated && at >= Duration::from_secs(8) {
            rotated = true;
            let old = sources["tenant-acme"].token().await?;
            let new = sources["tenant-acme"].rotate().await?;
            let old_works =
                fake.database_token_is_valid("fake-org", "tenant-acme", old.jwt.expose_secret());
            let new_works =
                fake.database_token_is_valid("fake-org", "tenant-acme", new.jwt.expose_secret());
            println!(
                "{:>5.1} s  rotated tenant-acme's credentials: the old token works: {old_works}, \
                 the new one: {new_works}",
                at.as_secs_f64()
            );
        }
        // A request for each tenant: it needs a token that works now.
        for (tenant, source) in &sources {
            let tally = seen.entry(tenant).or_default();
            match source.token().await {
                Ok(token) => {
                    let jwt = token.jwt.expose_secret();
                    assert!(
                        fake.database_token_is_valid("fake-org", tenant, jwt),
                        "a request got a token that does not work"
                    );
                    tally.served += 1;
                    if tally.tokens.insert(jwt.to_owned()) && tally.tokens.len() > 1 {
                        println!("{:>5.1} s  {tenant}: a fresh token", at.as_secs_f64());
                    }
                }
                Err(error) => {
                    if tally.refused == 0 {
                        println!(
                            "{:>5.1} s  {tenant}: no valid token left ({error}; status {:?})",
                            at.as_secs_f64(),
                            error.status().map(|s| s.as_u16())
                        );
                    }
                    tally.refused += 1;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    println!("\nover {:.1} s:", started.elapsed().as_secs_f64());
    for (tenant, tally) in &seen {
        println!(
            "  {tenant}: {} requests served with a valid token, {} refused during the outage, \
             {} different tokens",
            tally.served,
            tally.refused,
            tally.tokens.len()
        );
    }
    println!(
        "  mints sent to the API: {} (one per refresh and per attempt, never one per request)",
        fake.requests("createDatabaseToken")?
    );
    Ok(())
}
