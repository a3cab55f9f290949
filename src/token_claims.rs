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

/// The claims as they are written in the JWT.
#[derive(Deserialize)]
struct Raw {
    a: Option<String>,
    id: Option<String>,
    gid: Option<String>,
    p: Option<RawPermissions>,
    iat: Option<u64>,
    exp: Option<u64>,
}

#[derive(Deserialize)]
struct RawPermissions {
    roa: Option<RawGrant>,
    ro: Option<RawGrant>,
    rw: Option<RawGrant>,
}

#[derive(Deserialize)]
struct RawGrant {
    #[serde(default)]
    ns: Vec<String>,
    #[serde(default)]
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

/// The claims of a JWT, unverified; `None` if it is not a JWT with a JSON object of claims.
pub(crate) fn read(jwt: &str) -> Option<TokenClaims> {
    let payload = jwt.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let raw: Raw = serde_json::from_slice(&json).ok()?;
    let time = |secs: Option<u64>| UNIX_EPOCH.checked_add(Duration::from_secs(secs?));
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
        issued_at: time(raw.iat),
        expires_at: time(raw.exp),
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
        for opaque in [
            "",
            "x",
            "a.b.c",
            "a.!!!.c",
            &jwt("[1]"),
            &jwt(r#"{"exp":-5}"#),
        ] {
            assert_eq!(read(opaque), None, "{opaque}");
        }
    }
}
