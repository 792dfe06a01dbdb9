//! The realtime hub's protocol: Socket.IO at `/socket.io/`, authenticated by the handshake's
//! `auth.token` (an access or API token). Each socket is in its user's room; `subscribe` joins a
//! project's room. The server emits these events, each with a shared type as its payload.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An [`crate::activity::ActivityEntry`] the socket's user may read (the live feed).
pub const ACTIVITY: &str = "activity";
/// A [`crate::project::Project`] after a change: to everyone who reads every project, and to its room.
pub const PROJECT_UPDATED: &str = "project:updated";
/// An [`crate::asset::Asset`] after a change (uploaded, processed, renamed): to its project's room.
pub const ASSET_UPDATED: &str = "asset:updated";
/// A [`crate::build::Build`] after a change (queued, ready, failed): to its project's room.
pub const BUILD_UPDATED: &str = "build:updated";
/// A new [`crate::notification::Notification`] for the socket's user.
pub const NOTIFICATION: &str = "notification";
/// A [`crate::notification::ReadReceipt`]: the user read notifications (in another tab, say).
pub const NOTIFICATIONS_READ: &str = "notification:read";

/// Client to server: `subscribe` / `unsubscribe` with this, acknowledged with [`SubscribeReply`].
pub const SUBSCRIBE: &str = "subscribe";
pub const UNSUBSCRIBE: &str = "unsubscribe";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribe {
    pub project_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeReply {
    pub ok: bool,
    /// Why not, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
