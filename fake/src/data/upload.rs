//! Turso's upload of a SQLite file into a database (what Turso's CLI does for
//! `db create --from-file` after a create with a `database_upload` seed): `PUT
//! /v2/upload/start` with the file's size, then its chunks in order, then `finalize`,
//! each with a read-write token of the database. The file replaces the database's data
//! once it is whole and is a SQLite database; at most [`MAX_UPLOAD`] bytes.
//!
//! What an upload holds is bounded: each chunk's body must arrive within the fake's idle
//! timeout; an upload that receives nothing for that long is dropped (its memory freed);
//! the uploads in progress on all databases hold at most [`MAX_UPLOADING`] bytes (a start
//! past it answers 503).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use axum::extract::{Path, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, MAIN_DB};
use serde::Deserialize;

use super::Served;
use super::auth;
use super::routes::{self, Db, Failure, MAX_BODY};
use crate::http::answer;

/// The largest file uploaded, in bytes.
pub(crate) const MAX_UPLOAD: u64 = 256 * 1024 * 1024;
/// The size of each chunk the client sends (the last may be shorter).
const CHUNK: u64 = 8 * 1024 * 1024;

/// What the uploads in progress on all databases may hold together, in bytes.
pub(crate) const MAX_UPLOADING: u64 = 2 * MAX_UPLOAD;

/// An upload in progress.
pub(crate) struct Upload {
    id: String,
    size: u64,
    received: Vec<u8>,
    next_chunk: u64,
    /// When it last received a chunk (or started).
    touched: Instant,
    _reserved: Reservation,
}

/// The bytes of all uploads in progress, announced at their start.
#[derive(Debug, Default)]
pub(crate) struct Uploading(Arc<AtomicU64>);

impl Uploading {
    /// Reserves `size` bytes for a new upload, if all uploads in progress leave room.
    fn reserve(&self, size: u64) -> Option<Reservation> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(size)
                    .filter(|&total| total <= MAX_UPLOADING)
            })
            .ok()?;
        Some(Reservation {
            total: Arc::clone(&self.0),
            size,
        })
    }
}

/// An upload's share of [`MAX_UPLOADING`], given back when the upload ends or is dropped.
struct Reservation {
    total: Arc<AtomicU64>,
    size: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.total.fetch_sub(self.size, Ordering::AcqRel);
    }
}

/// Drops the upload `id` of `served` once it has received nothing for `idle`, and ends
/// when it is gone (finished, replaced, dropped) or so is the database.
async fn expire(served: Weak<Served>, id: String, idle: std::time::Duration) {
    let mut wait = idle;
    loop {
        tokio::time::sleep(wait).await;
        let Some(served) = served.upgrade() else {
            return;
        };
        let mut slot = served.upload.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(upload) if upload.id == id => {
                let quiet = upload.touched.elapsed();
                if quiet >= idle {
                    *slot = None;
                    return;
                }
                wait = idle - quiet;
            }
            _ => return,
        }
    }
}

#[derive(Deserialize)]
struct Start {
    db_size_bytes: u64,
}

/// The request's token may write: checked as every request to the database is.
fn admit_writer(db: &Db, headers: &HeaderMap) -> Result<(), Failure> {
    let admitted = db.admit(headers)?;
    if auth::read_only(&admitted.claims) {
        return Err(Failure::Forbidden(
            "Current session doesn't have Write permission to this database: the token is \
             read-only"
                .to_owned(),
        ));
    }
    Ok(())
}

/// `PUT /v2/upload/start`.
pub(crate) async fn start(db: Db, request: Request) -> Response {
    let run =
        async {
            admit_writer(&db, request.headers())?;
            let bytes = routes::read_body(&db.app, request.into_body(), MAX_BODY).await?;
            let start: Start = serde_json::from_slice(&bytes).map_err(|e| {
                Failure::Protocol(format!("the body must be {{\"db_size_bytes\": N}}: {e}"))
            })?;
            if start.db_size_bytes == 0 || start.db_size_bytes > MAX_UPLOAD {
                return Err(Failure::TooLarge(format!(
                    "a database upload is 1 byte to {MAX_UPLOAD} bytes"
                )));
            }
            let mut id = [0u8; 16];
            getrandom::fill(&mut id)
                .map_err(|e| Failure::Unavailable(format!("no random bytes: {e}")))?;
            let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
            // A new upload replaces this database's unfinished one, whose share is given back
            // first.
            let mut slot = db.served.upload.lock().unwrap_or_else(|e| e.into_inner());
            *slot = None;
            let reserved = db.app.data().uploading().reserve(start.db_size_bytes).ok_or_else(|| {
            Failure::Unavailable(format!(
                "the uploads in progress hold {MAX_UPLOADING} bytes, the most the fake keeps: \
                 finish one (an upload that receives nothing for the idle timeout is dropped)"
            ))
        })?;
            *slot = Some(Upload {
                id: id.clone(),
                size: start.db_size_bytes,
                received: Vec::new(),
                next_chunk: 0,
                touched: Instant::now(),
                _reserved: reserved,
            });
            drop(slot);
            tokio::spawn(expire(
                Arc::downgrade(&db.served),
                id.clone(),
                db.app.idle_timeout(),
            ));
            Ok(answer::json(
                &serde_json::json!({"chunk_size": CHUNK, "upload_id": id}),
            ))
        };
    run.await.into_response()
}

/// `PUT /v2/upload/{id}/chunk/{n}`.
pub(crate) async fn chunk(
    db: Db,
    Path((id, n)): Path<(String, u64)>,
    request: Request,
) -> Response {
    let run = async {
        admit_writer(&db, request.headers())?;
        let bytes = routes::read_body(&db.app, request.into_body(), CHUNK as usize).await?;
        let mut slot = db.served.upload.lock().unwrap_or_else(|e| e.into_inner());
        let upload = slot
            .as_mut()
            .filter(|upload| upload.id == id)
            .ok_or_else(|| Failure::Missing(format!("upload {id}")))?;
        if n != upload.next_chunk {
            return Err(Failure::Protocol(format!(
                "chunk {n} arrived, chunk {} was expected: send them in order",
                upload.next_chunk
            )));
        }
        if upload.received.len() as u64 + bytes.len() as u64 > upload.size {
            return Err(Failure::TooLarge(format!(
                "the chunks are larger than the {} bytes announced",
                upload.size
            )));
        }
        upload.received.extend_from_slice(&bytes);
        upload.next_chunk += 1;
        upload.touched = Instant::now();
        Ok(answer::json(&serde_json::json!({})))
    };
    run.await.into_response()
}

/// `PUT /v2/upload/{id}/finalize`.
pub(crate) async fn finalize(db: Db, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let run = async {
        admit_writer(&db, &headers)?;
        let upload = {
            let mut slot = db.served.upload.lock().unwrap_or_else(|e| e.into_inner());
            match slot.take() {
                Some(upload) if upload.id == id => upload,
                other => {
                    *slot = other;
                    return Err(Failure::Missing(format!("upload {id}")));
                }
            }
        };
        if upload.received.len() as u64 != upload.size {
            return Err(Failure::Protocol(format!(
                "the upload has {} bytes of the {} announced",
                upload.received.len(),
                upload.size
            )));
        }
        let served = std::sync::Arc::clone(&db.served);
        let loaded = tokio::task::spawn_blocking(move || {
            let image = image(&upload.received)?;
            served
                .replace_with(&image)
                .map_err(|e| format!("the upload could not be written: {e}"))
        })
        .await
        .map_err(|e| Failure::Unavailable(e.to_string()))?;
        loaded.map_err(Failure::Protocol)?;
        Ok(answer::json(&serde_json::json!({})))
    };
    run.await.into_response()
}

/// A private in-memory connection holding the SQLite database `file`, checked whole.
pub(crate) fn image(file: &[u8]) -> Result<Connection, String> {
    if !file.starts_with(b"SQLite format 3\0") {
        return Err("the upload is not a SQLite database (no SQLite header)".to_owned());
    }
    let mut conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
    conn.deserialize_read_exact(MAIN_DB, file, file.len(), true)
        .map_err(|e| format!("the upload is not a SQLite database: {e}"))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| format!("the upload is not a sound SQLite database: {e}"))?;
    if check != "ok" {
        return Err(format!(
            "the upload is not a sound SQLite database: {check}"
        ));
    }
    Ok(conn)
}
