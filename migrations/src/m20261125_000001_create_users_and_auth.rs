use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    FirstName,
    LastName,
    AvatarUrl,
    Role,
    Permissions,
    Active,
    LastLogin,
    CreatedAt,
    UpdatedAt,
}

/// One login: the family of refresh tokens that descend from it.
#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    IpAddress,
    UserAgent,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    Scopes,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    Email,
    IpAddress,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(uuid_pk(Users::Id))
                .col(string(Users::Email, 255).unique_key())
                .col(string(Users::PasswordHash, 255))
                .col(string_null(Users::FirstName, 100))
                .col(string_null(Users::LastName, 100))
                .col(string_null(Users::AvatarUrl, 500))
                .col(string(Users::Role, 50).default("artist"))
                .col(json(Users::Permissions))
                .col(ColumnDef::new(Users::Active).boolean().not_null().default(true))
                .col(timestamp_null(Users::LastLogin))
                .col(timestamp(Users::CreatedAt))
                .col(timestamp(Users::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(uuid_pk(Sessions::Id))
                .col(uuid(Sessions::UserId))
                .col(string_null(Sessions::IpAddress, 45))
                .col(text_null(Sessions::UserAgent))
                .col(timestamp(Sessions::CreatedAt))
                .col(timestamp(Sessions::LastUsedAt))
                .col(timestamp(Sessions::ExpiresAt))
                .col(timestamp_null(Sessions::RevokedAt))
                .col(string_null(Sessions::RevokedReason, 50))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(uuid_pk(RefreshTokens::Id))
                .col(uuid(RefreshTokens::SessionId))
                .col(string(RefreshTokens::TokenHash, 64))
                .col(timestamp(RefreshTokens::CreatedAt))
                .col(timestamp(RefreshTokens::ExpiresAt))
                .col(timestamp_null(RefreshTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, RefreshTokens::SessionId)
                        .to(Sessions::Table, Sessions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_refresh_tokens_session").table(RefreshTokens::Table).col(RefreshTokens::SessionId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(uuid_pk(ApiTokens::Id))
                .col(uuid(ApiTokens::UserId))
                .col(string(ApiTokens::Name, 100))
                .col(json(ApiTokens::Scopes))
                .col(string(ApiTokens::TokenHash, 64))
                .col(timestamp(ApiTokens::CreatedAt))
                .col(timestamp(ApiTokens::ExpiresAt))
                .col(timestamp_null(ApiTokens::LastUsedAt))
                .col(timestamp_null(ApiTokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiTokens::Table, ApiTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_api_tokens_user").table(ApiTokens::Table).col(ApiTokens::UserId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(uuid_pk(LoginAttempts::Id))
                .col(string(LoginAttempts::Email, 255))
                .col(string_null(LoginAttempts::IpAddress, 45))
                .col(timestamp(LoginAttempts::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempts_email_created")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::Email)
                .col(LoginAttempts::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginAttempts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ApiTokens::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(RefreshTokens::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
