//! The handler of `listLocations`.

use axum::extract::State;
use axum::response::Response;

use super::Shared;
use crate::fake::answer::ApiError;
use crate::fake::auth::Authenticated;

pub(super) async fn list_locations(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, _| Ok(state.list_locations()))
}
