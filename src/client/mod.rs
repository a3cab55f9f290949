//! The client: its configuration and the machinery every call goes through. The
//! operations are grouped by resource, one file each: [`tokens`], [`databases`],
//! [`groups`], [`locations`], [`organizations`] (with billing), [`members`] (with
//! invites) and [`audit_logs`].

use std::fmt;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ClientInfo, ResponseValue};

use crate::Error;
use crate::error::Quoting;
use crate::generated::{self, types};
use crate::spec::Operation;
use crate::transport::answer::record_answer;
use crate::transport::retry::RetryPolicy;

/// `call!(self.create_database(org, &body))` runs the generated client's method
/// `create_database` as an operation of this client ([`Client::call`]), with the
/// operation's row of the generated table of the same name: its retry class, whether its
/// answer carries a secret. The method is named once, so the two cannot disagree.
/// `call!(self.create_database(org, &body), carrying secrets)` also names what the
/// request carries that no error may quote.
macro_rules! call {
    ($client:ident.$method:ident($($arg:expr),* $(,)?) $(, carrying $secrets:expr)?) => {
        $client.call(
            crate::generated::operation::$method,
            call!(@secrets $($secrets)?),
            || $client.generated.$method($($arg),*),
        )
    };
    (@secrets) => {
        &[]
    };
    (@secrets $secrets:expr) => {
        $secrets
    };
}

mod audit_logs;
pub(crate) mod builder;
mod databases;
mod groups;
mod locations;
mod members;
pub(crate) mod names;
pub(crate) mod options;
mod organizations;
mod tokens;

pub use builder::ClientBuilder;

/// A client for the Turso Platform API: tokens, databases, groups, locations,
/// organizations, members, invites, audit logs and billing.
///
/// Cloning is cheap: clones share one connection pool, so keep one `Client` (or clones
/// of it) for the life of your program rather than building one per call. Every request
/// carries the bearer token (marked sensitive, never logged) and a `User-Agent` naming
/// this crate and its version; transient failures are retried where that is safe (see
/// [`ClientBuilder::max_retries`]). `Debug` never shows the token.
///
/// # Names and IDs in paths
///
/// Organization slugs, database and group names, instance names, location codes, token
/// names and token IDs go into the request's path, often straight from your own users. Each stays in its own path
/// segment, whatever it holds:
///
/// | a name or ID that | is |
/// |---|---|
/// | is empty or only whitespace | refused with [`Error::InvalidArgument`], nothing sent |
/// | is `.` or `..` (dot segments, which URLs resolve, even percent-encoded) | refused |
/// | contains `/` or `\` (path separators; `\` is one in URLs too) | refused |
/// | contains a control character (U+0000 to U+001F, U+007F) | refused |
/// | is longer than 1024 bytes (no Turso name comes close) | refused |
/// | anything else | sent, with every byte but `A-Z a-z 0-9 - . _ ~` percent-encoded |
///
/// Requests made through [`generated`](Client::generated) are encoded the same way, and
/// every request, from either, is checked before it is sent to follow its operation's
/// path with exactly one segment per parameter.
///
/// ```no_run
/// use turso_platform::Client;
///
/// # async fn run() -> Result<(), turso_platform::Error> {
/// let client = Client::new("my-platform-api-token")?;
/// let me = client.current_user().await?;
/// println!("signed in as {}", me.username);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    generated: generated::Client,
    retry: RetryPolicy,
    /// The largest answer body read, in bytes, as the generated client's hooks bound it.
    max_response_size: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("max_retries", &self.retry.max_retries)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

impl Client {
    /// A client for `https://api.turso.tech` with this platform API token, and the
    /// default timeout (30 s) and retries (3).
    ///
    /// Fails with [`Error::InvalidArgument`] if the token is blank or cannot go in an
    /// HTTP header.
    ///
    /// ```
    /// use turso_platform::Client;
    ///
    /// let client = Client::new("my-platform-api-token").unwrap();
    /// assert_eq!(client.base_url(), "https://api.turso.tech");
    /// assert!(Client::new("").is_err());
    /// ```
    pub fn new(token: impl Into<String>) -> Result<Client, Error> {
        Client::builder().token(token.into()).build()
    }

    /// A client configured like the Turso CLI: the token from `TURSO_API_TOKEN`, and the
    /// base URL from `TURSO_API_BASEURL` if it is set and not empty.
    ///
    /// ```no_run
    /// let client = turso_platform::Client::from_env()?;
    /// # Ok::<(), turso_platform::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// A builder for a client with a custom base URL, timeout or retries.
    ///
    /// ```
    /// use std::time::Duration;
    /// use turso_platform::Client;
    ///
    /// let client = Client::builder()
    ///     .token("my-platform-api-token")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .max_retries(0)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_parts(
        generated: generated::Client,
        retry: RetryPolicy,
        max_response_size: usize,
    ) -> Client {
        Client {
            generated,
            retry,
            max_response_size,
        }
    }

    /// The base URL requests go to, without a trailing `/`.
    ///
    /// ```
    /// let client = turso_platform::Client::new("token").unwrap();
    /// assert_eq!(client.base_url(), "https://api.turso.tech");
    /// ```
    pub fn base_url(&self) -> &str {
        self.generated.baseurl()
    }

    /// The client generated from `openapi.yaml`, for what this one does not offer (the
    /// raw answer with its status and headers, say). See [`generated`] for what differs.
    /// Its errors are progenitor's, which may quote an answer's body, except for the
    /// operations whose answer carries a secret: those quote no byte of it.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let answer = client.generated().validate_api_token().await?;
    /// println!("{:?}", answer.headers().get("date"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn generated(&self) -> &generated::Client {
        &self.generated
    }

    /// Runs the operation `op` (use [`call!`], which picks it): sends the request
    /// `request` makes, again while the failure is transient and the operation allows
    /// it, and maps the outcome into [`Error`], which quotes none of `secrets` (an
    /// encryption key the request carries), whatever the answer quotes of the request.
    ///
    /// Each attempt's future is boxed as soon as it is made: the generated future is
    /// several hundred bytes (728 for a token list, 952 for a mint, in release builds),
    /// and moving it through every layer above (and into `join_all` and the like) costs
    /// more than the allocation, which glibc serves from its per-thread cache up to
    /// 1,032 bytes. The error path is boxed too, so that it
    /// adds nothing to the size of a successful call.
    pub(crate) fn call<'a, T, F, Fut>(
        &'a self,
        op: &'static Operation,
        secrets: &'a [&'a str],
        request: F,
    ) -> impl Future<Output = Result<T, Error>> + 'a
    where
        F: Fn() -> Fut + 'a,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<types::Error>>> + 'a,
        T: 'a,
    {
        let span = tracing::debug_span!(
            "turso_platform",
            operation = op.id,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        async move {
            let record = span;
            // No clock reading unless someone listens.
            let started = (!record.is_disabled()).then(Instant::now);
            let mut attempt = 0;
            let (outcome, answer) = loop {
                attempt += 1;
                let (outcome, answer) = record_answer(Box::pin(request()), &record).await;
                let Some(wait) = self
                    .retry
                    .wait_before_retry(op.retry, &outcome, answer, attempt)
                else {
                    break (outcome, answer);
                };
                tracing::info!(
                    parent: &record,
                    attempt,
                    status = answer.status.map(|s| s.as_u16()),
                    wait_ms = wait.as_millis() as u64,
                    "transient failure, sending the request again"
                );
                drop(outcome);
                tokio::time::sleep(wait).await;
            };
            if let Some(started) = started {
                record.record("attempts", attempt);
                record.record("elapsed_ms", started.elapsed().as_millis() as u64);
                record.record("status", answer.status.map(|s| s.as_u16()));
            }
            match outcome {
                Ok(value) => Ok(value.into_inner()),
                Err(e) => {
                    let quoting = Quoting {
                        secret_answer: op.secret_answer,
                        request_secrets: secrets,
                    };
                    let limit = self.max_response_size;
                    Err(Box::pin(Error::from_generated(e, answer, limit, quoting)).await)
                }
            }
        }
    }
}
