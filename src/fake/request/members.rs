//! The bodies of the member and invite operations.

use serde::Deserialize;

use super::present;
use crate::MemberRole;
use crate::fake::answer::ApiError;

/// The body of `addOrganizationMember` (`AddMemberInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct AddMemberBody {
    pub(crate) username: String,
    #[serde(default = "member")]
    pub(crate) role: MemberRole,
}

/// The body of `updateMemberRole` (`UpdateMemberRoleInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateRoleBody {
    pub(crate) role: MemberRole,
}

/// The body of `inviteOrganizationMemberV2` (`InviteInput`), as sent.
#[derive(Debug, Deserialize)]
pub(crate) struct InviteRequest {
    #[serde(default, deserialize_with = "present")]
    email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    username: Option<String>,
    #[serde(default = "member")]
    role: MemberRole,
}

/// An invite, once checked: to whom, with which role.
#[derive(Debug)]
pub(crate) struct InviteBody {
    pub(crate) invitee: Invitee,
    pub(crate) role: MemberRole,
}

/// Who an invite is for.
#[derive(Debug)]
pub(crate) enum Invitee {
    Email(String),
    Username(String),
}

/// The longest email address (RFC 5321: a path of 256 octets, less its angle brackets).
const MAX_EMAIL: usize = 254;

fn member() -> MemberRole {
    MemberRole::Member
}

/// 400 for the owner role, which cannot be given.
pub(crate) fn assignable(role: MemberRole) -> Result<MemberRole, ApiError> {
    if role == MemberRole::Owner {
        Err(ApiError::bad_request(
            "invalid role: give admin, member or viewer (an organization has one owner)",
        ))
    } else {
        Ok(role)
    }
}

impl AddMemberBody {
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        if self.username.trim().is_empty() {
            return Err(ApiError::bad_request("the username is blank"));
        }
        assignable(self.role).map(drop)
    }
}

impl InviteRequest {
    /// Exactly one of `email` and `username`, a plausible address, a role that can be
    /// given.
    pub(crate) fn check(self) -> Result<InviteBody, ApiError> {
        let invitee = match (self.email, self.username) {
            (Some(email), None) => {
                let plausible = email
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
                if !plausible || email.chars().any(char::is_whitespace) {
                    return Err(ApiError::bad_request(
                        "invalid email: give an address such as ana@example.com",
                    ));
                }
                if email.len() > MAX_EMAIL {
                    return Err(ApiError::bad_request(format!(
                        "invalid email: an address has at most {MAX_EMAIL} characters"
                    )));
                }
                Invitee::Email(email)
            }
            (None, Some(username)) if !username.trim().is_empty() => Invitee::Username(username),
            _ => {
                return Err(ApiError::bad_request(
                    "give exactly one of email and username",
                ));
            }
        };
        Ok(InviteBody {
            invitee,
            role: assignable(self.role)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(json: &str) -> Result<(), String> {
        let request: InviteRequest = serde_json::from_str(json).map_err(|e| e.to_string())?;
        request
            .check()
            .map(drop)
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn invites_name_exactly_one_invitee_with_a_role_that_can_be_given() {
        assert_eq!(invite(r#"{"email":"ana@example.com"}"#), Ok(()));
        let longest = format!(r#"{{"email":"{}@example.com"}}"#, "a".repeat(242));
        assert_eq!(invite(&longest), Ok(()), "254 characters");
        assert_eq!(invite(r#"{"username":"ana","role":"admin"}"#), Ok(()));
        let too_long = format!(r#"{{"email":"{}@example.com"}}"#, "a".repeat(243));
        for bad in [
            r#"{}"#,
            r#"{"email":"ana@example.com","username":"ana"}"#,
            r#"{"email":"ana"}"#,
            r#"{"email":"@example.com"}"#,
            r#"{"email":"a na@example.com"}"#,
            r#"{"username":" "}"#,
            r#"{"email":null}"#,
            r#"{"email":"ana@example.com","role":"owner"}"#,
            r#"{"email":"ana@example.com","role":"superuser"}"#,
            &too_long,
        ] {
            assert!(invite(bad).is_err(), "{bad}");
        }
    }
}
