//! Query parameters, written into a request's URL by the generated client (the build
//! script, `build/request_builder.rs`, puts [`append`] in place of progenitor's
//! `.query(..)` calls, which went through serde and `serde_urlencoded`).

use std::fmt::{Display, Write as _};

/// A query parameter as the generated client has it: absent, or a value whose `Display`
/// is its wire form (`&str`, numbers, [`Authorization`](crate::Authorization),
/// [`Expiration`](crate::Expiration), the generated string enums: for each, what its
/// `Serialize` writes).
pub(crate) fn shown<T: Display>(value: &Option<T>) -> Option<&dyn Display> {
    value.as_ref().map(|value| value as &dyn Display)
}

/// Appends the present `parameters` to the query of `request`'s URL, in order, encoded
/// as reqwest's `RequestBuilder::query` encodes them (both end in `form_urlencoded`'s
/// `append_pair`); when none is present the URL is left as it is.
pub(crate) fn append(request: &mut reqwest::Request, parameters: &[(&str, Option<&dyn Display>)]) {
    if parameters.iter().all(|(_, value)| value.is_none()) {
        return;
    }
    let mut text = String::new();
    let mut pairs = request.url_mut().query_pairs_mut();
    for (name, value) in parameters {
        if let Some(value) = value {
            text.clear();
            // Writing into a `String` fails only if `Display` itself does.
            if write!(text, "{value}").is_ok() {
                pairs.append_pair(name, &text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use progenitor_client::QueryParam;

    use super::*;
    use crate::generated::types::InvoiceType;
    use crate::{Authorization, Expiration};

    /// The URL reqwest and progenitor would have made, and ours.
    fn both<T: Display + serde::Serialize>(
        name: &str,
        value: Option<T>,
        other: Option<&str>,
    ) -> (String, String) {
        let client = reqwest::Client::new();
        let url = "https://api.turso.tech/v1/things";
        let theirs = client
            .get(url)
            .query(&QueryParam::new(name, &value))
            .query(&QueryParam::new("other", &other))
            .build()
            .unwrap();
        let mut ours = client.get(url).build().unwrap();
        append(
            &mut ours,
            &[(name, shown(&value)), ("other", shown(&other))],
        );
        (theirs.url().to_string(), ours.url().to_string())
    }

    #[test]
    fn every_type_of_parameter_is_written_as_serde_writes_it() {
        let cases = [
            both("cursor", Some("a b&c=d#e+f/é?\u{0}"), Some("x")),
            both("limit", NonZeroU32::new(4_000_000_000), None),
            both("authorization", Some(Authorization::ReadOnly), Some("")),
            both(
                "expiration",
                Some("1d12h30m".parse::<Expiration>().unwrap()),
                None,
            ),
            both("expiration", Some(Expiration::Never), None),
            both("type", Some(InvoiceType::Upcoming), None),
            both("from", Some(String::from("2026-01-01T00:00:00Z")), None),
            both::<&str>("group", None, None),
            both::<&str>("group", None, Some("only")),
        ];
        for (theirs, ours) in cases {
            assert_eq!(ours, theirs);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_written_as_serde_writes_it(name in ".{0,8}", value in ".{0,16}") {
            let (theirs, ours) = both(&name, Some(value.as_str()), Some(value.as_str()));
            proptest::prop_assert_eq!(ours, theirs);
        }
    }
}
