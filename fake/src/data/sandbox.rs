//! What SQL from a client may not do, whatever its token: reach a file of the host or
//! change a setting of the whole process. SQLite asks [`install`]'s authorizer as it
//! prepares each statement (`sqlite3_set_authorizer`), on every connection that runs a
//! client's SQL: the data plane's and a dump's.
//!
//! - `ATTACH` of a file by name is refused, and with it `VACUUM INTO 'path'` (which
//!   attaches its target): a client's `ATTACH <database> AS <alias>` never reaches SQLite
//!   as written, the data plane runs it as `ATTACH ?1`, bound to the file of a database
//!   the token may attach, and only that statement, while it runs, may attach a file
//!   SQLite cannot name ([`Attaching::Bound`] and [`OwnAttach::allow`]): whatever a
//!   client's SQL gets past the classifier, it attaches nothing. A dump attaches nothing
//!   ([`Attaching::Never`]). `ATTACH ''` (a private temporary database, what a plain
//!   `VACUUM` makes) stays allowed.
//! - Pragmas that set the whole process's SQLite (`hard_heap_limit`, `soft_heap_limit`,
//!   `temp_store_directory`, `data_store_directory`) are refused, read or set: one
//!   database's client could otherwise stop every other database's SQL, or move their
//!   temporary files. So is setting `temp_store` (temporary tables stay in files, where
//!   the compile-time default puts them: in memory, one client could fill the process's).
//!
//! A refused statement fails as SQLite says: `SQLITE_AUTH`, "not authorized".

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
#[derive(Clone, Debug)]
pub(crate) enum Attaching {
    /// The data plane's own `ATTACH ?1 AS alias`, whose file is a bound parameter (SQLite
    /// then names no file to the authorizer), while [`OwnAttach::allow`]'s guard is held.
    Bound(OwnAttach),
    /// None: a dump attaches nothing.
    Never,
}

/// The data plane's own `ATTACH` of a connection, allowed only while it runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct OwnAttach(Arc<AtomicBool>);

impl OwnAttach {
    /// Allows the connection's own `ATTACH ?1 AS alias` until the guard is dropped: hold
    /// it while that statement is prepared and run.
    pub(crate) fn allow(&self) -> Allowed<'_> {
        self.0.store(true, Ordering::SeqCst);
        Allowed(&self.0)
    }
}

/// While it lives, the connection's own `ATTACH` may run.
pub(crate) struct Allowed<'a>(&'a AtomicBool);

impl Drop for Allowed<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Puts the sandbox's authorizer on `conn`, replacing any other.
pub(crate) fn install(conn: &Connection, attaching: Attaching) {
    conn.authorizer(Some(move |context: AuthContext<'_>| {
        if allowed(&context.action, &attaching) {
            Authorization::Allow
        } else {
            Authorization::Deny
        }
    }));
}

fn allowed(action: &AuthAction<'_>, attaching: &Attaching) -> bool {
    match *action {
        AuthAction::Attach { filename } => filename.is_empty(),
        AuthAction::Unknown {
            code: ffi::SQLITE_ATTACH,
            arg1: None,
            ..
        } => match attaching {
            Attaching::Bound(own) => own.0.load(Ordering::SeqCst),
            Attaching::Never => false,
        },
        // Temporary tables stay in files: in memory, one client could fill the process's.
        AuthAction::Pragma {
            pragma_name,
            pragma_value: Some(_),
        } if pragma_name.eq_ignore_ascii_case("temp_store") => false,
        AuthAction::Pragma { pragma_name, .. } => !PROCESS_WIDE
            .iter()
            .any(|name| name.eq_ignore_ascii_case(pragma_name)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandboxed(attaching: &Attaching) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        install(&conn, attaching.clone());
        conn
    }

    fn bound() -> Attaching {
        Attaching::Bound(OwnAttach::default())
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
        for attaching in [bound(), Attaching::Never] {
            let conn = sandboxed(&attaching);
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
            // A file named by an expression, or by a parameter: the data plane's own
            // form, refused unless its guard is held.
            let expression = format!("ATTACH DATABASE '{path}' || '' AS x");
            assert!(refused(&conn, &expression), "{attaching:?}");
            assert!(!target.exists());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bound_attach_runs_only_while_its_guard_is_held() {
        let own = OwnAttach::default();
        let conn = sandboxed(&Attaching::Bound(own.clone()));
        let attach = |conn: &Connection| {
            conn.execute("ATTACH ?1 AS other", ["file:sandbox-bound?mode=memory"])
        };
        let denied = |result: rusqlite::Result<usize>| {
            matches!(result, Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::AuthorizationForStatementDenied)
        };
        assert!(denied(attach(&conn)), "without the guard");
        {
            let _allowed = own.allow();
            attach(&conn).unwrap();
        }
        conn.execute_batch("DETACH other").unwrap();
        assert!(denied(attach(&conn)), "after the guard");
        let conn = sandboxed(&Attaching::Never);
        let _allowed = own.allow();
        assert!(denied(attach(&conn)), "a dump's connection");
    }

    #[test]
    fn process_wide_pragmas_are_refused_read_or_set() {
        let conn = sandboxed(&bound());
        for pragma in PROCESS_WIDE {
            for sql in [
                format!("PRAGMA {pragma}"),
                format!("PRAGMA {} = 20000", pragma.to_uppercase()),
                format!("PRAGMA main.{pragma}('/tmp')"),
            ] {
                assert!(refused(&conn, &sql), "{sql}");
            }
        }
        // The connection's own settings stay the client's, but where temporary tables
        // live.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000;")
            .unwrap();
        assert!(refused(&conn, "PRAGMA temp_store = MEMORY"));
        conn.execute_batch("PRAGMA temp_store").unwrap();
        // Another connection can still allocate: nothing was set for the process.
        let other = sandboxed(&bound());
        other
            .execute_batch("CREATE TABLE t(x); INSERT INTO t SELECT zeroblob(100000);")
            .unwrap();
    }
}
