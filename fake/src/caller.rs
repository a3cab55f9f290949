//! Who is calling, and what their platform API token may do: its restriction to an
//! organization or a group (403), and where the call comes from (for the audit log).

use turso_platform::Scope;

use crate::http::answer::ApiError;

/// What a platform API token may act on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Restriction {
    /// Every organization of the user (minted with no body).
    Unrestricted,
    /// One organization.
    Organization(String),
    /// One group of one organization, for these individual scopes.
    Group {
        organization: String,
        group: String,
        scopes: Vec<Scope>,
    },
}

impl Restriction {
    /// Whether the token is pinned to `group` of `organization`.
    pub(crate) fn pinned_to(&self, organization: &str, group: &str) -> bool {
        matches!(self, Restriction::Group { organization: o, group: g, .. }
            if o == organization && g == group)
    }

    /// The organization the token is restricted to, if any.
    pub(crate) fn organization(&self) -> Option<&str> {
        match self {
            Restriction::Unrestricted => None,
            Restriction::Organization(organization) | Restriction::Group { organization, .. } => {
                Some(organization)
            }
        }
    }
}

/// Where a call comes from, as the audit log's `origin` says: Turso's CLI (by its
/// `User-Agent`, `turso-cli/...`), or anything else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Origin {
    Cli,
    #[default]
    Web,
}

impl Origin {
    /// The origin as the audit log writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Origin::Cli => "cli",
            Origin::Web => "web",
        }
    }
}

/// An authenticated caller: the user the token it sent belongs to, its restriction, and
/// where the call comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) username: String,
    pub(crate) restriction: Restriction,
    pub(crate) origin: Origin,
}

impl Caller {
    /// 403 unless the token may act inside `organization`.
    pub(crate) fn check_organization(&self, organization: &str) -> Result<(), ApiError> {
        match self.restriction.organization() {
            Some(allowed) if allowed != organization => Err(ApiError::forbidden(format!(
                "this token is restricted to the organization {allowed}"
            ))),
            _ => Ok(()),
        }
    }

    /// 403 unless the token may do `scope` on `group` of `organization`: an unrestricted
    /// or organization-scoped token may (inside its organization), a group-scoped one
    /// only on its group and with that scope. Whether the group exists is not looked at,
    /// so that a restricted token learns nothing of what is outside its reach.
    pub(crate) fn check_group(
        &self,
        organization: &str,
        group: &str,
        scope: Scope,
    ) -> Result<(), ApiError> {
        self.check_organization(organization)?;
        match &self.restriction {
            Restriction::Group {
                group: allowed,
                scopes,
                ..
            } => {
                if allowed != group {
                    Err(ApiError::forbidden(format!(
                        "this token is restricted to the group {allowed}"
                    )))
                } else if !scopes.contains(&scope) {
                    Err(ApiError::forbidden(format!(
                        "this token does not have the scope {scope}"
                    )))
                } else {
                    Ok(())
                }
            }
            Restriction::Unrestricted | Restriction::Organization(_) => Ok(()),
        }
    }

    /// Like [`check_group`](Caller::check_group) for a database of `organization` that
    /// is in `group`, or does not exist (`None`): a group-scoped token is refused both
    /// for a database of another group and for one that does not exist.
    pub(crate) fn check_database(
        &self,
        organization: &str,
        group: Option<&str>,
        scope: Scope,
    ) -> Result<(), ApiError> {
        match (group, &self.restriction) {
            (Some(group), _) => self.check_group(organization, group, scope),
            (None, Restriction::Group { group: allowed, .. }) => {
                self.check_organization(organization)?;
                Err(ApiError::forbidden(format!(
                    "this token is restricted to the group {allowed}"
                )))
            }
            (None, _) => self.check_organization(organization),
        }
    }

    /// The only group whose databases and settings the token may see, for a
    /// group-scoped token (which needs the `read` scope to see anything); `None` for the
    /// others, which see the whole organization. 403 for a token restricted elsewhere.
    pub(crate) fn visible_group(&self, organization: &str) -> Result<Option<&str>, ApiError> {
        self.check_organization(organization)?;
        match &self.restriction {
            Restriction::Group { group, .. } => {
                self.check_group(organization, group, Scope::Read)?;
                Ok(Some(group))
            }
            Restriction::Unrestricted | Restriction::Organization(_) => Ok(None),
        }
    }

    /// 403 unless the token may act on the organization as a whole (create or delete
    /// groups, transfer them): a group-scoped token has no scope for that.
    pub(crate) fn check_whole_organization(&self, organization: &str) -> Result<(), ApiError> {
        self.check_organization(organization)?;
        match &self.restriction {
            Restriction::Group { group, .. } => Err(ApiError::forbidden(format!(
                "this token is restricted to the group {group}: it cannot act on the \
                 organization as a whole (create, delete or transfer groups, manage members, \
                 invites or settings, read billing or the audit log)"
            ))),
            Restriction::Unrestricted | Restriction::Organization(_) => Ok(()),
        }
    }

    /// 403 unless the token may list, mint or revoke platform API tokens: only an
    /// unrestricted token may. Turso's docs do not say what a restricted token may do
    /// with other API tokens; the fake takes the strictest reading, since a token that
    /// can mint tokens can escape its own restriction and one that can revoke them can
    /// lock its organization out.
    pub(crate) fn check_manages_tokens(&self) -> Result<(), ApiError> {
        match &self.restriction {
            Restriction::Unrestricted => Ok(()),
            Restriction::Organization(organization) => Err(ApiError::forbidden(format!(
                "this token is restricted to the organization {organization}: it cannot \
                 list, mint or revoke API tokens"
            ))),
            Restriction::Group { group, .. } => Err(ApiError::forbidden(format!(
                "this token is restricted to the group {group}: it cannot list, mint or \
                 revoke API tokens"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrictions_bound_what_a_token_may_do() {
        let org = Caller {
            username: "u".into(),
            restriction: Restriction::Organization("o".into()),
            origin: Origin::Web,
        };
        let group = Caller {
            username: "u".into(),
            restriction: Restriction::Group {
                organization: "o".into(),
                group: "g".into(),
                scopes: vec![Scope::DbMintToken],
            },
            origin: Origin::Web,
        };
        let free = Caller {
            username: "u".into(),
            restriction: Restriction::Unrestricted,
            origin: Origin::Web,
        };
        assert!(free.check_group("x", "y", Scope::GroupRotateCreds).is_ok());
        assert!(org.check_group("o", "any", Scope::DbDelete).is_ok());
        assert!(org.check_organization("p").is_err());
        assert!(group.check_group("o", "g", Scope::DbMintToken).is_ok());
        assert!(group.check_group("o", "g", Scope::DbRotateCreds).is_err());
        assert!(group.check_group("o", "h", Scope::DbMintToken).is_err());
        assert!(
            group
                .check_database("o", Some("g"), Scope::DbMintToken)
                .is_ok()
        );
        assert!(group.check_database("o", None, Scope::DbMintToken).is_err());
        assert!(org.check_database("o", None, Scope::DbMintToken).is_ok());
        assert!(org.check_database("p", None, Scope::DbMintToken).is_err());
        assert!(free.check_manages_tokens().is_ok());
        assert!(org.check_manages_tokens().is_err());
        assert!(group.check_manages_tokens().is_err());
    }
}
