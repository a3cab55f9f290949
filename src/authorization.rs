//! The access a database or group token grants.

use crate::codecs::wire_enum::wire_enum;

wire_enum! {
    /// The access a database or group token grants ([`TokenOptions::authorization`]).
    ///
    /// `Display` and `FromStr` use the API's words, `full-access` and `read-only`; the
    /// default, [`Authorization::FullAccess`], is also what the API assumes when the
    /// request does not say. The enum is `#[non_exhaustive]`: a new access level is a
    /// minor release of this crate.
    ///
    /// ```
    /// use turso_platform::Authorization;
    ///
    /// assert_eq!(Authorization::default(), Authorization::FullAccess);
    /// assert_eq!(Authorization::ReadOnly.to_string(), "read-only");
    /// assert_eq!("full-access".parse::<Authorization>(), Ok(Authorization::FullAccess));
    /// ```
    ///
    /// [`TokenOptions::authorization`]: crate::TokenOptions::authorization
    #[derive(Default)]
    pub enum Authorization as "authorization" {
        /// `full-access`: read and write.
        #[default]
        FullAccess => "full-access",
        /// `read-only`: read only.
        ReadOnly => "read-only",
    }
}
