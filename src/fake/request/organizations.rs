//! The bodies and queries of the organization operations: a settings change, which
//! invoices to list, which page of the audit log to read.

use serde::Deserialize;

use super::{bad_value, present, query_values};
use crate::fake::answer::ApiError;
use crate::generated::types::InvoiceType;

/// The body of `updateOrganization` (`UpdateOrganizationInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UpdateOrganizationBody {
    #[serde(default, deserialize_with = "present")]
    pub(crate) overages: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) require_mfa: Option<bool>,
}

/// The `type` query of `listOrganizationInvoices`.
pub(crate) fn invoice_type(query: Option<&str>) -> Result<Option<InvoiceType>, ApiError> {
    query_values(query, &["type"])?
        .remove("type")
        .map(|text| {
            text.parse().map_err(|_| {
                bad_value("invalid invoice type: give all, upcoming or issued".to_owned())
            })
        })
        .transpose()
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

    #[test]
    fn invoice_types_are_the_spec_s() {
        assert_eq!(invoice_type(None).unwrap(), None);
        assert_eq!(
            invoice_type(Some("type=issued")).unwrap(),
            Some(InvoiceType::Issued)
        );
        assert!(invoice_type(Some("type=paid")).is_err());
    }
}
