//! Which base URLs the client accepts, and their normal form.
//!
//! A base URL can carry secrets (`https://user:password@host`, `?token=...`): none of
//! its messages or `Debug` output repeats what was given, only the parts that are safe
//! to show ([`Redacted`]).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use reqwest::Url;

use crate::Error;

/// Turso's Platform API.
pub(crate) const DEFAULT: &str = "https://api.turso.tech";

/// A base URL the bearer token may be sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    /// The URL without a trailing `/`, ready for the generated client to append
    /// `/v1/...` to.
    pub(crate) url: String,
    /// The same, parsed.
    pub(crate) parsed: Url,
    /// Whether the host is this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub(crate) loopback: bool,
}

impl BaseUrl {
    /// Accepts `https://` URLs, and `http://` only to a loopback host: the token must
    /// not cross a network in clear. Refuses credentials, queries and fragments, which
    /// have no meaning for a base URL (and, for the first two, may be secrets).
    pub(crate) fn parse(input: &str) -> Result<Self, Error> {
        let refuse = |shown: &dyn fmt::Display, why: &str| {
            Error::InvalidArgument(format!(
                "the base URL {shown} {why}; expected an https:// URL such as {DEFAULT}"
            ))
        };
        if input.trim().is_empty() {
            return Err(Error::InvalidArgument(format!(
                "the base URL is empty; expected an https:// URL such as {DEFAULT}"
            )));
        }
        let url = Url::parse(input).map_err(|e| {
            Error::InvalidArgument(format!(
                "the base URL is not a URL ({e}); expected an https:// URL such as {DEFAULT}"
            ))
        })?;
        let shown = Redacted(&url);
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                &shown,
                "contains credentials (user:password@); remove them and pass the API token \
                 with .token(..) instead",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse(
                &shown,
                "has a query or a fragment (shown without it), which a base URL cannot use",
            ));
        }
        let host = url.host_str().unwrap_or_default();
        let loopback = is_loopback(host);
        match url.scheme() {
            "https" if !host.is_empty() => {}
            "http" if loopback => {}
            "http" => {
                return Err(refuse(
                    &shown,
                    "uses http:// to a host that is not this machine, which would send the \
                     token in clear (http:// is only allowed to localhost, 127.0.0.0/8 and [::1])",
                ));
            }
            "https" => return Err(refuse(&shown, "has no host")),
            _ => {
                return Err(refuse(
                    &shown,
                    "has a scheme other than https:// and http://",
                ));
            }
        }
        Ok(Self {
            url: url.as_str().trim_end_matches('/').to_owned(),
            parsed: url,
            loopback,
        })
    }
}

/// A URL as it is safe to show: scheme, host, port and path (each cut to 256 bytes),
/// never the user, password, query or fragment.
pub(crate) struct Redacted<'a>(pub(crate) &'a Url);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        let shown = |text| crate::codecs::excerpt::prefix(text, 256);
        write!(f, "{}://", shown(url.scheme()))?;
        if let Some(host) = url.host_str() {
            f.write_str(shown(host))?;
        }
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(shown(url.path()))
    }
}

/// Shows a base URL as given to the builder without what may be secret in it.
pub(crate) fn redacted(input: &str) -> String {
    match Url::parse(input) {
        Ok(url) => Redacted(&url).to_string(),
        Err(_) => "[not a URL]".to_owned(),
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<Ipv6Addr>().ok())
        .is_some_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(input: &str) -> (String, bool) {
        let base = BaseUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (base.url, base.loopback)
    }

    fn refused(input: &str) -> String {
        match BaseUrl::parse(input) {
            Err(Error::InvalidArgument(message)) => message,
            other => panic!("{input}: expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn accepts_https_and_loopback_http_and_normalises() {
        assert_eq!(accepted(DEFAULT), (DEFAULT.to_owned(), false));
        assert_eq!(
            accepted("https://api.turso.tech/"),
            (DEFAULT.to_owned(), false)
        );
        assert_eq!(
            accepted("HTTPS://API.Turso.Tech"),
            (DEFAULT.to_owned(), false)
        );
        assert_eq!(
            accepted("https://proxy.example.com/turso/"),
            ("https://proxy.example.com/turso".to_owned(), false)
        );
        assert_eq!(
            accepted("http://127.0.0.1:8080/"),
            ("http://127.0.0.1:8080".to_owned(), true)
        );
        assert_eq!(
            accepted("http://127.4.5.6"),
            ("http://127.4.5.6".to_owned(), true)
        );
        assert_eq!(
            accepted("http://localhost:1"),
            ("http://localhost:1".to_owned(), true)
        );
        assert_eq!(
            accepted("http://[::1]:9"),
            ("http://[::1]:9".to_owned(), true)
        );
        assert_eq!(
            accepted("https://127.0.0.1"),
            ("https://127.0.0.1".to_owned(), true)
        );
    }

    #[test]
    fn refuses_what_could_leak_the_token_or_means_nothing() {
        for input in [
            "http://example.com",
            "http://10.1.2.3",
            "http://[::2]",
            "http://localhost.example.com",
            "http://128.0.0.1",
        ] {
            assert!(refused(input).contains("in clear"), "{input}");
        }
        assert!(refused("ftp://api.turso.tech").contains("ftp://api.turso.tech/ has a scheme"));
        assert!(refused("not a url").contains("is not a URL"));
        assert!(refused("").contains("is empty"));
        assert!(refused("  ").contains("is empty"));
        assert!(refused("https://api.turso.tech/#x").contains("fragment"));
        assert!(refused("file:///etc/passwd").contains("file:///etc/passwd has a scheme"));
    }

    #[test]
    fn secrets_in_a_refused_base_url_are_never_repeated() {
        for (input, secrets) in [
            (
                "https://alice:hunter2@api.turso.tech",
                &["alice", "hunter2"][..],
            ),
            ("https://:hunter2@api.turso.tech", &["hunter2"]),
            ("http://alice:hunter2@example.com/x", &["alice", "hunter2"]),
            (
                "https://api.turso.tech/?token=hunter2",
                &["hunter2", "token="],
            ),
            (
                "http://example.com/?token=hunter2#xyzzy",
                &["hunter2", "xyzzy"],
            ),
            ("https://alice:hunter2@ho st", &["alice", "hunter2"]),
            (
                "ftp://alice:hunter2@api.turso.tech?x=hunter2",
                &["alice", "hunter2"],
            ),
        ] {
            let message = refused(input);
            for secret in secrets {
                assert!(!message.contains(secret), "{input}: {message}");
            }
            assert!(!redacted(input).contains("hunter2"), "{input}");
        }
        assert!(refused("https://u:p@api.turso.tech").contains("credentials"));
        assert!(refused("https://api.turso.tech/?x=1").contains("query"));
        assert_eq!(
            redacted("https://u:p@api.turso.tech:8443/turso?q=1#f"),
            "https://api.turso.tech:8443/turso"
        );
    }
}
