//! Failures the fake can be told to answer with, so that programs can be tested against
//! an outage, and the count of the requests each operation received.
//!
//! Both work on operation names: the spec's operationIds, and the names of the routes the
//! fake serves beyond the spec (`crate::http::operations`). Each route carries its
//! operation's name into a middleware, which counts the request and answers with the
//! failure planned for it, if any, before the handler (and before the bearer token is
//! checked, as a failing proxy or gateway would). A route that is another form of a
//! spec operation (the organization-less forms Turso's CLI uses, say) counts and fails
//! as that operation.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::SetupError;
use crate::app::App;
use crate::http::answer::ApiError;

/// What an operation answers instead of doing its work, from
/// [`FakeTurso::fail_next`](crate::FakeTurso::fail_next).
///
/// ```
/// use turso_platform::StatusCode;
/// use turso_platform_fake::Fault;
///
/// let outage = Fault::Status(StatusCode::SERVICE_UNAVAILABLE);
/// let stuck = Fault::Hang;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answers with this status and the API's error body,
    /// `{"error": "injected by the fake: ..."}`.
    Status(StatusCode),
    /// Does not answer until [`FakeTurso::heal`](crate::FakeTurso::heal) is called (or
    /// the fake stops): the client waits for its timeout. Once healed, the request is
    /// carried out.
    Hang,
}

/// The planned failures and the counts of requests, by operationId.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// The failure, and how many more requests get it.
    planned: HashMap<&'static str, (Fault, usize)>,
    received: HashMap<&'static str, u64>,
    /// How many times the fake was healed: a hanging request waits for it to change.
    pub(crate) heals: u64,
}

impl Faults {
    /// Plans `fault` for the next `count` requests of `operation`.
    pub(crate) fn plan(
        &mut self,
        operation: &str,
        count: usize,
        fault: Fault,
    ) -> Result<(), SetupError> {
        let id = known(operation)?;
        if count == 0 {
            self.planned.remove(id);
        } else {
            self.planned.insert(id, (fault, count));
        }
        Ok(())
    }

    /// Drops every planned failure; the hanging requests go on.
    pub(crate) fn heal(&mut self) {
        self.planned.clear();
        self.heals += 1;
    }

    /// How many requests of `operation` arrived.
    pub(crate) fn received(&self, operation: &str) -> Result<u64, SetupError> {
        let id = known(operation)?;
        Ok(self.received.get(id).copied().unwrap_or(0))
    }

    /// Counts a request of `id`, and takes the failure planned for it, if any.
    fn arrive(&mut self, id: &'static str) -> Option<Fault> {
        *self.received.entry(id).or_default() += 1;
        let (fault, left) = self.planned.get_mut(id)?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            self.planned.remove(id);
        }
        Some(fault)
    }
}

/// The name of `operation` as the fake knows it, or the error that says how to name it.
fn known(operation: &str) -> Result<&'static str, SetupError> {
    crate::http::operations()
        .find(|name| *name == operation)
        .ok_or_else(|| SetupError::UnknownOperation(operation.to_owned()))
}

/// The middleware of the route of the operation `id`: counts the request under its name
/// and answers with its planned failure, if any.
pub(crate) async fn middleware(
    State((app, id)): State<(Arc<App>, &'static str)>,
    request: Request,
    next: Next,
) -> Response {
    let (fault, healed) = {
        let mut faults = app.faults();
        (faults.arrive(id), faults.heals)
    };
    match fault {
        None => next.run(request).await,
        Some(Fault::Status(status)) => ApiError::new(
            status,
            format!("injected by the fake: {id} answers {status}"),
        )
        .into_response(),
        Some(Fault::Hang) => {
            app.healed_since(healed).await;
            next.run(request).await
        }
    }
}
