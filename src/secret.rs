//! How secrets travel through the generated code.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret token as the generated types hold it (the spec's `Secret` schema).
///
/// It deserializes straight into a [`SecretString`], so a minted token is never a plain
/// `String` in this crate, and its `Debug` shows no secret. The hand-written types
/// ([`CreatedApiToken`](crate::CreatedApiToken), [`DatabaseToken`](crate::DatabaseToken))
/// take the `SecretString` out with [`WireSecret::into_secret`].
///
/// Serializing a `WireSecret` writes the secret in clear, as the API does when it
/// answers: that is what putting it on the wire means. Nothing in this crate serializes
/// one except the body of a request that carries it (the encryption key of
/// `createDatabase`) and the fake server.
///
/// ```
/// use turso_platform::generated::types::DatabaseToken;
/// use turso_platform::secrecy::ExposeSecret;
///
/// let answer: DatabaseToken = serde_json::from_str(r#"{"jwt": "eyJ.abc.def"}"#).unwrap();
/// assert!(!format!("{answer:?}").contains("eyJ"));
/// assert_eq!(answer.jwt.into_secret().expose_secret(), "eyJ.abc.def");
/// ```
#[derive(Clone, Default)]
pub struct WireSecret(SecretString);

impl WireSecret {
    /// Takes the secret out.
    ///
    /// ```
    /// use turso_platform::generated::types::DatabaseToken;
    /// use turso_platform::secrecy::ExposeSecret;
    ///
    /// let answer: DatabaseToken = serde_json::from_str(r#"{"jwt": "x.y.z"}"#).unwrap();
    /// assert_eq!(answer.jwt.into_secret().expose_secret(), "x.y.z");
    /// ```
    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

impl From<SecretString> for WireSecret {
    fn from(secret: SecretString) -> Self {
        Self(secret)
    }
}

impl fmt::Debug for WireSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Compares in time that depends only on the lengths, not on where the secrets differ.
impl PartialEq for WireSecret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (
            self.0.expose_secret().as_bytes(),
            other.0.expose_secret().as_bytes(),
        );
        a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl<'de> Deserialize<'de> for WireSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SecretString::deserialize(deserializer).map(Self)
    }
}

impl Serialize for WireSecret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.expose_secret())
    }
}
