//! The roles of an organization's members.

use crate::codecs::wire_enum::wire_enum;

wire_enum! {
    /// The role of a member of an organization: what they may do there.
    ///
    /// `Display` and `FromStr` use the API's words. Members are listed with their role as
    /// the API's word ([`Member::role`](crate::Member::role)), so that a role this version
    /// does not know never fails a list; parse it to read a known one:
    ///
    /// ```
    /// use turso_platform::{Member, MemberRole};
    ///
    /// let member: Member = serde_json::from_str(
    ///     r#"{"username": "ana", "role": "admin", "email": "ana@example.com"}"#,
    /// ).unwrap();
    /// assert_eq!(member.role.parse(), Ok(MemberRole::Admin));
    /// assert_eq!(MemberRole::Viewer.to_string(), "viewer");
    /// ```
    ///
    /// [`MemberRole::Owner`] cannot be given through the API: the client refuses it
    /// before sending anything.
    pub enum MemberRole as "member role" {
        /// `owner`: owns the organization (one per organization); may do anything.
        Owner => "owner",
        /// `admin`: may do anything but delete the organization: manage members,
        /// invites, group-scoped API tokens and billing, transfer groups.
        Admin => "admin",
        /// `member`: may create, change and delete databases and groups, and mint
        /// tokens; may not manage members or invites.
        Member => "member",
        /// `viewer`: may only read, and mint read-only database and group tokens.
        Viewer => "viewer",
    }
}

impl MemberRole {
    /// `self`, if it can be given to a member: every role but the owner's.
    pub(crate) fn assignable(self) -> Result<Self, crate::Error> {
        if self == MemberRole::Owner {
            Err(crate::Error::InvalidArgument(
                "the owner role cannot be given through the API: give admin, member or \
                 viewer (an organization has one owner, who keeps it)"
                    .to_owned(),
            ))
        } else {
            Ok(self)
        }
    }
}
