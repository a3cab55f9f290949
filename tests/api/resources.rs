//! The database, group, instance and location operations against httpmock: for each,
//! what is sent (method, percent-encoded path, query, headers, body) and how the
//! documented answer is decoded; then how every error status of every operation, a taken
//! name, a 503 and an invalid argument come back: which requests are sent once, which are
//! retried, and which are never sent.

use crate::common;

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use common::bounded;
use common::mock::{self, common_headers, json_request, no_body, no_query};
use httpmock::prelude::*;
use serde_json::json;
use turso_platform::{
    Client, DatabaseConfigurationInput, EncryptionCipher, Error, Extension,
    GroupConfigurationInput, ListDatabasesOptions, NewDatabase, NewGroup, StatusCode, UsageOptions,
};

const LIMIT: Duration = Duration::from_secs(20);
/// The ID of the database in the answers.
const DB_ID: &str = "0eb771dd-6906-11ee-8553-eaa7715aeaf2";
/// The ID of the group in the answers.
const GROUP_ID: &str = "0a28102d-6906-11ee-8553-eaa7715aeaf2";
/// The ID of the primary instance in the answers.
const INSTANCE_ID: &str = "cdbf4e3d-6906-11ee-8553-eaa7715aeaf2";
/// 2026-05-21T10:00:00Z.
const MAY_21_10H: u64 = 1_779_357_600;

/// The group of the documented answers, with its primary and `locations`.
fn group_json(name: &str, primary: &str, locations: &[&str]) -> serde_json::Value {
    json!({
        "name": name, "uuid": GROUP_ID, "primary": primary, "locations": locations,
        "delete_protection": false, "archived": false
    })
}

/// Checks the group of [`group_json`].
fn assert_group(group: &turso_platform::Group, name: &str, primary: &str, locations: &[&str]) {
    assert_eq!(group.name, name);
    assert_eq!(group.uuid, GROUP_ID);
    assert_eq!(group.primary.as_deref(), Some(primary));
    assert_eq!(group.locations, locations);
    assert_eq!(group.delete_protection, Some(false));
    assert_eq!(group.archived, Some(false));
}

/// The API's JSON error body.
fn error_json(message: &str) -> serde_json::Value {
    json!({ "error": message })
}

// Databases.

#[tokio::test]
async fn list_databases_without_filters_sends_no_query_and_decodes_capitalised_fields() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/databases"),
                )));
                then.status(200).json_body(json!({"databases": [
                    {"Name": "my-db", "DbId": DB_ID, "Hostname": "my-db-my-org.turso.io",
                     "block_reads": false, "block_writes": true, "regions": ["aws-us-east-1"],
                     "primaryRegion": "aws-us-east-1", "group": "default",
                     "delete_protection": false, "parent": null},
                    {"Name": "my-branch", "DbId": "b1", "Hostname": "my-branch-my-org.turso.io",
                     "parent": {"id": DB_ID, "name": "my-db",
                                "branched_at": "2026-05-21T10:00:00Z"}}
                ]}));
            })
            .await;
        let databases = mock::client(&server)
            .list_databases("my-org", &ListDatabasesOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(databases.len(), 2);
        let db = &databases[0];
        assert_eq!(
            (db.name.as_str(), db.db_id.as_str(), db.hostname.as_str()),
            ("my-db", DB_ID, "my-db-my-org.turso.io")
        );
        assert_eq!((db.block_reads, db.block_writes), (Some(false), Some(true)));
        assert_eq!(db.regions, ["aws-us-east-1"]);
        assert_eq!(db.primary_region.as_deref(), Some("aws-us-east-1"));
        assert_eq!(db.group.as_deref(), Some("default"));
        assert_eq!(db.delete_protection, Some(false));
        assert_eq!(db.parent, None);
        let branch = &databases[1];
        assert_eq!(branch.name, "my-branch");
        assert_eq!(branch.group, None);
        let parent = branch.parent.as_ref().unwrap();
        assert_eq!(parent.id.as_deref(), Some(DB_ID));
        assert_eq!(parent.name.as_deref(), Some("my-db"));
        assert_eq!(parent.branched_at.as_deref(), Some("2026-05-21T10:00:00Z"));
    })
    .await;
}

#[tokio::test]
async fn list_databases_sends_the_group_and_parent_filters_and_nothing_else() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases")
                        .query_param("group", "default")
                        .query_param("parent", DB_ID)
                        .is_true(|request| request.query_params().len() == 2),
                ));
                then.status(200).json_body(json!({"databases": []}));
            })
            .await;
        let options = ListDatabasesOptions::new()
            .group("default")
            .branches_of(DB_ID);
        let databases = mock::client(&server)
            .list_databases("my-org", &options)
            .await
            .unwrap();
        mock.assert_async().await;
        assert!(databases.is_empty());
    })
    .await;
}

#[tokio::test]
async fn create_database_sends_the_name_and_group_and_decodes_the_created_database() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(POST).path("/v1/organizations/my-org/databases"),
                    json!({"name": "tenant-42", "group": "default"}),
                ));
                then.status(200).json_body(json!({"database": {
                    "DbId": DB_ID, "Hostname": "tenant-42-my-org.turso.io", "Name": "tenant-42"
                }}));
            })
            .await;
        let created = mock::client(&server)
            .create_database("my-org", &NewDatabase::new("tenant-42", "default"))
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(created.name, "tenant-42");
        assert_eq!(created.db_id, DB_ID);
        assert_eq!(created.hostname, "tenant-42-my-org.turso.io");
    })
    .await;
}

#[tokio::test]
async fn create_database_sends_a_point_in_time_seed_and_remote_encryption() {
    bounded(LIMIT, async {
        let key = "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItYWVnaXM=";
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(POST).path("/v1/organizations/my-org/databases"),
                    json!({
                        "name": "orders-restored", "group": "default", "size_limit": "1gb",
                        "seed": {"type": "database", "name": "orders",
                                 "timestamp": "2026-05-21T10:00:00Z"},
                        "remote_encryption": {"encryption_cipher": "aegis256",
                                              "encryption_key": key}
                    }),
                ));
                then.status(200).json_body(json!({"database": {
                    "DbId": DB_ID, "Hostname": "orders-restored-my-org.turso.io",
                    "Name": "orders-restored"
                }}));
            })
            .await;
        // Half a second past the hour: the timestamp is sent to the second.
        let at = UNIX_EPOCH + Duration::from_millis(MAY_21_10H * 1000 + 500);
        let new_database = NewDatabase::new("orders-restored", "default")
            .copy_of_at("orders", at)
            .size_limit("1gb")
            .encryption(EncryptionCipher::Aegis256, key);
        let shown = format!("{new_database:?}");
        assert!(!shown.contains(key), "{shown}");
        let created = mock::client(&server)
            .create_database("my-org", &new_database)
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(created.name, "orders-restored");
    })
    .await;
}

#[tokio::test]
async fn create_database_sends_a_copy_seed_and_an_upload_seed() {
    bounded(LIMIT, async {
        let cases = [
            (
                NewDatabase::new("tenant-43", "default").copy_of("template"),
                json!({"name": "tenant-43", "group": "default",
                       "seed": {"type": "database", "name": "template"}}),
            ),
            (
                NewDatabase::new("imported", "default").for_upload(),
                json!({"name": "imported", "group": "default",
                       "seed": {"type": "database_upload"}}),
            ),
        ];
        for (new_database, body) in cases {
            let server = MockServer::start_async().await;
            let name = new_database.name().to_owned();
            let answer = json!({"database": {
                "DbId": DB_ID, "Hostname": format!("{name}-my-org.turso.io"), "Name": name
            }});
            let mock = server
                .mock_async(|when, then| {
                    common_headers(json_request(
                        when.method(POST).path("/v1/organizations/my-org/databases"),
                        body,
                    ));
                    then.status(200).json_body(answer);
                })
                .await;
            let created = mock::client(&server)
                .create_database("my-org", &new_database)
                .await
                .unwrap();
            mock.assert_async().await;
            assert_eq!(created.name, new_database.name());
        }
    })
    .await;
}

#[tokio::test]
async fn get_database_decodes_the_documented_answer() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases/my-db"),
                )));
                then.status(200).json_body(json!({"database": {
                    "Name": "my-db", "DbId": DB_ID, "Hostname": "my-db-my-org.turso.io",
                    "block_reads": false, "block_writes": false,
                    "primaryRegion": "aws-us-east-1", "group": "default",
                    "delete_protection": true, "parent": null, "some_new_field": 1
                }}));
            })
            .await;
        let database = mock::client(&server)
            .get_database("my-org", "my-db")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(database.name, "my-db");
        assert_eq!(database.db_id, DB_ID);
        assert_eq!(database.hostname, "my-db-my-org.turso.io");
        assert_eq!(database.primary_region.as_deref(), Some("aws-us-east-1"));
        assert_eq!(database.group.as_deref(), Some("default"));
        assert_eq!(database.delete_protection, Some(true));
        assert_eq!(database.parent, None);
        assert!(database.regions.is_empty());
    })
    .await;
}

#[tokio::test]
async fn delete_database_sends_a_delete_and_returns_the_name() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(DELETE)
                        .path("/v1/organizations/my-org/databases/tenant-42"),
                )));
                then.status(200).json_body(json!({"database": "tenant-42"}));
            })
            .await;
        let deleted = mock::client(&server)
            .delete_database("my-org", "tenant-42")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(deleted, "tenant-42");
    })
    .await;
}

#[tokio::test]
async fn get_database_configuration_decodes_every_documented_field() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases/my-db/configuration"),
                )));
                then.status(200).json_body(json!({
                    "size_limit": "256mb", "allow_attach": false, "block_reads": false,
                    "block_writes": true, "delete_protection": true,
                    "allowed_ips": ["203.0.113.0/24"], "allowed_aws_vpc_ids": null
                }));
            })
            .await;
        let configuration = mock::client(&server)
            .get_database_configuration("my-org", "my-db")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(configuration.size_limit.as_deref(), Some("256mb"));
        assert_eq!(configuration.allow_attach, Some(false));
        assert_eq!(
            (configuration.block_reads, configuration.block_writes),
            (Some(false), Some(true))
        );
        assert_eq!(configuration.delete_protection, Some(true));
        assert_eq!(configuration.allowed_ips, ["203.0.113.0/24"]);
        assert!(configuration.allowed_aws_vpc_ids.is_empty());
    })
    .await;
}

#[tokio::test]
async fn update_database_configuration_patches_only_the_changes() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(PATCH)
                        .path("/v1/organizations/my-org/databases/my-db/configuration"),
                    json!({"block_writes": true, "delete_protection": true,
                           "allowed_ips": ["203.0.113.0/24"]}),
                ));
                then.status(200).json_body(json!({
                    "size_limit": "256mb", "block_reads": false, "block_writes": true,
                    "delete_protection": true, "allowed_ips": ["203.0.113.0/24"],
                    "allowed_aws_vpc_ids": []
                }));
            })
            .await;
        let changes = DatabaseConfigurationInput::default()
            .with_block_writes(true)
            .with_delete_protection(true)
            .with_allowed_ips(["203.0.113.0/24"]);
        let configuration = mock::client(&server)
            .update_database_configuration("my-org", "my-db", &changes)
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(configuration.size_limit.as_deref(), Some("256mb"));
        assert_eq!(configuration.block_writes, Some(true));
        assert_eq!(configuration.delete_protection, Some(true));
        assert_eq!(configuration.allowed_ips, ["203.0.113.0/24"]);
    })
    .await;
}

#[tokio::test]
async fn list_database_instances_decodes_the_type_and_host_names() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases/my-db/instances"),
                )));
                then.status(200).json_body(json!({"instances": [
                    {"uuid": INSTANCE_ID, "name": "aws-us-east-1", "type": "primary",
                     "region": "aws-us-east-1", "hostname": "aws-us-east-1-my-db-my-org.turso.io"},
                    {"uuid": "r1", "name": "aws-eu-west-1", "type": "replica",
                     "region": "aws-eu-west-1", "hostname": "aws-eu-west-1-my-db-my-org.turso.io"}
                ]}));
            })
            .await;
        let instances = mock::client(&server)
            .list_database_instances("my-org", "my-db")
            .await
            .unwrap();
        mock.assert_async().await;
        let kinds: Vec<_> = instances
            .iter()
            .map(|i| (i.name.as_str(), i.type_.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [("aws-us-east-1", "primary"), ("aws-eu-west-1", "replica")]
        );
        assert_eq!(instances[0].uuid, INSTANCE_ID);
        assert_eq!(instances[1].region, "aws-eu-west-1");
        assert_eq!(instances[1].hostname, "aws-eu-west-1-my-db-my-org.turso.io");
    })
    .await;
}

#[tokio::test]
async fn get_database_instance_names_the_instance_in_the_last_segment() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(GET).path(
                    "/v1/organizations/my-org/databases/my-db/instances/aws-us-east-1",
                ))));
                then.status(200).json_body(json!({"instance": {
                    "uuid": INSTANCE_ID, "name": "aws-us-east-1", "type": "primary",
                    "region": "aws-us-east-1", "hostname": "aws-us-east-1-my-db-my-org.turso.io"
                }}));
            })
            .await;
        let instance = mock::client(&server)
            .get_database_instance("my-org", "my-db", "aws-us-east-1")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(instance.uuid, INSTANCE_ID);
        assert_eq!(instance.name, "aws-us-east-1");
        assert_eq!(instance.type_, "primary");
        assert_eq!(instance.region, "aws-us-east-1");
        assert_eq!(instance.hostname, "aws-us-east-1-my-db-my-org.turso.io");
    })
    .await;
}

#[tokio::test]
async fn get_database_usage_without_a_period_sends_no_query_and_decodes_the_totals() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases/my-db/usage"),
                )));
                then.status(200).json_body(json!({"database": {
                    "uuid": DB_ID,
                    "instances": [{"uuid": INSTANCE_ID, "usage": {
                        "rows_read": 1200, "rows_written": 40,
                        "storage_bytes": 4096, "bytes_synced": 0
                    }}],
                    "total": {"rows_read": 1200, "rows_written": 40,
                              "storage_bytes": 4096, "bytes_synced": 0}
                }}));
            })
            .await;
        let usage = mock::client(&server)
            .get_database_usage("my-org", "my-db", &UsageOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(usage.uuid.as_deref(), Some(DB_ID));
        let total = usage.total.unwrap();
        assert_eq!(
            (
                total.rows_read,
                total.rows_written,
                total.storage_bytes,
                total.bytes_synced
            ),
            (Some(1200), Some(40), Some(4096), Some(0))
        );
        assert_eq!(usage.instances.len(), 1);
        assert_eq!(usage.instances[0].uuid.as_deref(), Some(INSTANCE_ID));
        let instance = usage.instances[0].usage.as_ref().unwrap();
        assert_eq!(instance.rows_read, Some(1200));
    })
    .await;
}

#[tokio::test]
async fn get_database_usage_sends_the_period_as_rfc_3339_seconds() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/databases/my-db/usage")
                        .query_param("from", "2026-05-21T10:00:00Z")
                        .query_param("to", "2026-05-22T10:00:00Z")
                        .is_true(|request| request.query_params().len() == 2),
                ));
                then.status(200)
                    .json_body(json!({"database": {"uuid": DB_ID}}));
            })
            .await;
        let from = UNIX_EPOCH + Duration::from_secs(MAY_21_10H);
        // Sub-second parts are dropped: the API reads seconds.
        let to = UNIX_EPOCH + Duration::from_secs(MAY_21_10H + 86_400) + Duration::from_nanos(999);
        let usage = mock::client(&server)
            .get_database_usage("my-org", "my-db", &UsageOptions::new().from(from).to(to))
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(usage.uuid.as_deref(), Some(DB_ID));
        assert_eq!(usage.total, None);
        assert!(usage.instances.is_empty());
    })
    .await;
}

#[tokio::test]
async fn get_database_stats_decodes_top_queries_and_null_as_none() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let path = "/v1/organizations/my-org/databases/my-db/stats";
        let some = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(GET).path(path))));
                then.status(200).json_body(json!({"top_queries": [
                    {"query": "SELECT * FROM users WHERE id = ?", "rows_read": 1000,
                     "rows_written": 0}
                ]}));
            })
            .await;
        let client = mock::client(&server);
        let stats = client.get_database_stats("my-org", "my-db").await.unwrap();
        some.assert_async().await;
        assert_eq!(stats.top_queries.len(), 1);
        let query = &stats.top_queries[0];
        assert_eq!(
            query.query.as_deref(),
            Some("SELECT * FROM users WHERE id = ?")
        );
        assert_eq!((query.rows_read, query.rows_written), (Some(1000), Some(0)));
        some.delete_async().await;

        for answer in [json!({"top_queries": null}), json!({})] {
            let none = server
                .mock_async(|when, then| {
                    when.method(GET).path(path);
                    then.status(200).json_body(answer.clone());
                })
                .await;
            let stats = client.get_database_stats("my-org", "my-db").await.unwrap();
            none.assert_async().await;
            assert!(stats.top_queries.is_empty(), "{answer}");
            none.delete_async().await;
        }
    })
    .await;
}

// Groups.

#[tokio::test]
async fn list_groups_decodes_every_documented_field() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/groups"),
                )));
                let mut default = group_json(
                    "default",
                    "aws-us-east-1",
                    &["aws-us-east-1", "aws-eu-west-1"],
                );
                default["version"] = json!("v0.24.31");
                then.status(200).json_body(json!({"groups": [
                    default,
                    {"name": "bare", "uuid": "g2", "locations": null}
                ]}));
            })
            .await;
        let groups = mock::client(&server).list_groups("my-org").await.unwrap();
        mock.assert_async().await;
        assert_eq!(groups.len(), 2);
        assert_group(
            &groups[0],
            "default",
            "aws-us-east-1",
            &["aws-us-east-1", "aws-eu-west-1"],
        );
        assert_eq!(groups[0].version.as_deref(), Some("v0.24.31"));
        assert_eq!(
            (groups[1].name.as_str(), groups[1].uuid.as_str()),
            ("bare", "g2")
        );
        assert_eq!(groups[1].primary, None);
        assert!(groups[1].locations.is_empty());
    })
    .await;
}

#[tokio::test]
async fn create_group_sends_the_name_and_location_and_decodes_the_group() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(POST).path("/v1/organizations/my-org/groups"),
                    json!({"name": "eu", "location": "aws-eu-west-1"}),
                ));
                then.status(200).json_body(
                    json!({"group": group_json("eu", "aws-eu-west-1", &["aws-eu-west-1"])}),
                );
            })
            .await;
        let group = mock::client(&server)
            .create_group("my-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "eu", "aws-eu-west-1", &["aws-eu-west-1"]);
    })
    .await;
}

#[tokio::test]
async fn create_group_sends_extensions_as_all_or_as_a_list() {
    bounded(LIMIT, async {
        let cases = [
            (
                NewGroup::new("lab", "aws-us-east-1").all_extensions(),
                json!("all"),
            ),
            (
                NewGroup::new("lab", "aws-us-east-1").extensions([Extension::Vector]),
                json!(["vector"]),
            ),
        ];
        for (new_group, extensions) in cases {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    common_headers(json_request(
                        when.method(POST).path("/v1/organizations/my-org/groups"),
                        json!({"name": "lab", "location": "aws-us-east-1",
                               "extensions": extensions}),
                    ));
                    then.status(200).json_body(
                        json!({"group": group_json("lab", "aws-us-east-1", &["aws-us-east-1"])}),
                    );
                })
                .await;
            let group = mock::client(&server)
                .create_group("my-org", &new_group)
                .await
                .unwrap();
            mock.assert_async().await;
            assert_eq!(group.name, "lab");
        }
    })
    .await;
}

#[tokio::test]
async fn get_group_decodes_the_documented_answer() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/groups/default"),
                )));
                then.status(200).json_body(
                    json!({"group": group_json("default", "aws-us-east-1", &["aws-us-east-1"])}),
                );
            })
            .await;
        let group = mock::client(&server)
            .get_group("my-org", "default")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "default", "aws-us-east-1", &["aws-us-east-1"]);
        assert_eq!(group.version, None);
    })
    .await;
}

#[tokio::test]
async fn delete_group_sends_a_delete_and_returns_the_group_as_it_was() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(DELETE)
                        .path("/v1/organizations/my-org/groups/eu"),
                )));
                then.status(200).json_body(
                    json!({"group": group_json("eu", "aws-eu-west-1", &["aws-eu-west-1"])}),
                );
            })
            .await;
        let group = mock::client(&server)
            .delete_group("my-org", "eu")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "eu", "aws-eu-west-1", &["aws-eu-west-1"]);
    })
    .await;
}

#[tokio::test]
async fn get_group_configuration_decodes_delete_protection() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/groups/default/configuration"),
                )));
                then.status(200)
                    .json_body(json!({"delete_protection": true}));
            })
            .await;
        let configuration = mock::client(&server)
            .get_group_configuration("my-org", "default")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(configuration.delete_protection, Some(true));
    })
    .await;
}

#[tokio::test]
async fn update_group_configuration_patches_only_the_changes() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(PATCH)
                        .path("/v1/organizations/my-org/groups/default/configuration"),
                    json!({"delete_protection": false}),
                ));
                then.status(200)
                    .json_body(json!({"delete_protection": false}));
            })
            .await;
        let changes = GroupConfigurationInput::default().with_delete_protection(false);
        let configuration = mock::client(&server)
            .update_group_configuration("my-org", "default", &changes)
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(configuration.delete_protection, Some(false));
    })
    .await;
}

#[tokio::test]
async fn transfer_group_sends_the_receiving_organization_and_decodes_the_bare_group() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/eu/transfer"),
                    json!({"organization": "other-org"}),
                ));
                then.status(200)
                    .json_body(group_json("eu", "aws-eu-west-1", &["aws-eu-west-1"]));
            })
            .await;
        let group = mock::client(&server)
            .transfer_group("my-org", "eu", "other-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "eu", "aws-eu-west-1", &["aws-eu-west-1"]);
    })
    .await;
}

#[tokio::test]
async fn unarchive_group_posts_no_body() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/default/unarchive"),
                )));
                then.status(200).json_body(
                    json!({"group": group_json("default", "aws-us-east-1", &["aws-us-east-1"])}),
                );
            })
            .await;
        let group = mock::client(&server)
            .unarchive_group("my-org", "default")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "default", "aws-us-east-1", &["aws-us-east-1"]);
    })
    .await;
}

#[tokio::test]
async fn add_location_to_group_posts_no_body_to_the_location() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(POST).path(
                    "/v1/organizations/my-org/groups/default/locations/aws-eu-west-1",
                ))));
                then.status(200).json_body(json!({"group": group_json(
                    "default",
                    "aws-us-east-1",
                    &["aws-us-east-1", "aws-eu-west-1"]
                )}));
            })
            .await;
        let group = mock::client(&server)
            .add_location_to_group("my-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(
            &group,
            "default",
            "aws-us-east-1",
            &["aws-us-east-1", "aws-eu-west-1"],
        );
    })
    .await;
}

#[tokio::test]
async fn remove_location_from_group_sends_a_delete_to_the_location() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(DELETE).path(
                    "/v1/organizations/my-org/groups/default/locations/aws-eu-west-1",
                ))));
                then.status(200).json_body(
                    json!({"group": group_json("default", "aws-us-east-1", &["aws-us-east-1"])}),
                );
            })
            .await;
        let group = mock::client(&server)
            .remove_location_from_group("my-org", "default", "aws-eu-west-1")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_group(&group, "default", "aws-us-east-1", &["aws-us-east-1"]);
    })
    .await;
}

#[tokio::test]
async fn update_group_databases_posts_no_body_and_accepts_an_empty_200() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(POST)
                        .path("/v1/organizations/my-org/groups/default/update"),
                )));
                then.status(200);
            })
            .await;
        mock::client(&server)
            .update_group_databases("my-org", "default")
            .await
            .unwrap();
        mock.assert_async().await;
    })
    .await;
}

// Locations.

#[tokio::test]
async fn list_locations_decodes_the_descriptions_by_code() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(GET).path("/v1/locations"))));
                then.status(200).json_body(json!({"locations": {
                    "aws-us-east-1": "AWS US East (Virginia)",
                    "aws-eu-west-1": "AWS EU West (Ireland)"
                }}));
            })
            .await;
        let locations = mock::client(&server).list_locations().await.unwrap();
        mock.assert_async().await;
        let expected = BTreeMap::from([
            (
                "aws-eu-west-1".to_owned(),
                "AWS EU West (Ireland)".to_owned(),
            ),
            (
                "aws-us-east-1".to_owned(),
                "AWS US East (Virginia)".to_owned(),
            ),
        ]);
        assert_eq!(locations, expected);
    })
    .await;
}

// Paths.

#[tokio::test]
async fn names_are_percent_encoded_into_their_own_segments() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let instance = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/organizations/a%20b/databases/d%3Fe%23f/instances/%C3%A9%3Bx%25");
                then.status(200).json_body(json!({"instance": {
                    "uuid": INSTANCE_ID, "name": "é;x%", "type": "replica",
                    "region": "é;x%", "hostname": "h"
                }}));
            })
            .await;
        let location = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v1/organizations/a%20b/groups/g%3Dh/locations/l%26m");
                then.status(200)
                    .json_body(json!({"group": {"name": "g=h", "uuid": GROUP_ID}}));
            })
            .await;
        let client = mock::client(&server);
        let got = client
            .get_database_instance("a b", "d?e#f", "é;x%")
            .await
            .unwrap();
        assert_eq!(got.name, "é;x%");
        let group = client
            .add_location_to_group("a b", "g=h", "l&m")
            .await
            .unwrap();
        assert_eq!(group.name, "g=h");
        instance.assert_async().await;
        location.assert_async().await;
    })
    .await;
}

// Errors and retries.

/// Every operation of this file, by operationId, called with plausible arguments; only
/// its error matters.
async fn call_each(client: &Client) -> Vec<(&'static str, Error)> {
    let (org, db, group, here) = ("my-org", "my-db", "default", "aws-eu-west-1");
    let usage = UsageOptions::new();
    let patch = DatabaseConfigurationInput::default().with_block_writes(true);
    let group_patch = GroupConfigurationInput::default().with_delete_protection(true);
    let failed = |result: Result<(), Error>| result.expect_err("an error status fails");
    vec![
        (
            "listDatabases",
            failed(
                client
                    .list_databases(org, &ListDatabasesOptions::new())
                    .await
                    .map(drop),
            ),
        ),
        (
            "createDatabase",
            failed(
                client
                    .create_database(org, &NewDatabase::new(db, group))
                    .await
                    .map(drop),
            ),
        ),
        (
            "getDatabase",
            failed(client.get_database(org, db).await.map(drop)),
        ),
        (
            "deleteDatabase",
            failed(client.delete_database(org, db).await.map(drop)),
        ),
        (
            "getDatabaseConfiguration",
            failed(client.get_database_configuration(org, db).await.map(drop)),
        ),
        (
            "updateDatabaseConfiguration",
            failed(
                client
                    .update_database_configuration(org, db, &patch)
                    .await
                    .map(drop),
            ),
        ),
        (
            "listDatabaseInstances",
            failed(client.list_database_instances(org, db).await.map(drop)),
        ),
        (
            "getDatabaseInstance",
            failed(client.get_database_instance(org, db, here).await.map(drop)),
        ),
        (
            "getDatabaseUsage",
            failed(client.get_database_usage(org, db, &usage).await.map(drop)),
        ),
        (
            "getDatabaseStats",
            failed(client.get_database_stats(org, db).await.map(drop)),
        ),
        (
            "listGroups",
            failed(client.list_groups(org).await.map(drop)),
        ),
        (
            "createGroup",
            failed(
                client
                    .create_group(org, &NewGroup::new(group, here))
                    .await
                    .map(drop),
            ),
        ),
        (
            "getGroup",
            failed(client.get_group(org, group).await.map(drop)),
        ),
        (
            "deleteGroup",
            failed(client.delete_group(org, group).await.map(drop)),
        ),
        (
            "getGroupConfiguration",
            failed(client.get_group_configuration(org, group).await.map(drop)),
        ),
        (
            "updateGroupConfiguration",
            failed(
                client
                    .update_group_configuration(org, group, &group_patch)
                    .await
                    .map(drop),
            ),
        ),
        (
            "transferGroup",
            failed(
                client
                    .transfer_group(org, group, "other-org")
                    .await
                    .map(drop),
            ),
        ),
        (
            "unarchiveGroup",
            failed(client.unarchive_group(org, group).await.map(drop)),
        ),
        (
            "addLocationToGroup",
            failed(
                client
                    .add_location_to_group(org, group, here)
                    .await
                    .map(drop),
            ),
        ),
        (
            "removeLocationFromGroup",
            failed(
                client
                    .remove_location_from_group(org, group, here)
                    .await
                    .map(drop),
            ),
        ),
        (
            "updateGroupDatabases",
            failed(client.update_group_databases(org, group).await),
        ),
        (
            "listLocations",
            failed(client.list_locations().await.map(drop)),
        ),
    ]
}

#[tokio::test]
async fn every_operation_maps_every_error_status_to_api_with_message_and_code() {
    bounded(LIMIT, async {
        for status in mock::ERROR_STATUSES {
            let server = MockServer::start_async().await;
            let mock = mock::fail_everything(&server, status).await;
            let errors = call_each(&mock::client(&server)).await;
            assert_eq!(errors.len(), 22);
            for (operation, error) in &errors {
                // A create whose outcome a gateway or server error leaves unknown says
                // so, around the API's error.
                let api = match error {
                    Error::MayExist { source, .. } => {
                        assert!(
                            matches!(*operation, "createDatabase" | "createGroup") && status >= 500,
                            "{operation}, HTTP {status}: {error:?}"
                        );
                        source.as_ref()
                    }
                    other => other,
                };
                mock::assert_api_failure(operation, status, error, api);
            }
            // Each sent once: no retries were asked for.
            mock.assert_calls_async(errors.len()).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_taken_name_is_an_api_error_whichever_status_turso_answers() {
    bounded(LIMIT, async {
        for status in [400, 409, 422] {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    when.any_request();
                    then.status(status)
                        .json_body(error_json(&format!("name taken ({status})")));
                })
                .await;
            let client = mock::client(&server);
            let errors = [
                client
                    .create_database("my-org", &NewDatabase::new("tenant-42", "default"))
                    .await
                    .unwrap_err(),
                client
                    .create_group("my-org", &NewGroup::new("eu", "aws-eu-west-1"))
                    .await
                    .unwrap_err(),
            ];
            for error in errors {
                match &error {
                    Error::Api {
                        status: s, message, ..
                    } => {
                        assert_eq!(s.as_u16(), status);
                        assert_eq!(message, &format!("name taken ({status})"));
                    }
                    other => panic!("HTTP {status}: expected Api, got {other:?}"),
                }
                assert_eq!(error.status(), StatusCode::from_u16(status).ok());
                assert!(!error.may_have_taken_effect(), "HTTP {status}");
            }
            mock.assert_calls_async(2).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_503_on_a_create_is_sent_once_and_may_exist() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let databases = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/organizations/my-org/databases");
                then.status(503).json_body(error_json("busy"));
            })
            .await;
        let groups = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/organizations/my-org/groups");
                then.status(503).json_body(error_json("busy"));
            })
            .await;
        let client = mock::retrying_client(&server, 3);
        let database = client
            .create_database("my-org", &NewDatabase::new("tenant-42", "default"))
            .await
            .unwrap_err();
        let group = client
            .create_group("my-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap_err();
        databases.assert_calls_async(1).await;
        groups.assert_calls_async(1).await;
        for (error, want_kind, want_name) in
            [(database, "database", "tenant-42"), (group, "group", "eu")]
        {
            match &error {
                Error::MayExist {
                    kind, name, source, ..
                } => {
                    assert_eq!((*kind, name.as_str()), (want_kind, want_name));
                    assert!(
                        matches!(
                            **source,
                            Error::Api { status: StatusCode::SERVICE_UNAVAILABLE, ref message, .. }
                                if message == "busy"
                        ),
                        "{source:?}"
                    );
                }
                other => panic!("expected MayExist, got {other:?}"),
            }
            assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
            assert!(error.may_have_taken_effect());
            let shown = error.to_string();
            assert!(shown.contains(&format!("get_{want_kind}")), "{shown}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_503_on_delete_database_is_sent_once_and_may_have_taken_effect() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path("/v1/organizations/my-org/databases/tenant-42");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let error = mock::retrying_client(&server, 3)
            .delete_database("my-org", "tenant-42")
            .await
            .unwrap_err();
        mock.assert_calls_async(1).await;
        assert!(
            matches!(
                error,
                Error::Api {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.may_have_taken_effect());
    })
    .await;
}

#[tokio::test]
async fn a_503_on_get_database_is_retried() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/organizations/my-org/databases/my-db");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let error = mock::retrying_client(&server, 1)
            .get_database("my-org", "my-db")
            .await
            .unwrap_err();
        mock.assert_calls_async(2).await;
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(error.retry_after(), Some(Duration::ZERO));
    })
    .await;
}

#[tokio::test]
async fn invalid_names_and_options_are_refused_and_nothing_is_sent() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).json_body(json!({}));
            })
            .await;
        let client = mock::client(&server);
        let now = UNIX_EPOCH + Duration::from_secs(MAY_21_10H);
        let no_filter = ListDatabasesOptions::new();
        let results = [
            client
                .create_database("my-org", &NewDatabase::new("Bad_Name", "default"))
                .await
                .map(drop),
            client
                .create_database("my-org", &NewDatabase::new("..", "default"))
                .await
                .map(drop),
            client
                .create_database("my-org", &NewDatabase::new("a".repeat(65), "default"))
                .await
                .map(drop),
            client
                .create_database("my-org", &NewDatabase::new("ok", " "))
                .await
                .map(drop),
            client
                .create_database("my-org", &NewDatabase::new("ok", "default").copy_of(""))
                .await
                .map(drop),
            client
                .create_database("..", &NewDatabase::new("ok", "default"))
                .await
                .map(drop),
            client.list_databases("..", &no_filter).await.map(drop),
            client
                .list_databases("my-org", &ListDatabasesOptions::new().group(" "))
                .await
                .map(drop),
            client.get_database("my-org", "..").await.map(drop),
            client.delete_database("my-org", "a/b").await.map(drop),
            client
                .get_database_configuration("my-org", ".")
                .await
                .map(drop),
            client
                .update_database_configuration("my-org", "", &DatabaseConfigurationInput::default())
                .await
                .map(drop),
            client.list_database_instances("a\\b", "db").await.map(drop),
            client
                .get_database_instance("my-org", "db", "..")
                .await
                .map(drop),
            client
                .get_database_usage(
                    "my-org",
                    "db",
                    &UsageOptions::new()
                        .from(now)
                        .to(now - Duration::from_secs(1)),
                )
                .await
                .map(drop),
            client.get_database_stats("my-org", "db\n").await.map(drop),
            client.list_groups(" ").await.map(drop),
            client
                .create_group("my-org", &NewGroup::new("EU", "aws-eu-west-1"))
                .await
                .map(drop),
            client
                .create_group("my-org", &NewGroup::new("eu", ""))
                .await
                .map(drop),
            client.get_group("my-org", "..").await.map(drop),
            client.delete_group("my-org", "..").await.map(drop),
            client.get_group_configuration("my-org", "").await.map(drop),
            client
                .update_group_configuration("my-org", "a/b", &GroupConfigurationInput::default())
                .await
                .map(drop),
            client.transfer_group("my-org", "eu", " ").await.map(drop),
            client
                .transfer_group("my-org", "..", "other")
                .await
                .map(drop),
            client.unarchive_group("..", "default").await.map(drop),
            client
                .add_location_to_group("my-org", "default", "..")
                .await
                .map(drop),
            client
                .remove_location_from_group("my-org", "default", "a/b")
                .await
                .map(drop),
            client
                .update_group_databases("my-org", "..")
                .await
                .map(drop),
        ];
        for (i, result) in results.into_iter().enumerate() {
            assert!(
                matches!(result, Err(Error::InvalidArgument(_))),
                "case {i}: {result:?}"
            );
        }
        assert_eq!(any.calls_async().await, 0);
    })
    .await;
}

/// An empty allowlist is sent as `[]` (it clears the list), while leaving it out sends
/// nothing (it stays as it is).
#[tokio::test]
async fn an_empty_allowlist_is_sent_and_clears_it() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let path = "/v1/organizations/my-org/databases/my-db/configuration";
        let clear = server
            .mock_async(|when, then| {
                json_request(
                    when.method(PATCH).path(path),
                    json!({"allowed_ips": [], "allowed_aws_vpc_ids": []}),
                );
                then.status(200).json_body(json!({"allowed_ips": []}));
            })
            .await;
        let changes = DatabaseConfigurationInput::default()
            .with_allowed_ips(Vec::<String>::new())
            .with_allowed_aws_vpc_ids(Vec::<String>::new());
        let answer = mock::client(&server)
            .update_database_configuration("my-org", "my-db", &changes)
            .await
            .unwrap();
        assert!(answer.allowed_ips.is_empty());
        clear.assert_async().await;
    })
    .await;
}

/// A map the API writes as Go's `null` decodes as empty, as lists do.
#[tokio::test]
async fn null_locations_decode_as_none() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/locations");
                then.status(200).json_body(json!({"locations": null}));
            })
            .await;
        assert!(
            mock::client(&server)
                .list_locations()
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

/// A copy of a database as it was before 1970 is refused, not sent as 1970.
#[tokio::test]
async fn a_copy_from_before_1970_is_refused() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200);
            })
            .await;
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let database = NewDatabase::new("copy", "default").copy_of_at("source", before);
        let error = mock::client(&server)
            .create_database("my-org", &database)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidArgument(_)), "{error:?}");
        mock.assert_calls_async(0).await;
    })
    .await;
}

/// The group and configuration operations the README's table classes: a 503 is answered
/// again for updates, unarchive and database updates, never for deletes, transfers and
/// location changes (the other classes are tried by the tests of each resource).
#[tokio::test]
async fn group_operations_are_sent_again_as_the_table_says() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let busy = server
            .mock_async(|_, then| {
                then.status(503).json_body(error_json("busy"));
            })
            .await;
        let client = mock::retrying_client(&server, 1);
        let groups = turso_platform::GroupConfigurationInput::default();
        let databases = turso_platform::DatabaseConfigurationInput::default();
        let mut seen = 0;
        let mut sent = |name: &str, again: bool, calls: usize| {
            assert_eq!(calls - seen, if again { 2 } else { 1 }, "{name}");
            seen = calls;
        };
        macro_rules! check {
            ($name:literal, $again:expr, $call:expr) => {
                assert!($call.await.is_err(), $name);
                sent($name, $again, busy.calls_async().await);
            };
        }
        check!("delete_group", false, client.delete_group("o", "g"));
        check!(
            "transfer_group",
            false,
            client.transfer_group("o", "g", "p")
        );
        check!(
            "add_location_to_group",
            false,
            client.add_location_to_group("o", "g", "fra")
        );
        check!(
            "remove_location_from_group",
            false,
            client.remove_location_from_group("o", "g", "fra")
        );
        check!("unarchive_group", true, client.unarchive_group("o", "g"));
        check!(
            "update_group_databases",
            true,
            client.update_group_databases("o", "g")
        );
        check!(
            "update_group_configuration",
            true,
            client.update_group_configuration("o", "g", &groups)
        );
        check!(
            "update_database_configuration",
            true,
            client.update_database_configuration("o", "d", &databases)
        );
    })
    .await
}
