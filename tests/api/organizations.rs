//! The organization, member, invite and audit log operations against httpmock: for each,
//! what is sent (method, percent-encoded path, query, headers, body) and how the
//! documented answer is decoded; how the audit log stream walks its pages; then how every
//! error status of every operation, a 503 and an invalid argument come back: which
//! requests are sent once, which are retried, and which are never sent.

use crate::common;

use std::time::Duration;

use common::mock::{self, common_headers, json_request, no_body, no_query};
use common::{Action, ScriptedServer, bounded};
use futures_util::{Stream as _, StreamExt};
use httpmock::prelude::*;
use serde_json::json;
use turso_platform::{
    AuditLogOptions, Client, Error, InvoiceType, ListInvoicesOptions, MemberRole, NewInvite,
    StatusCode, UpdateOrganizationInput,
};

const LIMIT: Duration = Duration::from_secs(20);
/// The ID of the organization in the usage answers.
const ORG_ID: &str = "fa72ba58-7db3-436b-bcab-14b83eb1dd88";
/// The ID of the database in the usage answers.
const DB_ID: &str = "0eb771dd-6906-11ee-8553-eaa7715aeaf2";
/// The path of the audit log of `my-org`.
const AUDIT_LOGS: &str = "/v1/organizations/my-org/audit-logs";

/// The API's JSON error body.
fn error_json(message: &str) -> serde_json::Value {
    json!({ "error": message })
}

/// `my-org` as the documented answers show it.
fn my_org_json() -> serde_json::Value {
    json!({
        "name": "My Company", "slug": "my-org", "type": "team", "overages": true,
        "require_mfa": false, "blocked_reads": false, "blocked_writes": false,
        "plan_id": "scaler", "plan_timeline": "monthly", "platform": ""
    })
}

/// Checks the organization of [`my_org_json`].
fn assert_my_org(organization: &turso_platform::Organization) {
    assert_eq!(organization.name, "My Company");
    assert_eq!(organization.slug, "my-org");
    assert_eq!(organization.type_.as_deref(), Some("team"));
    assert_eq!(organization.overages, Some(true));
    assert_eq!(organization.require_mfa, Some(false));
    assert_eq!(
        (organization.blocked_reads, organization.blocked_writes),
        (Some(false), Some(false))
    );
    assert_eq!(organization.plan_id.as_deref(), Some("scaler"));
    assert_eq!(organization.plan_timeline.as_deref(), Some("monthly"));
    assert_eq!(organization.platform.as_deref(), Some(""));
}

/// An audit log entry, told apart by `n`.
fn audit_entry(n: usize) -> serde_json::Value {
    json!({
        "code": "db-create", "message": format!("created database tenant-{n}"),
        "origin": "cli", "author": "iku", "created_at": "2026-05-21T10:00:00Z",
        "data": {"name": format!("tenant-{n}"), "group": "default"}
    })
}

/// Page `page` of an audit log of pages of 2, holding the entries `entries`.
fn audit_page_json(
    page: u32,
    entries: std::ops::Range<usize>,
    total_pages: u32,
    total_rows: u32,
) -> serde_json::Value {
    json!({
        "audit_logs": entries.map(audit_entry).collect::<Vec<_>>(),
        "pagination": {"page": page, "page_size": 2, "total_pages": total_pages,
                       "total_rows": total_rows}
    })
}

/// A mock of page `page` (of 2 entries) of the audit log of `my-org`, answering `body`.
async fn audit_page_mock<'a>(
    server: &'a MockServer,
    page: u32,
    status: u16,
    body: serde_json::Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            common_headers(no_body(
                when.method(GET)
                    .path(AUDIT_LOGS)
                    .query_param("page", page.to_string())
                    .query_param("page_size", "2")
                    .is_true(|request| request.query_params().len() == 2),
            ));
            then.status(status).json_body(body);
        })
        .await
}

/// The `message` of each entry, or the error.
fn messages(items: &[Result<turso_platform::AuditLog, Error>]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            Ok(entry) => entry.message.clone().unwrap_or_default(),
            Err(e) => panic!("expected an entry, got {e:?}"),
        })
        .collect()
}

/// The messages of the entries `entries` of [`audit_entry`].
fn expected_messages(entries: std::ops::Range<usize>) -> Vec<String> {
    entries
        .map(|n| format!("created database tenant-{n}"))
        .collect()
}

// Organizations.

#[tokio::test]
async fn list_organizations_decodes_the_bare_array_with_its_type() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations"),
                )));
                then.status(200).json_body(json!([
                    {"name": "personal", "slug": "iku", "type": "personal", "overages": false,
                     "require_mfa": false, "blocked_reads": false, "blocked_writes": false,
                     "plan_id": "starter", "plan_timeline": "monthly", "platform": ""},
                    my_org_json()
                ]));
            })
            .await;
        let organizations = mock::client(&server).list_organizations().await.unwrap();
        mock.assert_async().await;
        assert_eq!(organizations.len(), 2);
        let personal = &organizations[0];
        assert_eq!(
            (personal.name.as_str(), personal.slug.as_str()),
            ("personal", "iku")
        );
        assert_eq!(personal.type_.as_deref(), Some("personal"));
        assert_eq!(personal.overages, Some(false));
        assert_eq!(personal.plan_id.as_deref(), Some("starter"));
        assert_my_org(&organizations[1]);
    })
    .await;
}

#[tokio::test]
async fn list_organizations_decodes_an_empty_array() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/organizations");
                then.status(200).json_body(json!([]));
            })
            .await;
        let organizations = mock::client(&server).list_organizations().await.unwrap();
        mock.assert_async().await;
        assert!(organizations.is_empty());
    })
    .await;
}

#[tokio::test]
async fn get_organization_decodes_the_documented_answer() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org"),
                )));
                then.status(200)
                    .json_body(json!({"organization": my_org_json()}));
            })
            .await;
        let organization = mock::client(&server)
            .get_organization("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_my_org(&organization);
    })
    .await;
}

#[tokio::test]
async fn update_organization_patches_only_the_set_fields() {
    bounded(LIMIT, async {
        let cases = [
            (
                UpdateOrganizationInput::default().with_overages(true),
                json!({"overages": true}),
            ),
            (
                UpdateOrganizationInput::default().with_require_mfa(true),
                json!({"require_mfa": true}),
            ),
            (
                UpdateOrganizationInput::default()
                    .with_overages(false)
                    .with_require_mfa(false),
                json!({"overages": false, "require_mfa": false}),
            ),
        ];
        for (changes, body) in cases {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    common_headers(json_request(
                        when.method(PATCH).path("/v1/organizations/my-org"),
                        body.clone(),
                    ));
                    then.status(200)
                        .json_body(json!({"organization": my_org_json()}));
                })
                .await;
            let organization = mock::client(&server)
                .update_organization("my-org", &changes)
                .await
                .unwrap();
            mock.assert_async().await;
            assert_my_org(&organization);
        }
    })
    .await;
}

#[tokio::test]
async fn list_organization_plans_decodes_prices_and_camel_case_quotas() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/plans"),
                )));
                then.status(200).json_body(json!({"plans": [
                    {"name": "starter", "price": "0",
                     "prices": [{"value": "0", "timeline": "monthly"}],
                     "quotas": {"rowsRead": 500_000_000_i64, "rowsWritten": 10_000_000,
                                "databases": 500, "locations": 1,
                                "storage": 9_000_000_000_i64, "groups": 1,
                                "bytesSynced": 3_000_000_000_i64}},
                    {"name": "bare", "prices": null}
                ]}));
            })
            .await;
        let plans = mock::client(&server)
            .list_organization_plans("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(plans.len(), 2);
        let starter = &plans[0];
        assert_eq!(starter.name, "starter");
        assert_eq!(starter.price.as_deref(), Some("0"));
        assert_eq!(starter.prices.len(), 1);
        assert_eq!(starter.prices[0].value.as_deref(), Some("0"));
        assert_eq!(starter.prices[0].timeline.as_deref(), Some("monthly"));
        let quotas = starter.quotas.as_ref().unwrap();
        assert_eq!(
            (quotas.rows_read, quotas.rows_written, quotas.bytes_synced),
            (Some(500_000_000), Some(10_000_000), Some(3_000_000_000))
        );
        assert_eq!(
            (
                quotas.databases,
                quotas.locations,
                quotas.storage,
                quotas.groups
            ),
            (Some(500), Some(1), Some(9_000_000_000), Some(1))
        );
        let bare = &plans[1];
        assert_eq!(bare.name, "bare");
        assert_eq!((bare.price.as_deref(), bare.quotas.is_none()), (None, true));
        assert!(bare.prices.is_empty());
    })
    .await;
}

#[tokio::test]
async fn list_organization_invoices_without_options_sends_no_query_and_decodes_them() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/invoices"),
                )));
                then.status(200).json_body(json!({"invoices": [{
                    "invoice_number": "LFONTK-00001", "amount_due": "29.00",
                    "due_date": "2026-05-01T05:00:00+00:00",
                    "paid_at": "2026-05-01T05:03:12+00:00", "payment_failed_at": "",
                    "invoice_pdf": "https://assets.example.com/invoice/LFONTK-00001.pdf",
                    "status": "paid",
                    "hosted_invoice_url": "https://billing.example.com/invoice/LFONTK-00001"
                }]}));
            })
            .await;
        let invoices = mock::client(&server)
            .list_organization_invoices("my-org", &ListInvoicesOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(invoices.len(), 1);
        let invoice = &invoices[0];
        assert_eq!(invoice.invoice_number.as_deref(), Some("LFONTK-00001"));
        assert_eq!(invoice.amount_due.as_deref(), Some("29.00"));
        assert_eq!(
            invoice.due_date.as_deref(),
            Some("2026-05-01T05:00:00+00:00")
        );
        assert_eq!(
            invoice.paid_at.as_deref(),
            Some("2026-05-01T05:03:12+00:00")
        );
        assert_eq!(invoice.payment_failed_at.as_deref(), Some(""));
        assert_eq!(
            invoice.invoice_pdf.as_deref(),
            Some("https://assets.example.com/invoice/LFONTK-00001.pdf")
        );
        assert_eq!(invoice.status.as_deref(), Some("paid"));
        assert_eq!(
            invoice.hosted_invoice_url.as_deref(),
            Some("https://billing.example.com/invoice/LFONTK-00001")
        );
    })
    .await;
}

#[tokio::test]
async fn list_organization_invoices_sends_the_type_as_a_query() {
    bounded(LIMIT, async {
        for (invoice_type, word) in [
            (InvoiceType::Issued, "issued"),
            (InvoiceType::Upcoming, "upcoming"),
            (InvoiceType::All, "all"),
        ] {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    common_headers(no_body(
                        when.method(GET)
                            .path("/v1/organizations/my-org/invoices")
                            .query_param("type", word)
                            .is_true(|request| request.query_params().len() == 1),
                    ));
                    then.status(200).json_body(json!({"invoices": null}));
                })
                .await;
            let options = ListInvoicesOptions::new().invoice_type(invoice_type);
            let invoices = mock::client(&server)
                .list_organization_invoices("my-org", &options)
                .await
                .unwrap();
            mock.assert_async().await;
            assert!(invoices.is_empty(), "{word}");
        }
    })
    .await;
}

#[tokio::test]
async fn get_organization_subscription_decodes_the_plan_and_its_billing() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/subscription"),
                )));
                then.status(200).json_body(json!({"subscription": {
                    "name": "scaler", "plan": "scaler", "timeline": "monthly",
                    "overages": true
                }}));
            })
            .await;
        let subscription = mock::client(&server)
            .get_organization_subscription("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(subscription.name.as_deref(), Some("scaler"));
        assert_eq!(subscription.plan.as_deref(), Some("scaler"));
        assert_eq!(subscription.timeline.as_deref(), Some("monthly"));
        assert_eq!(subscription.overages, Some(true));
    })
    .await;
}

#[tokio::test]
async fn get_organization_usage_decodes_the_totals_and_each_database() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/usage"),
                )));
                then.status(200).json_body(json!({"organization": {
                    "uuid": ORG_ID,
                    "usage": {"rows_read": 1200, "rows_written": 40, "databases": 2,
                              "locations": 1, "storage_bytes": 8192, "groups": 1,
                              "bytes_synced": 0},
                    "databases": [{"uuid": DB_ID, "total": {"rows_read": 1200}}]
                }}));
            })
            .await;
        let usage = mock::client(&server)
            .get_organization_usage("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(usage.uuid.as_deref(), Some(ORG_ID));
        let totals = usage.usage.unwrap();
        assert_eq!(
            (totals.rows_read, totals.rows_written, totals.storage_bytes),
            (Some(1200), Some(40), Some(8192))
        );
        assert_eq!(
            (
                totals.databases,
                totals.locations,
                totals.groups,
                totals.bytes_synced
            ),
            (Some(2), Some(1), Some(1), Some(0))
        );
        assert_eq!(usage.databases.len(), 1);
        assert_eq!(usage.databases[0].uuid.as_deref(), Some(DB_ID));
        let total = usage.databases[0].total.as_ref().unwrap();
        assert_eq!((total.rows_read, total.rows_written), (Some(1200), None));
    })
    .await;
}

// Members.

#[tokio::test]
async fn list_organization_members_decodes_usernames_roles_and_emails() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v1/organizations/my-org/members"),
                )));
                then.status(200).json_body(json!({"members": [
                    {"username": "iku", "role": "owner", "email": "iku@turso.tech"},
                    {"username": "ana", "role": "member", "email": "ana@example.com"},
                    {"username": "bot", "role": "auditor"}
                ]}));
            })
            .await;
        let members = mock::client(&server)
            .list_organization_members("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        let got: Vec<_> = members
            .iter()
            .map(|m| (m.username.as_str(), m.role.as_str(), m.email.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("iku", "owner", Some("iku@turso.tech")),
                ("ana", "member", Some("ana@example.com")),
                ("bot", "auditor", None),
            ]
        );
        assert_eq!(members[0].role.parse(), Ok(MemberRole::Owner));
        assert_eq!(members[1].role.parse(), Ok(MemberRole::Member));
        // A role this version does not know fails neither the list nor the parse silently.
        assert!(members[2].role.parse::<MemberRole>().is_err());
    })
    .await;
}

#[tokio::test]
async fn add_organization_member_sends_the_username_and_role() {
    bounded(LIMIT, async {
        for (role, word) in [
            (MemberRole::Admin, "admin"),
            (MemberRole::Member, "member"),
            (MemberRole::Viewer, "viewer"),
        ] {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    common_headers(json_request(
                        when.method(POST).path("/v1/organizations/my-org/members"),
                        json!({"username": "ana", "role": word}),
                    ));
                    then.status(200)
                        .json_body(json!({"member": "ana", "role": word}));
                })
                .await;
            let added = mock::client(&server)
                .add_organization_member("my-org", "ana", role)
                .await
                .unwrap();
            mock.assert_async().await;
            assert_eq!(added.member, "ana");
            assert_eq!(added.role.as_deref(), Some(word));
        }
    })
    .await;
}

#[tokio::test]
async fn get_organization_member_decodes_the_member() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET)
                        .path("/v1/organizations/my-org/members/ana"),
                )));
                then.status(200).json_body(json!({"member": {
                    "username": "ana", "role": "member", "email": "ana@example.com"
                }}));
            })
            .await;
        let member = mock::client(&server)
            .get_organization_member("my-org", "ana")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(member.username, "ana");
        assert_eq!(member.role, "member");
        assert_eq!(member.email.as_deref(), Some("ana@example.com"));
    })
    .await;
}

#[tokio::test]
async fn update_member_role_patches_only_the_role() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(json_request(
                    when.method(PATCH)
                        .path("/v1/organizations/my-org/members/ana"),
                    json!({"role": "admin"}),
                ));
                then.status(200).json_body(json!({"member": {
                    "username": "ana", "role": "admin", "email": "ana@example.com"
                }}));
            })
            .await;
        let member = mock::client(&server)
            .update_member_role("my-org", "ana", MemberRole::Admin)
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(
            (member.username.as_str(), member.role.as_str()),
            ("ana", "admin")
        );
        assert_eq!(member.email.as_deref(), Some("ana@example.com"));
    })
    .await;
}

#[tokio::test]
async fn remove_organization_member_sends_a_delete_and_returns_the_username() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(DELETE)
                        .path("/v1/organizations/my-org/members/ana"),
                )));
                then.status(200).json_body(json!({"member": "ana"}));
            })
            .await;
        let removed = mock::client(&server)
            .remove_organization_member("my-org", "ana")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(removed, "ana");
    })
    .await;
}

// Invites.

#[tokio::test]
async fn list_organization_invites_v2_decodes_the_pending_invites() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(GET).path("/v2/organizations/my-org/invites"),
                )));
                then.status(200).json_body(json!({"invites": [
                    {"id": 1, "email": "ana@example.com", "role": "member",
                     "created_at": "2026-05-21T10:00:00Z"}
                ]}));
            })
            .await;
        let invites = mock::client(&server)
            .list_organization_invites_v2("my-org")
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(invites.len(), 1);
        let invite = &invites[0];
        assert_eq!(invite.id, Some(1));
        assert_eq!(invite.email.as_deref(), Some("ana@example.com"));
        assert_eq!(invite.role.as_deref(), Some("member"));
        assert_eq!(invite.created_at.as_deref(), Some("2026-05-21T10:00:00Z"));
    })
    .await;
}

#[tokio::test]
async fn invite_organization_member_v2_sends_the_email_or_the_username_and_the_role() {
    bounded(LIMIT, async {
        let cases = [
            (
                NewInvite::email("ana@example.com"),
                json!({"email": "ana@example.com"}),
            ),
            (
                NewInvite::email("ana@example.com").role(MemberRole::Viewer),
                json!({"email": "ana@example.com", "role": "viewer"}),
            ),
            (
                NewInvite::username("ana").role(MemberRole::Admin),
                json!({"username": "ana", "role": "admin"}),
            ),
            (NewInvite::username("ana"), json!({"username": "ana"})),
        ];
        for (invite, body) in cases {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    common_headers(json_request(
                        when.method(POST).path("/v2/organizations/my-org/invites"),
                        body.clone(),
                    ));
                    then.status(200).json_body(json!({"invited": {
                        "email": "ana@example.com", "role": "member",
                        "organization": "my-org"
                    }}));
                })
                .await;
            let invited = mock::client(&server)
                .invite_organization_member_v2("my-org", &invite)
                .await
                .unwrap();
            mock.assert_async().await;
            assert_eq!(invited.email.as_deref(), Some("ana@example.com"));
            assert_eq!(invited.role.as_deref(), Some("member"));
            assert_eq!(invited.organization.as_deref(), Some("my-org"));
        }
    })
    .await;
}

#[tokio::test]
async fn delete_organization_invite_by_email_v2_sends_a_delete_and_accepts_an_empty_200() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(
                    when.method(DELETE)
                        .path("/v2/organizations/my-org/invites/ana%40example.com"),
                )));
                then.status(200);
            })
            .await;
        mock::client(&server)
            .delete_organization_invite_by_email_v2("my-org", "ana@example.com")
            .await
            .unwrap();
        mock.assert_async().await;
    })
    .await;
}

// Paths.

#[tokio::test]
async fn usernames_and_emails_are_percent_encoded_into_their_own_segments() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let email = "ana+test@example.com";
        let encoded = "ana%2Btest%40example.com";
        let member_path = format!("/v1/organizations/a%20b/members/{encoded}");
        let get = server
            .mock_async(|when, then| {
                when.method(GET).path(member_path.clone());
                then.status(200).json_body(json!({"member": {
                    "username": email, "role": "member"
                }}));
            })
            .await;
        let update = server
            .mock_async(|when, then| {
                when.method(PATCH).path(member_path.clone());
                then.status(200).json_body(json!({"member": {
                    "username": email, "role": "viewer"
                }}));
            })
            .await;
        let remove = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path("/v1/organizations/my-org/members/a%3Fb%23c%3Bd%25");
                then.status(200).json_body(json!({"member": "a?b#c;d%"}));
            })
            .await;
        let withdraw = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path(format!("/v2/organizations/my-org/invites/{encoded}"));
                then.status(200);
            })
            .await;
        let organization = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/organizations/%C3%A9%3Dx%26y");
                then.status(200)
                    .json_body(json!({"organization": {"name": "é", "slug": "é=x&y"}}));
            })
            .await;
        let client = mock::client(&server);
        let member = client.get_organization_member("a b", email).await.unwrap();
        assert_eq!(member.username, email);
        let member = client
            .update_member_role("a b", email, MemberRole::Viewer)
            .await
            .unwrap();
        assert_eq!(member.role, "viewer");
        let removed = client
            .remove_organization_member("my-org", "a?b#c;d%")
            .await
            .unwrap();
        assert_eq!(removed, "a?b#c;d%");
        client
            .delete_organization_invite_by_email_v2("my-org", email)
            .await
            .unwrap();
        let got = client.get_organization("é=x&y").await.unwrap();
        assert_eq!(got.slug, "é=x&y");
        get.assert_async().await;
        update.assert_async().await;
        remove.assert_async().await;
        withdraw.assert_async().await;
        organization.assert_async().await;
    })
    .await;
}

// Audit logs.

#[tokio::test]
async fn list_organization_audit_logs_without_options_sends_no_query_and_decodes_the_page() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_query(no_body(when.method(GET).path(AUDIT_LOGS))));
                then.status(200).json_body(json!({
                    "audit_logs": [
                        {"code": "db-create",
                         "message": "created database tenant-42 in group default",
                         "origin": "cli", "author": "iku",
                         "created_at": "2026-05-21T10:00:00Z",
                         "data": {"name": "tenant-42", "group": "default"}},
                        {"code": "org-member-add"}
                    ],
                    "pagination": {"page": 1, "page_size": 100, "total_pages": 1,
                                   "total_rows": 2}
                }));
            })
            .await;
        let page = mock::client(&server)
            .list_organization_audit_logs("my-org", &AuditLogOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(page.audit_logs.len(), 2);
        let entry = &page.audit_logs[0];
        assert_eq!(entry.code.as_deref(), Some("db-create"));
        assert_eq!(
            entry.message.as_deref(),
            Some("created database tenant-42 in group default")
        );
        assert_eq!(entry.origin.as_deref(), Some("cli"));
        assert_eq!(entry.author.as_deref(), Some("iku"));
        assert_eq!(entry.created_at.as_deref(), Some("2026-05-21T10:00:00Z"));
        assert_eq!(
            serde_json::Value::Object(entry.data.clone()),
            json!({"name": "tenant-42", "group": "default"})
        );
        let bare = &page.audit_logs[1];
        assert_eq!(bare.code.as_deref(), Some("org-member-add"));
        assert!(bare.data.is_empty());
        let pagination = page.pagination.unwrap();
        assert_eq!(
            (
                pagination.page,
                pagination.page_size,
                pagination.total_pages,
                pagination.total_rows
            ),
            (Some(1), Some(100), Some(1), Some(2))
        );
    })
    .await;
}

/// The API is written in Go, whose nil map encodes as `null`: an entry whose `data` is
/// `null` decodes with empty data, rather than failing its whole page (and ending an
/// `audit_log_stream`).
#[tokio::test]
async fn an_audit_log_entry_whose_data_is_null_decodes_as_empty() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path(AUDIT_LOGS);
                then.status(200).json_body(json!({
                    "audit_logs": [{"code": "org-member-add", "data": null}]
                }));
            })
            .await;
        let page = mock::client(&server)
            .list_organization_audit_logs("my-org", &AuditLogOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert!(page.audit_logs[0].data.is_empty());
    })
    .await;
}

#[tokio::test]
async fn list_organization_audit_logs_sends_the_page_and_its_size() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                common_headers(no_body(
                    when.method(GET)
                        .path(AUDIT_LOGS)
                        .query_param("page", "3")
                        .query_param("page_size", "20")
                        .is_true(|request| request.query_params().len() == 2),
                ));
                then.status(200).json_body(json!({
                    "audit_logs": [],
                    "pagination": {"page": 3, "page_size": 20, "total_pages": 2,
                                   "total_rows": 40}
                }));
            })
            .await;
        let options = AuditLogOptions::new().page(3).page_size(20);
        let page = mock::client(&server)
            .list_organization_audit_logs("my-org", &options)
            .await
            .unwrap();
        mock.assert_async().await;
        assert!(page.audit_logs.is_empty());
        assert_eq!(page.pagination.unwrap().total_pages, Some(2));
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_walks_every_page_and_asks_for_no_more() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let pages = [
            audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 3, 6)).await,
            audit_page_mock(&server, 2, 200, audit_page_json(2, 2..4, 3, 6)).await,
            audit_page_mock(&server, 3, 200, audit_page_json(3, 4..6, 3, 6)).await,
        ];
        let beyond = audit_page_mock(&server, 4, 200, audit_page_json(4, 0..0, 3, 6)).await;
        let entries: Vec<_> = mock::client(&server)
            .audit_log_stream("my-org", 2)
            .collect()
            .await;
        assert_eq!(messages(&entries), expected_messages(0..6));
        assert_eq!(
            entries[0].as_ref().unwrap().data.get("name"),
            Some(&json!("tenant-0"))
        );
        for page in &pages {
            page.assert_async().await;
        }
        beyond.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_on_an_empty_first_page() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(
            &server,
            1,
            200,
            json!({"audit_logs": [], "pagination": {"page": 1, "page_size": 2,
                                                   "total_pages": 0, "total_rows": 0}}),
        )
        .await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(2, 0..2, 3, 6)).await;
        let mut stream = mock::client(&server).audit_log_stream("my-org", 2);
        assert!(stream.next().await.is_none());
        assert!(stream.next().await.is_none());
        first.assert_async().await;
        second.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_on_an_empty_page_without_pagination() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, json!({"audit_logs": null})).await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(2, 0..2, 3, 6)).await;
        let entries: Vec<_> = mock::client(&server)
            .audit_log_stream("my-org", 2)
            .collect()
            .await;
        assert!(entries.is_empty());
        first.assert_async().await;
        second.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_on_a_short_page_even_when_total_pages_says_more() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 5, 10)).await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(2, 2..3, 5, 10)).await;
        let third = audit_page_mock(&server, 3, 200, audit_page_json(3, 3..5, 5, 10)).await;
        let entries: Vec<_> = mock::client(&server)
            .audit_log_stream("my-org", 2)
            .collect()
            .await;
        assert_eq!(messages(&entries), expected_messages(0..3));
        first.assert_async().await;
        second.assert_async().await;
        third.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_at_total_pages_even_when_the_page_is_full() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 2, 4)).await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(2, 2..4, 2, 4)).await;
        let third = audit_page_mock(&server, 3, 200, audit_page_json(3, 4..6, 2, 4)).await;
        let entries: Vec<_> = mock::client(&server)
            .audit_log_stream("my-org", 2)
            .collect()
            .await;
        assert_eq!(messages(&entries), expected_messages(0..4));
        first.assert_async().await;
        second.assert_async().await;
        third.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_when_the_server_answers_another_page_than_asked() {
    bounded(LIMIT, async {
        // A broken server that answers page 1 whatever is asked, saying there are more.
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 9, 18)).await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(1, 0..2, 9, 18)).await;
        let third = audit_page_mock(&server, 3, 200, audit_page_json(1, 0..2, 9, 18)).await;
        let mut stream = mock::client(&server).audit_log_stream("my-org", 2);
        let items: Vec<_> = stream.by_ref().collect().await;
        // Page 2's answer, which is page 1 again, is an error, and the stream ends.
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(stream.pages_read(), 1, "page 2 is where to go on from");
        assert_eq!(messages(&items[..2]), expected_messages(0..2));
        match &items[2] {
            Err(Error::UnexpectedResponse { status, reason, .. }) => {
                assert_eq!(*status, StatusCode::OK);
                assert!(reason.contains("asked for page 2"), "{reason}");
            }
            other => panic!("expected UnexpectedResponse, got {other:?}"),
        }
        first.assert_async().await;
        second.assert_async().await;
        third.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_stops_after_a_full_page_that_gives_no_pagination() {
    bounded(LIMIT, async {
        // Nothing says there is a page 2: a server that always answers the same full page
        // without numbering it does not make the stream loop.
        let server = MockServer::start_async().await;
        let entries = json!({"audit_logs": (0..2).map(|i| json!({"code": "db-create", "message": format!("entry {i}")})).collect::<Vec<_>>()});
        let any_page = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/organizations/my-org/audit-logs");
                then.status(200).json_body(entries.clone());
            })
            .await;
        let stream = mock::client(&server).audit_log_stream("my-org", 2);
        assert_eq!(stream.size_hint(), (0, None));
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 2, "{items:?}");
        any_page.assert_calls_async(1).await;

        // An invalid page size is the one item the stream holds from the start.
        let invalid = mock::client(&server).audit_log_stream("my-org", 0);
        assert_eq!(invalid.size_hint(), (1, Some(1)));
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_yields_an_error_then_ends() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 3, 6)).await;
        let second = audit_page_mock(&server, 2, 404, error_json("organization not found")).await;
        let third = audit_page_mock(&server, 3, 200, audit_page_json(3, 4..6, 3, 6)).await;
        let mut stream = mock::client(&server).audit_log_stream("my-org", 2);
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
        }
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(messages(&items[..2]), expected_messages(0..2));
        match &items[2] {
            Err(Error::Api {
                status, message, ..
            }) => {
                assert_eq!(*status, StatusCode::NOT_FOUND);
                assert_eq!(message, "organization not found");
            }
            other => panic!("expected Api, got {other:?}"),
        }
        // It stays ended, and says where to go on from: page 2 failed.
        assert!(stream.next().await.is_none());
        assert_eq!(stream.pages_read(), 1);
        first.assert_async().await;
        second.assert_async().await;
        third.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_reads_the_next_page_only_when_needed() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let first = audit_page_mock(&server, 1, 200, audit_page_json(1, 0..2, 3, 6)).await;
        let second = audit_page_mock(&server, 2, 200, audit_page_json(2, 2..4, 3, 6)).await;
        let mut stream = mock::client(&server).audit_log_stream("my-org", 2);
        assert_eq!(stream.pages_read(), 0);
        let entries: Vec<_> = stream.by_ref().take(2).collect().await;
        assert_eq!(messages(&entries), expected_messages(0..2));
        assert_eq!(stream.pages_read(), 1);
        first.assert_async().await;
        second.assert_calls_async(0).await;
        // Asking for one more reads the next page, and only then.
        let next = stream.next().await.unwrap().unwrap();
        assert_eq!(next.message.as_deref(), Some("created database tenant-2"));
        assert_eq!(stream.pages_read(), 2);
        first.assert_async().await;
        second.assert_async().await;
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_retries_a_page_that_answered_503() {
    bounded(LIMIT, async {
        let page =
            |n: u32, entries| Action::json(200, &audit_page_json(n, entries, 2, 4).to_string());
        let server = ScriptedServer::start(move |i, _| match i {
            0 => page(1, 0..2),
            1 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "0"),
            _ => page(2, 2..4),
        })
        .await;
        let entries: Vec<_> = common::client(&server, 2)
            .audit_log_stream("my-org", 2)
            .collect()
            .await;
        assert_eq!(messages(&entries), expected_messages(0..4));
        let targets: Vec<_> = server.received().into_iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            [
                format!("{AUDIT_LOGS}?page=1&page_size=2"),
                format!("{AUDIT_LOGS}?page=2&page_size=2"),
                format!("{AUDIT_LOGS}?page=2&page_size=2"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn audit_log_stream_with_an_invalid_page_size_yields_the_error_and_sends_nothing() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).json_body(audit_page_json(1, 0..2, 3, 6));
            })
            .await;
        let client = mock::client(&server);
        for page_size in [0, 101, u32::MAX] {
            let mut stream = client.audit_log_stream("my-org", page_size);
            let first = stream.next().await;
            assert!(
                matches!(first, Some(Err(Error::InvalidArgument(_)))),
                "{page_size}: {first:?}"
            );
            assert!(stream.next().await.is_none(), "{page_size}");
        }
        // An organization that would leave its segment: the first page is refused.
        let mut stream = client.audit_log_stream("..", 2);
        let first = stream.next().await;
        assert!(
            matches!(first, Some(Err(Error::InvalidArgument(_)))),
            "{first:?}"
        );
        assert!(stream.next().await.is_none());
        any.assert_calls_async(0).await;
    })
    .await;
}

// Errors and retries.

/// Every operation of this file, by operationId, called with plausible arguments; only
/// its error matters.
async fn call_each(client: &Client) -> Vec<(&'static str, Error)> {
    let (org, user, email) = ("my-org", "ana", "ana@example.com");
    let changes = UpdateOrganizationInput::default().with_overages(true);
    let failed = |result: Result<(), Error>| result.expect_err("an error status fails");
    vec![
        (
            "listOrganizations",
            failed(client.list_organizations().await.map(drop)),
        ),
        (
            "getOrganization",
            failed(client.get_organization(org).await.map(drop)),
        ),
        (
            "updateOrganization",
            failed(client.update_organization(org, &changes).await.map(drop)),
        ),
        (
            "listOrganizationPlans",
            failed(client.list_organization_plans(org).await.map(drop)),
        ),
        (
            "listOrganizationInvoices",
            failed(
                client
                    .list_organization_invoices(
                        org,
                        &ListInvoicesOptions::new().invoice_type(InvoiceType::Issued),
                    )
                    .await
                    .map(drop),
            ),
        ),
        (
            "getOrganizationSubscription",
            failed(client.get_organization_subscription(org).await.map(drop)),
        ),
        (
            "getOrganizationUsage",
            failed(client.get_organization_usage(org).await.map(drop)),
        ),
        (
            "listOrganizationMembers",
            failed(client.list_organization_members(org).await.map(drop)),
        ),
        (
            "addOrganizationMember",
            failed(
                client
                    .add_organization_member(org, user, MemberRole::Member)
                    .await
                    .map(drop),
            ),
        ),
        (
            "getOrganizationMember",
            failed(client.get_organization_member(org, user).await.map(drop)),
        ),
        (
            "updateMemberRole",
            failed(
                client
                    .update_member_role(org, user, MemberRole::Admin)
                    .await
                    .map(drop),
            ),
        ),
        (
            "removeOrganizationMember",
            failed(client.remove_organization_member(org, user).await.map(drop)),
        ),
        (
            "listOrganizationInvitesV2",
            failed(client.list_organization_invites_v2(org).await.map(drop)),
        ),
        (
            "inviteOrganizationMemberV2",
            failed(
                client
                    .invite_organization_member_v2(org, &NewInvite::email(email))
                    .await
                    .map(drop),
            ),
        ),
        (
            "deleteOrganizationInviteByEmailV2",
            failed(
                client
                    .delete_organization_invite_by_email_v2(org, email)
                    .await,
            ),
        ),
        (
            "listOrganizationAuditLogs",
            failed(
                client
                    .list_organization_audit_logs(
                        org,
                        &AuditLogOptions::new().page(2).page_size(10),
                    )
                    .await
                    .map(drop),
            ),
        ),
    ]
}

#[tokio::test]
async fn every_operation_maps_every_error_status_to_api_with_message_and_code() {
    bounded(LIMIT, async {
        for status in mock::ERROR_STATUSES {
            let server = MockServer::start_async().await;
            let mock = mock::fail_everything(&server, status).await;
            let errors = call_each(&mock::client(&server)).await;
            assert_eq!(errors.len(), 16);
            for (operation, error) in &errors {
                // An addition or invite whose outcome a gateway or server error leaves
                // unknown says so, around the API's error.
                let api = match error {
                    Error::MayExist {
                        kind, name, source, ..
                    } => {
                        let expected = match *operation {
                            "addOrganizationMember" => ("member", "ana"),
                            "inviteOrganizationMemberV2" => ("invite", "ana@example.com"),
                            _ => panic!("{operation}, HTTP {status}: {error:?}"),
                        };
                        assert!(status >= 500, "{operation}, HTTP {status}: {error:?}");
                        assert_eq!((*kind, name.as_str()), expected, "{operation}");
                        source.as_ref()
                    }
                    other => {
                        assert!(
                            !(matches!(
                                *operation,
                                "addOrganizationMember" | "inviteOrganizationMemberV2"
                            ) && status >= 500),
                            "{operation}, HTTP {status}: expected MayExist, got {error:?}"
                        );
                        other
                    }
                };
                mock::assert_api_failure(operation, status, error, api);
            }
            // Each sent once: no retries were asked for.
            mock.assert_calls_async(errors.len()).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_503_on_add_member_or_invite_is_sent_once_and_may_exist() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let members = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/organizations/my-org/members");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let invites = server
            .mock_async(|when, then| {
                when.method(POST).path("/v2/organizations/my-org/invites");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let client = mock::retrying_client(&server, 2);
        let member = client
            .add_organization_member("my-org", "ana", MemberRole::Member)
            .await
            .unwrap_err();
        let invite = client
            .invite_organization_member_v2("my-org", &NewInvite::email("ana@example.com"))
            .await
            .unwrap_err();
        members.assert_calls_async(1).await;
        invites.assert_calls_async(1).await;
        for (error, want_kind, want_name, check) in [
            (member, "member", "ana", "get_organization_member"),
            (
                invite,
                "invite",
                "ana@example.com",
                "list_organization_invites_v2",
            ),
        ] {
            match &error {
                Error::MayExist {
                    kind, name, source, ..
                } => {
                    assert_eq!((*kind, name.as_str()), (want_kind, want_name));
                    assert!(
                        matches!(
                            **source,
                            Error::Api { status: StatusCode::SERVICE_UNAVAILABLE, ref message, .. }
                                if message == "busy"
                        ),
                        "{source:?}"
                    );
                }
                other => panic!("expected MayExist, got {other:?}"),
            }
            assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
            assert!(error.may_have_taken_effect());
            let shown = error.to_string();
            assert!(shown.contains(check), "{shown}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_503_on_remove_member_or_delete_invite_is_sent_once_and_may_have_taken_effect() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let members = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path("/v1/organizations/my-org/members/ana");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let invites = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path("/v2/organizations/my-org/invites/ana%40example.com");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let client = mock::retrying_client(&server, 2);
        let errors = [
            client
                .remove_organization_member("my-org", "ana")
                .await
                .map(drop)
                .unwrap_err(),
            client
                .delete_organization_invite_by_email_v2("my-org", "ana@example.com")
                .await
                .unwrap_err(),
        ];
        members.assert_calls_async(1).await;
        invites.assert_calls_async(1).await;
        for error in errors {
            assert!(
                matches!(
                    error,
                    Error::Api {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        ..
                    }
                ),
                "{error:?}"
            );
            assert!(error.may_have_taken_effect());
        }
    })
    .await;
}

#[tokio::test]
async fn a_429_on_add_member_or_invite_is_retried_as_nothing_was_done() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(429)
                    .header("retry-after", "0")
                    .json_body(error_json("slow down"));
            })
            .await;
        let client = mock::retrying_client(&server, 2);
        let member = client
            .add_organization_member("my-org", "ana", MemberRole::Member)
            .await
            .unwrap_err();
        let invite = client
            .invite_organization_member_v2("my-org", &NewInvite::username("ana"))
            .await
            .unwrap_err();
        // Three attempts each: the API refused them before doing anything.
        mock.assert_calls_async(6).await;
        for error in [member, invite] {
            assert!(
                matches!(
                    error,
                    Error::Api {
                        status: StatusCode::TOO_MANY_REQUESTS,
                        ..
                    }
                ),
                "{error:?}"
            );
            assert!(!error.may_have_taken_effect());
        }
    })
    .await;
}

#[tokio::test]
async fn a_503_on_a_read_or_an_update_is_retried() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(error_json("busy"));
            })
            .await;
        let client = mock::retrying_client(&server, 2);
        let errors = [
            client.get_organization("my-org").await.map(drop),
            client.list_organization_members("my-org").await.map(drop),
            client
                .update_organization(
                    "my-org",
                    &UpdateOrganizationInput::default().with_overages(true),
                )
                .await
                .map(drop),
            client
                .update_member_role("my-org", "ana", MemberRole::Viewer)
                .await
                .map(drop),
            client
                .list_organization_audit_logs("my-org", &AuditLogOptions::new())
                .await
                .map(drop),
        ];
        // Three attempts each.
        mock.assert_calls_async(3 * errors.len()).await;
        for (i, result) in errors.into_iter().enumerate() {
            let error = result.unwrap_err();
            assert_eq!(
                error.status(),
                Some(StatusCode::SERVICE_UNAVAILABLE),
                "case {i}"
            );
            assert_eq!(error.retry_after(), Some(Duration::ZERO), "case {i}");
        }
    })
    .await;
}

/// httpmock answers a mock the same way every time: a scripted server answers the first
/// request with a 503 and the second with the organization.
#[tokio::test]
async fn a_503_then_200_on_get_organization_is_retried_and_succeeds() {
    bounded(LIMIT, async {
        let server = ScriptedServer::start(|i, _| match i {
            0 => Action::json(503, r#"{"error":"busy"}"#).with_header("retry-after", "0"),
            _ => Action::json(200, &json!({"organization": my_org_json()}).to_string()),
        })
        .await;
        let organization = common::client(&server, 2)
            .get_organization("my-org")
            .await
            .unwrap();
        assert_my_org(&organization);
        let received = server.received();
        assert_eq!(received.len(), 2);
        for request in &received {
            assert_eq!(
                (request.method.as_str(), request.target.as_str()),
                ("GET", "/v1/organizations/my-org")
            );
        }
    })
    .await;
}

#[tokio::test]
async fn invalid_arguments_are_refused_and_nothing_is_sent() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).json_body(json!({}));
            })
            .await;
        let client = mock::client(&server);
        let changes = UpdateOrganizationInput::default().with_overages(true);
        let all_invoices = ListInvoicesOptions::new();
        let results = [
            // The owner role cannot be given.
            client
                .add_organization_member("my-org", "ana", MemberRole::Owner)
                .await
                .map(drop),
            client
                .update_member_role("my-org", "ana", MemberRole::Owner)
                .await
                .map(drop),
            client
                .invite_organization_member_v2(
                    "my-org",
                    &NewInvite::email("ana@example.com").role(MemberRole::Owner),
                )
                .await
                .map(drop),
            client
                .invite_organization_member_v2(
                    "my-org",
                    &NewInvite::username("ana").role(MemberRole::Owner),
                )
                .await
                .map(drop),
            // Blank usernames and email addresses.
            client
                .add_organization_member("my-org", "", MemberRole::Member)
                .await
                .map(drop),
            client
                .add_organization_member("my-org", " \t", MemberRole::Member)
                .await
                .map(drop),
            client
                .get_organization_member("my-org", " ")
                .await
                .map(drop),
            client
                .update_member_role("my-org", "", MemberRole::Admin)
                .await
                .map(drop),
            client
                .remove_organization_member("my-org", "  ")
                .await
                .map(drop),
            client
                .invite_organization_member_v2("my-org", &NewInvite::email(" "))
                .await
                .map(drop),
            client
                .invite_organization_member_v2("my-org", &NewInvite::username(""))
                .await
                .map(drop),
            client
                .delete_organization_invite_by_email_v2("my-org", "")
                .await,
            // Usernames and email addresses that would leave their segment.
            client
                .get_organization_member("my-org", "..")
                .await
                .map(drop),
            client
                .get_organization_member("my-org", "a/b")
                .await
                .map(drop),
            client
                .update_member_role("my-org", "..", MemberRole::Viewer)
                .await
                .map(drop),
            client
                .update_member_role("my-org", "a/b", MemberRole::Viewer)
                .await
                .map(drop),
            client
                .remove_organization_member("my-org", "..")
                .await
                .map(drop),
            client
                .remove_organization_member("my-org", "../other")
                .await
                .map(drop),
            client
                .remove_organization_member("my-org", "a\\b")
                .await
                .map(drop),
            client
                .get_organization_member("my-org", "ana\n")
                .await
                .map(drop),
            client
                .delete_organization_invite_by_email_v2("my-org", "..")
                .await,
            client
                .delete_organization_invite_by_email_v2("my-org", "ana/b@example.com")
                .await,
            // Organizations that would leave their segment.
            client.get_organization("..").await.map(drop),
            client.get_organization("a/b").await.map(drop),
            client.update_organization(".", &changes).await.map(drop),
            client.list_organization_plans("").await.map(drop),
            client
                .list_organization_invoices("..", &all_invoices)
                .await
                .map(drop),
            client.get_organization_subscription(" ").await.map(drop),
            client.get_organization_usage("a/b").await.map(drop),
            client.list_organization_members("..").await.map(drop),
            client
                .add_organization_member("..", "ana", MemberRole::Member)
                .await
                .map(drop),
            client.list_organization_invites_v2("a\\b").await.map(drop),
            client
                .invite_organization_member_v2("..", &NewInvite::email("ana@example.com"))
                .await
                .map(drop),
            client
                .list_organization_audit_logs("..", &AuditLogOptions::new())
                .await
                .map(drop),
            // Audit log pages are counted from 1 and hold 1 to 100 entries.
            client
                .list_organization_audit_logs("my-org", &AuditLogOptions::new().page(0))
                .await
                .map(drop),
            client
                .list_organization_audit_logs("my-org", &AuditLogOptions::new().page_size(0))
                .await
                .map(drop),
            client
                .list_organization_audit_logs("my-org", &AuditLogOptions::new().page_size(101))
                .await
                .map(drop),
        ];
        for (i, result) in results.into_iter().enumerate() {
            assert!(
                matches!(result, Err(Error::InvalidArgument(_))),
                "case {i}: {result:?}"
            );
        }
        assert_eq!(any.calls_async().await, 0);
    })
    .await;
}

/// The largest audit log page is accepted and sent as it is.
#[tokio::test]
async fn an_audit_log_page_of_100_entries_is_accepted() {
    bounded(LIMIT, async {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(AUDIT_LOGS)
                    .query_param("page", "1")
                    .query_param("page_size", "100");
                then.status(200).json_body(json!({"audit_logs": []}));
            })
            .await;
        let page = mock::client(&server)
            .list_organization_audit_logs("my-org", &AuditLogOptions::new().page(1).page_size(100))
            .await
            .unwrap();
        mock.assert_async().await;
        assert!(page.audit_logs.is_empty());
        assert_eq!(page.pagination, None);
    })
    .await;
}
