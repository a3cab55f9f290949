//! The routes a database's port serves, as sqld serves them: `POST /v2/pipeline`,
//! `POST /v3/pipeline`, `POST /v3/cursor` (Hrana over HTTP, JSON), `GET /v2`, `GET /v3`,
//! `GET /health`, `GET /version`, Turso's upload routes (`PUT /v2/upload/...`), and
//! clear refusals for what is not emulated (Protobuf, WebSocket).
//!
//! Every request is checked in sqld's order: the database exists (and is ready), the
//! token may use it (401, or 404 for another database's), then the body. The answers
//! keep sqld's shapes: protocol errors are `400 text/plain`, an expired stream `400` JSON
//! with `STREAM_EXPIRED`, the rest JSON with sqld's `error` and, for clients that read
//! them, `message` and `code`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::header::{CONTENT_TYPE, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::{self, Denied};
use super::exec::{self, Access, Blocks, Refusal};
use super::proto::{CursorHead, CursorRequest, PipelineRequest, PipelineResponse};
use super::streams::{self, BatonError, Stream};
use super::{Served, WORKERS, upload};
use crate::app::App;
use crate::claims::ConnectionClaims;
use crate::clock;
use crate::http::answer;
use crate::model::{DataTarget, UsageReport};

/// The largest request body read, in bytes.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

/// What sqld answers to `GET /version`, for the version the fake's databases report.
const VERSION: &str = "sqld 0.24.32 (turso-platform-fake)";

/// The database a request is for (its port's, which the server puts in the request's
/// extensions), and the fake.
#[derive(Clone)]
pub(crate) struct Db {
    pub(crate) app: Arc<App>,
    pub(crate) served: Arc<Served>,
}

impl FromRequestParts<Arc<App>> for Db {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, StatusCode> {
        let served = parts
            .extensions
            .get::<Arc<Served>>()
            .cloned()
            .ok_or(StatusCode::NOT_FOUND)?;
        Ok(Db {
            app: Arc::clone(app),
            served,
        })
    }
}

/// The routes of every database's port: one router, shared (each request carries its
/// database).
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v2/pipeline", post(pipeline_v2))
        .route("/v3/pipeline", post(pipeline_v3))
        .route("/v3/cursor", post(cursor))
        .route("/v2", get(index))
        .route("/v3", get(index))
        .route("/health", get(health))
        .route("/version", get(version))
        .route("/v3-protobuf", get(no_protobuf_index))
        .route("/v3-protobuf/{*rest}", post(no_protobuf))
        .route("/", get(websocket))
        .route("/v2/upload/start", put(upload::start))
        .route("/v2/upload/{id}/chunk/{n}", put(upload::chunk))
        .route("/v2/upload/{id}/finalize", put(upload::finalize))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(app)
}

/// A refusal of the whole request.
#[derive(Debug)]
pub(crate) enum Failure {
    /// 400, text: a protocol error.
    Protocol(String),
    /// 400, JSON `STREAM_EXPIRED`.
    Expired,
    /// 401.
    Unauthorized(&'static str),
    /// 403.
    Forbidden(String),
    /// 404: no such database (or not for this token, or not ready yet).
    Missing(String),
    /// 413.
    TooLarge(String),
    /// 503.
    Unavailable(String),
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'a str,
    message: &'a str,
    code: &'a str,
}

fn json_error(status: StatusCode, message: &str, code: &str) -> Response {
    let body = ErrorJson {
        error: message,
        message,
        code,
    };
    with_status(status, answer::json(&body))
}

fn with_status(status: StatusCode, mut response: Response) -> Response {
    *response.status_mut() = status;
    response
}

fn text(status: StatusCode, message: String) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        message,
    )
        .into_response()
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Protocol(message) => text(StatusCode::BAD_REQUEST, message),
            Failure::Expired => with_status(
                StatusCode::BAD_REQUEST,
                answer::json(&serde_json::json!({
                    "message": "The stream has expired due to inactivity",
                    "code": "STREAM_EXPIRED",
                })),
            ),
            Failure::Unauthorized(reason) => {
                let code = match reason {
                    "The JWT has expired" => "AUTH_JWT_EXPIRED",
                    "The JWT is invalid" => "AUTH_JWT_INVALID",
                    "Expected authorization header but none given" => "AUTH_HEADER_NOT_FOUND",
                    _ => "AUTH_HEADER_MALFORMED",
                };
                json_error(
                    StatusCode::UNAUTHORIZED,
                    &format!("Unauthorized: `{reason}`"),
                    code,
                )
            }
            Failure::Forbidden(reason) => json_error(
                StatusCode::FORBIDDEN,
                &format!("Authorization forbidden: {reason}"),
                "FORBIDDEN",
            ),
            Failure::Missing(name) => json_error(
                StatusCode::NOT_FOUND,
                &format!("Namespace `{name}` doesn't exist"),
                "NAMESPACE_DOESNT_EXIST",
            ),
            Failure::TooLarge(message) => {
                json_error(StatusCode::PAYLOAD_TOO_LARGE, &message, "REQUEST_TOO_LARGE")
            }
            Failure::Unavailable(message) => {
                json_error(StatusCode::SERVICE_UNAVAILABLE, &message, "UNAVAILABLE")
            }
        }
    }
}

impl From<BatonError> for Failure {
    fn from(error: BatonError) -> Self {
        match error {
            BatonError::Invalid => Failure::Protocol("Received an invalid baton".to_owned()),
            BatonError::Reused => {
                Failure::Protocol("Received a baton that has already been used".to_owned())
            }
            BatonError::Expired => Failure::Expired,
            BatonError::TooMany => Failure::Unavailable(format!(
                "this database holds {} open streams, the most the fake keeps: close some \
                 (a `close` request), or let them expire",
                streams::MAX_STREAMS
            )),
        }
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Protocol(message) => Failure::Protocol(message),
            Refusal::Forbidden(message) => Failure::Forbidden(message),
        }
    }
}

/// The request, once the database is known to exist and be ready, and the token may
/// use it.
pub(crate) struct Admitted {
    pub(crate) target: DataTarget,
    pub(crate) claims: ConnectionClaims,
}

impl Db {
    /// Checks, in sqld's order, that the database exists and is ready (404), then that
    /// the token may use it (401, 404), then that its group is not archived (403).
    pub(crate) fn admit(&self, headers: &HeaderMap) -> Result<Admitted, Failure> {
        let target = self.app.state().data_target(&self.served.id);
        let now = clock::since_epoch();
        let target = match target {
            Some(target) if Duration::from_millis(target.ready_at) <= now => target,
            Some(target) => return Err(Failure::Missing(target.name)),
            None => return Err(Failure::Missing(self.served.id.clone())),
        };
        let verified = self.app.data().verified();
        let claims = auth::authorize(
            headers,
            self.app.signer(),
            verified,
            &self.served.id,
            &target,
            now,
        )
        .map_err(|denied| match denied {
            Denied::Unauthorized(reason) => Failure::Unauthorized(reason),
            Denied::Missing => Failure::Missing(target.name.clone()),
        })?;
        if target.archived {
            return Err(Failure::Forbidden(format!(
                "the group of database {} is archived: unarchive it (unarchiveGroup) to use \
                 the database",
                target.name
            )));
        }
        Ok(Admitted { target, claims })
    }

    /// A turn to run SQL on this database ([`WORKERS`] at once), waited for at most the
    /// idle timeout.
    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Failure> {
        self.served
            .turn(self.app.idle_timeout())
            .await
            .ok_or_else(|| Failure::Unavailable(no_turn()))
    }

    /// A stream for a request: the baton's, or a new one.
    fn take_stream(&self, baton: Option<&str>) -> Result<(u64, Box<Stream>), Failure> {
        match baton {
            Some(baton) => Ok(self.served.streams().acquire(baton)?),
            None => {
                let id = self.served.streams().open()?;
                let conn = match self.served.take_connection() {
                    Some(Ok(conn)) => conn,
                    Some(Err(e)) => {
                        self.served.streams().discard(id);
                        return Err(Failure::Unavailable(format!(
                            "the database could not be opened: {e}"
                        )));
                    }
                    None => {
                        self.served.streams().discard(id);
                        return Err(Failure::Missing(self.served.id.clone()));
                    }
                };
                Ok((id, Box::new(Stream::new(conn))))
            }
        }
    }

    /// Puts a stream back after a request, and returns its baton: `None` once it is
    /// closed, or when it is idle in autocommit with nothing of its own set up (as Turso
    /// does, so that clients that never close their streams do not pile them up).
    fn give_back(
        &self,
        id: u64,
        stream: Box<Stream>,
        closed: bool,
        previous: Option<[u8; 16]>,
    ) -> Option<String> {
        let clean = !stream.stateful && stream.conn.holds_nothing_of_its_own();
        let idle = clean && stream.stored.is_empty();
        if closed || idle {
            self.served.streams().discard(id);
            // A connection left clean serves the next stream.
            if clean {
                self.served.pool(stream.conn);
            }
            None
        } else {
            Some(self.served.streams().release(id, stream, previous))
        }
    }

    /// Access for running statements: read-only or not, and which databases the token
    /// may attach.
    fn attach_rule(
        &self,
        claims: &ConnectionClaims,
    ) -> impl Fn(&str) -> Result<String, String> + Send + Sync + use<> {
        let app = Arc::clone(&self.app);
        let id = self.served.id.clone();
        let claims = claims.clone();
        move |name: &str| {
            let target = app.state().attach_target(&id, name);
            let refused =
                || format!("Current session doesn't have AttachRead permission to {name}");
            let target = target.ok_or_else(refused)?;
            if !auth::may_attach(&claims, &target.id) {
                return Err(refused());
            }
            if !target.allow_attach {
                return Err(format!("Namespace `{name}` doesn't allow attach"));
            }
            app.data()
                .served(&target.id)
                .and_then(|served| served.attach_location())
                .ok_or_else(refused)
        }
    }

    fn record(&self, usage: UsageReport) {
        if usage.queries.is_empty() && usage.storage_bytes.is_none() {
            return;
        }
        self.app.state().record_usage(&self.served.id, usage);
    }
}

/// Why a request got no turn to run SQL.
pub(crate) fn no_turn() -> String {
    format!(
        "the database runs {WORKERS} requests already and none ended within the idle timeout \
         (a transaction holding its lock, say): try again shortly"
    )
}

/// Reads a body of at most `limit` bytes, which must arrive within the idle timeout.
pub(super) async fn read_body(app: &App, body: Body, limit: usize) -> Result<Bytes, Failure> {
    let read = tokio::time::timeout(app.idle_timeout(), axum::body::to_bytes(body, limit));
    match read.await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(Failure::TooLarge(format!(
            "the request body is larger than {limit} bytes, the most the fake reads here"
        ))),
        Err(_) => Err(Failure::Protocol(
            "the request body did not arrive within the idle timeout".to_owned(),
        )),
    }
}

/// Reads a JSON body of at most [`MAX_BODY`] bytes.
async fn read_json<T: DeserializeOwned>(app: &App, body: Body) -> Result<T, Failure> {
    let bytes = read_body(app, body, MAX_BODY).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Failure::Protocol(format!("Cannot deserialize client message from JSON: {e}")))
}

async fn pipeline_v2(db: Db, request: Request) -> Response {
    pipeline(db, 2, request).await
}

async fn pipeline_v3(db: Db, request: Request) -> Response {
    pipeline(db, 3, request).await
}

async fn pipeline(db: Db, version: u8, request: Request) -> Response {
    match run_pipeline(&db, version, request).await {
        Ok(answer) => answer::json(&answer),
        Err(failure) => failure.into_response(),
    }
}

async fn run_pipeline(db: &Db, version: u8, request: Request) -> Result<PipelineResponse, Failure> {
    let (parts, body) = request.into_parts();
    let admitted = db.admit(&parts.headers)?;
    let pipeline: PipelineRequest = read_json(&db.app, body).await?;
    let _turn = db.turn().await?;
    let read_only = auth::read_only(&admitted.claims);
    let previous = pipeline.baton.as_deref().and_then(streams::secret_of);
    let (id, mut stream) = db.take_stream(pipeline.baton.as_deref())?;
    let rule = db.attach_rule(&admitted.claims);
    let access = Access {
        read_only,
        attach: &rule,
    };
    let plan = match exec::plan(pipeline.requests, &stream.stored, version, &access) {
        Ok(plan) => plan,
        Err(refusal) => {
            // As in sqld, a request refused whole drops its stream.
            db.served.streams().discard(id);
            return Err(refusal.into());
        }
    };
    let blocks = Blocks {
        reads: admitted.target.block_reads,
        writes: admitted.target.block_writes,
    };
    let ran = tokio::task::spawn_blocking(move || {
        let outcome = exec::run(&mut stream, plan, read_only, blocks);
        (stream, outcome)
    })
    .await;
    let (stream, outcome) = match ran {
        Ok(ran) => ran,
        Err(e) => {
            db.served.streams().discard(id);
            return Err(Failure::Unavailable(format!("the request failed: {e}")));
        }
    };
    db.record(outcome.usage);
    let baton = db.give_back(id, stream, outcome.closed, previous);
    Ok(PipelineResponse {
        baton,
        base_url: None,
        results: outcome.results,
    })
}

async fn cursor(db: Db, request: Request) -> Response {
    match run_cursor(&db, request).await {
        Ok(body) => (
            [(CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
            body,
        )
            .into_response(),
        Err(failure) => failure.into_response(),
    }
}

async fn run_cursor(db: &Db, request: Request) -> Result<String, Failure> {
    let (parts, body) = request.into_parts();
    let admitted = db.admit(&parts.headers)?;
    let request: CursorRequest = read_json(&db.app, body).await?;
    let _turn = db.turn().await?;
    let read_only = auth::read_only(&admitted.claims);
    let previous = request.baton.as_deref().and_then(streams::secret_of);
    let (id, mut stream) = db.take_stream(request.baton.as_deref())?;
    let rule = db.attach_rule(&admitted.claims);
    let access = Access {
        read_only,
        attach: &rule,
    };
    let (steps, attachments) = match exec::plan_cursor(request.batch, &stream.stored, &access) {
        Ok(planned) => planned,
        Err(refusal) => {
            db.served.streams().discard(id);
            return Err(refusal.into());
        }
    };
    let blocks = Blocks {
        reads: admitted.target.block_reads,
        writes: admitted.target.block_writes,
    };
    let ran = tokio::task::spawn_blocking(move || {
        let (entries, usage) = exec::run_cursor(&mut stream, steps, attachments, read_only, blocks);
        (stream, entries, usage)
    })
    .await;
    let (stream, entries, usage) = match ran {
        Ok(ran) => ran,
        Err(e) => {
            db.served.streams().discard(id);
            return Err(Failure::Unavailable(format!("the request failed: {e}")));
        }
    };
    db.record(usage);
    let baton = db.give_back(id, stream, false, previous);
    let mut body = serde_json::to_string(&CursorHead {
        baton,
        base_url: None,
    })
    .unwrap_or_default();
    body.push('\n');
    for entry in entries {
        body.push_str(&serde_json::to_string(&entry).unwrap_or_default());
        body.push('\n');
    }
    Ok(body)
}

async fn index() -> Response {
    text(
        StatusCode::OK,
        "Hello, this is HTTP API v2 (Hrana over HTTP)".to_owned(),
    )
}

async fn health() -> StatusCode {
    StatusCode::OK
}

async fn version() -> Response {
    text(StatusCode::OK, VERSION.to_owned())
}

/// hrana-client probes `GET /v3-protobuf`: anything but 2xx makes it use JSON.
async fn no_protobuf_index() -> Response {
    text(
        StatusCode::NOT_FOUND,
        "Protobuf encoding is not supported by the fake Turso; use /v2 or /v3 with JSON".to_owned(),
    )
}

async fn no_protobuf(Path(_): Path<String>) -> Response {
    text(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Protobuf encoding is not supported by the fake Turso; use /v3/pipeline with JSON"
            .to_owned(),
    )
}

async fn websocket(headers: HeaderMap) -> Response {
    if headers.contains_key(UPGRADE) {
        text(
            StatusCode::NOT_IMPLEMENTED,
            "Hrana over WebSocket is not emulated by the fake Turso: connect with an http:// \
             URL"
            .to_owned(),
        )
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// 404, as sqld answers a route it does not serve, with a body that says what is served
/// (an empty one would read as a request the server could not parse).
async fn not_found() -> Response {
    text(
        StatusCode::NOT_FOUND,
        "no such route on a database of the fake Turso: it serves POST /v2/pipeline, \
         POST /v3/pipeline, POST /v3/cursor, GET /v2, GET /v3, GET /health, GET /version and \
         PUT /v2/upload/..."
            .to_owned(),
    )
}

/// 405, with a body (as for [`not_found`]).
async fn method_not_allowed() -> Response {
    text(
        StatusCode::METHOD_NOT_ALLOWED,
        "this route of a database of the fake Turso does not take this method".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_answer_as_sqld_does() {
        let status = |failure: Failure| failure.into_response().status();
        assert_eq!(
            status(BatonError::TooMany.into()),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status(BatonError::Expired.into()), StatusCode::BAD_REQUEST);
        assert_eq!(status(BatonError::Invalid.into()), StatusCode::BAD_REQUEST);
        assert_eq!(
            status(Failure::Unauthorized("The JWT has expired")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status(Failure::Missing("x".into())), StatusCode::NOT_FOUND);
    }
}
