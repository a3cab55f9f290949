//! How a fake is started: where it listens and the limits it serves with.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::oneshot;

use crate::app::App;
use crate::ids::Ids;
use crate::jwt::Signer;
use crate::model::State;
use crate::{FakeTurso, USERNAME, http, server};

/// Starts a [`FakeTurso`] with other settings than [`FakeTurso::start`]'s; from
/// [`FakeTurso::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::net::{Ipv4Addr, SocketAddr};
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

    /// Starts the fake, in the current Tokio runtime. Fails only if the address cannot
    /// be bound or the operating system gives no random bytes for the signing key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let fake = turso_platform_fake::FakeTurso::builder().start().await?;
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
        let app = Arc::new(App::new(state, signer, self.idle_timeout));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = http::router(Arc::clone(&app));
        let limits = server::Limits {
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
        };
        tokio::spawn(server::serve(listener, router, limits, stopped));
        Ok(FakeTurso::new(app, local, token, shutdown))
    }
}
