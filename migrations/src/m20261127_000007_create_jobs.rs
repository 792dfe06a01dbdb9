//! Durable jobs: work enqueued in the transaction of the change that causes it, taken by workers
//! under a lease, retried with backoff, kept with its last error when it keeps failing.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    DedupeKey,
    Status,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedBy,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(uuid_pk(Jobs::Id))
                .col(string(Jobs::Kind, 100))
                .col(json(Jobs::Payload))
                .col(string_null(Jobs::DedupeKey, 200))
                .col(string(Jobs::Status, 20))
                .col(ColumnDef::new(Jobs::Attempts).integer().not_null().default(0))
                .col(ColumnDef::new(Jobs::MaxAttempts).integer().not_null())
                .col(timestamp(Jobs::RunAt))
                .col(string_null(Jobs::LockedBy, 64))
                .col(timestamp_null(Jobs::LockedUntil))
                .col(text_null(Jobs::LastError))
                .col(timestamp(Jobs::CreatedAt))
                .col(timestamp(Jobs::UpdatedAt))
                .col(timestamp_null(Jobs::FinishedAt))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // What a worker looks for: due pending jobs, and running ones whose lease ran out.
        db.execute_unprepared("CREATE INDEX idx_jobs_due ON jobs (status, run_at)").await?;
        db.execute_unprepared("CREATE INDEX idx_jobs_lease ON jobs (status, locked_until)").await?;
        // One pending or running job per (kind, key): "process asset X" is not queued twice.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_jobs_dedupe ON jobs (kind, dedupe_key) \
             WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}
