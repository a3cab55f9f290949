//! The platform API tokens, and the database and group tokens, of the fake.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    Organization, Plan, State, administers, database_not_found, find_database, group_not_found,
    invite_key,
};
use crate::DatabaseAction;
use crate::SEEDED_TOKEN_NAME;
use crate::caller::{Caller, Origin, Restriction};
use crate::claims::{Access, ApiTokenClaims, ConnectionClaims, Permissions, ReadOnlyAttach};
use crate::clock;
use crate::http::TokenRequest;
use crate::http::answer::ApiError;
use turso_platform::AuditCode;
use turso_platform::Scope;
use turso_platform::generated::types;

/// How many platform API tokens a user may hold at once: past it, a mint answers 400 (a
/// rule of the fake, so that a long run holds steady memory; Turso documents none).
pub(crate) const MAX_API_TOKENS: usize = 1_000;

/// The users' platform API tokens, indexed by what requests look them up by: every
/// request finds its caller by ID, every mint checks its name among its user's tokens.
/// Lists are in mint order. Kept as the list of tokens; the indexes are rebuilt when it
/// is read back.
#[derive(Debug, Default, Deserialize)]
#[serde(from = "StoredApiTokens")]
pub(super) struct ApiTokens {
    /// By mint order.
    records: BTreeMap<u64, ApiTokenRecord>,
    by_id: HashMap<String, u64>,
    /// By owner and name.
    by_name: HashMap<(String, String), u64>,
    /// How many each owner holds.
    per_owner: HashMap<String, usize>,
    minted: u64,
}

impl ApiTokens {
    fn by_id(&self, id: &str) -> Option<&ApiTokenRecord> {
        self.records.get(self.by_id.get(id)?)
    }

    /// Removes the token of `owner` named `name`.
    fn remove_named(&mut self, owner: &str, name: &str) -> Option<ApiTokenRecord> {
        let key = *self.by_name.get(&(owner.to_owned(), name.to_owned()))?;
        self.remove(key)
    }

    fn remove_id(&mut self, id: &str) -> Option<ApiTokenRecord> {
        let key = *self.by_id.get(id)?;
        self.remove(key)
    }

    fn has_name(&self, owner: &str, name: &str) -> bool {
        self.by_name
            .contains_key(&(owner.to_owned(), name.to_owned()))
    }

    /// How many tokens `owner` holds.
    fn count_of(&self, owner: &str) -> usize {
        self.per_owner.get(owner).copied().unwrap_or(0)
    }

    fn insert(&mut self, record: ApiTokenRecord) {
        *self.per_owner.entry(record.owner.clone()).or_default() += 1;
        self.minted += 1;
        self.by_id.insert(record.id.clone(), self.minted);
        self.by_name
            .insert((record.owner.clone(), record.name.clone()), self.minted);
        self.records.insert(self.minted, record);
    }

    fn remove(&mut self, key: u64) -> Option<ApiTokenRecord> {
        let record = self.records.remove(&key)?;
        if let Some(count) = self.per_owner.get_mut(&record.owner) {
            *count -= 1;
            if *count == 0 {
                self.per_owner.remove(&record.owner);
            }
        }
        self.by_id.remove(&record.id);
        self.by_name
            .remove(&(record.owner.clone(), record.name.clone()));
        Some(record)
    }

    /// Revokes the tokens `revoke` holds for.
    fn revoke_where(&mut self, revoke: impl Fn(&ApiTokenRecord) -> bool) {
        let keys: Vec<u64> = self
            .records
            .iter()
            .filter(|(_, token)| revoke(token))
            .map(|(key, _)| *key)
            .collect();
        for key in keys {
            self.remove(key);
        }
    }

    /// Revokes the tokens pinned to `group` of `organization` (the group is deleted or
    /// transferred).
    pub(super) fn revoke_pinned_to(&mut self, organization: &str, group: &str) {
        self.revoke_where(|token| token.restriction.pinned_to(organization, group));
    }

    /// Revokes every token restricted to `organization` (it is deleted).
    pub(super) fn revoke_restricted_to(&mut self, organization: &str) {
        self.revoke_where(|token| token.restriction.organization() == Some(organization));
    }

    /// Moves the tokens pinned to `group` of `organization` to its new name `to`.
    pub(super) fn rename_pinned(&mut self, organization: &str, group: &str, to: &str) {
        for token in self.records.values_mut() {
            if let Restriction::Group {
                organization: o,
                group: g,
                ..
            } = &mut token.restriction
                && o == organization
                && g == group
            {
                *g = to.to_owned();
            }
        }
    }

    /// Revokes the tokens of `owner` restricted to `organization` (they left it).
    pub(super) fn revoke_owned_in(&mut self, owner: &str, organization: &str) {
        self.revoke_where(|token| {
            token.owner == owner && token.restriction.organization() == Some(organization)
        });
    }

    fn iter(&self) -> impl Iterator<Item = &ApiTokenRecord> {
        self.records.values()
    }
}

/// [`ApiTokens`] as a state directory keeps it: the tokens in mint order, and the count
/// of mints (so that a token minted after a restart never takes an earlier one's place).
#[derive(Deserialize)]
struct StoredApiTokens {
    minted: u64,
    tokens: Vec<ApiTokenRecord>,
}

impl Serialize for ApiTokens {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Stored<'a> {
            minted: u64,
            tokens: Vec<&'a ApiTokenRecord>,
        }
        Stored {
            minted: self.minted,
            tokens: self.records.values().collect(),
        }
        .serialize(serializer)
    }
}

impl From<StoredApiTokens> for ApiTokens {
    fn from(stored: StoredApiTokens) -> Self {
        let mut tokens = ApiTokens::default();
        for record in stored.tokens {
            tokens.insert(record);
        }
        tokens.minted = tokens.minted.max(stored.minted);
        tokens
    }
}

/// A platform API token. Its secret is not kept: the signed token carries its ID.
#[derive(Debug, Serialize, Deserialize)]
struct ApiTokenRecord {
    id: String,
    name: String,
    /// The user it acts for.
    owner: String,
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
    /// Mints an unrestricted token for `username`, named `fake-token`: the one that
    /// [`FakeTurso::token`](crate::FakeTurso::token) returns, and the one each user
    /// the fake adds gets.
    pub(crate) fn mint_seeded_token(&mut self, username: &str) -> MintedApiToken {
        self.mint_named_token(username, SEEDED_TOKEN_NAME)
    }

    /// An unrestricted token of `username` named `name`, minted without a request (setup).
    pub(crate) fn mint_named_token(&mut self, username: &str, name: &str) -> MintedApiToken {
        self.record_api_token(username, name, Restriction::Unrestricted)
    }

    // --- platform API tokens ---

    /// The caller behind a verified API token, or 401 if it was revoked.
    pub(crate) fn caller(&self, claims: &ApiTokenClaims) -> Result<Caller, ApiError> {
        self.live_token(claims).map(|token| Caller {
            username: token.owner.clone(),
            restriction: token.restriction.clone(),
            origin: Origin::default(),
        })
    }

    /// 401 if the platform API token behind `claims` was revoked.
    pub(crate) fn check_live(&self, claims: &ApiTokenClaims) -> Result<(), ApiError> {
        self.live_token(claims).map(drop)
    }

    fn live_token(&self, claims: &ApiTokenClaims) -> Result<&ApiTokenRecord, ApiError> {
        self.tokens
            .by_id(&claims.jti)
            .ok_or_else(|| ApiError::unauthorized("the token has been revoked"))
    }

    /// `listAPITokens`: the caller's user's tokens.
    pub(crate) fn list_api_tokens(&self, caller: &Caller) -> Result<types::ApiTokenList, ApiError> {
        caller.check_manages_tokens()?;
        let tokens = self
            .tokens
            .iter()
            .filter(|token| token.owner == caller.username)
            .map(|token| {
                let (organization, group, scopes) = token.restriction_fields();
                let mut answer = types::ApiToken::default()
                    .with_id(token.id.clone())
                    .with_name(token.name.clone())
                    .with_scopes(scopes)
                    .with_created_at(token.created_at.clone());
                answer.organization = organization;
                answer.group = group;
                answer
            })
            .collect::<Vec<_>>();
        Ok(types::ApiTokenList::default().with_tokens(tokens))
    }

    /// `createAPIToken`: names are unique among the user's tokens.
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
                self.organization_of(caller, slug)?;
            }
            Restriction::Group {
                organization: slug,
                group,
                ..
            } => {
                let organization = self.organization_of(caller, slug)?;
                if !administers(organization.role) {
                    return Err(ApiError::forbidden(format!(
                        "only admins and owners of {slug} can mint group-scoped tokens"
                    )));
                }
                if !organization.groups.contains_key(group) {
                    return Err(group_not_found());
                }
            }
        }
        if self.tokens.has_name(&caller.username, name) {
            return Err(ApiError::conflict(format!(
                "a token with name {name} already exists"
            )));
        }
        if self.tokens.count_of(&caller.username) >= MAX_API_TOKENS {
            return Err(ApiError::bad_request(format!(
                "{} has {MAX_API_TOKENS} API tokens, the most the fake keeps for a user: \
                 revoke one first",
                caller.username
            )));
        }
        let logged_in = restriction
            .organization()
            .unwrap_or(&caller.username)
            .to_owned();
        let minted = self.record_api_token(&caller.username, name, restriction);
        self.audit(
            &logged_in,
            caller,
            AuditCode::UserTokenCreate,
            [("name", name)],
        );
        Ok(minted)
    }

    fn record_api_token(
        &mut self,
        owner: &str,
        name: &str,
        restriction: Restriction,
    ) -> MintedApiToken {
        let id = self.ids.next_id();
        let now = clock::now_secs();
        self.tokens.insert(ApiTokenRecord {
            id: id.clone(),
            name: name.to_owned(),
            owner: owner.to_owned(),
            restriction,
            created_at: clock::date(now),
        });
        MintedApiToken {
            claims: ApiTokenClaims {
                iat: now,
                jti: id.clone(),
                sub: owner.to_owned(),
            },
            id,
            name: name.to_owned(),
        }
    }

    /// `revokeAPIToken`: one of the caller's user's tokens.
    pub(crate) fn revoke_api_token(
        &mut self,
        caller: &Caller,
        name: &str,
    ) -> Result<types::RevokedApiToken, ApiError> {
        caller.check_manages_tokens()?;
        let token = self
            .tokens
            .remove_named(&caller.username, name)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "could not find token with name {name}: record not found"
                ))
            })?;
        Ok(types::RevokedApiToken::default().with_token(token.name))
    }

    /// `listOrganizationAPITokens`: the organization-scoped and group-scoped tokens of
    /// the organization, whoever minted them.
    pub(crate) fn list_organization_api_tokens(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::OrganizationApiTokenList, ApiError> {
        caller.check_manages_tokens()?;
        // The list names its tokens' owners and their addresses: the rule of the member
        // list applies (owners and admins only), so that viewers and members cannot read
        // what they may not read there.
        self.administered(caller, slug, "list the organization's API tokens")?;
        let tokens = self
            .tokens
            .iter()
            .filter(|token| token.restriction.organization() == Some(slug))
            .map(|token| {
                let (organization, group, scopes) = token.restriction_fields();
                let mut owner = types::TokenOwner::default().with_username(token.owner.clone());
                owner.email = self.users.get(&token.owner).map(|user| user.email.clone());
                let mut answer = types::OrganizationApiToken::default()
                    .with_id(token.id.clone())
                    .with_name(token.name.clone())
                    .with_scopes(scopes)
                    .with_owner(owner)
                    .with_created_at(token.created_at.clone());
                answer.organization = organization;
                answer.group = group;
                answer
            })
            .collect::<Vec<_>>();
        Ok(types::OrganizationApiTokenList::default().with_tokens(tokens))
    }

    /// `revokeOrganizationAPIToken`: one's own, or anyone's for owners and admins.
    pub(crate) fn revoke_organization_api_token(
        &mut self,
        caller: &Caller,
        slug: &str,
        id: &str,
    ) -> Result<types::RevokedOrganizationApiToken, ApiError> {
        caller.check_manages_tokens()?;
        let organization = self.organization_of(caller, slug)?;
        let may_revoke_others = administers(organization.role);
        let token = self
            .tokens
            .by_id(id)
            .filter(|token| token.restriction.organization() == Some(slug))
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "could not find token with ID {id} in organization {slug}: record not found"
                ))
            })?;
        if token.owner != caller.username && !may_revoke_others {
            return Err(ApiError::forbidden(format!(
                "only admins and owners of {slug} can revoke the tokens of other members"
            )));
        }
        let token = self
            .tokens
            .remove_id(id)
            .ok_or_else(|| ApiError::not_found(format!("could not find token with ID {id}")))?;
        Ok(types::RevokedOrganizationApiToken::default().with_token(token.id))
    }

    /// `getCurrentUser`: the caller's user.
    pub(crate) fn current_user(&self, caller: &Caller) -> Result<types::User, ApiError> {
        let user = self
            .users
            .get(&caller.username)
            .ok_or_else(|| ApiError::unauthorized("the token's user no longer exists"))?;
        let paid = self
            .organizations
            .get(&caller.username)
            .is_some_and(|personal| personal.plan != Plan::Starter);
        Ok(types::User::default()
            .with_username(caller.username.clone())
            .with_name(user.name.clone())
            .with_email(user.email.clone())
            .with_avatar_url(format!("https://example.com/{}.png", caller.username))
            .with_plan(if paid { "scaler" } else { "starter" }.to_owned())
            // Every user of the fake uses multi-factor authentication: an organization
            // may require it (`updateOrganization`).
            .with_mfa(true)
            .with_has_pending_invites({
                let key = invite_key(&user.email);
                self.organizations
                    .values()
                    .any(|organization| organization.invites.contains_key(&key))
            }))
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
        let organization = self.organization_of(caller, slug)?;
        let record = organization.databases.get(database);
        caller.check_database(slug, record.map(|r| r.group.as_str()), Scope::DbMintToken)?;
        organization.check_mints(request.authorization)?;
        let record = record.ok_or_else(|| database_not_found(database))?;
        let permissions = read_attach(
            caller,
            slug,
            &organization,
            &request.read_attach,
            Scope::DbMintToken,
        )?;
        let id = record.id.clone();
        let authorization = request.authorization.as_str();
        self.audit(
            slug,
            caller,
            AuditCode::DbTokenCreate,
            [("name", database), ("authorization", authorization)],
        );
        Ok(self.connection_claims(request, now, Some(id), None, permissions))
    }

    /// `invalidateDatabaseTokens`.
    pub(crate) fn invalidate_database_tokens(
        &mut self,
        caller: &Caller,
        slug: &str,
        database: &str,
    ) -> Result<(), ApiError> {
        let organization = self.organization_of(caller, slug)?;
        let record = organization.databases.get(database);
        caller.check_database(slug, record.map(|r| r.group.as_str()), Scope::DbRotateCreds)?;
        organization.check_writes()?;
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
        let organization = self.organization_of(caller, slug)?;
        organization.check_mints(request.authorization)?;
        let record = organization.groups.get(group).ok_or_else(group_not_found)?;
        let permissions = read_attach(
            caller,
            slug,
            &organization,
            &request.read_attach,
            Scope::GroupMintToken,
        )?;
        let gid = record.id.clone();
        let authorization = request.authorization.as_str();
        self.audit(
            slug,
            caller,
            AuditCode::GroupTokenCreate,
            [("name", group), ("authorization", authorization)],
        );
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
        let organization = self.organization_of(caller, slug)?;
        organization.check_writes()?;
        if !organization.groups.contains_key(group) {
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
            perm: request.tables.clone(),
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

    /// Whether a connection with a token with these claims may do `action` on `database`
    /// of `slug` at `now`: the token opens it, the database is ready, its group is not
    /// archived, reads or writes are not blocked, and a write needs a read-write token.
    pub(crate) fn allows(
        &self,
        slug: &str,
        database: &str,
        claims: &ConnectionClaims,
        now: Duration,
        action: DatabaseAction,
    ) -> bool {
        if !self.opens(slug, database, claims, now) {
            return false;
        }
        let Some(organization) = self.organizations.get(slug) else {
            return false;
        };
        let Some(record) = organization.databases.get(database) else {
            return false;
        };
        let archived = organization
            .groups
            .get(&record.group)
            .is_none_or(|group| group.archived);
        let configuration = &record.configuration;
        let ready = now >= Duration::from_millis(record.ready_at);
        ready
            && !archived
            && match action {
                DatabaseAction::Read => !configuration.block_reads,
                DatabaseAction::Write => {
                    !configuration.block_writes && claims.a == Access::ReadWrite
                }
            }
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

/// The `p` claim for `databases` of the organization, which must all exist and be within
/// the caller's reach for `scope` (the mint's): a token scoped to a group cannot grant
/// what is outside it, nor learn whether a name exists there (403 before 404).
fn read_attach(
    caller: &Caller,
    slug: &str,
    organization: &Organization,
    databases: &[String],
    scope: Scope,
) -> Result<Option<Permissions>, ApiError> {
    if databases.is_empty() {
        return Ok(None);
    }
    let ns = databases
        .iter()
        .map(|name| {
            let record = organization.databases.get(name);
            caller.check_database(slug, record.map(|db| db.group.as_str()), scope)?;
            find_database(organization, name).map(|record| record.id.clone())
        })
        .collect::<Result<_, _>>()?;
    Ok(Some(Permissions {
        roa: ReadOnlyAttach { ns },
    }))
}
