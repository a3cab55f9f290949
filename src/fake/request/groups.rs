//! The bodies of the group operations.

use serde::Deserialize;

use super::databases::check_name;
use super::present;
use crate::fake::answer::ApiError;

/// The extensions the API knows.
const EXTENSIONS: &[&str] = &[
    "vector", "crypto", "fuzzy", "math", "stats", "text", "unicode", "uuid", "regexp", "vec",
];

/// The body of `createGroup` (`CreateGroupInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct NewGroupBody {
    pub(crate) name: String,
    pub(crate) location: String,
    #[serde(default, deserialize_with = "present")]
    extensions: Option<ExtensionsBody>,
}

/// `"all"`, or a list of extensions.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ExtensionsBody {
    All(String),
    Some(Vec<String>),
}

impl NewGroupBody {
    /// Checks the name and the extensions; the location is for the state to find.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        check_name("group", &self.name)?;
        match &self.extensions {
            None => Ok(()),
            Some(ExtensionsBody::All(word)) if word == "all" => Ok(()),
            Some(ExtensionsBody::Some(names))
                if names.iter().all(|name| EXTENSIONS.contains(&name.as_str())) =>
            {
                Ok(())
            }
            Some(_) => Err(ApiError::bad_request(format!(
                "invalid extensions: give \"all\" or a list of {}",
                EXTENSIONS.join(", ")
            ))),
        }
    }
}

/// The body of `updateGroupConfiguration` (`GroupConfigurationInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupConfigurationBody {
    #[serde(default, deserialize_with = "present")]
    pub(crate) delete_protection: Option<bool>,
}

/// The body of `transferGroup` (`TransferGroupInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct TransferBody {
    pub(crate) organization: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<(), String> {
        let body: NewGroupBody = serde_json::from_str(json).map_err(|e| e.to_string())?;
        body.check().map_err(|e| e.message().to_owned())
    }

    #[test]
    fn new_groups_are_checked_as_the_api_checks_them() {
        assert_eq!(check(r#"{"name":"eu","location":"x"}"#), Ok(()));
        assert_eq!(
            check(r#"{"name":"eu","location":"x","extensions":"all"}"#),
            Ok(())
        );
        assert_eq!(
            check(r#"{"name":"eu","location":"x","extensions":["uuid","vec"]}"#),
            Ok(())
        );
        for bad in [
            r#"{"name":"EU","location":"x"}"#,
            r#"{"name":"eu","location":"x","extensions":"some"}"#,
            r#"{"name":"eu","location":"x","extensions":["nope"]}"#,
            r#"{"name":"eu","location":"x","extensions":null}"#,
            r#"{"name":"eu","location":"x","extensions":5}"#,
            r#"{"name":"eu"}"#,
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
