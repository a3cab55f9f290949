//! The audit log of each organization: every change the fake made there, who made it
//! and when, as `listOrganizationAuditLogs` pages it.
//!
//! An entry keeps what it names once: its data, whose values are shared with the state
//! where they come from (an invite's address), and its code; its message is made from
//! them when it is read ([`Code::message`]).

use std::sync::Arc;
use std::time::SystemTime;

use super::{Plan, State};
use crate::fake::answer::ApiError;
use crate::fake::auth::Caller;
use crate::fake::request::AuditLogQuery;
use crate::generated::types;
use crate::timestamp;

/// What an audit entry records: its `code`, the keys of its `data`, and its message,
/// whose `{key}` placeholders are that data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    DbCreate,
    DbDelete,
    DbProtect,
    DbUnprotect,
    DbConfigure,
    DbTokenCreate,
    DbTokenRotate,
    GroupCreate,
    GroupDelete,
    GroupUnarchive,
    GroupProtect,
    GroupUnprotect,
    GroupConfigure,
    GroupTokenCreate,
    GroupTokenRotate,
    GroupTransfer,
    GroupUpdate,
    InstanceCreate,
    InstanceDelete,
    UserTokenCreate,
    UserTokenRevoke,
    OrgMemberAdd,
    OrgMemberRm,
    OrgMemberLeave,
    OrgMemberRoleUpdate,
    OrgSetOverages,
    OrgUpdate,
    OrgInviteCreate,
    OrgInviteDelete,
}

impl Code {
    /// The code as the API writes it, and the message's template.
    fn text(self) -> (&'static str, &'static str) {
        match self {
            Code::DbCreate => ("db-create", "created database {name} in group {group}"),
            Code::DbDelete => ("db-delete", "deleted database {name}"),
            Code::DbProtect => ("db-protect", "protected database {name} from deletion"),
            Code::DbUnprotect => ("db-unprotect", "allowed database {name} to be deleted"),
            Code::DbConfigure => ("db-configure", "configured database {name}"),
            Code::DbTokenCreate => (
                "db-token-create",
                "minted a {authorization} token for database {name}",
            ),
            Code::DbTokenRotate => (
                "db-token-rotate",
                "invalidated every token of database {name}",
            ),
            Code::GroupCreate => ("group-create", "created group {name} in {location}"),
            Code::GroupDelete => ("group-delete", "deleted group {name} and its databases"),
            Code::GroupUnarchive => ("group-unarchive", "unarchived group {name}"),
            Code::GroupProtect => ("group-protect", "protected group {name} from deletion"),
            Code::GroupUnprotect => ("group-unprotect", "allowed group {name} to be deleted"),
            Code::GroupConfigure => ("group-configure", "configured group {name}"),
            Code::GroupTokenCreate => (
                "group-token-create",
                "minted a {authorization} token for group {name}",
            ),
            Code::GroupTokenRotate => (
                "group-token-rotate",
                "invalidated every token of group {name}",
            ),
            Code::GroupTransfer => (
                "group-transfer",
                "transferred group {name} from {from} to {to}",
            ),
            Code::GroupUpdate => ("group-update", "updated the databases of group {name}"),
            Code::InstanceCreate => ("instance-create", "added {location} to group {group}"),
            Code::InstanceDelete => ("instance-delete", "removed {location} from group {group}"),
            Code::UserTokenCreate => ("user-token-create", "created API token {name}"),
            Code::UserTokenRevoke => ("user-token-revoke", "revoked API token {name}"),
            Code::OrgMemberAdd => ("org-member-add", "added {username} as {role}"),
            Code::OrgMemberRm => ("org-member-rm", "removed {username}"),
            Code::OrgMemberLeave => ("org-member-leave", "{username} left"),
            Code::OrgMemberRoleUpdate => ("org-member-role-update", "made {username} {role}"),
            Code::OrgSetOverages => ("org-set-overages", "set overages to {overages}"),
            Code::OrgUpdate => ("org-update", "set require_mfa to {require_mfa}"),
            Code::OrgInviteCreate => ("org-invite-create", "invited {email} as {role}"),
            Code::OrgInviteDelete => ("org-invite-delete", "withdrew the invite of {email}"),
        }
    }

    /// The code as the API writes it.
    pub(crate) fn as_str(self) -> &'static str {
        self.text().0
    }

    /// The message of an entry with this code and `data`.
    fn message(self, data: &[(&'static str, Arc<str>)]) -> String {
        let mut message = self.text().1.to_owned();
        for (key, value) in data {
            message = message.replace(&format!("{{{key}}}"), value);
        }
        message
    }
}

/// One change, as the log keeps it.
#[derive(Debug)]
pub(crate) struct AuditEntry {
    code: Code,
    author: String,
    created_at: String,
    data: Vec<(&'static str, Arc<str>)>,
}

impl AuditEntry {
    /// The entry as the API answers it.
    pub(crate) fn answer(&self) -> types::AuditLog {
        types::AuditLog::default()
            .with_code(self.code.as_str())
            .with_message(self.code.message(&self.data))
            .with_origin("web")
            .with_author(self.author.clone())
            .with_created_at(self.created_at.clone())
            .with_data(
                self.data
                    .iter()
                    .map(|(key, value)| ((*key).to_owned(), value.as_ref().into()))
                    .collect::<serde_json::Map<_, _>>(),
            )
    }
}

impl State {
    /// Logs a change in the organization `slug` (if it still exists), made by the
    /// caller's user: `code` says what it was, `data` what it was made on.
    pub(super) fn audit<V: Into<Arc<str>>>(
        &mut self,
        slug: &str,
        caller: &Caller,
        code: Code,
        data: impl IntoIterator<Item = (&'static str, V)>,
    ) {
        let Some(organization) = self.organizations.get_mut(slug) else {
            return;
        };
        organization.audit.push(AuditEntry {
            code,
            author: caller.username.clone(),
            created_at: timestamp::format(SystemTime::now()),
            data: data
                .into_iter()
                .map(|(key, value)| (key, value.into()))
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

/// The code of the audit entry of a configuration change: `codes` are those of
/// protecting it from deletion, allowing its deletion, and any other change.
pub(super) fn configuration_code(codes: [Code; 3], delete_protection: Option<bool>) -> Code {
    let [protect, unprotect, configure] = codes;
    match delete_protection {
        Some(true) => protect,
        Some(false) => unprotect,
        None => configure,
    }
}
