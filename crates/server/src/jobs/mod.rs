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
//! - A job may end by asking to run again at some time ([`Next::At`]: a queue it works through,
//!   a retry schedule of its own). Enqueuing a job whose equal is running marks that one to run
//!   once more, so work queued while it finishes is never left without a job.

pub mod handlers;
pub mod queue;
pub mod service;
mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

pub use queue::{backlog, enqueue, NewJob, DONE, FAILED, PENDING, RUNNING};
pub use worker::{Outcome, Worker};

use crate::error::ApiResult;
use crate::state::AppState;

/// Deletes sessions that ended more than a day ago, hourly.
pub const PURGE_SESSIONS: &str = "sessions.purge";

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
pub type Handler = Arc<dyn Fn(AppState, Value) -> BoxFuture<'static, anyhow::Result<Next>> + Send + Sync>;

/// How a job that did not fail goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// It is done (unless asked for again while it ran).
    Done,
    /// It runs again at this time, its tries counted afresh.
    At(DateTime<Utc>),
}

impl From<()> for Next {
    fn from((): ()) -> Self {
        Next::Done
    }
}

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

    pub fn register<F, Fut, R>(mut self, kind: &'static str, run: F) -> Self
    where
        F: Fn(AppState, Value) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = anyhow::Result<R>> + Send + 'static,
        R: Into<Next>,
    {
        let run = Arc::new(run);
        self.handlers.insert(
            kind,
            Arc::new(move |state, payload| {
                let run = run.clone();
                Box::pin(async move { run(state, payload).await.map(Into::into) })
            }),
        );
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
