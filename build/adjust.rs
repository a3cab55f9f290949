//! The changes made to progenitor's output, for what progenitor has no setting for.

use std::collections::BTreeSet;

use proc_macro2::{Group, TokenStream, TokenTree};
use syn::visit_mut::{self, VisitMut};

use crate::fields::{FieldType, attributes, type_ends_with, wrapper};
use crate::setters::{defaultable_structs, derives_default, setters};

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
pub(crate) struct Adjust {
    encoded_paths: usize,
    /// The methods whose answers are decoded without quoting them.
    pub(crate) secret_methods: BTreeSet<String>,
    /// How many decodings of theirs were replaced.
    redacted_decodings: usize,
}

impl Adjust {
    /// The adjustments, for a spec whose operations with a secret in their answer
    /// progenitor names `secret_methods`.
    pub(crate) fn new(secret_methods: BTreeSet<String>) -> Self {
        Self {
            secret_methods,
            ..Self::default()
        }
    }

    /// Applies them to progenitor's output `file`; `path_parameters` says whether the spec
    /// has any (so that their encoding must be found), `answers` names the types
    /// successful answers are made of.
    pub(crate) fn apply(
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
                "progenitor's output changed shape: the build script no longer finds the decoding of \
                 the answers that carry a secret; update build/adjust.rs"
                    .to_owned(),
            );
        }
        if path_parameters && self.encoded_paths == 0 {
            return Err(
                "progenitor's output changed shape: the build script no longer finds the path encoding \
                 it replaces; update build/adjust.rs"
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
    let mut optional: syn::Type = syn::parse_str("::std::option::Option<__Field>")
        .map_err(|e| format!("build script: {e}"))?;
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

#[cfg(test)]
mod tests {
    use super::{Adjust, adjust_type, mentions_api_version, shrink_header_capacity};
    use crate::structure;

    fn code(item: syn::ItemStruct) -> String {
        unparse(syn::Item::Struct(item))
    }

    #[test]
    fn answers_read_null_lists_as_empty_and_always_write_lists() {
        let mut item = structure(
            "pub struct Answer {\n\
             #[serde(default, skip_serializing_if = \"::std::option::Option::is_none\")]\n\
             pub tags: ::std::option::Option<::std::vec::Vec<String>>,\n\
             #[serde(default, skip_serializing_if = \"::std::vec::Vec::is_empty\")]\n\
             pub ids: ::std::vec::Vec<u32>,\n\
             pub name: String }",
        );
        adjust_type(&mut item, true).unwrap();
        let code = code(item);
        assert!(code.contains("#[non_exhaustive]"), "{code}");
        assert!(code.contains("pub tags: ::std::vec::Vec<String>"), "{code}");
        assert!(!code.contains("Option"), "{code}");
        assert_eq!(
            code.matches("deserialize_with = \"crate::codecs::lenient::null_as_empty\"")
                .count(),
            2,
            "{code}"
        );
        assert!(
            !code.contains("skip_serializing_if = \"::std::vec::Vec::is_empty\")]\n    pub ids"),
            "{code}"
        );
    }

    #[test]
    fn requests_tell_an_absent_list_from_an_empty_one() {
        let mut item = structure(
            "pub struct Request {\n\
             #[serde(default, skip_serializing_if = \"::std::vec::Vec::is_empty\")]\n\
             pub ids: ::std::vec::Vec<u32> }",
        );
        adjust_type(&mut item, false).unwrap();
        let code = code(item);
        assert!(
            code.contains("pub ids: ::std::option::Option<::std::vec::Vec<u32>>"),
            "{code}"
        );
        assert!(
            code.contains("skip_serializing_if = \"::std::option::Option::is_none\""),
            "{code}"
        );
    }

    #[test]
    fn an_answer_with_a_secret_decodes_its_other_fields_leniently() {
        let mut item = structure("pub struct Minted { pub jwt: WireSecret, pub name: String }");
        adjust_type(&mut item, true).unwrap();
        let code = code(item);
        assert_eq!(
            code.matches("crate::codecs::lenient::or_default").count(),
            1,
            "{code}"
        );
    }

    #[test]
    fn the_api_version_header_goes_and_the_header_map_shrinks() {
        let mut function: syn::ItemFn = syn::parse_str(
            "fn request() { let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);\n\
             header_map.append(::reqwest::header::HeaderName::from_static(\"api-version\"), ::reqwest::header::HeaderValue::from_static(Client::api_version()));\n\
             let url = format!(\"{}/things/{}\", self.baseurl, encode_path(&name.to_string())); }",
        )
        .unwrap();
        assert!(mentions_api_version(&function.block.stmts[1]));
        assert!(!mentions_api_version(&function.block.stmts[0]));
        let mut adjust = Adjust::default();
        syn::visit_mut::VisitMut::visit_item_fn_mut(&mut adjust, &mut function);
        assert_eq!(function.block.stmts.len(), 2);
        let text = unparse(syn::Item::Fn(function));
        assert!(text.contains("with_capacity(0usize)"), "{text}");
        assert!(
            text.contains("crate ::transport::path::encode_path(& name"),
            "{text}"
        );
        assert_eq!(adjust.encoded_paths, 1);

        let mut other: syn::ItemFn =
            syn::parse_str("fn f() { let x = Vec::with_capacity(3usize); }").unwrap();
        shrink_header_capacity(&mut other.block.stmts[0], 1);
        let other = unparse(syn::Item::Fn(other));
        assert!(
            other.contains("2usize"),
            "only the count is read, not the name: {other}"
        );
    }

    #[test]
    fn secret_answers_are_decoded_without_quoting_them() {
        let mut block: syn::ItemImpl = syn::parse_str(
            "impl Client { pub async fn mint_token(&self) -> Result<ResponseValue<types::Minted>, Error<types::Error>> {\n\
             match response.status().as_u16() { 200u16 => ResponseValue::from_response(response).await, _ => todo!() } } }",
        )
        .unwrap();
        let mut adjust = Adjust::new(["mint_token".to_owned()].into());
        syn::visit_mut::VisitMut::visit_item_impl_mut(&mut adjust, &mut block);
        assert_eq!(adjust.redacted_decodings, 1);
        let text = unparse(syn::Item::Impl(block));
        assert!(
            text.contains("crate::codecs::secret::redacted_response(response)"),
            "{text}"
        );
    }

    /// An item as prettyplease writes it.
    fn unparse(item: syn::Item) -> String {
        crate::pretty(vec![item])
    }
}
