//! The handlers of the organization operations and their billing.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::Shared;
use crate::fake::answer::{self, ApiError};
use crate::fake::auth::Authenticated;
use crate::fake::request::{Json, Names, UpdateOrganizationBody, invoice_type};

pub(super) async fn list_organizations(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let organizations = app.act(
        &caller,
        |state, caller| Ok(state.list_organizations(caller)),
    )?;
    Ok(answer::json(&organizations))
}

pub(super) async fn get_organization(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let organization = app.act(&caller, |state, caller| {
        state.get_organization(caller, &slug)
    })?;
    Ok(answer::json(&organization))
}

pub(super) async fn update_organization(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<UpdateOrganizationBody>,
) -> Result<Response, ApiError> {
    let organization = app.act(&caller, |state, caller| {
        state.update_organization(caller, &slug, body)
    })?;
    Ok(answer::json(&organization))
}

pub(super) async fn list_organization_plans(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let plans = app.act(&caller, |state, caller| {
        state.list_organization_plans(caller, &slug)
    })?;
    Ok(answer::json(&plans))
}

pub(super) async fn list_organization_invoices(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let invoice_type = invoice_type(query.as_deref())?;
    let invoices = app.act(&caller, |state, caller| {
        state.list_organization_invoices(caller, &slug, invoice_type)
    })?;
    Ok(answer::json(&invoices))
}

pub(super) async fn get_organization_subscription(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let subscription = app.act(&caller, |state, caller| {
        state.get_organization_subscription(caller, &slug)
    })?;
    Ok(answer::json(&subscription))
}

pub(super) async fn get_organization_usage(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let usage = app.act(&caller, |state, caller| {
        state.get_organization_usage(caller, &slug)
    })?;
    Ok(answer::json(&usage))
}
