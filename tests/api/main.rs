//! The client's integration tests that share a process: one test binary (one link)
//! instead of one per file. The tests that need a process of their own stay apart:
//! `env` (it sets environment variables), `hostile` (its global allocator counts every
//! allocation of the process), `secrets`, `token_source` and `user_stack` (they capture
//! `tracing`'s output, whose per-callsite cache other tests in the process would spoil).

#[path = "../common/mod.rs"]
mod common;

mod client;
mod data_plane;
mod expiration;
mod multi_tenant;
mod organizations;
mod parity;
mod reliability;
mod resources;
mod spec;
