//! The data plane: every database the fake provisions is a real SQLite database
//! ([`storage`]), served over Hrana HTTP ([`routes`]: sqld's routes, JSON only) on a
//! loopback port of its own, which is its `Hostname` (`127.0.0.1:PORT`): libSQL clients
//! connect to `http://127.0.0.1:PORT` with the tokens the Platform API mints, checked as
//! sqld checks them ([`auth`]). Requests run in two passes ([`exec`]): read and
//! authorized whole, then run; streams ([`streams`]) hold a connection across requests.
//!
//! A port per database works with every client (no host name to resolve, no path to
//! keep); it costs a listening socket each. A deleted database's port answers 404 for a
//! while (the newest [`RETIRED_KEPT`] deleted databases), then closes. Planned faults do
//! not apply here: they are the Platform API's.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use rusqlite::Connection;
use tokio::sync::oneshot;
use tower::ServiceExt as _;

use self::storage::{Data, Storage};
use self::streams::Streams;
use crate::app::App;
use crate::model::State;
use crate::server;

pub(crate) mod auth;
pub(crate) mod dump;
pub(crate) mod exec;
pub(crate) mod proto;
mod routes;
pub(crate) use self::routes::no_turn;
pub(crate) mod sandbox;
pub(crate) mod sql;
pub(crate) mod storage;
pub(crate) mod streams;
mod upload;

/// How many connections a database keeps for its next streams.
const POOLED: usize = 8;
/// How many requests of a database run SQL at once: each takes a thread of the runtime's
/// blocking pool (shared by every database) for as long as its statements run or wait for
/// a lock, so one database's clients cannot take them all.
pub(crate) const WORKERS: usize = 16;

/// How many deleted databases keep answering 404 on their ports.
pub(crate) const RETIRED_KEPT: usize = 256;
/// How many connections a database's port keeps open at once: past it, an idle one is
/// closed, or, when every one has a request in flight, the new one is answered 503.
const MAX_CONNECTIONS: usize = 1_024;

/// What a new database starts with.
pub(crate) enum Init {
    /// Nothing.
    Empty,
    /// The data of this (private, in-memory) connection: a loaded dump or an upload.
    Image(Connection),
    /// A copy of the database with this ID, as it is now.
    Copy(String),
}

/// A database being served.
pub(crate) struct Served {
    pub(crate) id: String,
    pub(crate) port: u16,
    /// Its data; `None` once it is deleted.
    data: Mutex<Option<Data>>,
    pub(crate) streams: Mutex<Streams>,
    /// Connections of streams that ended clean, for the next streams (opening a
    /// connection costs more than the statement most requests run).
    pool: Mutex<Vec<storage::Conn>>,
    /// An upload in progress (`PUT /v2/upload/...`).
    pub(crate) upload: Mutex<Option<upload::Upload>>,
    /// Turns to run SQL: at most [`WORKERS`] of its requests run at once.
    pub(crate) workers: tokio::sync::Semaphore,
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Served {
    /// A turn to run SQL on this database ([`WORKERS`] at once), waited for at most
    /// `wait`; `None` when none came (or the database is closing).
    pub(crate) async fn turn(
        &self,
        wait: std::time::Duration,
    ) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(wait, self.workers.acquire())
            .await
            .ok()?
            .ok()
    }

    /// A new connection to its data, unless it was deleted.
    pub(crate) fn connect(&self) -> Option<rusqlite::Result<storage::Conn>> {
        lock(&self.data).as_ref().map(Data::connect)
    }

    /// A connection for a new stream: a pooled one, or a new one.
    pub(crate) fn take_connection(&self) -> Option<rusqlite::Result<storage::Conn>> {
        if let Some(conn) = lock(&self.pool).pop() {
            return Some(Ok(conn));
        }
        self.connect()
    }

    /// Keeps the connection of a stream that ended clean (in autocommit, nothing of its
    /// own set up) for the next stream, up to [`POOLED`].
    pub(crate) fn pool(&self, conn: storage::Conn) {
        let mut pool = lock(&self.pool);
        if pool.len() < POOLED && lock(&self.data).is_some() {
            pool.push(conn);
        }
    }

    /// Closes every stream and pooled connection (the data is replaced or gone).
    pub(crate) fn close_connections(&self) {
        self.streams().clear();
        lock(&self.pool).clear();
    }

    /// The location `ATTACH` opens it at, read-only, unless it was deleted.
    pub(crate) fn attach_location(&self) -> Option<String> {
        lock(&self.data).as_ref().map(Data::read_only_uri)
    }

    /// The streams, locked.
    pub(crate) fn streams(&self) -> MutexGuard<'_, Streams> {
        lock(&self.streams)
    }

    /// Replaces its data with `image`'s (an upload).
    pub(crate) fn replace_with(&self, image: &Connection) -> rusqlite::Result<()> {
        let Some(Ok(mut target)) = self.connect() else {
            return Err(rusqlite::Error::InvalidQuery);
        };
        self.close_connections();
        copy(image, &mut target.sqlite)
    }
}

/// Copies the whole database of `from` into `to` (SQLite's backup API).
fn copy(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
    let backup = rusqlite::backup::Backup::new(from, to)?;
    backup.run_to_completion(1024, std::time::Duration::ZERO, None)
}

/// Every database served, by ID, and where they live.
pub(crate) struct DataPlane {
    storage: Storage,
    /// The routes of every database's port (made once, shared).
    router: std::sync::OnceLock<axum::Router>,
    /// Tokens verified lately.
    verified: auth::Verified,
    ip: IpAddr,
    /// How long a statement may run.
    statement_timeout: std::time::Duration,
    served: Mutex<HashMap<String, Arc<Served>>>,
    retired: Mutex<VecDeque<Arc<Served>>>,
    /// The bytes of every database's upload in progress.
    uploading: upload::Uploading,
    /// Turns to load a dump ([`DUMPS_AT_ONCE`] at once: each may take its bound in memory).
    dumps: tokio::sync::Semaphore,
}

/// How many dumps load at once, in all databases.
pub(crate) const DUMPS_AT_ONCE: usize = 2;

impl DataPlane {
    /// A data plane keeping its databases in `storage`, serving them on `ip`.
    pub(crate) fn new(
        storage: Storage,
        ip: IpAddr,
        statement_timeout: std::time::Duration,
    ) -> io::Result<Self> {
        Ok(Self {
            storage,
            router: std::sync::OnceLock::new(),
            verified: auth::Verified::default(),
            ip,
            statement_timeout,
            served: Mutex::new(HashMap::new()),
            retired: Mutex::new(VecDeque::new()),
            uploading: upload::Uploading::default(),
            dumps: tokio::sync::Semaphore::new(DUMPS_AT_ONCE),
        })
    }

    /// A turn to load a dump, waited for at most `wait`; `None` when none came.
    pub(crate) async fn dump_turn(
        &self,
        wait: std::time::Duration,
    ) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(wait, self.dumps.acquire())
            .await
            .ok()?
            .ok()
    }

    /// The bytes of every database's upload in progress.
    pub(crate) fn uploading(&self) -> &upload::Uploading {
        &self.uploading
    }

    /// A listener for a new database: on `port` if it is free (a restored database keeps
    /// its host name), else on a free one. Fails with the reason (no port, no file
    /// descriptor left) for the caller to answer.
    pub(crate) fn bind(&self, port: u16) -> io::Result<std::net::TcpListener> {
        let listener = match std::net::TcpListener::bind(SocketAddr::new(self.ip, port)) {
            Ok(listener) => listener,
            Err(_) if port != 0 => std::net::TcpListener::bind(SocketAddr::new(self.ip, 0))?,
            Err(e) => return Err(e),
        };
        listener.set_nonblocking(true)?;
        Ok(listener)
    }

    /// Listeners on the ports the databases `ports` had (ID, port), for those that can
    /// get theirs back: a port a stopping fake of this process still holds is released
    /// soon, so each is tried again for up to a second in all.
    pub(crate) async fn prebind(
        &self,
        ports: Vec<(String, u16)>,
    ) -> HashMap<String, std::net::TcpListener> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
        let mut bound = HashMap::new();
        for (id, port) in ports.into_iter().filter(|(_, port)| *port != 0) {
            loop {
                match std::net::TcpListener::bind(SocketAddr::new(self.ip, port)) {
                    Ok(listener) if listener.set_nonblocking(true).is_ok() => {
                        bound.insert(id, listener);
                        break;
                    }
                    Err(e)
                        if e.kind() == io::ErrorKind::AddrInUse
                            && tokio::time::Instant::now() < deadline =>
                    {
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    }
                    _ => break,
                }
            }
        }
        bound
    }

    /// The tokens verified lately.
    pub(crate) fn verified(&self) -> &auth::Verified {
        &self.verified
    }

    /// The database `id`, if it is served.
    pub(crate) fn served(&self, id: &str) -> Option<Arc<Served>> {
        lock(&self.served).get(id).cloned()
    }

    /// Makes the data of the new database `id` as `init` says, and serves it on
    /// `listener`.
    pub(crate) fn open(
        &self,
        app: &Arc<App>,
        id: &str,
        listener: std::net::TcpListener,
        init: Init,
    ) -> io::Result<()> {
        let data = Data::open(&self.storage, id, true, self.statement_timeout)
            .map_err(io::Error::other)?;
        match init {
            Init::Empty => {}
            Init::Image(image) => {
                let mut target = data.connect().map_err(io::Error::other)?;
                copy(&image, &mut target.sqlite).map_err(io::Error::other)?;
            }
            Init::Copy(source) => {
                let from = self.served(&source).and_then(|served| served.connect());
                if let Some(Ok(from)) = from {
                    let mut target = data.connect().map_err(io::Error::other)?;
                    copy(&from.sqlite, &mut target.sqlite).map_err(io::Error::other)?;
                }
            }
        }
        self.serve(app, id, listener, data)
    }

    fn serve(
        &self,
        app: &Arc<App>,
        id: &str,
        listener: std::net::TcpListener,
        data: Data,
    ) -> io::Result<()> {
        let port = listener.local_addr()?.port();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let (stop, stopped) = oneshot::channel();
        let served = Arc::new(Served {
            id: id.to_owned(),
            port,
            data: Mutex::new(Some(data)),
            streams: Mutex::new(Streams::default()),
            pool: Mutex::new(Vec::new()),
            upload: Mutex::new(None),
            workers: tokio::sync::Semaphore::new(WORKERS),
            stop: Mutex::new(Some(stop)),
        });
        let router = self
            .router
            .get_or_init(|| routes::router(Arc::clone(app)))
            .clone();
        let database = Arc::clone(&served);
        let service = router.map_request(
            move |mut request: axum::http::Request<server::RequestBody>| {
                request.extensions_mut().insert(Arc::clone(&database));
                request
            },
        );
        let limits = server::Limits {
            idle_timeout: app.idle_timeout(),
            max_connections: MAX_CONNECTIONS,
        };
        tokio::spawn(server::serve(listener, service, limits, stopped));
        if let Some(old) = lock(&self.served).insert(id.to_owned(), served) {
            self.retire(old);
        }
        Ok(())
    }

    /// Serves every database of `state` that is not served yet (on the port it had, if
    /// free), keeps serving those that are, with their data emptied if `fresh` (a
    /// reset), and retires those `state` no longer has. Each database's port is written
    /// into `state`.
    pub(crate) fn restore(
        &self,
        app: &Arc<App>,
        state: &mut State,
        fresh: bool,
        mut prebound: HashMap<String, std::net::TcpListener>,
    ) -> io::Result<()> {
        let mut wanted = std::collections::HashSet::new();
        for (id, port) in state.served_databases() {
            wanted.insert(id.to_owned());
            if let Some(served) = self.served(id) {
                if fresh {
                    served.close_connections();
                    let data = Data::open(&self.storage, id, true, self.statement_timeout)
                        .map_err(io::Error::other)?;
                    *lock(&served.data) = Some(data);
                }
                *port = served.port;
                continue;
            }
            let listener = match prebound.remove(id) {
                Some(listener) => listener,
                None => self.bind(*port)?,
            };
            *port = listener.local_addr()?.port();
            let data = Data::open(&self.storage, id, fresh, self.statement_timeout)
                .map_err(io::Error::other)?;
            self.serve(app, id, listener, data)?;
        }
        self.retire_missing(&wanted);
        Ok(())
    }

    /// Retires every database served whose ID is not in `wanted` (it was deleted).
    pub(crate) fn retire_missing(&self, wanted: &std::collections::HashSet<String>) {
        let gone: Vec<Arc<Served>> = {
            let mut served = lock(&self.served);
            let ids: Vec<String> = served
                .keys()
                .filter(|id| !wanted.contains(*id))
                .cloned()
                .collect();
            ids.iter().filter_map(|id| served.remove(id)).collect()
        };
        for served in gone {
            self.retire(served);
        }
    }

    /// Deletes a database's data; its port answers 404 until [`RETIRED_KEPT`] databases
    /// were deleted after it.
    fn retire(&self, served: Arc<Served>) {
        served.close_connections();
        if let Some(data) = lock(&served.data).take() {
            data.destroy();
        }
        let mut retired = lock(&self.retired);
        retired.push_back(served);
        while retired.len() > RETIRED_KEPT {
            if let Some(oldest) = retired.pop_front()
                && let Some(stop) = lock(&oldest.stop).take()
            {
                let _ = stop.send(());
            }
        }
    }

    /// Stops serving every deleted database's port now (each holds a file descriptor),
    /// rather than when [`RETIRED_KEPT`] more are deleted: what a create that found no
    /// descriptor left does, so that the next one finds them.
    pub(crate) fn close_retired(&self) {
        for oldest in lock(&self.retired).drain(..) {
            if let Some(stop) = lock(&oldest.stop).take() {
                let _ = stop.send(());
            }
        }
    }

    /// Closes the streams idle for too long, in every database.
    pub(crate) fn expire_streams(&self) {
        let now = Instant::now();
        let served: Vec<Arc<Served>> = lock(&self.served).values().cloned().collect();
        for database in served {
            database.streams().expire(now);
        }
    }

    /// Stops serving every database.
    pub(crate) fn stop(&self) {
        let served: Vec<Arc<Served>> = lock(&self.served).drain().map(|(_, s)| s).collect();
        let retired: Vec<Arc<Served>> = lock(&self.retired).drain(..).collect();
        for database in served.into_iter().chain(retired) {
            database.close_connections();
            if let Some(stop) = lock(&database.stop).take() {
                let _ = stop.send(());
            }
        }
        self.storage.remove();
    }
}
