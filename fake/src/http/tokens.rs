//! The HTTP side of the token operations.

use super::{Extra, Operation, Shared};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::on;

use secrecy::SecretString;
use serde::Deserialize;
use turso_platform::generated::types;
use turso_platform::{Authorization, Expiration, Scope};

use super::extract::{Authenticated, Names, OptionalJson, bad_value, object, query_values};
use crate::app::App;
use crate::caller::Restriction;
use crate::claims::ConnectionClaims;
use crate::clock;
use crate::http::answer::{self, ApiError};

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[
    ("listAPITokens", |m| on(m, list_api_tokens)),
    ("createAPIToken", |m| on(m, create_api_token)),
    ("revokeAPIToken", |m| on(m, revoke_api_token)),
    ("validateAPIToken", |m| on(m, validate_api_token)),
    ("getCurrentUser", |m| on(m, get_current_user)),
    ("listOrganizationAPITokens", |m| {
        on(m, list_organization_api_tokens)
    }),
    ("revokeOrganizationAPIToken", |m| {
        on(m, revoke_organization_api_token)
    }),
    ("createDatabaseToken", |m| on(m, create_database_token)),
    ("invalidateDatabaseTokens", |m| {
        on(m, invalidate_database_tokens)
    }),
    ("createGroupToken", |m| on(m, create_group_token)),
    ("invalidateGroupTokens", |m| on(m, invalidate_group_tokens)),
];

/// The routes beyond the spec this module serves: the forms Turso's CLI calls.
pub(super) const EXTRA: &[Extra] = &[
    (
        "createAPIToken",
        "POST",
        "/v2/auth/api-tokens/{tokenName}",
        |m| on(m, create_api_token_v2),
    ),
    ("getCurrentUser", "GET", "/v1/current-user", |m| {
        on(m, get_current_user)
    }),
    ("invalidateSessions", "POST", "/v1/auth/invalidate", |m| {
        on(m, invalidate_sessions)
    }),
    (
        "createDatabaseToken",
        "POST",
        "/v3/organizations/{organizationId}/databases/{databaseId}/auth/tokens",
        |m| on(m, create_database_token_v3),
    ),
    (
        "createGroupToken",
        "POST",
        "/v3/organizations/{organizationId}/groups/{groupId}/auth/tokens",
        |m| on(m, create_group_token_v3),
    ),
];

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
    let (id, name, token) = mint_api_token(&app, &caller, &name, body)?;
    Ok(answer::json(
        &types::CreatedApiToken::default()
            .with_id(id)
            .with_name(name)
            .with_token(token),
    ))
}

/// `POST /v2/auth/api-tokens/{name}`, as Turso's CLI mints: the same token, answered as
/// `{"token": {"name", "id", "value"}}`.
async fn create_api_token_v2(
    State(app): Shared,
    caller: Authenticated,
    Names(name): Names<String>,
    OptionalJson(body): OptionalJson<ApiTokenBody>,
) -> Result<Response, ApiError> {
    let (id, name, token) = mint_api_token(&app, &caller, &name, body)?;
    let value = types::CreatedApiToken::default().with_token(token).token;
    Ok(answer::json(&serde_json::json!({
        "token": { "name": name, "id": id, "value": value }
    })))
}

/// Mints the API token `name` with what `body` restricts it to: its ID, name and secret.
fn mint_api_token(
    app: &App,
    caller: &Authenticated,
    name: &str,
    body: Option<ApiTokenBody>,
) -> Result<(String, String, SecretString), ApiError> {
    let restriction = match body {
        Some(body) => body.requested()?,
        None => Restriction::Unrestricted,
    };
    let minted = app.act(caller, |state, caller| {
        state.create_api_token(caller, name, restriction)
    })?;
    let token = SecretString::from(app.sign(&minted.claims));
    Ok((minted.id, minted.name, token))
}

/// `POST /v1/auth/invalidate` (Turso's CLI's `auth logout --all`): every session of the
/// user started before now is invalid. The fake's tokens are all platform API tokens,
/// which this does not touch (Turso revokes those one by one): it answers the time.
async fn invalidate_sessions(_: Authenticated) -> Response {
    answer::json(&serde_json::json!({ "validFrom": clock::now_secs() }))
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
    answer::json(&types::TokenValidation::default().with_exp(-1))
}

pub(super) async fn get_current_user(
    State(app): Shared,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let user = app.act(&caller, |state, caller| state.current_user(caller))?;
    Ok(answer::json(&types::CurrentUser::default().with_user(user)))
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

/// `POST /v3/organizations/{organizationId}/databases/{databaseId}/auth/tokens` (Turso's
/// CLI with `--v3-api`): `createDatabaseToken`, by IDs.
async fn create_database_token_v3(
    State(app): Shared,
    caller: Authenticated,
    Names((org, database)): Names<(String, String)>,
    RawQuery(query): RawQuery,
    OptionalJson(body): OptionalJson<TokenBody>,
) -> Result<Response, ApiError> {
    let request = TokenRequest::read(query.as_deref(), body)?;
    let now = clock::since_epoch();
    let claims = app.act(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        let database = state.database_named_by(caller, &slug, &database)?;
        state.create_database_token(caller, &slug, &database, &request, now)
    })?;
    Ok(connection_token(&app, &claims))
}

/// `POST /v3/organizations/{organizationId}/groups/{groupId}/auth/tokens`:
/// `createGroupToken`, by IDs.
async fn create_group_token_v3(
    State(app): Shared,
    caller: Authenticated,
    Names((org, group)): Names<(String, String)>,
    RawQuery(query): RawQuery,
    OptionalJson(body): OptionalJson<TokenBody>,
) -> Result<Response, ApiError> {
    let request = TokenRequest::read(query.as_deref(), body)?;
    let now = clock::since_epoch();
    let claims = app.act(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        let group = state.group_named_by(caller, &slug, &group)?;
        state.create_group_token(caller, &slug, &group, &request, now)
    })?;
    Ok(connection_token(&app, &claims))
}

/// The answer to a database or group token mint: the claims, signed.
fn connection_token(app: &App, claims: &ConnectionClaims) -> Response {
    let jwt = SecretString::from(app.sign(claims));
    answer::json(&types::DatabaseToken::default().with_jwt(jwt))
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

/// The body of `createAPIToken` (`CreateApiTokenInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApiTokenBody {
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<Scope>>,
}

impl ApiTokenBody {
    /// The restriction the body asks for, following Turso's rules: nothing, an
    /// organization alone, or an organization, a group and non-empty scopes.
    pub(crate) fn requested(self) -> Result<Restriction, ApiError> {
        let scopes = self.scopes.unwrap_or_default();
        match (self.organization, self.group) {
            (None, None) if scopes.is_empty() => Ok(Restriction::Unrestricted),
            (None, None) => Err(ApiError::bad_request(
                "scopes need a group: send organization, group and scopes together",
            )),
            (None, Some(_)) => Err(ApiError::bad_request(
                "a group needs its organization: send organization, group and scopes together",
            )),
            (Some(organization), None) if scopes.is_empty() => {
                Ok(Restriction::Organization(organization))
            }
            (Some(_), None) => Err(ApiError::bad_request(
                "scopes need a group: send organization, group and scopes together",
            )),
            (Some(_), Some(_)) if scopes.is_empty() => Err(ApiError::bad_request(
                "a group-scoped token needs at least one scope",
            )),
            (Some(organization), Some(group)) => Ok(Restriction::Group {
                organization,
                group,
                scopes: expand(&scopes),
            }),
        }
    }
}

/// The individual scopes that `scopes` stand for, each once, in the documented order:
/// `read-only` is `read`, `full-access` is every individual scope.
pub(crate) fn expand(scopes: &[Scope]) -> Vec<Scope> {
    let individual = |scope: &Scope| !matches!(scope, Scope::ReadOnly | Scope::FullAccess);
    Scope::ALL
        .iter()
        .copied()
        .filter(individual)
        .filter(|scope| {
            scopes.contains(scope)
                || scopes.contains(&Scope::FullAccess)
                || (*scope == Scope::Read && scopes.contains(&Scope::ReadOnly))
        })
        .collect()
}

/// The body of `createDatabaseToken` and `createGroupToken` (`CreateTokenInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenBody {
    #[serde(default, deserialize_with = "object")]
    permissions: Option<PermissionsBody>,
    /// What the token may do table by table (Turso's CLI's `-p <table|all>:<actions>`).
    #[serde(default)]
    fine_grained_permissions: Option<Vec<TablePermission>>,
}

/// The actions a token may take on some tables (`None`: every table).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
pub(crate) struct TablePermission {
    #[serde(default)]
    pub(crate) t: Option<Vec<String>>,
    pub(crate) a: Vec<String>,
}

/// The actions Turso's docs list for table permissions.
const TABLE_ACTIONS: &[&str] = &[
    "data_read",
    "data_add",
    "data_update",
    "data_delete",
    "schema_add",
    "schema_update",
    "schema_delete",
];

#[derive(Debug, Deserialize)]
struct PermissionsBody {
    #[serde(default, deserialize_with = "object")]
    read_attach: Option<ReadAttachBody>,
}

#[derive(Debug, Deserialize)]
struct ReadAttachBody {
    databases: Vec<String>,
}

/// Everything a database or group token is minted with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenRequest {
    /// How long it lives.
    pub(crate) expiration: Expiration,
    /// What it grants.
    pub(crate) authorization: Authorization,
    /// The databases it may also `ATTACH` and read, by name; empty for none.
    pub(crate) read_attach: Vec<String>,
    /// What it may do table by table; empty for what its authorization allows.
    pub(crate) tables: Vec<TablePermission>,
}

impl TokenRequest {
    /// Reads the query string and the (optional) body of a token mint.
    pub(crate) fn read(query: Option<&str>, body: Option<TokenBody>) -> Result<Self, ApiError> {
        let mut request = TokenRequest::default();
        let mut values = query_values(query, &["expiration", "authorization"])?;
        // Turso's CLI always sends `expiration`, empty when it was not given.
        if let Some(text) = values.remove("expiration").filter(|text| !text.is_empty()) {
            let parsed = text.parse::<Expiration>().map_err(bad_value)?;
            parsed.validate().map_err(bad_value)?;
            request.expiration = parsed;
        }
        if let Some(text) = values.remove("authorization") {
            request.authorization = text.parse().map_err(bad_value)?;
        }
        let (permissions, tables) = body
            .map(|body| (body.permissions, body.fine_grained_permissions))
            .unwrap_or_default();
        for table in tables.iter().flatten() {
            if table.a.is_empty() {
                return Err(ApiError::bad_request(
                    "a fine-grained permission needs at least one action",
                ));
            }
            if let Some(action) = table
                .a
                .iter()
                .find(|a| !TABLE_ACTIONS.contains(&a.as_str()))
            {
                return Err(ApiError::bad_request(format!(
                    "unknown action {}: give {}",
                    crate::quoted::Quoted(action),
                    TABLE_ACTIONS.join(", ")
                )));
            }
        }
        request.tables = tables.unwrap_or_default();
        if let Some(permissions) = permissions {
            let read_attach = permissions.read_attach.ok_or_else(|| {
                ApiError::bad_request(
                    "permissions is empty: give read_attach, or send no permissions",
                )
            })?;
            if read_attach.databases.is_empty() {
                return Err(ApiError::bad_request(
                    "read_attach.databases is empty: name at least one database, or send no \
                     permissions",
                ));
            }
            request.read_attach = read_attach.databases;
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::body::Body;
    use serde::de::DeserializeOwned;

    use super::super::extract::optional_json;
    use super::*;

    /// Reads a body as the server does.
    fn read<T: DeserializeOwned>(json: &str) -> Result<Option<T>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime
            .block_on(optional_json::<T>(
                Body::from(json.to_owned()),
                Duration::from_secs(5),
            ))
            .map_err(|e| e.message().to_owned())
    }

    fn api_body(json: &str) -> Result<Restriction, String> {
        read::<ApiTokenBody>(json)?
            .unwrap_or_default()
            .requested()
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn api_token_bodies_follow_turso_rules() {
        assert_eq!(api_body(""), Ok(Restriction::Unrestricted));
        assert_eq!(api_body(" \n"), Ok(Restriction::Unrestricted));
        assert_eq!(api_body("{}"), Ok(Restriction::Unrestricted));
        assert_eq!(api_body(r#"{"scopes":[]}"#), Ok(Restriction::Unrestricted));
        assert_eq!(
            api_body(r#"{"organization":"o"}"#),
            Ok(Restriction::Organization("o".into()))
        );
        assert_eq!(
            api_body(r#"{"organization":"o","group":"g","scopes":["read-only","db:create"]}"#),
            Ok(Restriction::Group {
                organization: "o".into(),
                group: "g".into(),
                scopes: vec![Scope::Read, Scope::DbCreate],
            })
        );
        for refused in [
            r#"{"group":"g"}"#,
            r#"{"scopes":["read"]}"#,
            r#"{"organization":"o","scopes":["read"]}"#,
            r#"{"organization":"o","group":"g"}"#,
            r#"{"organization":"o","group":"g","scopes":[]}"#,
            r#"{"organization":"o","group":"g","scopes":["admin"]}"#,
            r#"{"organization":1}"#,
            "[]",
            "null",
            "{",
        ] {
            assert!(api_body(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn full_access_expands_to_every_individual_scope() {
        let all = expand(&[Scope::FullAccess, Scope::Read]);
        assert_eq!(all.len(), 9);
        assert!(!all.contains(&Scope::FullAccess) && !all.contains(&Scope::ReadOnly));
        assert_eq!(
            expand(&[Scope::DbMintToken, Scope::DbMintToken]),
            [Scope::DbMintToken]
        );
    }

    fn token(query: &str, body: &str) -> Result<TokenRequest, String> {
        let body = read::<TokenBody>(body)?;
        TokenRequest::read(Some(query), body).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn token_mints_read_the_query_and_the_body() {
        assert_eq!(token("", "{}"), Ok(TokenRequest::default()));
        assert_eq!(
            token(
                "expiration=1h30m&authorization=read-only&other=x",
                r#"{"permissions":{"read_attach":{"databases":["a"]}}}"#
            ),
            Ok(TokenRequest {
                expiration: Expiration::After(Duration::from_secs(5400)),
                authorization: Authorization::ReadOnly,
                read_attach: vec!["a".into()],
                tables: Vec::new(),
            })
        );
        assert_eq!(
            token("expiration=1%C2%B5s", "{}").map(|t| t.expiration),
            Ok(Expiration::After(Duration::from_micros(1)))
        );
    }

    #[test]
    fn bad_token_mints_say_why() {
        let zero = token("expiration=0s", "{}").unwrap_err();
        assert!(zero.contains("must be positive"), "{zero}");
        let unit = token("expiration=1y", "{}").unwrap_err();
        assert!(unit.contains(r#"unknown unit "y""#), "{unit}");
        let access = token("authorization=admin", "{}").unwrap_err();
        assert!(access.contains("full-access"), "{access}");
        assert!(token("expiration=1h&expiration=2h", "{}").is_err());
        for body in [
            r#"{"permissions":{}}"#,
            r#"{"permissions":{"read_attach":{"databases":[]}}}"#,
            r#"{"permissions":{"read_attach":{}}}"#,
            r#"{"permissions":[]}"#,
            r#"{"permissions":{"read_attach":[["a"]]}}"#,
            r#"{"permissions":{"read_attach":{"databases":"a"}}}"#,
            r#"{"permissions":{"read_attach":{"databases":[1]}}}"#,
        ] {
            assert!(token("", body).is_err(), "{body}");
        }
    }
}
