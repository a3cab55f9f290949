//! What the fake reads from a request: its bearer token, the names in its path, its
//! JSON body and its query, with the extractors the handlers use. The bodies and queries
//! of each resource's operations are beside its handlers.
//!
//! Bodies are read as the real API, written in Go, reads them: keys match their fields
//! whatever their case (`{"Name": ...}` is `name`), `null` is "not set", and unknown
//! keys are ignored. Every refusal here is a 400 with the `Error` body (never a 415 or a
//! 422): the real API takes a body with or without a content type, and an absent
//! optional body means "no options".

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::app::App;
use crate::caller::Origin;
use crate::claims::ApiTokenClaims;
use crate::http::answer::ApiError;
use crate::jwt::Signer;

/// The largest body the fake reads.
const BODY_LIMIT: usize = 64 * 1024;

/// The extractor of a request's path parameters, in path order: a segment that does not
/// decode (invalid UTF-8 once percent-decoded) names nothing, and answers 404.
pub(crate) struct Names<T>(pub(crate) T);

impl<T: DeserializeOwned + Send> FromRequestParts<Arc<App>> for Names<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, app)
            .await
            .map(|Path(names)| Names(names))
            .map_err(|_| ApiError::not_found("not found: a path segment is not valid UTF-8"))
    }
}

/// The extractor of an optional JSON body: `T` (a JSON object), or `None` if there is no
/// body (or only whitespace). The content type is not looked at. A body that does not
/// arrive within the fake's idle timeout answers 408.
pub(crate) struct OptionalJson<T>(pub(crate) Option<T>);

impl<T: DeserializeOwned> FromRequest<Arc<App>> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        optional_json(request.into_body(), app.idle_timeout())
            .await
            .map(OptionalJson)
    }
}

/// The extractor of a required JSON body: `T` (a JSON object); no body answers 400.
pub(crate) struct Json<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<Arc<App>> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        optional_json(request.into_body(), app.idle_timeout())
            .await?
            .map(Json)
            .ok_or_else(|| ApiError::bad_request("a JSON body is required"))
    }
}

pub(crate) async fn optional_json<T: DeserializeOwned>(
    body: Body,
    timeout: Duration,
) -> Result<Option<T>, ApiError> {
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, BODY_LIMIT));
    let bytes = read
        .await
        .map_err(|_| {
            ApiError::request_timeout(format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            ))
        })?
        .map_err(|_| {
            ApiError::bad_request(format!(
                "the request body could not be read, or is larger than {} KiB",
                BODY_LIMIT / 1024
            ))
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let invalid =
        |e: serde_json::Error| ApiError::bad_request(format!("invalid request body: {e}"));
    // Read as a value first: serde would take a JSON array for a struct.
    let GoKeys(value) = serde_json::from_slice(&bytes).map_err(invalid)?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object",
        ));
    }
    T::deserialize(value).map(Some).map_err(invalid)
}

/// A JSON value read with the keys of every object in lowercase, as Go's decoder matches
/// them to fields (every field of the API's bodies is lowercase), in the document's
/// order: of two keys that differ only in case, the last wins, as in Go.
struct GoKeys(serde_json::Value);

impl<'de> Deserialize<'de> for GoKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = GoKeys;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<GoKeys, A::Error> {
                let mut object = serde_json::Map::new();
                while let Some((key, GoKeys(value))) = map.next_entry::<String, GoKeys>()? {
                    object.insert(key.to_lowercase(), value);
                }
                Ok(GoKeys(serde_json::Value::Object(object)))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<GoKeys, A::Error> {
                let mut items = Vec::new();
                while let Some(GoKeys(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(GoKeys(serde_json::Value::Array(items)))
            }

            fn visit_bool<E>(self, v: bool) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_i64<E>(self, v: i64) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_u64<E>(self, v: u64) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_f64<E>(self, v: f64) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_str<E>(self, v: &str) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_string<E>(self, v: String) -> Result<GoKeys, E> {
                Ok(GoKeys(v.into()))
            }

            fn visit_unit<E>(self) -> Result<GoKeys, E> {
                Ok(GoKeys(serde_json::Value::Null))
            }
        }

        d.deserialize_any(Visitor)
    }
}

/// Deserializes a field whose schema is an object: `null` is "not set" (with
/// `#[serde(default)]`, absent too), and anything but an object is refused (serde alone
/// would take a JSON array for a struct).
pub(crate) fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let Some(object) = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? else {
        return Ok(None);
    };
    T::deserialize(serde_json::Value::Object(object))
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// Deserializes a list that clears what it sets when it is `null` (with
/// `#[serde(default)]`: `None` when absent, as Go's pointer to a slice is; Turso's CLI
/// sends an explicit `null` allowlist to clear it).
pub(crate) fn list_or_clear<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Some(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default()))
}

/// The values of a query string, by name; a name given twice is refused.
pub(crate) fn query_values<'a>(
    query: Option<&str>,
    names: &[&'a str],
) -> Result<std::collections::BTreeMap<&'a str, String>, ApiError> {
    let mut values = std::collections::BTreeMap::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some(name) = names.iter().find(|name| **name == key) else {
            continue;
        };
        if values.insert(*name, value.into_owned()).is_some() {
            return Err(ApiError::bad_request(format!(
                "the query parameter {key} is given more than once"
            )));
        }
    }
    Ok(values)
}

/// A refusal of a value, with its parser's message.
pub(crate) fn bad_value(error: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(error.to_string())
}

/// The claims of the bearer token, if it is a platform API token the fake signed.
/// Whether its record still exists (it was not revoked) is for the state to say.
pub(crate) fn bearer_claims(
    headers: &HeaderMap,
    signer: &Signer,
) -> Result<ApiTokenClaims, ApiError> {
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "no token: send the header `Authorization: Bearer <platform API token>`",
            )
        })?
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(ApiError::unauthorized(
                "the Authorization header must be `Bearer <platform API token>`",
            ));
        }
    };
    signer
        .verify(token)
        .map_err(|e| ApiError::unauthorized(e.to_string()))
}

/// The username a bearer token names (its `sub`), read without checking its signature:
/// only to route a request, which the route then authenticates.
pub(crate) fn unverified_username(headers: &HeaderMap) -> Option<String> {
    use base64::Engine as _;
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = header.split_once(' ')?.1.trim();
    let payload = token.split('.').nth(1)?;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: ApiTokenClaims = serde_json::from_slice(&claims).ok()?;
    Some(claims.sub)
}

/// `name` percent-encoded as one path segment (every byte but `A-Z a-z 0-9 - . _ ~`).
pub(crate) fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The extractor of a request's caller: the verified claims of a platform API token of
/// this fake that was not revoked, or a 401, and where the request comes from (Turso's
/// CLI or not, by its `User-Agent`). What the token may do is for the state to say,
/// under its lock ([`App::act`]).
#[derive(Debug)]
pub(crate) struct Authenticated {
    pub(crate) claims: ApiTokenClaims,
    pub(crate) origin: Origin,
}

impl FromRequestParts<Arc<App>> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let claims = bearer_claims(&parts.headers, app.signer())?;
        app.state().check_live(&claims)?;
        let cli = parts
            .headers
            .get(USER_AGENT)
            .is_some_and(|agent| agent.as_bytes().starts_with(b"turso-cli/"));
        Ok(Self {
            claims,
            origin: if cli { Origin::Cli } else { Origin::Web },
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, StatusCode};

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_tokens_are_checked_like_the_real_api() {
        let signer = Signer::generate().unwrap();
        let claims = ApiTokenClaims {
            iat: 1,
            jti: "id".into(),
            sub: "fake-user".into(),
        };
        let token = signer.sign(&claims);
        assert_eq!(
            bearer_claims(&headers(&format!("Bearer {token}")), &signer),
            Ok(claims.clone())
        );
        assert_eq!(
            bearer_claims(&headers(&format!("bearer {token}")), &signer),
            Ok(claims)
        );
        let malformed = bearer_claims(&headers("Bearer abc"), &signer).unwrap_err();
        assert_eq!(malformed.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            malformed.message(),
            "token contains an invalid number of segments"
        );
        for refused in [
            HeaderMap::new(),
            headers(&token),
            headers(&format!("Basic {token}")),
        ] {
            let error = bearer_claims(&refused, &signer).unwrap_err();
            assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
        }
    }

    /// Bodies are read as Go reads them: keys in any case, `null` as not set, unknown
    /// keys ignored.
    #[test]
    fn bodies_are_read_as_go_reads_them() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Body {
            name: String,
            #[serde(default)]
            flag: Option<bool>,
            #[serde(default, deserialize_with = "object")]
            nested: Option<Nested>,
            #[serde(default, deserialize_with = "list_or_clear")]
            list: Option<Vec<String>>,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Nested {
            value: u8,
        }
        let read = |json: &str| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            runtime
                .block_on(optional_json::<Body>(
                    axum::body::Body::from(json.to_owned()),
                    Duration::from_secs(5),
                ))
                .map_err(|e| e.message().to_owned())
        };
        assert_eq!(
            read(r#"{"Name":"g","FLAG":null,"Nested":{"Value":1},"unknown":[1]}"#),
            Ok(Some(Body {
                name: "g".into(),
                flag: None,
                nested: Some(Nested { value: 1 }),
                list: None,
            }))
        );
        assert_eq!(
            read(r#"{"name":"a","NAME":"b","list":null}"#)
                .unwrap()
                .unwrap(),
            Body {
                name: "b".into(),
                flag: None,
                nested: None,
                list: Some(Vec::new()),
            },
            "the last of two keys wins; a null list clears"
        );
        assert!(
            read(r#"{"name":"a","nested":[1]}"#).is_err(),
            "an array for an object"
        );
        assert!(read(r#"["a"]"#).is_err());
    }
}
