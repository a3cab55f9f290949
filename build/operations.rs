//! What the spec says of each operation, for the client: the table of operations
//! (with the retry class of `x-turso-retry`), the schemas successful answers are made of,
//! and the operations whose answer carries a secret.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, Operation, ReferenceOr, StatusCode};

use crate::SPEC;

/// The Rust names of the schemas a successful answer is made of, directly or through
/// other schemas.
pub(crate) fn answer_types(spec: &OpenAPI) -> BTreeSet<String> {
    use heck::ToUpperCamelCase;

    spec.operations()
        .flat_map(|(_, _, op)| success_schemas(spec, op))
        .map(|name| name.to_upper_camel_case())
        .collect()
}

/// The names of the schemas (in `components`) the successful answers of `op` are made
/// of, directly or through other schemas.
pub(crate) fn success_schemas(spec: &OpenAPI, op: &Operation) -> BTreeSet<String> {
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(serde_json::Value::as_str)
                    && let Some(name) = reference.strip_prefix("#/components/schemas/")
                {
                    out.push(name.to_owned());
                }
                map.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    let mut pending = Vec::new();
    for (status, response) in &op.responses.responses {
        if is_success(status)
            && let Ok(value) = serde_json::to_value(response)
        {
            refs(&value, &mut pending);
        }
    }
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone())
            && let Some(schema) = schemas.and_then(|s| s.get(&name))
            && let Ok(value) = serde_json::to_value(schema)
        {
            refs(&value, &mut pending);
        }
    }
    seen
}

/// The names progenitor gives the operations whose successful answer carries a secret
/// (is made of the `Secret` schema somewhere).
pub(crate) fn secret_methods(spec: &OpenAPI) -> BTreeSet<String> {
    spec.operations()
        .filter(|(_, _, op)| success_schemas(spec, op).contains("Secret"))
        .filter_map(|(_, _, op)| Some(op.operation_id.as_deref()?.to_snake_case()))
        .collect()
}

/// Whether the operation's request body is optional (a body it may be sent without).
fn optional_body(op: &Operation) -> Result<bool, String> {
    match &op.request_body {
        Some(ReferenceOr::Item(body)) => Ok(!body.required),
        Some(ReferenceOr::Reference { reference }) => {
            Err(format!("{SPEC}: request body {reference} must be inline"))
        }
        None => Ok(false),
    }
}

/// The names progenitor gives the operations whose request body is optional.
pub(crate) fn optional_body_methods(spec: &OpenAPI) -> Result<BTreeSet<String>, String> {
    let mut methods = BTreeSet::new();
    for (_, _, op) in spec.operations() {
        if optional_body(op)? {
            methods.insert(
                op.operation_id
                    .as_deref()
                    .unwrap_or_default()
                    .to_snake_case(),
            );
        }
    }
    Ok(methods)
}

/// Whether `status` is a success (2xx).
pub(crate) fn is_success(status: &StatusCode) -> bool {
    matches!(status, StatusCode::Code(200..=299) | StatusCode::Range(2))
}

/// What the spec says of each operation that the hand-written code needs, as a table of
/// `crate::spec::Operation` (operationId, method, path template and its literals, whether
/// a successful answer carries a secret, its retry class), a constant per operation named
/// as progenitor names its method (`operation::create_database`), with which the client
/// runs that method, and a function from that name to its row, with which the `pre` hook
/// checks every request's path against its template. The fake names operations by method
/// and path.
pub(crate) fn operation_table(spec: &OpenAPI) -> Result<String, String> {
    let mut rows = String::new();
    let mut names = String::new();
    let mut constants = String::new();
    for (index, (path, method, op)) in spec.operations().enumerate() {
        let id = op.operation_id.as_deref().unwrap_or_default();
        let name = id.to_snake_case();
        let retry = retry_class(id, method, op)?;
        let method = method.to_uppercase();
        let literals = path_literals(path)?;
        // An answer that carries a secret: made of the `Secret` schema somewhere.
        let secret_answer = success_schemas(spec, op).contains("Secret");
        let _ = writeln!(
            rows,
            "    crate::spec::Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, \
             path_literals: &{literals:?}, secret_answer: {secret_answer}, \
             retry: crate::transport::retry::Retry::{retry} }},"
        );
        let _ = writeln!(
            names,
            "        {name:?} => Some(&SPEC_OPERATIONS[{index}]),"
        );
        let _ = writeln!(
            constants,
            "    /// `{id}`.\n    pub(crate) const {name}: &Operation = &super::SPEC_OPERATIONS[{index}];"
        );
    }
    Ok(format!(
        "\n/// Every operation of `openapi.yaml`.\n\
         pub(crate) const SPEC_OPERATIONS: &[crate::spec::Operation] = &[\n{rows}];\n\n\
         /// The operation progenitor names `name`.\n\
         pub(crate) fn spec_operation(name: &str) -> Option<&'static crate::spec::Operation> {{\n\
         \x20   match name {{\n{names}        _ => None,\n    }}\n}}\n\n\
         /// Each operation, named as progenitor names its method.\n\
         #[allow(non_upper_case_globals, dead_code)]\n\
         pub(crate) mod operation {{\n\
         \x20   use crate::spec::Operation;\n{constants}}}\n"
    ))
}

/// The text of the path template `path` around its parameters: `["/v1/things/", ""]`
/// for `/v1/things/{name}`.
fn path_literals(path: &str) -> Result<Vec<&str>, String> {
    let mut literals = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| {
            format!("{SPEC}: the path {path} opens a parameter it does not close")
        })?;
        literals.push(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    literals.push(rest);
    Ok(literals)
}

/// The variant of `crate::transport::retry::Retry` the extension `x-turso-retry` of the operation
/// `id` names. Every operation has one; a read is always `repeatable`.
fn retry_class(id: &str, method: &str, op: &Operation) -> Result<&'static str, String> {
    const EXTENSION: &str = "x-turso-retry";
    let Some(value) = op.extensions.get(EXTENSION) else {
        return Err(format!(
            "{SPEC}: {id} has no {EXTENSION}; write `repeatable` (it may be sent again when \
             its outcome is unknown) or `once`"
        ));
    };
    let class = match value.as_str() {
        Some("repeatable") => "Repeatable",
        Some("once") => "Once",
        _ => {
            return Err(format!(
                "{SPEC}: {EXTENSION} of {id} is {value}; write `repeatable` (it may be sent \
                 again when its outcome is unknown) or `once`"
            ));
        }
    };
    if method == "get" && class == "Once" {
        return Err(format!(
            "{SPEC}: {id} is a GET marked `{EXTENSION}: once`; reads are `repeatable`"
        ));
    }
    Ok(class)
}

#[cfg(test)]
mod tests {
    use super::{operation_table, secret_methods, success_schemas};
    use crate::spec_with;

    fn operation(id: &str, method: &str, retry: &str, schema: &str) -> String {
        format!(
            "    {method}:\n      operationId: {id}\n{retry}      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/{schema}'}}\n        '400':\n          description: no\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Error'}}\n"
        )
    }

    const SCHEMAS: &str = "    Token:\n      type: object\n      properties:\n        jwt: {$ref: '#/components/schemas/Secret'}\n    Minted:\n      type: object\n      properties:\n        token: {$ref: '#/components/schemas/Token'}\n    Secret: {type: string}\n    Plain: {type: object}\n";

    /// A spec with a list (repeatable) and a mint whose answer carries a secret (once).
    fn list_and_mint() -> openapiv3::OpenAPI {
        let paths = format!(
            "  /tokens:\n{}{}",
            operation(
                "listTokens",
                "get",
                "      x-turso-retry: repeatable\n",
                "Plain"
            ),
            operation("mintToken", "post", "      x-turso-retry: once\n", "Minted"),
        );
        spec_with(&paths, SCHEMAS)
    }

    #[test]
    fn the_table_has_a_row_and_a_constant_per_operation_with_its_retry_class() {
        let table = operation_table(&list_and_mint()).unwrap();
        assert!(table.contains(
            "crate::spec::Operation { id: \"listTokens\", method: \"GET\", path: \"/tokens\", \
             path_literals: &[\"/tokens\"], secret_answer: false, retry: crate::transport::retry::Retry::Repeatable },"
        ), "{table}");
        assert!(
            table.contains("id: \"mintToken\", method: \"POST\""),
            "{table}"
        );
        assert!(
            table.contains("secret_answer: true, retry: crate::transport::retry::Retry::Once"),
            "{table}"
        );
        assert!(
            table.contains("pub(crate) const mint_token: &Operation = &super::SPEC_OPERATIONS[1];")
        );
        assert!(table.contains("\"list_tokens\" => Some(&SPEC_OPERATIONS[0]),"));
    }

    #[test]
    fn path_literals_are_the_text_around_parameters() {
        use super::path_literals;
        assert_eq!(path_literals("/v1/things").unwrap(), ["/v1/things"]);
        assert_eq!(
            path_literals("/v1/things/{name}").unwrap(),
            ["/v1/things/", ""]
        );
        assert_eq!(
            path_literals("/v1/{org}/things/{name}/rotate").unwrap(),
            ["/v1/", "/things/", "/rotate"]
        );
        assert!(
            path_literals("/v1/{org")
                .unwrap_err()
                .contains("does not close")
        );
    }

    #[test]
    fn a_missing_or_wrong_retry_class_fails_naming_the_operation() {
        let missing = format!(
            "  /tokens:\n{}",
            operation("listTokens", "get", "", "Plain")
        );
        let error = operation_table(&spec_with(&missing, SCHEMAS)).unwrap_err();
        assert!(error.contains("listTokens has no x-turso-retry"), "{error}");

        let wrong = format!(
            "  /tokens:\n{}",
            operation(
                "mintToken",
                "post",
                "      x-turso-retry: sometimes\n",
                "Plain"
            )
        );
        let error = operation_table(&spec_with(&wrong, SCHEMAS)).unwrap_err();
        assert!(
            error.contains("x-turso-retry of mintToken is \"sometimes\""),
            "{error}"
        );

        let read_once = format!(
            "  /tokens:\n{}",
            operation("listTokens", "get", "      x-turso-retry: once\n", "Plain")
        );
        let error = operation_table(&spec_with(&read_once, SCHEMAS)).unwrap_err();
        assert!(
            error.contains("listTokens is a GET marked `x-turso-retry: once`"),
            "{error}"
        );
    }

    #[test]
    fn a_secret_is_found_through_other_schemas() {
        let spec = list_and_mint();
        assert_eq!(secret_methods(&spec), ["mint_token".to_owned()].into());
        let (_, _, mint) = spec.operations().nth(1).unwrap();
        let schemas: Vec<String> = success_schemas(&spec, mint).into_iter().collect();
        assert_eq!(
            schemas,
            ["Minted", "Secret", "Token"],
            "not the error's schema"
        );
    }
}
