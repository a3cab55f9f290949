//! What the fake answers: JSON bodies, and the spec's `Error` body for every failure.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use turso_platform::generated::types;

/// A successful answer with a JSON body.
pub(crate) fn json<T: Serialize>(body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => with_json_type(StatusCode::OK, bytes),
        // The answer types are the generated ones, which always serialize.
        Err(e) => ApiError::internal(format!("the answer could not be written: {e}")).into(),
    }
}

/// `200 OK` with an empty body, as the rotate operations answer.
pub(crate) fn empty() -> Response {
    StatusCode::OK.into_response()
}

/// Waits until `ready_at` (Unix milliseconds), for the routes that answer once what they
/// wait for is ready.
pub(crate) async fn once_ready(ready_at: u64) {
    let left =
        std::time::Duration::from_millis(ready_at).saturating_sub(crate::clock::since_epoch());
    if !left.is_zero() {
        tokio::time::sleep(left).await;
    }
}

fn with_json_type(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A failure, answered with its status and `{"error": "<message>"}` (and a `code`, for
/// what the plan forbids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    code: Option<&'static str>,
}

impl ApiError {
    /// A failure with any status.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code: None,
        }
    }

    /// 402: the organization's plan does not include this, as Turso answers it.
    pub(crate) fn payment_required(message: impl Into<String>) -> Self {
        Self {
            code: Some("feature_not_available_for_starter_plan"),
            ..Self::new(StatusCode::PAYMENT_REQUIRED, message)
        }
    }

    /// 400: the request is invalid.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: the bearer token is missing, malformed, unknown or revoked.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: the caller may not do this.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: something named in the request does not exist.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 408: the request did not arrive in time.
    pub(crate) fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, message)
    }

    /// 405: the path exists, the method does not.
    pub(crate) fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, message)
    }

    /// 409: the name is taken.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 501: the route exists in Turso's API but the fake does not emulate it.
    pub(crate) fn not_implemented(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, message)
    }

    /// 500: the fake failed (it should not).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The status of the answer.
    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The message of the answer.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl From<ApiError> for Response {
    fn from(error: ApiError) -> Self {
        error.into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = types::Error::default().with_error(self.message);
        body.code = self.code.map(str::to_owned);
        // A struct of two strings always serializes.
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{\"error\":\"\"}".to_vec());
        with_json_type(self.status, bytes)
    }
}
