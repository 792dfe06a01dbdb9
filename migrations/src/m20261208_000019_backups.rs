//! Each backup made, by the schedule or by hand: when, where to, how big, and whether it finished,
//! so health can tell the age of the last good one.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Backups {
    Table,
    Id,
    Trigger,
    Status,
    Location,
    Bytes,
    Rows,
    Objects,
    Error,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Backups::Table)
                .col(uuid_pk(Backups::Id))
                .col(string(Backups::Trigger, 20))
                .col(string(Backups::Status, 20))
                .col(ColumnDef::new(Backups::Location).text().not_null())
                .col(ColumnDef::new(Backups::Bytes).big_integer().null())
                .col(ColumnDef::new(Backups::Rows).big_integer().null())
                .col(ColumnDef::new(Backups::Objects).big_integer().null())
                .col(text_null(Backups::Error))
                .col(timestamp(Backups::StartedAt))
                .col(timestamp_null(Backups::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_backups_status_finished")
                .table(Backups::Table)
                .col(Backups::Status)
                .col(Backups::FinishedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Backups::Table).to_owned()).await
    }
}
