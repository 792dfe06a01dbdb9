//! Asset rows: finding them, their versions, and writing a version (whose facts the asset row
//! mirrors while it is current). Storage keys are made here, from ids only.

use petpixel_types::asset::{MediaType, ProcessingStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entities::{asset_versions, project_assets};
use crate::error::{ApiResult, AppError};
use crate::storage::ObjectKey;

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<project_assets::Model> {
    project_assets::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found("asset"))
}

/// Version `version` of an asset, or its current one.
pub async fn find_version(
    conn: &impl ConnectionTrait,
    asset: &project_assets::Model,
    version: Option<i32>,
) -> ApiResult<asset_versions::Model> {
    let version = version.unwrap_or(asset.version);
    asset_versions::Entity::find()
        .filter(asset_versions::Column::AssetId.eq(asset.id))
        .filter(asset_versions::Column::Version.eq(version))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("This asset has no version {version}.")))
}

/// Newest first.
pub async fn versions(conn: &impl ConnectionTrait, asset_id: Uuid) -> ApiResult<Vec<asset_versions::Model>> {
    Ok(asset_versions::Entity::find()
        .filter(asset_versions::Column::AssetId.eq(asset_id))
        .order_by_desc(asset_versions::Column::Version)
        .all(conn)
        .await?)
}

/// Writes a version's row and, if it is its asset's current version, the asset's copy of it.
pub async fn save_version(conn: &impl ConnectionTrait, version: asset_versions::ActiveModel) -> ApiResult<asset_versions::Model> {
    let v = version.update(conn).await?;
    mirror(conn, &v).await?;
    Ok(v)
}

/// Copies a version's facts onto its asset, if that version is the current one.
pub async fn mirror(conn: &impl ConnectionTrait, v: &asset_versions::Model) -> ApiResult<()> {
    use project_assets::Column as C;
    project_assets::Entity::update_many()
        .col_expr(C::OriginalFilename, Expr::value(v.original_filename.clone()))
        .col_expr(C::FilePath, Expr::value(v.file_path.clone()))
        .col_expr(C::FileSize, Expr::value(v.file_size))
        .col_expr(C::MimeType, Expr::value(v.mime_type.clone()))
        .col_expr(C::Metadata, Expr::value(v.metadata.clone()))
        .col_expr(C::ProcessingStatus, Expr::value(v.processing_status.clone()))
        .col_expr(C::ProcessingError, Expr::value(v.processing_error.clone()))
        .col_expr(C::ThumbnailPath, Expr::value(v.thumbnail_path.clone()))
        .col_expr(C::PreviewPath, Expr::value(v.preview_path.clone()))
        .col_expr(C::UploadedBy, Expr::value(v.uploaded_by))
        .col_expr(C::UploadedAt, Expr::value(v.uploaded_at))
        .col_expr(C::ProcessedAt, Expr::value(v.processed_at))
        .filter(C::Id.eq(v.asset_id))
        .filter(C::Version.eq(v.version))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets a version's processing state (and its asset's, while current).
pub async fn set_status(
    conn: &impl ConnectionTrait,
    v: &asset_versions::Model,
    status: ProcessingStatus,
    error: Option<String>,
) -> ApiResult<asset_versions::Model> {
    let mut model: asset_versions::ActiveModel = v.clone().into();
    model.processing_status = Set(status.as_str().to_owned());
    model.processing_error = Set(error);
    save_version(conn, model).await
}

/// Everything of an asset in storage lives under this prefix.
pub fn prefix(project_id: Uuid, asset_id: Uuid) -> String {
    format!("projects/{project_id}/assets/{asset_id}/")
}

/// Where an upload's original goes: a folder of its own per upload, beside its derivatives.
pub fn original_key(project_id: Uuid, asset_id: Uuid, upload_id: Uuid, media: MediaType) -> ApiResult<ObjectKey> {
    Ok(ObjectKey::new(format!("{}{}/original.{}", prefix(project_id, asset_id), upload_id.simple(), media.extension()))?)
}

/// Where a signed upload link writes: a key of the upload's own outside every asset's folder.
/// What arrives there is only read, checked, and stored again under [`original_key`] by the
/// server, so bytes put through the link after the check never reach an asset.
pub fn staging_key(upload_id: Uuid) -> ApiResult<ObjectKey> {
    Ok(ObjectKey::new(format!("{STAGING_PREFIX}{}", upload_id.simple()))?)
}

/// The folder of [`staging_key`]s.
pub const STAGING_PREFIX: &str = "staging/";

/// The upload a staging key belongs to.
pub fn staged_upload(key: &ObjectKey) -> Option<Uuid> {
    key.as_str().strip_prefix(STAGING_PREFIX).and_then(|id| Uuid::try_parse(id).ok())
}

/// A derivative of the original at `original`: `thumbnail.webp`, `preview.jpg`, ...
pub fn derivative_key(original: &str, name: &str) -> ApiResult<ObjectKey> {
    let folder = original.rsplit_once('/').map(|(folder, _)| folder).unwrap_or(original);
    Ok(ObjectKey::new(format!("{folder}/{name}"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_from_ids_only() {
        let (p, a, u) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let original = original_key(p, a, u, MediaType::Jpeg).unwrap();
        assert_eq!(original.as_str(), format!("projects/{p}/assets/{a}/{}/original.jpg", u.simple()));
        assert!(original.as_str().starts_with(&prefix(p, a)));
        let thumb = derivative_key(original.as_str(), "thumbnail.webp").unwrap();
        assert_eq!(thumb.as_str(), format!("projects/{p}/assets/{a}/{}/thumbnail.webp", u.simple()));
    }
}
