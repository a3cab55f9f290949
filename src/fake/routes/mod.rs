//! The HTTP face of the fake: one handler per operation of `openapi.yaml`, grouped by
//! resource ([`tokens`], [`databases`], [`groups`], [`locations`], [`organizations`],
//! [`members`], [`audit_logs`]), plus the answers
//! for unknown paths (404) and wrong methods (405), all with the `Error` body.
//!
//! The extractors do the checks every operation shares, in the order the API answers
//! them: `Authenticated` the bearer token (401), `Names` the path (404 for a segment
//! that does not decode), `Json`, `OptionalJson` and the query the request (400). Each
//! handler then asks the state through [`App::act`], which holds the state's lock only
//! for that synchronous call, and answers with the generated types or an [`ApiError`].
//! Before all of them, the middleware of [`faults`] counts the request and answers with
//! a planned failure, if any.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::routing::{delete, get, post};
use axum::{Router, middleware};

use super::answer::ApiError;
use super::{App, faults};

mod audit_logs;
mod databases;
mod groups;
mod locations;
mod members;
mod organizations;
mod tokens;

/// The fake's state, as handlers extract it.
type Shared = State<Arc<App>>;

/// The router of every operation, with the fake's state.
pub(crate) fn router(app: Arc<App>) -> Router {
    let org = "/v1/organizations/{organizationSlug}";
    let database = "/v1/organizations/{organizationSlug}/databases/{databaseName}";
    let group = "/v1/organizations/{organizationSlug}/groups/{groupName}";
    Router::new()
        .route("/v1/auth/api-tokens", get(tokens::list_api_tokens))
        .route(
            "/v1/auth/api-tokens/{tokenName}",
            post(tokens::create_api_token).delete(tokens::revoke_api_token),
        )
        .route("/v1/auth/validate", get(tokens::validate_api_token))
        .route("/v1/user", get(tokens::get_current_user))
        .route(
            &format!("{org}/api-tokens"),
            get(tokens::list_organization_api_tokens),
        )
        .route(
            &format!("{org}/api-tokens/{{tokenId}}"),
            delete(tokens::revoke_organization_api_token),
        )
        .route(
            &format!("{database}/auth/tokens"),
            post(tokens::create_database_token),
        )
        .route(
            &format!("{database}/auth/rotate"),
            post(tokens::invalidate_database_tokens),
        )
        .route(
            &format!("{group}/auth/tokens"),
            post(tokens::create_group_token),
        )
        .route(
            &format!("{group}/auth/rotate"),
            post(tokens::invalidate_group_tokens),
        )
        .route("/v1/locations", get(locations::list_locations))
        .route(
            &format!("{org}/databases"),
            get(databases::list_databases).post(databases::create_database),
        )
        .route(
            database,
            get(databases::get_database).delete(databases::delete_database),
        )
        .route(
            &format!("{database}/configuration"),
            get(databases::get_database_configuration)
                .patch(databases::update_database_configuration),
        )
        .route(
            &format!("{database}/instances"),
            get(databases::list_database_instances),
        )
        .route(
            &format!("{database}/instances/{{instanceName}}"),
            get(databases::get_database_instance),
        )
        .route(
            &format!("{database}/usage"),
            get(databases::get_database_usage),
        )
        .route(
            &format!("{database}/stats"),
            get(databases::get_database_stats),
        )
        .route(
            &format!("{org}/groups"),
            get(groups::list_groups).post(groups::create_group),
        )
        .route(group, get(groups::get_group).delete(groups::delete_group))
        .route(
            &format!("{group}/configuration"),
            get(groups::get_group_configuration).patch(groups::update_group_configuration),
        )
        .route(&format!("{group}/transfer"), post(groups::transfer_group))
        .route(&format!("{group}/unarchive"), post(groups::unarchive_group))
        .route(
            &format!("{group}/locations/{{location}}"),
            post(groups::add_location_to_group).delete(groups::remove_location_from_group),
        )
        .route(
            &format!("{group}/update"),
            post(groups::update_group_databases),
        )
        .route("/v1/organizations", get(organizations::list_organizations))
        .route(
            org,
            get(organizations::get_organization).patch(organizations::update_organization),
        )
        .route(
            &format!("{org}/plans"),
            get(organizations::list_organization_plans),
        )
        .route(
            &format!("{org}/invoices"),
            get(organizations::list_organization_invoices),
        )
        .route(
            &format!("{org}/subscription"),
            get(organizations::get_organization_subscription),
        )
        .route(
            &format!("{org}/usage"),
            get(organizations::get_organization_usage),
        )
        .route(
            &format!("{org}/members"),
            get(members::list_organization_members).post(members::add_organization_member),
        )
        .route(
            &format!("{org}/members/{{username}}"),
            get(members::get_organization_member)
                .patch(members::update_member_role)
                .delete(members::remove_organization_member),
        )
        .route(
            "/v2/organizations/{organizationSlug}/invites",
            get(members::list_organization_invites).post(members::invite_organization_member),
        )
        .route(
            "/v2/organizations/{organizationSlug}/invites/{email}",
            delete(members::delete_organization_invite),
        )
        .route(
            &format!("{org}/audit-logs"),
            get(audit_logs::list_organization_audit_logs),
        )
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            faults::middleware,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(app)
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("method {method} is not allowed on {}", uri.path()))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("not found: no operation at {}", uri.path()))
}
