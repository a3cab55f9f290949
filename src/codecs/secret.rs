//! How secrets travel through the generated code: the type a minted secret arrives in,
//! and the decoding of answers that carry one, whose errors never quote a byte of them.

use std::fmt;

use progenitor_client::ResponseValue;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What the body of an answer that may hold a secret is replaced with in an error.
pub(crate) const REDACTED_BODY: &str =
    "[redacted: an answer to an operation that mints a secret is never kept]";

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

    /// The secret, for the crate's own use (redacting it from what an error quotes).
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
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

/// `text` with every secret of `secrets` replaced by `[REDACTED]`, in each spelling a
/// server or proxy could quote it in: as it is, JSON-escaped (`/` as `\/`), and
/// percent-encoded.
pub(crate) fn redact(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        for spelling in spellings(secret) {
            if text.contains(&spelling) {
                text = text.replace(&spelling, "[REDACTED]");
            }
        }
    }
    text
}

/// The length of the longest spelling of any of `secrets`.
pub(crate) fn longest_spelling(secrets: &[&str]) -> usize {
    secrets
        .iter()
        .flat_map(|secret| spellings(secret))
        .map(|spelling| spelling.len())
        .max()
        .unwrap_or(0)
}

fn spellings(secret: &str) -> [String; 4] {
    let encoded = |upper: bool| {
        secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ if upper => format!("%{b:02X}"),
                _ => format!("%{b:02x}"),
            })
            .collect::<String>()
    };
    [
        secret.to_owned(),
        secret.replace('/', "\\/"),
        encoded(true),
        encoded(false),
    ]
}

/// Decodes an answer of an operation whose successful answer carries a secret, as
/// progenitor's `ResponseValue::from_response` does, except that a body that does not
/// decode is not kept: the error holds a placeholder and what was wrong, where, but not
/// the value (serde's own text quotes it: `invalid type: string "eyJ..."`). The build script puts
/// this in place of `from_response` in those operations, for the escape hatch
/// ([`Client::generated`](crate::Client::generated)) as for the client.
pub(crate) async fn redacted_response<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    crate::transport::answer::decoded(response)
        .await
        .map_err(|error| match error {
            progenitor_client::Error::InvalidResponsePayload(_, why) => {
                progenitor_client::Error::InvalidResponsePayload(
                    REDACTED_BODY.as_bytes().into(),
                    serde::de::Error::custom(decoding_error(&why)),
                )
            }
            other => other,
        })
}

/// What is wrong with a body that did not decode, without any of its values: the kind
/// of error and where it is.
fn decoding_error(error: &serde_json::Error) -> String {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "a read error",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Data => "a value of the wrong type or a missing field",
        serde_json::error::Category::Eof => "an unexpected end",
    };
    format!("{kind} at line {} column {}", error.line(), error.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_errors_say_where_not_what() {
        let error =
            serde_json::from_str::<crate::generated::types::DatabaseToken>(r#""eyJ.secret""#)
                .unwrap_err();
        assert!(error.to_string().contains("eyJ.secret"), "serde quotes it");
        let redacted = decoding_error(&error);
        assert!(!redacted.contains("eyJ"), "{redacted}");
        assert!(redacted.contains("line 1 column"), "{redacted}");
    }
}
