//! How a fake is started: where it listens, the limits it serves with, what it starts
//! from and where it keeps its state.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use tokio::sync::oneshot;

use crate::app::App;
use crate::data::DataPlane;
use crate::data::storage::Storage;
use crate::store::{Start, Store};
use crate::{FakeTurso, Seed, http, server};

/// Starts a [`FakeTurso`] with other settings than [`FakeTurso::start`]'s; from
/// [`FakeTurso::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::net::{IpAddr, Ipv4Addr, SocketAddr};
/// use std::time::Duration;
///
/// let fake = turso_platform_fake::FakeTurso::builder()
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
    seed: Seed,
    state_dir: Option<PathBuf>,
    readiness_lag: Duration,
    statement_timeout: Duration,
}

impl Default for FakeTursoBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            idle_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            seed: Seed::default(),
            state_dir: None,
            readiness_lag: Duration::ZERO,
            statement_timeout: crate::data::storage::STATEMENT_TIME_LIMIT,
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
    /// use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    ///
    /// let builder = turso_platform_fake::FakeTurso::builder()
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
    /// let builder = turso_platform_fake::FakeTurso::builder().idle_timeout(Duration::from_secs(1));
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
    /// let builder = turso_platform_fake::FakeTurso::builder().max_connections(64);
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// What the fake starts from (and [`FakeTurso::reset`] returns to): the default
    /// [`Seed`] unless you say otherwise. With a [`state_dir`](Self::state_dir) that holds
    /// a state already, the seed kept there is used instead.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform_fake::{FakeTurso, Seed};
    ///
    /// let seed = Seed::parse(r#"
    ///     [[users]]
    ///     username = "ana"
    ///     tokens = ["ci"]
    ///     [[organizations]]
    ///     slug = "acme"
    ///     [[organizations.groups]]
    ///     name = "eu"
    ///     location = "aws-eu-west-1"
    ///     databases = ["orders"]
    /// "#)?;
    /// let fake = FakeTurso::builder().seed(seed).start().await?;
    /// let orders = fake.client().get_database("acme", "orders").await?;
    /// assert_eq!(orders.group.as_deref(), Some("eu"));
    /// assert_eq!(fake.seeded_token("ana", "ci"), Some(fake.token()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Keeps the fake's state in the directory `dir` (made if missing), so that a fake
    /// started again on it finds everything as it was: users, organizations, members,
    /// invites, API tokens, the signing key (every token minted still works), groups,
    /// databases and the audit log. Every change is written before it is answered, so
    /// nothing acknowledged is lost, even to `kill -9`. An empty directory starts from
    /// the [`seed`](Self::seed), and keeps it for [`FakeTurso::reset`]. Without it, the
    /// state lives in memory only.
    ///
    /// One fake at a time may use a directory: a second one fails to start. The files
    /// hold the signing key: keep the directory private (the fake makes its files
    /// readable by their owner only). Uploaded dumps are not kept.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use turso_platform::NewDatabase;
    /// use turso_platform_fake::FakeTurso;
    ///
    /// let dir = std::env::temp_dir().join(format!("fake-turso-doc-{}", std::process::id()));
    /// let fake = FakeTurso::builder().state_dir(&dir).start().await?;
    /// fake.client().create_database("fake-org", &NewDatabase::new("kept", "default")).await?;
    /// let token = fake.token().to_owned();
    /// drop(fake);
    ///
    /// let again = FakeTurso::builder().state_dir(&dir).start().await?;
    /// assert_eq!(again.token(), token);
    /// assert!(again.client().get_database("fake-org", "kept").await.is_ok());
    /// # drop(again);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn state_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.state_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// How long a new database or instance takes to be ready (none by default), as
    /// Turso's new databases take a few seconds: see [`FakeTurso::set_readiness_lag`].
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = turso_platform_fake::FakeTurso::builder().readiness_lag(Duration::from_secs(2));
    /// ```
    pub fn readiness_lag(mut self, lag: Duration) -> Self {
        self.readiness_lag = lag;
        self
    }

    /// How long one SQL statement may run on a database before it is interrupted (5 s by
    /// default): the statement fails with `SQLITE_INTERRUPT`, the rest of the request goes
    /// on, and a runaway query (`WITH RECURSIVE` without an end) holds no thread longer.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = turso_platform_fake::FakeTurso::builder()
    ///     .statement_timeout(Duration::from_millis(500));
    /// ```
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// Starts the fake, in the current Tokio runtime. Fails if the address cannot be
    /// bound, if the operating system gives no random bytes for the signing key, or if
    /// the [`state_dir`](Self::state_dir) cannot be used (in use by another fake,
    /// unreadable, written by an incompatible version).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::builder().start().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> io::Result<FakeTurso> {
        let (store, start) = match &self.state_dir {
            Some(dir) => {
                let (store, start) = Store::open(dir, &self.seed)?;
                (Some(store), start)
            }
            None => (None, Start::seeded(&self.seed)?),
        };
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let local = listener.local_addr()?;
        let restored = start.restored;
        let storage = match &self.state_dir {
            Some(dir) => Storage::kept(dir.join("databases"))?,
            None => Storage::temporary()?,
        };
        let ip = if local.ip().is_unspecified() {
            IpAddr::from(Ipv4Addr::LOCALHOST)
        } else {
            local.ip()
        };
        let data = DataPlane::new(storage, ip, self.statement_timeout)?;
        let app = Arc::new(App::new(
            start,
            store,
            self.idle_timeout,
            admin_token()?,
            data,
        ));
        app.state().set_data_ip(ip);
        app.set_readiness_lag(self.readiness_lag);
        let prebound = app.data().prebind(app.database_ports()).await;
        let started = app
            .serve_databases(false, prebound)
            .and_then(|()| app.save_change());
        if let Err(e) = started {
            // Half-way: what was started stops, and a private directory goes.
            app.data().stop();
            return Err(e);
        }
        tokio::spawn(expire_streams(Arc::downgrade(&app)));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = http::router(Arc::clone(&app));
        let limits = server::Limits {
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
        };
        tokio::spawn(server::serve(listener, router, limits, stopped));
        Ok(FakeTurso::new(app, local, restored, shutdown))
    }
}

/// Closes idle streams every second, for as long as the fake runs.
async fn expire_streams(app: std::sync::Weak<App>) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let Some(app) = app.upgrade() else {
            return;
        };
        app.data().expire_streams();
    }
}

/// A fresh token for the admin API: 32 random bytes, in base64url.
fn admin_token() -> io::Result<SecretString> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(io::Error::other)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    secrecy::zeroize::Zeroize::zeroize(&mut bytes);
    Ok(token.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_documented_ones() {
        // BEHAVIOUR.md and the README: a 10 s idle timeout, 256 connections, 5 s a
        // statement, no readiness lag, memory only, on a free loopback port.
        let builder = FakeTursoBuilder::default();
        assert_eq!(builder.idle_timeout, Duration::from_secs(10));
        assert_eq!(builder.max_connections, 256);
        assert_eq!(builder.statement_timeout, Duration::from_secs(5));
        assert_eq!(builder.readiness_lag, Duration::ZERO);
        assert!(builder.state_dir.is_none());
        assert_eq!(builder.listen, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    }
}
