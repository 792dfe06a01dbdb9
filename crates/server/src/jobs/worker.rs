//! Taking and running jobs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement};
use tracing::Instrument;
use uuid::Uuid;

use super::{Next, Registry, DONE, FAILED, PENDING, RUNNING};
use crate::entities::jobs;
use crate::error::ApiResult;
use crate::state::AppState;

/// What became of the job a worker ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(Uuid),
    /// It failed and runs again at this time.
    Retry(Uuid, DateTime<Utc>),
    /// It failed for the last time and stays failed, with its error.
    Failed(Uuid),
    /// It asked to run again at this time.
    Again(Uuid, DateTime<Utc>),
}

pub struct Worker {
    state: AppState,
    registry: Registry,
    id: String,
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::seconds(60))
}

impl Worker {
    /// A worker with a fresh id: a restarted process never mistakes an old lease for its own.
    pub fn new(state: AppState, registry: Registry) -> Self {
        Worker { state, registry, id: format!("worker-{}", Uuid::now_v7().simple()) }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Takes one due job (or one whose lease ran out) and marks it running under this worker.
    async fn claim(&self) -> ApiResult<Option<jobs::Model>> {
        let now = Utc::now();
        let until = now + chrono(self.state.config.job_lease);
        let backend = self.state.db.backend();
        // Skipping rows another worker holds lets several processes take different jobs at once.
        let lock = if backend == DatabaseBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE jobs SET status = '{RUNNING}', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE (status = '{PENDING}' AND run_at <= $3) OR (status = '{RUNNING}' AND locked_until < $3) \
             ORDER BY run_at, id LIMIT 1 {lock}) RETURNING *"
        );
        let statement = Statement::from_sql_and_values(backend, sql, [self.id.clone().into(), until.into(), now.into()]);
        // On SQLite the app's write lock keeps this process's writers in line.
        let txn = self.state.db.begin_write().await?;
        let claimed = jobs::Entity::find().from_raw_sql(statement).one(&*txn).await?;
        txn.commit().await?;
        Ok(claimed)
    }

    /// Claims and runs one job; `None` when nothing is due.
    pub async fn run_once(&self) -> ApiResult<Option<Outcome>> {
        let Some(job) = self.claim().await? else { return Ok(None) };
        // A run is a trace of its own, linked to the request that queued the job.
        let span = tracing::info_span!(parent: None, "job", job.id = %job.id, job.kind = %job.kind, job.attempt = job.attempts);
        if let Some(traceparent) = &job.trace_parent {
            crate::traces::link(&span, traceparent);
        }
        async {
            let result = match self.registry.get(&job.kind) {
                Some(handler) => {
                    let run = handler(self.state.clone(), job.payload.clone());
                    self.with_lease_renewed(job.id, run).await
                }
                None => Err(anyhow::anyhow!("no handler for jobs of kind `{}` in this process", job.kind)),
            };
            self.settle(&job, result).await.map(Some)
        }
        .instrument(span)
        .await
    }

    /// Runs `work` while renewing the job's lease, so a long job is not taken by another worker.
    async fn with_lease_renewed<T>(&self, id: Uuid, work: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
        let lease = self.state.config.job_lease;
        let mut renew = tokio::time::interval((lease / 3).max(Duration::from_millis(100)));
        renew.tick().await;
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => return result,
                _ = renew.tick() => {
                    let until = Utc::now() + chrono(lease);
                    let renewed = jobs::Entity::update_many()
                        .col_expr(jobs::Column::LockedUntil, Expr::value(until))
                        .filter(jobs::Column::Id.eq(id))
                        .filter(jobs::Column::LockedBy.eq(self.id.as_str()))
                        .exec(&self.state.db.conn)
                        .await;
                    if let Err(e) = renewed {
                        tracing::warn!(job = %id, error = %e, "could not renew a job's lease");
                    }
                }
            }
        }
    }

    /// Records how the job went, if it is still this worker's (a lost lease means another worker
    /// has it now, and its word counts).
    async fn settle(&self, job: &jobs::Model, result: anyhow::Result<Next>) -> ApiResult<Outcome> {
        let now = Utc::now();
        let mine = jobs::Entity::update_many()
            .filter(jobs::Column::Id.eq(job.id))
            .filter(jobs::Column::LockedBy.eq(self.id.as_str()))
            .col_expr(jobs::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(jobs::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(jobs::Column::UpdatedAt, Expr::value(now));
        // The claim counted this attempt already.
        let attempts = job.attempts;
        let (update, outcome) = match result {
            Ok(Next::Done) => {
                tracing::info!(job = %job.id, kind = %job.kind, "job done");
                // Asked for again while it ran: due at once, as a fresh job.
                let again = |then: &str, otherwise: &str| Expr::cust(format!("CASE WHEN again THEN {then} ELSE {otherwise} END"));
                (
                    mine.col_expr(jobs::Column::Status, again(&format!("'{PENDING}'"), &format!("'{DONE}'")))
                        .col_expr(
                            jobs::Column::FinishedAt,
                            CaseStatement::new()
                                .case(Expr::col(jobs::Column::Again), Expr::value(Option::<DateTime<Utc>>::None))
                                .finally(Expr::value(now))
                                .into(),
                        )
                        .col_expr(
                            jobs::Column::RunAt,
                            CaseStatement::new()
                                .case(Expr::col(jobs::Column::Again), Expr::value(now))
                                .finally(Expr::col(jobs::Column::RunAt))
                                .into(),
                        )
                        .col_expr(jobs::Column::Attempts, again("0", "attempts"))
                        .col_expr(jobs::Column::Again, Expr::value(false)),
                    Outcome::Done(job.id),
                )
            }
            Ok(Next::At(when)) => (
                mine.col_expr(jobs::Column::Status, Expr::value(PENDING))
                    .col_expr(jobs::Column::RunAt, Expr::value(when))
                    .col_expr(jobs::Column::Attempts, Expr::value(0))
                    .col_expr(jobs::Column::LastError, Expr::value(Option::<String>::None))
                    .col_expr(jobs::Column::Again, Expr::value(false)),
                Outcome::Again(job.id, when),
            ),
            Err(e) => {
                let error = format!("{e:#}");
                let update = mine.col_expr(jobs::Column::LastError, Expr::value(error.clone()));
                if attempts >= job.max_attempts {
                    tracing::error!(job = %job.id, kind = %job.kind, attempts, error, "job failed for good");
                    (
                        update.col_expr(jobs::Column::Status, Expr::value(FAILED)).col_expr(jobs::Column::FinishedAt, Expr::value(now)),
                        Outcome::Failed(job.id),
                    )
                } else {
                    let exponent = u32::try_from(attempts - 1).unwrap_or(0).min(16);
                    let delay = self.state.config.job_retry_base.saturating_mul(2u32.saturating_pow(exponent));
                    let run_at = now + chrono(delay);
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts, error, retry_at = %run_at, "job failed; it will run again");
                    (
                        update.col_expr(jobs::Column::Status, Expr::value(PENDING)).col_expr(jobs::Column::RunAt, Expr::value(run_at)),
                        Outcome::Retry(job.id, run_at),
                    )
                }
            }
        };
        let txn = self.state.db.begin_write().await?;
        update.exec(&*txn).await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// Runs jobs until `shutdown` resolves, then lets the running job finish (within the grace
    /// period) and leaves the rest for the next start.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tracing::info!(worker = %self.id, "job worker started");
        tokio::pin!(shutdown);
        let idle = self.state.config.job_poll_interval;
        // Committed changes wake an idle worker at once: the jobs they queued (a webhook
        // delivery, an e-mail) committed with them. Polling remains for timers and other processes'
        // jobs when there is no shared bus.
        let mut committed = self.state.db.bus.subscribe();
        // Periodic jobs are looked at once a second at most, however busy the queue.
        let mut scheduled: Option<std::time::Instant> = None;
        loop {
            let step = async {
                if scheduled.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                    scheduled = Some(std::time::Instant::now());
                    if let Err(e) = super::schedule_due(&self.state, &self.registry, Utc::now()).await {
                        tracing::error!(error = %e, "periodic jobs could not be scheduled");
                    }
                }
                match self.run_once().await {
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        tokio::select! {
                            () = tokio::time::sleep(idle) => {}
                            _ = committed.recv() => {}
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the job worker could not take a job");
                        tokio::time::sleep(idle).await;
                    }
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = step => {}
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }
}
