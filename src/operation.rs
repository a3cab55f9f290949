//! What the client knows about each operation of the spec beyond what the generated
//! code and the spec do: its name for tracing, and whether it may be sent twice.
//! (Whether its answer holds a secret is read from the spec: `spec::Operation`.)

use crate::retry::Retry;

/// What the client knows about an operation beyond what the generated code does.
#[derive(Clone, Copy)]
pub(crate) struct Operation {
    /// The spec's operationId, for tracing.
    pub(crate) id: &'static str,
    /// Whether it may be sent again when its outcome is unknown.
    pub(crate) retry: Retry,
}

const fn op(id: &'static str, retry: Retry) -> Operation {
    Operation { id, retry }
}

pub(crate) const LIST_API_TOKENS: Operation = op("listAPITokens", Retry::Repeatable);
pub(crate) const CREATE_API_TOKEN: Operation = op("createAPIToken", Retry::Once);
pub(crate) const REVOKE_API_TOKEN: Operation = op("revokeAPIToken", Retry::Once);
pub(crate) const VALIDATE_API_TOKEN: Operation = op("validateAPIToken", Retry::Repeatable);
pub(crate) const GET_CURRENT_USER: Operation = op("getCurrentUser", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_API_TOKENS: Operation =
    op("listOrganizationAPITokens", Retry::Repeatable);
pub(crate) const REVOKE_ORGANIZATION_API_TOKEN: Operation =
    op("revokeOrganizationAPIToken", Retry::Once);
// Database and group tokens are not stored: minting one twice is harmless.
pub(crate) const CREATE_DATABASE_TOKEN: Operation = op("createDatabaseToken", Retry::Repeatable);
pub(crate) const INVALIDATE_DATABASE_TOKENS: Operation =
    op("invalidateDatabaseTokens", Retry::Repeatable);
pub(crate) const CREATE_GROUP_TOKEN: Operation = op("createGroupToken", Retry::Repeatable);
pub(crate) const INVALIDATE_GROUP_TOKENS: Operation =
    op("invalidateGroupTokens", Retry::Repeatable);

// Reads, and updates that set absolute values: sending them twice is harmless.
pub(crate) const LIST_DATABASES: Operation = op("listDatabases", Retry::Repeatable);
pub(crate) const GET_DATABASE: Operation = op("getDatabase", Retry::Repeatable);
pub(crate) const GET_DATABASE_CONFIGURATION: Operation =
    op("getDatabaseConfiguration", Retry::Repeatable);
pub(crate) const UPDATE_DATABASE_CONFIGURATION: Operation =
    op("updateDatabaseConfiguration", Retry::Repeatable);
pub(crate) const LIST_DATABASE_INSTANCES: Operation =
    op("listDatabaseInstances", Retry::Repeatable);
pub(crate) const GET_DATABASE_INSTANCE: Operation = op("getDatabaseInstance", Retry::Repeatable);
pub(crate) const GET_DATABASE_USAGE: Operation = op("getDatabaseUsage", Retry::Repeatable);
pub(crate) const GET_DATABASE_STATS: Operation = op("getDatabaseStats", Retry::Repeatable);
pub(crate) const LIST_GROUPS: Operation = op("listGroups", Retry::Repeatable);
pub(crate) const GET_GROUP: Operation = op("getGroup", Retry::Repeatable);
pub(crate) const GET_GROUP_CONFIGURATION: Operation =
    op("getGroupConfiguration", Retry::Repeatable);
pub(crate) const UPDATE_GROUP_CONFIGURATION: Operation =
    op("updateGroupConfiguration", Retry::Repeatable);
pub(crate) const UNARCHIVE_GROUP: Operation = op("unarchiveGroup", Retry::Repeatable);
pub(crate) const UPDATE_GROUP_DATABASES: Operation = op("updateGroupDatabases", Retry::Repeatable);
pub(crate) const LIST_LOCATIONS: Operation = op("listLocations", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATIONS: Operation = op("listOrganizations", Retry::Repeatable);
pub(crate) const GET_ORGANIZATION: Operation = op("getOrganization", Retry::Repeatable);
pub(crate) const UPDATE_ORGANIZATION: Operation = op("updateOrganization", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_PLANS: Operation =
    op("listOrganizationPlans", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_INVOICES: Operation =
    op("listOrganizationInvoices", Retry::Repeatable);
pub(crate) const GET_ORGANIZATION_SUBSCRIPTION: Operation =
    op("getOrganizationSubscription", Retry::Repeatable);
pub(crate) const GET_ORGANIZATION_USAGE: Operation = op("getOrganizationUsage", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_MEMBERS: Operation =
    op("listOrganizationMembers", Retry::Repeatable);
pub(crate) const GET_ORGANIZATION_MEMBER: Operation =
    op("getOrganizationMember", Retry::Repeatable);
pub(crate) const UPDATE_MEMBER_ROLE: Operation = op("updateMemberRole", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_INVITES: Operation =
    op("listOrganizationInvitesV2", Retry::Repeatable);
pub(crate) const LIST_ORGANIZATION_AUDIT_LOGS: Operation =
    op("listOrganizationAuditLogs", Retry::Repeatable);
// Creates, deletes, transfers and location changes: a second request after a lost
// answer would be refused (the name exists, the group is gone, the location is there)
// for a change the caller cannot tell it made.
pub(crate) const CREATE_DATABASE: Operation = op("createDatabase", Retry::Once);
pub(crate) const DELETE_DATABASE: Operation = op("deleteDatabase", Retry::Once);
pub(crate) const CREATE_GROUP: Operation = op("createGroup", Retry::Once);
pub(crate) const DELETE_GROUP: Operation = op("deleteGroup", Retry::Once);
pub(crate) const TRANSFER_GROUP: Operation = op("transferGroup", Retry::Once);
pub(crate) const ADD_LOCATION_TO_GROUP: Operation = op("addLocationToGroup", Retry::Once);
pub(crate) const REMOVE_LOCATION_FROM_GROUP: Operation = op("removeLocationFromGroup", Retry::Once);
// Members and invites: a second add answers 409 and a second removal 404 for a change
// the caller cannot tell it made; a second invite sends a second email.
pub(crate) const ADD_ORGANIZATION_MEMBER: Operation = op("addOrganizationMember", Retry::Once);
pub(crate) const REMOVE_ORGANIZATION_MEMBER: Operation =
    op("removeOrganizationMember", Retry::Once);
pub(crate) const INVITE_ORGANIZATION_MEMBER: Operation =
    op("inviteOrganizationMemberV2", Retry::Once);
pub(crate) const DELETE_ORGANIZATION_INVITE: Operation =
    op("deleteOrganizationInviteByEmailV2", Retry::Once);

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Operation; 49] = [
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
        LIST_DATABASES,
        CREATE_DATABASE,
        GET_DATABASE,
        DELETE_DATABASE,
        GET_DATABASE_CONFIGURATION,
        UPDATE_DATABASE_CONFIGURATION,
        LIST_DATABASE_INSTANCES,
        GET_DATABASE_INSTANCE,
        GET_DATABASE_USAGE,
        GET_DATABASE_STATS,
        LIST_GROUPS,
        CREATE_GROUP,
        GET_GROUP,
        DELETE_GROUP,
        GET_GROUP_CONFIGURATION,
        UPDATE_GROUP_CONFIGURATION,
        TRANSFER_GROUP,
        UNARCHIVE_GROUP,
        ADD_LOCATION_TO_GROUP,
        REMOVE_LOCATION_FROM_GROUP,
        UPDATE_GROUP_DATABASES,
        LIST_LOCATIONS,
        LIST_ORGANIZATIONS,
        GET_ORGANIZATION,
        UPDATE_ORGANIZATION,
        LIST_ORGANIZATION_PLANS,
        LIST_ORGANIZATION_INVOICES,
        GET_ORGANIZATION_SUBSCRIPTION,
        GET_ORGANIZATION_USAGE,
        LIST_ORGANIZATION_MEMBERS,
        ADD_ORGANIZATION_MEMBER,
        GET_ORGANIZATION_MEMBER,
        UPDATE_MEMBER_ROLE,
        REMOVE_ORGANIZATION_MEMBER,
        LIST_ORGANIZATION_INVITES,
        INVITE_ORGANIZATION_MEMBER,
        DELETE_ORGANIZATION_INVITE,
        LIST_ORGANIZATION_AUDIT_LOGS,
    ];

    #[test]
    fn every_operation_is_in_the_spec_once() {
        let spec = include_str!("../openapi.yaml");
        assert_eq!(
            spec.matches("operationId: ").count(),
            ALL.len(),
            "every operation has a class"
        );
        for op in ALL {
            let line = format!("operationId: {}\n", op.id);
            assert_eq!(spec.matches(&line).count(), 1, "{}", op.id);
        }
    }

    #[test]
    fn only_what_a_second_request_would_break_is_sent_once() {
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
                "revokeOrganizationAPIToken",
                "createDatabase",
                "deleteDatabase",
                "createGroup",
                "deleteGroup",
                "transferGroup",
                "addLocationToGroup",
                "removeLocationFromGroup",
                "addOrganizationMember",
                "removeOrganizationMember",
                "inviteOrganizationMemberV2",
                "deleteOrganizationInviteByEmailV2",
            ]
        );
        let secret: Vec<_> = crate::generated::SPEC_OPERATIONS
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
