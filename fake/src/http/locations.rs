//! The handler of `listLocations`.

use axum::extract::State;
use axum::response::Response;

use super::{Operation, Shared};
use axum::routing::on;

use crate::http::answer::ApiError;
use crate::http::extract::Authenticated;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[("listLocations", |m| on(m, list_locations))];

pub(super) async fn list_locations(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, _| Ok(state.list_locations()))
}
