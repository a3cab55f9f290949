//! The fake's model: the user, their organizations, groups and databases, their
//! platform API tokens, and when each database and group was last rotated.
//!
//! Every operation of the API is a method here that takes the caller and the already
//! parsed request, and answers with the generated answer types or an [`ApiError`].
//! Nothing here blocks or awaits: the server holds the state's lock only for the call.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use super::answer::ApiError;
use super::auth::{Caller, Restriction};
use super::claims::{Access, ApiTokenClaims, ConnectionClaims, Permissions, ReadOnlyAttach};
use super::clock;
use super::ids::Ids;
use super::request::TokenRequest;
use super::{DATABASE, GROUP, ORGANIZATION, SEEDED_TOKEN_NAME, USERNAME};
use crate::Scope;
use crate::excerpt::Quoted;
use crate::generated::types;

/// The seeded user's email address.
const EMAIL: &str = "fake-user@example.com";

/// The role of the fake's user in an organization, which decides whether they may mint
/// group-scoped API tokens (owners and admins only).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform::fake::{FakeTurso, Role};
/// use turso_platform::{ApiTokenOptions, Scope};
///
/// let fake = FakeTurso::start().await?;
/// fake.add_organization_with_role("their-org", Role::Member)?;
/// fake.add_group("their-org", "default")?;
/// let group_scoped = ApiTokenOptions::new()
///     .organization("their-org")
///     .group("default")
///     .scopes([Scope::ReadOnly]);
/// let err = fake.client().create_api_token("ci", &group_scoped).await.unwrap_err();
/// assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Owns the organization (the role in `fake-org` and in organizations added with
    /// [`FakeTurso::add_organization`](super::FakeTurso::add_organization)).
    #[default]
    Owner,
    /// Administers the organization.
    Admin,
    /// A member: may not mint group-scoped API tokens.
    Member,
    /// A viewer: may not mint group-scoped API tokens.
    Viewer,
}

impl Role {
    fn may_mint_group_tokens(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// Why setting up a [`FakeTurso`](super::FakeTurso) failed: adding an organization, group
/// or database, or naming an operation.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use turso_platform::fake::{FakeTurso, SetupError};
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
    /// The group does not exist in the organization: add it first.
    #[non_exhaustive]
    UnknownGroup {
        /// The organization's slug.
        organization: String,
        /// The group's name.
        group: String,
    },
    /// The name is taken: organization slugs are unique, group names and database names
    /// are unique inside their organization.
    #[non_exhaustive]
    AlreadyExists {
        /// `organization`, `group` or `database`.
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
        /// `organization`, `group` or `database`.
        kind: &'static str,
    },
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::UnknownOrganization(slug) => {
                write!(f, "the fake has no organization named {}", Quoted(slug))
            }
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
    organizations: BTreeMap<String, Organization>,
    /// The user's platform API tokens.
    tokens: ApiTokens,
    /// Counts every mint and rotation, so that "before" never depends on the clock.
    seq: u64,
    ids: Ids,
}

/// The user's platform API tokens, indexed by what requests look them up by: every
/// request finds its caller by ID, every mint checks its name. Lists are in mint order.
#[derive(Debug, Default)]
struct ApiTokens {
    /// By mint order.
    records: BTreeMap<u64, ApiTokenRecord>,
    by_id: HashMap<String, u64>,
    by_name: HashMap<String, u64>,
    minted: u64,
}

impl ApiTokens {
    fn by_id(&self, id: &str) -> Option<&ApiTokenRecord> {
        self.records.get(self.by_id.get(id)?)
    }

    /// Removes the token named `name`.
    fn remove_named(&mut self, name: &str) -> Option<ApiTokenRecord> {
        let key = *self.by_name.get(name)?;
        self.remove(key)
    }

    /// Removes the token with ID `id` if `remove` holds for it.
    fn remove_id_if(
        &mut self,
        id: &str,
        remove: impl FnOnce(&ApiTokenRecord) -> bool,
    ) -> Option<ApiTokenRecord> {
        let key = *self.by_id.get(id)?;
        if remove(self.records.get(&key)?) {
            self.remove(key)
        } else {
            None
        }
    }

    fn has_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    fn insert(&mut self, record: ApiTokenRecord) {
        self.minted += 1;
        self.by_id.insert(record.id.clone(), self.minted);
        self.by_name.insert(record.name.clone(), self.minted);
        self.records.insert(self.minted, record);
    }

    fn remove(&mut self, key: u64) -> Option<ApiTokenRecord> {
        let record = self.records.remove(&key)?;
        self.by_id.remove(&record.id);
        self.by_name.remove(&record.name);
        Some(record)
    }

    fn iter(&self) -> impl Iterator<Item = &ApiTokenRecord> {
        self.records.values()
    }
}

#[derive(Debug)]
struct Organization {
    role: Role,
    groups: BTreeMap<String, Group>,
    databases: BTreeMap<String, Database>,
}

#[derive(Debug)]
struct Group {
    id: String,
    /// The `seq` of the last rotation: tokens minted at or before it are invalid.
    rotated_at: u64,
}

#[derive(Debug)]
struct Database {
    id: String,
    group: String,
    /// The `seq` of the last rotation: tokens minted at or before it are invalid.
    rotated_at: u64,
}

/// A platform API token. Its secret is not kept: the signed token carries its ID.
#[derive(Debug)]
struct ApiTokenRecord {
    id: String,
    name: String,
    restriction: Restriction,
    created_at: String,
}

/// A platform API token just minted: what to answer, and what to sign.
#[derive(Debug)]
pub(crate) struct MintedApiToken {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) claims: ApiTokenClaims,
}

impl State {
    /// The seeded state: `fake-user` owns `fake-org`, whose group `default` holds
    /// `fake-db`. The seeded API token is minted by the caller.
    pub(crate) fn seeded(ids: Ids) -> Self {
        let mut state = Self {
            organizations: BTreeMap::new(),
            tokens: ApiTokens::default(),
            seq: 0,
            ids,
        };
        // The seed names are constants that are neither blank nor taken.
        let _ = state.add_organization(ORGANIZATION, Role::Owner);
        let _ = state.add_group(ORGANIZATION, GROUP);
        let _ = state.add_database(ORGANIZATION, GROUP, DATABASE);
        state
    }

    /// Mints the token that [`FakeTurso::token`](super::FakeTurso::token) returns.
    pub(crate) fn mint_seeded_token(&mut self) -> MintedApiToken {
        self.record_api_token(SEEDED_TOKEN_NAME, Restriction::Unrestricted)
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // --- setup ---

    pub(crate) fn add_organization(&mut self, slug: &str, role: Role) -> Result<(), SetupError> {
        not_blank("organization", slug)?;
        if self.organizations.contains_key(slug) {
            return Err(SetupError::AlreadyExists {
                kind: "organization",
                name: slug.to_owned(),
            });
        }
        let organization = Organization {
            role,
            groups: BTreeMap::new(),
            databases: BTreeMap::new(),
        };
        self.organizations.insert(slug.to_owned(), organization);
        Ok(())
    }

    pub(crate) fn add_group(&mut self, slug: &str, group: &str) -> Result<(), SetupError> {
        not_blank("group", group)?;
        let id = self.ids.next_id();
        let organization = self.setup_organization(slug)?;
        if organization.groups.contains_key(group) {
            return Err(SetupError::AlreadyExists {
                kind: "group",
                name: group.to_owned(),
            });
        }
        organization
            .groups
            .insert(group.to_owned(), Group { id, rotated_at: 0 });
        Ok(())
    }

    pub(crate) fn add_database(
        &mut self,
        slug: &str,
        group: &str,
        database: &str,
    ) -> Result<(), SetupError> {
        not_blank("database", database)?;
        let id = self.ids.next_id();
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
        let record = Database {
            id,
            group: group.to_owned(),
            rotated_at: 0,
        };
        organization.databases.insert(database.to_owned(), record);
        Ok(())
    }

    fn setup_organization(&mut self, slug: &str) -> Result<&mut Organization, SetupError> {
        self.organizations
            .get_mut(slug)
            .ok_or_else(|| SetupError::UnknownOrganization(slug.to_owned()))
    }

    // --- lookups that answer 404 ---

    fn organization(&self, slug: &str) -> Result<&Organization, ApiError> {
        self.organizations.get(slug).ok_or_else(|| {
            ApiError::not_found(format!(
                "could not find organization with name {slug}: record not found"
            ))
        })
    }

    // --- platform API tokens ---

    /// The caller behind a verified API token, or 401 if it was revoked.
    pub(crate) fn caller(&self, claims: &ApiTokenClaims) -> Result<Caller, ApiError> {
        self.tokens
            .by_id(&claims.jti)
            .map(|token| Caller {
                restriction: token.restriction.clone(),
            })
            .ok_or_else(|| ApiError::unauthorized("the token has been revoked"))
    }

    /// `listAPITokens`.
    pub(crate) fn list_api_tokens(&self, caller: &Caller) -> Result<types::ApiTokenList, ApiError> {
        caller.check_manages_tokens()?;
        let tokens = self
            .tokens
            .iter()
            .map(|token| {
                let (organization, group, scopes) = token.restriction_fields();
                types::ApiToken {
                    id: token.id.clone(),
                    name: token.name.clone(),
                    organization,
                    group,
                    scopes,
                    created_at: Some(token.created_at.clone()),
                }
            })
            .collect();
        Ok(types::ApiTokenList { tokens })
    }

    /// `createAPIToken`.
    pub(crate) fn create_api_token(
        &mut self,
        caller: &Caller,
        name: &str,
        restriction: Restriction,
    ) -> Result<MintedApiToken, ApiError> {
        caller.check_manages_tokens()?;
        match &restriction {
            Restriction::Unrestricted => {}
            Restriction::Organization(slug) => {
                self.organization(slug)?;
            }
            Restriction::Group {
                organization: slug,
                group,
                ..
            } => {
                let organization = self.organization(slug)?;
                if !organization.groups.contains_key(group) {
                    return Err(group_not_found());
                }
                if !organization.role.may_mint_group_tokens() {
                    return Err(ApiError::forbidden(format!(
                        "only admins and owners of {slug} can mint group-scoped tokens"
                    )));
                }
            }
        }
        if self.tokens.has_name(name) {
            return Err(ApiError::conflict(format!(
                "a token with name {name} already exists"
            )));
        }
        Ok(self.record_api_token(name, restriction))
    }

    fn record_api_token(&mut self, name: &str, restriction: Restriction) -> MintedApiToken {
        let id = self.ids.next_id();
        let now = clock::now_secs();
        self.tokens.insert(ApiTokenRecord {
            id: id.clone(),
            name: name.to_owned(),
            restriction,
            created_at: clock::date(now),
        });
        MintedApiToken {
            claims: ApiTokenClaims {
                iat: now,
                jti: id.clone(),
                sub: USERNAME.to_owned(),
            },
            id,
            name: name.to_owned(),
        }
    }

    /// `revokeAPIToken`.
    pub(crate) fn revoke_api_token(
        &mut self,
        caller: &Caller,
        name: &str,
    ) -> Result<types::RevokedApiToken, ApiError> {
        caller.check_manages_tokens()?;
        let token = self.tokens.remove_named(name).ok_or_else(|| {
            ApiError::not_found(format!(
                "could not find token with name {name}: record not found"
            ))
        })?;
        Ok(types::RevokedApiToken { token: token.name })
    }

    /// `listOrganizationAPITokens`: the organization-scoped and group-scoped tokens of
    /// the organization (the user minted them all, so every role sees them all).
    pub(crate) fn list_organization_api_tokens(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::OrganizationApiTokenList, ApiError> {
        caller.check_manages_tokens()?;
        self.organization(slug)?;
        let tokens = self
            .tokens
            .iter()
            .filter(|token| token.restriction.organization() == Some(slug))
            .map(|token| {
                let (organization, group, scopes) = token.restriction_fields();
                types::OrganizationApiToken {
                    id: token.id.clone(),
                    name: token.name.clone(),
                    organization,
                    group,
                    scopes,
                    owner: Some(types::TokenOwner {
                        username: Some(USERNAME.to_owned()),
                        email: Some(EMAIL.to_owned()),
                    }),
                    created_at: Some(token.created_at.clone()),
                }
            })
            .collect();
        Ok(types::OrganizationApiTokenList { tokens })
    }

    /// `revokeOrganizationAPIToken`.
    pub(crate) fn revoke_organization_api_token(
        &mut self,
        caller: &Caller,
        slug: &str,
        id: &str,
    ) -> Result<types::RevokedOrganizationApiToken, ApiError> {
        caller.check_manages_tokens()?;
        self.organization(slug)?;
        let token = self
            .tokens
            .remove_id_if(id, |token| token.restriction.organization() == Some(slug))
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "could not find token with ID {id} in organization {slug}: record not found"
                ))
            })?;
        Ok(types::RevokedOrganizationApiToken { token: token.id })
    }

    // --- database and group tokens ---

    /// `createDatabaseToken`: the claims of the new token, to sign.
    pub(crate) fn create_database_token(
        &mut self,
        caller: &Caller,
        slug: &str,
        database: &str,
        request: &TokenRequest,
        now: Duration,
    ) -> Result<ConnectionClaims, ApiError> {
        caller.check_organization(slug)?;
        let organization = self.organization(slug)?;
        let record = organization.databases.get(database);
        caller.check_database(slug, record.map(|r| r.group.as_str()), Scope::DbMintToken)?;
        let record = record.ok_or_else(|| database_not_found(database))?;
        let permissions = read_attach(organization, &request.read_attach)?;
        let id = record.id.clone();
        Ok(self.connection_claims(request, now, Some(id), None, permissions))
    }

    /// `invalidateDatabaseTokens`.
    pub(crate) fn invalidate_database_tokens(
        &mut self,
        caller: &Caller,
        slug: &str,
        database: &str,
    ) -> Result<(), ApiError> {
        caller.check_organization(slug)?;
        let record = self.organization(slug)?.databases.get(database);
        caller.check_database(slug, record.map(|r| r.group.as_str()), Scope::DbRotateCreds)?;
        record.ok_or_else(|| database_not_found(database))?;
        let seq = self.next_seq();
        if let Some(record) = self
            .organizations
            .get_mut(slug)
            .and_then(|organization| organization.databases.get_mut(database))
        {
            record.rotated_at = seq;
        }
        Ok(())
    }

    /// `createGroupToken`: the claims of the new token, to sign.
    pub(crate) fn create_group_token(
        &mut self,
        caller: &Caller,
        slug: &str,
        group: &str,
        request: &TokenRequest,
        now: Duration,
    ) -> Result<ConnectionClaims, ApiError> {
        caller.check_group(slug, group, Scope::GroupMintToken)?;
        let organization = self.organization(slug)?;
        let record = organization.groups.get(group).ok_or_else(group_not_found)?;
        let permissions = read_attach(organization, &request.read_attach)?;
        let gid = record.id.clone();
        Ok(self.connection_claims(request, now, None, Some(gid), permissions))
    }

    /// `invalidateGroupTokens`: the group's tokens and its databases' tokens.
    pub(crate) fn invalidate_group_tokens(
        &mut self,
        caller: &Caller,
        slug: &str,
        group: &str,
    ) -> Result<(), ApiError> {
        caller.check_group(slug, group, Scope::GroupRotateCreds)?;
        if !self.organization(slug)?.groups.contains_key(group) {
            return Err(group_not_found());
        }
        let seq = self.next_seq();
        if let Some(record) = self
            .organizations
            .get_mut(slug)
            .and_then(|organization| organization.groups.get_mut(group))
        {
            record.rotated_at = seq;
        }
        Ok(())
    }

    fn connection_claims(
        &mut self,
        request: &TokenRequest,
        now: Duration,
        id: Option<String>,
        gid: Option<String>,
        p: Option<Permissions>,
    ) -> ConnectionClaims {
        ConnectionClaims {
            a: Access::from(request.authorization),
            iat: now.as_secs(),
            exp: request
                .expiration
                .duration()
                .map(|lifetime| clock::expiry_secs(now, lifetime)),
            id,
            gid,
            seq: self.next_seq(),
            p,
        }
    }

    /// Whether a database or group token with these (verified) claims opens `database`
    /// of `slug` at `now`: it names the database or its group, was minted after their
    /// last rotations, and has not expired.
    pub(crate) fn opens(
        &self,
        slug: &str,
        database: &str,
        claims: &ConnectionClaims,
        now: Duration,
    ) -> bool {
        let Some(organization) = self.organizations.get(slug) else {
            return false;
        };
        let Some(record) = organization.databases.get(database) else {
            return false;
        };
        let Some(group) = organization.groups.get(&record.group) else {
            return false;
        };
        let names_it = claims.id.as_deref() == Some(record.id.as_str())
            || claims.gid.as_deref() == Some(group.id.as_str());
        let fresh = claims.seq > record.rotated_at && claims.seq > group.rotated_at;
        let unexpired = claims.exp.is_none_or(|exp| now < Duration::from_secs(exp));
        names_it && fresh && unexpired
    }
}

impl ApiTokenRecord {
    /// `organization`, `group` and `scopes` as the lists show them.
    fn restriction_fields(&self) -> (Option<String>, Option<String>, Vec<String>) {
        match &self.restriction {
            Restriction::Unrestricted => (None, None, Vec::new()),
            Restriction::Organization(organization) => {
                (Some(organization.clone()), None, Vec::new())
            }
            Restriction::Group {
                organization,
                group,
                scopes,
            } => (
                Some(organization.clone()),
                Some(group.clone()),
                scopes
                    .iter()
                    .map(|scope| scope.as_str().to_owned())
                    .collect(),
            ),
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

/// The `p` claim for `databases` of the organization, which must all exist.
fn read_attach(
    organization: &Organization,
    databases: &[String],
) -> Result<Option<Permissions>, ApiError> {
    if databases.is_empty() {
        return Ok(None);
    }
    let ns = databases
        .iter()
        .map(|name| find_database(organization, name).map(|record| record.id.clone()))
        .collect::<Result<_, _>>()?;
    Ok(Some(Permissions {
        roa: ReadOnlyAttach { ns },
    }))
}
