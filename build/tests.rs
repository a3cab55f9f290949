//! The unit tests of the build script's stages (`cargo test --test build_stages`): each
//! module of `build/` is compiled here as it is in the build script, with its tests.
//! The driver (`main.rs`) is not: it calls progenitor, and the build itself runs it.

// The driver uses what the tests may not.
#![allow(dead_code)]

const SPEC: &str = "openapi.yaml";

mod adjust;
mod fields;
mod operations;
mod replacements;
mod request_builder;
mod setters;
mod spec_checks;

/// A spec from its YAML text, for the tests.
fn parse(yaml: &str) -> openapiv3::OpenAPI {
    serde_norway::from_str(yaml).expect("a test spec that parses")
}

/// A spec with the given `paths` (YAML, indented by four spaces) and `schemas` (by six).
fn spec_with(paths: &str, schemas: &str) -> openapiv3::OpenAPI {
    parse(&format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n    Error: {{type: object}}\n{schemas}"
    ))
}

/// `items` as prettyplease writes them, to compare generated code by its text.
fn pretty(items: Vec<syn::Item>) -> String {
    let mut file: syn::File = syn::parse_str("").expect("an empty file");
    file.items = items;
    prettyplease::unparse(&file)
}

/// The first type of `code`, a struct.
fn structure(code: &str) -> syn::ItemStruct {
    syn::parse_str(code).expect("a struct")
}
