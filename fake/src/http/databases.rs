//! The HTTP side of the database operations.

use super::{Extra, Operation, Shared};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::on;

use super::extract::{bad_value, list_or_clear, object, query_values};
use super::multipart;
use crate::app::App;
use crate::data::{Init, dump};
use crate::http::answer::{self, ApiError};
use crate::http::extract::Authenticated;
use crate::http::extract::{Json, Names};
use crate::model::MAX_DUMP;
use crate::quoted::Quoted;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;
use turso_platform::Timestamp;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[
    ("listDatabases", |m| on(m, list_databases)),
    ("createDatabase", |m| on(m, create_database)),
    ("getDatabase", |m| on(m, get_database)),
    ("deleteDatabase", |m| on(m, delete_database)),
    ("getDatabaseConfiguration", |m| {
        on(m, get_database_configuration)
    }),
    ("updateDatabaseConfiguration", |m| {
        on(m, update_database_configuration)
    }),
    ("listDatabaseInstances", |m| on(m, list_database_instances)),
    ("getDatabaseInstance", |m| on(m, get_database_instance)),
    ("getDatabaseUsage", |m| on(m, get_database_usage)),
    ("getDatabaseStats", |m| on(m, get_database_stats)),
];

/// The routes beyond the spec this module serves: those Turso's CLI calls, and the v3
/// forms that name organizations and databases by ID.
pub(super) const EXTRA: &[Extra] = &[
    (
        "listDatabaseTopQueries",
        "GET",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/usage/queries",
        |m| on(m, list_top_queries),
    ),
    (
        "transferDatabase",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/transfer",
        |m| on(m, transfer_database),
    ),
    (
        "wakeUpDatabase",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/wakeup",
        |m| on(m, wake_up_database),
    ),
    (
        "updateDatabase",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/update",
        |m| on(m, update_database),
    ),
    (
        "uploadDatabaseDump",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/dumps",
        |m| on(m, upload_dump),
    ),
    ("getDatabaseDump", "GET", "/v1/dumps/{dumpId}", |m| {
        on(m, get_dump)
    }),
    (
        "seedDatabase",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/seed",
        |m| on(m, seed_database),
    ),
    (
        "createDatabaseInstance",
        "POST",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances",
        |m| on(m, create_database_instance),
    ),
    (
        "deleteDatabaseInstance",
        "DELETE",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances/{instanceName}",
        |m| on(m, delete_database_instance),
    ),
    (
        "waitForDatabaseInstance",
        "GET",
        "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances/{instanceName}/wait",
        |m| on(m, wait_for_database_instance),
    ),
    (
        "listDatabases",
        "GET",
        "/v3/organizations/{organizationId}/databases",
        |m| on(m, list_databases_v3),
    ),
    (
        "createDatabase",
        "POST",
        "/v3/organizations/{organizationId}/databases",
        |m| on(m, create_database_v3),
    ),
    (
        "getDatabase",
        "GET",
        "/v3/organizations/{organizationId}/databases/{databaseId}",
        |m| on(m, get_database_v3),
    ),
    (
        "deleteDatabase",
        "DELETE",
        "/v3/organizations/{organizationId}/databases/{databaseId}",
        |m| on(m, delete_database_v3),
    ),
];

pub(super) async fn list_databases(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = DatabaseQuery::read(query.as_deref())?;
    let list = app.act(&caller, |state, caller| {
        state.list_databases(caller, &slug, &query)
    })?;
    Ok(with_lowercase_hostnames(&list))
}

pub(super) async fn create_database(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<NewDatabaseBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    let image = initial_data(&app, &body).await?;
    let created = provision(
        &app,
        image,
        |port| {
            app.act(&caller, |state, caller| {
                state.create_database(caller, &slug, body, port)
            })
        },
        |created| created.database.db_id.clone(),
    )?;
    Ok(answer::json(&created))
}

/// The data a new database starts with, when it is a dump's (loaded now, so that a dump
/// that does not load refuses the create before anything is made).
async fn initial_data(
    app: &App,
    body: &NewDatabaseBody,
) -> Result<Option<rusqlite::Connection>, ApiError> {
    let Some(url) = body
        .seed
        .as_ref()
        .filter(|seed| seed.kind == SeedKind::Dump)
        .and_then(|seed| seed.url.as_deref())
    else {
        return Ok(None);
    };
    let sql = dump::fetch(app, url).await?;
    let _turn = dump_turn(app).await?;
    tokio::task::spawn_blocking(move || dump::image(&sql))
        .await
        .map_err(|e| ApiError::internal(format!("the dump could not be loaded: {e}")))?
        .map(Some)
}

/// A turn to load a dump: a few at once in all databases, each bounded in memory.
async fn dump_turn(app: &App) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    app.data()
        .dump_turn(app.idle_timeout())
        .await
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the fake loads {} dumps already, and none ended within the idle timeout: \
                     try again shortly",
                    crate::data::DUMPS_AT_ONCE
                ),
            )
        })
}

/// Creates a database through `create` (given the port it is served on), then serves
/// it: with `image`'s data, or a copy of the database it copies, or empty. `id_of` reads
/// the new database's ID in what `create` answers.
fn provision<T>(
    app: &Arc<App>,
    image: Option<rusqlite::Connection>,
    create: impl FnOnce(u16) -> Result<T, ApiError>,
    id_of: impl FnOnce(&T) -> String,
) -> Result<T, ApiError> {
    // Out of ports or file descriptors, say: the ports kept for deleted databases are
    // closed, for the next create to find what they held.
    let unavailable = |e: std::io::Error| {
        app.data().close_retired();
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the fake could not serve a new database: {e} (the ports kept for deleted \
                 databases are now closed: delete databases, or raise the process's file \
                 descriptor limit, and try again)"
            ),
        )
    };
    let listener = app.data().bind(0).map_err(unavailable)?;
    let port = listener.local_addr().map_err(unavailable)?.port();
    let created = create(port)?;
    let id = id_of(&created);
    let init = match image {
        Some(image) => Init::Image(image),
        None => match app.state().copied_from(&id) {
            Some(source) => Init::Copy(source),
            None => Init::Empty,
        },
    };
    if let Err(e) = app.data().open(app, &id, listener, init) {
        // Not served, not made: a create that fails leaves nothing behind.
        app.state().forget_created_database(&id);
        return Err(unavailable(e));
    }
    Ok(created)
}

pub(super) async fn get_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let database = app.act(&caller, |state, caller| {
        state.get_database(caller, &slug, &name)
    })?;
    Ok(with_lowercase_hostnames(&database))
}

/// `GET …/usage/queries` (Turso's CLI's `db inspect --queries`): the top queries, a bare
/// list.
async fn list_top_queries(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.list_top_queries(caller, &slug, &name)
    })
}

/// The body of `POST …/transfer` for a database (Turso's CLI sends `{"org": ...}`).
#[derive(Debug, Deserialize)]
struct DatabaseTransferBody {
    org: String,
}

async fn transfer_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<DatabaseTransferBody>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.transfer_database(caller, &slug, &name, &body.org)
    })?;
    Ok(answer::empty())
}

async fn wake_up_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.wake_up_database(caller, &slug, &name)
    })?;
    Ok(answer::empty())
}

/// `POST …/update` (older CLIs' `db update`, the TypeScript client's `updateVersion`):
/// the fake has one libSQL version, which every database runs already.
async fn update_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.get_database(caller, &slug, &name).map(drop)
    })?;
    Ok(answer::empty())
}

/// `POST …/databases/dumps` (Turso's CLI's `db create --from-dump`): a multipart upload
/// of a SQL dump (its field `file`), kept at an unguessable URL of the fake's, which the
/// answer gives (`{"dump_url": ...}`) for a `dump` seed.
async fn upload_dump(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let dump = multipart::field(&parts.headers, body, "file", MAX_DUMP, app.idle_timeout()).await?;
    let id = app.act(&caller, |state, caller| {
        state.upload_dump(caller, &slug, dump)
    })?;
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ok(answer::json(
        &serde_json::json!({ "dump_url": format!("http://{host}/v1/dumps/{id}") }),
    ))
}

/// `GET /v1/dumps/{id}`: an uploaded dump, to whoever has its URL (as a presigned URL).
async fn get_dump(State(app): Shared, Names(id): Names<String>) -> Result<Response, ApiError> {
    let dump = app.state().dump(&id).ok_or_else(|| {
        ApiError::not_found("no dump at this URL: it was never uploaded, or is gone")
    })?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/sql")],
        dump.to_vec(),
    )))
}

/// `POST …/{db}/seed`: a multipart upload of a SQL dump, run on an existing database
/// (members who may change it only).
async fn seed_database(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let dump = multipart::field(&parts.headers, body, "file", MAX_DUMP, app.idle_timeout()).await?;
    let id = app.act(&caller, |state, caller| {
        state.database_to_seed(caller, &slug, &name)
    })?;
    let sql = String::from_utf8(dump)
        .map_err(|_| ApiError::bad_request("the dump could not be loaded: it is not UTF-8 text"))?;
    let served = app
        .data()
        .served(&id)
        .ok_or_else(|| ApiError::not_found(format!("database {name} is not served")))?;
    let _loading = dump_turn(&app).await?;
    // A turn of the database's, as every request that runs SQL on it takes.
    let turn = served.turn(app.idle_timeout()).await.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            crate::data::no_turn(),
        )
    })?;
    let runner = std::sync::Arc::clone(&served);
    let loaded = tokio::task::spawn_blocking(move || {
        let conn = runner
            .connect()
            .ok_or_else(|| ApiError::not_found("the database was deleted"))?
            .map_err(|e| ApiError::internal(format!("the database could not be opened: {e}")))?;
        dump::run(&conn.sqlite, &sql)
    })
    .await;
    drop(turn);
    loaded.map_err(|e| ApiError::internal(format!("the dump could not be loaded: {e}")))??;
    Ok(answer::empty())
}

/// The body of `POST …/instances` (Turso's CLI sends `{"Location": ...}`).
#[derive(Debug, Deserialize)]
struct NewInstanceBody {
    location: String,
}

async fn create_database_instance(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<NewInstanceBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.create_database_instance(caller, &slug, &name, &body.location)
    })
}

async fn delete_database_instance(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, instance)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.delete_database_instance(caller, &slug, &name, &instance)
    })?;
    Ok(answer::empty())
}

/// `GET …/instances/{i}/wait` (Turso's CLI's `db replicate --wait`): answers once the
/// instance is ready (at once, but for a readiness lag).
async fn wait_for_database_instance(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, instance)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    let ready_at = app.act(&caller, |state, caller| {
        state.instance_ready_at(caller, &slug, &name, &instance)
    })?;
    answer::once_ready(ready_at).await;
    Ok(answer::empty())
}

/// The query of the v3 database list: `group_id` and `parent_db_id` for the names.
fn v3_query(query: Option<&str>) -> Result<(DatabaseQuery, Option<String>), ApiError> {
    let mut values = query_values(query, &["group_id", "parent_db_id", "limit", "cursor"])?;
    let group = values.remove("group_id").filter(|id| !id.is_empty());
    let rest: Vec<String> = [
        ("parent", "parent_db_id"),
        ("limit", "limit"),
        ("cursor", "cursor"),
    ]
    .into_iter()
    .filter_map(|(name, key)| {
        let value = values.remove(key)?;
        Some(
            form_urlencoded::Serializer::new(String::new())
                .append_pair(name, &value)
                .finish(),
        )
    })
    .collect();
    Ok((DatabaseQuery::read(Some(&rest.join("&")))?, group))
}

async fn list_databases_v3(
    State(app): Shared,
    caller: Authenticated,
    Names(org): Names<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (mut query, group) = v3_query(query.as_deref())?;
    let list = app.act(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        if let Some(group) = &group {
            query.group = Some(state.group_named_by(caller, &slug, group)?);
        }
        state.list_databases(caller, &slug, &query)
    })?;
    Ok(with_lowercase_hostnames(&list))
}

/// The body of the v3 create: the group by ID.
#[derive(Debug, Deserialize)]
struct NewDatabaseV3Body {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

async fn create_database_v3(
    State(app): Shared,
    caller: Authenticated,
    Names(org): Names<String>,
    Json(body): Json<NewDatabaseV3Body>,
) -> Result<Response, ApiError> {
    let created = provision(
        &app,
        None,
        |port| {
            app.act(&caller, |state, caller| {
                let slug = state.slug_of(&org)?;
                let mut fields = body.rest;
                // Without a group, a copy goes to its source's group, as Turso's CLI expects.
                let group = match &body.group_id {
                    Some(id) => state.group_named_by(caller, &slug, id)?,
                    None => {
                        let source = fields
                            .get("seed")
                            .and_then(|seed| seed.get("value").or_else(|| seed.get("name")))
                            .and_then(serde_json::Value::as_str)
                            .ok_or_else(|| {
                                ApiError::bad_request("give the group_id of the new database")
                            })?;
                        state.database_group(caller, &slug, source)?
                    }
                };
                fields.insert("group".to_owned(), group.into());
                let body: NewDatabaseBody =
                    serde_json::from_value(serde_json::Value::Object(fields))
                        .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
                body.check()?;
                if body
                    .seed
                    .as_ref()
                    .is_some_and(|seed| seed.kind == SeedKind::Dump)
                {
                    return Err(ApiError::bad_request(
                        "a dump seed is created through /v1 (as Turso's CLI does)",
                    ));
                }
                let created = state.create_database(caller, &slug, body, port)?;
                state.get_database(caller, &slug, &created.database.name)
            })
        },
        |created| created.database.db_id.clone(),
    )?;
    Ok(with_lowercase_hostnames(&created))
}

async fn get_database_v3(
    State(app): Shared,
    caller: Authenticated,
    Names((org, id)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    let (database, configuration) = app.act(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        let name = state.database_named_by(caller, &slug, &id)?;
        Ok((
            state.get_database(caller, &slug, &name)?,
            state.get_database_configuration(caller, &slug, &name)?,
        ))
    })?;
    // v3 answers the configuration inside the database, as Turso's CLI reads it.
    let mut value = serde_json::to_value(&database).unwrap_or_default();
    value["database"]["delete_protection"] = configuration.delete_protection.into();
    value["database"]["allow_rules_config"] = serde_json::json!({
        "allowed_ips": configuration.allowed_ips,
        "allowed_aws_vpc_ids": configuration.allowed_aws_vpc_ids,
    });
    Ok(with_lowercase_hostnames(&value))
}

async fn delete_database_v3(
    State(app): Shared,
    caller: Authenticated,
    Names((org, id)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        let name = state.database_named_by(caller, &slug, &id)?;
        state.delete_database(caller, &slug, &name)
    })
}

/// An answer holding databases (`database`, or `databases`), each with its host name
/// under `hostname` too, beside the spec's `Hostname`: a Python SDK of Turso's
/// (tursopy) reads both, and the API, written in Go, matches keys in any case.
fn with_lowercase_hostnames<T: serde::Serialize>(answer: &T) -> Response {
    let Ok(mut value) = serde_json::to_value(answer) else {
        return answer::json(answer);
    };
    let databases: Vec<&mut serde_json::Value> = if value.get("database").is_some() {
        vec![&mut value["database"]]
    } else {
        value
            .get_mut("databases")
            .and_then(serde_json::Value::as_array_mut)
            .map(|all| all.iter_mut().collect())
            .unwrap_or_default()
    };
    for database in databases {
        if let Some(host) = database.get("Hostname").cloned() {
            database["hostname"] = host;
        }
    }
    answer::json(&value)
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

/// The body of `createDatabase` (`CreateDatabaseInput`), and what Turso's CLI sends
/// besides (`is_schema` and `schema`, deprecated; its `location` is the group's, and
/// ignored, as unknown keys are).
#[derive(Debug, Deserialize)]
pub(crate) struct NewDatabaseBody {
    pub(crate) name: String,
    pub(crate) group: String,
    #[serde(default, deserialize_with = "object")]
    pub(crate) seed: Option<SeedBody>,
    #[serde(default)]
    pub(crate) size_limit: Option<String>,
    #[serde(default, deserialize_with = "object")]
    pub(crate) remote_encryption: Option<EncryptionBody>,
    #[serde(default)]
    pub(crate) is_schema: Option<bool>,
    #[serde(default)]
    pub(crate) schema: Option<String>,
}

/// What a new database starts with.
#[derive(Debug, Deserialize)]
pub(crate) struct SeedBody {
    #[serde(rename = "type")]
    pub(crate) kind: SeedKind,
    /// The database to copy: `name` in Turso's spec, `value` as its CLI sends it.
    #[serde(default, alias = "value")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) timestamp: Option<String>,
    /// Where a dump is.
    #[serde(default)]
    pub(crate) url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SeedKind {
    Database,
    DatabaseUpload,
    Dump,
}

/// The encryption of a new database: a cipher and a key of the right size. The key is a
/// secret from the moment it is read: `Debug` never shows it.
#[derive(Debug, Deserialize)]
pub(crate) struct EncryptionBody {
    encryption_key: SecretString,
    encryption_cipher: String,
}

impl EncryptionBody {
    /// The cipher, unless it is left to the copied database (`""`).
    pub(crate) fn cipher(&self) -> Option<&str> {
        Some(self.encryption_cipher.as_str()).filter(|cipher| !cipher.is_empty())
    }
}

impl NewDatabaseBody {
    /// Checks what the API checks before it looks at the organization: the name, the
    /// seed's shape and the key's size. The seed's source is for the state to find.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        check_name("database", &self.name)?;
        if let Some(seed) = &self.seed {
            match (seed.kind, &seed.name, &seed.url) {
                (SeedKind::Database, None, _) => {
                    return Err(ApiError::bad_request(
                        "a `database` seed needs the `name` of the database to copy",
                    ));
                }
                (SeedKind::DatabaseUpload, Some(_), _) => {
                    return Err(ApiError::bad_request(
                        "a `database_upload` seed takes no `name`: the file is uploaded later",
                    ));
                }
                (SeedKind::Dump, _, None) => {
                    return Err(ApiError::bad_request(
                        "a `dump` seed needs the `url` of the dump",
                    ));
                }
                (SeedKind::Dump, _, Some(url)) => dump_url(url)?,
                _ => {}
            }
            if let Some(at) = &seed.timestamp {
                seed_time(at)?;
            }
        }
        if let Some(limit) = self.size_limit.as_deref().filter(|limit| !limit.is_empty()) {
            size_limit(limit)?;
        }
        if let Some(encryption) = &self.remote_encryption {
            let copy = self
                .seed
                .as_ref()
                .is_some_and(|seed| seed.kind == SeedKind::Database);
            // A copy may leave the cipher to its source (`""`), as Turso's CLI sends it.
            if encryption.cipher().is_some() || !copy {
                encryption.check()?;
            }
        }
        Ok(())
    }
}

/// The time a seed copies a database at: an RFC 3339 date-time from 1970 on.
pub(crate) fn seed_time(text: &str) -> Result<SystemTime, ApiError> {
    let at = text
        .parse::<Timestamp>()
        .map(Timestamp::system_time)
        .map_err(|_| {
            ApiError::bad_request(format!(
                "invalid seed timestamp {}: expected an RFC 3339 date-time such as \
             2026-05-21T10:00:00Z",
                Quoted(text)
            ))
        })?;
    if at < SystemTime::UNIX_EPOCH {
        return Err(ApiError::bad_request(format!(
            "invalid seed timestamp {}: no database existed before 1970",
            Quoted(text)
        )));
    }
    Ok(at)
}

impl EncryptionBody {
    fn check(&self) -> Result<(), ApiError> {
        use turso_platform::generated::types::EncryptionCipher as C;
        let cipher: C = self.encryption_cipher.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "unknown encryption cipher {}",
                Quoted(&self.encryption_cipher)
            ))
        })?;
        // Every cipher Turso offers has a 128-bit key when its name says 128, and a
        // 256-bit one otherwise (the AES-256, AEGIS-256 and ChaCha20 families).
        let size = if cipher.to_string().contains("128") {
            16
        } else {
            32
        };
        match STANDARD.decode(self.encryption_key.expose_secret()) {
            Ok(key) if key.len() == size => Ok(()),
            _ => Err(ApiError::bad_request(format!(
                "the encryption key must be {size} bytes in base64 for {}",
                self.encryption_cipher
            ))),
        }
    }
}

/// The name of a new database or group: lowercase letters, digits and dashes, at most 64
/// characters.
pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if turso_platform::spec::is_valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid {kind} name {}: use lowercase letters, digits and dashes, at most \
             64 characters",
            Quoted(name)
        )))
    }
}

/// Where a dump may be read from: an `http://` or `https://` URL on loopback (a dump
/// uploaded to this fake is at one). The fake makes no request elsewhere, and reads no
/// file of the host: it may run as another user than its clients.
fn dump_url(url: &str) -> Result<(), ApiError> {
    let refused = || {
        ApiError::bad_request(format!(
            "invalid dump URL {}: the fake Turso reads dumps from loopback only: upload the \
             dump (POST /v1/organizations/{{organizationSlug}}/databases/dumps) and give the \
             URL it answers, or an http:// URL on loopback",
            Quoted(url)
        ))
    };
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(refused)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(refused());
    }
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback { Ok(()) } else { Err(refused()) }
}

/// A size limit: bytes, or a number with a unit (`256mb`, `1gb`).
fn size_limit(text: &str) -> Result<(), ApiError> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let unit = text[digits..].to_ascii_lowercase();
    if digits > 0 && ["", "b", "kb", "mb", "gb", "tb"].contains(&unit.as_str()) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid size limit {}: give bytes, or a number with kb, mb, gb or tb",
            Quoted(text)
        )))
    }
}

/// The body of `updateDatabaseConfiguration` (`DatabaseConfigurationInput`): what to
/// change.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ConfigurationBody {
    #[serde(default)]
    pub(crate) size_limit: Option<String>,
    #[serde(default)]
    pub(crate) allow_attach: Option<bool>,
    #[serde(default)]
    pub(crate) block_reads: Option<bool>,
    #[serde(default)]
    pub(crate) block_writes: Option<bool>,
    #[serde(default)]
    pub(crate) delete_protection: Option<bool>,
    /// Absent: unchanged; `null` or `[]`: cleared (Turso's CLI sends `null` to clear).
    #[serde(default, deserialize_with = "list_or_clear")]
    pub(crate) allowed_ips: Option<Vec<String>>,
    #[serde(default, deserialize_with = "list_or_clear")]
    pub(crate) allowed_aws_vpc_ids: Option<Vec<String>>,
}

impl ConfigurationBody {
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        // `""` is what `getDatabaseConfiguration` answers for no limit: it clears one.
        if let Some(limit) = self.size_limit.as_deref().filter(|limit| !limit.is_empty()) {
            size_limit(limit)?;
        }
        for entry in self.allowed_ips.iter().flatten() {
            ip_or_block(entry)?;
        }
        Ok(())
    }
}

/// 400 unless `text` is an IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`).
fn ip_or_block(text: &str) -> Result<(), ApiError> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let bits = match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => 32,
        Ok(IpAddr::V6(_)) => 128,
        Err(_) => 0,
    };
    let valid = bits > 0
        && prefix.is_none_or(|prefix| {
            prefix.bytes().all(|b| b.is_ascii_digit())
                && prefix.parse::<u8>().is_ok_and(|length| length <= bits)
        });
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid allowed IP {}: give an IP address or a CIDR block such as 10.0.0.0/8",
            Quoted(text)
        )))
    }
}

/// The query of `listDatabases`.
#[derive(Debug, Default)]
pub(crate) struct DatabaseQuery {
    pub(crate) group: Option<String>,
    pub(crate) parent: Option<String>,
    pub(crate) schema: Option<String>,
    /// At most this many, from `cursor` (a name) on.
    pub(crate) limit: Option<usize>,
    pub(crate) cursor: Option<String>,
}

impl DatabaseQuery {
    /// The filters, an empty one being none (as Go reads `?group=`), and the page.
    pub(crate) fn read(query: Option<&str>) -> Result<Self, ApiError> {
        let mut values = query_values(query, &["group", "parent", "schema", "limit", "cursor"])?;
        let mut value = |name| {
            values
                .remove(name)
                .filter(|value: &String| !value.is_empty())
        };
        let limit = value("limit")
            .map(|text| {
                text.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| bad_value("invalid limit: give a number from 1 to 1000"))
            })
            .transpose()?;
        Ok(Self {
            group: value("group"),
            parent: value("parent"),
            schema: value("schema"),
            limit,
            cursor: value("cursor"),
        })
    }
}

/// The query of `getDatabaseUsage`: the period, if given.
#[derive(Debug, Default)]
pub(crate) struct UsageQuery {
    pub(crate) from: Option<SystemTime>,
    pub(crate) to: Option<SystemTime>,
}

impl UsageQuery {
    pub(crate) fn read(query: Option<&str>) -> Result<Self, ApiError> {
        let mut values = query_values(query, &["from", "to"])?;
        let time = |name: &str, text: Option<String>| {
            text.map(|text| {
                text.parse::<Timestamp>()
                    .map(Timestamp::system_time)
                    .map_err(|_| {
                        bad_value(format!(
                            "invalid {name} {}: expected an RFC 3339 date-time such as \
                         2026-05-21T10:00:00Z",
                            Quoted(&text)
                        ))
                    })
            })
            .transpose()
        };
        let query = Self {
            from: time("from", values.remove("from"))?,
            to: time("to", values.remove("to"))?,
        };
        if let (Some(from), Some(to)) = (query.from, query.to)
            && to < from
        {
            return Err(ApiError::bad_request("`to` is before `from`"));
        }
        Ok(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Result<(), String> {
        let body: NewDatabaseBody = serde_json::from_str(json).map_err(|e| e.to_string())?;
        body.check().map_err(|e| e.message().to_owned())
    }

    #[test]
    fn new_databases_are_checked_as_the_api_checks_them() {
        assert_eq!(body(r#"{"name":"a-1","group":"g"}"#), Ok(()));
        assert_eq!(
            body(
                r#"{"name":"c","group":"g","seed":{"type":"database","name":"a","timestamp":"2026-05-21T10:00:00Z"},"size_limit":"256mb","remote_encryption":{"encryption_cipher":"aes128gcm","encryption_key":"MDEyMzQ1Njc4OWFiY2RlZg=="}}"#
            ),
            Ok(())
        );
        for bad in [
            r#"{"name":"A","group":"g"}"#,
            r#"{"name":"","group":"g"}"#,
            r#"{"name":"a","group":"g","seed":{"type":"database"}}"#,
            r#"{"name":"a","group":"g","seed":{"type":"database_upload","name":"x"}}"#,
            r#"{"name":"a","group":"g","seed":{"type":"other","name":"x"}}"#,
            r#"{"name":"a","group":"g","seed":{"type":"database","name":"x","timestamp":"yesterday"}}"#,
            r#"{"name":"a","group":"g","seed":{"type":"database","name":"x","timestamp":"1969-12-31T23:59:59Z"}}"#,
            r#"{"name":"a","group":"g","size_limit":"big"}"#,
            r#"{"name":"a","group":"g","remote_encryption":{"encryption_cipher":"aes256gcm","encryption_key":"c2hvcnQ="}}"#,
            r#"{"name":"a","group":"g","remote_encryption":{"encryption_cipher":"rot13","encryption_key":"c2hvcnQ="}}"#,
            r#"{"name":"a"}"#,
        ] {
            assert!(body(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_encryption_key_never_shows_in_debug() {
        let key = "MDEyMzQ1Njc4OWFiY2RlZg==";
        let json = format!(
            r#"{{"name":"a","group":"g","remote_encryption":{{"encryption_cipher":"aes128gcm","encryption_key":"{key}"}}}}"#
        );
        let body: NewDatabaseBody = serde_json::from_str(&json).unwrap();
        body.check().unwrap();
        let shown = format!("{body:?}");
        assert!(shown.contains("aes128gcm"), "{shown}");
        assert!(!shown.contains(key), "{shown}");
    }

    #[test]
    fn usage_periods_are_read_as_rfc_3339() {
        let query = UsageQuery::read(Some(
            "from=2026-05-01T00%3A00%3A00Z&to=2026-06-01T00:00:00Z",
        ))
        .unwrap();
        assert!(query.from < query.to);
        assert!(
            UsageQuery::read(Some("from=2026-06-01T00:00:00Z&to=2026-05-01T00:00:00Z")).is_err()
        );
        assert!(UsageQuery::read(Some("from=yesterday")).is_err());
        assert!(UsageQuery::read(None).unwrap().from.is_none());
    }
}
