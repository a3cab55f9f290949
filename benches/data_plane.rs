//! The fake's data plane against the work underneath it: a one-statement Hrana pipeline
//! round trip on loopback, and 1,000 inserts in one batch, each beside the same SQL run
//! through `rusqlite` directly (same settings: a WAL file) and an empty HTTP round trip
//! on the same server (`GET /health`). What the protocol layer costs is the pipeline's
//! time minus the other two.
//!
//! ```text
//! cargo bench -p turso-platform-benches --bench data_plane
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use turso_platform::reqwest;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{NewDatabase, TokenOptions};
use turso_platform_fake::FakeTurso;

/// A database served by a fake: its URL and a read-write token.
struct Served {
    _fake: FakeTurso,
    url: String,
    token: String,
    http: reqwest::Client,
}

async fn served(name: &str) -> Served {
    let fake = FakeTurso::start().await.unwrap();
    let client = fake.client();
    client
        .create_database("fake-org", &NewDatabase::new(name, "default"))
        .await
        .unwrap();
    let token = client
        .create_database_token("fake-org", name, &TokenOptions::new())
        .await
        .unwrap();
    Served {
        url: fake.database_url("fake-org", name).unwrap(),
        token: token.jwt.expose_secret().to_owned(),
        _fake: fake,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
    }
}

impl Served {
    async fn pipeline(&self, body: &str) {
        let answer = self
            .http
            .post(format!("{}/v2/pipeline", self.url))
            .bearer_auth(&self.token)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        black_box(answer.bytes().await.unwrap());
    }
}

fn direct(name: &str) -> (rusqlite::Connection, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("data-plane-bench-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    (conn, dir)
}

fn one_statement(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(served("one"));
    let body = json!({"requests": [
        {"type": "execute", "stmt": {"sql": "SELECT 1"}},
        {"type": "close"}]})
    .to_string();
    let mut group = c.benchmark_group("one statement");
    group.bench_function("Hrana pipeline over loopback", |b| {
        b.to_async(&runtime).iter(|| db.pipeline(&body))
    });
    group.bench_function("empty HTTP round trip (GET /health)", |b| {
        b.to_async(&runtime).iter(|| async {
            let answer = db
                .http
                .get(format!("{}/health", db.url))
                .send()
                .await
                .unwrap();
            black_box(answer.bytes().await.unwrap());
        })
    });
    let (conn, dir) = direct("one");
    group.bench_function("rusqlite directly", |b| {
        b.iter(|| {
            let mut statement = conn.prepare("SELECT 1").unwrap();
            let value: i64 = statement.query_row([], |row| row.get(0)).unwrap();
            black_box(value)
        })
    });
    group.finish();
    drop(conn);
    let _ = std::fs::remove_dir_all(dir);
}

fn thousand_inserts(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(served("batch"));
    runtime.block_on(
        db.pipeline(
            &json!({"requests": [
            {"type": "execute", "stmt": {"sql": "CREATE TABLE t (i INTEGER, s TEXT)"}},
            {"type": "close"}]})
            .to_string(),
        ),
    );
    let mut steps = vec![json!({"stmt": {"sql": "BEGIN"}})];
    for i in 0..1000 {
        steps.push(
            json!({"stmt": {"sql": "INSERT INTO t VALUES (?, ?)", "args": [
            {"type": "integer", "value": i.to_string()}, {"type": "text", "value": "row"}]}}),
        );
    }
    steps.push(json!({"stmt": {"sql": "COMMIT"}}));
    let body =
        json!({"requests": [{"type": "batch", "batch": {"steps": steps}}, {"type": "close"}]})
            .to_string();
    let mut group = c.benchmark_group("1,000 inserts in one batch");
    group.sample_size(20);
    group.bench_function("Hrana pipeline over loopback", |b| {
        b.to_async(&runtime).iter(|| db.pipeline(&body))
    });
    let (mut conn, dir) = direct("batch");
    conn.execute("CREATE TABLE t (i INTEGER, s TEXT)", [])
        .unwrap();
    group.bench_function("rusqlite directly", |b| {
        b.iter(|| {
            let tx = conn.transaction().unwrap();
            {
                let mut insert = tx.prepare("INSERT INTO t VALUES (?, ?)").unwrap();
                for i in 0..1000i64 {
                    insert.execute(rusqlite::params![i, "row"]).unwrap();
                }
            }
            tx.commit().unwrap();
        })
    });
    group.finish();
    drop(conn);
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, one_statement, thousand_inserts);
criterion_main!(benches);
