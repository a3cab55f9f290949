//! The operations on platform API tokens, the current user, and database and group
//! tokens.

use crate::tokens::{CreatedApiToken, DatabaseToken, TokenValidity};
use crate::transport::path::segment;
use crate::{ApiToken, ApiTokenOptions, Client, Error, OrganizationApiToken, TokenOptions, User};

impl Client {
    /// Lists the platform API tokens of the token's user (`listAPITokens`), without
    /// their secrets.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for token in client.list_api_tokens().await? {
    ///     println!("{} {}", token.id, token.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        let answer = call!(self.list_api_tokens()).await?;
        Ok(answer.tokens)
    }

    /// Mints a platform API token named `name` (`createAPIToken`) and returns its secret,
    /// which is shown this once. Names are unique per user: an existing name is an error
    /// for which [`Error::is_name_taken`] holds (status 409). A successful answer is never refused for anything
    /// but a missing secret: the token comes back under `name`, even if the answer's other
    /// fields are missing or `null`.
    ///
    /// The request is sent again only if it cannot have reached the server. If it may
    /// have, and no usable answer came back, the error is
    /// [`Error::ApiTokenMayExist`]: check with [`list_api_tokens`](Client::list_api_tokens).
    ///
    /// ```no_run
    /// use turso_platform::{ApiTokenOptions, Client, Scope};
    ///
    /// # async fn run(client: Client) -> Result<(), turso_platform::Error> {
    /// let options = ApiTokenOptions::new()
    ///     .organization("my-org")
    ///     .group("default")
    ///     .scopes([Scope::DbCreate, Scope::DbMintToken]);
    /// let created = client.create_api_token("provisioner", &options).await?;
    /// println!("minted {} ({})", created.name, created.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_api_token(
        &self,
        name: &str,
        options: &ApiTokenOptions,
    ) -> Result<CreatedApiToken, Error> {
        let name = segment("token name", name)?;
        let body = options.to_body()?;
        let created = call!(self.create_api_token(name, &body))
            .await
            .map_err(|e| e.or_api_token_may_exist(name))?;
        Ok(CreatedApiToken::from_answer(created, name))
    }

    /// Revokes the platform API token named `name` (`revokeAPIToken`); from then on it is
    /// refused with 401. Returns the name the API confirms. An unknown name is
    /// [`Error::Api`] with status 404.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.revoke_api_token("provisioner").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_api_token(&self, name: &str) -> Result<String, Error> {
        let name = segment("token name", name)?;
        let answer = call!(self.revoke_api_token(name)).await?;
        Ok(answer.token)
    }

    /// Checks the client's own token (`validateAPIToken`) and says when it expires. An
    /// invalid, expired or revoked token is [`Error::Api`] with status 401.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let validity = client.validate_api_token().await?;
    /// assert!(validity.expires_at.is_none(), "platform API tokens never expire");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn validate_api_token(&self) -> Result<TokenValidity, Error> {
        let answer = call!(self.validate_api_token()).await?;
        TokenValidity::from_exp(answer.exp).ok_or_else(|| {
            Error::unexpected_ok(
                format!(r#"{{"exp":{}}}"#, answer.exp),
                "`exp` is neither -1 nor a Unix time".to_owned(),
            )
        })
    }

    /// The user the token belongs to (`getCurrentUser`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// println!("signed in as {}", client.current_user().await?.username);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn current_user(&self) -> Result<User, Error> {
        let answer = call!(self.get_current_user()).await?;
        Ok(answer.user)
    }

    /// Lists the API tokens scoped to the organization `org`
    /// (`listOrganizationAPITokens`): all of them for admins and owners, with who minted
    /// each, and only their own for other members.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for token in client.list_organization_api_tokens("my-org").await? {
    ///     println!("{} {} {:?}", token.id, token.name, token.group);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_api_tokens(
        &self,
        org: &str,
    ) -> Result<Vec<OrganizationApiToken>, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.list_organization_api_tokens(org)).await?;
        Ok(answer.tokens)
    }

    /// Revokes the organization's API token with ID `token_id`
    /// (`revokeOrganizationAPIToken`). Returns the ID the API confirms.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.revoke_organization_api_token("my-org", "clGFZ4STEe6fljpFzIum8A").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_organization_api_token(
        &self,
        org: &str,
        token_id: &str,
    ) -> Result<String, Error> {
        let org = segment("organization", org)?;
        let token_id = segment("token ID", token_id)?;
        let answer = call!(self.revoke_organization_api_token(org, token_id)).await?;
        Ok(answer.token)
    }

    /// Mints a token for the database `database` of the organization `org`
    /// (`createDatabaseToken`). Turso keeps no record of it: it cannot be listed or
    /// revoked alone, only invalidated with every other token of the database
    /// ([`invalidate_database_tokens`](Client::invalidate_database_tokens)).
    ///
    /// ```no_run
    /// use turso_platform::{Authorization, Expiration, TokenOptions};
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let options = TokenOptions::new()
    ///     .expiration("1w".parse::<Expiration>()?)
    ///     .authorization(Authorization::ReadOnly);
    /// let token = client.create_database_token("my-org", "my-db", &options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_database_token(
        &self,
        org: &str,
        database: &str,
        options: &TokenOptions,
    ) -> Result<DatabaseToken, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let (authorization, expiration, body) = options.to_request()?;
        Ok(
            call!(self.create_database_token(org, database, authorization, expiration, &body))
                .await?
                .into(),
        )
    }

    /// Invalidates every token minted so far for the database `database` of the
    /// organization `org` (`invalidateDatabaseTokens`). Calling it twice is harmless.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.invalidate_database_tokens("my-org", "my-db").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invalidate_database_tokens(&self, org: &str, database: &str) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        call!(self.invalidate_database_tokens(org, database)).await
    }

    /// Mints a token for every database of the group `group` of the organization `org`
    /// (`createGroupToken`). Like a database token it can only be invalidated with every
    /// other token of the group ([`invalidate_group_tokens`](Client::invalidate_group_tokens)).
    ///
    /// ```no_run
    /// use turso_platform::TokenOptions;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let token = client.create_group_token("my-org", "default", &TokenOptions::new()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_group_token(
        &self,
        org: &str,
        group: &str,
        options: &TokenOptions,
    ) -> Result<DatabaseToken, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let (authorization, expiration, body) = options.to_request()?;
        Ok(
            call!(self.create_group_token(org, group, authorization, expiration, &body))
                .await?
                .into(),
        )
    }

    /// Invalidates every token minted so far for the group `group` of the organization
    /// `org`, and for each of its databases (`invalidateGroupTokens`). Calling it twice is
    /// harmless.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.invalidate_group_tokens("my-org", "default").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invalidate_group_tokens(&self, org: &str, group: &str) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        call!(self.invalidate_group_tokens(org, group)).await
    }
}
