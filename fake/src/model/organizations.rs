//! The organizations of the fake and their billing: read and update them, their plans,
//! invoices, subscription and usage. Nothing is charged; the figures are stable.

use std::collections::BTreeSet;

use super::usage::usage;
use super::{Organization, Plan, State};
use crate::caller::{Caller, Restriction};
use crate::http::UpdateOrganizationBody;
use crate::http::answer::ApiError;
use crate::quoted::Quoted;
use turso_platform::AuditCode;
use turso_platform::MemberRole;
use turso_platform::generated::types::{self, InvoiceType};

/// The plans the fake lists: name, monthly price in USD, and quotas (rows read, rows
/// written, databases, locations, storage bytes, groups, bytes synced).
const PLANS: &[(&str, &str, [Option<i64>; 7])] = &[
    (
        "starter",
        "0",
        [
            Some(500_000_000),
            Some(10_000_000),
            Some(100),
            Some(1),
            Some(5_000_000_000),
            Some(1),
            Some(3_000_000_000),
        ],
    ),
    (
        "developer",
        "4.99",
        [
            Some(2_500_000_000),
            Some(25_000_000),
            None,
            Some(3),
            Some(9_000_000_000),
            Some(1),
            Some(10_000_000_000),
        ],
    ),
    (
        "scaler",
        "29",
        [
            Some(100_000_000_000),
            Some(100_000_000),
            None,
            Some(6),
            Some(24_000_000_000),
            Some(100),
            Some(24_000_000_000),
        ],
    ),
    (
        "pro",
        "417",
        [
            Some(250_000_000_000),
            Some(250_000_000),
            None,
            Some(6),
            Some(50_000_000_000),
            Some(1_000),
            Some(100_000_000_000),
        ],
    ),
];

impl State {
    /// `listOrganizations`: those the caller's user is a member of (only its own for a
    /// restricted token), by slug.
    pub(crate) fn list_organizations(&self, caller: &Caller) -> types::OrganizationList {
        let only = caller.restriction.organization();
        types::OrganizationList::from(
            self.organizations
                .iter()
                .filter(|(slug, _)| only.is_none_or(|only| only == slug.as_str()))
                .filter(|(_, organization)| organization.members.contains_key(&caller.username))
                .map(|(slug, organization)| answer(slug, organization))
                .collect::<Vec<_>>(),
        )
    }

    /// `getOrganization`: a group-scoped token needs its `read` scope.
    pub(crate) fn get_organization(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::OrganizationAnswer, ApiError> {
        caller.visible_group(slug)?;
        let organization = self.organization_of(caller, slug)?;
        Ok(types::OrganizationAnswer::default().with_organization(answer(slug, &organization)))
    }

    /// `updateOrganization`: owners and admins; overages need a paid plan.
    pub(crate) fn update_organization(
        &mut self,
        caller: &Caller,
        slug: &str,
        changes: UpdateOrganizationBody,
    ) -> Result<types::OrganizationAnswer, ApiError> {
        let organization = self.administered(caller, slug, "change the organization's settings")?;
        if changes.overages == Some(true) && organization.plan == Plan::Starter {
            return Err(ApiError::payment_required(
                "overages are not available on the starter plan: upgrade first",
            ));
        }
        let record = self.organization_mut(slug)?;
        if let Some(overages) = changes.overages {
            record.overages = overages;
        }
        if let Some(require_mfa) = changes.require_mfa {
            record.require_mfa = require_mfa;
        }
        let organization = answer(slug, record);
        let word = |on: bool| if on { "true" } else { "false" };
        if let Some(overages) = changes.overages {
            self.audit(
                slug,
                caller,
                AuditCode::OrgSetOverages,
                [("overages", word(overages))],
            );
        }
        Ok(types::OrganizationAnswer::default().with_organization(organization))
    }

    /// `listOrganizationPlans`: the same plans for every organization.
    pub(crate) fn list_organization_plans(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::PlanList, ApiError> {
        caller.check_whole_organization(slug)?;
        self.organization_of(caller, slug)?;
        let plans = PLANS
            .iter()
            .map(|(name, price, quotas)| {
                let [
                    rows_read,
                    rows_written,
                    databases,
                    locations,
                    storage,
                    groups,
                    synced,
                ] = *quotas;
                types::OrganizationPlan::default()
                    .with_name(*name)
                    .with_price(*price)
                    .with_prices([types::PlanPrice::default()
                        .with_value(*price)
                        .with_timeline("monthly")])
                    .with_quotas({
                        // Unlimited quotas are left out: the fields are set as they are.
                        let mut quotas = types::PlanQuotas::default();
                        quotas.rows_read = rows_read;
                        quotas.rows_written = rows_written;
                        quotas.databases = databases;
                        quotas.locations = locations;
                        quotas.storage = storage;
                        quotas.groups = groups;
                        quotas.bytes_synced = synced;
                        quotas
                    })
            })
            .collect::<Vec<_>>();
        Ok(types::PlanList::default().with_plans(plans))
    }

    /// `listOrganizationInvoices`: on a paid plan, two paid invoices and an upcoming one;
    /// none on the starter plan. Owners and admins only.
    pub(crate) fn list_organization_invoices(
        &self,
        caller: &Caller,
        slug: &str,
        invoice_type: Option<InvoiceType>,
    ) -> Result<types::InvoiceList, ApiError> {
        let organization = self.administered(caller, slug, "read invoices")?;
        if organization.plan == Plan::Starter {
            return Ok(types::InvoiceList::default());
        }
        let prefix: String = organization
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(6)
            .collect::<String>()
            .to_uppercase();
        let invoice = |number: u32, month: &str, paid: bool| {
            let invoice = types::Invoice::default()
                .with_invoice_number(format!("{prefix}-{number:05}"))
                .with_amount_due("29.00")
                .with_due_date(format!("2026-{month}-01T05:00:00+00:00"))
                .with_payment_failed_at("")
                .with_invoice_pdf(format!(
                    "https://billing.example.com/invoices/{prefix}-{number:05}.pdf"
                ))
                .with_hosted_invoice_url(format!(
                    "https://billing.example.com/invoices/{prefix}-{number:05}"
                ));
            if paid {
                invoice
                    .with_status("paid")
                    .with_paid_at(format!("2026-{month}-01T05:03:12+00:00"))
            } else {
                invoice.with_status("draft").with_paid_at("")
            }
        };
        let all = [
            (true, invoice(1, "01", true)),
            (true, invoice(2, "02", true)),
            (false, invoice(3, "03", false)),
        ];
        let invoices = all
            .into_iter()
            .filter(|(issued, _)| match invoice_type {
                Some(InvoiceType::Issued) => *issued,
                Some(InvoiceType::Upcoming) => !*issued,
                // `all`, none, and any type a later spec adds.
                _ => true,
            })
            .map(|(_, invoice)| invoice)
            .collect::<Vec<_>>();
        Ok(types::InvoiceList::default().with_invoices(invoices))
    }

    /// `getOrganizationSubscription`: owners and admins only.
    pub(crate) fn get_organization_subscription(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::SubscriptionAnswer, ApiError> {
        let organization = self.administered(caller, slug, "read the subscription")?;
        Ok(subscription(&organization))
    }

    /// `POST …/subscription` (Turso's CLI, after creating an organization): puts it on the
    /// plan `plan`. Owners and admins only; leaving a paid plan ends the overages.
    pub(crate) fn update_organization_subscription(
        &mut self,
        caller: &Caller,
        slug: &str,
        plan: &str,
    ) -> Result<types::SubscriptionAnswer, ApiError> {
        self.administered(caller, slug, "change the plan")?;
        let plan = Plan::named(plan).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown plan {}: give starter, developer, scaler or pro",
                Quoted(plan)
            ))
        })?;
        let record = self.organization_mut(slug)?;
        record.plan = plan;
        if plan == Plan::Starter {
            record.overages = false;
        }
        let answer = subscription(record);
        self.audit(
            slug,
            caller,
            AuditCode::OrgPlanUpdate,
            [("plan", plan.name())],
        );
        Ok(answer)
    }

    /// `POST /v1/organizations` (Turso's CLI's `org create`): a team organization named
    /// `name`, owned by the caller's user, on the starter plan until a plan is chosen. Its
    /// slug is the name in lowercase, with dashes for what is not a letter or a digit;
    /// a slug taken by an organization or a user answers 409. `dry_run` checks it and
    /// answers what would be created, without creating it. Only an unrestricted token
    /// may: a restricted one acts in its own organization only.
    pub(crate) fn create_organization(
        &mut self,
        caller: &Caller,
        name: &str,
        dry_run: bool,
    ) -> Result<types::Organization, ApiError> {
        if caller.restriction != Restriction::Unrestricted {
            return Err(ApiError::forbidden(
                "this token is restricted to an organization: it cannot create organizations",
            ));
        }
        let slug: String = name
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches('-').to_owned();
        if !turso_platform::spec::is_valid_name(&slug) {
            return Err(ApiError::bad_request(format!(
                "invalid organization name {}: use letters, digits and dashes, at most 64",
                Quoted(name)
            )));
        }
        if self.organizations.contains_key(&slug) || self.users.contains_key(&slug) {
            return Err(ApiError::conflict(format!(
                "an organization named {slug} already exists"
            )));
        }
        let mut organization =
            self.new_organization(name.trim(), &caller.username, MemberRole::Owner);
        organization.plan = Plan::Starter;
        let created = answer(&slug, &organization);
        if !dry_run {
            self.organizations.insert(slug.clone(), organization);
            self.audit(
                &slug,
                caller,
                AuditCode::OrgCreate,
                [("name", slug.as_str())],
            );
        }
        Ok(created)
    }

    /// `DELETE /v1/organizations/{slug}` (Turso's CLI's `org destroy`): the owner deletes
    /// a team organization, with its groups, databases and pending invites; the API
    /// tokens restricted to it are revoked. The deletion is logged in the owner's personal
    /// organization.
    pub(crate) fn delete_organization(
        &mut self,
        caller: &Caller,
        slug: &str,
    ) -> Result<(), ApiError> {
        caller.check_whole_organization(slug)?;
        let organization = self.organization_of(caller, slug)?;
        if organization.role != MemberRole::Owner {
            return Err(ApiError::forbidden(format!(
                "only the owner of organization {slug} can delete it"
            )));
        }
        if organization.personal {
            return Err(ApiError::bad_request(format!(
                "{slug} is a personal organization: it goes with its user"
            )));
        }
        self.organizations.remove(slug);
        self.tokens.revoke_restricted_to(slug);
        let personal = caller.username.clone();
        self.audit(&personal, caller, AuditCode::OrgDelete, [("name", slug)]);
        Ok(())
    }

    /// `getOrganizationUsage`: what it has, and each database's usage.
    pub(crate) fn get_organization_usage(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<types::OrganizationUsageAnswer, ApiError> {
        caller.check_whole_organization(slug)?;
        let organization = self.organization_of(caller, slug)?;
        let databases: Vec<types::DatabaseUsage> = organization
            .databases
            .values()
            .filter_map(|record| Some(usage(record, organization.groups.get(&record.group)?)))
            .collect();
        let storage: i64 = databases
            .iter()
            .filter_map(|database| database.total.as_ref()?.storage_bytes)
            .sum();
        let locations: BTreeSet<&str> = organization
            .groups
            .values()
            .flat_map(|group| group.locations.iter().map(String::as_str))
            .collect();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(types::OrganizationUsageAnswer::default().with_organization(
            types::OrganizationUsage::default()
                .with_uuid(organization.id.clone())
                .with_usage(
                    types::OrganizationUsageTotals::default()
                        .with_rows_read(0)
                        .with_rows_written(0)
                        .with_databases(count(organization.databases.len()))
                        .with_locations(count(locations.len()))
                        .with_storage_bytes(storage)
                        .with_groups(count(organization.groups.len()))
                        .with_bytes_synced(0),
                )
                .with_databases(databases),
        ))
    }
}

/// The subscription of an organization, as the API answers it.
fn subscription(organization: &Organization) -> types::SubscriptionAnswer {
    let plan = organization.plan.name();
    types::SubscriptionAnswer::default().with_subscription(
        types::Subscription::default()
            .with_name(plan)
            .with_plan(plan)
            .with_timeline("monthly")
            .with_overages(organization.overages),
    )
}

/// An organization as the API answers it.
fn answer(slug: &str, organization: &Organization) -> types::Organization {
    types::Organization::default()
        .with_id(organization.id.clone())
        .with_name(organization.name.clone())
        .with_slug(slug)
        .with_type_(if organization.personal {
            "personal"
        } else {
            "team"
        })
        .with_overages(organization.overages)
        .with_require_mfa(organization.require_mfa)
        .with_blocked_reads(false)
        .with_blocked_writes(false)
        .with_plan_id(organization.plan.name())
        .with_plan_timeline("monthly")
        .with_platform("")
}
