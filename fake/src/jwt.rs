//! Signing and verifying the fake's JWTs (EdDSA with Ed25519, as Turso's tokens are).

use std::fmt;
use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use secrecy::zeroize::Zeroize;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The header of every token the fake signs.
const HEADER: &str = r#"{"alg":"EdDSA","typ":"JWT"}"#;

/// The fake's signing key, made at start and never shown: `Debug` prints no key
/// material.
pub(crate) struct Signer {
    key: SigningKey,
    verifying: VerifyingKey,
    header: String,
}

/// Why a token is not one the fake signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// Not three dot-separated parts.
    Segments,
    /// A part is not base64url, or the header or claims are not the expected JSON.
    Malformed,
    /// The signature does not match.
    Signature,
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first message is the real API's word for word (golang-jwt's).
        f.write_str(match self {
            JwtError::Segments => "token contains an invalid number of segments",
            JwtError::Malformed => "token is malformed",
            JwtError::Signature => "token signature is invalid",
        })
    }
}

impl Signer {
    /// A signer with a fresh key from the operating system's random source.
    pub(crate) fn generate() -> io::Result<Self> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(io::Error::other)?;
        let key = SigningKey::from_bytes(&seed);
        seed.zeroize();
        Ok(Self::from_key(key))
    }

    /// The signer whose key is this Ed25519 seed (a state directory's).
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Self {
        Self::from_key(SigningKey::from_bytes(seed))
    }

    /// The key's seed, in base64url, for a state directory: a secret as strong as the
    /// key itself.
    pub(crate) fn seed(&self) -> secrecy::SecretString {
        let mut bytes = self.key.to_bytes();
        let seed = URL_SAFE_NO_PAD.encode(bytes);
        bytes.zeroize();
        seed.into()
    }

    fn from_key(key: SigningKey) -> Self {
        Self {
            verifying: key.verifying_key(),
            key,
            header: URL_SAFE_NO_PAD.encode(HEADER),
        }
    }

    /// A signed JWT carrying these claims.
    pub(crate) fn sign<C: Serialize>(&self, claims: &C) -> String {
        // The claim types are plain structs of strings and numbers: they always serialize.
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let mut token = format!("{}.{}", self.header, URL_SAFE_NO_PAD.encode(payload));
        let signature = self.key.sign(token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        token
    }

    /// The claims of a token this signer signed, or why it is not one.
    pub(crate) fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<C, JwtError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Segments);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| JwtError::Malformed)
        };
        let header_json: serde_json::Value =
            serde_json::from_slice(&decode(header)?).map_err(|_| JwtError::Malformed)?;
        if header_json.get("alg").and_then(serde_json::Value::as_str) != Some("EdDSA") {
            return Err(JwtError::Signature);
        }
        let signature =
            Signature::from_slice(&decode(signature)?).map_err(|_| JwtError::Malformed)?;
        let signed = &token[..header.len() + 1 + payload.len()];
        self.verifying
            .verify_strict(signed.as_bytes(), &signature)
            .map_err(|_| JwtError::Signature)?;
        serde_json::from_slice(&decode(payload)?).map_err(|_| JwtError::Malformed)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { key: [REDACTED] }")
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Claims {
        a: String,
        iat: u64,
    }

    fn signer() -> Signer {
        Signer::from_key(SigningKey::from_bytes(&[7; 32]))
    }

    #[test]
    fn a_signed_token_verifies_and_reads_back() {
        let claims = Claims {
            a: "ro".into(),
            iat: 1,
        };
        let token = signer().sign(&claims);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[0]).unwrap(), HEADER.as_bytes());
        assert_eq!(signer().verify::<Claims>(&token), Ok(claims));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let token = signer().sign(&Claims {
            a: "ro".into(),
            iat: 1,
        });
        let other = Signer::from_key(SigningKey::from_bytes(&[8; 32]));
        assert_eq!(
            other.verify::<Claims>(&token),
            Err(JwtError::Signature),
            "another key"
        );
        let forged_claims = URL_SAFE_NO_PAD.encode(r#"{"a":"rw","iat":1}"#);
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
        assert_eq!(signer().verify::<Claims>(&forged), Err(JwtError::Signature));
        for (input, error) in [
            ("", JwtError::Segments),
            ("a.b", JwtError::Segments),
            ("a.b.c.d", JwtError::Segments),
            ("!.b.c", JwtError::Malformed),
            ("e30.e30.AAAA", JwtError::Signature),
        ] {
            assert_eq!(signer().verify::<Claims>(input), Err(error), "{input:?}");
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let text = format!("{:?}", signer());
        assert_eq!(text, "Signer { key: [REDACTED] }");
    }
}
