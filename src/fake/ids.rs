//! The IDs the fake gives API tokens, groups and databases: unique, and random-looking
//! like Turso's (`clGFZ4STEe6fljpFzIum8A`).

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Makes IDs: a counter, scrambled and masked with bytes drawn at start.
///
/// The IDs need to be unique, not secret (a token's secret is its signature), so no
/// randomness is needed after start and making an ID cannot fail.
#[derive(Debug)]
pub(crate) struct Ids {
    mask: [u8; 16],
    next: u64,
}

impl Ids {
    /// A maker whose IDs differ from those of every other instance (with overwhelming
    /// probability).
    pub(crate) fn new() -> io::Result<Self> {
        let mut mask = [0u8; 16];
        getrandom::fill(&mut mask).map_err(io::Error::other)?;
        Ok(Self { mask, next: 0 })
    }

    /// A new ID: 16 bytes in base64url, 22 characters.
    pub(crate) fn next_id(&mut self) -> String {
        self.next += 1;
        // Multiplying by an odd number is a bijection on u64: distinct counters give
        // distinct IDs, and consecutive ones look unrelated.
        let low = self.next.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let high = self.next.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&high.to_be_bytes());
        bytes[8..].copy_from_slice(&low.to_be_bytes());
        for (byte, mask) in bytes.iter_mut().zip(self.mask) {
            *byte ^= mask;
        }
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_shaped_like_turso_ids() {
        let mut ids = Ids::new().unwrap();
        let made: HashSet<String> = (0..10_000).map(|_| ids.next_id()).collect();
        assert_eq!(made.len(), 10_000);
        assert!(made.iter().all(|id| {
            id.len() == 22
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }));
    }
}
