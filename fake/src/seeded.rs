//! What every fake starts with: one user, who owns one organization, whose group holds
//! one database, and a platform API token of that user.

/// The username of the fake's only user.
///
/// ```
/// assert_eq!(turso_platform_fake::USERNAME, "fake-user");
/// ```
pub const USERNAME: &str = "fake-user";

/// The organization the fake starts with, owned by [`USERNAME`].
///
/// ```
/// assert_eq!(turso_platform_fake::ORGANIZATION, "fake-org");
/// ```
pub const ORGANIZATION: &str = "fake-org";

/// The group of [`ORGANIZATION`] the fake starts with.
///
/// ```
/// assert_eq!(turso_platform_fake::GROUP, "default");
/// ```
pub const GROUP: &str = "default";

/// The database of [`GROUP`] the fake starts with.
///
/// ```
/// assert_eq!(turso_platform_fake::DATABASE, "fake-db");
/// ```
pub const DATABASE: &str = "fake-db";

/// The name of the unrestricted platform API token [`FakeTurso::token`](crate::FakeTurso::token) returns, as
/// `listAPITokens` lists it. Revoking it locks [`FakeTurso::client`](crate::FakeTurso::client) out.
///
/// ```
/// assert_eq!(turso_platform_fake::SEEDED_TOKEN_NAME, "fake-token");
/// ```
pub const SEEDED_TOKEN_NAME: &str = "fake-token";
