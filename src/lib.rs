//! A client for the whole [Turso Platform API](https://docs.turso.tech/api-reference)
//! that provisions a tenant with one crate: groups, databases and their configuration,
//! instances, usage and locations ([`Client::create_database`], [`Client::create_group`]
//! and the rest); platform API tokens; database and group tokens, including ones that
//! refresh themselves ([`TokenSource`]); and organizations, their members, invites,
//! audit log ([`Client::audit_log_stream`]) and billing.
//!
//! The HTTP layer is generated at compile time by [progenitor] from the crate's
//! `openapi.yaml` (see [`generated`]); this crate adds an ergonomic [`Client`],
//! validated arguments ([`Expiration`], [`Scope`], [`Authorization`]), one typed
//! [`Error`], retries that never duplicate a mint, and secret handling: every token
//! the API returns arrives as a [`secrecy::SecretString`] and stays one until you call
//! [`expose_secret`](secrecy::ExposeSecret::expose_secret).
//!
//! ```no_run
//! use turso_platform::{Authorization, Client, Expiration, TokenOptions};
//!
//! # async fn run() -> Result<(), turso_platform::Error> {
//! let client = Client::from_env()?; // TURSO_API_TOKEN, and TURSO_API_BASEURL if set
//! let options = TokenOptions::new()
//!     .expiration("1d".parse::<Expiration>()?)
//!     .authorization(Authorization::ReadOnly);
//! let token = client.create_database_token("my-org", "my-db", &options).await?;
//! println!("expires at {:?}", token.expires_at());
//! # Ok(())
//! # }
//! ```
//!
//! # Growing without breaking you
//!
//! Every struct this crate hands out is `#[non_exhaustive]`, the generated ones included,
//! and so are the enums and the struct-like variants of [`Error`]: a new field, scope or
//! variant is a minor release. Outside this crate, such a struct cannot be written as a
//! literal; build one from `Default` and its `with_*` setters (generated types), or its
//! `new` (hand-written ones), and match with `..` and a wildcard arm:
//!
//! ```
//! use turso_platform::{ApiToken, Error};
//!
//! let token = ApiToken::default().with_id("clGFZ4STEe6fljpFzIum8A").with_name("ci-bot");
//! assert_eq!(token.name, "ci-bot");
//!
//! fn is_refused(error: &Error) -> bool {
//!     matches!(error, Error::Api { status, .. } if status.is_client_error())
//! }
//! # assert!(!is_refused(&Error::InvalidArgument(String::new())));
//! ```
//!
//! A literal does not compile:
//!
//! ```compile_fail,E0639
//! let token = turso_platform::ApiToken { id: "1".into(), name: "ci".into(), ..Default::default() };
//! ```
//!
//! nor does a match that names every variant of [`Error`] without a wildcard:
//!
//! ```compile_fail,E0004
//! use turso_platform::Error;
//!
//! fn kind(error: &Error) -> &'static str {
//!     match error {
//!         Error::InvalidArgument(_) => "argument",
//!         Error::Api { .. } => "api",
//!         Error::UnexpectedResponse { .. } => "unexpected",
//!         Error::ResponseTooLarge { .. } => "too large",
//!         Error::Connect(_) => "connect",
//!         Error::Timeout(_) => "timeout",
//!         Error::Transport(_) => "transport",
//!         Error::TokenUnavailable { .. } => "no token",
//!         Error::MayExist { .. } => "may exist",
//!         Error::ApiTokenMayExist { .. } => "may exist",
//!         Error::TakenByAnother { .. } => "taken",
//!         Error::NotReady { .. } => "not ready",
//!     }
//! }
//! ```
//!
//! nor a pattern that lists a variant's fields without `..`:
//!
//! ```compile_fail,E0638
//! fn status(error: &turso_platform::Error) -> Option<u16> {
//!     match error {
//!         turso_platform::Error::Api { status, message, code, retry_after } => Some(status.as_u16()),
//!         _ => None,
//!     }
//! }
//! ```
//!
//! [progenitor]: https://github.com/oxidecomputer/progenitor

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The layers, from the user down: the public concepts (this folder), the client and
// its options (`client/`), the code generated from the spec (`generated`, with `spec`,
// the table it gives), the transport every generated request goes through
// (`transport/`: request policy, answers, paths, retries), and the codecs values cross
// the wire with (`codecs/`: wire enums, secrets, timestamps, lenient fields, excerpts).
// ARCHITECTURE.md draws the arrows.

// Public concepts.
mod audit_code;
mod audit_log_stream;
mod authorization;
mod database_url;
mod ensured;
mod error;
mod expiration;
mod member_role;
mod scope;
mod token_claims;
mod token_source;
mod token_sources;
mod tokens;

// The client, its builder and its options; one file per resource.
mod client;

// The generated code, and what the spec says of each operation.
pub mod generated;
pub mod spec;

// The transport and the codecs.
mod codecs;
mod transport;

pub use audit_code::AuditCode;
pub use audit_log_stream::AuditLogStream;
pub use authorization::Authorization;
pub use client::options::{
    ApiTokenOptions, AuditLogOptions, ListDatabasesOptions, ListInvoicesOptions, NewDatabase,
    NewGroup, NewInvite, TokenOptions, UsageOptions,
};
pub use client::{Client, ClientBuilder};
pub use codecs::timestamp::{Timestamp, TimestampError};
pub use codecs::wire_enum::UnknownValueError;
pub use ensured::Ensured;
pub use error::Error;
pub use expiration::{Expiration, ExpirationError};
pub use member_role::MemberRole;
pub use scope::Scope;
pub use token_claims::{Grant, TokenAccess, TokenClaims, TokenPermissions};
pub use token_source::TokenSource;
pub use token_sources::TokenSources;
pub use tokens::{CreatedApiToken, DatabaseToken, TokenValidity};

/// A platform API token as listed by [`Client::list_api_tokens`], without its secret.
///
/// ```
/// # fn show(tokens: Vec<turso_platform::ApiToken>) {
/// for token in tokens {
///     println!("{} ({}), organization {:?}", token.name, token.id, token.organization);
/// }
/// # }
/// // In a test, say:
/// let token = turso_platform::ApiToken::default().with_id("1").with_name("ci").with_organization("my-org");
/// ```
pub use generated::types::ApiToken;
/// An organization's API token as listed by [`Client::list_organization_api_tokens`].
///
/// ```
/// # fn show(token: turso_platform::OrganizationApiToken) {
/// let owner = token.owner.as_ref().and_then(|o| o.username.as_deref());
/// println!("{} minted by {}", token.name, owner.unwrap_or("you"));
/// # }
/// ```
pub use generated::types::OrganizationApiToken;
/// The user who minted an organization's token ([`OrganizationApiToken::owner`]).
///
/// ```
/// # fn show(owner: &turso_platform::TokenOwner) {
/// println!("{:?} <{:?}>", owner.username, owner.email);
/// # }
/// ```
pub use generated::types::TokenOwner;
/// The user a platform API token belongs to, as answered by [`Client::current_user`].
///
/// ```
/// # fn show(user: turso_platform::User) {
/// println!("signed in as {} on plan {:?}", user.username, user.plan);
/// # }
/// ```
pub use generated::types::User;

/// A database just created, as [`Client::create_database`] answers it.
///
/// ```
/// # fn show(created: turso_platform::CreatedDatabase) {
/// println!("created {} at libsql://{}", created.name, created.hostname);
/// # }
/// ```
pub use generated::types::CreatedDatabase;
/// A database, as [`Client::list_databases`] and [`Client::get_database`] answer it.
///
/// ```
/// # fn show(database: turso_platform::Database) {
/// println!("{} ({}) at libsql://{}", database.name, database.db_id, database.hostname);
/// # }
/// ```
pub use generated::types::Database;
/// A database's configuration ([`Client::get_database_configuration`]).
///
/// ```
/// # fn show(configuration: turso_platform::DatabaseConfiguration) {
/// println!("reads blocked: {:?}", configuration.block_reads);
/// # }
/// ```
pub use generated::types::DatabaseConfiguration;
/// The changes [`Client::update_database_configuration`] makes: build it from `Default`
/// with its `with_*` setters; what is not set stays as it is.
///
/// ```
/// let changes = turso_platform::DatabaseConfigurationInput::default().with_block_writes(true);
/// ```
pub use generated::types::DatabaseConfigurationInput;
/// A database's top queries ([`Client::get_database_stats`]).
///
/// ```
/// # fn show(stats: turso_platform::DatabaseStats) {
/// println!("{} top queries", stats.top_queries.len());
/// # }
/// ```
pub use generated::types::DatabaseStats;
/// A database's activity over a period ([`Client::get_database_usage`]).
///
/// ```
/// # fn show(usage: turso_platform::DatabaseUsage) {
/// let total = usage.total.unwrap_or_default();
/// println!("{:?} rows read, {:?} written", total.rows_read, total.rows_written);
/// # }
/// ```
pub use generated::types::DatabaseUsage;
/// The cipher of a database encrypted with your own key ([`NewDatabase::encryption`]).
///
/// ```
/// assert_eq!(turso_platform::EncryptionCipher::Aegis256.to_string(), "aegis256");
/// ```
pub use generated::types::EncryptionCipher;
/// A SQLite extension a group's databases can have ([`NewGroup::extensions`]).
///
/// ```
/// assert_eq!(turso_platform::Extension::Vector.to_string(), "vector");
/// ```
pub use generated::types::Extension;
/// A group of databases sharing their locations ([`Client::list_groups`]).
///
/// ```
/// # fn show(group: turso_platform::Group) {
/// println!("{} ({}) with its primary in {:?}", group.name, group.uuid, group.primary);
/// # }
/// ```
pub use generated::types::Group;
/// A group's configuration ([`Client::get_group_configuration`]).
///
/// ```
/// # fn show(configuration: turso_platform::GroupConfiguration) {
/// println!("protected from deletion: {:?}", configuration.delete_protection);
/// # }
/// ```
pub use generated::types::GroupConfiguration;
/// The changes [`Client::update_group_configuration`] makes: build it from `Default`
/// with its `with_*` setters.
///
/// ```
/// let changes = turso_platform::GroupConfigurationInput::default().with_delete_protection(true);
/// ```
pub use generated::types::GroupConfigurationInput;
/// An instance of a database in one location ([`Client::list_database_instances`]).
///
/// ```
/// # fn show(instance: turso_platform::Instance) {
/// println!("{} is the {} in {}", instance.uuid, instance.type_, instance.region);
/// # }
/// ```
pub use generated::types::Instance;

/// A member just added ([`Client::add_organization_member`]): their username and role.
///
/// ```
/// # fn show(added: turso_platform::AddedMember) {
/// println!("{} joined as {:?}", added.member, added.role);
/// # }
/// ```
pub use generated::types::AddedMember;
/// One entry of an organization's audit log ([`Client::audit_log_stream`]).
///
/// ```
/// # fn show(entry: turso_platform::AuditLog) {
/// println!("{:?} by {:?} at {:?}: {:?}", entry.code, entry.author, entry.created_at, entry.data);
/// # }
/// ```
pub use generated::types::AuditLog;
/// One page of an organization's audit log, with its pagination
/// ([`Client::list_organization_audit_logs`]).
///
/// ```
/// # fn show(page: turso_platform::AuditLogPage) {
/// let pagination = page.pagination.unwrap_or_default();
/// println!("page {:?} of {:?}", pagination.page, pagination.total_pages);
/// # }
/// ```
pub use generated::types::AuditLogPage;
/// A pending invite ([`Client::list_organization_invites_v2`]).
///
/// ```
/// # fn show(invite: turso_platform::Invite) {
/// println!("{:?} invited as {:?} on {:?}", invite.email, invite.role, invite.created_at);
/// # }
/// ```
pub use generated::types::Invite;
/// An invite just sent ([`Client::invite_organization_member_v2`]).
///
/// ```
/// # fn show(invite: turso_platform::InviteCreated) {
/// println!("{:?} invited to {:?}", invite.email, invite.organization);
/// # }
/// ```
pub use generated::types::InviteCreated;
/// An invoice ([`Client::list_organization_invoices`]).
///
/// ```
/// # fn show(invoice: turso_platform::Invoice) {
/// println!("{:?}: {:?} USD, {:?}", invoice.invoice_number, invoice.amount_due, invoice.status);
/// # }
/// ```
pub use generated::types::Invoice;
/// Which invoices to list ([`ListInvoicesOptions::invoice_type`]).
///
/// ```
/// assert_eq!(turso_platform::InvoiceType::Upcoming.to_string(), "upcoming");
/// ```
pub use generated::types::InvoiceType;
/// A member of an organization ([`Client::list_organization_members`]); their `role` is
/// the API's word, which [`MemberRole`] parses.
///
/// ```
/// # fn show(member: turso_platform::Member) {
/// println!("{} <{:?}> is {}", member.username, member.email, member.role);
/// # }
/// ```
pub use generated::types::Member;
/// An organization, as [`Client::list_organizations`] and [`Client::get_organization`]
/// answer it.
///
/// ```
/// # fn show(organization: turso_platform::Organization) {
/// println!("{} ({}) on plan {:?}", organization.name, organization.slug, organization.plan_id);
/// # }
/// ```
pub use generated::types::Organization;
/// A plan an organization can subscribe to ([`Client::list_organization_plans`]).
///
/// ```
/// # fn show(plan: turso_platform::OrganizationPlan) {
/// let quotas = plan.quotas.unwrap_or_default();
/// println!("{}: {:?} databases", plan.name, quotas.databases);
/// # }
/// ```
pub use generated::types::OrganizationPlan;
/// An organization's usage in the current billing cycle ([`Client::get_organization_usage`]).
///
/// ```
/// # fn show(usage: turso_platform::OrganizationUsage) {
/// println!("{} databases with usage", usage.databases.len());
/// # }
/// ```
pub use generated::types::OrganizationUsage;
/// An organization's plan and how it is billed ([`Client::get_organization_subscription`]).
///
/// ```
/// # fn show(subscription: turso_platform::Subscription) {
/// println!("{:?}, overages {:?}", subscription.plan, subscription.overages);
/// # }
/// ```
pub use generated::types::Subscription;
/// The changes [`Client::update_organization`] makes: build it from `Default` with its
/// `with_*` setters; what is not set stays as it is.
///
/// ```
/// let changes = turso_platform::UpdateOrganizationInput::default().with_overages(false);
/// ```
pub use generated::types::UpdateOrganizationInput;

/// The `secrecy` crate, whose [`SecretString`](secrecy::SecretString) holds every token.
///
/// ```
/// use turso_platform::secrecy::{ExposeSecret, SecretString};
///
/// let jwt = SecretString::from("eyJ...");
/// assert_eq!(jwt.expose_secret(), "eyJ...");
/// assert!(!format!("{jwt:?}").contains("eyJ"));
/// ```
pub use secrecy;

/// The `reqwest` crate, whose `Client` [`ClientBuilder::http_client`] takes: use it to
/// build that client with the same version of reqwest as this crate.
///
/// ```
/// let http = turso_platform::reqwest::Client::builder().build().unwrap();
/// let client = turso_platform::Client::builder().token("t").http_client(http).build();
/// ```
pub use reqwest;

/// The `futures_core::Stream` trait, which [`AuditLogStream`] implements: name it in a
/// bound without adding `futures-core`. Its combinators are in `futures_util::StreamExt`;
/// [`AuditLogStream::next`] needs none.
///
/// ```
/// fn entries(stream: impl turso_platform::Stream<Item = Result<turso_platform::AuditLog, turso_platform::Error>>) {}
/// # fn run(client: turso_platform::Client) { entries(client.audit_log_stream("my-org", 100)) }
/// ```
pub use futures_core::Stream;

/// The `serde_json` crate, whose `Map` and `Value` hold the free-form parts of answers
/// (an [`AuditLog`] entry's `data`): use it to read them with the same version as this
/// crate.
///
/// ```
/// use turso_platform::serde_json::{Map, Value};
///
/// let mut data = Map::new();
/// data.insert("name".to_owned(), Value::from("tenant-42"));
/// let entry = turso_platform::AuditLog::default().with_data(data);
/// assert_eq!(entry.data.get("name").and_then(Value::as_str), Some("tenant-42"));
/// ```
pub use serde_json;

/// An HTTP status code, as in [`Error::status`].
///
/// ```
/// use turso_platform::StatusCode;
///
/// assert_eq!(StatusCode::NOT_FOUND.as_u16(), 404);
/// ```
pub use reqwest::StatusCode;

/// The README's Rust examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
