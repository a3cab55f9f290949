//! What the fake reads from a request besides its bearer token: the names in its path,
//! its JSON body and its query, with the extractors the handlers use; the bodies and
//! queries of each resource's operations are in [`tokens`], [`databases`], [`groups`],
//! [`organizations`] and [`members`].
//!
//! Every refusal here is a 400 with the `Error` body (never a 415 or a 422): the
//! real API takes a body with or without a content type, and an absent optional body
//! means "no options".

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::App;
use super::answer::ApiError;

mod databases;
mod groups;
mod members;
mod organizations;
mod tokens;

pub(crate) use databases::{
    ConfigurationBody, DatabaseQuery, NewDatabaseBody, UsageQuery, seed_time,
};
pub(crate) use groups::{GroupConfigurationBody, NewGroupBody, TransferBody};
pub(crate) use members::{
    AddMemberBody, InviteBody, InviteRequest, Invitee, UpdateRoleBody, assignable,
};
pub(crate) use organizations::{AuditLogQuery, UpdateOrganizationBody, invoice_type};
pub(crate) use tokens::{ApiTokenBody, TokenBody, TokenRequest};

/// The largest body the fake reads.
const BODY_LIMIT: usize = 64 * 1024;

/// The extractor of a request's path parameters, in path order: a segment that does not
/// decode (invalid UTF-8 once percent-decoded) names nothing, and answers 404.
pub(crate) struct Names<T>(pub(crate) T);

impl<T: DeserializeOwned + Send> FromRequestParts<Arc<App>> for Names<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, app)
            .await
            .map(|Path(names)| Names(names))
            .map_err(|_| ApiError::not_found("not found: a path segment is not valid UTF-8"))
    }
}

/// The extractor of an optional JSON body: `T` (a JSON object), or `None` if there is no
/// body (or only whitespace). The content type is not looked at. A body that does not
/// arrive within the fake's idle timeout answers 408.
pub(crate) struct OptionalJson<T>(pub(crate) Option<T>);

impl<T: DeserializeOwned> FromRequest<Arc<App>> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        optional_json(request.into_body(), app.idle_timeout())
            .await
            .map(OptionalJson)
    }
}

/// The extractor of a required JSON body: `T` (a JSON object); no body answers 400.
pub(crate) struct Json<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<Arc<App>> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        optional_json(request.into_body(), app.idle_timeout())
            .await?
            .map(Json)
            .ok_or_else(|| ApiError::bad_request("a JSON body is required"))
    }
}

async fn optional_json<T: DeserializeOwned>(
    body: Body,
    timeout: Duration,
) -> Result<Option<T>, ApiError> {
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, BODY_LIMIT));
    let bytes = read
        .await
        .map_err(|_| {
            ApiError::request_timeout(format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            ))
        })?
        .map_err(|_| {
            ApiError::bad_request(format!(
                "the request body could not be read, or is larger than {} KiB",
                BODY_LIMIT / 1024
            ))
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let invalid =
        |e: serde_json::Error| ApiError::bad_request(format!("invalid request body: {e}"));
    // Read as a value first: serde would take a JSON array for a struct.
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(invalid)?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object",
        ));
    }
    serde_json::from_value(value).map(Some).map_err(invalid)
}

/// Deserializes a field that may be absent (with `#[serde(default)]`) but, when
/// present, must be a `T`: `null` is refused, as the spec's types are not nullable.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Like [`present`], for a field whose schema is an object: serde would also take a JSON
/// array for a struct.
pub(crate) fn present_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let object = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
    T::deserialize(serde_json::Value::Object(object))
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// The values of a query string, by name; a name given twice is refused.
pub(crate) fn query_values<'a>(
    query: Option<&str>,
    names: &[&'a str],
) -> Result<std::collections::BTreeMap<&'a str, String>, ApiError> {
    let mut values = std::collections::BTreeMap::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some(name) = names.iter().find(|name| **name == key) else {
            continue;
        };
        if values.insert(*name, value.into_owned()).is_some() {
            return Err(ApiError::bad_request(format!(
                "the query parameter {key} is given more than once"
            )));
        }
    }
    Ok(values)
}

/// A refusal of a value, with its parser's message.
pub(crate) fn bad_value(error: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(error.to_string())
}
