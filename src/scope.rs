//! The permissions of a group-scoped platform API token.

use crate::codecs::wire_enum::wire_enum;

wire_enum! {
    /// A permission of a group-scoped API token ([`ApiTokenOptions::scopes`]): an
    /// individual scope, or one of the presets [`Scope::ReadOnly`] (which the API expands
    /// to [`Scope::Read`]) and [`Scope::FullAccess`] (every scope).
    ///
    /// `Display` and `FromStr` use the API's words.
    ///
    /// Turso adds scopes: the enum is `#[non_exhaustive]`, so that a new one is a minor
    /// release of this crate, and the scopes of listed tokens
    /// ([`ApiToken::scopes`](crate::ApiToken::scopes)) are kept as the API's words, so that
    /// a scope this version does not know never fails a list. Parse them to read the
    /// known ones:
    ///
    /// ```
    /// use turso_platform::{ApiToken, Scope};
    ///
    /// let token: ApiToken = serde_json::from_str(
    ///     r#"{"id": "1", "name": "ci", "scopes": ["db:create", "db:some-new-scope"]}"#,
    /// ).unwrap();
    /// let known: Vec<Scope> = token.scopes.iter().filter_map(|s| s.parse().ok()).collect();
    /// assert_eq!(known, [Scope::DbCreate]);
    /// ```
    ///
    /// ```
    /// use turso_platform::Scope;
    ///
    /// assert_eq!(Scope::DbMintToken.to_string(), "db:mint-token");
    /// assert_eq!("group:rotate-creds".parse::<Scope>(), Ok(Scope::GroupRotateCreds));
    /// assert!("db:mint".parse::<Scope>().is_err());
    /// ```
    ///
    /// [`ApiTokenOptions::scopes`]: crate::ApiTokenOptions::scopes
    pub enum Scope as "scope" {
        /// `read`: read the group and its databases.
        Read => "read",
        /// `db:create`: create databases in the group.
        DbCreate => "db:create",
        /// `db:delete`: delete databases of the group.
        DbDelete => "db:delete",
        /// `db:configure`: change the configuration of the group's databases.
        DbConfigure => "db:configure",
        /// `db:mint-token`: mint database tokens for the group's databases.
        DbMintToken => "db:mint-token",
        /// `db:rotate-creds`: invalidate every token of a database (destructive).
        DbRotateCreds => "db:rotate-creds",
        /// `group:configure`: change the configuration of the group.
        GroupConfigure => "group:configure",
        /// `group:mint-token`: mint group tokens.
        GroupMintToken => "group:mint-token",
        /// `group:rotate-creds`: invalidate every token of the group (destructive).
        GroupRotateCreds => "group:rotate-creds",
        /// `read-only`: the preset that expands to [`Scope::Read`].
        ReadOnly => "read-only",
        /// `full-access`: the preset that expands to every scope.
        FullAccess => "full-access",
    }
}
