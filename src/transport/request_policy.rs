//! The policy every request the generated client sends is made under, the escape
//! hatch's included: the path check, the bearer token (only to the base URL's origin),
//! the `User-Agent` and timeout, and how much of an answer is read. (An empty optional
//! body is never attached: see [`request_body`](super::request_body).)

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue, USER_AGENT};
use reqwest::{Request, Url};

use super::base_url::BaseUrl;
use super::path;
use crate::generated::spec_operation;

/// What every request of a [`Client`](crate::Client) gets, and how much of an answer it
/// reads: set up by [`ClientBuilder`](crate::ClientBuilder), applied by the generated
/// client's hooks. `Debug` never shows the token.
///
/// ```
/// let client = turso_platform::Client::new("my-platform-api-token").unwrap();
/// let policy = client.generated().inner();
/// # use turso_platform::generated::ClientInfo as _;
/// assert!(!format!("{policy:?}").contains("my-platform-api-token"));
/// ```
#[derive(Clone)]
pub struct RequestPolicy(Arc<Policy>);

/// Where the timeout of every request is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestTimeout {
    /// On the HTTP client the builder made: nothing to do per request.
    OfTheHttpClient(Duration),
    /// On each request, for an HTTP client given to the builder (whose own timeout, if
    /// any, it overrides).
    PerRequest(Duration),
}

impl RequestTimeout {
    /// The timeout, wherever it is set.
    fn duration(self) -> Duration {
        match self {
            RequestTimeout::OfTheHttpClient(timeout) | RequestTimeout::PerRequest(timeout) => {
                timeout
            }
        }
    }
}

/// What a [`RequestPolicy`] holds, shared by the clones of a client.
struct Policy {
    /// `Bearer <token>`, marked sensitive.
    bearer: HeaderValue,
    user_agent: HeaderValue,
    timeout: RequestTimeout,
    max_response_size: usize,
    scheme: String,
    host: String,
    port: Option<u16>,
    /// The base URL's path without a trailing `/` (empty for `https://api.turso.tech`).
    base_path: String,
}

impl RequestPolicy {
    pub(crate) fn new(
        bearer: HeaderValue,
        user_agent: HeaderValue,
        base: &BaseUrl,
        timeout: RequestTimeout,
        max_response_size: usize,
    ) -> Self {
        let url = &base.parsed;
        Self(Arc::new(Policy {
            bearer,
            user_agent,
            timeout,
            max_response_size,
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default(),
            base_path: url.path().trim_end_matches('/').to_owned(),
        }))
    }

    /// The largest answer body read, in bytes.
    pub(crate) fn max_response_size(&self) -> usize {
        self.0.max_response_size
    }
}

impl Policy {
    /// Whether `url` has the base URL's origin (scheme, host and port).
    fn is_base_origin(&self, url: &Url) -> bool {
        url.scheme() == self.scheme
            && url.host_str() == Some(self.host.as_str())
            && url.port_or_known_default() == self.port
    }
}

impl fmt::Debug for RequestPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let policy = &self.0;
        f.debug_struct("RequestPolicy")
            .field("token", &"[REDACTED]")
            .field(
                "origin",
                &format_args!("{}://{}", policy.scheme, policy.host),
            )
            .field("port", &policy.port)
            .field("base_path", &policy.base_path)
            .field("timeout", &policy.timeout.duration())
            .field("max_response_size", &policy.max_response_size)
            .finish()
    }
}

impl RequestPolicy {
    /// Prepares `request`, made for the operation progenitor names `operation`: refuses
    /// it if its path left its template, and adds the token (to the base URL's origin
    /// only), the `User-Agent` and the timeout. The error says why nothing was sent.
    pub(crate) fn prepare(&self, request: &mut Request, operation: &str) -> Result<(), String> {
        let policy = &self.0;
        let spec = spec_operation(operation)
            .ok_or_else(|| format!("{operation} is not an operation of openapi.yaml"))?;
        if !path::follows_template(&policy.base_path, spec.path_literals, request.url().path()) {
            return Err(format!(
                "a path parameter of {operation} is empty, `.` or `..`, or climbs out of its \
                 segment; nothing was sent"
            ));
        }
        if policy.is_base_origin(request.url()) {
            request
                .headers_mut()
                .insert(AUTHORIZATION, policy.bearer.clone());
        }
        request
            .headers_mut()
            .insert(USER_AGENT, policy.user_agent.clone());
        if let RequestTimeout::PerRequest(timeout) = policy.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }
}
