//! The handlers of the token operations.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::Shared;
use crate::fake::App;
use crate::fake::answer::{self, ApiError};
use crate::fake::auth::{Authenticated, Restriction};
use crate::fake::claims::ConnectionClaims;
use crate::fake::clock;
use crate::fake::request::{ApiTokenBody, Names, OptionalJson, TokenBody, TokenRequest};
use crate::generated::types;
use crate::secrecy::SecretString;

pub(super) async fn list_api_tokens(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| state.list_api_tokens(caller))
}

pub(super) async fn create_api_token(
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

pub(super) async fn revoke_api_token(
    State(app): Shared,
    caller: Authenticated,
    Names(name): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.revoke_api_token(caller, &name)
    })
}

pub(super) async fn validate_api_token(_: Authenticated) -> Response {
    // Platform API tokens never expire.
    answer::json(&types::TokenValidation { exp: -1 })
}

pub(super) async fn get_current_user(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let user = app.act(&caller, |state, caller| state.current_user(caller))?;
    Ok(answer::json(&types::CurrentUser { user }))
}

pub(super) async fn list_organization_api_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_api_tokens(caller, &slug)
    })
}

pub(super) async fn revoke_organization_api_token(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, id)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.revoke_organization_api_token(caller, &slug, &id)
    })
}

pub(super) async fn create_database_token(
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

pub(super) async fn create_group_token(
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
fn connection_token(app: &App, claims: &ConnectionClaims) -> Response {
    let jwt = SecretString::from(app.sign(claims));
    answer::json(&types::DatabaseToken { jwt: jwt.into() })
}

pub(super) async fn invalidate_database_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, database)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.invalidate_database_tokens(caller, &slug, &database)
    })?;
    Ok(answer::empty())
}

pub(super) async fn invalidate_group_tokens(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, group)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.invalidate_group_tokens(caller, &slug, &group)
    })?;
    Ok(answer::empty())
}
