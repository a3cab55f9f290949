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
    let groups = app.act(&caller, |state, caller| state.list_groups(caller, &slug))?;
    Ok(answer::json(&groups))
}

pub(super) async fn create_group(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<NewGroupBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    let group = app.act(&caller, |state, caller| {
        state.create_group(caller, &slug, body)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn get_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.get_group(caller, &slug, &name)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn delete_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.delete_group(caller, &slug, &name)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn get_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let configuration = app.act(&caller, |state, caller| {
        state.get_group_configuration(caller, &slug, &name)
    })?;
    Ok(answer::json(&configuration))
}

pub(super) async fn update_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(changes): Json<GroupConfigurationBody>,
) -> Result<Response, ApiError> {
    let configuration = app.act(&caller, |state, caller| {
        state.update_group_configuration(caller, &slug, &name, changes)
    })?;
    Ok(answer::json(&configuration))
}

pub(super) async fn transfer_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<TransferBody>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.transfer_group(caller, &slug, &name, &body.organization)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn unarchive_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.unarchive_group(caller, &slug, &name)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn add_location_to_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.add_location_to_group(caller, &slug, &name, &location)
    })?;
    Ok(answer::json(&group))
}

pub(super) async fn remove_location_from_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    let group = app.act(&caller, |state, caller| {
        state.remove_location_from_group(caller, &slug, &name, &location)
    })?;
    Ok(answer::json(&group))
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
