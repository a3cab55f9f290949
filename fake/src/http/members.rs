//! The HTTP side of the member and invite operations.

use super::{Extra, Operation, Shared};
use axum::extract::State;
use axum::response::Response;
use axum::routing::on;

use crate::http::answer::{self, ApiError};
use crate::http::extract::Authenticated;
use crate::http::extract::{Json, Names};
use serde::Deserialize;
use turso_platform::MemberRole;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[
    ("listOrganizationMembers", |m| {
        on(m, list_organization_members)
    }),
    ("addOrganizationMember", |m| on(m, add_organization_member)),
    ("getOrganizationMember", |m| on(m, get_organization_member)),
    ("updateMemberRole", |m| on(m, update_member_role)),
    ("removeOrganizationMember", |m| {
        on(m, remove_organization_member)
    }),
    ("listOrganizationInvitesV2", |m| {
        on(m, list_organization_invites)
    }),
    ("inviteOrganizationMemberV2", |m| {
        on(m, invite_organization_member)
    }),
    ("deleteOrganizationInviteByEmailV2", |m| {
        on(m, delete_organization_invite)
    }),
];

/// The routes beyond the spec this module serves: the v1 invites Turso's CLI calls, forms
/// of the spec's v2 ones.
pub(super) const EXTRA: &[Extra] = &[
    (
        "inviteOrganizationMemberV2",
        "POST",
        "/v1/organizations/{organizationSlug}/invite",
        |m| on(m, invite_organization_member),
    ),
    (
        "listOrganizationInvitesV2",
        "GET",
        "/v1/organizations/{organizationSlug}/invites",
        |m| on(m, list_organization_invites),
    ),
    (
        "deleteOrganizationInviteByEmailV2",
        "DELETE",
        "/v1/organizations/{organizationSlug}/invites/{email}",
        |m| on(m, delete_organization_invite),
    ),
];

pub(super) async fn list_organization_members(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_members(caller, &slug)
    })
}

pub(super) async fn add_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<AddMemberBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    app.respond(&caller, |state, caller| {
        state.add_organization_member(caller, &slug, body)
    })
}

pub(super) async fn get_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_organization_member(caller, &slug, &username)
    })
}

pub(super) async fn update_member_role(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
    Json(body): Json<UpdateRoleBody>,
) -> Result<Response, ApiError> {
    let role = assignable(body.role)?;
    app.respond(&caller, |state, caller| {
        state.update_member_role(caller, &slug, &username, role)
    })
}

pub(super) async fn remove_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, username)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.remove_organization_member(caller, &slug, &username)
    })
}

pub(super) async fn list_organization_invites(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_organization_invites(caller, &slug)
    })
}

pub(super) async fn invite_organization_member(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<InviteRequest>,
) -> Result<Response, ApiError> {
    let body = body.check()?;
    app.respond(&caller, |state, caller| {
        state.invite_organization_member(caller, &slug, body)
    })
}

pub(super) async fn delete_organization_invite(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, email)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.delete_organization_invite(caller, &slug, &email)
    })?;
    Ok(answer::empty())
}

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
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
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
