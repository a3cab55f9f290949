//! The admin API over plain HTTP, as programs in other languages use it, and the binary
//! as they run it: seeded from a file, keeping its state in a directory, killed with
//! `kill -9` under load and started again.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use turso_platform::reqwest::{self, Method, StatusCode};
use turso_platform_fake::FakeTurso;

use crate::common::{Running, bounded, start};
use crate::state::TempDir;

const LIMIT: Duration = Duration::from_secs(60);

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Sends a request to `base_url` + `path` with `token` as bearer, and a JSON body if
/// any: the status and the JSON answer (`Null` for none).
async fn call(
    base_url: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http().request(method, format!("{base_url}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, value)
}

/// The admin API of `fake`, as a program in another language calls it.
struct AdminApi<'a> {
    base_url: &'a str,
    token: &'a str,
}

impl AdminApi<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(self.base_url, method, path, Some(self.token), body).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
}

fn admin_of(fake: &FakeTurso) -> AdminApi<'_> {
    AdminApi {
        base_url: fake.base_url(),
        token: fake.admin_token(),
    }
}

#[tokio::test]
async fn only_the_admin_token_opens_the_admin_api_and_it_opens_nothing_else() {
    bounded(LIMIT, async {
        let fake = start().await;
        let base = fake.base_url();
        for token in [None, Some("wrong"), Some(fake.token())] {
            let (status, body) = call(base, Method::POST, "/_fake/heal", token, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
            assert!(body["error"].as_str().unwrap().contains("admin token"));
        }
        // A token one byte off is refused too.
        let mut near = fake.admin_token().to_owned();
        near.pop();
        near.push('x');
        let (status, _) = call(base, Method::POST, "/_fake/heal", Some(&near), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The admin token is no platform API token.
        let (status, _) = call(
            base,
            Method::GET,
            "/v1/user",
            Some(fake.admin_token()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Its requests are not counted as operations, even those that do what an
        // operation does.
        let admin = admin_of(&fake);
        admin.call(Method::GET, "/_fake/requests", None).await;
        let (status, body) = admin
            .post(
                "/_fake/organizations/fake-org/groups",
                json!({"name": "eu"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = admin
            .post(
                "/_fake/organizations/fake-org/databases",
                json!({"name": "by-admin", "group": "eu"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(fake.requests("getCurrentUser").unwrap(), 1);
        assert_eq!(fake.requests("createGroup").unwrap(), 0);
        assert_eq!(fake.requests("createDatabase").unwrap(), 0);
    })
    .await
}

#[tokio::test]
async fn faults_are_planned_healed_and_counted_over_http() {
    bounded(LIMIT, async {
        let fake = start().await;
        let admin = admin_of(&fake);
        let base = fake.base_url();
        let token = Some(fake.token());

        let (status, body) = admin
            .post(
                "/_fake/faults",
                json!({"operation": "getCurrentUser", "fault": "status", "status": 503, "count": 2}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for _ in 0..2 {
            let (status, body) = call(base, Method::GET, "/v1/user", token, None).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(body["error"].as_str().unwrap().contains("injected"));
        }
        assert_eq!(
            call(base, Method::GET, "/v1/user", token, None).await.0,
            StatusCode::OK
        );

        admin
            .post(
                "/_fake/faults",
                json!({"operation": "getCurrentUser", "fault": "retry_after", "status": 429, "retry_after_seconds": 3}),
            )
            .await;
        let answer = http()
            .get(format!("{base}/v1/user"))
            .bearer_auth(fake.token())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.headers()["retry-after"], "3");

        admin
            .post(
                "/_fake/faults",
                json!({"operation": "getCurrentUser", "fault": "lost_answer"}),
            )
            .await;
        let lost = http()
            .get(format!("{base}/v1/user"))
            .bearer_auth(fake.token())
            .send()
            .await;
        assert!(lost.is_err(), "{lost:?}");

        admin
            .post(
                "/_fake/faults",
                json!({"operation": "getCurrentUser", "fault": "hang", "count": "until_healed"}),
            )
            .await;
        let before = fake.requests("getCurrentUser").unwrap();
        let hung = tokio::spawn({
            let base = base.to_owned();
            let token = fake.token().to_owned();
            async move { call(&base, Method::GET, "/v1/user", Some(&token), None).await }
        });
        // The hung request has arrived once the count says so.
        loop {
            let (_, counts) = admin.call(Method::GET, "/_fake/requests", None).await;
            if counts["requests"]["getCurrentUser"] == before + 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(admin.call(Method::POST, "/_fake/heal", None).await.0, StatusCode::OK);
        assert_eq!(hung.await.unwrap().0, StatusCode::OK);

        admin
            .post(
                "/_fake/faults",
                json!({"operation": "getCurrentUser", "fault": "delay", "delay_ms": 50}),
            )
            .await;
        assert_eq!(call(base, Method::GET, "/v1/user", token, None).await.0, StatusCode::OK);

        for (body, status, message) in [
            (json!({"operation": "nope", "fault": "hang"}), 404, "no operation"),
            (json!({"operation": "getCurrentUser", "fault": "explode"}), 400, "no fault is named"),
            (json!({"operation": "getCurrentUser", "fault": "status"}), 400, "needs a `status`"),
            (json!({"operation": "getCurrentUser", "fault": "status", "status": 200}), 400, "not an error status"),
            (json!({"operation": "getCurrentUser", "fault": "hang", "count": "forever"}), 400, "until_healed"),
            (json!({"operation": "getCurrentUser", "fault": "hang", "colour": 1}), 400, "unknown field"),
        ] {
            let (got, answer) = admin.post("/_fake/faults", body.clone()).await;
            assert_eq!(got.as_u16(), status, "{body}: {answer}");
            assert!(answer["error"].as_str().unwrap().contains(message), "{body}: {answer}");
        }
    })
    .await
}

#[tokio::test]
async fn setup_reset_and_readiness_over_http() {
    bounded(LIMIT, async {
        let fake = start().await;
        let admin = admin_of(&fake);
        let base = fake.base_url();

        let (status, ana) = admin.post("/_fake/users", json!({"username": "ana"})).await;
        assert_eq!(status, StatusCode::OK, "{ana}");
        let ana_token = ana["token"].as_str().unwrap().to_owned();
        let (status, me) = call(base, Method::GET, "/v1/user", Some(&ana_token), None).await;
        assert_eq!(
            (status, me["user"]["username"].as_str()),
            (StatusCode::OK, Some("ana"))
        );

        let steps = [
            (
                "/_fake/organizations",
                json!({"slug": "acme"}),
                Method::POST,
            ),
            (
                "/_fake/organizations/acme/members",
                json!({"username": "ana", "role": "viewer"}),
                Method::POST,
            ),
            (
                "/_fake/organizations/acme/plan",
                json!({"plan": "starter"}),
                Method::PUT,
            ),
            (
                "/_fake/organizations/acme/groups",
                json!({"name": "eu"}),
                Method::POST,
            ),
            (
                "/_fake/organizations/acme/databases",
                json!({"name": "orders", "group": "eu"}),
                Method::POST,
            ),
            (
                "/_fake/organizations/acme/groups/eu/archive",
                Value::Null,
                Method::POST,
            ),
        ];
        for (path, body, method) in steps {
            let body = (!body.is_null()).then_some(body);
            let (status, answer) = admin.call(method, path, body).await;
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        }
        let client = fake.client();
        let group = client.get_group("acme", "eu").await.unwrap();
        assert_eq!(group.archived, Some(true));
        // The members route changes an existing member's role.
        let role_of = |members: &Value, who: &str| {
            members["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["username"] == who)
                .map(|m| m["role"].clone())
        };
        let members = |slug: &'static str| {
            let base = fake.base_url().to_owned();
            let token = fake.token().to_owned();
            async move {
                let path = format!("/v1/organizations/{slug}/members");
                call(&base, Method::GET, &path, Some(&token), None).await.1
            }
        };
        assert_eq!(
            role_of(&members("acme").await, "ana"),
            Some(json!("viewer"))
        );
        let (status, answer) = admin
            .post(
                "/_fake/organizations/acme/members",
                json!({"username": "ana", "role": "admin"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(role_of(&members("acme").await, "ana"), Some(json!("admin")));
        // An organization made with a role for the first user: the seed's owner owns it.
        let (status, answer) = admin
            .post(
                "/_fake/organizations",
                json!({"slug": "beta", "role": "member"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        // A member, not an admin: the organization is theirs to read, its members not.
        let token = Some(fake.token());
        let base = fake.base_url();
        let (status, _) = call(base, Method::GET, "/v1/organizations/beta", token, None).await;
        assert_eq!(status, StatusCode::OK);
        let listed = members("beta").await;
        assert!(
            listed["error"].as_str().unwrap().contains("only admins"),
            "{listed}"
        );
        assert_eq!(
            client.get_database("acme", "orders").await.unwrap().name,
            "orders"
        );

        for (path, body, status) in [
            ("/_fake/users", json!({"username": "ana"}), 409),
            (
                "/_fake/organizations/nope/groups",
                json!({"name": "x"}),
                404,
            ),
            (
                "/_fake/organizations/acme/members",
                json!({"username": "ana", "role": "boss"}),
                400,
            ),
            ("/_fake/users", json!({}), 400),
        ] {
            let (got, answer) = admin.post(path, body).await;
            assert_eq!(got.as_u16(), status, "{path}: {answer}");
            assert!(answer["error"].is_string());
        }
        // Names Turso refuses are refused here too, with a bounded message.
        let long = "x".repeat(60_000);
        for name in ["../x", "a/b", "nul\u{0}", "Upper", long.as_str()] {
            for (path, body) in [
                ("/_fake/users", json!({"username": name})),
                ("/_fake/organizations", json!({"slug": name})),
                ("/_fake/organizations/acme/groups", json!({"name": name})),
                (
                    "/_fake/organizations/acme/databases",
                    json!({"name": name, "group": "eu"}),
                ),
            ] {
                let (got, answer) = admin.post(path, body).await;
                assert_eq!(got, StatusCode::BAD_REQUEST, "{path}: {answer}");
                let message = answer["error"].as_str().unwrap();
                assert!(
                    message.contains("not a") && message.len() < 300,
                    "{message}"
                );
            }
        }

        // The audit log, as the API answers it.
        client
            .create_database(
                "fake-org",
                &turso_platform::NewDatabase::new("logged", "default"),
            )
            .await
            .unwrap();
        let (status, log) = admin
            .call(Method::GET, "/_fake/organizations/fake-org/audit-log", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(log["audit_logs"][0]["code"], "db-create");

        // Readiness: a new database waits.
        let (status, _) = admin
            .call(
                Method::PUT,
                "/_fake/readiness",
                Some(json!({"lag_ms": 200})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let created = std::time::Instant::now();
        client
            .create_database(
                "fake-org",
                &turso_platform::NewDatabase::new("late", "default"),
            )
            .await
            .unwrap();
        let (status, _) = call(
            base,
            Method::GET,
            "/v1/organizations/fake-org/databases/late/instances/aws-us-east-1/wait",
            Some(fake.token()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(created.elapsed() >= Duration::from_millis(200));

        // Reset: back to the seed.
        let (status, _) = admin.call(Method::POST, "/_fake/reset", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(client.get_organization("acme").await.is_err());
        assert!(client.get_database("fake-org", "logged").await.is_err());
        let (status, _) = call(base, Method::GET, "/v1/user", Some(&ana_token), None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "ana's token is gone with her"
        );
    })
    .await
}

/// The binary, started with `args`, and the JSON line it printed.
async fn spawn(args: &[&str]) -> (Running, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_turso-platform-fake"));
    command.args(args);
    spawn_command(command).await
}

/// The binary as `command` starts it, and the JSON line it printed.
async fn spawn_command(mut command: Command) -> (Running, Value) {
    let mut running = Running(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = running.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let start = serde_json::from_str(&line).unwrap_or_else(|_| panic!("a JSON line: {line:?}"));
    (running, start)
}

const SEED: &str = r#"
[[users]]
username = "ana"
tokens = ["ci"]

[[organizations]]
slug = "acme"
owner = "ana"

[[organizations.groups]]
name = "eu"
location = "aws-eu-west-1"
databases = ["orders"]
"#;

#[tokio::test]
async fn the_binary_is_seeded_keeps_its_state_through_kill_9_under_load_and_restarts() {
    bounded(LIMIT, async {
        let dir = TempDir::new("binary");
        std::fs::create_dir_all(dir.path()).unwrap();
        let seed_file = dir.path().join("seed.toml");
        std::fs::write(&seed_file, SEED).unwrap();
        let state = dir.path().join("state");
        let args = [
            "--listen",
            "127.0.0.1:0",
            "--seed",
            seed_file.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ];
        let (mut running, line) = spawn(&args).await;
        let base = line["base_url"].as_str().unwrap().to_owned();
        let token = line["token"].as_str().unwrap().to_owned();
        assert_eq!(line["tokens"]["ana"]["ci"], token.as_str());
        let admin = line["admin_token"].as_str().unwrap().to_owned();
        let (status, orders) = call(
            &base,
            Method::GET,
            "/v1/organizations/acme/databases/orders",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{orders}");

        // Setup through the admin API, then creates from several clients at once; the
        // fake is killed while they run.
        let api = AdminApi {
            base_url: &base,
            token: &admin,
        };
        let (status, bob) = api.post("/_fake/users", json!({"username": "bob"})).await;
        assert_eq!(status, StatusCode::OK);
        let bob_token = bob["token"].as_str().unwrap().to_owned();
        let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let (base, token) = (base.clone(), token.clone());
                let (acknowledged, count) = (Arc::clone(&acknowledged), Arc::clone(&count));
                tokio::spawn(async move {
                    for i in 0.. {
                        let name = format!("w{worker}-{i}");
                        let answer = http()
                            .post(format!("{base}/v1/organizations/acme/databases"))
                            .bearer_auth(&token)
                            .json(&json!({"name": name, "group": "eu"}))
                            .send()
                            .await;
                        match answer {
                            Ok(answer) if answer.status().is_success() => {
                                acknowledged.lock().unwrap().push(name);
                                count.fetch_add(1, Ordering::SeqCst);
                            }
                            // Killed: the rest are unanswered.
                            _ => return,
                        }
                    }
                })
            })
            .collect();
        while count.load(Ordering::SeqCst) < 40 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // SIGKILL: no chance to save anything more.
        running.0.kill().unwrap();
        running.0.wait().unwrap();
        for worker in workers {
            worker.await.unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        assert!(acknowledged.len() >= 40);

        // Started again on the same directory: everything acknowledged is there, and the
        // tokens printed before still work. The seed is not applied again, and it says so.
        let (mut again, line) = spawn(&args).await;
        let base = line["base_url"].as_str().unwrap().to_owned();
        assert_eq!(line["token"], token.as_str(), "the same seeded token");
        let (status, listed) = call(
            &base,
            Method::GET,
            "/v1/organizations/acme/databases",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let names: Vec<&str> = listed["databases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|db| db["Name"].as_str().unwrap())
            .collect();
        for name in &acknowledged {
            assert!(
                names.contains(&name.as_str()),
                "{name} was acknowledged, and lost"
            );
        }
        let (status, me) = call(&base, Method::GET, "/v1/user", Some(&bob_token), None).await;
        assert_eq!(status, StatusCode::OK, "{me}");

        again.0.kill().unwrap();
        again.0.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut again.0.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(stderr.contains("holds a state already"), "{stderr}");
    })
    .await
}

#[tokio::test]
async fn a_seed_file_with_a_mistake_stops_the_binary_naming_the_file_and_line() {
    bounded(LIMIT, async {
        let dir = TempDir::new("bad-seed");
        std::fs::create_dir_all(dir.path()).unwrap();
        let seed_file = dir.path().join("seed.toml");
        std::fs::write(&seed_file, "[[users]]\nusername = \"ana\"\nrole = \"x\"\n").unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_turso-platform-fake"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--seed",
                seed_file.to_str().unwrap(),
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!(
                "{}: line 3: unknown field `role`",
                seed_file.display()
            )),
            "{stderr}"
        );
    })
    .await
}

/// When hung requests hold every connection the fake keeps, a client is refused with a
/// 503 it can read, and the admin API still gets in to heal them; then they are answered.
#[tokio::test]
async fn the_admin_api_gets_in_when_hung_requests_hold_every_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    bounded(LIMIT, async {
        const KEPT: usize = 4;
        let fake = FakeTurso::builder()
            .max_connections(KEPT)
            .start()
            .await
            .unwrap();
        fake.fail_next(
            "getCurrentUser",
            usize::MAX,
            turso_platform_fake::Fault::Hang,
        )
        .unwrap();
        let host = fake.base_url().trim_start_matches("http://").to_owned();
        let request = format!(
            "GET /v1/current-user HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {}\r\n\
             connection: close\r\n\r\n",
            fake.token()
        );
        let mut hung = Vec::new();
        for _ in 0..KEPT {
            let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            stream.write_all(request.as_bytes()).await.unwrap();
            hung.push(stream);
        }
        // Every connection is held once the fake counts each request as held.
        let count = || fake.requests("getCurrentUser").unwrap();
        while count() < KEPT as u64 {
            tokio::task::yield_now().await;
        }
        // An ordinary request is refused, with an answer.
        let (status, body) = call(
            fake.base_url(),
            Method::GET,
            "/v1/current-user",
            Some(fake.token()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("connections open"),
            "{body}"
        );
        // The admin API gets in, and heals.
        let (status, body) = admin_of(&fake).post("/_fake/heal", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for mut stream in hung {
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            let answer = String::from_utf8_lossy(&answer);
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    })
    .await
}

/// Out of file descriptors, a create answers 503 with the reason and leaves nothing
/// behind: the name stays free, and once a database is deleted a create succeeds.
#[tokio::test]
async fn a_create_that_cannot_be_served_leaves_nothing_behind() {
    bounded(LIMIT, async {
        let mut limited = Command::new("sh");
        limited
            .args(["-c", "ulimit -n 128 && exec \"$0\" --listen 127.0.0.1:0"])
            .arg(env!("CARGO_BIN_EXE_turso-platform-fake"));
        let (_running, start) = spawn_command(limited).await;
        let base = start["base_url"].as_str().unwrap();
        let token = start["token"].as_str().unwrap();
        let create = |name: String| {
            call(
                base,
                Method::POST,
                "/v1/organizations/fake-org/databases",
                Some(token),
                Some(json!({"name": name, "group": "default"})),
            )
        };
        let mut made = 0;
        let refused = loop {
            let (status, body) = create(format!("db-{made}")).await;
            if status != StatusCode::OK {
                break (status, body);
            }
            made += 1;
            assert!(made < 128, "128 databases served with 128 file descriptors");
        };
        assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE, "{}", refused.1);
        let failed = format!("db-{made}");
        let path = format!("/v1/organizations/fake-org/databases/{failed}");
        let (status, _) = call(base, Method::GET, &path, Some(token), None).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the failed create left {failed}"
        );
        let (status, log) = call(
            base,
            Method::GET,
            "/v1/organizations/fake-org/audit-logs",
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!log.to_string().contains(&format!("\"{failed}\"")), "{log}");
        // Deleted databases give their descriptors back: their ports, kept to answer 404
        // for a while, are closed by a create that finds none left.
        for n in 0..4 {
            let path = format!("/v1/organizations/fake-org/databases/db-{n}");
            let (status, body) = call(base, Method::DELETE, &path, Some(token), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        loop {
            let (status, body) = create(failed.clone()).await;
            if status == StatusCode::OK {
                break;
            }
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains("now closed"),
                "{body}"
            );
            tokio::task::yield_now().await;
        }
    })
    .await
}

/// A start that fails half-way (more seeded databases than file descriptors) says why and
/// leaves no private directory behind.
#[tokio::test]
async fn a_start_that_fails_leaves_no_directory_behind() {
    bounded(LIMIT, async {
        let dir = TempDir::new("seed-too-many");
        std::fs::create_dir_all(dir.path()).unwrap();
        let databases: Vec<String> = (0..200).map(|n| format!("\"d{n}\"")).collect();
        let seed = dir.path().join("seed.toml");
        std::fs::write(
            &seed,
            format!(
                "[[users]]\nusername = \"fake-user\"\n[[organizations]]\nslug = \"fake-org\"\n\
                 [[organizations.groups]]\nname = \"default\"\ndatabases = [{}]\n",
                databases.join(", ")
            ),
        )
        .unwrap();
        let child = Command::new("sh")
            .args([
                "-c",
                "ulimit -n 64 && exec \"$0\" --listen 127.0.0.1:0 --seed \"$1\"",
            ])
            .arg(env!("CARGO_BIN_EXE_turso-platform-fake"))
            .arg(&seed)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot start"), "{stderr}");
        let prefix = format!("turso-platform-fake-{pid}-");
        let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    })
    .await
}
