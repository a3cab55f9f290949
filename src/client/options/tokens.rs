//! Options for minting tokens.

use crate::client::names::non_blank;
use crate::codecs::excerpt::Quoted;
use crate::generated::types;
use crate::{Authorization, Error, Expiration, Scope};

/// Options for [`Client::create_database_token`] and [`Client::create_group_token`].
///
/// Only what you set is sent: with no options the request has no query and no body, and
/// the API mints a full-access token that never expires.
///
/// ```
/// use std::time::Duration;
/// use turso_platform::{Authorization, Expiration, TokenOptions};
///
/// let options = TokenOptions::new()
///     .expiration(Expiration::after(Duration::from_secs(24 * 3600)).unwrap())
///     .authorization(Authorization::ReadOnly)
///     .read_attach(["reference-data"]);
/// ```
///
/// [`Client::create_database_token`]: crate::Client::create_database_token
/// [`Client::create_group_token`]: crate::Client::create_group_token
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenOptions {
    expiration: Option<Expiration>,
    authorization: Option<Authorization>,
    read_attach: Vec<String>,
}

impl TokenOptions {
    /// No options: a full-access token that never expires.
    ///
    /// ```
    /// use turso_platform::TokenOptions;
    ///
    /// assert_eq!(TokenOptions::new(), TokenOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How long the token is valid. An invalid value (zero, or too long; see
    /// [`Expiration`]) is refused with [`Error::InvalidArgument`] when the token is
    /// minted, before anything is sent.
    ///
    /// ```
    /// use turso_platform::{Expiration, TokenOptions};
    ///
    /// let options = TokenOptions::new().expiration("2w1d30m".parse::<Expiration>().unwrap());
    /// ```
    pub fn expiration(mut self, expiration: Expiration) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// The access the token grants (full access unless you say otherwise).
    ///
    /// ```
    /// use turso_platform::{Authorization, TokenOptions};
    ///
    /// let options = TokenOptions::new().authorization(Authorization::ReadOnly);
    /// ```
    pub fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = Some(authorization);
        self
    }

    /// Databases of the same organization that the token may also `ATTACH` and read.
    /// Replaces any list set before; an empty list sends no permissions at all (the API
    /// refuses an empty one).
    ///
    /// ```
    /// use turso_platform::TokenOptions;
    ///
    /// let options = TokenOptions::new().read_attach(["prices", "countries"]);
    /// ```
    pub fn read_attach<I, S>(mut self, databases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.read_attach = databases.into_iter().map(Into::into).collect();
        self
    }

    /// How long the tokens live, if they expire.
    pub(crate) fn lifetime(&self) -> Option<std::time::Duration> {
        self.expiration.as_ref().and_then(Expiration::duration)
    }

    /// The query parameters and body of the request, validated.
    pub(crate) fn to_request(
        &self,
    ) -> Result<
        (
            Option<&Authorization>,
            Option<&Expiration>,
            types::CreateTokenInput,
        ),
        Error,
    > {
        if let Some(expiration) = &self.expiration {
            expiration.validate()?;
        }
        for database in &self.read_attach {
            non_blank("name of a database to read-attach", database)?;
        }
        let permissions = (!self.read_attach.is_empty()).then(|| types::TokenPermissions {
            read_attach: types::ReadAttachPermission {
                databases: self.read_attach.clone(),
            },
        });
        Ok((
            self.authorization.as_ref(),
            self.expiration.as_ref(),
            types::CreateTokenInput {
                permissions,
                fine_grained_permissions: None,
            },
        ))
    }
}

/// Options for [`Client::create_api_token`]: what the new platform API token may act on.
///
/// - no options: an unrestricted token, which acts on every organization of the user
///   (deprecated by Turso); the request has no body;
/// - [`organization`](ApiTokenOptions::organization) alone: an organization-scoped token;
/// - [`organization`](ApiTokenOptions::organization), [`group`](ApiTokenOptions::group)
///   and non-empty [`scopes`](ApiTokenOptions::scopes): a group-scoped token.
///
/// Any other combination is refused with [`Error::InvalidArgument`] before anything is
/// sent.
///
/// ```
/// use turso_platform::{ApiTokenOptions, Scope};
///
/// let ci = ApiTokenOptions::new()
///     .organization("my-org")
///     .group("default")
///     .scopes([Scope::DbCreate, Scope::DbMintToken]);
/// ```
///
/// [`Client::create_api_token`]: crate::Client::create_api_token
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiTokenOptions {
    organization: Option<String>,
    group: Option<String>,
    scopes: Vec<Scope>,
}

impl ApiTokenOptions {
    /// No restriction: an unrestricted token (deprecated by Turso; prefer
    /// [`organization`](ApiTokenOptions::organization)).
    ///
    /// ```
    /// use turso_platform::ApiTokenOptions;
    ///
    /// assert_eq!(ApiTokenOptions::new(), ApiTokenOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts the token to one organization, by slug.
    ///
    /// ```
    /// use turso_platform::ApiTokenOptions;
    ///
    /// let options = ApiTokenOptions::new().organization("my-org");
    /// ```
    pub fn organization(mut self, slug: impl Into<String>) -> Self {
        self.organization = Some(slug.into());
        self
    }

    /// Pins the token to one group of the organization; needs
    /// [`organization`](ApiTokenOptions::organization) and
    /// [`scopes`](ApiTokenOptions::scopes).
    ///
    /// ```
    /// use turso_platform::{ApiTokenOptions, Scope};
    ///
    /// let options = ApiTokenOptions::new()
    ///     .organization("my-org")
    ///     .group("default")
    ///     .scopes([Scope::ReadOnly]);
    /// ```
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.group = Some(name.into());
        self
    }

    /// What a group-scoped token may do. Replaces any scopes set before.
    ///
    /// ```
    /// use turso_platform::{ApiTokenOptions, Scope};
    ///
    /// let options = ApiTokenOptions::new()
    ///     .organization("my-org")
    ///     .group("default")
    ///     .scopes([Scope::DbCreate, Scope::DbConfigure, Scope::DbMintToken]);
    /// ```
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes = scopes.into_iter().collect();
        self
    }

    /// The request body, validated.
    pub(crate) fn to_body(&self) -> Result<types::CreateApiTokenInput, Error> {
        if let Some(organization) = &self.organization {
            non_blank("organization", organization)?;
        }
        if let Some(group) = &self.group {
            non_blank("group", group)?;
            if self.organization.is_none() {
                return Err(Error::InvalidArgument(format!(
                    "a token pinned to group {} also needs its organization: add \
                     .organization(..)",
                    Quoted(group)
                )));
            }
            if self.scopes.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "a token pinned to group {} needs at least one scope: add .scopes(..), \
                     for example [Scope::ReadOnly]",
                    Quoted(group)
                )));
            }
        } else if !self.scopes.is_empty() {
            return Err(Error::InvalidArgument(
                "scopes only apply to a token pinned to a group: add .organization(..) and \
                 .group(..), or remove .scopes(..)"
                    .to_owned(),
            ));
        }
        Ok(types::CreateApiTokenInput {
            organization: self.organization.clone(),
            group: self.group.clone(),
            scopes: (!self.scopes.is_empty()).then(|| self.scopes.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn refused(options: &ApiTokenOptions) -> String {
        match options.to_body() {
            Err(Error::InvalidArgument(message)) => message,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn api_token_options_allow_the_three_documented_shapes() {
        assert_eq!(
            ApiTokenOptions::new().to_body().unwrap(),
            types::CreateApiTokenInput::default()
        );
        let org = ApiTokenOptions::new().organization("o").to_body().unwrap();
        assert_eq!(org.organization.as_deref(), Some("o"));
        let group = ApiTokenOptions::new()
            .organization("o")
            .group("g")
            .scopes([Scope::Read])
            .to_body()
            .unwrap();
        assert_eq!(group.scopes, Some(vec![Scope::Read]));
    }

    #[test]
    fn api_token_options_refuse_incomplete_group_scopes() {
        assert!(
            refused(&ApiTokenOptions::new().group("g").scopes([Scope::Read]))
                .contains("organization")
        );
        assert!(refused(&ApiTokenOptions::new().organization("o").group("g")).contains("scope"));
        assert!(
            refused(
                &ApiTokenOptions::new()
                    .organization("o")
                    .scopes([Scope::Read])
            )
            .contains("group")
        );
        assert!(refused(&ApiTokenOptions::new().organization(" ")).contains("blank"));
        assert!(
            refused(
                &ApiTokenOptions::new()
                    .organization("o")
                    .group("")
                    .scopes([Scope::Read])
            )
            .contains("blank")
        );
    }

    #[test]
    fn token_options_send_only_what_was_set() {
        let none = TokenOptions::new();
        let (authorization, expiration, body) = none.to_request().unwrap();
        assert_eq!((authorization, expiration), (None, None));
        assert_eq!(body, types::CreateTokenInput::default());

        let options = TokenOptions::new().read_attach(Vec::<String>::new());
        assert_eq!(options.to_request().unwrap().2.permissions, None);

        let options = TokenOptions::new()
            .authorization(Authorization::ReadOnly)
            .expiration(Expiration::Never)
            .read_attach(["a"]);
        let (authorization, expiration, body) = options.to_request().unwrap();
        assert_eq!(authorization, Some(&Authorization::ReadOnly));
        assert_eq!(expiration, Some(&Expiration::Never));
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"permissions":{"read_attach":{"databases":["a"]}}}"#
        );
    }

    #[test]
    fn token_options_refuse_invalid_values() {
        let zero = TokenOptions::new().expiration(Expiration::After(Duration::ZERO));
        assert!(matches!(zero.to_request(), Err(Error::InvalidArgument(_))));
        let blank = TokenOptions::new().read_attach(["ok", " "]);
        assert!(matches!(blank.to_request(), Err(Error::InvalidArgument(_))));
    }
}
