//! Tests of `Expiration` against the go-str2duration v2 grammar: accepted and
//! refused inputs with exact nanosecond counts, the canonical `Display`, the
//! checked constructors, serde, and property tests.

use std::str::FromStr;
use std::time::Duration;

use proptest::prelude::*;
use turso_platform::{Expiration, ExpirationError};

const NS: u128 = 1;
const US: u128 = 1_000;
const MS: u128 = 1_000_000;
const S: u128 = 1_000_000_000;
const M: u128 = 60 * S;
const H: u128 = 60 * M;
const D: u128 = 24 * H;
const W: u128 = 7 * D;
const MAX: u128 = i64::MAX as u128;
const MAX_TEXT: &str = "15250w1d23h47m16s854ms775us807ns";

fn nanos(n: u128) -> Expiration {
    let n = u64::try_from(n).expect("test value fits in u64");
    Expiration::After(Duration::from_nanos(n))
}

fn parse(s: &str) -> Result<Expiration, ExpirationError> {
    s.parse()
}

#[track_caller]
fn assert_ok(input: &str, expected: u128) {
    match parse(input) {
        Ok(e) => assert_eq!(e, nanos(expected), "input {input:?}"),
        Err(err) => panic!("input {input:?} refused: {err}"),
    }
}

/// Refused, with a message naming the input and containing every `words`.
#[track_caller]
fn assert_refused(input: &str, words: &[&str]) -> ExpirationError {
    let err = match parse(input) {
        Ok(e) => panic!("input {input:?} accepted as {e:?}"),
        Err(err) => err,
    };
    assert_eq!(err.input(), input);
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("invalid expiration {input:?}: ")),
        "{msg}"
    );
    for w in words {
        assert!(msg.contains(w), "message for {input:?} lacks {w:?}: {msg}");
    }
    assert!(!msg.ends_with('.'), "{msg}");
    err
}

const INVALID: &[&str] = &[]; // Go's generic "invalid duration": the message says what
const POSITIVE: &[&str] = &["must be positive", "\"never\""];
const TOO_LONG: &[&str] = &["longer than the maximum of 15250w1d23h47m16s854ms775us807ns"];
const MISSING_UNIT: &[&str] = &["missing unit", "ns, us, µs, μs, ms, s, m, h, d, w"];
const EXPECTED_NUMBER: &[&str] = &["expected a number"];

#[test]
fn never() {
    assert_eq!(parse("never"), Ok(Expiration::Never));
    assert_eq!(Expiration::Never.to_string(), "never");
    assert_eq!(Expiration::default(), Expiration::Never);
    assert!(Expiration::Never.is_never());
    assert_eq!(Expiration::Never.duration(), None);
    assert_eq!(Expiration::Never.validate(), Ok(()));
    for input in ["Never", "NEVER", "never ", " never", "nevers", "nev"] {
        let err = assert_refused(input, INVALID);
        if input.trim().eq_ignore_ascii_case("never") {
            assert!(err.to_string().contains("lower case"), "{err}");
        }
    }
}

#[test]
fn every_unit_spelling() {
    for (input, expected) in [
        ("1ns", NS),
        ("1us", US),
        ("1µs", US), // U+00B5 MICRO SIGN
        ("1μs", US), // U+03BC GREEK SMALL LETTER MU
        ("1ms", MS),
        ("1s", S),
        ("1m", M),
        ("1h", H),
        ("1d", D),
        ("1w", W),
        ("7ns", 7),
        ("250us", 250_000),
        ("30m", 1_800_000_000_000),
        ("36h", 129_600_000_000_000),
        ("2w", 1_209_600_000_000_000),
    ] {
        assert_ok(input, expected);
    }
    assert_eq!("µs".as_bytes(), [0xC2, 0xB5, b's']);
    assert_eq!("μs".as_bytes(), [0xCE, 0xBC, b's']);
}

#[test]
fn fractions() {
    for (input, expected) in [
        ("1.5h", 5_400_000_000_000),
        (".5h", 1_800_000_000_000),
        ("1.h", H),
        ("1.0h", H),
        ("0.5s", 500_000_000),
        ("2.5d", 216_000_000_000_000),
        (".5w", 302_400_000_000_000),
        ("1.5ms", 1_500_000),
        ("1.5µs", 1_500),
        ("1.5μs", 1_500),
        ("0.5us", 500),
        ("1.000000001s", 1_000_000_001),
        // Past nanosecond precision the extra digits truncate away.
        ("1.0000000001s", S),
        ("1.9999999999s", 1_999_999_999),
        ("1.9ns", 1),
        // f64 arithmetic exactly as Go: 0.3 h and 1.1 h are not exact in
        // binary but come out even here, 18 nines round up to a whole second.
        ("0.3h", 1_080_000_000_000),
        ("1.1h", 3_960_000_000_000),
        ("1.7d", 146_880_000_000_000),
        ("0.999999999999999999s", S),
        ("0.9999999999999999999999999m", 59_999_999_999),
        // `f * (unit / scale)`, not `(f * unit) / scale`: these differ.
        ("1.99999999h", 7_199_999_964_000),
        ("1.894811311440w", 1_145_981_881_158_911),
        ("3.2732073023195271w", 1_979_635_776_442_850),
        // The 19th fraction digit still counts.
        ("0.7746274662355489497w", 468_494_691_579_260),
        ("0.4736442667641897823705003d", 40_922_864_648_426),
        ("1.4us", 1_400),
        ("2.1μs", 2_100),
        // More than 19 fraction digits: precision stops at i64, the rest is
        // consumed and ignored.
        ("0.12345678901234567890123h", 444_444_440_444),
        ("1.123456789012345678901234567890h", 4_044_444_440_444),
        ("3.999999999999999999999s", 4 * S),
        // A part whose fraction truncates to zero still counts as a part.
        ("0.1ns1s", S),
        ("1s0.9ns", S),
        // Leading zeros anywhere.
        ("0001h", H),
        ("0.0000000000000000000001h1ns", 1),
        // Fraction that exactly reaches the maximum.
        ("9223372036854.775807ms", MAX),
        ("2562047.7880152155h", 9_223_372_036_854_775_800),
        ("15250.1w", 9_223_260_480_000_000_000),
    ] {
        assert_ok(input, expected);
    }
}

#[test]
fn repeats_and_any_order() {
    for (input, expected) in [
        ("1h1w", H + W),
        ("1h1h", 2 * H),
        ("1s1m1h", S + M + H),
        ("1ns1us1µs1μs1ms", NS + 3 * US + MS),
        ("90m", 90 * M),
        ("1m1m1m", 3 * M),
        ("0h1s", S),
        ("1s0h", S),
        ("2w1d30m", 2 * W + D + 30 * M),
        ("1w2d6h3ns", W + 2 * D + 6 * H + 3),
        ("1.5h.5h", 2 * H),
        ("1h.5m", H + 30 * S),
    ] {
        assert_ok(input, expected);
    }
}

#[test]
fn signs_and_zero() {
    assert_ok("+1h", H);
    assert_ok("+.5s", 500_000_000);
    assert_ok("+0.1ns1ns", 1);
    for input in ["-1h", "-1ns", "-.5s", "-15250w", "-1h1m"] {
        let err = assert_refused(input, POSITIVE);
        assert!(err.to_string().contains("negative"), "{err}");
    }
    for input in [
        "0", "+0", "-0", "0s", "0.0h", "-0s", "+0h", "0w0d", "0.1ns", "00s", ".0s", "0.s",
    ] {
        let err = assert_refused(input, POSITIVE);
        assert!(err.to_string().contains("zero"), "{err}");
    }
}

#[test]
fn limits() {
    assert_ok("15250w", 15_250 * W);
    assert_ok("106751d", 106_751 * D);
    assert_ok("2562047h", 2_562_047 * H);
    assert_ok("9223372036854775807ns", MAX);
    assert_ok(MAX_TEXT, MAX);
    assert_ok("+9223372036854775807ns", MAX);
    assert_ok("9223372036854775.807us", MAX);
    assert_ok("0000000000000000000000009223372036854775807ns", MAX);
    for input in [
        "15251w",
        "106752d",
        "2562048h",
        "9223372036854775808ns",
        "9223372036854775807ns1ns",
        "1ns9223372036854775807ns",
        "9223372036854775807ns0.5us",
        "15250w1d23h47m16s854ms775us808ns",
        "15250w1w",
        "8000w8000w",
        "9223372036854.775808ms",
        // The part alone wraps to i64::MIN + 22; added to i64::MAX - 10 that
        // would wrap back to 11 without Go's check on the part.
        "9223372036854775797ns9223372036854.775830ms",
        "99999999999999999999999999s",
        "99999999999999999999999999",
        "99999999999999999999999999y",
        "-9223372036854775808ns",
        "-15251w",
    ] {
        assert_refused(input, TOO_LONG);
    }
}

#[test]
fn invalid_forms() {
    assert_refused("", &["empty", "\"never\""]);
    for input in ["+", "-"] {
        assert_refused(input, &["nothing after the sign"]);
    }
    for input in [
        ".h", "h", ".", "+.", "-.s", " 1h", "++1h", "+-1h", "--1h", "1h.", "1h.h", "１h", "\u{0}",
    ] {
        assert_refused(input, EXPECTED_NUMBER);
    }
    assert!(
        assert_refused(" 1h", EXPECTED_NUMBER)
            .to_string()
            .contains("spaces")
    );
    for input in [
        "1", "00", "1.5.5h", "1..5h", "1.5.h", "1h.5", "1h1", "+5", "1.", "-.5",
    ] {
        assert_refused(input, MISSING_UNIT);
    }
    for (input, unit) in [
        ("1H", "H"),
        ("1hr", "hr"),
        ("1y", "y"),
        ("1h ", "h "),
        ("1 h", " h"),
        ("1e3s", "e"),
        ("1MS", "MS"),
        ("1µ", "µ"),
        ("1μ", "μ"),
        ("1mus", "mus"),
        ("1sec", "sec"),
        ("1_000s", "_"),
        ("1,5h", ","),
        ("0x10s", "x"),
        ("1h-1m", "h-"),
        ("1h\n", "h\n"),
        ("1h+1m", "h+"),
        ("1\u{fffd}", "\u{fffd}"),
    ] {
        let expected = format!("unknown unit {unit:?}");
        let err = assert_refused(input, &[&expected, "ns, us, µs, μs, ms, s, m, h, d, w"]);
        let msg = err.to_string();
        if unit.contains(char::is_whitespace) {
            assert!(msg.contains("spaces are not allowed"), "{msg}");
        }
        if ["H", "MS"].contains(&unit) {
            assert!(msg.contains("case-sensitive"), "{msg}");
            assert!(msg.contains(&format!("{:?}", unit.to_lowercase())), "{msg}");
        }
    }
}

#[test]
fn exact_messages() {
    let msg = |s: &str| parse(s).unwrap_err().to_string();
    assert_eq!(
        msg("1y"),
        r#"invalid expiration "1y": unknown unit "y" (units: ns, us, µs, μs, ms, s, m, h, d, w)"#
    );
    assert_eq!(
        msg(""),
        r#"invalid expiration "": empty (use "never" or a duration such as "2w1d30m")"#
    );
    assert_eq!(
        msg("106752d"),
        format!(
            r#"invalid expiration "106752d": longer than the maximum of {MAX_TEXT} (use "never" for a token that does not expire)"#
        )
    );
    assert_eq!(
        msg("-1h"),
        r#"invalid expiration "-1h": a token lifetime must be positive, not negative; use "never" for a token that does not expire"#
    );
    assert!(msg("5").starts_with(r#"invalid expiration "5": missing unit"#));
    // Control characters in the input are escaped in the message.
    assert!(msg("1h\n").starts_with(r#"invalid expiration "1h\n": unknown unit "h\n""#));
    // The error is a std error, cloneable and comparable.
    let err = parse("1y").unwrap_err();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), err.to_string());
    assert_eq!(err, parse("1y").unwrap_err());
    assert_ne!(err, parse("1z").unwrap_err());
}

#[test]
fn display_is_canonical() {
    for (value, text) in [
        (90 * M, "1h30m"),
        (14 * D, "2w"),
        (1_500 * MS, "1s500ms"),
        (US, "1us"),
        (NS, "1ns"),
        (MAX, MAX_TEXT),
        (W + 2 * D + 6 * H + 3, "1w2d6h3ns"),
        (D + S, "1d1s"),
        (61 * M + 123_456_789, "1h1m123ms456us789ns"),
        (60 * H + 8 * MS, "2d12h8ms"),
    ] {
        assert_eq!(nanos(value).to_string(), text);
        assert_eq!(parse(text), Ok(nanos(value)), "{text}");
    }
    for (input, canonical) in [
        ("90m", "1h30m"),
        ("1h1h", "2h"),
        (".5h", "30m"),
        ("1h1w", "1w1h"),
        ("60s", "1m"),
        ("1000ms", "1s"),
        ("168h", "1w"),
        ("1.5µs", "1us500ns"),
        ("+24h", "1d"),
        ("9223372036854775807ns", MAX_TEXT),
    ] {
        assert_eq!(parse(input).unwrap().to_string(), canonical, "{input}");
    }
    // Formatting flags apply to the whole text.
    assert_eq!(format!("{:>7}|", nanos(90 * M)), "  1h30m|");
    assert_eq!(format!("{:-<7}|", Expiration::Never), "never--|");
}

#[test]
fn display_of_invalid_values_does_not_panic() {
    assert_eq!(Expiration::After(Duration::ZERO).to_string(), "0s");
    assert_eq!(
        Expiration::After(Duration::from_nanos(i64::MAX as u64 + 1)).to_string(),
        "15250w1d23h47m16s854ms775us808ns"
    );
    let max = Expiration::After(Duration::MAX).to_string();
    let n = Duration::MAX.as_nanos();
    assert!(max.starts_with(&format!("{}w", n / W)), "{max}");
    assert!(max.ends_with("999ns"), "{max}");
}

#[test]
fn checked_constructors() {
    let ok = Duration::from_nanos(i64::MAX as u64);
    assert_eq!(Expiration::try_from(ok), Ok(Expiration::After(ok)));
    assert_eq!(Expiration::after(ok), Ok(Expiration::After(ok)));
    assert_eq!(Expiration::after(ok).unwrap().to_string(), MAX_TEXT);
    assert_eq!(Expiration::after(Duration::from_nanos(1)), Ok(nanos(1)));

    let zero = Expiration::try_from(Duration::ZERO).unwrap_err();
    assert_eq!(zero.input(), "0s");
    assert!(zero.to_string().contains("must be positive"), "{zero}");
    assert_eq!(Expiration::after(Duration::ZERO), Err(zero.clone()));
    assert_eq!(Expiration::After(Duration::ZERO).validate(), Err(zero));

    for d in [
        ok + Duration::from_nanos(1),
        Duration::from_secs(u64::MAX / 2),
        Duration::MAX,
    ] {
        let err = Expiration::try_from(d).unwrap_err();
        assert_eq!(err.input(), Expiration::After(d).to_string());
        assert!(err.to_string().contains("longer than the maximum"), "{err}");
        assert_eq!(Expiration::after(d), Err(err.clone()));
        assert_eq!(Expiration::After(d).validate(), Err(err));
    }

    let e = Expiration::after(Duration::from_secs(90)).unwrap();
    assert_eq!(e.validate(), Ok(()));
    assert_eq!(e.duration(), Some(Duration::from_secs(90)));
    assert!(!e.is_never());
    // `is_never` is usable in const context.
    const { assert!(Expiration::Never.is_never()) };
}

#[test]
fn serde_round_trip() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Body {
        expiration: Expiration,
    }

    assert_eq!(
        serde_json::to_string(&Expiration::Never).unwrap(),
        r#""never""#
    );
    assert_eq!(
        serde_json::from_str::<Expiration>(r#""never""#).unwrap(),
        Expiration::Never
    );
    let e = parse("90m").unwrap();
    let json = serde_json::to_string(&Body { expiration: e }).unwrap();
    assert_eq!(json, r#"{"expiration":"1h30m"}"#);
    assert_eq!(
        serde_json::from_str::<Body>(&json).unwrap(),
        Body { expiration: e }
    );
    // Owned (escaped) strings go through the same parser.
    assert_eq!(
        serde_json::from_str::<Expiration>(r#""1\u00b5s""#).unwrap(),
        nanos(US)
    );

    let err = serde_json::from_str::<Expiration>(r#""1y""#).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"invalid expiration "1y": unknown unit "y""#),
        "{err}"
    );
    let err = serde_json::from_str::<Expiration>(r#""-1h""#).unwrap_err();
    assert!(err.to_string().contains("must be positive"), "{err}");
    let err = serde_json::from_str::<Expiration>("3600").unwrap_err();
    assert!(err.to_string().contains("a token expiration"), "{err}");
}

// ---------------------------------------------------------------- properties

const UNITS: [(&str, u128); 10] = [
    ("ns", NS),
    ("us", US),
    ("µs", US),
    ("μs", US),
    ("ms", MS),
    ("s", S),
    ("m", M),
    ("h", H),
    ("d", D),
    ("w", W),
];

/// Each test bounds its own time: a few hundred cases at most, shrinking cut
/// off after 5 s.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_time: 5_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings over the grammar's alphabet plus a few near misses.
fn grammar_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "0", "1", "5", "9", ".", "+", "-", "n", "s", "u", "µ", "μ", "m", "h", "d", "w", "H",
            "y", " ", "e", "never", "ns", "us", "µs", "μs", "ms",
        ]),
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

/// A number in any of the accepted shapes: `7`, `007`, `7.`, `.25`, `7.25`.
fn number() -> impl Strategy<Value = String> {
    (
        prop::option::of("[0-9]{1,22}"),
        prop::option::of("[0-9]{0,24}"),
    )
        .prop_filter_map("needs a digit", |(int, frac)| match (int, frac) {
            (None, None) => None,
            (None, Some(f)) if f.is_empty() => None,
            (Some(i), None) => Some(i),
            (i, Some(f)) => Some(format!("{}.{f}", i.unwrap_or_default())),
        })
}

/// Well-formed strings (sign, numbers with fractions, units), most of which
/// parse; large ones overflow.
fn well_formed() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "+", "-"]),
        proptest::collection::vec((number(), prop::sample::select(UNITS.to_vec())), 1..6),
    )
        .prop_map(|(sign, parts)| {
            let mut s = sign.to_owned();
            for (n, (unit, _)) in parts {
                s.push_str(&n);
                s.push_str(unit);
            }
            s
        })
}

#[track_caller]
fn check_round_trip(input: &str) {
    if let Ok(e) = parse(input) {
        let text = e.to_string();
        assert_eq!(parse(&text), Ok(e), "{input:?} displays as {text:?}");
        assert_eq!(e.validate(), Ok(()), "{input:?}");
        if let Some(d) = e.duration() {
            assert!(d.as_nanos() >= 1 && d.as_nanos() <= MAX, "{input:?}");
            assert_eq!(Expiration::try_from(d), Ok(e));
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_round_trip(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
        check_round_trip(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn grammar_alphabet_never_panics(s in grammar_soup()) {
        check_round_trip(&s);
    }

    #[test]
    fn well_formed_round_trips(s in well_formed()) {
        check_round_trip(&s);
        if let Err(err) = parse(&s) {
            // Only the sign, zero and size can make a well-formed string fail.
            let msg = err.to_string();
            prop_assert!(
                msg.contains("must be positive") || msg.contains("longer than the maximum"),
                "{}", msg
            );
        }
    }

    /// Random whole unit parts, random order, repeats allowed, total that
    /// fits: the result is the exact sum.
    #[test]
    fn unit_parts_sum_exactly(
        sign in prop::sample::select(vec!["", "+"]),
        parts in proptest::collection::vec(
            (prop::sample::select(UNITS.to_vec()), any::<u64>(), 0usize..4),
            1..8,
        ),
    ) {
        let mut input = sign.to_owned();
        let mut expected: u128 = 0;
        for ((unit, per), raw, zeros) in &parts {
            // At most 8 parts, each at most MAX / 8: the sum fits.
            let count = u128::from(*raw) % (MAX / 8 / per + 1);
            input.push_str(&"0".repeat(*zeros));
            input.push_str(&count.to_string());
            input.push_str(unit);
            expected += count * per;
        }
        match parse(&input) {
            Ok(e) => prop_assert_eq!(e, nanos(expected), "{}", input),
            Err(err) => {
                prop_assert_eq!(expected, 0, "{}: {}", input, err);
                prop_assert!(err.to_string().contains("zero"), "{}", err);
            }
        }
    }

    /// Fractions no finer than a nanosecond are exact for s, ms and us.
    #[test]
    fn exact_fractions(
        int in 0u64..1_000_000,
        digits in "[0-9]{1,9}",
        unit in prop::sample::select(vec![("s", 9u32), ("ms", 6), ("us", 3), ("µs", 3)]),
    ) {
        let (name, decimals) = unit;
        let digits = &digits[..digits.len().min(decimals as usize)];
        let input = format!("{int}.{digits}{name}");
        let per = 10u128.pow(decimals);
        let frac: u128 = digits.parse().unwrap();
        let expected = u128::from(int) * per + frac * 10u128.pow(decimals - digits.len() as u32);
        match parse(&input) {
            Ok(e) => prop_assert_eq!(e, nanos(expected), "{}", input),
            Err(err) => prop_assert_eq!(expected, 0, "{}: {}", input, err),
        }
    }

    /// `<n>ns` is accepted exactly up to i64::MAX and refused past it.
    #[test]
    fn nanosecond_limit(n in any::<u64>()) {
        let input = format!("{n}ns");
        match n {
            0 => prop_assert!(parse(&input).is_err()),
            1..=0x7fff_ffff_ffff_ffff => prop_assert_eq!(parse(&input), Ok(nanos(u128::from(n)))),
            _ => {
                let err = parse(&input).unwrap_err();
                prop_assert!(err.to_string().contains("longer than the maximum"), "{}", err);
            }
        }
    }

    /// Negative inputs are refused whatever their size, as long as they fit.
    #[test]
    fn negatives_refused(n in 1u64..=i64::MAX as u64) {
        let err = parse(&format!("-{n}ns")).unwrap_err();
        prop_assert!(err.to_string().contains("not negative"), "{}", err);
    }

    /// Every valid Duration survives TryFrom, Display and FromStr.
    #[test]
    fn every_valid_duration_round_trips(n in 1u64..=i64::MAX as u64) {
        let d = Duration::from_nanos(n);
        let e = Expiration::try_from(d).unwrap();
        let text = e.to_string();
        prop_assert_eq!(Expiration::from_str(&text), Ok(e), "{}", text);
        prop_assert_eq!(e.duration(), Some(d));
    }

    /// Small durations too, where short units dominate.
    #[test]
    fn small_durations_round_trip(n in 1u64..10_000_000_000) {
        let e = Expiration::after(Duration::from_nanos(n)).unwrap();
        prop_assert_eq!(parse(&e.to_string()), Ok(e));
    }
}
