//! Generates the HTTP client from `openapi.yaml` with progenitor.
//!
//! The generated code goes to `$OUT_DIR/turso_platform_generated.rs`, which
//! `src/generated.rs` includes. It is never edited by hand: change the spec and
//! rebuild. When the spec is wrong, the build fails with a message that names the
//! problem instead of a panic from inside the generator.
//!
//! progenitor's output is then adjusted where it has no setting for what this crate
//! needs (see [`Adjust`]), and a table of what the spec says of each operation is
//! appended for the client's hooks.

use std::{collections::BTreeSet, env, fmt::Write as _, fs, path::PathBuf, process::ExitCode};

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, Operation, ReferenceOr, Response, StatusCode};
use proc_macro2::{Group, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl, TypePatch};
use schemars::schema::{InstanceType, SchemaObject, StringValidation};
use syn::visit_mut::{self, VisitMut};

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
    let table = operation_table(&spec)?;
    let path_parameters = spec.paths.paths.keys().any(|path| path.contains('{'));
    let answers = answer_types(&spec);
    let secret_methods = secret_methods(&spec);

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        // What the hooks apply to every request: the token, the origin it may go to,
        // the largest answer read.
        .with_inner_type(
            "crate::transport::request_policy::RequestPolicy"
                .parse()
                .map_err(|e| format!("{e}"))?,
        )
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap");
    for replacement in REPLACEMENTS {
        settings.with_replacement(replacement.schema, replacement.rust, replacement.impls());
    }
    for (from, to) in RENAMES {
        settings.with_patch(from, TypePatch::default().with_rename(to));
    }
    for schema in plain_strings(&spec) {
        settings.with_conversion(schema, "::std::string::String", [].into_iter());
    }

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
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    Adjust {
        secret_methods,
        ..Adjust::default()
    }
    .apply(&mut file, path_parameters, &answers)?;
    let mut code = prettyplease::unparse(&file);
    if code.contains("\"api-version\"") {
        return Err(
            "progenitor's output changed shape: build.rs no longer finds the api-version \
             header it removes; update `Adjust` in build.rs"
                .to_owned(),
        );
    }
    code.push_str(&table);

    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join(OUT_FILE);
    fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// The string schemas that stay `String`s in Rust: those with a `pattern` (typify would
/// check it with a regex crate at run time) and dates (typify would bring chrono). The
/// hand-written layer validates what it sends, and takes and gives dates as
/// `SystemTime`.
fn plain_strings(spec: &OpenAPI) -> Vec<SchemaObject> {
    use openapiv3::{SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};

    fn walk(schema: &openapiv3::Schema, out: &mut Vec<SchemaObject>) {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let date = matches!(
                    string.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime)
                );
                if date || string.pattern.is_some() {
                    out.push(SchemaObject {
                        instance_type: Some(InstanceType::String.into()),
                        format: date.then(|| "date-time".to_owned()),
                        string: string.pattern.as_ref().map(|pattern| {
                            Box::new(StringValidation {
                                pattern: Some(pattern.clone()),
                                ..StringValidation::default()
                            })
                        }),
                        ..SchemaObject::default()
                    });
                }
            }
            SchemaKind::Type(Type::Object(object)) => {
                for property in object.properties.values() {
                    if let ReferenceOr::Item(property) = property {
                        walk(property, out);
                    }
                }
            }
            SchemaKind::Type(Type::Array(array)) => {
                if let Some(ReferenceOr::Item(items)) = &array.items {
                    walk(items, out);
                }
            }
            _ => {}
        }
    }

    let mut out = Vec::new();
    let components = spec.components.iter();
    for (name, schema) in components.clone().flat_map(|c| &c.schemas) {
        // Replaced by hand-written types, which validate their values.
        if REPLACEMENTS.iter().any(|r| r.schema == name) {
            continue;
        }
        if let ReferenceOr::Item(schema) = schema {
            walk(schema, &mut out);
        }
    }
    let parameters = components
        .flat_map(|c| c.parameters.values())
        .chain(spec.operations().flat_map(|(_, _, op)| &op.parameters));
    for parameter in parameters {
        if let ReferenceOr::Item(parameter) = parameter
            && let openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) =
                &parameter.parameter_data_ref().format
        {
            walk(schema, &mut out);
        }
    }
    out
}

/// The Rust names of the schemas a successful answer is made of, directly or through
/// other schemas.
fn answer_types(spec: &OpenAPI) -> BTreeSet<String> {
    use heck::ToUpperCamelCase;

    spec.operations()
        .flat_map(|(_, _, op)| success_schemas(spec, op))
        .map(|name| name.to_upper_camel_case())
        .collect()
}

/// The names of the schemas (in `components`) the successful answers of `op` are made
/// of, directly or through other schemas.
fn success_schemas(spec: &OpenAPI, op: &Operation) -> BTreeSet<String> {
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
fn secret_methods(spec: &OpenAPI) -> BTreeSet<String> {
    spec.operations()
        .filter(|(_, _, op)| success_schemas(spec, op).contains("Secret"))
        .filter_map(|(_, _, op)| Some(op.operation_id.as_deref()?.to_snake_case()))
        .collect()
}

/// Whether `status` is a success (2xx).
fn is_success(status: &StatusCode) -> bool {
    matches!(status, StatusCode::Code(200..=299) | StatusCode::Range(2))
}

/// A schema replaced by a hand-written type.
struct Replacement {
    /// The schema's name in `components`.
    schema: &'static str,
    /// The Rust type that replaces it.
    rust: &'static str,
    /// Whether the type has `Default`.
    default: bool,
    /// Whether it is a wire string (`Display` and `FromStr`).
    wire_string: bool,
}

impl Replacement {
    /// The type's last path segment, as it appears in the generated code.
    fn name(&self) -> &'static str {
        self.rust.rsplit("::").next().unwrap_or(self.rust)
    }

    /// What the type implements, for typify.
    fn impls(&self) -> impl Iterator<Item = TypeImpl> {
        let default = self.default.then_some(TypeImpl::Default);
        let wire = self
            .wire_string
            .then_some([TypeImpl::Display, TypeImpl::FromStr]);
        default.into_iter().chain(wire.into_iter().flatten())
    }
}

/// The schemas replaced by hand-written types: wire strings that validate their values
/// and explain what is wrong, and secrets, which never exist as plain `String`s, not
/// even in the generated types.
const REPLACEMENTS: &[Replacement] = &[
    Replacement {
        schema: "Expiration",
        rust: "crate::Expiration",
        default: true,
        wire_string: true,
    },
    Replacement {
        schema: "Authorization",
        rust: "crate::Authorization",
        default: true,
        wire_string: true,
    },
    Replacement {
        schema: "Scope",
        rust: "crate::Scope",
        default: false,
        wire_string: true,
    },
    Replacement {
        schema: "AssignableRole",
        rust: "crate::MemberRole",
        default: false,
        wire_string: true,
    },
    Replacement {
        schema: "Secret",
        rust: "crate::codecs::secret::WireSecret",
        default: true,
        wire_string: false,
    },
    Replacement {
        schema: "EncryptionKey",
        rust: "crate::codecs::secret::WireSecret",
        default: true,
        wire_string: false,
    },
];

/// Names for the enums typify derives from inline schemas.
const RENAMES: [(&str, &str); 4] = [
    ("RemoteEncryptionEncryptionCipher", "EncryptionCipher"),
    ("ExtensionsArrayItem", "Extension"),
    ("ExtensionsString", "AllExtensions"),
    ("DatabaseSeedType", "SeedKind"),
];

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

/// What the spec says of each operation that the hand-written code needs, as a table of
/// `crate::spec::Operation` (operationId, method, path template, whether the request
/// body is optional, whether a successful answer carries a secret, its retry class), a
/// constant per operation named as progenitor names its method (`operation::create_database`),
/// with which the client runs that method, and a function from that name to its row, with
/// which the `pre` hook checks every request's path against its template and drops an
/// empty optional body (progenitor always sends one; "no options" means "no body" to the
/// API). The fake names operations by method and path.
fn operation_table(spec: &OpenAPI) -> Result<String, String> {
    let mut rows = String::new();
    let mut names = String::new();
    let mut constants = String::new();
    for (index, (path, method, op)) in spec.operations().enumerate() {
        let optional_body = match &op.request_body {
            Some(ReferenceOr::Item(body)) => !body.required,
            Some(ReferenceOr::Reference { reference }) => {
                return Err(format!("{SPEC}: request body {reference} must be inline"));
            }
            None => false,
        };
        let id = op.operation_id.as_deref().unwrap_or_default();
        let name = id.to_snake_case();
        let retry = retry_class(id, method, op)?;
        let method = method.to_uppercase();
        // An answer that carries a secret: made of the `Secret` schema somewhere.
        let secret_answer = success_schemas(spec, op).contains("Secret");
        let _ = writeln!(
            rows,
            "    crate::spec::Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, \
             optional_body: {optional_body}, secret_answer: {secret_answer}, \
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

/// The changes made to progenitor's output, for what progenitor has no setting for:
///
/// - path parameters are encoded by `crate::transport::path::encode_path`, which leaves nothing
///   for the URL parser to reinterpret (progenitor's own leaves `\`, which the URL
///   standard reads as `/`);
/// - no `api-version` header: progenitor sends the spec document's version with every
///   request, which the Turso API never asked for;
/// - the operations whose answer carries a secret decode their answers with
///   `crate::codecs::secret::redacted_response`, whose errors quote no byte of the body;
/// - every generated type is `#[non_exhaustive]`, so that a new optional field or enum
///   value in the spec is a minor change for Rust users;
/// - in an answer, a nullable list (`Option<Vec<T>>`) is a `Vec<T>`, empty for `null`,
///   and a list is written even when empty (`[]`, as the API writes it);
///   in a request, an optional list is an `Option<Vec<T>>`, since absent and empty differ;
/// - a list or map the API writes as `null` (Go's nil slice or map) decodes as empty;
/// - in an answer that carries a secret, every other field decodes leniently (a missing,
///   `null` or malformed field takes its default), so that the secret is never lost
///   because of it;
/// - every generated struct gets `Default` and a `with_<field>` setter per field, so that
///   code outside the crate (tests, fakes) can still build one.
#[derive(Default)]
struct Adjust {
    encoded_paths: usize,
    /// The methods whose answers are decoded without quoting them.
    secret_methods: BTreeSet<String>,
    /// How many decodings of theirs were replaced.
    redacted_decodings: usize,
}

impl Adjust {
    fn apply(
        mut self,
        file: &mut syn::File,
        path_parameters: bool,
        answers: &BTreeSet<String>,
    ) -> Result<(), String> {
        self.visit_file_mut(file);
        let types = file
            .items
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
                _ => None,
            })
            .ok_or("progenitor generated no `types` module")?;
        let defaultable = defaultable_structs(&types.1);
        let mut constructors = Vec::new();
        for item in &mut types.1 {
            if let syn::Item::Enum(item) = item {
                item.attrs.extend(attributes("#[non_exhaustive]")?);
            }
            if let syn::Item::Struct(item) = item {
                let answer = answers.contains(&item.ident.to_string());
                adjust_type(item, answer)?;
                if defaultable.contains(&item.ident.to_string()) {
                    constructors.push(setters(item, !derives_default(item))?);
                }
            }
        }
        types.1.extend(constructors);
        if self.redacted_decodings < self.secret_methods.len() {
            return Err(
                "progenitor's output changed shape: build.rs no longer finds the decoding of \
                 the answers that carry a secret; update `Adjust` in build.rs"
                    .to_owned(),
            );
        }
        if path_parameters && self.encoded_paths == 0 {
            return Err(
                "progenitor's output changed shape: build.rs no longer finds the path encoding \
                 it replaces; update `Adjust` in build.rs"
                    .to_owned(),
            );
        }
        Ok(())
    }
}

impl VisitMut for Adjust {
    /// In a method of an operation whose answer carries a secret, every
    /// `ResponseValue::from_response(..)` becomes `crate::codecs::secret::redacted_response(..)`.
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        if self.secret_methods.contains(&method.sig.ident.to_string()) {
            let mut redact = RedactDecoding(0);
            redact.visit_block_mut(&mut method.block);
            if redact.0 > 0 {
                self.redacted_decodings += 1;
            }
        }
        visit_mut::visit_impl_item_fn_mut(self, method);
    }

    /// progenitor encodes path parameters inside `format!(...)`, whose arguments syn
    /// keeps as tokens.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = self.encode_paths(std::mem::take(&mut mac.tokens));
        visit_mut::visit_macro_mut(self, mac);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !mentions_api_version(stmt));
        let removed = before - block.stmts.len();
        if removed > 0 {
            // The header map was sized for the removed headers.
            for stmt in &mut block.stmts {
                shrink_header_capacity(stmt, removed);
            }
        }
        visit_mut::visit_block_mut(self, block);
    }
}

impl Adjust {
    /// `encode_path` becomes `crate::transport::path::encode_path` in a macro's tokens.
    fn encode_paths(&mut self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .flat_map(|token| match token {
                TokenTree::Ident(ident) if ident == "encode_path" => {
                    self.encoded_paths += 1;
                    "crate::transport::path::encode_path"
                        .parse::<TokenStream>()
                        .expect("a path")
                        .into_iter()
                        .collect::<Vec<_>>()
                }
                TokenTree::Group(group) => {
                    let mut inner =
                        Group::new(group.delimiter(), self.encode_paths(group.stream()));
                    inner.set_span(group.span());
                    vec![TokenTree::Group(inner)]
                }
                other => vec![other],
            })
            .collect()
    }
}

/// Replaces progenitor's decoding of an answer with `crate::codecs::secret::redacted_response`,
/// counting the replacements.
struct RedactDecoding(usize);

impl VisitMut for RedactDecoding {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(func) = call.func.as_mut() {
            let names: Vec<String> = func
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if names == ["ResponseValue", "from_response"]
                && let Ok(path) = syn::parse_str("crate::codecs::secret::redacted_response")
            {
                func.path = path;
                self.0 += 1;
            }
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}

/// Whether a statement is progenitor's `header_map.append("api-version", ...)`.
fn mentions_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.iter().any(|arg| {
            let syn::Expr::Call(inner) = arg else {
                return false;
            };
            inner.args.iter().any(|a| {
                matches!(a, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })
                    if s.value() == "api-version")
            })
        })
}

/// `let mut header_map = HeaderMap::with_capacity(N)` becomes `N - removed`.
fn shrink_header_capacity(stmt: &mut syn::Stmt, removed: usize) {
    let syn::Stmt::Local(local) = stmt else {
        return;
    };
    let Some(init) = &mut local.init else {
        return;
    };
    let syn::Expr::Call(call) = init.expr.as_mut() else {
        return;
    };
    let syn::Expr::Path(func) = call.func.as_ref() else {
        return;
    };
    if func
        .path
        .segments
        .last()
        .is_none_or(|s| s.ident != "with_capacity")
    {
        return;
    }
    if let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(n),
        ..
    })) = call.args.first_mut()
        && let Ok(value) = n.base10_parse::<usize>()
    {
        *n = syn::LitInt::new(&format!("{}usize", value.saturating_sub(removed)), n.span());
    }
}

/// Marks a generated struct `#[non_exhaustive]` and makes its decoding lenient where the
/// API is known to differ from the spec; `answer` says whether it is (part of) a
/// successful answer.
fn adjust_type(item: &mut syn::ItemStruct, answer: bool) -> Result<(), String> {
    item.attrs.extend(attributes("#[non_exhaustive]")?);
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Ok(());
    };
    let carries_secret = answer
        && fields
            .named
            .iter()
            .any(|field| type_ends_with(&field.ty, "WireSecret"));
    for field in &mut fields.named {
        if answer {
            optional_list_as_list(field)?;
            list_always_written(field)?;
        } else {
            list_as_optional_list(field)?;
        }
        if carries_secret && !type_ends_with(&field.ty, "WireSecret") {
            field.attrs.extend(attributes(
                "#[serde(default, deserialize_with = \"crate::codecs::lenient::or_default\")]",
            )?);
        } else if ["Vec", "BTreeMap", "Map"]
            .iter()
            .any(|name| type_ends_with(&field.ty, name))
        {
            field.attrs.extend(attributes(
                "#[serde(deserialize_with = \"crate::codecs::lenient::null_as_empty\")]",
            )?);
        }
    }
    Ok(())
}

/// In an answer, a list is written even when empty (`[]`, as the API writes it, not left
/// out, which clients that read the field would take for a missing one): what serializes
/// answers (the fake) writes what clients read.
fn list_always_written(field: &mut syn::Field) -> Result<(), String> {
    let skipped = field.attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && matches!(&attr.meta, syn::Meta::List(list)
                if list.tokens.to_string().contains("skip_serializing_if"))
    });
    if !type_ends_with(&field.ty, "Vec") || !skipped {
        return Ok(());
    }
    field.attrs.retain(|attr| !attr.path().is_ident("serde"));
    field.attrs.extend(attributes("#[serde(default)]")?);
    Ok(())
}

/// In a request, an optional list `Vec<T>` (which typify leaves out when empty) becomes
/// `Option<Vec<T>>`: absent and empty differ there ("leave it as it is" and "clear it").
fn list_as_optional_list(field: &mut syn::Field) -> Result<(), String> {
    let skipped_when_empty = field.attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && matches!(&attr.meta, syn::Meta::List(list)
                if list.tokens.to_string().contains("Vec::is_empty"))
    });
    if !type_ends_with(&field.ty, "Vec") || !skipped_when_empty {
        return Ok(());
    }
    let mut optional: syn::Type =
        syn::parse_str("::std::option::Option<__Field>").map_err(|e| format!("build.rs: {e}"))?;
    FieldType(field.ty.clone()).visit_type_mut(&mut optional);
    field.ty = optional;
    field.attrs.retain(|attr| !attr.path().is_ident("serde"));
    field.attrs.extend(attributes(
        "#[serde(default, skip_serializing_if = \"::std::option::Option::is_none\")]",
    )?);
    Ok(())
}

/// A field `Option<Vec<T>>` (a nullable list) becomes `Vec<T>`: `null`, absent and empty
/// mean the same, and users get one way to read it.
fn optional_list_as_list(field: &mut syn::Field) -> Result<(), String> {
    let ("Option", inner) = wrapper(&field.ty)? else {
        return Ok(());
    };
    if wrapper(&inner)?.0 != "Vec" {
        return Ok(());
    }
    field.ty = inner;
    // `skip_serializing_if = Option::is_none` no longer fits.
    field.attrs.retain(|attr| !attr.path().is_ident("serde"));
    field.attrs.extend(attributes(
        "#[serde(default, skip_serializing_if = \"::std::vec::Vec::is_empty\")]",
    )?);
    Ok(())
}

fn attributes(text: &str) -> Result<Vec<syn::Attribute>, String> {
    use syn::parse::Parser;
    syn::Attribute::parse_outer
        .parse_str(text)
        .map_err(|e| format!("build.rs: {text}: {e}"))
}

/// Whether a type's path ends with the segment `name` (`::std::vec::Vec<T>` ends with `Vec`).
fn type_ends_with(ty: &syn::Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name)
}

/// The structs of `types` whose every field has a default: strings, numbers, booleans,
/// options, lists, secrets, the hand-written `Expiration` and `Authorization`, and other
/// such structs.
fn defaultable_structs(items: &[syn::Item]) -> BTreeSet<String> {
    let structs: Vec<&syn::ItemStruct> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item),
            _ => None,
        })
        .collect();
    let mut defaultable: BTreeSet<String> =
        structs.iter().map(|item| item.ident.to_string()).collect();
    loop {
        let before = defaultable.len();
        defaultable = structs
            .iter()
            .filter(|item| {
                item.fields.iter().all(|field| {
                    let name = last_segment(&field.ty).map(|s| s.ident.to_string());
                    name.is_some_and(|name| {
                        defaultable.contains(&name)
                            || [
                                "String", "Option", "Vec", "BTreeMap", "Map", "bool", "i32", "i64",
                                "u32", "u64", "f32", "f64",
                            ]
                            .contains(&name.as_str())
                            || REPLACEMENTS.iter().any(|r| r.default && r.name() == name)
                    })
                })
            })
            .map(|item| item.ident.to_string())
            .collect();
        if defaultable.len() == before {
            return defaultable;
        }
    }
}

fn derives_default(item: &syn::ItemStruct) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && matches!(&attr.meta, syn::Meta::List(list)
                if list.tokens.to_string().split(',').any(|d| d.trim() == "Default"))
    })
}

/// `impl Name { with_<field>... }`, and `#[derive(Default)]` added to the struct if
/// `add_default`: a field `Option<T>` is set from `impl Into<T>`, a list (`Vec<T>` or
/// `Option<Vec<T>>`) from an iterator of `impl Into<T>`, any other field from
/// `impl Into<its type>`.
fn setters(item: &mut syn::ItemStruct, add_default: bool) -> Result<syn::Item, String> {
    if add_default {
        item.attrs.extend(attributes("#[derive(Default)]")?);
    }
    let name = &item.ident;
    let mut methods = String::new();
    let mut types = Vec::new();
    for field in &item.fields {
        let Some(ident) = &field.ident else { continue };
        let field_name = ident.to_string();
        let field_name = field_name.trim_start_matches("r#");
        let (parameter, value, ty) = match wrapper(&field.ty)? {
            ("Option", inner) => match wrapper(&inner)? {
                ("Vec", item) => (
                    "impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<__Field>>",
                    "::std::option::Option::Some(\
                     value.into_iter().map(::std::convert::Into::into).collect())",
                    item,
                ),
                _ => (
                    "impl ::std::convert::Into<__Field>",
                    "::std::option::Option::Some(value.into())",
                    inner,
                ),
            },
            ("Vec", item) => (
                "impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<__Field>>",
                "value.into_iter().map(::std::convert::Into::into).collect()",
                item,
            ),
            _ => (
                "impl ::std::convert::Into<__Field>",
                "value.into()",
                field.ty.clone(),
            ),
        };
        let _ = write!(
            methods,
            "/// Sets `{field_name}`.\n\
             pub fn with_{field_name}(mut self, value: {parameter}) -> Self {{ \
             self.{ident} = {value}; self }}\n"
        );
        types.push(ty);
    }
    let mut block: syn::ItemImpl = syn::parse_str(&format!(
        "/// Builders for code outside this crate, which cannot write a literal of this \
         `#[non_exhaustive]` type: start from `Default::default()`.\n\
         impl {name} {{ {methods} }}"
    ))
    .map_err(|e| format!("build.rs: setters of {name}: {e}"))?;
    for (method, ty) in block.items.iter_mut().zip(types) {
        FieldType(ty).visit_impl_item_mut(method);
    }
    Ok(syn::Item::Impl(block))
}

/// Puts a field's type where a setter's template says `__Field`.
struct FieldType(syn::Type);

impl VisitMut for FieldType {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if matches!(ty, syn::Type::Path(path) if path.path.is_ident("__Field")) {
            *ty = self.0.clone();
        } else {
            visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// The name of a type's last path segment and its first type argument (`("Option", T)`
/// for `Option<T>`); `("", ty)` for a type without one.
fn wrapper(ty: &syn::Type) -> Result<(&'static str, syn::Type), String> {
    let segment = last_segment(ty).ok_or("build.rs: a field type without a path")?;
    let inner = match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        }),
        _ => None,
    };
    Ok(match (segment.ident.to_string().as_str(), inner) {
        ("Option", Some(inner)) => ("Option", inner),
        ("Vec", Some(inner)) => ("Vec", inner),
        _ => ("", ty.clone()),
    })
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}
