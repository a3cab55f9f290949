//! The changes made to progenitor's output, for what progenitor has no setting for.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use syn::visit_mut::{self, VisitMut};

use crate::fields::{FieldType, attributes, type_ends_with, wrapper};
use crate::request_builder::{append_query_parameters, optional_json_bodies, scope_the_request};
use crate::setters::{defaultable_structs, derives_default, setters};

/// The changes made to progenitor's output, for what progenitor has no setting for:
///
/// - path parameters are encoded by `crate::transport::path::encode_path`, which leaves nothing
///   for the URL parser to reinterpret (progenitor's own leaves `\`, which the URL
///   standard reads as `/`), straight into the URL (progenitor copies each into a
///   `String` first, then encodes it into another);
/// - answers are decoded by `crate::transport::answer::decoded` and `empty`, which move
///   the answer's headers into the `ResponseValue` where progenitor's copy them;
/// - the `pre` hook is a plain call (`crate::transport::hooks::pre`), not an `.await`,
///   and the `post` hook (progenitor's default, which does nothing) is not called: an
///   `.await` keeps the request (and then the answer) in every call's future, which
///   grows past what the allocator serves fastest;
/// - query parameters are written into the URL without serde, an empty optional body is
///   not attached, and the request is built in a block that ends before the call's
///   `.await` (see [`crate::request_builder`]);
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
    /// How many of them are encoded from the `&str` parameter itself.
    borrowed_paths: usize,
    /// The `&str` parameters of the method being adjusted.
    str_parameters: BTreeSet<String>,
    /// How many of progenitor's decodings were replaced by ours.
    moved_headers: usize,
    /// How many `pre` hooks are called without an `.await`, and `post` hooks removed.
    direct_hooks: usize,
    /// The methods whose answers are decoded without quoting them.
    pub(crate) secret_methods: BTreeSet<String>,
    /// The methods whose request body is optional.
    optional_body_methods: BTreeSet<String>,
    /// How many of their `.json(&body)` became `json_unless_empty`.
    optional_bodies: usize,
    /// How many methods build their request in a block of its own, of how many that
    /// build one.
    scoped_requests: usize,
    methods: usize,
    /// The first error met while visiting, reported by [`Adjust::apply`].
    failed: Option<String>,
    /// How many decodings of theirs were replaced.
    redacted_decodings: usize,
}

impl Adjust {
    /// The adjustments, for a spec whose operations with a secret in their answer
    /// progenitor names `secret_methods`, and those with an optional request body
    /// `optional_body_methods`.
    pub(crate) fn new(
        secret_methods: BTreeSet<String>,
        optional_body_methods: BTreeSet<String>,
    ) -> Self {
        Self {
            secret_methods,
            optional_body_methods,
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
        if let Some(failed) = self.failed.take() {
            return Err(failed);
        }
        if self.scoped_requests < self.methods {
            return Err(format!(
                "progenitor's output changed shape: the build script builds the request of \
                 {} of {} methods in a block of its own; update build/request_builder.rs",
                self.scoped_requests, self.methods
            ));
        }
        if self.optional_bodies < self.optional_body_methods.len() {
            return Err(
                "progenitor's output changed shape: the build script no longer finds the \
                 `.json(&body)` of every operation with an optional body; update \
                 build/request_builder.rs"
                    .to_owned(),
            );
        }
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
        if self.direct_hooks == 0 {
            return Err(
                "progenitor's output changed shape: the build script no longer finds the \
                 `self.pre(..).await?` and `self.post(..).await?` it replaces; update \
                 build/adjust.rs"
                    .to_owned(),
            );
        }
        if self.moved_headers == 0 {
            return Err(
                "progenitor's output changed shape: the build script no longer finds \
                 `ResponseValue::from_response`, which it replaces; update build/adjust.rs"
                    .to_owned(),
            );
        }
        if path_parameters && (self.encoded_paths == 0 || self.borrowed_paths == 0) {
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
    /// `ResponseValue::from_response(..)` becomes `crate::codecs::secret::redacted_response(..)`;
    /// in the others, `crate::transport::answer::decoded(..)`; `ResponseValue::empty` becomes
    /// `crate::transport::answer::empty`.
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        // What is left of progenitor's is refused by the driver (`QueryParam::new`).
        if let Err(e) = append_query_parameters(method) {
            self.failed = self.failed.take().or(Some(e));
        }
        if self
            .optional_body_methods
            .contains(&method.sig.ident.to_string())
        {
            self.optional_bodies += optional_json_bodies(&mut method.block);
        }
        if self.secret_methods.contains(&method.sig.ident.to_string()) {
            let mut redact = ReplaceCall::new(
                "ResponseValue::from_response",
                "crate::codecs::secret::redacted_response",
            );
            redact.visit_block_mut(&mut method.block);
            if redact.count > 0 {
                self.redacted_decodings += 1;
            }
        }
        for (from, to) in [
            (
                "ResponseValue::from_response",
                "crate::transport::answer::decoded",
            ),
            ("ResponseValue::empty", "crate::transport::answer::empty"),
        ] {
            let mut replace = ReplaceCall::new(from, to);
            replace.visit_block_mut(&mut method.block);
            self.moved_headers += replace.count;
        }
        self.str_parameters = method
            .sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(typed) if is_str_reference(&typed.ty) => match typed.pat.as_ref()
                {
                    syn::Pat::Ident(name) => Some(name.ident.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        visit_mut::visit_impl_item_fn_mut(self, method);
        self.str_parameters.clear();
        // Last: the statements it moves are in their final form.
        if let Some(scoped) = scope_the_request(&mut method.block) {
            self.methods += 1;
            self.scoped_requests += usize::from(scoped);
        }
    }

    /// progenitor encodes path parameters inside `format!(...)`, whose arguments syn
    /// keeps as tokens.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = self.encode_paths(std::mem::take(&mut mac.tokens));
        visit_mut::visit_macro_mut(self, mac);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before_hooks = block.stmts.len();
        block
            .stmts
            .retain(|stmt| awaited_hook(stmt) != Some("post"));
        self.direct_hooks += before_hooks - block.stmts.len();
        for stmt in &mut block.stmts {
            if awaited_hook(stmt) == Some("pre") {
                call_pre_directly(stmt);
                self.direct_hooks += 1;
            }
        }
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !mentions_api_version(stmt));
        let removed = before - block.stmts.len();
        if removed > 0 {
            // The header map was sized for the removed headers.
            for stmt in &mut block.stmts {
                shrink_header_capacity(stmt, removed);
            }
            drop_unused_header_map(block);
        }
        visit_mut::visit_block_mut(self, block);
    }
}

/// `pre` or `post` if `stmt` is progenitor's `self.pre(...).await?;` or
/// `self.post(...).await?;`.
fn awaited_hook(stmt: &syn::Stmt) -> Option<&'static str> {
    let syn::Stmt::Expr(syn::Expr::Try(tried), Some(_)) = stmt else {
        return None;
    };
    let syn::Expr::Await(awaited) = tried.expr.as_ref() else {
        return None;
    };
    let syn::Expr::MethodCall(call) = awaited.base.as_ref() else {
        return None;
    };
    let on_self =
        matches!(call.receiver.as_ref(), syn::Expr::Path(path) if path.path.is_ident("self"));
    match call.method.to_string().as_str() {
        "pre" if on_self => Some("pre"),
        "post" if on_self => Some("post"),
        _ => None,
    }
}

/// `self.pre(args).await?;` becomes `crate::transport::hooks::pre(self, args)?;`.
fn call_pre_directly(stmt: &mut syn::Stmt) {
    let syn::Stmt::Expr(syn::Expr::Try(tried), _) = stmt else {
        return;
    };
    let syn::Expr::Await(awaited) = tried.expr.as_ref() else {
        return;
    };
    let syn::Expr::MethodCall(call) = awaited.base.as_ref() else {
        return;
    };
    let mut direct: syn::Expr =
        syn::parse_str("crate::transport::hooks::pre(self)").expect("a call");
    if let syn::Expr::Call(direct) = &mut direct {
        direct.args.extend(call.args.iter().cloned());
    }
    *tried.expr = direct;
}

/// Removes progenitor's `let mut header_map = ...` and the request's `.headers(header_map)`
/// when nothing is added to the map (an operation without header parameters, once the
/// `api-version` header is gone): an empty map merged into every request.
fn drop_unused_header_map(block: &mut syn::Block) {
    let is_header_map = |expr: &syn::Expr| matches!(expr, syn::Expr::Path(path) if path.path.is_ident("header_map"));
    let declared = block.stmts.iter().position(|stmt| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(name) if name.ident == "header_map"))
    });
    let Some(declared) = declared else {
        return;
    };
    let filled = block.stmts.iter().any(|stmt| {
        matches!(stmt, syn::Stmt::Expr(syn::Expr::MethodCall(call), _) if is_header_map(&call.receiver))
    });
    if filled {
        return;
    }
    block.stmts.remove(declared);

    /// `.headers(header_map)` in a builder chain becomes nothing.
    struct Unmerge;
    impl VisitMut for Unmerge {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "headers"
                && call.args.len() == 1
                && matches!(&call.args[0], syn::Expr::Path(path) if path.path.is_ident("header_map"))
            {
                *expr = (*call.receiver).clone();
                self.visit_expr_mut(expr);
                return;
            }
            visit_mut::visit_expr_mut(self, expr);
        }
    }
    for stmt in &mut block.stmts {
        Unmerge.visit_stmt_mut(stmt);
    }
}

impl Adjust {
    /// `encode_path` becomes `crate::transport::path::encode_path` in a macro's tokens,
    /// and its argument `&x.to_string()` becomes `x` when `x` is a `&str` parameter.
    fn encode_paths(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Ident(ident) if ident == "encode_path" => {
                    self.encoded_paths += 1;
                    out.extend(
                        "crate::transport::path::encode_path"
                            .parse::<TokenStream>()
                            .expect("a path"),
                    );
                    if let Some(TokenTree::Group(arguments)) = tokens.peek()
                        && let Some(parameter) = self.str_argument(arguments.stream())
                    {
                        let mut borrowed =
                            Group::new(Delimiter::Parenthesis, TokenTree::Ident(parameter).into());
                        borrowed.set_span(arguments.span());
                        tokens.next();
                        out.push(TokenTree::Group(borrowed));
                        self.borrowed_paths += 1;
                    }
                }
                TokenTree::Group(group) => {
                    let mut inner =
                        Group::new(group.delimiter(), self.encode_paths(group.stream()));
                    inner.set_span(group.span());
                    out.push(TokenTree::Group(inner));
                }
                other => out.push(other),
            }
        }
        out.into_iter().collect()
    }

    /// `x` if `tokens` are `&x.to_string()` for a `&str` parameter `x` of the method
    /// being adjusted.
    fn str_argument(&self, tokens: TokenStream) -> Option<Ident> {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        match tokens.as_slice() {
            [
                TokenTree::Punct(borrow),
                TokenTree::Ident(parameter),
                TokenTree::Punct(dot),
                TokenTree::Ident(method),
                TokenTree::Group(arguments),
            ] if borrow.as_char() == '&'
                && dot.as_char() == '.'
                && method == "to_string"
                && arguments.stream().is_empty()
                && self.str_parameters.contains(&parameter.to_string()) =>
            {
                Some(parameter.clone())
            }
            _ => None,
        }
    }
}

/// Whether `ty` is `&str` (with any lifetime).
fn is_str_reference(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(reference)
        if matches!(reference.elem.as_ref(), syn::Type::Path(path) if path.path.is_ident("str")))
}

/// Replaces the calls of one function by calls of another, with the same arguments,
/// counting them.
struct ReplaceCall {
    /// The function replaced, as the segments of its path (`ResponseValue::empty`).
    from: Vec<&'static str>,
    /// Its replacement.
    to: syn::Path,
    count: usize,
}

impl ReplaceCall {
    fn new(from: &'static str, to: &'static str) -> Self {
        Self {
            from: from.split("::").collect(),
            to: syn::parse_str(to).expect("a path"),
            count: 0,
        }
    }
}

impl VisitMut for ReplaceCall {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(func) = call.func.as_mut()
            && func.path.segments.len() == self.from.len()
            && func
                .path
                .segments
                .iter()
                .zip(&self.from)
                .all(|(segment, name)| segment.ident == name)
        {
            func.path = self.to.clone();
            self.count += 1;
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
        let mut block: syn::ItemImpl = syn::parse_str(
            "impl Client { fn request(&self, name: &'a str, id: &Id) { let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);\n\
             header_map.append(::reqwest::header::HeaderName::from_static(\"api-version\"), ::reqwest::header::HeaderValue::from_static(Client::api_version()));\n\
             let url = format!(\"{}/things/{}/{}\", self.baseurl, encode_path(&name.to_string()), encode_path(&id.to_string()));\n\
             let request = self.client.get(url).headers(header_map).build()?; }\n\
             fn other(&self) { let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);\n\
             header_map.append(::reqwest::header::HeaderName::from_static(\"api-version\"), ::reqwest::header::HeaderValue::from_static(Client::api_version()));\n\
             header_map.append(\"x-other\", value);\n\
             let request = self.client.get(url).headers(header_map).build()?; } }",
        )
        .unwrap();
        let syn::ImplItem::Fn(method) = &block.items[0] else {
            unreachable!()
        };
        assert!(mentions_api_version(&method.block.stmts[1]));
        assert!(!mentions_api_version(&method.block.stmts[0]));
        let mut adjust = Adjust::default();
        syn::visit_mut::VisitMut::visit_item_impl_mut(&mut adjust, &mut block);
        let text = unparse(syn::Item::Impl(block));
        assert!(!text.contains("api-version"), "{text}");
        let (request, other) = text.split_once("fn other").unwrap();
        assert!(
            !request.contains("header_map"),
            "an empty map is not merged: {text}"
        );
        assert!(request.contains("self.client.get(url).build()?"), "{text}");
        assert!(other.contains("with_capacity(1usize)"), "{text}");
        assert!(other.contains(".headers(header_map)"), "{text}");
        assert!(
            text.contains("crate ::transport::path::encode_path(name)"),
            "{text}"
        );
        assert!(
            text.contains("crate ::transport::path::encode_path(& id.to_string())"),
            "only a `&str` is borrowed as it is: {text}"
        );
        assert_eq!((adjust.encoded_paths, adjust.borrowed_paths), (2, 1));

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
        let mut adjust = Adjust::new(["mint_token".to_owned()].into(), Default::default());
        syn::visit_mut::VisitMut::visit_item_impl_mut(&mut adjust, &mut block);
        assert_eq!(adjust.redacted_decodings, 1);
        let text = unparse(syn::Item::Impl(block));
        assert!(
            text.contains("crate::codecs::secret::redacted_response(response)"),
            "{text}"
        );
        assert!(!text.contains("answer::decoded"), "{text}");
    }

    #[test]
    fn the_pre_hook_is_called_without_an_await_and_the_post_hook_not_at_all() {
        let mut block: syn::ItemImpl = syn::parse_str(
            "impl Client { pub async fn list(&self) -> Result<(), ()> {\n\
             self.pre(&mut request, &info).await?;\n\
             let result = self.exec(request, &info).await;\n\
             self.post(&result, &info).await?;\n\
             let response = result?; } }",
        )
        .unwrap();
        let mut adjust = Adjust::default();
        syn::visit_mut::VisitMut::visit_item_impl_mut(&mut adjust, &mut block);
        assert_eq!(adjust.direct_hooks, 2);
        let text = unparse(syn::Item::Impl(block));
        assert!(
            text.contains("crate::transport::hooks::pre(self, &mut request, &info)?;"),
            "{text}"
        );
        assert!(text.contains("self.exec(request, &info).await"), "{text}");
        assert!(!text.contains("post"), "{text}");
    }

    #[test]
    fn answers_are_decoded_by_ours_which_move_their_headers() {
        let mut block: syn::ItemImpl = syn::parse_str(
            "impl Client { pub async fn list(&self) -> Result<(), ()> {\n\
             match status { 200u16 => ResponseValue::from_response(response).await, \
             204u16 => Ok(ResponseValue::empty(response)), \
             _ => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) } } }",
        )
        .unwrap();
        let mut adjust = Adjust::default();
        syn::visit_mut::VisitMut::visit_item_impl_mut(&mut adjust, &mut block);
        assert_eq!(adjust.moved_headers, 3);
        let text = unparse(syn::Item::Impl(block));
        let decoded = text.matches("crate::transport::answer::decoded(response)");
        assert_eq!(decoded.count(), 2, "{text}");
        assert!(
            text.contains("Ok(crate::transport::answer::empty(response))"),
            "{text}"
        );
    }

    /// An item as prettyplease writes it.
    fn unparse(item: syn::Item) -> String {
        crate::pretty(vec![item])
    }
}
