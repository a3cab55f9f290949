//! The HTTP face of the fake: one handler per operation of `openapi.yaml`, plus the
//! answers for unknown paths (404) and wrong methods (405), all with the `Error` body.
//!
//! Each handler checks the bearer token first (401), then the path and the request
//! (404 for an undecodable path segment, 400 for a bad query or body), then asks the
//! state, holding its lock only for that synchronous call.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post};

use super::App;
use super::answer::{self, ApiError};
use super::auth::Restriction;
use super::claims::ApiTokenClaims;
use super::clock;
use super::request::{self, ApiTokenBody, TokenBody, TokenRequest};
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
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(app)
}

/// The path parameters; a segment that does not decode (invalid UTF-8) names nothing.
fn path<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(value)| value)
        .map_err(|_| ApiError::not_found("not found: a path segment is not valid UTF-8"))
}

/// The verified claims of the bearer token, after checking that it was not revoked.
/// Each operation looks its caller up again under the lock it works with.
fn authenticate(app: &App, headers: &HeaderMap) -> Result<ApiTokenClaims, ApiError> {
    let claims = app.bearer_claims(headers)?;
    app.state().caller(&claims)?;
    Ok(claims)
}

async fn list_api_tokens(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    let claims = authenticate(&app, &headers)?;
    let list = {
        let state = app.state();
        state.caller(&claims)?;
        state.list_api_tokens()
    };
    Ok(answer::json(&list))
}

async fn create_api_token(
    State(app): Shared,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let claims = authenticate(&app, &headers)?;
    let name = path(name)?;
    let restriction = match request::optional_json::<ApiTokenBody>(body).await? {
        Some(body) => body.requested()?,
        None => Restriction::Unrestricted,
    };
    let minted = {
        let mut state = app.state();
        let caller = state.caller(&claims)?;
        state.create_api_token(&caller, &name, restriction)?
    };
    let token = SecretString::from(app.sign(&minted.claims));
    Ok(answer::json(&types::CreatedApiToken {
        id: minted.id,
        name: minted.name,
        token: token.into(),
    }))
}

async fn revoke_api_token(
    State(app): Shared,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let claims = authenticate(&app, &headers)?;
    let name = path(name)?;
    let revoked = {
        let mut state = app.state();
        state.caller(&claims)?;
        state.revoke_api_token(&name)?
    };
    Ok(answer::json(&revoked))
}

async fn validate_api_token(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authenticate(&app, &headers)?;
    // Platform API tokens never expire.
    Ok(answer::json(&types::TokenValidation { exp: -1 }))
}

async fn get_current_user(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authenticate(&app, &headers)?;
    Ok(answer::json(&types::CurrentUser {
        user: super::seeded_user(),
    }))
}

async fn list_organization_api_tokens(
    State(app): Shared,
    slug: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let claims = authenticate(&app, &headers)?;
    let slug = path(slug)?;
    let list = {
        let state = app.state();
        let caller = state.caller(&claims)?;
        state.list_organization_api_tokens(&caller, &slug)?
    };
    Ok(answer::json(&list))
}

async fn revoke_organization_api_token(
    State(app): Shared,
    params: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let claims = authenticate(&app, &headers)?;
    let (slug, id) = path(params)?;
    let revoked = {
        let mut state = app.state();
        let caller = state.caller(&claims)?;
        state.revoke_organization_api_token(&caller, &slug, &id)?
    };
    Ok(answer::json(&revoked))
}

/// Which tokens: a database's or a group's.
#[derive(Clone, Copy)]
enum Target {
    Database,
    Group,
}

async fn create_database_token(
    State(app): Shared,
    params: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    mint_connection_token(&app, Target::Database, params, query, &headers, body).await
}

async fn create_group_token(
    State(app): Shared,
    params: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    mint_connection_token(&app, Target::Group, params, query, &headers, body).await
}

async fn mint_connection_token(
    app: &App,
    target: Target,
    params: Result<Path<(String, String)>, PathRejection>,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let claims = authenticate(app, headers)?;
    let (slug, name) = path(params)?;
    let body = request::optional_json::<TokenBody>(body).await?;
    let request = TokenRequest::read(query.as_deref(), body)?;
    let now = clock::since_epoch();
    let token_claims = {
        let mut state = app.state();
        let caller = state.caller(&claims)?;
        match target {
            Target::Database => {
                state.create_database_token(&caller, &slug, &name, &request, now)?
            }
            Target::Group => state.create_group_token(&caller, &slug, &name, &request, now)?,
        }
    };
    let jwt = SecretString::from(app.sign(&token_claims));
    Ok(answer::json(&types::DatabaseToken { jwt: jwt.into() }))
}

async fn invalidate_database_tokens(
    State(app): Shared,
    params: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    invalidate(&app, Target::Database, params, &headers)
}

async fn invalidate_group_tokens(
    State(app): Shared,
    params: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    invalidate(&app, Target::Group, params, &headers)
}

fn invalidate(
    app: &App,
    target: Target,
    params: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let claims = authenticate(app, headers)?;
    let (slug, name) = path(params)?;
    let mut state = app.state();
    let caller = state.caller(&claims)?;
    match target {
        Target::Database => state.invalidate_database_tokens(&caller, &slug, &name)?,
        Target::Group => state.invalidate_group_tokens(&caller, &slug, &name)?,
    }
    Ok(answer::empty())
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("method {method} is not allowed on {}", uri.path()))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("not found: no operation at {}", uri.path()))
}
