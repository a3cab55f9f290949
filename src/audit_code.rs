//! What an audit log entry records, as a type: Turso's codes, and any other it adds.

use std::fmt;
use std::str::FromStr;

use crate::Timestamp;
use crate::generated::types::AuditLog;

/// The code of an [`AuditLog`] entry: what was done. Turso's list (the one its spec
/// gives) is named; a code it adds later is [`AuditCode::Other`], never an error, so a new
/// code fails no page. Read it with [`AuditLog::audit_code`].
///
/// The keys of an entry's `data` depend on its code. Turso does not document them; each
/// variant names the ones the local Turso (`turso-platform-fake`) writes, all strings,
/// which are those its messages name (`db-create`: "created database {name} in group
/// {group}"). Read them with `entry.data.get("name")`;
/// `data` is a [`serde_json::Map`].
///
/// ```
/// use turso_platform::AuditCode;
///
/// assert_eq!("db-create".parse::<AuditCode>(), Ok(AuditCode::DbCreate));
/// assert_eq!(AuditCode::DbCreate.as_str(), "db-create");
/// let new: AuditCode = "db-teleport".parse().unwrap();
/// assert_eq!(new, AuditCode::Other("db-teleport".to_owned()));
/// assert_eq!(new.to_string(), "db-teleport");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditCode {
    /// `user-signup`: `data` keys undocumented (the local Turso never writes it).
    UserSignup,
    /// `user-delete`: `data` keys undocumented (the local Turso never writes it).
    UserDelete,
    /// `db-create`: `data` holds `name`, `group`.
    DbCreate,
    /// `db-delete`: `data` holds `name`.
    DbDelete,
    /// `db-protect`: `data` holds `name`.
    DbProtect,
    /// `db-unprotect`: `data` holds `name`.
    DbUnprotect,
    /// `db-token-create`: `data` holds `authorization`, `name`.
    DbTokenCreate,
    /// `group-token-create`: `data` holds `authorization`, `name`.
    GroupTokenCreate,
    /// `user-token-create`: `data` holds `name`.
    UserTokenCreate,
    /// `instance-create`: `data` holds `location`, `group`.
    InstanceCreate,
    /// `instance-delete`: `data` holds `location`, `group`.
    InstanceDelete,
    /// `org-create`: `data` holds `name`.
    OrgCreate,
    /// `org-delete`: `data` holds `name`.
    OrgDelete,
    /// `org-member-add`: `data` holds `username`, `role`.
    OrgMemberAdd,
    /// `org-member-rm`: `data` holds `username`.
    OrgMemberRm,
    /// `org-member-leave`: `data` holds `username`.
    OrgMemberLeave,
    /// `org-plan-update`: `data` holds `plan`.
    OrgPlanUpdate,
    /// `org-set-overages`: `data` holds `overages`.
    OrgSetOverages,
    /// `group-create`: `data` holds `name`, `location`.
    GroupCreate,
    /// `group-delete`: `data` holds `name`.
    GroupDelete,
    /// `group-unarchive`: `data` holds `name`.
    GroupUnarchive,
    /// `group-protect`: `data` holds `name`.
    GroupProtect,
    /// `group-unprotect`: `data` holds `name`.
    GroupUnprotect,
    /// A code this version does not name, as the API wrote it.
    Other(String),
}

/// Every named code, with its word.
const CODES: &[(AuditCode, &str)] = &[
    (AuditCode::UserSignup, "user-signup"),
    (AuditCode::UserDelete, "user-delete"),
    (AuditCode::DbCreate, "db-create"),
    (AuditCode::DbDelete, "db-delete"),
    (AuditCode::DbProtect, "db-protect"),
    (AuditCode::DbUnprotect, "db-unprotect"),
    (AuditCode::DbTokenCreate, "db-token-create"),
    (AuditCode::GroupTokenCreate, "group-token-create"),
    (AuditCode::UserTokenCreate, "user-token-create"),
    (AuditCode::InstanceCreate, "instance-create"),
    (AuditCode::InstanceDelete, "instance-delete"),
    (AuditCode::OrgCreate, "org-create"),
    (AuditCode::OrgDelete, "org-delete"),
    (AuditCode::OrgMemberAdd, "org-member-add"),
    (AuditCode::OrgMemberRm, "org-member-rm"),
    (AuditCode::OrgMemberLeave, "org-member-leave"),
    (AuditCode::OrgPlanUpdate, "org-plan-update"),
    (AuditCode::OrgSetOverages, "org-set-overages"),
    (AuditCode::GroupCreate, "group-create"),
    (AuditCode::GroupDelete, "group-delete"),
    (AuditCode::GroupUnarchive, "group-unarchive"),
    (AuditCode::GroupProtect, "group-protect"),
    (AuditCode::GroupUnprotect, "group-unprotect"),
];

impl AuditCode {
    /// The code as the API writes it.
    ///
    /// ```
    /// assert_eq!(turso_platform::AuditCode::OrgMemberAdd.as_str(), "org-member-add");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            AuditCode::Other(code) => code,
            named => CODES
                .iter()
                .find(|(code, _)| code == named)
                .map_or("", |(_, word)| word),
        }
    }
}

impl FromStr for AuditCode {
    type Err = std::convert::Infallible;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        Ok(CODES.iter().find(|(_, known)| *known == word).map_or_else(
            || AuditCode::Other(word.to_owned()),
            |(code, _)| code.clone(),
        ))
    }
}

impl fmt::Display for AuditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AuditLog {
    /// The entry's code as an [`AuditCode`], if it has one.
    ///
    /// ```
    /// use turso_platform::{AuditCode, AuditLog};
    ///
    /// let entry = AuditLog::default().with_code("db-delete");
    /// assert_eq!(entry.audit_code(), Some(AuditCode::DbDelete));
    /// ```
    pub fn audit_code(&self) -> Option<AuditCode> {
        self.code.as_deref().map(|code| match code.parse() {
            Ok(code) => code,
            Err(never) => match never {},
        })
    }

    /// When it was done, if the entry says so in RFC 3339 (as the API writes it).
    ///
    /// ```
    /// use turso_platform::AuditLog;
    ///
    /// let entry = AuditLog::default().with_created_at("2026-05-21T10:00:00Z");
    /// let at = entry.created_at_timestamp().unwrap();
    /// assert_eq!(at.to_string(), "2026-05-21T10:00:00Z");
    /// ```
    pub fn created_at_timestamp(&self) -> Option<Timestamp> {
        self.created_at.as_deref()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_code_reads_back() {
        for (code, word) in CODES {
            assert_eq!(word.parse::<AuditCode>().unwrap(), *code);
            assert_eq!(code.as_str(), *word);
        }
    }

    /// The named codes are those the spec's description of `AuditLog.code` lists, no
    /// more and no fewer.
    #[test]
    fn the_named_codes_are_the_spec_s() {
        let spec = include_str!("../openapi.yaml");
        let start = spec
            .find("What was done, as a code:")
            .expect("the code's description");
        let end = start + spec[start..].find("and others").expect("its end");
        let listed: Vec<&str> = spec[start..end].split('`').skip(1).step_by(2).collect();
        let named: Vec<&str> = CODES.iter().map(|(_, word)| *word).collect();
        let mut sorted = (listed.clone(), named.clone());
        sorted.0.sort_unstable();
        sorted.1.sort_unstable();
        assert_eq!(sorted.0, sorted.1, "the spec lists {listed:?}");
    }
}
