//! Builds: one game made from a template and a project's assets, queued -> building -> ready or
//! failed. A ready build's bundle lives in storage under `builds/<id>/` and never changes.

use sea_orm_migration::prelude::*;

use crate::cols::*;
use crate::m20261125_000001_create_users_and_auth::Users;
use crate::m20261125_000002_create_projects::Projects;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Builds {
    Table,
    Id,
    ProjectId,
    Template,
    Status,
    Slots,
    Texts,
    Params,
    Resolved,
    Failures,
    Error,
    Log,
    Files,
    BundleSize,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Builds::Table)
                .col(uuid_pk(Builds::Id))
                .col(uuid(Builds::ProjectId))
                .col(string(Builds::Template, 50))
                .col(string(Builds::Status, 20))
                .col(json(Builds::Slots))
                .col(json(Builds::Texts))
                .col(json(Builds::Params))
                .col(json_null(Builds::Resolved))
                .col(json_null(Builds::Failures))
                .col(text_null(Builds::Error))
                .col(json(Builds::Log))
                .col(json_null(Builds::Files))
                .col(ColumnDef::new(Builds::BundleSize).big_integer().null())
                .col(uuid_null(Builds::CreatedBy))
                .col(timestamp(Builds::CreatedAt))
                .col(timestamp_null(Builds::StartedAt))
                .col(timestamp_null(Builds::FinishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Builds::Table, Builds::ProjectId)
                        .to(Projects::Table, Projects::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Builds::Table, Builds::CreatedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // A project's builds, newest first.
        m.create_index(
            Index::create()
                .name("idx_builds_project_created")
                .table(Builds::Table)
                .col(Builds::ProjectId)
                .col(Builds::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Builds::Table).to_owned()).await
    }
}
