//! The handler of the audit log.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::Shared;
use crate::fake::answer::ApiError;
use crate::fake::auth::Authenticated;
use crate::fake::request::{AuditLogQuery, Names};

pub(super) async fn list_organization_audit_logs(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = AuditLogQuery::read(query.as_deref())?;
    app.respond(&caller, |state, caller| {
        state.list_organization_audit_logs(caller, &slug, query)
    })
}
