//! Dates as the API writes them: RFC 3339 date-times (`2026-05-21T10:00:00Z`), to and
//! from `SystemTime`, in UTC.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date and time as the API writes them: an RFC 3339 date-time, read with any offset
/// and fraction RFC 3339 allows (any year from 0000 to 9999), written in UTC to the
/// second (`2026-05-21T10:00:00Z`; times before 1970 as 1970-01-01T00:00:00Z).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use turso_platform::Timestamp;
///
/// let at: Timestamp = "2026-05-21T12:00:00+02:00".parse().unwrap();
/// assert_eq!(at.to_string(), "2026-05-21T10:00:00Z");
/// assert_eq!(at.system_time(), UNIX_EPOCH + Duration::from_secs(1_779_357_600));
/// assert!("yesterday".parse::<Timestamp>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(SystemTime);

impl Timestamp {
    /// Now, by this machine's clock.
    ///
    /// ```
    /// let now = turso_platform::Timestamp::now();
    /// assert!(now.to_string().ends_with('Z'));
    /// ```
    pub fn now() -> Self {
        Self(SystemTime::now())
    }

    /// The time, as a `SystemTime`.
    ///
    /// ```
    /// let at: turso_platform::Timestamp = "1970-01-01T00:00:01Z".parse().unwrap();
    /// assert_eq!(at.system_time(), std::time::UNIX_EPOCH + std::time::Duration::from_secs(1));
    /// ```
    pub fn system_time(self) -> SystemTime {
        self.0
    }
}

impl From<SystemTime> for Timestamp {
    /// ```
    /// let at = turso_platform::Timestamp::from(std::time::UNIX_EPOCH);
    /// assert_eq!(at.to_string(), "1970-01-01T00:00:00Z");
    /// ```
    fn from(time: SystemTime) -> Self {
        Self(time)
    }
}

impl From<Timestamp> for SystemTime {
    /// ```
    /// let at = turso_platform::Timestamp::now();
    /// let _: std::time::SystemTime = at.into();
    /// ```
    fn from(at: Timestamp) -> Self {
        at.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0))
    }
}

/// Why a text is not a [`Timestamp`].
///
/// ```
/// let err = "2026-13-01T00:00:00Z".parse::<turso_platform::Timestamp>().unwrap_err();
/// assert!(err.to_string().contains("RFC 3339"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not an RFC 3339 date-time such as 2026-05-21T10:00:00Z",
            crate::codecs::excerpt::Quoted(&self.0)
        )
    }
}

impl std::error::Error for TimestampError {}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text)
            .map(Self)
            .ok_or_else(|| TimestampError(crate::codecs::excerpt::prefix(text, 64).to_owned()))
    }
}

/// `time` as an RFC 3339 date-time in UTC, to the second (`2026-05-21T10:00:00Z`); times
/// before 1970 are written as 1970-01-01.
pub(crate) fn format(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// An RFC 3339 date-time (`2026-05-21T10:00:00Z`, `2026-05-21T12:00:00.5+02:00`, any
/// year from 0000 to 9999), or `None` if `text` is not one.
fn parse(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u64> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &fraction[..digits.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[digits..];
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = &rest[1..];
            if zone.len() != 5 || zone.as_bytes()[2] != b':' {
                return None;
            }
            let (hours, minutes) = (
                zone[..2].parse::<i64>().ok()?,
                zone[3..].parse::<i64>().ok()?,
            );
            if !zone[..2]
                .bytes()
                .chain(zone[3..].bytes())
                .all(|b| b.is_ascii_digit())
                || hours > 23
                || minutes > 59
            {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    // At most 10,000 years of seconds either side of 1970: no overflow in i64.
    let clock = i64::try_from(hour * 3600 + minute * 60 + second).ok()?;
    let utc = days_from_civil(year, month, day)? * 86_400 + clock - offset;
    let fraction = std::time::Duration::from_nanos(u64::from(nanos));
    match u64::try_from(utc) {
        Ok(after) => UNIX_EPOCH.checked_add(std::time::Duration::from_secs(after) + fraction),
        Err(_) => UNIX_EPOCH
            .checked_sub(std::time::Duration::from_secs(utc.unsigned_abs()))?
            .checked_add(fraction),
    }
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `civil_from_days`: the date of a day counted from 1970-01-01.
fn civil_from_days(days: u64) -> (i64, u64, u64) {
    let z = i64::try_from(days).unwrap_or(i64::MAX / 2) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u64, day as u64)
}

/// The inverse: the day counted from 1970-01-01 of a date (negative before 1970).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<i64> {
    let year = i64::try_from(year).ok()? - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = month as i64;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn date_times_round_trip() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_779_357_600, "2026-05-21T10:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ] {
            assert_eq!(format(at(secs)), text);
            assert_eq!(parse(text), Some(at(secs)), "{text}");
        }
        assert_eq!(
            parse("2026-05-21T12:00:00.5+02:00"),
            Some(at(1_779_357_600) + Duration::from_millis(500))
        );
        assert_eq!(parse("2026-05-21t10:00:00z"), Some(at(1_779_357_600)));
        // Before 1970, and with any offset RFC 3339 allows.
        assert_eq!(
            parse("1969-12-31T23:59:59.25Z"),
            UNIX_EPOCH.checked_sub(Duration::from_millis(750))
        );
        assert_eq!(
            parse("0000-01-01T00:00:00Z"),
            UNIX_EPOCH.checked_sub(Duration::from_secs(62_167_219_200))
        );
        assert_eq!(
            parse("0113-02-11T21:12:44.55+14:26"),
            parse("0113-02-11T06:46:44.55Z")
        );
        assert_eq!(
            parse("9999-12-31T23:59:59-23:59"),
            Some(at(253_402_300_799 + 23 * 3600 + 59 * 60))
        );
        for bad in [
            "",
            "2026-05-21",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-05-21T24:00:00Z",
            "2026-05-21T10:00:00",
            "2026-05-21T10:00:00.Z",
            "2026-05-21T10:00:00+2:00",
            "२०२६-05-21T10:00:00Z",
            "+026-05-21T10:00:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
