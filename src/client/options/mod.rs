//! The options and bodies of the operations, as builders: what each call may say beyond
//! its path, checked before anything is sent.

mod audit_logs;
mod databases;
mod groups;
mod members;
mod organizations;
mod tokens;

pub use audit_logs::AuditLogOptions;
pub(crate) use audit_logs::checked_page_size;
pub use databases::{ListDatabasesOptions, NewDatabase, UsageOptions};
pub use groups::NewGroup;
pub use members::NewInvite;
pub use organizations::ListInvoicesOptions;
pub use tokens::{ApiTokenOptions, TokenOptions};
