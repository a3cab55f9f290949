//! Options for the group operations: a group to create.

use crate::Error;
use crate::client::names::{non_blank, turso_name};
use crate::generated::types::{self, AllExtensions, Extension, Extensions};

/// A group to create, for [`Client::create_group`]: its name and the location of its
/// primary, and optionally the SQLite extensions of its databases.
///
/// The name is checked before anything is sent: lowercase letters, digits and dashes, at
/// most 64 characters.
///
/// ```
/// use turso_platform::{Extension, NewGroup};
///
/// let eu = NewGroup::new("eu", "aws-eu-west-1");
/// let with_extensions = NewGroup::new("search", "aws-us-east-1")
///     .extensions([Extension::Vector, Extension::Regexp]);
/// let with_all = NewGroup::new("lab", "aws-us-east-1").all_extensions();
/// ```
///
/// [`Client::create_group`]: crate::Client::create_group
#[derive(Clone, Debug, PartialEq)]
pub struct NewGroup {
    name: String,
    location: String,
    extensions: Option<Extensions>,
}

impl NewGroup {
    /// A group named `name` whose databases' primaries are in `location` (a code that
    /// [`Client::list_locations`](crate::Client::list_locations) lists).
    ///
    /// ```
    /// let group = turso_platform::NewGroup::new("eu", "aws-eu-west-1");
    /// assert_eq!(group.name(), "eu");
    /// ```
    pub fn new(name: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            location: location.into(),
            extensions: None,
        }
    }

    /// The group's name.
    ///
    /// ```
    /// assert_eq!(turso_platform::NewGroup::new("eu", "aws-eu-west-1").name(), "eu");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The location of its primary.
    ///
    /// ```
    /// let group = turso_platform::NewGroup::new("eu", "aws-eu-west-1");
    /// assert_eq!(group.location(), "aws-eu-west-1");
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Enables these SQLite extensions in the group's new databases. Replaces any set
    /// before.
    ///
    /// ```
    /// use turso_platform::{Extension, NewGroup};
    ///
    /// let group = NewGroup::new("search", "aws-us-east-1").extensions([Extension::Vector]);
    /// ```
    pub fn extensions(mut self, extensions: impl IntoIterator<Item = Extension>) -> Self {
        self.extensions = Some(Extensions::Array(extensions.into_iter().collect()));
        self
    }

    /// Enables every SQLite extension in the group's new databases.
    ///
    /// ```
    /// let group = turso_platform::NewGroup::new("lab", "aws-us-east-1").all_extensions();
    /// ```
    pub fn all_extensions(mut self) -> Self {
        self.extensions = Some(Extensions::String(AllExtensions::All));
        self
    }

    /// The request body, validated.
    pub(crate) fn to_body(&self) -> Result<types::CreateGroupInput, Error> {
        turso_name("group name", &self.name)?;
        non_blank("location", &self.location)?;
        Ok(types::CreateGroupInput {
            name: self.name.clone(),
            location: self.location.clone(),
            extensions: self.extensions.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_groups_are_checked_and_sent_as_asked() {
        let body = NewGroup::new("eu", "aws-eu-west-1").to_body().unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"location":"aws-eu-west-1","name":"eu"}"#
        );
        let all = NewGroup::new("a", "l").all_extensions().to_body().unwrap();
        assert_eq!(serde_json::to_value(&all).unwrap()["extensions"], "all");
        let some = NewGroup::new("a", "l")
            .extensions([Extension::Uuid, Extension::Regexp])
            .to_body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&some).unwrap()["extensions"],
            serde_json::json!(["uuid", "regexp"])
        );
        assert!(NewGroup::new("EU", "l").to_body().is_err());
        assert!(NewGroup::new("eu", " ").to_body().is_err());
    }
}
