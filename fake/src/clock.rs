//! The fake's clock: Unix seconds for JWT claims, and dates for `created_at`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, as a duration since the Unix epoch (zero if the system clock is before it).
pub(crate) fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Now, in whole Unix seconds.
pub(crate) fn now_secs() -> u64 {
    since_epoch().as_secs()
}

/// The `exp` claim of a token that lives `lifetime` from `now`: the first whole second
/// at or after the moment it expires, so that it never expires early.
pub(crate) fn expiry_secs(now: Duration, lifetime: Duration) -> u64 {
    let end = now.saturating_add(lifetime);
    end.as_secs()
        .saturating_add(u64::from(end.subsec_nanos() > 0))
}

/// The date of a Unix time, as `YYYY-MM-DD` (UTC).
pub(crate) fn date(secs: u64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(secs);
    let mut date = turso_platform::Timestamp::from(at).to_string();
    date.truncate("YYYY-MM-DD".len());
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(86_399), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_767_225_600), "2026-01-01");
        assert_eq!(date(1_779_321_600), "2026-05-21");
    }

    #[test]
    fn expiry_rounds_up_to_a_whole_second() {
        let now = Duration::from_millis(10_500);
        assert_eq!(expiry_secs(now, Duration::from_millis(500)), 11);
        assert_eq!(expiry_secs(now, Duration::from_secs(1)), 12);
        assert_eq!(expiry_secs(now, Duration::from_nanos(1)), 11);
        assert_eq!(expiry_secs(Duration::MAX, Duration::MAX), u64::MAX);
    }
}
