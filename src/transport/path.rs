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

/// A path parameter, percent-encoded into one segment, written straight into the URL
/// being formatted. The generated client calls this (the build script puts it in place
/// of progenitor's own, which leaves `\` as it is and copies the value twice first).
pub(crate) fn encode_path(value: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(value, ENCODED)
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
    // Bytes, not characters (this runs for every name of every call): `/`, `\` and the
    // ASCII control characters are single bytes in UTF-8, never part of another one.
    let separator = |byte: u8| byte == b'/' || byte == b'\\';
    if value
        .bytes()
        .any(|byte| separator(byte) || byte.is_ascii_control())
    {
        if value.bytes().any(separator) {
            return refuse(
                "contains a path separator (`/` or `\\`), which could make it name another \
                 endpoint: no Turso name contains one",
            );
        }
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
/// `base_path` followed by an operation's path template (`/v1/auth/api-tokens/{tokenName}`)
/// with exactly one non-empty segment for each `{parameter}`. The template is given by
/// its `literals`, the text around its parameters (`["/v1/auth/api-tokens/", ""]`),
/// which the build script writes into the table of operations: this runs before every
/// request.
pub(crate) fn follows_template(base_path: &str, literals: &[&str], path: &str) -> bool {
    let Some((last, literals)) = literals.split_last() else {
        return false;
    };
    let Some(mut rest) = path.strip_prefix(base_path) else {
        return false;
    };
    for literal in literals {
        let Some(after) = rest.strip_prefix(literal) else {
            return false;
        };
        // A parameter: at least one byte, up to the next `/` or the end.
        let end = after.find('/').unwrap_or(after.len());
        if end == 0 {
            return false;
        }
        rest = &after[end..];
    }
    rest == *last
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str =
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate";

    #[test]
    fn only_unreserved_characters_are_left_unencoded() {
        let encoded = |value| encode_path(value).to_string();
        assert_eq!(encoded("my-db_1.2~x"), "my-db_1.2~x");
        assert_eq!(encoded("a/b\\c d%2e"), "a%2Fb%5Cc%20d%252e");
        assert_eq!(encoded("é?#;"), "%C3%A9%3F%23%3B");
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

    /// The literals of a template, as the build script writes them.
    /// What [`segment`] refuses a value for, by the rule as written (character by
    /// character), in the order it checks.
    fn refusal_by_the_rule(value: &str) -> Option<&'static str> {
        if value.trim().is_empty() {
            Some("is blank")
        } else if value == "." || value == ".." {
            Some("dot segment")
        } else if value.contains(['/', '\\']) {
            Some("path separator")
        } else if value.contains(|c: char| c.is_ascii_control()) {
            Some("control character")
        } else if value.len() > MAX_SEGMENT {
            Some("bytes long")
        } else {
            None
        }
    }

    proptest::proptest! {
        #[test]
        fn the_byte_by_byte_check_refuses_what_the_rule_refuses(
            value in "[ a.\\\\/\\t\\n\\x00\\x7f\\u{85}\\u{2028}é\\u{3000}-]{0,6}"
        ) {
            match (segment("name", &value), refusal_by_the_rule(&value)) {
                (Ok(_), None) => {}
                (Err(e), Some(why)) => proptest::prop_assert!(e.to_string().contains(why), "{e}"),
                (ours, rule) => proptest::prop_assert!(false, "{value:?}: {ours:?} against {rule:?}"),
            }
        }
    }

    fn literals(template: &str) -> Vec<&str> {
        let mut literals = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            literals.push(&rest[..open]);
            rest = &rest[open + rest[open..].find('}').unwrap() + 1..];
        }
        literals.push(rest);
        literals
    }

    /// The rule, as plainly as it can be written: segment by segment.
    fn follows_template_by_segments(base_path: &str, template: &str, path: &str) -> bool {
        let Some(rest) = path.strip_prefix(base_path) else {
            return false;
        };
        let expected: Vec<&str> = template.split('/').collect();
        let actual: Vec<&str> = rest.split('/').collect();
        expected.len() == actual.len()
            && expected.iter().zip(&actual).all(|(want, got)| {
                if want.starts_with('{') {
                    !got.is_empty()
                } else {
                    want == got
                }
            })
    }

    #[test]
    fn the_byte_by_byte_check_is_the_segment_by_segment_rule() {
        let pieces = [
            "", "/", "o", "x", "v1", "auth", "{", "}", "%2F", "a/b", "//",
        ];
        let templates = [TEMPLATE, "/v1/auth/api-tokens", "/v1/{a}/{b}", "/{a}"];
        let mut checked = 0;
        for template in templates {
            for a in pieces {
                for b in pieces {
                    for c in pieces {
                        // Paths near the template: its literal parts kept, parameters replaced.
                        let near = template
                            .replace("{organizationSlug}", a)
                            .replace("{databaseName}", b)
                            .replace("{a}", a)
                            .replace("{b}", b);
                        for path in [near.clone(), format!("{near}{c}"), format!("/{a}{b}{c}")] {
                            assert_eq!(
                                follows_template("", &literals(template), &path),
                                follows_template_by_segments("", template, &path),
                                "{template} against {path:?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 5_000);
    }

    #[test]
    fn paths_must_follow_their_template() {
        let ok = "/v1/organizations/o/databases/d/auth/rotate";
        let template = literals(TEMPLATE);
        assert_eq!(
            template,
            ["/v1/organizations/", "/databases/", "/auth/rotate"]
        );
        assert!(follows_template("", &template, ok));
        assert!(follows_template(
            "/turso",
            &template,
            &format!("/turso{ok}")
        ));
        assert!(!follows_template("/turso", &template, ok));
        for bad in [
            "/v1/organizations/o/auth/rotate",
            "/v1/organizations/o/databases//auth/rotate",
            "/v1/organizations/o/databases/d/e/auth/rotate",
            "/v1/organizations/o/groups/d/auth/rotate",
            "/v1/organizations/o/databases/d/auth/rotate/",
            "/v1/organizations/o/databases/d/auth/rotat",
            "/v1/organizations//databases/d/auth/rotate",
            "",
        ] {
            assert!(!follows_template("", &template, bad), "{bad}");
        }
    }
}
