//! The state directory (`--state DIR`, [`FakeTursoBuilder::state_dir`]): what a fake
//! keeps across restarts, `kill -9` included.
//!
//! Two files, each replaced whole and atomically (written beside, synced, renamed over,
//! the directory synced), so that a reader finds the old file or the new one, never a
//! mix:
//!
//! - `seed.json`, written once when the directory is first used: the signing key, the
//!   seeded state (what a reset returns to) and the tokens minted for it;
//! - `state.json`, rewritten after every change, before the change is answered: users,
//!   organizations, members, invites, API tokens, groups, databases, the audit log.
//!
//! A lock file (`lock`) keeps a second fake out of the directory while one uses it.
//! Both files hold secrets (the signing key signs every token): they are readable by
//! their owner only.
//!
//! [`FakeTursoBuilder::state_dir`]: crate::FakeTursoBuilder::state_dir

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::Seed;
use crate::ids::Ids;
use crate::jwt::Signer;
use crate::model::State;

/// The version of the files' format: a directory written by another is refused.
const FORMAT: u32 = 1;

const SEED_FILE: &str = "seed.json";
const STATE_FILE: &str = "state.json";
const LOCK_FILE: &str = "lock";

/// What a fake starts with: its key, its state, the state a reset returns to, and the
/// tokens minted for the seed.
pub(crate) struct Start {
    pub(crate) signer: Signer,
    pub(crate) state: State,
    /// The seeded state, as JSON.
    pub(crate) seed: String,
    pub(crate) tokens: SeededTokens,
    /// Whether the state was read from a state directory (rather than seeded).
    pub(crate) restored: bool,
}

/// The tokens minted for the seed: (username, token name, token), in the seed's order.
pub(crate) type SeededTokens = Vec<(String, String, SecretString)>;

impl Start {
    /// A fresh start from `seed`, with a new key.
    pub(crate) fn seeded(seed: &Seed) -> io::Result<Start> {
        let signer = Signer::generate()?;
        let (state, minted) = seed.state(Ids::new()?);
        let tokens = minted
            .into_iter()
            .map(|(username, name, claims)| {
                let token = SecretString::from(signer.sign(&claims));
                (username, name, token)
            })
            .collect();
        let seed = serde_json::to_string(&state).map_err(io::Error::other)?;
        Ok(Start {
            signer,
            state,
            seed,
            tokens,
            restored: false,
        })
    }
}

/// A state directory, locked for this fake.
pub(crate) struct Store {
    dir: PathBuf,
    /// Saves happen in revision order, under this lock.
    written: Mutex<Written>,
}

impl Written {
    /// The revision of the state last written.
    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }
}

/// What the saves share.
pub(crate) struct Written {
    /// The revision of the state last written: a save that finds its revision written
    /// already has nothing to do.
    revision: u64,
    /// The lock file, held open and locked until the fake stops; `None` once it has
    /// (and nothing is written any more).
    lock: Option<File>,
}

/// `seed.json`.
#[derive(Serialize, Deserialize)]
struct SeedFile {
    /// Checked first, on its own.
    format: u32,
    /// The Ed25519 seed of the signing key, in base64url.
    signing_key: String,
    tokens: Vec<TokenFile>,
    seed: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
struct TokenFile {
    username: String,
    name: String,
    token: String,
}

/// `state.json`, as it is written (borrowing the state).
#[derive(Serialize)]
struct StateFileOut<'a> {
    format: u32,
    state: &'a State,
}

/// `state.json`, as it is read (its format checked first).
#[derive(Deserialize)]
struct StateFileIn {
    state: State,
}

impl Store {
    /// Opens the state directory `dir` (made if missing), locks it, and reads what it
    /// holds; an empty directory starts from `seed`, and keeps it.
    pub(crate) fn open(dir: &Path, seed: &Seed) -> io::Result<(Store, Start)> {
        let named = |what: &str, path: &Path| {
            let path = path.display().to_string();
            let what = what.to_owned();
            move |e: io::Error| io::Error::new(e.kind(), format!("{what} {path}: {e}"))
        };
        create_private_dir(dir).map_err(named("cannot make the state directory", dir))?;
        let lock_path = dir.join(LOCK_FILE);
        // Never through a link: the lock file is created where it is named, or nowhere.
        if fs::symlink_metadata(&lock_path).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is a symbolic link: the state directory's files are its own, remove \
                     the link",
                    lock_path.display()
                ),
            ));
        }
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options
            .open(&lock_path)
            .map_err(named("cannot open the lock file", &lock_path))?;
        // The lock is the open file's: it goes when the file is closed, at the latest
        // when the process ends, however it ends.
        if let Err(e) = lock.try_lock() {
            return Err(match e {
                fs::TryLockError::WouldBlock => io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!(
                        "{} is in use by another turso-platform-fake: give each its own \
                         state directory",
                        dir.display()
                    ),
                ),
                fs::TryLockError::Error(e) => e,
            });
        }
        let store = Store {
            dir: dir.to_owned(),
            written: Mutex::new(Written {
                revision: 0,
                lock: Some(lock),
            }),
        };
        let start = match store.read_seed()? {
            Some(start) => start,
            None => {
                let start = Start::seeded(seed)?;
                store.write_seed(&start)?;
                start
            }
        };
        let start = match store.read_state()? {
            Some(state) => Start {
                state,
                restored: true,
                ..start
            },
            None => start,
        };
        Ok((store, start))
    }

    /// The lock under which saves happen, in revision order: the caller serializes the
    /// state under the state's lock ([`Store::state_bytes`]), lets that go, and writes
    /// ([`Store::save_bytes`]), so that requests wait for no disk.
    pub(crate) fn written(&self) -> std::sync::MutexGuard<'_, Written> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the serialized `state.json` of `revision`, under the lock of
    /// [`Store::written`].
    pub(crate) fn save_bytes(
        &self,
        written: &mut Written,
        revision: u64,
        bytes: &[u8],
    ) -> io::Result<()> {
        if written.revision >= revision {
            return Ok(());
        }
        if written.lock.is_none() {
            return Err(io::Error::other(
                "the fake is stopped, and its state directory released",
            ));
        }
        self.replace(STATE_FILE, bytes)?;
        written.revision = revision;
        Ok(())
    }

    /// Stops writing and releases the directory, once the save under way (if any) is
    /// done: a fake started on it next finds every change acknowledged so far.
    pub(crate) fn close(&self) {
        self.written().lock = None;
    }

    /// `state.json`'s bytes for `state`.
    pub(crate) fn state_bytes(state: &State) -> io::Result<Vec<u8>> {
        serde_json::to_vec(&StateFileOut {
            format: FORMAT,
            state,
        })
        .map_err(io::Error::other)
    }

    fn read_seed(&self) -> io::Result<Option<Start>> {
        let Some(bytes) = self.read(SEED_FILE)? else {
            return Ok(None);
        };
        self.check_format(SEED_FILE, &bytes)?;
        let file: SeedFile =
            serde_json::from_slice(&bytes).map_err(|e| self.unreadable(SEED_FILE, e))?;
        if file.tokens.is_empty() {
            return Err(self.unreadable(SEED_FILE, "it names no token"));
        }
        let mut key = [0u8; 32];
        let decoded = URL_SAFE_NO_PAD
            .decode(&file.signing_key)
            .map_err(|e| self.unreadable(SEED_FILE, e))?;
        if decoded.len() != key.len() {
            return Err(self.unreadable(SEED_FILE, "the signing key is not 32 bytes"));
        }
        key.copy_from_slice(&decoded);
        let signer = Signer::from_seed(&key);
        secrecy::zeroize::Zeroize::zeroize(&mut key);
        let state: State =
            serde_json::from_value(file.seed.clone()).map_err(|e| self.unreadable(SEED_FILE, e))?;
        Ok(Some(Start {
            signer,
            state,
            seed: file.seed.to_string(),
            tokens: file
                .tokens
                .into_iter()
                .map(|t| (t.username, t.name, SecretString::from(t.token)))
                .collect(),
            restored: false,
        }))
    }

    fn write_seed(&self, start: &Start) -> io::Result<()> {
        let file = SeedFile {
            format: FORMAT,
            signing_key: start.signer.seed().expose_secret().to_owned(),
            tokens: start
                .tokens
                .iter()
                .map(|(username, name, token)| TokenFile {
                    username: username.clone(),
                    name: name.clone(),
                    token: token.expose_secret().to_owned(),
                })
                .collect(),
            seed: serde_json::from_str(&start.seed).map_err(io::Error::other)?,
        };
        let bytes = serde_json::to_vec(&file).map_err(io::Error::other)?;
        self.replace(SEED_FILE, &bytes)
    }

    fn read_state(&self) -> io::Result<Option<State>> {
        let Some(bytes) = self.read(STATE_FILE)? else {
            return Ok(None);
        };
        self.check_format(STATE_FILE, &bytes)?;
        let file: StateFileIn =
            serde_json::from_slice(&bytes).map_err(|e| self.unreadable(STATE_FILE, e))?;
        Ok(Some(file.state))
    }

    /// The bytes of `name`, or `None` if there is no such file.
    fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Checks the format of the file `name` before reading the rest, so that a file of
    /// another version says so.
    fn check_format(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let Format { format } =
            serde_json::from_slice(bytes).map_err(|e| self.unreadable(name, e))?;
        if format == FORMAT {
            Ok(())
        } else {
            Err(self.unreadable(
                name,
                format!(
                    "it is in format {format}, and this turso-platform-fake reads format \
                     {FORMAT}"
                ),
            ))
        }
    }

    fn unreadable(&self, name: &str, why: impl std::fmt::Display) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not a state this turso-platform-fake can read ({why}): start with \
                 an empty directory, or the version that wrote it",
                self.dir.join(name).display()
            ),
        )
    }

    /// Replaces the file `name` with `bytes`, atomically and durably.
    fn replace(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.dir.join(name);
        let temporary = self.dir.join(format!("{name}.tmp"));
        // Made anew, never followed: a link left at its name is removed, not written
        // through.
        match fs::remove_file(&temporary) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = private_file(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, &path)?;
        sync_dir(&self.dir)
    }
}

/// Makes `dir` (and its parents) if missing, readable by its owner only when made here.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A new file, readable and writable by its owner only; fails if the name is taken (by
/// a file or a link).
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
