//! Loading a SQL dump (what Turso's CLI makes with `.dump`, and uploads for
//! `db create --from-dump`): a dump uploaded to the fake, or one at an `http://` URL on
//! loopback (never a file of the host: the fake may run as another user than its
//! clients), at most [`MAX_DUMP`](crate::model::MAX_DUMP) bytes, run in a private
//! in-memory database within a time limit and in the [`sandbox`] (a dump attaches
//! nothing), so that a dump that does not load leaves nothing behind. Why a dump does not
//! load is SQLite's reason, without the dump's text: a dump read from a URL may be
//! another service's answer, which the caller has no right to read.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::limits::Limit;

use super::sandbox::{self, Runs};
use crate::app::App;
use crate::http::answer::ApiError;
use crate::model::MAX_DUMP;

/// The largest database a dump may make, in bytes (an upload's bound).
const MAX_IMAGE: u64 = super::upload::MAX_UPLOAD;

/// How long a dump may take to load.
const LOAD_TIME_LIMIT: Duration = Duration::from_secs(30);

fn refused(why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("the dump could not be loaded: {why}"))
}

/// Why a dump's statement `n` (counted from 1), at byte `at`, failed: SQLite's code,
/// never its message, which quotes the dump (a dump read from a URL may be another
/// service's answer, which the caller has no right to read).
fn statement_refused(n: usize, at: usize, error: &rusqlite::Error) -> ApiError {
    let code = match error {
        rusqlite::Error::SqlInputError { .. } => "SQL_INPUT_ERROR (a syntax error)",
        rusqlite::Error::SqliteFailure(failure, _) => super::exec::sqlite_code(failure.code),
        _ => "SQLITE_ERROR",
    };
    refused(format!("its statement {n} (at byte {at}) failed: {code}"))
}

/// The text of the dump at `url` (already checked to be on loopback).
pub(crate) async fn fetch(app: &App, url: &str) -> Result<String, ApiError> {
    let bytes = if let Some(dump) = own_dump(app, url) {
        dump
    } else {
        download(url, app.idle_timeout()).await?
    };
    String::from_utf8(bytes).map_err(|_| refused("it is not UTF-8 text"))
}

/// A dump uploaded to this fake, if `url` names one (`…/v1/dumps/{id}`).
fn own_dump(app: &App, url: &str) -> Option<Vec<u8>> {
    let id = url.split_once("/v1/dumps/")?.1;
    app.state().dump(id).map(|dump| dump.to_vec())
}

/// Downloads a dump from a loopback URL, within `timeout`, at most `MAX_DUMP` bytes.
async fn download(url: &str, timeout: Duration) -> Result<Vec<u8>, ApiError> {
    use turso_platform::reqwest;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(refused)?;
    let mut answer = client.get(url).send().await.map_err(refused)?;
    if !answer.status().is_success() {
        return Err(refused(format!("{url} answered {}", answer.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(refused)? {
        if body.len() + chunk.len() > MAX_DUMP {
            return Err(refused(format!("it is larger than {MAX_DUMP} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Runs `sql` on `conn` within the load's time limit, in the sandbox for dumps (left on
/// `conn`: a connection that loaded a dump serves nothing else).
pub(crate) fn run(conn: &Connection, sql: &str) -> Result<(), ApiError> {
    sandbox::install(conn, Runs::Dump);
    let deadline = Instant::now() + LOAD_TIME_LIMIT;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline));
    // Statement by statement (as SQLite would split them), to say which failed.
    let mut result = Ok(());
    for (n, statement) in super::sql::statements(sql).into_iter().enumerate() {
        if let Err(e) = conn.execute_batch(statement) {
            let at = statement.as_ptr() as usize - sql.as_ptr() as usize;
            result = Err(statement_refused(n + 1, at, &e));
            break;
        }
    }
    conn.progress_handler(0, None::<fn() -> bool>);
    result
}

/// A private in-memory database with the dump `sql` loaded.
pub(crate) fn image(sql: &str) -> Result<Connection, ApiError> {
    let conn = Connection::open_in_memory().map_err(refused)?;
    // A value as large as the data plane's, not SQLite's default gigabyte.
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, super::storage::MAX_VALUE)
        .map_err(refused)?;
    // In memory: a few bytes of SQL can make gigabytes (`zeroblob`), so the image is
    // bounded (SQLITE_FULL past it), as an upload is.
    let pages = MAX_IMAGE
        / conn
            .query_row("PRAGMA page_size", [], |row| row.get::<_, u64>(0))
            .map_err(refused)?
            .max(512);
    conn.pragma_update(None, "max_page_count", pages)
        .map_err(refused)?;
    run(&conn, sql)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_loads_or_says_why_not() {
        let conn = image(
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (x);\n\
             INSERT INTO t VALUES (1);\nCOMMIT;",
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let err = image("CREATE TABLE t (x); INSERT INTO nope VALUES (1);").unwrap_err();
        assert!(
            err.message().contains("statement 2 (at byte 20)") && !err.message().contains("nope"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn a_dump_s_values_are_bounded_as_the_data_plane_s() {
        let err = image("CREATE TABLE t AS SELECT randomblob(500000000) AS b;").unwrap_err();
        assert!(err.message().contains("SQLITE_TOOBIG"), "{}", err.message());
    }

    #[test]
    fn a_dump_makes_no_more_than_its_bound() {
        let err = image(
            "CREATE TABLE t AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n \
             LIMIT 40) SELECT zeroblob(16000000) || x AS b FROM n;",
        )
        .unwrap_err();
        assert!(err.message().contains("SQLITE_FULL"), "{}", err.message());
    }

    #[test]
    fn a_dump_that_does_not_load_is_not_quoted_back() {
        let secret = "root:$6$salt$hash:20228:0:99999:7:::";
        for text in [
            format!("{secret}\ndaemon:*:20228:0:99999:7:::"),
            format!("CREATE TABLE t (x); INSERT INTO t VALUES ('{secret}') garbage;"),
            format!("'{secret}"),
        ] {
            let err = image(&text).unwrap_err();
            assert!(!err.message().contains("20228"), "{}", err.message());
            assert!(!err.message().contains("root"), "{}", err.message());
            assert!(err.message().contains("syntax error"), "{}", err.message());
        }
    }

    #[test]
    fn a_dump_reaches_no_file_and_no_other_database() {
        let dir = std::env::temp_dir().join(format!("dump-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let other = dir.join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE secret (x); INSERT INTO secret VALUES ('s3cr3t');")
            .unwrap();
        let written = dir.join("written.db");
        for sql in [
            format!(
                "ATTACH '{}' AS v; CREATE TABLE stolen AS SELECT * FROM v.secret;",
                other.display()
            ),
            format!("ATTACH 'file:{}?mode=ro' AS v;", other.display()),
            format!("ATTACH '{}' || '' AS v;", other.display()),
            format!("ATTACH '{}' AS w; CREATE TABLE w.x (y);", written.display()),
            format!("CREATE TABLE t (x); VACUUM INTO '{}';", written.display()),
            "PRAGMA hard_heap_limit = 20000;".to_owned(),
            "PRAGMA max_page_count = 1000000000;".to_owned(),
        ] {
            let err = image(&sql).unwrap_err();
            assert!(
                err.message().contains("SQLITE_AUTH"),
                "{sql}: {}",
                err.message()
            );
            assert!(!written.exists(), "{sql}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
