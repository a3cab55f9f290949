//! What SQL from a client may not do, whatever its token: reach a file of the host or
//! change a setting of the whole process. SQLite asks [`install`]'s authorizer as it
//! prepares each statement (`sqlite3_set_authorizer`), on every connection that runs a
//! client's SQL: the data plane's and a dump's.
//!
//! - `ATTACH` of a file by name is refused, and with it `VACUUM INTO 'path'` (which
//!   attaches its target): a client's `ATTACH <database> AS <alias>` never reaches SQLite
//!   as written, the data plane runs it as `ATTACH ?1`, bound to the file of a database
//!   the token may attach ([`Attaching::Bound`]); a dump attaches nothing
//!   ([`Attaching::Never`]). `ATTACH ''` (a private temporary database, what a plain
//!   `VACUUM` makes) stays allowed.
//! - Pragmas that set the whole process's SQLite (`hard_heap_limit`, `soft_heap_limit`,
//!   `temp_store_directory`, `data_store_directory`) are refused, read or set: one
//!   database's client could otherwise stop every other database's SQL, or move their
//!   temporary files.
//!
//! A refused statement fails as SQLite says: `SQLITE_AUTH`, "not authorized".

use rusqlite::Connection;
use rusqlite::ffi;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

/// Pragmas whose setting is the process's, not the connection's.
const PROCESS_WIDE: [&str; 4] = [
    "hard_heap_limit",
    "soft_heap_limit",
    "temp_store_directory",
    "data_store_directory",
];

/// Which `ATTACH` a connection may run besides `ATTACH ''`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attaching {
    /// The data plane's own `ATTACH ?1 AS alias`, whose file is a bound parameter
    /// (SQLite then names no file to the authorizer).
    Bound,
    /// None: a dump attaches nothing.
    Never,
}

/// Puts the sandbox's authorizer on `conn`, replacing any other.
pub(crate) fn install(conn: &Connection, attaching: Attaching) {
    conn.authorizer(Some(move |context: AuthContext<'_>| {
        if allowed(&context.action, attaching) {
            Authorization::Allow
        } else {
            Authorization::Deny
        }
    }));
}

fn allowed(action: &AuthAction<'_>, attaching: Attaching) -> bool {
    match *action {
        AuthAction::Attach { filename } => filename.is_empty(),
        AuthAction::Unknown {
            code: ffi::SQLITE_ATTACH,
            arg1: None,
            ..
        } => attaching == Attaching::Bound,
        AuthAction::Pragma { pragma_name, .. } => !PROCESS_WIDE
            .iter()
            .any(|name| name.eq_ignore_ascii_case(pragma_name)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandboxed(attaching: Attaching) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        install(&conn, attaching);
        conn
    }

    fn refused(conn: &Connection, sql: &str) -> bool {
        match conn.execute_batch(sql) {
            Err(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::AuthorizationForStatementDenied
            }
            Err(other) => panic!("{sql}: {other}"),
            Ok(()) => false,
        }
    }

    #[test]
    fn no_file_of_the_host_is_attached_or_written() {
        let dir = std::env::temp_dir().join(format!("sandbox-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.db");
        let path = target.display().to_string();
        for attaching in [Attaching::Bound, Attaching::Never] {
            let conn = sandboxed(attaching);
            conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES ('row');")
                .unwrap();
            for sql in [
                format!("ATTACH '{path}' AS x"),
                format!("ATTACH 'file:{path}?mode=rwc' AS x"),
                format!("VACUUM INTO '{path}'"),
                format!("VACUUM main INTO 'file:{path}'"),
                "ATTACH ':memory:' AS x".to_owned(),
            ] {
                assert!(refused(&conn, &sql), "{attaching:?}: {sql}");
                assert!(!target.exists(), "{attaching:?}: {sql} wrote {path}");
            }
            // A plain VACUUM (a private temporary copy) and `ATTACH ''` still work.
            conn.execute_batch("VACUUM; ATTACH '' AS scratch; DETACH scratch;")
                .unwrap();
            // A file named by an expression is the data plane's own bound form, which a
            // client's SQL never reaches as written (exec.rs rewrites every `ATTACH`).
            let expression = format!("ATTACH DATABASE '{path}' || '' AS x");
            assert_eq!(refused(&conn, &expression), attaching == Attaching::Never);
            conn.execute_batch("DETACH x").ok();
            std::fs::remove_file(&target).ok();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bound_attach_is_the_data_plane_s_only() {
        let other = Connection::open_in_memory().unwrap();
        drop(other);
        let conn = sandboxed(Attaching::Bound);
        conn.execute("ATTACH ?1 AS other", ["file:sandbox-bound?mode=memory"])
            .unwrap();
        let conn = sandboxed(Attaching::Never);
        assert!(matches!(
            conn.execute("ATTACH ?1 AS other", ["file:sandbox-bound?mode=memory"]),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::AuthorizationForStatementDenied
        ));
    }

    #[test]
    fn process_wide_pragmas_are_refused_read_or_set() {
        let conn = sandboxed(Attaching::Bound);
        for pragma in PROCESS_WIDE {
            for sql in [
                format!("PRAGMA {pragma}"),
                format!("PRAGMA {} = 20000", pragma.to_uppercase()),
                format!("PRAGMA main.{pragma}('/tmp')"),
            ] {
                assert!(refused(&conn, &sql), "{sql}");
            }
        }
        // The connection's own settings stay the client's.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000;")
            .unwrap();
        // Another connection can still allocate: nothing was set for the process.
        let other = sandboxed(Attaching::Bound);
        other
            .execute_batch("CREATE TABLE t(x); INSERT INTO t SELECT zeroblob(100000);")
            .unwrap();
    }
}
