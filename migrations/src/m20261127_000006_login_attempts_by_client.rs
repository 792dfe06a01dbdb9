//! Failed logins are counted per client address too (password spraying across many accounts
//! from one address), so the throttle needs that count to walk an index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("CREATE INDEX idx_login_attempts_ip_created ON login_attempts (ip_address, created_at)").await?;
        db.execute_unprepared("CREATE INDEX idx_login_attempts_created ON login_attempts (created_at)").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX idx_login_attempts_created").await?;
        db.execute_unprepared("DROP INDEX idx_login_attempts_ip_created").await?;
        Ok(())
    }
}
