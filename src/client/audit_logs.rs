//! The audit log of an organization: one page, or every page as a stream.

use crate::generated::types::AuditLogPage;
use crate::transport::path::segment;
use crate::{AuditLogOptions, AuditLogStream, Client, Error};

impl Client {
    /// One page of the audit log of the organization `org`, newest entries first, with
    /// its [`pagination`](AuditLogPage::pagination) (`listOrganizationAuditLogs`). Only
    /// owners and admins may. [`audit_log_stream`](Client::audit_log_stream) reads every
    /// page for you.
    ///
    /// ```no_run
    /// use turso_platform::AuditLogOptions;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let page = client
    ///     .list_organization_audit_logs("my-org", &AuditLogOptions::new().page_size(20))
    ///     .await?;
    /// for entry in &page.audit_logs {
    ///     println!("{:?} by {:?} at {:?}", entry.code, entry.author, entry.created_at);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_audit_logs(
        &self,
        org: &str,
        options: &AuditLogOptions,
    ) -> Result<AuditLogPage, Error> {
        let org = segment("organization", org)?;
        let (page, page_size) = options.to_query()?;
        call!(self.list_organization_audit_logs(org, page, page_size)).await
    }

    /// Every entry of the audit log of the organization `org`, newest first, read a page
    /// of `page_size` entries (1 to 100) at a time as the stream is polled. See
    /// [`AuditLogStream`] for when it stops.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let mut entries = client.audit_log_stream("my-org", 100);
    /// while let Some(entry) = entries.try_next().await? {
    ///     println!("{:?} by {:?}", entry.code, entry.author);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn audit_log_stream(&self, org: &str, page_size: u32) -> AuditLogStream {
        AuditLogStream::new(self.clone(), org, page_size)
    }
}
