//! The handlers of the member and invite operations.

use axum::extract::State;
use axum::response::Response;

use super::Shared;
use crate::fake::answer::{self, ApiError};
use crate::fake::auth::Authenticated;
use crate::fake::request::{AddMemberBody, InviteRequest, Json, Names, UpdateRoleBody, assignable};

pub(super) async fn list_organization_members(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_members(caller, &slug)
    })
}

pub(super) async fn add_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<AddMemberBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    app.respond(&caller, |state, caller| {
        state.add_organization_member(caller, &slug, body)
    })
}

pub(super) async fn get_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_organization_member(caller, &slug, &username)
    })
}

pub(super) async fn update_member_role(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
    Json(body): Json<UpdateRoleBody>,
) -> Result<Response, ApiError> {
    let role = assignable(body.role)?;
    app.respond(&caller, |state, caller| {
        state.update_member_role(caller, &slug, &username, role)
    })
}

pub(super) async fn remove_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.remove_organization_member(caller, &slug, &username)
    })
}

pub(super) async fn list_organization_invites(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_invites(caller, &slug)
    })
}

pub(super) async fn invite_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<InviteRequest>,
) -> Result<Response, ApiError> {
    let body = body.check()?;
    app.respond(&caller, |state, caller| {
        state.invite_organization_member(caller, &slug, body)
    })
}

pub(super) async fn delete_organization_invite(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, email)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.delete_organization_invite(caller, &slug, &email)
    })?;
    Ok(answer::empty())
}
