//! The options and bodies of the operations, as builders: what each call may say beyond
//! its path, checked before anything is sent.

mod databases;
mod groups;
mod tokens;

pub use databases::{ListDatabasesOptions, NewDatabase, UsageOptions};
pub use groups::NewGroup;
pub use tokens::{ApiTokenOptions, TokenOptions};
