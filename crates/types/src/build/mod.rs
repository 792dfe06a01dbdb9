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
    /// Its compressed copies, stored beside it (`<name>.br`, `<name>.gz`) and sent to the browsers
    /// that take them: what crosses the wire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compressed: Vec<CompressedCopy>,
}

/// A compressed copy of a bundle's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompressedCopy {
    /// `br` or `gzip`.
    pub encoding: String,
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

/// `GET /projects/{id}/builds`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct BuildQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl BuildQuery {
    pub fn validate(&self) -> Result<crate::PageRequest, crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::new();
        let page = crate::PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(page)
    }
}

impl CreateBuild {
    /// Checks what can be checked without the database: the template, which slots the package
    /// may fill, the texts, and the parameters (resolved with the project's settings). Whether
    /// each asset fits its slot is the build's to find out, as processing may still be under way.
    pub fn validate(
        &self,
        package: crate::project::PackageType,
        config: &crate::project::GameConfig,
    ) -> Result<(crate::template::Template, Resolved), crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::new();
        let Some(template) = crate::template::find(&self.template) else {
            let known: Vec<String> = crate::template::catalogue().into_iter().map(|t| t.id).collect();
            e.add("template", "unknown", format!("No template `{}`; the templates are {}.", self.template, known.join(", ")));
            return Err(e);
        };
        template.check_slot_keys(package, self.slots.keys(), &mut e);
        for (key, text) in &self.texts {
            let field = format!("texts.{key}");
            match template.slot(key).map(|s| &s.kind) {
                Some(crate::template::SlotKind::Text { max_chars }) => {
                    crate::validate::required_text(&mut e, &field, text, *max_chars as usize);
                }
                _ => e.add(&field, "unknown", format!("The {} template has no text `{key}`.", template.name)),
            }
        }
        let resolved = template.resolve(package, config, &self.params, &mut e);
        e.finish((template, resolved))
    }
}
