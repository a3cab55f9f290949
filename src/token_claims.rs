//! What a database or group token says about itself: its claims, read from the JWT
//! without verifying its signature (only the database can).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The claims of a database or group token ([`DatabaseToken::claims`]), as the database
/// reads them. They are read, not verified: the signature is the database's business, and
/// a forged token would say whatever it likes. Use them to know what you were handed
/// (its access, its lifetime), not to decide what someone may do.
///
/// ```
/// use turso_platform::{DatabaseToken, TokenAccess};
///
/// // {"a":"ro","iat":1716249600,"exp":1716336000,"id":"db-id"}
/// let token = DatabaseToken::new(
///     "eyJhbGciOiJFZERTQSJ9.eyJhIjoicm8iLCJpYXQiOjE3MTYyNDk2MDAsImV4cCI6MTcxNjMzNjAwMCwiaWQiOiJkYi1pZCJ9.c2ln",
/// );
/// let claims = token.claims().unwrap();
/// assert_eq!(claims.access, TokenAccess::ReadOnly);
/// assert_eq!(claims.database_id.as_deref(), Some("db-id"));
/// assert_eq!(claims.lifetime(), Some(std::time::Duration::from_secs(86_400)));
/// ```
///
/// [`DatabaseToken::claims`]: crate::DatabaseToken::claims
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenClaims {
    /// What the token grants (`a`); full access when the claim is absent, as the database
    /// reads it.
    pub access: TokenAccess,
    /// The database the token opens (`id`), for a database token.
    pub database_id: Option<String>,
    /// The group whose databases the token opens (`gid`), for a group token.
    pub group_id: Option<String>,
    /// Access to other databases (`p`), such as read-only `ATTACH`.
    pub permissions: Option<TokenPermissions>,
    /// When the token was issued (`iat`).
    pub issued_at: Option<SystemTime>,
    /// When the token expires (`exp`); `None` for a token that never expires.
    pub expires_at: Option<SystemTime>,
}

impl TokenClaims {
    /// How long the token was minted to live (`exp - iat`); `None` if it never expires or
    /// does not say when it was issued.
    ///
    /// ```
    /// # let token = turso_platform::DatabaseToken::new("eyJhbGciOiJFZERTQSJ9.eyJpYXQiOjEwMCwiZXhwIjoxNjB9.c2ln");
    /// // {"iat":100,"exp":160}
    /// assert_eq!(token.claims().unwrap().lifetime(), Some(std::time::Duration::from_secs(60)));
    /// ```
    pub fn lifetime(&self) -> Option<Duration> {
        self.expires_at?.duration_since(self.issued_at?).ok()
    }
}

/// The access a database or group token grants (its `a` claim).
///
/// ```
/// use turso_platform::TokenAccess;
///
/// assert_eq!(TokenAccess::from_claim("roa"), TokenAccess::ReadOnlyAttach);
/// assert_eq!(TokenAccess::from_claim("xyz"), TokenAccess::Other("xyz".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenAccess {
    /// `rw`: read and write (also what a token without `a` grants).
    FullAccess,
    /// `ro`: read only.
    ReadOnly,
    /// `roa`: read only, and `ATTACH` of the databases its permissions name.
    ReadOnlyAttach,
    /// A value this version does not know, as the token writes it.
    Other(String),
}

impl TokenAccess {
    /// The access an `a` claim names.
    ///
    /// ```
    /// assert_eq!(turso_platform::TokenAccess::from_claim("rw"), turso_platform::TokenAccess::FullAccess);
    /// ```
    pub fn from_claim(claim: &str) -> Self {
        match claim {
            "rw" => TokenAccess::FullAccess,
            "ro" => TokenAccess::ReadOnly,
            "roa" => TokenAccess::ReadOnlyAttach,
            other => TokenAccess::Other(other.to_owned()),
        }
    }
}

/// Access a token grants beyond its own database or group (its `p` claim), by access
/// level. Databases are named by ID (`ns`), groups by ID (`tags`).
///
/// ```
/// # let token = turso_platform::DatabaseToken::new(
/// #     "eyJhbGciOiJFZERTQSJ9.eyJwIjp7InJvYSI6eyJucyI6WyJkYi0xIl19fX0.c2ln");
/// // {"p":{"roa":{"ns":["db-1"]}}}
/// let permissions = token.claims().unwrap().permissions.unwrap();
/// assert_eq!(permissions.read_only_attach.databases, ["db-1"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenPermissions {
    /// What may be attached and read (`roa`).
    pub read_only_attach: Grant,
    /// What may be read (`ro`).
    pub read_only: Grant,
    /// What may be read and written (`rw`).
    pub full_access: Grant,
}

/// The databases and groups one access level of [`TokenPermissions`] covers.
///
/// ```
/// let grant = turso_platform::Grant::default();
/// assert!(grant.databases.is_empty() && grant.groups.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Grant {
    /// Database IDs (`ns`).
    pub databases: Vec<String>,
    /// Group IDs (`tags`).
    pub groups: Vec<String>,
}

/// The claims as they are written in the JWT, read as leniently as RFC 7519 allows: a
/// time is any JSON number (NumericDate may have a fraction), a list may be Go's `null`,
/// and a claim of the wrong type is as good as absent rather than a reason to read none.
#[derive(Deserialize)]
struct Raw {
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    a: Option<String>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    id: Option<String>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    gid: Option<String>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    p: Option<RawPermissions>,
    #[serde(default, deserialize_with = "numeric_date")]
    iat: Option<SystemTime>,
    #[serde(default, deserialize_with = "numeric_date")]
    exp: Option<SystemTime>,
}

#[derive(Default, Deserialize)]
struct RawPermissions {
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    roa: Option<RawGrant>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    ro: Option<RawGrant>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    rw: Option<RawGrant>,
}

#[derive(Default, Deserialize)]
struct RawGrant {
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    ns: Vec<String>,
    #[serde(default, deserialize_with = "crate::codecs::lenient::or_default")]
    tags: Vec<String>,
}

impl From<Option<RawGrant>> for Grant {
    fn from(raw: Option<RawGrant>) -> Self {
        raw.map(|g| Grant {
            databases: g.ns,
            groups: g.tags,
        })
        .unwrap_or_default()
    }
}

/// A NumericDate (RFC 7519): seconds since the Unix epoch as any JSON number, a fraction
/// or a sign included; `None` for anything else, or a time no clock of this machine can
/// hold.
fn numeric_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let serde_json::Value::Number(number) = value else {
        return Ok(None);
    };
    let time = if let Some(secs) = number.as_u64() {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs))
    } else if let Some(secs) = number.as_i64() {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    } else {
        number.as_f64().and_then(|secs| {
            let magnitude = Duration::try_from_secs_f64(secs.abs()).ok()?;
            if secs < 0.0 {
                UNIX_EPOCH.checked_sub(magnitude)
            } else {
                UNIX_EPOCH.checked_add(magnitude)
            }
        })
    };
    Ok(time)
}

/// The claims of a JWT, unverified; `None` if it is not a JWT with a JSON object of claims.
pub(crate) fn read(jwt: &str) -> Option<TokenClaims> {
    let payload = jwt.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    // An object, not any JSON serde would take for a struct (an array, say).
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&json).ok()?;
    let raw = Raw::deserialize(serde_json::Value::Object(object)).ok()?;
    Some(TokenClaims {
        access: raw
            .a
            .as_deref()
            .map_or(TokenAccess::FullAccess, TokenAccess::from_claim),
        database_id: raw.id,
        group_id: raw.gid,
        permissions: raw.p.map(|p| TokenPermissions {
            read_only_attach: p.roa.into(),
            read_only: p.ro.into(),
            full_access: p.rw.into(),
        }),
        issued_at: raw.iat,
        expires_at: raw.exp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn claims_are_read_as_the_database_reads_them() {
        let claims = read(&jwt(
            r#"{"a":"roa","iat":10,"exp":70,"id":"d","p":{"roa":{"ns":["x"]},"rw":{"tags":["g"]}}}"#,
        ))
        .unwrap();
        assert_eq!(claims.access, TokenAccess::ReadOnlyAttach);
        assert_eq!(claims.lifetime(), Some(Duration::from_secs(60)));
        let p = claims.permissions.unwrap();
        assert_eq!(p.read_only_attach.databases, ["x"]);
        assert_eq!(p.full_access.groups, ["g"]);
        assert!(p.read_only.databases.is_empty());

        let group = read(&jwt(r#"{"gid":"g","iat":1}"#)).unwrap();
        assert_eq!(group.access, TokenAccess::FullAccess, "no `a`: full access");
        assert_eq!((group.expires_at, group.lifetime()), (None, None));
        for opaque in ["", "x", "a.b.c", "a.!!!.c", &jwt("[1]"), &jwt("null")] {
            assert_eq!(read(opaque), None, "{opaque}");
        }
    }

    /// RFC 7519's NumericDate may have a fraction, Go writes empty lists as `null`, and a
    /// claim of the wrong type does not hide the others: none of these loses the expiry.
    #[test]
    fn claims_are_read_as_leniently_as_rfc_7519_allows() {
        let fractional = read(&jwt(r#"{"iat":100.25,"exp":103.75,"a":"ro"}"#)).unwrap();
        assert_eq!(fractional.lifetime(), Some(Duration::from_millis(3500)));
        assert_eq!(fractional.access, TokenAccess::ReadOnly);
        let nulls = read(&jwt(
            r#"{"exp":160,"iat":100,"p":{"roa":{"ns":null,"tags":null},"rw":null}}"#,
        ))
        .unwrap();
        assert_eq!(nulls.lifetime(), Some(Duration::from_secs(60)));
        assert_eq!(nulls.permissions.unwrap(), TokenPermissions::default());
        let odd = read(&jwt(r#"{"exp":160,"iat":"x","a":5,"id":[],"p":7}"#)).unwrap();
        assert_eq!(odd.expires_at, Some(UNIX_EPOCH + Duration::from_secs(160)));
        assert_eq!(
            (odd.issued_at, odd.access, odd.database_id),
            (None, TokenAccess::FullAccess, None)
        );
        let past = read(&jwt(r#"{"exp":-5}"#)).unwrap();
        assert_eq!(
            past.expires_at,
            UNIX_EPOCH.checked_sub(Duration::from_secs(5))
        );
        let absurd = read(&jwt(r#"{"iat":0,"exp":9223372036854775807}"#)).unwrap();
        assert!(absurd.lifetime().is_some());
        assert_eq!(
            read(&jwt(r#"{"exp":1e400}"#)).map(|c| c.expires_at),
            None,
            "not a number serde reads"
        );
        assert_eq!(
            read(&jwt(r#"{"exp":1e300}"#)).unwrap().expires_at,
            None,
            "beyond any clock"
        );
    }
}
