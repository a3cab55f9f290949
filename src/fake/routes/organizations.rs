//! The handlers of the organization operations and their billing.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::Shared;
use crate::fake::answer::ApiError;
use crate::fake::auth::Authenticated;
use crate::fake::request::{Json, Names, UpdateOrganizationBody, invoice_type};

pub(super) async fn list_organizations(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(
        &caller,
        |state, caller| Ok(state.list_organizations(caller)),
    )
}

pub(super) async fn get_organization(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_organization(caller, &slug)
    })
}

pub(super) async fn update_organization(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<UpdateOrganizationBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.update_organization(caller, &slug, body)
    })
}

pub(super) async fn list_organization_plans(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_plans(caller, &slug)
    })
}

pub(super) async fn list_organization_invoices(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let invoice_type = invoice_type(query.as_deref())?;
    app.respond(&caller, |state, caller| {
        state.list_organization_invoices(caller, &slug, invoice_type)
    })
}

pub(super) async fn get_organization_subscription(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_organization_subscription(caller, &slug)
    })
}

pub(super) async fn get_organization_usage(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_organization_usage(caller, &slug)
    })
}
