//! The schemas replaced by hand-written types, the names of the enums typify derives
//! from inline schemas, and the string schemas that stay `String`s.

use openapiv3::{OpenAPI, ReferenceOr};
use schemars::schema::{InstanceType, SchemaObject, StringValidation};

/// The string schemas that stay `String`s in Rust: those with a `pattern` (typify would
/// check it with a regex crate at run time) and dates (typify would bring chrono). The
/// hand-written layer validates what it sends, and takes and gives dates as
/// `SystemTime`.
pub(crate) fn plain_strings(spec: &OpenAPI) -> Vec<SchemaObject> {
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

/// A schema replaced by a hand-written type.
pub(crate) struct Replacement {
    /// The schema's name in `components`.
    pub(crate) schema: &'static str,
    /// The Rust type that replaces it.
    pub(crate) rust: &'static str,
    /// Whether the type has `Default`.
    pub(crate) default: bool,
    /// Whether it is a wire string (`Display` and `FromStr`).
    pub(crate) wire_string: bool,
}

impl Replacement {
    /// The type's last path segment, as it appears in the generated code.
    pub(crate) fn name(&self) -> &'static str {
        self.rust.rsplit("::").next().unwrap_or(self.rust)
    }
}

/// The schemas replaced by hand-written types: wire strings that validate their values
/// and explain what is wrong, and secrets, which never exist as plain `String`s, not
/// even in the generated types.
pub(crate) const REPLACEMENTS: &[Replacement] = &[
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
pub(crate) const RENAMES: [(&str, &str); 4] = [
    ("RemoteEncryptionEncryptionCipher", "EncryptionCipher"),
    ("ExtensionsArrayItem", "Extension"),
    ("ExtensionsString", "AllExtensions"),
    ("DatabaseSeedType", "SeedKind"),
];

#[cfg(test)]
mod tests {
    use super::plain_strings;
    use crate::spec_with;

    #[test]
    fn patterns_and_dates_stay_strings_but_replaced_schemas_are_left_alone() {
        let schemas = "    Name: {type: string, pattern: '^[a-z]+$'}\n    Thing:\n      type: object\n      properties:\n        at: {type: string, format: date-time}\n        tags:\n          type: array\n          items: {type: string, pattern: '^t$'}\n        plain: {type: string}\n    Expiration: {type: string, pattern: '^never$'}\n";
        let found = plain_strings(&spec_with("  {}", schemas));
        let described: Vec<String> = found
            .iter()
            .map(|schema| {
                let pattern = schema.string.as_ref().and_then(|s| s.pattern.clone());
                format!("{:?} {:?}", schema.format, pattern)
            })
            .collect();
        assert_eq!(
            described,
            [
                "None Some(\"^[a-z]+$\")",
                "Some(\"date-time\") None",
                "None Some(\"^t$\")",
            ],
            "Expiration is replaced by a hand-written type, which checks it"
        );
    }
}
