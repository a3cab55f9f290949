//! Where each database's data lives, and the SQLite connections to it: a file per
//! database (`<id>.db`, in WAL mode, so that readers never wait for a writer, as in
//! sqld), in the state directory's `databases/`, or in a private temporary directory
//! removed when the fake stops.
//!
//! Every connection gets the same settings: a busy timeout (writers queue rather than
//! fail), a small page cache, bounded strings, blobs and SQL texts, and a deadline that
//! interrupts a statement that runs too long.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

use super::sandbox::{self, Permit, Runs};

/// How long a statement may run before it is interrupted, unless the fake is told
/// otherwise ([`FakeTursoBuilder::statement_timeout`](crate::FakeTursoBuilder::statement_timeout)).
pub(crate) const STATEMENT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// How long a connection waits for another's lock before it answers `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest string or blob a statement may make, in bytes.
pub(crate) const MAX_VALUE: i32 = 16 * 1024 * 1024;
/// The longest SQL text, in bytes.
pub(crate) const MAX_SQL: i32 = 1024 * 1024;
/// The page cache of a connection, in KiB (a negative `cache_size`).
const CACHE_KIB: i64 = 256;

/// Where databases live.
#[derive(Clone, Debug)]
pub(crate) struct Storage {
    dir: PathBuf,
    /// Whether the directory is the fake's own, removed when it stops.
    temporary: bool,
}

impl Storage {
    /// The directory `dir` (made if missing), kept.
    pub(crate) fn kept(dir: PathBuf) -> io::Result<Storage> {
        private_dir(&dir)?;
        Ok(Storage {
            dir,
            temporary: false,
        })
    }

    /// A new private temporary directory, removed by [`Storage::remove`].
    pub(crate) fn temporary() -> io::Result<Storage> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(io::Error::other)?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!(
            "turso-platform-fake-{}-{suffix}",
            std::process::id()
        ));
        private_dir(&dir)?;
        Ok(Storage {
            dir,
            temporary: true,
        })
    }

    /// Removes the directory, if it is the fake's own.
    pub(crate) fn remove(&self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Makes `dir` if missing, readable by its owner only.
fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The deadline of the statement a connection runs, in nanoseconds since `epoch`
/// (`u64::MAX` when it runs none).
#[derive(Clone)]
pub(crate) struct Deadline {
    epoch: Instant,
    limit: Duration,
    at: Arc<AtomicU64>,
}

impl Deadline {
    fn new(limit: Duration) -> Self {
        Self {
            epoch: Instant::now(),
            limit,
            at: Arc::new(AtomicU64::new(u64::MAX)),
        }
    }

    /// Starts the clock of a statement.
    pub(crate) fn start(&self) {
        let at = self.epoch.elapsed().saturating_add(self.limit);
        let nanos = u64::try_from(at.as_nanos()).unwrap_or(u64::MAX);
        self.at.store(nanos, Ordering::Relaxed);
    }

    /// Stops it.
    pub(crate) fn stop(&self) {
        self.at.store(u64::MAX, Ordering::Relaxed);
    }

    fn passed(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        now > self.at.load(Ordering::Relaxed)
    }
}

/// A connection to a database, with its statement deadline.
pub(crate) struct Conn {
    pub(crate) sqlite: Connection,
    pub(crate) deadline: Deadline,
    /// What the sandbox lets the data plane's own statements do while they run.
    pub(crate) permit: Permit,
    /// Whether it runs with `PRAGMA query_only` now.
    query_only: bool,
}

impl Conn {
    /// Whether the connection holds nothing a client set up: it is in autocommit, and no
    /// statement prepared on it named the `temp` schema (the sandbox sees each, a
    /// `CREATE TRIGGER temp.t …` as a `CREATE TEMP TRIGGER t …`). An attached database
    /// needs the data plane's own `ATTACH`, which keeps its stream's connection. A pooled
    /// connection serves the next stream, which may be another token's.
    pub(crate) fn holds_nothing_of_its_own(&self) -> bool {
        self.sqlite.is_autocommit() && !self.permit.touched_temp()
    }

    /// Runs with `PRAGMA query_only` (SQLite refuses every write) or not.
    pub(crate) fn query_only(&mut self, on: bool) -> rusqlite::Result<()> {
        if self.query_only != on {
            let _granted = self.permit.pragma("query_only");
            self.sqlite.pragma_update(None, "query_only", on)?;
            self.query_only = on;
        }
        Ok(())
    }

    /// Whether it runs with `PRAGMA query_only`.
    #[cfg(test)]
    pub(crate) fn is_query_only(&self) -> bool {
        self.query_only
    }
}

/// The data of one database: its file.
pub(crate) struct Data {
    /// What `Connection::open_with_flags` opens.
    uri: String,
    /// How long a statement may run.
    limit: Duration,
    file: PathBuf,
}

impl Data {
    /// The data of the database `id`, made empty if `fresh`.
    pub(crate) fn open(
        storage: &Storage,
        id: &str,
        fresh: bool,
        limit: Duration,
    ) -> rusqlite::Result<Data> {
        let file = storage.dir.join(format!("{id}.db"));
        if fresh {
            remove_files(&file);
        }
        let uri = format!("file:{}", uri_path(&file));
        let first = connect(&uri, limit)?;
        let _granted = first.permit.pragma("journal_mode");
        first.sqlite.pragma_update(None, "journal_mode", "WAL")?;
        Ok(Data { uri, limit, file })
    }

    /// A new connection to it.
    pub(crate) fn connect(&self) -> rusqlite::Result<Conn> {
        connect(&self.uri, self.limit)
    }

    /// Where `ATTACH` opens it, read-only.
    pub(crate) fn read_only_uri(&self) -> String {
        let separator = if self.uri.contains('?') { '&' } else { '?' };
        format!("{}{separator}mode=ro", self.uri)
    }

    /// Removes its files (its data is gone).
    pub(crate) fn destroy(self) {
        remove_files(&self.file);
    }

    /// How many bytes it holds.
    pub(crate) fn size(conn: &Connection) -> u64 {
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap_or(0);
        let size: i64 = conn
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap_or(0);
        u64::try_from(pages.saturating_mul(size)).unwrap_or(0)
    }
}

/// A file path as a URI path: every byte outside the unreserved set escaped, so that no
/// character of it is read as URI syntax.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn remove_files(file: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// A connection to `uri`, with the fake's settings, whose statements run at most `limit`.
fn connect(uri: &str, limit: Duration) -> rusqlite::Result<Conn> {
    let sqlite = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    sqlite.busy_timeout(BUSY_TIMEOUT)?;
    sqlite.pragma_update(None, "cache_size", -CACHE_KIB)?;
    sqlite.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE)?;
    sqlite.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, MAX_SQL)?;
    sqlite.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 4)?;
    let permit = Permit::default();
    sandbox::install(&sqlite, Runs::DataPlane(permit.clone()));
    let deadline = Deadline::new(limit);
    let watched = deadline.clone();
    sqlite.progress_handler(10_000, Some(move || watched.passed()));
    sqlite.set_prepared_statement_cache_capacity(64);
    Ok(Conn {
        sqlite,
        deadline,
        permit,
        query_only: false,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A temporary storage for a test, removed when dropped.
    pub(crate) struct TestStorage(pub(crate) Storage);

    impl TestStorage {
        pub(crate) fn new() -> Self {
            Self(Storage::temporary().unwrap())
        }
    }

    impl Drop for TestStorage {
        fn drop(&mut self) {
            self.0.remove();
        }
    }

    #[test]
    fn a_database_is_shared_by_its_connections_and_readers_never_wait_for_a_writer() {
        let storage = TestStorage::new();
        let data = Data::open(&storage.0, "db-test", true, STATEMENT_TIME_LIMIT).unwrap();
        let a = data.connect().unwrap();
        a.sqlite
            .execute_batch(
                "CREATE TABLE t (x); INSERT INTO t VALUES (1); BEGIN; INSERT INTO t VALUES (2)",
            )
            .unwrap();
        let b = data.connect().unwrap();
        let n: i64 = b
            .sqlite
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(n, 1, "the open transaction is not seen, and does not block");
        let again = Data::open(&storage.0, "db-test", true, STATEMENT_TIME_LIMIT).unwrap();
        let c = again.connect().unwrap();
        assert!(
            c.sqlite
                .query_row("SELECT count(*) FROM t", [], |_| Ok(()))
                .is_err()
        );
    }

    #[test]
    fn a_runaway_statement_is_interrupted() {
        let storage = TestStorage::new();
        let data = Data::open(&storage.0, "db-runaway", true, STATEMENT_TIME_LIMIT).unwrap();
        let conn = data.connect().unwrap();
        conn.deadline.at.store(0, Ordering::Relaxed);
        let err = conn
            .sqlite
            .query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                 SELECT count(*) FROM c",
                [],
                |row| row.get::<_, i64>(0),
            )
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
    }

    #[test]
    fn uri_paths_escape_what_uris_read() {
        assert_eq!(uri_path(Path::new("/a b/c?d#e.db")), "/a%20b/c%3Fd%23e.db");
    }
}
