//! Admins' view of the jobs: list them (failed ones, say) and send a failed one round again.

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::job::{Job, JobQuery, JobStatus};
use petpixel_types::Page;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::{FAILED, PENDING};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::db::stored;
use crate::entities::jobs;
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

fn to_wire(j: jobs::Model) -> ApiResult<Job> {
    Ok(Job {
        id: j.id,
        status: stored::<JobStatus>("jobs.status", &j.status)?,
        kind: j.kind,
        attempts: j.attempts,
        max_attempts: j.max_attempts,
        run_at: j.run_at,
        last_error: j.last_error,
        created_at: j.created_at,
        updated_at: j.updated_at,
        finished_at: j.finished_at,
    })
}

/// Newest first.
pub async fn list(state: &AppState, actor: &Actor, query: &JobQuery) -> ApiResult<Page<Job>> {
    policy::require_admin(actor)?;
    let page = query.validate()?;
    let mut select = jobs::Entity::find();
    if let Some(status) = query.status {
        select = select.filter(jobs::Column::Status.eq(status.as_str()));
    }
    let total = select.clone().count(&state.db.conn).await?;
    let rows = select
        .order_by_desc(jobs::Column::CreatedAt)
        .order_by_desc(jobs::Column::Id)
        .limit(u64::from(page.limit))
        .offset(page.offset)
        .all(&state.db.conn)
        .await?;
    let items = rows.into_iter().map(to_wire).collect::<ApiResult<_>>()?;
    Ok(Page { items, total, limit: page.limit, offset: page.offset })
}

/// A failed job runs again now, with its tries counted afresh; its last error stays until then.
pub async fn retry(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Job> {
    policy::require_admin(actor)?;
    let txn = state.db.begin_write().await?;
    let job = jobs::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| AppError::not_found("job"))?;
    if job.status != FAILED {
        return Err(AppError::conflict(format!("Only a failed job can be retried; this one is {}.", job.status)));
    }
    let now = Utc::now();
    jobs::Entity::update_many()
        .col_expr(jobs::Column::Status, Expr::value(PENDING))
        .col_expr(jobs::Column::Attempts, Expr::value(0))
        .col_expr(jobs::Column::RunAt, Expr::value(now))
        .col_expr(jobs::Column::FinishedAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
        .filter(jobs::Column::Id.eq(id))
        .filter(jobs::Column::Status.eq(FAILED))
        .exec(&*txn)
        .await?;
    let entry = NewEntry::about("job.retried", ActionType::Update, ResourceType::Job, Some(id))
        .details(json!({ "kind": job.kind, "last_error": job.last_error }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let after = jobs::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| AppError::not_found("job"))?;
    txn.commit().await?;
    to_wire(after)
}
