//! A job keeps the trace of the request that queued it (a W3C `traceparent`), so that its run,
//! traced later on whichever worker takes it, links back to that request.

use sea_orm_migration::prelude::*;

use crate::cols::string_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    TraceParent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Jobs::Table).add_column(string_null(Jobs::TraceParent, 64)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::TraceParent).to_owned()).await
    }
}
