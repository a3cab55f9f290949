//! The HTTP side of the organization operations and their billing.

use super::{Operation, Shared};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::on;

use super::extract::{bad_value, query_values};
use crate::http::answer::ApiError;
use crate::http::extract::Authenticated;
use crate::http::extract::{Json, Names};
use serde::Deserialize;
use turso_platform::generated::types::InvoiceType;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[
    ("listOrganizations", |m| on(m, list_organizations)),
    ("getOrganization", |m| on(m, get_organization)),
    ("updateOrganization", |m| on(m, update_organization)),
    ("listOrganizationPlans", |m| on(m, list_organization_plans)),
    ("listOrganizationInvoices", |m| {
        on(m, list_organization_invoices)
    }),
    ("getOrganizationSubscription", |m| {
        on(m, get_organization_subscription)
    }),
    ("getOrganizationUsage", |m| on(m, get_organization_usage)),
];

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

/// The body of `updateOrganization` (`UpdateOrganizationInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UpdateOrganizationBody {
    #[serde(default)]
    pub(crate) overages: Option<bool>,
    #[serde(default)]
    pub(crate) require_mfa: Option<bool>,
}

/// The `type` query of `listOrganizationInvoices`.
pub(crate) fn invoice_type(query: Option<&str>) -> Result<Option<InvoiceType>, ApiError> {
    query_values(query, &["type"])?
        .remove("type")
        .map(|text| {
            text.parse().map_err(|_| {
                bad_value("invalid invoice type: give all, upcoming or issued".to_owned())
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_types_are_the_spec_s() {
        assert_eq!(invoice_type(None).unwrap(), None);
        assert_eq!(
            invoice_type(Some("type=issued")).unwrap(),
            Some(InvoiceType::Issued)
        );
        assert!(invoice_type(Some("type=paid")).is_err());
    }
}
