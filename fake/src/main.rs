//! `turso-platform-fake`: the fake Turso of this crate as a standalone server, for testing
//! programs in any language without a Turso account or a network.
//!
//! It prints one JSON line, `{"base_url":"http://127.0.0.1:8080","token":"...",
//! "tokens":{...},"admin_token":"..."}`, then serves until it receives Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use turso_platform_fake::{FakeTurso, Seed};

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

const USAGE: &str = "\
turso-platform-fake: a local Turso, the Turso Platform API served statefully (tokens,
databases, groups, locations, organizations, members, invites, audit logs, billing)

Usage: turso-platform-fake [--listen ADDR] [--state DIR] [--seed FILE]
       turso-platform-fake --routes

Options:
  --listen ADDR  the address to serve on (default 127.0.0.1:8080; port 0 picks a free one)
  --state DIR    keep the state in DIR (made if missing): users, organizations, tokens,
                 the signing key, groups, databases and the audit log survive a restart,
                 kill -9 included. Without it, the state lives in memory only
  --seed FILE    start from the state FILE describes (TOML: users and their tokens,
                 organizations, plans, members, groups, locations, databases) instead of
                 the default one; with --state, only when DIR holds no state yet
  --routes       print the routes it serves, one JSON object a line, and exit:
                 {\"method\":\"POST\",\"path\":\"/v1/organizations/{organizationSlug}/databases\",
                  \"operation\":\"createDatabase\",\"kind\":\"spec\"}, where kind is spec,
                 beyond-spec (a route Turso's CLI calls that the spec leaves out) or
                 not-emulated (answered 501)
  -h, --help     print this help

At start it prints one JSON line on stdout:
  {\"base_url\":\"http://127.0.0.1:8080\",\"token\":\"eyJ...\",
   \"tokens\":{\"fake-user\":{\"fake-token\":\"eyJ...\"}},\"admin_token\":\"...\"}
then serves until Ctrl-C or SIGTERM. `token` is the first token of the seed's first
user; `tokens` every token of the seed, by user and name; `admin_token` opens the admin
API under /_fake/ (faults, heal, request counts, audit log, users, reset, readiness).
By default the user `fake-user` owns the organization `fake-org`, whose group
`default` holds the database `fake-db`.
The fake has no real security: keep it on a loopback address.
";

/// What the command line asks for.
enum Command {
    Serve(Options),
    Routes,
    Help,
}

/// How to serve.
struct Options {
    listen: SocketAddr,
    state: Option<PathBuf>,
    seed: Option<PathBuf>,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut values: [(&str, Option<String>); 3] =
        [("--listen", None), ("--state", None), ("--seed", None)];
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--routes" => return Ok(Command::Routes),
            _ => {}
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let Some((name, slot)) = values.iter_mut().find(|(name, _)| *name == flag) else {
            return Err(format!("unknown argument {arg:?}"));
        };
        let value = match inline {
            Some(value) => value,
            None => args.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        if slot.replace(value).is_some() {
            return Err(format!("{name} is given more than once"));
        }
    }
    let [(_, listen), (_, state), (_, seed)] = values;
    let text = listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen = text
        .parse()
        .map_err(|_| format!("--listen {text:?} is not an address such as 127.0.0.1:8080"))?;
    Ok(Command::Serve(Options {
        listen,
        state: state.map(PathBuf::from),
        seed: seed.map(PathBuf::from),
    }))
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
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
    runtime.block_on(serve(options))
}

async fn serve(options: Options) -> ExitCode {
    let addr = options.listen;
    let mut builder = FakeTurso::builder().listen(addr);
    if let Some(path) = &options.seed {
        match Seed::from_file(path) {
            Ok(seed) => builder = builder.seed(seed),
            Err(e) => {
                eprintln!("turso-platform-fake: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = &options.state {
        builder = builder.state_dir(dir);
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("turso-platform-fake: cannot start (on {addr}): {e}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(seed), Some(dir), true) = (&options.seed, &options.state, fake.restored()) {
        eprintln!(
            "turso-platform-fake: {} holds a state already: it is served as it was, and the \
             seed {} is not applied (a reset returns to the seed the directory was started \
             with; start with an empty directory for a new one)",
            dir.display(),
            seed.display()
        );
    }
    let mut tokens = serde_json::Map::new();
    for (username, name, token) in fake.seeded_tokens() {
        let of_user = tokens
            .entry(username.to_owned())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let Some(of_user) = of_user.as_object_mut() {
            of_user.insert(name.to_owned(), token.into());
        }
    }
    let line = serde_json::json!({
        "base_url": fake.base_url(),
        "token": fake.token(),
        "tokens": tokens,
        "admin_token": fake.admin_token(),
    });
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
