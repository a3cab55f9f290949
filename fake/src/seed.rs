//! What a fake starts from, and returns to on reset: users and their platform API tokens,
//! organizations with their owners, plans and members, groups with their locations, and
//! databases. The default is the seeded state every fake has always started with; a
//! team's CI writes its own as a TOML file (`--seed FILE`, [`Seed::from_file`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use turso_platform::MemberRole;
use turso_platform::spec::is_valid_name;

use crate::ids::Ids;
use crate::model::{DEFAULT_LOCATION, MAX_API_TOKENS, Plan, State, is_location};
use crate::{DATABASE, GROUP, ORGANIZATION, SEEDED_TOKEN_NAME, USERNAME};

/// A starting state for a fake: its users (each with a personal organization and
/// platform API tokens), its organizations (owner, plan, members), their groups
/// (location, replicas) and databases. Start a fake from one with
/// [`FakeTursoBuilder::seed`](crate::FakeTursoBuilder::seed), or the binary with
/// `--seed FILE`; [`FakeTurso::reset`](crate::FakeTurso::reset) returns to it.
///
/// The default seed is the state every fake starts with: the user `fake-user` with the
/// token `fake-token`, who owns `fake-org`, whose group `default` (in `aws-us-east-1`)
/// holds `fake-db`.
///
/// The file format, TOML (every key but the names is optional):
///
/// ```
/// use turso_platform_fake::Seed;
///
/// let seed = Seed::parse(r#"
///     [[users]]
///     username = "ana"           # also the slug of her personal organization
///     name = "Ana"               # default: the username
///     tokens = ["ci", "deploy"]  # unrestricted platform API tokens (default: ["fake-token"])
///
///     [[users]]
///     username = "bob"
///
///     [[organizations]]
///     slug = "acme"
///     owner = "ana"              # default: the first user
///     plan = "scaler"            # starter, developer, scaler (default) or pro
///     members = [{ username = "bob", role = "viewer" }]  # admin, member or viewer
///
///     [[organizations.groups]]
///     name = "eu"
///     location = "aws-eu-west-1"        # default: aws-us-east-1
///     replicas = ["aws-us-east-1"]      # not on the starter plan
///     databases = ["orders", "users"]
/// "#)?;
/// # Ok::<(), turso_platform_fake::SeedError>(())
/// ```
///
/// An organization whose slug is a user's username is that user's personal organization
/// (it takes groups and databases, a plan, but no owner other than them and no members).
/// Every mistake is refused with its line: a key the format does not have, a name Turso
/// would refuse, a user or location that does not exist, a name given twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    users: Vec<UserSeed>,
    organizations: Vec<OrganizationSeed>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct UserSeed {
    username: String,
    name: Option<String>,
    tokens: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct OrganizationSeed {
    slug: String,
    owner: String,
    plan: Option<Plan>,
    members: Vec<(String, MemberRole)>,
    groups: Vec<GroupSeed>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct GroupSeed {
    name: String,
    /// The primary's location first, then the replicas'.
    locations: Vec<String>,
    databases: Vec<String>,
}

/// Why a seed file was refused: where (the file and line, when known) and what is wrong.
///
/// ```
/// use turso_platform_fake::Seed;
///
/// let err = Seed::parse("[[users]]\nusername = \"ana\"\ncolour = \"red\"\n").unwrap_err();
/// assert_eq!(err.line(), Some(3));
/// assert!(err.to_string().starts_with("line 3: unknown field `colour`"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedError {
    path: Option<PathBuf>,
    line: Option<usize>,
    message: String,
}

impl SeedError {
    /// The line of the seed file the mistake is on (from 1), when it is on one.
    ///
    /// ```
    /// let err = turso_platform_fake::Seed::parse("[[users]]\nusername = \"Ana!\"\n").unwrap_err();
    /// assert_eq!(err.line(), Some(2));
    /// ```
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong, without the file and line.
    ///
    /// ```
    /// let err = turso_platform_fake::Seed::parse("users = 3").unwrap_err();
    /// assert!(err.message().contains("invalid type"), "{}", err.message());
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SeedError {}

impl Default for Seed {
    fn default() -> Self {
        Seed {
            users: vec![UserSeed {
                username: USERNAME.to_owned(),
                name: Some("Fake User".to_owned()),
                tokens: vec![SEEDED_TOKEN_NAME.to_owned()],
            }],
            organizations: vec![OrganizationSeed {
                slug: ORGANIZATION.to_owned(),
                owner: USERNAME.to_owned(),
                plan: None,
                members: Vec::new(),
                groups: vec![GroupSeed {
                    name: GROUP.to_owned(),
                    locations: vec![DEFAULT_LOCATION.to_owned()],
                    databases: vec![DATABASE.to_owned()],
                }],
            }],
        }
    }
}

/// The largest seed file read, in bytes.
const MAX_SEED_FILE: u64 = 4 * 1024 * 1024;

impl Seed {
    /// Reads a seed file (TOML, the format of [`Seed`]). Its errors name the file and the
    /// line.
    ///
    /// ```no_run
    /// let seed = turso_platform_fake::Seed::from_file("fixtures/turso.toml")?;
    /// # Ok::<(), turso_platform_fake::SeedError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Seed, SeedError> {
        let path = path.as_ref();
        let in_file = |mut err: SeedError| {
            err.path = Some(path.to_owned());
            err
        };
        let read = || -> std::io::Result<String> {
            use std::io::Read as _;
            let mut text = String::new();
            std::fs::File::open(path)?
                .take(MAX_SEED_FILE + 1)
                .read_to_string(&mut text)?;
            Ok(text)
        };
        let text = read().map_err(|e| {
            in_file(SeedError {
                path: None,
                line: None,
                message: format!("cannot read the seed file: {e}"),
            })
        })?;
        if text.len() as u64 > MAX_SEED_FILE {
            return Err(in_file(SeedError {
                path: None,
                line: None,
                message: format!("the seed file is larger than {MAX_SEED_FILE} bytes"),
            }));
        }
        Seed::parse(&text).map_err(in_file)
    }

    /// Reads a seed from its TOML text (the format of [`Seed`]).
    ///
    /// ```
    /// let seed = turso_platform_fake::Seed::parse("[[users]]\nusername = \"ana\"\n")?;
    /// # Ok::<(), turso_platform_fake::SeedError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Seed, SeedError> {
        let file: SeedFile = toml::from_str(text).map_err(|e| SeedError {
            path: None,
            line: e.span().map(|span| line_of(text, span.start)),
            message: e.message().trim_end().to_owned(),
        })?;
        Checker {
            text,
            names: BTreeSet::new(),
        }
        .check(file)
    }

    /// The state this seed describes, and the tokens it mints: (username, token name,
    /// claims), in the seed's order.
    pub(crate) fn state(
        &self,
        ids: Ids,
    ) -> (State, Vec<(String, String, crate::claims::ApiTokenClaims)>) {
        let mut state = State::empty(ids);
        let mut minted = Vec::new();
        // A checked seed names only users it adds, and no name twice: none of these fail.
        for user in &self.users {
            let _ = state.add_user(&user.username);
            if let Some(name) = &user.name {
                state.set_user_name(&user.username, name);
            }
        }
        for organization in &self.organizations {
            if !state.has_organization(&organization.slug) {
                let _ = state.add_owned_organization(&organization.slug, &organization.owner);
            }
            if let Some(plan) = organization.plan {
                let _ = state.set_plan(&organization.slug, plan);
            }
            for (username, role) in &organization.members {
                let _ = state.add_member(&organization.slug, username, *role);
            }
            for group in &organization.groups {
                let _ = state.add_group_in(&organization.slug, &group.name, &group.locations);
                for database in &group.databases {
                    // Served (and given its port) when the fake starts.
                    let _ = state.add_database(&organization.slug, &group.name, database, 0);
                }
            }
        }
        for user in &self.users {
            for token in &user.tokens {
                let claims = state.mint_named_token(&user.username, token).claims;
                minted.push((user.username.clone(), token.clone(), claims));
            }
        }
        (state, minted)
    }
}

// --- the file, as TOML reads it ---

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    users: Vec<Spanned<UserFile>>,
    #[serde(default)]
    organizations: Vec<Spanned<OrganizationFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    username: Spanned<String>,
    name: Option<String>,
    tokens: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationFile {
    slug: Spanned<String>,
    owner: Option<Spanned<String>>,
    plan: Option<Spanned<String>>,
    #[serde(default)]
    members: Vec<Spanned<MemberFile>>,
    #[serde(default)]
    groups: Vec<Spanned<GroupFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
    username: Spanned<String>,
    role: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    name: Spanned<String>,
    location: Option<Spanned<String>>,
    #[serde(default)]
    replicas: Vec<Spanned<String>>,
    #[serde(default)]
    databases: Vec<Spanned<String>>,
}

/// The line (from 1) of the byte at `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Checks a seed file as it turns it into a [`Seed`], naming the line of each mistake.
struct Checker<'a> {
    text: &'a str,
    /// The usernames and organization slugs so far (they share one namespace).
    names: BTreeSet<String>,
}

impl Checker<'_> {
    fn error(&self, span: Range<usize>, message: String) -> SeedError {
        SeedError {
            path: None,
            line: Some(line_of(self.text, span.start)),
            message,
        }
    }

    /// A name Turso accepts (`^[a-z0-9-]{1,64}$`), or the error that says so.
    fn name(&self, kind: &str, name: &Spanned<String>) -> Result<String, SeedError> {
        if is_valid_name(name.get_ref()) {
            Ok(name.get_ref().clone())
        } else {
            Err(self.error(
                name.span(),
                format!(
                    "{kind} {:?} is not a name Turso accepts: 1 to 64 lowercase letters, \
                     digits and dashes",
                    name.get_ref()
                ),
            ))
        }
    }

    fn location(&self, location: &Spanned<String>) -> Result<String, SeedError> {
        if is_location(location.get_ref()) {
            Ok(location.get_ref().clone())
        } else {
            Err(self.error(
                location.span(),
                format!(
                    "location {:?} is not one the fake offers (listLocations lists them)",
                    location.get_ref()
                ),
            ))
        }
    }

    fn check(mut self, file: SeedFile) -> Result<Seed, SeedError> {
        let mut users = Vec::new();
        for user in &file.users {
            let username = self.name("username", &user.get_ref().username)?;
            if !self.names.insert(username.clone()) {
                return Err(self.error(
                    user.get_ref().username.span(),
                    format!("the user {username:?} is given twice"),
                ));
            }
            let mut tokens = Vec::new();
            match &user.get_ref().tokens {
                None => tokens.push(SEEDED_TOKEN_NAME.to_owned()),
                Some(names) => {
                    for token in names {
                        let name = self.name("token name", token)?;
                        if tokens.len() == MAX_API_TOKENS {
                            return Err(self.error(
                                token.span(),
                                format!(
                                    "{username:?} has more than {MAX_API_TOKENS} tokens, the \
                                     most a user holds"
                                ),
                            ));
                        }
                        if tokens.contains(&name) {
                            return Err(self.error(
                                token.span(),
                                format!("{username:?} has two tokens named {name:?}"),
                            ));
                        }
                        tokens.push(name);
                    }
                }
            }
            users.push(UserSeed {
                username,
                name: user.get_ref().name.clone(),
                tokens,
            });
        }
        let usernames: BTreeMap<String, usize> = users
            .iter()
            .enumerate()
            .map(|(i, user)| (user.username.clone(), i))
            .collect();
        let Some(first) = users.first() else {
            return Err(SeedError {
                path: None,
                line: None,
                message: "the seed has no user: add one ([[users]] username = \"...\"), whose \
                          first token the fake prints as `token`"
                    .to_owned(),
            });
        };
        if first.tokens.is_empty() {
            return Err(self.error(
                file.users[0].span(),
                format!(
                    "the first user, {:?}, has no token: the fake prints their first as \
                     `token`; give them one (tokens = [\"fake-token\"])",
                    first.username
                ),
            ));
        }
        let first_user = first.username.clone();

        let mut organizations: Vec<OrganizationSeed> = Vec::new();
        let mut seen = BTreeSet::new();
        for organization in &file.organizations {
            let spec = organization.get_ref();
            let slug = self.name("organization slug", &spec.slug)?;
            if !seen.insert(slug.clone()) {
                return Err(self.error(
                    spec.slug.span(),
                    format!("the organization {slug:?} is given twice"),
                ));
            }
            let personal = usernames.contains_key(&slug);
            let owner = match &spec.owner {
                Some(owner) => {
                    let name = owner.get_ref();
                    if !usernames.contains_key(name) {
                        return Err(self.error(
                            owner.span(),
                            format!(
                                "the owner {name:?} of {slug:?} is not a user of the seed: add \
                                 them ([[users]] username = {name:?})"
                            ),
                        ));
                    }
                    if personal && *name != slug {
                        return Err(self.error(
                            owner.span(),
                            format!(
                                "{slug:?} is the personal organization of the user {slug:?}, \
                                 who owns it"
                            ),
                        ));
                    }
                    name.clone()
                }
                None if personal => slug.clone(),
                None => first_user.clone(),
            };
            if !personal {
                self.names.insert(slug.clone());
            }
            let plan = match &spec.plan {
                None => None,
                Some(plan) => Some(Plan::named(plan.get_ref()).ok_or_else(|| {
                    self.error(
                        plan.span(),
                        format!(
                            "no plan is named {:?}: starter, developer, scaler or pro",
                            plan.get_ref()
                        ),
                    )
                })?),
            };
            let on_starter = plan.unwrap_or(if personal {
                Plan::Starter
            } else {
                Plan::default()
            }) == Plan::Starter;
            let mut members: Vec<(String, MemberRole)> = Vec::new();
            for member in &spec.members {
                let member = member.get_ref();
                let username = member.username.get_ref();
                if personal {
                    return Err(self.error(
                        member.username.span(),
                        format!("{slug:?} is a personal organization: it has no other members"),
                    ));
                }
                if !usernames.contains_key(username) {
                    return Err(self.error(
                        member.username.span(),
                        format!(
                            "the member {username:?} of {slug:?} is not a user of the seed: add \
                             them ([[users]] username = {username:?})"
                        ),
                    ));
                }
                if *username == owner || members.iter().any(|(name, _)| name == username) {
                    return Err(self.error(
                        member.username.span(),
                        format!("{username:?} is given twice among the members of {slug:?}"),
                    ));
                }
                let role = match member.role.get_ref().parse::<MemberRole>() {
                    Ok(MemberRole::Owner) | Err(_) => {
                        return Err(self.error(
                            member.role.span(),
                            format!(
                                "the role {:?} is not one a member can have: admin, member or \
                                 viewer (the owner is `owner`)",
                                member.role.get_ref()
                            ),
                        ));
                    }
                    Ok(role) => role,
                };
                members.push((username.clone(), role));
            }
            let mut groups: Vec<GroupSeed> = Vec::new();
            for group in &spec.groups {
                let group = group.get_ref();
                let name = self.name("group name", &group.name)?;
                if groups.iter().any(|other| other.name == name) {
                    return Err(self.error(
                        group.name.span(),
                        format!("the group {name:?} of {slug:?} is given twice"),
                    ));
                }
                let mut locations = vec![match &group.location {
                    Some(location) => self.location(location)?,
                    None => DEFAULT_LOCATION.to_owned(),
                }];
                for replica in &group.replicas {
                    let location = self.location(replica)?;
                    if on_starter {
                        return Err(self.error(
                            replica.span(),
                            format!(
                                "{slug:?} is on the starter plan, which has no replicas: give \
                                 it another plan (plan = \"scaler\")"
                            ),
                        ));
                    }
                    if locations.contains(&location) {
                        return Err(self.error(
                            replica.span(),
                            format!("the group {name:?} is in {location:?} already"),
                        ));
                    }
                    locations.push(location);
                }
                let mut databases: Vec<String> = Vec::new();
                for database in &group.databases {
                    let database_name = self.name("database name", database)?;
                    let taken = databases.contains(&database_name)
                        || groups
                            .iter()
                            .any(|other| other.databases.contains(&database_name));
                    if taken {
                        return Err(self.error(
                            database.span(),
                            format!(
                                "the database {database_name:?} of {slug:?} is given twice \
                                 (database names are unique in an organization)"
                            ),
                        ));
                    }
                    databases.push(database_name);
                }
                groups.push(GroupSeed {
                    name,
                    locations,
                    databases,
                });
            }
            organizations.push(OrganizationSeed {
                slug,
                owner,
                plan,
                members,
                groups,
            });
        }
        Ok(Seed {
            users,
            organizations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> SeedError {
        Seed::parse(text).expect_err(text)
    }

    #[test]
    fn the_default_seed_is_the_fake_s_starting_state() {
        let seed = Seed::parse(
            r#"
            [[users]]
            username = "fake-user"
            name = "Fake User"

            [[organizations]]
            slug = "fake-org"

            [[organizations.groups]]
            name = "default"
            databases = ["fake-db"]
            "#,
        )
        .unwrap();
        assert_eq!(seed, Seed::default());
    }

    #[test]
    fn every_mistake_names_its_line() {
        let many_tokens = format!(
            "[[users]]\nusername = \"ana\"\ntokens = [\n{}]\n",
            (0..=MAX_API_TOKENS)
                .map(|n| format!("\"t{n}\",\n"))
                .collect::<String>()
        );
        let cases = [
            (
                "[[users]]\nusername = \"ana\"\nage = 3\n",
                3,
                "unknown field `age`",
            ),
            (
                "[[users]]\nusername = \"Ana\"\n",
                2,
                "not a name Turso accepts",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[users]]\nusername = \"ana\"\n",
                4,
                "given twice",
            ),
            (
                many_tokens.as_str(),
                4 + MAX_API_TOKENS,
                "more than 1000 tokens",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"acme\"\nowner = \"bob\"\n",
                5,
                "not a user of the seed",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"acme\"\nplan = \"gold\"\n",
                5,
                "no plan is named \"gold\"",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"acme\"\n\
                 members = [{ username = \"ana\", role = \"admin\" }]\n",
                5,
                "given twice among the members",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[users]]\nusername = \"bob\"\n\
                 [[organizations]]\nslug = \"acme\"\n\
                 members = [{ username = \"bob\", role = \"owner\" }]\n",
                7,
                "not one a member can have",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"acme\"\n\
                 [[organizations.groups]]\nname = \"eu\"\nlocation = \"mars-1\"\n",
                7,
                "not one the fake offers",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"ana\"\n\
                 [[organizations.groups]]\nname = \"eu\"\nreplicas = [\"aws-eu-west-1\"]\n",
                7,
                "starter plan",
            ),
            (
                "[[users]]\nusername = \"ana\"\n[[organizations]]\nslug = \"acme\"\n\
                 [[organizations.groups]]\nname = \"a\"\ndatabases = [\"db\"]\n\
                 [[organizations.groups]]\nname = \"b\"\ndatabases = [\"db\"]\n",
                10,
                "given twice",
            ),
            (
                "[[users]]\nusername = \"ana\"\ntokens = []\n",
                1,
                "has no token",
            ),
            ("users = [\n", 1, ""),
        ];
        for (text, line, message) in cases {
            let err = refused(text);
            assert_eq!(err.line(), Some(line), "{text}: {err}");
            assert!(err.message().contains(message), "{text}: {err}");
            assert!(
                err.to_string().starts_with(&format!("line {line}: ")),
                "{err}"
            );
        }
        assert_eq!(refused("").line(), None, "no user");
    }

    #[test]
    fn a_file_s_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("seed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("seed.toml");
        std::fs::write(&path, "[[users]]\nusername = \"ana\"\nextra = 1\n").unwrap();
        let err = Seed::from_file(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: line 3: ", path.display())),
            "{err}"
        );
        let missing = Seed::from_file(dir.join("missing.toml")).unwrap_err();
        assert!(
            missing.to_string().contains("cannot read the seed file"),
            "{missing}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
