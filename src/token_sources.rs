//! A [`TokenSource`] per database, for a service with many tenants: made on first use,
//! shared by every caller for that database, dropped when idle or when the database is
//! deleted, bounded in number.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::{Client, DatabaseToken, Error, TokenOptions, TokenSource};

/// How long a tenant's source is kept without use, by default.
const DEFAULT_IDLE: Duration = Duration::from_secs(600);
/// How many sources are kept at most, by default.
const DEFAULT_MAX: usize = 100_000;

/// Database tokens for many databases: one [`TokenSource`] per database, made on first
/// use with the same options, so that every caller for a tenant shares its token and
/// many callers at once cause one mint per tenant.
///
/// A source unused for the idle time (10 minutes by default,
/// [`idle_timeout`](TokenSources::idle_timeout)) is dropped, and so is the least
/// recently used eighth when the number of sources reaches the bound (100,000 by
/// default, [`max_sources`](TokenSources::max_sources)); [`remove`](TokenSources::remove) drops a
/// deleted database's at once. A dropped source is made again on next use (one mint).
/// Clones share the sources: clone it into every handler.
///
/// ```no_run
/// use turso_platform::{Client, Expiration, TokenOptions, TokenSources};
///
/// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
/// let options = TokenOptions::new().expiration("1h".parse::<Expiration>()?);
/// let tokens = TokenSources::new(client, options);
/// // In a request handler, for the tenant it serves:
/// let token = tokens.token("my-org", "tenant-42").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenSources {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    options: TokenOptions,
    idle: Duration,
    max: usize,
    sources: Mutex<Sources>,
}

/// The sources, by organization and then database (so that a lookup borrows the names
/// and allocates nothing), with when each was last used.
#[derive(Default)]
struct Sources {
    by_org: HashMap<String, HashMap<String, (TokenSource, Instant)>>,
    /// How many sources the maps hold.
    count: usize,
    /// When idle sources were last dropped.
    swept: Option<Instant>,
}

impl Sources {
    /// Keeps the sources for which `keep` holds.
    fn retain(&mut self, mut keep: impl FnMut(Instant) -> bool) {
        let mut count = 0;
        self.by_org.retain(|_, databases| {
            databases.retain(|_, (_, used)| keep(*used));
            count += databases.len();
            !databases.is_empty()
        });
        self.count = count;
    }

    /// Drops the least recently used eighth of the sources (at least one): a scan every
    /// `max / 8` new tenants rather than on every one, once the bound is reached.
    fn evict_oldest(&mut self) {
        let mut used: Vec<Instant> = self
            .by_org
            .values()
            .flat_map(|databases| databases.values().map(|(_, used)| *used))
            .collect();
        if used.is_empty() {
            return;
        }
        let nth = (used.len() / 8).max(1) - 1;
        let (_, cutoff, _) = used.select_nth_unstable(nth);
        let cutoff = *cutoff;
        self.retain(|used| used > cutoff);
    }
}

impl TokenSources {
    /// Sources of database tokens minted with `options`, through `client`. The options are
    /// checked when a source is made, as [`TokenSource::database`] checks them.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSources::new(client, TokenOptions::new());
    /// assert_eq!(tokens.len(), 0);
    /// ```
    pub fn new(client: Client, options: TokenOptions) -> Self {
        Self {
            shared: Arc::new(Shared {
                client,
                options,
                idle: DEFAULT_IDLE,
                max: DEFAULT_MAX,
                sources: Mutex::new(Sources::default()),
            }),
        }
    }

    /// Drops a tenant's source once unused for `idle` (10 minutes by default); its next
    /// use makes it again. Call it before cloning: clones made before keep the old
    /// setting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSources::new(client, TokenOptions::new()).idle_timeout(Duration::from_secs(60));
    /// ```
    pub fn idle_timeout(self, idle: Duration) -> Self {
        self.reconfigure(|shared| shared.idle = idle)
    }

    /// Keeps at most `max` sources (100,000 by default; at least 1): a new one past it
    /// first drops the least recently used eighth. Call it before cloning.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSources::new(client, TokenOptions::new()).max_sources(1_000);
    /// ```
    pub fn max_sources(self, max: usize) -> Self {
        self.reconfigure(|shared| shared.max = max.max(1))
    }

    fn reconfigure(self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Shared {
            client: self.shared.client.clone(),
            options: self.shared.options.clone(),
            idle: self.shared.idle,
            max: self.shared.max,
            sources: Mutex::new(Sources::default()),
        };
        change(&mut shared);
        Self {
            shared: Arc::new(shared),
        }
    }

    fn sources(&self) -> MutexGuard<'_, Sources> {
        self.shared
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The source of the database `database` of `organization`: the one every caller for
    /// it shares, made now if there is none. Fails only for names or options a source
    /// refuses ([`TokenSource::database`]).
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSources::new(client, TokenOptions::new());
    /// let source = tokens.source("my-org", "tenant-42").unwrap();
    /// assert_eq!(tokens.len(), 1);
    /// ```
    pub fn source(&self, organization: &str, database: &str) -> Result<TokenSource, Error> {
        let now = Instant::now();
        let mut sources = self.sources();
        self.sweep(&mut sources, now);
        if let Some((source, used)) = sources
            .by_org
            .get_mut(organization)
            .and_then(|databases| databases.get_mut(database))
        {
            *used = now;
            return Ok(source.clone());
        }
        let source = TokenSource::database(
            self.shared.client.clone(),
            organization,
            database,
            self.shared.options.clone(),
        )?;
        if sources.count >= self.shared.max {
            sources.evict_oldest();
        }
        sources
            .by_org
            .entry(organization.to_owned())
            .or_default()
            .insert(database.to_owned(), (source.clone(), now));
        sources.count += 1;
        Ok(source)
    }

    /// A valid token of the database `database` of `organization`, from its source
    /// ([`TokenSource::token`]).
    ///
    /// ```no_run
    /// # async fn run(tokens: turso_platform::TokenSources) -> Result<(), turso_platform::Error> {
    /// let token = tokens.token("my-org", "tenant-42").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn token(&self, organization: &str, database: &str) -> Result<DatabaseToken, Error> {
        self.source(organization, database)?.token().await
    }

    /// Drops the source of a database (it was deleted): its token is no longer handed
    /// out, and a mint in flight stops once no caller still holds the source. Returns
    /// whether there was one.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSources::new(client, TokenOptions::new());
    /// tokens.source("my-org", "tenant-42").unwrap();
    /// assert!(tokens.remove("my-org", "tenant-42"));
    /// assert!(!tokens.remove("my-org", "tenant-42"));
    /// ```
    pub fn remove(&self, organization: &str, database: &str) -> bool {
        let mut sources = self.sources();
        let Some(databases) = sources.by_org.get_mut(organization) else {
            return false;
        };
        let removed = databases.remove(database).is_some();
        if databases.is_empty() {
            sources.by_org.remove(organization);
        }
        sources.count -= usize::from(removed);
        removed
    }

    /// How many sources are kept.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let tokens = TokenSources::new(Client::new("token").unwrap(), TokenOptions::new());
    /// assert!(tokens.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.sources().count
    }

    /// Whether no source is kept.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSources};
    ///
    /// let tokens = TokenSources::new(Client::new("token").unwrap(), TokenOptions::new());
    /// assert!(tokens.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the sources idle for longer than the idle time, at most once a quarter of
    /// it (so that a busy pool does not scan its sources on every call).
    fn sweep(&self, sources: &mut Sources, now: Instant) {
        let every = self.shared.idle / 4;
        if sources
            .swept
            .is_some_and(|swept| now.saturating_duration_since(swept) < every)
        {
            return;
        }
        sources.swept = Some(now);
        let idle = self.shared.idle;
        sources.retain(|used| now.saturating_duration_since(used) < idle);
    }
}

impl fmt::Debug for TokenSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSources")
            .field("sources", &self.len())
            .field("idle_timeout", &self.shared.idle)
            .field("max_sources", &self.shared.max)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> TokenSources {
        let client = Client::builder()
            .token("t")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        TokenSources::new(client, TokenOptions::new())
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        // README and rustdoc: 10 minutes idle, 100,000 sources.
        let tokens = sources();
        assert_eq!(tokens.shared.idle, Duration::from_secs(10 * 60));
        assert_eq!(tokens.shared.max, 100_000);
    }

    #[test]
    fn callers_of_a_tenant_share_its_source() {
        let tokens = sources();
        let first = tokens.source("org", "a").unwrap();
        let again = tokens.source("org", "a").unwrap();
        assert!(first.is_same_as(&again));
        tokens.source("org", "b").unwrap();
        tokens.source("other", "a").unwrap();
        assert_eq!(tokens.len(), 3);
        assert!(tokens.clone().remove("other", "a"));
        assert!(!tokens.remove("other", "a"));
        assert_eq!(tokens.len(), 2);
    }

    #[test]
    fn the_bound_drops_the_least_recently_used_eighth() {
        let tokens = sources().max_sources(16);
        for n in 0..16 {
            tokens.source("org", &format!("t{n}")).unwrap();
        }
        // t0 and t1 are used again: t2 and t3 are now the oldest.
        tokens.source("org", "t0").unwrap();
        tokens.source("org", "t1").unwrap();
        tokens.source("org", "new").unwrap();
        assert_eq!(tokens.len(), 15);
        let kept = tokens.sources();
        let kept = &kept.by_org["org"];
        for name in ["t0", "t1", "t4", "t15", "new"] {
            assert!(kept.contains_key(name), "{name} was dropped");
        }
        assert!(!kept.contains_key("t2") && !kept.contains_key("t3"));
    }

    #[test]
    fn idle_sources_are_dropped() {
        let tokens = sources().idle_timeout(Duration::ZERO);
        tokens.source("org", "a").unwrap();
        tokens.source("org", "b").unwrap();
        assert_eq!(tokens.len(), 1, "a was idle when b was asked for");
        let kept = sources();
        kept.source("org", "a").unwrap();
        kept.source("org", "b").unwrap();
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn names_a_source_refuses_make_none() {
        let tokens = sources();
        assert!(tokens.source("org", "").is_err());
        assert!(tokens.is_empty());
    }
}
