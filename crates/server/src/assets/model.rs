//! What a stored asset is on the wire: its rows, with time-limited links to its derivatives.

use petpixel_types::asset::{Asset, AssetVersion};

use crate::db::stored;
use crate::entities::{asset_versions, project_assets};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// A download link for `key`, if there is one.
pub async fn link(state: &AppState, key: Option<&str>) -> ApiResult<Option<String>> {
    let Some(key) = key else { return Ok(None) };
    Ok(Some(state.storage.link_to_get(&ObjectKey::new(key)?, state.config.download_link_ttl).await?))
}

pub async fn to_wire(state: &AppState, a: project_assets::Model) -> ApiResult<Asset> {
    let thumbnail_url = link(state, a.thumbnail_path.as_deref()).await?;
    let preview_url = link(state, a.preview_path.as_deref()).await?;
    Ok(Asset {
        id: a.id,
        project_id: a.project_id,
        asset_type: stored("project_assets.asset_type", &a.asset_type)?,
        filename: a.filename,
        original_filename: a.original_filename,
        file_size: a.file_size,
        mime_type: a.mime_type,
        metadata: a.metadata,
        processing_status: stored("project_assets.processing_status", &a.processing_status)?,
        processing_error: a.processing_error,
        version: a.version,
        uploaded_by: a.uploaded_by,
        uploaded_at: a.uploaded_at,
        processed_at: a.processed_at,
        thumbnail_url,
        preview_url,
    })
}

pub async fn version_to_wire(state: &AppState, v: asset_versions::Model, current: i32) -> ApiResult<AssetVersion> {
    Ok(AssetVersion {
        asset_id: v.asset_id,
        current: v.version == current,
        version: v.version,
        original_filename: v.original_filename,
        file_size: v.file_size,
        mime_type: v.mime_type,
        metadata: v.metadata,
        processing_status: stored("asset_versions.processing_status", &v.processing_status)?,
        processing_error: v.processing_error,
        uploaded_by: v.uploaded_by,
        uploaded_at: v.uploaded_at,
        processed_at: v.processed_at,
        thumbnail_url: link(state, v.thumbnail_path.as_deref()).await?,
    })
}
