//! Options for the organization operations: which invoices to list.

use crate::generated::types::InvoiceType;

/// Which invoices [`Client::list_organization_invoices`] lists: all of them unless you
/// say otherwise.
///
/// ```
/// use turso_platform::{InvoiceType, ListInvoicesOptions};
///
/// let all = ListInvoicesOptions::new();
/// let issued = ListInvoicesOptions::new().invoice_type(InvoiceType::Issued);
/// ```
///
/// [`Client::list_organization_invoices`]: crate::Client::list_organization_invoices
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListInvoicesOptions {
    invoice_type: Option<InvoiceType>,
}

impl ListInvoicesOptions {
    /// Every invoice.
    ///
    /// ```
    /// assert_eq!(turso_platform::ListInvoicesOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the invoices of this kind (the `type` query parameter).
    ///
    /// ```
    /// use turso_platform::{InvoiceType, ListInvoicesOptions};
    ///
    /// let upcoming = ListInvoicesOptions::new().invoice_type(InvoiceType::Upcoming);
    /// ```
    pub fn invoice_type(mut self, invoice_type: InvoiceType) -> Self {
        self.invoice_type = Some(invoice_type);
        self
    }

    /// The `type` query value.
    pub(crate) fn to_query(self) -> Option<InvoiceType> {
        self.invoice_type
    }
}
