//! Enums whose values are fixed words on the wire (`read-only`, `db:mint-token`, ...).

use std::fmt;

/// A word that is not one of the values a [`Scope`](crate::Scope) or an
/// [`Authorization`](crate::Authorization) can take.
///
/// ```
/// use turso_platform::Scope;
///
/// let err = "db:mint".parse::<Scope>().unwrap_err();
/// assert_eq!(err.value(), "db:mint");
/// assert!(err.to_string().contains("db:mint-token"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValueError {
    what: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl UnknownValueError {
    pub(crate) fn new(what: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected,
        }
    }

    /// The word that was refused.
    ///
    /// ```
    /// use turso_platform::Authorization;
    ///
    /// let err = "admin".parse::<Authorization>().unwrap_err();
    /// assert_eq!(err.value(), "admin");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The words that are accepted.
    ///
    /// ```
    /// use turso_platform::Authorization;
    ///
    /// let err = "admin".parse::<Authorization>().unwrap_err();
    /// assert_eq!(err.expected(), ["full-access", "read-only"]);
    /// ```
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

impl fmt::Display for UnknownValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {}: expected one of ",
            self.what,
            crate::codecs::excerpt::Quoted(&self.value)
        )?;
        for (i, word) in self.expected.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{word}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownValueError {}

/// Defines a fieldless enum whose variants are written on the wire as fixed words, with
/// `as_str`, `ALL`, `Display`, `FromStr` (refusing unknown words with
/// [`UnknownValueError`]) and serde as those words.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order the API documents them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word the API uses for this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::codecs::wire_enum::UnknownValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::codecs::wire_enum::UnknownValueError::new($what, s, Self::WORDS)),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                word.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use wire_enum;
