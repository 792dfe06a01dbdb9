//! Backups on a schedule, on the job queue: a check every quarter hour (once across all
//! processes, as every periodic job) makes an archive when the last good one is older than
//! `PETPIXEL_BACKUP_SCHEDULE`, puts it where `PETPIXEL_BACKUP_TO` says (a folder or a bucket),
//! keeps `PETPIXEL_BACKUP_KEEP` of them there, and records each backup,
//! scheduled or by hand, so health and `/metrics` tell the age of the last good one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{target, Summary};
use crate::config::{BackupTarget, Config};
use crate::entities::backups;
use crate::state::AppState;
use crate::storage::Storage;

pub const RUN: &str = "backups.run";
const CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

pub fn register(registry: crate::jobs::Registry) -> crate::jobs::Registry {
    registry.register(RUN, |state: AppState, _| async move { run_if_due(&state, Utc::now()).await.map(|_| ()) }).every(
        RUN,
        CHECK_EVERY,
        RUN,
        serde_json::Value::Null,
    )
}

/// Makes a backup if one is due; its summary if it made one.
pub async fn run_if_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<Option<Summary>> {
    let Some(every) = state.config.backup_schedule else { return Ok(None) };
    let conn = &state.db.conn;
    if let Some(last) = last_good(conn).await? {
        // Due a check early, so that a daily backup stays daily rather than drifting a quarter
        // hour later each day.
        let since = (now - last.finished_at.unwrap_or(last.started_at)).to_std().unwrap_or_default();
        if since + CHECK_EVERY / 2 < every {
            return Ok(None);
        }
    }
    let target = target::configured(&state.config);
    let summary = record(conn, &state.storage, &state.config, "schedule", &target).await?;
    target::prune(&state.config, &target, state.config.backup_keep).await?;
    Ok(Some(summary))
}

/// Makes a backup to `target`, recording it (running, then ok or failed) with where it went.
pub async fn record(
    conn: &DatabaseConnection,
    storage: &Storage,
    config: &Config,
    trigger: &str,
    target: &BackupTarget,
) -> anyhow::Result<Summary> {
    let name = super::archive_name(Utc::now(), config.backup_key.is_some());
    let path = target::local_path(config, target, &name);
    let id = Uuid::now_v7();
    backups::ActiveModel {
        id: Set(id),
        trigger: Set(trigger.to_owned()),
        status: Set("running".into()),
        location: Set(match target {
            BackupTarget::Dir(_) => path.display().to_string(),
            BackupTarget::S3 { .. } => format!("{target}{name}"),
        }),
        bytes: Set(None),
        rows: Set(None),
        objects: Set(None),
        error: Set(None),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
    }
    .insert(conn)
    .await?;
    let made = match super::backup(conn, storage, &path, config.backup_key.as_ref()).await {
        Ok(summary) => target::deliver(config, target, &path).await.map(|location| super::Summary { location, ..summary }),
        Err(e) => Err(e),
    };
    let mut row: backups::ActiveModel = backups::ActiveModel { id: sea_orm::Unchanged(id), ..Default::default() };
    row.finished_at = Set(Some(Utc::now()));
    match &made {
        Ok(summary) => {
            row.status = Set("ok".into());
            row.bytes = Set(i64::try_from(summary.bytes).ok());
            row.rows = Set(i64::try_from(summary.rows).ok());
            row.objects = Set(i64::try_from(summary.objects).ok());
            tracing::info!(%summary, trigger, "backup made");
        }
        Err(e) => {
            row.status = Set("failed".into());
            row.error = Set(Some(format!("{e:#}")));
            tracing::error!(error = format!("{e:#}"), trigger, "backup failed");
        }
    }
    row.update(conn).await?;
    made
}

/// The last backup that finished well.
pub async fn last_good(conn: &DatabaseConnection) -> Result<Option<backups::Model>, sea_orm::DbErr> {
    backups::Entity::find().filter(backups::Column::Status.eq("ok")).order_by_desc(backups::Column::FinishedAt).one(conn).await
}

/// The last backup, whatever became of it.
pub async fn last(conn: &DatabaseConnection) -> Result<Option<backups::Model>, sea_orm::DbErr> {
    backups::Entity::find().order_by_desc(backups::Column::StartedAt).one(conn).await
}
