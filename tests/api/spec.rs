//! `openapi.yaml` keeps its promises: the operations in scope, bearer security and 401 on every
//! one, one `Error` schema for every error answer, descriptions and examples everywhere,
//! and enums and an expiration pattern that agree with the Rust types.

use crate::common;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::Value;

use common::resolve;
use turso_platform::{Authorization, Expiration, Scope};

const SPEC: &str = include_str!("../../openapi.yaml");

/// The operations in scope: (operationId, method, path).
const OPERATIONS: [(&str, &str, &str); 49] = [
    ("listAPITokens", "get", "/v1/auth/api-tokens"),
    ("createAPIToken", "post", "/v1/auth/api-tokens/{tokenName}"),
    (
        "revokeAPIToken",
        "delete",
        "/v1/auth/api-tokens/{tokenName}",
    ),
    ("validateAPIToken", "get", "/v1/auth/validate"),
    ("getCurrentUser", "get", "/v1/user"),
    (
        "listOrganizationAPITokens",
        "get",
        "/v1/organizations/{organizationSlug}/api-tokens",
    ),
    (
        "revokeOrganizationAPIToken",
        "delete",
        "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}",
    ),
    (
        "createDatabaseToken",
        "post",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/tokens",
    ),
    (
        "invalidateDatabaseTokens",
        "post",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate",
    ),
    (
        "createGroupToken",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/tokens",
    ),
    (
        "invalidateGroupTokens",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/auth/rotate",
    ),
    ("listLocations", "get", "/v1/locations"),
    (
        "listDatabases",
        "get",
        "/v1/organizations/{organizationSlug}/databases",
    ),
    (
        "createDatabase",
        "post",
        "/v1/organizations/{organizationSlug}/databases",
    ),
    (
        "getDatabase",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}",
    ),
    (
        "deleteDatabase",
        "delete",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}",
    ),
    (
        "getDatabaseConfiguration",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/configuration",
    ),
    (
        "updateDatabaseConfiguration",
        "patch",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/configuration",
    ),
    (
        "listDatabaseInstances",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances",
    ),
    (
        "getDatabaseInstance",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances/{instanceName}",
    ),
    (
        "getDatabaseUsage",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/usage",
    ),
    (
        "getDatabaseStats",
        "get",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/stats",
    ),
    (
        "listGroups",
        "get",
        "/v1/organizations/{organizationSlug}/groups",
    ),
    (
        "createGroup",
        "post",
        "/v1/organizations/{organizationSlug}/groups",
    ),
    (
        "getGroup",
        "get",
        "/v1/organizations/{organizationSlug}/groups/{groupName}",
    ),
    (
        "deleteGroup",
        "delete",
        "/v1/organizations/{organizationSlug}/groups/{groupName}",
    ),
    (
        "getGroupConfiguration",
        "get",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/configuration",
    ),
    (
        "updateGroupConfiguration",
        "patch",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/configuration",
    ),
    (
        "transferGroup",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/transfer",
    ),
    (
        "unarchiveGroup",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/unarchive",
    ),
    (
        "addLocationToGroup",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/locations/{location}",
    ),
    (
        "removeLocationFromGroup",
        "delete",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/locations/{location}",
    ),
    (
        "updateGroupDatabases",
        "post",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/update",
    ),
    ("listOrganizations", "get", "/v1/organizations"),
    (
        "getOrganization",
        "get",
        "/v1/organizations/{organizationSlug}",
    ),
    (
        "updateOrganization",
        "patch",
        "/v1/organizations/{organizationSlug}",
    ),
    (
        "listOrganizationPlans",
        "get",
        "/v1/organizations/{organizationSlug}/plans",
    ),
    (
        "listOrganizationInvoices",
        "get",
        "/v1/organizations/{organizationSlug}/invoices",
    ),
    (
        "getOrganizationSubscription",
        "get",
        "/v1/organizations/{organizationSlug}/subscription",
    ),
    (
        "getOrganizationUsage",
        "get",
        "/v1/organizations/{organizationSlug}/usage",
    ),
    (
        "listOrganizationMembers",
        "get",
        "/v1/organizations/{organizationSlug}/members",
    ),
    (
        "addOrganizationMember",
        "post",
        "/v1/organizations/{organizationSlug}/members",
    ),
    (
        "getOrganizationMember",
        "get",
        "/v1/organizations/{organizationSlug}/members/{username}",
    ),
    (
        "updateMemberRole",
        "patch",
        "/v1/organizations/{organizationSlug}/members/{username}",
    ),
    (
        "removeOrganizationMember",
        "delete",
        "/v1/organizations/{organizationSlug}/members/{username}",
    ),
    (
        "listOrganizationInvitesV2",
        "get",
        "/v2/organizations/{organizationSlug}/invites",
    ),
    (
        "inviteOrganizationMemberV2",
        "post",
        "/v2/organizations/{organizationSlug}/invites",
    ),
    (
        "deleteOrganizationInviteByEmailV2",
        "delete",
        "/v2/organizations/{organizationSlug}/invites/{email}",
    ),
    (
        "listOrganizationAuditLogs",
        "get",
        "/v1/organizations/{organizationSlug}/audit-logs",
    ),
];

fn spec() -> Value {
    serde_norway::from_str(SPEC).expect("openapi.yaml is YAML")
}

fn operations(spec: &Value) -> Vec<(String, String, String, &Value, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            let id = op["operationId"].as_str().unwrap().to_owned();
            found.push((id, method.clone(), path.clone(), item, op));
        }
    }
    found
}

fn non_empty(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.trim().is_empty())
}

#[test]
fn the_spec_is_an_openapi_3_0_document_with_a_versioned_info() {
    let parsed: openapiv3::OpenAPI = serde_norway::from_str(SPEC).unwrap();
    assert_eq!(parsed.openapi, "3.0.3");
    let spec = spec();
    let info = &spec["info"];
    for field in ["title", "version", "description"] {
        assert!(non_empty(&info[field]), "info.{field}");
    }
    assert!(non_empty(&info["license"]["name"]));
    assert!(
        info["version"].as_str().unwrap().split('.').count() == 3,
        "info.version is semver"
    );
}

#[test]
fn exactly_the_operations_in_scope_with_turso_names() {
    let spec = spec();
    let found: BTreeSet<(String, String, String)> = operations(&spec)
        .into_iter()
        .map(|(id, method, path, _, _)| (id, method, path))
        .collect();
    let expected: BTreeSet<(String, String, String)> = OPERATIONS
        .iter()
        .map(|(id, m, p)| (id.to_string(), m.to_string(), p.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_operation_needs_the_bearer_token_and_declares_its_statuses() {
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    for (id, _, path, _, op) in operations(&spec) {
        let security = op.get("security").or(spec.get("security"));
        assert_eq!(
            security,
            Some(&serde_json::json!([{"bearerAuth": []}])),
            "{id}: security"
        );
        assert!(
            non_empty(&op["summary"]) && non_empty(&op["description"]),
            "{id}"
        );
        let responses = op["responses"].as_object().unwrap();
        for status in ["200", "401", "429", "5XX"] {
            assert!(responses.contains_key(status), "{id} declares {status}");
        }
        // An operation on an organization can meet one that does not exist, or one the
        // caller is not a member of.
        if path.contains("{organizationSlug}") {
            for status in ["403", "404"] {
                assert!(responses.contains_key(status), "{id} declares {status}");
            }
        }
        assert!(
            !responses.contains_key("default"),
            "{id}: no default next to 2xx"
        );
        for (status, response) in responses {
            let response = resolve(&spec, response);
            assert!(non_empty(&response["description"]), "{id} {status}");
            if status.starts_with('2') {
                continue;
            }
            let media = &response["content"]["application/json"];
            assert_eq!(
                media["schema"]["$ref"].as_str(),
                Some("#/components/schemas/Error"),
                "{id} {status} uses the shared Error schema"
            );
            assert!(
                media.get("example").is_some(),
                "{id} {status} has an example"
            );
        }
        let ok = resolve(&spec, &responses["200"]);
        if let Some(media) = ok.get("content").and_then(|c| c.get("application/json")) {
            assert!(media.get("example").is_some(), "{id} 200 has an example");
        }
        if let Some(body) = op.get("requestBody") {
            let media = &body["content"]["application/json"];
            assert!(
                media.get("example").is_some(),
                "{id} request body has an example"
            );
            // An optional body is one the API also takes absent: the token mints.
            let optional = id.starts_with("create") && id.ends_with("Token");
            assert_eq!(
                body["required"],
                Value::Bool(!optional),
                "{id}: whether the API takes no body too"
            );
        }
    }
}

#[test]
fn every_parameter_and_schema_is_described_with_an_example() {
    let spec = spec();
    for (id, _, _, item, op) in operations(&spec) {
        let parameters = item
            .get("parameters")
            .into_iter()
            .chain(op.get("parameters"));
        for parameter in parameters.flat_map(|p| p.as_array().unwrap()) {
            let parameter = resolve(&spec, parameter);
            let name = parameter["name"].as_str().unwrap();
            assert!(non_empty(&parameter["description"]), "{id} {name}");
            assert!(parameter.get("example").is_some(), "{id} {name} example");
            assert!(parameter.get("schema").is_some(), "{id} {name} schema");
        }
    }
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        assert!(non_empty(&schema["description"]), "schema {name}");
        assert!(schema.get("example").is_some(), "schema {name} example");
        for (property, value) in schema["properties"].as_object().into_iter().flatten() {
            if value.get("$ref").is_none() {
                assert!(non_empty(&value["description"]), "{name}.{property}");
                assert!(value.get("example").is_some(), "{name}.{property} example");
            }
        }
    }
}

/// Whether `schema` says its type: a `type`, a `$ref`, or a union (`oneOf`, `anyOf`,
/// `allOf`) each of whose branches says it.
fn says_its_type(schema: &Value) -> bool {
    schema.get("type").is_some()
        || schema.get("$ref").is_some()
        || ["oneOf", "anyOf", "allOf"].iter().any(|union| {
            schema[*union]
                .as_array()
                .is_some_and(|branches| branches.iter().all(says_its_type))
        })
}

#[test]
fn every_schema_and_property_says_its_type() {
    let spec = spec();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        assert!(says_its_type(schema), "schema {name}");
        for (property, value) in schema["properties"].as_object().into_iter().flatten() {
            assert!(says_its_type(value), "{name}.{property}");
        }
    }
}

fn enum_words(spec: &Value, schema: &str) -> Vec<String> {
    spec["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_rust_enums_have_exactly_the_spec_words() {
    let spec = spec();
    let scopes: Vec<String> = Scope::ALL.iter().map(|s| s.to_string()).collect();
    assert_eq!(scopes, enum_words(&spec, "Scope"));
    let levels: Vec<String> = Authorization::ALL.iter().map(|a| a.to_string()).collect();
    assert_eq!(levels, enum_words(&spec, "Authorization"));
    let default = &spec["components"]["schemas"]["Authorization"]["default"];
    assert_eq!(default.as_str(), Some(Authorization::default().as_str()));
    let default = &spec["components"]["schemas"]["Expiration"]["default"];
    assert_eq!(
        default.as_str(),
        Some(Expiration::default().to_string().as_str())
    );
}

fn expiration_pattern() -> &'static regex::Regex {
    static PATTERN: LazyLock<regex::Regex> = LazyLock::new(|| {
        let spec = spec();
        let pattern = spec["components"]["schemas"]["Expiration"]["pattern"]
            .as_str()
            .unwrap();
        regex::Regex::new(pattern).expect("the pattern is a regular expression without lookaround")
    });
    &PATTERN
}

/// What the pattern cannot see: the upper bound, and fractions that truncate to zero.
fn beyond_the_pattern(input: &str, error: &turso_platform::ExpirationError) -> bool {
    let message = error.to_string();
    message.contains("maximum") || (message.contains("positive") && !input.starts_with('-'))
}

#[test]
fn the_expiration_pattern_agrees_with_the_parser_on_a_table() {
    let pattern = expiration_pattern();
    for input in [
        "never",
        "1d",
        "2w1d30m",
        "1w2d6h3ns",
        "+1h",
        ".5h",
        "1.h",
        "0h1m",
        "1µs",
        "1μs",
        "1us",
        "1h1h",
        "15250w",
    ] {
        assert!(pattern.is_match(input), "{input} matches");
        assert!(input.parse::<Expiration>().is_ok(), "{input} parses");
    }
    for input in [
        "", "0", "+0", "-0", "0s", "0.0h", "-1h", "1", "1H", "1y", "1hr", ".h", "1h ", " 1h",
        "Never", "never ", "00", "1.5.5h", "1e3s", "+",
    ] {
        assert!(!pattern.is_match(input), "{input} does not match");
        assert!(input.parse::<Expiration>().is_err(), "{input} is refused");
    }
}

fn expiration_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{0,3}",
        Just(".".to_owned()),
        Just("0".to_owned()),
        prop::sample::select(vec![
            "ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "w", "y", "H"
        ])
        .prop_map(str::to_owned),
    ];
    (
        prop::sample::select(vec!["", "+", "-"]),
        proptest::collection::vec(piece, 1..8),
    )
        .prop_map(|(sign, pieces)| format!("{sign}{}", pieces.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Whatever the client accepts, a non-Rust client applying the pattern accepts; what
    /// the pattern accepts, the client accepts too, but for the bound and zero fractions.
    #[test]
    fn the_expiration_pattern_agrees_with_the_parser(input in expiration_like()) {
        let pattern = expiration_pattern();
        match input.parse::<Expiration>() {
            Ok(_) => prop_assert!(pattern.is_match(&input), "{} parses but does not match", input),
            Err(error) => prop_assert!(
                !pattern.is_match(&input) || beyond_the_pattern(&input, &error),
                "{} matches but is refused: {}", input, error
            ),
        }
    }
}
