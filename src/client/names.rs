//! The names that go into requests.

use crate::Error;

/// Refuses a blank name (empty, or only whitespace) before anything is sent: the path
/// would not name anything, and the API would answer with a confusing 404 or 405.
pub(crate) fn non_blank<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    // As `value.trim().is_empty()`, but stops at the first character that is not
    // whitespace, the first of any real name.
    if value.chars().all(char::is_whitespace) {
        Err(Error::InvalidArgument(format!(
            "the {what} is blank: pass the {what} as Turso shows it"
        )))
    } else {
        Ok(value)
    }
}

/// Refuses a name for something new that Turso would refuse: it must be lowercase
/// letters, digits and dashes, at most 64 characters (the rule for database and group
/// names).
pub(crate) fn turso_name<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    non_blank(what, value)?;
    if crate::spec::is_valid_name(value) {
        Ok(value)
    } else {
        Err(Error::InvalidArgument(format!(
            "the {what} {} is not one Turso accepts: use lowercase letters, digits and \
             dashes, at most 64 characters",
            crate::codecs::excerpt::Quoted(value)
        )))
    }
}
