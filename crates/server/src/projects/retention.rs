//! What is kept, and for how long: deleted projects are purged with everything of theirs
//! (assets and their versions and uploads, builds, addresses and their views, stored files)
//! `PETPIXEL_DELETED_RETENTION_DAYS` after their deletion, each in a transaction of its own with
//! an activity entry that says so (the project's own history stays: it is the record); activity
//! entries and delivered e-mails older than their limits are pruned. Hourly, on the job queue.

use chrono::{DateTime, Duration, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::activity::service::{self as activity, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::assets::REMOVE_OBJECTS;
use crate::entities::{
    activity_logs, asset_uploads, asset_versions, builds, email_outbox, game_urls, project_assets, projects, url_daily_views,
};
use crate::error::ApiResult;
use crate::jobs::{self, NewJob};
use crate::state::AppState;

pub const RUN: &str = "projects.retention";
/// Projects purged per run at most: a backlog is worked off hour by hour, never in one long job.
const PURGE_BATCH: u64 = 200;

pub fn register(registry: jobs::Registry) -> jobs::Registry {
    registry
        .register(RUN, |state: AppState, _| async move {
            let done = run(&state, Utc::now()).await?;
            tracing::info!(?done, "retention");
            Ok(())
        })
        .every(RUN, std::time::Duration::from_secs(3600), RUN, serde_json::Value::Null)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub projects: u64,
    pub activity: u64,
    pub emails: u64,
}

pub async fn run(state: &AppState, now: DateTime<Utc>) -> ApiResult<Pruned> {
    let config = &state.config;
    let mut done = Pruned::default();
    let deleted_before = now - Duration::days(i64::from(config.deleted_retention_days));
    let due: Vec<Uuid> = projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(projects::Column::DeletedAt.lt(deleted_before))
        .limit(PURGE_BATCH)
        .into_tuple()
        .all(&state.db.conn)
        .await?;
    for id in due {
        if purge(state, id, deleted_before).await? {
            done.projects += 1;
        }
    }
    if let Some(days) = config.activity_retention_days {
        done.activity = activity_logs::Entity::delete_many()
            .filter(activity_logs::Column::CreatedAt.lt(now - Duration::days(i64::from(days))))
            .exec(&state.db.conn)
            .await?
            .rows_affected;
    }
    done.emails = email_outbox::Entity::delete_many()
        .filter(email_outbox::Column::Status.eq(petpixel_types::notification::EmailStatus::Sent.as_str()))
        .filter(email_outbox::Column::CreatedAt.lt(now - Duration::days(i64::from(config.email_retention_days))))
        .exec(&state.db.conn)
        .await?
        .rows_affected;
    Ok(done)
}

/// Purges one project deleted before `deleted_before`, with all that is its; false if it was
/// restored (or purged) meanwhile.
pub async fn purge(state: &AppState, id: Uuid, deleted_before: DateTime<Utc>) -> ApiResult<bool> {
    let txn = state.db.begin_write().await?;
    let Some(project) = projects::Entity::find_by_id(id).filter(projects::Column::DeletedAt.lt(deleted_before)).one(&*txn).await? else {
        return Ok(false);
    };
    let builds = ids_of::<builds::Entity>(&txn, builds::Column::Id, builds::Column::ProjectId, id).await?;
    let urls = ids_of::<game_urls::Entity>(&txn, game_urls::Column::Id, game_urls::Column::ProjectId, id).await?;
    let assets = ids_of::<project_assets::Entity>(&txn, project_assets::Column::Id, project_assets::Column::ProjectId, id).await?;
    // Referencing rows first.
    url_daily_views::Entity::delete_many().filter(url_daily_views::Column::UrlId.is_in(urls.iter().copied())).exec(&*txn).await?;
    game_urls::Entity::delete_many().filter(game_urls::Column::ProjectId.eq(id)).exec(&*txn).await?;
    builds::Entity::delete_many().filter(builds::Column::ProjectId.eq(id)).exec(&*txn).await?;
    asset_versions::Entity::delete_many().filter(asset_versions::Column::AssetId.is_in(assets.iter().copied())).exec(&*txn).await?;
    project_assets::Entity::delete_many().filter(project_assets::Column::ProjectId.eq(id)).exec(&*txn).await?;
    asset_uploads::Entity::delete_many().filter(asset_uploads::Column::ProjectId.eq(id)).exec(&*txn).await?;
    projects::Entity::delete_by_id(id).exec(&*txn).await?;
    // The files go once the rows are gone for good (a job, retried until the store answers).
    jobs::enqueue(&*txn, NewJob::new(REMOVE_OBJECTS, json!({ "prefix": format!("projects/{id}/") }))).await?;
    for build in &builds {
        jobs::enqueue(&*txn, NewJob::new(REMOVE_OBJECTS, json!({ "prefix": format!("builds/{build}/") }))).await?;
    }
    let client = ClientInfo::system("retention");
    let entry = NewEntry::new("project.purged", ActionType::Delete, ResourceType::Project, id).details(json!({
        "pet_name": project.pet_name,
        "customer_name": project.customer_name,
        "deleted_at": project.deleted_at,
        "assets": assets.len(),
        "builds": builds.len(),
    }));
    activity::record(&txn, &Audit::new(None, None, &client), entry).await?;
    txn.commit().await?;
    Ok(true)
}

/// The ids (`id`) of the rows of `E` whose `project` is `project`.
async fn ids_of<E: EntityTrait>(txn: &crate::db::WriteTxn, id: E::Column, project: E::Column, of: Uuid) -> ApiResult<Vec<Uuid>> {
    Ok(E::find().select_only().column(id).filter(project.eq(of)).into_tuple().all(&**txn).await?)
}
