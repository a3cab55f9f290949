//! The HTTP side of the group operations.

use super::{Extra, Operation, Shared};
use axum::extract::State;
use axum::response::Response;
use axum::routing::on;

use super::databases::check_name;
use crate::http::answer::{self, ApiError};
use crate::http::extract::Authenticated;
use crate::http::extract::{Json, Names};
use serde::Deserialize;

/// The operations of the spec this module serves, by operationId.
pub(super) const OPERATIONS: &[Operation] = &[
    ("listGroups", |m| on(m, list_groups)),
    ("createGroup", |m| on(m, create_group)),
    ("getGroup", |m| on(m, get_group)),
    ("deleteGroup", |m| on(m, delete_group)),
    ("getGroupConfiguration", |m| on(m, get_group_configuration)),
    ("updateGroupConfiguration", |m| {
        on(m, update_group_configuration)
    }),
    ("transferGroup", |m| on(m, transfer_group)),
    ("unarchiveGroup", |m| on(m, unarchive_group)),
    ("addLocationToGroup", |m| on(m, add_location_to_group)),
    ("removeLocationFromGroup", |m| {
        on(m, remove_location_from_group)
    }),
    ("updateGroupDatabases", |m| on(m, update_group_databases)),
];

/// The routes beyond the spec this module serves: those Turso's CLI calls, and the v3
/// forms that name organizations and groups by ID.
pub(super) const EXTRA: &[Extra] = &[
    (
        "renameGroup",
        "POST",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/rename",
        |m| on(m, rename_group),
    ),
    (
        "waitForGroupLocation",
        "GET",
        "/v1/organizations/{organizationSlug}/groups/{groupName}/locations/{location}/wait",
        |m| on(m, wait_for_group_location),
    ),
    (
        "listGroups",
        "GET",
        "/v3/organizations/{organizationId}/groups",
        |m| on(m, list_groups_v3),
    ),
    (
        "getGroup",
        "GET",
        "/v3/organizations/{organizationId}/groups/{groupId}",
        |m| on(m, get_group_v3),
    ),
];

pub(super) async fn list_groups(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| state.list_groups(caller, &slug))
}

pub(super) async fn create_group(
    State(app): Shared,
    caller: Authenticated,
    Names(slug): Names<String>,
    Json(body): Json<NewGroupBody>,
) -> Result<Response, ApiError> {
    body.check()?;
    app.respond(&caller, |state, caller| {
        state.create_group(caller, &slug, body)
    })
}

pub(super) async fn get_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_group(caller, &slug, &name)
    })
}

pub(super) async fn delete_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.delete_group(caller, &slug, &name)
    })
}

pub(super) async fn get_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.get_group_configuration(caller, &slug, &name)
    })
}

pub(super) async fn update_group_configuration(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(changes): Json<GroupConfigurationBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.update_group_configuration(caller, &slug, &name, changes)
    })
}

pub(super) async fn transfer_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<TransferBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.transfer_group(caller, &slug, &name, &body.organization)
    })
}

pub(super) async fn unarchive_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.unarchive_group(caller, &slug, &name)
    })
}

pub(super) async fn add_location_to_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.add_location_to_group(caller, &slug, &name, &location)
    })
}

pub(super) async fn remove_location_from_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.remove_location_from_group(caller, &slug, &name, &location)
    })
}

pub(super) async fn update_group_databases(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.act(&caller, |state, caller| {
        state.update_group_databases(caller, &slug, &name)
    })?;
    Ok(answer::empty())
}

/// The extensions the API knows.
const EXTENSIONS: &[&str] = &[
    "vector", "crypto", "fuzzy", "math", "stats", "text", "unicode", "uuid", "regexp", "vec",
];

/// The body of `POST …/rename` (Turso's CLI sends `{"Name": ...}`).
#[derive(Debug, Deserialize)]
struct RenameBody {
    name: String,
}

async fn rename_group(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name)): Names<(String, String)>,
    Json(body): Json<RenameBody>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        state.rename_group(caller, &slug, &name, &body.name)
    })
}

/// `GET …/locations/{loc}/wait` (Turso's CLI, after adding a location): answers once
/// the location is ready (at once, but for a readiness lag).
async fn wait_for_group_location(
    State(app): Shared,
    caller: Authenticated,
    Names((slug, name, location)): Names<(String, String, String)>,
) -> Result<Response, ApiError> {
    let ready_at = app.act(&caller, |state, caller| {
        state.wait_for_group_location(caller, &slug, &name, &location)
    })?;
    answer::once_ready(ready_at).await;
    Ok(answer::empty())
}

async fn list_groups_v3(
    State(app): Shared,
    caller: Authenticated,
    Names(org): Names<String>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        state.list_groups(caller, &slug)
    })
}

async fn get_group_v3(
    State(app): Shared,
    caller: Authenticated,
    Names((org, id)): Names<(String, String)>,
) -> Result<Response, ApiError> {
    app.respond(&caller, |state, caller| {
        let slug = state.slug_of(&org)?;
        let name = state.group_named_by(caller, &slug, &id)?;
        state.get_group(caller, &slug, &name)
    })
}

/// The body of `createGroup` (`CreateGroupInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct NewGroupBody {
    pub(crate) name: String,
    pub(crate) location: String,
    #[serde(default)]
    extensions: Option<ExtensionsBody>,
}

/// `"all"`, or a list of extensions.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ExtensionsBody {
    All(String),
    Some(Vec<String>),
}

impl NewGroupBody {
    /// Checks the name and the extensions; the location is for the state to find.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        check_name("group", &self.name)?;
        match &self.extensions {
            None => Ok(()),
            Some(ExtensionsBody::All(word)) if word == "all" => Ok(()),
            Some(ExtensionsBody::Some(names))
                if names.iter().all(|name| EXTENSIONS.contains(&name.as_str())) =>
            {
                Ok(())
            }
            Some(_) => Err(ApiError::bad_request(format!(
                "invalid extensions: give \"all\" or a list of {}",
                EXTENSIONS.join(", ")
            ))),
        }
    }
}

/// The body of `updateGroupConfiguration` (`GroupConfigurationInput`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupConfigurationBody {
    #[serde(default)]
    pub(crate) delete_protection: Option<bool>,
}

/// The body of `transferGroup` (`TransferGroupInput`).
#[derive(Debug, Deserialize)]
pub(crate) struct TransferBody {
    pub(crate) organization: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<(), String> {
        let body: NewGroupBody = serde_json::from_str(json).map_err(|e| e.to_string())?;
        body.check().map_err(|e| e.message().to_owned())
    }

    #[test]
    fn new_groups_are_checked_as_the_api_checks_them() {
        assert_eq!(check(r#"{"name":"eu","location":"x"}"#), Ok(()));
        assert_eq!(
            check(r#"{"name":"eu","location":"x","extensions":"all"}"#),
            Ok(())
        );
        assert_eq!(
            check(r#"{"name":"eu","location":"x","extensions":["uuid","vec"]}"#),
            Ok(())
        );
        for bad in [
            r#"{"name":"EU","location":"x"}"#,
            r#"{"name":"eu","location":"x","extensions":"some"}"#,
            r#"{"name":"eu","location":"x","extensions":["nope"]}"#,
            r#"{"name":"eu","location":"x","extensions":5}"#,
            r#"{"name":"eu"}"#,
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
