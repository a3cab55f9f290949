//! A local Turso: the Turso Platform API served on loopback, statefully and as the real
//! API answers it, for testing code that provisions databases and hands out tokens
//! without a Turso account or a network. A library for Rust tests, and the binary
//! `turso-platform-fake` for every other language.
//!
//! [`FakeTurso::start`] serves every operation of `turso-platform`'s `openapi.yaml`, and
//! the routes Turso's own CLI calls besides, on a free port of `127.0.0.1`: platform API
//! tokens are minted (their secret shown once), listed, validated and revoked; database
//! and group tokens are real EdDSA-signed JWTs that expire and that rotation
//! invalidates; databases and groups are created, configured, transferred and deleted,
//! coherently with the tokens (a deleted database's tokens stop working, a deleted or
//! transferred group takes its databases along and revokes the API tokens pinned to it,
//! a group's locations are its databases' instances); organizations have members with
//! roles, invites, an audit log, and billing with stable figures (nothing is charged);
//! failures are the spec's statuses with its `{"error": "..."}` body. Where Turso's docs
//! and its API disagree, the fake answers as the API does (a taken name is 400 `database
//! with same name already exists`).
//!
//! It starts with one user, `fake-user` ([`USERNAME`]), who has a personal organization
//! (`fake-user`, on the starter plan) and owns the organization `fake-org`
//! ([`ORGANIZATION`], on a paid plan), whose group `default` ([`GROUP`]) holds the
//! database `fake-db` ([`DATABASE`]); [`FakeTurso::token`] is a platform API token of
//! that user, named `fake-token` ([`SEEDED_TOKEN_NAME`]), that never expires. Add
//! users (each with a token of their own), organizations, members, groups and databases
//! with [`FakeTurso::add_user`], [`FakeTurso::add_organization`],
//! [`FakeTurso::add_member`], [`FakeTurso::add_group`] and [`FakeTurso::add_database`];
//! make operations fail with [`FakeTurso::fail_next`] (a status, a `Retry-After`, a
//! delay, a hang, a lost answer) and new databases slow to be ready with
//! [`FakeTurso::set_readiness_lag`]. Start it from your own fixtures ([`Seed`], a TOML
//! file), keep its state across restarts ([`FakeTursoBuilder::state_dir`]), and return
//! to the seed with [`FakeTurso::reset`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use turso_platform::secrecy::ExposeSecret;
//! use turso_platform::{Expiration, TokenOptions};
//! use turso_platform_fake::FakeTurso;
//!
//! let fake = FakeTurso::start().await?;
//! let client = fake.client();
//! let options = TokenOptions::new().expiration("1h".parse::<Expiration>()?);
//! let token = client.create_database_token("fake-org", "fake-db", &options).await?;
//! assert!(fake.database_token_is_valid("fake-org", "fake-db", token.jwt.expose_secret()));
//!
//! client.invalidate_database_tokens("fake-org", "fake-db").await?;
//! assert!(!fake.database_token_is_valid("fake-org", "fake-db", token.jwt.expose_secret()));
//! # Ok(())
//! # }
//! ```
//!
//! The binary serves the same fake for programs in other languages:
//! `turso-platform-fake --listen 127.0.0.1:8080 [--state DIR] [--seed FILE]` prints one
//! JSON line with `base_url`, `token`, the seed's `tokens` and an `admin_token`, then
//! serves until it is stopped; the admin API under `/_fake/` does over HTTP what the
//! methods of [`FakeTurso`] do.
//!
//! The layers: [`FakeTurso`] and [`FakeTursoBuilder`] start and drive a fake, from a
//! [`Seed`] (`seed`), keeping its state in a directory (`store`); `server` serves
//! HTTP/1.1 with its limits; `http` is the API's HTTP face, one module per resource
//! (routes, handlers, bodies), its router built from the spec's operation table
//! (`turso_platform::spec`), with the admin API, the faults' middleware (`faults`) and
//! the saves (`http::saving`); `model` is the state, one module per resource, which every
//! rule below is written in.
#![doc = include_str!("../BEHAVIOUR.md")]
#![warn(missing_docs)]

mod app;
mod builder;
mod caller;
mod claims;
mod clock;
mod data;
mod fake_turso;
mod faults;
mod http;
mod ids;
mod jwt;
mod model;
mod quoted;
mod routes;
mod seed;
mod seeded;
mod server;
mod store;

pub use builder::{DEFAULT_MAX_CONNECTIONS, FakeTursoBuilder};
pub use fake_turso::{DatabaseAction, FakeTurso};
pub use faults::Fault;
pub use model::{Plan, SetupError};
pub use routes::{Route, RouteKind, routes};
pub use seed::{Seed, SeedError};
pub use seeded::{DATABASE, GROUP, ORGANIZATION, SEEDED_TOKEN_NAME, USERNAME};

/// The README's Rust examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
