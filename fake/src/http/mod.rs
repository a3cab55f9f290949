//! The HTTP face of the fake: one module per resource ([`tokens`], [`databases`],
//! [`groups`], [`locations`], [`organizations`], [`members`], [`audit_logs`]), each with
//! its handlers, the bodies and queries they read, and the table of the operations it
//! serves; the router is built from the spec's operation table
//! (`turso_platform::spec::operations`), so that a path of the spec is written once, in
//! the spec. Routes the API serves beyond the spec (those Turso's CLI calls) are each
//! module's `EXTRA` table. Unknown paths answer 404 and wrong methods 405, with the
//! `Error` body.
//!
//! The extractors ([`extract`]) do the checks every operation shares, in the order the
//! API answers them: `Authenticated` the bearer token (401), `Names` the path (404 for
//! a segment that does not decode), `Json`, `OptionalJson` and the query the request
//! (400). Each handler then asks the state through [`App::act`], which holds the state's
//! lock only for that synchronous call, and answers with the generated types or an
//! [`ApiError`]. Before all of them, the middleware of [`crate::faults`] counts the
//! request under its operation's name and answers with a planned failure, if any.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Router, middleware};

use self::answer::ApiError;
use crate::app::App;
use crate::faults;
use crate::routes::RouteKind;

mod admin;
pub(crate) mod answer;
mod audit_logs;
mod databases;
pub(crate) mod extract;
mod groups;
mod locations;
mod members;
mod multipart;
mod organizations;
mod saving;
mod tokens;

pub(crate) use audit_logs::AuditLogQuery;
pub(crate) use databases::{
    ConfigurationBody, DatabaseQuery, NewDatabaseBody, UsageQuery, check_name, seed_time,
};
pub(crate) use groups::{GroupConfigurationBody, NewGroupBody};
pub(crate) use members::{AddMemberBody, InviteBody, Invitee};
pub(crate) use organizations::UpdateOrganizationBody;
pub(crate) use tokens::{TablePermission, TokenRequest};

/// The fake's state, as handlers extract it.
type Shared = State<Arc<App>>;

/// The route of one operation, for the method its table gives.
type Endpoint = fn(MethodFilter) -> MethodRouter<Arc<App>>;

/// An operation of the spec, by operationId, and its route.
type Operation = (&'static str, Endpoint);

/// A route beyond the spec: the name it is counted and failed as (a spec operation's,
/// for another form of it), its method and path, and its route.
type Extra = (&'static str, &'static str, &'static str, Endpoint);

/// Every module's operations of the spec.
fn spec_endpoints() -> HashMap<&'static str, Endpoint> {
    [
        tokens::OPERATIONS,
        databases::OPERATIONS,
        groups::OPERATIONS,
        locations::OPERATIONS,
        organizations::OPERATIONS,
        members::OPERATIONS,
        audit_logs::OPERATIONS,
    ]
    .concat()
    .into_iter()
    .collect()
}

/// Every module's routes beyond the spec.
fn extras() -> Vec<Extra> {
    [
        tokens::EXTRA,
        databases::EXTRA,
        groups::EXTRA,
        locations::EXTRA,
        organizations::EXTRA,
        members::EXTRA,
    ]
    .concat()
}

/// Routes of Turso's API that the fake does not emulate (billing with Stripe, JWKS, the
/// AWS migration): they answer 501 with the API's error body, naming the route, rather
/// than a 404 that would read as a mistake of the caller's.
const NOT_EMULATED: &[(&str, &str)] = &[
    (
        "POST",
        "/v1/organizations/{organizationSlug}/billing/portal",
    ),
    (
        "GET",
        "/v1/organizations/{organizationSlug}/billing/payment-methods",
    ),
    (
        "GET",
        "/v1/organizations/{organizationSlug}/billing/customer",
    ),
    (
        "PUT",
        "/v1/organizations/{organizationSlug}/billing/customer",
    ),
    ("POST", "/v1/organizations/stripe-customer"),
    ("GET", "/v2/organizations/{organizationSlug}/jwks"),
    ("GET", "/v2/organizations/{organizationSlug}/jwks-template"),
    ("PUT", "/v2/organizations/{organizationSlug}/jwks/{name}"),
    ("DELETE", "/v2/organizations/{organizationSlug}/jwks/{name}"),
    (
        "GET",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/aws/migration/info",
    ),
    (
        "POST",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/aws/migration/start",
    ),
    (
        "POST",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/aws/migration/abort",
    ),
];

/// The first segments of the paths Turso's CLI sends without an organization when none
/// is selected (`/v1/databases`, ...): they act on the caller's personal organization,
/// whose slug is their username.
const PERSONAL: &[&str] = &[
    "databases",
    "groups",
    "usage",
    "subscription",
    "invoices",
    "plans",
    "billing",
];

/// One route of the table: where it comes from, the operation it is counted as, its
/// method and path, and its handler (`None` for a route answered 501).
type Row = (
    RouteKind,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<Endpoint>,
);

/// Every route the fake serves: the spec's, those beyond it, those not emulated.
pub(crate) fn routes() -> impl Iterator<Item = Row> {
    let endpoints = spec_endpoints();
    let spec = turso_platform::spec::operations().iter().map(move |op| {
        let endpoint = endpoints.get(op.id).copied();
        (RouteKind::Spec, Some(op.id), op.method, op.path, endpoint)
    });
    let extra = extras().into_iter().map(|(id, method, path, endpoint)| {
        (
            RouteKind::BeyondSpec,
            Some(id),
            method,
            path,
            Some(endpoint),
        )
    });
    let not_emulated = NOT_EMULATED
        .iter()
        .map(|&(method, path)| (RouteKind::NotEmulated, None, method, path, None));
    spec.chain(extra).chain(not_emulated)
}

/// The names of every operation the fake serves: the spec's, then those beyond it.
pub(crate) fn operations() -> impl Iterator<Item = &'static str> {
    routes().filter_map(|(_, id, ..)| id)
}

/// The router of every operation, with the fake's state.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for (_, id, method, path, endpoint) in routes() {
        let Some(filter) = filter(method) else {
            continue;
        };
        // An operation of the spec without a handler is a defect the tests catch
        // (`every_operation_of_the_spec_is_served`); until then it answers 501.
        let route = match endpoint {
            Some(endpoint) => endpoint(filter),
            None => axum::routing::on(filter, not_emulated),
        };
        // Inside the faults: a request whose answer is lost is saved first.
        let route = if method == "GET" {
            route
        } else {
            route.route_layer(middleware::from_fn_with_state(
                Arc::clone(&app),
                saving::middleware,
            ))
        };
        let route = match id {
            Some(id) => route.route_layer(middleware::from_fn_with_state(
                (Arc::clone(&app), id),
                faults::middleware,
            )),
            None => route,
        };
        router = router.route(path, route);
    }
    let routed = router
        .merge(admin::router())
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(app);
    // Before routing: the paths Turso's CLI sends without an organization.
    Router::new()
        .fallback_service(routed)
        .layer(middleware::from_fn(personal_organization))
}

/// The method filter of a method's name, in capitals.
fn filter(method: &str) -> Option<MethodFilter> {
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    MethodFilter::try_from(method).ok()
}

/// Puts the caller's personal organization into a path Turso's CLI sends without one
/// (`/v1/databases/x` becomes `/v1/organizations/<username>/databases/x`). The username
/// is read from the bearer token without checking it: the route checks it, and a token
/// that names someone else is refused there.
pub(crate) async fn personal_organization(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let rest = path.strip_prefix("/v1/").unwrap_or_default();
    let first = rest.split('/').next().unwrap_or_default();
    if PERSONAL.contains(&first) {
        let username = extract::unverified_username(request.headers()).unwrap_or_default();
        let mut rewritten = format!(
            "/v1/organizations/{}/{rest}",
            crate::http::extract::path_segment(&username)
        );
        if let Some(query) = request.uri().query() {
            rewritten.push('?');
            rewritten.push_str(query);
        }
        if let Ok(uri) = rewritten.parse() {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("method {method} is not allowed on {}", uri.path()))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("not found: no operation at {}", uri.path()))
}

async fn not_emulated(method: Method, uri: Uri) -> ApiError {
    ApiError::not_implemented(format!(
        "{method} {} is not emulated by the fake Turso",
        uri.path()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_served() {
        let endpoints = spec_endpoints();
        for op in turso_platform::spec::operations() {
            assert!(endpoints.contains_key(op.id), "no handler for {}", op.id);
        }
        let count: usize = [
            tokens::OPERATIONS,
            databases::OPERATIONS,
            groups::OPERATIONS,
            locations::OPERATIONS,
            organizations::OPERATIONS,
            members::OPERATIONS,
            audit_logs::OPERATIONS,
        ]
        .iter()
        .map(|table| table.len())
        .sum();
        assert_eq!(count, endpoints.len(), "an operation is served twice");
        assert_eq!(
            count,
            turso_platform::spec::operations().len(),
            "an operation the spec does not have"
        );
    }
}
