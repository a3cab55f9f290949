//! Where each database's data lives, and the SQLite connections to it: in memory (SQLite's
//! `memdb` VFS, shared by the database's connections, kept alive by one connection of its
//! own), or a file under the state directory (`databases/<id>.db`, in WAL mode).
//!
//! Every connection gets the same settings: a busy timeout (writers queue rather than
//! fail), a small page cache, bounded strings, blobs and SQL texts, and a deadline that
//! interrupts a statement that runs too long.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

/// How long a statement may run before it is interrupted.
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
pub(crate) enum Storage {
    /// In memory: gone when the fake stops.
    Memory,
    /// Files in this directory.
    Files(PathBuf),
}

/// The deadline of the statement a connection runs, in nanoseconds since `epoch`
/// (`u64::MAX` when it runs none).
#[derive(Clone)]
pub(crate) struct Deadline {
    epoch: Instant,
    at: Arc<AtomicU64>,
}

impl Deadline {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            at: Arc::new(AtomicU64::new(u64::MAX)),
        }
    }

    /// Starts the clock of a statement.
    pub(crate) fn start(&self) {
        let at = self.epoch.elapsed().saturating_add(STATEMENT_TIME_LIMIT);
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
}

/// The data of one database: where it is, and (in memory) the connection that keeps it.
pub(crate) struct Data {
    /// What `Connection::open_with_flags` opens.
    uri: String,
    /// The file, for one kept on disk.
    file: Option<PathBuf>,
    /// In memory, the database lives as long as one connection to it does.
    _keeper: Option<Connection>,
}

impl Data {
    /// The data of the database `id` (its `generation`-th: a database made again starts
    /// empty however its old connections linger), made empty if `fresh`.
    pub(crate) fn open(
        storage: &Storage,
        id: &str,
        generation: u64,
        fresh: bool,
    ) -> rusqlite::Result<Data> {
        match storage {
            Storage::Memory => {
                let uri = format!("file:/{id}-{generation}?vfs=memdb");
                let keeper = connect(&uri)?;
                Ok(Data {
                    uri,
                    file: None,
                    _keeper: Some(keeper.sqlite),
                })
            }
            Storage::Files(dir) => {
                let file = dir.join(format!("{id}.db"));
                if fresh {
                    remove_files(&file);
                }
                let uri = format!("file:{}", uri_path(&file));
                let first = connect(&uri)?;
                first.sqlite.pragma_update(None, "journal_mode", "WAL")?;
                Ok(Data {
                    uri,
                    file: Some(file),
                    _keeper: None,
                })
            }
        }
    }

    /// A new connection to it.
    pub(crate) fn connect(&self) -> rusqlite::Result<Conn> {
        connect(&self.uri)
    }

    /// Where `ATTACH` opens it, read-only.
    pub(crate) fn read_only_uri(&self) -> String {
        let separator = if self.uri.contains('?') { '&' } else { '?' };
        format!("{}{separator}mode=ro", self.uri)
    }

    /// Removes the files of a database kept on disk (its data is gone).
    pub(crate) fn destroy(self) {
        if let Some(file) = &self.file {
            remove_files(file);
        }
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

/// A connection to `uri`, with the fake's settings.
fn connect(uri: &str) -> rusqlite::Result<Conn> {
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
    let deadline = Deadline::new();
    let watched = deadline.clone();
    sqlite.progress_handler(10_000, Some(move || watched.passed()));
    Ok(Conn { sqlite, deadline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_database_is_shared_by_its_connections_and_fresh_when_made_again() {
        let data = Data::open(&Storage::Memory, "db-test", 1, true).unwrap();
        let a = data.connect().unwrap();
        a.sqlite
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
            .unwrap();
        let b = data.connect().unwrap();
        let n: i64 = b
            .sqlite
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let again = Data::open(&Storage::Memory, "db-test", 2, true).unwrap();
        let c = again.connect().unwrap();
        assert!(
            c.sqlite
                .query_row("SELECT count(*) FROM t", [], |_| Ok(()))
                .is_err()
        );
    }

    #[test]
    fn a_runaway_statement_is_interrupted() {
        let data = Data::open(&Storage::Memory, "db-runaway", 1, true).unwrap();
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
