//! The data plane at the HTTP level: Hrana requests as raw JSON, what sqld answers to
//! them, and what a hostile client tries (oversized and deeply nested bodies, runaway
//! statements, huge results, forged and stale batons, garbage; the bound on streams is
//! a unit test of `data::streams`). Also readiness, archived groups, `ATTACH`, resets, restarts, uploads and
//! dumps.

use std::time::Duration;

use serde_json::{Value, json};
use turso_platform::reqwest::{self, StatusCode};
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{Authorization, Client, NewDatabase, TokenOptions};
use turso_platform_fake::FakeTurso;

use crate::common::{admin, bounded, start};
use crate::state::TempDir;

const LIMIT: Duration = Duration::from_secs(30);

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A database token of `database` of `fake-org`.
async fn jwt(client: &Client, database: &str, authorization: Authorization) -> String {
    client
        .create_database_token(
            "fake-org",
            database,
            &TokenOptions::new().authorization(authorization),
        )
        .await
        .unwrap()
        .jwt
        .expose_secret()
        .to_owned()
}

/// A database's URL and a read-write token of it.
struct Db {
    url: String,
    token: String,
}

impl Db {
    async fn of(fake: &FakeTurso, name: &str) -> Db {
        Db {
            url: fake.database_url("fake-org", name).unwrap(),
            token: jwt(&admin(fake), name, Authorization::FullAccess).await,
        }
    }

    /// POSTs `body` to `path`: the status, content type and body.
    async fn post(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, String, String) {
        let answer = http()
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let kind = answer
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, kind, answer.text().await.unwrap())
    }

    /// Runs a pipeline and returns its JSON answer (200 expected).
    async fn pipeline(&self, body: Value) -> Value {
        let (status, _, text) = self.post("/v3/pipeline", body.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Runs one statement and returns its result (or error) object.
    async fn run(&self, sql: &str) -> Value {
        let answer = self
            .pipeline(
                json!({"requests": [{"type": "execute", "stmt": {"sql": sql}}, {"type": "close"}]}),
            )
            .await;
        answer["results"][0].clone()
    }
}

#[tokio::test]
async fn sqld_s_routes_answer_as_sqld_does() {
    bounded(LIMIT, async {
        let fake = start().await;
        let db = Db::of(&fake, "fake-db").await;
        let get = |path: &str| http().get(format!("{}{path}", db.url)).send();
        let index = get("/v2").await.unwrap();
        assert_eq!(index.status(), StatusCode::OK);
        assert!(index.text().await.unwrap().contains("Hrana over HTTP"));
        assert_eq!(get("/v3").await.unwrap().status(), StatusCode::OK);
        assert_eq!(get("/health").await.unwrap().status(), StatusCode::OK);
        assert!(get("/version").await.unwrap().text().await.unwrap().starts_with("sqld "));
        // Protobuf and WebSocket are refused clearly: clients fall back to JSON.
        assert_eq!(get("/v3-protobuf").await.unwrap().status(), StatusCode::NOT_FOUND);
        // A route sqld does not serve is a 404 that says so, on a connection kept open.
        let missing = get("/v1/nope").await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(missing.headers().get("connection").is_none());
        assert!(missing.text().await.unwrap().contains("no such route"));
        let (status, _, text) = db.post("/health", "").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{text}");
        let (status, _, text) = db.post("/v3-protobuf/pipeline", "x").await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(text.contains("Protobuf"), "{text}");
        let upgrade = http()
            .get(&db.url)
            .header("upgrade", "websocket")
            .send()
            .await
            .unwrap();
        assert_eq!(upgrade.status(), StatusCode::NOT_IMPLEMENTED);

        // The v2 pipeline refuses what only v3 has.
        let (status, kind, text) = db
            .post("/v2/pipeline", r#"{"requests":[{"type":"get_autocommit"}]}"#)
            .await;
        assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "text/plain; charset=utf-8"));
        assert!(text.contains("hrana3"), "{text}");

        // A cursor: head, steps, terminator, one JSON value a line.
        let (status, kind, text) = db
            .post(
                "/v3/cursor",
                r#"{"baton":null,"batch":{"steps":[{"stmt":{"sql":"SELECT 1 AS one"}},{"stmt":{"sql":"SELEC"}}]}}"#,
            )
            .await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/plain"));
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines[1]["type"], "step_begin");
        assert_eq!(lines[1]["cols"][0]["name"], "one");
        assert_eq!(lines[2]["row"][0], json!({"type": "integer", "value": "1"}));
        assert_eq!(lines[3]["type"], "step_end");
        assert_eq!(lines[4]["type"], "step_error");
        assert_eq!(lines[5]["type"], "replication_index");
    })
    .await
}

#[tokio::test]
async fn streams_hold_transactions_across_requests_and_batons_cannot_be_forged() {
    bounded(LIMIT, async {
        let fake = start().await;
        let db = Db::of(&fake, "fake-db").await;
        let first = db
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql": "CREATE TABLE t (x)"}},
                {"type": "execute", "stmt": {"sql": "BEGIN"}},
                {"type": "execute", "stmt": {"sql": "INSERT INTO t VALUES (1)"}}]}))
            .await;
        let baton = first["baton"].as_str().expect("a baton: a transaction is open").to_owned();

        // Someone else sees nothing of the open transaction.
        assert_eq!(
            db.run("SELECT count(*) FROM t").await["response"]["result"]["rows"][0][0]["value"],
            "0"
        );
        // A forged baton (one byte off), and garbage, are refused and touch nothing.
        let mut forged = baton.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        for bad in [forged.as_str(), "garbage", ""] {
            let (status, _, text) = db
                .post(
                    "/v3/pipeline",
                    json!({"baton": bad, "requests": [{"type": "execute", "stmt": {"sql": "COMMIT"}}]})
                        .to_string(),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {text}");
            assert!(text.contains("invalid baton"), "{text}");
        }
        // The genuine one carries on, and is replaced by a new one.
        let second = db
            .pipeline(json!({"baton": baton, "requests": [
                {"type": "execute", "stmt": {"sql": "INSERT INTO t VALUES (2)"}},
                {"type": "get_autocommit"}]}))
            .await;
        assert_eq!(second["results"][1]["response"]["is_autocommit"], false);
        let next = second["baton"].as_str().unwrap().to_owned();
        assert_ne!(next, baton);
        // The replaced baton is refused.
        let (status, _, text) = db
            .post("/v3/pipeline", json!({"baton": baton, "requests": []}).to_string())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.contains("already been used"), "{text}");
        let done = db
            .pipeline(json!({"baton": next, "requests": [
                {"type": "execute", "stmt": {"sql": "COMMIT"}}, {"type": "close"}]}))
            .await;
        assert_eq!(done["baton"], Value::Null);
        assert_eq!(
            db.run("SELECT count(*) FROM t").await["response"]["result"]["rows"][0][0]["value"],
            "2"
        );
    })
    .await
}

#[tokio::test]
async fn hostile_requests_are_refused_cleanly_and_bounded() {
    bounded(Duration::from_secs(90), async {
        let fake = FakeTurso::builder()
            .statement_timeout(Duration::from_millis(300))
            .start()
            .await
            .unwrap();
        let db = Db::of(&fake, "fake-db").await;

        // More than 10 MiB of body.
        let (status, _, text) = db
            .post("/v3/pipeline", vec![b' '; 10 * 1024 * 1024 + 1])
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        // Deep JSON.
        let deep = format!("{{\"requests\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let (status, _, text) = db.post("/v3/pipeline", deep).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.contains("Cannot deserialize"), "{text}");
        // Garbage of every kind: a 4xx with a body, never a 5xx.
        for garbage in [
            "", "null", "[]", "{}", r#"{"requests":null}"#, r#"{"requests":[{"type":"nope"}]}"#,
            r#"{"requests":[{"type":"execute","stmt":{"sql":"SELECT ?","args":[{"type":"integer","value":1}]}}]}"#,
            r#"{"requests":[{"type":"batch","batch":{"steps":[{"condition":{"type":"not","cond":{"type":"ok","step":5}},"stmt":{"sql":"SELECT 1"}}]}}]}"#,
            "\u{0}\u{1}\u{2}",
        ] {
            let (status, _, text) = db.post("/v3/pipeline", garbage).await;
            assert!(status.is_client_error(), "{garbage:?}: {status} {text}");
            assert!(!text.is_empty(), "{garbage:?}");
        }

        // A runaway statement is interrupted, in-band; the request goes on.
        let started = std::time::Instant::now();
        let answer = db
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql":
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}},
                {"type": "execute", "stmt": {"sql": "SELECT 'after'"}},
                {"type": "close"}]}))
            .await;
        assert_eq!(answer["results"][0]["error"]["code"], "SQLITE_INTERRUPT", "{answer}");
        assert_eq!(answer["results"][1]["type"], "ok");
        assert!(started.elapsed() < Duration::from_secs(10));

        // A result larger than an answer may be is refused, in-band.
        let answer = db
            .run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000) SELECT randomblob(5000) FROM c")
            .await;
        assert_eq!(answer["error"]["code"], "RESPONSE_TOO_LARGE", "{answer}");

    })
    .await
}

/// Whatever its token, a client's SQL reaches no file of the host, no setting of the
/// process, and nothing of the next client of a pooled connection.
#[tokio::test]
async fn sql_reaches_no_file_no_process_setting_and_no_later_client() {
    bounded(Duration::from_secs(60), async {
        let fake = start().await;
        let client = admin(&fake);
        let db = Db::of(&fake, "fake-db").await;
        let dir = TempDir::new("sandbox");
        std::fs::create_dir_all(dir.path()).unwrap();
        let target = dir.path().join("out.db");
        for sql in [
            format!("VACUUM INTO '{}'", target.display()),
            format!("VACUUM main INTO 'file:{}'", target.display()),
            format!("VACUUM INTO '{}' || ''", target.display()),
            "PRAGMA hard_heap_limit = 20000".to_owned(),
            "PRAGMA temp_store_directory = '/tmp'".to_owned(),
        ] {
            let answer = db.run(&sql).await;
            assert_eq!(answer["error"]["code"], "SQLITE_AUTH", "{sql}: {answer}");
            assert!(!target.exists(), "{sql} wrote a file");
        }
        // Every database still serves (the heap limit would have been the process's).
        client
            .create_database("fake-org", &NewDatabase::new("victim", "default"))
            .await
            .unwrap();
        let victim = Db::of(&fake, "victim").await;
        assert_eq!(victim.run("SELECT 1").await["type"], "ok");

        // A temporary trigger or table made with a schema prefix stays with its
        // connection, which serves no later stream.
        for sql in [
            "CREATE TABLE accounts (owner TEXT)",
            "CREATE TRIGGER temp.evil AFTER INSERT ON main.accounts BEGIN \
             UPDATE accounts SET owner = 'mallory'; END",
            "CREATE TABLE temp.spoof AS SELECT 'spoofed' AS x",
        ] {
            assert_eq!(db.run(sql).await["type"], "ok", "{sql}");
        }
        client
            .invalidate_database_tokens("fake-org", "fake-db")
            .await
            .unwrap();
        let later = Db::of(&fake, "fake-db").await;
        for _ in 0..3 {
            let answer = later
                .pipeline(json!({"requests": [
                    {"type": "execute", "stmt": {"sql": "INSERT INTO accounts VALUES ('bob')"}},
                    {"type": "execute", "stmt": {"sql": "SELECT DISTINCT owner FROM accounts"}},
                    {"type": "execute", "stmt": {"sql": "SELECT x FROM spoof"}},
                    {"type": "close"}]}))
                .await;
            assert_eq!(
                answer["results"][1]["response"]["result"]["rows"][0][0]["value"], "bob",
                "{answer}"
            );
            assert_eq!(answer["results"][2]["type"], "error", "{answer}");
        }

        // Nor does a flag set by preparing a pragma (`EXPLAIN PRAGMA`, `describe`), with
        // which a hidden temporary trigger would outlive its connection's stream.
        let hide = json!({"requests": [
            {"type": "execute", "stmt": {"sql": "CREATE TRIGGER temp.hidden AFTER INSERT ON main.accounts \
                BEGIN UPDATE accounts SET owner = 'eve'; END"}},
            {"type": "execute", "stmt": {"sql": "EXPLAIN PRAGMA writable_schema = 1"}},
            {"type": "execute", "stmt": {"sql": "DELETE FROM temp.sqlite_schema"}},
            {"type": "execute", "stmt": {"sql": "EXPLAIN PRAGMA writable_schema = 0"}}]});
        let hidden = later.pipeline(hide).await;
        assert!(hidden["baton"].is_string(), "the stream is kept, not pooled: {hidden}");
        let flag = json!({"requests": [
            {"type": "describe", "sql": "PRAGMA ignore_check_constraints = 1"}]});
        assert!(later.pipeline(flag).await["baton"].is_string());
        let check = later
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql": "INSERT INTO accounts VALUES ('carol')"}},
                {"type": "execute", "stmt": {"sql": "SELECT count(*) FROM accounts WHERE owner = 'eve'"}},
                {"type": "close"}]}))
            .await;
        assert_eq!(check["results"][1]["response"]["result"]["rows"][0][0]["value"], "0", "{check}");
        // A read-only token may not set a flag that way at all.
        let reader = Db {
            url: later.url.clone(),
            token: jwt(&client, "fake-db", Authorization::ReadOnly).await,
        };
        for request in [
            json!({"type": "execute", "stmt": {"sql": "EXPLAIN PRAGMA foreign_keys = 0"}}),
            json!({"type": "describe", "sql": "PRAGMA query_only = 0"}),
        ] {
            let (status, _, text) = reader
                .post("/v3/pipeline", json!({"requests": [request]}).to_string())
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        }

        // A pragma hidden where SQLite sees a second statement (a TCL-style parameter
        // `$a(')` quotes nothing) sets nothing; `query_only` is the fake's own.
        let trick = "SELECT $a(') ; PRAGMA ignore_check_constraints = 1; SELECT '";
        let answer = later
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql": trick}},
                {"type": "execute", "stmt": {"sql": "PRAGMA ignore_check_constraints"}},
                {"type": "execute", "stmt": {"sql": "PRAGMA query_only = 1"}},
                {"type": "close"}]}))
            .await;
        assert_eq!(answer["results"][0]["type"], "error", "{answer}");
        assert_eq!(answer["results"][1]["response"]["result"]["rows"][0][0]["value"], "0", "{answer}");
        assert_eq!(answer["results"][2]["error"]["code"], "SQLITE_AUTH", "{answer}");

        // What SQLite skips or stops at hides nothing: a byte-order mark before ATTACH,
        // a NUL; and SQL that is only those is no statement, not a failure.
        for (sql, code) in [
            ("\u{feff}ATTACH '/tmp/x' || '' AS w", "SQL_PARSE_ERROR"),
            ("\u{feff}", "SQL_NO_STATEMENT"),
            ("\u{0}SELECT 1", "SQL_NO_STATEMENT"),
            ("-- x\n\u{feff}", "SQL_NO_STATEMENT"),
        ] {
            let answer = later.run(sql).await;
            assert_eq!(answer["error"]["code"], code, "{sql:?}: {answer}");
        }
        let (status, _, text) = later
            .post(
                "/v3/pipeline",
                json!({"requests": [{"type": "execute", "stmt": {"sql": "\u{feff}ATTACH ?1 AS w", "args": [{"type": "text", "value": "/tmp/x"}]}}]}).to_string(),
            )
            .await;
        assert!(status == StatusCode::FORBIDDEN || text.contains("SQL_PARSE_ERROR"), "{status} {text}");

        // An answer is weighed as its JSON: 2 million control characters are 12 MB.
        let answer = later
            .run("SELECT replace(printf('%.*c', 2000000, 'x'), 'x', char(1))")
            .await;
        assert_eq!(answer["error"]["code"], "RESPONSE_TOO_LARGE", "{answer}");
    })
    .await
}

/// One database's clients run at most 16 requests at once (each takes a thread while its
/// statements run or wait for a lock): past that, a request that gets no turn within the
/// idle timeout answers 503, and other databases are served meanwhile.
#[tokio::test]
async fn one_database_s_requests_take_at_most_their_share_of_threads() {
    bounded(Duration::from_secs(60), async {
        let fake = FakeTurso::builder()
            .idle_timeout(Duration::from_millis(300))
            .start()
            .await
            .unwrap();
        admin(&fake)
            .create_database("fake-org", &NewDatabase::new("other", "default"))
            .await
            .unwrap();
        let db = Db::of(&fake, "fake-db").await;
        let other = Db::of(&fake, "other").await;
        assert_eq!(db.run("CREATE TABLE t (x)").await["type"], "ok");
        // A stream holds the write lock (its baton is kept, its transaction open).
        let held = db
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql": "BEGIN IMMEDIATE"}}]}))
            .await;
        assert!(held["baton"].is_string(), "{held}");
        // 24 writers wait for the lock: 16 run (and wait in SQLite), 8 get no turn.
        let insert = json!({"requests": [
            {"type": "execute", "stmt": {"sql": "INSERT INTO t VALUES (1)"}},
            {"type": "close"}]})
        .to_string();
        let writers = futures_util::future::join_all(
            (0..24).map(|_| db.post("/v3/pipeline", insert.clone())),
        );
        let reader = async {
            // Meanwhile another database answers.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let started = std::time::Instant::now();
            assert_eq!(other.run("SELECT 1").await["type"], "ok");
            started.elapsed()
        };
        let (answers, read_in) = tokio::join!(writers, reader);
        assert!(read_in < Duration::from_secs(2), "{read_in:?}");
        let refused = answers
            .iter()
            .filter(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
            .count();
        assert_eq!(refused, 8, "{answers:?}");
        let (_, _, text) = answers
            .iter()
            .find(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
            .unwrap();
        assert!(text.contains("runs 16 requests"), "{text}");
    })
    .await
}

/// The limits BEHAVIOUR.md gives, and a database's life: values of 16 MiB, SQL of 1 MiB,
/// 50 stored SQL texts of 5 KB; an autocommit stream closed after its request; a deleted
/// database's port answering 404; the private directory gone when the fake stops.
#[tokio::test]
async fn limits_and_a_database_s_life_are_as_documented() {
    bounded(LIMIT, async {
        let fake = start().await;
        let db = Db::of(&fake, "fake-db").await;
        let mib = 1024 * 1024;
        let value = |n: usize| format!("SELECT length(zeroblob({n}))");
        assert_eq!(db.run(&value(16 * mib)).await["type"], "ok");
        assert_eq!(db.run(&value(16 * mib + 1)).await["error"]["code"], "SQLITE_TOOBIG");
        let long_sql = |n: usize| format!("SELECT '{}'", "x".repeat(n - 9));
        assert_eq!(db.run(&long_sql(mib)).await["type"], "ok");
        assert_eq!(db.run(&long_sql(mib + 1)).await["type"], "error");

        // Stored SQL: 50 texts of 5,000 bytes a stream.
        let store = |id: usize, bytes: usize| {
            json!({"type": "store_sql", "sql_id": id, "sql": format!("SELECT '{}'", "x".repeat(bytes - 9))})
        };
        let fifty: Vec<Value> = (0..50).map(|id| store(id, 5_000)).collect();
        let answer = db.pipeline(json!({"requests": fifty})).await;
        assert!(answer["results"].as_array().unwrap().iter().all(|r| r["type"] == "ok"), "{answer}");
        let baton = answer["baton"].as_str().unwrap().to_owned();
        let answer = db
            .pipeline(json!({"baton": baton, "requests": [store(50, 10), {"type": "close"}]}))
            .await;
        assert_eq!(answer["results"][0]["type"], "error", "{answer}");
        let answer = db
            .pipeline(json!({"requests": [store(0, 5_001), {"type": "close"}]}))
            .await;
        assert_eq!(answer["results"][0]["type"], "error", "{answer}");

        // A stream left in autocommit, with nothing of its own, is closed after its
        // request: its baton is null.
        let answer = db
            .pipeline(json!({"requests": [{"type": "execute", "stmt": {"sql": "SELECT 1"}}]}))
            .await;
        assert!(answer["baton"].is_null(), "{answer}");

        // The private directory holds the database's file, and goes when the fake stops.
        let files = db.run("PRAGMA database_list").await;
        let file = files["response"]["result"]["rows"][0][2]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        let dir = std::path::Path::new(&file).parent().unwrap().to_owned();
        assert!(dir.is_dir(), "{file}");

        // A deleted database's port answers 404.
        admin(&fake).delete_database("fake-org", "fake-db").await.unwrap();
        let (status, _, text) = db.post("/v3/pipeline", r#"{"requests":[]}"#).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
        assert!(!std::path::Path::new(&file).exists());
        drop(fake);
        assert!(!dir.exists(), "{} is left", dir.display());
    })
    .await
}

#[tokio::test]
async fn a_database_is_missing_until_ready_and_refused_while_archived() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        fake.set_readiness_lag(Duration::from_secs(3600));
        client
            .create_database("fake-org", &NewDatabase::new("slow", "default"))
            .await
            .unwrap();
        let db = Db::of(&fake, "slow").await;
        let (status, _, text) = db.post("/v3/pipeline", r#"{"requests":[]}"#).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
        assert!(text.contains("Namespace `slow` doesn't exist"), "{text}");

        let seeded = Db::of(&fake, "fake-db").await;
        fake.archive_group("fake-org", "default").unwrap();
        let (status, _, text) = seeded.post("/v3/pipeline", r#"{"requests":[]}"#).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        assert!(text.contains("archived"), "{text}");
        client.unarchive_group("fake-org", "default").await.unwrap();
        assert_eq!(seeded.run("SELECT 1").await["type"], "ok");
    })
    .await
}

#[tokio::test]
async fn attach_reads_another_database_only_when_both_allow_it() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .create_database("fake-org", &NewDatabase::new("shared", "default"))
            .await
            .unwrap();
        let shared = Db::of(&fake, "shared").await;
        shared.run("CREATE TABLE s (x)").await;
        shared.run("INSERT INTO s VALUES (42)").await;
        let attach = json!({"requests": [
            {"type": "execute", "stmt": {"sql": "ATTACH shared AS other"}},
            {"type": "execute", "stmt": {"sql": "SELECT x FROM other.s"}},
            {"type": "close"}]});

        // Without the permission: 403, before anything runs.
        let plain = Db::of(&fake, "fake-db").await;
        let (status, _, text) = plain.post("/v3/pipeline", attach.to_string()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");

        // With it, but the database does not allow attach: 403.
        let options = TokenOptions::new().read_attach(["shared"]);
        let token = client
            .create_database_token("fake-org", "fake-db", &options)
            .await
            .unwrap();
        let allowed = Db {
            url: plain.url.clone(),
            token: token.jwt.expose_secret().to_owned(),
        };
        let (status, _, text) = allowed.post("/v3/pipeline", attach.to_string()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        assert!(text.contains("allow attach"), "{text}");

        let config = turso_platform::DatabaseConfigurationInput::default().with_allow_attach(true);
        client
            .update_database_configuration("fake-org", "shared", &config)
            .await
            .unwrap();
        let answer = allowed.pipeline(attach.clone()).await;
        assert_eq!(
            answer["results"][1]["response"]["result"]["rows"][0][0]["value"], "42",
            "{answer}"
        );
        // Attached read-only.
        let write = allowed
            .pipeline(json!({"requests": [
                {"type": "execute", "stmt": {"sql": "ATTACH shared AS other"}},
                {"type": "execute", "stmt": {"sql": "INSERT INTO other.s VALUES (1)"}},
                {"type": "close"}]}))
            .await;
        assert_eq!(write["results"][1]["type"], "error", "{write}");

        // A read-only token attaches as well: sqld asks only for the attach permission.
        let options = TokenOptions::new()
            .read_attach(["shared"])
            .authorization(Authorization::ReadOnly);
        let token = client
            .create_database_token("fake-org", "fake-db", &options)
            .await
            .unwrap();
        let reader = Db {
            url: plain.url.clone(),
            token: token.jwt.expose_secret().to_owned(),
        };
        let answer = reader.pipeline(attach.clone()).await;
        assert_eq!(
            answer["results"][1]["response"]["result"]["rows"][0][0]["value"], "42",
            "{answer}"
        );
    })
    .await
}

#[tokio::test]
async fn data_survives_a_restart_and_a_reset_empties_the_seed_s_databases() {
    bounded(LIMIT, async {
        let dir = TempDir::new("data");
        let fake = FakeTurso::builder()
            .state_dir(dir.path())
            .start()
            .await
            .unwrap();
        let db = Db::of(&fake, "fake-db").await;
        db.run("CREATE TABLE t (x)").await;
        db.run("INSERT INTO t VALUES ('kept')").await;
        let url = db.url.clone();
        drop(fake);

        let fake = FakeTurso::builder()
            .state_dir(dir.path())
            .start()
            .await
            .unwrap();
        let again = Db::of(&fake, "fake-db").await;
        assert_eq!(again.url, url, "the same port, where free");
        assert_eq!(
            again.run("SELECT x FROM t").await["response"]["result"]["rows"][0][0]["value"],
            "kept"
        );
        // The token minted before the restart still works (the key was kept).
        let old = Db {
            url: again.url.clone(),
            token: db.token.clone(),
        };
        assert_eq!(old.run("SELECT 1").await["type"], "ok");

        fake.reset().unwrap();
        let after = Db::of(&fake, "fake-db").await;
        assert_eq!(after.url, url, "the seed's database keeps its URL");
        assert_eq!(
            after.run("SELECT x FROM t").await["type"],
            "error",
            "emptied"
        );
    })
    .await
}

/// What unfinished uploads hold is bounded: a chunk whose body does not come is answered
/// at the idle timeout; an upload that receives nothing for that long is dropped; all
/// uploads in progress hold at most 512 MiB between them.
#[tokio::test]
async fn unfinished_uploads_are_bounded() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    bounded(LIMIT, async {
        // Long enough that the three starts below come within it on a loaded machine.
        let idle = Duration::from_secs(2);
        let fake = FakeTurso::builder()
            .idle_timeout(idle)
            .start()
            .await
            .unwrap();
        let client = admin(&fake);
        let mut dbs = Vec::new();
        for name in ["up-1", "up-2", "up-3"] {
            client
                .create_database("fake-org", &NewDatabase::new(name, "default").for_upload())
                .await
                .unwrap();
            dbs.push(Db::of(&fake, name).await);
        }
        let start = |db: &Db| {
            http()
                .put(format!("{}/v2/upload/start", db.url))
                .bearer_auth(&db.token)
                .body(json!({"db_size_bytes": 256 * 1024 * 1024}).to_string())
                .send()
        };
        let first = start(&dbs[0]).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let first: Value = first.json().await.unwrap();
        let id = first["upload_id"].as_str().unwrap().to_owned();
        assert_eq!(start(&dbs[1]).await.unwrap().status(), StatusCode::OK);
        let refused = start(&dbs[2]).await.unwrap();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("uploads in progress")
        );

        // A chunk that announces 1,000 bytes and sends none is answered at the idle
        // timeout, not held.
        let host = dbs[0].url.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
        let head = format!(
            "PUT /v2/upload/{id}/chunk/0 HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {}\r\n\
             content-length: 1000\r\n\r\n",
            dbs[0].token
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let n = stream.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
        assert!(answer.contains("did not arrive"), "{answer}");

        // Untouched for the idle timeout, the two uploads are dropped and give their room
        // back: a new one starts.
        loop {
            let again = start(&dbs[2]).await.unwrap();
            if again.status() == StatusCode::OK {
                break;
            }
            assert_eq!(again.status(), StatusCode::SERVICE_UNAVAILABLE);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let gone = http()
            .put(format!("{}/v2/upload/{id}/chunk/0", dbs[0].url))
            .bearer_auth(&dbs[0].token)
            .body(vec![0u8; 16])
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "the dropped upload");
    })
    .await
}

#[tokio::test]
async fn uploads_and_dumps_fill_new_databases() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);

        // An upload, as Turso's CLI sends it.
        let file = TempDir::new("upload");
        std::fs::create_dir_all(file.path()).unwrap();
        let path = file.path().join("source.db");
        let source = rusqlite::Connection::open(&path).unwrap();
        source
            .execute_batch("CREATE TABLE u (x); INSERT INTO u VALUES ('uploaded')")
            .unwrap();
        drop(source);
        let bytes = std::fs::read(&path).unwrap();
        client
            .create_database(
                "fake-org",
                &NewDatabase::new("imported", "default").for_upload(),
            )
            .await
            .unwrap();
        let db = Db::of(&fake, "imported").await;
        let put = |path: String, body: Vec<u8>| {
            http()
                .put(format!("{}{path}", db.url))
                .bearer_auth(&db.token)
                .body(body)
                .send()
        };
        let start: Value = put(
            "/v2/upload/start".into(),
            json!({"db_size_bytes": bytes.len()})
                .to_string()
                .into_bytes(),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let id = start["upload_id"].as_str().unwrap();
        let chunk = start["chunk_size"].as_u64().unwrap() as usize;
        for (n, part) in bytes.chunks(chunk).enumerate() {
            let sent = put(format!("/v2/upload/{id}/chunk/{n}"), part.to_vec())
                .await
                .unwrap();
            assert_eq!(sent.status(), StatusCode::OK);
        }
        let done = put(format!("/v2/upload/{id}/finalize"), Vec::new())
            .await
            .unwrap();
        assert_eq!(
            done.status(),
            StatusCode::OK,
            "{}",
            done.text().await.unwrap()
        );
        assert_eq!(
            db.run("SELECT x FROM u").await["response"]["result"]["rows"][0][0]["value"],
            "uploaded"
        );
        // A file that is no SQLite database is refused.
        let start: Value = put(
            "/v2/upload/start".into(),
            json!({"db_size_bytes": 5}).to_string().into_bytes(),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let id = start["upload_id"].as_str().unwrap();
        put(format!("/v2/upload/{id}/chunk/0"), b"hello".to_vec())
            .await
            .unwrap();
        let refused = put(format!("/v2/upload/{id}/finalize"), Vec::new())
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

        // A dump, uploaded as Turso's CLI uploads one.
        let url = crate::common::upload_dump(
            &fake,
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE d (x);\n\
             INSERT INTO d VALUES ('dumped');\nCOMMIT;\n",
        )
        .await;
        client
            .create_database(
                "fake-org",
                &NewDatabase::new("restored", "default").from_dump(&url),
            )
            .await
            .unwrap();
        let db = Db::of(&fake, "restored").await;
        assert_eq!(
            db.run("SELECT x FROM d").await["response"]["result"]["rows"][0][0]["value"],
            "dumped"
        );
        // A dump that does not load refuses the create: nothing is made.
        let url = crate::common::upload_dump(&fake, "INSERT INTO nope VALUES (1);").await;
        let err = client
            .create_database(
                "fake-org",
                &NewDatabase::new("broken", "default").from_dump(&url),
            )
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
        assert!(client.get_database("fake-org", "broken").await.is_err());
    })
    .await
}
