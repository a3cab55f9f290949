//! The operations on groups: list, create, read, delete, configure, transfer, unarchive,
//! their locations and their databases' version.

use crate::client::names::non_blank;
use crate::generated::types::{
    Group, GroupConfiguration, GroupConfigurationInput, TransferGroupInput,
};
use crate::transport::path::segment;
use crate::{Client, Ensured, Error, NewGroup};

impl Client {
    /// Lists the groups of the organization `org` (`listGroups`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for group in client.list_groups("my-org").await? {
    ///     println!("{} in {:?}", group.name, group.primary);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_groups(&self, org: &str) -> Result<Vec<Group>, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.list_groups(org)).await?;
        Ok(answer.groups)
    }

    /// Creates a group in the organization `org` (`createGroup`).
    ///
    /// A name that is taken is an error for which [`Error::is_name_taken`] holds (400,
    /// 409 or 422, as for [`create_database`](Client::create_database));
    /// [`ensure_group`](Client::ensure_group) creates it or finds it. The request is sent again only if
    /// it cannot have reached the server; if it may have, and no usable answer came back,
    /// the error is [`Error::MayExist`]: read the group before creating it again.
    ///
    /// ```no_run
    /// use turso_platform::NewGroup;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let group = client.create_group("my-org", &NewGroup::new("eu", "aws-eu-west-1")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_group(&self, org: &str, group: &NewGroup) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let body = group.to_body()?;
        let answer = call!(self.create_group(org, &body))
            .await
            .map_err(|e| e.or_may_exist("group", body.name))?;
        Ok(answer.group)
    }

    /// Creates the group as [`create_group`](Client::create_group) does, or finds it there
    /// as asked, and says which ([`Ensured`]), as
    /// [`ensure_database`](Client::ensure_database) does for databases: a group of that
    /// name whose primary is in another location is [`Error::TakenByAnother`].
    ///
    /// ```no_run
    /// use turso_platform::NewGroup;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let group = client.ensure_group("my-org", &NewGroup::new("eu", "aws-eu-west-1")).await?;
    /// println!("group {} (created now: {})", group.get().name, group.was_created());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn ensure_group(&self, org: &str, group: &NewGroup) -> Result<Ensured<Group>, Error> {
        crate::ensured::ensure(
            || self.create_group(org, group),
            || async {
                let found = self.get_group(org, group.name()).await?;
                let primary = found.primary.as_deref().unwrap_or_default();
                if primary != group.location() {
                    return Err(Error::TakenByAnother {
                        kind: "group",
                        name: found.name,
                        difference: format!(
                            "its primary is in {primary:?}, not {:?} as asked",
                            group.location()
                        ),
                    });
                }
                Ok(found)
            },
        )
        .await
    }

    /// The group `group` of the organization `org` (`getGroup`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let group = client.get_group("my-org", "default").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_group(&self, org: &str, group: &str) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let answer = call!(self.get_group(org, group)).await?;
        Ok(answer.group)
    }

    /// Deletes the group `group` of the organization `org` and every database in it
    /// (`deleteGroup`), and revokes the API tokens pinned to it; returns the group as it
    /// was. A group with delete protection on, or holding a database with delete
    /// protection on, is refused with [`Error::Api`] status 400.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, the error's [`may_have_taken_effect`](Error::may_have_taken_effect) is true:
    /// [`get_group`](Client::get_group) answers 404 once it is gone.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.delete_group("my-org", "eu").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_group(&self, org: &str, group: &str) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let answer = call!(self.delete_group(org, group)).await?;
        Ok(answer.group)
    }

    /// The configuration of the group `group` of the organization `org`
    /// (`getGroupConfiguration`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let configuration = client.get_group_configuration("my-org", "default").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_group_configuration(
        &self,
        org: &str,
        group: &str,
    ) -> Result<GroupConfiguration, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        call!(self.get_group_configuration(org, group)).await
    }

    /// Changes the configuration of the group `group` of the organization `org`
    /// (`updateGroupConfiguration`): the properties `changes` sets, and no other.
    ///
    /// ```no_run
    /// use turso_platform::GroupConfigurationInput;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let changes = GroupConfigurationInput::default().with_delete_protection(true);
    /// client.update_group_configuration("my-org", "default", &changes).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_group_configuration(
        &self,
        org: &str,
        group: &str,
        changes: &GroupConfigurationInput,
    ) -> Result<GroupConfiguration, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        call!(self.update_group_configuration(org, group, changes)).await
    }

    /// Moves the group `group`, with its databases, from the organization `org` to the
    /// organization `to` (`transferGroup`), and revokes the API tokens pinned to it.
    /// Returns the group, now in `to`.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, the error's [`may_have_taken_effect`](Error::may_have_taken_effect) is true:
    /// read the group in `to` before trying again.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let moved = client.transfer_group("my-org", "eu", "other-org").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transfer_group(&self, org: &str, group: &str, to: &str) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let body = TransferGroupInput {
            organization: non_blank("receiving organization", to)?.to_owned(),
        };
        call!(self.transfer_group(org, group, &body)).await
    }

    /// Wakes the group `group` of the organization `org`, archived for inactivity
    /// (`unarchiveGroup`). Harmless for a group that is not archived.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let group = client.unarchive_group("my-org", "default").await?;
    /// assert_eq!(group.archived, Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unarchive_group(&self, org: &str, group: &str) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let answer = call!(self.unarchive_group(org, group)).await?;
        Ok(answer.group)
    }

    /// Adds the location `location` to the group `group` of the organization `org`
    /// (`addLocationToGroup`): its databases get a replica there. A location the group
    /// has is refused with 400, an unknown one with 404.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.add_location_to_group("my-org", "default", "aws-eu-west-1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn add_location_to_group(
        &self,
        org: &str,
        group: &str,
        location: &str,
    ) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let location = segment("location", location)?;
        let answer = call!(self.add_location_to_group(org, group, location)).await?;
        Ok(answer.group)
    }

    /// Removes the location `location` from the group `group` of the organization `org`
    /// (`removeLocationFromGroup`), and its databases' replicas there. The primary
    /// location cannot be removed, nor one the group does not have (400); an unknown
    /// location answers 404.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.remove_location_from_group("my-org", "default", "aws-eu-west-1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn remove_location_from_group(
        &self,
        org: &str,
        group: &str,
        location: &str,
    ) -> Result<Group, Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        let location = segment("location", location)?;
        let answer = call!(self.remove_location_from_group(org, group, location)).await?;
        Ok(answer.group)
    }

    /// Updates every database of the group `group` of the organization `org` to the
    /// latest libSQL server version (`updateGroupDatabases`). Harmless to call twice.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.update_group_databases("my-org", "default").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_group_databases(&self, org: &str, group: &str) -> Result<(), Error> {
        let org = segment("organization", org)?;
        let group = segment("group", group)?;
        call!(self.update_group_databases(org, group)).await
    }
}
