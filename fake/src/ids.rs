//! The IDs the fake gives API tokens, groups and databases: unique, and random-looking
//! like Turso's (`clGFZ4STEe6fljpFzIum8A`).

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Makes IDs: a counter, scrambled and masked with bytes drawn at start.
///
/// The IDs need to be unique, not secret (a token's secret is its signature), so no
/// randomness is needed after start and making an ID cannot fail.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
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

    /// A maker left in place of one moved elsewhere: it is never used.
    pub(crate) fn spent() -> Self {
        Self {
            mask: [0; 16],
            next: 0,
        }
    }

    /// A new ID of an API token: 16 bytes in base64url, 22 characters.
    pub(crate) fn next_id(&mut self) -> String {
        URL_SAFE_NO_PAD.encode(self.next_bytes())
    }

    /// A new ID of a database or group: 16 bytes as a UUID
    /// (`0eb771dd-6906-11ee-8553-eaa7715aeaf2`), as Turso writes them.
    pub(crate) fn next_uuid(&mut self) -> String {
        uuid(self.next_bytes())
    }

    fn next_bytes(&mut self) -> [u8; 16] {
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
        bytes
    }
}

/// An ID derived from another and a name, the same every time: an instance's ID from its
/// database's and its location (FNV-1a, twice, as 16 bytes in a UUID).
pub(crate) fn derived_uuid(id: &str, name: &str) -> String {
    let hash = |seed: u64| {
        id.bytes()
            .chain([0])
            .chain(name.bytes())
            .fold(seed, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
            })
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hash(0xCBF2_9CE4_8422_2325).to_be_bytes());
    bytes[8..].copy_from_slice(&hash(0x8422_2325_CBF2_9CE4).to_be_bytes());
    uuid(bytes)
}

fn uuid(bytes: [u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn uuids_are_shaped_like_uuids_and_derived_ones_are_stable() {
        let mut ids = Ids::new().unwrap();
        let id = ids.next_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(
            derived_uuid(&id, "aws-us-east-1"),
            derived_uuid(&id, "aws-us-east-1")
        );
        assert_ne!(
            derived_uuid(&id, "aws-us-east-1"),
            derived_uuid(&id, "aws-eu-west-1")
        );
    }

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
