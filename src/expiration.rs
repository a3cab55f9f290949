//! Token expirations, as Turso's API takes them.
//!
//! An expiration is either the word `never` or a positive duration written the
//! way the server parses it with [go-str2duration v2], which is Go's
//! `time.ParseDuration` with days (`d`) and weeks (`w`) added:
//!
//! - an optional sign (`+` or `-`), then one or more `number unit` parts with
//!   no spaces between them, in any order, units may repeat (`1h1w`, `1h1h`);
//! - a number is decimal digits with an optional fraction: `1`, `1.5`, `.5`
//!   and `1.` are numbers, `.` is not;
//! - units are case-sensitive: `ns`, `us` (also `µs` with U+00B5 or `μs`
//!   with U+03BC), `ms`, `s`, `m`, `h`, `d` (24 hours), `w` (7 days);
//! - fractions are converted with the same `f64` arithmetic as Go, truncated
//!   toward zero to whole nanoseconds;
//! - the total must fit in a signed 64-bit count of nanoseconds, so the
//!   longest duration is `15250w1d23h47m16s854ms775us807ns`.
//!
//! This module accepts exactly the inputs that grammar accepts and computes
//! the same nanosecond count. On top of it, a token lifetime must be
//! positive: `0`, `0s`, `-1h` and the like are refused (write `never` for a
//! token that does not expire).
//!
//! [`Display`](fmt::Display) writes the canonical form produced by
//! go-str2duration's `String`: whole units from weeks down to nanoseconds,
//! zero parts left out (90 minutes is `1h30m`, 14 days is `2w`).
//!
//! ```
//! use turso_platform::Expiration;
//! use std::time::Duration;
//!
//! let e: Expiration = "2w1d30m".parse()?;
//! assert_eq!(e.duration(), Some(Duration::from_secs(15 * 86_400 + 30 * 60)));
//! assert_eq!("90m".parse::<Expiration>()?.to_string(), "1h30m");
//! assert_eq!("never".parse::<Expiration>()?, Expiration::Never);
//! assert!("1y".parse::<Expiration>().is_err());
//! # Ok::<(), turso_platform::ExpirationError>(())
//! ```
//!
//! [go-str2duration v2]: https://github.com/xhit/go-str2duration

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::codecs::excerpt::Quoted;

/// The longest duration the server accepts, in nanoseconds (`i64::MAX`).
const MAX_NANOS: u64 = i64::MAX as u64;

/// Canonical text of [`MAX_NANOS`].
const MAX_TEXT: &str = "15250w1d23h47m16s854ms775us807ns";

/// The units, as listed in error messages.
const UNITS: &str = "ns, us, µs, μs, ms, s, m, h, d, w";

/// The expiration of a token: never, or after a positive duration.
///
/// Parse it from the server's text form with [`str::parse`], write it back
/// with [`Display`](fmt::Display) (which is also what is sent on the wire).
///
/// ```
/// use turso_platform::Expiration;
/// use std::time::Duration;
///
/// let e: Expiration = "1.5h".parse()?;
/// assert_eq!(e, Expiration::After(Duration::from_secs(90 * 60)));
/// assert_eq!(e.to_string(), "1h30m");
/// assert_eq!(Expiration::default(), Expiration::Never);
/// # Ok::<(), turso_platform::ExpirationError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Expiration {
    /// The token does not expire; written `never`.
    ///
    /// ```
    /// use turso_platform::Expiration;
    ///
    /// assert_eq!(Expiration::Never.to_string(), "never");
    /// ```
    #[default]
    Never,
    /// The token expires after this duration.
    ///
    /// A valid value is between 1 ns and `i64::MAX` ns inclusive. Prefer the
    /// checked constructors [`Expiration::after`] and [`TryFrom`]; a value
    /// built directly can be checked with [`Expiration::validate`].
    ///
    /// ```
    /// use turso_platform::Expiration;
    /// use std::time::Duration;
    ///
    /// let e = Expiration::After(Duration::from_secs(14 * 86_400));
    /// assert!(e.validate().is_ok());
    /// assert_eq!(e.to_string(), "2w");
    /// ```
    After(Duration),
}

impl Expiration {
    /// An expiration after `d`, refused if `d` is zero or longer than
    /// `i64::MAX` nanoseconds (the server's limit).
    ///
    /// # Errors
    ///
    /// An [`ExpirationError`] whose input is the canonical text of `d`.
    ///
    /// ```
    /// use turso_platform::Expiration;
    /// use std::time::Duration;
    ///
    /// let e = Expiration::after(Duration::from_secs(3600))?;
    /// assert_eq!(e.to_string(), "1h");
    /// assert!(Expiration::after(Duration::ZERO).is_err());
    /// assert!(Expiration::after(Duration::MAX).is_err());
    /// # Ok::<(), turso_platform::ExpirationError>(())
    /// ```
    pub fn after(d: Duration) -> Result<Self, ExpirationError> {
        check_duration(d)?;
        Ok(Self::After(d))
    }

    /// Checks that this value can be sent to the server: `Never` always can,
    /// `After(d)` only if `d` is positive and at most `i64::MAX` nanoseconds.
    ///
    /// # Errors
    ///
    /// The same error [`Expiration::after`] gives for `d`.
    ///
    /// ```
    /// use turso_platform::Expiration;
    /// use std::time::Duration;
    ///
    /// assert!(Expiration::Never.validate().is_ok());
    /// assert!(Expiration::After(Duration::from_secs(1)).validate().is_ok());
    /// let err = Expiration::After(Duration::ZERO).validate().unwrap_err();
    /// assert!(err.to_string().contains("must be positive"));
    /// ```
    pub fn validate(&self) -> Result<(), ExpirationError> {
        match *self {
            Self::Never => Ok(()),
            Self::After(d) => check_duration(d),
        }
    }

    /// The duration after which the token expires, or `None` for `Never`.
    ///
    /// ```
    /// use turso_platform::Expiration;
    /// use std::time::Duration;
    ///
    /// assert_eq!("1d".parse::<Expiration>()?.duration(), Some(Duration::from_secs(86_400)));
    /// assert_eq!(Expiration::Never.duration(), None);
    /// # Ok::<(), turso_platform::ExpirationError>(())
    /// ```
    #[must_use]
    pub fn duration(&self) -> Option<Duration> {
        match *self {
            Self::Never => None,
            Self::After(d) => Some(d),
        }
    }

    /// Whether this is [`Expiration::Never`].
    ///
    /// ```
    /// use turso_platform::Expiration;
    ///
    /// assert!(Expiration::Never.is_never());
    /// assert!(!"1w".parse::<Expiration>()?.is_never());
    /// # Ok::<(), turso_platform::ExpirationError>(())
    /// ```
    #[must_use]
    pub const fn is_never(&self) -> bool {
        matches!(self, Self::Never)
    }
}

/// Refuses a duration that is zero or longer than `i64::MAX` nanoseconds.
fn check_duration(d: Duration) -> Result<(), ExpirationError> {
    let nanos = d.as_nanos();
    let reason = if nanos == 0 {
        Reason::Zero
    } else if nanos > u128::from(MAX_NANOS) {
        Reason::TooLong
    } else {
        return Ok(());
    };
    Err(ExpirationError {
        input: Canonical::new(d).as_str().to_owned(),
        reason,
    })
}

/// Parses `never` or a positive duration in go-str2duration v2 syntax.
///
/// ```
/// use turso_platform::Expiration;
/// use std::time::Duration;
///
/// assert_eq!("never".parse::<Expiration>()?, Expiration::Never);
/// assert_eq!("1h1w".parse::<Expiration>()?.to_string(), "1w1h");
/// assert_eq!(".5s".parse::<Expiration>()?.duration(), Some(Duration::from_millis(500)));
/// let err = "-1h".parse::<Expiration>().unwrap_err();
/// assert!(err.to_string().contains("must be positive"));
/// # Ok::<(), turso_platform::ExpirationError>(())
/// ```
impl FromStr for Expiration {
    type Err = ExpirationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            return Ok(Self::Never);
        }
        let reason = match parse_go(s.as_bytes()) {
            Ok(Parsed { nanos: 0, .. }) => Reason::Zero,
            Ok(Parsed { negative: true, .. }) => Reason::Negative,
            Ok(Parsed { nanos, .. }) => {
                return Ok(Self::After(Duration::from_nanos(nanos.unsigned_abs())));
            }
            Err(reason) => reason,
        };
        Err(ExpirationError {
            input: s.to_owned(),
            reason,
        })
    }
}

/// Writes `never` or the canonical duration (`1h30m`, `2w`, `1s500ms`).
///
/// Width, fill and alignment flags are honoured. An invalid `After` value
/// (zero or too long) is written the same way without panicking (zero as
/// `0s`); check it with [`Expiration::validate`] before sending it.
///
/// ```
/// use turso_platform::Expiration;
/// use std::time::Duration;
///
/// assert_eq!(Expiration::After(Duration::from_millis(1500)).to_string(), "1s500ms");
/// assert_eq!(format!("{:>6}", Expiration::Never), " never");
/// ```
impl fmt::Display for Expiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Never => f.pad("never"),
            Self::After(d) => f.pad(Canonical::new(d).as_str()),
        }
    }
}

/// Same as [`Expiration::after`].
///
/// ```
/// use turso_platform::Expiration;
/// use std::time::Duration;
///
/// let e = Expiration::try_from(Duration::from_secs(60))?;
/// assert_eq!(e.to_string(), "1m");
/// assert!(Expiration::try_from(Duration::ZERO).is_err());
/// # Ok::<(), turso_platform::ExpirationError>(())
/// ```
impl TryFrom<Duration> for Expiration {
    type Error = ExpirationError;

    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        Self::after(d)
    }
}

/// Serializes as the [`Display`](fmt::Display) string.
///
/// ```
/// use turso_platform::Expiration;
///
/// let e: Expiration = "36h".parse()?;
/// assert_eq!(serde_json::to_string(&e).unwrap(), r#""1d12h""#);
/// # Ok::<(), turso_platform::ExpirationError>(())
/// ```
impl Serialize for Expiration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Never => serializer.serialize_str("never"),
            Self::After(d) => serializer.serialize_str(Canonical::new(d).as_str()),
        }
    }
}

/// Deserializes from a string, as [`FromStr`] does.
///
/// ```
/// use turso_platform::Expiration;
///
/// let e: Expiration = serde_json::from_str(r#""never""#).unwrap();
/// assert_eq!(e, Expiration::Never);
/// let err = serde_json::from_str::<Expiration>(r#""1y""#).unwrap_err();
/// assert!(err.to_string().contains(r#"unknown unit "y""#));
/// ```
impl<'de> Deserialize<'de> for Expiration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpirationVisitor;

        impl Visitor<'_> for ExpirationVisitor {
            type Value = Expiration;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a token expiration: "never" or a duration such as "2w1d30m""#)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Expiration, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(ExpirationVisitor)
    }
}

/// Why a string or a [`Duration`] is not a valid token expiration.
///
/// The message names the refused input, says what is wrong and what to
/// write instead.
///
/// ```
/// use turso_platform::{Expiration, ExpirationError};
///
/// let err: ExpirationError = "1y".parse::<Expiration>().unwrap_err();
/// assert_eq!(err.input(), "1y");
/// assert!(err.to_string().starts_with(r#"invalid expiration "1y": unknown unit "y""#));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpirationError {
    input: String,
    reason: Reason,
}

/// What was wrong; private so that it can grow.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reason {
    /// The input was empty.
    Empty,
    /// Only a sign.
    SignOnly,
    /// A part does not start with a number (or is a lone `.`).
    ExpectedNumber,
    /// A number is not followed by a unit.
    MissingUnit,
    /// A number is followed by something that is not a unit.
    UnknownUnit(String),
    /// More than `i64::MAX` nanoseconds.
    TooLong,
    /// Zero.
    Zero,
    /// Negative.
    Negative,
}

impl ExpirationError {
    /// The refused input: the string given to [`str::parse`], or for a
    /// refused [`Duration`] its canonical text.
    ///
    /// ```
    /// use turso_platform::Expiration;
    /// use std::time::Duration;
    ///
    /// assert_eq!("1 h".parse::<Expiration>().unwrap_err().input(), "1 h");
    /// assert_eq!(Expiration::after(Duration::ZERO).unwrap_err().input(), "0s");
    /// ```
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// `invalid expiration "<input>": <what is wrong and what to do>`.
///
/// ```
/// use turso_platform::Expiration;
///
/// let err = "".parse::<Expiration>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid expiration "": empty (use "never" or a duration such as "2w1d30m")"#
/// );
/// ```
impl fmt::Display for ExpirationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = self.input.as_str();
        write!(f, "invalid expiration {}: ", Quoted(input))?;
        match &self.reason {
            Reason::Empty => {
                f.write_str(r#"empty (use "never" or a duration such as "2w1d30m")"#)
            }
            Reason::SignOnly => f.write_str(
                r#"nothing after the sign (use "never" or a duration such as "2w1d30m")"#,
            ),
            Reason::ExpectedNumber => {
                if input.trim().eq_ignore_ascii_case("never") {
                    f.write_str(
                        r#"write "never" exactly, in lower case and without spaces, for a token that does not expire"#,
                    )
                } else {
                    f.write_str(
                        r#"expected a number such as "1" or "1.5" before each unit, as in "2w1d30m""#,
                    )?;
                    if input.contains(char::is_whitespace) {
                        f.write_str(" (spaces are not allowed)")?;
                    }
                    Ok(())
                }
            }
            Reason::MissingUnit => write!(
                f,
                r#"missing unit after a number (units: {UNITS}; as in "30m")"#
            ),
            Reason::UnknownUnit(unit) => {
                write!(f, "unknown unit {} (units: {UNITS})", Quoted(unit))?;
                if unit.contains(char::is_whitespace) {
                    f.write_str("; spaces are not allowed")
                } else if let Some(lower) = known_unit_ignoring_case(unit) {
                    write!(f, "; units are case-sensitive, write {lower:?}")
                } else {
                    Ok(())
                }
            }
            Reason::TooLong => write!(
                f,
                r#"longer than the maximum of {MAX_TEXT} (use "never" for a token that does not expire)"#
            ),
            Reason::Zero => f.write_str(
                r#"a token lifetime must be positive, not zero; use "never" for a token that does not expire"#,
            ),
            Reason::Negative => f.write_str(
                r#"a token lifetime must be positive, not negative; use "never" for a token that does not expire"#,
            ),
        }
    }
}

/// ```
/// use turso_platform::{Expiration, ExpirationError};
///
/// let err: Box<dyn std::error::Error> = Box::new("0s".parse::<Expiration>().unwrap_err());
/// assert!(err.to_string().contains("must be positive"));
/// ```
impl std::error::Error for ExpirationError {}

/// The lower-case spelling of `unit` if that is a unit (`H` → `h`).
fn known_unit_ignoring_case(unit: &str) -> Option<&'static str> {
    ["ns", "us", "ms", "s", "m", "h", "d", "w"]
        .into_iter()
        .find(|u| u.eq_ignore_ascii_case(unit))
}

/// A successful go-str2duration parse: sign and magnitude in nanoseconds.
#[derive(Debug, PartialEq)]
struct Parsed {
    negative: bool,
    nanos: i64,
}

/// go-str2duration v2 `ParseDuration`, on bytes like Go, with Go's wrapping
/// `int64` arithmetic mirrored by explicit wrapping operations.
fn parse_go(orig: &[u8]) -> Result<Parsed, Reason> {
    let mut s = orig;
    let mut negative = false;
    if let Some((&c, rest)) = s.split_first()
        && (c == b'-' || c == b'+')
    {
        negative = c == b'-';
        s = rest;
    }
    if s == b"0" {
        return Ok(Parsed { negative, nanos: 0 });
    }
    if s.is_empty() {
        return Err(if orig.is_empty() {
            Reason::Empty
        } else {
            Reason::SignOnly
        });
    }
    let mut d: i64 = 0;
    while let Some(&first) = s.first() {
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(Reason::ExpectedNumber);
        }
        let pl = s.len();
        let (mut v, rest) = leading_int(s).ok_or(Reason::TooLong)?;
        s = rest;
        let pre = pl != s.len();

        let mut f: i64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if let Some((&b'.', rest)) = s.split_first() {
            let pl = rest.len();
            (f, scale, s) = leading_fraction(rest);
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(Reason::ExpectedNumber);
        }

        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(Reason::MissingUnit);
        }
        let (u, rest) = s.split_at_checked(i).ok_or(Reason::MissingUnit)?;
        s = rest;
        let unit = unit_nanos(u)
            .ok_or_else(|| Reason::UnknownUnit(String::from_utf8_lossy(u).into_owned()))?;
        if v > i64::MAX / unit {
            return Err(Reason::TooLong);
        }
        v = v.wrapping_mul(unit); // cannot wrap after the check above
        if f > 0 {
            // Same f64 expression as Go. `f < scale`, so the product is at
            // most `unit` (rounding can reach it, as in `0.999999999999999999s`)
            // and the truncating conversion is in range, where Rust's `as`
            // and Go's conversion agree.
            v = v.wrapping_add((f as f64 * (unit as f64 / scale)) as i64);
            if v < 0 {
                return Err(Reason::TooLong);
            }
        }
        d = d.wrapping_add(v);
        if d < 0 {
            return Err(Reason::TooLong);
        }
    }
    Ok(Parsed { negative, nanos: d })
}

/// Nanoseconds per unit, `None` if `u` is not a unit.
fn unit_nanos(u: &[u8]) -> Option<i64> {
    Some(match u {
        b"ns" => 1,
        // `µs` is U+00B5 MICRO SIGN, `μs` is U+03BC GREEK SMALL LETTER MU.
        b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => 1_000,
        b"ms" => 1_000_000,
        b"s" => 1_000_000_000,
        b"m" => 60_000_000_000,
        b"h" => 3_600_000_000_000,
        b"d" => 86_400_000_000_000,
        b"w" => 604_800_000_000_000,
        _ => return None,
    })
}

/// Go's `leadingInt`: the leading `[0-9]*` as an `i64`, `None` on overflow.
fn leading_int(s: &[u8]) -> Option<(i64, &[u8])> {
    let mut x: i64 = 0;
    let mut i = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            break;
        }
        if x > i64::MAX / 10 {
            return None;
        }
        x = x.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
        if x < 0 {
            return None;
        }
        i += 1;
    }
    s.get(i..).map(|rest| (x, rest))
}

/// Go's `leadingFraction`: the leading `[0-9]*` as digits and a power of ten
/// scale; digits past `i64` precision are consumed but ignored.
fn leading_fraction(s: &[u8]) -> (i64, f64, &[u8]) {
    let mut x: i64 = 0;
    let mut scale: f64 = 1.0;
    let mut overflow = false;
    let mut i = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            break;
        }
        i += 1;
        if overflow {
            continue;
        }
        if x > i64::MAX / 10 {
            overflow = true;
            continue;
        }
        let y = x.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
        if y < 0 {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, s.get(i..).unwrap_or_default())
}

/// The canonical text of a duration, formatted on the stack.
///
/// go-str2duration v2 `String`, extended past `i64::MAX` nanoseconds so that any
/// [`Duration`] can be written. Computed from whole seconds and nanoseconds in 64-bit
/// arithmetic: a token mint writes it into every request, and dividing its `u128`
/// nanosecond count cost a token mint ~500 instructions (a 128-bit division is a call).
struct Canonical {
    buf: [u8; 64],
    len: usize,
}

impl Canonical {
    fn new(d: Duration) -> Self {
        let mut out = Self {
            buf: [0; 64],
            len: 0,
        };
        if d.is_zero() {
            out.push("0s");
            return out;
        }
        let (secs, nanos) = (d.as_secs(), u64::from(d.subsec_nanos()));
        let parts = [
            (secs / 604_800, "w"),
            (secs / 86_400 % 7, "d"),
            (secs / 3_600 % 24, "h"),
            (secs / 60 % 60, "m"),
            (secs % 60, "s"),
            (nanos / 1_000_000, "ms"),
            (nanos / 1_000 % 1_000, "us"),
            (nanos % 1_000, "ns"),
        ];
        for (count, unit) in parts {
            if count > 0 {
                out.push_u64(count);
                out.push(unit);
            }
        }
        out
    }

    fn push(&mut self, s: &str) {
        let end = self.len.saturating_add(s.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(s.as_bytes());
            self.len = end;
        }
    }

    fn push_u64(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        while v > 0 && start > 0 {
            start -= 1;
            if let Some(slot) = digits.get_mut(start) {
                *slot = b'0' + (v % 10) as u8;
            }
            v /= 10;
        }
        let digits = digits.get(start..).unwrap_or_default();
        let end = self.len.saturating_add(digits.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(digits);
            self.len = end;
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever written, so this is always `Ok`.
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_int_mirrors_go() {
        assert_eq!(leading_int(b"123x"), Some((123, &b"x"[..])));
        assert_eq!(leading_int(b"x"), Some((0, &b"x"[..])));
        assert_eq!(
            leading_int(b"9223372036854775807"),
            Some((i64::MAX, &b""[..]))
        );
        assert_eq!(leading_int(b"9223372036854775808"), None);
        assert_eq!(leading_int(b"92233720368547758070"), None);
        assert_eq!(
            leading_int(b"00000000000000000000000001h"),
            Some((1, &b"h"[..]))
        );
    }

    #[test]
    fn leading_fraction_mirrors_go() {
        assert_eq!(leading_fraction(b"5h"), (5, 10.0, &b"h"[..]));
        assert_eq!(leading_fraction(b"h"), (0, 1.0, &b"h"[..]));
        // 19 digits fit, the 20th sets the overflow flag and is ignored.
        let (x, scale, rest) = leading_fraction(b"12345678901234567890123s");
        assert_eq!(
            (x, scale, rest),
            (1_234_567_890_123_456_789, 1e19, &b"s"[..])
        );
        // 9223372036854775807 fits; 92233720368547758079 would not.
        let (x, scale, _) = leading_fraction(b"92233720368547758079");
        assert_eq!((x, scale), (i64::MAX, 1e19));
        let (x, scale, _) = leading_fraction(b"9223372036854775808");
        assert_eq!((x, scale), (922_337_203_685_477_580, 1e18));
    }

    /// The canonical text as go-str2duration writes it, from the nanosecond count: what
    /// [`Canonical`] computes in 64-bit arithmetic.
    fn reference_text(nanos: u128) -> String {
        if nanos == 0 {
            return "0s".to_owned();
        }
        let mut n = nanos;
        let mut parts = Vec::new();
        for (unit, per) in [
            ("ns", 1000),
            ("us", 1000),
            ("ms", 1000),
            ("s", 60),
            ("m", 60),
            ("h", 24),
            ("d", 7),
        ] {
            parts.push((n % per, unit));
            n /= per;
        }
        parts.push((n, "w"));
        parts
            .iter()
            .rev()
            .filter(|(count, _)| *count > 0)
            .map(|(count, unit)| format!("{count}{unit}"))
            .collect()
    }

    #[test]
    fn canonical_text() {
        let text = |d: Duration| Canonical::new(d).as_str().to_owned();
        assert_eq!(text(Duration::ZERO), "0s");
        assert_eq!(text(Duration::from_nanos(1)), "1ns");
        assert_eq!(text(Duration::from_micros(1)), "1us");
        assert_eq!(text(Duration::from_nanos(MAX_NANOS)), MAX_TEXT);
        let max = text(Duration::MAX);
        assert_eq!(max, reference_text(Duration::MAX.as_nanos()));
        assert!(max.len() < 64);
    }

    proptest::proptest! {
        #[test]
        fn canonical_text_is_go_s(secs in proptest::prelude::any::<u64>(), nanos in 0u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            let text = Canonical::new(d);
            proptest::prop_assert_eq!(text.as_str(), reference_text(d.as_nanos()));
        }

        #[test]
        fn canonical_text_of_short_durations_is_go_s(nanos in 0u64..10_000_000_000_000) {
            let d = Duration::from_nanos(nanos);
            let text = Canonical::new(d);
            proptest::prop_assert_eq!(text.as_str(), reference_text(d.as_nanos()));
        }
    }

    #[test]
    fn micro_sign_spellings() {
        assert_eq!(unit_nanos("µs".as_bytes()), Some(1_000));
        assert_eq!(unit_nanos("μs".as_bytes()), Some(1_000));
        assert_eq!(unit_nanos("µ".as_bytes()), None);
    }

    #[test]
    fn parse_go_sign_and_zero() {
        assert_eq!(
            parse_go(b"-0"),
            Ok(Parsed {
                negative: true,
                nanos: 0
            })
        );
        assert_eq!(parse_go(b"+"), Err(Reason::SignOnly));
        assert_eq!(parse_go(b""), Err(Reason::Empty));
        assert_eq!(parse_go(b"--1h"), Err(Reason::ExpectedNumber));
    }
}
