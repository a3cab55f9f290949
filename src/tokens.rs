//! The tokens the API answers with, as this crate hands them to you.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};

use crate::generated::types;
use crate::token_claims::{self, TokenClaims};

/// A newly minted platform API token, from [`Client::create_api_token`].
///
/// The secret is shown once: store it now, it can never be read again.
///
/// ```no_run
/// use turso_platform::{ApiTokenOptions, Client};
/// use turso_platform::secrecy::ExposeSecret;
///
/// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
/// let created = client
///     .create_api_token("ci-bot", &ApiTokenOptions::new().organization("my-org"))
///     .await?;
/// store(&created.name, created.token.expose_secret());
/// # Ok(())
/// # }
/// # fn store(_: &str, _: &str) {}
/// ```
///
/// [`Client::create_api_token`]: crate::Client::create_api_token
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreatedApiToken {
    /// The ID Turso gave the token; empty if the answer did not carry one (then
    /// [`Client::list_api_tokens`](crate::Client::list_api_tokens) shows it).
    pub id: String,
    /// The name given to the token.
    pub name: String,
    /// The token itself, to send as `Authorization: Bearer <token>`.
    pub token: SecretString,
}

impl CreatedApiToken {
    /// A created token, for code that stands in for the API (tests, fakes): this type is
    /// `#[non_exhaustive]`, so it cannot be written as a literal outside this crate.
    ///
    /// ```
    /// use turso_platform::CreatedApiToken;
    /// use turso_platform::secrecy::ExposeSecret;
    ///
    /// let created = CreatedApiToken::new("clGFZ4STEe6fljpFzIum8A", "ci-bot", "secret");
    /// assert_eq!(created.token.expose_secret(), "secret");
    /// ```
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        token: impl Into<SecretString>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            token: token.into(),
        }
    }

    /// The token minted under `name`: the name asked for is kept whatever the answer says
    /// (the API repeats it), so that the secret is filed under the right name.
    pub(crate) fn from_answer(answer: types::CreatedApiToken, name: &str) -> Self {
        Self {
            id: answer.id,
            name: name.to_owned(),
            token: answer.token.into_secret(),
        }
    }
}

/// A newly minted database or group token, from [`Client::create_database_token`] or
/// [`Client::create_group_token`]: a JWT that client applications use to connect.
///
/// ```no_run
/// use turso_platform::{Client, TokenOptions};
/// use turso_platform::secrecy::ExposeSecret;
///
/// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
/// let token = client.create_database_token("my-org", "my-db", &TokenOptions::new()).await?;
/// let url = format!("libsql://my-db-my-org.turso.io?authToken={}", token.jwt.expose_secret());
/// # Ok(())
/// # }
/// ```
///
/// [`Client::create_database_token`]: crate::Client::create_database_token
/// [`Client::create_group_token`]: crate::Client::create_group_token
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DatabaseToken {
    /// The token.
    pub jwt: SecretString,
}

impl DatabaseToken {
    /// A database or group token, for code that stands in for the API (tests, fakes):
    /// this type is `#[non_exhaustive]`, so it cannot be written as a literal outside
    /// this crate.
    ///
    /// ```
    /// use turso_platform::DatabaseToken;
    ///
    /// let token = DatabaseToken::new("eyJhbGciOiJFZERTQSJ9.e30.c2ln");
    /// assert_eq!(token.expires_at(), None);
    /// ```
    pub fn new(jwt: impl Into<SecretString>) -> Self {
        Self { jwt: jwt.into() }
    }

    /// When the token expires, read from its `exp` claim; `None` if it never expires
    /// (or has no readable `exp` claim). The claim is read, not verified: only the
    /// database checks the signature. It is read when you ask, not when the token
    /// arrives, so that minting costs nothing more when you do not.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// use turso_platform::TokenOptions;
    ///
    /// let options = TokenOptions::new().expiration("1d".parse()?);
    /// let token = client.create_database_token("my-org", "my-db", &options).await?;
    /// println!("valid until {:?}", token.expires_at());
    /// # Ok(())
    /// # }
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.claims()?.expires_at
    }

    /// The token's claims (its access, database or group, permissions, issue and expiry
    /// times), read from the JWT, not verified: only the database checks the signature.
    /// `None` if the token is not a JWT with readable claims.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// use turso_platform::{Authorization, TokenAccess, TokenOptions};
    ///
    /// let options = TokenOptions::new().authorization(Authorization::ReadOnly);
    /// let token = client.create_database_token("my-org", "my-db", &options).await?;
    /// let claims = token.claims().expect("a JWT");
    /// assert_eq!(claims.access, TokenAccess::ReadOnly);
    /// println!("database {:?}, valid for {:?}", claims.database_id, claims.lifetime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn claims(&self) -> Option<TokenClaims> {
        token_claims::read(self.jwt.expose_secret())
    }
}

impl From<types::DatabaseToken> for DatabaseToken {
    fn from(answer: types::DatabaseToken) -> Self {
        Self {
            jwt: answer.jwt.into_secret(),
        }
    }
}

/// Whether and until when the client's platform API token is valid, from
/// [`Client::validate_api_token`]. An invalid token is an [`Error::Api`] with status 401.
///
/// ```no_run
/// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
/// match client.validate_api_token().await?.expires_at {
///     None => println!("the token never expires"),
///     Some(at) => println!("the token expires at {at:?}"),
/// }
/// # Ok(())
/// # }
/// ```
///
/// [`Client::validate_api_token`]: crate::Client::validate_api_token
/// [`Error::Api`]: crate::Error::Api
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenValidity {
    /// When the token expires; `None` if it never expires (the API's `exp: -1`).
    pub expires_at: Option<SystemTime>,
}

impl TokenValidity {
    /// A validity, for code that stands in for the API (tests, fakes): this type is
    /// `#[non_exhaustive]`, so it cannot be written as a literal outside this crate.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use turso_platform::TokenValidity;
    ///
    /// let never = TokenValidity::new(None);
    /// let soon = TokenValidity::new(Some(SystemTime::now() + Duration::from_secs(60)));
    /// assert!(never.expires_at.is_none() && soon.expires_at.is_some());
    /// ```
    pub fn new(expires_at: Option<SystemTime>) -> Self {
        Self { expires_at }
    }

    /// Reads the API's `exp`: Unix seconds, or `-1` for a token that never expires.
    /// Any other negative value is not a time.
    pub(crate) fn from_exp(exp: i64) -> Option<Self> {
        let expires_at = match exp {
            -1 => None,
            secs => Some(UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))?),
        };
        Some(Self { expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_read_from_the_claims() {
        // {"a":"ro","exp":1767225600,"iat":1}
        let token = DatabaseToken::new(
            "eyJhbGciOiJFZERTQSJ9.eyJhIjoicm8iLCJleHAiOjE3NjcyMjU2MDAsImlhdCI6MX0.c2ln",
        );
        assert_eq!(
            token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_767_225_600))
        );
        assert_eq!(DatabaseToken::new("not-a-jwt").expires_at(), None);
    }

    #[test]
    fn validity_reads_minus_one_as_never() {
        assert_eq!(TokenValidity::from_exp(-1).unwrap().expires_at, None);
        assert_eq!(
            TokenValidity::from_exp(60).unwrap().expires_at,
            Some(UNIX_EPOCH + Duration::from_secs(60))
        );
        assert_eq!(TokenValidity::from_exp(-2), None);
    }
}
