//! Files that belong to a project, and the addresses its game is served at.

mod filename;
mod kind;
mod media;
mod wire;

pub use filename::{sanitize_filename, MAX_FILENAME_BYTES};
pub use kind::{AssetType, ProcessingStatus};
pub use media::{sniff, MediaKind, MediaType, SNIFF_BYTES};
pub use wire::{
    check_before_upload, human_size, too_large, unsupported, Asset, AssetVersion, FileLink, LinkQuery, PresignUpload, PresignedUpload,
    UpdateAsset,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
