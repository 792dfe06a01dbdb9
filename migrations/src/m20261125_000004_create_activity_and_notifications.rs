use sea_orm_migration::prelude::*;

use crate::cols::*;
use crate::m20261125_000001_create_users_and_auth::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActivityLogs {
    Table,
    Id,
    UserId,
    UserEmail,
    Action,
    ActionType,
    ResourceType,
    ResourceId,
    ProjectId,
    Details,
    IpAddress,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Type,
    Title,
    Message,
    Read,
    ReadAt,
    Data,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ActivityLogs::Table)
                // Ids are UUIDv7: ordering by id is ordering by time, which the feed's cursor uses.
                .col(uuid_pk(ActivityLogs::Id))
                .col(uuid_null(ActivityLogs::UserId))
                .col(string_null(ActivityLogs::UserEmail, 255))
                .col(string(ActivityLogs::Action, 100))
                .col(string(ActivityLogs::ActionType, 50))
                .col(string(ActivityLogs::ResourceType, 50))
                .col(uuid_null(ActivityLogs::ResourceId))
                .col(uuid_null(ActivityLogs::ProjectId))
                .col(json(ActivityLogs::Details))
                .col(string_null(ActivityLogs::IpAddress, 45))
                .col(text_null(ActivityLogs::UserAgent))
                .col(timestamp(ActivityLogs::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ActivityLogs::Table, ActivityLogs::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        let indexes: [(&str, Vec<ActivityLogs>); 4] = [
            ("idx_activity_user", vec![ActivityLogs::UserId, ActivityLogs::Id]),
            ("idx_activity_resource", vec![ActivityLogs::ResourceType, ActivityLogs::ResourceId, ActivityLogs::Id]),
            ("idx_activity_created", vec![ActivityLogs::CreatedAt]),
            ("idx_activity_project", vec![ActivityLogs::ProjectId, ActivityLogs::Id]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create().name(name).table(ActivityLogs::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(uuid_pk(Notifications::Id))
                .col(uuid(Notifications::UserId))
                .col(string(Notifications::Type, 50))
                .col(string(Notifications::Title, 255))
                .col(text_null(Notifications::Message))
                .col(ColumnDef::new(Notifications::Read).boolean().not_null().default(false))
                .col(timestamp_null(Notifications::ReadAt))
                .col(json_null(Notifications::Data))
                .col(timestamp(Notifications::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_user_read")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::Read)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ActivityLogs::Table).to_owned()).await
    }
}
