//! Every attack on the client and the fake that hostile names and hostile answers allow,
//! tried: each test is named for what it proves, and bounds its own time and the memory
//! it allocates (a counting allocator measures the peak of each test; the tests of this
//! file run one at a time so that the peaks are their own).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::{Action, JWT, MINTED, Received, ScriptedServer, TOKEN};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use turso_platform::generated::ClientInfo;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{
    ApiTokenOptions, AuditLogOptions, Client, Error, ListDatabasesOptions, ListInvoicesOptions,
    MemberRole, NewDatabase, NewGroup, NewInvite, Scope, StatusCode, TokenOptions,
    UpdateOrganizationInput, UsageOptions,
};
use turso_platform_fake::FakeTurso;

// --- every test bounds its time and its memory ---

/// Counts the bytes allocated now, and the most allocated since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters move.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which `System` has too.
        let ptr = unsafe { System.alloc(layout) };
        count_on_this_thread();
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        count_on_this_thread();
        if !new.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let now = CURRENT.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

thread_local! {
    /// How many allocations (and reallocations) this thread has made.
    static THREAD_ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn count_on_this_thread() {
    // `try_with`: a thread being torn down may still allocate.
    let _ = THREAD_ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

fn allocations_on_this_thread() -> usize {
    THREAD_ALLOCATIONS.with(std::cell::Cell::get)
}

/// One test at a time, so that each peak is its own.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: usize = 1024 * 1024;

/// Runs a test on a runtime of its own, failing it if it takes longer than `time` or if
/// the memory allocated while it runs grows by more than `memory` bytes at its peak.
fn bounded<F: Future>(time: Duration, memory: usize, test: impl FnOnce() -> F) -> F::Output {
    let _alone = ONE_AT_A_TIME.blocking_lock();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let output = runtime.block_on(async {
        tokio::time::timeout(time, test())
            .await
            .unwrap_or_else(|_| panic!("the test did not finish within {time:?}"))
    });
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    drop(runtime);
    eprintln!("peak allocation: {} KiB over the start", grown / 1024);
    assert!(
        grown <= memory,
        "the test allocated up to {} KiB more, over its bound of {} KiB",
        grown / 1024,
        memory / 1024
    );
    output
}

/// A client of `base_url` with the tests' token, no retries and a short timeout.
fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .unwrap()
}

// --- a name or ID never leaves its path segment ---

type Call =
    Box<dyn Fn(Client, Vec<String>) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>>;

/// Runs `test` on `cases` values of `strategy` (proptest, no failure file), from inside a
/// [`bounded`] test, whose runtime the test's calls may block on.
fn check_cases<S: Strategy>(
    cases: u32,
    strategy: &S,
    test: impl Fn(S::Value) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    tokio::task::block_in_place(|| {
        TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        })
        .run(strategy, test)
        .unwrap();
    });
}

/// Every operation with path parameters: its path template and a call with given values.
fn operations() -> Vec<(&'static str, Call)> {
    fn call<F, Fut>(f: F) -> Call
    where
        F: Fn(Client, Vec<String>) -> Fut + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        Box::new(move |client, names| Box::pin(f(client, names)))
    }
    let options = TokenOptions::new();
    vec![
        (
            "/v1/auth/api-tokens/{tokenName}",
            call(|c, n| async move {
                c.create_api_token(&n[0], &ApiTokenOptions::new())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/auth/api-tokens/{tokenName}",
            call(|c, n| async move { c.revoke_api_token(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/api-tokens",
            call(|c, n| async move { c.list_organization_api_tokens(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}",
            call(|c, n| async move {
                c.revoke_organization_api_token(&n[0], &n[1])
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/tokens",
            call(move |c, n| {
                let options = options.clone();
                async move {
                    c.create_database_token(&n[0], &n[1], &options)
                        .await
                        .map(drop)
                }
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate",
            call(|c, n| async move { c.invalidate_database_tokens(&n[0], &n[1]).await }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/tokens",
            call(|c, n| async move {
                c.create_group_token(&n[0], &n[1], &TokenOptions::new())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/rotate",
            call(|c, n| async move { c.invalidate_group_tokens(&n[0], &n[1]).await }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases",
            call(|c, n| async move {
                c.list_databases(&n[0], &ListDatabasesOptions::new())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases",
            call(|c, n| async move {
                c.create_database(&n[0], &NewDatabase::new("db", "default"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}",
            call(|c, n| async move { c.get_database(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}",
            call(|c, n| async move { c.delete_database(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/configuration",
            call(|c, n| async move {
                c.update_database_configuration(&n[0], &n[1], &Default::default())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances/{instanceName}",
            call(
                |c, n| async move { c.get_database_instance(&n[0], &n[1], &n[2]).await.map(drop) },
            ),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/usage",
            call(|c, n| async move {
                c.get_database_usage(&n[0], &n[1], &UsageOptions::new())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/configuration",
            call(|c, n| async move { c.get_database_configuration(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances",
            call(|c, n| async move { c.list_database_instances(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/databases/{databaseName}/stats",
            call(|c, n| async move { c.get_database_stats(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups",
            call(|c, n| async move { c.list_groups(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups",
            call(|c, n| async move {
                c.create_group(&n[0], &NewGroup::new("eu", "aws-eu-west-1"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}",
            call(|c, n| async move { c.get_group(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}",
            call(|c, n| async move { c.delete_group(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/configuration",
            call(|c, n| async move { c.get_group_configuration(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/configuration",
            call(|c, n| async move {
                c.update_group_configuration(&n[0], &n[1], &Default::default())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/unarchive",
            call(|c, n| async move { c.unarchive_group(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/locations/{location}",
            call(
                |c, n| async move { c.add_location_to_group(&n[0], &n[1], &n[2]).await.map(drop) },
            ),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/update",
            call(|c, n| async move { c.update_group_databases(&n[0], &n[1]).await }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/transfer",
            call(|c, n| async move { c.transfer_group(&n[0], &n[1], "elsewhere").await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/groups/{groupName}/locations/{location}",
            call(|c, n| async move {
                c.remove_location_from_group(&n[0], &n[1], &n[2])
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}",
            call(|c, n| async move { c.get_organization(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}",
            call(|c, n| async move {
                let changes = UpdateOrganizationInput::default().with_overages(true);
                c.update_organization(&n[0], &changes).await.map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/plans",
            call(|c, n| async move { c.list_organization_plans(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/invoices",
            call(|c, n| async move {
                c.list_organization_invoices(&n[0], &ListInvoicesOptions::new())
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/subscription",
            call(|c, n| async move { c.get_organization_subscription(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/usage",
            call(|c, n| async move { c.get_organization_usage(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/members",
            call(|c, n| async move { c.list_organization_members(&n[0]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/members",
            call(|c, n| async move {
                c.add_organization_member(&n[0], "ana", MemberRole::Member)
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/members/{username}",
            call(|c, n| async move { c.get_organization_member(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v1/organizations/{organizationSlug}/members/{username}",
            call(|c, n| async move {
                c.update_member_role(&n[0], &n[1], MemberRole::Viewer)
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v1/organizations/{organizationSlug}/members/{username}",
            call(|c, n| async move { c.remove_organization_member(&n[0], &n[1]).await.map(drop) }),
        ),
        (
            "/v2/organizations/{organizationSlug}/invites",
            call(|c, n| async move { c.list_organization_invites_v2(&n[0]).await.map(drop) }),
        ),
        (
            "/v2/organizations/{organizationSlug}/invites",
            call(|c, n| async move {
                c.invite_organization_member_v2(&n[0], &NewInvite::email("ana@example.com"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "/v2/organizations/{organizationSlug}/invites/{email}",
            call(
                |c, n| async move { c.delete_organization_invite_by_email_v2(&n[0], &n[1]).await },
            ),
        ),
        (
            "/v1/organizations/{organizationSlug}/audit-logs",
            call(|c, n| async move {
                c.list_organization_audit_logs(&n[0], &AuditLogOptions::new())
                    .await
                    .map(drop)
            }),
        ),
    ]
}

/// What the client's rustdoc says is refused before anything is sent.
fn documented_refusal(name: &str) -> bool {
    name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.contains(|c: char| c.is_ascii_control())
        || name.len() > 1024
}

/// Strings made of what URL parsers and path handling treat specially, and anything else.
fn hostile_names() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        ".", "..", "/", "\\", "%", "%2e", "%2E", "%2f", "%5c", "a", "é", " ", "\t", "\n", "\r",
        "?", "#", ";", "=", "&", "~", "@", ":", "\u{0}", "\u{7f}", "\u{ff0f}", "\u{ff3c}", "％",
        "\u{3000}", "..\\..\\", "../", "my-org",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..6).prop_map(|p| p.concat()),
        any::<String>(),
        "[a-z0-9.-]{0,8}",
    ]
}

/// Checks that a request target follows `template`, with `names` percent-encoded into
/// one segment each, and nothing in the path a URL parser could rewrite.
fn assert_follows(template: &str, names: &[String], target: &str) {
    let path = target.split('?').next().unwrap();
    let expected: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    assert_eq!(
        expected.len(),
        actual.len(),
        "{target} does not follow {template}"
    );
    let mut names = names.iter();
    for (want, got) in expected.iter().zip(&actual) {
        if want.starts_with('{') {
            let name = names.next().unwrap();
            assert!(
                got.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{got:?} holds a character the URL parser could rewrite"
            );
            let decoded = percent_decode_str(got).decode_utf8().unwrap();
            assert_eq!(&decoded, name, "in {target}");
        } else {
            assert_eq!(want, got, "{target} does not follow {template}");
        }
    }
}

/// For every operation and every path parameter, an arbitrary string is either refused
/// before anything is sent, exactly as the rustdoc's table says, or sent percent-encoded
/// as one segment of the operation's path: the request line the server receives proves it.
#[test]
fn no_name_or_id_ever_leaves_its_path_segment() {
    bounded(Duration::from_secs(120), 64 * MIB, || async {
        let server = ScriptedServer::start(|_, _| Action::json(200, "{}")).await;
        let client = client(&server.base_url);
        let handle = tokio::runtime::Handle::current();
        let operations = operations();
        let cases = (0..operations.len(), 0..3usize, hostile_names());
        check_cases(2048, &cases, |(op, position, hostile)| {
            let (template, call) = &operations[op];
            let count = template.matches('{').count();
            let mut names = vec!["x".to_owned(); count];
            names[position % count] = hostile.clone();
            let before = server.received_count();
            let outcome = handle.block_on(call(client.clone(), names.clone()));
            if documented_refusal(&hostile) {
                prop_assert!(
                    matches!(outcome, Err(Error::InvalidArgument(_))),
                    "{hostile:?} was not refused: {outcome:?}"
                );
                prop_assert_eq!(server.received_count(), before, "{:?} was sent", hostile);
            } else {
                prop_assert_eq!(
                    server.received_count(),
                    before + 1,
                    "{:?}: {:?}",
                    hostile,
                    outcome
                );
                assert_follows(template, &names, &server.last_received().unwrap().target);
            }
            Ok(())
        });
    });
}

/// The free-text query values (`listDatabases`'s group and parent filters) stay the
/// values of their own parameters, whatever they hold: an arbitrary string is refused
/// when blank, or sent so that the query decodes to exactly the two filters, and the
/// path to exactly the operation's.
#[test]
fn no_filter_ever_leaves_its_query_parameter() {
    bounded(Duration::from_secs(60), 64 * MIB, || async {
        let server = ScriptedServer::start(|_, _| Action::json(200, r#"{"databases":[]}"#)).await;
        let client = client(&server.base_url);
        let handle = tokio::runtime::Handle::current();
        check_cases(
            512,
            &(hostile_names(), hostile_names()),
            |(group, parent)| {
                let options = ListDatabasesOptions::new()
                    .group(group.as_str())
                    .branches_of(parent.as_str());
                let before = server.received_count();
                let outcome = handle.block_on(client.list_databases("my-org", &options));
                if group.trim().is_empty() || parent.trim().is_empty() {
                    prop_assert!(
                        matches!(outcome, Err(Error::InvalidArgument(_))),
                        "{group:?}, {parent:?}: {outcome:?}"
                    );
                    prop_assert_eq!(server.received_count(), before);
                    return Ok(());
                }
                prop_assert!(outcome.is_ok(), "{:?}", outcome);
                let target = server.last_received().unwrap().target;
                let url =
                    turso_platform::reqwest::Url::parse(&format!("http://x{target}")).unwrap();
                prop_assert_eq!(url.path(), "/v1/organizations/my-org/databases");
                let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                prop_assert_eq!(
                    pairs,
                    vec![("group".to_owned(), group), ("parent".to_owned(), parent)]
                );
                Ok(())
            },
        );
    });
}

/// Arbitrary JSON shaped like the API's answers: objects whose keys are the answers'
/// field names, with values of any type, nested.
fn answer_like_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("2026-05-21T10:00:00Z")),
    ];
    let keys = prop::sample::select(vec![
        "error",
        "code",
        "token",
        "jwt",
        "id",
        "name",
        "exp",
        "tokens",
        "databases",
        "database",
        "groups",
        "group",
        "instances",
        "instance",
        "locations",
        "members",
        "member",
        "role",
        "invites",
        "invited",
        "organizations",
        "organization",
        "plans",
        "invoices",
        "subscription",
        "usage",
        "audit_logs",
        "pagination",
        "page",
        "page_size",
        "total_pages",
        "total_rows",
        "data",
        "user",
        "Name",
        "DbId",
        "Hostname",
        "primary",
        "allowed_ips",
        "delete_protection",
        "scopes",
        "created_at",
    ]);
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|map| Value::Object(
                map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// Whatever a server answers (any status, any JSON, any bytes, any `Retry-After`),
/// every operation returns: `Ok` or an `Err`, never a panic, and never a wait.
#[test]
fn nothing_panics_on_any_answer() {
    bounded(Duration::from_secs(120), 64 * MIB, || async {
        let answer = std::sync::Arc::new(std::sync::Mutex::new(Action::json(200, "{}")));
        let served = answer.clone();
        let server = ScriptedServer::start(move |_, _| served.lock().unwrap().clone()).await;
        let client = client(&server.base_url);
        let handle = tokio::runtime::Handle::current();
        let operations = operations();
        let status = prop_oneof![Just(200u16), Just(201), Just(204), 200..600u16];
        let body = prop_oneof![
            answer_like_json().prop_map(|v| v.to_string().into_bytes()),
            // The same with a wrapper the client expects, around any JSON.
            (
                prop::sample::select(vec![
                    "tokens",
                    "databases",
                    "group",
                    "members",
                    "audit_logs"
                ]),
                answer_like_json()
            )
                .prop_map(|(k, v)| serde_json::json!({ k: v }).to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..64),
        ];
        let retry_after = prop::option::of(prop_oneof![
            Just("0".to_owned()),
            Just("18446744073709551615".to_owned()),
            Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
            ".{0,12}",
        ]);
        let cases = (0..operations.len(), status, body, retry_after);
        check_cases(1024, &cases, |(op, status, body, retry_after)| {
            let (template, call) = &operations[op];
            let mut action = Action::Respond {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body,
            };
            if let Some(value) = retry_after.filter(|v| !v.contains(['\r', '\n'])) {
                action = action.with_header("retry-after", &value);
            }
            *answer.lock().unwrap() = action;
            let names = vec!["x".to_owned(); template.matches('{').count()];
            let started = Instant::now();
            let outcome = handle.block_on(call(client.clone(), names));
            // No retries: whatever the answer, the call ends at once.
            prop_assert!(started.elapsed() < Duration::from_secs(4), "{outcome:?}");
            Ok(())
        });
    });
}

/// The attacks that started it: climbing out with `..` and `\`, in any spelling.
#[test]
fn dot_segments_and_backslashes_never_reach_another_endpoint() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let server = ScriptedServer::start(|_, _| Action::json(200, r#"{"token":"x"}"#)).await;
        let client = client(&server.base_url);
        let climb = "..\\..\\organizations\\my-org\\databases\\prod";
        assert!(matches!(
            client.revoke_api_token(climb).await,
            Err(Error::InvalidArgument(_))
        ));
        for name in [".", "..", "../x", "a/../../b"] {
            let error = client
                .invalidate_database_tokens("my-org", name)
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::InvalidArgument(_)),
                "{name}: {error}"
            );
        }
        assert!(server.received().is_empty(), "nothing was sent");

        // Percent-encoded dots are not dot segments once their `%` is encoded.
        for (name, segment) in [("%2e%2e", "%252e%252e"), (".%2E", ".%252E"), ("...", "...")] {
            client.revoke_api_token(name).await.unwrap();
            let target = server.last_received().unwrap().target;
            assert_eq!(target, format!("/v1/auth/api-tokens/{segment}"));
        }
    });
}

/// The escape hatch encodes names the same way, and its paths are checked too: a dot
/// segment is refused, a backslash stays inside its segment.
#[test]
fn the_escape_hatch_cannot_leave_a_path_either() {
    bounded(Duration::from_secs(60), 64 * MIB, || async {
        let server = ScriptedServer::start(|_, _| Action::json(200, r#"{"token":"x"}"#)).await;
        let client = client(&server.base_url);
        let generated = client.generated();
        for name in ["", ".", ".."] {
            let error = generated.revoke_api_token(name).await.unwrap_err();
            assert!(
                matches!(error, turso_platform::generated::Error::InvalidRequest(_)),
                "{name:?}: {error}"
            );
        }
        assert!(server.received().is_empty());
        let handle = tokio::runtime::Handle::current();
        check_cases(512, &(hostile_names(), hostile_names()), |(org, id)| {
            let before = server.received_count();
            let outcome = handle.block_on(generated.revoke_organization_api_token(&org, &id));
            let dots = |s: &str| s.is_empty() || s == "." || s == "..";
            if dots(&org) || dots(&id) {
                prop_assert!(outcome.is_err());
                prop_assert_eq!(server.received_count(), before);
            } else {
                prop_assert_eq!(server.received_count(), before + 1);
                assert_follows(
                    "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}",
                    &[org.clone(), id.clone()],
                    &server.last_received().unwrap().target,
                );
            }
            Ok(())
        });
    });
}

// --- bounded reads ---

/// Reads a request's head (to its blank line) from `stream`: whether it all arrived.
async fn read_head(stream: &mut tokio::net::TcpStream) -> bool {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    true
}

/// A server that answers every request with `head`, then body bytes until the client
/// goes away (a declared length it never reaches, or endless chunks), and reports how
/// many body bytes it managed to write.
async fn endless(
    head: &'static str,
    chunked: bool,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<u64>) {
    static ZEROS: [u8; 64 * 1024] = [b'0'; 64 * 1024];
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (report, reports) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let report = report.clone();
            tokio::spawn(async move {
                if !read_head(&mut stream).await {
                    return;
                }
                let mut written = 0u64;
                if stream.write_all(head.as_bytes()).await.is_ok() {
                    loop {
                        let sent = if chunked {
                            stream.write_all(b"10000\r\n").await.is_ok()
                                && stream.write_all(&ZEROS).await.is_ok()
                                && stream.write_all(b"\r\n").await.is_ok()
                        } else {
                            stream.write_all(&ZEROS).await.is_ok()
                        };
                        if !sent {
                            break;
                        }
                        written += ZEROS.len() as u64;
                    }
                }
                let _ = report.send(written);
            });
        }
    });
    (base_url, reports)
}

const TWO_GIB: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648\r\n\r\n";
const CHUNKED: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
const CHUNKED_500: &str = "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";

/// A 2 GiB body, an endless chunked body, on a success or an error: the call fails with
/// `ResponseTooLarge` once the limit is read (or at once for a declared length), the
/// connection is dropped (the server's writes fail), and the process's memory grows by
/// about the limit, not by the body.
#[test]
fn answers_are_read_up_to_the_limit_and_no_further() {
    bounded(Duration::from_secs(30), 4 * MIB, || async {
        for (head, chunked, status) in [
            (TWO_GIB, false, 200),
            (CHUNKED, true, 200),
            (CHUNKED_500, true, 500),
        ] {
            let (base_url, mut written) = endless(head, chunked).await;
            let client = Client::builder()
                .token(TOKEN)
                .base_url(&base_url)
                .max_response_size(MIB)
                .max_retries(0)
                .build()
                .unwrap();
            let outcomes = [
                client.list_api_tokens().await.map(drop),
                client
                    .create_database_token("o", "d", &TokenOptions::new())
                    .await
                    .map(drop),
            ];
            for outcome in outcomes {
                match outcome.unwrap_err() {
                    Error::ResponseTooLarge {
                        status: s, limit, ..
                    } => {
                        assert_eq!((s.as_u16(), limit), (status, MIB));
                    }
                    other => panic!("{head}: {other:?}"),
                }
                let bytes = written.recv().await.unwrap();
                assert!(bytes < 32 * MIB as u64, "the server wrote {bytes} bytes");
            }
        }
    });
}

/// A declared length past the (default) limit fails the call before the body is read:
/// the server declares 2 GiB, sends three bytes and then nothing, and the call still ends
/// at once (a client that waited for the body would wait for its 60 s timeout).
#[test]
fn a_declared_length_past_the_limit_fails_before_the_body_is_read() {
    bounded(Duration::from_secs(20), 4 * MIB, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            if !read_head(&mut stream).await {
                return;
            }
            stream.write_all(TWO_GIB.as_bytes()).await.unwrap();
            stream.write_all(b"[{\"").await.unwrap();
            // Holds the connection open, sending nothing more, until the test ends.
            let _ = released.await;
        });
        let error = Client::builder()
            .token(TOKEN)
            .base_url(&base_url)
            .timeout(Duration::from_secs(60))
            .max_retries(0)
            .build()
            .unwrap()
            .list_api_tokens()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit, .. } if limit == 16 * MIB),
            "{error:?}"
        );
        assert!(error.to_string().contains("max_response_size"), "{error}");
        drop(release);
    });
}

/// Whatever size the server's texts, the texts an error keeps, and its `Display`, are
/// bounded; so are the errors that quote an argument.
#[test]
fn every_text_an_error_keeps_is_bounded() {
    bounded(Duration::from_secs(30), 32 * MIB, || async {
        let huge = "x".repeat(MIB);
        let message = format!(r#"{{"error":"{huge}","code":"{huge}"}}"#);
        let html = format!("<html>{huge}</html>");
        let invalid = format!(r#"{{"tokens":"{huge}"}}"#);
        let server = ScriptedServer::start(move |i, _| match i {
            0 => Action::json(401, &message),
            1 => Action::json(502, &html),
            _ => Action::json(200, &invalid),
        })
        .await;
        let client = client(&server.base_url);
        let mut errors = Vec::new();
        for _ in 0..3 {
            errors.push(client.list_api_tokens().await.unwrap_err());
        }
        match &errors[0] {
            Error::Api { message, code, .. } => {
                assert!(message.len() <= 1024 && code.as_ref().unwrap().len() <= 256);
            }
            other => panic!("{other:?}"),
        }
        match &errors[1] {
            Error::UnexpectedResponse { body, reason, .. } => {
                assert!(body.len() <= 1024 && reason.len() <= 512);
            }
            other => panic!("{other:?}"),
        }
        // A decoding error quotes serde's reason (which quotes the body) up to 256 bytes.
        match &errors[2] {
            Error::UnexpectedResponse { body, reason, .. } => {
                let frame = "the body is not the JSON the API documents ()".len();
                assert!(reason.starts_with("the body is not the JSON"), "{reason}");
                assert!(
                    body.len() <= 1024 && reason.len() <= frame + 256,
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        let long_name = "n".repeat(MIB);
        errors.push(client.revoke_api_token(&long_name).await.unwrap_err());
        for url in [
            format!("https://{long_name}.example.com/?{long_name}"),
            format!("x{long_name}://example.com/"),
            format!("https://example.com/{long_name}#"),
        ] {
            errors.push(
                Client::builder()
                    .token(TOKEN)
                    .base_url(url)
                    .build()
                    .unwrap_err(),
            );
        }
        errors.push(Error::from(long_name.parse::<Scope>().unwrap_err()));
        errors.push(Error::from(
            format!("1{long_name}")
                .parse::<turso_platform::Expiration>()
                .unwrap_err(),
        ));
        errors.push(Error::from(
            long_name.parse::<turso_platform::Expiration>().unwrap_err(),
        ));
        for error in &errors {
            let shown = error.to_string();
            assert!(
                shown.len() <= 4096,
                "{} bytes: {}",
                shown.len(),
                &shown[..200]
            );
            assert!(format!("{error:?}").len() <= 8192);
        }
    });
}

/// The name of an invite is checked like the path segment it is when the invite is
/// withdrawn: one that could not be withdrawn is never sent, and no error holds an
/// unbounded name, even one whose outcome is unknown (`MayExist` keeps the name).
#[test]
fn an_invite_s_name_is_checked_as_a_path_segment_and_kept_bounded() {
    bounded(Duration::from_secs(30), 32 * MIB, || async {
        let server =
            ScriptedServer::start(|_, _| Action::json(502, r#"{"error":"bad gateway"}"#)).await;
        let client = client(&server.base_url);
        let huge = format!("{}@example.com", "a".repeat(MIB));
        for invite in [
            NewInvite::email(huge.as_str()),
            NewInvite::username("a".repeat(MIB)),
            NewInvite::email("ana/../bob@example.com"),
            NewInvite::email("ana@example.com\n"),
            NewInvite::username(".."),
        ] {
            let error = client
                .invite_organization_member_v2("my-org", &invite)
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::InvalidArgument(_)),
                "{}",
                &format!("{error:?}")[..200]
            );
            assert!(error.to_string().len() <= 4096);
            assert!(format!("{error:?}").len() <= 8192);
        }
        assert_eq!(server.received_count(), 0, "nothing was sent");

        // The longest name a segment takes, sent once and answered 502: the error keeps
        // it, bounded.
        let longest = format!("{}@example.com", "a".repeat(1024 - "@example.com".len()));
        let error = client
            .invite_organization_member_v2("my-org", &NewInvite::email(longest.as_str()))
            .await
            .unwrap_err();
        match &error {
            Error::MayExist { kind, name, .. } => {
                assert_eq!((*kind, name.as_str()), ("invite", longest.as_str()));
            }
            other => panic!("{other:?}"),
        }
        assert!(error.to_string().len() <= 4096);
        assert!(format!("{error:?}").len() <= 8192);
        assert_eq!(server.received_count(), 1, "sent once");
    });
}

/// Parsing a valid expiration allocates nothing (whatever its length); only a refusal,
/// which explains itself, does.
#[test]
fn parsing_a_valid_expiration_allocates_nothing() {
    let long_repeat = "1h".repeat(64);
    for input in [
        "never",
        "1d",
        "2w1d30m",
        "1w2d6h3ns",
        "15250w1d23h47m16s854ms775us807ns",
        "1.123456789012345678901234567890h",
        &long_repeat,
    ] {
        let before = allocations_on_this_thread();
        let parsed = input.parse::<turso_platform::Expiration>();
        let allocations = allocations_on_this_thread() - before;
        assert!(parsed.is_ok(), "{input}");
        assert_eq!(allocations, 0, "{input}");
    }
    let before = allocations_on_this_thread();
    assert!("1y".parse::<turso_platform::Expiration>().is_err());
    assert!(allocations_on_this_thread() > before, "the counter counts");
}

// --- no secret in any error ---

/// Every kind of answer a mint can get that is not the documented one, each quoting the
/// secret: no error of a mint shows a byte of it, in `Display`, `Debug` or its causes.
#[test]
fn no_error_of_a_mint_quotes_its_answer() {
    const SECRET: &str = "quoted-secret-8f2d";
    bounded(Duration::from_secs(30), 32 * MIB, || async {
        let answers = [
            Action::json(200, &format!(r#""{SECRET}""#)),
            Action::json(200, &format!(r#"{{"jwt":5,"token":5,"x":"{SECRET}"}}"#)),
            Action::json(
                200,
                &format!(r#"{{"jwt":["{SECRET}"],"token":["{SECRET}"]}}"#),
            ),
            Action::json(200, &format!(r#"{{"jwt":"{SECRET}","token":"{SECRET}""#)),
            Action::json(201, &format!(r#"{{"jwt":"{SECRET}","token":"{SECRET}"}}"#)),
            Action::json(302, &format!(r#"{{"jwt":"{SECRET}"}}"#))
                .with_header("location", "http://127.0.0.1:9/"),
            Action::json(500, &format!("<html>{SECRET}</html>")),
            Action::json(418, SECRET),
        ];
        let count = answers.len();
        let server = ScriptedServer::start(move |i, _| answers[i % count].clone()).await;
        let client = client(&server.base_url);
        for _ in 0..count {
            let errors = [
                client
                    .create_api_token("ci", &ApiTokenOptions::new())
                    .await
                    .map(drop),
                client
                    .create_database_token("o", "d", &TokenOptions::new())
                    .await
                    .map(drop),
                client
                    .create_group_token("o", "g", &TokenOptions::new())
                    .await
                    .map(drop),
            ];
            for error in errors {
                assert_never_shows(&error.unwrap_err(), &["8f2d"]);
            }
        }
        // The escape hatch: progenitor's own errors, whose `InvalidResponsePayload` would
        // quote the body twice, quote nothing of an answer that carries a secret either.
        let generated = client.generated();
        let no_options = Default::default();
        for _ in 0..count {
            let errors = [
                generated
                    .create_api_token("ci", &no_options)
                    .await
                    .map(drop),
                generated
                    .create_database_token("o", "d", None, None, &Default::default())
                    .await
                    .map(drop),
                generated
                    .create_group_token("o", "g", None, None, &Default::default())
                    .await
                    .map(drop),
            ];
            for error in errors {
                assert_never_shows(&error.unwrap_err(), &["8f2d"]);
            }
        }
    });
}

/// Fails if `Display`, `Debug` or pretty `Debug` of `error`, or of any of its causes,
/// shows one of `fragments`.
#[track_caller]
fn assert_never_shows(error: &(dyn std::error::Error + 'static), fragments: &[&str]) {
    let mut cause = Some(error);
    while let Some(e) = cause {
        for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            for fragment in fragments {
                assert!(!shown.contains(fragment), "{fragment:?} leaked: {shown}");
            }
        }
        cause = e.source();
    }
}

/// A server or proxy that quotes the request back in its refusal (a 400 that repeats the
/// body, a gateway's HTML page, a malformed success) quotes the database's encryption
/// key: no error keeps a byte of it, in any spelling, even where a text is cut across it.
#[test]
fn an_encryption_key_quoted_back_is_never_kept() {
    const KEY: &str = "Zq8/Xv+Kw2/Jm9+Pt4/Rb7+Hs1/Lc6+Nd3/Fg0+Yk5=";
    bounded(Duration::from_secs(30), 32 * MIB, || async {
        let escaped = KEY.replace('/', "\\/");
        let encoded = KEY
            .replace('/', "%2F")
            .replace('+', "%2B")
            .replace('=', "%3D");
        let straddling = format!("{}{KEY}", "x".repeat(1000));
        let answers = [
            Action::json(
                400,
                &format!(r#"{{"error":"invalid encryption key {KEY}"}}"#),
            ),
            Action::json(
                400,
                &format!(r#"{{"error":"invalid key {escaped}","code":"{KEY}"}}"#),
            ),
            Action::json(400, &format!(r#"{{"error":"{straddling}"}}"#)),
            Action::json(409, &format!(r#"{{"error":"key={encoded}"}}"#)),
            Action::json(502, &format!("<html>upstream said: {KEY}</html>")),
            Action::json(418, &format!(r#"{{"error":"teapot {KEY}"}}"#)),
            Action::json(418, &format!("{straddling} and more")),
            Action::json(200, &format!(r#"{{"database":"{KEY}"}}"#)),
        ];
        let count = answers.len();
        let server = ScriptedServer::start(move |i, _| answers[i % count].clone()).await;
        let client = client(&server.base_url);
        let new = NewDatabase::new("vault", "default")
            .encryption(turso_platform::EncryptionCipher::Aegis256, KEY);
        // Every fragment of 6 characters or more of the key.
        let fragments: Vec<&str> = (0..=KEY.len() - 6).map(|at| &KEY[at..at + 6]).collect();
        for _ in 0..count {
            let error = client.create_database("o", &new).await.unwrap_err();
            assert_never_shows(&error, &fragments);
        }
        let sent = String::from_utf8(server.last_received().unwrap().body).unwrap();
        assert!(sent.contains(KEY), "the key itself was sent: {sent}");
    });
}

/// A successful mint answer that holds its secret returns it, under the name asked for,
/// whatever else is missing, `null` or wrong in it.
#[test]
fn a_mint_answer_with_its_secret_never_loses_it() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let answers = [
            format!(r#"{{"token":"{MINTED}"}}"#),
            format!(r#"{{"token":"{MINTED}","id":null,"name":null}}"#),
            format!(r#"{{"token":"{MINTED}","id":5,"name":["other"]}}"#),
            format!(r#"{{"token":"{MINTED}","id":"id-1","name":"another-name"}}"#),
        ];
        let count = answers.len();
        let server =
            ScriptedServer::start(move |i, _| Action::json(200, &answers[i % count])).await;
        let minting = client(&server.base_url);
        let mut ids = Vec::new();
        for _ in 0..count {
            let created = minting
                .create_api_token("ci-bot", &ApiTokenOptions::new())
                .await
                .unwrap();
            assert_eq!(created.name, "ci-bot");
            assert_eq!(created.token.expose_secret(), MINTED);
            ids.push(created.id);
        }
        assert_eq!(ids, ["", "", "", "id-1"]);
        let server = ScriptedServer::start(|_, _| {
            Action::json(200, &format!(r#"{{"jwt":"{JWT}","extra":null}}"#))
        })
        .await;
        let token = client(&server.base_url)
            .create_database_token("o", "d", &TokenOptions::new())
            .await
            .unwrap();
        assert_eq!(token.jwt.expose_secret(), JWT);
    });
}

// --- the token goes only to the base URL ---

/// The reqwest client behind the escape hatch carries no token: a request it sends
/// elsewhere has no `Authorization` header, while the generated operations still do.
#[test]
fn the_token_goes_only_to_the_base_url_even_through_the_escape_hatch() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let api = ScriptedServer::start(|_, _| Action::json(200, r#"{"exp":-1}"#)).await;
        let elsewhere = ScriptedServer::start(|_, _| Action::json(200, "{}")).await;
        let client = client(&api.base_url);
        let raw = client.generated().client();
        raw.get(format!("{}/v1/auth/validate", elsewhere.base_url))
            .send()
            .await
            .unwrap();
        raw.get(format!("{}/v1/auth/validate", api.base_url))
            .send()
            .await
            .unwrap();
        assert!(api.received()[0].header("authorization").is_none());
        assert!(elsewhere.received()[0].header("authorization").is_none());
        client.generated().validate_api_token().await.unwrap();
        assert_eq!(
            api.received()[1].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    });
}

/// With the user's own reqwest client, which follows redirects, a redirect to another
/// origin arrives there without the token.
#[test]
fn a_redirect_followed_by_the_user_s_client_never_carries_the_token() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let elsewhere = ScriptedServer::start(|_, _| Action::json(200, r#"{"exp":-1}"#)).await;
        let target = format!("{}/v1/auth/validate", elsewhere.base_url);
        let api = ScriptedServer::start(move |_, _| {
            Action::json(302, "{}").with_header("location", &target)
        })
        .await;
        let follows = turso_platform::reqwest::Client::builder().build().unwrap();
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&api.base_url)
            .http_client(follows)
            .max_retries(0)
            .build()
            .unwrap();
        client.validate_api_token().await.unwrap();
        assert!(api.received()[0].header("authorization").is_some());
        assert_eq!(elsewhere.received().len(), 1, "the redirect was followed");
        assert!(elsewhere.received()[0].header("authorization").is_none());
    });
}

/// A base URL with credentials or a query is refused, and neither the error nor the
/// builder's `Debug` shows them.
#[test]
fn base_urls_with_credentials_or_a_query_are_refused_without_echo() {
    bounded(Duration::from_secs(10), 16 * MIB, || async {
        for url in [
            "https://alice:hunter2@api.turso.tech",
            "https://:hunter2@api.turso.tech/",
            "https://api.turso.tech/?token=hunter2",
            "https://api.turso.tech/#hunter2",
            "http://alice:hunter2@127.0.0.1:1/?hunter2",
            "http://alice:hunter2@example.com/?token=hunter2",
            "ftp://alice:hunter2@api.turso.tech?hunter2",
        ] {
            let builder = Client::builder().token(TOKEN).base_url(url);
            let shown = format!("{builder:?}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("alice"),
                "{shown}"
            );
            let error = builder.build().unwrap_err();
            assert!(matches!(error, Error::InvalidArgument(_)));
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(
                    !shown.contains("hunter2") && !shown.contains("alice"),
                    "{shown}"
                );
            }
        }
    });
}

// --- waits and retries ---

/// An answer that asks for a longer wait than the client makes (30 s) fails the call at
/// once, with the wait asked for, in seconds or as an HTTP date; a date in the past is
/// no wait at all.
#[test]
fn a_long_retry_after_returns_at_once_with_the_wait() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let in_an_hour = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        let server = ScriptedServer::start(move |i, _| match i {
            0 => Action::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", "3600"),
            1 => Action::json(503, "<html>busy</html>").with_header("retry-after", &in_an_hour),
            2 => Action::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", &past),
            _ => Action::json(200, r#"{"tokens":[]}"#),
        })
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&server.base_url)
            .max_retries(3)
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client.list_api_tokens().await.unwrap_err();
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
        assert!(error.to_string().contains("3600 s"), "{error}");
        let error = client.list_api_tokens().await.unwrap_err();
        let asked = error.retry_after().unwrap();
        assert!(asked > Duration::from_secs(3590), "{asked:?}");
        assert!(
            matches!(error, Error::UnexpectedResponse { .. }),
            "{error:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "nothing was waited for"
        );
        assert_eq!(server.received_count(), 2, "neither was sent again");
        client.list_api_tokens().await.unwrap();
        assert_eq!(
            server.received_count(),
            4,
            "a date in the past: sent again at once"
        );
    });
}

/// A keep-alive connection that the server closes after reading the request, before any
/// answer byte: a read is sent again on a new connection, an API token mint never.
#[test]
fn a_dropped_keep_alive_connection_is_retried_for_reads_only() {
    /// Answers the first request, then closes its connection after reading the second.
    async fn dropping_the_second_request() -> (ScriptedServer, Client) {
        let server = ScriptedServer::start(|i, _| match i {
            1 => Action::RawThenClose(Vec::new()),
            _ => Action::json(200, r#"{"tokens":[]}"#),
        })
        .await;
        let client = common::client(&server, 3);
        client.list_api_tokens().await.unwrap();
        (server, client)
    }
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let (server, client) = dropping_the_second_request().await;
        client.list_api_tokens().await.unwrap();
        assert_eq!(server.received_count(), 3);
        assert_eq!(server.connections(), 2, "the first connection was dropped");

        let (server, client) = dropping_the_second_request().await;
        let error = client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::ApiTokenMayExist { .. }), "{error:?}");
        assert!(error.may_have_taken_effect());
        assert_eq!(server.received_count(), 2, "the mint was sent once");
    });
}

/// Lists that the API writes as Go's `null` decode as empty.
#[test]
fn go_style_null_lists_decode_as_empty() {
    bounded(Duration::from_secs(10), 16 * MIB, || async {
        let server = ScriptedServer::start(|_, r: &Received| {
            if r.target.starts_with("/v1/organizations") {
                Action::json(
                    200,
                    r#"{"tokens":[{"id":"1","name":"n","scopes":null,"owner":null}]}"#,
                )
            } else {
                Action::json(200, r#"{"tokens":null}"#)
            }
        })
        .await;
        let client = client(&server.base_url);
        assert!(client.list_api_tokens().await.unwrap().is_empty());
        let tokens = client.list_organization_api_tokens("o").await.unwrap();
        assert!(tokens[0].scopes.is_empty() && tokens[0].owner.is_none());
    });
}

/// `Display` does not repeat what `source()` returns: an error reporter that prints the
/// chain prints each cause once.
#[test]
fn error_chains_print_each_cause_once() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let client = client(&base_url);
        let errors = [
            client.list_api_tokens().await.unwrap_err(),
            client
                .create_api_token("ci", &ApiTokenOptions::new())
                .await
                .unwrap_err(),
        ];
        let hang = ScriptedServer::start(|_, _| Action::Hang).await;
        let timeout = Client::builder()
            .token(TOKEN)
            .base_url(&hang.base_url)
            .timeout(Duration::from_millis(200))
            .max_retries(0)
            .build()
            .unwrap()
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        for error in errors.iter().chain([&timeout]) {
            let mut chain = Vec::new();
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
            while let Some(e) = cause {
                chain.push(e.to_string());
                cause = e.source();
            }
            assert!(chain.len() >= 2, "{error:?} has a cause");
            for (i, outer) in chain.iter().enumerate() {
                for inner in &chain[i + 1..] {
                    assert!(
                        !outer.contains(inner.as_str()),
                        "{outer:?} repeats {inner:?}"
                    );
                }
            }
        }
    });
}

// --- the fake ---

/// Reads until the server closes the connection, or gives up after `limit`; `None` if
/// it did not close in time.
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut answer = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut answer))
        .await
        .ok()
        .map(|_| answer)
}

/// Slow and idle connections are closed after the idle timeout, and 300 of them do not
/// keep a new client out; a body that does not arrive in time answers 408.
#[test]
fn slow_and_idle_connections_are_closed_and_never_lock_out_a_client() {
    bounded(Duration::from_secs(30), 64 * MIB, || async {
        let default = format!("{:?}", FakeTurso::builder());
        assert!(default.contains("idle_timeout: 10s"), "{default}");
        let fake = FakeTurso::builder()
            .idle_timeout(Duration::from_millis(500))
            .start()
            .await
            .unwrap();
        let address = fake.base_url().trim_start_matches("http://").to_owned();
        let mut idle = Vec::new();
        for i in 0..300 {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            if i % 2 == 0 {
                // Headers that never end.
                stream
                    .write_all(b"GET /v1/user HTTP/1.1\r\nhost: x\r\n")
                    .await
                    .unwrap();
            }
            idle.push(stream);
        }
        let started = Instant::now();
        assert_eq!(
            fake.client().current_user().await.unwrap().username,
            "fake-user"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        for stream in &mut idle {
            assert!(
                read_to_close(stream, Duration::from_secs(5))
                    .await
                    .is_some(),
                "an idle connection was left open"
            );
        }

        let mut slow_body = TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /v1/auth/api-tokens/slow HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
             content-length: 100\r\n\r\n{{",
            fake.token()
        );
        slow_body.write_all(head.as_bytes()).await.unwrap();
        let answer = read_to_close(&mut slow_body, Duration::from_secs(5))
            .await
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains(r#"{"error":"#), "{answer}");
    });
}

/// A keep-alive connection left idle after its answer is closed after the idle timeout,
/// as a new one that sends nothing is.
#[test]
fn an_idle_keep_alive_connection_is_closed() {
    bounded(Duration::from_secs(20), 16 * MIB, || async {
        let fake = FakeTurso::builder()
            .idle_timeout(Duration::from_millis(500))
            .start()
            .await
            .unwrap();
        let address = fake.base_url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let request = format!(
            "GET /v1/user HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\r\n",
            fake.token()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        // The answer arrives and the connection stays open for another request, until
        // it has been idle for the timeout.
        let started = Instant::now();
        let answer = read_to_close(&mut stream, Duration::from_secs(5))
            .await
            .expect("the idle connection was left open");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(!answer.contains("connection: close"), "{answer}");
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "closed at once"
        );
    });
}

/// What hyper refuses before the router sees it answers with the API's error body.
#[test]
fn protocol_refusals_answer_with_the_error_body() {
    bounded(Duration::from_secs(20), 64 * MIB, || async {
        let fake = FakeTurso::start().await.unwrap();
        let address = fake.base_url().trim_start_matches("http://").to_owned();
        let long = "a".repeat(100 * 1024);
        for (request, status) in [
            ("GARBAGE\r\n\r\n".to_owned(), "400"),
            (
                "GET /v1/user HTTP/1.1\r\nbad header\r\n\r\n".to_owned(),
                "400",
            ),
            (
                format!("GET /v1/user HTTP/1.1\r\nhost: x\r\nx-big: {long}\r\n\r\n"),
                "431",
            ),
            (format!("GET /{long} HTTP/1.1\r\nhost: x\r\n\r\n"), "4"),
        ] {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            let _ = stream.write_all(request.as_bytes()).await;
            let answer = read_to_close(&mut stream, Duration::from_secs(5))
                .await
                .unwrap_or_else(|| panic!("no answer to {}", &request[..40.min(request.len())]));
            let answer = String::from_utf8_lossy(&answer);
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {status}")),
                "{answer}"
            );
            let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
            let error: serde_json::Value = serde_json::from_str(body).unwrap();
            assert!(error["error"].is_string(), "{answer}");
        }
        // After an HTTP/1.0 keep-alive request, hyper refuses in HTTP/1.0: with the body
        // too. An HTTP/2 preface, which this HTTP/1.1 server does not speak, gets a 505.
        let keep_alive = format!(
            "GET /v1/user HTTP/1.0\r\nconnection: keep-alive\r\nauthorization: Bearer {}\r\n\r\n\
             GARBAGE\r\n\r\n",
            fake.token()
        );
        for (request, status) in [
            (keep_alive.as_bytes(), "HTTP/1.0 400"),
            (
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".as_slice(),
                "HTTP/1.1 505",
            ),
        ] {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            stream.write_all(request).await.unwrap();
            let answer = read_to_close(&mut stream, Duration::from_secs(5))
                .await
                .expect("an answer, then the close");
            let answer = String::from_utf8_lossy(&answer);
            // The refusal comes last (after the keep-alive request's answer).
            let refusal = answer
                .find(&format!("{status} "))
                .map(|at| &answer[at..])
                .unwrap_or_else(|| panic!("no {status} in {answer}"));
            let body = refusal.split("\r\n\r\n").nth(1).unwrap_or_default();
            let error: serde_json::Value = serde_json::from_str(body).unwrap();
            assert!(error["error"].is_string(), "{answer}");
        }
    });
}

/// A client is served at once while others hold every connection the fake keeps: idle
/// ones that never send a request, ones that announce a body and never send it, and ones
/// that asked for a large answer and never read it. The fake closes the connections that waited longest for their clients to make
/// room, again and again as the attackers reconnect; the memory their answers pin is
/// bounded by the number of connections kept.
#[test]
fn a_client_is_served_while_others_hold_idle_and_unread_connections() {
    bounded(Duration::from_secs(60), 96 * MIB, || async {
        const KEPT: usize = 8;
        let fake = FakeTurso::builder()
            // Long enough that no timeout closes anything during the test.
            .idle_timeout(Duration::from_secs(60))
            .max_connections(KEPT)
            .start()
            .await
            .unwrap();
        for n in 0..5_000 {
            fake.add_database("fake-org", "default", &format!("tenant-{n:05}"))
                .unwrap();
        }
        let address: std::net::SocketAddr = fake
            .base_url()
            .trim_start_matches("http://")
            .parse()
            .unwrap();
        let list = format!(
            "GET /v1/organizations/fake-org/databases HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer {}\r\n\r\n",
            fake.token()
        );
        let create = format!(
            "POST /v1/organizations/fake-org/databases HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer {}\r\ncontent-type: application/json\r\n\
             content-length: 100\r\n\r\n{{\"name\":",
            fake.token()
        );
        let legit = fake.client();
        let mut held = Vec::new();
        for round in 0..3 {
            for _ in 0..KEPT {
                // Connects and sends nothing.
                held.push(TcpStream::connect(address).await.unwrap());
                // Sends a request whose body never comes (its request is in flight).
                let mut stalled = TcpStream::connect(address).await.unwrap();
                stalled.write_all(create.as_bytes()).await.unwrap();
                held.push(stalled);
                // Asks for a large answer (about 1.5 MB), reads its first bytes so that
                // the fake is writing it, then reads no more, through a small window.
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket.set_recv_buffer_size(4096).unwrap();
                let mut unread = socket.connect(address).await.unwrap();
                unread.write_all(list.as_bytes()).await.unwrap();
                let mut first = [0u8; 12];
                unread.read_exact(&mut first).await.unwrap();
                assert_eq!(&first, b"HTTP/1.1 200");
                held.push(unread);
            }
            let started = Instant::now();
            assert_eq!(legit.current_user().await.unwrap().username, "fake-user");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "round {round}: served after {:?}",
                started.elapsed()
            );
        }
        // The fake made room by closing the attackers' connections: all but the last few
        // it keeps end, the kept ones stay open. (What an unread answer left in the
        // kernel's buffers still arrives; the write that waits for a reader is bounded
        // in time, which the server's own tests show.)
        let ends = futures_util::future::join_all(
            held.iter_mut()
                .map(|stream| async move { read_to_close(stream, Duration::from_secs(2)).await }),
        )
        .await;
        let closed: Vec<_> = ends.into_iter().flatten().collect();
        assert!(
            closed.len() >= 3 * 3 * KEPT - KEPT,
            "only {} of {} attackers' connections were closed",
            closed.len(),
            3 * 3 * KEPT
        );
    });
}

/// A group-scoped token learns nothing of the databases outside its group, whatever part
/// of a request names them: a read-attach list of a database or group token, the
/// `branches_of` and `schema` filters of a list. Each answers 403 whether the database
/// exists or not, before anything is looked up; the same names inside its group work.
#[test]
fn a_group_scoped_token_learns_nothing_outside_its_group() {
    bounded(Duration::from_secs(20), 64 * MIB, || async {
        let fake = FakeTurso::start().await.unwrap();
        fake.add_group("fake-org", "other").unwrap();
        fake.add_database("fake-org", "other", "outside").unwrap();
        let admin = fake.client();
        let outside_id = admin
            .get_database("fake-org", "outside")
            .await
            .unwrap()
            .db_id;
        let inside_id = admin
            .get_database("fake-org", "fake-db")
            .await
            .unwrap()
            .db_id;
        let pinned = admin
            .create_api_token(
                "pinned",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::Read, Scope::DbMintToken, Scope::GroupMintToken]),
            )
            .await
            .unwrap();
        let pinned = Client::builder()
            .token(pinned.token.expose_secret())
            .base_url(fake.base_url())
            .max_retries(0)
            .build()
            .unwrap();
        let mut messages = Vec::new();
        for name in ["outside", "nowhere"] {
            let attach = TokenOptions::new().read_attach([name]);
            let outcomes = [
                pinned
                    .create_database_token("fake-org", "fake-db", &attach)
                    .await
                    .map(drop),
                pinned
                    .create_group_token("fake-org", "default", &attach)
                    .await
                    .map(drop),
            ];
            for outcome in outcomes {
                let error = outcome.unwrap_err();
                assert_eq!(error.status(), Some(StatusCode::FORBIDDEN), "{error}");
                messages.push(error.to_string());
            }
        }
        assert_eq!(messages[0], messages[2], "existing or not, the same answer");
        for (options, outside) in [
            (ListDatabasesOptions::new().branches_of(&outside_id), true),
            (ListDatabasesOptions::new().branches_of("no-such-id"), true),
            (ListDatabasesOptions::new().branches_of(&inside_id), false),
        ] {
            let outcome = pinned.list_databases("fake-org", &options).await;
            if outside {
                assert_eq!(outcome.unwrap_err().status(), Some(StatusCode::FORBIDDEN));
            } else {
                outcome.unwrap();
            }
        }
        let schema = pinned
            .generated()
            .list_databases("fake-org", None, None, None, None, Some("outside"))
            .await
            .unwrap_err();
        assert_eq!(schema.status(), Some(StatusCode::FORBIDDEN));
        let inside = TokenOptions::new().read_attach(["fake-db"]);
        let token = pinned
            .create_database_token("fake-org", "fake-db", &inside)
            .await
            .unwrap();
        let granted = token.claims().unwrap().permissions.unwrap();
        assert_eq!(granted.read_only_attach.databases, [inside_id]);
        pinned
            .create_group_token("fake-org", "default", &inside)
            .await
            .unwrap();
    });
}

/// Invites are bounded as the API would bound them: an address of at most 254 characters,
/// at most 1,000 pending per organization (re-inviting an address already invited still
/// works at the cap), so that no number of requests grows the fake without end.
#[test]
fn invites_are_bounded_in_size_and_number() {
    bounded(Duration::from_secs(60), 32 * MIB, || async {
        let fake = FakeTurso::start().await.unwrap();
        let admin = fake.client();
        let long = format!("{}@example.com", "a".repeat(243));
        let refused = admin
            .invite_organization_member_v2("fake-org", &NewInvite::email(&long))
            .await
            .unwrap_err();
        assert_eq!(refused.status(), Some(StatusCode::BAD_REQUEST), "{refused}");
        assert!(refused.to_string().contains("254"), "{refused}");
        let padding = "a".repeat(230);
        for n in 0..1_000 {
            let email = format!("{padding}{n:04}@example.com");
            admin
                .invite_organization_member_v2("fake-org", &NewInvite::email(&email))
                .await
                .unwrap();
        }
        let full = admin
            .invite_organization_member_v2("fake-org", &NewInvite::email("one-more@example.com"))
            .await
            .unwrap_err();
        assert_eq!(full.status(), Some(StatusCode::BAD_REQUEST), "{full}");
        assert!(full.to_string().contains("1000 pending invites"), "{full}");
        let again = format!("{padding}0007@example.com");
        admin
            .invite_organization_member_v2("fake-org", &NewInvite::email(&again))
            .await
            .unwrap();
        assert_eq!(
            admin
                .list_organization_invites_v2("fake-org")
                .await
                .unwrap()
                .len(),
            1_000
        );
    });
}

/// Viewers and members may not list the members, nor read their addresses through the
/// organization's API tokens, which name who minted them: that list answers them 403
/// too, and owners and admins read it.
#[test]
fn viewers_and_members_read_no_member_s_address_through_the_token_list() {
    bounded(Duration::from_secs(20), 32 * MIB, || async {
        let fake = FakeTurso::start().await.unwrap();
        let admin = fake.client();
        admin
            .create_api_token("org-bot", &ApiTokenOptions::new().organization("fake-org"))
            .await
            .unwrap();
        for (user, role, allowed) in [
            ("vera", MemberRole::Viewer, false),
            ("mo", MemberRole::Member, false),
            ("ada", MemberRole::Admin, true),
        ] {
            let token = fake.add_user(user).unwrap();
            fake.add_member("fake-org", user, role).unwrap();
            let client = Client::builder()
                .token(token.expose_secret())
                .base_url(fake.base_url())
                .max_retries(0)
                .build()
                .unwrap();
            let members = client.list_organization_members("fake-org").await;
            let tokens = client.list_organization_api_tokens("fake-org").await;
            if allowed {
                members.unwrap();
                let tokens = tokens.unwrap();
                assert_eq!(tokens.len(), 1);
                let owner = tokens[0].owner.as_ref().unwrap();
                assert_eq!(owner.email.as_deref(), Some("fake-user@example.com"));
            } else {
                assert_eq!(members.unwrap_err().status(), Some(StatusCode::FORBIDDEN));
                let refused = tokens.unwrap_err();
                assert_eq!(refused.status(), Some(StatusCode::FORBIDDEN));
                assert!(!refused.to_string().contains("@example.com"), "{refused}");
            }
        }
    });
}

/// An organization-scoped token acts only in its organization, a group-scoped one only
/// on its group with its scopes, and neither lists, mints nor revokes API tokens: each
/// refusal is a 403 with the API's error body, and nothing changed.
#[test]
fn restricted_tokens_have_least_privilege() {
    bounded(Duration::from_secs(20), 64 * MIB, || async {
        let fake = FakeTurso::start().await.unwrap();
        fake.add_organization("other").unwrap();
        fake.add_group("other", "default").unwrap();
        fake.add_database("other", "default", "theirs").unwrap();
        fake.add_group("fake-org", "eu").unwrap();
        fake.add_database("fake-org", "eu", "eu-db").unwrap();
        let admin = fake.client();
        let as_token = |secret: &turso_platform::secrecy::SecretString| {
            Client::builder()
                .token(secret.expose_secret())
                .base_url(fake.base_url())
                .max_retries(0)
                .build()
                .unwrap()
        };
        let org = admin
            .create_api_token("org", &ApiTokenOptions::new().organization("fake-org"))
            .await
            .unwrap();
        let group = admin
            .create_api_token(
                "group",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::DbMintToken]),
            )
            .await
            .unwrap();
        let org_id = org.id.clone();
        let options = TokenOptions::new();
        for restricted in [as_token(&org.token), as_token(&group.token)] {
            let refused = [
                restricted.list_api_tokens().await.map(drop),
                restricted
                    .list_organization_api_tokens("fake-org")
                    .await
                    .map(drop),
                restricted
                    .create_api_token("new", &ApiTokenOptions::new())
                    .await
                    .map(drop),
                restricted
                    .create_api_token("new", &ApiTokenOptions::new().organization("fake-org"))
                    .await
                    .map(drop),
                restricted.revoke_api_token("fake-token").await.map(drop),
                restricted
                    .revoke_organization_api_token("fake-org", &org_id)
                    .await
                    .map(drop),
                restricted
                    .create_database_token("other", "theirs", &options)
                    .await
                    .map(drop),
                restricted
                    .create_group_token("other", "default", &options)
                    .await
                    .map(drop),
                restricted.invalidate_group_tokens("other", "default").await,
            ];
            for outcome in refused {
                match outcome {
                    Err(Error::Api {
                        status, message, ..
                    }) => {
                        assert_eq!(status, StatusCode::FORBIDDEN, "{message}");
                        assert!(!message.is_empty());
                    }
                    other => panic!("expected a 403, got {other:?}"),
                }
            }
            restricted.current_user().await.unwrap();
            restricted
                .create_database_token("fake-org", "fake-db", &options)
                .await
                .unwrap();
        }
        let minter = as_token(&group.token);
        for outcome in [
            minter
                .create_database_token("fake-org", "eu-db", &options)
                .await
                .map(drop),
            minter
                .create_database_token("fake-org", "no-such-db", &options)
                .await
                .map(drop),
            minter
                .create_group_token("fake-org", "default", &options)
                .await
                .map(drop),
            minter
                .invalidate_database_tokens("fake-org", "fake-db")
                .await,
        ] {
            assert_eq!(outcome.unwrap_err().status(), Some(StatusCode::FORBIDDEN));
        }
        let names: Vec<String> = admin
            .list_api_tokens()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(
            names,
            ["fake-token", "org", "group"],
            "nothing was minted or revoked"
        );
    });
}
