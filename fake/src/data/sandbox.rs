//! What SQL from a client may not do, whatever its token: reach a file of the host,
//! change a setting of the whole process, or set anything it was not checked for. SQLite
//! asks [`install`]'s authorizer as it prepares each statement
//! (`sqlite3_set_authorizer`), on every connection that runs a client's SQL: the data
//! plane's and a dump's. The data plane's classifier decides what a request may do; the
//! authorizer makes sure SQLite does no more, whatever SQL gets past the classifier (a
//! second statement SQLite sees where the classifier saw one, say, which rusqlite
//! prepares to tell that there is one).
//!
//! - `ATTACH` of a file by name is refused, and with it `VACUUM INTO 'path'` (which
//!   attaches its target): a client's `ATTACH <database> AS <alias>` never reaches SQLite
//!   as written, the data plane runs it as `ATTACH ?1`, bound to the file of a database
//!   the token may attach, and only that statement, while it runs, may attach a file
//!   SQLite cannot name ([`Permit::attach`]). A dump attaches nothing. `ATTACH ''` (a
//!   private temporary database, what a plain `VACUUM` makes) stays allowed.
//! - On the data plane, a pragma that sets something runs only as the statement the
//!   classifier read ([`Permit::pragma`], for that pragma's name): a hidden one is
//!   refused. The fake's own settings ([`client_may_set`]: `query_only`, with which it
//!   holds read-only tokens, and the knobs below) are granted to no client.
//! - Pragmas that set the whole process's SQLite (`hard_heap_limit`, `soft_heap_limit`,
//!   `temp_store_directory`, `data_store_directory`) are refused, read or set: one
//!   database's client could otherwise stop every other database's SQL, or move their
//!   temporary files. So is setting the memory a connection takes, how large its database
//!   may grow and how it is journaled (`temp_store`, `cache_size`, `cache_spill`,
//!   `mmap_size`, `max_page_count`, `page_size`, `journal_mode`: temporary tables stay in
//!   files, caches at the fake's size, journals in WAL files, a dump's in-memory image
//!   within its bound), by any client's SQL or dump.
//!
//! A refused statement fails as SQLite says: `SQLITE_AUTH`, "not authorized".

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use rusqlite::ffi;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

use super::sql;

/// Pragmas whose setting is the process's, not the connection's.
const PROCESS_WIDE: [&str; 4] = [
    "hard_heap_limit",
    "soft_heap_limit",
    "temp_store_directory",
    "data_store_directory",
];

/// Pragmas that set how much memory a connection takes, where its temporary tables go,
/// how large its database may grow or how it is journaled: the fake's settings, which no
/// client's SQL sets (a dump's neither).
const KNOBS: [&str; 7] = [
    "temp_store",
    "cache_size",
    "cache_spill",
    "mmap_size",
    "max_page_count",
    "page_size",
    "journal_mode",
];

/// Whether a client's statement may be granted the setting of the pragma `name`: not the
/// fake's own (its [`KNOBS`], and `query_only`, with which it holds read-only tokens).
pub(crate) fn client_may_set(name: &str) -> bool {
    !named(&KNOBS, name) && !name.eq_ignore_ascii_case("query_only")
}

/// Whose SQL a connection runs.
#[derive(Clone, Debug)]
pub(crate) enum Runs {
    /// The data plane's: pragmas that set, and its own `ATTACH`, only as [`Permit`] says.
    DataPlane(Permit),
    /// A dump's: pragmas that set allowed (a dump starts with `PRAGMA foreign_keys=OFF`),
    /// no `ATTACH`. Its connection serves nothing else.
    Dump,
}

/// What a data-plane connection may do besides reading, now: its own `ATTACH`, and one
/// pragma's setting, each while its guard is held.
#[derive(Clone, Debug, Default)]
pub(crate) struct Permit(Arc<Mutex<Allowance>>);

#[derive(Debug, Default)]
struct Allowance {
    attach: bool,
    pragma: Option<String>,
    /// Whether any statement, even one refused or only described, named the `temp`
    /// schema: the connection may hold a temporary object (kept across grants).
    temp: bool,
}

impl Permit {
    fn allowance(&self) -> std::sync::MutexGuard<'_, Allowance> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Allows the connection's own `ATTACH ?1 AS alias` until the guard is dropped: hold
    /// it while that statement is prepared and run.
    pub(crate) fn attach(&self) -> Granted<'_> {
        self.allowance().attach = true;
        Granted(self)
    }

    /// Allows setting the pragma `name` (and no other) until the guard is dropped.
    pub(crate) fn pragma(&self, name: &str) -> Granted<'_> {
        self.allowance().pragma = Some(name.to_ascii_lowercase());
        Granted(self)
    }

    /// Whether a statement prepared on the connection named the `temp` schema (made a
    /// temporary table, view, index or trigger, with `TEMP` or a `temp.` name, or read
    /// one): SQLite tells the authorizer of each, so no SQL the classifier misread hides
    /// one. Such a connection serves no later stream.
    pub(crate) fn touched_temp(&self) -> bool {
        self.allowance().temp
    }
}

/// While it lives, what [`Permit`] granted may run.
pub(crate) struct Granted<'a>(&'a Permit);

impl Drop for Granted<'_> {
    fn drop(&mut self) {
        let mut allowance = self.0.allowance();
        allowance.attach = false;
        allowance.pragma = None;
    }
}

/// Puts the sandbox's authorizer on `conn`, replacing any other.
pub(crate) fn install(conn: &Connection, runs: Runs) {
    conn.authorizer(Some(move |context: AuthContext<'_>| {
        if let Runs::DataPlane(permit) = &runs
            && names_temp(&context)
        {
            permit.allowance().temp = true;
        }
        if allowed(&context.action, &runs) {
            Authorization::Allow
        } else {
            Authorization::Deny
        }
    }));
}

/// Whether the action is on the `temp` schema, or makes a temporary object.
fn names_temp(context: &AuthContext<'_>) -> bool {
    context
        .database_name
        .is_some_and(|name| name.eq_ignore_ascii_case("temp"))
        || matches!(
            context.action,
            AuthAction::CreateTempIndex { .. }
                | AuthAction::CreateTempTable { .. }
                | AuthAction::CreateTempTrigger { .. }
                | AuthAction::CreateTempView { .. }
        )
}

fn named(list: &[&str], name: &str) -> bool {
    list.iter().any(|listed| listed.eq_ignore_ascii_case(name))
}

fn allowed(action: &AuthAction<'_>, runs: &Runs) -> bool {
    match (*action, runs) {
        (AuthAction::Attach { filename }, _) => filename.is_empty(),
        (
            AuthAction::Unknown {
                code: ffi::SQLITE_ATTACH,
                arg1: None,
                ..
            },
            Runs::DataPlane(permit),
        ) => permit.allowance().attach,
        (
            AuthAction::Unknown {
                code: ffi::SQLITE_ATTACH,
                ..
            },
            Runs::Dump,
        ) => false,
        (AuthAction::Pragma { pragma_name, .. }, _) if named(&PROCESS_WIDE, pragma_name) => false,
        (
            AuthAction::Pragma {
                pragma_name,
                pragma_value,
            },
            _,
        ) if !sql::pragma_sets(pragma_name, pragma_value.is_some()) => true,
        (AuthAction::Pragma { pragma_name, .. }, Runs::Dump) => !named(&KNOBS, pragma_name),
        (AuthAction::Pragma { pragma_name, .. }, Runs::DataPlane(permit)) => permit
            .allowance()
            .pragma
            .as_deref()
            .is_some_and(|granted| granted.eq_ignore_ascii_case(pragma_name)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandboxed(runs: &Runs) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        install(&conn, runs.clone());
        conn
    }

    fn data_plane() -> Runs {
        Runs::DataPlane(Permit::default())
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
        for runs in [data_plane(), Runs::Dump] {
            let conn = sandboxed(&runs);
            conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES ('row');")
                .unwrap();
            for sql in [
                format!("ATTACH '{path}' AS x"),
                format!("ATTACH 'file:{path}?mode=rwc' AS x"),
                format!("VACUUM INTO '{path}'"),
                format!("VACUUM main INTO 'file:{path}'"),
                "ATTACH ':memory:' AS x".to_owned(),
            ] {
                assert!(refused(&conn, &sql), "{runs:?}: {sql}");
                assert!(!target.exists(), "{runs:?}: {sql} wrote {path}");
            }
            // A plain VACUUM (a private temporary copy) and `ATTACH ''` still work.
            conn.execute_batch("VACUUM; ATTACH '' AS scratch; DETACH scratch;")
                .unwrap();
            // A file named by an expression, or by a parameter: the data plane's own
            // form, refused unless its guard is held.
            let expression = format!("ATTACH DATABASE '{path}' || '' AS x");
            assert!(refused(&conn, &expression), "{runs:?}");
            assert!(!target.exists());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bound_attach_runs_only_while_its_guard_is_held() {
        let own = Permit::default();
        let conn = sandboxed(&Runs::DataPlane(own.clone()));
        let attach = |conn: &Connection| {
            conn.execute("ATTACH ?1 AS other", ["file:sandbox-bound?mode=memory"])
        };
        let denied = |result: rusqlite::Result<usize>| {
            matches!(result, Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::AuthorizationForStatementDenied)
        };
        assert!(denied(attach(&conn)), "without the guard");
        {
            let _allowed = own.attach();
            attach(&conn).unwrap();
        }
        conn.execute_batch("DETACH other").unwrap();
        assert!(denied(attach(&conn)), "after the guard");
        let conn = sandboxed(&Runs::Dump);
        let _allowed = own.attach();
        assert!(denied(attach(&conn)), "a dump's connection");
    }

    #[test]
    fn process_wide_pragmas_are_refused_read_or_set() {
        let conn = sandboxed(&data_plane());
        for pragma in PROCESS_WIDE {
            for sql in [
                format!("PRAGMA {pragma}"),
                format!("PRAGMA {} = 20000", pragma.to_uppercase()),
                format!("PRAGMA main.{pragma}('/tmp')"),
            ] {
                assert!(refused(&conn, &sql), "{sql}");
            }
        }
        // Memory knobs cannot be set on any connection; a dump sets other pragmas.
        for runs in [data_plane(), Runs::Dump] {
            let conn = sandboxed(&runs);
            for knob in [
                "temp_store = MEMORY",
                "cache_size = -4000000",
                "mmap_size = 1000000000",
            ] {
                assert!(refused(&conn, &format!("PRAGMA {knob}")), "{knob}");
            }
            conn.execute_batch("PRAGMA temp_store; PRAGMA cache_size")
                .unwrap();
        }
        sandboxed(&Runs::Dump)
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        // Another connection can still allocate: nothing was set for the process.
        let other = sandboxed(&data_plane());
        other
            .execute_batch("CREATE TABLE t(x); INSERT INTO t SELECT zeroblob(100000);")
            .unwrap();
    }

    #[test]
    fn a_data_plane_pragma_sets_only_what_was_granted() {
        let permit = Permit::default();
        let conn = sandboxed(&Runs::DataPlane(permit.clone()));
        // Reads need nothing.
        conn.execute_batch("PRAGMA foreign_keys; PRAGMA table_info(sqlite_schema)")
            .unwrap();
        for set in [
            "PRAGMA foreign_keys = 0",
            "PRAGMA writable_schema = 1",
            "EXPLAIN PRAGMA ignore_check_constraints = 1",
            "PRAGMA encoding = 'UTF-16le'",
        ] {
            assert!(refused(&conn, set), "{set}");
        }
        {
            let _granted = permit.pragma("FOREIGN_KEYS");
            conn.execute_batch("PRAGMA foreign_keys = 1").unwrap();
            // Only the pragma granted: a hidden second one is not.
            assert!(refused(&conn, "PRAGMA writable_schema = 1"));
        }
        let on: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert_eq!(on, 1);
        assert!(refused(&conn, "PRAGMA foreign_keys = 0"), "after the guard");
    }

    #[test]
    fn a_temporary_object_is_seen_however_it_is_named() {
        for sql in [
            "CREATE TEMP TABLE t (a)",
            "CREATE TABLE temp.t (a)",
            "CREATE TABLE \"TEMP\".t (a)",
            "CREATE TEMP VIEW v AS SELECT 1",
            "CREATE TABLE m (a); CREATE TRIGGER temp.tr AFTER INSERT ON main.m BEGIN SELECT 1; END",
        ] {
            let permit = Permit::default();
            let conn = sandboxed(&Runs::DataPlane(permit.clone()));
            assert!(!permit.touched_temp());
            conn.execute_batch(sql).unwrap();
            assert!(permit.touched_temp(), "{sql}");
        }
        let permit = Permit::default();
        let conn = sandboxed(&Runs::DataPlane(permit.clone()));
        conn.execute_batch("CREATE TABLE main.m (a); INSERT INTO m VALUES (1); SELECT * FROM m")
            .unwrap();
        assert!(!permit.touched_temp(), "the main schema only");
    }
}
