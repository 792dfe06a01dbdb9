//! Notifications that are told once (a deadline reminder per project and date), each person's
//! e-mail choices per kind, and the e-mail outbox: a message is written in the transaction of the
//! change that causes it and sent by a job, so a rolled-back change sends nothing and a committed
//! one is never forgotten.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    DedupeKey,
}

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    UserId,
    Kind,
    Email,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    Body,
    Status,
    Attempts,
    LastError,
    NotificationId,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Notifications::Table).add_column(string_null(Notifications::DedupeKey, 200)).to_owned()).await?;
        // NULLs are distinct on both databases: only keyed notifications are held to one.
        m.create_index(
            Index::create().name("idx_notifications_dedupe").table(Notifications::Table).col(Notifications::DedupeKey).unique().to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_user_id")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NotificationPreferences::Table)
                .col(uuid(NotificationPreferences::UserId))
                .col(string(NotificationPreferences::Kind, 50))
                .col(ColumnDef::new(NotificationPreferences::Email).boolean().not_null())
                .col(timestamp(NotificationPreferences::UpdatedAt))
                .primary_key(Index::create().col(NotificationPreferences::UserId).col(NotificationPreferences::Kind))
                .foreign_key(
                    ForeignKey::create()
                        .from(NotificationPreferences::Table, NotificationPreferences::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EmailOutbox::Table)
                .col(uuid_pk(EmailOutbox::Id))
                .col(string(EmailOutbox::ToAddress, 254))
                .col(string(EmailOutbox::Subject, 255))
                .col(ColumnDef::new(EmailOutbox::Body).text().not_null())
                .col(string(EmailOutbox::Status, 20))
                .col(ColumnDef::new(EmailOutbox::Attempts).integer().not_null().default(0))
                .col(text_null(EmailOutbox::LastError))
                .col(uuid_null(EmailOutbox::NotificationId))
                .col(timestamp(EmailOutbox::CreatedAt))
                .col(timestamp_null(EmailOutbox::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailOutbox::Table, EmailOutbox::NotificationId)
                        .to(Notifications::Table, Notifications::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_email_outbox_status")
                .table(EmailOutbox::Table)
                .col(EmailOutbox::Status)
                .col(EmailOutbox::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EmailOutbox::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationPreferences::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_notifications_user_id").table(Notifications::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_notifications_dedupe").table(Notifications::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::DedupeKey).to_owned()).await
    }
}
