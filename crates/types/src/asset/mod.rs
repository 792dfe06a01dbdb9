//! Files that belong to a project, and the addresses its game is served at.

mod filename;
mod media;

pub use filename::{sanitize_filename, MAX_FILENAME_BYTES};
pub use media::{sniff, MediaKind, MediaType, SNIFF_BYTES};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: Uuid,
    pub project_id: Uuid,
    /// photo, sprite, background, sound or config.
    pub asset_type: String,
    pub filename: String,
    pub original_filename: String,
    pub file_size: i64,
    pub mime_type: String,
    pub metadata: Option<serde_json::Value>,
    pub processing_status: String,
    pub version: i32,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameUrl {
    pub id: Uuid,
    pub project_id: Uuid,
    pub url_slug: String,
    pub full_url: String,
    /// reserved, active, expired or deleted.
    pub status: String,
    pub reserved_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub deployed_at: Option<DateTime<Utc>>,
    pub view_count: i64,
    pub last_accessed: Option<DateTime<Utc>>,
}
