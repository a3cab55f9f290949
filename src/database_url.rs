//! Where a database's SQL is served: the URL libSQL clients connect to, built from the
//! host name the API answers.

use crate::Error;
use crate::generated::types::{CreatedDatabase, Database};

/// Whether `hostname` (`host` or `host:port`) is on this machine (`localhost`, a
/// loopback address), which is served over plain HTTP (the local Turso serves its
/// databases at `127.0.0.1:PORT`). Every other host is served over TLS: a token sent to
/// an address on a network is never sent in the clear.
fn is_local(hostname: &str) -> bool {
    let host = match hostname.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => hostname.rsplit_once(':').map_or(hostname, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `hostname`, if it is one (letters, digits, `.`, `-`, and a port or an IPv6 address):
/// nothing in it can change where a URL built from it goes.
pub(crate) fn checked(hostname: &str) -> Result<&str, Error> {
    let valid = !hostname.is_empty()
        && hostname.len() <= 255
        && hostname
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    if valid {
        Ok(hostname)
    } else {
        Err(Error::InvalidArgument(format!(
            "{:?} is not a database host name (letters, digits, dots, dashes, and a port)",
            crate::codecs::excerpt::prefix(hostname, 64)
        )))
    }
}

/// The libSQL URL of a database served at `hostname`.
pub(crate) fn libsql_url(hostname: &str) -> String {
    if is_local(hostname) {
        format!("http://{hostname}")
    } else {
        format!("libsql://{hostname}")
    }
}

/// The HTTP URL of a database served at `hostname` (what `libsql://` means).
pub(crate) fn http_url(hostname: &str) -> String {
    if is_local(hostname) {
        format!("http://{hostname}")
    } else {
        format!("https://{hostname}")
    }
}

impl Database {
    /// The URL libSQL clients (`@libsql/client`, Rust's `libsql`, `turso_serverless`)
    /// connect to: `libsql://` and its host name, or, for a database served on this
    /// machine (`localhost` or a loopback address, as the local Turso's `127.0.0.1:PORT`),
    /// `http://` and it. Code written
    /// against Turso runs against the local Turso unchanged.
    ///
    /// ```
    /// use turso_platform::Database;
    ///
    /// let turso = Database::default().with_hostname("tenant-42-my-org.turso.io");
    /// assert_eq!(turso.libsql_url(), "libsql://tenant-42-my-org.turso.io");
    /// let local = Database::default().with_hostname("127.0.0.1:40001");
    /// assert_eq!(local.libsql_url(), "http://127.0.0.1:40001");
    /// ```
    pub fn libsql_url(&self) -> String {
        libsql_url(&self.hostname)
    }
}

impl CreatedDatabase {
    /// The URL libSQL clients connect to, as [`Database::libsql_url`] says.
    ///
    /// ```
    /// use turso_platform::CreatedDatabase;
    ///
    /// let created = CreatedDatabase::default().with_hostname("tenant-42-my-org.turso.io");
    /// assert_eq!(created.libsql_url(), "libsql://tenant-42-my-org.turso.io");
    /// ```
    pub fn libsql_url(&self) -> String {
        libsql_url(&self.hostname)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_are_served_over_http_and_others_over_tls() {
        for (hostname, url) in [
            ("db-org.turso.io", "libsql://db-org.turso.io"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("[::1]:8080", "http://[::1]:8080"),
            ("localhost:8080", "http://localhost:8080"),
            ("10.0.0.1", "libsql://10.0.0.1"),
            ("127.0.0.1.evil.com:80", "libsql://127.0.0.1.evil.com:80"),
        ] {
            assert_eq!(libsql_url(hostname), url);
        }
        assert_eq!(http_url("db-org.turso.io"), "https://db-org.turso.io");
    }

    #[test]
    fn a_host_name_cannot_carry_a_path_or_credentials() {
        for hostile in [
            "evil.com/x",
            "user@evil.com",
            "a b",
            "",
            "evil.com?x",
            "evil.com#x",
        ] {
            assert!(checked(hostile).is_err(), "{hostile}");
        }
        assert!(checked("db-org.turso.io").is_ok());
    }
}
