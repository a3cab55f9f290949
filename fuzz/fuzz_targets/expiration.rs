//! Feeds arbitrary bytes to `Expiration::from_str`; whatever parses must
//! display and parse back to the same value.
//!
//! Run with `cargo fuzz run expiration` (needs a nightly toolchain).

#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use turso_platform::Expiration;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    match Expiration::from_str(&input) {
        Ok(e) => {
            assert!(e.validate().is_ok(), "{input:?} parsed to invalid {e:?}");
            let text = e.to_string();
            let again = Expiration::from_str(&text);
            assert_eq!(again, Ok(e), "{input:?} displays as {text:?}");
            if let Some(d) = e.duration() {
                assert_eq!(Expiration::try_from(d), Ok(e));
            }
        }
        Err(err) => {
            assert_eq!(err.input(), &*input);
            assert!(!err.to_string().is_empty());
        }
    }
});
