use sea_orm_migration::prelude::*;

use crate::cols::*;
use crate::m20261125_000001_create_users_and_auth::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Projects {
    Table,
    Id,
    CustomerName,
    CustomerEmail,
    CustomerPhone,
    PetName,
    PetBreed,
    PetAge,
    PetPersonality,
    PackageType,
    Status,
    Priority,
    AssignedArtistId,
    Deadline,
    EstimatedHours,
    ActualHours,
    GameConfig,
    Notes,
    Version,
    CreatedAt,
    UpdatedAt,
    CompletedAt,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Projects::Table)
                .col(uuid_pk(Projects::Id))
                .col(string(Projects::CustomerName, 255))
                .col(string(Projects::CustomerEmail, 255))
                .col(string_null(Projects::CustomerPhone, 50))
                .col(string(Projects::PetName, 100))
                .col(string_null(Projects::PetBreed, 100))
                .col(int_null(Projects::PetAge))
                .col(text_null(Projects::PetPersonality))
                .col(string(Projects::PackageType, 50))
                .col(string(Projects::Status, 50).default("backlog"))
                .col(string(Projects::Priority, 20).default("normal"))
                .col(uuid_null(Projects::AssignedArtistId))
                .col(ColumnDef::new(Projects::Deadline).date().null())
                .col(int_null(Projects::EstimatedHours))
                .col(int_null(Projects::ActualHours))
                .col(json(Projects::GameConfig))
                .col(text_null(Projects::Notes))
                .col(ColumnDef::new(Projects::Version).integer().not_null().default(1))
                .col(timestamp(Projects::CreatedAt))
                .col(timestamp(Projects::UpdatedAt))
                .col(timestamp_null(Projects::CompletedAt))
                .col(timestamp_null(Projects::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Projects::Table, Projects::AssignedArtistId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        let indexes: [(&str, Vec<Projects>); 5] = [
            ("idx_projects_status", vec![Projects::Status, Projects::CreatedAt]),
            ("idx_projects_artist", vec![Projects::AssignedArtistId]),
            ("idx_projects_deadline", vec![Projects::Deadline]),
            ("idx_projects_created", vec![Projects::CreatedAt]),
            ("idx_projects_priority", vec![Projects::Priority]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create().name(name).table(Projects::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Projects::Table).to_owned()).await
    }
}
