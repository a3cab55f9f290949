//! Options for the audit log: which page, and how large.

use std::num::NonZeroU32;

use crate::Error;

/// The largest page of audit log entries the client asks for (and the API's default).
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

/// The largest page number the spec allows (an `int32`).
const MAX_PAGE: u32 = i32::MAX as u32;

/// Which page of the audit log [`Client::list_organization_audit_logs`] reads, and how
/// many entries a page holds: the first page of 100 (the newest entries) unless you say
/// otherwise. [`Client::audit_log_stream`] reads every page for you.
///
/// ```
/// use turso_platform::AuditLogOptions;
///
/// let newest = AuditLogOptions::new();
/// let third_of_twenty = AuditLogOptions::new().page(3).page_size(20);
/// ```
///
/// [`Client::list_organization_audit_logs`]: crate::Client::list_organization_audit_logs
/// [`Client::audit_log_stream`]: crate::Client::audit_log_stream
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditLogOptions {
    page: Option<u32>,
    page_size: Option<u32>,
}

impl AuditLogOptions {
    /// The first page, of 100 entries.
    ///
    /// ```
    /// assert_eq!(turso_platform::AuditLogOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The page to read, counted from 1 (the newest entries). 0, and pages past
    /// `i32::MAX` (the spec's `int32`), are refused before anything is sent.
    ///
    /// ```
    /// let second = turso_platform::AuditLogOptions::new().page(2);
    /// ```
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// How many entries a page holds, from 1 to 100; anything else is refused before
    /// anything is sent, so that a page stays small in memory.
    ///
    /// ```
    /// let small = turso_platform::AuditLogOptions::new().page_size(10);
    /// ```
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// The `page` and `page_size` query values, checked.
    pub(crate) fn to_query(self) -> Result<(Option<NonZeroU32>, Option<NonZeroU32>), Error> {
        let page = self
            .page
            .map(|page| {
                NonZeroU32::new(page)
                    .filter(|page| page.get() <= MAX_PAGE)
                    .ok_or_else(|| {
                        Error::InvalidArgument(format!(
                            "audit log pages are counted from 1 to {MAX_PAGE} (a 32-bit \
                             integer in the spec): page {page} does not exist"
                        ))
                    })
            })
            .transpose()?;
        let page_size = self.page_size.map(checked_page_size).transpose()?;
        Ok((page, page_size))
    }
}

/// `page_size`, if it is from 1 to [`MAX_PAGE_SIZE`].
pub(crate) fn checked_page_size(page_size: u32) -> Result<NonZeroU32, Error> {
    NonZeroU32::new(page_size)
        .filter(|size| size.get() <= MAX_PAGE_SIZE)
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "an audit log page holds from 1 to {MAX_PAGE_SIZE} entries, not {page_size}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_sizes_are_checked() {
        assert_eq!(AuditLogOptions::new().to_query().unwrap(), (None, None));
        let (page, size) = AuditLogOptions::new()
            .page(3)
            .page_size(100)
            .to_query()
            .unwrap();
        assert_eq!(
            (page.map(NonZeroU32::get), size.map(NonZeroU32::get)),
            (Some(3), Some(100))
        );
        for refused in [
            AuditLogOptions::new().page(0),
            AuditLogOptions::new().page(u32::MAX),
            AuditLogOptions::new().page_size(0),
            AuditLogOptions::new().page_size(101),
            AuditLogOptions::new().page_size(u32::MAX),
        ] {
            assert!(
                matches!(refused.to_query(), Err(Error::InvalidArgument(_))),
                "{refused:?}"
            );
        }
    }
}
