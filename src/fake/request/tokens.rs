//! The bodies and query of the token operations: the optional JSON bodies of the mints,
//! and the `expiration` and `authorization` query values.

use serde::Deserialize;

use super::{bad_value, present, present_object, query_values};
use crate::fake::answer::ApiError;
use crate::fake::auth::Restriction;
use crate::{Authorization, Expiration, Scope};

/// The body of `createAPIToken` (`CreateApiTokenInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApiTokenBody {
    #[serde(default, deserialize_with = "present")]
    organization: Option<String>,
    #[serde(default, deserialize_with = "present")]
    group: Option<String>,
    #[serde(default, deserialize_with = "present")]
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
    #[serde(default, deserialize_with = "present_object")]
    permissions: Option<PermissionsBody>,
}

#[derive(Debug, Deserialize)]
struct PermissionsBody {
    #[serde(default, deserialize_with = "present_object")]
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
}

impl TokenRequest {
    /// Reads the query string and the (optional) body of a token mint.
    pub(crate) fn read(query: Option<&str>, body: Option<TokenBody>) -> Result<Self, ApiError> {
        let mut request = TokenRequest::default();
        let mut values = query_values(query, &["expiration", "authorization"])?;
        if let Some(text) = values.remove("expiration") {
            let parsed = text.parse::<Expiration>().map_err(bad_value)?;
            parsed.validate().map_err(bad_value)?;
            request.expiration = parsed;
        }
        if let Some(text) = values.remove("authorization") {
            request.authorization = text.parse().map_err(bad_value)?;
        }
        if let Some(permissions) = body.and_then(|b| b.permissions) {
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

    use super::super::optional_json;
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
            r#"{"organization":null}"#,
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
            r#"{"permissions":null}"#,
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
