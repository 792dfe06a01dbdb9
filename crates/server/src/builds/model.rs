//! Build rows as the API shows them.

use std::collections::BTreeMap;

use petpixel_types::build::{Build, BuildStatus, BundleFile, SlotFailure};
use serde::de::DeserializeOwned;

use super::preview;
use crate::db::{stored, stored_json};
use crate::entities::builds;
use crate::error::ApiResult;
use crate::state::AppState;

/// A JSON column that may be empty (null: nothing yet).
fn json<T: DeserializeOwned + Default>(column: &str, value: Option<&serde_json::Value>) -> ApiResult<T> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(T::default()),
        Some(v) => stored_json(column, v),
    }
}

pub fn status(row: &builds::Model) -> ApiResult<BuildStatus> {
    stored("builds.status", &row.status)
}

pub fn to_wire(state: &AppState, row: builds::Model) -> ApiResult<Build> {
    let status = status(&row)?;
    let (preview_url, preview_expires_at) = match status {
        BuildStatus::Ready => {
            let (url, expires) = preview::link(state, row.id);
            (Some(url), Some(expires))
        }
        _ => (None, None),
    };
    Ok(Build {
        id: row.id,
        project_id: row.project_id,
        template: row.template,
        status,
        slots: json::<BTreeMap<_, _>>("builds.slots", Some(&row.slots))?,
        texts: json::<BTreeMap<_, _>>("builds.texts", Some(&row.texts))?,
        params: json::<BTreeMap<_, _>>("builds.params", Some(&row.params))?,
        resolved: row.resolved.as_ref().filter(|r| !r.is_null()).map(|r| stored_json("builds.resolved", r)).transpose()?,
        failures: json::<Vec<SlotFailure>>("builds.failures", row.failures.as_ref())?,
        error: row.error,
        log: json::<Vec<String>>("builds.log", Some(&row.log))?,
        files: json::<Vec<BundleFile>>("builds.files", row.files.as_ref())?,
        bundle_size: row.bundle_size,
        preview_url,
        preview_expires_at,
        created_by: row.created_by,
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
    })
}
