//! The one error type of the client, and how every failure of the generated client
//! maps into it.

use std::fmt;

use reqwest::StatusCode;

use crate::generated::types;

/// How much of an unexpected body [`Error::UnexpectedResponse`] keeps.
const BODY_LIMIT: usize = 1024;
/// How much of an answer to an undocumented status is read to look for an error body.
const READ_LIMIT: usize = 64 * 1024;
/// How much of that body `Display` shows.
const DISPLAY_LIMIT: usize = 256;
/// What an unexpected body that may hold a secret is replaced with.
const REDACTED_BODY: &str = "[redacted: a successful answer to a mint may hold a secret]";

/// Everything that can go wrong when calling the Turso Platform API.
///
/// Match on the variant to act on a kind of failure; use [`Error::status`] and
/// [`Error::is_timeout`] for the common questions. No variant, and no `Display` or
/// `Debug` output, ever contains a token.
///
/// ```no_run
/// use turso_platform::{Client, Error, StatusCode};
///
/// # async fn run(client: Client) -> Result<(), Error> {
/// match client.revoke_api_token("ci-bot").await {
///     Ok(name) => println!("revoked {name}"),
///     Err(Error::Api { status: StatusCode::NOT_FOUND, .. }) => println!("no such token"),
///     Err(e) if e.is_timeout() => println!("Turso did not answer in time: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent: a blank name, a token that
    /// cannot go in an HTTP header, an invalid expiration, a base URL that would leak
    /// the token, an incomplete set of options. The message says which and why.
    InvalidArgument(String),
    /// The API answered with an error status (4xx or 5xx) and its JSON error body, whether
    /// or not the spec lists that status for the operation.
    Api {
        /// The HTTP status, such as 401, 404 or 409.
        status: StatusCode,
        /// The API's `error` message.
        message: String,
        /// The API's machine-readable `code`, when it gave one (for example
        /// `feature_not_available_for_starter_plan`).
        code: Option<String>,
    },
    /// The API answered with something the spec does not describe: a body that is not the
    /// documented JSON (an HTML page from a proxy, a truncated body), or a success or
    /// redirect status the spec does not list (redirects are never followed).
    UnexpectedResponse {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The body as text, cut to its first 1 KiB. A successful answer to a mint is
        /// replaced by a placeholder, since it may hold a secret.
        body: String,
        /// What was wrong with the answer.
        reason: String,
    },
    /// The connection to the API could not be made (refused, DNS, TLS, connect
    /// timeout): the request was not sent.
    Connect(reqwest::Error),
    /// The API did not answer in time. The request may have reached the server.
    Timeout(reqwest::Error),
    /// The connection failed after the request was sent, or while the answer was read.
    /// The request may have reached the server.
    Transport(reqwest::Error),
    /// Minting the API token `name` failed in a way that does not tell whether the
    /// server created it (no answer, a gateway error, an unreadable answer). If it did,
    /// its secret is lost, and minting the same name again answers 409, so the client
    /// never retries this. Check with [`Client::list_api_tokens`]; if the name is there,
    /// revoke it and mint again.
    ///
    /// [`Client::list_api_tokens`]: crate::Client::list_api_tokens
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
    /// ```
    /// use turso_platform::{Error, StatusCode};
    ///
    /// let err = Error::Api { status: StatusCode::CONFLICT, message: "exists".into(), code: None };
    /// assert_eq!(err.status(), Some(StatusCode::CONFLICT));
    /// assert_eq!(Error::InvalidArgument("blank name".into()).status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::ApiTokenMayExist { source, .. } => source.status(),
            Error::InvalidArgument(_)
            | Error::Connect(_)
            | Error::Timeout(_)
            | Error::Transport(_) => None,
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
        match self {
            Error::Timeout(_) => true,
            Error::Connect(e) => e.is_timeout(),
            Error::ApiTokenMayExist { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// Whether the request may have reached the server and taken effect although the
    /// call failed: a timeout or a broken connection after sending, a 408 or 5xx answer,
    /// or an unreadable successful answer.
    pub(crate) fn may_have_taken_effect(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Transport(_) | Error::ApiTokenMayExist { .. } => true,
            Error::Api { status, .. } => is_ambiguous(*status),
            Error::UnexpectedResponse { status, .. } => {
                status.is_success() || is_ambiguous(*status)
            }
            Error::InvalidArgument(_) | Error::Connect(_) => false,
        }
    }

    /// Maps an error of the generated client. `status` is the status of the answer, if
    /// one arrived; `secret_answer` says whether a successful answer carries a secret.
    pub(crate) async fn from_generated(
        error: progenitor_client::Error<types::Error>,
        status: Option<StatusCode>,
        secret_answer: bool,
    ) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::ErrorResponse(answer) => {
                let status = answer.status();
                let body = answer.into_inner();
                Error::Api {
                    status,
                    message: body.error,
                    code: body.code,
                }
            }
            E::InvalidResponsePayload(bytes, why) => {
                // The exec hook saw the answer before it was decoded; 200 is the only
                // status whose body is decoded without being an error status.
                let status = status.unwrap_or(StatusCode::OK);
                Error::UnexpectedResponse {
                    status,
                    body: body_text(&bytes, status, secret_answer),
                    reason: format!("the body is not the JSON the API documents ({why})"),
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
                    return Error::Api {
                        status,
                        message: body.error,
                        code: body.code,
                    };
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
                    body: body_text(&bytes, status, secret_answer),
                    reason,
                }
            }
            E::CommunicationError(e) if e.is_builder() => {
                Error::InvalidArgument(format!("the request could not be built: {e}"))
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
            E::InvalidRequest(message) | E::Custom(message) => Error::InvalidArgument(message),
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_connect() {
            Error::Connect(e)
        } else if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }
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

/// The body as text, cut to [`BODY_LIMIT`] bytes on a character boundary.
fn body_text(bytes: &[u8], status: StatusCode, secret_answer: bool) -> String {
    if secret_answer && status.is_success() {
        return REDACTED_BODY.to_owned();
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_LIMIT)]);
    truncate(&text, BODY_LIMIT).to_owned()
}

fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The innermost cause of an error, which says what actually happened ("connection
/// refused") where the outer one says only where ("error sending request").
fn root_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    let mut cause = error.source()?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(cause)
}

fn write_http_error(f: &mut fmt::Formatter<'_>, what: &str, e: &reqwest::Error) -> fmt::Result {
    write!(f, "{what}: {e}")?;
    if let Some(cause) = root_cause(e) {
        write!(f, ": {cause}")?;
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(message) => write!(f, "invalid argument: {message}"),
            Error::Api {
                status,
                message,
                code,
            } => {
                write!(f, "the Turso API answered HTTP {status}: {message}")?;
                if let Some(code) = code {
                    write!(f, " (code {code})")?;
                }
                match status.as_u16() {
                    401 => f.write_str(
                        "; check that the API token is valid, not expired and not revoked",
                    ),
                    402 => f.write_str("; this needs a paid plan for the organization"),
                    403 => f.write_str("; the token's user or scopes do not allow this"),
                    429 => f.write_str("; too many requests, try again later"),
                    500..=599 => f.write_str("; Turso failed, try again later"),
                    _ => Ok(()),
                }
            }
            Error::UnexpectedResponse {
                status,
                body,
                reason,
            } => {
                write!(
                    f,
                    "unexpected answer from the Turso API (HTTP {status}): {reason}"
                )?;
                if !body.is_empty() {
                    let shown = truncate(body, DISPLAY_LIMIT);
                    let more = if shown.len() < body.len() { "..." } else { "" };
                    write!(f, "; body: {shown:?}{more}")?;
                }
                Ok(())
            }
            Error::Connect(e) => write_http_error(
                f,
                "could not connect to the Turso API (nothing was sent)",
                e,
            ),
            Error::Timeout(e) => write_http_error(
                f,
                "the Turso API did not answer in time (the request may have been carried out)",
                e,
            ),
            Error::Transport(e) => write_http_error(
                f,
                "the connection to the Turso API failed (the request may have been carried out)",
                e,
            ),
            Error::ApiTokenMayExist { name, source } => write!(
                f,
                "the API token {name:?} may have been created, but its secret was not \
                 received ({source}); call list_api_tokens() to check: if {name:?} is \
                 listed, revoke it with revoke_api_token({name:?}) and mint it again"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect(e) | Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::ApiTokenMayExist { source, .. } => Some(source.as_ref()),
            Error::InvalidArgument(_) | Error::Api { .. } | Error::UnexpectedResponse { .. } => {
                None
            }
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

    #[test]
    fn bodies_are_cut_on_a_character_boundary() {
        let long = "é".repeat(BODY_LIMIT);
        let text = body_text(long.as_bytes(), StatusCode::BAD_GATEWAY, false);
        assert_eq!(text.len(), BODY_LIMIT);
        assert!(text.chars().all(|c| c == 'é'));
        let invalid = [0xff; 2000];
        assert!(body_text(&invalid, StatusCode::BAD_GATEWAY, false).len() <= BODY_LIMIT);
    }

    #[test]
    fn successful_answers_to_mints_are_redacted() {
        let body = br#"{"jwt": "eyJ.secret"#;
        assert_eq!(body_text(body, StatusCode::OK, true), REDACTED_BODY);
        assert_eq!(
            body_text(body, StatusCode::OK, false),
            r#"{"jwt": "eyJ.secret"#
        );
        assert_eq!(
            body_text(b"<html>", StatusCode::BAD_GATEWAY, true),
            "<html>"
        );
    }

    #[test]
    fn display_of_an_api_error_says_what_to_do() {
        let err = Error::Api {
            status: StatusCode::UNAUTHORIZED,
            message: "token contains an invalid number of segments".into(),
            code: None,
        };
        let text = err.to_string();
        assert!(text.contains("401") && text.contains("invalid number of segments"));
        assert!(text.contains("check that the API token is valid"));
    }

    #[test]
    fn ambiguity_follows_the_status() {
        let api = |status| Error::Api {
            status,
            message: String::new(),
            code: None,
        };
        assert!(api(StatusCode::SERVICE_UNAVAILABLE).may_have_taken_effect());
        assert!(api(StatusCode::REQUEST_TIMEOUT).may_have_taken_effect());
        assert!(!api(StatusCode::CONFLICT).may_have_taken_effect());
        assert!(!api(StatusCode::TOO_MANY_REQUESTS).may_have_taken_effect());
        assert!(!Error::InvalidArgument(String::new()).may_have_taken_effect());
    }
}
