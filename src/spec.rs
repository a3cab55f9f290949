//! What `openapi.yaml` says of the API, as the generated code knows it, for tools built
//! on this crate that serve or check the same API: every operation (its operationId,
//! method and path template), and the rule for the names of new databases and groups.
//!
//! The fake Turso of the `turso-platform-fake` crate builds its router from
//! [`operations`], so that a path is written once, in the spec.
//!
//! ```
//! let create = turso_platform::spec::operation("createDatabase").unwrap();
//! assert_eq!(create.method, "POST");
//! assert_eq!(create.path, "/v1/organizations/{organizationSlug}/databases");
//! assert_eq!(turso_platform::spec::operations().len(), 49);
//! ```

/// One operation of `openapi.yaml`.
///
/// ```
/// for op in turso_platform::spec::operations() {
///     println!("{} {} {}", op.id, op.method, op.path);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's operationId, such as `createAPIToken`.
    pub id: &'static str,
    /// The HTTP method, in capitals.
    pub method: &'static str,
    /// The path template, such as `/v1/auth/api-tokens/{tokenName}`.
    pub path: &'static str,
    /// The text of `path` around its parameters (`["/v1/auth/api-tokens/", ""]` for
    /// `/v1/auth/api-tokens/{tokenName}`), to check a request's path against.
    pub(crate) path_literals: &'static [&'static str],
    /// Whether a successful answer carries a secret (is made of the `Secret` schema
    /// somewhere), which an error must not quote.
    pub(crate) secret_answer: bool,
    /// Whether it may be sent again when its outcome is unknown: the spec's
    /// `x-turso-retry`.
    pub(crate) retry: crate::transport::retry::Retry,
}

/// Every operation of `openapi.yaml`, in the spec's order.
///
/// ```
/// assert!(turso_platform::spec::operations().iter().any(|op| op.id == "getCurrentUser"));
/// ```
pub fn operations() -> &'static [Operation] {
    crate::generated::SPEC_OPERATIONS
}

/// The operation whose operationId is `id`, if the spec has one.
///
/// ```
/// assert!(turso_platform::spec::operation("listDatabases").is_some());
/// assert!(turso_platform::spec::operation("noSuchOperation").is_none());
/// ```
pub fn operation(id: &str) -> Option<&'static Operation> {
    operations().iter().find(|op| op.id == id)
}

/// Whether `name` is one Turso accepts for a new database or group (the spec's pattern
/// `^[a-z0-9-]{1,64}$`): lowercase letters, digits and dashes, 1 to 64 of them.
///
/// ```
/// use turso_platform::spec::is_valid_name;
///
/// assert!(is_valid_name("tenant-42"));
/// assert!(!is_valid_name("Tenant_42"));
/// assert!(!is_valid_name(""));
/// ```
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    /// The name rule is the spec's pattern, written once in each: this checks they agree.
    #[test]
    fn the_name_rule_is_the_spec_s_pattern() {
        let spec = include_str!("../openapi.yaml");
        assert_eq!(spec.matches("pattern: '^[a-z0-9-]{1,64}$'").count(), 2);
    }
}
