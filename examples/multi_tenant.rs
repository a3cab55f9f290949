//! A multi-tenant service on `turso-platform`: a database per tenant, created without
//! fear of lost answers or races, waited for until it serves, a token source per tenant,
//! SQL run over the URL the API gives, the audit log read by code, and a tenant removed.
//!
//! The service code (`Tenants`) is written against Turso: it is given a `Client` and
//! knows nothing of the fake. `main` runs it against the local Turso, in this process,
//! with a readiness lag like Turso's and a create whose answer is lost on the way:
//!
//! ```sh
//! cargo run --example multi_tenant
//! ```

use std::time::Duration;

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    AuditCode, Client, Error, Expiration, NewDatabase, TokenOptions, TokenSources,
};
use turso_platform_fake::{FakeTurso, Fault};
use turso_serverless::{Builder, Connection};

/// The service's view of Turso: its organization, the group its tenants live in, and a
/// token source per tenant.
#[derive(Clone)]
struct Tenants {
    client: Client,
    org: String,
    group: String,
    tokens: TokenSources,
}

impl Tenants {
    fn new(client: Client, org: &str, group: &str) -> Result<Self, Error> {
        // Tenants' tokens live an hour and refresh themselves; an idle tenant's source
        // is dropped after 10 minutes, and at most 100,000 are kept.
        let options = TokenOptions::new().expiration(Expiration::after(Duration::from_secs(3600))?);
        Ok(Self {
            tokens: TokenSources::new(client.clone(), options),
            client,
            org: org.to_owned(),
            group: group.to_owned(),
        })
    }

    /// Makes sure the tenant's database exists and serves; safe to call again, and from
    /// several workers at once. Returns whether this call created it.
    async fn provision(&self, tenant: &str) -> Result<bool, Error> {
        let database = self
            .client
            .ensure_database(&self.org, &NewDatabase::new(tenant, &self.group))
            .await?;
        let token = self.tokens.token(&self.org, tenant).await?;
        self.client
            .wait_for_database(&database.get().hostname, &token, Duration::from_secs(30))
            .await?;
        Ok(database.was_created())
    }

    /// A connection to the tenant's database, with the tenant's current token.
    async fn connect(&self, tenant: &str) -> Result<Connection, Box<dyn std::error::Error>> {
        let database = self.client.get_database(&self.org, tenant).await?;
        let token = self.tokens.token(&self.org, tenant).await?;
        let connection = Builder::new_remote(database.libsql_url())
            .with_auth_token(token.jwt.expose_secret())
            .build()
            .await?
            .connect()?;
        Ok(connection)
    }

    /// Removes the tenant: its database, and its token source.
    async fn remove(&self, tenant: &str) -> Result<(), Error> {
        match self.client.delete_database(&self.org, tenant).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {} // already gone
            Err(e) => return Err(e),
        }
        self.tokens.remove(&self.org, tenant);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The local Turso: new databases serve 300 ms after they are reported, as Turso's can
    // take seconds.
    let fake = FakeTurso::builder()
        .readiness_lag(Duration::from_millis(300))
        .start()
        .await?;
    // All the service is given: a token and a base URL.
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()?;
    let tenants = Tenants::new(client.clone(), "fake-org", "default")?;

    // Two workers provision the same new tenant at once: one creates it, both get it.
    let (a, b) = tokio::join!(tenants.provision("acme"), tenants.provision("acme"));
    let created = [a?, b?].iter().filter(|created| **created).count();
    println!("acme provisioned by two workers: {created} created it");
    assert_eq!(created, 1);

    // A create whose answer is lost: provisioning again finds it, without a second one.
    fake.fail_next("createDatabase", 1, Fault::LostAnswer)?;
    let created = tenants.provision("globex").await?;
    println!("globex provisioned through a lost answer (created now: {created})");

    // Each tenant's data, through the URL the API gives and the tenant's token.
    for tenant in ["acme", "globex"] {
        let db = tenants.connect(tenant).await?;
        db.execute(
            "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT)",
            (),
        )
        .await?;
        db.execute(
            "INSERT INTO orders (item) VALUES (?)",
            [format!("{tenant}'s first order")],
        )
        .await?;
        let mut rows = db.query("SELECT count(*) FROM orders", ()).await?;
        let count = rows.next().await?.ok_or("no row")?.get_value(0)?;
        println!("{tenant}: {count:?} order(s)");
    }

    // A name taken in another group is an error, never the other tenant's database.
    client
        .create_group(
            "fake-org",
            &turso_platform::NewGroup::new("eu", "aws-eu-west-1"),
        )
        .await?;
    match client
        .ensure_database("fake-org", &NewDatabase::new("acme", "eu"))
        .await
    {
        Err(e @ Error::TakenByAnother { .. }) => println!("acme in eu: {e}"),
        other => return Err(format!("acme in eu was not refused: {other:?}").into()),
    }

    // What happened, from the audit log: every database created, by code.
    let mut entries = client.audit_log_stream("fake-org", 100);
    while let Some(entry) = entries.next().await {
        let entry = entry?;
        if entry.audit_code() == Some(AuditCode::DbCreate) {
            let name = entry.data.get("name").and_then(|name| name.as_str());
            let at = entry.created_at_timestamp().map(|at| at.to_string());
            let by = entry.author.as_deref().unwrap_or("?");
            println!("audit: {by} created {name:?} at {at:?}");
        }
    }

    // A tenant leaves.
    tenants.remove("globex").await?;
    tenants.remove("globex").await?; // again: nothing left to remove
    let gone = client.get_database("fake-org", "globex").await.unwrap_err();
    assert!(gone.is_not_found());
    println!(
        "globex removed; {} token source(s) kept",
        tenants.tokens.len()
    );
    Ok(())
}
