//! Generates the HTTP client from `openapi.yaml` with progenitor.
//!
//! The generated code goes to `$OUT_DIR/turso_platform_generated.rs`, which
//! `src/generated.rs` includes. It is never edited by hand: change the spec and
//! rebuild. When the spec is wrong, the build fails with a message that names the
//! problem instead of a panic from inside the generator.

use std::{collections::BTreeSet, env, fmt::Write as _, fs, path::PathBuf, process::ExitCode};

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};

const SPEC: &str = "openapi.yaml";
const OUT_FILE: &str = "turso_platform_generated.rs";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SPEC}");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let text = fs::read_to_string(SPEC).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec: OpenAPI = serde_norway::from_str(&text)
        .map_err(|e| format!("{SPEC} is not an OpenAPI 3.0 document: {e}"))?;
    check(&spec)?;
    let optional_bodies = optional_body_operations(&spec)?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq")
        // Hand-written types that validate their values and explain what is wrong.
        .with_replacement("Expiration", "crate::Expiration", wire_string_impls())
        .with_replacement("Authorization", "crate::Authorization", wire_string_impls())
        .with_replacement("Scope", "crate::Scope", wire_string_impls())
        // Secrets never exist as plain `String`s, not even in the generated types.
        .with_replacement("Secret", "crate::secret::WireSecret", [].into_iter());

    // progenitor panics on some specs `check` does not foresee: turn that into a build
    // error too, without the panic's own report.
    std::panic::set_hook(Box::new(|_| {}));
    let generated =
        std::panic::catch_unwind(move || Generator::new(&settings).generate_tokens(&spec));
    let _ = std::panic::take_hook();
    let tokens = generated
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown reason");
            format!("progenitor cannot generate a client from {SPEC}: {why}")
        })?
        .map_err(|e| format!("progenitor cannot generate a client from {SPEC}: {e}"))?;
    let file = syn::parse2(tokens)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    let mut code = prettyplease::unparse(&file);
    code.push_str(&optional_bodies);

    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join(OUT_FILE);
    fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn wire_string_impls() -> impl Iterator<Item = TypeImpl> {
    [TypeImpl::Default, TypeImpl::Display, TypeImpl::FromStr].into_iter()
}

/// What progenitor needs and does not check itself, reported by name.
fn check(spec: &OpenAPI) -> Result<(), String> {
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
                    let is_success = matches!(status, StatusCode::Code(200..=299))
                        || matches!(status, StatusCode::Range(2));
                    if is_success == success {
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

/// The operations whose request body the spec marks optional, by the names progenitor
/// gives them. progenitor always sends a body; the client's `pre` hook drops an empty
/// one for these operations, so that "no options" means "no body" as the API expects.
fn optional_body_operations(spec: &OpenAPI) -> Result<String, String> {
    let mut names = Vec::new();
    for (_, _, op) in spec.operations() {
        let optional = match &op.request_body {
            Some(ReferenceOr::Item(body)) => !body.required,
            Some(ReferenceOr::Reference { reference }) => {
                return Err(format!("{SPEC}: request body {reference} must be inline"));
            }
            None => false,
        };
        if let (true, Some(id)) = (optional, &op.operation_id) {
            names.push(id.to_snake_case());
        }
    }
    let mut out = String::from(
        "\n/// Operations whose request body `openapi.yaml` marks optional (`required: false`).\n\
         pub(crate) const OPTIONAL_BODY_OPERATIONS: &[&str] = &[",
    );
    for name in names {
        let _ = write!(out, "{name:?}, ");
    }
    out.push_str("];\n");
    Ok(out)
}
