//! Backups on a schedule, on the job queue: a check every quarter hour (once across all
//! processes, as every periodic job) makes an archive when the last good one is older than
//! `PETPIXEL_BACKUP_SCHEDULE`, keeps `PETPIXEL_BACKUP_KEEP` of them, and records each backup,
//! scheduled or by hand, so health and `/metrics` tell the age of the last good one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::Summary;
use crate::config::Config;
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

/// Where archives go: `PETPIXEL_BACKUP_DIR`, else the data dir's `backups`.
pub fn dir(config: &Config) -> PathBuf {
    config.backup_dir.clone().unwrap_or_else(|| config.data_dir.join("backups"))
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
    let summary = record(conn, &state.storage, &state.config, "schedule").await?;
    prune(&dir(&state.config), state.config.backup_keep).await?;
    Ok(Some(summary))
}

/// Makes a backup into [`dir`], recording it (running, then ok or failed).
pub async fn record(conn: &DatabaseConnection, storage: &Storage, config: &Config, trigger: &str) -> anyhow::Result<Summary> {
    let path = dir(config).join(super::archive_name(Utc::now(), config.backup_key.is_some()));
    record_at(conn, storage, config, trigger, &path).await
}

pub async fn record_at(
    conn: &DatabaseConnection,
    storage: &Storage,
    config: &Config,
    trigger: &str,
    path: &Path,
) -> anyhow::Result<Summary> {
    let id = Uuid::now_v7();
    backups::ActiveModel {
        id: Set(id),
        trigger: Set(trigger.to_owned()),
        status: Set("running".into()),
        location: Set(path.display().to_string()),
        bytes: Set(None),
        rows: Set(None),
        objects: Set(None),
        error: Set(None),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
    }
    .insert(conn)
    .await?;
    let made = super::backup(conn, storage, path, config.backup_key.as_ref()).await;
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

/// Removes all but the newest `keep` archives in `dir` (by name, which is by time).
pub async fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut archives = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("petpixel-backup-") && !name.ends_with(".partial") {
            archives.push(entry.path());
        }
    }
    archives.sort();
    let gone: Vec<PathBuf> = archives.iter().rev().skip(keep.max(1)).cloned().collect();
    for path in &gone {
        tokio::fs::remove_file(path).await?;
    }
    Ok(gone)
}
