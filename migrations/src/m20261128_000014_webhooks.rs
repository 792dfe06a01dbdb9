//! Outgoing webhooks: the endpoints admins register, one delivery per message and endpoint
//! (written in the transaction of the change it tells, so a rolled-back change sends nothing),
//! and each try at it. Jobs learn to be asked again while they run: a delivery queued while its
//! endpoint's job is running sets `again`, and the job runs once more instead of ending.

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
enum Jobs {
    Table,
    Again,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    Url,
    Description,
    EventTypes,
    Enabled,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    FailingSince,
    DisabledReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    MessageId,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    DurationMs,
    ResponseBody,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Jobs::Table).add_column(ColumnDef::new(Jobs::Again).boolean().not_null().default(false)).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(uuid_pk(WebhookEndpoints::Id))
                .col(string(WebhookEndpoints::Url, 2000))
                .col(text_null(WebhookEndpoints::Description))
                .col(json(WebhookEndpoints::EventTypes))
                .col(ColumnDef::new(WebhookEndpoints::Enabled).boolean().not_null())
                // Sealed with a key derived from the token secret: a copy of the database alone
                // cannot sign.
                .col(ColumnDef::new(WebhookEndpoints::Secret).text().not_null())
                .col(text_null(WebhookEndpoints::PreviousSecret))
                .col(timestamp_null(WebhookEndpoints::PreviousSecretExpiresAt))
                .col(timestamp_null(WebhookEndpoints::FailingSince))
                .col(text_null(WebhookEndpoints::DisabledReason))
                .col(uuid_null(WebhookEndpoints::CreatedBy))
                .col(timestamp(WebhookEndpoints::CreatedAt))
                .col(timestamp(WebhookEndpoints::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookEndpoints::Table, WebhookEndpoints::CreatedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(uuid_pk(WebhookDeliveries::Id))
                .col(uuid(WebhookDeliveries::EndpointId))
                .col(string(WebhookDeliveries::MessageId, 64))
                .col(string(WebhookDeliveries::EventType, 50))
                // The exact bytes that are signed, so every try and resend signs the same body.
                .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
                .col(string(WebhookDeliveries::Status, 20))
                .col(ColumnDef::new(WebhookDeliveries::Attempts).integer().not_null().default(0))
                .col(timestamp_null(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_null(WebhookDeliveries::DeliveredAt))
                .col(timestamp(WebhookDeliveries::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                        .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The endpoint's queue, oldest first, and its log, newest first.
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_queue")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::Status)
                .col(WebhookDeliveries::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_created_at")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookAttempts::Table)
                .col(uuid_pk(WebhookAttempts::Id))
                .col(uuid(WebhookAttempts::DeliveryId))
                .col(timestamp(WebhookAttempts::AttemptedAt))
                .col(int_null(WebhookAttempts::StatusCode))
                .col(ColumnDef::new(WebhookAttempts::DurationMs).big_integer().not_null())
                .col(text_null(WebhookAttempts::ResponseBody))
                .col(text_null(WebhookAttempts::Error))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                        .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_attempts_delivery_id")
                .table(WebhookAttempts::Table)
                .col(WebhookAttempts::DeliveryId)
                .col(WebhookAttempts::AttemptedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::Again).to_owned()).await
    }
}
