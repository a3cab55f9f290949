//! The one error type of the client, and how every failure of the generated client
//! maps into it.
//!
//! Every text an error keeps is bounded, whatever the server answered or the caller
//! passed: the API's message to 1 KiB, an unexpected body to 1 KiB (and 256 bytes of it
//! in `Display`), a decoding error to 256 bytes. An error of an operation whose answer
//! carries a secret never quotes a byte of an answer's body.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::codecs::excerpt::{self, Quoted};
use crate::codecs::secret::{self, REDACTED_BODY};
use crate::generated::types;
use crate::transport::answer::Answer;

/// How much of an unexpected body [`Error::UnexpectedResponse`] keeps.
const BODY_LIMIT: usize = 1024;
/// How much of the API's error message and code [`Error::Api`] keeps.
const MESSAGE_LIMIT: usize = 1024;
/// How much of a decoding error's text an error keeps.
const REASON_LIMIT: usize = 256;
/// How much of an answer to an undocumented status is read to look for an error body.
const READ_LIMIT: usize = 64 * 1024;
/// How much of that body `Display` shows.
const DISPLAY_LIMIT: usize = 256;
/// Everything that can go wrong when calling the Turso Platform API.
///
/// Match on the variant to act on a kind of failure; use [`Error::is_name_taken`],
/// [`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::status`],
/// [`Error::is_timeout`], [`Error::retry_after`] and [`Error::may_have_taken_effect`] for
/// the common questions. No variant, and no `Display` or `Debug` output, ever contains a
/// token, and every text in it is bounded.
///
/// `Display` says what went wrong and what to do; the underlying cause (the network
/// error, say) is not repeated there but returned by [`source`](std::error::Error::source),
/// so that error reporters such as `anyhow` print each cause once.
///
/// ```no_run
/// use turso_platform::{Client, Error};
///
/// # async fn run(client: Client) -> Result<(), Error> {
/// match client.revoke_api_token("ci-bot").await {
///     Ok(name) => println!("revoked {name}"),
///     Err(e) if e.is_not_found() => println!("no such token"),
///     Err(e) if e.is_timeout() => println!("Turso did not answer in time: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent: a blank name, a name that would
    /// leave its path segment, a token that cannot go in an HTTP header, an invalid
    /// expiration, a base URL that would leak the token, an incomplete set of options.
    /// The message says which and why.
    InvalidArgument(String),
    /// The API answered with an error status (4xx or 5xx) and its JSON error body, whether
    /// or not the spec lists that status for the operation.
    #[non_exhaustive]
    Api {
        /// The HTTP status, such as 401, 404 or 409.
        status: StatusCode,
        /// The API's `error` message, cut to its first 1 KiB.
        message: String,
        /// The API's machine-readable `code`, when it gave one (for example
        /// `feature_not_available_for_starter_plan`).
        code: Option<String>,
        /// The wait the answer's `Retry-After` header asked for, if it had one.
        retry_after: Option<Duration>,
    },
    /// The API answered with something the spec does not describe: a body that is not the
    /// documented JSON (an HTML page from a proxy, a truncated body), or a success or
    /// redirect status the spec does not list (redirects are never followed).
    #[non_exhaustive]
    UnexpectedResponse {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The body as text, cut to its first 1 KiB. The answer to an operation that
        /// mints a secret is replaced by a placeholder, whatever its status.
        body: String,
        /// What was wrong with the answer.
        reason: String,
        /// The wait the answer's `Retry-After` header asked for, if it had one.
        retry_after: Option<Duration>,
    },
    /// The answer's body is larger than the client reads
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)):
    /// reading stopped at the limit and the connection was dropped.
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection to the API could not be made (refused, DNS, TLS, connect
    /// timeout): the request was not sent.
    Connect(reqwest::Error),
    /// The API did not answer in time. The request may have reached the server.
    Timeout(reqwest::Error),
    /// The connection failed after the request was sent, or while the answer was read.
    /// The request may have reached the server.
    Transport(reqwest::Error),
    /// A [`TokenSource`](crate::TokenSource) has no valid token to hand out: its last
    /// attempt to mint one failed, and it waits before the next (callers in between get
    /// this at once, without a request). The failure itself, shared by every such
    /// caller, is `last_failure` (also [`source`](std::error::Error::source)); `status()`,
    /// `is_timeout()` and `retry_after()` answer for it.
    #[non_exhaustive]
    TokenUnavailable {
        /// What the last attempt to mint a token failed with.
        last_failure: std::sync::Arc<Error>,
        /// How long until the source tries again, counted from this error.
        retry_in: Duration,
    },
    /// Creating the database or group `name`, adding the member `name` or inviting
    /// `name` failed in a way that does not tell whether the server did it (no answer, a
    /// gateway error, an unreadable answer). The client never sends it again: a second
    /// request would be refused for a name that exists (or send a second invite email),
    /// and nothing would tell whether the first one did it. Read it
    /// ([`Client::get_database`], [`Client::get_group`],
    /// [`Client::get_organization_member`], [`Client::list_organization_invites_v2`])
    /// before trying again: if it is there as you asked, it is most likely yours.
    ///
    /// [`Client::get_database`]: crate::Client::get_database
    /// [`Client::get_group`]: crate::Client::get_group
    /// [`Client::get_organization_member`]: crate::Client::get_organization_member
    /// [`Client::list_organization_invites_v2`]: crate::Client::list_organization_invites_v2
    #[non_exhaustive]
    MayExist {
        /// What was being created: `"database"`, `"group"`, `"member"` or `"invite"`.
        kind: &'static str,
        /// Its name.
        name: String,
        /// What went wrong.
        source: Box<Error>,
    },
    /// [`Client::ensure_database`](crate::Client::ensure_database) or
    /// [`Client::ensure_group`](crate::Client::ensure_group) found the name taken by a
    /// database or group that is not the one asked for (in another group, in another
    /// location): it is not reused. [`Error::is_name_taken`] holds for it.
    #[non_exhaustive]
    TakenByAnother {
        /// `"database"` or `"group"`.
        kind: &'static str,
        /// The name.
        name: String,
        /// How the existing one differs from what was asked.
        difference: String,
    },
    /// [`Client::wait_for_database`](crate::Client::wait_for_database) gave up: the
    /// database did not serve its URL within the time allowed.
    #[non_exhaustive]
    NotReady {
        /// The database's host name.
        hostname: String,
        /// How long it was waited for.
        waited: Duration,
        /// What the last attempt got (a status, or a connection failure).
        last: String,
    },
    /// Minting the API token `name` failed in a way that does not tell whether the
    /// server created it (no answer, a gateway error, an unreadable answer). If it did,
    /// its secret is lost, and minting the same name again answers 409, so the client
    /// never retries this. Check with [`Client::list_api_tokens`]; if the name is there,
    /// revoke it and mint again.
    ///
    /// [`Client::list_api_tokens`]: crate::Client::list_api_tokens
    #[non_exhaustive]
    ApiTokenMayExist {
        /// The name of the token that may have been created.
        name: String,
        /// What went wrong.
        source: Box<Error>,
    },
}

impl Error {
    /// The HTTP status of the answer this error comes from, if the API answered.
    ///
    /// ```no_run
    /// use turso_platform::StatusCode;
    ///
    /// # async fn run(client: turso_platform::Client) {
    /// let err = client.revoke_api_token("no-such-token").await.unwrap_err();
    /// assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self.innermost() {
            Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the call failed because it ran out of time (the whole-request timeout, or
    /// the connect timeout). Such an error has no [`status`](Error::status).
    ///
    /// ```
    /// use turso_platform::Error;
    ///
    /// assert!(!Error::InvalidArgument("blank name".into()).is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        match self.innermost() {
            Error::Timeout(_) => true,
            Error::Connect(e) => e.is_timeout(),
            _ => false,
        }
    }

    /// How long to wait before trying again: for
    /// [`TokenUnavailable`](Error::TokenUnavailable), how long until the token source tries
    /// again (its `retry_in`, which a plain 503 without the header still has); otherwise
    /// what the `Retry-After` header of the API's answer asked for (in seconds or as an
    /// HTTP date), if it sent one. The client waits and retries by itself when the wait
    /// is at most 30 s; a longer one fails the call at once, and this says when to come
    /// back.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// match client.list_api_tokens().await {
    ///     Err(e) if e.retry_after().is_some() => {
    ///         let wait = e.retry_after().unwrap();
    ///         println!("rate limited: try again in {} s", wait.as_secs());
    ///     }
    ///     other => println!("{:?}", other?.len()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        // A token source says when it tries again, whatever the failure's header said.
        if let Error::TokenUnavailable { retry_in, .. } = self {
            return Some(*retry_in);
        }
        match self.innermost() {
            Error::Api { retry_after, .. } | Error::UnexpectedResponse { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Whether the call failed because the name it gave is taken: a database, group or
    /// organization of that name exists, the user is already a member or invited, the
    /// platform API token's name is in use. Turso answers this with different statuses
    /// (400 for a database or group today, 409 in its spec and for API tokens, 422 where
    /// its CLI looks); the crate reads it as a taken name when the status is 409 or 422,
    /// or 400 with a message that says so (`already exists`, `already a member`,
    /// `already invited`, `already has a`). Looks through [`MayExist`](Error::MayExist),
    /// [`ApiTokenMayExist`](Error::ApiTokenMayExist) and
    /// [`TokenUnavailable`](Error::TokenUnavailable), as [`status`](Error::status) does.
    ///
    /// ```no_run
    /// use turso_platform::{Client, Error, NewDatabase};
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// match client.create_database("my-org", &NewDatabase::new("tenant-42", "default")).await {
    ///     Ok(created) => println!("created {}", created.name),
    ///     Err(e) if e.is_name_taken() => println!("tenant-42 exists already"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_name_taken(&self) -> bool {
        match self.innermost() {
            Error::TakenByAnother { .. } => true,
            Error::Api {
                status, message, ..
            } => match status.as_u16() {
                409 | 422 => true,
                400 => {
                    let message = message.to_ascii_lowercase();
                    [
                        "already exists",
                        "already a member",
                        "already invited",
                        "already has a",
                    ]
                    .iter()
                    .any(|says| message.contains(says))
                }
                _ => false,
            },
            Error::UnexpectedResponse { status, .. } => matches!(status.as_u16(), 409 | 422),
            _ => false,
        }
    }

    /// Whether the call failed because what it named does not exist (status 404, with the
    /// API's error body or not: a proxy's HTML 404 counts). Looks through the wrappers as
    /// [`status`](Error::status) does.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// match client.get_database("my-org", "tenant-42").await {
    ///     Ok(database) => println!("{}", database.hostname),
    ///     Err(e) if e.is_not_found() => println!("no such database"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API asked to slow down (status 429); [`retry_after`](Error::retry_after)
    /// says for how long, when it said. Looks through the wrappers as
    /// [`status`](Error::status) does.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// if let Err(e) = client.list_api_tokens().await {
    ///     if e.is_rate_limited() {
    ///         println!("slow down for {:?}", e.retry_after());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The error the call itself ended with: this one, or the one a wrapper
    /// ([`MayExist`](Error::MayExist), [`ApiTokenMayExist`](Error::ApiTokenMayExist),
    /// [`TokenUnavailable`](Error::TokenUnavailable)) holds.
    fn innermost(&self) -> &Error {
        match self {
            Error::ApiTokenMayExist { source, .. } | Error::MayExist { source, .. } => {
                source.innermost()
            }
            Error::TokenUnavailable { last_failure, .. } => last_failure.innermost(),
            other => other,
        }
    }

    /// Whether the request may have reached the server and taken effect although the
    /// call failed: a timeout or a broken connection after sending, a 408 or 5xx answer,
    /// or a successful answer that could not be read. `false` means it certainly did not
    /// (it was refused before sending, could not connect, or the API refused it).
    ///
    /// This is what your own retries need: sending again a request that may have taken
    /// effect is only safe if it is idempotent. The client's own retries already follow
    /// it (see [`ClientBuilder::max_retries`](crate::ClientBuilder::max_retries)).
    ///
    /// ```no_run
    /// use turso_platform::{ApiTokenOptions, Client, Error};
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let options = ApiTokenOptions::new().organization("my-org");
    /// match client.create_api_token("ci-bot", &options).await {
    ///     Ok(created) => println!("minted {}", created.id),
    ///     // Safe to try again later: nothing was created.
    ///     Err(e) if !e.may_have_taken_effect() => println!("not minted: {e}"),
    ///     // The token may exist: look before minting again.
    ///     Err(e) => {
    ///         let exists = client.list_api_tokens().await?.iter().any(|t| t.name == "ci-bot");
    ///         println!("{e}; the token exists: {exists}");
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Error::Timeout(_)
            | Error::Transport(_)
            | Error::ApiTokenMayExist { .. }
            | Error::MayExist { .. } => true,
            Error::Api { status, .. } => is_ambiguous(*status),
            Error::UnexpectedResponse { status, .. } | Error::ResponseTooLarge { status, .. } => {
                status.is_success() || is_ambiguous(*status)
            }
            Error::InvalidArgument(_)
            | Error::Connect(_)
            | Error::TokenUnavailable { .. }
            | Error::TakenByAnother { .. }
            | Error::NotReady { .. } => false,
        }
    }

    /// `self`, or [`Error::MayExist`] around it for the `kind` named `name` when the
    /// request may have taken effect: what a create that is never sent twice answers.
    pub(crate) fn or_may_exist(self, kind: &'static str, name: impl Into<String>) -> Error {
        if self.may_have_taken_effect() {
            Error::MayExist {
                kind,
                name: name.into(),
                source: Box::new(self),
            }
        } else {
            self
        }
    }

    /// [`Error::ApiTokenMayExist`] around this error if the mint of the API token `name`
    /// may have taken effect; this error as it is otherwise.
    pub(crate) fn or_api_token_may_exist(self, name: &str) -> Error {
        if self.may_have_taken_effect() {
            Error::ApiTokenMayExist {
                name: name.to_owned(),
                source: Box::new(self),
            }
        } else {
            self
        }
    }

    /// A successful answer that makes no sense: `reason` says why; `body` is what of it
    /// may be quoted (nothing secret).
    pub(crate) fn unexpected_ok(body: String, reason: String) -> Error {
        Error::UnexpectedResponse {
            status: StatusCode::OK,
            body,
            reason,
            retry_after: None,
        }
    }

    /// Maps an error of the generated client, with what its answer said (`answer`), the
    /// client's limit on bodies, and what the error may quote of the answer.
    pub(crate) async fn from_generated(
        error: progenitor_client::Error<types::Error>,
        answer: Answer,
        limit: usize,
        quoting: Quoting<'_>,
    ) -> Self {
        use progenitor_client::Error as E;
        let retry_after = answer.retry_after;
        match error {
            E::ErrorResponse(answer) => {
                let status = answer.status();
                Error::api(status, answer.into_inner(), retry_after, quoting)
            }
            E::InvalidResponsePayload(bytes, why) => {
                // The exec hook saw the answer before it was decoded; 200 is the only
                // status whose body is decoded without being an error status.
                let status = answer.status.unwrap_or(StatusCode::OK);
                Error::UnexpectedResponse {
                    status,
                    body: quoting.body(&bytes),
                    // For an answer that carries a secret, the generated code has already
                    // replaced the body and the value serde quotes (`secret::redacted_response`).
                    reason: format!(
                        "the body is not the JSON the API documents ({})",
                        quoting.cut(why.to_string(), REASON_LIMIT)
                    ),
                    retry_after,
                }
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let bytes = read_prefix(response, READ_LIMIT).await;
                // An error status the spec does not list for this operation still
                // carries the API's error body: that is an API error all the same.
                if (status.is_client_error() || status.is_server_error())
                    && let Ok(body) = serde_json::from_slice::<types::Error>(&bytes)
                {
                    return Error::api(status, body, retry_after, quoting);
                }
                let reason = if status.is_redirection() {
                    "the API answered with a redirect, which the client does not follow: the \
                     token is only sent to the base URL"
                        .to_owned()
                } else {
                    format!("the API does not document HTTP {status} for this operation")
                };
                Error::UnexpectedResponse {
                    status,
                    body: quoting.body(&bytes),
                    reason,
                    retry_after,
                }
            }
            E::ResponseBodyError(e) if is_too_large(&e) => Error::ResponseTooLarge {
                status: answer.status.unwrap_or(StatusCode::OK),
                limit,
            },
            E::CommunicationError(e) if e.is_builder() => Error::InvalidArgument(format!(
                "the request could not be built: {}",
                excerpt::cut(e.to_string(), REASON_LIMIT)
            )),
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
            E::InvalidRequest(message) | E::Custom(message) => Error::InvalidArgument(message),
        }
    }

    /// An API error from its error body, with the texts cut to their limits.
    fn api(
        status: StatusCode,
        body: types::Error,
        retry_after: Option<Duration>,
        quoting: Quoting<'_>,
    ) -> Self {
        Error::Api {
            status,
            message: quoting.cut(body.error, MESSAGE_LIMIT),
            code: body.code.map(|code| quoting.cut(code, REASON_LIMIT)),
            retry_after,
        }
    }

    fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_connect() {
            Error::Connect(e)
        } else if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }
}

/// Whether reading a body failed because it was larger than the client reads.
pub(crate) fn is_too_large(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Statuses that say an intermediary or the server failed, not that the request was
/// refused: it may have been carried out.
fn is_ambiguous(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status.is_server_error()
}

/// Reads about `limit` bytes of a body at most; what cannot be read is left out.
async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes
}

/// What an error may quote of an answer: nothing of its body for an operation whose
/// successful answer carries a secret; for the others, everything but the secrets the
/// request carried (an encryption key that a server or proxy quotes back in its 400),
/// which are redacted before any text is cut to its limit, so that no part of one is
/// left at a cut.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Quoting<'a> {
    /// Whether a successful answer of the operation carries a secret.
    pub(crate) secret_answer: bool,
    /// The secrets the request carried.
    pub(crate) request_secrets: &'a [&'a str],
}

impl Quoting<'_> {
    /// `text` without the request's secrets, cut to `limit` bytes.
    fn cut(&self, text: String, limit: usize) -> String {
        excerpt::cut(secret::redact(text, self.request_secrets), limit)
    }

    /// The body as text, cut to [`BODY_LIMIT`] bytes on a character boundary; nothing
    /// of it for an operation that mints a secret.
    fn body(&self, bytes: &[u8]) -> String {
        if self.secret_answer {
            return REDACTED_BODY.to_owned();
        }
        // Enough beyond the limit that a secret across the cut is whole, and redacted.
        let margin = secret::longest_spelling(self.request_secrets);
        let read = &bytes[..bytes.len().min(BODY_LIMIT + margin)];
        let text = secret::redact(
            String::from_utf8_lossy(read).into_owned(),
            self.request_secrets,
        );
        excerpt::prefix(&text, BODY_LIMIT).to_owned()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(message) => write!(f, "invalid argument: {message}"),
            Error::Api {
                status,
                message,
                code,
                retry_after,
            } => {
                write!(f, "the Turso API answered HTTP {status}: {message}")?;
                if let Some(code) = code {
                    write!(f, " (code {code})")?;
                }
                match status.as_u16() {
                    401 => f.write_str(
                        "; check that the API token is valid, not expired and not revoked",
                    )?,
                    402 => f.write_str("; this needs a paid plan for the organization")?,
                    403 => f.write_str("; the token's user or scopes do not allow this")?,
                    429 => f.write_str("; too many requests")?,
                    500..=599 => f.write_str("; Turso failed")?,
                    _ => {}
                }
                write_retry_after(f, *status, *retry_after)
            }
            Error::UnexpectedResponse {
                status,
                body,
                reason,
                retry_after,
            } => {
                write!(
                    f,
                    "unexpected answer from the Turso API (HTTP {status}): {reason}"
                )?;
                if !body.is_empty() {
                    let shown = excerpt::prefix(body, DISPLAY_LIMIT);
                    let more = if shown.len() < body.len() { "..." } else { "" };
                    write!(f, "; body: {shown:?}{more}")?;
                }
                write_retry_after(f, *status, *retry_after)
            }
            Error::ResponseTooLarge { status, limit } => write!(
                f,
                "the Turso API's answer (HTTP {status}) is larger than the {limit} bytes the \
                 client reads; reading stopped there (raise ClientBuilder::max_response_size \
                 if such an answer is expected)"
            ),
            Error::Connect(_) => {
                f.write_str("could not connect to the Turso API (nothing was sent)")
            }
            Error::Timeout(_) => f.write_str(
                "the Turso API did not answer in time (the request may have been carried out)",
            ),
            Error::Transport(_) => f.write_str(
                "the connection to the Turso API failed (the request may have been carried out)",
            ),
            Error::TokenUnavailable { retry_in, .. } => write!(
                f,
                "no valid database or group token: the last attempt to mint one failed, and the \
                 token source tries again in {} ms",
                retry_in.as_millis()
            ),
            Error::MayExist { kind, name, .. } => {
                let name = Quoted(name);
                let (done, check) = match *kind {
                    "member" => ("added", "read it (get_organization_member)"),
                    "invite" => (
                        "invited",
                        "list the invites (list_organization_invites_v2; one sent to a \
                         username is listed under that user's email address)",
                    ),
                    "group" => ("created", "read it (get_group)"),
                    _ => ("created", "read it (get_database)"),
                };
                write!(
                    f,
                    "the {kind} {name} may have been {done}, but no answer said so; {check} \
                     before trying again: if it is there as you asked, it is most likely yours"
                )
            }
            Error::NotReady {
                hostname,
                waited,
                last,
            } => write!(
                f,
                "the database at {} did not serve within {:.1} s (last: {}); a new \
                 database can take seconds to be ready: wait longer, or check that it exists \
                 and that the token is one of its own (another's is answered 404 too)",
                Quoted(hostname),
                waited.as_secs_f64(),
                Quoted(last)
            ),
            Error::TakenByAnother {
                kind,
                name,
                difference,
            } => write!(
                f,
                "a {kind} named {} exists, but {difference}: it was not reused; choose another \
                 name, or delete it if it is a leftover",
                Quoted(name)
            ),
            Error::ApiTokenMayExist { name, .. } => {
                let name = Quoted(name);
                write!(
                    f,
                    "the API token {name} may have been created, but its secret was not \
                     received; call list_api_tokens() to check: if {name} is listed, revoke \
                     it with revoke_api_token and mint it again"
                )
            }
        }
    }
}

/// `; try again in N s`, or `; try again later` for a status that says so.
fn write_retry_after(
    f: &mut fmt::Formatter<'_>,
    status: StatusCode,
    retry_after: Option<Duration>,
) -> fmt::Result {
    match retry_after {
        Some(wait) => write!(f, "; the API asks to try again in {} s", wait.as_secs()),
        None if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() => {
            f.write_str(", try again later")
        }
        None => Ok(()),
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect(e) | Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::ApiTokenMayExist { source, .. } | Error::MayExist { source, .. } => {
                Some(source.as_ref())
            }
            Error::TokenUnavailable { last_failure, .. } => Some(last_failure.as_ref()),
            Error::InvalidArgument(_)
            | Error::Api { .. }
            | Error::UnexpectedResponse { .. }
            | Error::ResponseTooLarge { .. }
            | Error::TakenByAnother { .. }
            | Error::NotReady { .. } => None,
        }
    }
}

impl From<crate::ExpirationError> for Error {
    fn from(e: crate::ExpirationError) -> Self {
        Error::InvalidArgument(e.to_string())
    }
}

impl From<crate::UnknownValueError> for Error {
    fn from(e: crate::UnknownValueError) -> Self {
        Error::InvalidArgument(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: StatusCode, message: &str) -> Error {
        Error::api(
            status,
            types::Error {
                error: message.to_owned(),
                code: None,
            },
            None,
            Quoting::default(),
        )
    }

    #[test]
    fn bodies_are_cut_on_a_character_boundary() {
        let long = "é".repeat(BODY_LIMIT);
        let text = Quoting::default().body(long.as_bytes());
        assert_eq!(text.len(), BODY_LIMIT);
        assert!(text.chars().all(|c| c == 'é'));
        let invalid = [0xff; 2000];
        assert!(Quoting::default().body(&invalid).len() <= BODY_LIMIT);
    }

    #[test]
    fn answers_to_mints_are_never_kept() {
        let body = br#"{"jwt": "eyJ.secret"#;
        let minting = Quoting {
            secret_answer: true,
            ..Quoting::default()
        };
        assert_eq!(minting.body(body), REDACTED_BODY);
        assert_eq!(Quoting::default().body(body), r#"{"jwt": "eyJ.secret"#);
    }

    /// A key the request carried is redacted from every text, in every spelling, even
    /// where a text is cut in the middle of it.
    #[test]
    fn a_secret_of_the_request_is_never_quoted() {
        let key = "c2VjcmV0/a2V5+MzI=";
        let quoting = Quoting {
            secret_answer: false,
            request_secrets: &[key],
        };
        let quoted = format!(
            "bad key {key}, escaped {}, encoded {}",
            key.replace('/', "\\/"),
            "c2VjcmV0%2Fa2V5%2BMzI%3D"
        );
        let message = quoting.cut(quoted.clone(), MESSAGE_LIMIT);
        assert_eq!(message.matches("[REDACTED]").count(), 3, "{message}");
        for at in 0..key.len() {
            let body = format!("{}{key}", "x".repeat(BODY_LIMIT - at));
            let shown = quoting.body(body.as_bytes());
            assert!(
                !shown.contains(&key[..at.max(4).min(key.len())]),
                "cut at {at}: {shown}"
            );
        }
    }

    #[test]
    fn display_of_an_api_error_says_what_to_do() {
        let text = api(
            StatusCode::UNAUTHORIZED,
            "token contains an invalid number of segments",
        )
        .to_string();
        assert!(text.contains("401") && text.contains("invalid number of segments"));
        assert!(text.contains("check that the API token is valid"));
    }

    #[test]
    fn api_messages_are_bounded() {
        let text = api(StatusCode::BAD_REQUEST, &"x".repeat(1 << 20)).to_string();
        assert!(text.len() < 2 * MESSAGE_LIMIT, "{}", text.len());
    }

    #[test]
    fn ambiguity_follows_the_status() {
        assert!(api(StatusCode::SERVICE_UNAVAILABLE, "").may_have_taken_effect());
        assert!(api(StatusCode::REQUEST_TIMEOUT, "").may_have_taken_effect());
        assert!(!api(StatusCode::CONFLICT, "").may_have_taken_effect());
        assert!(!api(StatusCode::TOO_MANY_REQUESTS, "").may_have_taken_effect());
        assert!(!Error::InvalidArgument(String::new()).may_have_taken_effect());
    }
}
