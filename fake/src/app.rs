//! What the server and the [`FakeTurso`](crate::FakeTurso) handle share: the state, the
//! signing key, the limits and the planned faults, where the state is kept, what a reset
//! returns to; and how a handler acts on the state.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use secrecy::SecretString;

use axum::response::Response;
use serde::Serialize;
use tokio::sync::Notify;

use crate::SetupError;
use crate::caller::Caller;
use crate::data::{DataPlane, Init};
use crate::faults::Faults;
use crate::http::answer::{self, ApiError};
use crate::http::extract::Authenticated;
use crate::jwt::Signer;
use crate::model::State;
use crate::store::{SeededTokens, Start, Store};

/// What the server and the [`FakeTurso`](crate::FakeTurso) handle share: the state, the signing key and
/// the limits.
pub(crate) struct App {
    state: Mutex<State>,
    signer: Signer,
    idle_timeout: Duration,
    faults: Mutex<Faults>,
    /// Woken when the fake is healed.
    heal: Notify,
    /// Where the state is kept, if anywhere.
    store: Option<Store>,
    /// Counts the changes, so that a save knows which it holds.
    revision: AtomicU64,
    /// The seeded state, as JSON: what a reset returns to.
    seed: String,
    /// The tokens minted for the seed.
    tokens: SeededTokens,
    /// The token of the admin API.
    admin_token: SecretString,
    /// The databases' data, served.
    data: DataPlane,
}

impl App {
    /// An app starting from `start`, keeping its state in `store` (if any), waiting
    /// `idle_timeout` for clients.
    pub(crate) fn new(
        start: Start,
        store: Option<Store>,
        idle_timeout: Duration,
        admin_token: SecretString,
        data: DataPlane,
    ) -> Self {
        Self {
            state: Mutex::new(start.state),
            signer: start.signer,
            idle_timeout,
            faults: Mutex::new(Faults::default()),
            heal: Notify::new(),
            store,
            revision: AtomicU64::new(0),
            seed: start.seed,
            tokens: start.tokens,
            admin_token,
            data,
        }
    }

    /// The databases' data, served.
    pub(crate) fn data(&self) -> &DataPlane {
        &self.data
    }

    /// Serves every database of the state (a start), its data kept (or emptied if
    /// `fresh`, a reset), on the ports they had where free; retires those deleted.
    pub(crate) fn serve_databases(
        self: &Arc<Self>,
        fresh: bool,
        prebound: std::collections::HashMap<String, std::net::TcpListener>,
    ) -> io::Result<()> {
        let mut state = self.state();
        self.data.restore(self, &mut state, fresh, prebound)
    }

    /// The ports the databases had: (ID, port).
    pub(crate) fn database_ports(&self) -> Vec<(String, u16)> {
        self.state()
            .served_databases()
            .map(|(id, port)| (id.to_owned(), *port))
            .collect()
    }

    /// Retires the data of the databases the state no longer has (after a deletion).
    pub(crate) fn retire_deleted(&self) {
        let wanted = {
            let mut state = self.state();
            state
                .served_databases()
                .map(|(id, _)| id.to_owned())
                .collect()
        };
        self.data.retire_missing(&wanted);
    }

    /// Adds a database to a group (setup), served on a port of its own, with no data.
    pub(crate) fn add_database(
        self: &Arc<Self>,
        organization: &str,
        group: &str,
        database: &str,
    ) -> Result<(), SetupError> {
        let listener = self
            .data
            .bind(0)
            .map_err(|e| SetupError::Unsaved(format!("no port to serve the database on: {e}")))?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        self.setup(|state| state.add_database(organization, group, database, port))?;
        let id = self
            .state()
            .database_id(organization, database)
            .unwrap_or_default();
        self.data
            .open(self, &id, listener, Init::Empty)
            .map_err(|e| SetupError::Unsaved(format!("the database could not be made: {e}")))
    }

    /// Whether the state is kept in a state directory.
    pub(crate) fn keeps_state(&self) -> bool {
        self.store.is_some()
    }

    /// Notes a change of the state (made before the call), and returns its revision:
    /// [`save`](App::save) it before answering.
    pub(crate) fn changed(&self) -> u64 {
        self.revision.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Writes the state to the state directory, if there is one, unless a save since
    /// `revision` did. Blocks on the disk: call it off the runtime's threads.
    pub(crate) fn save(&self, revision: u64) -> io::Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let mut written = store.written();
        if written.revision() >= revision {
            return Ok(());
        }
        let (current, bytes) = {
            let state = self.state();
            // Read under the state's lock: every change counted so far is in the bytes.
            let current = self.revision.load(Ordering::SeqCst);
            (current, Store::state_bytes(&state)?)
        };
        store.save_bytes(&mut written, current, &bytes)
    }

    /// Changes the state as setup (not a request: no caller, no audit entry), and saves
    /// the change.
    pub(crate) fn setup<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, SetupError>,
    ) -> Result<T, SetupError> {
        let value = change(&mut self.state())?;
        self.save_change()
            .map_err(|e| SetupError::Unsaved(e.to_string()))?;
        Ok(value)
    }

    /// Adds a user, and returns an unrestricted platform API token of theirs.
    pub(crate) fn add_user(&self, username: &str) -> Result<SecretString, SetupError> {
        let minted = self.setup(|state| {
            state.add_user(username)?;
            Ok(state.mint_seeded_token(username))
        })?;
        Ok(SecretString::from(self.sign(&minted.claims)))
    }

    /// The user whose token [`FakeTurso::token`](crate::FakeTurso::token) is: the seed's
    /// first.
    pub(crate) fn first_user(&self) -> &str {
        self.tokens
            .first()
            .map(|(username, _, _)| username.as_str())
            .unwrap_or(crate::USERNAME)
    }

    /// Stops writing to the state directory and releases it (the fake stops).
    pub(crate) fn close_store(&self) {
        if let Some(store) = &self.store {
            store.close();
        }
    }

    /// Notes a change made by setup (not a request), and saves it.
    pub(crate) fn save_change(&self) -> io::Result<()> {
        let revision = self.changed();
        self.save(revision)
    }

    /// Returns the state to the seed: everything made since is gone, the seed's tokens
    /// work again, and every database and group token minted before is invalid. IDs keep
    /// counting, so that no ID given out before is given again.
    pub(crate) fn reset(self: &Arc<Self>) -> io::Result<()> {
        let seed: State = serde_json::from_str(&self.seed).map_err(io::Error::other)?;
        self.state().reset_to(seed);
        self.serve_databases(true, Default::default())?;
        self.save_change()
    }

    /// The tokens minted for the seed: (username, token name, token).
    pub(crate) fn seeded_tokens(&self) -> &SeededTokens {
        &self.tokens
    }

    /// The token of the admin API.
    pub(crate) fn admin_token(&self) -> &SecretString {
        &self.admin_token
    }

    /// Sets how long a new database or instance takes to be ready.
    pub(crate) fn set_readiness_lag(&self, lag: Duration) {
        self.state().set_readiness_lag(lag);
    }

    /// The state, locked. Nothing panics while holding it, but a poisoned lock is taken
    /// over anyway rather than failing every later request.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The planned failures and request counts, locked.
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends every planned failure, and wakes the requests that hang.
    pub(crate) fn heal(&self) {
        self.faults().heal();
        self.heal.notify_waiters();
    }

    /// Waits until the fake was healed more often than `heals` times.
    pub(crate) async fn healed_since(&self, heals: u64) {
        loop {
            // Made before the count is read: a heal in between still wakes it.
            let healed = self.heal.notified();
            if self.faults().heals != heals {
                return;
            }
            healed.await;
        }
    }

    /// How long the server waits for a request's headers, or its body.
    pub(crate) fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The key that signs the fake's tokens.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Runs an operation on the state, under its lock, for the caller behind `caller`'s
    /// token: looked up again under the lock, so that a token revoked since the request
    /// arrived gets its 401.
    pub(crate) fn act<T>(
        &self,
        caller: &Authenticated,
        operation: impl FnOnce(&mut State, &Caller) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut state = self.state();
        let mut found = state.caller(&caller.claims)?;
        found.origin = caller.origin;
        operation(&mut state, &found)
    }

    /// [`act`](App::act), answering its result as JSON.
    pub(crate) fn respond<T: Serialize>(
        &self,
        caller: &Authenticated,
        operation: impl FnOnce(&mut State, &Caller) -> Result<T, ApiError>,
    ) -> Result<Response, ApiError> {
        self.act(caller, operation)
            .map(|answer| answer::json(&answer))
    }

    /// A JWT with these claims, signed with the fake's key.
    pub(crate) fn sign<C: Serialize>(&self, claims: &C) -> String {
        self.signer.sign(claims)
    }
}
