//! Assets keep every version, say why processing failed, and point at their derivatives; an
//! upload is recorded before its object is written, so an object never outlives its row: an
//! upload that never completes is found by its expiry and removed with its object.

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
    ProcessingError,
    ThumbnailPath,
    PreviewPath,
}

#[derive(DeriveIden)]
enum AssetVersions {
    Table,
    Id,
    AssetId,
    Version,
    OriginalFilename,
    FilePath,
    FileSize,
    MimeType,
    Metadata,
    ProcessingStatus,
    ProcessingError,
    ThumbnailPath,
    PreviewPath,
    UploadedBy,
    UploadedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum AssetUploads {
    Table,
    Id,
    ProjectId,
    AssetId,
    AssetType,
    Filename,
    OriginalFilename,
    FilePath,
    FileSize,
    MimeType,
    UploadedBy,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for col in [
            text_null(ProjectAssets::ProcessingError),
            string_null(ProjectAssets::ThumbnailPath, 500),
            string_null(ProjectAssets::PreviewPath, 500),
        ] {
            m.alter_table(Table::alter().table(ProjectAssets::Table).add_column(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(AssetVersions::Table)
                .col(uuid_pk(AssetVersions::Id))
                .col(uuid(AssetVersions::AssetId))
                .col(ColumnDef::new(AssetVersions::Version).integer().not_null())
                .col(string(AssetVersions::OriginalFilename, 255))
                .col(string(AssetVersions::FilePath, 500))
                .col(ColumnDef::new(AssetVersions::FileSize).big_integer().not_null())
                .col(string(AssetVersions::MimeType, 100))
                .col(json_null(AssetVersions::Metadata))
                .col(string(AssetVersions::ProcessingStatus, 50))
                .col(text_null(AssetVersions::ProcessingError))
                .col(string_null(AssetVersions::ThumbnailPath, 500))
                .col(string_null(AssetVersions::PreviewPath, 500))
                .col(uuid_null(AssetVersions::UploadedBy))
                .col(timestamp(AssetVersions::UploadedAt))
                .col(timestamp_null(AssetVersions::ProcessedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AssetVersions::Table, AssetVersions::AssetId)
                        .to(ProjectAssets::Table, ProjectAssets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AssetVersions::Table, AssetVersions::UploadedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_asset_versions_asset_version")
                .table(AssetVersions::Table)
                .col(AssetVersions::AssetId)
                .col(AssetVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        // Assets from before versions were kept: their one version.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO asset_versions (id, asset_id, version, original_filename, file_path, file_size, mime_type, metadata, \
                 processing_status, uploaded_by, uploaded_at, processed_at) \
                 SELECT id, id, version, original_filename, file_path, file_size, mime_type, metadata, processing_status, \
                 uploaded_by, uploaded_at, processed_at FROM project_assets",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(AssetUploads::Table)
                .col(uuid_pk(AssetUploads::Id))
                .col(uuid(AssetUploads::ProjectId))
                .col(uuid_null(AssetUploads::AssetId))
                .col(string(AssetUploads::AssetType, 50))
                .col(string(AssetUploads::Filename, 255))
                .col(string(AssetUploads::OriginalFilename, 1024))
                .col(string(AssetUploads::FilePath, 500))
                .col(ColumnDef::new(AssetUploads::FileSize).big_integer().not_null())
                .col(string(AssetUploads::MimeType, 100))
                .col(uuid_null(AssetUploads::UploadedBy))
                .col(timestamp(AssetUploads::CreatedAt))
                .col(timestamp(AssetUploads::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AssetUploads::Table, AssetUploads::ProjectId)
                        .to(Projects::Table, Projects::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AssetUploads::Table, AssetUploads::UploadedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_asset_uploads_expiry").table(AssetUploads::Table).col(AssetUploads::ExpiresAt).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AssetUploads::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AssetVersions::Table).to_owned()).await?;
        for col in [ProjectAssets::PreviewPath, ProjectAssets::ThumbnailPath, ProjectAssets::ProcessingError] {
            m.alter_table(Table::alter().table(ProjectAssets::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
