//! The requests Turso's CLI sends, as its source builds them (`tursodatabase/turso-cli`,
//! `internal/turso/` and `internal/cmd/`, v1.0.29): their paths (organization-less
//! forms, v1, v2 and v3 routes), queries and bodies (Go structs: capitalized keys,
//! explicit `null`s, a trailing newline), with its `User-Agent` and a JSON content type
//! even on GETs; and the fields it reads from each answer, looked up as Go's decoder does
//! (any case).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use turso_platform::reqwest::{self, Method};
use turso_platform_fake::FakeTurso;

use crate::common::bounded;

const LIMIT: Duration = Duration::from_secs(30);

/// What the CLI sends with every request.
struct Cli<'a> {
    http: reqwest::Client,
    fake: &'a FakeTurso,
    token: String,
}

impl Cli<'_> {
    fn new(fake: &FakeTurso) -> Cli<'_> {
        Cli {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            fake,
            token: fake.token().to_owned(),
        }
    }

    /// Sends `method path` with `body` (encoded as Go's `json.Encoder` does, with a
    /// trailing newline), and answers the status and the body as JSON (`null` if empty).
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.fake.base_url()),
            )
            .bearer_auth(&self.token)
            .header("user-agent", "turso-cli/1.0.29 (linux/amd64)")
            .header("tursocliversion", "v1.0.29")
            .header("content-type", "application/json");
        if let Some(body) = body {
            request = request.body(format!("{body}\n"));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {bytes:?}"))
        };
        (status, value)
    }

    /// Sends, and fails unless the answer is 200 (the only success the CLI knows).
    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }
}

/// A field of a JSON object, matched as Go's decoder matches keys: any case.
fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value
        .as_object()
        .and_then(|object| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .unwrap_or_else(|| panic!("no field {key:?} in {value}"))
}

/// A path of fields, `a.b.c`.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(value, |value, key| match key.parse::<usize>() {
            Ok(index) => &value[index],
            Err(_) => field(value, key),
        })
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_cli_s_session_token_and_user_routes_answer_what_it_reads() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        let cli = Cli::new(&fake);
        assert_eq!(at(&cli.ok("GET", "/v1/auth/validate", None).await, "exp"), -1);
        let me = cli.ok("GET", "/v1/current-user", None).await;
        assert_eq!(at(&me, "user.username"), "fake-user");
        assert!(at(&me, "user.plan").is_string());
        let valid_from = cli.ok("POST", "/v1/auth/invalidate", None).await;
        assert!(at(&valid_from, "validFrom").as_u64().unwrap() > 1_700_000_000);

        // `auth api-tokens mint`: no body, or a json.Marshal one (no newline).
        let minted = cli.ok("POST", "/v2/auth/api-tokens/cli-token", None).await;
        assert_eq!(at(&minted, "token.name"), "cli-token");
        assert!(at(&minted, "token.id").as_str().is_some_and(|id| !id.is_empty()));
        let value = at(&minted, "token.value").as_str().unwrap().to_owned();
        assert_eq!(value.split('.').count(), 3);
        let scoped = cli
            .ok(
                "POST",
                "/v2/auth/api-tokens/cli-scoped",
                Some(json!({"organization": "fake-org", "group": "default", "scopes": ["read-only"]})),
            )
            .await;
        assert_eq!(at(&scoped, "token.name"), "cli-scoped");
        let list = cli.ok("GET", "/v1/auth/api-tokens", None).await;
        let names: Vec<&str> = at(&list, "tokens")
            .as_array()
            .unwrap()
            .iter()
            .map(|t| at(t, "name").as_str().unwrap())
            .collect();
        assert_eq!(names, ["fake-token", "cli-token", "cli-scoped"]);
        // A minted token works until it is revoked, and the audit log says the CLI
        // minted it.
        let mut minted_cli = Cli::new(&fake);
        minted_cli.token = value;
        assert_eq!(
            at(&minted_cli.ok("GET", "/v1/current-user", None).await, "user.username"),
            "fake-user"
        );
        cli.ok("DELETE", "/v1/auth/api-tokens/cli-token", None).await;
        assert_eq!(minted_cli.send("GET", "/v1/auth/validate", None).await.0, 401);
        let log = cli
            .ok("GET", "/v1/organizations/fake-org/audit-logs?page=1&page_size=25", None)
            .await;
        assert_eq!(at(&log, "audit_logs.0.code"), "user-token-create");
        assert_eq!(at(&log, "audit_logs.0.origin"), "cli");
        assert!(at(&log, "pagination.total_pages").is_number());
    })
    .await
}

#[tokio::test]
async fn the_cli_s_organization_member_invite_and_billing_routes_answer_what_it_reads() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        fake.add_user("bob").unwrap();
        let cli = Cli::new(&fake);
        let orgs = cli.ok("GET", "/v2/organizations", None).await;
        let orgs = at(&orgs, "organizations").as_array().unwrap().clone();
        let personal = orgs.iter().find(|o| at(o, "type") == "personal").unwrap();
        assert_eq!(at(personal, "slug"), "fake-user");
        assert!(at(personal, "id").as_str().is_some_and(|id| id.len() == 36));

        // `org create`: a dry run, then the real one, then the plan.
        let dry = cli
            .ok(
                "POST",
                "/v1/organizations?dry_run=true",
                Some(json!({"name": "Acme Inc"})),
            )
            .await;
        assert_eq!(at(&dry, "org.slug"), "acme-inc");
        let created = cli
            .ok(
                "POST",
                "/v1/organizations?dry_run=false",
                Some(json!({"name": "Acme Inc", "stripe_id": "cus_x"})),
            )
            .await;
        assert_eq!(at(&created, "org.type"), "team");
        let (status, _) = cli
            .send(
                "POST",
                "/v1/organizations?dry_run=false",
                Some(json!({"name": "acme inc"})),
            )
            .await;
        assert_eq!(status, 409, "the CLI reads 409 as a taken name");
        let subscription = cli
            .ok(
                "POST",
                "/v1/organizations/acme-inc/subscription",
                Some(json!({"plan": "scaler"})),
            )
            .await;
        assert_eq!(at(&subscription, "subscription.plan"), "scaler");

        // Members and v1 invites.
        cli.ok(
            "POST",
            "/v1/organizations/acme-inc/members",
            Some(json!({"username": "bob", "role": "member"})),
        )
        .await;
        let members = cli
            .ok("GET", "/v1/organizations/acme-inc/members", None)
            .await;
        assert_eq!(at(&members, "members").as_array().unwrap().len(), 2);
        cli.ok("DELETE", "/v1/organizations/acme-inc/members/bob", None)
            .await;
        cli.ok(
            "POST",
            "/v1/organizations/acme-inc/invite",
            Some(json!({"email": "carol@example.com", "role": "admin"})),
        )
        .await;
        let invites = cli
            .ok("GET", "/v1/organizations/acme-inc/invites", None)
            .await;
        assert_eq!(at(&invites, "invites.0.email"), "carol@example.com");
        assert_eq!(at(&invites, "invites.0.role"), "admin");
        cli.ok(
            "DELETE",
            "/v1/organizations/acme-inc/invites/carol@example.com",
            None,
        )
        .await;
        let (status, _) = cli
            .send(
                "DELETE",
                "/v1/organizations/acme-inc/invites/carol@example.com",
                None,
            )
            .await;
        assert_eq!(status, 404, "the CLI reads 404 as `invite not found`");

        // Plans, subscription, invoices and usage, without an organization: the
        // personal one.
        let plans = cli.ok("GET", "/v1/plans", None).await;
        assert!(at(&plans, "plans.0.quotas.rowsRead").is_number());
        let subscription = cli.ok("GET", "/v1/subscription", None).await;
        assert_eq!(at(&subscription, "subscription.plan"), "starter");
        let invoices = cli
            .ok(
                "GET",
                "/v1/organizations/fake-org/invoices?type=issued",
                None,
            )
            .await;
        assert_eq!(at(&invoices, "invoices").as_array().unwrap().len(), 2);
        let usage = cli.ok("GET", "/v1/usage", None).await;
        assert!(at(&usage, "organization.usage.databases").is_number());

        // `org destroy`.
        cli.ok("DELETE", "/v1/organizations/acme-inc", None).await;
        let (status, _) = cli.send("DELETE", "/v1/organizations/acme-inc", None).await;
        assert_eq!(status, 404);
        let (status, _) = cli
            .send("DELETE", "/v1/organizations/fake-user", None)
            .await;
        assert_eq!(status, 400, "a personal organization goes with its user");
    })
    .await
}

#[tokio::test]
async fn the_cli_s_group_database_and_instance_routes_answer_what_it_reads() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        // Replicas need a paid plan, even in one's personal organization.
        fake.set_plan("fake-user", turso_platform_fake::Plan::Scaler)
            .unwrap();
        let cli = Cli::new(&fake);
        let dump_url = crate::common::upload_dump(&fake, "CREATE TABLE t(x);\n").await;

        // `db create` in the personal organization, which has no group: the CLI creates
        // `default` (an untagged Go struct: capitalized keys) and waits for it.
        let locations = cli.ok("GET", "/v2/locations", None).await;
        assert!(at(&locations, "locations.aws.aws-us-east-1").is_string());
        let nearby = cli.ok("GET", "/v1/locations/aws-us-east-1", None).await;
        assert!(
            !at(&nearby, "location.closest")
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(
            at(&cli.ok("GET", "/v1/groups", None).await, "groups")
                .as_array()
                .unwrap()
                .is_empty()
        );
        cli.ok(
            "POST",
            "/v1/groups",
            Some(json!({"Name": "default", "Location": "aws-us-east-1", "Version": "latest"})),
        )
        .await;
        cli.ok(
            "GET",
            "/v1/groups/default/locations/aws-us-east-1/wait",
            None,
        )
        .await;
        cli.ok(
            "POST",
            "/v1/databases",
            Some(json!({"name": "src", "location": "aws-us-east-1", "group": "default"})),
        )
        .await;
        let (status, _) = cli
            .send(
                "POST",
                "/v1/databases",
                Some(json!({"name": "src", "location": "aws-us-east-1", "group": "default"})),
            )
            .await;
        assert_eq!(status, 400, "a taken name, as the API answers it");
        // `--from-db` sends the source as `value`; `--from-dump-url` a dump's URL.
        cli.ok(
            "POST",
            "/v1/databases",
            Some(
                json!({"name": "copy", "location": "aws-us-east-1", "group": "default",
                        "seed": {"type": "database", "value": "src"}}),
            ),
        )
        .await;
        cli.ok(
            "POST",
            "/v1/databases",
            Some(
                json!({"name": "dumped", "location": "aws-us-east-1", "group": "default",
                        "seed": {"type": "dump", "url": dump_url}}),
            ),
        )
        .await;
        // Never a file of the host: the fake may run as another user than its clients.
        let (status, error) = cli
            .send(
                "POST",
                "/v1/databases",
                Some(json!({"name": "leak", "group": "default",
                            "seed": {"type": "dump", "url": "file:///etc/passwd"}})),
            )
            .await;
        assert_eq!(status, 400);
        let message = at(&error, "error").as_str().unwrap();
        assert!(
            message.contains("loopback") && !message.contains("root:"),
            "{message}"
        );
        let (status, error) = cli
            .send(
                "POST",
                "/v1/databases",
                Some(json!({"name": "far", "group": "default",
                            "seed": {"type": "dump", "url": "https://example.com/dump.sql"}})),
            )
            .await;
        assert_eq!(status, 400);
        assert!(
            at(&error, "error")
                .as_str()
                .unwrap()
                .contains("loopback only"),
            "{error}"
        );

        // `db list`: pages of `limit`, then `cursor`; a name lookup sends no query.
        let page = cli.ok("GET", "/v1/databases?limit=2", None).await;
        assert_eq!(at(&page, "databases").as_array().unwrap().len(), 2);
        let next = at(&page, "pagination.next").as_str().unwrap().to_owned();
        let rest = cli
            .ok("GET", &format!("/v1/databases?cursor={next}&limit=2"), None)
            .await;
        assert_eq!(at(&rest, "databases").as_array().unwrap().len(), 1);
        assert!(
            field(&rest, "pagination")
                .get("next")
                .is_none_or(Value::is_null),
            "the last page has no next: {rest}"
        );
        let all = cli.ok("GET", "/v1/databases?group=&schema=", None).await;
        assert_eq!(at(&all, "databases").as_array().unwrap().len(), 3);
        let copy = at(&all, "databases")
            .as_array()
            .unwrap()
            .iter()
            .find(|db| at(db, "Name") == "copy")
            .unwrap()
            .clone();
        for key in [
            "DbId",
            "Hostname",
            "primaryRegion",
            "regions",
            "group",
            "version",
        ] {
            assert!(!at(&copy, key).is_null(), "{key}");
        }
        assert_eq!(at(&copy, "sleeping"), false);
        assert_eq!(at(&copy, "is_schema"), false);
        assert_eq!(at(&copy, "parent.name"), "src");

        // `db config`: the CLI sends `null` for what it does not change.
        let config = "/v1/databases/src/configuration";
        cli.ok(
            "PATCH",
            config,
            Some(json!({"allow_attach": true, "delete_protection": null})),
        )
        .await;
        cli.ok(
            "PATCH",
            config,
            Some(json!({"allow_attach": null, "delete_protection": null,
                        "allowed_ips": ["10.0.0.0/8"], "allowed_aws_vpc_ids": ["vpce-1"]})),
        )
        .await;
        let shown = cli.ok("GET", config, None).await;
        assert_eq!(at(&shown, "allow_attach"), true);
        assert_eq!(at(&shown, "delete_protection"), false);
        assert_eq!(at(&shown, "allowed_ips"), &json!(["10.0.0.0/8"]));
        // What it read can be written back as it is, and `null` lists clear.
        cli.ok("PATCH", config, Some(shown)).await;
        cli.ok(
            "PATCH",
            config,
            Some(json!({"allow_attach": null, "delete_protection": null,
                        "allowed_ips": [], "allowed_aws_vpc_ids": null})),
        )
        .await;
        let cleared = cli.ok("GET", config, None).await;
        assert_eq!(at(&cleared, "allowed_ips"), &json!([]));
        assert_eq!(at(&cleared, "allowed_aws_vpc_ids"), &json!([]));

        // `db show`, `db inspect`.
        let usage = cli.ok("GET", "/v1/databases/src/usage", None).await;
        assert!(at(&usage, "database.usage.storage_bytes").is_number());
        assert!(at(&usage, "database.total.storage_bytes").is_number());
        let queries = cli
            .ok(
                "GET",
                "/v1/databases/src/usage/queries?from=2026-06-18T10:00:00Z",
                None,
            )
            .await;
        assert_eq!(queries, json!([]));
        assert_eq!(
            at(
                &cli.ok("GET", "/v1/databases/src/stats", None).await,
                "top_queries"
            ),
            &json!([])
        );

        // `db tokens create`: `expiration` always, possibly empty; `-p` table permissions.
        let token = cli
            .ok(
                "POST",
                "/v1/databases/src/auth/tokens?expiration=never",
                Some(json!({})),
            )
            .await;
        assert!(at(&claims(at(&token, "jwt").as_str().unwrap()), "id").is_string());
        cli.ok(
            "POST",
            "/v1/databases/src/auth/tokens?expiration=",
            Some(json!({})),
        )
        .await;
        let fine = cli
            .ok(
                "POST",
                "/v1/databases/src/auth/tokens?expiration=2d&authorization=read-only",
                Some(
                    json!({"fine_grained_permissions": [{"t": ["t"], "a": ["data_read"]},
                                                         {"t": null, "a": ["data_add"]}]}),
                ),
            )
            .await;
        let fine = claims(at(&fine, "jwt").as_str().unwrap());
        assert_eq!(fine["a"], "ro");
        assert_eq!(
            fine["perm"],
            json!([{"t": ["t"], "a": ["data_read"]}, {"t": null, "a": ["data_add"]}])
        );
        let (status, _) = cli
            .send(
                "POST",
                "/v1/databases/src/auth/tokens?expiration=never",
                Some(json!({"fine_grained_permissions": [{"t": ["t"], "a": ["drop_everything"]}]})),
            )
            .await;
        assert_eq!(status, 400);
        let attach = cli
            .ok(
                "POST",
                "/v1/databases/src/auth/tokens?expiration=never",
                Some(json!({"permissions": {"read_attach": {"databases": ["copy"]}}})),
            )
            .await;
        assert!(claims(at(&attach, "jwt").as_str().unwrap())["p"]["roa"]["ns"].is_array());
        cli.ok("POST", "/v1/groups/default/auth/rotate", None).await;

        // Instances: `db replicate`, `--wait`, `db destroy --instance`.
        let instances = cli.ok("GET", "/v1/databases/src/instances", None).await;
        assert_eq!(at(&instances, "instances.0.type"), "primary");
        let replica = cli
            .ok(
                "POST",
                "/v1/databases/src/instances",
                Some(json!({"Location": "aws-eu-west-1"})),
            )
            .await;
        let name = at(&replica, "instance.name").as_str().unwrap().to_owned();
        cli.ok(
            "GET",
            &format!("/v1/databases/src/instances/{name}/wait"),
            None,
        )
        .await;
        cli.ok(
            "DELETE",
            &format!("/v1/databases/src/instances/{name}"),
            None,
        )
        .await;
        let (status, error) = cli
            .send("DELETE", "/v1/databases/src/instances/aws-us-east-1", None)
            .await;
        assert_eq!(status, 400, "the primary stays: {error}");

        // Groups: show, protect, rename (capitalized key), archive and wake up.
        let group = cli.ok("GET", "/v1/groups/default", None).await;
        assert_eq!(at(&group, "group.primary"), "aws-us-east-1");
        assert_eq!(at(&group, "group.archived"), false);
        cli.ok(
            "PATCH",
            "/v1/groups/default/configuration",
            Some(json!({"delete_protection": true})),
        )
        .await;
        assert_eq!(
            at(
                &cli.ok("GET", "/v1/groups/default/configuration", None)
                    .await,
                "delete_protection"
            ),
            true
        );
        cli.ok(
            "POST",
            "/v1/groups/default/rename",
            Some(json!({"Name": "main"})),
        )
        .await;
        let db = cli.ok("GET", "/v1/databases/src", None).await;
        assert_eq!(at(&db, "database.group"), "main");
        fake.archive_group("fake-user", "main").unwrap();
        assert_eq!(
            at(
                &cli.ok("GET", "/v1/databases/src", None).await,
                "database.sleeping"
            ),
            true
        );
        cli.ok("POST", "/v1/databases/src/wakeup", None).await;
        assert_eq!(
            at(
                &cli.ok("GET", "/v1/databases/src", None).await,
                "database.sleeping"
            ),
            false
        );

        // `org db-transfer` needs a group of the same name there.
        fake.add_group("fake-org", "main").unwrap();
        cli.ok(
            "POST",
            "/v1/databases/dumped/transfer",
            Some(json!({"org": "fake-org"})),
        )
        .await;
        let moved = cli
            .ok("GET", "/v1/organizations/fake-org/databases/dumped", None)
            .await;
        assert_eq!(at(&moved, "database.group"), "main");
        cli.ok("POST", "/v1/databases/copy/update", None).await;
        cli.ok("DELETE", "/v1/databases/copy", None).await;
    })
    .await
}

#[tokio::test]
async fn the_cli_s_v3_routes_address_organizations_databases_and_groups_by_id() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        let cli = Cli::new(&fake);
        let orgs = cli.ok("GET", "/v2/organizations", None).await;
        let org = at(&orgs, "organizations")
            .as_array()
            .unwrap()
            .iter()
            .find(|o| at(o, "slug") == "fake-org")
            .map(|o| at(o, "id").as_str().unwrap().to_owned())
            .unwrap();
        let groups = cli
            .ok("GET", &format!("/v3/organizations/{org}/groups"), None)
            .await;
        let group = at(&groups, "groups.0.uuid").as_str().unwrap().to_owned();
        let shown = cli
            .ok(
                "GET",
                &format!("/v3/organizations/{org}/groups/{group}"),
                None,
            )
            .await;
        assert_eq!(at(&shown, "group.name"), "default");
        let created = cli
            .ok(
                "POST",
                &format!("/v3/organizations/{org}/databases"),
                Some(json!({"name": "v3-db", "group_id": group})),
            )
            .await;
        let id = at(&created, "database.DbId").as_str().unwrap().to_owned();
        let copy = cli
            .ok(
                "POST",
                &format!("/v3/organizations/{org}/databases"),
                Some(json!({"name": "v3-copy", "seed": {"type": "database", "value": "v3-db"}})),
            )
            .await;
        assert_eq!(at(&copy, "database.group"), "default");
        let listed = cli
            .ok(
                "GET",
                &format!("/v3/organizations/{org}/databases?group_id={group}&limit=10"),
                None,
            )
            .await;
        assert_eq!(at(&listed, "databases").as_array().unwrap().len(), 3);
        let shown = cli
            .ok(
                "GET",
                &format!("/v3/organizations/{org}/databases/{id}"),
                None,
            )
            .await;
        assert_eq!(at(&shown, "database.Name"), "v3-db");
        assert_eq!(at(&shown, "database.delete_protection"), false);
        assert!(at(&shown, "database.allow_rules_config.allowed_ips").is_array());
        let token = cli
            .ok(
                "POST",
                &format!(
                    "/v3/organizations/{org}/databases/{id}/auth/tokens?authorization=read-only"
                ),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            claims(at(&token, "jwt").as_str().unwrap())["id"],
            id.as_str()
        );
        let group_token = cli
            .ok(
                "POST",
                &format!("/v3/organizations/{org}/groups/{group}/auth/tokens"),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            claims(at(&group_token, "jwt").as_str().unwrap())["gid"],
            group.as_str()
        );
        cli.ok(
            "DELETE",
            &format!("/v3/organizations/{org}/databases/{id}"),
            None,
        )
        .await;
        let (status, _) = cli
            .send(
                "GET",
                &format!("/v3/organizations/{org}/databases/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = cli
            .send("GET", "/v3/organizations/no-such-id/databases", None)
            .await;
        assert_eq!(status, 404);
    })
    .await
}

#[tokio::test]
async fn what_the_fake_does_not_emulate_answers_501_naming_the_route() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        let cli = Cli::new(&fake);
        for (method, path) in [
            ("POST", "/v1/billing/portal"),
            ("GET", "/v1/billing/payment-methods"),
            ("POST", "/v1/organizations/stripe-customer"),
            ("GET", "/v1/organizations/fake-org/billing/customer"),
            ("GET", "/v2/organizations/fake-org/jwks"),
            ("PUT", "/v2/organizations/fake-org/jwks/clerk"),
            (
                "GET",
                "/v1/organizations/fake-org/groups/default/aws/migration/info",
            ),
        ] {
            let (status, error) = cli.send(method, path, Some(json!({}))).await;
            assert_eq!(status, 501, "{method} {path}: {error}");
            let message = at(&error, "error").as_str().unwrap();
            assert!(message.contains("not emulated"), "{message}");
        }
    })
    .await
}

#[tokio::test]
async fn a_dump_the_cli_uploads_seeds_a_new_database() {
    bounded(LIMIT, async {
        let fake = FakeTurso::start().await.unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(x);\nCOMMIT;\n";
        let url = crate::common::upload_dump(&fake, dump).await;
        assert!(url.starts_with(fake.base_url()), "{url}");
        let fetched = http.get(&url).send().await.unwrap().text().await.unwrap();
        assert_eq!(fetched, dump);
        let cli = Cli::new(&fake);
        cli.ok(
            "POST",
            "/v1/organizations/fake-org/databases",
            Some(json!({"name": "from-dump", "group": "default", "seed": {"type": "dump", "url": url}})),
        )
        .await;
        let (status, _) = cli
            .send("POST", "/v1/organizations/fake-org/databases/dumps", Some(json!({})))
            .await;
        assert_eq!(status, 400, "not multipart");
    })
    .await
}
