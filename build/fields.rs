//! Reading and writing the fields of generated types: their wrappers (`Option<T>`,
//! `Vec<T>`), their attributes, and a type put in a template.

use syn::visit_mut::{self, VisitMut};

pub(crate) fn attributes(text: &str) -> Result<Vec<syn::Attribute>, String> {
    use syn::parse::Parser;
    syn::Attribute::parse_outer
        .parse_str(text)
        .map_err(|e| format!("build script: {text}: {e}"))
}

/// Whether a type's path ends with the segment `name` (`::std::vec::Vec<T>` ends with `Vec`).
pub(crate) fn type_ends_with(ty: &syn::Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name)
}

/// Puts a field's type where a setter's template says `__Field`.
pub(crate) struct FieldType(pub(crate) syn::Type);

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
pub(crate) fn wrapper(ty: &syn::Type) -> Result<(&'static str, syn::Type), String> {
    let segment = last_segment(ty).ok_or("build script: a field type without a path")?;
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

pub(crate) fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{last_segment, type_ends_with, wrapper};

    /// A type from its text.
    fn ty(text: &str) -> syn::Type {
        syn::parse_str(text).expect("a type")
    }

    #[test]
    fn wrappers_are_options_and_lists_only() {
        let (name, inner) = wrapper(&ty("::std::option::Option<Vec<u8>>")).unwrap();
        assert_eq!((name, inner), ("Option", ty("Vec<u8>")));
        assert_eq!(wrapper(&ty("Vec<String>")).unwrap(), ("Vec", ty("String")));
        assert_eq!(wrapper(&ty("BTreeMap<String, u8>")).unwrap().0, "");
        assert!(wrapper(&ty("&str")).is_err(), "a field type without a path");
        assert!(type_ends_with(&ty("::std::vec::Vec<T>"), "Vec"));
        assert!(!type_ends_with(&ty("VecDeque<T>"), "Vec"));
        assert_eq!(last_segment(&ty("a::b::C")).unwrap().ident, "C");
    }
}
