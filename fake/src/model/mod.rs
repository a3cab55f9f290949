//! The fake's model: the user, their organizations, groups and databases, their
//! platform API tokens, and when each database and group was last rotated.
//!
//! Every operation of the API is a method of [`State`] that takes the caller and the
//! already parsed request, and answers with the generated answer types or an
//! [`ApiError`]; they are grouped by resource ([`tokens`], [`databases`], [`groups`]).
//! Nothing here blocks or awaits: the server holds the state's lock only for the call.

use std::collections::BTreeMap;
use std::fmt;

use turso_platform::{Authorization, MemberRole, Scope};

use self::audit_logs::AuditEntry;
use self::dumps::Dumps;
pub(crate) use self::dumps::MAX_DUMP;
use self::tokens::ApiTokens;
use crate::caller::Caller;
use crate::http::answer::ApiError;
use crate::ids::Ids;
use crate::quoted::Quoted;
use crate::{DATABASE, GROUP, ORGANIZATION, USERNAME};

mod audit_logs;
mod databases;
mod dumps;
mod groups;
mod members;
mod organizations;
mod tokens;

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
        }
    }
}

impl std::error::Error for SetupError {}

/// The fake's whole state.
#[derive(Debug)]
pub(crate) struct State {
    /// The Turso users, by username.
    users: BTreeMap<String, User>,
    organizations: BTreeMap<String, Organization>,
    /// The users' platform API tokens.
    tokens: ApiTokens,
    /// The SQL dumps uploaded for new databases.
    dumps: Dumps,
    /// Counts every mint and rotation, so that "before" never depends on the clock.
    seq: u64,
    ids: Ids,
}

/// A Turso user.
#[derive(Debug)]
struct User {
    email: String,
    name: String,
}

#[derive(Debug)]
struct Organization {
    id: String,
    name: String,
    /// A user's own organization (its slug is their username), or a team's.
    personal: bool,
    /// The role of each member, by username: one owner, and any others.
    members: BTreeMap<String, MemberRole>,
    plan: Plan,
    overages: bool,
    require_mfa: bool,
    /// The pending invites, by email address in lowercase.
    invites: BTreeMap<String, Invite>,
    invites_sent: u64,
    /// What was done here, oldest first.
    audit: Vec<AuditEntry>,
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
#[derive(Debug)]
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

#[derive(Debug)]
struct Group {
    id: String,
    /// The `seq` of the last rotation: tokens minted at or before it are invalid.
    rotated_at: u64,
    /// The primary's location first, then the replicas'.
    locations: Vec<String>,
    delete_protection: bool,
    archived: bool,
}

#[derive(Debug)]
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
}

/// A database's configuration, as `updateDatabaseConfiguration` changes it.
#[derive(Debug, Default)]
struct Configuration {
    size_limit: Option<String>,
    allow_attach: bool,
    block_reads: bool,
    block_writes: bool,
    delete_protection: bool,
    allowed_ips: Vec<String>,
    allowed_aws_vpc_ids: Vec<String>,
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
    /// The seeded state: `fake-user`, with their personal organization, owns `fake-org`,
    /// whose group `default` holds `fake-db`. The seeded API token is minted by the
    /// caller.
    pub(crate) fn seeded(ids: Ids) -> Self {
        let mut state = Self {
            users: BTreeMap::new(),
            organizations: BTreeMap::new(),
            tokens: ApiTokens::default(),
            dumps: Dumps::default(),
            seq: 0,
            ids,
        };
        // The seed names are constants that are neither blank nor taken.
        let _ = state.add_user(USERNAME);
        if let Some(user) = state.users.get_mut(USERNAME) {
            user.name = "Fake User".to_owned();
        }
        let _ = state.add_organization(ORGANIZATION, MemberRole::Owner);
        let _ = state.add_group(ORGANIZATION, GROUP);
        let _ = state.add_database(ORGANIZATION, GROUP, DATABASE);
        state
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // --- setup ---

    /// Adds the user `username` (`<username>@example.com`) and their personal
    /// organization, on the starter plan.
    pub(crate) fn add_user(&mut self, username: &str) -> Result<(), SetupError> {
        not_blank("user", username)?;
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

    /// Adds the team organization `slug`, in which the fake's user has `role`; its owner
    /// is [`OWNER`] unless that is the fake's user.
    pub(crate) fn add_organization(
        &mut self,
        slug: &str,
        role: MemberRole,
    ) -> Result<(), SetupError> {
        not_blank("organization", slug)?;
        if role != MemberRole::Owner && !self.users.contains_key(OWNER) {
            self.add_user(OWNER)?;
        }
        if self.organizations.contains_key(slug) {
            return Err(SetupError::AlreadyExists {
                kind: "organization",
                name: slug.to_owned(),
            });
        }
        let mut organization = self.new_organization(slug, USERNAME, role);
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
            audit: Vec::new(),
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
        not_blank("group", group)?;
        let id = self.ids.next_uuid();
        let organization = self.setup_organization(slug)?;
        if organization.groups.contains_key(group) {
            return Err(SetupError::AlreadyExists {
                kind: "group",
                name: group.to_owned(),
            });
        }
        organization
            .groups
            .insert(group.to_owned(), Group::new(id, DEFAULT_LOCATION));
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

    pub(crate) fn add_database(
        &mut self,
        slug: &str,
        group: &str,
        database: &str,
    ) -> Result<(), SetupError> {
        not_blank("database", database)?;
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
        organization
            .databases
            .insert(database.to_owned(), Database::new(id, group));
        Ok(())
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

fn not_blank(kind: &'static str, name: &str) -> Result<(), SetupError> {
    if name.trim().is_empty() {
        Err(SetupError::BlankName { kind })
    } else {
        Ok(())
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
