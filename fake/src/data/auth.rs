//! Who may run SQL on a database: the bearer token alone decides, as in sqld. Its EdDSA
//! signature must be the fake's, it must not have expired (with sqld's 60 s of leeway),
//! and no rotation of the database or its group may have come after it (a rotation
//! changes the key in sqld: older tokens no longer verify). A token for another database
//! makes this one look missing (404), as in sqld; `a: "ro"` reads only.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::claims::{Access, ConnectionClaims};
use crate::jwt::Signer;
use crate::model::DataTarget;

/// How long after its `exp` a token is still accepted (sqld's leeway, from
/// `jsonwebtoken`).
pub(crate) const EXPIRY_LEEWAY: Duration = Duration::from_secs(60);

/// The tokens verified lately, so that a client's every request does not pay for an
/// Ed25519 verification: by the whole token, so only the very token that verified
/// matches. What changes (rotations, expiry) is checked on every request all the same.
#[derive(Default)]
pub(crate) struct Verified {
    tokens: std::sync::Mutex<std::collections::HashMap<String, ConnectionClaims>>,
}

/// How many verified tokens are kept (all are forgotten past it).
const KEPT_TOKENS: usize = 4_096;

impl Verified {
    /// The claims of `token`, if the fake signed it.
    fn claims(&self, signer: &Signer, token: &str) -> Option<ConnectionClaims> {
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(claims) = tokens.get(token) {
            return Some(claims.clone());
        }
        let claims: ConnectionClaims = signer.verify(token).ok()?;
        if tokens.len() >= KEPT_TOKENS {
            tokens.clear();
        }
        tokens.insert(token.to_owned(), claims.clone());
        Some(claims)
    }
}

/// Why a request was refused before anything ran.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401: no usable token; sqld's message.
    Unauthorized(&'static str),
    /// 404: the database does not exist for this token.
    Missing,
}

/// The claims of the request's token, if it may use the database `target` (whose ID is
/// `id`) at `now` (since the Unix epoch).
pub(crate) fn authorize(
    headers: &HeaderMap,
    signer: &Signer,
    verified: &Verified,
    id: &str,
    target: &DataTarget,
    now: Duration,
) -> Result<ConnectionClaims, Denied> {
    let header = headers
        .get(AUTHORIZATION)
        .or_else(|| headers.get("x-authorization"))
        .ok_or(Denied::Unauthorized(
            "Expected authorization header but none given",
        ))?
        .to_str()
        .map_err(|_| {
            Denied::Unauthorized("Auth string does not conform to '<scheme> <token>' form")
        })?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(Denied::Unauthorized(
        "Auth string does not conform to '<scheme> <token>' form",
    ))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Denied::Unauthorized(
            "The authentication scheme in the `Authorization` HTTP header is not supported",
        ));
    }
    let claims = verified
        .claims(signer, token.trim())
        .ok_or(Denied::Unauthorized("The JWT is invalid"))?;
    // A rotation after the token was minted replaced the key it was signed with.
    if claims.seq <= target.rotated_at {
        return Err(Denied::Unauthorized("The JWT is invalid"));
    }
    if let Some(exp) = claims.exp
        && now > Duration::from_secs(exp).saturating_add(EXPIRY_LEEWAY)
    {
        return Err(Denied::Unauthorized("The JWT has expired"));
    }
    let names_it =
        claims.id.as_deref() == Some(id) || claims.gid.as_deref() == Some(target.group_id.as_str());
    if !names_it {
        return Err(Denied::Missing);
    }
    Ok(claims)
}

/// Whether the claims read only.
pub(crate) fn read_only(claims: &ConnectionClaims) -> bool {
    claims.a == Access::ReadOnly
}

/// Whether the claims may attach the database whose ID is `id` (read-only).
pub(crate) fn may_attach(claims: &ConnectionClaims, id: &str) -> bool {
    claims
        .p
        .as_ref()
        .is_some_and(|p| p.roa.ns.iter().any(|allowed| allowed == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> DataTarget {
        DataTarget {
            name: "db".into(),
            group_id: "g1".into(),
            rotated_at: 5,
            ready_at: 0,
            archived: false,
            block_reads: false,
            block_writes: false,
        }
    }

    fn claims(seq: u64, exp: Option<u64>, id: Option<&str>, gid: Option<&str>) -> ConnectionClaims {
        ConnectionClaims {
            a: Access::ReadWrite,
            iat: 0,
            exp,
            id: id.map(str::to_owned),
            gid: gid.map(str::to_owned),
            seq,
            p: None,
            perm: Vec::new(),
        }
    }

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn tokens_are_checked_as_sqld_checks_them() {
        let signer = Signer::from_seed(&[3; 32]);
        let now = Duration::from_secs(1_000);
        let verified = Verified::default();
        let check = |claims: &ConnectionClaims, now: Duration| {
            let token = signer.sign(claims);
            authorize(
                &headers(&format!("Bearer {token}")),
                &signer,
                &verified,
                "d1",
                &target(),
                now,
            )
        };
        assert!(check(&claims(6, None, Some("d1"), None), now).is_ok());
        assert!(
            check(&claims(6, None, None, Some("g1")), now).is_ok(),
            "group token"
        );
        assert_eq!(
            check(&claims(5, None, Some("d1"), None), now).unwrap_err(),
            Denied::Unauthorized("The JWT is invalid"),
            "minted before the rotation"
        );
        assert_eq!(
            check(&claims(6, None, Some("d2"), None), now).unwrap_err(),
            Denied::Missing,
            "another database's"
        );
        let expiring = claims(6, Some(900), Some("d1"), None);
        assert!(check(&expiring, Duration::from_secs(960)).is_ok(), "leeway");
        assert_eq!(
            check(&expiring, Duration::from_secs(961)).unwrap_err(),
            Denied::Unauthorized("The JWT has expired")
        );
        let foreign = Signer::from_seed(&[4; 32]).sign(&claims(6, None, Some("d1"), None));
        for header in [
            format!("Bearer {foreign}"),
            "Bearer not.a.jwt".to_owned(),
            "Basic abc".to_owned(),
            "Bearer".to_owned(),
        ] {
            assert!(
                matches!(
                    authorize(&headers(&header), &signer, &verified, "d1", &target(), now),
                    Err(Denied::Unauthorized(_))
                ),
                "{header}"
            );
        }
        assert_eq!(
            authorize(&HeaderMap::new(), &signer, &verified, "d1", &target(), now).unwrap_err(),
            Denied::Unauthorized("Expected authorization header but none given")
        );
    }
}
