//! The client progenitor generates from `openapi.yaml` at build time: the escape hatch.
//!
//! Everything here is produced by the build script (`build/`) and never edited by hand; to change it,
//! edit `openapi.yaml` and rebuild. To read it, run `cargo doc --open` and look at this
//! module, or open `target/*/build/turso-platform-*/out/turso_platform_generated.rs`
//! (see the README).
//!
//! [`crate::Client`] is the supported interface. Reach the generated [`Client`] through
//! [`crate::Client::generated`] when you need something the hand-written layer does not
//! offer, such as the raw [`ResponseValue`] with its headers. Requests made this way
//! carry the same bearer token, `User-Agent` and timeout, their path parameters are
//! encoded and their paths checked as the client's (see [`crate::Client`]), and their
//! answers are bounded the same way; but they are sent once (no retries), their errors
//! are progenitor's [`Error`], not [`crate::Error`], and names are not refused with an
//! explanation before they are sent. progenitor's errors may quote an answer's body,
//! except for the operations whose answer carries a secret (`createAPIToken`,
//! `createDatabaseToken`, `createGroupToken`): an answer of theirs that does not decode
//! is an `InvalidResponsePayload` with a placeholder for a body, and what was wrong,
//! where, without the value.
//!
//! The `reqwest::Client` underneath ([`ClientInfo::client`]) carries no token: requests
//! you make with it directly are yours, and get no `Authorization` header.
//!
//! ```no_run
//! # async fn run(client: turso_platform::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let answer = client.generated().list_api_tokens().await?;
//! println!("HTTP {}: {} tokens", answer.status(), answer.tokens.len());
//! # Ok(())
//! # }
//! ```
#![allow(
    missing_docs,
    unused_mut,
    unused_qualifications,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

pub use crate::transport::request_policy::RequestPolicy;

include!(concat!(env!("OUT_DIR"), "/turso_platform_generated.rs"));
