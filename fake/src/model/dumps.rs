//! The SQL dumps uploaded for new databases (`POST …/databases/dumps`, which Turso's CLI
//! calls before a create with `--from-dump`), each at an unguessable URL, kept up to a
//! bound: the oldest go first.

use std::collections::VecDeque;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::State;
use crate::caller::Caller;
use crate::http::answer::ApiError;

/// The largest dump kept, in bytes.
pub(crate) const MAX_DUMP: usize = 16 * 1024 * 1024;
/// How many dumps are kept: a new one past it drops the oldest.
pub(crate) const KEPT_DUMPS: usize = 16;

/// The dumps kept, oldest first, by ID.
#[derive(Debug, Default)]
pub(crate) struct Dumps {
    kept: VecDeque<(String, Arc<[u8]>)>,
}

impl State {
    /// Keeps an uploaded dump for the organization `slug` (whose members may write), and
    /// answers its ID.
    pub(crate) fn upload_dump(
        &mut self,
        caller: &Caller,
        slug: &str,
        dump: Vec<u8>,
    ) -> Result<String, ApiError> {
        self.organization_of(caller, slug)?.check_writes()?;
        // Random, not from the ID maker: the URL is the only key to the dump, and the
        // maker's IDs are unique but can be told from two others.
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("no random bytes for the dump's URL: {e}"),
            )
        })?;
        let id = URL_SAFE_NO_PAD.encode(bytes);
        let kept = &mut self.dumps.kept;
        if kept.len() >= KEPT_DUMPS {
            kept.pop_front();
        }
        kept.push_back((id.clone(), dump.into()));
        Ok(id)
    }

    /// The dump `id`, if it is kept.
    pub(crate) fn dump(&self, id: &str) -> Option<Arc<[u8]>> {
        self.dumps
            .kept
            .iter()
            .find(|(kept, _)| kept == id)
            .map(|(_, dump)| Arc::clone(dump))
    }
}
