//! The audit log of each organization: every change the fake made there, who made it
//! and when, as `listOrganizationAuditLogs` pages it.

use std::time::SystemTime;

use super::{Plan, State};
use crate::fake::answer::ApiError;
use crate::fake::auth::Caller;
use crate::fake::request::AuditLogQuery;
use crate::generated::types;
use crate::timestamp;

/// One change, as the log keeps it.
#[derive(Debug)]
pub(crate) struct AuditEntry {
    code: &'static str,
    message: String,
    author: String,
    created_at: String,
    data: serde_json::Map<String, serde_json::Value>,
}

impl AuditEntry {
    /// The entry as the API answers it.
    pub(crate) fn answer(&self) -> types::AuditLog {
        types::AuditLog::default()
            .with_code(self.code)
            .with_message(self.message.clone())
            .with_origin("web")
            .with_author(self.author.clone())
            .with_created_at(self.created_at.clone())
            .with_data(self.data.clone())
    }
}

impl State {
    /// Logs a change in the organization `slug` (if it still exists), made by the
    /// caller's user: `code` says what it was, `data` what it was made on.
    pub(super) fn audit<'a>(
        &mut self,
        slug: &str,
        caller: &Caller,
        code: &'static str,
        message: String,
        data: impl IntoIterator<Item = (&'static str, &'a str)>,
    ) {
        let Some(organization) = self.organizations.get_mut(slug) else {
            return;
        };
        organization.audit.push(AuditEntry {
            code,
            message,
            author: caller.username.clone(),
            created_at: timestamp::format(SystemTime::now()),
            data: data
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value.into()))
                .collect(),
        });
    }

    /// `listOrganizationAuditLogs`: newest first, a page at a time. Owners and admins
    /// only, on a paid plan.
    pub(crate) fn list_organization_audit_logs(
        &self,
        caller: &Caller,
        slug: &str,
        query: AuditLogQuery,
    ) -> Result<types::AuditLogPage, ApiError> {
        let organization = self.administered(caller, slug, "read the audit log")?;
        if organization.plan == Plan::Starter {
            return Err(ApiError::payment_required(
                "audit logs are not available on the starter plan: upgrade to read them",
            ));
        }
        let log = &organization.audit;
        let (page, page_size) = (query.page, query.page_size);
        let skip = (page as usize - 1).saturating_mul(page_size as usize);
        let audit_logs = log
            .iter()
            .rev()
            .skip(skip)
            .take(page_size as usize)
            .map(AuditEntry::answer)
            .collect();
        let total_rows = log.len();
        let total_pages = total_rows.div_ceil(page_size as usize);
        Ok(types::AuditLogPage {
            audit_logs,
            pagination: Some(
                types::Pagination::default()
                    .with_page(i32::try_from(page).unwrap_or(i32::MAX))
                    .with_page_size(i32::try_from(page_size).unwrap_or(i32::MAX))
                    .with_total_pages(i32::try_from(total_pages).unwrap_or(i32::MAX))
                    .with_total_rows(i64::try_from(total_rows).unwrap_or(i64::MAX))
                    .with_sort("desc"),
            ),
        })
    }

    /// The whole log of `slug`, newest first, for [`FakeTurso::audit_log`].
    ///
    /// [`FakeTurso::audit_log`]: crate::fake::FakeTurso::audit_log
    pub(crate) fn audit_log(&self, slug: &str) -> Option<Vec<types::AuditLog>> {
        let organization = self.organizations.get(slug)?;
        Some(
            organization
                .audit
                .iter()
                .rev()
                .map(AuditEntry::answer)
                .collect(),
        )
    }
}

/// The code and message of the audit entry of a configuration change of `what` (such as
/// `database orders`): `codes` are those of protecting it from deletion, allowing its
/// deletion, and any other change.
pub(super) fn configuration_entry(
    codes: [&'static str; 3],
    what: &str,
    delete_protection: Option<bool>,
) -> (&'static str, String) {
    let [protect, unprotect, configure] = codes;
    match delete_protection {
        Some(true) => (protect, format!("protected {what} from deletion")),
        Some(false) => (unprotect, format!("allowed {what} to be deleted")),
        None => (configure, format!("configured {what}")),
    }
}
