//! The HTTP side of the organization operations and their billing.

use super::{Extra, Operation, Shared};
use crate::http::answer;
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

/// The routes beyond the spec this module serves: those Turso's CLI calls.
pub(super) const EXTRA: &[Extra] = &[
    ("listOrganizations", "GET", "/v2/organizations", |m| {
        on(m, list_organizations_v2)
    }),
    ("createOrganization", "POST", "/v1/organizations", |m| {
        on(m, create_organization)
    }),
    (
        "deleteOrganization",
        "DELETE",
        "/v1/organizations/{organizationSlug}",
        |m| on(m, delete_organization),
    ),
    (
        "updateOrganizationSubscription",
        "POST",
        "/v1/organizations/{organizationSlug}/subscription",
        |m| on(m, update_organization_subscription),
    ),
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

/// `GET /v2/organizations` (Turso's CLI): the same list, in an object.
async fn list_organizations_v2(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let list = app.act(
        &caller,
        |state, caller| Ok(state.list_organizations(caller)),
    )?;
    Ok(answer::json(&serde_json::json!({ "organizations": list })))
}

/// The body of `POST /v1/organizations` (Turso's CLI also sends a `stripe_id`, which
/// the fake has no use for).
#[derive(Debug, Deserialize)]
struct NewOrganizationBody {
    name: String,
}

/// `POST /v1/organizations?dry_run=...`: answers `{"org": ...}`.
async fn create_organization(
    State(app): Shared,
    caller: Authenticated,
    RawQuery(query): RawQuery,
    Json(body): Json<NewOrganizationBody>,
) -> Result<Response, ApiError> {
    let dry_run = match query_values(query.as_deref(), &["dry_run"])?.remove("dry_run") {
        None => false,
        Some(value) => value
            .parse::<bool>()
            .map_err(|_| bad_value("invalid dry_run: give true or false"))?,
    };
    let org = app.act(&caller, |state, caller| {
        state.create_organization(caller, &body.name, dry_run)
    })?;
    Ok(answer::json(&serde_json::json!({ "org": org })))
}

async fn delete_organization(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.delete_organization(caller, &slug)
    })?;
    Ok(answer::empty())
}

/// The body of `POST …/subscription` (Turso's CLI sends `{"plan": ...}`).
#[derive(Debug, Deserialize)]
struct SubscriptionBody {
    plan: String,
}

async fn update_organization_subscription(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<SubscriptionBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.update_organization_subscription(caller, &slug, &body.plan)
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
