//! What follows a request that may have changed the state, before it is answered: the
//! data of the databases it deleted goes, and, with a state directory, the state is saved,
//! so that what the fake acknowledges is on disk
//! ([`FakeTursoBuilder::state_dir`](crate::FakeTursoBuilder::state_dir)).
//!
//! The layer sits on every route whose method may change something (all but `GET`),
//! inside the faults' middleware: a request whose answer is lost was saved first.
//! Concurrent changes share a write: a save that finds its change written by another
//! has nothing to do.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::answer::ApiError;
use crate::app::App;

/// Runs the request, then saves the state (off the runtime's threads) before answering.
/// A save that fails answers 500: the change may be made, but a restart would not find
/// it.
pub(crate) async fn middleware(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let deletes = request.method() == axum::http::Method::DELETE;
    let response = next.run(request).await;
    // A deleted database's (or group's, or organization's) data goes with it.
    if deletes {
        app.retire_deleted();
    }
    if !app.keeps_state() {
        return response;
    }
    let revision = app.changed();
    let saver = Arc::clone(&app);
    let saved = tokio::task::spawn_blocking(move || saver.save(revision)).await;
    match saved {
        Ok(Ok(())) => response,
        Ok(Err(e)) => {
            tracing::error!("the fake Turso could not save its state: {e}");
            ApiError::internal(format!(
                "the change may be made, but the fake could not save its state: {e}"
            ))
            .into_response()
        }
        Err(e) => ApiError::internal(format!("the fake's save failed: {e}")).into_response(),
    }
}
