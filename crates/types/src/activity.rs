//! The activity log: who changed what, when and from where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::page::parse_limit;
use crate::ValidationErrors;

string_enum!(ActionType {
    Create = "create",
    Update = "update",
    Delete = "delete",
    View = "view",
    /// Logins, logouts and token events.
    Auth = "auth",
});

string_enum!(ResourceType {
    Project = "project",
    Asset = "asset",
    Url = "url",
    Build = "build",
    User = "user",
    ApiToken = "api_token",
    Notification = "notification",
    Job = "job",
    Webhook = "webhook",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEntry {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub user_email: Option<String>,
    /// What happened, as `resource.verb`: `project.created`, `project.status_changed`, ...
    pub action: String,
    pub action_type: ActionType,
    pub resource_type: ResourceType,
    pub resource_id: Option<Uuid>,
    /// The project this entry belongs to, also for its assets, URLs and builds.
    pub project_id: Option<Uuid>,
    /// For changes, `{"changes": {"field": {"from": .., "to": ..}}}`.
    pub details: serde_json::Value,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The project it belongs to, named as the studio names it: "Buttercup for Sunny Lee".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
}

/// How a project is named in the feed, the bell and toasts: its pet, and for whom.
pub fn project_name(pet_name: &str, customer_name: &str) -> String {
    format!("{pet_name} for {customer_name}")
}

/// A page of the activity feed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub items: Vec<ActivityEntry>,
    /// Pass as `before` for the next, older page; absent on the last page.
    pub next_cursor: Option<Uuid>,
    pub limit: u32,
}

/// The query of `GET /api/v1/activity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    pub resource_type: Option<ResourceType>,
    pub resource_id: Option<Uuid>,
    /// Who did it.
    pub user_id: Option<Uuid>,
    /// A project's entries, its assets', URLs' and builds' included.
    pub project_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
    /// Only entries newer than this one (the last one seen, to catch up after a reconnection).
    pub after: Option<Uuid>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
}

/// The query of `GET /api/v1/projects/{id}/activity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CursorQuery {
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
}

impl CursorQuery {
    pub fn validate(&self) -> Result<u32, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let limit = parse_limit(&mut e, self.limit);
        e.finish(limit)
    }
}

impl ActivityQuery {
    pub fn validate(&self) -> Result<u32, ValidationErrors> {
        CursorQuery { before: self.before, limit: self.limit }.validate()
    }
}
