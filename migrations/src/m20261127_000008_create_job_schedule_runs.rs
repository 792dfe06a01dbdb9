//! Periodic jobs: one row per schedule and period slot. The first process to insert a slot's row
//! enqueues that period's job; every other process finds the row there and does nothing.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JobScheduleRuns {
    Table,
    Name,
    Slot,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(JobScheduleRuns::Table)
                .col(string(JobScheduleRuns::Name, 100))
                .col(ColumnDef::new(JobScheduleRuns::Slot).big_integer().not_null())
                .col(timestamp(JobScheduleRuns::CreatedAt))
                .primary_key(Index::create().col(JobScheduleRuns::Name).col(JobScheduleRuns::Slot))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JobScheduleRuns::Table).to_owned()).await
    }
}
