//! Reading, renaming, deleting and reprocessing assets, and links to their files.

use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::asset::{Asset, AssetType, AssetVersion, FileLink, ProcessingStatus, UpdateAsset};
use petpixel_types::event::Payload;
use petpixel_types::{Action, Resource};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::upload::find_project;
use super::{model, store, PROCESS, REMOVE_OBJECTS};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::db::stored;
use crate::entities::project_assets;
use crate::error::{ApiResult, AppError};
use crate::jobs::{self, NewJob};
use crate::policy;
use crate::state::AppState;
use crate::storage::{link_expiry, ObjectKey};

/// A project's assets, grouped by type (photos first, as the grid shows them), newest first.
pub async fn list(state: &AppState, actor: &Actor, project_id: Uuid) -> ApiResult<Vec<Asset>> {
    policy::require(actor, Resource::Assets, Action::Read)?;
    find_project(&state.db.conn, project_id).await?;
    let rows = project_assets::Entity::find()
        .filter(project_assets::Column::ProjectId.eq(project_id))
        .order_by_desc(project_assets::Column::UploadedAt)
        .order_by_desc(project_assets::Column::Id)
        .all(&state.db.conn)
        .await?;
    let mut assets = Vec::with_capacity(rows.len());
    for row in rows {
        assets.push(model::to_wire(state, row).await?);
    }
    let rank = |t: AssetType| AssetType::ALL.iter().position(|a| *a == t);
    assets.sort_by_key(|a| rank(a.asset_type));
    Ok(assets)
}

/// An asset and its project, if the caller may read it.
async fn readable(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<project_assets::Model> {
    policy::require(actor, Resource::Assets, Action::Read)?;
    let asset = store::find(&state.db.conn, id).await?;
    find_project(&state.db.conn, asset.project_id).await?;
    Ok(asset)
}

/// An asset, if the caller may `action` it (artists: on their own projects).
async fn changeable(state: &AppState, actor: &Actor, id: Uuid, action: Action) -> ApiResult<project_assets::Model> {
    let asset = store::find(&state.db.conn, id).await?;
    let project = find_project(&state.db.conn, asset.project_id).await?;
    policy::require_on_project(actor, Resource::Assets, action, project.assigned_artist_id)?;
    Ok(asset)
}

pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Asset> {
    let asset = readable(state, actor, id).await?;
    model::to_wire(state, asset).await
}

pub async fn versions(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Vec<AssetVersion>> {
    let asset = readable(state, actor, id).await?;
    let mut out = Vec::new();
    for v in store::versions(&state.db.conn, id).await? {
        out.push(model::version_to_wire(state, v, asset.version).await?);
    }
    Ok(out)
}

/// Which file of a version a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Original,
    Thumbnail,
    Preview,
}

pub async fn link(state: &AppState, actor: &Actor, id: Uuid, version: Option<i32>, which: Which) -> ApiResult<FileLink> {
    let asset = readable(state, actor, id).await?;
    let v = store::find_version(&state.db.conn, &asset, version).await?;
    let not_yet = |what: &str| {
        let status = v.processing_status.as_str();
        AppError::NotFound(match status {
            "failed" => {
                format!("This version has no {what}: processing failed ({}).", v.processing_error.as_deref().unwrap_or("no reason given"))
            }
            "ready" => format!("This version has no {what}."),
            _ => format!("This version has no {what} yet: it is still being processed."),
        })
    };
    let (key, filename, content_type) = match which {
        Which::Original => (v.file_path.clone(), download_name(&asset.filename, v.version, asset.version), v.mime_type.clone()),
        Which::Thumbnail => (v.thumbnail_path.clone().ok_or_else(|| not_yet("thumbnail"))?, "thumbnail.webp".into(), "image/webp".into()),
        Which::Preview => {
            let key = v.preview_path.clone().ok_or_else(|| not_yet("preview"))?;
            let content_type = if key.ends_with(".png") {
                "image/png"
            } else if key.ends_with(".jpg") {
                "image/jpeg"
            } else {
                v.mime_type.as_str()
            };
            (key, format!("preview-{}", asset.filename), content_type.to_owned())
        }
    };
    let ttl = state.config.download_link_ttl;
    let key = ObjectKey::new(key)?;
    let size = match which {
        Which::Original => v.file_size,
        _ => state.storage.head(&key).await?.map_or(0, |m| i64::try_from(m.size).unwrap_or(i64::MAX)),
    };
    Ok(FileLink { url: state.storage.link_to_get(&key, ttl).await?, expires_at: link_expiry(ttl), filename, content_type, size })
}

/// `rex.jpg`, or `rex (v2).jpg` for an earlier version.
fn download_name(filename: &str, version: i32, current: i32) -> String {
    if version == current {
        return filename.to_owned();
    }
    match filename.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem} (v{version}).{ext}"),
        None => format!("{filename} (v{version})"),
    }
}

pub async fn update(state: &AppState, actor: &Actor, id: Uuid, request: &UpdateAsset) -> ApiResult<Asset> {
    let before = changeable(state, actor, id, Action::Update).await?;
    let (filename, asset_type) = request.validate()?;
    if let Some(t) = asset_type {
        let media = petpixel_types::asset::MediaType::from_mime(&before.mime_type);
        if let Some(media) = media {
            t.accepts(media).map_err(|m| AppError::field("asset_type", "wrong_kind", m))?;
        }
    }
    let mut changes = serde_json::Map::new();
    let mut model: project_assets::ActiveModel = before.clone().into();
    if let Some(name) = filename.filter(|n| *n != before.filename) {
        changes.insert("filename".into(), json!({ "from": before.filename, "to": name }));
        model.filename = Set(name);
    }
    if let Some(t) = asset_type.filter(|t| t.as_str() != before.asset_type) {
        changes.insert("asset_type".into(), json!({ "from": before.asset_type, "to": t }));
        model.asset_type = Set(t.as_str().to_owned());
    }
    if changes.is_empty() {
        return model::to_wire(state, before).await;
    }
    let txn = state.db.begin_write().await?;
    let after = model.update(&*txn).await?;
    let entry = NewEntry::new("asset.updated", ActionType::Update, ResourceType::Asset, id).project(after.project_id).changes(changes);
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let wire = model::to_wire(state, after).await?;
    txn.attach(Payload::Asset(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}

/// The rows go at once; the objects go in a job enqueued in the same transaction, so none is
/// forgotten if the process dies in between.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    let asset = changeable(state, actor, id, Action::Delete).await?;
    let txn = state.db.begin_write().await?;
    project_assets::Entity::delete_by_id(id).exec(&*txn).await?;
    jobs::enqueue(&*txn, NewJob::new(REMOVE_OBJECTS, json!({ "prefix": store::prefix(asset.project_id, id) }))).await?;
    let details = json!({ "filename": asset.filename, "asset_type": asset.asset_type, "versions": asset.version });
    let entry = NewEntry::new("asset.deleted", ActionType::Delete, ResourceType::Asset, id).project(asset.project_id).details(details);
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Processes the current version again (after a failure, or with a newer processor).
pub async fn reprocess(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Asset> {
    let asset = changeable(state, actor, id, Action::Update).await?;
    let status: ProcessingStatus = stored("project_assets.processing_status", &asset.processing_status)?;
    if status.is_settling() {
        return Err(AppError::conflict("This asset is being processed already."));
    }
    let txn = state.db.begin_write().await?;
    let v = store::find_version(&*txn, &asset, None).await?;
    store::set_status(&*txn, &v, ProcessingStatus::Pending, None).await?;
    jobs::enqueue(&*txn, NewJob::new(PROCESS, json!({ "asset_id": id, "version": v.version })).dedupe(v.id.to_string())).await?;
    let entry = NewEntry::new("asset.reprocess_requested", ActionType::Update, ResourceType::Asset, id)
        .project(asset.project_id)
        .details(json!({ "version": v.version }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let wire = model::to_wire(state, store::find(&*txn, id).await?).await?;
    txn.attach(Payload::Asset(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}
