//! Loading a SQL dump (what Turso's CLI makes with `.dump`, and uploads for
//! `db create --from-dump`): read from this machine only (a `file://` URL, a dump
//! uploaded to the fake, or an `http://` URL on loopback), at most
//! [`MAX_DUMP`](crate::model::MAX_DUMP) bytes, run in a private in-memory database
//! within a time limit, so that a dump that does not load leaves nothing behind.

use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::app::App;
use crate::http::answer::ApiError;
use crate::model::MAX_DUMP;

/// How long a dump may take to load.
const LOAD_TIME_LIMIT: Duration = Duration::from_secs(30);

fn refused(why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("the dump could not be loaded: {why}"))
}

/// The text of the dump at `url` (already checked to be on this machine).
pub(crate) async fn fetch(app: &App, url: &str) -> Result<String, ApiError> {
    let bytes = if let Some(path) = url.strip_prefix("file://") {
        let len = tokio::fs::metadata(path).await.map_err(refused)?.len();
        if len > MAX_DUMP as u64 {
            return Err(refused(format!("it is larger than {MAX_DUMP} bytes")));
        }
        tokio::fs::read(path).await.map_err(refused)?
    } else if let Some(dump) = own_dump(app, url) {
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

/// Runs `sql` on `conn` within the load's time limit.
pub(crate) fn run(conn: &Connection, sql: &str) -> Result<(), ApiError> {
    let deadline = Instant::now() + LOAD_TIME_LIMIT;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline));
    let result = conn.execute_batch(sql);
    conn.progress_handler(0, None::<fn() -> bool>);
    result.map_err(refused)
}

/// A private in-memory database with the dump `sql` loaded.
pub(crate) fn image(sql: &str) -> Result<Connection, ApiError> {
    let conn = Connection::open_in_memory().map_err(refused)?;
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
            err.message().contains("no such table: nope"),
            "{}",
            err.message()
        );
    }
}
