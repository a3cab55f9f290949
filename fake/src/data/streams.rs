//! The streams of a database: each a SQLite connection of its own that a client holds
//! across requests through a baton (a transaction begun in one request is committed in
//! another), as sqld keeps them.
//!
//! A baton is the stream's ID and 16 random bytes, in base64url: it cannot be guessed,
//! and each answer issues a new one. A baton of no stream, or with the wrong bytes, is
//! refused ("invalid baton") without touching any stream; the stream's previous baton,
//! or its current one while a request runs on it, is refused as "already used". A stream
//! idle for 10 s is closed (its transaction rolled back) and answers `STREAM_EXPIRED`
//! for 5 minutes. A database holds at most [`MAX_STREAMS`] streams.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::storage::Conn;

/// How long a stream may stay idle before it is closed.
pub(crate) const STREAM_IDLE: Duration = Duration::from_secs(10);
/// How long a closed idle stream answers `STREAM_EXPIRED` (then "invalid baton").
const EXPIRED_KEPT: Duration = Duration::from_secs(300);
/// How many streams a database holds open at once.
pub(crate) const MAX_STREAMS: usize = 1_024;
/// How many SQL texts a stream stores (`store_sql`), and how long each may be.
pub(crate) const MAX_STORED_SQL: usize = 50;
pub(crate) const MAX_STORED_SQL_BYTES: usize = 5_000;

/// A stream: its connection, and what the requests on it set up.
pub(crate) struct Stream {
    pub(crate) conn: Conn,
    /// SQL texts stored by `store_sql`, by ID.
    pub(crate) stored: HashMap<i32, String>,
    /// Whether it is in a read-only transaction (`BEGIN READONLY`).
    pub(crate) read_only_transaction: bool,
    /// Whether a request changed the connection's own state (a pragma, an attachment, a
    /// temporary object), so that it must be kept rather than closed when idle in
    /// autocommit.
    pub(crate) stateful: bool,
}

impl Stream {
    pub(crate) fn new(conn: Conn) -> Self {
        Self {
            conn,
            stored: HashMap::new(),
            read_only_transaction: false,
            stateful: false,
        }
    }
}

/// Why a baton was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatonError {
    /// No stream has it (it was never issued, was forged, or its stream is long gone).
    Invalid,
    /// It was issued, but a newer one replaced it, or a request runs on the stream now.
    Reused,
    /// Its stream was closed after 10 s idle.
    Expired,
    /// The database holds [`MAX_STREAMS`] streams.
    TooMany,
}

enum Slot {
    /// Idle, waiting for the baton that ends with `secret`.
    Idle {
        stream: Box<Stream>,
        secret: [u8; 16],
        previous: Option<[u8; 16]>,
        since: Instant,
    },
    /// A request runs on it.
    Busy,
}

/// The streams of one database.
#[derive(Default)]
pub(crate) struct Streams {
    slots: HashMap<u64, Slot>,
    /// Streams closed for idleness, and when: they answer `STREAM_EXPIRED` for a while.
    expired: VecDeque<(u64, Instant)>,
}

/// A baton, read: the stream's ID and the secret bytes.
fn decode(baton: &str) -> Option<(u64, [u8; 16])> {
    let bytes = URL_SAFE_NO_PAD.decode(baton).ok()?;
    let (id, secret) = bytes.split_first_chunk::<8>()?;
    let secret: [u8; 16] = secret.try_into().ok()?;
    Some((u64::from_be_bytes(*id), secret))
}

fn encode(id: u64, secret: [u8; 16]) -> String {
    let mut bytes = [0u8; 24];
    bytes[..8].copy_from_slice(&id.to_be_bytes());
    bytes[8..].copy_from_slice(&secret);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without random bytes, a clock-derived value still keeps batons apart (they are
    // also checked against their stream), and nothing panics.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
            .to_le_bytes();
        for (byte, noise) in bytes.iter_mut().zip(nanos.iter().cycle()) {
            *byte = *noise;
        }
    }
    bytes
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
fn same(a: &[u8; 16], b: &[u8; 16]) -> bool {
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

impl Streams {
    /// Takes the stream of `baton` for a request: it is busy until [`Streams::release`]
    /// or [`Streams::discard`].
    pub(crate) fn acquire(&mut self, baton: &str) -> Result<(u64, Box<Stream>), BatonError> {
        let (id, secret) = decode(baton).ok_or(BatonError::Invalid)?;
        match self.slots.get(&id) {
            None => {
                if self.expired.iter().any(|(expired, _)| *expired == id) {
                    Err(BatonError::Expired)
                } else {
                    Err(BatonError::Invalid)
                }
            }
            Some(Slot::Busy) => Err(BatonError::Reused),
            Some(Slot::Idle {
                secret: expected,
                previous,
                ..
            }) => {
                if same(&secret, expected) {
                    match self.slots.insert(id, Slot::Busy) {
                        Some(Slot::Idle { stream, .. }) => Ok((id, stream)),
                        _ => Err(BatonError::Invalid),
                    }
                } else if previous.is_some_and(|previous| same(&secret, &previous)) {
                    Err(BatonError::Reused)
                } else {
                    Err(BatonError::Invalid)
                }
            }
        }
    }

    /// Registers a new stream, busy, and returns its ID.
    pub(crate) fn open(&mut self) -> Result<u64, BatonError> {
        if self.slots.len() >= MAX_STREAMS {
            return Err(BatonError::TooMany);
        }
        let mut id = u64::from_be_bytes(random());
        while self.slots.contains_key(&id) {
            id = id.wrapping_add(1);
        }
        self.slots.insert(id, Slot::Busy);
        Ok(id)
    }

    /// Puts a stream back after a request, idle, and returns its new baton.
    pub(crate) fn release(
        &mut self,
        id: u64,
        stream: Box<Stream>,
        previous: Option<[u8; 16]>,
    ) -> String {
        let secret = random();
        self.slots.insert(
            id,
            Slot::Idle {
                stream,
                secret,
                previous,
                since: Instant::now(),
            },
        );
        encode(id, secret)
    }

    /// Drops a stream (closed, or failed): its connection closes, rolling back any
    /// transaction.
    pub(crate) fn discard(&mut self, id: u64) {
        self.slots.remove(&id);
    }

    /// Closes the streams idle for longer than [`STREAM_IDLE`], and forgets those closed
    /// long ago; returns how many were closed.
    pub(crate) fn expire(&mut self, now: Instant) -> usize {
        let idle: Vec<u64> = self
            .slots
            .iter()
            .filter_map(|(id, slot)| match slot {
                Slot::Idle { since, .. } if now.duration_since(*since) >= STREAM_IDLE => Some(*id),
                _ => None,
            })
            .collect();
        for id in &idle {
            self.slots.remove(id);
            self.expired.push_back((*id, now));
        }
        while self
            .expired
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) >= EXPIRED_KEPT)
            || self.expired.len() > MAX_STREAMS * 4
        {
            self.expired.pop_front();
        }
        idle.len()
    }

    /// Closes every stream.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.expired.clear();
    }
}

/// The secret bytes of a baton this module issued, to refuse it once replaced.
pub(crate) fn secret_of(baton: &str) -> Option<[u8; 16]> {
    decode(baton).map(|(_, secret)| secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::storage::Data;
    use crate::data::storage::tests::TestStorage;

    fn stream() -> Box<Stream> {
        let storage = TestStorage::new();
        let data = Data::open(
            &storage.0,
            "streams-test",
            true,
            crate::data::storage::STATEMENT_TIME_LIMIT,
        )
        .unwrap();
        Box::new(Stream::new(data.connect().unwrap()))
    }

    #[test]
    fn batons_are_single_use_and_unforgeable() {
        let mut streams = Streams::default();
        let id = streams.open().unwrap();
        let first = streams.release(id, stream(), None);
        let (got, taken) = streams.acquire(&first).unwrap();
        assert_eq!(got, id);
        // While a request runs, the same baton is refused.
        assert_eq!(streams.acquire(&first).err(), Some(BatonError::Reused));
        let second = streams.release(id, taken, secret_of(&first));
        assert_ne!(first, second);
        assert_eq!(streams.acquire(&first).err(), Some(BatonError::Reused));
        // A forged one: the right stream ID, other bytes.
        let (_, mut secret) = decode(&second).unwrap();
        secret[0] ^= 1;
        assert_eq!(
            streams.acquire(&encode(id, secret)).err(),
            Some(BatonError::Invalid)
        );
        for garbage in ["", "not base64!", "AAAA", &encode(id ^ 1, secret)] {
            assert_eq!(streams.acquire(garbage).err(), Some(BatonError::Invalid));
        }
        // The refusals left the stream as it was.
        assert!(streams.acquire(&second).is_ok());
    }

    #[test]
    fn idle_streams_expire_and_say_so() {
        let mut streams = Streams::default();
        let id = streams.open().unwrap();
        let baton = streams.release(id, stream(), None);
        assert_eq!(streams.expire(Instant::now()), 0);
        assert_eq!(streams.expire(Instant::now() + STREAM_IDLE), 1);
        assert_eq!(streams.acquire(&baton).err(), Some(BatonError::Expired));
        streams.expire(Instant::now() + STREAM_IDLE + EXPIRED_KEPT + STREAM_IDLE);
        assert_eq!(streams.acquire(&baton).err(), Some(BatonError::Invalid));
    }

    #[test]
    fn a_database_holds_a_bounded_number_of_streams() {
        let mut streams = Streams::default();
        for _ in 0..MAX_STREAMS {
            streams.open().unwrap();
        }
        assert_eq!(streams.open().err(), Some(BatonError::TooMany));
        assert_eq!(streams.slots.len(), MAX_STREAMS);
    }
}
