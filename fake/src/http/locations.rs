//! The HTTP side of the locations: `listLocations`, and the forms Turso's CLI calls.

use axum::extract::State;
use axum::response::Response;

use super::{Extra, Operation, Shared};
use crate::http::answer;
use crate::http::extract::Names;
use axum::routing::on;

use crate::http::answer::ApiError;
use crate::http::extract::Authenticated;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[("listLocations", |m| on(m, list_locations))];

/// The routes beyond the spec this module serves: the forms Turso's CLI calls.
pub(super) const EXTRA: &[Extra] = &[
    ("listLocations", "GET", "/v2/locations", |m| {
        on(m, list_locations_by_provider)
    }),
    (
        "listLocations",
        "GET",
        "/v2/organizations/{organizationSlug}/locations",
        |m| on(m, list_locations_by_provider),
    ),
    ("getLocation", "GET", "/v1/locations/{location}", |m| {
        on(m, get_location)
    }),
];

pub(super) async fn list_locations(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, _| Ok(state.list_locations()))
}

/// `GET /v2/locations` (and its organization's form): the locations by provider.
async fn list_locations_by_provider(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, _| Ok(state.list_locations_by_provider()))
}

/// `GET /v1/locations/{code}`: a location and the closest others.
async fn get_location(
    State(app): Shared,
    caller: Authenticated,
    Names(code): Names<String>,
) -> Result<Response, ApiError> {
    let location = app.act(&caller, |state, _| state.get_location(&code))?;
    Ok(answer::json(&location))
}
