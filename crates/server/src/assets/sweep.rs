//! The periodic sweep: uploads that expired before they completed go, objects first; a version
//! whose processing job gave up (or vanished) is marked failed with the job's last error, so no
//! asset waits in `processing` for ever. Also the job that removes a deleted asset's objects.

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::asset::ProcessingStatus;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{store, upload, PROCESS};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::entities::{asset_uploads, asset_versions, jobs as job_rows, project_assets};
use crate::jobs::{self, NewJob};
use crate::state::AppState;

pub async fn run(state: AppState, _payload: Value) -> anyhow::Result<()> {
    let expired = asset_uploads::Entity::find().filter(asset_uploads::Column::ExpiresAt.lt(Utc::now())).all(&state.db.conn).await?;
    for u in &expired {
        upload::abandon(&state, u).await;
    }
    let settled = settle_stuck(&state).await?;
    let strays = sweep_staging(&state).await?;
    if !expired.is_empty() || settled > 0 || strays > 0 {
        tracing::info!(expired_uploads = expired.len(), stuck_versions = settled, stray_staged_files = strays, "assets swept");
    }
    Ok(())
}

/// Staged files with no upload waiting for them: put through a link after its upload completed
/// (an S3 link takes bytes until it expires) and never read. Older than a link's life, they go.
async fn sweep_staging(state: &AppState) -> anyhow::Result<usize> {
    let cutoff = Utc::now() - chrono::Duration::from_std(state.config.upload_link_ttl)?;
    let mut gone = 0;
    for object in state.storage.list(store::STAGING_PREFIX).await? {
        if object.modified.is_some_and(|m| m > cutoff) {
            continue;
        }
        let waiting = match store::staged_upload(&object.key) {
            Some(id) => asset_uploads::Entity::find_by_id(id).one(&state.db.conn).await?.is_some(),
            None => false,
        };
        if !waiting {
            state.storage.delete(&object.key).await?;
            gone += 1;
        }
    }
    Ok(gone)
}

/// Versions waiting on a job that is no longer pending or running.
async fn settle_stuck(state: &AppState) -> anyhow::Result<usize> {
    let conn = &state.db.conn;
    let waiting = asset_versions::Entity::find()
        .filter(asset_versions::Column::ProcessingStatus.is_in([ProcessingStatus::Pending.as_str(), ProcessingStatus::Processing.as_str()]))
        .filter(asset_versions::Column::UploadedAt.lt(Utc::now() - chrono::Duration::seconds(30)))
        .all(conn)
        .await?;
    let mut settled = 0;
    for v in waiting {
        let last = job_rows::Entity::find()
            .filter(job_rows::Column::Kind.eq(PROCESS))
            .filter(job_rows::Column::DedupeKey.eq(v.id.to_string()))
            .order_by_desc(job_rows::Column::CreatedAt)
            .one(conn)
            .await?;
        match last {
            Some(job) if job.status == jobs::PENDING || job.status == jobs::RUNNING => {}
            Some(job) if job.status == jobs::FAILED => {
                let error = job.last_error.unwrap_or_default();
                let reason = format!("Processing gave up after {} attempts: {error}", job.attempts);
                give_up(state, &v, reason).await?;
                settled += 1;
            }
            // Done without settling, or never queued: queue it again.
            _ => {
                let txn = state.db.begin_write().await?;
                jobs::enqueue(
                    &*txn,
                    NewJob::new(PROCESS, json!({ "asset_id": v.asset_id, "version": v.version })).dedupe(v.id.to_string()),
                )
                .await?;
                txn.commit().await?;
                settled += 1;
            }
        }
    }
    Ok(settled)
}

/// Marks a version failed, with its activity entry.
async fn give_up(state: &AppState, v: &asset_versions::Model, reason: String) -> anyhow::Result<()> {
    let client = ClientInfo::system("assets");
    let txn = state.db.begin_write().await?;
    let Some(asset) = project_assets::Entity::find_by_id(v.asset_id).one(&*txn).await? else { return Ok(()) };
    let mut model: asset_versions::ActiveModel = v.clone().into();
    model.processing_status = Set(ProcessingStatus::Failed.as_str().into());
    model.processing_error = Set(Some(reason.clone()));
    model.processed_at = Set(Some(Utc::now()));
    store::save_version(&*txn, model).await?;
    let details = json!({ "filename": asset.filename, "version": v.version, "reason": reason });
    let entry = NewEntry::new("asset.processing_failed", ActionType::Update, ResourceType::Asset, v.asset_id)
        .project(asset.project_id)
        .details(details);
    activity::record(&txn, &Audit::new(None, None, &client), entry).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
struct RemovePayload {
    prefix: String,
}

/// Removes every object under a deleted asset's (or build's) prefix.
pub async fn remove_objects(state: AppState, payload: Value) -> anyhow::Result<()> {
    let RemovePayload { prefix } = serde_json::from_value(payload)?;
    let known = ["projects/", "builds/"].iter().any(|p| prefix.starts_with(p) && prefix.len() > p.len());
    if !known || !prefix.ends_with('/') {
        anyhow::bail!("`{prefix}` is not an asset's or a build's prefix");
    }
    for object in state.storage.list(&prefix).await? {
        state.storage.delete(&object.key).await?;
    }
    Ok(())
}
