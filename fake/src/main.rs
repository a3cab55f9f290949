//! `turso-platform-fake`: the fake Turso of this crate as a standalone server, for testing
//! programs in any language without a Turso account or a network.
//!
//! It prints one JSON line, `{"base_url":"http://127.0.0.1:8080","token":"..."}`, then
//! serves until it receives Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use turso_platform_fake::FakeTurso;

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

const USAGE: &str = "\
turso-platform-fake: a fake of the whole Turso Platform API (tokens, databases, groups,
locations, organizations, members, invites, audit logs, billing)

Usage: turso-platform-fake [--listen ADDR]
       turso-platform-fake --routes

Options:
  --listen ADDR  the address to serve on (default 127.0.0.1:8080; port 0 picks a free one)
  --routes       print the routes it serves, one JSON object a line, and exit:
                 {\"method\":\"POST\",\"path\":\"/v1/organizations/{organizationSlug}/databases\",
                  \"operation\":\"createDatabase\",\"kind\":\"spec\"}, where kind is spec,
                 beyond-spec (a route Turso's CLI calls that the spec leaves out) or
                 not-emulated (answered 501)
  -h, --help     print this help

At start it prints one JSON line on stdout with the base URL and a platform API token:
  {\"base_url\":\"http://127.0.0.1:8080\",\"token\":\"eyJ...\"}
then serves until Ctrl-C or SIGTERM. The token belongs to `fake-user`, who owns the
organization `fake-org`, whose group `default` holds the database `fake-db`.
The fake has no real security: keep it on a loopback address.
";

/// What the command line asks for.
enum Command {
    Serve(SocketAddr),
    Routes,
    Help,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--routes" => return Ok(Command::Routes),
            "--listen" => args
                .next()
                .ok_or("--listen needs an address, such as 127.0.0.1:8080")?,
            _ => match arg.strip_prefix("--listen=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unknown argument {arg:?}")),
            },
        };
        if listen.replace(value).is_some() {
            return Err("--listen is given more than once".to_owned());
        }
    }
    let text = listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    text.parse()
        .map(Command::Serve)
        .map_err(|_| format!("--listen {text:?} is not an address such as 127.0.0.1:8080"))
}

fn main() -> ExitCode {
    let addr = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(addr)) => addr,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Routes) => {
            for route in turso_platform_fake::routes() {
                let line = serde_json::json!({
                    "method": route.method,
                    "path": route.path,
                    "operation": route.operation,
                    "kind": route.kind.as_str(),
                });
                println!("{line}");
            }
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("turso-platform-fake: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("turso-platform-fake: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(addr))
}

async fn serve(addr: SocketAddr) -> ExitCode {
    let fake = match FakeTurso::start_on(addr).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("turso-platform-fake: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let line = serde_json::json!({ "base_url": fake.base_url(), "token": fake.token() });
    println!("{line}");
    if !addr.ip().is_loopback() {
        eprintln!(
            "turso-platform-fake: warning: serving on {addr}, which is not a loopback \
             address; the fake has no real security"
        );
    }
    stopped().await;
    drop(fake);
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(e) => eprintln!("turso-platform-fake: cannot watch for SIGTERM: {e}"),
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("turso-platform-fake: cannot watch for Ctrl-C ({e}); serving until killed");
        std::future::pending::<()>().await;
    }
}
