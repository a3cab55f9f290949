//! The whole token lifecycle in one run.
//!
//! ```text
//! cargo run -p turso-platform-fake --example quickstart
//! ```
//!
//! With no environment it runs against the fake Turso platform embedded in this crate:
//! no account, no network. With `TURSO_API_TOKEN` set it runs against the real API (or
//! `TURSO_API_BASEURL`), and then only reads unless you ask for more:
//!
//! ```text
//! TURSO_API_TOKEN=... cargo run -p turso-platform-fake --example quickstart
//! TURSO_API_TOKEN=... cargo run -p turso-platform-fake --example quickstart -- --write --org my-org --database my-db
//! TURSO_API_TOKEN=... cargo run -p turso-platform-fake --example quickstart -- --write --org my-org --database my-db --rotate
//! ```
//!
//! `--write` mints an API token and revokes it again, and mints a database token that
//! expires in an hour; `--rotate` also invalidates every token of the database, which
//! breaks the applications using them.

use std::error::Error as StdError;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Authorization, Client, Error, Expiration, TokenOptions};
use turso_platform_fake::FakeTurso;

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

/// What to run against, and what may be changed there.
struct Plan {
    client: Client,
    fake: Option<FakeTurso>,
    write: bool,
    rotate: bool,
    org: Option<String>,
    database: Option<String>,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("\nquickstart failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let plan = plan().await?;
    let client = &plan.client;

    step(1, "Validate the API token");
    let validity = client.validate_api_token().await?;
    done(&match validity.expires_at {
        None => "valid, never expires".to_owned(),
        Some(at) => format!("valid until {}", when(at)),
    });

    step(2, "Who am I");
    let me = client.current_user().await?;
    done(&format!(
        "{} (plan: {})",
        me.username,
        me.plan.as_deref().unwrap_or("unknown")
    ));

    let org = plan.org.clone().unwrap_or_else(|| me.username.clone());
    let name = format!(
        "quickstart-{}",
        SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs()
    );
    let minted = if plan.write {
        step(
            3,
            &format!("Mint an API token {name:?} scoped to organization {org:?}"),
        );
        let created = client
            .create_api_token(&name, &ApiTokenOptions::new().organization(&org))
            .await?;
        done(&format!(
            "id {}; its secret ({} characters) is shown once, and not printed here",
            created.id,
            created.token.expose_secret().len()
        ));
        Some(created)
    } else {
        skipped(3, "Mint an API token");
        None
    };

    step(4, "List the API tokens");
    let tokens = client.list_api_tokens().await?;
    done(&format!("{} token(s), secrets never listed", tokens.len()));
    for token in &tokens {
        let scope = token
            .organization
            .as_deref()
            .map(|o| format!(" (organization {o})"));
        println!(
            "     - {} {}{}",
            token.name,
            token.id,
            scope.unwrap_or_default()
        );
    }

    let database = match (plan.write, &plan.database) {
        (true, Some(database)) => Some(database.clone()),
        _ => None,
    };
    let jwt = if let Some(database) = &database {
        step(
            5,
            &format!("Mint a read-only token for database {database:?}, expiring in 1h"),
        );
        let options = TokenOptions::new()
            .expiration(Expiration::after(Duration::from_secs(3600))?)
            .authorization(Authorization::ReadOnly);
        let token = client
            .create_database_token(&org, database, &options)
            .await?;
        done(&match token.expires_at() {
            Some(at) => format!(
                "a JWT of {} bytes, expires {}",
                token.jwt.expose_secret().len(),
                when(at)
            ),
            None => "a JWT that never expires".to_owned(),
        });
        if let Some(fake) = &plan.fake {
            println!(
                "     the database accepts it: {}",
                fake.database_token_is_valid(&org, database, token.jwt.expose_secret())
            );
        }
        Some(token.jwt)
    } else {
        skipped(
            5,
            "Mint a database token (needs --write --org ORG --database DB)",
        );
        None
    };

    match (&database, plan.rotate) {
        (Some(database), true) => {
            step(
                6,
                &format!("Invalidate every token of database {database:?}"),
            );
            client.invalidate_database_tokens(&org, database).await?;
            done("done");
            if let (Some(fake), Some(jwt)) = (&plan.fake, &jwt) {
                println!(
                    "     the database accepts the token minted in step 5: {}",
                    fake.database_token_is_valid(&org, database, jwt.expose_secret())
                );
            }
        }
        _ => skipped(6, "Invalidate the database's tokens (needs --rotate)"),
    }

    if let Some(created) = minted {
        step(7, &format!("Revoke the API token {name:?}"));
        client.revoke_api_token(&created.name).await?;
        done("revoked");

        step(8, "Use the revoked token");
        let revoked = Client::builder()
            .token(created.token.expose_secret())
            .base_url(client.base_url())
            .build()?;
        match revoked.validate_api_token().await {
            Err(e @ Error::Api { .. }) => done(&format!("refused, as it should be: {e}")),
            Ok(_) => return Err("the revoked token still works".into()),
            Err(e) => return Err(e.into()),
        }
    } else {
        skipped(7, "Revoke the API token");
        skipped(8, "Use the revoked token");
    }

    println!("\nAll done.");
    Ok(())
}

/// Against the real API if `TURSO_API_TOKEN` is set, else against a fresh fake.
async fn plan() -> Result<Plan> {
    let mut args = std::env::args().skip(1);
    let (mut write, mut rotate, mut org, mut database) = (false, false, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => write = true,
            "--rotate" => rotate = true,
            "--org" => org = Some(args.next().ok_or("--org needs a value")?),
            "--database" => database = Some(args.next().ok_or("--database needs a value")?),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if std::env::var_os("TURSO_API_TOKEN").is_some() {
        let client = Client::from_env()?;
        println!(
            "Turso Platform API quick start, against {}",
            client.base_url()
        );
        if !write {
            println!("(read only: add --write to mint and revoke tokens)");
        }
        return Ok(Plan {
            client,
            fake: None,
            write,
            rotate: rotate && write,
            org,
            database,
        });
    }
    let fake = FakeTurso::start().await.map_err(|e| format!("{e:?}"))?;
    println!(
        "Turso Platform API quick start, against the embedded fake at {} (no account, no network)",
        fake.base_url()
    );
    Ok(Plan {
        client: fake.client(),
        write: true,
        rotate: true,
        org: Some(org.unwrap_or_else(|| "fake-org".to_owned())),
        database: Some(database.unwrap_or_else(|| "fake-db".to_owned())),
        fake: Some(fake),
    })
}

fn step(number: u32, what: &str) {
    println!("\n{number}. {what}");
}

fn done(outcome: &str) {
    println!("   -> {outcome}");
}

fn skipped(number: u32, what: &str) {
    println!("\n{number}. {what}: skipped");
}

fn when(at: SystemTime) -> String {
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    // Whole seconds, written the way Turso writes expirations (`59m59s`).
    match Expiration::after(Duration::from_secs(left.as_secs())) {
        Ok(left) => format!("{} (in {left})", turso_platform::Timestamp::from(at)),
        Err(_) => format!("{} (now)", turso_platform::Timestamp::from(at)),
    }
}
