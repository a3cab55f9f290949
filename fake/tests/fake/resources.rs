//! End-to-end tests of the fake Turso Platform API's databases, groups, instances and
//! locations (the fake), through the public `Client`: each test proves one
//! behaviour, and bounds its own time.
//!
//! Tokens and the fake's setup are tested in `api`, raw HTTP in
//! `http`. Everything here talks to 127.0.0.1 only.

use std::time::{Duration, SystemTime};

use crate::common::bounded;
use crate::common::{
    admin, assert_api_error, assert_raw_api_error, group_names, pinned, restricted_client, start,
};
use turso_platform::MemberRole;
use turso_platform::generated::types::{CreateDatabaseInput, CreateGroupInput};
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, Authorization, Client, Database, DatabaseConfigurationInput, Error,
    GroupConfigurationInput, ListDatabasesOptions, NewDatabase, NewGroup, Scope, TokenOptions,
    UsageOptions,
};
use turso_platform_fake::{DatabaseAction, FakeTurso, Plan};

/// The time each test is given.
const LIMIT: Duration = Duration::from_secs(20);

/// A full-access database token for `database` of `org`, as a string.
async fn database_jwt(client: &Client, org: &str, database: &str) -> String {
    database_jwt_with(client, org, database, &TokenOptions::new()).await
}

async fn database_jwt_with(
    client: &Client,
    org: &str,
    database: &str,
    options: &TokenOptions,
) -> String {
    client
        .create_database_token(org, database, options)
        .await
        .expect("a database token")
        .jwt
        .expose_secret()
        .to_owned()
}

/// The names of the databases of `org` that `client` lists with `options`.
async fn database_names(client: &Client, org: &str, options: &ListDatabasesOptions) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_databases(org, options)
        .await
        .unwrap()
        .into_iter()
        .map(|db| db.name)
        .collect();
    names.sort();
    names
}

fn all() -> ListDatabasesOptions {
    ListDatabasesOptions::new()
}

/// Adds the group `eu` (placed in aws-us-east-1 by the setup) with the database `eu-db`
/// to `fake-org`.
fn add_eu(fake: &FakeTurso) {
    fake.add_group("fake-org", "eu").unwrap();
    fake.add_database("fake-org", "eu", "eu-db").unwrap();
}

// --- databases ---

#[tokio::test]
async fn a_created_database_mints_valid_tokens_and_is_read_and_listed_with_its_group_and_host() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let created = client
            .create_database("fake-org", &NewDatabase::new("tenant-1", "default"))
            .await
            .unwrap();
        assert_eq!(created.name, "tenant-1");
        // Where its SQL is served, on this machine.
        assert_eq!(
            format!("http://{}", created.hostname),
            fake.database_url("fake-org", "tenant-1").unwrap()
        );
        assert!(!created.db_id.is_empty());

        let jwt = database_jwt(&client, "fake-org", "tenant-1").await;
        assert!(fake.database_token_is_valid("fake-org", "tenant-1", &jwt));
        assert!(
            !fake.database_token_is_valid("fake-org", "fake-db", &jwt),
            "a database token opens its database only"
        );

        let database = client.get_database("fake-org", "tenant-1").await.unwrap();
        assert_eq!(database.name, "tenant-1");
        assert_eq!(database.db_id, created.db_id);
        assert_eq!(database.hostname, created.hostname);
        assert_eq!(database.group.as_deref(), Some("default"));
        assert_eq!(database.primary_region.as_deref(), Some("aws-us-east-1"));
        assert_eq!(database.regions, ["aws-us-east-1"]);
        assert_eq!(database.parent, None);
        assert_eq!(database.delete_protection, Some(false));

        let listed = client.list_databases("fake-org", &all()).await.unwrap();
        let names: Vec<&str> = listed.iter().map(|db| db.name.as_str()).collect();
        assert_eq!(names, ["fake-db", "tenant-1"]);
        let seeded = listed.iter().find(|db| db.name == "fake-db").unwrap();
        assert_ne!(seeded.db_id, created.db_id, "IDs are unique");
        assert_eq!(
            listed.iter().find(|db| db.name == "tenant-1"),
            Some(&database),
            "listed as read"
        );
    })
    .await
}

#[tokio::test]
async fn a_created_database_keeps_the_size_limit_it_was_created_with() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .create_database(
                "fake-org",
                &NewDatabase::new("limited", "default").size_limit("256mb"),
            )
            .await
            .unwrap();
        let configuration = client
            .get_database_configuration("fake-org", "limited")
            .await
            .unwrap();
        assert_eq!(configuration.size_limit.as_deref(), Some("256mb"));
    })
    .await
}

#[tokio::test]
async fn list_databases_filtered_by_group_lists_only_that_group_s_databases() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        client
            .create_database("fake-org", &NewDatabase::new("eu-db", "eu"))
            .await
            .unwrap();

        let in_eu = client
            .list_databases("fake-org", &ListDatabasesOptions::new().group("eu"))
            .await
            .unwrap();
        assert_eq!(in_eu.len(), 1);
        assert_eq!(in_eu[0].name, "eu-db");
        assert_eq!(in_eu[0].group.as_deref(), Some("eu"));
        assert_eq!(in_eu[0].primary_region.as_deref(), Some("aws-eu-west-1"));
        assert_eq!(
            database_names(&client, "fake-org", &all().group("default")).await,
            ["fake-db"]
        );
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["eu-db", "fake-db"]
        );
    })
    .await
}

#[tokio::test]
async fn a_copy_names_its_source_as_parent_and_is_listed_among_its_branches() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let template = client
            .create_database("fake-org", &NewDatabase::new("template", "default"))
            .await
            .unwrap();
        let copy = client
            .create_database(
                "fake-org",
                &NewDatabase::new("tenant-copy", "default").copy_of("template"),
            )
            .await
            .unwrap();

        let read = client
            .get_database("fake-org", "tenant-copy")
            .await
            .unwrap();
        let parent = read.parent.expect("a copy has a parent");
        assert_eq!(parent.name.as_deref(), Some("template"));
        assert_eq!(parent.id.as_deref(), Some(template.db_id.as_str()));
        assert!(parent.branched_at.is_some_and(|at| !at.is_empty()));
        assert_eq!(
            client
                .get_database("fake-org", "template")
                .await
                .unwrap()
                .parent,
            None,
            "the source is no branch"
        );

        let branches = client
            .list_databases("fake-org", &all().branches_of(&template.db_id))
            .await
            .unwrap();
        let ids: Vec<&str> = branches.iter().map(|db| db.db_id.as_str()).collect();
        assert_eq!(ids, [copy.db_id.as_str()]);
        let seeded = client.get_database("fake-org", "fake-db").await.unwrap();
        assert!(
            client
                .list_databases("fake-org", &all().branches_of(&seeded.db_id))
                .await
                .unwrap()
                .is_empty()
        );
        // The copy is a database of its own, with its own tokens.
        let jwt = database_jwt(&client, "fake-org", "tenant-copy").await;
        assert!(fake.database_token_is_valid("fake-org", "tenant-copy", &jwt));
        assert!(!fake.database_token_is_valid("fake-org", "template", &jwt));
    })
    .await
}

#[tokio::test]
async fn deleting_a_database_invalidates_its_tokens_and_frees_its_name_for_a_new_database() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let first = client
            .create_database("fake-org", &NewDatabase::new("tenant", "default"))
            .await
            .unwrap();
        let old = database_jwt(&client, "fake-org", "tenant").await;
        assert!(fake.database_token_is_valid("fake-org", "tenant", &old));

        assert_eq!(
            client.delete_database("fake-org", "tenant").await.unwrap(),
            "tenant"
        );
        assert!(!fake.database_token_is_valid("fake-org", "tenant", &old));
        assert!(!fake.database_allows("fake-org", "tenant", &old, DatabaseAction::Read));
        assert_api_error(
            client.get_database("fake-org", "tenant").await,
            404,
            "could not find database with name tenant",
        );
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        assert_api_error(
            client.delete_database("fake-org", "tenant").await,
            404,
            "tenant",
        );

        let second = client
            .create_database("fake-org", &NewDatabase::new("tenant", "default"))
            .await
            .unwrap();
        assert_ne!(second.db_id, first.db_id, "a new database, with a new ID");
        assert!(
            !fake.database_token_is_valid("fake-org", "tenant", &old),
            "the old database's token does not open the new one"
        );
        let new = database_jwt(&client, "fake-org", "tenant").await;
        assert!(fake.database_token_is_valid("fake-org", "tenant", &new));
    })
    .await
}

#[tokio::test]
async fn database_names_are_unique_per_organization_across_its_groups() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_group("fake-org", "eu").unwrap();
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        let client = admin(&fake);
        for group in ["default", "eu"] {
            assert_api_error(
                client
                    .create_database("fake-org", &NewDatabase::new("fake-db", group))
                    .await,
                400,
                "database with same name already exists",
            );
        }
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        // Another organization may have the name.
        client
            .create_database("acme", &NewDatabase::new("fake-db", "default"))
            .await
            .expect("names are unique per organization only");
    })
    .await
}

#[tokio::test]
async fn group_names_are_unique_per_organization() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        let client = admin(&fake);
        assert_api_error(
            client
                .create_group("fake-org", &NewGroup::new("default", "aws-eu-west-1"))
                .await,
            400,
            "group with same name already exists",
        );
        client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        assert_api_error(
            client
                .create_group("fake-org", &NewGroup::new("eu", "aws-us-east-1"))
                .await,
            400,
            "group with same name already exists",
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default", "eu"]);
        client
            .create_group("acme", &NewGroup::new("default", "aws-us-east-1"))
            .await
            .expect("names are unique per organization only");
    })
    .await
}

#[tokio::test]
async fn unknown_organizations_groups_databases_and_locations_answer_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let organization = "could not find organization with name nope";
        assert_api_error(
            client
                .create_database("nope", &NewDatabase::new("x", "default"))
                .await,
            404,
            organization,
        );
        assert_api_error(
            client.list_databases("nope", &all()).await,
            404,
            organization,
        );
        assert_api_error(client.list_groups("nope").await, 404, organization);
        assert_api_error(
            client.get_database("nope", "fake-db").await,
            404,
            organization,
        );
        assert_api_error(
            client
                .create_group("nope", &NewGroup::new("eu", "aws-eu-west-1"))
                .await,
            404,
            organization,
        );

        // A create in a missing group is 400, as Turso's spec documents it.
        assert_api_error(
            client
                .create_database("fake-org", &NewDatabase::new("x", "nope"))
                .await,
            400,
            "group not found",
        );
        assert_api_error(
            client
                .list_databases("fake-org", &all().group("nope"))
                .await,
            404,
            "group not found",
        );
        assert_api_error(
            client.get_group("fake-org", "nope").await,
            404,
            "group not found",
        );
        assert_api_error(
            client.delete_group("fake-org", "nope").await,
            404,
            "group not found",
        );
        assert_api_error(
            client.update_group_databases("fake-org", "nope").await,
            404,
            "group not found",
        );

        let database = "could not find database with name nope";
        assert_api_error(client.get_database("fake-org", "nope").await, 404, database);
        assert_api_error(
            client.delete_database("fake-org", "nope").await,
            404,
            database,
        );
        assert_api_error(
            client.list_database_instances("fake-org", "nope").await,
            404,
            database,
        );
        assert_api_error(
            client.get_database_configuration("fake-org", "nope").await,
            404,
            database,
        );
        assert_api_error(
            client
                .create_database(
                    "fake-org",
                    &NewDatabase::new("x", "default").copy_of("nope"),
                )
                .await,
            404,
            database,
        );

        assert_api_error(
            client
                .add_location_to_group("fake-org", "default", "aws-mars-1")
                .await,
            404,
            "location aws-mars-1 not found",
        );
        assert_api_error(
            client
                .create_group("fake-org", &NewGroup::new("eu", "aws-mars-1"))
                .await,
            404,
            "location aws-mars-1 not found",
        );
        assert_api_error(
            client
                .get_database_instance("fake-org", "fake-db", "aws-eu-west-1")
                .await,
            404,
            "could not find instance aws-eu-west-1 of database fake-db",
        );
        assert_api_error(
            client.transfer_group("fake-org", "default", "nope").await,
            404,
            organization,
        );
        // Nothing was created along the way.
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default"]);
    })
    .await
}

#[tokio::test]
async fn invalid_names_sent_past_the_builders_are_refused_by_the_fake_with_400() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        // The builders refuse them before anything is sent...
        assert!(matches!(
            client
                .create_database("fake-org", &NewDatabase::new("Bad", "default"))
                .await,
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            client
                .create_group("fake-org", &NewGroup::new("Bad", "aws-eu-west-1"))
                .await,
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(fake.requests("createDatabase").unwrap(), 0);
        assert_eq!(fake.requests("createGroup").unwrap(), 0);

        // ...and the fake refuses them too, when sent through the generated client.
        let raw = client.generated();
        let too_long = "a".repeat(65);
        for name in ["Bad", "a_b", "a b", too_long.as_str()] {
            let body = CreateDatabaseInput::default()
                .with_name(name)
                .with_group("default");
            assert_raw_api_error(
                raw.create_database("fake-org", &body).await,
                400,
                "invalid database name",
            );
            let body = CreateGroupInput::default()
                .with_name(name)
                .with_location("aws-eu-west-1");
            assert_raw_api_error(
                raw.create_group("fake-org", &body).await,
                400,
                "invalid group name",
            );
        }
        assert_eq!(fake.requests("createDatabase").unwrap(), 4);
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default"]);
        // A valid body goes through the same way.
        let body = CreateDatabaseInput::default()
            .with_name("good")
            .with_group("default");
        let created = raw.create_database("fake-org", &body).await.unwrap();
        assert_eq!(created.status().as_u16(), 200);
        assert_eq!(created.into_inner().database.name, "good");
    })
    .await
}

// --- database configuration ---

#[tokio::test]
async fn database_configuration_changes_persist_and_only_what_is_named_changes() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let before = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(before.block_reads, Some(false));
        assert_eq!(before.block_writes, Some(false));
        assert_eq!(before.delete_protection, Some(false));
        assert!(before.allowed_ips.is_empty());

        let changes = DatabaseConfigurationInput::default()
            .with_size_limit("1gb")
            .with_allow_attach(true)
            .with_allowed_aws_vpc_ids(["vpce-0123"]);
        let answered = client
            .update_database_configuration("fake-org", "fake-db", &changes)
            .await
            .unwrap();
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(answered, read, "the update answers the new configuration");
        assert_eq!(read.size_limit.as_deref(), Some("1gb"));
        assert_eq!(read.allow_attach, Some(true));
        assert_eq!(read.allowed_aws_vpc_ids, ["vpce-0123"]);
        assert_eq!(read.block_writes, Some(false), "not named, not changed");

        let more = DatabaseConfigurationInput::default().with_block_writes(true);
        client
            .update_database_configuration("fake-org", "fake-db", &more)
            .await
            .unwrap();
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(read.block_writes, Some(true));
        assert_eq!(read.size_limit.as_deref(), Some("1gb"), "kept");
        assert_eq!(read.allow_attach, Some(true), "kept");
        assert_eq!(read.allowed_aws_vpc_ids, ["vpce-0123"], "kept");
        let database = client.get_database("fake-org", "fake-db").await.unwrap();
        assert_eq!(
            database.block_writes,
            Some(true),
            "getDatabase shows it too"
        );
    })
    .await
}

#[tokio::test]
async fn block_writes_refuses_writes_and_still_allows_reads() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let jwt = database_jwt(&client, "fake-org", "fake-db").await;
        let allows = |action| fake.database_allows("fake-org", "fake-db", &jwt, action);
        assert!(allows(DatabaseAction::Write) && allows(DatabaseAction::Read));

        let block = DatabaseConfigurationInput::default().with_block_writes(true);
        client
            .update_database_configuration("fake-org", "fake-db", &block)
            .await
            .unwrap();
        assert!(!allows(DatabaseAction::Write));
        assert!(allows(DatabaseAction::Read));
        assert!(
            fake.database_token_is_valid("fake-org", "fake-db", &jwt),
            "the token itself stays valid"
        );

        let unblock = DatabaseConfigurationInput::default().with_block_writes(false);
        client
            .update_database_configuration("fake-org", "fake-db", &unblock)
            .await
            .unwrap();
        assert!(allows(DatabaseAction::Write));
    })
    .await
}

#[tokio::test]
async fn a_read_only_token_never_allows_writes() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let read_only = TokenOptions::new().authorization(Authorization::ReadOnly);
        let jwt = database_jwt_with(&client, "fake-org", "fake-db", &read_only).await;
        assert!(fake.database_token_is_valid("fake-org", "fake-db", &jwt));
        assert!(fake.database_allows("fake-org", "fake-db", &jwt, DatabaseAction::Read));
        assert!(!fake.database_allows("fake-org", "fake-db", &jwt, DatabaseAction::Write));
        // Nor does a read-only group token.
        let group = client
            .create_group_token("fake-org", "default", &read_only)
            .await
            .unwrap();
        let group = group.jwt.expose_secret();
        assert!(fake.database_allows("fake-org", "fake-db", group, DatabaseAction::Read));
        assert!(!fake.database_allows("fake-org", "fake-db", group, DatabaseAction::Write));
    })
    .await
}

#[tokio::test]
async fn block_reads_refuses_reads() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let jwt = database_jwt(&client, "fake-org", "fake-db").await;
        let block = DatabaseConfigurationInput::default().with_block_reads(true);
        let answered = client
            .update_database_configuration("fake-org", "fake-db", &block)
            .await
            .unwrap();
        assert_eq!(answered.block_reads, Some(true));
        assert!(!fake.database_allows("fake-org", "fake-db", &jwt, DatabaseAction::Read));
        assert!(
            fake.database_allows("fake-org", "fake-db", &jwt, DatabaseAction::Write),
            "only reads are blocked"
        );
        let database = client.get_database("fake-org", "fake-db").await.unwrap();
        assert_eq!(database.block_reads, Some(true));

        let unblock = DatabaseConfigurationInput::default().with_block_reads(false);
        client
            .update_database_configuration("fake-org", "fake-db", &unblock)
            .await
            .unwrap();
        assert!(fake.database_allows("fake-org", "fake-db", &jwt, DatabaseAction::Read));
    })
    .await
}

#[tokio::test]
async fn delete_protection_refuses_deletion_until_it_is_turned_off() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let protect = DatabaseConfigurationInput::default().with_delete_protection(true);
        client
            .update_database_configuration("fake-org", "fake-db", &protect)
            .await
            .unwrap();
        assert_eq!(
            client
                .get_database("fake-org", "fake-db")
                .await
                .unwrap()
                .delete_protection,
            Some(true)
        );
        assert_api_error(
            client.delete_database("fake-org", "fake-db").await,
            400,
            "protected from deletion",
        );
        client
            .get_database("fake-org", "fake-db")
            .await
            .expect("still there");

        let unprotect = DatabaseConfigurationInput::default().with_delete_protection(false);
        client
            .update_database_configuration("fake-org", "fake-db", &unprotect)
            .await
            .unwrap();
        client.delete_database("fake-org", "fake-db").await.unwrap();
        assert_api_error(
            client.get_database("fake-org", "fake-db").await,
            404,
            "fake-db",
        );
    })
    .await
}

#[tokio::test]
async fn an_empty_ip_allowlist_clears_the_allowlist() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let allow = DatabaseConfigurationInput::default().with_allowed_ips(["203.0.113.0/24"]);
        client
            .update_database_configuration("fake-org", "fake-db", &allow)
            .await
            .unwrap();
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(read.allowed_ips, ["203.0.113.0/24"]);

        // An update that does not name the allowlist keeps it.
        let other = DatabaseConfigurationInput::default().with_allow_attach(false);
        client
            .update_database_configuration("fake-org", "fake-db", &other)
            .await
            .unwrap();
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(read.allowed_ips, ["203.0.113.0/24"]);

        // Entries are IP addresses or CIDR blocks; anything else is refused, and the
        // allowlist stays as it was.
        for bad in [
            "not-an-ip",
            "10.0.0.0/33",
            "10.0.0.0/",
            "2001:db8::/129",
            "10.0.0.0/+8",
        ] {
            let refused =
                DatabaseConfigurationInput::default().with_allowed_ips(["2001:db8::/32", bad]);
            assert_api_error(
                client
                    .update_database_configuration("fake-org", "fake-db", &refused)
                    .await,
                400,
                "invalid allowed IP",
            );
        }
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(read.allowed_ips, ["203.0.113.0/24"]);

        let clear = DatabaseConfigurationInput::default().with_allowed_ips(Vec::<String>::new());
        let answered = client
            .update_database_configuration("fake-org", "fake-db", &clear)
            .await
            .unwrap();
        assert!(answered.allowed_ips.is_empty(), "{answered:?}");
        let read = client
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        assert!(read.allowed_ips.is_empty(), "{read:?}");
    })
    .await
}

// --- groups, locations and instances ---

#[tokio::test]
async fn a_created_group_is_placed_in_its_location_with_its_databases() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let group = client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        assert_eq!(group.name, "eu");
        assert_eq!(group.primary.as_deref(), Some("aws-eu-west-1"));
        assert_eq!(group.locations, ["aws-eu-west-1"]);
        assert_eq!(group.archived, Some(false));
        assert_eq!(group.delete_protection, Some(false));
        assert!(!group.uuid.is_empty());
        assert!(group.version.is_some());
        assert_eq!(client.get_group("fake-org", "eu").await.unwrap(), group);
        assert_eq!(group_names(&client, "fake-org").await, ["default", "eu"]);
        let seeded = client.get_group("fake-org", "default").await.unwrap();
        assert_eq!(seeded.primary.as_deref(), Some("aws-us-east-1"));
        assert_ne!(seeded.uuid, group.uuid);

        client
            .create_database("fake-org", &NewDatabase::new("eu-db", "eu"))
            .await
            .unwrap();
        let instances = client
            .list_database_instances("fake-org", "eu-db")
            .await
            .unwrap();
        assert_eq!(instances.len(), 1);
        assert_eq!(instances[0].type_, "primary");
        assert_eq!(instances[0].region, "aws-eu-west-1");
    })
    .await
}

#[tokio::test]
async fn instances_follow_the_group_s_locations_as_they_are_added_and_removed() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let instances = client
            .list_database_instances("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(instances.len(), 1);
        assert_eq!(
            (instances[0].type_.as_str(), instances[0].region.as_str()),
            ("primary", "aws-us-east-1")
        );

        let group = client
            .add_location_to_group("fake-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        assert_eq!(group.locations, ["aws-us-east-1", "aws-eu-west-1"]);
        assert_eq!(group.primary.as_deref(), Some("aws-us-east-1"));

        let instances = client
            .list_database_instances("fake-org", "fake-db")
            .await
            .unwrap();
        let shown: Vec<(&str, &str)> = instances
            .iter()
            .map(|i| (i.type_.as_str(), i.region.as_str()))
            .collect();
        assert_eq!(
            shown,
            [("primary", "aws-us-east-1"), ("replica", "aws-eu-west-1")]
        );
        assert_ne!(instances[0].uuid, instances[1].uuid);
        for instance in &instances {
            assert_eq!(instance.name, instance.region);
            // Every instance is the one database served on this machine.
            assert_eq!(
                format!("http://{}", instance.hostname),
                fake.database_url("fake-org", "fake-db").unwrap()
            );
        }
        let replica = client
            .get_database_instance("fake-org", "fake-db", "aws-eu-west-1")
            .await
            .unwrap();
        assert_eq!(replica, instances[1]);
        let primary = client
            .get_database_instance("fake-org", "fake-db", "aws-us-east-1")
            .await
            .unwrap();
        assert_eq!(primary, instances[0]);
        let database = client.get_database("fake-org", "fake-db").await.unwrap();
        assert_eq!(database.regions, ["aws-us-east-1", "aws-eu-west-1"]);
        assert_eq!(database.primary_region.as_deref(), Some("aws-us-east-1"));

        let group = client
            .remove_location_from_group("fake-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        assert_eq!(group.locations, ["aws-us-east-1"]);
        let instances = client
            .list_database_instances("fake-org", "fake-db")
            .await
            .unwrap();
        assert_eq!(instances, [primary]);
        assert_api_error(
            client
                .get_database_instance("fake-org", "fake-db", "aws-eu-west-1")
                .await,
            404,
            "aws-eu-west-1",
        );
    })
    .await
}

#[tokio::test]
async fn the_primary_location_cannot_be_removed_nor_a_location_added_twice() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        assert_api_error(
            client
                .remove_location_from_group("fake-org", "default", "aws-us-east-1")
                .await,
            400,
            "primary location",
        );
        assert_api_error(
            client
                .add_location_to_group("fake-org", "default", "aws-us-east-1")
                .await,
            400,
            "already in aws-us-east-1",
        );
        client
            .add_location_to_group("fake-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        assert_api_error(
            client
                .add_location_to_group("fake-org", "default", "aws-eu-west-1")
                .await,
            400,
            "already in aws-eu-west-1",
        );
        assert_api_error(
            client
                .remove_location_from_group("fake-org", "default", "aws-ap-south-1")
                .await,
            400,
            "not in aws-ap-south-1",
        );
        let group = client.get_group("fake-org", "default").await.unwrap();
        assert_eq!(group.locations, ["aws-us-east-1", "aws-eu-west-1"]);
    })
    .await
}

#[tokio::test]
async fn a_starter_organization_cannot_add_a_location_402() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.set_plan("fake-org", Plan::Starter).unwrap();
        let client = admin(&fake);
        match client
            .add_location_to_group("fake-org", "default", "aws-eu-west-1")
            .await
        {
            Err(Error::Api {
                status,
                code,
                message,
                ..
            }) => {
                assert_eq!(status.as_u16(), 402, "{message}");
                assert_eq!(
                    code.as_deref(),
                    Some("feature_not_available_for_starter_plan")
                );
            }
            other => panic!("expected a 402, got {other:?}"),
        }
        let group = client.get_group("fake-org", "default").await.unwrap();
        assert_eq!(group.locations, ["aws-us-east-1"]);
        // The plan allows the rest: groups in any location, databases.
        client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        client
            .create_database("fake-org", &NewDatabase::new("eu-db", "eu"))
            .await
            .unwrap();
    })
    .await
}

#[tokio::test]
async fn deleting_a_group_deletes_its_databases_and_their_tokens() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        for name in ["eu-one", "eu-two"] {
            client
                .create_database("fake-org", &NewDatabase::new(name, "eu"))
                .await
                .unwrap();
        }
        let one = database_jwt(&client, "fake-org", "eu-one").await;
        let group_jwt = client
            .create_group_token("fake-org", "eu", &TokenOptions::new())
            .await
            .unwrap();
        let group_jwt = group_jwt.jwt.expose_secret();
        let seeded = database_jwt(&client, "fake-org", "fake-db").await;
        assert!(fake.database_token_is_valid("fake-org", "eu-two", group_jwt));

        let deleted = client.delete_group("fake-org", "eu").await.unwrap();
        assert_eq!(deleted.name, "eu");
        assert!(!fake.database_token_is_valid("fake-org", "eu-one", &one));
        assert!(!fake.database_token_is_valid("fake-org", "eu-two", group_jwt));
        for name in ["eu-one", "eu-two"] {
            assert_api_error(client.get_database("fake-org", name).await, 404, name);
        }
        assert_api_error(
            client.get_group("fake-org", "eu").await,
            404,
            "group not found",
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default"]);
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        assert!(
            fake.database_token_is_valid("fake-org", "fake-db", &seeded),
            "other groups' databases are untouched"
        );
    })
    .await
}

#[tokio::test]
async fn deleting_a_group_revokes_the_api_tokens_pinned_to_it_and_no_others() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        let in_eu = restricted_client(
            &fake,
            &admin(&fake),
            "eu",
            &pinned("fake-org", "eu", [Scope::Read]),
        )
        .await;
        let in_default = restricted_client(
            &fake,
            &admin(&fake),
            "default",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        let organization = restricted_client(
            &fake,
            &admin(&fake),
            "org",
            &ApiTokenOptions::new().organization("fake-org"),
        )
        .await;
        in_eu.get_database("fake-org", "eu-db").await.unwrap();

        admin(&fake).delete_group("fake-org", "eu").await.unwrap();
        assert_api_error(in_eu.validate_api_token().await, 401, "revoked");
        assert_api_error(
            in_eu.list_databases("fake-org", &all()).await,
            401,
            "revoked",
        );
        in_default
            .get_database("fake-org", "fake-db")
            .await
            .expect("a token pinned to another group keeps working");
        organization
            .list_databases("fake-org", &all())
            .await
            .expect("an organization token keeps working");
        let names: Vec<String> = admin(&fake)
            .list_api_tokens()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["fake-token", "default", "org"]);
    })
    .await
}

#[tokio::test]
async fn a_group_with_delete_protection_is_not_deleted_400() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        let client = admin(&fake);
        let protect = GroupConfigurationInput::default().with_delete_protection(true);
        let answered = client
            .update_group_configuration("fake-org", "eu", &protect)
            .await
            .unwrap();
        assert_eq!(answered.delete_protection, Some(true));
        assert_eq!(
            client
                .get_group_configuration("fake-org", "eu")
                .await
                .unwrap()
                .delete_protection,
            Some(true)
        );
        assert_eq!(
            client
                .get_group("fake-org", "eu")
                .await
                .unwrap()
                .delete_protection,
            Some(true)
        );
        assert_api_error(
            client.delete_group("fake-org", "eu").await,
            400,
            "group eu is protected from deletion",
        );
        client
            .get_database("fake-org", "eu-db")
            .await
            .expect("kept");

        let unprotect = GroupConfigurationInput::default().with_delete_protection(false);
        client
            .update_group_configuration("fake-org", "eu", &unprotect)
            .await
            .unwrap();
        client.delete_group("fake-org", "eu").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_group_holding_a_protected_database_is_not_deleted_400() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_database("fake-org", "eu", "eu-other").unwrap();
        let client = admin(&fake);
        let protect = DatabaseConfigurationInput::default().with_delete_protection(true);
        client
            .update_database_configuration("fake-org", "eu-db", &protect)
            .await
            .unwrap();
        assert_api_error(
            client.delete_group("fake-org", "eu").await,
            400,
            "database eu-db of group eu is protected from deletion",
        );
        assert_eq!(
            database_names(&client, "fake-org", &all().group("eu")).await,
            ["eu-db", "eu-other"],
            "nothing was deleted"
        );

        let unprotect = DatabaseConfigurationInput::default().with_delete_protection(false);
        client
            .update_database_configuration("fake-org", "eu-db", &unprotect)
            .await
            .unwrap();
        client.delete_group("fake-org", "eu").await.unwrap();
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
    })
    .await
}

#[tokio::test]
async fn a_transferred_group_moves_with_its_databases_whose_tokens_keep_opening_them() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_organization("acme").unwrap();
        let client = admin(&fake);
        let before = client.get_database("fake-org", "eu-db").await.unwrap();
        let jwt = database_jwt(&client, "fake-org", "eu-db").await;

        let moved = client
            .transfer_group("fake-org", "eu", "acme")
            .await
            .unwrap();
        assert_eq!(moved.name, "eu");

        assert_eq!(group_names(&client, "acme").await, ["eu"]);
        assert_eq!(group_names(&client, "fake-org").await, ["default"]);
        assert_eq!(database_names(&client, "acme", &all()).await, ["eu-db"]);
        assert_eq!(
            database_names(&client, "fake-org", &all()).await,
            ["fake-db"]
        );
        assert_api_error(client.get_database("fake-org", "eu-db").await, 404, "eu-db");
        assert_api_error(
            client.get_group("fake-org", "eu").await,
            404,
            "group not found",
        );
        let after = client.get_database("acme", "eu-db").await.unwrap();
        assert_eq!(after.db_id, before.db_id, "the same database");
        assert_eq!(after.group.as_deref(), Some("eu"));
        assert_eq!(after.hostname, before.hostname, "served where it was");
        assert_eq!(
            client.get_group("acme", "eu").await.unwrap().uuid,
            moved.uuid
        );

        assert!(fake.database_token_is_valid("acme", "eu-db", &jwt));
        assert!(fake.database_allows("acme", "eu-db", &jwt, DatabaseAction::Write));
        assert!(!fake.database_token_is_valid("fake-org", "eu-db", &jwt));
        let minted = database_jwt(&client, "acme", "eu-db").await;
        assert!(fake.database_token_is_valid("acme", "eu-db", &minted));
    })
    .await
}

#[tokio::test]
async fn transferring_a_group_revokes_the_api_tokens_pinned_to_it() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_organization("acme").unwrap();
        let in_eu = restricted_client(
            &fake,
            &admin(&fake),
            "eu",
            &pinned("fake-org", "eu", [Scope::Read, Scope::DbMintToken]),
        )
        .await;
        let in_default = restricted_client(
            &fake,
            &admin(&fake),
            "default",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        in_eu.get_database("fake-org", "eu-db").await.unwrap();

        admin(&fake)
            .transfer_group("fake-org", "eu", "acme")
            .await
            .unwrap();
        assert_api_error(in_eu.validate_api_token().await, 401, "revoked");
        assert_api_error(in_eu.get_database("acme", "eu-db").await, 401, "revoked");
        in_default
            .get_database("fake-org", "fake-db")
            .await
            .expect("a token pinned to another group keeps working");
    })
    .await
}

#[tokio::test]
async fn transferring_into_an_organization_with_a_taken_database_name_answers_409() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        fake.add_database("acme", "default", "eu-db").unwrap();
        let client = admin(&fake);
        assert_api_error(
            client.transfer_group("fake-org", "eu", "acme").await,
            409,
            "already has a database named eu-db",
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default", "eu"]);
        assert_eq!(group_names(&client, "acme").await, ["default"]);
        assert_eq!(
            client
                .get_database("fake-org", "eu-db")
                .await
                .unwrap()
                .group
                .as_deref(),
            Some("eu"),
            "nothing moved"
        );
    })
    .await
}

#[tokio::test]
async fn transferring_into_an_organization_where_the_user_is_a_member_answers_403() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_organization_with_role("theirs", MemberRole::Member)
            .unwrap();
        let client = admin(&fake);
        assert_api_error(
            client.transfer_group("fake-org", "eu", "theirs").await,
            403,
            "only admins and owners",
        );
        assert_eq!(group_names(&client, "fake-org").await, ["default", "eu"]);
        assert!(client.list_groups("theirs").await.unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn an_archived_group_refuses_connections_until_it_is_unarchived() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let jwt = database_jwt(&client, "fake-org", "fake-db").await;
        fake.archive_group("fake-org", "default").unwrap();
        assert_eq!(
            client
                .get_group("fake-org", "default")
                .await
                .unwrap()
                .archived,
            Some(true)
        );
        for action in [DatabaseAction::Read, DatabaseAction::Write] {
            assert!(!fake.database_allows("fake-org", "fake-db", &jwt, action));
        }

        let group = client.unarchive_group("fake-org", "default").await.unwrap();
        assert_eq!(group.archived, Some(false));
        assert_eq!(
            client
                .get_group("fake-org", "default")
                .await
                .unwrap()
                .archived,
            Some(false)
        );
        for action in [DatabaseAction::Read, DatabaseAction::Write] {
            assert!(fake.database_allows("fake-org", "fake-db", &jwt, action));
        }
        // Harmless for a group that is not archived.
        client.unarchive_group("fake-org", "default").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn update_group_databases_answers_ok_and_may_be_repeated() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .update_group_databases("fake-org", "default")
            .await
            .unwrap();
        client
            .update_group_databases("fake-org", "default")
            .await
            .unwrap();
        let group = client.get_group("fake-org", "default").await.unwrap();
        assert!(group.version.is_some_and(|v| !v.is_empty()));
        assert_eq!(fake.requests("updateGroupDatabases").unwrap(), 2);
    })
    .await
}

#[tokio::test]
async fn usage_and_stats_are_well_formed_and_follow_the_group_s_instances() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .add_location_to_group("fake-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        let database = client.get_database("fake-org", "fake-db").await.unwrap();
        let instances = client
            .list_database_instances("fake-org", "fake-db")
            .await
            .unwrap();
        let mut instance_ids: Vec<&str> = instances.iter().map(|i| i.uuid.as_str()).collect();
        instance_ids.sort_unstable();

        let now = SystemTime::now();
        let periods = [
            UsageOptions::new(),
            UsageOptions::new()
                .from(now - Duration::from_secs(86_400))
                .to(now),
            UsageOptions::new().from(now - Duration::from_secs(3_600)),
        ];
        for period in periods {
            let usage = client
                .get_database_usage("fake-org", "fake-db", &period)
                .await
                .unwrap();
            assert_eq!(usage.uuid.as_deref(), Some(database.db_id.as_str()));
            let total = usage.total.expect("a total");
            assert_eq!(total.rows_read, Some(0));
            assert_eq!(total.rows_written, Some(0));
            assert_eq!(total.bytes_synced, Some(0));
            // Nothing was written to it yet.
            let total_storage = total.storage_bytes.expect("storage");
            assert_eq!(total_storage, 0);

            assert_eq!(usage.instances.len(), 2, "one per location of the group");
            let mut ids: Vec<&str> = usage
                .instances
                .iter()
                .map(|i| i.uuid.as_deref().expect("an instance ID"))
                .collect();
            ids.sort_unstable();
            assert_eq!(ids, instance_ids, "the instances of listDatabaseInstances");
            let mut storage = 0;
            for instance in &usage.instances {
                let figures = instance.usage.as_ref().expect("per-instance usage");
                assert_eq!(figures.rows_read, Some(0));
                assert_eq!(figures.rows_written, Some(0));
                storage += figures.storage_bytes.expect("storage");
            }
            assert_eq!(storage, total_storage, "the total adds the instances up");
        }

        let stats = client
            .get_database_stats("fake-org", "fake-db")
            .await
            .unwrap();
        assert!(stats.top_queries.is_empty(), "no query ever ran");
        assert_api_error(
            client.get_database_stats("fake-org", "nope").await,
            404,
            "nope",
        );
        assert_api_error(
            client
                .get_database_usage("fake-org", "nope", &UsageOptions::new())
                .await,
            404,
            "nope",
        );
    })
    .await
}

#[tokio::test]
async fn list_locations_includes_the_usual_aws_locations_with_descriptions() {
    bounded(LIMIT, async {
        let fake = start().await;
        let locations = admin(&fake).list_locations().await.unwrap();
        for code in ["aws-us-east-1", "aws-eu-west-1"] {
            let description = locations
                .get(code)
                .unwrap_or_else(|| panic!("{code} in {locations:?}"));
            assert!(!description.is_empty());
        }
        // Every location listed can take a group.
        let client = admin(&fake);
        for (i, code) in locations.keys().enumerate() {
            let group = client
                .create_group("fake-org", &NewGroup::new(format!("g{i}"), code.as_str()))
                .await
                .unwrap();
            assert_eq!(group.primary.as_deref(), Some(code.as_str()));
        }
    })
    .await
}

// --- roles and restricted API tokens ---

#[tokio::test]
async fn a_viewer_may_read_databases_and_groups_but_every_change_answers_403() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization_with_role("watched", MemberRole::Viewer)
            .unwrap();
        fake.add_group("watched", "default").unwrap();
        fake.add_database("watched", "default", "db").unwrap();
        let client = admin(&fake);
        let org = "watched";

        // Reads succeed.
        assert_eq!(database_names(&client, org, &all()).await, ["db"]);
        assert_eq!(group_names(&client, org).await, ["default"]);
        client.get_database(org, "db").await.unwrap();
        client.get_database_configuration(org, "db").await.unwrap();
        client.list_database_instances(org, "db").await.unwrap();
        client
            .get_database_instance(org, "db", "aws-us-east-1")
            .await
            .unwrap();
        client
            .get_database_usage(org, "db", &UsageOptions::new())
            .await
            .unwrap();
        client.get_database_stats(org, "db").await.unwrap();
        client.get_group(org, "default").await.unwrap();
        client
            .get_group_configuration(org, "default")
            .await
            .unwrap();

        // Changes are refused.
        let viewers = "viewers of this organization may only read";
        assert_api_error(
            client
                .create_database(org, &NewDatabase::new("new-db", "default"))
                .await,
            403,
            viewers,
        );
        assert_api_error(client.delete_database(org, "db").await, 403, viewers);
        assert_api_error(
            client
                .update_database_configuration(
                    org,
                    "db",
                    &DatabaseConfigurationInput::default().with_block_writes(true),
                )
                .await,
            403,
            viewers,
        );
        assert_api_error(
            client
                .create_group(org, &NewGroup::new("eu", "aws-eu-west-1"))
                .await,
            403,
            viewers,
        );
        assert_api_error(client.delete_group(org, "default").await, 403, viewers);
        assert_api_error(
            client
                .update_group_configuration(
                    org,
                    "default",
                    &GroupConfigurationInput::default().with_delete_protection(true),
                )
                .await,
            403,
            viewers,
        );
        assert_api_error(client.unarchive_group(org, "default").await, 403, viewers);
        assert_api_error(
            client
                .add_location_to_group(org, "default", "aws-eu-west-1")
                .await,
            403,
            viewers,
        );
        assert_api_error(
            client
                .remove_location_from_group(org, "default", "aws-us-east-1")
                .await,
            403,
            viewers,
        );
        assert_api_error(
            client.update_group_databases(org, "default").await,
            403,
            viewers,
        );
        assert_api_error(
            client.transfer_group(org, "default", "fake-org").await,
            403,
            "only admins and owners",
        );

        // The role is refused before anything is looked up: what does not exist answers
        // 403 too.
        assert_api_error(
            client.delete_database(org, "no-such-db").await,
            403,
            viewers,
        );
        assert_api_error(
            client
                .update_database_configuration(
                    org,
                    "no-such-db",
                    &DatabaseConfigurationInput::default().with_block_writes(true),
                )
                .await,
            403,
            viewers,
        );
        assert_api_error(
            client.delete_group(org, "no-such-group").await,
            403,
            viewers,
        );
        assert_api_error(
            client
                .add_location_to_group(org, "no-such-group", "aws-mars-1")
                .await,
            403,
            viewers,
        );
        assert_api_error(
            client
                .transfer_group(org, "no-such-group", "fake-org")
                .await,
            403,
            "only admins and owners",
        );
        assert_api_error(
            client.invalidate_database_tokens(org, "no-such-db").await,
            403,
            viewers,
        );

        // Reading never leads to writing: a viewer mints read-only tokens only, and may
        // not rotate anyone's credentials.
        let read_only = TokenOptions::new().authorization(Authorization::ReadOnly);
        let minted = database_jwt_with(&client, org, "db", &read_only).await;
        assert!(fake.database_allows(org, "db", &minted, DatabaseAction::Read));
        assert!(!fake.database_allows(org, "db", &minted, DatabaseAction::Write));
        client
            .create_group_token(org, "default", &read_only)
            .await
            .unwrap();
        let read_only_tokens = "may only mint read-only tokens";
        assert_api_error(
            client
                .create_database_token(org, "db", &TokenOptions::new())
                .await,
            403,
            read_only_tokens,
        );
        assert_api_error(
            client
                .create_group_token(org, "default", &TokenOptions::new())
                .await,
            403,
            read_only_tokens,
        );
        assert_api_error(
            client.invalidate_database_tokens(org, "db").await,
            403,
            viewers,
        );
        assert_api_error(
            client.invalidate_group_tokens(org, "default").await,
            403,
            viewers,
        );
        assert!(fake.database_allows(org, "db", &minted, DatabaseAction::Read));

        // And nothing changed.
        assert_eq!(database_names(&client, org, &all()).await, ["db"]);
        assert_eq!(group_names(&client, org).await, ["default"]);
        let configuration = client.get_database_configuration(org, "db").await.unwrap();
        assert_eq!(configuration.block_writes, Some(false));
        let group = client.get_group(org, "default").await.unwrap();
        assert_eq!(group.locations, ["aws-us-east-1"]);
        assert_eq!(group.delete_protection, Some(false));
    })
    .await
}

#[tokio::test]
async fn a_group_scoped_read_token_lists_only_its_own_group_s_databases_and_groups() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        let reader = restricted_client(
            &fake,
            &admin(&fake),
            "reader",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        let listed: Vec<Database> = reader.list_databases("fake-org", &all()).await.unwrap();
        let names: Vec<&str> = listed.iter().map(|db| db.name.as_str()).collect();
        assert_eq!(names, ["fake-db"]);
        assert_eq!(group_names(&reader, "fake-org").await, ["default"]);
        assert_eq!(
            database_names(&reader, "fake-org", &all().group("default")).await,
            ["fake-db"]
        );
        // Reads inside its group succeed.
        reader.get_database("fake-org", "fake-db").await.unwrap();
        reader.get_group("fake-org", "default").await.unwrap();
        reader
            .list_database_instances("fake-org", "fake-db")
            .await
            .unwrap();
        reader
            .get_database_configuration("fake-org", "fake-db")
            .await
            .unwrap();
        // The unrestricted token sees both.
        assert_eq!(
            database_names(&admin(&fake), "fake-org", &all()).await,
            ["eu-db", "fake-db"]
        );
    })
    .await
}

#[tokio::test]
async fn a_group_scoped_token_gets_403_outside_its_group_whether_or_not_it_exists() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        fake.add_database("acme", "default", "orders").unwrap();
        let reader = restricted_client(
            &fake,
            &admin(&fake),
            "reader",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        let outside = "restricted to the group default";
        for database in ["eu-db", "no-such-db"] {
            assert_api_error(
                reader.get_database("fake-org", database).await,
                403,
                outside,
            );
            assert_api_error(
                reader.list_database_instances("fake-org", database).await,
                403,
                outside,
            );
            assert_api_error(
                reader
                    .get_database_configuration("fake-org", database)
                    .await,
                403,
                outside,
            );
            assert_api_error(
                reader
                    .get_database_usage("fake-org", database, &UsageOptions::new())
                    .await,
                403,
                outside,
            );
        }
        for group in ["eu", "no-such-group"] {
            assert_api_error(reader.get_group("fake-org", group).await, 403, outside);
            assert_api_error(
                reader.get_group_configuration("fake-org", group).await,
                403,
                outside,
            );
        }
        // Nor does a filter, a copy or a location tell it what exists outside.
        for group in ["eu", "no-such-group"] {
            assert_api_error(
                reader.list_databases("fake-org", &all().group(group)).await,
                403,
                outside,
            );
            assert_api_error(
                reader
                    .add_location_to_group("fake-org", group, "aws-mars-1")
                    .await,
                403,
                outside,
            );
        }
        let creator = restricted_client(
            &fake,
            &admin(&fake),
            "creator",
            &pinned("fake-org", "default", [Scope::Read, Scope::DbCreate]),
        )
        .await;
        for source in ["eu-db", "no-such-db"] {
            assert_api_error(
                creator
                    .create_database(
                        "fake-org",
                        &NewDatabase::new("copy", "default").copy_of(source),
                    )
                    .await,
                403,
                outside,
            );
        }
        assert_eq!(
            database_names(&admin(&fake), "fake-org", &all()).await,
            ["eu-db", "fake-db"]
        );
        // Another organization, existing or not.
        for org in ["acme", "no-such-org"] {
            let restricted = "restricted to the organization fake-org";
            assert_api_error(reader.list_databases(org, &all()).await, 403, restricted);
            assert_api_error(reader.get_database(org, "orders").await, 403, restricted);
        }
        // What acts on the organization as a whole is refused.
        assert_api_error(
            reader
                .create_group("fake-org", &NewGroup::new("new", "aws-eu-west-1"))
                .await,
            403,
            "cannot act on the organization as a whole",
        );
        assert_api_error(
            reader.delete_group("fake-org", "default").await,
            403,
            "cannot act on the organization as a whole",
        );
        // And, without the scope, what changes its own group.
        assert_api_error(
            reader.delete_database("fake-org", "fake-db").await,
            403,
            "does not have the scope db:delete",
        );
        assert_api_error(
            reader
                .add_location_to_group("fake-org", "default", "aws-eu-west-1")
                .await,
            403,
            "does not have the scope group:configure",
        );
    })
    .await
}

#[tokio::test]
async fn creating_a_database_with_a_group_scoped_token_needs_db_create_and_stays_in_its_group() {
    bounded(LIMIT, async {
        let fake = start().await;
        add_eu(&fake);
        let reader = restricted_client(
            &fake,
            &admin(&fake),
            "reader",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        assert_api_error(
            reader
                .create_database("fake-org", &NewDatabase::new("new-db", "default"))
                .await,
            403,
            "does not have the scope db:create",
        );

        let creator = restricted_client(
            &fake,
            &admin(&fake),
            "creator",
            &pinned("fake-org", "default", [Scope::Read, Scope::DbCreate]),
        )
        .await;
        let created = creator
            .create_database("fake-org", &NewDatabase::new("new-db", "default"))
            .await
            .unwrap();
        assert_eq!(created.name, "new-db");
        assert_eq!(
            creator
                .get_database("fake-org", "new-db")
                .await
                .unwrap()
                .group
                .as_deref(),
            Some("default")
        );
        for group in ["eu", "no-such-group"] {
            assert_api_error(
                creator
                    .create_database("fake-org", &NewDatabase::new("elsewhere", group))
                    .await,
                403,
                "restricted to the group default",
            );
        }
        assert_eq!(
            database_names(&admin(&fake), "fake-org", &all()).await,
            ["eu-db", "fake-db", "new-db"]
        );
    })
    .await
}

#[tokio::test]
async fn an_organization_scoped_token_gets_403_for_another_organization_s_databases() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        fake.add_database("acme", "default", "orders").unwrap();
        let scoped = restricted_client(
            &fake,
            &admin(&fake),
            "org",
            &ApiTokenOptions::new().organization("fake-org"),
        )
        .await;
        let restricted = "restricted to the organization fake-org";
        for database in ["orders", "no-such-db"] {
            assert_api_error(scoped.get_database("acme", database).await, 403, restricted);
            assert_api_error(
                scoped.delete_database("acme", database).await,
                403,
                restricted,
            );
            assert_api_error(
                scoped.get_database_configuration("acme", database).await,
                403,
                restricted,
            );
        }
        assert_api_error(scoped.list_databases("acme", &all()).await, 403, restricted);
        assert_api_error(scoped.list_groups("acme").await, 403, restricted);
        assert_api_error(
            scoped
                .create_database("acme", &NewDatabase::new("new-db", "default"))
                .await,
            403,
            restricted,
        );
        assert_api_error(
            scoped.transfer_group("fake-org", "default", "acme").await,
            403,
            restricted,
        );
        // Inside its organization it may do anything to databases and groups.
        scoped
            .create_database("fake-org", &NewDatabase::new("new-db", "default"))
            .await
            .unwrap();
        scoped
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        assert_eq!(
            database_names(&scoped, "fake-org", &all()).await,
            ["fake-db", "new-db"]
        );
        assert_eq!(
            database_names(&admin(&fake), "acme", &all()).await,
            ["orders"]
        );
    })
    .await
}
