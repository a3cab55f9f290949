//! Options for the member operations: an invite to send.

use crate::generated::types::InviteInput;
use crate::transport::path::segment;
use crate::{Error, MemberRole};

/// An invite to send with [`Client::invite_organization_member_v2`]: to an email address
/// or to an existing Turso user, with a role ([`MemberRole::Member`] unless you say
/// otherwise).
///
/// ```
/// use turso_platform::{MemberRole, NewInvite};
///
/// let by_email = NewInvite::email("ana@example.com");
/// let by_username = NewInvite::username("ana").role(MemberRole::Admin);
/// ```
///
/// [`Client::invite_organization_member_v2`]: crate::Client::invite_organization_member_v2
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInvite {
    invitee: Invitee,
    role: Option<MemberRole>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Invitee {
    Email(String),
    Username(String),
}

impl NewInvite {
    /// An invite sent to this email address; someone without a Turso account gets a
    /// sign-up link.
    ///
    /// ```
    /// let invite = turso_platform::NewInvite::email("ana@example.com");
    /// assert_eq!(invite.invitee(), "ana@example.com");
    /// ```
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            invitee: Invitee::Email(email.into()),
            role: None,
        }
    }

    /// An invite for an existing Turso user, by username.
    ///
    /// ```
    /// let invite = turso_platform::NewInvite::username("ana");
    /// assert_eq!(invite.invitee(), "ana");
    /// ```
    pub fn username(username: impl Into<String>) -> Self {
        Self {
            invitee: Invitee::Username(username.into()),
            role: None,
        }
    }

    /// The role the invite gives; not [`MemberRole::Owner`], which the client refuses.
    ///
    /// ```
    /// use turso_platform::{MemberRole, NewInvite};
    ///
    /// let invite = NewInvite::email("ana@example.com").role(MemberRole::Viewer);
    /// ```
    pub fn role(mut self, role: MemberRole) -> Self {
        self.role = Some(role);
        self
    }

    /// The email address or username the invite is for.
    ///
    /// ```
    /// assert_eq!(turso_platform::NewInvite::username("ana").invitee(), "ana");
    /// ```
    pub fn invitee(&self) -> &str {
        match &self.invitee {
            Invitee::Email(text) | Invitee::Username(text) => text,
        }
    }

    /// The request body, once checked.
    pub(crate) fn to_body(&self) -> Result<InviteInput, Error> {
        let role = self.role.map(MemberRole::assignable).transpose()?;
        let mut body = InviteInput::default();
        match &self.invitee {
            // Checked as the path segments they are when the invite is withdrawn
            // (by email) or the member read (by username): an invite that could not be
            // withdrawn is never sent, and an error never holds an unbounded name.
            Invitee::Email(email) => {
                segment("email address", email)?;
                body.email = Some(email.clone());
            }
            Invitee::Username(username) => {
                segment("username", username)?;
                body.username = Some(username.clone());
            }
        }
        body.role = role;
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_name_exactly_one_invitee_and_never_the_owner_role() {
        let body = NewInvite::email("ana@example.com").to_body().unwrap();
        assert_eq!(body.email.as_deref(), Some("ana@example.com"));
        assert_eq!((body.username, body.role), (None, None));
        let body = NewInvite::username("ana")
            .role(MemberRole::Admin)
            .to_body()
            .unwrap();
        assert_eq!(body.username.as_deref(), Some("ana"));
        assert_eq!((body.email, body.role), (None, Some(MemberRole::Admin)));
        for refused in [
            NewInvite::email(" "),
            NewInvite::username(""),
            NewInvite::email("ana@example.com").role(MemberRole::Owner),
        ] {
            assert!(
                matches!(refused.to_body(), Err(Error::InvalidArgument(_))),
                "{refused:?}"
            );
        }
    }
}
