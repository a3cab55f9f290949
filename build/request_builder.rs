//! Changes to the request each generated method builds, where progenitor's builder
//! chain does per-call work a hand-written call would not:
//!
//! - each query parameter, `.query(&progenitor_client::QueryParam::new("name", &value))`,
//!   goes through serde and `serde_urlencoded` (about 1,000 instructions a parameter, a
//!   fifth of what a token mint costs beyond a hand-written call): the calls leave the
//!   chain, and one `crate::transport::query::append(&mut request, ..)` after it writes
//!   the present parameters into the URL, by the same `form_urlencoded` encoding;
//! - an operation whose body is optional always serializes and attaches it
//!   (`.json(&body)`), an empty `{}` too, where "no options" means no body to the API:
//!   it becomes `crate::transport::request_body::json_unless_empty(.., &body)`, which
//!   attaches nothing for an empty body;
//! - the request is built in a block that ends with the call sending it, `{ let mut
//!   request = ..; ..; self.exec(request, &info) }.await`: a local moved into the
//!   awaited call still has its place in the method's future for as long as its scope
//!   lasts, and a `reqwest::Request` is 264 bytes of every call's future (which the
//!   client boxes: past 1,032 bytes, glibc's allocator takes its slower path).

use syn::visit_mut::{self, VisitMut};

/// Takes progenitor's query parameters out of the builder chain of `let mut request`
/// in the method `method`, and appends them after it in one call; returns how many it
/// moved. A parameter the method takes as an `Option` is written when present, any
/// other always.
pub(crate) fn append_query_parameters(method: &mut syn::ImplItemFn) -> Result<usize, String> {
    let optional: Vec<String> = method
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) if is_option(&typed.ty) => match typed.pat.as_ref() {
                syn::Pat::Ident(name) => Some(name.ident.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let block = &mut method.block;
    let mut moved = 0;
    let mut index = 0;
    while index < block.stmts.len() {
        let mut parameters = Vec::new();
        if let syn::Stmt::Local(local) = &mut block.stmts[index]
            && matches!(&local.pat, syn::Pat::Ident(name) if name.ident == "request")
            && let Some(init) = &mut local.init
        {
            take_query_parameters(&mut init.expr, &mut parameters);
        }
        if !parameters.is_empty() {
            // Taken from the outermost call in: the order of the chain is the reverse.
            parameters.reverse();
            let entries: Vec<String> = parameters
                .iter()
                .map(|(name, value)| {
                    if optional.contains(value) {
                        format!("({name:?}, crate::transport::query::shown(&{value}))")
                    } else {
                        format!("({name:?}, Some(&{value} as &dyn ::std::fmt::Display))")
                    }
                })
                .collect();
            let append = format!(
                "crate::transport::query::append(&mut request, &[{}]);",
                entries.join(", ")
            );
            let append: syn::Stmt = syn::parse_str(&append)
                .map_err(|e| format!("the query parameters' call does not parse: {e}"))?;
            block.stmts.insert(index + 1, append);
            moved += parameters.len();
            index += 1;
        }
        index += 1;
    }
    Ok(moved)
}

/// Whether `ty` is an `Option<..>`.
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path)
        if path.path.segments.last().is_some_and(|last| last.ident == "Option"))
}

/// Removes each `.query(&progenitor_client::QueryParam::new("name", &value))` from the
/// builder chain `expr` (down its receivers, through a `?`), collecting
/// `(name, value)`, outermost first.
fn take_query_parameters(mut expr: &mut syn::Expr, parameters: &mut Vec<(String, String)>) {
    loop {
        if let syn::Expr::MethodCall(call) = &*expr
            && call.method == "query"
            && let [argument] = call.args.iter().collect::<Vec<_>>().as_slice()
            && let Some(parameter) = query_parameter(argument)
        {
            let receiver = (*call.receiver).clone();
            parameters.push(parameter);
            *expr = receiver;
            continue;
        }
        expr = match expr {
            syn::Expr::Try(tried) => tried.expr.as_mut(),
            syn::Expr::MethodCall(call) => call.receiver.as_mut(),
            _ => return,
        };
    }
}

/// `("name", "value")` if `argument` is `&progenitor_client::QueryParam::new("name",
/// &value)` with `value` a plain name (a parameter of the method).
fn query_parameter(argument: &syn::Expr) -> Option<(String, String)> {
    let syn::Expr::Reference(reference) = argument else {
        return None;
    };
    let syn::Expr::Call(call) = reference.expr.as_ref() else {
        return None;
    };
    let syn::Expr::Path(function) = call.func.as_ref() else {
        return None;
    };
    let segments: Vec<String> = function
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    if !segments.ends_with(&["QueryParam".to_owned(), "new".to_owned()]) {
        return None;
    }
    let [name, value] = call.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(name),
        ..
    }) = name
    else {
        return None;
    };
    let syn::Expr::Reference(value) = value else {
        return None;
    };
    let syn::Expr::Path(value) = value.expr.as_ref() else {
        return None;
    };
    let value = value.path.get_ident()?;
    Some((name.value(), value.to_string()))
}

/// In `block`, `receiver.json(&body)` becomes
/// `crate::transport::request_body::json_unless_empty(receiver, &body)`; returns how many.
pub(crate) fn optional_json_bodies(block: &mut syn::Block) -> usize {
    struct Optional(usize);
    impl VisitMut for Optional {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            visit_mut::visit_expr_mut(self, expr);
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "json"
                && call.args.len() == 1
            {
                let mut replaced: syn::Expr = syn::parse_str(
                    "crate::transport::request_body::json_unless_empty(receiver, body)",
                )
                .expect("a call");
                if let syn::Expr::Call(replaced) = &mut replaced {
                    replaced.args[0] = (*call.receiver).clone();
                    replaced.args[1] = call.args[0].clone();
                }
                *expr = replaced;
                self.0 += 1;
            }
        }
    }
    let mut optional = Optional(0);
    optional.visit_block_mut(block);
    optional.0
}

/// In `block`, the statements from `let mut request = ..` up to
/// `let result = self.exec(request, &info).await;` go into a block that ends with the
/// `exec` call, awaited; `let info = ..`, which the sent request borrows, goes before it.
/// Returns `None` for a block that builds no request, else whether it found them all.
pub(crate) fn scope_the_request(block: &mut syn::Block) -> Option<bool> {
    let declares = |stmt: &syn::Stmt, name: &str| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(ident) if ident.ident == name)
                || matches!(&local.pat, syn::Pat::Type(typed)
                    if matches!(typed.pat.as_ref(), syn::Pat::Ident(ident) if ident.ident == name)))
    };
    let start = block
        .stmts
        .iter()
        .position(|stmt| declares(stmt, "request"))?;
    let Some(sent) = block.stmts.iter().position(|stmt| declares(stmt, "result")) else {
        return Some(false);
    };
    let Some(info) = block.stmts.iter().position(|stmt| declares(stmt, "info")) else {
        return Some(false);
    };
    if !(start < info && info < sent) {
        return Some(false);
    }
    let syn::Stmt::Local(result) = &block.stmts[sent] else {
        return Some(false);
    };
    let Some(init) = &result.init else {
        return Some(false);
    };
    let syn::Expr::Await(awaited) = init.expr.as_ref() else {
        return Some(false);
    };
    let exec = awaited.base.as_ref().clone();
    let mut building: Vec<syn::Stmt> = block.stmts.drain(start..sent).collect();
    let info = building.remove(info - start);
    let mut scoped: syn::Expr = syn::parse_str("{ exec }.await").expect("an awaited block");
    if let syn::Expr::Await(awaited) = &mut scoped
        && let syn::Expr::Block(inner) = awaited.base.as_mut()
    {
        inner.block.stmts = building;
        inner.block.stmts.push(syn::Stmt::Expr(exec, None));
    }
    // `result` is now at `start`.
    if let syn::Stmt::Local(result) = &mut block.stmts[start]
        && let Some(init) = &mut result.init
    {
        *init.expr = scoped;
    }
    block.stmts.insert(start, info);
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(code: &str) -> syn::Block {
        syn::parse_str(code).expect("a block")
    }

    /// A method of the generated client with the parameters `parameters` and the body `code`.
    fn method(parameters: &str, code: &str) -> syn::ImplItemFn {
        syn::parse_str(&format!(
            "pub async fn f<'a>(&'a self, {parameters}) {code}"
        ))
        .expect("a method")
    }

    fn text(block: syn::Block) -> String {
        let mut function: syn::ItemFn = syn::parse_str("fn f() {}").expect("a function");
        *function.block = block;
        crate::pretty(vec![syn::Item::Fn(function)])
    }

    #[test]
    fn query_parameters_leave_the_chain_and_are_appended_in_order() {
        let mut method = method(
            "authorization: Option<&'a crate::Authorization>, type_: Option<types::InvoiceType>, \
             name: &'a str",
            "{ let url = format!(\"{}/x\", self.baseurl);\n\
               let mut request = self.client.post(url)\n\
                 .header(ACCEPT, HeaderValue::from_static(\"application/json\"))\n\
                 .json(&body)\n\
                 .query(&progenitor_client::QueryParam::new(\"authorization\", &authorization))\n\
                 .query(&progenitor_client::QueryParam::new(\"type\", &type_))\n\
                 .query(&progenitor_client::QueryParam::new(\"name\", &name))\n\
                 .build()?;\n\
               let info = OperationInfo { operation_id: \"x\" }; }",
        );
        assert_eq!(append_query_parameters(&mut method), Ok(3));
        let text = text(method.block);
        assert!(!text.contains(".query("), "{text}");
        let compact: String = text.split_whitespace().collect();
        assert!(
            compact.contains(
                ".json(&body).build()?;\
                 crate::transport::query::append(&mutrequest,&[\
                 (\"authorization\",crate::transport::query::shown(&authorization)),\
                 (\"type\",crate::transport::query::shown(&type_)),\
                 (\"name\",Some(&nameas&dyn::std::fmt::Display)),\
                 ],);\
                 letinfo"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_chain_without_query_parameters_is_left_alone() {
        let code = "{ let mut request = self.client.get(url).build()?; let x = 1; }";
        let mut method = method("", code);
        assert_eq!(append_query_parameters(&mut method), Ok(0));
        assert_eq!(text(method.block), text(block(code)));
    }

    #[test]
    fn a_query_parameter_of_another_shape_stays_for_the_build_to_refuse() {
        let mut method = method(
            "",
            "{ let mut request = self.client.get(url)\n\
                 .query(&progenitor_client::QueryParam::new(\"limit\", &self.limit))\n\
                 .build()?; }",
        );
        assert_eq!(append_query_parameters(&mut method), Ok(0));
        assert!(text(method.block).contains(".query("));
    }

    #[test]
    fn the_request_is_built_in_a_block_that_ends_before_the_await() {
        let mut method = block(
            "{ let url = format!(\"{}/x\", self.baseurl);\n\
               #[allow(unused_mut)]\n\
               let mut request = self.client.get(url).build()?;\n\
               crate::transport::query::append(&mut request, &[]);\n\
               let info = OperationInfo { operation_id: \"x\" };\n\
               crate::transport::hooks::pre(self, &mut request, &info)?;\n\
               let result = self.exec(request, &info).await;\n\
               let response = result?; }",
        );
        assert_eq!(scope_the_request(&mut method), Some(true));
        let compact: String = text(method).split_whitespace().collect();
        assert!(
            compact.contains(
                "leturl=format!(\"{}/x\",self.baseurl);\
                 letinfo=OperationInfo{operation_id:\"x\"};\
                 letresult={\
                 #[allow(unused_mut)]letmutrequest=self.client.get(url).build()?;\
                 crate::transport::query::append(&mutrequest,&[]);\
                 crate::transport::hooks::pre(self,&mutrequest,&info)?;\
                 self.exec(request,&info)\
                 }.await;\
                 letresponse=result?;"
            ),
            "{compact}"
        );
    }

    #[test]
    fn a_method_of_another_shape_is_left_for_the_build_to_refuse() {
        let code = "{ let result = self.exec(request, &info).await; let mut request = 1; }";
        let mut method = block(code);
        assert_eq!(scope_the_request(&mut method), Some(false));
        assert_eq!(scope_the_request(&mut block("{ let x = 1; }")), None);
        assert_eq!(text(method), text(block(code)));
    }

    #[test]
    fn an_optional_body_is_attached_unless_empty() {
        let mut method = block("{ let mut request = self.client.post(url).json(&body).build()?; }");
        assert_eq!(optional_json_bodies(&mut method), 1);
        let text = text(method);
        let compact: String = text.split_whitespace().collect();
        assert!(
            compact.contains(
                "crate::transport::request_body::json_unless_empty(self.client.post(url),&body,).build()?"
            ),
            "{text}"
        );
    }
}
