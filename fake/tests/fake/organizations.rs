//! End-to-end tests of the fake Turso Platform API's organizations, users, members and
//! their roles, invites, billing and audit log (the fake), through the
//! public `Client`: each test proves one behaviour, and bounds its own time.
//!
//! Databases, groups and locations are tested in `resources`, tokens and
//! the fake's setup in `api`, raw HTTP in `http`. Everything
//! here talks to 127.0.0.1 only.

use std::time::Duration;

use crate::common::bounded;
use crate::common::{
    admin, assert_api_error, assert_raw_api_error, client_with, group_names, pinned,
    restricted_client, start,
};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use turso_platform::generated::types::InviteInput;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, AuditLog, AuditLogOptions, Authorization, Client, DatabaseConfigurationInput,
    Error, GroupConfigurationInput, InvoiceType, ListDatabasesOptions, ListInvoicesOptions,
    MemberRole, NewDatabase, NewGroup, NewInvite, Scope, TokenOptions, UpdateOrganizationInput,
};
use turso_platform_fake::{FakeTurso, Plan, SetupError};

/// The time each test is given.
const LIMIT: Duration = Duration::from_secs(20);

/// Adds the Turso user `username` and answers a client with their own unrestricted
/// token.
fn user_client(fake: &FakeTurso, username: &str) -> Client {
    let token = fake.add_user(username).expect("the user is added");
    client_with(fake, token.expose_secret())
}

/// Asserts that a call failed with 402 and the code Turso gives what the starter plan
/// does not include.
#[track_caller]
fn assert_starter_refusal<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::Api { status, code, .. }) => {
            assert_eq!(status.as_u16(), 402);
            assert_eq!(
                code.as_deref(),
                Some("feature_not_available_for_starter_plan")
            );
        }
        other => panic!("expected a 402, got {other:?}"),
    }
}

/// The slugs of the organizations `client` lists, in the order listed.
async fn organization_slugs(client: &Client) -> Vec<String> {
    client
        .list_organizations()
        .await
        .unwrap()
        .into_iter()
        .map(|organization| organization.slug)
        .collect()
}

/// The usernames and roles of the members of `org`, in the order listed.
async fn members(client: &Client, org: &str) -> Vec<(String, String)> {
    client
        .list_organization_members(org)
        .await
        .unwrap()
        .into_iter()
        .map(|member| (member.username, member.role))
        .collect()
}

/// The email addresses and roles of the pending invites of `org`, in the order listed.
async fn invites(client: &Client, org: &str) -> Vec<(String, String)> {
    client
        .list_organization_invites_v2(org)
        .await
        .unwrap()
        .into_iter()
        .map(|invite| (invite.email.unwrap(), invite.role.unwrap()))
        .collect()
}

/// The names of the databases of `org` that `client` lists, sorted.
async fn database_names(client: &Client, org: &str) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_databases(org, &ListDatabasesOptions::new())
        .await
        .unwrap()
        .into_iter()
        .map(|database| database.name)
        .collect();
    names.sort();
    names
}

/// The codes of a log, in its order.
fn codes(log: &[AuditLog]) -> Vec<&str> {
    log.iter()
        .map(|entry| entry.code.as_deref().unwrap())
        .collect()
}

/// The codes of the entries of `org`'s log that `author` made, oldest first.
fn codes_by(fake: &FakeTurso, org: &str, author: &str) -> Vec<String> {
    let mut codes: Vec<String> = fake
        .audit_log(org)
        .unwrap()
        .into_iter()
        .filter(|entry| entry.author.as_deref() == Some(author))
        .map(|entry| entry.code.unwrap())
        .collect();
    codes.reverse();
    codes
}

/// The `data` of a log entry, as JSON.
fn data(entry: &AuditLog) -> Value {
    Value::Object(entry.data.clone())
}

/// Adds `count` groups `<prefix>-1` to `<prefix>-<count>` to `org` through the API, so
/// that its audit log gets one `group-create` entry each, oldest first.
async fn create_groups(client: &Client, org: &str, prefix: &str, count: usize) {
    for n in 1..=count {
        client
            .create_group(
                org,
                &NewGroup::new(format!("{prefix}-{n}"), "aws-eu-west-1"),
            )
            .await
            .unwrap();
    }
}

// --- organizations ---

#[tokio::test]
async fn the_seeded_user_lists_their_personal_starter_organization_and_fake_org_on_scaler() {
    bounded(LIMIT, async {
        let fake = start().await;
        let listed = admin(&fake).list_organizations().await.unwrap();
        let slugs: Vec<&str> = listed.iter().map(|o| o.slug.as_str()).collect();
        assert_eq!(slugs, ["fake-org", "fake-user"]);

        let team = &listed[0];
        assert_eq!(team.name, "fake-org");
        assert_eq!(team.type_.as_deref(), Some("team"));
        assert_eq!(team.plan_id.as_deref(), Some("scaler"));
        assert_eq!(team.overages, Some(false));
        assert_eq!(team.require_mfa, Some(false));

        let personal = &listed[1];
        assert_eq!(
            personal.name, "personal",
            "the spec's name of a personal org"
        );
        assert_eq!(personal.type_.as_deref(), Some("personal"));
        assert_eq!(personal.plan_id.as_deref(), Some("starter"));
        assert_eq!(personal.overages, Some(false));
    })
    .await
}

#[tokio::test]
async fn a_restricted_token_lists_only_its_organization_and_a_new_user_only_their_own() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let scoped = restricted_client(
            &fake,
            &client,
            "org-only",
            &ApiTokenOptions::new().organization("fake-org"),
        )
        .await;
        assert_eq!(organization_slugs(&scoped).await, ["fake-org"]);
        let grouped = restricted_client(
            &fake,
            &client,
            "group-only",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        assert_eq!(organization_slugs(&grouped).await, ["fake-org"]);

        let ana = user_client(&fake, "ana");
        let listed = ana.list_organizations().await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].slug, "ana");
        assert_eq!(listed[0].type_.as_deref(), Some("personal"));
        assert_eq!(listed[0].plan_id.as_deref(), Some("starter"));
        // The seeded user's list did not change.
        assert_eq!(organization_slugs(&client).await, ["fake-org", "fake-user"]);
    })
    .await
}

#[tokio::test]
async fn get_organization_answers_the_organization_as_listed() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let organization = client.get_organization("fake-org").await.unwrap();
        let listed = client.list_organizations().await.unwrap();
        assert_eq!(organization, listed[0]);
        assert_eq!(organization.slug, "fake-org");
        assert_eq!(organization.type_.as_deref(), Some("team"));
        assert_eq!(organization.plan_id.as_deref(), Some("scaler"));
        let personal = client.get_organization("fake-user").await.unwrap();
        assert_eq!(personal.type_.as_deref(), Some("personal"));
        assert_eq!(personal.plan_id.as_deref(), Some("starter"));
    })
    .await
}

#[tokio::test]
async fn organization_settings_persist_and_only_what_is_named_changes() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let overages = UpdateOrganizationInput::default().with_overages(true);
        let updated = client
            .update_organization("fake-org", &overages)
            .await
            .unwrap();
        assert_eq!(updated.overages, Some(true));
        assert_eq!(updated.require_mfa, Some(false));
        let mfa = UpdateOrganizationInput::default().with_require_mfa(true);
        let updated = client.update_organization("fake-org", &mfa).await.unwrap();
        assert_eq!(updated.overages, Some(true), "only what is named changes");
        assert_eq!(updated.require_mfa, Some(true));
        let read = client.get_organization("fake-org").await.unwrap();
        assert_eq!(read, updated);
        assert_eq!(client.list_organizations().await.unwrap()[0], updated);
        let subscription = client
            .get_organization_subscription("fake-org")
            .await
            .unwrap();
        assert_eq!(subscription.overages, Some(true));

        // Both at once.
        let both = UpdateOrganizationInput::default()
            .with_overages(false)
            .with_require_mfa(false);
        let updated = client.update_organization("fake-org", &both).await.unwrap();
        assert_eq!(updated.overages, Some(false));
        assert_eq!(updated.require_mfa, Some(false));
        assert_eq!(client.get_organization("fake-org").await.unwrap(), updated);

        // The overages are logged, newest first; `require_mfa` has no code in Turso's
        // list, and is not.
        let log = fake.audit_log("fake-org").unwrap();
        assert_eq!(codes(&log), ["org-set-overages", "org-set-overages"]);
        assert_eq!(data(&log[0]), json!({"overages": "false"}));
        assert_eq!(data(&log[1]), json!({"overages": "true"}));
        assert!(
            log.iter()
                .all(|entry| entry.author.as_deref() == Some("fake-user"))
        );
    })
    .await
}

#[tokio::test]
async fn only_owners_and_admins_change_an_organization_s_settings() {
    bounded(LIMIT, async {
        let fake = start().await;
        let mara = user_client(&fake, "mara");
        fake.add_member("fake-org", "mara", MemberRole::Member)
            .unwrap();
        let adam = user_client(&fake, "adam");
        fake.add_member("fake-org", "adam", MemberRole::Admin)
            .unwrap();
        let mfa = UpdateOrganizationInput::default().with_require_mfa(true);
        assert_api_error(
            mara.update_organization("fake-org", &mfa).await,
            403,
            "only admins and owners of this organization can change the organization's settings",
        );
        let client = admin(&fake);
        assert_eq!(
            client
                .get_organization("fake-org")
                .await
                .unwrap()
                .require_mfa,
            Some(false)
        );
        let updated = adam.update_organization("fake-org", &mfa).await.unwrap();
        assert_eq!(updated.require_mfa, Some(true));
        assert!(
            fake.audit_log("fake-org").unwrap().is_empty(),
            "require_mfa has no code in Turso's list"
        );
    })
    .await
}

#[tokio::test]
async fn overages_on_the_starter_plan_answer_402_and_change_nothing() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let overages = UpdateOrganizationInput::default().with_overages(true);
        assert_starter_refusal(client.update_organization("fake-user", &overages).await);
        let personal = client.get_organization("fake-user").await.unwrap();
        assert_eq!(personal.overages, Some(false));

        fake.set_plan("fake-org", Plan::Starter).unwrap();
        assert_starter_refusal(client.update_organization("fake-org", &overages).await);
        assert_eq!(
            client.get_organization("fake-org").await.unwrap().overages,
            Some(false)
        );
        // Other settings may change on the starter plan.
        let mfa = UpdateOrganizationInput::default().with_require_mfa(true);
        let updated = client.update_organization("fake-user", &mfa).await.unwrap();
        assert_eq!(updated.require_mfa, Some(true));
    })
    .await
}

#[tokio::test]
async fn a_non_member_gets_403_and_an_unknown_organization_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        let ana = user_client(&fake, "ana");
        let not_a_member = "you are not a member of organization fake-org";
        assert_api_error(ana.get_organization("fake-org").await, 403, not_a_member);
        assert_api_error(
            ana.update_organization(
                "fake-org",
                &UpdateOrganizationInput::default().with_require_mfa(true),
            )
            .await,
            403,
            not_a_member,
        );
        assert_api_error(
            ana.list_organization_plans("fake-org").await,
            403,
            not_a_member,
        );
        assert_api_error(
            ana.get_organization_usage("fake-org").await,
            403,
            not_a_member,
        );
        // Another user's personal organization too.
        assert_api_error(
            ana.get_organization("fake-user").await,
            403,
            "you are not a member of organization fake-user",
        );

        let client = admin(&fake);
        let unknown = "could not find organization with name no-such-org";
        assert_api_error(client.get_organization("no-such-org").await, 404, unknown);
        assert_api_error(
            client
                .update_organization(
                    "no-such-org",
                    &UpdateOrganizationInput::default().with_require_mfa(true),
                )
                .await,
            404,
            unknown,
        );
        assert_api_error(ana.get_organization("no-such-org").await, 404, unknown);
    })
    .await
}

// --- billing ---

#[tokio::test]
async fn plans_are_well_formed_and_the_same_every_time_for_every_organization() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let plans = client.list_organization_plans("fake-org").await.unwrap();
        let names: Vec<&str> = plans.iter().map(|plan| plan.name.as_str()).collect();
        assert_eq!(names, ["starter", "developer", "scaler", "pro"]);
        for plan in &plans {
            let price = plan.price.as_deref().expect("a price");
            assert!(price.parse::<f64>().is_ok(), "price {price:?}");
            assert!(!plan.prices.is_empty(), "{plan:?}");
            for listed in &plan.prices {
                assert_eq!(listed.value.as_deref(), Some(price), "{plan:?}");
                assert_eq!(listed.timeline.as_deref(), Some("monthly"), "{plan:?}");
            }
            let quotas = plan.quotas.as_ref().expect("quotas");
            for quota in [
                quotas.rows_read,
                quotas.rows_written,
                quotas.locations,
                quotas.storage,
                quotas.groups,
                quotas.bytes_synced,
            ] {
                assert!(quota.is_some_and(|q| q > 0), "{plan:?}");
            }
        }
        assert_eq!(plans[0].price.as_deref(), Some("0"), "starter is free");

        assert_eq!(
            client.list_organization_plans("fake-org").await.unwrap(),
            plans
        );
        assert_eq!(
            client.list_organization_plans("fake-user").await.unwrap(),
            plans
        );
    })
    .await
}

#[tokio::test]
async fn a_paid_plan_has_two_issued_invoices_and_an_upcoming_one_stable_across_calls() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let of = |invoice_type| ListInvoicesOptions::new().invoice_type(invoice_type);
        let all = client
            .list_organization_invoices("fake-org", &ListInvoicesOptions::new())
            .await
            .unwrap();
        assert_eq!(all.len(), 3, "{all:?}");
        let mut numbers: Vec<&str> = all
            .iter()
            .map(|invoice| invoice.invoice_number.as_deref().unwrap())
            .collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 3, "distinct numbers: {numbers:?}");
        for invoice in &all {
            assert_eq!(invoice.amount_due.as_deref(), Some("29.00"));
            assert!(invoice.due_date.is_some() && invoice.invoice_pdf.is_some());
        }
        assert_eq!(
            client
                .list_organization_invoices("fake-org", &of(InvoiceType::All))
                .await
                .unwrap(),
            all
        );

        let issued = client
            .list_organization_invoices("fake-org", &of(InvoiceType::Issued))
            .await
            .unwrap();
        assert_eq!(issued.len(), 2, "{issued:?}");
        for invoice in &issued {
            assert_eq!(invoice.status.as_deref(), Some("paid"));
            assert!(invoice.paid_at.as_deref().is_some_and(|at| !at.is_empty()));
        }
        let upcoming = client
            .list_organization_invoices("fake-org", &of(InvoiceType::Upcoming))
            .await
            .unwrap();
        assert_eq!(upcoming.len(), 1, "{upcoming:?}");
        assert_ne!(upcoming[0].status.as_deref(), Some("paid"));
        assert!(!issued.contains(&upcoming[0]));
        assert!(all.contains(&upcoming[0]));

        // Stable: asked again, the same invoices.
        assert_eq!(
            client
                .list_organization_invoices("fake-org", &ListInvoicesOptions::new())
                .await
                .unwrap(),
            all
        );
        assert_eq!(
            client
                .list_organization_invoices("fake-org", &of(InvoiceType::Issued))
                .await
                .unwrap(),
            issued
        );
    })
    .await
}

#[tokio::test]
async fn the_starter_plan_has_no_invoices() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        for options in [
            ListInvoicesOptions::new(),
            ListInvoicesOptions::new().invoice_type(InvoiceType::All),
            ListInvoicesOptions::new().invoice_type(InvoiceType::Issued),
            ListInvoicesOptions::new().invoice_type(InvoiceType::Upcoming),
        ] {
            let invoices = client
                .list_organization_invoices("fake-user", &options)
                .await
                .unwrap();
            assert!(invoices.is_empty(), "{options:?}: {invoices:?}");
        }
    })
    .await
}

#[tokio::test]
async fn the_subscription_names_the_plan_and_the_overages() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let subscription = client
            .get_organization_subscription("fake-org")
            .await
            .unwrap();
        assert_eq!(subscription.plan.as_deref(), Some("scaler"));
        assert_eq!(subscription.name.as_deref(), Some("scaler"));
        assert_eq!(subscription.timeline.as_deref(), Some("monthly"));
        assert_eq!(subscription.overages, Some(false));
        client
            .update_organization(
                "fake-org",
                &UpdateOrganizationInput::default().with_overages(true),
            )
            .await
            .unwrap();
        let subscription = client
            .get_organization_subscription("fake-org")
            .await
            .unwrap();
        assert_eq!(subscription.overages, Some(true));

        let personal = client
            .get_organization_subscription("fake-user")
            .await
            .unwrap();
        assert_eq!(personal.plan.as_deref(), Some("starter"));
        assert_eq!(personal.overages, Some(false));
    })
    .await
}

#[tokio::test]
async fn usage_counts_databases_groups_and_locations_and_follows_new_databases() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let fake_db = client.get_database("fake-org", "fake-db").await.unwrap();

        let usage = client.get_organization_usage("fake-org").await.unwrap();
        let totals = usage.usage.clone().expect("totals");
        assert_eq!(totals.databases, Some(1));
        assert_eq!(totals.groups, Some(1));
        assert_eq!(totals.locations, Some(1));
        assert!(usage.uuid.is_some());
        let ids: Vec<&str> = usage
            .databases
            .iter()
            .map(|db| db.uuid.as_deref().unwrap())
            .collect();
        assert_eq!(ids, [fake_db.db_id.as_str()]);
        let storage: i64 = usage
            .databases
            .iter()
            .map(|db| db.total.as_ref().unwrap().storage_bytes.unwrap())
            .sum();
        assert_eq!(totals.storage_bytes, Some(storage));

        let created = client
            .create_database("fake-org", &NewDatabase::new("tenant-1", "default"))
            .await
            .unwrap();
        let usage = client.get_organization_usage("fake-org").await.unwrap();
        let totals = usage.usage.clone().expect("totals");
        assert_eq!(totals.databases, Some(2));
        assert_eq!(totals.groups, Some(1));
        assert_eq!(totals.locations, Some(1));
        let mut ids: Vec<&str> = usage
            .databases
            .iter()
            .map(|db| db.uuid.as_deref().unwrap())
            .collect();
        ids.sort();
        let mut expected = [fake_db.db_id.as_str(), created.db_id.as_str()];
        expected.sort();
        assert_eq!(ids, expected);
        for database in &usage.databases {
            assert_eq!(database.instances.len(), 1, "{database:?}");
        }

        // A group elsewhere adds a group and a location.
        client
            .create_group("fake-org", &NewGroup::new("eu", "aws-eu-west-1"))
            .await
            .unwrap();
        let totals = client
            .get_organization_usage("fake-org")
            .await
            .unwrap()
            .usage
            .unwrap();
        assert_eq!(
            (totals.databases, totals.groups, totals.locations),
            (Some(2), Some(2), Some(2))
        );
    })
    .await
}

// --- members ---

#[tokio::test]
async fn members_are_listed_added_read_given_roles_and_removed() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_user("ana").unwrap();
        let client = admin(&fake);
        let listed = client.list_organization_members("fake-org").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].username, "fake-user");
        assert_eq!(listed[0].role, "owner");
        assert_eq!(listed[0].email.as_deref(), Some("fake-user@example.com"));

        let added = client
            .add_organization_member("fake-org", "ana", MemberRole::Member)
            .await
            .unwrap();
        assert_eq!(added.member, "ana");
        assert_eq!(added.role.as_deref(), Some("member"));
        assert_eq!(
            members(&client, "fake-org").await,
            [
                ("ana".to_owned(), "member".to_owned()),
                ("fake-user".to_owned(), "owner".to_owned())
            ]
        );
        let ana = client
            .get_organization_member("fake-org", "ana")
            .await
            .unwrap();
        assert_eq!(ana.username, "ana");
        assert_eq!(ana.role, "member");
        assert_eq!(ana.email.as_deref(), Some("ana@example.com"));

        let updated = client
            .update_member_role("fake-org", "ana", MemberRole::Admin)
            .await
            .unwrap();
        assert_eq!(updated.role, "admin");
        assert_eq!(
            client
                .get_organization_member("fake-org", "ana")
                .await
                .unwrap()
                .role,
            "admin"
        );

        let removed = client
            .remove_organization_member("fake-org", "ana")
            .await
            .unwrap();
        assert_eq!(removed, "ana");
        assert_api_error(
            client.get_organization_member("fake-org", "ana").await,
            404,
            "user ana is not a member of org fake-org",
        );
        assert_eq!(
            members(&client, "fake-org").await,
            [("fake-user".to_owned(), "owner".to_owned())]
        );

        let log = fake.audit_log("fake-org").unwrap();
        assert_eq!(codes(&log), ["org-member-rm", "org-member-add"]);
        assert_eq!(data(&log[0]), json!({"username": "ana"}));
        assert_eq!(data(&log[1]), json!({"username": "ana", "role": "member"}));
    })
    .await
}

#[tokio::test]
async fn adding_an_unknown_user_an_existing_member_or_to_a_personal_organization_is_refused() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_user("ana").unwrap();
        let client = admin(&fake);
        assert_api_error(
            client
                .add_organization_member("fake-org", "nobody", MemberRole::Member)
                .await,
            404,
            "could not find user nobody",
        );
        client
            .add_organization_member("fake-org", "ana", MemberRole::Viewer)
            .await
            .unwrap();
        assert_api_error(
            client
                .add_organization_member("fake-org", "ana", MemberRole::Admin)
                .await,
            409,
            "user ana is already a member of organization fake-org",
        );
        assert_eq!(
            client
                .get_organization_member("fake-org", "ana")
                .await
                .unwrap()
                .role,
            "viewer",
            "the 409 changed nothing"
        );
        assert_api_error(
            client
                .add_organization_member("fake-user", "ana", MemberRole::Member)
                .await,
            400,
            "fake-user is a personal organization",
        );
        assert_eq!(
            members(&client, "fake-user").await,
            [("fake-user".to_owned(), "owner".to_owned())]
        );
        // The owner role is refused before anything is sent.
        let sent = fake.requests("addOrganizationMember").unwrap();
        assert!(matches!(
            client
                .add_organization_member("fake-org", "ana", MemberRole::Owner)
                .await,
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(fake.requests("addOrganizationMember").unwrap(), sent);
        // Only the one addition was logged.
        assert_eq!(
            codes(&fake.audit_log("fake-org").unwrap()),
            ["org-member-add"]
        );
    })
    .await
}

#[tokio::test]
async fn the_owner_can_neither_be_removed_nor_given_another_role() {
    bounded(LIMIT, async {
        let fake = start().await;
        let adam = user_client(&fake, "adam");
        fake.add_member("fake-org", "adam", MemberRole::Admin)
            .unwrap();
        let client = admin(&fake);
        for caller in [&client, &adam] {
            assert_api_error(
                caller
                    .remove_organization_member("fake-org", "fake-user")
                    .await,
                400,
                "fake-user owns organization fake-org and cannot be removed",
            );
            assert_api_error(
                caller
                    .update_member_role("fake-org", "fake-user", MemberRole::Admin)
                    .await,
                400,
                "the owner's role cannot change",
            );
        }
        let owner = client
            .get_organization_member("fake-org", "fake-user")
            .await
            .unwrap();
        assert_eq!(owner.role, "owner");
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn removing_or_re_roling_a_non_member_answers_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_user("ana").unwrap();
        let client = admin(&fake);
        let not_a_member = "user ana is not a member of org fake-org";
        assert_api_error(
            client.remove_organization_member("fake-org", "ana").await,
            404,
            not_a_member,
        );
        assert_api_error(
            client
                .update_member_role("fake-org", "ana", MemberRole::Viewer)
                .await,
            404,
            not_a_member,
        );
        assert_api_error(
            client
                .remove_organization_member("fake-org", "nobody")
                .await,
            404,
            "user nobody is not a member of org fake-org",
        );
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn an_admin_may_leave_and_it_is_logged_as_org_member_leave_but_others_may_not() {
    bounded(LIMIT, async {
        let fake = start().await;
        // A member or viewer may not remove anyone, not even themselves.
        let mel = user_client(&fake, "mel");
        fake.add_member("fake-org", "mel", MemberRole::Member)
            .unwrap();
        assert_api_error(
            mel.remove_organization_member("fake-org", "mel").await,
            403,
            "only admins and owners of this organization can remove members",
        );
        admin(&fake)
            .remove_organization_member("fake-org", "mel")
            .await
            .unwrap();
        let before = fake.audit_log("fake-org").unwrap().len();

        let vera = user_client(&fake, "vera");
        fake.add_member("fake-org", "vera", MemberRole::Admin)
            .unwrap();
        let left = vera
            .remove_organization_member("fake-org", "vera")
            .await
            .unwrap();
        assert_eq!(left, "vera");
        assert_api_error(
            vera.get_organization("fake-org").await,
            403,
            "you are not a member of organization fake-org",
        );
        let client = admin(&fake);
        assert_eq!(
            members(&client, "fake-org").await,
            [("fake-user".to_owned(), "owner".to_owned())]
        );
        let log = fake.audit_log("fake-org").unwrap();
        assert_eq!(log.len(), before + 1);
        assert_eq!(codes(&log[..1]), ["org-member-leave"]);
        assert_eq!(log[0].author.as_deref(), Some("vera"));
        assert_eq!(data(&log[0]), json!({"username": "vera"}));
        // The owner may not leave.
        assert_api_error(
            client
                .remove_organization_member("fake-org", "fake-user")
                .await,
            400,
            "cannot be removed",
        );
    })
    .await
}

// --- roles ---

/// What a role may do, as the rows of the table of the fake's module docs.
#[derive(Clone, Copy, Debug)]
struct May {
    /// Create, change and delete databases and groups; rotate their tokens.
    write: bool,
    /// Mint full-access database and group tokens (read-only ones: every role).
    mint_full_access: bool,
    /// Mint group-scoped API tokens, transfer groups.
    pin_and_transfer: bool,
    /// Manage members and invites, change settings, read invoices, the subscription and
    /// the audit log.
    administer: bool,
}

/// Adds the user `rolf` to `fake-org` with `role`, through the API (or, for the owner,
/// the setup, which also makes the seeded user an admin so that the organization keeps
/// one owner), and asserts with rolf's own token that they may do exactly what `may`
/// says, and get 403 for the rest. Answers the fake and rolf's client.
async fn assert_role_may(role: MemberRole, may: May) -> (FakeTurso, Client) {
    let fake = start().await;
    let org = "fake-org";
    let user = "rolf";
    let rolf = user_client(&fake, user);
    let seeded = admin(&fake);
    if role == MemberRole::Owner {
        fake.add_member(org, user, MemberRole::Owner).unwrap();
        fake.add_member(org, "fake-user", MemberRole::Admin)
            .unwrap();
    } else {
        seeded
            .add_organization_member(org, user, role)
            .await
            .unwrap();
    }
    assert_eq!(
        seeded
            .get_organization_member(org, user)
            .await
            .unwrap()
            .role,
        role.as_str()
    );
    // Where a transfer goes: rolf administers it, whatever their role in fake-org.
    fake.add_organization("target").unwrap();
    fake.add_member("target", user, MemberRole::Admin).unwrap();
    fake.add_group(org, "move-me").unwrap();
    fake.add_user("extra").unwrap();
    // What rolf does that is logged, oldest first.
    let mut expected_log: Vec<&str> = Vec::new();

    // Everyone reads the organization, its databases, groups, instances, plans, usage.
    assert_eq!(rolf.get_organization(org).await.unwrap().slug, org);
    assert_eq!(
        organization_slugs(&rolf).await,
        ["fake-org", "rolf", "target"]
    );
    assert_eq!(database_names(&rolf, org).await, ["fake-db"]);
    assert_eq!(group_names(&rolf, org).await, ["default", "move-me"]);
    rolf.get_database(org, "fake-db").await.unwrap();
    rolf.get_database_configuration(org, "fake-db")
        .await
        .unwrap();
    rolf.get_group(org, "default").await.unwrap();
    let instances = rolf.list_database_instances(org, "fake-db").await.unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(rolf.list_organization_plans(org).await.unwrap().len(), 4);
    let usage = rolf.get_organization_usage(org).await.unwrap();
    assert_eq!(usage.usage.unwrap().databases, Some(1));

    // Databases and groups: created, changed, rotated and deleted by all but viewers.
    let viewers = "viewers of this organization may only read";
    if may.write {
        rolf.create_group(org, &NewGroup::new("role-g", "aws-eu-west-1"))
            .await
            .unwrap();
        rolf.create_database(org, &NewDatabase::new("role-db", "role-g"))
            .await
            .unwrap();
        rolf.update_database_configuration(
            org,
            "role-db",
            &DatabaseConfigurationInput::default().with_block_writes(true),
        )
        .await
        .unwrap();
        rolf.update_group_configuration(
            org,
            "role-g",
            &GroupConfigurationInput::default().with_delete_protection(false),
        )
        .await
        .unwrap();
        rolf.invalidate_database_tokens(org, "role-db")
            .await
            .unwrap();
        rolf.invalidate_group_tokens(org, "role-g").await.unwrap();
        rolf.delete_database(org, "role-db").await.unwrap();
        rolf.delete_group(org, "role-g").await.unwrap();
        expected_log.extend([
            "group-create",
            "db-create",
            "group-unprotect",
            "db-delete",
            "group-delete",
        ]);
    } else {
        fake.add_group(org, "role-g").unwrap();
        fake.add_database(org, "role-g", "role-db").unwrap();
        assert_api_error(
            rolf.create_group(org, &NewGroup::new("new-g", "aws-eu-west-1"))
                .await,
            403,
            viewers,
        );
        assert_api_error(
            rolf.create_database(org, &NewDatabase::new("new-db", "role-g"))
                .await,
            403,
            viewers,
        );
        assert_api_error(
            rolf.update_database_configuration(
                org,
                "role-db",
                &DatabaseConfigurationInput::default().with_block_writes(true),
            )
            .await,
            403,
            viewers,
        );
        assert_api_error(
            rolf.update_group_configuration(
                org,
                "role-g",
                &GroupConfigurationInput::default().with_delete_protection(true),
            )
            .await,
            403,
            viewers,
        );
        assert_api_error(
            rolf.invalidate_database_tokens(org, "role-db").await,
            403,
            viewers,
        );
        assert_api_error(
            rolf.invalidate_group_tokens(org, "role-g").await,
            403,
            viewers,
        );
        assert_api_error(rolf.delete_database(org, "role-db").await, 403, viewers);
        assert_api_error(rolf.delete_group(org, "role-g").await, 403, viewers);
        assert_eq!(
            database_names(&seeded, org).await,
            ["fake-db", "role-db"],
            "nothing was created nor deleted"
        );
        assert_eq!(
            group_names(&seeded, org).await,
            ["default", "move-me", "role-g"]
        );
        let configuration = seeded
            .get_database_configuration(org, "role-db")
            .await
            .unwrap();
        assert_eq!(configuration.block_writes, Some(false));
    }

    // Database and group tokens: read-only ones for everyone, full-access ones for all
    // but viewers.
    let read_only = TokenOptions::new().authorization(Authorization::ReadOnly);
    rolf.create_database_token(org, "fake-db", &read_only)
        .await
        .unwrap();
    rolf.create_group_token(org, "default", &read_only)
        .await
        .unwrap();
    expected_log.extend(["db-token-create", "group-token-create"]);
    let full = TokenOptions::new();
    if may.mint_full_access {
        rolf.create_database_token(org, "fake-db", &full)
            .await
            .unwrap();
        rolf.create_group_token(org, "default", &full)
            .await
            .unwrap();
        expected_log.extend(["db-token-create", "group-token-create"]);
    } else {
        let read_only_only = "may only mint read-only tokens";
        assert_api_error(
            rolf.create_database_token(org, "fake-db", &full).await,
            403,
            read_only_only,
        );
        assert_api_error(
            rolf.create_group_token(org, "default", &full).await,
            403,
            read_only_only,
        );
    }

    // Group-scoped API tokens and transfers: owners and admins.
    let pin = pinned(org, "default", [Scope::Read]);
    if may.pin_and_transfer {
        let reader = restricted_client(&fake, &rolf, "rolf-reader", &pin).await;
        assert_eq!(database_names(&reader, org).await, ["fake-db"]);
        let moved = rolf.transfer_group(org, "move-me", "target").await.unwrap();
        assert_eq!(moved.name, "move-me");
        assert_eq!(group_names(&seeded, "target").await, ["move-me"]);
        expected_log.extend(["user-token-create"]);
    } else {
        assert_api_error(
            rolf.create_api_token("rolf-reader", &pin).await,
            403,
            "only admins and owners of fake-org can mint group-scoped tokens",
        );
        assert_api_error(
            rolf.transfer_group(org, "move-me", "target").await,
            403,
            "only admins and owners of this organization can transfer groups",
        );
        assert!(
            group_names(&seeded, org)
                .await
                .contains(&"move-me".to_owned())
        );
    }

    // Members, invites, settings, invoices, the subscription and the audit log: owners
    // and admins.
    let mfa = UpdateOrganizationInput::default().with_require_mfa(true);
    if may.administer {
        let listed = members(&rolf, org).await;
        assert!(listed.contains(&(user.to_owned(), role.as_str().to_owned())));
        rolf.get_organization_member(org, "fake-user")
            .await
            .unwrap();
        rolf.add_organization_member(org, "extra", MemberRole::Member)
            .await
            .unwrap();
        rolf.update_member_role(org, "extra", MemberRole::Viewer)
            .await
            .unwrap();
        rolf.remove_organization_member(org, "extra").await.unwrap();
        rolf.invite_organization_member_v2(org, &NewInvite::email("new@example.com"))
            .await
            .unwrap();
        assert_eq!(
            invites(&rolf, org).await,
            [("new@example.com".to_owned(), "member".to_owned())]
        );
        rolf.delete_organization_invite_by_email_v2(org, "new@example.com")
            .await
            .unwrap();
        assert_eq!(
            rolf.update_organization(org, &mfa)
                .await
                .unwrap()
                .require_mfa,
            Some(true)
        );
        assert_eq!(
            rolf.list_organization_invoices(org, &ListInvoicesOptions::new())
                .await
                .unwrap()
                .len(),
            3
        );
        let subscription = rolf.get_organization_subscription(org).await.unwrap();
        assert_eq!(subscription.plan.as_deref(), Some("scaler"));
        expected_log.extend(["org-member-add", "org-member-rm"]);
        let page = rolf
            .list_organization_audit_logs(org, &AuditLogOptions::new())
            .await
            .unwrap();
        assert_eq!(page.audit_logs, fake.audit_log(org).unwrap());
    } else {
        fake.add_member(org, "extra", MemberRole::Member).unwrap();
        admin(&fake)
            .invite_organization_member_v2(org, &NewInvite::email("new@example.com"))
            .await
            .unwrap();
        let only = |what: &str| format!("only admins and owners of this organization can {what}");
        assert_api_error(
            rolf.list_organization_members(org).await,
            403,
            &only("list members"),
        );
        assert_api_error(
            rolf.get_organization_member(org, "fake-user").await,
            403,
            &only("read members"),
        );
        fake.add_user("other").unwrap();
        assert_api_error(
            rolf.add_organization_member(org, "other", MemberRole::Member)
                .await,
            403,
            &only("add members"),
        );
        assert_api_error(
            rolf.update_member_role(org, "extra", MemberRole::Viewer)
                .await,
            403,
            &only("change members' roles"),
        );
        assert_api_error(
            rolf.remove_organization_member(org, "extra").await,
            403,
            &only("remove members"),
        );
        assert_api_error(
            rolf.invite_organization_member_v2(org, &NewInvite::email("else@example.com"))
                .await,
            403,
            &only("invite members"),
        );
        assert_api_error(
            rolf.list_organization_invites_v2(org).await,
            403,
            &only("list invites"),
        );
        assert_api_error(
            rolf.delete_organization_invite_by_email_v2(org, "new@example.com")
                .await,
            403,
            &only("withdraw invites"),
        );
        assert_api_error(
            rolf.update_organization(org, &mfa).await,
            403,
            &only("change the organization's settings"),
        );
        assert_api_error(
            rolf.list_organization_invoices(org, &ListInvoicesOptions::new())
                .await,
            403,
            &only("read invoices"),
        );
        assert_api_error(
            rolf.get_organization_subscription(org).await,
            403,
            &only("read the subscription"),
        );
        assert_api_error(
            rolf.list_organization_audit_logs(org, &AuditLogOptions::new())
                .await,
            403,
            &only("read the audit log"),
        );
        // Nothing changed.
        assert_eq!(
            seeded
                .get_organization_member(org, "extra")
                .await
                .unwrap()
                .role,
            "member"
        );
        assert_eq!(
            invites(&seeded, org).await,
            [("new@example.com".to_owned(), "member".to_owned())]
        );
        assert_eq!(
            seeded.get_organization(org).await.unwrap().require_mfa,
            Some(false)
        );
    }

    // The log holds exactly what rolf did, in order.
    assert_eq!(codes_by(&fake, org, user), expected_log);
    (fake, rolf)
}

#[tokio::test]
async fn an_owner_may_do_everything_but_leave() {
    bounded(LIMIT, async {
        let may = May {
            write: true,
            mint_full_access: true,
            pin_and_transfer: true,
            administer: true,
        };
        let (fake, owner) = assert_role_may(MemberRole::Owner, may).await;
        // The owner administers the admins too, and cannot leave.
        owner
            .update_member_role("fake-org", "fake-user", MemberRole::Member)
            .await
            .unwrap();
        assert_api_error(
            owner.remove_organization_member("fake-org", "rolf").await,
            400,
            "rolf owns organization fake-org and cannot be removed",
        );
        owner
            .remove_organization_member("fake-org", "fake-user")
            .await
            .unwrap();
        assert_eq!(
            members(&owner, "fake-org").await,
            [("rolf".to_owned(), "owner".to_owned())]
        );
        drop(fake);
    })
    .await
}

#[tokio::test]
async fn an_admin_may_do_everything_the_owner_may_but_change_the_owner() {
    bounded(LIMIT, async {
        let may = May {
            write: true,
            mint_full_access: true,
            pin_and_transfer: true,
            administer: true,
        };
        let (fake, admin_client) = assert_role_may(MemberRole::Admin, may).await;
        assert_api_error(
            admin_client
                .update_member_role("fake-org", "fake-user", MemberRole::Member)
                .await,
            400,
            "the owner's role cannot change",
        );
        assert_api_error(
            admin_client
                .remove_organization_member("fake-org", "fake-user")
                .await,
            400,
            "cannot be removed",
        );
        drop(fake);
    })
    .await
}

#[tokio::test]
async fn a_member_may_change_databases_and_groups_but_not_administer() {
    bounded(LIMIT, async {
        let may = May {
            write: true,
            mint_full_access: true,
            pin_and_transfer: false,
            administer: false,
        };
        assert_role_may(MemberRole::Member, may).await;
    })
    .await
}

#[tokio::test]
async fn a_viewer_may_only_read_and_mint_read_only_tokens() {
    bounded(LIMIT, async {
        let may = May {
            write: false,
            mint_full_access: false,
            pin_and_transfer: false,
            administer: false,
        };
        assert_role_may(MemberRole::Viewer, may).await;
    })
    .await
}

// --- membership changes reach the user's tokens ---

#[tokio::test]
async fn a_user_reaches_an_organization_only_while_a_member_and_loses_its_scoped_tokens() {
    bounded(LIMIT, async {
        let fake = start().await;
        let ana = user_client(&fake, "ana");
        let client = admin(&fake);
        let not_a_member = "you are not a member of organization fake-org";

        // Before: 403 everywhere in fake-org.
        assert_api_error(ana.get_organization("fake-org").await, 403, not_a_member);
        assert_api_error(
            ana.list_databases("fake-org", &ListDatabasesOptions::new())
                .await,
            403,
            not_a_member,
        );
        assert_api_error(
            ana.get_database("fake-org", "fake-db").await,
            403,
            not_a_member,
        );
        assert_api_error(
            ana.create_database_token("fake-org", "fake-db", &TokenOptions::new())
                .await,
            403,
            not_a_member,
        );
        assert_api_error(
            ana.create_api_token("ana-org", &ApiTokenOptions::new().organization("fake-org"))
                .await,
            403,
            not_a_member,
        );

        // A member: it works, and an org-scoped token can be minted.
        client
            .add_organization_member("fake-org", "ana", MemberRole::Member)
            .await
            .unwrap();
        assert_eq!(
            ana.get_organization("fake-org").await.unwrap().slug,
            "fake-org"
        );
        assert_eq!(database_names(&ana, "fake-org").await, ["fake-db"]);
        let scoped = restricted_client(
            &fake,
            &ana,
            "ana-org",
            &ApiTokenOptions::new().organization("fake-org"),
        )
        .await;
        assert_eq!(database_names(&scoped, "fake-org").await, ["fake-db"]);
        assert_eq!(organization_slugs(&ana).await, ["ana", "fake-org"]);

        // Removed: 403 again for the unrestricted token, 401 for the scoped one.
        client
            .remove_organization_member("fake-org", "ana")
            .await
            .unwrap();
        assert_api_error(ana.get_organization("fake-org").await, 403, not_a_member);
        assert_api_error(
            ana.list_databases("fake-org", &ListDatabasesOptions::new())
                .await,
            403,
            not_a_member,
        );
        assert_api_error(
            scoped.get_organization("fake-org").await,
            401,
            "the token has been revoked",
        );
        assert_api_error(
            scoped
                .list_databases("fake-org", &ListDatabasesOptions::new())
                .await,
            401,
            "revoked",
        );
        // The unrestricted token keeps working on the personal organization.
        assert_eq!(ana.get_organization("ana").await.unwrap().slug, "ana");
        assert_eq!(organization_slugs(&ana).await, ["ana"]);
        assert_eq!(ana.current_user().await.unwrap().username, "ana");
        let names: Vec<String> = ana
            .list_api_tokens()
            .await
            .unwrap()
            .into_iter()
            .map(|token| token.name)
            .collect();
        assert_eq!(names, ["fake-token"], "the scoped token is gone");
    })
    .await
}

// --- invites ---

#[tokio::test]
async fn invites_by_email_and_by_username_are_listed_with_the_member_role_by_default() {
    bounded(LIMIT, async {
        let fake = start().await;
        let ana = user_client(&fake, "ana");
        let client = admin(&fake);
        assert!(
            client
                .list_organization_invites_v2("fake-org")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ana.current_user().await.unwrap().has_pending_invites,
            Some(false)
        );

        let by_email = client
            .invite_organization_member_v2("fake-org", &NewInvite::email("bob@example.com"))
            .await
            .unwrap();
        assert_eq!(by_email.email.as_deref(), Some("bob@example.com"));
        assert_eq!(by_email.role.as_deref(), Some("member"));
        assert_eq!(by_email.organization.as_deref(), Some("fake-org"));

        let by_username = client
            .invite_organization_member_v2(
                "fake-org",
                &NewInvite::username("ana").role(MemberRole::Viewer),
            )
            .await
            .unwrap();
        assert_eq!(by_username.email.as_deref(), Some("ana@example.com"));
        assert_eq!(by_username.role.as_deref(), Some("viewer"));

        let listed = client
            .list_organization_invites_v2("fake-org")
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        for invite in &listed {
            assert!(
                invite.id.is_some() && invite.created_at.is_some(),
                "{invite:?}"
            );
        }
        assert_eq!(
            invites(&client, "fake-org").await,
            [
                ("ana@example.com".to_owned(), "viewer".to_owned()),
                ("bob@example.com".to_owned(), "member".to_owned())
            ]
        );
        assert_eq!(
            ana.current_user().await.unwrap().has_pending_invites,
            Some(true)
        );

        assert!(
            fake.audit_log("fake-org").unwrap().is_empty(),
            "invites have no code in Turso's list"
        );
    })
    .await
}

#[tokio::test]
async fn a_new_invite_for_the_same_email_replaces_the_pending_one() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        client
            .invite_organization_member_v2("fake-org", &NewInvite::email("bob@example.com"))
            .await
            .unwrap();
        let first = client
            .list_organization_invites_v2("fake-org")
            .await
            .unwrap();
        let replaced = client
            .invite_organization_member_v2(
                "fake-org",
                &NewInvite::email("bob@example.com").role(MemberRole::Admin),
            )
            .await
            .unwrap();
        assert_eq!(replaced.role.as_deref(), Some("admin"));
        let second = client
            .list_organization_invites_v2("fake-org")
            .await
            .unwrap();
        assert_eq!(second.len(), 1, "{second:?}");
        assert_eq!(second[0].role.as_deref(), Some("admin"));
        assert_ne!(second[0].id, first[0].id, "a new invite");
    })
    .await
}

#[tokio::test]
async fn a_deleted_invite_is_gone_and_deleting_it_again_answers_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        for email in ["bob@example.com", "carol@example.com"] {
            client
                .invite_organization_member_v2("fake-org", &NewInvite::email(email))
                .await
                .unwrap();
        }
        client
            .delete_organization_invite_by_email_v2("fake-org", "bob@example.com")
            .await
            .unwrap();
        assert_eq!(
            invites(&client, "fake-org").await,
            [("carol@example.com".to_owned(), "member".to_owned())]
        );
        assert_api_error(
            client
                .delete_organization_invite_by_email_v2("fake-org", "bob@example.com")
                .await,
            404,
            "invite not found",
        );
        assert_api_error(
            client
                .delete_organization_invite_by_email_v2("fake-org", "nobody@example.com")
                .await,
            404,
            "invite not found",
        );
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn inviting_a_member_answers_409_and_an_unknown_username_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_user("ana").unwrap();
        fake.add_member("fake-org", "ana", MemberRole::Member)
            .unwrap();
        let client = admin(&fake);
        assert_api_error(
            client
                .invite_organization_member_v2("fake-org", &NewInvite::username("ana"))
                .await,
            409,
            "ana@example.com is already a member of organization fake-org",
        );
        assert_api_error(
            client
                .invite_organization_member_v2("fake-org", &NewInvite::email("ana@example.com"))
                .await,
            409,
            "already a member",
        );
        assert_api_error(
            client
                .invite_organization_member_v2("fake-org", &NewInvite::username("fake-user"))
                .await,
            409,
            "fake-user@example.com is already a member",
        );
        assert_api_error(
            client
                .invite_organization_member_v2("fake-org", &NewInvite::username("nobody"))
                .await,
            404,
            "could not find user nobody",
        );
        // A personal organization has no other members.
        assert_api_error(
            client
                .invite_organization_member_v2("fake-user", &NewInvite::email("bob@example.com"))
                .await,
            400,
            "personal organization",
        );
        assert!(
            client
                .list_organization_invites_v2("fake-org")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn an_invite_names_exactly_one_of_email_and_username_and_never_the_owner_role() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_user("ana").unwrap();
        let client = admin(&fake);
        let both = InviteInput::default()
            .with_email("ana@example.com")
            .with_username("ana");
        assert_raw_api_error(
            client
                .generated()
                .invite_organization_member_v2("fake-org", &both)
                .await,
            400,
            "give exactly one of email and username",
        );
        assert_raw_api_error(
            client
                .generated()
                .invite_organization_member_v2("fake-org", &InviteInput::default())
                .await,
            400,
            "give exactly one of email and username",
        );
        assert!(
            client
                .list_organization_invites_v2("fake-org")
                .await
                .unwrap()
                .is_empty()
        );

        // The owner role is refused before anything is sent.
        let sent = fake.requests("inviteOrganizationMemberV2").unwrap();
        let owner = NewInvite::email("bob@example.com").role(MemberRole::Owner);
        assert!(matches!(
            client
                .invite_organization_member_v2("fake-org", &owner)
                .await,
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(fake.requests("inviteOrganizationMemberV2").unwrap(), sent);
        assert!(
            client
                .list_organization_invites_v2("fake-org")
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await
}

// --- the audit log ---

#[tokio::test]
async fn every_change_of_a_program_is_logged_newest_first_and_reads_add_nothing() {
    bounded(LIMIT, async {
        let fake = start().await;
        let org = "fake-org";
        let ana = user_client(&fake, "ana");
        fake.add_member(org, "ana", MemberRole::Admin).unwrap();
        fake.add_user("bob").unwrap();

        ana.create_group(org, &NewGroup::new("audit-g", "aws-eu-west-1"))
            .await
            .unwrap();
        ana.create_database(org, &NewDatabase::new("audit-db", "audit-g"))
            .await
            .unwrap();
        ana.create_database_token(org, "audit-db", &TokenOptions::new())
            .await
            .unwrap();
        ana.update_database_configuration(
            org,
            "audit-db",
            &DatabaseConfigurationInput::default().with_delete_protection(true),
        )
        .await
        .unwrap();
        // A refused change is not one.
        assert_api_error(
            ana.delete_database(org, "audit-db").await,
            400,
            "protected from deletion",
        );
        ana.add_organization_member(org, "bob", MemberRole::Member)
            .await
            .unwrap();
        ana.invite_organization_member_v2(org, &NewInvite::email("carol@example.com"))
            .await
            .unwrap();
        ana.remove_organization_member(org, "bob").await.unwrap();
        ana.update_database_configuration(
            org,
            "audit-db",
            &DatabaseConfigurationInput::default().with_delete_protection(false),
        )
        .await
        .unwrap();
        ana.delete_database(org, "audit-db").await.unwrap();

        let log = fake.audit_log(org).unwrap();
        assert_eq!(
            codes(&log),
            [
                "db-delete",
                "db-unprotect",
                "org-member-rm",
                "org-member-add",
                "db-protect",
                "db-token-create",
                "db-create",
                "group-create",
            ]
        );
        let expected_data = [
            json!({"name": "audit-db"}),
            json!({"name": "audit-db"}),
            json!({"username": "bob"}),
            json!({"username": "bob", "role": "member"}),
            json!({"name": "audit-db"}),
            json!({"name": "audit-db", "authorization": "full-access"}),
            json!({"name": "audit-db", "group": "audit-g"}),
            json!({"name": "audit-g", "location": "aws-eu-west-1"}),
        ];
        for (entry, expected) in log.iter().zip(&expected_data) {
            assert_eq!(entry.author.as_deref(), Some("ana"), "{entry:?}");
            assert_eq!(&data(entry), expected, "{entry:?}");
            assert!(
                entry.message.as_deref().is_some_and(|m| !m.is_empty()),
                "{entry:?}"
            );
        }
        let times: Vec<&str> = log
            .iter()
            .map(|entry| entry.created_at.as_deref().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|pair| pair[0] >= pair[1]),
            "newest first: {times:?}"
        );

        // The API answers the same log.
        let page = ana
            .list_organization_audit_logs(org, &AuditLogOptions::new())
            .await
            .unwrap();
        assert_eq!(page.audit_logs, log);

        // Reads add nothing.
        ana.get_organization(org).await.unwrap();
        ana.list_organizations().await.unwrap();
        ana.list_databases(org, &ListDatabasesOptions::new())
            .await
            .unwrap();
        ana.list_groups(org).await.unwrap();
        ana.get_group(org, "audit-g").await.unwrap();
        ana.list_organization_members(org).await.unwrap();
        ana.list_organization_invites_v2(org).await.unwrap();
        ana.list_organization_plans(org).await.unwrap();
        ana.get_organization_usage(org).await.unwrap();
        ana.get_organization_subscription(org).await.unwrap();
        ana.list_organization_invoices(org, &ListInvoicesOptions::new())
            .await
            .unwrap();
        ana.current_user().await.unwrap();
        ana.list_organization_audit_logs(org, &AuditLogOptions::new())
            .await
            .unwrap();
        assert_eq!(fake.audit_log(org).unwrap(), log);
        // Other organizations' logs are untouched.
        assert!(fake.audit_log("fake-user").unwrap().is_empty());
        assert!(fake.audit_log("ana").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn audit_log_pages_hold_page_size_entries_with_their_pagination() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("paged").unwrap();
        let client = admin(&fake);
        create_groups(&client, "paged", "g", 5).await;
        let log = fake.audit_log("paged").unwrap();
        assert_eq!(log.len(), 5);

        let mut read = Vec::new();
        for page_number in 1..=3u32 {
            let page = client
                .list_organization_audit_logs(
                    "paged",
                    &AuditLogOptions::new().page(page_number).page_size(2),
                )
                .await
                .unwrap();
            let expected = if page_number == 3 { 1 } else { 2 };
            assert_eq!(page.audit_logs.len(), expected, "page {page_number}");
            let pagination = page.pagination.expect("pagination");
            assert_eq!(pagination.page, Some(page_number as i32));
            assert_eq!(pagination.page_size, Some(2));
            assert_eq!(pagination.total_pages, Some(3));
            assert_eq!(pagination.total_rows, Some(5));
            read.extend(page.audit_logs);
        }
        assert_eq!(read, log, "the pages, in order, are the whole log");
        let names: Vec<&str> = read
            .iter()
            .map(|entry| entry.data["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["g-5", "g-4", "g-3", "g-2", "g-1"]);

        let past = client
            .list_organization_audit_logs("paged", &AuditLogOptions::new().page(4).page_size(2))
            .await
            .unwrap();
        assert!(past.audit_logs.is_empty());
        let pagination = past.pagination.expect("pagination");
        assert_eq!(pagination.total_pages, Some(3));
        assert_eq!(pagination.total_rows, Some(5));
    })
    .await
}

#[tokio::test]
async fn an_empty_audit_log_has_no_rows_and_its_stream_yields_nothing() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("quiet").unwrap();
        let client = admin(&fake);
        let page = client
            .list_organization_audit_logs("quiet", &AuditLogOptions::new())
            .await
            .unwrap();
        assert!(page.audit_logs.is_empty());
        let pagination = page.pagination.expect("pagination");
        assert_eq!(pagination.total_rows, Some(0));
        assert_eq!(pagination.total_pages, Some(0));

        let streamed: Vec<AuditLog> = client
            .audit_log_stream("quiet", 10)
            .try_collect()
            .await
            .unwrap();
        assert!(streamed.is_empty());
    })
    .await
}

#[tokio::test]
async fn the_audit_log_stream_yields_every_entry_in_order_a_page_at_a_time() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("streamed").unwrap();
        let client = admin(&fake);
        create_groups(&client, "streamed", "s", 7).await;
        let before = fake.requests("listOrganizationAuditLogs").unwrap();
        let streamed: Vec<AuditLog> = client
            .audit_log_stream("streamed", 3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(streamed, fake.audit_log("streamed").unwrap());
        let names: Vec<&str> = streamed
            .iter()
            .map(|entry| entry.data["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["s-7", "s-6", "s-5", "s-4", "s-3", "s-2", "s-1"]);
        assert_eq!(
            fake.requests("listOrganizationAuditLogs").unwrap() - before,
            3,
            "pages of 3, 3 and 1"
        );
    })
    .await
}

#[tokio::test]
async fn the_starter_plan_has_no_audit_log_402() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        assert_starter_refusal(
            client
                .list_organization_audit_logs("fake-user", &AuditLogOptions::new())
                .await,
        );
        fake.set_plan("fake-org", Plan::Starter).unwrap();
        assert_starter_refusal(
            client
                .list_organization_audit_logs("fake-org", &AuditLogOptions::new())
                .await,
        );
        let streamed: Vec<Result<AuditLog, Error>> =
            futures_util::StreamExt::collect(client.audit_log_stream("fake-org", 10)).await;
        assert_eq!(streamed.len(), 1, "{streamed:?}");
        assert_starter_refusal(streamed.into_iter().next().unwrap());
    })
    .await
}

#[tokio::test]
async fn members_viewers_and_group_scoped_tokens_cannot_read_the_audit_log_403() {
    bounded(LIMIT, async {
        let fake = start().await;
        let mara = user_client(&fake, "mara");
        fake.add_member("fake-org", "mara", MemberRole::Member)
            .unwrap();
        let vera = user_client(&fake, "vera");
        fake.add_member("fake-org", "vera", MemberRole::Viewer)
            .unwrap();
        let only = "only admins and owners of this organization can read the audit log";
        for reader in [&mara, &vera] {
            assert_api_error(
                reader
                    .list_organization_audit_logs("fake-org", &AuditLogOptions::new())
                    .await,
                403,
                only,
            );
        }

        let client = admin(&fake);
        let grouped = restricted_client(
            &fake,
            &client,
            "grouped",
            &pinned(
                "fake-org",
                "default",
                [Scope::Read, Scope::DbCreate, Scope::DbConfigure],
            ),
        )
        .await;
        assert_api_error(
            grouped
                .list_organization_audit_logs("fake-org", &AuditLogOptions::new())
                .await,
            403,
            "this token is restricted to the group default",
        );
        // An organization-scoped token of the owner may.
        let scoped = restricted_client(
            &fake,
            &client,
            "scoped",
            &ApiTokenOptions::new().organization("fake-org"),
        )
        .await;
        let page = scoped
            .list_organization_audit_logs("fake-org", &AuditLogOptions::new())
            .await
            .unwrap();
        assert_eq!(
            codes(&page.audit_logs),
            ["user-token-create", "user-token-create"]
        );
    })
    .await
}

// --- the current user ---

#[tokio::test]
async fn get_current_user_answers_the_calling_user() {
    bounded(LIMIT, async {
        let fake = start().await;
        let ana = user_client(&fake, "ana");
        let me = ana.current_user().await.unwrap();
        assert_eq!(me.username, "ana");
        assert_eq!(me.email.as_deref(), Some("ana@example.com"));
        assert_eq!(me.plan.as_deref(), Some("starter"));

        let seeded = admin(&fake).current_user().await.unwrap();
        assert_eq!(seeded.username, "fake-user");
        assert_eq!(seeded.email.as_deref(), Some("fake-user@example.com"));

        // A restricted token of ana's answers ana too.
        let scoped = restricted_client(
            &fake,
            &ana,
            "ana-personal",
            &ApiTokenOptions::new().organization("ana"),
        )
        .await;
        assert_eq!(scoped.current_user().await.unwrap().username, "ana");
    })
    .await
}

// --- setup and invites, as a member joins ---

#[tokio::test]
async fn setup_keeps_one_owner_and_personal_organizations_to_themselves() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        fake.add_user("ana").unwrap();
        assert_eq!(
            fake.add_member("fake-org", "nobody", MemberRole::Member),
            Err(SetupError::UnknownUser("nobody".into()))
        );
        assert_eq!(
            fake.add_member("ana", "fake-user", MemberRole::Admin),
            Err(SetupError::PersonalOrganization("ana".into()))
        );
        assert_eq!(
            fake.add_member("fake-org", "fake-user", MemberRole::Admin),
            Err(SetupError::OwnerRole("fake-org".into()))
        );
        // Ownership moves: the owner before becomes an admin, and there is one owner.
        fake.add_member("fake-org", "ana", MemberRole::Owner)
            .unwrap();
        assert_eq!(
            members(&client, "fake-org").await,
            [
                ("ana".to_owned(), "owner".to_owned()),
                ("fake-user".to_owned(), "admin".to_owned())
            ]
        );
        // Setup leaves no trace in the log.
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn invites_are_matched_by_address_whatever_its_case_and_accepted_on_joining() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = admin(&fake);
        let ana = user_client(&fake, "ana");
        client
            .invite_organization_member_v2("fake-org", &NewInvite::email("Ana@Example.COM"))
            .await
            .unwrap();
        assert_eq!(
            invites(&client, "fake-org").await,
            [("ana@example.com".to_owned(), "member".to_owned())]
        );
        assert_eq!(
            ana.current_user().await.unwrap().has_pending_invites,
            Some(true)
        );
        // Withdrawn in any case.
        client
            .delete_organization_invite_by_email_v2("fake-org", "ANA@example.com")
            .await
            .unwrap();
        assert!(invites(&client, "fake-org").await.is_empty());

        // Joining accepts the invite; a member cannot be invited again, in any case.
        client
            .invite_organization_member_v2("fake-org", &NewInvite::username("ana"))
            .await
            .unwrap();
        client
            .add_organization_member("fake-org", "ana", MemberRole::Viewer)
            .await
            .unwrap();
        assert!(invites(&client, "fake-org").await.is_empty());
        assert_eq!(
            ana.current_user().await.unwrap().has_pending_invites,
            Some(false)
        );
        assert_api_error(
            client
                .invite_organization_member_v2("fake-org", &NewInvite::email("ANA@example.com"))
                .await,
            409,
            "already a member",
        );
    })
    .await
}

#[tokio::test]
async fn a_role_or_a_restriction_is_refused_before_anything_is_looked_up() {
    bounded(LIMIT, async {
        let fake = start().await;
        // The setup's owner cannot be overwritten by an organization of the same name.
        fake.add_organization_with_role("theirs", MemberRole::Member)
            .unwrap();
        assert!(matches!(
            fake.add_organization_with_role("fake-owner", MemberRole::Viewer),
            Err(SetupError::AlreadyExists { kind: "organization", ref name, .. })
                if name == "fake-owner"
        ));
        assert_eq!(
            admin(&fake)
                .get_organization("fake-owner")
                .await
                .unwrap_err()
                .status(),
            Some(turso_platform::StatusCode::FORBIDDEN),
            "fake-owner's personal organization, which fake-user is not a member of"
        );
        let client = admin(&fake);

        // A member minting a group-scoped token for a group that does not exist: 403.
        let for_missing_group = pinned("theirs", "no-such-group", [Scope::Read]);
        assert_api_error(
            client.create_api_token("ci", &for_missing_group).await,
            403,
            "only admins and owners of theirs can mint group-scoped tokens",
        );
        // A transfer into an organization where the user is a member: 403 before the
        // group is looked for.
        assert_api_error(
            client
                .transfer_group("fake-org", "no-such-group", "theirs")
                .await,
            403,
            "only admins and owners of this organization can receive groups",
        );

        // A group-scoped token reads its organization only with `read`, and never the
        // plans (billing).
        let reader = restricted_client(
            &fake,
            &client,
            "reader",
            &pinned("fake-org", "default", [Scope::Read]),
        )
        .await;
        assert_eq!(
            reader.get_organization("fake-org").await.unwrap().slug,
            "fake-org"
        );
        assert_api_error(
            reader.list_organization_plans("fake-org").await,
            403,
            "cannot act on the organization as a whole",
        );
        let minter = restricted_client(
            &fake,
            &client,
            "minter",
            &pinned("fake-org", "default", [Scope::DbMintToken]),
        )
        .await;
        assert_api_error(
            minter.get_organization("fake-org").await,
            403,
            "does not have the scope read",
        );
    })
    .await
}

/// Every kind of change the fake logs, each made once, is logged once with its code (the
/// codes the other tests of the log do not meet), in the organization it happened in.
#[tokio::test]
async fn every_kind_of_change_is_logged_with_its_code() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        fake.add_user("ana").unwrap();
        fake.add_member("fake-org", "ana", MemberRole::Member)
            .unwrap();
        let client = admin(&fake);
        let org = "fake-org";
        let pinned_to_org = ApiTokenOptions::new().organization(org);
        client
            .create_api_token("audited", &pinned_to_org)
            .await
            .unwrap();
        client.revoke_api_token("audited").await.unwrap();
        client
            .add_location_to_group(org, "default", "aws-eu-west-1")
            .await
            .unwrap();
        client
            .remove_location_from_group(org, "default", "aws-eu-west-1")
            .await
            .unwrap();
        for protection in [Some(true), Some(false), None] {
            let mut change = GroupConfigurationInput::default();
            change.delete_protection = protection;
            client
                .update_group_configuration(org, "default", &change)
                .await
                .unwrap();
        }
        let allowlist = DatabaseConfigurationInput::default().with_allowed_ips(["10.0.0.0/8"]);
        client
            .update_database_configuration(org, "fake-db", &allowlist)
            .await
            .unwrap();
        client.update_group_databases(org, "default").await.unwrap();
        client.unarchive_group(org, "default").await.unwrap();
        client
            .create_group_token(org, "default", &TokenOptions::new())
            .await
            .unwrap();
        client
            .invalidate_group_tokens(org, "default")
            .await
            .unwrap();
        client
            .invalidate_database_tokens(org, "fake-db")
            .await
            .unwrap();
        let overages = UpdateOrganizationInput::default().with_overages(true);
        client.update_organization(org, &overages).await.unwrap();
        let mfa = UpdateOrganizationInput::default().with_require_mfa(true);
        client.update_organization(org, &mfa).await.unwrap();
        client
            .update_member_role(org, "ana", MemberRole::Viewer)
            .await
            .unwrap();
        client
            .invite_organization_member_v2(org, &NewInvite::email("carol@example.com"))
            .await
            .unwrap();
        client
            .delete_organization_invite_by_email_v2(org, "carol@example.com")
            .await
            .unwrap();
        client
            .create_group(org, &NewGroup::new("moving", "aws-us-east-1"))
            .await
            .unwrap();
        client.transfer_group(org, "moving", "acme").await.unwrap();

        let mut logged = codes(&fake.audit_log(org).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        logged.reverse();
        assert_eq!(
            logged,
            [
                "user-token-create",
                "instance-create",
                "instance-delete",
                "group-protect",
                "group-unprotect",
                "group-unarchive",
                "group-token-create",
                "org-set-overages",
                "group-create",
            ],
            "only what Turso's list has a code for"
        );
        assert!(
            fake.audit_log("acme").unwrap().is_empty(),
            "a transfer is not logged"
        );
        // Every code a client generated from Turso's spec (a closed enum) can read.
        let turso = [
            "user-signup",
            "db-create",
            "db-delete",
            "db-protect",
            "db-unprotect",
            "db-token-create",
            "group-token-create",
            "user-token-create",
            "instance-create",
            "instance-delete",
            "org-create",
            "org-delete",
            "org-member-add",
            "org-member-rm",
            "org-member-leave",
            "org-plan-update",
            "org-set-overages",
            "group-create",
            "group-delete",
            "group-unarchive",
            "group-protect",
            "group-unprotect",
            "db-aunrchive",
            "user-delete",
        ];
        assert!(
            logged.iter().all(|code| turso.contains(&code.as_str())),
            "{logged:?}"
        );
    })
    .await
}
