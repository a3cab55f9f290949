//! The fake Turso, end to end, through the public `Client` and raw HTTP, in one test
//! binary: every operation and failure ([`api`]), databases, groups, instances and
//! locations ([`resources`]), organizations, members, invites, the audit log and billing
//! ([`organizations`]), and what the client never sends, with the standalone binary
//! ([`http`]). Everything talks to 127.0.0.1 only, and every test bounds its own time.

mod admin;
mod api;
mod cli;
mod common;
mod data;
mod faults;
mod http;
mod organizations;
mod resources;
mod state;
