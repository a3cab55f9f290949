//! An in-process fake of the Turso Platform API, for testing code that uses this crate
//! without a Turso account or a network (feature `fake`).
//!
//! [`FakeTurso::start`] serves the 11 operations of the crate's `openapi.yaml` on a free
//! port of `127.0.0.1`, statefully and as the real API answers them: platform API tokens
//! are minted (their secret shown once), listed, validated and revoked; database and
//! group tokens are real EdDSA-signed JWTs that expire and that rotation invalidates;
//! failures are the spec's statuses with its `{"error": "..."}` body.
//!
//! It starts with one user, `fake-user` ([`USERNAME`]), who owns the organization
//! `fake-org` ([`ORGANIZATION`]), whose group `default` ([`GROUP`]) holds the database
//! `fake-db` ([`DATABASE`]); [`FakeTurso::token`] is a platform API token of that user,
//! named `fake-token` ([`SEEDED_TOKEN_NAME`]), that never expires. Add organizations,
//! groups and databases with [`FakeTurso::add_organization`], [`FakeTurso::add_group`]
//! and [`FakeTurso::add_database`].
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
mod ids;
mod jwt;
mod request;
mod routes;
mod state;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::oneshot;

use self::answer::ApiError;
use self::claims::{ApiTokenClaims, ConnectionClaims};
use self::ids::Ids;
use self::jwt::Signer;
use self::state::State;
pub use self::state::{Role, SetupError};
use crate::Client;
use crate::generated::types;

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

/// What the server and the [`FakeTurso`] handle share: the state and the signing key.
pub(crate) struct App {
    state: Mutex<State>,
    signer: Signer,
}

impl App {
    /// The state, locked. Nothing panics while holding it, but a poisoned lock is taken
    /// over anyway rather than failing every later request.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The verified claims of the request's bearer token (401 if there is none, or it
    /// is not a platform API token of this fake).
    pub(crate) fn bearer_claims(&self, headers: &HeaderMap) -> Result<ApiTokenClaims, ApiError> {
        auth::bearer_claims(headers, &self.signer)
    }

    /// A JWT with these claims, signed with the fake's key.
    pub(crate) fn sign<C: Serialize>(&self, claims: &C) -> String {
        self.signer.sign(claims)
    }
}

/// The seeded user, as `getCurrentUser` answers.
pub(crate) fn seeded_user() -> types::User {
    types::User {
        username: USERNAME.to_owned(),
        name: Some("Fake User".to_owned()),
        email: Some("fake-user@example.com".to_owned()),
        avatar_url: Some("https://example.com/fake-user.png".to_owned()),
        plan: Some("starter".to_owned()),
        mfa: Some(false),
        has_pending_invites: Some(false),
    }
}

impl FakeTurso {
    /// Starts a fake on a free port of `127.0.0.1`, in the current Tokio runtime.
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
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a fake on `addr` (port 0 for a free one), in the current Tokio runtime.
    ///
    /// The fake has no security worth the name: keep it on a loopback address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
    /// use turso_platform::fake::FakeTurso;
    ///
    /// let fake = FakeTurso::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeTurso> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let signer = Signer::generate()?;
        let mut state = State::seeded(Ids::new()?);
        let seeded = state.mint_seeded_token();
        let token = SecretString::from(signer.sign(&seeded.claims));
        let app = Arc::new(App {
            state: Mutex::new(state),
            signer,
        });

        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = routes::router(Arc::clone(&app));
        tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                // Dropping the sender stops the server as well as sending does.
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("the fake Turso server stopped: {e}");
            }
        });

        Ok(FakeTurso {
            app,
            base_url: base_url(local),
            token,
            shutdown: Some(shutdown),
        })
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
        self.add_organization_with_role(slug, Role::Owner)
    }

    /// Adds an organization in which the fake's user has `role`: a [`Role::Member`] or
    /// [`Role::Viewer`] may not mint group-scoped API tokens (403). Fails if the slug is
    /// blank or taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::fake::{FakeTurso, Role};
    ///
    /// let fake = FakeTurso::start().await?;
    /// fake.add_organization_with_role("their-org", Role::Member)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_organization_with_role(&self, slug: &str, role: Role) -> Result<(), SetupError> {
        self.app.state().add_organization(slug, role)
    }

    /// Adds a group to an organization. Fails if the organization does not exist, or the
    /// name is blank or taken in it.
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
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
