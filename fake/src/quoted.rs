//! Names from requests, quoted in the fake's messages and setup errors with a bound, so
//! that no message grows with what a client sent.

use std::fmt;

/// How many bytes of a name a message quotes.
const QUOTED: usize = 64;

/// Shows a value as `{:?}` does, cut to its first 64 bytes on a character boundary (then
/// `...`).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut end = self.0.len().min(QUOTED);
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        write!(f, "{:?}", &self.0[..end])?;
        if end < self.0.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}
