//! Configuring a [`Client`]: token, base URL, HTTP client, timeouts, retries and the
//! largest answer read.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use crate::generated;
use crate::transport::base_url::{self, BaseUrl};
use crate::transport::request_policy::{RequestPolicy, RequestTimeout};
use crate::transport::retry::RetryPolicy;
use crate::{Client, Error};

/// The environment variable [`Client::from_env`] reads the token from, as the Turso CLI does.
const TOKEN_VAR: &str = "TURSO_API_TOKEN";
/// The environment variable [`Client::from_env`] reads the base URL from, if set.
const BASE_URL_VAR: &str = "TURSO_API_BASEURL";
/// What every request says it comes from.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
/// The largest answer body read by default: far more than any answer of the API.
const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 * 1024 * 1024;

/// Builds a [`Client`]; from [`Client::builder`].
///
/// Only the token is required. `Debug` never shows the token, nor the credentials or
/// query of a base URL.
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
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<SecretString>,
    base_url: Option<String>,
    http_client: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_size: usize,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: None,
            http_client: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: RetryPolicy::default(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field(
                "base_url",
                &self.base_url.as_deref().map(base_url::redacted),
            )
            .field("http_client", &self.http_client.as_ref().map(|_| "[yours]"))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("max_retries", &self.retry.max_retries)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: `https://api.turso.tech`, a 30 s timeout, a 10 s
    /// connect timeout, 3 retries and answers of up to 16 MiB. Same as [`Client::builder`].
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

    /// The platform API token to send as `Authorization: Bearer <token>`, to the base
    /// URL's origin only. It is kept as a secret: the header is marked sensitive and never
    /// shown. Takes a `&str`, a `String` or a [`SecretString`].
    ///
    /// ```
    /// use turso_platform::secrecy::SecretString;
    ///
    /// let builder = turso_platform::Client::builder().token("my-platform-api-token");
    /// let from_a_vault = SecretString::from("my-platform-api-token");
    /// let builder = turso_platform::Client::builder().token(from_a_vault);
    /// ```
    pub fn token(mut self, token: impl Into<SecretString>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where the API is: `https://api.turso.tech` unless you say otherwise. A trailing `/`
    /// makes no difference. It must be `https://`, or `http://` to this machine
    /// (`localhost`, `127.0.0.0/8`, `[::1]`) for tests, so that the token never crosses a
    /// network in clear; credentials, a query or a fragment are refused (and never
    /// repeated in the error).
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

    /// Your own `reqwest::Client`, for a proxy, extra root certificates, a client
    /// certificate or a connection pool shared with the rest of your program.
    ///
    /// The builder's token, [`timeout`](ClientBuilder::timeout), `User-Agent`, retries
    /// and [`max_response_size`](ClientBuilder::max_response_size) still apply to every
    /// call: they are set on each request, not on the client. The token is only added to
    /// requests for the base URL's origin, and if your client follows redirects, reqwest
    /// removes it from a redirect to another host. What only a `reqwest::Client` can set
    /// is yours to set: [`connect_timeout`](ClientBuilder::connect_timeout) does not apply,
    /// and neither does the builder's refusal to follow redirects or to use a proxy for a
    /// loopback base URL.
    ///
    /// ```
    /// let http = reqwest::Client::builder()
    ///     .pool_max_idle_per_host(4)
    ///     .build()
    ///     .unwrap();
    /// let client = turso_platform::Client::builder()
    ///     .token("my-platform-api-token")
    ///     .http_client(http)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
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
    /// [`timeout`](ClientBuilder::timeout)). It does not apply to a client given with
    /// [`http_client`](ClientBuilder::http_client): set it on that client.
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

    /// The largest answer body the client reads, in bytes (16 MiB by default, far more
    /// than any answer of the API). Reading stops there, the connection is dropped and
    /// the call fails with [`Error::ResponseTooLarge`]; an answer that declares a larger
    /// `Content-Length` fails before its body is read. This bounds the memory a broken or
    /// hostile server can make a call use.
    ///
    /// ```
    /// let builder = turso_platform::Client::builder().max_response_size(1024 * 1024);
    /// ```
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// How many times a request that failed for a transient reason is sent again
    /// (3 by default; 0 disables retries). Waits grow exponentially from about 200 ms,
    /// with jitter, and follow the API's `Retry-After` (in seconds or as a date); an answer
    /// that asks for more than 30 s is returned at once, with the wait in
    /// [`Error::retry_after`].
    ///
    /// Reads, database and group token mints and invalidations are retried on connect
    /// failures, connections lost before the whole answer arrived, timeouts, 408, 429,
    /// 502, 503 and 504. Minting and revoking API tokens is retried only when the request
    /// cannot have been processed (connect failures and 429): a second mint of a token
    /// whose answer was lost would fail with 409 and the secret would be lost.
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
    /// the timeout or the largest answer is zero.
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
        if self.max_response_size == 0 {
            return Err(Error::InvalidArgument(
                "a max_response_size of zero would refuse every answer with a body; give it \
                 a positive number of bytes"
                    .to_owned(),
            ));
        }
        // The timeout is the HTTP client's own when the builder makes it, and each
        // request's when you give one (whose own timeout it then overrides).
        let (http, timeout) = match self.http_client {
            Some(http) => (http, RequestTimeout::PerRequest(self.timeout)),
            None => (
                own_http_client(&base, self.connect_timeout, self.timeout)?,
                RequestTimeout::OfTheHttpClient(self.timeout),
            ),
        };
        let policy = RequestPolicy::new(
            bearer(&token)?,
            HeaderValue::from_static(USER_AGENT),
            &base,
            timeout,
            self.max_response_size,
        );
        Ok(Client::from_parts(
            generated::Client::new_with_client(&base.url, http, policy),
            self.retry,
            self.max_response_size,
        ))
    }
}

/// The HTTP client the builder makes when you give none. It has no default headers: the
/// token is added to each request for the base URL, so that nothing else sent with this
/// client (through [`Client::generated`]) carries it.
fn own_http_client(
    base: &BaseUrl,
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<reqwest::Client, Error> {
    let mut http = reqwest::Client::builder()
        .connect_timeout(connect_timeout.min(timeout))
        .timeout(timeout)
        // The token goes to the base URL only: a redirect elsewhere must not carry it.
        .redirect(reqwest::redirect::Policy::none());
    if base.loopback {
        // A proxy from the environment must not see requests meant for this machine.
        http = http.no_proxy();
    }
    http.build()
        .map_err(|e| Error::InvalidArgument(format!("the HTTP client could not be set up: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

    use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
    use reqwest::header::AUTHORIZATION;

    /// What the README promises by default: a 30 s timeout per attempt, a 10 s connect
    /// timeout, 3 retries and answers of up to 16 MiB.
    #[test]
    fn the_defaults_are_the_documented_ones() {
        let builder = ClientBuilder::new();
        assert_eq!(builder.timeout, Duration::from_secs(30));
        assert_eq!(builder.connect_timeout, Duration::from_secs(10));
        assert_eq!(builder.retry.max_retries, 3);
        assert_eq!(builder.max_response_size, 16 * 1024 * 1024);
        assert_eq!(builder.retry, RetryPolicy::default());
    }

    /// The `Authorization` value the builder makes is marked sensitive.
    #[test]
    fn the_bearer_header_is_marked_sensitive() {
        let value = bearer(&SecretString::from("my-platform-api-token")).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.as_bytes(), b"Bearer my-platform-api-token");
        assert!(!format!("{value:?}").contains("my-platform-api-token"));
    }

    /// The header a built client actually puts on a request (through the generated
    /// client's `pre` hook) is the sensitive one.
    #[tokio::test]
    async fn the_authorization_header_of_a_request_is_marked_sensitive() {
        tokio::time::timeout(Duration::from_secs(10), async {
            let client = ClientBuilder::new()
                .token("my-platform-api-token")
                .base_url("http://127.0.0.1:9")
                .build()
                .unwrap();
            let generated = client.generated();
            let url = format!("{}/v1/user", generated.baseurl());
            let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
            let info = OperationInfo {
                operation_id: "get_current_user",
            };
            generated.pre::<()>(&mut request, &info).await.unwrap();
            let value = request.headers().get(AUTHORIZATION).unwrap();
            assert!(value.is_sensitive());
            assert_eq!(value.as_bytes(), b"Bearer my-platform-api-token");
        })
        .await
        .expect("the test did not finish within 10 s");
    }
}
