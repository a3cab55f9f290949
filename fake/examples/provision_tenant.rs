//! Provisioning a tenant with one crate: a group in a location, the tenant's database in
//! it, a short-lived token that refreshes itself, the URL the tenant's application
//! connects to; then everything torn down again.
//!
//! Runs against the fake Turso platform embedded in this crate, with no account and no
//! network:
//!
//! ```sh
//! cargo run -p turso-platform-fake --example provision_tenant
//! ```

use std::time::Duration;

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{Expiration, NewDatabase, NewGroup, TokenOptions, TokenSource};
use turso_platform_fake::FakeTurso;

const ORG: &str = "fake-org";
const TENANT: &str = "tenant-42";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeTurso::start().await?;
    let client = fake.client();

    // Where the tenant's data lives: a group with its primary in Ireland.
    let locations = client.list_locations().await?;
    println!(
        "{} locations, for example aws-eu-west-1: {}",
        locations.len(),
        locations["aws-eu-west-1"]
    );
    let group = client
        .create_group(ORG, &NewGroup::new("eu", "aws-eu-west-1"))
        .await?;
    println!(
        "group {} ({}) in {:?}",
        group.name, group.uuid, group.primary
    );

    // The tenant's database, with a size limit.
    let created = client
        .create_database(ORG, &NewDatabase::new(TENANT, "eu").size_limit("256mb"))
        .await?;
    println!("database {} ({})", created.name, created.db_id);

    // Creating it again is refused: names are unique in an organization.
    match client
        .create_database(ORG, &NewDatabase::new(TENANT, "eu"))
        .await
    {
        Err(e) if e.is_name_taken() => println!("again: the name is taken ({e})"),
        other => return Err(format!("a second create was not refused: {other:?}").into()),
    }

    // A token for the tenant's application: short-lived, always valid when asked for.
    let options = TokenOptions::new().expiration(Expiration::after(Duration::from_secs(900))?);
    let tokens = TokenSource::database(client.clone(), ORG, TENANT, options)?;
    let token = tokens.token().await?;
    let claims = token.claims().expect("a JWT");
    println!(
        "token for database {:?}, valid for {:?}, accepted: {}",
        claims.database_id,
        claims.lifetime(),
        fake.database_token_is_valid(ORG, TENANT, token.jwt.expose_secret())
    );
    println!("the tenant connects to libsql://{}", created.hostname);
    let instances = client.list_database_instances(ORG, TENANT).await?;
    for instance in &instances {
        println!(
            "  instance {} ({}) at {}",
            instance.name, instance.type_, instance.hostname
        );
    }

    // Teardown: the database, then the group. The token stops working with the database.
    client.delete_database(ORG, TENANT).await?;
    let gone = client.get_database(ORG, TENANT).await.unwrap_err();
    println!(
        "deleted {TENANT}: get answers {:?}; its token is accepted: {}",
        gone.status().map(|s| s.as_u16()),
        fake.database_token_is_valid(ORG, TENANT, token.jwt.expose_secret())
    );
    client.delete_group(ORG, "eu").await?;
    println!(
        "deleted group eu; groups left: {:?}",
        client
            .list_groups(ORG)
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect::<Vec<_>>()
    );
    Ok(())
}
