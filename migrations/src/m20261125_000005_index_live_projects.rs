//! The project list filters out soft-deleted rows and pages newest first, with the id as the
//! tie-breaker. Partial indexes over live rows let both the count and the page walk an index
//! instead of reading and sorting every matching row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The same statements are valid on SQLite and PostgreSQL.
        db.execute_unprepared("CREATE INDEX idx_projects_live_status ON projects (status, created_at, id) WHERE deleted_at IS NULL")
            .await?;
        db.execute_unprepared("CREATE INDEX idx_projects_live_created ON projects (created_at, id) WHERE deleted_at IS NULL").await?;
        // Superseded by idx_projects_live_status.
        db.execute_unprepared("DROP INDEX idx_projects_status").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("CREATE INDEX idx_projects_status ON projects (status, created_at)").await?;
        db.execute_unprepared("DROP INDEX idx_projects_live_created").await?;
        db.execute_unprepared("DROP INDEX idx_projects_live_status").await?;
        Ok(())
    }
}
