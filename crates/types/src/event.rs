//! Events: what changed, told to the rest of the system (the realtime hub, caches, jobs) once the
//! change has committed, never for a change that was rolled back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::{ActivityEntry, ResourceType};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// The activity entry the change was recorded as.
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
        }
    }
}
