//! The members of the fake's organizations and their invites. Only owners and admins
//! manage them; a personal organization has its owner only; the owner's role never
//! changes and the owner cannot be removed.

use super::{Invite, Organization, State, invite_key};
use crate::caller::Caller;
use crate::http::answer::ApiError;
use crate::http::{AddMemberBody, InviteBody, Invitee};
use turso_platform::AuditCode;
use turso_platform::MemberRole;
use turso_platform::Timestamp;
use turso_platform::generated::types;

/// The most pending invites an organization may have: a new one past it answers 400
/// (replacing the invite of an address already invited is always possible).
pub(crate) const MAX_PENDING_INVITES: usize = 1_000;

impl State {
    /// `listOrganizationMembers`, by username.
    pub(crate) fn list_organization_members(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::MemberList, ApiError> {
        let organization = self.administered(caller, slug, "list members")?;
        let members = organization
            .members
            .iter()
            .map(|(username, role)| self.member(username, *role))
            .collect::<Vec<_>>();
        Ok(types::MemberList::default().with_members(members))
    }

    /// `addOrganizationMember`: an existing user who is not a member yet.
    pub(crate) fn add_organization_member(
        &mut self,
        caller: &Caller,
        slug: &str,
        body: AddMemberBody,
    ) -> Result<types::AddedMember, ApiError> {
        let organization = self.administered(caller, slug, "add members")?;
        let Some(user) = self.users.get(&body.username) else {
            return Err(ApiError::not_found(format!(
                "could not find user {}",
                body.username
            )));
        };
        let email = user.email.clone();
        if organization.personal {
            return Err(personal(slug));
        }
        if organization.members.contains_key(&body.username) {
            return Err(ApiError::conflict(format!(
                "user {} is already a member of organization {slug}",
                body.username
            )));
        }
        let role = body.role;
        self.organization_mut(slug)?
            .admit(&body.username, role, &email);
        self.audit(
            slug,
            caller,
            AuditCode::OrgMemberAdd,
            [
                ("username", body.username.as_str()),
                ("role", role.as_str()),
            ],
        );
        Ok(types::AddedMember::default()
            .with_member(body.username)
            .with_role(role.as_str()))
    }

    /// `getOrganizationMember`.
    pub(crate) fn get_organization_member(
        &self,
        caller: &Caller,
        slug: &str,
        username: &str,
    ) -> Result<types::MemberAnswer, ApiError> {
        let organization = self.administered(caller, slug, "read members")?;
        let role = *organization
            .members
            .get(username)
            .ok_or_else(|| not_a_member(username, slug))?;
        Ok(types::MemberAnswer::default().with_member(self.member(username, role)))
    }

    /// `updateMemberRole`: any member's but the owner's, to any role but owner.
    pub(crate) fn update_member_role(
        &mut self,
        caller: &Caller,
        slug: &str,
        username: &str,
        role: MemberRole,
    ) -> Result<types::MemberAnswer, ApiError> {
        let organization = self.administered(caller, slug, "change members' roles")?;
        check_not_owner(
            &organization,
            username,
            slug,
            ": the owner's role cannot change",
        )?;
        self.organization_mut(slug)?
            .members
            .insert(username.to_owned(), role);
        Ok(types::MemberAnswer::default().with_member(self.member(username, role)))
    }

    /// `removeOrganizationMember`: anyone but the owner. Their API tokens restricted to
    /// the organization are revoked; their other tokens stop reaching it.
    pub(crate) fn remove_organization_member(
        &mut self,
        caller: &Caller,
        slug: &str,
        username: &str,
    ) -> Result<types::RemovedMember, ApiError> {
        // Even oneself: Turso's CLI reads a 403 here as "only organization admins or owners
        // can remove members", and the fake is strict where the docs are silent.
        let organization = self.administered(caller, slug, "remove members")?;
        check_not_owner(&organization, username, slug, " and cannot be removed")?;
        let code = if username == caller.username {
            AuditCode::OrgMemberLeave
        } else {
            AuditCode::OrgMemberRm
        };
        self.audit(slug, caller, code, [("username", username)]);
        self.organization_mut(slug)?.members.remove(username);
        self.tokens.revoke_owned_in(username, slug);
        Ok(types::RemovedMember::default().with_member(username.to_owned()))
    }

    /// `listOrganizationInvitesV2`, by email address.
    pub(crate) fn list_organization_invites(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::InviteList, ApiError> {
        let organization = self.administered(caller, slug, "list invites")?;
        let invites = organization
            .invites
            .iter()
            .map(|(email, invite)| {
                types::Invite::default()
                    .with_id(i64::try_from(invite.id).unwrap_or(i64::MAX))
                    .with_email(email.clone())
                    .with_role(invite.role.as_str())
                    .with_created_at(invite.created_at.clone())
            })
            .collect::<Vec<_>>();
        Ok(types::InviteList::default().with_invites(invites))
    }

    /// `inviteOrganizationMemberV2`: by email, or by username for an existing user;
    /// replaces a pending invite for the same address.
    pub(crate) fn invite_organization_member(
        &mut self,
        caller: &Caller,
        slug: &str,
        body: InviteBody,
    ) -> Result<types::InviteCreatedAnswer, ApiError> {
        let organization = self.administered(caller, slug, "invite members")?;
        // Addresses are compared, and kept, in lowercase.
        let email = match &body.invitee {
            Invitee::Email(email) => invite_key(email),
            Invitee::Username(username) => self
                .users
                .get(username)
                .map(|user| invite_key(&user.email))
                .ok_or_else(|| ApiError::not_found(format!("could not find user {username}")))?,
        };
        if organization.personal {
            return Err(personal(slug));
        }
        let already = organization.members.keys().any(|member| {
            self.users
                .get(member)
                .is_some_and(|user| invite_key(&user.email) == email)
        });
        if already {
            return Err(ApiError::conflict(format!(
                "{email} is already a member of organization {slug}"
            )));
        }
        if organization.invites.len() >= MAX_PENDING_INVITES
            && !organization.invites.contains_key(&email)
        {
            return Err(ApiError::bad_request(format!(
                "organization {slug} has {MAX_PENDING_INVITES} pending invites, the most it \
                 may have: withdraw some first"
            )));
        }
        let role = body.role;
        let record = self.organization_mut(slug)?;
        record.invites_sent += 1;
        let invite = Invite {
            id: record.invites_sent,
            role,
            created_at: Timestamp::now().to_string(),
        };
        record.invites.insert(email.clone(), invite);
        Ok(types::InviteCreatedAnswer::default().with_invited(
            types::InviteCreated::default()
                .with_email(email)
                .with_role(role.as_str())
                .with_organization(slug),
        ))
    }

    /// `deleteOrganizationInviteByEmailV2`.
    pub(crate) fn delete_organization_invite(
        &mut self,
        caller: &Caller,
        slug: &str,
        email: &str,
    ) -> Result<(), ApiError> {
        let organization = self.administered(caller, slug, "withdraw invites")?;
        let key = invite_key(email);
        if !organization.invites.contains_key(&key) {
            return Err(ApiError::not_found("invite not found"));
        }
        self.organization_mut(slug)?.invites.remove(&key);
        Ok(())
    }

    /// A member as the API answers them.
    fn member(&self, username: &str, role: MemberRole) -> types::Member {
        let mut member = types::Member::default()
            .with_username(username)
            .with_role(role.as_str());
        member.email = self.users.get(username).map(|user| user.email.clone());
        member
    }
}

/// 404 unless `username` is a member of `organization`, 400 if they own it (`refusal`
/// ends the message: the owner's role never changes).
fn check_not_owner(
    organization: &Organization,
    username: &str,
    slug: &str,
    refusal: &str,
) -> Result<(), ApiError> {
    match organization.members.get(username) {
        None => Err(not_a_member(username, slug)),
        Some(MemberRole::Owner) => Err(ApiError::bad_request(format!(
            "{username} owns organization {slug}{refusal}"
        ))),
        Some(_) => Ok(()),
    }
}

fn not_a_member(username: &str, slug: &str) -> ApiError {
    ApiError::not_found(format!("user {username} is not a member of org {slug}"))
}

fn personal(slug: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{slug} is a personal organization: it has no other members; create a team \
         organization to share databases"
    ))
}
