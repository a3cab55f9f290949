//! The fake's model: the user, their organizations, groups and databases, their
//! platform API tokens, and when each database and group was last rotated.
//!
//! Every operation of the API is a method of [`State`] that takes the caller and the
//! already parsed request, and answers with the generated answer types or an
//! [`ApiError`]; they are grouped by resource ([`tokens`], [`databases`], [`groups`]).
//! Nothing here blocks or awaits: the server holds the state's lock only for the call.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use serde::{Deserialize, Serialize};

use turso_platform::{Authorization, MemberRole, Scope};

use self::audit_logs::AuditEntry;
use self::dumps::Dumps;
pub(crate) use self::dumps::MAX_DUMP;
use self::tokens::ApiTokens;
pub(crate) use self::tokens::MAX_API_TOKENS;
use crate::caller::Caller;
use crate::http::answer::ApiError;
use crate::ids::Ids;
use crate::quoted::Quoted;

mod audit_logs;
mod databases;
mod dumps;
mod groups;
mod members;
mod organizations;
mod tokens;
mod usage;

pub(crate) use self::usage::{DataTarget, UsageReport};

/// The owner of the organizations the fake's user does not own
/// ([`FakeTurso::add_organization_with_role`](super::FakeTurso::add_organization_with_role)).
const OWNER: &str = "fake-owner";

/// Owners and admins manage the organization: members, invites, billing, the audit log,
/// group-scoped API tokens, transfers.
fn administers(role: MemberRole) -> bool {
    matches!(role, MemberRole::Owner | MemberRole::Admin)
}

/// Everyone but viewers may change databases and groups and rotate their credentials.
fn writes(role: MemberRole) -> bool {
    role != MemberRole::Viewer
}

/// The plan of an organization of the fake, which decides what it may do.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform_fake::{FakeTurso, Plan};
///
/// let fake = FakeTurso::start().await?;
/// fake.set_plan("fake-org", Plan::Starter)?;
/// let err = fake
///     .client()
///     .add_location_to_group("fake-org", "default", "aws-eu-west-1")
///     .await
///     .unwrap_err();
/// assert_eq!(err.status().map(|s| s.as_u16()), Some(402));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Plan {
    /// The free plan (of personal organizations): a group has one location (no
    /// replicas), no overages, no audit log, no invoices.
    Starter,
    /// The first paid plan: replicas, overages, the audit log, invoices.
    Developer,
    /// A paid plan, with replicas (the plan of `fake-org` and of organizations added
    /// with [`FakeTurso::add_organization`](crate::FakeTurso::add_organization)).
    #[default]
    Scaler,
    /// The largest paid plan.
    Pro,
}

impl Plan {
    /// Every plan, in the order `listOrganizationPlans` lists them.
    pub(crate) const ALL: [Plan; 4] = [Plan::Starter, Plan::Developer, Plan::Scaler, Plan::Pro];

    /// The plan's name, as the API writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Developer => "developer",
            Plan::Scaler => "scaler",
            Plan::Pro => "pro",
        }
    }

    /// The plan named `name`.
    pub(crate) fn named(name: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|plan| plan.name() == name)
    }
}

/// Why setting up a [`FakeTurso`](super::FakeTurso) failed: adding a user, an
/// organization, a member, a group or a database, or naming an operation.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform_fake::{FakeTurso, SetupError};
///
/// let fake = FakeTurso::start().await?;
/// let err = fake.add_group("no-such-org", "eu").unwrap_err();
/// assert!(matches!(err, SetupError::UnknownOrganization(_)));
/// assert_eq!(err.to_string(), "the fake has no organization named \"no-such-org\"");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetupError {
    /// The organization does not exist: add it first.
    UnknownOrganization(String),
    /// The user does not exist: add them first.
    UnknownUser(String),
    /// The organization is a user's personal organization, which has no other members.
    PersonalOrganization(String),
    /// The user owns the organization, and keeps that role: make another member the
    /// owner instead.
    OwnerRole(String),
    /// The group does not exist in the organization: add it first.
    #[non_exhaustive]
    UnknownGroup {
        /// The organization's slug.
        organization: String,
        /// The group's name.
        group: String,
    },
    /// The name is taken: usernames and organization slugs are unique together (a user's
    /// personal organization has their username), group names and database names are
    /// unique inside their organization.
    #[non_exhaustive]
    AlreadyExists {
        /// `user`, `organization`, `group` or `database`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// No operation of the spec has this operationId (they are named as in the spec, such
    /// as `createDatabaseToken`).
    UnknownOperation(String),
    /// The name is empty or only whitespace.
    #[non_exhaustive]
    BlankName {
        /// `user`, `organization`, `group` or `database`.
        kind: &'static str,
    },
    /// The name is not one Turso accepts: 1 to 64 lowercase letters, digits and dashes.
    #[non_exhaustive]
    InvalidName {
        /// `user`, `organization`, `group` or `database`.
        kind: &'static str,
        /// The name, quoted and cut to its first 64 bytes.
        name: String,
    },
    /// The change was made, but the fake could not write its state to its state
    /// directory (the reason is the text): a restart would not find it.
    Unsaved(String),
    /// The database does not exist in the organization: add it first.
    #[non_exhaustive]
    UnknownDatabase {
        /// The organization's slug.
        organization: String,
        /// The database's name.
        database: String,
    },
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::UnknownOrganization(slug) => {
                write!(f, "the fake has no organization named {}", Quoted(slug))
            }
            SetupError::UnknownUser(username) => {
                write!(f, "the fake has no user named {}", Quoted(username))
            }
            SetupError::PersonalOrganization(slug) => write!(
                f,
                "{} is a personal organization: it has no other members",
                Quoted(slug)
            ),
            SetupError::OwnerRole(slug) => write!(
                f,
                "the owner of {} keeps that role: make another member the owner instead",
                Quoted(slug)
            ),
            SetupError::UnknownGroup {
                organization,
                group,
            } => write!(
                f,
                "the organization {} of the fake has no group named {}",
                Quoted(organization),
                Quoted(group)
            ),
            SetupError::AlreadyExists { kind, name } => {
                write!(f, "the fake already has a {kind} named {}", Quoted(name))
            }
            SetupError::UnknownOperation(operation) => write!(
                f,
                "the spec has no operation {}: name it by its operationId, such as \
                 createDatabaseToken",
                Quoted(operation)
            ),
            SetupError::BlankName { kind } => write!(f, "the name of a {kind} cannot be blank"),
            SetupError::InvalidName { kind, name } => write!(
                f,
                "{name} is not a {kind} name Turso accepts: 1 to 64 lowercase letters, digits \
                 and dashes"
            ),
            SetupError::UnknownDatabase {
                organization,
                database,
            } => write!(
                f,
                "the organization {} of the fake has no database named {}",
                Quoted(organization),
                Quoted(database)
            ),
            SetupError::Unsaved(reason) => write!(
                f,
                "the change was made, but the fake could not save its state: {reason}"
            ),
        }
    }
}

impl std::error::Error for SetupError {}

/// A [`Plan`] kept as its name, as the API writes it.
mod plan_name {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use super::Plan;

    pub(super) fn serialize<S: Serializer>(plan: &Plan, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(plan.name())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Plan, D::Error> {
        let name = String::deserialize(deserializer)?;
        Plan::named(&name).ok_or_else(|| de::Error::custom(format!("no plan is named {name:?}")))
    }
}

/// The fake's whole state: what a state directory keeps (`crate::store`), all but the
/// uploaded dumps, which are kept for minutes at most.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    /// The Turso users, by username.
    users: BTreeMap<String, User>,
    organizations: BTreeMap<String, Organization>,
    /// The users' platform API tokens.
    tokens: ApiTokens,
    /// The SQL dumps uploaded for new databases.
    #[serde(skip)]
    dumps: Dumps,
    /// Counts every mint and rotation, so that "before" never depends on the clock.
    seq: u64,
    ids: Ids,
    /// How long a new database or instance takes to be ready: a setting, not kept.
    #[serde(skip)]
    readiness_lag: std::time::Duration,
    /// The address databases are served on (their ports are theirs): a setting, not
    /// kept.
    #[serde(skip)]
    data_ip: Option<std::net::IpAddr>,
}

/// A Turso user.
#[derive(Debug, Serialize, Deserialize)]
struct User {
    email: String,
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Organization {
    id: String,
    name: String,
    /// A user's own organization (its slug is their username), or a team's.
    personal: bool,
    /// The role of each member, by username: one owner, and any others.
    members: BTreeMap<String, MemberRole>,
    #[serde(with = "plan_name")]
    plan: Plan,
    overages: bool,
    require_mfa: bool,
    /// The pending invites, by email address in lowercase.
    invites: BTreeMap<String, Invite>,
    invites_sent: u64,
    /// What was done here, oldest first: the newest [`audit_logs::KEPT_ENTRIES`].
    audit: VecDeque<AuditEntry>,
    groups: BTreeMap<String, Group>,
    databases: BTreeMap<String, Database>,
}

impl Organization {
    /// Makes `username` (whose address is `email`) a member with `role`; their pending
    /// invite, if any, is accepted.
    fn admit(&mut self, username: &str, role: MemberRole, email: &str) {
        self.members.insert(username.to_owned(), role);
        self.invites.remove(invite_key(email).as_str());
    }
}

/// The key of an invite to `email`: addresses are compared, and kept, in lowercase.
fn invite_key(email: &str) -> String {
    email.to_lowercase()
}

/// A pending invite.
#[derive(Debug, Serialize, Deserialize)]
struct Invite {
    id: u64,
    role: MemberRole,
    created_at: String,
}

/// An organization as a member sees it: with their role, which decides what they may do.
struct Membership<'a> {
    organization: &'a Organization,
    role: MemberRole,
}

impl std::ops::Deref for Membership<'_> {
    type Target = Organization;

    fn deref(&self) -> &Organization {
        self.organization
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Group {
    id: String,
    /// The `seq` of the last rotation: tokens minted at or before it are invalid.
    rotated_at: u64,
    /// The primary's location first, then the replicas'.
    locations: Vec<String>,
    delete_protection: bool,
    archived: bool,
    /// When each location's instances are ready, in Unix milliseconds, for those created
    /// with a readiness lag (the others are ready).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ready_at: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Database {
    id: String,
    group: String,
    /// The `seq` of the last rotation: tokens minted at or before it are invalid.
    rotated_at: u64,
    configuration: Configuration,
    /// The database it was copied from, if any: (ID, name, when).
    parent: Option<(String, String, String)>,
    /// The cipher of its encryption with its owner's key, if any.
    encryption_cipher: Option<String>,
    /// Whether it is a schema database, and the schema database it uses (both
    /// deprecated by Turso, reported as they were asked for).
    is_schema: bool,
    schema: Option<String>,
    /// When it is ready, in Unix milliseconds (0 for at once).
    #[serde(default)]
    ready_at: u64,
    /// The loopback port its SQL is served on (`crate::data`); 0 until it is served.
    #[serde(default)]
    port: u16,
    /// What ran on it, as its usage reports it.
    #[serde(default)]
    usage: usage::Usage,
}

/// A database's configuration, as `updateDatabaseConfiguration` changes it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Configuration {
    size_limit: Option<String>,
    allow_attach: bool,
    block_reads: bool,
    block_writes: bool,
    delete_protection: bool,
    allowed_ips: Vec<String>,
    allowed_aws_vpc_ids: Vec<String>,
}

/// Whether the fake offers the location `code`.
pub(crate) fn is_location(code: &str) -> bool {
    LOCATIONS.iter().any(|(known, _)| *known == code)
}

/// The locations the fake offers, by code: where groups are placed.
const LOCATIONS: &[(&str, &str)] = &[
    ("aws-ap-northeast-1", "AWS AP NorthEast (Tokyo)"),
    ("aws-ap-south-1", "AWS AP South (Mumbai)"),
    ("aws-eu-west-1", "AWS EU West (Ireland)"),
    ("aws-us-east-1", "AWS US East (Virginia)"),
    ("aws-us-east-2", "AWS US East (Ohio)"),
    ("aws-us-west-2", "AWS US West (Oregon)"),
];

/// The location of the groups the setup methods add.
pub(crate) const DEFAULT_LOCATION: &str = "aws-us-east-1";

/// The libSQL server version of every group's databases: the fake has only one, so
/// `updateGroupDatabases` leaves them at it.
const VERSION: &str = "v0.24.32";

impl State {
    /// A state with nobody in it, making IDs with `ids`: a [`Seed`](crate::Seed) fills it.
    pub(crate) fn empty(ids: Ids) -> Self {
        Self {
            users: BTreeMap::new(),
            organizations: BTreeMap::new(),
            tokens: ApiTokens::default(),
            dumps: Dumps::default(),
            seq: 0,
            ids,
            readiness_lag: std::time::Duration::ZERO,
            data_ip: None,
        }
    }

    /// Serves databases on `ip` (each on a port of its own).
    pub(crate) fn set_data_ip(&mut self, ip: std::net::IpAddr) {
        self.data_ip = Some(ip);
    }

    /// The host name a database served on `port` is reached at: `127.0.0.1:PORT`.
    fn hostname(&self, port: u16) -> String {
        let ip = self
            .data_ip
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        std::net::SocketAddr::new(ip, port).to_string()
    }

    /// Makes what is created from now on take `lag` to be ready.
    pub(crate) fn set_readiness_lag(&mut self, lag: std::time::Duration) {
        self.readiness_lag = lag;
    }

    /// When what is created now will be ready, in Unix milliseconds.
    fn ready_at(&self) -> u64 {
        let at = crate::clock::since_epoch().saturating_add(self.readiness_lag);
        u64::try_from(at.as_millis()).unwrap_or(u64::MAX)
    }

    /// Becomes `seed` (a state a seed made), keeping this state's ID maker and sequence,
    /// so that no ID given out before is given again, and rotating every database and
    /// group, so that no database or group token minted before opens anything.
    pub(crate) fn reset_to(&mut self, mut seed: State) {
        seed.ids = std::mem::replace(&mut self.ids, Ids::spent());
        seed.seq = self.seq;
        seed.readiness_lag = self.readiness_lag;
        seed.data_ip = self.data_ip;
        let rotated = seed.next_seq();
        for organization in seed.organizations.values_mut() {
            for group in organization.groups.values_mut() {
                group.rotated_at = rotated;
            }
            for database in organization.databases.values_mut() {
                database.rotated_at = rotated;
            }
        }
        *self = seed;
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // --- setup ---

    /// Adds the user `username` (`<username>@example.com`) and their personal
    /// organization, on the starter plan.
    pub(crate) fn add_user(&mut self, username: &str) -> Result<(), SetupError> {
        setup_name("user", username)?;
        if self.users.contains_key(username) || self.organizations.contains_key(username) {
            return Err(SetupError::AlreadyExists {
                kind: "user",
                name: username.to_owned(),
            });
        }
        self.users.insert(
            username.to_owned(),
            User {
                email: format!("{username}@example.com"),
                name: username.to_owned(),
            },
        );
        let mut personal = self.new_organization("personal", username, MemberRole::Owner);
        personal.personal = true;
        personal.plan = Plan::Starter;
        self.organizations.insert(username.to_owned(), personal);
        Ok(())
    }

    /// Gives the user `username` the display name `name`.
    pub(crate) fn set_user_name(&mut self, username: &str, name: &str) {
        if let Some(user) = self.users.get_mut(username) {
            user.name = name.to_owned();
        }
    }

    /// Whether an organization is named `slug`.
    pub(crate) fn has_organization(&self, slug: &str) -> bool {
        self.organizations.contains_key(slug)
    }

    /// Adds the team organization `slug`, owned by the user `owner`.
    pub(crate) fn add_owned_organization(
        &mut self,
        slug: &str,
        owner: &str,
    ) -> Result<(), SetupError> {
        setup_name("organization", slug)?;
        if !self.users.contains_key(owner) {
            return Err(SetupError::UnknownUser(owner.to_owned()));
        }
        if self.organizations.contains_key(slug) {
            return Err(SetupError::AlreadyExists {
                kind: "organization",
                name: slug.to_owned(),
            });
        }
        let organization = self.new_organization(slug, owner, MemberRole::Owner);
        self.organizations.insert(slug.to_owned(), organization);
        Ok(())
    }

    /// Adds the team organization `slug`, in which the user `user` has `role`; its owner
    /// is [`OWNER`] unless that is `user`.
    pub(crate) fn add_organization(
        &mut self,
        slug: &str,
        user: &str,
        role: MemberRole,
    ) -> Result<(), SetupError> {
        setup_name("organization", slug)?;
        if !self.users.contains_key(user) {
            return Err(SetupError::UnknownUser(user.to_owned()));
        }
        if self.organizations.contains_key(slug) {
            return Err(SetupError::AlreadyExists {
                kind: "organization",
                name: slug.to_owned(),
            });
        }
        if role != MemberRole::Owner && !self.users.contains_key(OWNER) {
            self.add_user(OWNER)?;
        }
        let mut organization = self.new_organization(slug, user, role);
        if role != MemberRole::Owner {
            organization
                .members
                .insert(OWNER.to_owned(), MemberRole::Owner);
        }
        self.organizations.insert(slug.to_owned(), organization);
        Ok(())
    }

    /// A team organization named `name` with one member.
    fn new_organization(&mut self, name: &str, member: &str, role: MemberRole) -> Organization {
        Organization {
            id: self.ids.next_uuid(),
            name: name.to_owned(),
            personal: false,
            members: BTreeMap::from([(member.to_owned(), role)]),
            plan: Plan::default(),
            overages: false,
            require_mfa: false,
            invites: BTreeMap::new(),
            invites_sent: 0,
            audit: VecDeque::new(),
            groups: BTreeMap::new(),
            databases: BTreeMap::new(),
        }
    }

    /// Makes the user `username` a member of `slug` with `role` (or changes their role);
    /// as owner, they take the place of the owner, who becomes an admin. Their pending
    /// invite, if any, is accepted.
    pub(crate) fn add_member(
        &mut self,
        slug: &str,
        username: &str,
        role: MemberRole,
    ) -> Result<(), SetupError> {
        let email = self
            .users
            .get(username)
            .ok_or_else(|| SetupError::UnknownUser(username.to_owned()))?
            .email
            .clone();
        let organization = self.setup_organization(slug)?;
        if organization.personal {
            return Err(SetupError::PersonalOrganization(slug.to_owned()));
        }
        let owner = organization.members.get(username) == Some(&MemberRole::Owner);
        if owner && role != MemberRole::Owner {
            return Err(SetupError::OwnerRole(slug.to_owned()));
        }
        if role == MemberRole::Owner {
            for other in organization.members.values_mut() {
                if *other == MemberRole::Owner {
                    *other = MemberRole::Admin;
                }
            }
        }
        organization.admit(username, role, &email);
        Ok(())
    }

    pub(crate) fn set_plan(&mut self, slug: &str, plan: Plan) -> Result<(), SetupError> {
        self.setup_organization(slug)?.plan = plan;
        Ok(())
    }

    pub(crate) fn add_group(&mut self, slug: &str, group: &str) -> Result<(), SetupError> {
        self.add_group_in(slug, group, &[DEFAULT_LOCATION.to_owned()])
    }

    /// Adds a group placed in `locations`: the primary's first, then the replicas'.
    pub(crate) fn add_group_in(
        &mut self,
        slug: &str,
        group: &str,
        locations: &[String],
    ) -> Result<(), SetupError> {
        setup_name("group", group)?;
        let id = self.ids.next_uuid();
        let organization = self.setup_organization(slug)?;
        if organization.groups.contains_key(group) {
            return Err(SetupError::AlreadyExists {
                kind: "group",
                name: group.to_owned(),
            });
        }
        let mut record = Group::new(id, DEFAULT_LOCATION);
        if !locations.is_empty() {
            record.locations = locations.to_vec();
        }
        organization.groups.insert(group.to_owned(), record);
        Ok(())
    }

    pub(crate) fn archive_group(&mut self, slug: &str, group: &str) -> Result<(), SetupError> {
        let organization = self.setup_organization(slug)?;
        let record =
            organization
                .groups
                .get_mut(group)
                .ok_or_else(|| SetupError::UnknownGroup {
                    organization: slug.to_owned(),
                    group: group.to_owned(),
                })?;
        record.archived = true;
        Ok(())
    }

    /// Adds a database served on `port`.
    pub(crate) fn add_database(
        &mut self,
        slug: &str,
        group: &str,
        database: &str,
        port: u16,
    ) -> Result<(), SetupError> {
        setup_name("database", database)?;
        let id = self.ids.next_uuid();
        let organization = self.setup_organization(slug)?;
        if !organization.groups.contains_key(group) {
            return Err(SetupError::UnknownGroup {
                organization: slug.to_owned(),
                group: group.to_owned(),
            });
        }
        if organization.databases.contains_key(database) {
            return Err(SetupError::AlreadyExists {
                kind: "database",
                name: database.to_owned(),
            });
        }
        let mut record = Database::new(id, group);
        record.port = port;
        organization.databases.insert(database.to_owned(), record);
        Ok(())
    }

    /// Where the database `name` of `slug` is served (`127.0.0.1:PORT`).
    pub(crate) fn database_hostname(&self, slug: &str, name: &str) -> Result<String, SetupError> {
        let organization = self
            .organizations
            .get(slug)
            .ok_or_else(|| SetupError::UnknownOrganization(slug.to_owned()))?;
        let record =
            organization
                .databases
                .get(name)
                .ok_or_else(|| SetupError::UnknownDatabase {
                    organization: slug.to_owned(),
                    database: name.to_owned(),
                })?;
        Ok(self.hostname(record.port))
    }

    /// The ID of the database `name` of `slug`, if there is one.
    pub(crate) fn database_id(&self, slug: &str, name: &str) -> Option<String> {
        Some(
            self.organizations
                .get(slug)?
                .databases
                .get(name)?
                .id
                .clone(),
        )
    }

    fn setup_organization(&mut self, slug: &str) -> Result<&mut Organization, SetupError> {
        self.organizations
            .get_mut(slug)
            .ok_or_else(|| SetupError::UnknownOrganization(slug.to_owned()))
    }

    // --- lookups that answer 404 (and 403) ---

    /// The organization `slug` as the caller sees it: 403 if their token is restricted to
    /// another organization, 404 if it does not exist, 403 if they are not a member (as
    /// the API answers: Turso's CLI reads a 403 on an organization's path as "you are not
    /// a member").
    fn organization_of(&self, caller: &Caller, slug: &str) -> Result<Membership<'_>, ApiError> {
        caller.check_organization(slug)?;
        let organization = self.organization(slug)?;
        let role = *organization.members.get(&caller.username).ok_or_else(|| {
            ApiError::forbidden(format!(
                "you are not a member of organization {slug}: ask one of its admins to add you"
            ))
        })?;
        Ok(Membership { organization, role })
    }

    /// The organization `slug`, for an owner or admin to administer (`what` says what
    /// is refused to others): a token restricted to a group is refused first, then a
    /// user who is not a member, then one whose role does not administer.
    fn administered(
        &self,
        caller: &Caller,
        slug: &str,
        what: &str,
    ) -> Result<Membership<'_>, ApiError> {
        caller.check_whole_organization(slug)?;
        let organization = self.organization_of(caller, slug)?;
        organization.check_administers(what)?;
        Ok(organization)
    }

    /// The slug of the organization whose ID is `id` (the v3 routes name organizations,
    /// databases and groups by ID); 404 if there is none.
    pub(crate) fn slug_of(&self, id: &str) -> Result<String, ApiError> {
        self.organizations
            .iter()
            .find(|(_, organization)| organization.id == id)
            .map(|(slug, _)| slug.clone())
            .ok_or_else(|| organization_not_found(id))
    }

    /// The name of the database of `slug` whose ID is `id`, as the caller may learn it:
    /// 403 for a non-member, and for a group-scoped token when there is none (it learns
    /// nothing outside its group), 404 otherwise.
    pub(crate) fn database_named_by(
        &self,
        caller: &Caller,
        slug: &str,
        id: &str,
    ) -> Result<String, ApiError> {
        let organization = self.organization_of(caller, slug)?;
        match organization.databases.iter().find(|(_, db)| db.id == id) {
            Some((name, _)) => Ok(name.clone()),
            None => {
                caller.check_database(slug, None, Scope::Read)?;
                Err(database_not_found(id))
            }
        }
    }

    /// The name of the group of `slug` whose ID is `id`, as [`database_named_by`]
    /// answers for databases.
    ///
    /// [`database_named_by`]: State::database_named_by
    pub(crate) fn group_named_by(
        &self,
        caller: &Caller,
        slug: &str,
        id: &str,
    ) -> Result<String, ApiError> {
        let organization = self.organization_of(caller, slug)?;
        match organization.groups.iter().find(|(_, group)| group.id == id) {
            Some((name, _)) => Ok(name.clone()),
            None => {
                if let Some(visible) = caller.visible_group(slug)? {
                    return Err(ApiError::forbidden(format!(
                        "this token is restricted to the group {visible}"
                    )));
                }
                Err(group_not_found())
            }
        }
    }

    fn organization(&self, slug: &str) -> Result<&Organization, ApiError> {
        self.organizations
            .get(slug)
            .ok_or_else(|| organization_not_found(slug))
    }

    fn organization_mut(&mut self, slug: &str) -> Result<&mut Organization, ApiError> {
        self.organizations
            .get_mut(slug)
            .ok_or_else(|| organization_not_found(slug))
    }
}

impl Group {
    fn new(id: String, location: &str) -> Self {
        Group {
            id,
            rotated_at: 0,
            locations: vec![location.to_owned()],
            delete_protection: false,
            archived: false,
            ready_at: BTreeMap::new(),
        }
    }
}

impl Database {
    fn new(id: String, group: &str) -> Self {
        Database {
            id,
            group: group.to_owned(),
            rotated_at: 0,
            configuration: Configuration::default(),
            parent: None,
            encryption_cipher: None,
            is_schema: false,
            schema: None,
            ready_at: 0,
            port: 0,
            usage: usage::Usage::default(),
        }
    }
}

impl Membership<'_> {
    /// 403 unless the user's role may change databases and groups here.
    fn check_writes(&self) -> Result<(), ApiError> {
        if writes(self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "viewers of this organization may only read: ask an owner or admin",
            ))
        }
    }

    /// 403 unless the user's role may mint tokens with `authorization`: viewers mint
    /// read-only tokens only, so that reading never leads to writing.
    fn check_mints(&self, authorization: Authorization) -> Result<(), ApiError> {
        if writes(self.role) || authorization == Authorization::ReadOnly {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "viewers of this organization may only mint read-only tokens: \
                 ask for the authorization read-only, or ask an owner or admin",
            ))
        }
    }

    /// 403 unless the user's role administers the organization.
    fn check_administers(&self, what: &str) -> Result<(), ApiError> {
        if administers(self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only admins and owners of this organization can {what}"
            )))
        }
    }
}

/// A name the setup API takes: one Turso accepts (`^[a-z0-9-]{1,64}$`, the seed's rule
/// too), so that no name reaches the state that the API would refuse.
fn setup_name(kind: &'static str, name: &str) -> Result<(), SetupError> {
    if name.trim().is_empty() {
        Err(SetupError::BlankName { kind })
    } else if turso_platform::spec::is_valid_name(name) {
        Ok(())
    } else {
        Err(SetupError::InvalidName {
            kind,
            name: crate::quoted::Quoted(name).to_string(),
        })
    }
}

fn organization_not_found(slug: &str) -> ApiError {
    ApiError::not_found(format!(
        "could not find organization with name {slug}: record not found"
    ))
}

fn group_not_found() -> ApiError {
    ApiError::not_found("group not found")
}

fn database_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!(
        "could not find database with name {name}: record not found"
    ))
}

fn find_database<'a>(organization: &'a Organization, name: &str) -> Result<&'a Database, ApiError> {
    organization
        .databases
        .get(name)
        .ok_or_else(|| database_not_found(name))
}
