//! Builds: one game made from a template, a project's assets and parameters, as the studio
//! previews it and deploys it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::template::Resolved;

string_enum!(
    /// queued -> building -> ready | failed.
    BuildStatus { Queued = "queued", Building = "building", Ready = "ready", Failed = "failed" }
);

impl BuildStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, BuildStatus::Ready | BuildStatus::Failed)
    }
}

/// `POST /projects/{id}/builds`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateBuild {
    /// `runner`, `catcher` or `memory`.
    pub template: String,
    /// Slot key -> the project's asset that fills it.
    #[serde(default)]
    pub slots: BTreeMap<String, Uuid>,
    /// Text slot key -> its text (a title).
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Parameter key -> value; unset ones come from the project's difficulty preset, then the
    /// template's defaults.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: BTreeMap<String, serde_json::Value>,
}

/// Why a slot kept a build from being made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotFailure {
    pub slot: String,
    pub reason: String,
}

/// One file of a built game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Build {
    pub id: Uuid,
    pub project_id: Uuid,
    pub template: String,
    pub status: BuildStatus,
    pub slots: BTreeMap<String, Uuid>,
    pub texts: BTreeMap<String, String>,
    /// The parameters as sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: BTreeMap<String, serde_json::Value>,
    /// What the game plays with (set once building starts).
    pub resolved: Option<Resolved>,
    /// Per slot, why the build failed.
    pub failures: Vec<SlotFailure>,
    /// Why it failed, in a sentence.
    pub error: Option<String>,
    pub log: Vec<String>,
    /// The bundle, once ready.
    pub files: Vec<BundleFile>,
    pub bundle_size: Option<i64>,
    /// A link to play the build, signed and time-limited, renewed on every read (ready builds only).
    pub preview_url: Option<String>,
    pub preview_expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}
