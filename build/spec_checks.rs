//! What progenitor needs of the spec and does not check itself, reported by name.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, ReferenceOr, Response};

use crate::SPEC;
use crate::operations::is_success;

/// What progenitor needs and does not check itself, reported by name.
pub(crate) fn check(spec: &OpenAPI) -> Result<(), String> {
    if !spec.openapi.starts_with("3.0.") {
        return Err(format!(
            "{SPEC} declares `openapi: {}`; progenitor only reads OpenAPI 3.0.x",
            spec.openapi
        ));
    }
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            return Err(format!(
                "{SPEC}: path {path} is a $ref, which progenitor cannot follow"
            ));
        };
        for (method, op) in item.iter() {
            let Some(id) = &op.operation_id else {
                return Err(format!(
                    "{SPEC}: {} {path} has no operationId",
                    method.to_uppercase()
                ));
            };
            if op.responses.default.is_some() {
                return Err(format!(
                    "{SPEC}: {id} declares a `default` response; declare each status instead \
                     (progenitor needs one success shape and one error shape per operation)"
                ));
            }
            for (kind, success) in [("success", true), ("error", false)] {
                let mut shapes = BTreeSet::new();
                for (status, response) in &op.responses.responses {
                    if is_success(status) == success {
                        shapes.insert(body_shape(spec, response)?);
                    }
                }
                if shapes.len() > 1 {
                    return Err(format!(
                        "{SPEC}: {id} has {} different {kind} bodies ({}); progenitor needs \
                         one success shape and one error shape per operation: use one schema \
                         (for errors, the shared `Error`)",
                        shapes.len(),
                        shapes.into_iter().collect::<Vec<_>>().join("; "),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The schema of a response's JSON body, as text, or `no body`.
fn body_shape(spec: &OpenAPI, response: &ReferenceOr<Response>) -> Result<String, String> {
    let response = match response {
        ReferenceOr::Item(response) => response,
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/responses/")
            .and_then(|name| spec.components.as_ref()?.responses.get(name))
            .and_then(ReferenceOr::as_item)
            .ok_or_else(|| format!("{SPEC}: response {reference} is missing"))?,
    };
    Ok(
        match response
            .content
            .get("application/json")
            .and_then(|m| m.schema.as_ref())
        {
            Some(ReferenceOr::Reference { reference }) => reference.clone(),
            Some(ReferenceOr::Item(schema)) => format!("an inline schema {schema:?}"),
            None => "no body".to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::{parse, spec_with};

    const OK: &str = "  /things:\n    get:\n      operationId: listThings\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n";

    #[test]
    fn a_spec_progenitor_can_read_passes() {
        assert_eq!(check(&spec_with(OK, "")), Ok(()));
    }

    #[test]
    fn each_problem_is_named() {
        let v31 = parse("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert!(
            check(&v31)
                .unwrap_err()
                .contains("only reads OpenAPI 3.0.x")
        );

        let no_id = OK.replace("operationId: listThings", "summary: s");
        assert!(
            check(&spec_with(&no_id, ""))
                .unwrap_err()
                .contains("GET /things has no operationId")
        );

        let default = format!("{OK}        default:\n          description: other\n");
        let error = check(&spec_with(&default, "")).unwrap_err();
        assert!(
            error.contains("listThings declares a `default` response"),
            "{error}"
        );

        let two = format!(
            "{OK}        '201':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Other'}}\n"
        );
        let error = check(&spec_with(&two, "    Other: {type: object}\n")).unwrap_err();
        assert!(
            error.contains("listThings has 2 different success bodies"),
            "{error}"
        );
    }
}
