//! The names that go into requests.

use crate::Error;

/// Refuses a blank name (empty, or only whitespace) before anything is sent: the path
/// would not name anything, and the API would answer with a confusing 404 or 405.
pub(crate) fn non_blank<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        Err(Error::InvalidArgument(format!(
            "the {what} is blank: pass the {what} as Turso shows it"
        )))
    } else {
        Ok(value)
    }
}
