//! Lenient decoding, where the API is known to answer differently from the spec. The build script
//! puts these on the generated types' fields (see `Adjust` there).

use serde::{Deserialize, Deserializer};

/// A list that may be `null`: the API is written in Go, whose empty (nil) slices encode
/// as `null` where the spec says array. `null` decodes as empty.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A field beside a secret in a mint's answer: whatever it holds, the secret must not be
/// lost because of it. A value that does not decode (`null`, a number for a string)
/// takes the default; a missing one too (with `#[serde(default)]`).
pub(crate) fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::generated::types;

    #[test]
    fn go_style_null_lists_decode_as_empty() {
        let list: types::ApiTokenList = serde_json::from_str(r#"{"tokens": null}"#).unwrap();
        assert!(list.tokens.is_empty());
        let token: types::ApiToken =
            serde_json::from_str(r#"{"id": "i", "name": "n", "scopes": null}"#).unwrap();
        assert!(token.scopes.is_empty());
        assert!(
            serde_json::from_str::<types::ApiTokenList>("{}").is_err(),
            "still required"
        );
    }

    #[test]
    fn a_secret_survives_whatever_is_beside_it() {
        for json in [
            r#"{"token": "s"}"#,
            r#"{"token": "s", "id": null, "name": null}"#,
            r#"{"token": "s", "id": 5, "name": ["x"]}"#,
        ] {
            let created: types::CreatedApiToken = serde_json::from_str(json).unwrap();
            assert_eq!(created.id, "", "{json}");
        }
        assert!(serde_json::from_str::<types::CreatedApiToken>(r#"{"id": "i"}"#).is_err());
    }
}
