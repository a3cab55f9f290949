//! An in-process fake of the Turso Platform API, for testing code that uses this crate
//! without a Turso account or a network (feature `fake`).
//!
//! [`FakeTurso::start`] serves the operations of the crate's `openapi.yaml` on a free
//! port of `127.0.0.1`, statefully and as the real API answers them: platform API tokens
//! are minted (their secret shown once), listed, validated and revoked; database and
//! group tokens are real EdDSA-signed JWTs that expire and that rotation invalidates;
//! databases and groups are created, configured, transferred and deleted, coherently
//! with the tokens (a deleted database's tokens stop working, a deleted or transferred
//! group takes its databases along and revokes the API tokens pinned to it, a group's
//! locations are its databases' instances); organizations have members with roles,
//! invites, an audit log of every change an API call made, and billing with stable
//! figures (nothing is charged); failures are the spec's statuses with its
//! `{"error": "..."}` body. Where Turso's docs and its API disagree, the fake answers as
//! the API does (a taken name is 400 `database with same name already exists`).
//!
//! It starts with one user, `fake-user` ([`USERNAME`]), who has a personal organization
//! (`fake-user`, on the starter plan) and owns the organization `fake-org`
//! ([`ORGANIZATION`], on a paid plan), whose group `default` ([`GROUP`]) holds the
//! database `fake-db` ([`DATABASE`]); [`FakeTurso::token`] is a platform API token of
//! that user, named `fake-token` ([`SEEDED_TOKEN_NAME`]), that never expires. Add
//! users (each with a token of their own), organizations, members, groups and databases
//! with [`FakeTurso::add_user`], [`FakeTurso::add_organization`],
//! [`FakeTurso::add_member`], [`FakeTurso::add_group`] and [`FakeTurso::add_database`].
//!
//! # What a role may do
//!
//! A token acts as its user, in the organizations the user is a member of: anywhere
//! else it gets 403 (`you are not a member of organization ...`, as the API answers),
//! and removing a member revokes their tokens restricted to the organization and stops
//! their others from reaching it. What the user may do there follows their
//! [`MemberRole`], after Turso's docs:
//!
//! | | owner | admin | member | viewer |
//! |---|---|---|---|---|
//! | read the organization, its databases, groups, instances, plans and usage | yes | yes | yes | yes |
//! | create, change and delete databases and groups; rotate their tokens | yes | yes | yes | no |
//! | mint database and group tokens | yes | yes | yes | read-only ones |
//! | mint group-scoped API tokens, transfer groups | yes | yes | no | no |
//! | manage members and invites, change settings, read invoices, the subscription and the audit log, list the organization's API tokens (which name their owners and addresses) | yes | yes | no | no |
//!
//! The owner's role never changes and the owner cannot be removed; a personal
//! organization has no other members. On the starter plan there are no replicas, no
//! overages and no audit log (402). An invite's address has at most 254 characters, and
//! an organization at most 1,000 pending invites (400 past it).
//!
//! # What a token may do
//!
//! The fake enforces least privilege, reading Turso's docs strictly where they are
//! silent:
//!
//! - an unrestricted platform API token acts in every organization of its user, and is
//!   the only kind that may list, mint or revoke API tokens (`listAPITokens`,
//!   `createAPIToken`, `revokeAPIToken`, `listOrganizationAPITokens`,
//!   `revokeOrganizationAPIToken`);
//! - an organization-scoped token acts only inside its organization, and may not touch
//!   API tokens, not even its organization's or its own (403): a token that could mint
//!   tokens could escape its restriction, and one that could revoke them could lock its
//!   organization out;
//! - a group-scoped token acts only on its group's databases and the group itself, and
//!   only with its scopes: `read` to list and read them, `db:create`, `db:delete`,
//!   `db:configure`, `db:mint-token` and `db:rotate-creds` for its databases,
//!   `group:configure`, `group:mint-token` and `group:rotate-creds` for the group; it may
//!   not create, delete or transfer groups, manage members, invites or settings, read
//!   billing or the audit log, nor touch API tokens. A database or group
//!   outside its group answers 403 whether or not it exists, and so does every request
//!   that names one anywhere (the `group`, `parent` and `schema` filters of a list, a
//!   copy's source, the read-attach list of a token mint, a location change), checked
//!   before anything is looked up: it learns nothing of what is outside its reach, but
//!   for one thing no API can hide, that a name it tries to create is taken elsewhere in
//!   the organization (400, names being unique per organization);
//! - every token may read its user (`getCurrentUser`), validate itself and list the
//!   locations (`listLocations`); a restricted token lists only its organization
//!   (`listOrganizations`).
//!
//! # The audit log
//!
//! Every call that changes something is logged in its organization (even one that sets
//! a value to what it was), newest first in
//! `listOrganizationAuditLogs` and [`FakeTurso::audit_log`]: who (the caller's
//! username), what (a `code` from Turso's list where it has one: `db-create`,
//! `db-delete`, `db-protect`, `db-unprotect`, `db-token-create`, `group-token-create`,
//! `user-token-create`, `instance-create`, `instance-delete`, `org-member-add`,
//! `org-member-rm`, `org-member-leave`, `org-set-overages`, `group-create`,
//! `group-delete`, `group-unarchive`, `group-protect`, `group-unprotect`; and for the
//! changes it has none for: `db-configure`, `db-token-rotate`, `group-configure`,
//! `group-token-rotate`, `group-transfer` (in both organizations), `group-update`,
//! `org-update`, `org-member-role-update`, `org-invite-create`, `org-invite-delete`,
//! `user-token-revoke`), when (`created_at`), and on what (`data`). An API token's
//! mint or revocation is logged in the organization it is restricted to, or in its
//! user's personal organization.
//!
//! A 401 (no token, a token this fake did not sign, a revoked one) comes before
//! everything else, then 404 for a path that does not decode, 400 for an invalid query
//! or body, 403 for what the token or the user's role may not do, and 404 for what does
//! not exist; then 400, 402 and 409 for what the data held forbids.
//!
//! # Serving
//!
//! The server closes a connection whose request headers do not arrive within its idle
//! timeout (10 s by default, [`FakeTursoBuilder::idle_timeout`]), whether the client is
//! slow, silent or idle between requests, answers 408 to a body that does not arrive in
//! time, and closes a connection whose client reads nothing of its answer for as long.
//! It keeps at most 256 connections open ([`FakeTursoBuilder::max_connections`]): a new
//! one past that closes the connection that has waited longest for its client, so that
//! no number of slow, silent or non-reading clients can lock a new one out. Request heads
//! are limited to 64 KiB (431), bodies to 64 KiB (400); requests hyper cannot read at all
//! (a malformed request line, say, in HTTP/1.1 or 1.0) answer with the same
//! `{"error": "..."}` body as everything else, and so does an HTTP/2 connection preface
//! (505: the fake speaks HTTP/1.1).
//!
//! The binary `turso-platform-fake` (same feature) serves the same fake for programs in
//! other languages: `turso-platform-fake --listen 127.0.0.1:8080` prints one JSON line
//! with `base_url` and `token`, then serves until it is stopped.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use turso_platform::fake::FakeTurso;
//! use turso_platform::secrecy::ExposeSecret;
//! use turso_platform::{Expiration, TokenOptions};
//!
//! let fake = FakeTurso::start().await?;
//! let client = fake.client();
//! let options = TokenOptions::new().expiration("1h".parse::<Expiration>()?);
//! let token = client.create_database_token("fake-org", "fake-db", &options).await?;
//! assert!(fake.database_token_is_valid("fake-org", "fake-db", token.jwt.expose_secret()));
//!
//! client.invalidate_database_tokens("fake-org", "fake-db").await?;
//! assert!(!fake.database_token_is_valid("fake-org", "fake-db", token.jwt.expose_secret()));
//! # Ok(())
//! # }
//! ```

mod answer;
mod auth;
mod claims;
mod clock;
mod faults;
mod ids;
mod jwt;
mod refusals;
mod request;
mod routes;
mod server;
mod state;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::{Notify, oneshot};

use self::answer::ApiError;
use self::auth::{Authenticated, Caller};
use self::claims::ConnectionClaims;
pub use self::faults::Fault;
use self::faults::Faults;
use self::ids::Ids;
use self::jwt::Signer;
use self::state::State;
pub use self::state::{Plan, SetupError};
use crate::{AuditLog, Client, MemberRole};
use axum::response::Response;

/// The username of the fake's only user.
///
/// ```
/// assert_eq!(turso_platform::fake::USERNAME, "fake-user");
/// ```
pub const USERNAME: &str = "fake-user";

/// The organization the fake starts with, owned by [`USERNAME`].
///
/// ```
/// assert_eq!(turso_platform::fake::ORGANIZATION, "fake-org");
/// ```
pub const ORGANIZATION: &str = "fake-org";

/// The group of [`ORGANIZATION`] the fake starts with.
///
/// ```
/// assert_eq!(turso_platform::fake::GROUP, "default");
/// ```
pub const GROUP: &str = "default";

/// The database of [`GROUP`] the fake starts with.
///
/// ```
/// assert_eq!(turso_platform::fake::DATABASE, "fake-db");
/// ```
pub const DATABASE: &str = "fake-db";

/// The name of the unrestricted platform API token [`FakeTurso::token`] returns, as
/// `listAPITokens` lists it. Revoking it locks [`FakeTurso::client`] out.
///
/// ```
/// assert_eq!(turso_platform::fake::SEEDED_TOKEN_NAME, "fake-token");
/// ```
pub const SEEDED_TOKEN_NAME: &str = "fake-token";

/// A fake Turso Platform API, served on loopback until it is dropped.
///
/// Cloning is not offered: share it by reference (its methods take `&self`, and it is
/// `Send + Sync`). `Debug` never shows the token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform::fake::FakeTurso;
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
    token: SecretString,
    shutdown: Option<oneshot::Sender<()>>,
}

/// What the server and the [`FakeTurso`] handle share: the state, the signing key and
/// the limits.
pub(crate) struct App {
    state: Mutex<State>,
    signer: Signer,
    idle_timeout: Duration,
    faults: Mutex<Faults>,
    /// Woken when the fake is healed.
    heal: Notify,
}

impl App {
    /// The state, locked. Nothing panics while holding it, but a poisoned lock is taken
    /// over anyway rather than failing every later request.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The planned failures and request counts, locked.
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the fake was healed more often than `heals` times.
    pub(crate) async fn healed_since(&self, heals: u64) {
        loop {
            // Made before the count is read: a heal in between still wakes it.
            let healed = self.heal.notified();
            if self.faults().heals != heals {
                return;
            }
            healed.await;
        }
    }

    /// How long the server waits for a request's headers, or its body.
    pub(crate) fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The key that signs the fake's tokens.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Runs an operation on the state, under its lock, for the caller behind `caller`'s
    /// token: looked up again under the lock, so that a token revoked since the request
    /// arrived gets its 401.
    pub(crate) fn act<T>(
        &self,
        caller: &Authenticated,
        operation: impl FnOnce(&mut State, &Caller) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut state = self.state();
        let caller = state.caller(&caller.0)?;
        operation(&mut state, &caller)
    }

    /// [`act`](App::act), answering its result as JSON.
    pub(crate) fn respond<T: Serialize>(
        &self,
        caller: &Authenticated,
        operation: impl FnOnce(&mut State, &Caller) -> Result<T, ApiError>,
    ) -> Result<Response, ApiError> {
        self.act(caller, operation)
            .map(|answer| answer::json(&answer))
    }

    /// A JWT with these claims, signed with the fake's key.
    pub(crate) fn sign<C: Serialize>(&self, claims: &C) -> String {
        self.signer.sign(claims)
    }
}

impl FakeTurso {
    /// Starts a fake on a free port of `127.0.0.1`, in the current Tokio runtime, with
    /// the default settings of [`FakeTurso::builder`].
    ///
    /// Fails only if no port can be bound or the operating system gives no random bytes
    /// for the signing key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
    /// use turso_platform::fake::FakeTurso;
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
    /// use turso_platform::fake::FakeTurso;
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
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
    /// [`SEEDED_TOKEN_NAME`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
    /// assert_eq!(fake.token().split('.').count(), 3, "a JWT");
    /// # Ok(())
    /// # }
    /// ```
    pub fn token(&self) -> &str {
        self.token.expose_secret()
    }

    /// A [`Client`] for the fake, with [`token`](FakeTurso::token) and the client's
    /// default timeouts and retries.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
        let Ok(claims) = self.app.signer.verify::<ConnectionClaims>(jwt) else {
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
    /// use turso_platform::fake::{DatabaseAction, FakeTurso};
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
        let Ok(claims) = self.app.signer.verify::<ConnectionClaims>(jwt) else {
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

    /// Adds an organization that the fake's user owns. Fails if the slug is blank or
    /// taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
    /// fake.add_organization("acme")?;
    /// assert!(fake.add_organization("acme").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_organization(&self, slug: &str) -> Result<(), SetupError> {
        self.add_organization_with_role(slug, MemberRole::Owner)
    }

    /// Adds an organization in which the fake's user has `role` (see the module's
    /// documentation for what each role may do); unless that is
    /// [`MemberRole::Owner`], the owner is the user `fake-owner`. Fails if the slug is
    /// blank or taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::MemberRole;
    /// use turso_platform::fake::FakeTurso;
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
        self.app.state().add_organization(slug, role)
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
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
        let mut state = self.app.state();
        state.add_user(username)?;
        let minted = state.mint_seeded_token(username);
        Ok(SecretString::from(self.app.sign(&minted.claims)))
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
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
        self.app.state().add_member(organization, username, role)
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
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
    /// use turso_platform::fake::{FakeTurso, Plan};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.set_plan("fake-org", Plan::Starter)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_plan(&self, organization: &str, plan: Plan) -> Result<(), SetupError> {
        self.app.state().set_plan(organization, plan)
    }

    /// Marks a group archived, as Turso archives inactive groups: its databases refuse
    /// connections ([`database_allows`](FakeTurso::database_allows)) until it is
    /// unarchived (`unarchiveGroup`). Fails if the organization or group does not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
    /// fake.archive_group("fake-org", "default")?;
    /// let group = fake.client().unarchive_group("fake-org", "default").await?;
    /// assert_eq!(group.archived, Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn archive_group(&self, organization: &str, group: &str) -> Result<(), SetupError> {
        self.app.state().archive_group(organization, group)
    }

    /// Adds a group to an organization, placed in `aws-us-east-1`. Fails if the
    /// organization does not exist, or the name is blank or taken in it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
    /// fake.add_group("fake-org", "eu")?;
    /// assert!(fake.add_group("no-such-org", "eu").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_group(&self, organization: &str, group: &str) -> Result<(), SetupError> {
        self.app.state().add_group(organization, group)
    }

    /// Adds a database to a group of an organization. Fails if the organization or the
    /// group does not exist, or the name is blank or taken in the organization
    /// (database names are unique per organization, across its groups).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
        self.app.state().add_database(organization, group, database)
    }
}

/// What a connection to a database does, for [`FakeTurso::database_allows`].
///
/// ```
/// let read = turso_platform::fake::DatabaseAction::Read;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatabaseAction {
    /// Read rows.
    Read,
    /// Write rows.
    Write,
}

/// Starts a [`FakeTurso`] with other settings than [`FakeTurso::start`]'s; from
/// [`FakeTurso::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::net::{Ipv4Addr, SocketAddr};
/// use std::time::Duration;
///
/// let fake = turso_platform::fake::FakeTurso::builder()
///     .listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
///     .idle_timeout(Duration::from_secs(5))
///     .start()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct FakeTursoBuilder {
    listen: SocketAddr,
    idle_timeout: Duration,
    max_connections: usize,
}

impl Default for FakeTursoBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            idle_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// How many connections the fake keeps open at once by default
/// ([`FakeTursoBuilder::max_connections`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

impl FakeTursoBuilder {
    /// The address to serve on: a free port of `127.0.0.1` unless you say otherwise
    /// (port 0 for a free one). Keep it on a loopback address: the fake has no security
    /// worth the name.
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    ///
    /// let builder = turso_platform::fake::FakeTurso::builder()
    ///     .listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    /// ```
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// How long the server waits for what a client owes it (10 s by default): a new
    /// connection's request headers, the next request on a keep-alive connection, a
    /// request's body, and reading the answer. A connection whose headers do not arrive
    /// in time is closed; a body that does not arrive in time answers 408; a connection
    /// whose client reads nothing of its answer for that long is closed. No number of
    /// slow, idle or non-reading clients can hold the server for longer.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = turso_platform::fake::FakeTurso::builder().idle_timeout(Duration::from_secs(1));
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How many connections may be open at once ([`DEFAULT_MAX_CONNECTIONS`], 256, by
    /// default; at least 1). A new connection past it closes the one that has waited
    /// longest for its client (no byte read or written for the longest time): clients
    /// that hold connections without using them lose them first, and a client that
    /// connects to send a request is always served. Keep it under the process's limit
    /// of open files (`ulimit -n`), so that connecting never fails for lack of them.
    ///
    /// ```
    /// let builder = turso_platform::fake::FakeTurso::builder().max_connections(64);
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Starts the fake, in the current Tokio runtime. Fails only if the address cannot
    /// be bound or the operating system gives no random bytes for the signing key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform::fake::FakeTurso::builder().start().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> io::Result<FakeTurso> {
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let local = listener.local_addr()?;
        let signer = Signer::generate()?;
        let mut state = State::seeded(Ids::new()?);
        let seeded = state.mint_seeded_token(USERNAME);
        let token = SecretString::from(signer.sign(&seeded.claims));
        let app = Arc::new(App {
            state: Mutex::new(state),
            signer,
            idle_timeout: self.idle_timeout,
            faults: Mutex::new(Faults::default()),
            heal: Notify::new(),
        });
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = routes::router(Arc::clone(&app));
        let limits = server::Limits {
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
        };
        tokio::spawn(server::serve(listener, router, limits, stopped));
        Ok(FakeTurso {
            app,
            base_url: base_url(local),
            token,
            shutdown: Some(shutdown),
        })
    }
}

impl FakeTurso {
    /// Makes the next `count` requests of `operation` (the spec's operationId, such as
    /// `createDatabaseToken`) fail as `fault` says, to test how a program copes with an
    /// outage: answer a status with the API's error body, or hang. Each request counts,
    /// whatever its token or arguments; the failure comes before anything is checked, as
    /// from a failing gateway. `usize::MAX` fails them until [`heal`](FakeTurso::heal);
    /// 0 cancels the plan. Fails with [`SetupError::UnknownOperation`] for a name the spec
    /// does not have.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::StatusCode;
    /// use turso_platform::fake::{Fault, FakeTurso};
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

    /// Ends every planned failure; requests that hang go on and are carried out.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::fake::{Fault, FakeTurso};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.fail_next("createDatabaseToken", usize::MAX, Fault::Hang)?;
    /// fake.heal();
    /// # Ok(())
    /// # }
    /// ```
    pub fn heal(&self) {
        self.app.faults().heal();
        self.app.heal.notify_waiters();
    }

    /// How many requests of `operation` (the spec's operationId) the fake received so
    /// far, failed ones included. Fails with [`SetupError::UnknownOperation`] for a name
    /// the spec does not have.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = turso_platform::fake::FakeTurso::start().await?;
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
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
