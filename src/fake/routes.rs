//! The HTTP face of the fake: one handler per operation of `openapi.yaml`, plus the
//! answers for unknown paths (404) and wrong methods (405), all with the `Error` body.
//!
//! The extractors do the checks every operation shares, in the order the API answers
//! them: [`Authenticated`] the bearer token (401), [`Names`] the path (404 for a segment
//! that does not decode), [`OptionalJson`] and the query the request (400). Each handler
//! then asks the state through [`App::act`], which holds the state's lock only for that
//! synchronous call, and answers with the generated types or an [`ApiError`].

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Router, middleware};

use super::App;
use super::answer::{self, ApiError};
use super::auth::{Authenticated, Restriction};
use super::request::{ApiTokenBody, Names, OptionalJson, TokenBody, TokenRequest};
use super::{clock, faults};
use crate::generated::types;
use crate::secrecy::SecretString;

type Shared = State<Arc<App>>;

/// The router of every operation, with the fake's state.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/auth/api-tokens", get(list_api_tokens))
        .route(
            "/v1/auth/api-tokens/{tokenName}",
            post(create_api_token).delete(revoke_api_token),
        )
        .route("/v1/auth/validate", get(validate_api_token))
        .route("/v1/user", get(get_current_user))
        .route(
            "/v1/organizations/{organizationSlug}/api-tokens",
            get(list_organization_api_tokens),
        )
        .route(
            "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}",
            delete(revoke_organization_api_token),
        )
        .route(
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/tokens",
            post(create_database_token),
        )
        .route(
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate",
            post(invalidate_database_tokens),
        )
        .route(
            "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/tokens",
            post(create_group_token),
        )
        .route(
            "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/rotate",
            post(invalidate_group_tokens),
        )
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            faults::middleware,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(app)
}

async fn list_api_tokens(State(app): Shared, caller: Authenticated) -> Result<Response, ApiError> {
    let list = app.act(&caller, |state, caller| state.list_api_tokens(caller))?;
    Ok(answer::json(&list))
}

async fn create_api_token(
    State(app): Shared,
    caller: Authenticated,
    Names(name): Names<String>,
    OptionalJson(body): OptionalJson<ApiTokenBody>,
) -> Result<Response, ApiError> {
    let restriction = match body {
        Some(body) => body.requested()?,
        None => Restriction::Unrestricted,
    };
    let minted = app.act(&caller, |state, caller| {
        state.create_api_token(caller, &name, restriction)
    })?;
    let token = SecretString::from(app.sign(&minted.claims));
    Ok(answer::json(&types::CreatedApiToken {
        id: minted.id,
        name: minted.name,
        token: token.into(),
    }))
}

async fn revoke_api_token(
    State(app): Shared,
    caller: Authenticated,
    Names(name): Names<String>,
) -> Result<Response, ApiError> {
    let revoked = app.act(&caller, |state, caller| {
        state.revoke_api_token(caller, &name)
    })?;
    Ok(answer::json(&revoked))
}

async fn validate_api_token(_: Authenticated) -> Response {
    // Platform API tokens never expire.
    answer::json(&types::TokenValidation { exp: -1 })
}

async fn get_current_user(_: Authenticated) -> Response {
    answer::json(&types::CurrentUser {
        user: super::seeded_user(),
    })
}

async fn list_organization_api_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let list = app.act(&caller, |state, caller| {
        state.list_organization_api_tokens(caller, &slug)
    })?;
    Ok(answer::json(&list))
}

async fn revoke_organization_api_token(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, id)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let revoked = app.act(&caller, |state, caller| {
        state.revoke_organization_api_token(caller, &slug, &id)
    })?;
    Ok(answer::json(&revoked))
}

async fn create_database_token(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, database)): Names<(String, String)>,
    RawQuery(query): RawQuery,
    OptionalJson(body): OptionalJson<TokenBody>,
) -> Result<Response, ApiError> {
    let request = TokenRequest::read(query.as_deref(), body)?;
    let now = clock::since_epoch();
    let claims = app.act(&caller, |state, caller| {
        state.create_database_token(caller, &slug, &database, &request, now)
    })?;
    Ok(connection_token(&app, &claims))
}

async fn create_group_token(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, group)): Names<(String, String)>,
    RawQuery(query): RawQuery,
    OptionalJson(body): OptionalJson<TokenBody>,
) -> Result<Response, ApiError> {
    let request = TokenRequest::read(query.as_deref(), body)?;
    let now = clock::since_epoch();
    let claims = app.act(&caller, |state, caller| {
        state.create_group_token(caller, &slug, &group, &request, now)
    })?;
    Ok(connection_token(&app, &claims))
}

/// The answer to a database or group token mint: the claims, signed.
fn connection_token(app: &App, claims: &super::claims::ConnectionClaims) -> Response {
    let jwt = SecretString::from(app.sign(claims));
    answer::json(&types::DatabaseToken { jwt: jwt.into() })
}

async fn invalidate_database_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, database)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.invalidate_database_tokens(caller, &slug, &database)
    })?;
    Ok(answer::empty())
}

async fn invalidate_group_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, group)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.invalidate_group_tokens(caller, &slug, &group)
    })?;
    Ok(answer::empty())
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("method {method} is not allowed on {}", uri.path()))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("not found: no operation at {}", uri.path()))
}
