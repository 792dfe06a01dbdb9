//! Each project's first photo, as a thumbnail for cards, list rows and the addresses page: one
//! query for a whole page of projects.

use std::collections::HashMap;

use petpixel_types::asset::AssetType;
use petpixel_types::project::PetPhoto;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::project_assets;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// The first photo with a thumbnail of each project in `projects` that has one.
pub async fn first_photos(state: &AppState, conn: &impl ConnectionTrait, projects: &[Uuid]) -> ApiResult<HashMap<Uuid, PetPhoto>> {
    if projects.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = project_assets::Entity::find()
        .filter(project_assets::Column::ProjectId.is_in(projects.iter().copied()))
        .filter(project_assets::Column::AssetType.eq(AssetType::Photo.as_str()))
        .filter(project_assets::Column::ThumbnailPath.is_not_null())
        .order_by_asc(project_assets::Column::UploadedAt)
        .all(conn)
        .await?;
    let mut photos = HashMap::new();
    for row in rows {
        if photos.contains_key(&row.project_id) {
            continue;
        }
        if let Some(photo) = photo_of(state, &row).await? {
            photos.insert(row.project_id, photo);
        }
    }
    Ok(photos)
}

/// An asset's thumbnail as a pet photo, with the size processing recorded.
pub async fn photo_of(state: &AppState, asset: &project_assets::Model) -> ApiResult<Option<PetPhoto>> {
    let Some(key) = asset.thumbnail_path.as_deref() else { return Ok(None) };
    let size = asset.metadata.as_ref().and_then(|m| m.get("thumbnail"));
    let side = |name: &str| size.and_then(|s| s.get(name)).and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok());
    let (Some(width), Some(height)) = (side("width"), side("height")) else { return Ok(None) };
    let thumbnail_url = state.storage.link_to_get(&ObjectKey::new(key)?, state.config.download_link_ttl).await?;
    Ok(Some(PetPhoto { thumbnail_url, width, height }))
}
