//! Idempotent writes: the first answer to a `POST` with an `Idempotency-Key`, kept 24 hours per
//! caller and key, replayed to a retry of the same request.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    RequestHash,
    State,
    ResponseStatus,
    ResponseBody,
    ResponseHeaders,
    LockedUntil,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(uuid(IdempotencyKeys::UserId))
                .col(string(IdempotencyKeys::Key, 255))
                .col(string(IdempotencyKeys::RequestHash, 64))
                .col(string(IdempotencyKeys::State, 20))
                .col(int_null(IdempotencyKeys::ResponseStatus))
                .col(ColumnDef::new(IdempotencyKeys::ResponseBody).binary().null())
                .col(json_null(IdempotencyKeys::ResponseHeaders))
                .col(timestamp(IdempotencyKeys::LockedUntil))
                .col(timestamp(IdempotencyKeys::CreatedAt))
                .primary_key(Index::create().col(IdempotencyKeys::UserId).col(IdempotencyKeys::Key))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_idempotency_created").table(IdempotencyKeys::Table).col(IdempotencyKeys::CreatedAt).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await
    }
}
