//! `Default` and a `with_<field>` setter for every generated struct whose fields all have
//! a default, so that code outside the crate can build one of these `#[non_exhaustive]`
//! types.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use syn::visit_mut::VisitMut;

use crate::fields::{FieldType, attributes, last_segment, wrapper};
use crate::replacements::REPLACEMENTS;

/// The structs of `types` whose every field has a default: strings, numbers, booleans,
/// options, lists, secrets, the hand-written `Expiration` and `Authorization`, and other
/// such structs.
pub(crate) fn defaultable_structs(items: &[syn::Item]) -> BTreeSet<String> {
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

pub(crate) fn derives_default(item: &syn::ItemStruct) -> bool {
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
pub(crate) fn setters(item: &mut syn::ItemStruct, add_default: bool) -> Result<syn::Item, String> {
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
    .map_err(|e| format!("build script: setters of {name}: {e}"))?;
    for (method, ty) in block.items.iter_mut().zip(types) {
        FieldType(ty).visit_impl_item_mut(method);
    }
    Ok(syn::Item::Impl(block))
}

#[cfg(test)]
mod tests {
    use super::{defaultable_structs, setters};
    use crate::structure;

    #[test]
    fn a_setter_per_field_taking_what_converts_into_it() {
        let mut item = structure(
            "pub struct Thing { pub name: String, pub r#type: Option<String>, pub tags: Vec<String>, pub ids: Option<Vec<u32>> }",
        );
        let block = setters(&mut item, true).unwrap();
        let code = crate::pretty(vec![syn::Item::Struct(item), block]);
        for expected in [
            "#[derive(Default)]",
            "pub fn with_name(mut self, value: impl ::std::convert::Into<String>) -> Self",
            "pub fn with_type(mut self, value: impl ::std::convert::Into<String>) -> Self",
            "self.r#type = ::std::option::Option::Some(value.into());",
            "value: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<String>>,",
            "value: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<u32>>,",
        ] {
            assert!(code.contains(expected), "{expected} in\n{code}");
        }
    }

    #[test]
    fn defaultable_structs_are_found_through_each_other() {
        let file: syn::File = syn::parse_str(
            "struct A { b: B, n: u32 } struct B { s: String, key: WireSecret } \
             struct C { role: MemberRole } struct D { c: C }",
        )
        .unwrap();
        let found: Vec<String> = defaultable_structs(&file.items).into_iter().collect();
        assert_eq!(
            found,
            ["A", "B"],
            "MemberRole has no default, so neither C nor D"
        );
    }
}
