//! Helpers shared by the integration tests: a time bound for every test, and a scripted
//! HTTP/1.1 server on loopback for the faults httpmock cannot produce; the helpers of the
//! tests against httpmock in `mock`.
#![allow(dead_code)]

pub mod mock;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Collects what `tracing` prints while a test runs (a `MakeWriter` for a subscriber).
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The token the tests' clients send.
pub const TOKEN: &str = "test-platform-token";
/// The secret of an API token the scripted servers mint.
pub const MINTED: &str = "minted-api-token-secret";
/// A database token the scripted servers mint.
pub const JWT: &str = "eyJhbGciOiJFZERTQSJ9.eyJhIjoicnciLCJpYXQiOjF9.minted-jwt-signature";

/// A client of `server` with [`TOKEN`], a 500 ms timeout and `max_retries`.
pub fn client(server: &ScriptedServer, max_retries: u32) -> turso_platform::Client {
    turso_platform::Client::builder()
        .token(TOKEN)
        .base_url(&server.base_url)
        .timeout(Duration::from_millis(500))
        .max_retries(max_retries)
        .build()
        .unwrap()
}

/// Two servers whose every answer is a 200 with 64 KiB of JSON (`{"tokens":[],...}`): the
/// first declares its length, the second runs until it closes the connection.
pub async fn oversized_answers() -> [ScriptedServer; 2] {
    let big = format!(r#"{{"tokens":[],"padding":"{}"}}"#, "x".repeat(64 * 1024));
    let declared = ScriptedServer::start({
        let big = big.clone();
        move |_, _| Action::json(200, &big)
    })
    .await;
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n".to_vec();
    raw.extend_from_slice(big.as_bytes());
    let undeclared = ScriptedServer::start(move |_, _| Action::RawThenClose(raw.clone())).await;
    [declared, undeclared]
}

/// The answer to a mint of an API token whose secret is [`MINTED`].
pub fn minted_json() -> Action {
    Action::json(
        200,
        &format!(r#"{{"id":"1","name":"ci","token":"{MINTED}"}}"#),
    )
}

/// Follows a local `$ref` (`#/components/...`, including pointers into properties) in an
/// OpenAPI document.
pub fn resolve<'a>(
    spec: &'a serde_json::Value,
    value: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match value.get("$ref").and_then(serde_json::Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local $ref");
            resolve(
                spec,
                spec.pointer(pointer)
                    .unwrap_or_else(|| panic!("{reference} exists")),
            )
        }
        None => value,
    }
}

/// A client of the local Turso `fake` that does not retry: each failed attempt is one
/// request, and a fault planned for one request fails one call.
pub fn client_of(fake: &turso_platform_fake::FakeTurso) -> turso_platform::Client {
    turso_platform::Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// Runs a test body, failing it if it takes longer than `limit`.
pub async fn bounded<F: Future>(limit: Duration, test: F) -> F::Output {
    tokio::time::timeout(limit, test)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {limit:?}"))
}

/// A request as the scripted server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the scripted server does with a request.
#[derive(Clone, Debug)]
pub enum Action {
    /// Answers with a status, extra headers and a body (with a correct Content-Length).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Writes these raw bytes and closes the connection.
    RawThenClose(Vec<u8>),
    /// Reads the request and never answers.
    Hang,
}

impl Action {
    pub fn json(status: u16, body: &str) -> Self {
        Action::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Action::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Script = dyn Fn(usize, &Received) -> Action + Send + Sync;

/// A loopback HTTP/1.1 server that answers each request as a script says (the script
/// gets the request's index, from 0) and records what it received.
pub struct ScriptedServer {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl ScriptedServer {
    pub async fn start(
        script: impl Fn(usize, &Received) -> Action + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let script: Arc<Script> = Arc::new(script);
        let (rec, conns) = (received.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                conns.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, script.clone(), rec.clone()));
            }
        });
        Self {
            base_url,
            received,
            connections,
        }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// How many requests were received so far.
    pub fn received_count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// The last request received, if any.
    pub fn last_received(&self) -> Option<Received> {
        self.received.lock().unwrap().last().cloned()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, script: Arc<Script>, received: Arc<Mutex<Vec<Received>>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let index = {
            let mut all = received.lock().unwrap();
            all.push(request.clone());
            all.len() - 1
        };
        match script(index, &request) {
            Action::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
                // One write: a head and a body in two small writes meet Nagle's
                // algorithm and delayed acknowledgements, and wait 40 ms.
                let mut answer = head.into_bytes();
                answer.extend_from_slice(&body);
                if stream.write_all(&answer).await.is_err() {
                    return;
                }
            }
            Action::RawThenClose(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            Action::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

/// Reads one request (head and Content-Length body) from a keep-alive connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

/// Raises this process's limit of open files to `wanted` (or as far as the hard limit
/// allows) for a test that opens many connections at once, and returns the limit.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // `rlim_t` is `u64` on Linux and macOS, not everywhere
pub fn raise_open_files(wanted: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the call to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    let wanted = wanted as libc::rlim_t;
    if limit.rlim_cur < wanted {
        let raised = libc::rlimit {
            rlim_cur: wanted.min(limit.rlim_max),
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid `rlimit`; a soft limit at most the hard one.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    limit.rlim_cur as u64
}
