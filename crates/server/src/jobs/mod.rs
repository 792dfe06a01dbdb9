//! Durable jobs: background work that survives a crash.
//!
//! - [`enqueue`] inserts a job on the caller's connection or transaction, so a rolled-back change
//!   enqueues nothing and a committed one is never forgotten. A job with a dedupe key is not
//!   queued while another of its kind and key is pending or running.
//! - A [`Worker`] (started by `serve`, or alone with `petpixel worker`) claims one due job at a
//!   time under a lease: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several processes each
//!   take different jobs; on SQLite under its write lock. The job runs outside any transaction.
//! - A failure is retried after `base * 2^(attempt-1)`; after `max_attempts` the job stays
//!   `failed` with its last error. A job whose worker died is taken up again when its lease runs
//!   out (a live worker renews its lease while the job runs).

pub mod handlers;
pub mod service;
mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use serde_json::Value;
use uuid::Uuid;

pub use worker::{Outcome, Worker};

use crate::entities::jobs;
use crate::error::ApiResult;
use crate::state::AppState;

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// Deletes sessions that ended more than a day ago, hourly.
pub const PURGE_SESSIONS: &str = "sessions.purge";

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
    };
    // The partial unique index decides; DO NOTHING keeps the caller's transaction usable.
    let conflict = OnConflict::columns([jobs::Column::Kind, jobs::Column::DedupeKey])
        // Word for word the index's own condition, literals included: SQLite matches a partial
        // index to a conflict target only when it can see the one implies the other.
        .target_and_where(Expr::cust("dedupe_key IS NOT NULL AND status IN ('pending', 'running')"))
        .do_nothing()
        .to_owned();
    let inserted = jobs::Entity::insert(row).on_conflict(conflict).exec_without_returning(conn).await?;
    Ok((inserted == 1).then_some(id))
}

/// Enqueues each periodic job whose current period has no run yet; answers how many it queued.
/// The period's row and its job commit together, so a crash in between loses neither.
pub async fn schedule_due(state: &AppState, registry: &Registry, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut queued = 0;
    for p in &registry.periodic {
        let every = i64::try_from(p.every.as_secs().max(1)).unwrap_or(i64::MAX);
        let slot = now.timestamp().div_euclid(every);
        let txn = state.db.begin_write().await?;
        let claim = Statement::from_sql_and_values(
            state.db.backend(),
            "INSERT INTO job_schedule_runs (name, slot, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [p.name.into(), slot.into(), now.into()],
        );
        if txn.execute_raw(claim).await?.rows_affected() == 1 {
            enqueue(&*txn, NewJob::new(p.kind, p.payload.clone()).dedupe(format!("{}@{slot}", p.name))).await?;
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// What a job does: its payload in, an error message out if it failed.
pub type Handler = Arc<dyn Fn(AppState, Value) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// A job enqueued once per period (a sweeper, a daily reminder), whichever process gets there.
#[derive(Clone)]
pub struct Periodic {
    /// Names the schedule: each (name, period slot) runs once.
    pub name: &'static str,
    pub every: std::time::Duration,
    pub kind: &'static str,
    pub payload: Value,
}

/// The job kinds this process can run, by name, and its periodic jobs. Each capability registers
/// its own.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    periodic: Vec<Periodic>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register<F, Fut>(mut self, kind: &'static str, run: F) -> Self
    where
        F: Fn(AppState, Value) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.handlers.insert(kind, Arc::new(move |state, payload| Box::pin(run(state, payload))));
        self
    }

    /// Enqueues a `kind` job once every `every`, across all processes.
    pub fn every(mut self, name: &'static str, every: std::time::Duration, kind: &'static str, payload: Value) -> Self {
        self.periodic.push(Periodic { name, every, kind, payload });
        self
    }

    fn get(&self, kind: &str) -> Option<&Handler> {
        self.handlers.get(kind)
    }

    /// The kinds the app itself defines; each capability adds its own here.
    pub fn builtin() -> Self {
        Self::new()
            .register(PURGE_SESSIONS, |state: AppState, _payload| async move {
                let gone = crate::auth::sessions::purge_ended(&state.db.conn, Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                tracing::info!(sessions = gone, "ended sessions purged");
                Ok(())
            })
            .every(PURGE_SESSIONS, std::time::Duration::from_secs(3600), PURGE_SESSIONS, Value::Null)
    }
}
