//! The operations on an organization's members and invites.

use crate::generated::types::{
    AddMemberInput, AddedMember, Invite, InviteCreated, Member, UpdateMemberRoleInput,
};
use crate::transport::path::segment;
use crate::{Client, Error, MemberRole, NewInvite};

impl Client {
    /// The members of the organization `org` and their roles
    /// (`listOrganizationMembers`). Only owners and admins may.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for member in client.list_organization_members("my-org").await? {
    ///     println!("{} is {}", member.username, member.role);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_members(&self, org: &str) -> Result<Vec<Member>, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.list_organization_members(org)).await?;
        Ok(answer.members)
    }

    /// Adds the existing Turso user `username` to the organization `org` with `role`
    /// (`addOrganizationMember`); [`MemberRole::Owner`] is refused before anything is
    /// sent. Only owners and admins may; a user who is already a member is an error for
    /// which [`Error::is_name_taken`] holds.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, and no usable answer came back, the error is [`Error::MayExist`]: read the
    /// member ([`get_organization_member`](Client::get_organization_member)) before
    /// adding them again.
    ///
    /// ```no_run
    /// use turso_platform::MemberRole;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.add_organization_member("my-org", "ana", MemberRole::Member).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn add_organization_member(
        &self,
        org: &str,
        username: &str,
        role: MemberRole,
    ) -> Result<AddedMember, Error> {
        let org = segment("organization", org)?;
        // Checked as the path segment it is in the other member operations, so that the
        // member can be read (and removed) by that name.
        segment("username", username)?;
        let body = AddMemberInput::default()
            .with_username(username)
            .with_role(role.assignable()?);
        call!(self.add_organization_member(org, &body))
            .await
            .map_err(|e| e.or_may_exist("member", username))
    }

    /// The member `username` of the organization `org` (`getOrganizationMember`). Only
    /// owners and admins may; someone who is not a member is [`Error::Api`] with status
    /// 404.
    ///
    /// ```no_run
    /// use turso_platform::MemberRole;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let member = client.get_organization_member("my-org", "ana").await?;
    /// let is_admin = member.role.parse() == Ok(MemberRole::Admin);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization_member(
        &self,
        org: &str,
        username: &str,
    ) -> Result<Member, Error> {
        let org = segment("organization", org)?;
        let username = segment("username", username)?;
        let answer = call!(self.get_organization_member(org, username)).await?;
        Ok(answer.member)
    }

    /// Gives the member `username` of the organization `org` the role `role`
    /// (`updateMemberRole`); [`MemberRole::Owner`] is refused before anything is sent, and
    /// the owner's role cannot be changed. Only owners and admins may.
    ///
    /// ```no_run
    /// use turso_platform::MemberRole;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let member = client.update_member_role("my-org", "ana", MemberRole::Admin).await?;
    /// assert_eq!(member.role, "admin");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_member_role(
        &self,
        org: &str,
        username: &str,
        role: MemberRole,
    ) -> Result<Member, Error> {
        let org = segment("organization", org)?;
        let username = segment("username", username)?;
        let body = UpdateMemberRoleInput {
            role: role.assignable()?,
        };
        let answer = call!(self.update_member_role(org, username, &body)).await?;
        Ok(answer.member)
    }

    /// Removes the member `username` from the organization `org`
    /// (`removeOrganizationMember`): their API tokens stop reaching it. Returns their
    /// username. The owner cannot be removed. Only owners and admins may.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, the error's [`may_have_taken_effect`](Error::may_have_taken_effect) is true:
    /// [`get_organization_member`](Client::get_organization_member) answers 404 once they
    /// are gone.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.remove_organization_member("my-org", "ana").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn remove_organization_member(
        &self,
        org: &str,
        username: &str,
    ) -> Result<String, Error> {
        let org = segment("organization", org)?;
        let username = segment("username", username)?;
        let answer = call!(self.remove_organization_member(org, username)).await?;
        Ok(answer.member)
    }

    /// The pending invites of the organization `org` (`listOrganizationInvitesV2`). Only
    /// owners and admins may.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for invite in client.list_organization_invites_v2("my-org").await? {
    ///     println!("{:?} as {:?}", invite.email, invite.role);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_invites_v2(&self, org: &str) -> Result<Vec<Invite>, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.list_organization_invites_v2(org)).await?;
        Ok(answer.invites)
    }

    /// Invites someone to the organization `org` (`inviteOrganizationMemberV2`): an
    /// email address gets a sign-up link if it has no Turso account; a pending invite for
    /// the same address is replaced. Only owners and admins may.
    ///
    /// Each request sends an email, so it is sent again only if it cannot have reached the
    /// server; if it may have, and no usable answer came back, the error is
    /// [`Error::MayExist`]: list the invites
    /// ([`list_organization_invites_v2`](Client::list_organization_invites_v2)) before
    /// inviting again.
    ///
    /// ```no_run
    /// use turso_platform::{MemberRole, NewInvite};
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let invite = NewInvite::email("ana@example.com").role(MemberRole::Viewer);
    /// client.invite_organization_member_v2("my-org", &invite).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invite_organization_member_v2(
        &self,
        org: &str,
        invite: &NewInvite,
    ) -> Result<InviteCreated, Error> {
        let org = segment("organization", org)?;
        let body = invite.to_body()?;
        let answer = call!(self.invite_organization_member_v2(org, &body))
            .await
            .map_err(|e| e.or_may_exist("invite", invite.invitee()))?;
        Ok(answer.invited)
    }

    /// Withdraws the pending invite of the organization `org` sent to `email`
    /// (`deleteOrganizationInviteByEmailV2`). Only owners and admins may; no such invite
    /// is [`Error::Api`] with status 404.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, the error's [`may_have_taken_effect`](Error::may_have_taken_effect) is true.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.delete_organization_invite_by_email_v2("my-org", "ana@example.com").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_organization_invite_by_email_v2(
        &self,
        org: &str,
        email: &str,
    ) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let email = segment("email address", email)?;
        call!(self.delete_organization_invite_by_email_v2(org, email)).await
    }
}
