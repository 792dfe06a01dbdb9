//! The project list sorts by seven keys, each either way, over every live project or one status.
//! Without an index in the sort's order, a page reads and sorts every matching row (ten times the
//! projects cost sixteen times the time); with one, it walks the index to its offset, reading
//! only the ids (the rows are fetched by id afterwards). The expressions are exactly those the
//! list orders by (`projects::service`), which a test checks against each query's plan. Projects
//! of one status sorted by status are ordered by id alone, hence (status, id).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PRIORITY_RANK: &str = "CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE 4 END";
const STATUS_RANK: &str =
    "CASE status WHEN 'backlog' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'review' THEN 2 WHEN 'complete' THEN 3 ELSE 4 END";

/// (name, columns): each over live projects, with `id` last as the tie-breaker.
fn indexes() -> Vec<(&'static str, String)> {
    vec![
        ("idx_projects_live_updated", "updated_at".into()),
        ("idx_projects_live_status_updated", "status, updated_at".into()),
        // Deadlines ascending with the undated last, and descending with the undated last.
        ("idx_projects_live_deadline", "(deadline IS NULL), deadline".into()),
        ("idx_projects_live_deadline_desc", "(deadline IS NOT NULL), deadline".into()),
        ("idx_projects_live_status_deadline", "status, (deadline IS NULL), deadline".into()),
        ("idx_projects_live_status_deadline_desc", "status, (deadline IS NOT NULL), deadline".into()),
        ("idx_projects_live_priority", format!("({PRIORITY_RANK})")),
        ("idx_projects_live_status_priority", format!("status, ({PRIORITY_RANK})")),
        ("idx_projects_live_status_rank", format!("({STATUS_RANK})")),
        ("idx_projects_live_status_id", "status".into()),
        ("idx_projects_live_pet", "(LOWER(pet_name))".into()),
        ("idx_projects_live_status_pet", "status, (LOWER(pet_name))".into()),
        ("idx_projects_live_customer", "(LOWER(customer_name))".into()),
        ("idx_projects_live_status_customer", "status, (LOWER(customer_name))".into()),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The same statements are valid on SQLite and PostgreSQL.
        for (name, columns) in indexes() {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON projects ({columns}, id) WHERE deleted_at IS NULL")).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, _) in indexes() {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
