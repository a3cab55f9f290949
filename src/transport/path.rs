//! Names and IDs in request paths: which are refused before anything is sent, how the
//! others are encoded, and the check that every request follows its operation's path.
//!
//! The URL standard reads `\` as `/`, and resolves `.` and `..` segments (`%2e` and
//! `%2e%2e` too) after any percent-encoding: a name could otherwise climb out of its
//! segment and name another endpoint. Three layers keep it in:
//!
//! 1. [`segment`] refuses, with [`Error::InvalidArgument`], what must not be sent (the
//!    table on [`Client`](crate::Client));
//! 2. [`encode_path`], which the generated client calls for every path parameter,
//!    percent-encodes every byte but `A-Z a-z 0-9 - . _ ~`, so the URL parser has nothing
//!    left to rewrite;
//! 3. [`follows_template`], in the `pre` hook of every request (the escape hatch's too),
//!    checks that the final path is the operation's template with one non-empty segment
//!    per parameter: a dot segment, the only thing encoding cannot neutralise, always
//!    removes segments, so it cannot pass.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;
use crate::client::names::non_blank;
use crate::codecs::excerpt::Quoted;

/// The longest name or ID accepted, in bytes. No Turso name comes close (database names
/// have at most 64 characters); the limit keeps a hostile value from growing the request.
pub(crate) const MAX_SEGMENT: usize = 1024;

/// Every byte but the URL standard's unreserved characters is percent-encoded.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path parameter, percent-encoded into one segment. The generated client calls this
/// (the build script puts it in place of progenitor's own, which leaves `\` as it is).
pub(crate) fn encode_path(value: &str) -> String {
    utf8_percent_encode(value, ENCODED).to_string()
}

/// Checks a name or ID that goes into a request path, before anything is sent: it is
/// refused if it is blank, `.` or `..`, contains `/`, `\` or a control character, or is
/// longer than [`MAX_SEGMENT`] bytes. `what` names it in the error ("database name").
pub(crate) fn segment<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    let refuse = |why: &str| {
        Err(Error::InvalidArgument(format!(
            "the {what} {} {why}; nothing was sent",
            Quoted(value)
        )))
    };
    non_blank(what, value)?;
    if value == "." || value == ".." {
        return refuse(
            "is a dot segment, which URLs read as \"this\" or \"the parent\" path: no Turso \
             name is one",
        );
    }
    if value.contains(['/', '\\']) {
        return refuse(
            "contains a path separator (`/` or `\\`), which could make it name another \
             endpoint: no Turso name contains one",
        );
    }
    if value.contains(|c: char| c.is_ascii_control()) {
        return refuse(
            "contains a control character (a line break or tab, say): was it read with a \
             trailing newline?",
        );
    }
    if value.len() > MAX_SEGMENT {
        return refuse(&format!(
            "is {} bytes long, more than the {MAX_SEGMENT} any Turso name can have",
            value.len()
        ));
    }
    Ok(value)
}

/// Whether `path`, a request's percent-encoded path as the URL parser left it, is
/// `base_path` followed by `template` (`/v1/auth/api-tokens/{tokenName}`) with exactly
/// one non-empty segment for each `{parameter}`.
pub(crate) fn follows_template(base_path: &str, template: &str, path: &str) -> bool {
    let Some(rest) = path.strip_prefix(base_path) else {
        return false;
    };
    let mut expected = template.split('/');
    let mut actual = rest.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') => {
                if got.is_empty() {
                    return false;
                }
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str =
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate";

    #[test]
    fn only_unreserved_characters_are_left_unencoded() {
        assert_eq!(encode_path("my-db_1.2~x"), "my-db_1.2~x");
        assert_eq!(encode_path("a/b\\c d%2e"), "a%2Fb%5Cc%20d%252e");
        assert_eq!(encode_path("é?#;"), "%C3%A9%3F%23%3B");
    }

    #[test]
    fn refused_names_say_what_is_wrong_without_repeating_a_long_value() {
        let refused = |value: &str| match segment("database name", value) {
            Err(Error::InvalidArgument(message)) => message,
            other => panic!("{value:?}: {other:?}"),
        };
        assert!(refused("").contains("blank"));
        assert!(refused(" \t").contains("blank"));
        assert!(refused("..").contains("dot segment"));
        assert!(refused(".").contains("dot segment"));
        assert!(refused("a\\b").contains("separator"));
        assert!(refused("a/b").contains("separator"));
        assert!(refused("db\n").contains("trailing newline"));
        let long = "x".repeat(10 * MAX_SEGMENT);
        let message = refused(&long);
        assert!(
            message.contains("10240 bytes") && message.len() < 400,
            "{message}"
        );
        for accepted in ["my-db", "...", ".a", "a.", "%2e%2e", "é", " x ", "a b"] {
            assert_eq!(segment("name", accepted).unwrap(), accepted);
        }
    }

    #[test]
    fn names_of_up_to_1024_bytes_are_taken_and_longer_ones_refused() {
        let longest = "é".repeat(512);
        assert_eq!(longest.len(), 1024);
        assert_eq!(segment("token name", &longest).unwrap(), longest);
        let longer = format!("{longest}x");
        assert!(matches!(
            segment("token name", &longer),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn paths_must_follow_their_template() {
        let ok = "/v1/organizations/o/databases/d/auth/rotate";
        assert!(follows_template("", TEMPLATE, ok));
        assert!(follows_template("/turso", TEMPLATE, &format!("/turso{ok}")));
        assert!(!follows_template("/turso", TEMPLATE, ok));
        for bad in [
            "/v1/organizations/o/auth/rotate",
            "/v1/organizations/o/databases//auth/rotate",
            "/v1/organizations/o/databases/d/e/auth/rotate",
            "/v1/organizations/o/groups/d/auth/rotate",
            "/v1/organizations/o/databases/d/auth/rotate/",
        ] {
            assert!(!follows_template("", TEMPLATE, bad), "{bad}");
        }
    }
}
