//! Configuring a [`Client`]: token, base URL, timeouts and retries.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use crate::base_url::{self, BaseUrl};
use crate::generated;
use crate::retry::RetryPolicy;
use crate::{Client, Error};

/// The environment variable [`Client::from_env`] reads the token from, as the Turso CLI does.
const TOKEN_VAR: &str = "TURSO_API_TOKEN";
/// The environment variable [`Client::from_env`] reads the base URL from, if set.
const BASE_URL_VAR: &str = "TURSO_API_BASEURL";
/// What every request says it comes from.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`]; from [`Client::builder`].
///
/// Only the token is required. `Debug` never shows the token.
///
/// ```
/// use std::time::Duration;
/// use turso_platform::Client;
///
/// let client = Client::builder()
///     .token("my-platform-api-token")
///     .timeout(Duration::from_secs(10))
///     .max_retries(5)
///     .build()
///     .unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    token: Option<SecretString>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: `https://api.turso.tech`, a 30 s timeout, a 10 s
    /// connect timeout and 3 retries. Same as [`Client::builder`].
    ///
    /// ```
    /// let builder = turso_platform::ClientBuilder::new().token("my-platform-api-token");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the token from `TURSO_API_TOKEN`, and the base URL from
    /// `TURSO_API_BASEURL` if it is set and not empty, as the Turso CLI reads them.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// let client = turso_platform::ClientBuilder::from_env()?
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), turso_platform::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        let token = std::env::var(TOKEN_VAR).map_err(|e| {
            Error::InvalidArgument(format!(
                "{TOKEN_VAR} is {}: set it to a platform API token (`turso auth api-tokens \
                 mint NAME` prints one), or pass the token to Client::new",
                match e {
                    std::env::VarError::NotPresent => "not set",
                    std::env::VarError::NotUnicode(_) => "not valid UTF-8",
                }
            ))
        })?;
        let mut builder = Self::new().token(token);
        if let Some(url) = std::env::var(BASE_URL_VAR)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The platform API token to send as `Authorization: Bearer <token>`. It is kept as a
    /// secret: the header is marked sensitive and never shown.
    ///
    /// ```
    /// let builder = turso_platform::Client::builder().token("my-platform-api-token");
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// Where the API is: `https://api.turso.tech` unless you say otherwise. A trailing `/`
    /// makes no difference. It must be `https://`, or `http://` to this machine
    /// (`localhost`, `127.0.0.0/8`, `[::1]`) for tests, so that the token never crosses a
    /// network in clear.
    ///
    /// ```
    /// let client = turso_platform::Client::builder()
    ///     .token("t")
    ///     .base_url("http://localhost:8080/")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.base_url(), "http://localhost:8080");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How long one attempt of a request may take, from sending it to reading the whole
    /// answer (30 s by default). A retry gets the same time again. A call that runs out
    /// of time fails with an error whose [`is_timeout`](Error::is_timeout) is true.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = turso_platform::Client::builder().timeout(Duration::from_secs(5));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (10 s by default, and never more than the
    /// [`timeout`](ClientBuilder::timeout)).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = turso_platform::Client::builder().connect_timeout(Duration::from_secs(2));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a request that failed for a transient reason is sent again
    /// (3 by default; 0 disables retries). Waits grow exponentially from about 200 ms,
    /// with jitter, and follow the API's `Retry-After` (up to 30 s).
    ///
    /// Reads, database and group token mints and invalidations are retried on connect
    /// failures, timeouts, 408, 429, 502, 503 and 504. Minting and revoking API tokens is
    /// retried only when the request cannot have been processed (connect failures and
    /// 429): a second mint of a token whose answer was lost would fail with 409 and the
    /// secret would be lost.
    ///
    /// ```
    /// let builder = turso_platform::Client::builder().max_retries(0);
    /// ```
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// Builds the client. Fails with [`Error::InvalidArgument`] when the token is missing,
    /// blank or cannot go in an HTTP header, when the base URL is not allowed, or when
    /// the timeout is zero.
    ///
    /// ```
    /// use turso_platform::{Client, Error};
    ///
    /// let err = Client::builder().token("a\nb").build().unwrap_err();
    /// assert!(matches!(err, Error::InvalidArgument(_)));
    /// let err = Client::builder().token("t").base_url("http://example.com").build().unwrap_err();
    /// assert!(matches!(err, Error::InvalidArgument(_)));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let token = self.token.ok_or_else(|| {
            Error::InvalidArgument(
                "no API token: call .token(..) on the builder, or use Client::from_env()"
                    .to_owned(),
            )
        })?;
        let base = BaseUrl::parse(self.base_url.as_deref().unwrap_or(base_url::DEFAULT))?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::InvalidArgument(
                "a timeout of zero would fail every request; give it a positive duration"
                    .to_owned(),
            ));
        }

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, bearer(&token)?);
        let mut http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout.min(self.timeout))
            // The token goes to the base URL only: a redirect elsewhere must not carry it.
            .redirect(reqwest::redirect::Policy::none());
        if base.loopback {
            // A proxy from the environment must not see requests meant for this machine.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| {
            Error::InvalidArgument(format!("the HTTP client could not be set up: {e}"))
        })?;
        Ok(Client::from_parts(
            generated::Client::new_with_client(&base.url, http),
            self.retry,
        ))
    }
}

/// The `Authorization` header for a token, marked sensitive so that it is never shown in
/// `Debug` output or logs.
fn bearer(token: &SecretString) -> Result<HeaderValue, Error> {
    let token = token.expose_secret();
    if token.trim().is_empty() {
        return Err(Error::InvalidArgument(
            "the API token is blank: pass a platform API token (`turso auth api-tokens mint \
             NAME` prints one)"
                .to_owned(),
        ));
    }
    if token.trim() != token {
        return Err(Error::InvalidArgument(
            "the API token starts or ends with whitespace: trim it (was it read from a file \
             with a trailing newline?)"
                .to_owned(),
        ));
    }
    let mut header = String::with_capacity("Bearer ".len() + token.len());
    header.push_str("Bearer ");
    header.push_str(token);
    let value = HeaderValue::from_str(&header);
    header.zeroize();
    let mut value = value.map_err(|_| {
        Error::InvalidArgument(
            "the API token contains characters that cannot go in an HTTP header (a line \
             break or another control character): check how it was copied"
                .to_owned(),
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}
