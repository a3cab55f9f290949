//! The databases of the fake: listed, created, read, deleted and configured, with their
//! instances, usage and top queries.
//!
//! Names are unique per organization: a taken name answers 400 `database with same name
//! already exists`, as Turso answers today (its spec says 409, its CLI reads 422). A
//! database copied from another (a `database` seed) is a branch: its `parent` is the
//! source.

use std::time::SystemTime;

use super::{
    Configuration, Database, Group, Organization, State, VERSION, database_not_found,
    group_not_found,
};
use crate::caller::Caller;
use crate::http::answer::ApiError;
use crate::http::{ConfigurationBody, DatabaseQuery, NewDatabaseBody, UsageQuery, seed_time};
use crate::ids::derived_uuid;
use turso_platform::AuditCode;
use turso_platform::Scope;
use turso_platform::Timestamp;
use turso_platform::generated::types;

impl State {
    /// `listDatabases`.
    pub(crate) fn list_databases(
        &self,
        caller: &Caller,
        slug: &str,
        query: &DatabaseQuery,
    ) -> Result<types::DatabaseList, ApiError> {
        let visible = caller.visible_group(slug)?;
        let organization = self.organization_of(caller, slug)?;
        if let Some(group) = &query.group {
            caller.check_group(slug, group, Scope::Read)?;
            if !organization.groups.contains_key(group) {
                return Err(group_not_found());
            }
        }
        // The databases the filters name, by ID or by name, are within reach (403 before
        // anything is looked up): what is outside it, existing or not, is not revealed.
        if let Some(parent) = &query.parent {
            let record = organization.databases.values().find(|db| &db.id == parent);
            caller.check_database(slug, record.map(|db| db.group.as_str()), Scope::Read)?;
        }
        if let Some(schema) = &query.schema {
            let record = organization.databases.get(schema);
            caller.check_database(slug, record.map(|db| db.group.as_str()), Scope::Read)?;
        }
        let mut listed = organization
            .databases
            .iter()
            // A page starts at its cursor, a name (the list is by name).
            .filter(|(name, _)| query.cursor.as_ref().is_none_or(|from| *name >= from))
            .filter(|(_, db)| visible.is_none_or(|group| db.group == group))
            .filter(|(_, db)| query.group.as_ref().is_none_or(|group| &db.group == group))
            .filter(|(_, db)| {
                query
                    .parent
                    .as_ref()
                    .is_none_or(|id| db.parent.as_ref().is_some_and(|(parent, ..)| parent == id))
            })
            .filter(|(_, db)| {
                query
                    .schema
                    .as_ref()
                    .is_none_or(|schema| db.schema.as_ref() == Some(schema))
            });
        let databases = listed
            .by_ref()
            .take(query.limit.unwrap_or(usize::MAX))
            .map(|(name, db)| database(name, db, &organization, self.hostname(db.port)))
            .collect::<Vec<_>>();
        let mut answer = types::DatabaseList::default().with_databases(databases);
        if query.limit.is_some() {
            let mut pagination = types::DatabasePagination::default();
            pagination.next = listed.next().map(|(name, _)| name.clone());
            answer = answer.with_pagination(pagination);
        }
        Ok(answer)
    }

    /// `createDatabase`: the body was checked; what it names is checked here.
    /// `createDatabase`, for a database served on `port`.
    pub(crate) fn create_database(
        &mut self,
        caller: &Caller,
        slug: &str,
        body: NewDatabaseBody,
        port: u16,
    ) -> Result<types::CreatedDatabaseAnswer, ApiError> {
        caller.check_group(slug, &body.group, Scope::DbCreate)?;
        let organization = self.organization_of(caller, slug)?;
        organization.check_writes()?;
        if !organization.groups.contains_key(&body.group) {
            // 400, as Turso's spec documents it for a create (not the 404 of a lookup).
            return Err(ApiError::bad_request("group not found"));
        }
        if organization.databases.contains_key(&body.name) {
            return Err(ApiError::bad_request(
                "database with same name already exists",
            ));
        }
        let parent = match &body.seed {
            Some(seed) => match &seed.name {
                Some(source) => {
                    // A copy reads its source: 403 before 404 for a token that may not.
                    let record = organization.databases.get(source);
                    caller.check_database(slug, record.map(|db| db.group.as_str()), Scope::Read)?;
                    let record = record.ok_or_else(|| database_not_found(source))?;
                    let at = match &seed.timestamp {
                        Some(at) => seed_time(at)?,
                        None => SystemTime::now(),
                    };
                    Some((
                        record.id.clone(),
                        source.clone(),
                        Timestamp::from(at).to_string(),
                    ))
                }
                None => None,
            },
            None => None,
        };
        let id = self.ids.next_uuid();
        let mut record = Database::new(id.clone(), &body.group);
        record.ready_at = self.ready_at();
        record.port = port;
        record.parent = parent;
        record.configuration.size_limit = body.size_limit.filter(|limit| !limit.is_empty());
        record.encryption_cipher = body
            .remote_encryption
            .as_ref()
            .and_then(|encryption| encryption.cipher())
            .map(str::to_owned);
        record.is_schema = body.is_schema.unwrap_or(false);
        record.schema = body.schema.filter(|schema| !schema.is_empty());
        let organization = self.organization_mut(slug)?;
        organization.databases.insert(body.name.clone(), record);
        self.audit(
            slug,
            caller,
            AuditCode::DbCreate,
            [("name", body.name.as_str()), ("group", body.group.as_str())],
        );
        Ok(types::CreatedDatabaseAnswer::default().with_database(
            types::CreatedDatabase::default()
                .with_db_id(id)
                .with_hostname(self.hostname(port))
                .with_name(body.name)
                .with_issued_cert_count(0)
                .with_issued_cert_limit(0),
        ))
    }

    /// The database `name` of `slug`, once the caller may do `scope` on it: 403 before
    /// 404 for a restricted token, so that it learns nothing outside its reach.
    fn database_for(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        scope: Scope,
    ) -> Result<(&Organization, &Database), ApiError> {
        let organization = self.organization_of(caller, slug)?.organization;
        let record = organization.databases.get(name);
        caller.check_database(slug, record.map(|db| db.group.as_str()), scope)?;
        let record = record.ok_or_else(|| database_not_found(name))?;
        Ok((organization, record))
    }

    /// The database `name` of `slug`, to change with `scope`: the caller's role must allow
    /// changes (403 before 404, as for restricted tokens).
    fn database_to_change(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        scope: Scope,
    ) -> Result<(&Organization, &Database), ApiError> {
        self.organization_of(caller, slug)?.check_writes()?;
        self.database_for(caller, slug, name, scope)
    }

    /// `getDatabase`.
    pub(crate) fn get_database(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::DatabaseAnswer, ApiError> {
        let (organization, record) = self.database_for(caller, slug, name, Scope::Read)?;
        Ok(types::DatabaseAnswer::default().with_database(database(
            name,
            record,
            organization,
            self.hostname(record.port),
        )))
    }

    /// Undoes the create of the database `id` that could not be served (no port or file
    /// descriptor left): its record and the audit entry of its create go, as if the
    /// create had not happened.
    pub(crate) fn forget_created_database(&mut self, id: &str) {
        for organization in self.organizations.values_mut() {
            let Some(name) = organization
                .databases
                .iter()
                .find(|(_, db)| db.id == id)
                .map(|(name, _)| name.clone())
            else {
                continue;
            };
            organization.databases.remove(&name);
            organization.forget_newest_audit_entry(&AuditCode::DbCreate, &name);
            return;
        }
    }

    /// `deleteDatabase`: refused (400) while its delete protection is on.
    pub(crate) fn delete_database(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::DeletedDatabase, ApiError> {
        let (_, record) = self.database_to_change(caller, slug, name, Scope::DbDelete)?;
        if record.configuration.delete_protection {
            return Err(ApiError::bad_request(format!(
                "database {name} is protected from deletion: turn delete_protection off first"
            )));
        }
        self.organization_mut(slug)?.databases.remove(name);
        self.audit(slug, caller, AuditCode::DbDelete, [("name", name)]);
        Ok(types::DeletedDatabase::default().with_database(name.to_owned()))
    }

    /// `getDatabaseConfiguration`.
    pub(crate) fn get_database_configuration(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::DatabaseConfiguration, ApiError> {
        let (_, record) = self.database_for(caller, slug, name, Scope::Read)?;
        Ok(record.configuration.answer())
    }

    /// `updateDatabaseConfiguration`: what the body names changes, the rest stays.
    pub(crate) fn update_database_configuration(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        changes: ConfigurationBody,
    ) -> Result<types::DatabaseConfiguration, ApiError> {
        self.database_to_change(caller, slug, name, Scope::DbConfigure)?;
        let record = self
            .organization_mut(slug)?
            .databases
            .get_mut(name)
            .ok_or_else(|| database_not_found(name))?;
        let configuration = &mut record.configuration;
        if let Some(limit) = changes.size_limit {
            // `""`, as `getDatabaseConfiguration` answers it, is no limit.
            configuration.size_limit = Some(limit).filter(|limit| !limit.is_empty());
        }
        let flags = [
            (changes.allow_attach, &mut configuration.allow_attach),
            (changes.block_reads, &mut configuration.block_reads),
            (changes.block_writes, &mut configuration.block_writes),
            (
                changes.delete_protection,
                &mut configuration.delete_protection,
            ),
        ];
        for (change, flag) in flags {
            if let Some(value) = change {
                *flag = value;
            }
        }
        if let Some(ips) = changes.allowed_ips {
            configuration.allowed_ips = ips;
        }
        if let Some(ids) = changes.allowed_aws_vpc_ids {
            configuration.allowed_aws_vpc_ids = ids;
        }
        let answer = configuration.answer();
        // Turso logs protection changes only (`db-protect`, `db-unprotect`).
        if let Some(protect) = changes.delete_protection {
            let code = if protect {
                AuditCode::DbProtect
            } else {
                AuditCode::DbUnprotect
            };
            self.audit(slug, caller, code, [("name", name)]);
        }
        Ok(answer)
    }

    /// `listDatabaseInstances`: one per location of the database's group.
    pub(crate) fn list_database_instances(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::InstanceList, ApiError> {
        let (organization, record) = self.database_for(caller, slug, name, Scope::Read)?;
        let group = group_of(organization, record)?;
        let instances = group
            .locations
            .iter()
            .map(|location| instance(record, group, location, self.hostname(record.port)))
            .collect::<Vec<_>>();
        Ok(types::InstanceList::default().with_instances(instances))
    }

    /// `getDatabaseInstance`: the instance in `location`, if the group is there.
    pub(crate) fn get_database_instance(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<types::InstanceAnswer, ApiError> {
        let (organization, record) = self.database_for(caller, slug, name, Scope::Read)?;
        let group = group_of(organization, record)?;
        if !group.locations.iter().any(|l| l == location) {
            return Err(ApiError::not_found(format!(
                "could not find instance {location} of database {name}: record not found"
            )));
        }
        Ok(types::InstanceAnswer::default().with_instance(instance(
            record,
            group,
            location,
            self.hostname(record.port),
        )))
    }

    /// When the instance of `name` in `location` is ready (Unix milliseconds), for
    /// `GET …/instances/{i}/wait`: when both the database and its group's location are.
    pub(crate) fn instance_ready_at(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<u64, ApiError> {
        self.get_database_instance(caller, slug, name, location)?;
        let (organization, record) = self.database_for(caller, slug, name, Scope::Read)?;
        let group = group_of(organization, record)?;
        let location_ready = group.ready_at.get(location).copied().unwrap_or(0);
        Ok(record.ready_at.max(location_ready))
    }

    /// `getDatabaseUsage`: see [`usage`].
    pub(crate) fn get_database_usage(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
        _period: &UsageQuery,
    ) -> Result<types::DatabaseUsageAnswer, ApiError> {
        let (organization, record) = self.database_for(caller, slug, name, Scope::Read)?;
        Ok(types::DatabaseUsageAnswer::default()
            .with_database(super::usage::usage(record, group_of(organization, record)?)))
    }

    /// The ID of the database `name`, for a caller who may change it (`POST …/seed`).
    pub(crate) fn database_to_seed(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        let (_, record) = self.database_to_change(caller, slug, name, Scope::DbConfigure)?;
        Ok(record.id.clone())
    }

    /// `getDatabaseStats`: the queries that read and wrote the most rows.
    pub(crate) fn get_database_stats(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<types::DatabaseStats, ApiError> {
        let (_, record) = self.database_for(caller, slug, name, Scope::Read)?;
        Ok(types::DatabaseStats::default().with_top_queries(super::usage::top_queries(record)))
    }

    /// The group of the database `name`, which the caller may read.
    pub(crate) fn database_group(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        let (_, record) = self.database_for(caller, slug, name, Scope::Read)?;
        Ok(record.group.clone())
    }

    /// `GET …/databases/{db}/usage/queries` (Turso's CLI's `db inspect --queries`): the
    /// top queries, as a bare list.
    pub(crate) fn list_top_queries(
        &self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<Vec<types::QueryStats>, ApiError> {
        Ok(self.get_database_stats(caller, slug, name)?.top_queries)
    }

    /// `POST …/databases/{db}/transfer` (Turso's CLI's `org db-transfer`): the database
    /// moves, with its data and configuration, to the group of the same name of the
    /// organization `to` (which must have one: the fake's databases live in groups).
    /// Owners and admins of both; its tokens stop working (its ID is kept, its
    /// organization changes).
    pub(crate) fn transfer_database(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        to: &str,
    ) -> Result<(), ApiError> {
        caller.check_whole_organization(slug)?;
        caller.check_whole_organization(to)?;
        self.organization_of(caller, slug)?
            .check_administers("transfer databases")?;
        let target = self.organization_of(caller, to)?;
        target.check_administers("receive databases")?;
        let (_, record) = self.database_for(caller, slug, name, Scope::Read)?;
        if to == slug {
            return Err(ApiError::bad_request(format!(
                "database {name} is already in {to}"
            )));
        }
        if !target.groups.contains_key(&record.group) {
            return Err(ApiError::bad_request(format!(
                "organization {to} has no group named {}: create it first",
                record.group
            )));
        }
        if target.databases.contains_key(name) {
            return Err(ApiError::conflict(format!(
                "organization {to} already has a database named {name}"
            )));
        }
        let seq = self.next_seq();
        let mut record = self
            .organization_mut(slug)?
            .databases
            .remove(name)
            .ok_or_else(|| database_not_found(name))?;
        record.rotated_at = seq;
        self.organization_mut(to)?
            .databases
            .insert(name.to_owned(), record);
        Ok(())
    }

    /// `POST …/databases/{db}/wakeup` (Turso's CLI's `db wakeup`): a database sleeps when
    /// its group is archived; waking it unarchives the group.
    pub(crate) fn wake_up_database(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        let (_, record) = self.database_to_change(caller, slug, name, Scope::DbConfigure)?;
        let group = record.group.clone();
        self.unarchive_group(caller, slug, &group).map(drop)
    }

    /// `POST …/databases/{db}/instances` (Turso's CLI's `db replicate`): an instance in
    /// `location`, which the fake makes by adding the location to the database's group.
    pub(crate) fn create_database_instance(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        location: &str,
    ) -> Result<types::InstanceAnswer, ApiError> {
        let (_, record) = self.database_to_change(caller, slug, name, Scope::DbConfigure)?;
        let group = record.group.clone();
        self.add_location_to_group(caller, slug, &group, location)?;
        self.get_database_instance(caller, slug, name, location)
    }

    /// `DELETE …/databases/{db}/instances/{instance}` (Turso's CLI's `db destroy
    /// --instance`): removes the instance's location from the database's group (the
    /// primary's cannot be).
    pub(crate) fn delete_database_instance(
        &mut self,
        caller: &Caller,
        slug: &str,
        name: &str,
        instance: &str,
    ) -> Result<(), ApiError> {
        self.get_database_instance(caller, slug, name, instance)?;
        let (_, record) = self.database_to_change(caller, slug, name, Scope::DbConfigure)?;
        let group = record.group.clone();
        self.remove_location_from_group(caller, slug, &group, instance)
            .map(drop)
    }
}

impl Configuration {
    fn answer(&self) -> types::DatabaseConfiguration {
        types::DatabaseConfiguration::default()
            .with_size_limit(self.size_limit.clone().unwrap_or_default())
            .with_allow_attach(self.allow_attach)
            .with_block_reads(self.block_reads)
            .with_block_writes(self.block_writes)
            .with_delete_protection(self.delete_protection)
            .with_allowed_ips(self.allowed_ips.clone())
            .with_allowed_aws_vpc_ids(self.allowed_aws_vpc_ids.clone())
    }
}

/// The group a database is in (it always exists: deleting a group deletes its databases).
fn group_of<'a>(organization: &'a Organization, record: &Database) -> Result<&'a Group, ApiError> {
    organization
        .groups
        .get(&record.group)
        .ok_or_else(group_not_found)
}

/// A database as the API answers it, served at `hostname`.
fn database(
    name: &str,
    record: &Database,
    organization: &Organization,
    hostname: String,
) -> types::Database {
    let group = organization.groups.get(&record.group);
    let locations = group.map(|g| g.locations.clone()).unwrap_or_default();
    let archived = group.is_some_and(|g| g.archived);
    let configuration = &record.configuration;
    let mut answer = types::Database::default()
        .with_name(name)
        .with_db_id(record.id.clone())
        .with_hostname(hostname)
        .with_block_reads(configuration.block_reads)
        .with_block_writes(configuration.block_writes)
        .with_group(record.group.clone())
        .with_delete_protection(configuration.delete_protection)
        .with_regions(locations.clone())
        .with_type_("logical")
        .with_version(VERSION)
        .with_sleeping(archived)
        .with_archived(archived)
        .with_allow_attach(configuration.allow_attach)
        .with_is_schema(record.is_schema);
    answer.schema = record.schema.clone();
    answer.encryption_cipher = record.encryption_cipher.clone();
    if let Some(primary) = locations.first() {
        answer = answer.with_primary_region(primary.clone());
    }
    if let Some((id, parent, at)) = &record.parent {
        answer = answer.with_parent(
            types::DatabaseParent::default()
                .with_id(id.clone())
                .with_name(parent.clone())
                .with_branched_at(at.clone()),
        );
    }
    answer
}

/// The instance of a database in `location`: the primary in the group's first location,
/// replicas elsewhere.
fn instance(record: &Database, group: &Group, location: &str, hostname: String) -> types::Instance {
    let primary = group
        .locations
        .first()
        .is_some_and(|first| first == location);
    types::Instance::default()
        .with_uuid(derived_uuid(&record.id, location))
        .with_name(location)
        .with_type_(if primary { "primary" } else { "replica" })
        .with_region(location)
        .with_hostname(hostname)
}
