//! The handlers of the database operations.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::Shared;
use crate::fake::answer::ApiError;
use crate::fake::auth::Authenticated;
use crate::fake::request::{
    ConfigurationBody, DatabaseQuery, Json, Names, NewDatabaseBody, UsageQuery,
};

pub(super) async fn list_databases(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = DatabaseQuery::read(query.as_deref())?;
    app.respond(&caller, |state, caller| {
        state.list_databases(caller, &slug, &query)
    })
}

pub(super) async fn create_database(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<NewDatabaseBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    app.respond(&caller, |state, caller| {
        state.create_database(caller, &slug, body)
    })
}

pub(super) async fn get_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_database(caller, &slug, &name)
    })
}

pub(super) async fn delete_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.delete_database(caller, &slug, &name)
    })
}

pub(super) async fn get_database_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_database_configuration(caller, &slug, &name)
    })
}

pub(super) async fn update_database_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(changes): Json<ConfigurationBody>,
) -> Result<Response, ApiError> {
    changes.check()?;
    app.respond(&caller, |state, caller| {
        state.update_database_configuration(caller, &slug, &name, changes)
    })
}

pub(super) async fn list_database_instances(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_database_instances(caller, &slug, &name)
    })
}

pub(super) async fn get_database_instance(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, instance)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_database_instance(caller, &slug, &name, &instance)
    })
}

pub(super) async fn get_database_usage(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let period = UsageQuery::read(query.as_deref())?;
    app.respond(&caller, |state, caller| {
        state.get_database_usage(caller, &slug, &name, &period)
    })
}

pub(super) async fn get_database_stats(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_database_stats(caller, &slug, &name)
    })
}
