//! The audit log of each organization: every change the fake made there, who made it
//! and when, as `listOrganizationAuditLogs` pages it.
//!
//! An entry keeps its code and its data; its message is made from them when it is read
//! ([`message`]), so that what it names is kept once.

use serde::{Deserialize, Serialize};

use super::{Plan, State};
use crate::caller::{Caller, Origin};
use crate::http::AuditLogQuery;
use crate::http::answer::ApiError;
use turso_platform::generated::types;
use turso_platform::{AuditCode, Timestamp};

/// What the fake logs: each code of Turso's list it writes (the codes themselves are the
/// client's [`AuditCode`], so that their words are kept once) with its message, whose
/// `{key}` placeholders are the keys of the entry's `data`. Changes Turso's list has no
/// code for are not logged (see the crate's documentation), nor are `user-signup` and
/// `user-delete` (the fake has no sign-up).
const LOGGED: &[(AuditCode, &str)] = &[
    (
        AuditCode::DbCreate,
        "created database {name} in group {group}",
    ),
    (AuditCode::DbDelete, "deleted database {name}"),
    (
        AuditCode::DbProtect,
        "protected database {name} from deletion",
    ),
    (
        AuditCode::DbUnprotect,
        "allowed database {name} to be deleted",
    ),
    (
        AuditCode::DbTokenCreate,
        "minted a {authorization} token for database {name}",
    ),
    (AuditCode::GroupCreate, "created group {name} in {location}"),
    (
        AuditCode::GroupDelete,
        "deleted group {name} and its databases",
    ),
    (AuditCode::GroupUnarchive, "unarchived group {name}"),
    (
        AuditCode::GroupProtect,
        "protected group {name} from deletion",
    ),
    (
        AuditCode::GroupUnprotect,
        "allowed group {name} to be deleted",
    ),
    (
        AuditCode::GroupTokenCreate,
        "minted a {authorization} token for group {name}",
    ),
    (
        AuditCode::InstanceCreate,
        "added {location} to group {group}",
    ),
    (
        AuditCode::InstanceDelete,
        "removed {location} from group {group}",
    ),
    (AuditCode::UserTokenCreate, "created API token {name}"),
    (AuditCode::OrgCreate, "created organization {name}"),
    (AuditCode::OrgDelete, "deleted organization {name}"),
    (AuditCode::OrgMemberAdd, "added {username} as {role}"),
    (AuditCode::OrgMemberRm, "removed {username}"),
    (AuditCode::OrgMemberLeave, "{username} left"),
    (AuditCode::OrgPlanUpdate, "changed the plan to {plan}"),
    (AuditCode::OrgSetOverages, "set overages to {overages}"),
];

/// The message template of `code`, if the fake logs it.
fn template(code: &AuditCode) -> Option<&'static str> {
    LOGGED
        .iter()
        .find(|(logged, _)| logged == code)
        .map(|(_, template)| *template)
}

/// The keys of the data of an entry with a message made from `template`.
fn keys(template: &'static str) -> Vec<&'static str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(key, _)| key))
        .collect()
}

/// The message of an entry made from `template` and `data`.
fn message(template: &str, data: &[(&'static str, String)]) -> String {
    let mut message = template.to_owned();
    for (key, value) in data {
        message = message.replace(&format!("{{{key}}}"), value);
    }
    message
}

/// How many entries the log of an organization keeps: past it, the oldest go, so that a
/// fake that runs for long holds steady memory. `total_rows` counts the kept entries.
pub(crate) const KEPT_ENTRIES: usize = 10_000;

/// One change, as the log keeps it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(try_from = "StoredEntry")]
pub(crate) struct AuditEntry {
    #[serde(serialize_with = "code_name")]
    code: AuditCode,
    origin: Origin,
    author: String,
    created_at: String,
    data: Vec<(&'static str, String)>,
}

fn code_name<S: serde::Serializer>(code: &AuditCode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(code.as_str())
}

/// An [`AuditEntry`] as it is read back: its code and data keys are checked against the
/// codes this fake logs.
#[derive(Deserialize)]
struct StoredEntry {
    code: String,
    origin: Origin,
    author: String,
    created_at: String,
    data: Vec<(String, String)>,
}

impl TryFrom<StoredEntry> for AuditEntry {
    type Error = String;

    fn try_from(stored: StoredEntry) -> Result<Self, String> {
        let code: AuditCode = stored.code.parse().unwrap_or_else(|never| match never {});
        let keys = keys(template(&code).ok_or_else(|| format!("no audit code is {code:?}"))?);
        let data = stored
            .data
            .into_iter()
            .map(|(key, value)| {
                let key = keys
                    .iter()
                    .find(|known| **known == key)
                    .ok_or_else(|| format!("an entry {} has no data {key:?}", code.as_str()))?;
                Ok((*key, value))
            })
            .collect::<Result<_, String>>()?;
        Ok(AuditEntry {
            code,
            origin: stored.origin,
            author: stored.author,
            created_at: stored.created_at,
            data,
        })
    }
}

impl AuditEntry {
    /// The entry as the API answers it.
    pub(crate) fn answer(&self) -> types::AuditLog {
        types::AuditLog::default()
            .with_code(self.code.as_str())
            .with_message(message(
                template(&self.code).unwrap_or_default(),
                &self.data,
            ))
            .with_origin(self.origin.as_str())
            .with_author(self.author.clone())
            .with_created_at(self.created_at.clone())
            .with_data(
                self.data
                    .iter()
                    .map(|(key, value)| ((*key).to_owned(), value.as_str().into()))
                    .collect::<serde_json::Map<_, _>>(),
            )
    }
}

impl State {
    /// Logs a change in the organization `slug` (if it still exists), made by the
    /// caller's user: `code` says what it was, `data` what it was made on.
    pub(super) fn audit<'a>(
        &mut self,
        slug: &str,
        caller: &Caller,
        code: AuditCode,
        data: impl IntoIterator<Item = (&'static str, &'a str)>,
    ) {
        debug_assert!(template(&code).is_some(), "{code} is not a logged code");
        let Some(organization) = self.organizations.get_mut(slug) else {
            return;
        };
        if organization.audit.len() >= KEPT_ENTRIES {
            organization.audit.pop_front();
        }
        organization.audit.push_back(AuditEntry {
            code,
            origin: caller.origin,
            author: caller.username.clone(),
            created_at: Timestamp::now().to_string(),
            data: data
                .into_iter()
                .map(|(key, value)| (key, value.to_owned()))
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
            .collect::<Vec<_>>();
        let total_rows = log.len();
        let total_pages = total_rows.div_ceil(page_size as usize);
        Ok(types::AuditLogPage::default()
            .with_audit_logs(audit_logs)
            .with_pagination(
                types::Pagination::default()
                    .with_page(i32::try_from(page).unwrap_or(i32::MAX))
                    .with_page_size(i32::try_from(page_size).unwrap_or(i32::MAX))
                    .with_total_pages(i32::try_from(total_pages).unwrap_or(i32::MAX))
                    .with_total_rows(i64::try_from(total_rows).unwrap_or(i64::MAX))
                    .with_sort("desc"),
            ))
    }

    /// The whole log of `slug`, newest first, for [`FakeTurso::audit_log`].
    ///
    /// [`FakeTurso::audit_log`]: crate::FakeTurso::audit_log
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

impl super::Organization {
    /// Removes the newest audit entry if it is `code` naming `name` (a change undone).
    pub(super) fn forget_newest_audit_entry(&mut self, code: &AuditCode, name: &str) {
        let newest = self.audit.back().is_some_and(|entry| {
            entry.code == *code
                && entry
                    .data
                    .iter()
                    .any(|(key, value)| *key == "name" && value == name)
        });
        if newest {
            self.audit.pop_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::Restriction;
    use crate::ids::Ids;

    /// A long run holds steady memory: the log keeps its newest entries only.
    #[test]
    fn the_log_keeps_the_newest_entries_only() {
        let (mut state, _) = crate::Seed::default().state(Ids::new().unwrap());
        let caller = Caller {
            username: crate::USERNAME.to_owned(),
            restriction: Restriction::Unrestricted,
            origin: Origin::Web,
        };
        for i in 0..KEPT_ENTRIES + 5 {
            let name = i.to_string();
            state.audit(
                "fake-org",
                &caller,
                AuditCode::DbCreate,
                [("name", name.as_str())],
            );
        }
        let log = state.audit_log("fake-org").unwrap();
        assert_eq!(log.len(), KEPT_ENTRIES);
        let newest = (KEPT_ENTRIES + 4).to_string();
        assert_eq!(log[0].data["name"], newest.as_str());
        assert_eq!(log[KEPT_ENTRIES - 1].data["name"], "5");
    }

    /// The table of codes and data keys in BEHAVIOUR.md is this module's, row for row.
    #[test]
    fn the_documented_codes_and_data_are_the_logged_ones() {
        let contract = include_str!("../../BEHAVIOUR.md");
        let rows: Vec<String> = LOGGED
            .iter()
            .map(|(code, template)| {
                let keys: Vec<String> = keys(template).iter().map(|k| format!("`{k}`")).collect();
                format!("| `{code}` | {} |", keys.join(", "))
            })
            .collect();
        let section = contract
            .split("\n## ")
            .find(|section| section.starts_with("The audit log"))
            .expect("BEHAVIOUR.md has a section on the audit log");
        let documented: Vec<&str> = section
            .lines()
            .filter(|line| line.starts_with("| `"))
            .collect();
        assert_eq!(documented, rows);
    }
}
