//! An idempotent request's work marks its key "applied" in the work's own transaction, naming
//! what it made. A replica that dies after that commit but before keeping the answer leaves the
//! mark, so the client's retry is pointed at what was made instead of doing the work again.

use sea_orm_migration::prelude::*;

use crate::cols::{string_null, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    AppliedType,
    AppliedId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).add_column(string_null(IdempotencyKeys::AppliedType, 20)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).add_column(uuid_null(IdempotencyKeys::AppliedId)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).drop_column(IdempotencyKeys::AppliedId).to_owned()).await?;
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).drop_column(IdempotencyKeys::AppliedType).to_owned()).await
    }
}
