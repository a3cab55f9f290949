//! Database and group tokens that are always valid: minted on first use, reused until a
//! share of their lifetime is left, then replaced by one mint in the background while
//! the current token is still handed out; served through an outage for as long as they
//! are valid.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::codecs::excerpt::Quoted;
use crate::transport::path::segment;
use crate::transport::retry::Backoff;
use crate::{Client, DatabaseToken, Error, StatusCode, TokenOptions};

/// The shortest lifetime a source accepts: it reads expiry to the second, and keeps a
/// second of margin.
const MIN_LIFETIME: Duration = Duration::from_secs(2);
/// The margin kept before a token's expiry: `exp` and `iat` are whole seconds.
const MARGIN: Duration = Duration::from_secs(1);
/// The longest lifetime a source counts with (100 years): a token minted to live longer,
/// or whose claims say so, is refreshed as if it lived this long, so that no time
/// arithmetic can overflow whatever a server answers.
const MAX_LIFETIME: Duration = Duration::from_secs(100 * 365 * 86_400);
/// The longest wait between two attempts a source accepts ([`TokenSource::retry_backoff`]).
const MAX_BACKOFF: Duration = Duration::from_secs(86_400);

/// A database or group token that is valid whenever you ask for it, for a service that
/// keeps short-lived tokens instead of ones that never expire.
///
/// - The first [`token`](TokenSource::token) mints one; every later call returns the same
///   token, without touching the network, until less than a share of its lifetime is
///   left (a quarter by default, [`refresh_when_remaining`](TokenSource::refresh_when_remaining)).
///   The lifetime is read from the token itself (`exp - iat`).
/// - Then one call starts one mint in the background, and every call meanwhile still
///   gets the current token at once. Many callers at once cause one mint.
/// - If the mint fails, the current token is handed out for as long as it is valid, and
///   the mint is tried again after a backoff (1 s doubling to 30 s by default,
///   [`retry_backoff`](TokenSource::retry_backoff)), never once per caller. Once no
///   valid token is left, callers wait for the next attempt if one is due, and otherwise
///   get [`Error::TokenUnavailable`] at once, with the last failure.
/// - A failure that waiting will not mend ([`Error::InvalidArgument`], 401, 403, 404) is
///   not tried again in the background: the next caller gets it, and the following ones
///   the current token while it is valid.
/// - [`rotate`](TokenSource::rotate) invalidates every token of the database (or group)
///   and mints a new one; callers wait for it meanwhile.
/// - A token that never expires ([`Expiration::Never`](crate::Expiration::Never), the
///   default) is minted once and
///   reused until `rotate`.
///
/// Clones share one token. Dropping every clone stops the mint in flight, if any: a
/// source runs nothing else in the background. `Debug` shows no token; refreshes and
/// failures are logged with `tracing`, never a token.
///
/// ```no_run
/// use turso_platform::{Client, Expiration, TokenOptions, TokenSource};
/// use turso_platform::secrecy::ExposeSecret;
///
/// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
/// let options = TokenOptions::new().expiration("1h".parse::<Expiration>()?);
/// let tokens = TokenSource::database(client, "my-org", "tenant-42", options)?;
/// // In every request handler: cheap, and always a valid token.
/// let token = tokens.token().await?;
/// let url = format!("libsql://tenant-42-my-org.turso.io?authToken={}", token.jwt.expose_secret());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenSource {
    shared: Arc<Shared>,
}

/// What the clones of a source share.
struct Shared {
    client: Client,
    target: Target,
    options: TokenOptions,
    state: Mutex<State>,
    /// Woken when an attempt or a rotation ends.
    changed: Notify,
    /// One rotation at a time.
    rotation: tokio::sync::Mutex<()>,
}

/// Whose tokens.
#[derive(Clone, Debug)]
enum Target {
    Database { organization: String, name: String },
    Group { organization: String, name: String },
}

struct State {
    refresh_share: f64,
    backoff: Backoff,
    current: Option<Held>,
    /// The mint in flight, if any, by number.
    attempt: Option<(u64, AbortHandle)>,
    /// Mints started so far.
    attempts: u64,
    /// A rotation is running: callers wait for its token.
    rotating: bool,
    failure: Option<Failure>,
    /// Failed attempts since the last success.
    failures: u32,
}

/// The token handed out, and when it stops being handed out and is due for a refresh
/// (`None`: never, it does not expire).
struct Held {
    token: DatabaseToken,
    valid_until: Option<Instant>,
    refresh_at: Option<Instant>,
}

struct Failure {
    error: Arc<Error>,
    /// No attempt before then.
    retry_at: Instant,
    /// Waiting will not mend it: no attempt in the background.
    permanent: bool,
    /// Whether a caller was told (what a permanent failure waits for).
    delivered: bool,
}

/// What a call of `token` does, decided under the lock.
enum Next {
    Hand(DatabaseToken),
    Fail(Error),
    Wait,
}

impl TokenSource {
    /// Database tokens for the database `database` of the organization `organization`,
    /// minted with `options`. The names and options are checked now: a name that could not
    /// be sent, an invalid expiration, or one shorter than 2 s (which a source could not
    /// refresh in time) is [`Error::InvalidArgument`].
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSource};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSource::database(client, "my-org", "my-db", TokenOptions::new()).unwrap();
    /// ```
    pub fn database(
        client: Client,
        organization: impl Into<String>,
        database: impl Into<String>,
        options: TokenOptions,
    ) -> Result<TokenSource, Error> {
        let (organization, name) = (organization.into(), database.into());
        segment("organization", &organization)?;
        segment("database name", &name)?;
        Self::new(client, Target::Database { organization, name }, options)
    }

    /// Group tokens, which open every database of the group `group` of the organization
    /// `organization`, minted with `options`; checked as [`database`](TokenSource::database)
    /// checks.
    ///
    /// ```
    /// use turso_platform::{Client, TokenOptions, TokenSource};
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// let tokens = TokenSource::group(client, "my-org", "default", TokenOptions::new()).unwrap();
    /// ```
    pub fn group(
        client: Client,
        organization: impl Into<String>,
        group: impl Into<String>,
        options: TokenOptions,
    ) -> Result<TokenSource, Error> {
        let (organization, name) = (organization.into(), group.into());
        segment("organization", &organization)?;
        segment("group", &name)?;
        Self::new(client, Target::Group { organization, name }, options)
    }

    fn new(client: Client, target: Target, options: TokenOptions) -> Result<TokenSource, Error> {
        options.to_request()?;
        if let Some(lifetime) = options.lifetime()
            && lifetime < MIN_LIFETIME
        {
            return Err(Error::InvalidArgument(format!(
                "a token source needs tokens that live at least {} s, not {lifetime:?}: it \
                 reads their expiry to the second",
                MIN_LIFETIME.as_secs()
            )));
        }
        let state = State {
            refresh_share: 0.25,
            backoff: Backoff {
                first: Duration::from_secs(1),
                max: Duration::from_secs(30),
            },
            current: None,
            attempt: None,
            attempts: 0,
            rotating: false,
            failure: None,
            failures: 0,
        };
        Ok(TokenSource {
            shared: Arc::new(Shared {
                client,
                target,
                options,
                state: Mutex::new(state),
                changed: Notify::new(),
                rotation: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// When a token is due for a refresh: once less than `share` of its lifetime is left
    /// (a quarter, 0.25, by default). It is kept between 0.05 and 0.95.
    ///
    /// ```
    /// # let client = turso_platform::Client::new("t").unwrap();
    /// # let options = turso_platform::TokenOptions::new();
    /// let tokens = turso_platform::TokenSource::database(client, "my-org", "my-db", options)
    ///     .unwrap()
    ///     .refresh_when_remaining(0.5);
    /// ```
    pub fn refresh_when_remaining(self, share: f64) -> Self {
        let share = if share.is_nan() {
            0.25
        } else {
            share.clamp(0.05, 0.95)
        };
        self.shared.lock().refresh_share = share;
        self
    }

    /// How long to wait before trying again after a failed mint: `first` after the first
    /// failure in a row, doubling up to `max`, with ±25% jitter (1 s and 30 s by default;
    /// `first` is at least 10 ms, so that a failing API is never asked in a tight loop,
    /// and neither is more than a day, so that no setting can overflow a clock).
    ///
    /// ```
    /// use std::time::Duration;
    /// # let client = turso_platform::Client::new("t").unwrap();
    /// # let options = turso_platform::TokenOptions::new();
    ///
    /// let tokens = turso_platform::TokenSource::database(client, "my-org", "my-db", options)
    ///     .unwrap()
    ///     .retry_backoff(Duration::from_millis(500), Duration::from_secs(10));
    /// ```
    pub fn retry_backoff(self, first: Duration, max: Duration) -> Self {
        let first = first.clamp(Duration::from_millis(10), MAX_BACKOFF);
        self.shared.lock().backoff = Backoff {
            first,
            max: max.clamp(first, MAX_BACKOFF),
        };
        self
    }

    /// A token that is valid now: minted on first use, then reused until it is due for
    /// refresh, then replaced. See [`TokenSource`] for what happens while the API fails.
    ///
    /// ```no_run
    /// # async fn run(tokens: turso_platform::TokenSource) -> Result<(), turso_platform::Error> {
    /// let token = tokens.token().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn token(&self) -> Result<DatabaseToken, Error> {
        loop {
            let woken = {
                let mut state = self.shared.lock();
                match self.next(&mut state, Instant::now()) {
                    Next::Hand(token) => return Ok(token),
                    Next::Fail(error) => return Err(error),
                    // Made under the lock: an attempt that ends after it is released
                    // still wakes it.
                    Next::Wait => self.shared.changed.notified(),
                }
            };
            woken.await;
        }
    }

    /// What a call of `token` does now.
    fn next(&self, state: &mut State, now: Instant) -> Next {
        if state.rotating {
            return Next::Wait;
        }
        if let Some(failure) = state.failure.as_mut()
            && failure.permanent
            && !failure.delivered
        {
            failure.delivered = true;
            return Next::Fail(unavailable(failure, now));
        }
        let may_attempt = state.attempt.is_none()
            && state
                .failure
                .as_ref()
                .is_none_or(|failure| now >= failure.retry_at);
        if let Some(held) = state.current.as_ref().filter(|held| held.valid_at(now)) {
            let token = held.token.clone();
            let background_allowed = state.failure.as_ref().is_none_or(|f| !f.permanent);
            if held.due_at(now) && may_attempt && background_allowed {
                self.start_attempt(state);
            }
            return Next::Hand(token);
        }
        if state.attempt.is_some() {
            return Next::Wait;
        }
        if let Some(failure) = state.failure.as_ref()
            && now < failure.retry_at
        {
            return Next::Fail(unavailable(failure, now));
        }
        self.start_attempt(state);
        Next::Wait
    }

    /// Starts a mint in the background: it finishes even if the caller that started it
    /// goes away, and stops if every clone of the source does.
    fn start_attempt(&self, state: &mut State) {
        let shared = Arc::downgrade(&self.shared);
        let (client, target, options) = (
            self.shared.client.clone(),
            self.shared.target.clone(),
            self.shared.options.clone(),
        );
        state.attempts += 1;
        let number = state.attempts;
        let task = tokio::spawn(async move {
            // However the mint ends, a panic included, its waiters are woken.
            let unfinished = Unfinished {
                shared: Weak::clone(&shared),
                number,
            };
            let started = Instant::now();
            let minted = mint(&client, &target, &options).await;
            std::mem::forget(unfinished);
            if let Some(shared) = Weak::upgrade(&shared) {
                shared.finish(number, minted, started);
            }
        });
        state.attempt = Some((number, task.abort_handle()));
    }

    /// Invalidates every token of the database (or group), the ones this source handed
    /// out included, and mints a new one. Callers of [`token`](TokenSource::token) wait
    /// for it meanwhile rather than get a token about to be invalid. Rotations are made
    /// one at a time.
    ///
    /// Once the invalidation may have reached the API, the current token is no longer
    /// handed out, even if the call fails or is cancelled (a gateway's 504, a timeout, a
    /// dropped future: the API may have carried it out): the next caller of `token` mints
    /// one. Only an invalidation that certainly did not happen (refused before sending,
    /// no connection, an answer that refused it) leaves the current token in place.
    ///
    /// ```no_run
    /// # async fn run(tokens: turso_platform::TokenSource) -> Result<(), turso_platform::Error> {
    /// let fresh = tokens.rotate().await?; // every earlier token is now refused
    /// # Ok(())
    /// # }
    /// ```
    pub async fn rotate(&self) -> Result<DatabaseToken, Error> {
        let _one_at_a_time = self.shared.rotation.lock().await;
        let share = {
            let mut state = self.shared.lock();
            if let Some((_, attempt)) = state.attempt.take() {
                // Its token would be invalid as soon as it arrived.
                attempt.abort();
            }
            state.rotating = true;
            state.refresh_share
        };
        // Whatever happens to this call, even if it is dropped, callers stop waiting.
        let mut rotation = Rotation {
            shared: &self.shared,
            outcome: None,
        };
        let shared = &self.shared;
        let started = Instant::now();
        // From here the invalidation may reach the API: if this call is dropped, or fails
        // in a way that does not tell, the current token is dead.
        rotation.outcome = Some(None);
        if let Err(error) = invalidate(&shared.client, &shared.target).await {
            if !error.may_have_taken_effect() {
                rotation.outcome = None;
            }
            return Err(error);
        }
        let token = mint(&shared.client, &shared.target, &shared.options).await?;
        let held = Held::new(
            token.clone(),
            shared.asked(),
            started,
            Instant::now(),
            share,
        )
        .ok_or_else(|| {
            Error::InvalidArgument(
                "the API minted a token that expires before it could be used".to_owned(),
            )
        })?;
        tracing::info!(tokens = %shared.target, "rotated the tokens");
        rotation.outcome = Some(Some(held));
        Ok(token)
    }
}

/// Wakes the waiters of a mint task that ends without an outcome (it panicked): it
/// finishes the attempt with an error, so that nobody waits for it forever.
struct Unfinished {
    shared: Weak<Shared>,
    number: u64,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            let failure = Error::unexpected_ok(
                String::new(),
                "minting a token ended without an outcome (a panic inside turso-platform: \
                 please report it)"
                    .to_owned(),
            );
            shared.finish(self.number, Err(failure), Instant::now());
        }
    }
}

/// Ends a rotation, however `rotate` ends: `outcome` is `None` if nothing was
/// invalidated, `Some(None)` if the old tokens are invalid and no new one arrived, and
/// `Some(Some(_))` with the new token.
struct Rotation<'a> {
    shared: &'a Shared,
    outcome: Option<Option<Held>>,
}

impl Drop for Rotation<'_> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.rotating = false;
        match self.outcome.take() {
            None => {}
            Some(None) => state.current = None,
            Some(Some(held)) => {
                state.current = Some(held);
                state.failure = None;
                state.failures = 0;
            }
        }
        drop(state);
        self.shared.changed.notify_waiters();
    }
}

impl Shared {
    /// The state, locked. Nothing panics while holding it, but a poisoned lock is taken
    /// over anyway rather than failing every later call.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lifetime the source asks for; `None` for tokens that never expire.
    fn asked(&self) -> Option<Duration> {
        self.options.lifetime()
    }

    /// Records what attempt `number`, started at `started`, brought, and wakes the
    /// callers waiting for it. An attempt a rotation stopped is of no use any more.
    fn finish(&self, number: u64, minted: Result<DatabaseToken, Error>, started: Instant) {
        let now = Instant::now();
        let mut state = self.lock();
        if state.attempt.as_ref().map(|(n, _)| *n) != Some(number) {
            return;
        }
        state.attempt = None;
        let share = state.refresh_share;
        let minted = minted.and_then(|token| {
            Held::new(token, self.asked(), started, now, share).ok_or_else(|| {
                Error::InvalidArgument(
                    "the API minted a token that expires before it could be used: give it a \
                     longer expiration"
                        .to_owned(),
                )
            })
        });
        match minted {
            Ok(held) => {
                tracing::info!(tokens = %self.target, valid_for = ?held.valid_until.map(|t| t - now), "minted a token");
                state.current = Some(held);
                state.failure = None;
                state.failures = 0;
            }
            Err(error) => {
                state.failures += 1;
                let wait = state.backoff.wait(state.failures);
                tracing::warn!(tokens = %self.target, error = %error, retry_in_ms = wait.as_millis() as u64, "could not mint a token");
                state.failure = Some(Failure {
                    permanent: is_permanent(&error),
                    error: Arc::new(error),
                    // The wait is at most a day: this cannot overflow, but need not panic.
                    retry_at: now.checked_add(wait).unwrap_or(now),
                    delivered: false,
                });
            }
        }
        drop(state);
        self.changed.notify_waiters();
    }
}

#[cfg(test)]
impl TokenSource {
    /// Whether `other` is a clone of this source.
    pub(crate) fn is_same_as(&self, other: &TokenSource) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Drop for Shared {
    /// The last clone is gone: the mint in flight, if any, is of no use to anyone.
    fn drop(&mut self) {
        if let Some((_, attempt)) = self.lock().attempt.take() {
            attempt.abort();
        }
    }
}

impl Held {
    /// A token minted by a request sent at `sent` and received at `now`, which asked for
    /// tokens that live `asked` (`None`: never expire), due for a refresh once less than
    /// `share` of its lifetime is left; `None` if it is already too close to its expiry
    /// to hand out.
    ///
    /// The lifetime is read from the token: the lifetime the server gave it (`exp - iat`),
    /// counted in this machine's monotonic time from before the request was sent, less a
    /// second for the claims' whole seconds, so that a difference between this machine's
    /// clock and the server's does not matter (unless the token has no `iat`: then from
    /// its `exp`). A token whose claims do not say when it expires lives what was asked:
    /// it is taken as never expiring only if that is what was asked. Nothing here can
    /// panic, whatever the claims: the lifetime is capped at [`MAX_LIFETIME`].
    fn new(
        token: DatabaseToken,
        asked: Option<Duration>,
        sent: Instant,
        now: Instant,
        share: f64,
    ) -> Option<Held> {
        let claims = token.claims();
        let read = claims.as_ref().and_then(|claims| {
            let expires_at = claims.expires_at?;
            Some(claims.lifetime().unwrap_or_else(|| {
                expires_at
                    .duration_since(SystemTime::now())
                    .unwrap_or_default()
            }))
        });
        let Some(lifetime) = read.or(asked) else {
            return Some(Held::forever(token));
        };
        let lifetime = lifetime.min(MAX_LIFETIME);
        let Some(valid_until) = sent.checked_add(lifetime.saturating_sub(MARGIN)) else {
            // A monotonic clock that cannot count a century ahead: as good as never.
            return Some(Held::forever(token));
        };
        if valid_until <= now {
            return None;
        }
        let refresh_at = valid_until
            .checked_sub(lifetime.mul_f64(share))
            .unwrap_or(now)
            .max(now);
        Some(Held {
            token,
            valid_until: Some(valid_until),
            refresh_at: Some(refresh_at),
        })
    }

    /// A token that never expires: handed out until a rotation.
    fn forever(token: DatabaseToken) -> Held {
        Held {
            token,
            valid_until: None,
            refresh_at: None,
        }
    }

    fn valid_at(&self, now: Instant) -> bool {
        self.valid_until.is_none_or(|until| now < until)
    }

    fn due_at(&self, now: Instant) -> bool {
        self.refresh_at.is_some_and(|at| now >= at)
    }
}

/// A failure as the callers who did not make the attempt get it.
fn unavailable(failure: &Failure, now: Instant) -> Error {
    Error::TokenUnavailable {
        last_failure: Arc::clone(&failure.error),
        retry_in: failure.retry_at.saturating_duration_since(now),
    }
}

/// Failures that waiting will not mend: the arguments, the API token, the permissions or
/// the database itself.
fn is_permanent(error: &Error) -> bool {
    matches!(error, Error::InvalidArgument(_))
        || matches!(
            error.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        )
}

async fn mint(
    client: &Client,
    target: &Target,
    options: &TokenOptions,
) -> Result<DatabaseToken, Error> {
    match target {
        Target::Database { organization, name } => {
            client
                .create_database_token(organization, name, options)
                .await
        }
        Target::Group { organization, name } => {
            client.create_group_token(organization, name, options).await
        }
    }
}

async fn invalidate(client: &Client, target: &Target) -> Result<(), Error> {
    match target {
        Target::Database { organization, name } => {
            client.invalidate_database_tokens(organization, name).await
        }
        Target::Group { organization, name } => {
            client.invalidate_group_tokens(organization, name).await
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Database { organization, name } => {
                write!(f, "database {} of {}", Quoted(name), Quoted(organization))
            }
            Target::Group { organization, name } => {
                write!(f, "group {} of {}", Quoted(name), Quoted(organization))
            }
        }
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        let now = Instant::now();
        f.debug_struct("TokenSource")
            .field("target", &format_args!("{}", self.shared.target))
            .field(
                "token",
                &state.current.as_ref().map(|held| match held.valid_until {
                    None => "[REDACTED], never expires".to_owned(),
                    Some(until) => format!(
                        "[REDACTED], valid for {} ms",
                        until.saturating_duration_since(now).as_millis()
                    ),
                }),
            )
            .field("minting", &state.attempt.is_some())
            .field("rotating", &state.rotating)
            .field(
                "last_failure",
                &state
                    .failure
                    .as_ref()
                    .map(|failure| failure.error.to_string()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults the README promises: a refresh once less than a quarter of the
    /// lifetime is left, and a backoff of 1 s doubling to 30 s (±25% jitter), which an
    /// integration test could only see after half a minute of failures.
    #[test]
    fn defaults_are_a_quarter_and_one_second_doubling_to_thirty() {
        let client = Client::new("token").unwrap();
        let tokens = TokenSource::database(client, "org", "db", TokenOptions::new()).unwrap();
        let state = tokens.shared.lock();
        assert!((state.refresh_share - 0.25).abs() < f64::EPSILON);
        assert_eq!(state.backoff.first, Duration::from_secs(1));
        assert_eq!(state.backoff.max, Duration::from_secs(30));
        for (failures, nominal) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (20, 30)] {
            let wait = state.backoff.wait(failures).as_secs_f64();
            let nominal = f64::from(nominal);
            assert!(
                (0.75 * nominal..=1.25 * nominal).contains(&wait),
                "after {failures} failures: {wait} s"
            );
        }
    }
}
