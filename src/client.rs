//! The client: one method per operation of the spec.

use std::fmt;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ClientInfo, ResponseValue};
use tracing::Instrument;

use crate::generated::{self, types};
use crate::hooks::record_answer;
use crate::operation::{self, Operation};
use crate::path::segment;
use crate::retry::RetryPolicy;
use crate::tokens::{CreatedApiToken, DatabaseToken, TokenValidity};
use crate::{
    ApiToken, ApiTokenOptions, ClientBuilder, Error, OrganizationApiToken, TokenOptions, User,
};

/// A client for the Turso Platform API's token endpoints.
///
/// Cloning is cheap: clones share one connection pool, so keep one `Client` (or clones
/// of it) for the life of your program rather than building one per call. Every request
/// carries the bearer token (marked sensitive, never logged) and a `User-Agent` naming
/// this crate and its version; transient failures are retried where that is safe (see
/// [`ClientBuilder::max_retries`]). `Debug` never shows the token.
///
/// # Names and IDs in paths
///
/// Organization slugs, database and group names, token names and token IDs go into the
/// request's path, often straight from your own users. Each stays in its own path
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

    pub(crate) fn from_parts(generated: generated::Client, retry: RetryPolicy) -> Client {
        Client { generated, retry }
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

    /// Runs an operation: sends the request `request` makes, again while the failure is
    /// transient and the operation allows it, and maps the outcome into [`Error`].
    ///
    /// Each attempt's future is boxed as soon as it is made: the generated future is a
    /// few KiB, and moving it through every layer above (and into `join_all` and the
    /// like) costs more than the allocation. The error path is boxed too, so that it
    /// adds nothing to the size of a successful call.
    fn call<'a, T, F, Fut>(
        &'a self,
        op: Operation,
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
        let record = span.clone();
        async move {
            // No clock reading unless someone listens.
            let started = (!record.is_disabled()).then(Instant::now);
            let mut attempt = 0;
            let (outcome, answer) = loop {
                attempt += 1;
                let (outcome, answer) = record_answer(Box::pin(request())).await;
                let Some(wait) = self
                    .retry
                    .wait_before_retry(op.retry, &outcome, answer, attempt)
                else {
                    break (outcome, answer);
                };
                tracing::info!(
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
                    let limit = self.generated.inner().max_response_size();
                    Err(Box::pin(Error::from_generated(e, answer, limit, op.secret_answer)).await)
                }
            }
        }
        .instrument(span)
    }

    /// Lists the platform API tokens of the token's user (`listAPITokens`), without
    /// their secrets.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for token in client.list_api_tokens().await? {
    ///     println!("{} {}", token.id, token.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        let answer = self
            .call(operation::LIST_API_TOKENS, || {
                self.generated.list_api_tokens()
            })
            .await?;
        Ok(answer.tokens)
    }

    /// Mints a platform API token named `name` (`createAPIToken`) and returns its secret,
    /// which is shown this once. Names are unique per user: an existing name answers
    /// [`Error::Api`] with status 409. A successful answer is never refused for anything
    /// but a missing secret: the token comes back under `name`, even if the answer's other
    /// fields are missing or `null`.
    ///
    /// The request is sent again only if it cannot have reached the server. If it may
    /// have, and no usable answer came back, the error is
    /// [`Error::ApiTokenMayExist`]: check with [`list_api_tokens`](Client::list_api_tokens).
    ///
    /// ```no_run
    /// use turso_platform::{ApiTokenOptions, Client, Scope};
    ///
    /// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
    /// let options = ApiTokenOptions::new()
    ///     .organization("my-org")
    ///     .group("default")
    ///     .scopes([Scope::DbCreate, Scope::DbMintToken]);
    /// let created = client.create_api_token("provisioner", &options).await?;
    /// println!("minted {} ({})", created.name, created.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_api_token(
        &self,
        name: &str,
        options: &ApiTokenOptions,
    ) -> Result<CreatedApiToken, Error> {
        let name = segment("token name", name)?;
        let body = options.to_body()?;
        match self
            .call(operation::CREATE_API_TOKEN, || {
                self.generated.create_api_token(name, &body)
            })
            .await
        {
            Ok(created) => Ok(CreatedApiToken::from_answer(created, name)),
            Err(e) if e.may_have_taken_effect() => Err(Error::ApiTokenMayExist {
                name: name.to_owned(),
                source: Box::new(e),
            }),
            Err(e) => Err(e),
        }
    }

    /// Revokes the platform API token named `name` (`revokeAPIToken`); from then on it is
    /// refused with 401. Returns the name the API confirms. An unknown name is
    /// [`Error::Api`] with status 404.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.revoke_api_token("provisioner").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_api_token(&self, name: &str) -> Result<String, Error> {
        let name = segment("token name", name)?;
        let answer = self
            .call(operation::REVOKE_API_TOKEN, || {
                self.generated.revoke_api_token(name)
            })
            .await?;
        Ok(answer.token)
    }

    /// Checks the client's own token (`validateAPIToken`) and says when it expires. An
    /// invalid, expired or revoked token is [`Error::Api`] with status 401.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let validity = client.validate_api_token().await?;
    /// assert!(validity.expires_at.is_none(), "platform API tokens never expire");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn validate_api_token(&self) -> Result<TokenValidity, Error> {
        let answer = self
            .call(operation::VALIDATE_API_TOKEN, || {
                self.generated.validate_api_token()
            })
            .await?;
        TokenValidity::from_exp(answer.exp).ok_or_else(|| Error::UnexpectedResponse {
            status: reqwest::StatusCode::OK,
            body: format!(r#"{{"exp":{}}}"#, answer.exp),
            reason: "`exp` is neither -1 nor a Unix time".to_owned(),
            retry_after: None,
        })
    }

    /// The user the token belongs to (`getCurrentUser`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// println!("signed in as {}", client.current_user().await?.username);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn current_user(&self) -> Result<User, Error> {
        let answer = self
            .call(operation::GET_CURRENT_USER, || {
                self.generated.get_current_user()
            })
            .await?;
        Ok(answer.user)
    }

    /// Lists the API tokens scoped to the organization `org`
    /// (`listOrganizationAPITokens`): all of them for admins and owners, with who minted
    /// each, and only their own for other members.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for token in client.list_organization_api_tokens("my-org").await? {
    ///     println!("{} {} {:?}", token.id, token.name, token.group);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_api_tokens(
        &self,
        org: &str,
    ) -> Result<Vec<OrganizationApiToken>, Error> {
        let org = segment("organization", org)?;
        let answer = self
            .call(operation::LIST_ORGANIZATION_API_TOKENS, || {
                self.generated.list_organization_api_tokens(org)
            })
            .await?;
        Ok(answer.tokens)
    }

    /// Revokes the organization's API token with ID `token_id`
    /// (`revokeOrganizationAPIToken`). Returns the ID the API confirms.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.revoke_organization_api_token("my-org", "clGFZ4STEe6fljpFzIum8A").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_organization_api_token(
        &self,
        org: &str,
        token_id: &str,
    ) -> Result<String, Error> {
        let org = segment("organization", org)?;
        let token_id = segment("token ID", token_id)?;
        let answer = self
            .call(operation::REVOKE_ORGANIZATION_API_TOKEN, || {
                self.generated.revoke_organization_api_token(org, token_id)
            })
            .await?;
        Ok(answer.token)
    }

    /// Mints a token for the database `database` of the organization `org`
    /// (`createDatabaseToken`). Turso keeps no record of it: it cannot be listed or
    /// revoked alone, only invalidated with every other token of the database
    /// ([`invalidate_database_tokens`](Client::invalidate_database_tokens)).
    ///
    /// ```no_run
    /// use turso_platform::{Authorization, Expiration, TokenOptions};
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let options = TokenOptions::new()
    ///     .expiration("1w".parse::<Expiration>()?)
    ///     .authorization(Authorization::ReadOnly);
    /// let token = client.create_database_token("my-org", "my-db", &options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_database_token(
        &self,
        org: &str,
        database: &str,
        options: &TokenOptions,
    ) -> Result<DatabaseToken, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let (authorization, expiration, body) = options.to_request()?;
        let request = || {
            self.generated
                .create_database_token(org, database, authorization, expiration, &body)
        };
        Ok(self
            .call(operation::CREATE_DATABASE_TOKEN, request)
            .await?
            .into())
    }

    /// Invalidates every token minted so far for the database `database` of the
    /// organization `org` (`invalidateDatabaseTokens`). Calling it twice is harmless.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.invalidate_database_tokens("my-org", "my-db").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invalidate_database_tokens(&self, org: &str, database: &str) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        self.call(operation::INVALIDATE_DATABASE_TOKENS, || {
            self.generated.invalidate_database_tokens(org, database)
        })
        .await
    }

    /// Mints a token for every database of the group `group` of the organization `org`
    /// (`createGroupToken`). Like a database token it can only be invalidated with every
    /// other token of the group ([`invalidate_group_tokens`](Client::invalidate_group_tokens)).
    ///
    /// ```no_run
    /// use turso_platform::TokenOptions;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let token = client.create_group_token("my-org", "default", &TokenOptions::new()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_group_token(
        &self,
        org: &str,
        group: &str,
        options: &TokenOptions,
    ) -> Result<DatabaseToken, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let (authorization, expiration, body) = options.to_request()?;
        let request = || {
            self.generated
                .create_group_token(org, group, authorization, expiration, &body)
        };
        Ok(self
            .call(operation::CREATE_GROUP_TOKEN, request)
            .await?
            .into())
    }

    /// Invalidates every token minted so far for the group `group` of the organization
    /// `org`, and for each of its databases (`invalidateGroupTokens`). Calling it twice is
    /// harmless.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.invalidate_group_tokens("my-org", "default").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invalidate_group_tokens(&self, org: &str, group: &str) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        self.call(operation::INVALIDATE_GROUP_TOKENS, || {
            self.generated.invalidate_group_tokens(org, group)
        })
        .await
    }
}
