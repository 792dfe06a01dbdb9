//! Events: what changed, told to the rest of the system (the realtime hub, caches, jobs) once the
//! change has committed, never for a change that was rolled back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::{ActivityEntry, ResourceType};
use crate::asset::Asset;
use crate::build::Build;
use crate::notification::{Notification, ReadReceipt};
use crate::project::Project;
use crate::url::GameUrl;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// The activity entry the change was recorded as (or the notification it is).
    pub id: Uuid,
    /// What happened, as `resource.verb`: `project.updated`, `user.deactivated`, ...
    pub action: String,
    pub resource_type: ResourceType,
    pub resource_id: Option<Uuid>,
    /// The project it belongs to, also for its assets, URLs and builds.
    pub project_id: Option<Uuid>,
    /// Who did it (none for the server's own work).
    pub actor_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    /// The activity entry in full, for the live feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<ActivityEntry>,
    /// The resource as the change left it, so that listeners need not read it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
}

/// A resource's state after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Payload {
    Project(Project),
    Asset(Asset),
    Build(Build),
    Url(GameUrl),
    Notification(Notification),
    NotificationsRead(ReadReceipt),
}

impl Payload {
    /// The kind of resource it describes.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Payload::Project(_) => ResourceType::Project,
            Payload::Asset(_) => ResourceType::Asset,
            Payload::Build(_) => ResourceType::Build,
            Payload::Url(_) => ResourceType::Url,
            Payload::Notification(_) | Payload::NotificationsRead(_) => ResourceType::Notification,
        }
    }

    /// The resource it describes (the reader, for a read receipt).
    pub fn id(&self) -> Uuid {
        match self {
            Payload::Project(p) => p.id,
            Payload::Asset(a) => a.id,
            Payload::Build(b) => b.id,
            Payload::Url(u) => u.id,
            Payload::Notification(n) => n.id,
            Payload::NotificationsRead(r) => r.user_id,
        }
    }
}

impl From<&ActivityEntry> for Event {
    fn from(e: &ActivityEntry) -> Self {
        Event {
            id: e.id,
            action: e.action.clone(),
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            project_id: e.project_id,
            actor_id: e.user_id,
            at: e.created_at,
            entry: Some(e.clone()),
            payload: None,
        }
    }
}
