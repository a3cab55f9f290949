//! The handle of a running fake: where it serves, its token, a client for it, and what a
//! test does to it besides API calls (setup, faults, request counts, token checks).

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use turso_platform::{AuditLog, Client, MemberRole};

use crate::app::App;
use crate::claims::ConnectionClaims;
use crate::clock;
use crate::{FakeTursoBuilder, Fault, Plan, SetupError};

/// A fake Turso Platform API, served on loopback until it is dropped.
///
/// Cloning is not offered: share it by reference (its methods take `&self`, and it is
/// `Send + Sync`). `Debug` never shows the token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform_fake::FakeTurso;
///
/// let fake = FakeTurso::start().await?;
/// let me = fake.client().current_user().await?;
/// assert_eq!(me.username, "fake-user");
/// drop(fake); // stops the server
/// # Ok(())
/// # }
/// ```
pub struct FakeTurso {
    app: Arc<App>,
    base_url: String,
    restored: bool,
    shutdown: Option<oneshot::Sender<()>>,
}

impl FakeTurso {
    /// The handle of a fake serving `app` on `local`, stopped through `shutdown`.
    pub(crate) fn new(
        app: Arc<App>,
        local: SocketAddr,
        restored: bool,
        shutdown: oneshot::Sender<()>,
    ) -> Self {
        Self {
            app,
            base_url: base_url(local),
            restored,
            shutdown: Some(shutdown),
        }
    }

    /// Starts a fake on a free port of `127.0.0.1`, in the current Tokio runtime, with
    /// the default settings of [`FakeTurso::builder`].
    ///
    /// Fails only if no port can be bound or the operating system gives no random bytes
    /// for the signing key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> io::Result<FakeTurso> {
        Self::builder().start().await
    }

    /// Starts a fake on `addr` (port 0 for a free one), in the current Tokio runtime.
    ///
    /// The fake has no security worth the name: keep it on a loopback address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// use turso_platform_fake::FakeTurso;
    ///
    /// let fake = FakeTurso::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeTurso> {
        Self::builder().listen(addr).start().await
    }

    /// A builder for a fake with other settings: where it listens, and how long a
    /// connection may stay idle.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use turso_platform_fake::FakeTurso;
    ///
    /// let fake = FakeTurso::builder()
    ///     .idle_timeout(Duration::from_secs(2))
    ///     .start()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> FakeTursoBuilder {
        FakeTursoBuilder::default()
    }

    /// The URL the fake serves on: `http://127.0.0.1:PORT`, without a trailing `/`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let client = turso_platform::Client::builder()
    ///     .token(fake.token())
    ///     .base_url(fake.base_url())
    ///     .build()
    ///     .unwrap();
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A platform API token of the seeded user: unrestricted, never expiring, listed as
    /// [`SEEDED_TOKEN_NAME`](crate::SEEDED_TOKEN_NAME). With another [`Seed`], the first
    /// token of its first user.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// assert_eq!(fake.token().split('.').count(), 3, "a JWT");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`Seed`]: crate::Seed
    pub fn token(&self) -> &str {
        // A seed's first user has a token (`Seed::parse` and the state directory check it).
        self.app
            .seeded_tokens()
            .first()
            .map(|(_, _, token)| token.expose_secret())
            .unwrap_or_default()
    }

    /// The token named `name` that the [`Seed`](crate::Seed) gave the user `username`, if
    /// it gave one (whether or not it was revoked since).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// assert_eq!(fake.seeded_token("fake-user", "fake-token"), Some(fake.token()));
    /// assert_eq!(fake.seeded_token("fake-user", "other"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn seeded_token(&self, username: &str, name: &str) -> Option<&str> {
        self.app
            .seeded_tokens()
            .iter()
            .find(|(user, token_name, _)| user == username && token_name == name)
            .map(|(_, _, token)| token.expose_secret())
    }

    /// Every token the [`Seed`](crate::Seed) minted: (username, token name, token), in
    /// the seed's order (whether or not revoked since).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let tokens: Vec<_> = fake.seeded_tokens().collect();
    /// assert_eq!(tokens, [("fake-user", "fake-token", fake.token())]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn seeded_tokens(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.app
            .seeded_tokens()
            .iter()
            .map(|(user, name, token)| (user.as_str(), name.as_str(), token.expose_secret()))
    }

    /// The token of the admin API (under `/_fake/`, for programs in other languages to do
    /// what this handle does: faults, request counts, setup, resets): a fresh random one
    /// at every start. It opens the admin API only, and nothing of the platform API.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// assert_eq!(fake.admin_token().len(), 43);
    /// # Ok(())
    /// # }
    /// ```
    pub fn admin_token(&self) -> &str {
        self.app.admin_token().expose_secret()
    }

    /// Whether the state was read from the [state directory](crate::FakeTursoBuilder::state_dir)
    /// (rather than made from the seed).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// assert!(!turso_platform_fake::FakeTurso::start().await?.restored());
    /// # Ok(())
    /// # }
    /// ```
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// Returns the fake to its [`Seed`](crate::Seed): everything made since is gone
    /// (users, organizations, tokens, groups, databases, audit entries), the seed's
    /// tokens work again, and every database and group token minted before no longer
    /// opens anything. IDs are never given out twice. Planned faults and request counts
    /// are left as they are ([`heal`](FakeTurso::heal) ends the faults). Fails only if
    /// the state directory cannot be written.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::NewDatabase;
    ///
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let client = fake.client();
    /// client.create_database("fake-org", &NewDatabase::new("scratch", "default")).await?;
    /// fake.reset()?;
    /// assert!(client.get_database("fake-org", "scratch").await.is_err());
    /// assert!(client.get_database("fake-org", "fake-db").await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn reset(&self) -> Result<(), SetupError> {
        self.app
            .reset()
            .map_err(|e| SetupError::Unsaved(e.to_string()))
    }

    /// The URL to connect to the database `database` of `organization` with a libSQL
    /// client (`@libsql/client`, Rust's `libsql` or `turso_serverless`, anything that
    /// speaks Hrana over HTTP): `http://127.0.0.1:PORT`, where its SQL is served, with a
    /// database or group token the fake minted. It is the database's `Hostname` with
    /// `http://` (the fake serves no TLS: a `libsql://` URL would ask for it). Fails if
    /// the organization or the database does not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let url = fake.database_url("fake-org", "fake-db")?;
    /// assert!(url.starts_with("http://127.0.0.1:"));
    /// let db = fake.client().get_database("fake-org", "fake-db").await?;
    /// assert_eq!(url, format!("http://{}", db.hostname));
    /// # Ok(())
    /// # }
    /// ```
    pub fn database_url(&self, organization: &str, database: &str) -> Result<String, SetupError> {
        let state = self.app.state();
        let hostname = state.database_hostname(organization, database)?;
        Ok(format!("http://{hostname}"))
    }

    /// Makes every database and instance created from now on take `lag` to be ready, as
    /// Turso's new databases take a few seconds: it is listed and answered at once, but
    /// the routes that wait for it (`…/instances/{instance}/wait`,
    /// `…/groups/{group}/locations/{location}/wait`) answer only once it is ready, and
    /// until then [`database_allows`](FakeTurso::database_allows) refuses every
    /// connection. Zero (the default) makes them ready at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use turso_platform::{NewDatabase, TokenOptions};
    /// use turso_platform::secrecy::ExposeSecret;
    /// use turso_platform_fake::{DatabaseAction, FakeTurso};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.set_readiness_lag(Duration::from_secs(60));
    /// let client = fake.client();
    /// client.create_database("fake-org", &NewDatabase::new("slow", "default")).await?;
    /// let token = client.create_database_token("fake-org", "slow", &TokenOptions::new()).await?;
    /// let jwt = token.jwt.expose_secret();
    /// assert!(!fake.database_allows("fake-org", "slow", jwt, DatabaseAction::Read));
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_readiness_lag(&self, lag: Duration) {
        self.app.set_readiness_lag(lag);
    }

    /// A [`Client`] for the fake, with [`token`](FakeTurso::token) and the client's
    /// default timeouts and retries.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// assert!(fake.client().validate_api_token().await?.expires_at.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> Client {
        Client::builder()
            .token(self.token())
            .base_url(self.base_url())
            .build()
            // A loopback http:// URL and a JWT (base64url and dots) are always accepted.
            .expect("a client for the fake's loopback URL and token")
    }

    /// Whether `jwt` is a database or group token this fake minted that opens `database`
    /// of `organization` now: its signature is the fake's, it names the database (or
    /// the database's group), it has not expired, and neither the database nor its
    /// group was rotated after it was minted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::TokenOptions;
    /// use turso_platform::secrecy::ExposeSecret;
    ///
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let group_token = fake
    ///     .client()
    ///     .create_group_token("fake-org", "default", &TokenOptions::new())
    ///     .await?;
    /// let jwt = group_token.jwt.expose_secret();
    /// assert!(fake.database_token_is_valid("fake-org", "fake-db", jwt));
    /// assert!(!fake.database_token_is_valid("fake-org", "other-db", jwt));
    /// assert!(!fake.database_token_is_valid("fake-org", "fake-db", "not.a.token"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn database_token_is_valid(&self, organization: &str, database: &str, jwt: &str) -> bool {
        let Ok(claims) = self.app.signer().verify::<ConnectionClaims>(jwt) else {
            return false;
        };
        self.app
            .state()
            .opens(organization, database, &claims, clock::since_epoch())
    }

    /// Whether a connection to `database` of `organization` with the database or group
    /// token `jwt` may do `action` now: the token is valid
    /// ([`database_token_is_valid`](FakeTurso::database_token_is_valid)), the database's
    /// group is not archived, its configuration does not block reads (or writes), and a
    /// write needs a full-access token. It is what `block_reads` and `block_writes` change.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform_fake::{DatabaseAction, FakeTurso};
    /// use turso_platform::secrecy::ExposeSecret;
    /// use turso_platform::{DatabaseConfigurationInput, TokenOptions};
    ///
    /// let fake = FakeTurso::start().await?;
    /// let client = fake.client();
    /// let token = client.create_database_token("fake-org", "fake-db", &TokenOptions::new()).await?;
    /// let jwt = token.jwt.expose_secret();
    /// assert!(fake.database_allows("fake-org", "fake-db", jwt, DatabaseAction::Write));
    /// let block = DatabaseConfigurationInput::default().with_block_writes(true);
    /// client.update_database_configuration("fake-org", "fake-db", &block).await?;
    /// assert!(!fake.database_allows("fake-org", "fake-db", jwt, DatabaseAction::Write));
    /// assert!(fake.database_allows("fake-org", "fake-db", jwt, DatabaseAction::Read));
    /// # Ok(())
    /// # }
    /// ```
    pub fn database_allows(
        &self,
        organization: &str,
        database: &str,
        jwt: &str,
        action: DatabaseAction,
    ) -> bool {
        let Ok(claims) = self.app.signer().verify::<ConnectionClaims>(jwt) else {
            return false;
        };
        self.app.state().allows(
            organization,
            database,
            &claims,
            clock::since_epoch(),
            action,
        )
    }

    /// Adds an organization that the fake's user (the seed's first user, `fake-user` by
    /// default) owns. Fails if the slug is blank or taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.add_organization("acme")?;
    /// assert!(fake.add_organization("acme").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_organization(&self, slug: &str) -> Result<(), SetupError> {
        self.add_organization_with_role(slug, MemberRole::Owner)
    }

    /// Adds an organization in which the fake's user (the seed's first user, `fake-user`
    /// by default) has `role` (see the module's documentation for what each role may
    /// do); unless that is [`MemberRole::Owner`], the owner is the user `fake-owner`.
    /// Fails if the slug is blank or taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::MemberRole;
    /// use turso_platform_fake::FakeTurso;
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.add_organization_with_role("their-org", MemberRole::Viewer)?;
    /// let refused = fake.client().list_organization_members("their-org").await.unwrap_err();
    /// assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_organization_with_role(
        &self,
        slug: &str,
        role: MemberRole,
    ) -> Result<(), SetupError> {
        let user = self.app.first_user().to_owned();
        self.app
            .setup(|state| state.add_organization(slug, &user, role))
    }

    /// Adds a Turso user, `username` (`<username>@example.com`), with their personal
    /// organization (whose slug is their username, on the starter plan), and returns an
    /// unrestricted platform API token that acts as them. They belong to no other
    /// organization until one adds them ([`add_member`](FakeTurso::add_member), or
    /// `addOrganizationMember`). Fails if the name is blank or taken by a user or an
    /// organization.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::secrecy::ExposeSecret;
    /// use turso_platform::{Client, MemberRole};
    ///
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// let token = fake.add_user("ana")?;
    /// let ana = Client::builder()
    ///     .token(token.expose_secret())
    ///     .base_url(fake.base_url())
    ///     .build()?;
    /// assert!(ana.get_organization("fake-org").await.is_err()); // not a member: 403
    /// fake.client().add_organization_member("fake-org", "ana", MemberRole::Member).await?;
    /// assert_eq!(ana.get_organization("fake-org").await?.slug, "fake-org");
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_user(&self, username: &str) -> Result<SecretString, SetupError> {
        self.app.add_user(username)
    }

    /// Makes the user `username` a member of `organization` with `role`, or gives them
    /// `role` if they are one, without a trace in the audit log (this is setup, not an
    /// API call); their pending invite, if any, is accepted. With
    /// [`MemberRole::Owner`], they take the owner's place and the owner becomes an admin.
    /// Fails if either does not exist, if the organization is personal (it has no other
    /// members), or if `username` owns it and `role` is another role.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::MemberRole;
    ///
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.add_user("ana")?;
    /// fake.add_member("fake-org", "ana", MemberRole::Viewer)?;
    /// let ana = fake.client().get_organization_member("fake-org", "ana").await?;
    /// assert_eq!(ana.role, "viewer");
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_member(
        &self,
        organization: &str,
        username: &str,
        role: MemberRole,
    ) -> Result<(), SetupError> {
        self.app
            .setup(|state| state.add_member(organization, username, role))
    }

    /// Every entry of the audit log of `organization`, newest first: each change an API
    /// call made there (who, what, when), to assert what a program did. Fails if the
    /// organization does not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::NewDatabase;
    ///
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.client().create_database("fake-org", &NewDatabase::new("tenant-1", "default")).await?;
    /// let log = fake.audit_log("fake-org")?;
    /// assert_eq!(log[0].code.as_deref(), Some("db-create"));
    /// assert_eq!(log[0].author.as_deref(), Some("fake-user"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn audit_log(&self, organization: &str) -> Result<Vec<AuditLog>, SetupError> {
        self.app
            .state()
            .audit_log(organization)
            .ok_or_else(|| SetupError::UnknownOrganization(organization.to_owned()))
    }

    /// Puts an organization on a plan: on [`Plan::Starter`], groups cannot have replicas
    /// (adding a location answers 402). Fails if the organization does not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform_fake::{FakeTurso, Plan};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.set_plan("fake-org", Plan::Starter)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_plan(&self, organization: &str, plan: Plan) -> Result<(), SetupError> {
        self.app.setup(|state| state.set_plan(organization, plan))
    }

    /// Marks a group archived, as Turso archives inactive groups: its databases refuse
    /// connections ([`database_allows`](FakeTurso::database_allows)) until it is
    /// unarchived (`unarchiveGroup`). Fails if the organization or group does not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.archive_group("fake-org", "default")?;
    /// let group = fake.client().unarchive_group("fake-org", "default").await?;
    /// assert_eq!(group.archived, Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn archive_group(&self, organization: &str, group: &str) -> Result<(), SetupError> {
        self.app
            .setup(|state| state.archive_group(organization, group))
    }

    /// Adds a group to an organization, placed in `aws-us-east-1`. Fails if the
    /// organization does not exist, or the name is blank or taken in it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.add_group("fake-org", "eu")?;
    /// assert!(fake.add_group("no-such-org", "eu").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_group(&self, organization: &str, group: &str) -> Result<(), SetupError> {
        self.app.setup(|state| state.add_group(organization, group))
    }

    /// Adds a database to a group of an organization. Fails if the organization or the
    /// group does not exist, or the name is blank or taken in the organization
    /// (database names are unique per organization, across its groups).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.add_organization("acme")?;
    /// fake.add_group("acme", "eu")?;
    /// fake.add_database("acme", "eu", "orders")?;
    /// assert!(fake.add_database("acme", "us", "orders").is_err(), "no group us");
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_database(
        &self,
        organization: &str,
        group: &str,
        database: &str,
    ) -> Result<(), SetupError> {
        self.app.add_database(organization, group, database)
    }
}

/// What a connection to a database does, for [`FakeTurso::database_allows`].
///
/// ```
/// let read = turso_platform_fake::DatabaseAction::Read;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatabaseAction {
    /// Read rows.
    Read,
    /// Write rows.
    Write,
}

impl FakeTurso {
    /// Makes the next `count` requests of `operation` (the spec's operationId, such as
    /// `createDatabaseToken`) fail as `fault` says, to test how a program copes with an
    /// outage: answer a status with the API's error body (with `Retry-After` or
    /// without), answer late, hang until healed, or lose the answer of a request carried
    /// out (see [`Fault`] for what each carries out). Each request counts,
    /// whatever its token or arguments; the failure comes before anything is checked, as
    /// from a failing gateway. `usize::MAX` fails them until [`heal`](FakeTurso::heal);
    /// 0 cancels the plan. Fails with [`SetupError::UnknownOperation`] for a name the spec
    /// does not have.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::StatusCode;
    /// use turso_platform_fake::{Fault, FakeTurso};
    ///
    /// let fake = FakeTurso::start().await?;
    /// let client = turso_platform::Client::builder()
    ///     .token(fake.token())
    ///     .base_url(fake.base_url())
    ///     .max_retries(0)
    ///     .build()?;
    /// fake.fail_next("getCurrentUser", 1, Fault::Status(StatusCode::SERVICE_UNAVAILABLE))?;
    /// let err = client.current_user().await.unwrap_err();
    /// assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    /// assert!(client.current_user().await.is_ok(), "only the next one failed");
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail_next(&self, operation: &str, count: usize, fault: Fault) -> Result<(), SetupError> {
        self.app.faults().plan(operation, count, fault)
    }

    /// Ends every planned failure; requests that hang go on and are carried out, whether
    /// or not their clients still wait for them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform_fake::{Fault, FakeTurso};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.fail_next("createDatabaseToken", usize::MAX, Fault::Hang)?;
    /// fake.heal();
    /// # Ok(())
    /// # }
    /// ```
    pub fn heal(&self) {
        self.app.heal();
    }

    /// How many requests of `operation` (the spec's operationId) the fake received so
    /// far, failed ones included. Fails with [`SetupError::UnknownOperation`] for a name
    /// the spec does not have.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform_fake::FakeTurso::start().await?;
    /// fake.client().current_user().await?;
    /// assert_eq!(fake.requests("getCurrentUser")?, 1);
    /// assert_eq!(fake.requests("listAPITokens")?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn requests(&self, operation: &str) -> Result<u64, SetupError> {
        self.app.faults().received(operation)
    }
}

/// The base URL for a bound address; an unspecified address (`0.0.0.0`, `[::]`) is
/// reached through loopback.
fn base_url(addr: SocketAddr) -> String {
    let mut reachable = addr;
    if addr.ip().is_unspecified() {
        reachable.set_ip(if addr.is_ipv4() {
            Ipv4Addr::LOCALHOST.into()
        } else {
            Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{reachable}")
}

impl fmt::Debug for FakeTurso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTurso")
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// Stops the server: it finishes the requests in flight and closes its connections.
impl Drop for FakeTurso {
    fn drop(&mut self) {
        // Hanging requests end too.
        self.heal();
        // A fake started next on the same state directory may open it at once.
        self.app.close_store();
        self.app.data().stop();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
