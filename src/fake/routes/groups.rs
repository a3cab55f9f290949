//! The handlers of the group operations.

use axum::extract::State;
use axum::response::Response;

use super::Shared;
use crate::fake::answer::{self, ApiError};
use crate::fake::auth::Authenticated;
use crate::fake::request::{GroupConfigurationBody, Json, Names, NewGroupBody, TransferBody};

pub(super) async fn list_groups(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| state.list_groups(caller, &slug))
}

pub(super) async fn create_group(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<NewGroupBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    app.respond(&caller, |state, caller| {
        state.create_group(caller, &slug, body)
    })
}

pub(super) async fn get_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_group(caller, &slug, &name)
    })
}

pub(super) async fn delete_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.delete_group(caller, &slug, &name)
    })
}

pub(super) async fn get_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_group_configuration(caller, &slug, &name)
    })
}

pub(super) async fn update_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(changes): Json<GroupConfigurationBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.update_group_configuration(caller, &slug, &name, changes)
    })
}

pub(super) async fn transfer_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<TransferBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.transfer_group(caller, &slug, &name, &body.organization)
    })
}

pub(super) async fn unarchive_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.unarchive_group(caller, &slug, &name)
    })
}

pub(super) async fn add_location_to_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.add_location_to_group(caller, &slug, &name, &location)
    })
}

pub(super) async fn remove_location_from_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.remove_location_from_group(caller, &slug, &name, &location)
    })
}

pub(super) async fn update_group_databases(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.update_group_databases(caller, &slug, &name)
    })?;
    Ok(answer::empty())
}
