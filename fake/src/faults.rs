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
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

use crate::SetupError;
use crate::app::App;
use crate::http::answer::ApiError;

/// What an operation answers instead of doing its work, or how it goes wrong while doing
/// it, from [`FakeTurso::fail_next`](crate::FakeTurso::fail_next) (or the admin API's
/// `POST /_fake/faults`).
///
/// Every fault comes before anything is checked, as from a failing gateway. A request
/// that is held ([`Hang`](Fault::Hang), [`Delay`](Fault::Delay)) is carried out exactly
/// once when it is let go, whether or not its client still waits for the answer: a
/// client that gave up finds the change made all the same, as it would with the real
/// service.
///
/// ```
/// use std::time::Duration;
/// use turso_platform::StatusCode;
/// use turso_platform_fake::Fault;
///
/// let outage = Fault::Status(StatusCode::SERVICE_UNAVAILABLE);
/// let stuck = Fault::Hang;
/// let throttled = Fault::RetryAfter(StatusCode::TOO_MANY_REQUESTS, Duration::from_secs(2));
/// let slow = Fault::Delay(Duration::from_millis(1500));
/// let lost = Fault::LostAnswer;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answers with this status and the API's error body,
    /// `{"error": "injected by the fake: ..."}`; nothing is carried out.
    Status(StatusCode),
    /// Holds the request until [`FakeTurso::heal`](crate::FakeTurso::heal) is called (or
    /// the fake stops), then carries it out and answers; its client waits meanwhile, or
    /// times out.
    Hang,
    /// Answers with this status, the API's error body and `Retry-After` (the duration in
    /// whole seconds, rounded up), as a rate limit or an overloaded service does; nothing
    /// is carried out.
    RetryAfter(StatusCode, Duration),
    /// Holds the request for this long (or until the fake is healed), then carries it
    /// out and answers: a slow API.
    Delay(Duration),
    /// Carries the request out (saved, with a state directory), then closes the
    /// connection without a byte of the answer: the client cannot know whether it took
    /// effect. The case `MayExist` and `ApiTokenMayExist` exist for.
    LostAnswer,
}

/// The largest request body a held request keeps while it waits, in bytes: more answers
/// 413 (the largest body any route reads is a dump).
const MAX_HELD_BODY: usize = crate::model::MAX_DUMP + 64 * 1024;

/// How many requests may be held at once: past it, a request that would be held answers
/// 503, so that clients that send and go away cannot pile up held requests (and their
/// bodies) without bound.
pub(crate) const MAX_HELD: usize = 1_024;

/// The planned failures and the counts of requests, by operationId.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// The failure, and how many more requests get it.
    planned: HashMap<&'static str, (Fault, usize)>,
    received: HashMap<&'static str, u64>,
    /// How many times the fake was healed: a hanging request waits for it to change.
    pub(crate) heals: u64,
    /// How many requests are held now ([`Fault::Hang`], [`Fault::Delay`]).
    held: usize,
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
        Some(Fault::Status(status)) => injected(id, status).into_response(),
        Some(Fault::RetryAfter(status, after)) => {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            let mut response = injected(id, status).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Some(Fault::Hang) => held(&app, request, next, healed, None).await,
        Some(Fault::Delay(delay)) => held(&app, request, next, healed, Some(delay)).await,
        Some(Fault::LostAnswer) => {
            let connection = request.extensions().get::<LoseAnswer>().cloned();
            let response = next.run(request).await;
            if let Some(connection) = connection {
                connection.lose();
            }
            response
        }
    }
}

fn injected(id: &str, status: StatusCode) -> ApiError {
    ApiError::new(
        status,
        format!("injected by the fake: {id} answers {status}"),
    )
}

/// Holds a request until the fake is healed (after `healed` heals), or `delay` passes
/// if there is one, then carries it out, in a task of its own: its client may go away
/// meanwhile, and the request is carried out all the same, once. Its body is read first
/// (within the idle timeout), so that it no longer needs the connection.
async fn held(
    app: &Arc<App>,
    request: Request,
    next: Next,
    healed: u64,
    delay: Option<Duration>,
) -> Response {
    let Some(counted) = Held::new(app) else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the fake holds {MAX_HELD} requests already, the most it holds: heal it \
                 (FakeTurso::heal, POST /_fake/heal)"
            ),
        )
        .into_response();
    };
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_HELD_BODY);
    let body = match tokio::time::timeout(app.idle_timeout(), read).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {MAX_HELD_BODY} bytes"),
            )
            .into_response();
        }
        Err(_) => {
            return ApiError::request_timeout(
                "the request body did not arrive within the idle timeout",
            )
            .into_response();
        }
    };
    let request = Request::from_parts(parts, Body::from(body));
    let (answer, answered) = oneshot::channel();
    let waiter = Arc::clone(app);
    tokio::spawn(async move {
        // Counted as held until it is let go, whatever becomes of its client.
        let healed = waiter.healed_since(healed);
        match delay {
            Some(delay) => {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = healed => {}
                }
            }
            None => healed.await,
        }
        drop(counted);
        let _ = answer.send(next.run(request).await);
    });
    answered.await.unwrap_or_else(|_| {
        ApiError::internal("the held request ended without an answer").into_response()
    })
}

/// A request counted as held, until it is dropped.
struct Held(Arc<App>);

impl Held {
    /// Counts one more held request, unless [`MAX_HELD`] are held already.
    fn new(app: &Arc<App>) -> Option<Held> {
        let mut faults = app.faults();
        if faults.held >= MAX_HELD {
            return None;
        }
        faults.held += 1;
        Some(Held(Arc::clone(app)))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.faults().held -= 1;
    }
}

/// The connection a request came on, to close it without an answer
/// ([`Fault::LostAnswer`]): the server puts one in every request's extensions, and
/// stops writing to the connection once it is told to.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoseAnswer(Arc<AtomicBool>);

impl LoseAnswer {
    /// From now on, nothing more is written to the connection, which closes.
    pub(crate) fn lose(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the connection was told to lose its answers.
    pub(crate) fn is_lost(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
