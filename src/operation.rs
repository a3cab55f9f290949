//! What the client knows about each operation of the spec beyond what the generated
//! code does: its name for tracing, whether it may be sent twice, and whether its answer
//! holds a secret.

use crate::retry::Retry;

/// What the client knows about an operation beyond what the generated code does.
#[derive(Clone, Copy)]
pub(crate) struct Operation {
    /// The spec's operationId, for tracing.
    pub(crate) id: &'static str,
    /// Whether it may be sent again when its outcome is unknown.
    pub(crate) retry: Retry,
    /// Whether a successful answer carries a secret, which an error must not quote.
    pub(crate) secret_answer: bool,
}

const fn op(id: &'static str, retry: Retry, secret_answer: bool) -> Operation {
    Operation {
        id,
        retry,
        secret_answer,
    }
}

pub(crate) const LIST_API_TOKENS: Operation = op("listAPITokens", Retry::Repeatable, false);
pub(crate) const CREATE_API_TOKEN: Operation = op("createAPIToken", Retry::Once, true);
pub(crate) const REVOKE_API_TOKEN: Operation = op("revokeAPIToken", Retry::Once, false);
pub(crate) const VALIDATE_API_TOKEN: Operation = op("validateAPIToken", Retry::Repeatable, false);
pub(crate) const GET_CURRENT_USER: Operation = op("getCurrentUser", Retry::Repeatable, false);
pub(crate) const LIST_ORGANIZATION_API_TOKENS: Operation =
    op("listOrganizationAPITokens", Retry::Repeatable, false);
pub(crate) const REVOKE_ORGANIZATION_API_TOKEN: Operation =
    op("revokeOrganizationAPIToken", Retry::Once, false);
// Database and group tokens are not stored: minting one twice is harmless.
pub(crate) const CREATE_DATABASE_TOKEN: Operation =
    op("createDatabaseToken", Retry::Repeatable, true);
pub(crate) const INVALIDATE_DATABASE_TOKENS: Operation =
    op("invalidateDatabaseTokens", Retry::Repeatable, false);
pub(crate) const CREATE_GROUP_TOKEN: Operation = op("createGroupToken", Retry::Repeatable, true);
pub(crate) const INVALIDATE_GROUP_TOKENS: Operation =
    op("invalidateGroupTokens", Retry::Repeatable, false);

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Operation; 11] = [
        LIST_API_TOKENS,
        CREATE_API_TOKEN,
        REVOKE_API_TOKEN,
        VALIDATE_API_TOKEN,
        GET_CURRENT_USER,
        LIST_ORGANIZATION_API_TOKENS,
        REVOKE_ORGANIZATION_API_TOKEN,
        CREATE_DATABASE_TOKEN,
        INVALIDATE_DATABASE_TOKENS,
        CREATE_GROUP_TOKEN,
        INVALIDATE_GROUP_TOKENS,
    ];

    #[test]
    fn every_operation_is_in_the_spec_once() {
        let spec = include_str!("../openapi.yaml");
        for op in ALL {
            let line = format!("operationId: {}\n", op.id);
            assert_eq!(spec.matches(&line).count(), 1, "{}", op.id);
        }
    }

    #[test]
    fn only_api_token_mints_and_revocations_are_sent_once() {
        let once: Vec<_> = ALL
            .iter()
            .filter(|op| op.retry == Retry::Once)
            .map(|op| op.id)
            .collect();
        assert_eq!(
            once,
            [
                "createAPIToken",
                "revokeAPIToken",
                "revokeOrganizationAPIToken"
            ]
        );
        let secret: Vec<_> = ALL
            .iter()
            .filter(|op| op.secret_answer)
            .map(|op| op.id)
            .collect();
        assert_eq!(
            secret,
            ["createAPIToken", "createDatabaseToken", "createGroupToken"]
        );
    }
}
