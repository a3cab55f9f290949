//! What the fake's tokens say: the claims of platform API tokens and of database and
//! group tokens.

use serde::{Deserialize, Serialize};

use turso_platform::Authorization;

use crate::http::TablePermission;

/// The claims of a platform API token: which token record it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ApiTokenClaims {
    /// Issued at, in Unix seconds.
    pub(crate) iat: u64,
    /// The ID of the token's record; revoking the token removes the record.
    pub(crate) jti: String,
    /// The username of the token's user.
    pub(crate) sub: String,
}

/// The access a database or group token grants, as Turso writes it in the `a` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Access {
    /// Read only.
    #[serde(rename = "ro")]
    ReadOnly,
    /// Read and write.
    #[serde(rename = "rw")]
    ReadWrite,
}

impl From<Authorization> for Access {
    fn from(authorization: Authorization) -> Self {
        if authorization == Authorization::ReadOnly {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        }
    }
}

/// The claims of a database or group token.
///
/// Which database or group it opens is in `id` (a database's ID) or `gid` (a group's
/// ID). `seq` orders it among everything the fake did: a rotation of the database or
/// of its group at a later `seq` invalidates it, even within the same second.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ConnectionClaims {
    /// The access the token grants.
    pub(crate) a: Access,
    /// Issued at, in Unix seconds.
    pub(crate) iat: u64,
    /// Expires at, in Unix seconds; absent for a token that never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) exp: Option<u64>,
    /// The ID of the database, for a database token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    /// The ID of the group, for a group token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gid: Option<String>,
    /// When it was minted, in the fake's sequence of events.
    pub(crate) seq: u64,
    /// Extra permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) p: Option<Permissions>,
    /// What the token may do table by table, as it was asked for (the fake's own claim:
    /// Turso does not document how its tokens carry these).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) perm: Vec<TablePermission>,
}

/// Extra permissions of a database or group token, as libSQL reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Permissions {
    /// Read-only `ATTACH` of other databases.
    pub(crate) roa: ReadOnlyAttach,
}

/// The databases a token may `ATTACH` and read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReadOnlyAttach {
    /// Their IDs.
    pub(crate) ns: Vec<String>,
}
