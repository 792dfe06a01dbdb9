use sea_orm_migration::prelude::*;

use crate::cols::*;
use crate::m20261125_000001_create_users_and_auth::Users;
use crate::m20261125_000002_create_projects::Projects;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProjectAssets {
    Table,
    Id,
    ProjectId,
    AssetType,
    Filename,
    OriginalFilename,
    FilePath,
    FileSize,
    MimeType,
    Metadata,
    ProcessingStatus,
    Version,
    UploadedBy,
    UploadedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum GameUrls {
    Table,
    Id,
    ProjectId,
    UrlSlug,
    FullUrl,
    Status,
    ReservedAt,
    ExpiresAt,
    DeployedAt,
    ViewCount,
    LastAccessed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProjectAssets::Table)
                .col(uuid_pk(ProjectAssets::Id))
                .col(uuid(ProjectAssets::ProjectId))
                .col(string(ProjectAssets::AssetType, 50))
                .col(string(ProjectAssets::Filename, 255))
                .col(string(ProjectAssets::OriginalFilename, 255))
                .col(string(ProjectAssets::FilePath, 500))
                .col(ColumnDef::new(ProjectAssets::FileSize).big_integer().not_null())
                .col(string(ProjectAssets::MimeType, 100))
                .col(json_null(ProjectAssets::Metadata))
                .col(string(ProjectAssets::ProcessingStatus, 50).default("pending"))
                .col(ColumnDef::new(ProjectAssets::Version).integer().not_null().default(1))
                .col(uuid_null(ProjectAssets::UploadedBy))
                .col(timestamp(ProjectAssets::UploadedAt))
                .col(timestamp_null(ProjectAssets::ProcessedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ProjectAssets::Table, ProjectAssets::ProjectId)
                        .to(Projects::Table, Projects::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ProjectAssets::Table, ProjectAssets::UploadedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_assets_project", ProjectAssets::ProjectId),
            ("idx_assets_type", ProjectAssets::AssetType),
            ("idx_assets_status", ProjectAssets::ProcessingStatus),
        ] {
            m.create_index(Index::create().name(name).table(ProjectAssets::Table).col(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(GameUrls::Table)
                .col(uuid_pk(GameUrls::Id))
                .col(uuid(GameUrls::ProjectId))
                .col(string(GameUrls::UrlSlug, 150).unique_key())
                .col(string(GameUrls::FullUrl, 500))
                .col(string(GameUrls::Status, 50).default("reserved"))
                .col(timestamp(GameUrls::ReservedAt))
                .col(timestamp(GameUrls::ExpiresAt))
                .col(timestamp_null(GameUrls::DeployedAt))
                .col(ColumnDef::new(GameUrls::ViewCount).big_integer().not_null().default(0))
                .col(timestamp_null(GameUrls::LastAccessed))
                .foreign_key(
                    ForeignKey::create()
                        .from(GameUrls::Table, GameUrls::ProjectId)
                        .to(Projects::Table, Projects::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [("idx_urls_status", GameUrls::Status), ("idx_urls_project", GameUrls::ProjectId)] {
            m.create_index(Index::create().name(name).table(GameUrls::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(GameUrls::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ProjectAssets::Table).to_owned()).await
    }
}
