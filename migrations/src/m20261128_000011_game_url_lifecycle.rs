//! Game addresses get their lifecycle: a slug is held only while its address is live (reserved
//! or active), so an expired or released one frees it and keeps its history (for the 410 page and
//! the views); a project has at most one live address; an active one serves a build; views are
//! kept per day for the charts.
//!
//! The first design's `UNIQUE (url_slug)` held a slug forever, and SQLite cannot drop a column's
//! constraint, so the table is rebuilt (rows kept) on both databases alike.

use sea_orm_migration::prelude::*;

use crate::cols::*;
use crate::m20261125_000002_create_projects::Projects;

#[derive(DeriveMigrationName)]
pub struct Migration;

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
    BuildId,
    ViewCount,
    LastAccessed,
}

#[derive(DeriveIden)]
enum GameUrlsNext {
    Table,
}

#[derive(DeriveIden)]
enum Builds {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UrlDailyViews {
    Table,
    UrlId,
    Day,
    Views,
}

const KEPT: &str = "id, project_id, url_slug, full_url, status, reserved_at, expires_at, deployed_at, view_count, last_accessed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (which has transactional DDL): the rebuild and its record
    /// land together or not at all, and every step runs on the one connection that sees the last.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(GameUrlsNext::Table)
                .col(uuid_pk(GameUrls::Id))
                .col(uuid(GameUrls::ProjectId))
                .col(string(GameUrls::UrlSlug, 150))
                .col(string(GameUrls::FullUrl, 500))
                .col(string(GameUrls::Status, 50).default("reserved"))
                .col(timestamp(GameUrls::ReservedAt))
                .col(timestamp(GameUrls::ExpiresAt))
                .col(timestamp_null(GameUrls::DeployedAt))
                .col(uuid_null(GameUrls::BuildId))
                .col(ColumnDef::new(GameUrls::ViewCount).big_integer().not_null().default(0))
                .col(timestamp_null(GameUrls::LastAccessed))
                .foreign_key(
                    ForeignKey::create()
                        .from(GameUrlsNext::Table, GameUrls::ProjectId)
                        .to(Projects::Table, Projects::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                // A build that is live somewhere cannot be deleted (the service says why first).
                .foreign_key(
                    ForeignKey::create()
                        .from(GameUrlsNext::Table, GameUrls::BuildId)
                        .to(Builds::Table, Builds::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(&format!("INSERT INTO game_urls_next ({KEPT}) SELECT {KEPT} FROM game_urls")).await?;
        m.drop_table(Table::drop().table(GameUrls::Table).to_owned()).await?;
        m.rename_table(Table::rename().table(GameUrlsNext::Table, GameUrls::Table).to_owned()).await?;

        // The rule itself: of two reservations of one slug, or two live addresses of one
        // project, the database lets exactly one in.
        db.execute_unprepared("CREATE UNIQUE INDEX idx_urls_live_slug ON game_urls (url_slug) WHERE status IN ('reserved', 'active')")
            .await?;
        db.execute_unprepared("CREATE UNIQUE INDEX idx_urls_live_project ON game_urls (project_id) WHERE status IN ('reserved', 'active')")
            .await?;
        // An address's history by slug (the 410 page), the list by status, the sweeper's
        // reservations by expiry.
        for (name, cols) in [
            ("idx_urls_slug", vec![GameUrls::UrlSlug, GameUrls::ReservedAt]),
            ("idx_urls_status_expires", vec![GameUrls::Status, GameUrls::ExpiresAt]),
            ("idx_urls_project", vec![GameUrls::ProjectId]),
            ("idx_urls_build", vec![GameUrls::BuildId]),
        ] {
            let mut index = Index::create().name(name).table(GameUrls::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(UrlDailyViews::Table)
                .col(uuid(UrlDailyViews::UrlId))
                .col(ColumnDef::new(UrlDailyViews::Day).date().not_null())
                .col(ColumnDef::new(UrlDailyViews::Views).big_integer().not_null().default(0))
                .primary_key(Index::create().col(UrlDailyViews::UrlId).col(UrlDailyViews::Day))
                .foreign_key(
                    ForeignKey::create()
                        .from(UrlDailyViews::Table, UrlDailyViews::UrlId)
                        .to(GameUrls::Table, GameUrls::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    /// Drops the daily views and the live-address rules. `build_id` stays: SQLite cannot drop a
    /// column a foreign key names, and the older code ignores it.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UrlDailyViews::Table).to_owned()).await?;
        for name in ["idx_urls_live_slug", "idx_urls_live_project"] {
            m.drop_index(Index::drop().name(name).table(GameUrls::Table).to_owned()).await?;
        }
        Ok(())
    }
}
