//! The groups of the fake, and the locations they are placed in.
//!
//! A group's databases follow it: deleting the group deletes them (their tokens stop
//! working), transferring it moves them; either revokes the API tokens pinned to the
//! group, as Turso's docs say. Its locations are its databases' instances. A taken name
//! answers 400, as for databases.

use std::collections::BTreeMap;

use super::{Group, LOCATIONS, Organization, Plan, State, VERSION, group_not_found};
use crate::caller::Caller;
use crate::http::answer::ApiError;
use crate::http::{GroupConfigurationBody, NewGroupBody};
use turso_platform::AuditCode;
use turso_platform::Scope;
use turso_platform::generated::types;

impl State {
    /// `listLocations`.
    pub(crate) fn list_locations(&self) -> types::LocationList {
        let locations: BTreeMap<String, String> = LOCATIONS
            .iter()
            .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
            .collect();
        types::LocationList::default().with_locations(locations)
    }

    /// `listGroups`.
    pub(crate) fn list_groups(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::GroupList, ApiError> {
        let visible = caller.visible_group(slug)?;
        let groups = self
            .organization_of(caller, slug)?
            .organization
            .groups
            .iter()
            .filter(|(name, _)| visible.is_none_or(|group| *name == group))
            .map(|(name, record)| group(name, record))
            .collect::<Vec<_>>();
        Ok(types::GroupList::default().with_groups(groups))
    }

    /// `createGroup`: the body was checked; its location is checked here.
    pub(crate) fn create_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        body: NewGroupBody,
    ) -> Result<types::GroupAnswer, ApiError> {
        caller.check_whole_organization(slug)?;
        let organization = self.organization_of(caller, slug)?;
        organization.check_writes()?;
        known_location(&body.location)?;
        if organization.groups.contains_key(&body.name) {
            return Err(ApiError::bad_request("group with same name already exists"));
        }
        let mut record = Group::new(self.ids.next_uuid(), &body.location);
        record
            .ready_at
            .insert(body.location.clone(), self.ready_at());
        let answer = group(&body.name, &record);
        self.organization_mut(slug)?
            .groups
            .insert(body.name.clone(), record);
        self.audit(
            slug,
            caller,
            AuditCode::GroupCreate,
            [
                ("name", body.name.as_str()),
                ("location", body.location.as_str()),
            ],
        );
        Ok(types::GroupAnswer::default().with_group(answer))
    }

    /// The group `name` of `slug`, once the caller may do `scope` on it: 403 before 404
    /// for a restricted token.
    fn group_for(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        scope: Scope,
    ) -> Result<(&Organization, &Group), ApiError> {
        caller.check_group(slug, name, scope)?;
        let organization = self.organization_of(caller, slug)?.organization;
        let record = organization.groups.get(name).ok_or_else(group_not_found)?;
        Ok((organization, record))
    }

    /// The group `name` of `slug`, to change with `scope`: the caller's role must allow
    /// changes (403 before 404, as for restricted tokens).
    fn group_to_change(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        scope: Scope,
    ) -> Result<&mut Group, ApiError> {
        caller.check_group(slug, name, scope)?;
        self.organization_of(caller, slug)?.check_writes()?;
        self.organization_mut(slug)?
            .groups
            .get_mut(name)
            .ok_or_else(group_not_found)
    }

    /// `getGroup`.
    pub(crate) fn get_group(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        let (_, record) = self.group_for(caller, slug, name, Scope::Read)?;
        Ok(types::GroupAnswer::default().with_group(group(name, record)))
    }

    /// `deleteGroup`: with its databases, and the API tokens pinned to it. Refused (400)
    /// while the group, or one of its databases, is protected from deletion.
    pub(crate) fn delete_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        caller.check_whole_organization(slug)?;
        self.organization_of(caller, slug)?.check_writes()?;
        let (organization, record) = self.group_for(caller, slug, name, Scope::Read)?;
        if record.delete_protection {
            return Err(ApiError::bad_request(format!(
                "group {name} is protected from deletion: turn delete_protection off first"
            )));
        }
        if let Some((database, _)) = organization
            .databases
            .iter()
            .find(|(_, db)| db.group == name && db.configuration.delete_protection)
        {
            return Err(ApiError::bad_request(format!(
                "database {database} of group {name} is protected from deletion: turn its \
                 delete_protection off first"
            )));
        }
        let organization = self.organization_mut(slug)?;
        let record = organization
            .groups
            .remove(name)
            .ok_or_else(group_not_found)?;
        organization.databases.retain(|_, db| db.group != name);
        self.tokens.revoke_pinned_to(slug, name);
        self.audit(slug, caller, AuditCode::GroupDelete, [("name", name)]);
        Ok(types::GroupAnswer::default().with_group(group(name, &record)))
    }

    /// `getGroupConfiguration`.
    pub(crate) fn get_group_configuration(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::GroupConfiguration, ApiError> {
        let (_, record) = self.group_for(caller, slug, name, Scope::Read)?;
        Ok(types::GroupConfiguration::default().with_delete_protection(record.delete_protection))
    }

    /// `updateGroupConfiguration`.
    pub(crate) fn update_group_configuration(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        changes: GroupConfigurationBody,
    ) -> Result<types::GroupConfiguration, ApiError> {
        let record = self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        if let Some(protect) = changes.delete_protection {
            record.delete_protection = protect;
        }
        let answer =
            types::GroupConfiguration::default().with_delete_protection(record.delete_protection);
        // Turso logs protection changes only (`group-protect`, `group-unprotect`).
        if let Some(protect) = changes.delete_protection {
            let code = if protect {
                AuditCode::GroupProtect
            } else {
                AuditCode::GroupUnprotect
            };
            self.audit(slug, caller, code, [("name", name)]);
        }
        Ok(answer)
    }

    /// `transferGroup`: the group and its databases move to `to`, whose names must be
    /// free; the API tokens pinned to the group are revoked. Owners and admins of both
    /// organizations only.
    pub(crate) fn transfer_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        to: &str,
    ) -> Result<types::Group, ApiError> {
        caller.check_whole_organization(slug)?;
        caller.check_whole_organization(to)?;
        self.organization_of(caller, slug)?
            .check_administers("transfer groups")?;
        let target = self.organization_of(caller, to)?;
        target.check_administers("receive groups")?;
        let (source, _) = self.group_for(caller, slug, name, Scope::Read)?;
        if to == slug {
            return Err(ApiError::bad_request(format!(
                "group {name} is already in {to}"
            )));
        }
        if target.groups.contains_key(name) {
            return Err(ApiError::conflict(format!(
                "organization {to} already has a group named {name}"
            )));
        }
        let moving: Vec<String> = source
            .databases
            .iter()
            .filter(|(_, db)| db.group == name)
            .map(|(database, _)| database.clone())
            .collect();
        if let Some(taken) = moving.iter().find(|db| target.databases.contains_key(*db)) {
            return Err(ApiError::conflict(format!(
                "organization {to} already has a database named {taken}"
            )));
        }
        let source = self.organization_mut(slug)?;
        let record = source.groups.remove(name).ok_or_else(group_not_found)?;
        let databases: Vec<_> = moving
            .iter()
            .filter_map(|db| source.databases.remove_entry(db))
            .collect();
        let answer = group(name, &record);
        let target = self.organization_mut(to)?;
        target.groups.insert(name.to_owned(), record);
        target.databases.extend(databases);
        self.tokens.revoke_pinned_to(slug, name);
        Ok(answer)
    }

    /// `unarchiveGroup`.
    pub(crate) fn unarchive_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        let record = self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        record.archived = false;
        let answer = group(name, record);
        self.audit(slug, caller, AuditCode::GroupUnarchive, [("name", name)]);
        Ok(types::GroupAnswer::default().with_group(answer))
    }

    /// `addLocationToGroup`: a replica location, on a plan that has replicas.
    pub(crate) fn add_location_to_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        known_location(location)?;
        let ready_at = self.ready_at();
        let organization = self.organization_mut(slug)?;
        let plan = organization.plan;
        let record = organization
            .groups
            .get_mut(name)
            .ok_or_else(group_not_found)?;
        if record.locations.iter().any(|l| l == location) {
            return Err(ApiError::bad_request(format!(
                "group {name} is already in {location}"
            )));
        }
        if plan == Plan::Starter {
            return Err(ApiError::payment_required(
                "replicas are not available on the starter plan: upgrade to add a location",
            ));
        }
        record.locations.push(location.to_owned());
        record.ready_at.insert(location.to_owned(), ready_at);
        let answer = group(name, record);
        self.audit(
            slug,
            caller,
            AuditCode::InstanceCreate,
            [("group", name), ("location", location)],
        );
        Ok(types::GroupAnswer::default().with_group(answer))
    }

    /// `removeLocationFromGroup`: a replica location; the primary stays.
    pub(crate) fn remove_location_from_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        let record = self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        known_location(location)?;
        match record.locations.iter().position(|l| l == location) {
            None => Err(ApiError::bad_request(format!(
                "group {name} is not in {location}"
            ))),
            Some(0) => Err(ApiError::bad_request(format!(
                "{location} is the primary location of group {name}: it cannot be removed"
            ))),
            Some(index) => {
                record.locations.remove(index);
                record.ready_at.remove(location);
                let answer = group(name, record);
                self.audit(
                    slug,
                    caller,
                    AuditCode::InstanceDelete,
                    [("group", name), ("location", location)],
                );
                Ok(types::GroupAnswer::default().with_group(answer))
            }
        }
    }

    /// `updateGroupDatabases`.
    pub(crate) fn update_group_databases(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        Ok(())
    }

    /// `POST …/groups/{g}/rename` (Turso's CLI's `group rename`): its databases follow,
    /// and so do the API tokens pinned to it (pinned to the group, not to its name). A
    /// name that is taken answers 400, as for a create.
    pub(crate) fn rename_group(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        new: &str,
    ) -> Result<types::GroupAnswer, ApiError> {
        crate::http::check_name("group", new)?;
        caller.check_whole_organization(slug)?;
        self.group_to_change(caller, slug, name, Scope::GroupConfigure)?;
        let organization = self.organization_mut(slug)?;
        if organization.groups.contains_key(new) {
            return Err(ApiError::bad_request("group with same name already exists"));
        }
        let record = organization
            .groups
            .remove(name)
            .ok_or_else(group_not_found)?;
        let answer = group(new, &record);
        organization.groups.insert(new.to_owned(), record);
        for database in organization.databases.values_mut() {
            if database.group == name {
                database.group = new.to_owned();
            }
        }
        self.tokens.rename_pinned(slug, name, new);
        Ok(types::GroupAnswer::default().with_group(answer))
    }

    /// `GET …/groups/{g}/locations/{loc}/wait` (Turso's CLI, after adding a location):
    /// when the group's instances in `location` are ready (Unix milliseconds; 404 if the
    /// group is not there).
    pub(crate) fn wait_for_group_location(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<u64, ApiError> {
        let (_, record) = self.group_for(caller, slug, name, Scope::Read)?;
        if record.locations.iter().any(|l| l == location) {
            Ok(record.ready_at.get(location).copied().unwrap_or(0))
        } else {
            Err(ApiError::not_found(format!(
                "group {name} is not in {location}"
            )))
        }
    }

    /// `GET /v1/locations/{code}`: the location, and the others closest to it (the
    /// others of its provider, in the fake).
    pub(crate) fn get_location(&self, code: &str) -> Result<serde_json::Value, ApiError> {
        known_location(code)?;
        let describe =
            |code: &str, name: &str| serde_json::json!({"code": code, "description": name});
        let provider = code.split('-').next().unwrap_or_default();
        let closest: Vec<_> = LOCATIONS
            .iter()
            .filter(|(other, _)| *other != code && other.split('-').next() == Some(provider))
            .map(|(other, name)| describe(other, name))
            .collect();
        let name = LOCATIONS
            .iter()
            .find(|(other, _)| *other == code)
            .map_or("", |(_, name)| *name);
        let mut location = describe(code, name);
        location["closest"] = closest.into();
        Ok(serde_json::json!({ "location": location }))
    }

    /// `GET /v2/locations`: the locations by provider, as Turso's CLI reads them.
    pub(crate) fn list_locations_by_provider(&self) -> serde_json::Value {
        let mut providers = serde_json::Map::new();
        for (code, name) in LOCATIONS {
            let provider = code.split('-').next().unwrap_or_default();
            let entry = providers
                .entry(provider)
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            entry[*code] = (*name).into();
        }
        serde_json::json!({ "locations": providers })
    }
}

/// 404 unless the fake offers `location`.
fn known_location(location: &str) -> Result<(), ApiError> {
    if super::is_location(location) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "location {location} not found: list them with listLocations"
        )))
    }
}

/// A group as the API answers it.
fn group(name: &str, record: &Group) -> types::Group {
    let mut answer = types::Group::default()
        .with_name(name)
        .with_uuid(record.id.clone())
        .with_version(VERSION)
        .with_locations(record.locations.clone())
        .with_delete_protection(record.delete_protection)
        .with_archived(record.archived);
    if let Some(primary) = record.locations.first() {
        answer = answer.with_primary(primary.clone());
    }
    answer
}
