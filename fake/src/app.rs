//! What the server and the [`FakeTurso`](crate::FakeTurso) handle share: the state, the
//! signing key, the limits and the planned faults; and how a handler acts on the state.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::response::Response;
use serde::Serialize;
use tokio::sync::Notify;

use crate::caller::Caller;
use crate::faults::Faults;
use crate::http::answer::{self, ApiError};
use crate::http::extract::Authenticated;
use crate::jwt::Signer;
use crate::model::State;

/// What the server and the [`FakeTurso`] handle share: the state, the signing key and
/// the limits.
pub(crate) struct App {
    state: Mutex<State>,
    signer: Signer,
    idle_timeout: Duration,
    faults: Mutex<Faults>,
    /// Woken when the fake is healed.
    heal: Notify,
}

impl App {
    /// An app holding `state`, signing with `signer`, waiting `idle_timeout` for clients.
    pub(crate) fn new(state: State, signer: Signer, idle_timeout: Duration) -> Self {
        Self {
            state: Mutex::new(state),
            signer,
            idle_timeout,
            faults: Mutex::new(Faults::default()),
            heal: Notify::new(),
        }
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
