//! The activity log: who changed what, when and from where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::page::parse_limit;
use crate::ValidationErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionType {
    Create,
    Update,
    Delete,
    View,
    /// Logins, logouts and token events.
    Auth,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::Create => "create",
            ActionType::Update => "update",
            ActionType::Delete => "delete",
            ActionType::View => "view",
            ActionType::Auth => "auth",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Project,
    Asset,
    Url,
    Build,
    User,
    ApiToken,
    Notification,
}

impl ResourceType {
    pub const ALL: [ResourceType; 7] = [
        ResourceType::Project,
        ResourceType::Asset,
        ResourceType::Url,
        ResourceType::Build,
        ResourceType::User,
        ResourceType::ApiToken,
        ResourceType::Notification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Project => "project",
            ResourceType::Asset => "asset",
            ResourceType::Url => "url",
            ResourceType::Build => "build",
            ResourceType::User => "user",
            ResourceType::ApiToken => "api_token",
            ResourceType::Notification => "notification",
        }
    }
}

impl std::str::FromStr for ResourceType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown resource type `{s}`"))
    }
}

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
    pub user_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
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
