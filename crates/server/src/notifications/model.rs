use petpixel_types::notification::{Notification, NotificationKind};
use serde_json::json;
use uuid::Uuid;

use crate::db::stored;
use crate::entities::notifications;
use crate::error::ApiResult;

/// What a notification is about, kept in its `data` column.
#[derive(Default)]
pub struct About {
    pub project_id: Option<Uuid>,
    /// "Buttercup for Sunny Lee", as the bell and toasts show it.
    pub project_name: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
}

impl About {
    pub fn to_json(&self) -> serde_json::Value {
        json!({ "project_id": self.project_id, "project_name": self.project_name, "actor_id": self.actor_id, "actor_name": self.actor_name })
    }
}

pub fn to_wire(m: notifications::Model) -> ApiResult<Notification> {
    let data = m.data.unwrap_or_default();
    let uuid = |key: &str| data.get(key).and_then(|v| v.as_str()).and_then(|s| s.parse::<Uuid>().ok());
    Ok(Notification {
        id: m.id,
        user_id: m.user_id,
        kind: stored::<NotificationKind>("notifications.type", &m.kind)?,
        title: m.title,
        message: m.message,
        project_id: uuid("project_id"),
        project_name: data.get("project_name").and_then(|v| v.as_str()).map(str::to_owned),
        actor_id: uuid("actor_id"),
        actor_name: data.get("actor_name").and_then(|v| v.as_str()).map(str::to_owned),
        read: m.read,
        read_at: m.read_at,
        created_at: m.created_at,
    })
}
