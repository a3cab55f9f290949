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
use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};
use proc_macro2::{Group, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
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

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        // What the hooks apply to every request: the token, the origin it may go to,
        // the largest answer read.
        .with_inner_type(
            "crate::hooks::RequestPolicy"
                .parse()
                .map_err(|e| format!("{e}"))?,
        )
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
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    Adjust::default().apply(&mut file, path_parameters)?;
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

/// What the spec says of each operation that the hand-written code needs, as a table of
/// `crate::hooks::SpecOperation` (operationId, method, path template, whether the request
/// body is optional) and a function from the name progenitor gives an operation (its
/// operationId in snake case) to its row. The `pre` hook checks every request's path against its template and
/// drops an empty optional body (progenitor always sends one; "no options" means "no
/// body" to the API); the fake names operations by method and path.
fn operation_table(spec: &OpenAPI) -> Result<String, String> {
    let mut rows = String::new();
    let mut names = String::new();
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
        let method = method.to_uppercase();
        let _ = writeln!(
            rows,
            "    crate::hooks::SpecOperation {{ id: {id:?}, method: {method:?}, path: {path:?}, \
             optional_body: {optional_body} }},"
        );
        let _ = writeln!(
            names,
            "        {name:?} => Some(&SPEC_OPERATIONS[{index}]),"
        );
    }
    Ok(format!(
        "\n/// Every operation of `openapi.yaml`.\n\
         pub(crate) const SPEC_OPERATIONS: &[crate::hooks::SpecOperation] = &[\n{rows}];\n\n\
         /// The operation progenitor names `name`.\n\
         pub(crate) fn spec_operation(name: &str) -> Option<&'static crate::hooks::SpecOperation> {{\n\
         \x20   match name {{\n{names}        _ => None,\n    }}\n}}\n"
    ))
}

/// The changes made to progenitor's output, for what progenitor has no setting for:
///
/// - path parameters are encoded by `crate::path::encode_path`, which leaves nothing
///   for the URL parser to reinterpret (progenitor's own leaves `\`, which the URL
///   standard reads as `/`);
/// - no `api-version` header: progenitor sends the spec document's version with every
///   request, which the Turso API never asked for;
/// - every generated type is `#[non_exhaustive]`, so that a new optional field in the
///   spec is a minor change for Rust users;
/// - a list the API writes as `null` (Go's nil slice) decodes as empty;
/// - in an answer that carries a secret, every other field decodes leniently (a missing,
///   `null` or malformed field takes its default), so that the secret is never lost
///   because of it;
/// - every generated struct gets `Default` and a `with_<field>` setter per field, so that
///   code outside the crate (tests, fakes) can still build one.
#[derive(Default)]
struct Adjust {
    encoded_paths: usize,
}

impl Adjust {
    fn apply(mut self, file: &mut syn::File, path_parameters: bool) -> Result<(), String> {
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
            if let syn::Item::Struct(item) = item {
                adjust_type(item)?;
                if defaultable.contains(&item.ident.to_string()) {
                    constructors.push(setters(item, !derives_default(item))?);
                }
            }
        }
        types.1.extend(constructors);
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
    /// `encode_path` becomes `crate::path::encode_path` in a macro's tokens.
    fn encode_paths(&mut self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .flat_map(|token| match token {
                TokenTree::Ident(ident) if ident == "encode_path" => {
                    self.encoded_paths += 1;
                    "crate::path::encode_path"
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
/// API is known to differ from the spec.
fn adjust_type(item: &mut syn::ItemStruct) -> Result<(), String> {
    item.attrs.extend(attributes("#[non_exhaustive]")?);
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Ok(());
    };
    let carries_secret = fields
        .named
        .iter()
        .any(|field| type_ends_with(&field.ty, "WireSecret"));
    for field in &mut fields.named {
        if carries_secret && !type_ends_with(&field.ty, "WireSecret") {
            field.attrs.extend(attributes(
                "#[serde(default, deserialize_with = \"crate::lenient::or_default\")]",
            )?);
        } else if type_ends_with(&field.ty, "Vec") {
            field.attrs.extend(attributes(
                "#[serde(deserialize_with = \"crate::lenient::null_as_empty\")]",
            )?);
        }
    }
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
                                "String",
                                "Option",
                                "Vec",
                                "bool",
                                "i32",
                                "i64",
                                "u32",
                                "u64",
                                "f32",
                                "f64",
                                "WireSecret",
                                "Expiration",
                                "Authorization",
                            ]
                            .contains(&name.as_str())
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
/// `add_default`: a field `Option<T>` is set from `impl Into<T>`, a list from an iterator
/// of `impl Into<T>`, any other field from `impl Into<its type>`.
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
        let segment = last_segment(&field.ty).ok_or("build.rs: a field type without a path")?;
        let inner = match &segment.arguments {
            syn::PathArguments::AngleBracketed(args) => {
                args.args.iter().find_map(|arg| match arg {
                    syn::GenericArgument::Type(ty) => Some(ty.clone()),
                    _ => None,
                })
            }
            _ => None,
        };
        let (parameter, value, ty) = match (segment.ident.to_string().as_str(), inner) {
            ("Option", Some(inner)) => (
                "impl ::std::convert::Into<__Field>",
                "::std::option::Option::Some(value.into())",
                inner,
            ),
            ("Vec", Some(inner)) => (
                "impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<__Field>>",
                "value.into_iter().map(::std::convert::Into::into).collect()",
                inner,
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

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}
