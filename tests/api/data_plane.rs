//! The local Turso's data plane, end to end, as a service built on this crate uses it:
//! databases provisioned through [`Client`], tokens minted through it, SQL run with
//! `turso_serverless` (Turso's own Hrana client, from crates.io) on the URL the fake
//! gives. What a tenant's token may do is what the real service lets it do.
//!
//! Everything talks to 127.0.0.1 only, and every test bounds its own time.

use crate::common;

use std::time::Duration;

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    Authorization, Client, DatabaseConfigurationInput, NewDatabase, TokenOptions, UsageOptions,
};
use turso_platform_fake::FakeTurso;
use turso_serverless::{Builder, Connection, Value};

const ORG: &str = "fake-org";
const GROUP: &str = "default";

async fn bounded<F: std::future::Future>(test: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("the test did not finish within 60 s")
}

/// A fake, and a client for it that does not retry.
async fn fake() -> (FakeTurso, Client) {
    let fake = FakeTurso::start().await.unwrap();
    let client = common::client_of(&fake);
    (fake, client)
}

/// A database token of `database`, read-write or read-only.
async fn token(client: &Client, database: &str, authorization: Authorization) -> String {
    let options = TokenOptions::new().authorization(authorization);
    let minted = client
        .create_database_token(ORG, database, &options)
        .await
        .unwrap();
    minted.jwt.expose_secret().to_owned()
}

/// A connection to `url` with `token`.
async fn connect(url: &str, token: &str) -> Connection {
    Builder::new_remote(url)
        .with_auth_token(token)
        .build()
        .await
        .unwrap()
        .connect()
        .unwrap()
}

/// Provisions `name` and connects to it with a read-write token.
async fn provisioned(fake: &FakeTurso, client: &Client, name: &str) -> Connection {
    let created = client
        .create_database(ORG, &NewDatabase::new(name, GROUP))
        .await
        .unwrap();
    let url = fake.database_url(ORG, name).unwrap();
    assert_eq!(url, format!("http://{}", created.hostname));
    connect(&url, &token(client, name, Authorization::FullAccess).await).await
}

/// The error of a query that must fail.
async fn refused(conn: &Connection, sql: &str) -> String {
    match conn.query(sql, ()).await {
        Ok(_) => panic!("{sql} ran"),
        Err(e) => e.to_string(),
    }
}

async fn count(conn: &Connection, table: &str) -> i64 {
    let mut rows = conn
        .query(format!("SELECT count(*) FROM {table}"), ())
        .await
        .unwrap();
    rows.next().await.unwrap().unwrap().get::<i64>(0).unwrap()
}

#[tokio::test]
async fn every_value_type_round_trips() {
    bounded(async {
        let (fake, client) = fake().await;
        let conn = provisioned(&fake, &client, "values").await;
        conn.execute("CREATE TABLE t (i INTEGER, f REAL, s TEXT, b BLOB, n)", ())
            .await
            .unwrap();
        let values = [
            Value::Integer(i64::MIN),
            Value::Real(-1.5e300),
            Value::Text("tenant ✓ \"quoted\" 'single'".to_owned()),
            Value::Blob(vec![0, 1, 2, 254, 255]),
            Value::Null,
        ];
        conn.execute("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)", values.clone())
            .await
            .unwrap();
        let mut rows = conn.query("SELECT i, f, s, b, n FROM t", ()).await.unwrap();
        let row = rows.next().await.unwrap().unwrap();
        for (i, expected) in values.iter().enumerate() {
            assert_eq!(&row.get_value(i).unwrap(), expected, "column {i}");
        }
        assert!(rows.next().await.unwrap().is_none());
    })
    .await
}

#[tokio::test]
async fn a_read_only_token_reads_and_is_refused_every_write_which_changes_nothing() {
    bounded(async {
        let (fake, client) = fake().await;
        let writer = provisioned(&fake, &client, "readers").await;
        writer
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let url = fake.database_url(ORG, "readers").unwrap();
        let reader = connect(
            &url,
            &token(&client, "readers", Authorization::ReadOnly).await,
        )
        .await;
        assert_eq!(count(&reader, "t").await, 1);
        for write in [
            "INSERT INTO t VALUES (2)",
            "DELETE FROM t",
            "DROP TABLE t",
            "PRAGMA query_only = 0",
            "WITH x AS (SELECT 1) UPDATE t SET x = 3",
        ] {
            let err = reader.execute(write, ()).await.unwrap_err();
            assert!(err.to_string().contains("403"), "{write}: {err}");
        }
        assert_eq!(count(&writer, "t").await, 1, "nothing changed");
    })
    .await
}

#[tokio::test]
async fn tokens_open_only_their_database_until_it_rotates_them() {
    bounded(async {
        let (fake, client) = fake().await;
        let a = provisioned(&fake, &client, "tenant-a").await;
        a.execute("CREATE TABLE t (x)", ()).await.unwrap();
        provisioned(&fake, &client, "tenant-b").await;

        // A's token on B's URL: B looks missing, as in sqld.
        let a_token = token(&client, "tenant-a", Authorization::FullAccess).await;
        let b_url = fake.database_url(ORG, "tenant-b").unwrap();
        let err = refused(&connect(&b_url, &a_token).await, "SELECT 1").await;
        assert!(err.to_string().contains("404"), "{err}");

        // A group token opens every database of its group.
        let group_token = client
            .create_group_token(ORG, GROUP, &TokenOptions::new())
            .await
            .unwrap();
        let by_group = connect(&b_url, group_token.jwt.expose_secret()).await;
        by_group.query("SELECT 1", ()).await.unwrap();

        // Rotation: the old token gets 401, a new one works.
        client
            .invalidate_database_tokens(ORG, "tenant-a")
            .await
            .unwrap();
        let a_url = fake.database_url(ORG, "tenant-a").unwrap();
        let err = refused(&connect(&a_url, &a_token).await, "SELECT 1").await;
        assert!(err.to_string().contains("401"), "{err}");
        let fresh = connect(
            &a_url,
            &token(&client, "tenant-a", Authorization::FullAccess).await,
        )
        .await;
        assert_eq!(count(&fresh, "t").await, 0);

        // No token, or a forged one: 401.
        for forged in ["", "eyJhbGciOiJFZERTQSJ9.e30.AAAA"] {
            let err = refused(&connect(&a_url, forged).await, "SELECT 1").await;
            assert!(err.to_string().contains("401"), "{forged:?}: {err}");
        }
    })
    .await
}

#[tokio::test]
async fn a_copy_holds_the_data_and_a_deleted_database_is_gone() {
    bounded(async {
        let (fake, client) = fake().await;
        let source = provisioned(&fake, &client, "orders").await;
        source
            .execute_batch("CREATE TABLE o (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO o (v) VALUES ('a'), ('b')")
            .await
            .unwrap();
        client
            .create_database(ORG, &NewDatabase::new("orders-copy", GROUP).copy_of("orders"))
            .await
            .unwrap();
        let copy_url = fake.database_url(ORG, "orders-copy").unwrap();
        let copy = connect(
            &copy_url,
            &token(&client, "orders-copy", Authorization::FullAccess).await,
        )
        .await;
        assert_eq!(count(&copy, "o").await, 2);
        // Copies are independent.
        copy.execute("DELETE FROM o", ()).await.unwrap();
        assert_eq!(count(&source, "o").await, 2);

        let token = token(&client, "orders", Authorization::FullAccess).await;
        let url = fake.database_url(ORG, "orders").unwrap();
        client.delete_database(ORG, "orders").await.unwrap();
        let err = refused(&connect(&url, &token).await, "SELECT 1").await;
        assert!(err.to_string().contains("404"), "{err}");
        // A new database of the same name starts empty.
        let again = provisioned(&fake, &client, "orders").await;
        assert!(again.query("SELECT * FROM o", ()).await.is_err());
    })
    .await
}

#[tokio::test]
async fn configuration_blocks_and_usage_counts_what_ran() {
    bounded(async {
        let (fake, client) = fake().await;
        let conn = provisioned(&fake, &client, "counted").await;
        conn.execute("CREATE TABLE t (x)", ()).await.unwrap();
        for i in 0..5 {
            conn.execute("INSERT INTO t VALUES (?1)", [i])
                .await
                .unwrap();
        }
        assert_eq!(count(&conn, "t").await, 5);
        let usage = client
            .get_database_usage(ORG, "counted", &UsageOptions::new())
            .await
            .unwrap();
        let total = usage.total.unwrap();
        assert_eq!(total.rows_written, Some(5));
        // Rows read are estimated (rows returned, and rows stepped in full scans): libSQL
        // counts the rows its VM reads, which stock SQLite does not report.
        assert!(total.rows_read.unwrap() > 0, "{total:?}");
        assert!(total.storage_bytes.unwrap() > 0);
        let stats = client.get_database_stats(ORG, "counted").await.unwrap();
        assert!(
            stats
                .top_queries
                .iter()
                .any(|q| q.query.as_deref() == Some("INSERT INTO t VALUES (?1)")
                    && q.rows_written == Some(5)),
            "{stats:?}"
        );

        let block = DatabaseConfigurationInput::default().with_block_writes(true);
        client
            .update_database_configuration(ORG, "counted", &block)
            .await
            .unwrap();
        let err = conn
            .execute("INSERT INTO t VALUES (9)", ())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("blocked"), "{err}");
        assert_eq!(count(&conn, "t").await, 5, "reads still work");
    })
    .await
}

#[tokio::test]
async fn interactive_transactions_span_requests_and_concurrent_writers_lose_nothing() {
    bounded(async {
        let (fake, client) = fake().await;
        let mut conn = provisioned(&fake, &client, "busy").await;
        conn.execute("CREATE TABLE t (x)", ()).await.unwrap();

        let tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (1)", ()).await.unwrap();
        tx.execute("INSERT INTO t VALUES (2)", ()).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count(&conn, "t").await, 0, "rolled back");
        let tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (1)", ()).await.unwrap();
        tx.execute("INSERT INTO t VALUES (2)", ()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&conn, "t").await, 2);

        let url = fake.database_url(ORG, "busy").unwrap();
        let token = token(&client, "busy", Authorization::FullAccess).await;
        let writers = (0..20).map(|writer| {
            let (url, token) = (url.clone(), token.clone());
            tokio::spawn(async move {
                let conn = connect(&url, &token).await;
                for i in 0..25 {
                    conn.execute("INSERT INTO t VALUES (?1)", [writer * 100 + i])
                        .await
                        .unwrap();
                }
            })
        });
        for writer in futures_util::future::join_all(writers).await {
            writer.unwrap();
        }
        assert_eq!(count(&conn, "t").await, 2 + 20 * 25);
    })
    .await
}
