//! Putting jobs on the queue: a plain insert on the caller's connection or transaction, so that
//! what enqueues needs nothing of the rest of the app.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::jobs;
use crate::error::ApiResult;

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A job to enqueue.
pub struct NewJob {
    pub kind: &'static str,
    pub payload: Value,
    /// One pending or running job per (kind, key).
    pub dedupe_key: Option<String>,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
}

impl NewJob {
    pub fn new(kind: &'static str, payload: Value) -> Self {
        NewJob { kind, payload, dedupe_key: None, max_attempts: 5, run_at: Utc::now() }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    pub fn at(mut self, when: DateTime<Utc>) -> Self {
        self.run_at = when;
        self
    }
}

/// Enqueues `job` on `conn` (pass the transaction of the change that causes it). Answers the new
/// job's id, or `None` when an equal job (same kind and dedupe key) is already pending or running.
pub async fn enqueue(conn: &impl ConnectionTrait, job: NewJob) -> ApiResult<Option<Uuid>> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let (kind, key) = (job.kind, job.dedupe_key.clone());
    let row = jobs::ActiveModel {
        id: Set(id),
        kind: Set(job.kind.to_owned()),
        payload: Set(job.payload),
        dedupe_key: Set(job.dedupe_key),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts),
        run_at: Set(job.run_at),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        again: Set(false),
        trace_parent: Set(crate::traces::current_traceparent()),
    };
    // The partial unique index decides; DO NOTHING keeps the caller's transaction usable.
    let conflict = OnConflict::columns([jobs::Column::Kind, jobs::Column::DedupeKey])
        // Word for word the index's own condition, literals included: SQLite matches a partial
        // index to a conflict target only when it can see the one implies the other.
        .target_and_where(Expr::cust("dedupe_key IS NOT NULL AND status IN ('pending', 'running')"))
        .do_nothing()
        .to_owned();
    // Twice at most: the equal job may finish between the insert and the update.
    for _ in 0..2 {
        if jobs::Entity::insert(row.clone()).on_conflict(conflict.clone()).exec_without_returning(conn).await? == 1 {
            return Ok(Some(id));
        }
        let Some(key) = &key else { return Ok(None) };
        // A running equal may already have looked for work: it runs again when it ends. (None
        // running: a pending one holds the key, or the running one just ended; insert again.)
        let marked = jobs::Entity::update_many()
            .col_expr(jobs::Column::Again, Expr::value(true))
            .filter(jobs::Column::Kind.eq(kind))
            .filter(jobs::Column::DedupeKey.eq(key.as_str()))
            .filter(jobs::Column::Status.eq(RUNNING))
            .exec(conn)
            .await?;
        if marked.rows_affected > 0 {
            return Ok(None);
        }
    }
    Ok(None)
}

/// The queue's backlog at `now`: pending jobs already due, and how long the longest-waiting one
/// has been due (zero when none is). What the "job queue backing up" alert watches.
pub async fn backlog(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<(u64, std::time::Duration)> {
    use sea_orm::sea_query::Func;
    use sea_orm::QuerySelect;
    let (due, oldest): (i64, Option<DateTime<Utc>>) = jobs::Entity::find()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(jobs::Column::Id))), "due")
        .column_as(Expr::from(Func::min(Expr::col(jobs::Column::RunAt))), "oldest")
        .filter(jobs::Column::Status.eq(PENDING))
        .filter(jobs::Column::RunAt.lte(now))
        .into_tuple()
        .one(conn)
        .await?
        .unwrap_or((0, None));
    let waited = oldest.map(|at| (now - at).to_std().unwrap_or_default()).unwrap_or_default();
    Ok((due.max(0) as u64, waited))
}
