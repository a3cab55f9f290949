//! The admin API: what a Rust test does through [`FakeTurso`](crate::FakeTurso)'s
//! methods, over HTTP under `/_fake/`, for programs in every language. It answers only
//! to the admin token (`Authorization: Bearer <admin_token>`, printed by the binary and
//! returned by [`FakeTurso::admin_token`](crate::FakeTurso::admin_token)), which opens
//! nothing of the platform API; no platform API token opens it. Its requests are neither
//! counted nor failed by faults, and leave no trace in the audit log.
//!
//! | method and path | body | does |
//! |---|---|---|
//! | `POST /_fake/faults` | `{"operation", "fault", "count", "status", "retry_after_seconds", "delay_ms"}` | [`FakeTurso::fail_next`] |
//! | `POST /_fake/heal` | | [`FakeTurso::heal`] |
//! | `GET /_fake/requests` | | every operation's request count, [`FakeTurso::requests`] |
//! | `GET /_fake/organizations/{slug}/audit-log` | | [`FakeTurso::audit_log`] |
//! | `POST /_fake/users` | `{"username"}` | [`FakeTurso::add_user`]; answers the token |
//! | `POST /_fake/organizations` | `{"slug", "role"}` | [`FakeTurso::add_organization_with_role`] |
//! | `POST /_fake/organizations/{slug}/members` | `{"username", "role"}` | [`FakeTurso::add_member`] |
//! | `PUT /_fake/organizations/{slug}/plan` | `{"plan"}` | [`FakeTurso::set_plan`] |
//! | `POST /_fake/organizations/{slug}/groups` | `{"name"}` | [`FakeTurso::add_group`] |
//! | `POST /_fake/organizations/{slug}/groups/{group}/archive` | | [`FakeTurso::archive_group`] |
//! | `POST /_fake/organizations/{slug}/databases` | `{"name", "group"}` | [`FakeTurso::add_database`] |
//! | `POST /_fake/reset` | | [`FakeTurso::reset`] |
//! | `PUT /_fake/readiness` | `{"lag_ms"}` | [`FakeTurso::set_readiness_lag`] |
//!
//! [`FakeTurso::fail_next`]: crate::FakeTurso::fail_next
//! [`FakeTurso::heal`]: crate::FakeTurso::heal
//! [`FakeTurso::requests`]: crate::FakeTurso::requests
//! [`FakeTurso::audit_log`]: crate::FakeTurso::audit_log
//! [`FakeTurso::add_user`]: crate::FakeTurso::add_user
//! [`FakeTurso::add_organization_with_role`]: crate::FakeTurso::add_organization_with_role
//! [`FakeTurso::add_member`]: crate::FakeTurso::add_member
//! [`FakeTurso::set_plan`]: crate::FakeTurso::set_plan
//! [`FakeTurso::add_group`]: crate::FakeTurso::add_group
//! [`FakeTurso::archive_group`]: crate::FakeTurso::archive_group
//! [`FakeTurso::add_database`]: crate::FakeTurso::add_database
//! [`FakeTurso::reset`]: crate::FakeTurso::reset
//! [`FakeTurso::set_readiness_lag`]: crate::FakeTurso::set_readiness_lag

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post, put};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;
use turso_platform::MemberRole;

use super::answer::{self, ApiError};
use super::extract::{Json, Names};
use crate::app::App;
use crate::{Fault, Plan, SetupError};

/// The admin API's routes, with the fake's state.
pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/_fake/faults", post(plan_fault))
        .route("/_fake/heal", post(heal))
        .route("/_fake/requests", get(requests))
        .route("/_fake/organizations/{slug}/audit-log", get(audit_log))
        .route("/_fake/users", post(add_user))
        .route("/_fake/organizations", post(add_organization))
        .route("/_fake/organizations/{slug}/members", post(add_member))
        .route("/_fake/organizations/{slug}/plan", put(set_plan))
        .route("/_fake/organizations/{slug}/groups", post(add_group))
        .route(
            "/_fake/organizations/{slug}/groups/{group}/archive",
            post(archive_group),
        )
        .route("/_fake/organizations/{slug}/databases", post(add_database))
        .route("/_fake/reset", post(reset))
        .route("/_fake/readiness", put(set_readiness_lag))
}

/// The extractor that admits only the admin token.
struct Admin;

impl FromRequestParts<Arc<App>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let refused = || {
            ApiError::unauthorized(
                "the admin API needs the admin token: send `Authorization: Bearer \
                 <admin_token>`, as the fake printed it at start",
            )
        };
        let sent = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(refused)?;
        if same(
            sent.trim().as_bytes(),
            app.admin_token().expose_secret().as_bytes(),
        ) {
            Ok(Admin)
        } else {
            Err(refused())
        }
    }
}

/// Whether two byte strings are equal, in a time that does not depend on where they
/// differ (only on their lengths).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// A setup failure as the admin API answers it: 404 for what does not exist, 409 for a
/// name taken, 500 for a state that could not be saved, 400 otherwise.
impl From<SetupError> for ApiError {
    fn from(error: SetupError) -> Self {
        let status = match &error {
            SetupError::UnknownOrganization(_)
            | SetupError::UnknownUser(_)
            | SetupError::UnknownGroup { .. }
            | SetupError::UnknownDatabase { .. }
            | SetupError::UnknownOperation(_) => StatusCode::NOT_FOUND,
            SetupError::AlreadyExists { .. } => StatusCode::CONFLICT,
            SetupError::Unsaved(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, error.to_string())
    }
}

/// How many requests a fault is for: a number, or `"until_healed"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Count {
    Requests(u64),
    Named(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    operation: String,
    /// `status`, `hang`, `retry_after`, `delay` or `lost_answer`.
    fault: String,
    count: Option<Count>,
    status: Option<u16>,
    retry_after_seconds: Option<f64>,
    delay_ms: Option<u64>,
}

impl FaultBody {
    /// The fault and the count it asks for, or what is wrong with it.
    fn read(&self) -> Result<(Fault, usize), ApiError> {
        let status = || -> Result<StatusCode, ApiError> {
            let code = self.status.ok_or_else(|| {
                ApiError::bad_request(format!("a {} fault needs a `status`", self.fault))
            })?;
            StatusCode::from_u16(code)
                .ok()
                .filter(|status| status.is_client_error() || status.is_server_error())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "`status` {code} is not an error status (400 to 599)"
                    ))
                })
        };
        let fault = match self.fault.as_str() {
            "status" => Fault::Status(status()?),
            "hang" => Fault::Hang,
            "retry_after" => {
                let seconds = self.retry_after_seconds.ok_or_else(|| {
                    ApiError::bad_request("a retry_after fault needs `retry_after_seconds`")
                })?;
                let after = Duration::try_from_secs_f64(seconds).map_err(|_| {
                    ApiError::bad_request(
                        "`retry_after_seconds` must be a number of seconds, 0 or more",
                    )
                })?;
                Fault::RetryAfter(status()?, after)
            }
            "delay" => {
                Fault::Delay(Duration::from_millis(self.delay_ms.ok_or_else(|| {
                    ApiError::bad_request("a delay fault needs `delay_ms`")
                })?))
            }
            "lost_answer" => Fault::LostAnswer,
            other => {
                return Err(ApiError::bad_request(format!(
                    "no fault is named {other:?}: status, hang, retry_after, delay or \
                     lost_answer"
                )));
            }
        };
        let count = match &self.count {
            None => 1,
            Some(Count::Requests(count)) => usize::try_from(*count).unwrap_or(usize::MAX),
            Some(Count::Named(name)) if name == "until_healed" => usize::MAX,
            Some(Count::Named(name)) => {
                return Err(ApiError::bad_request(format!(
                    "`count` {name:?} is neither a number nor \"until_healed\""
                )));
            }
        };
        Ok((fault, count))
    }
}

async fn plan_fault(
    _: Admin,
    State(app): State<Arc<App>>,
    Json(body): Json<FaultBody>,
) -> Result<Response, ApiError> {
    let (fault, count) = body.read()?;
    app.faults().plan(&body.operation, count, fault)?;
    Ok(answer::json(&json!({
        "operation": body.operation,
        "fault": body.fault,
        "count": count,
    })))
}

async fn heal(_: Admin, State(app): State<Arc<App>>) -> Response {
    app.heal();
    answer::json(&json!({}))
}

async fn requests(_: Admin, State(app): State<Arc<App>>) -> Response {
    let faults = app.faults();
    let counts: serde_json::Map<String, serde_json::Value> = super::operations()
        .map(|id| (id.to_owned(), faults.received(id).unwrap_or(0).into()))
        .collect();
    answer::json(&json!({ "requests": counts }))
}

async fn audit_log(
    _: Admin,
    State(app): State<Arc<App>>,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    let log = app
        .state()
        .audit_log(&slug)
        .ok_or_else(|| SetupError::UnknownOrganization(slug.clone()))?;
    Ok(answer::json(&json!({ "audit_logs": log })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    username: String,
}

async fn add_user(
    _: Admin,
    State(app): State<Arc<App>>,
    Json(body): Json<UserBody>,
) -> Result<Response, ApiError> {
    let token = app.add_user(&body.username)?;
    Ok(answer::json(&json!({
        "username": body.username,
        "token": token.expose_secret(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationBody {
    slug: String,
    role: Option<String>,
}

/// A role named in a body.
fn role(name: &str) -> Result<MemberRole, ApiError> {
    name.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "no role is named {name:?}: owner, admin, member or viewer"
        ))
    })
}

async fn add_organization(
    _: Admin,
    State(app): State<Arc<App>>,
    Json(body): Json<OrganizationBody>,
) -> Result<Response, ApiError> {
    let role = body.role.as_deref().map(role).transpose()?;
    let user = app.first_user().to_owned();
    app.setup(|state| {
        state.add_organization(&body.slug, &user, role.unwrap_or(MemberRole::Owner))
    })?;
    Ok(answer::json(&json!({ "slug": body.slug })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    username: String,
    role: String,
}

async fn add_member(
    _: Admin,
    State(app): State<Arc<App>>,
    Names(slug): Names<String>,
    Json(body): Json<MemberBody>,
) -> Result<Response, ApiError> {
    let role = role(&body.role)?;
    app.setup(|state| state.add_member(&slug, &body.username, role))?;
    Ok(answer::json(
        &json!({ "username": body.username, "role": role }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    plan: String,
}

async fn set_plan(
    _: Admin,
    State(app): State<Arc<App>>,
    Names(slug): Names<String>,
    Json(body): Json<PlanBody>,
) -> Result<Response, ApiError> {
    let plan = Plan::named(&body.plan).ok_or_else(|| {
        ApiError::bad_request(format!(
            "no plan is named {:?}: starter, developer, scaler or pro",
            body.plan
        ))
    })?;
    app.setup(|state| state.set_plan(&slug, plan))?;
    Ok(answer::json(&json!({ "plan": body.plan })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: String,
}

async fn add_group(
    _: Admin,
    State(app): State<Arc<App>>,
    Names(slug): Names<String>,
    Json(body): Json<GroupBody>,
) -> Result<Response, ApiError> {
    app.setup(|state| state.add_group(&slug, &body.name))?;
    Ok(answer::json(&json!({ "name": body.name })))
}

async fn archive_group(
    _: Admin,
    State(app): State<Arc<App>>,
    Names((slug, group)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.setup(|state| state.archive_group(&slug, &group))?;
    Ok(answer::json(&json!({ "name": group, "archived": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseBody {
    name: String,
    group: String,
}

async fn add_database(
    _: Admin,
    State(app): State<Arc<App>>,
    Names(slug): Names<String>,
    Json(body): Json<DatabaseBody>,
) -> Result<Response, ApiError> {
    app.add_database(&slug, &body.group, &body.name)?;
    Ok(answer::json(
        &json!({ "name": body.name, "group": body.group }),
    ))
}

async fn reset(_: Admin, State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    app.reset()
        .map_err(|e| SetupError::Unsaved(e.to_string()))?;
    Ok(answer::json(&json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadinessBody {
    lag_ms: u64,
}

async fn set_readiness_lag(
    _: Admin,
    State(app): State<Arc<App>>,
    Json(body): Json<ReadinessBody>,
) -> Response {
    app.set_readiness_lag(Duration::from_millis(body.lag_ms));
    answer::json(&json!({ "lag_ms": body.lag_ms }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_equal_strings_are_the_same() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
        assert!(same(b"", b""));
    }
}
