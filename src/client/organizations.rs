//! The operations on organizations: list, read and update them, and their billing
//! (plans, invoices, subscription, usage).

use crate::generated::types::{
    Invoice, Organization, OrganizationPlan, OrganizationUsage, Subscription,
    UpdateOrganizationInput,
};
use crate::transport::path::segment;
use crate::{Client, Error, ListInvoicesOptions};

impl Client {
    /// The organizations the user owns or is a member of, their personal organization
    /// included (`listOrganizations`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for organization in client.list_organizations().await? {
    ///     println!("{} ({:?})", organization.slug, organization.type_);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organizations(&self) -> Result<Vec<Organization>, Error> {
        let answer = call!(self.list_organizations()).await?;
        Ok(answer.0)
    }

    /// The organization `org` (`getOrganization`). One the user is not a member of is
    /// [`Error::Api`] with status 403.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let organization = client.get_organization("my-org").await?;
    /// println!("on plan {:?}", organization.plan_id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization(&self, org: &str) -> Result<Organization, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.get_organization(org)).await?;
        Ok(answer.organization)
    }

    /// Changes the settings of the organization `org` that `changes` sets, and answers
    /// the whole organization (`updateOrganization`). Only owners and admins may.
    ///
    /// ```no_run
    /// use turso_platform::UpdateOrganizationInput;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let changes = UpdateOrganizationInput::default().with_overages(true);
    /// let organization = client.update_organization("my-org", &changes).await?;
    /// assert_eq!(organization.overages, Some(true));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_organization(
        &self,
        org: &str,
        changes: &UpdateOrganizationInput,
    ) -> Result<Organization, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.update_organization(org, changes)).await?;
        Ok(answer.organization)
    }

    /// The plans the organization `org` can subscribe to, with their prices and quotas
    /// (`listOrganizationPlans`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for plan in client.list_organization_plans("my-org").await? {
    ///     println!("{}: {:?} a month", plan.name, plan.price);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_plans(&self, org: &str) -> Result<Vec<OrganizationPlan>, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.list_organization_plans(org)).await?;
        Ok(answer.plans)
    }

    /// The invoices of the organization `org` that `options` selects
    /// (`listOrganizationInvoices`). Only owners and admins may.
    ///
    /// ```no_run
    /// use turso_platform::{InvoiceType, ListInvoicesOptions};
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let issued = ListInvoicesOptions::new().invoice_type(InvoiceType::Issued);
    /// for invoice in client.list_organization_invoices("my-org", &issued).await? {
    ///     println!("{:?}: {:?} USD", invoice.invoice_number, invoice.amount_due);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_organization_invoices(
        &self,
        org: &str,
        options: &ListInvoicesOptions,
    ) -> Result<Vec<Invoice>, Error> {
        let org = segment("organization", org)?;
        let invoice_type = options.to_query();
        let answer = call!(self.list_organization_invoices(org, invoice_type)).await?;
        Ok(answer.invoices)
    }

    /// The current plan of the organization `org` and how it is billed
    /// (`getOrganizationSubscription`). Only owners and admins may.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let subscription = client.get_organization_subscription("my-org").await?;
    /// println!("{:?}, billed {:?}", subscription.plan, subscription.timeline);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization_subscription(&self, org: &str) -> Result<Subscription, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.get_organization_subscription(org)).await?;
        Ok(answer.subscription)
    }

    /// The usage of the organization `org` in the current billing cycle, in total and per
    /// database (`getOrganizationUsage`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let usage = client.get_organization_usage("my-org").await?;
    /// let totals = usage.usage.unwrap_or_default();
    /// println!("{:?} rows read over {:?} databases", totals.rows_read, totals.databases);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization_usage(&self, org: &str) -> Result<OrganizationUsage, Error> {
        let org = segment("organization", org)?;
        let answer = call!(self.get_organization_usage(org)).await?;
        Ok(answer.organization)
    }
}
