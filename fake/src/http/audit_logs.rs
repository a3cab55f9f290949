//! The handler of the audit log.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::extract::{bad_value, query_values};
use super::{Operation, Shared};
use axum::routing::on;

use crate::http::answer::ApiError;
use crate::http::extract::Authenticated;
use crate::http::extract::Names;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[("listOrganizationAuditLogs", |m| {
    on(m, list_organization_audit_logs)
})];

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

/// The query of `listOrganizationAuditLogs`: a page, counted from 1, of 1 to 100
/// entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuditLogQuery {
    pub(crate) page: u32,
    pub(crate) page_size: u32,
}

impl AuditLogQuery {
    pub(crate) fn read(query: Option<&str>) -> Result<Self, ApiError> {
        let mut values = query_values(query, &["page", "page_size"])?;
        let number = |name: &str, text: Option<String>, default: u32, max: u32| {
            let Some(text) = text else {
                return Ok(default);
            };
            text.parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| bad_value(format!("invalid {name}: give a number from 1 to {max}")))
        };
        Ok(Self {
            page: number("page", values.remove("page"), 1, i32::MAX as u32)?,
            page_size: number("page_size", values.remove("page_size"), 100, 100)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_log_pages_are_counted_from_1_and_hold_1_to_100_entries() {
        let read = |query| AuditLogQuery::read(Some(query)).map_err(|e| e.message().to_owned());
        assert_eq!(
            AuditLogQuery::read(None).unwrap(),
            AuditLogQuery {
                page: 1,
                page_size: 100
            }
        );
        assert_eq!(
            read("page=3&page_size=20"),
            Ok(AuditLogQuery {
                page: 3,
                page_size: 20
            })
        );
        for bad in [
            "page=0",
            "page_size=0",
            "page_size=101",
            "page=-1",
            "page=x",
            "page=1&page=2",
            "page=2147483648",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
